//! Waiters: how a blocked party (a goroutine future, an OS thread, or a
//! runtime-provided waiter such as a gevent greenlet) waits on channels.
//!
//! A [`Waiter`] is shared by every queue entry of one blocking operation (one
//! per case of a select). Its state moves exactly once away from `WAITING`:
//!
//! ```text
//! WAITING --claim (a counterparty, under one channel's lock)--> BUSY --commit--> DONE(case, closed)
//! WAITING --abort (the owner: dropped, interrupted, or re-registering)--> ABORTED
//! ```
//!
//! Because both the claim and the abort are one compare-and-swap from
//! `WAITING`, exactly one case of a select can win, and an owner that fails
//! to abort knows a counterparty has committed (or is committing) it.

use std::sync::atomic::{AtomicUsize, Ordering};
use crate::lock::SpinLock;
use std::sync::Arc;
use std::task::Waker;
use std::thread::Thread;
use std::time::Duration;

const WAITING: usize = 0;
const BUSY: usize = 1;
const ABORTED: usize = 2;
const DONE: usize = 4; // DONE + 2*case + closed

/// How to wake the owner of a waiter.
pub enum Unparker {
    /// A goroutine (future): wake its task.
    Task(Waker),
    /// An OS thread blocked in `park`.
    Thread(Thread),
    /// Anything else (e.g. a gevent greenlet); called once on commit.
    Custom(Arc<dyn Fn() + Send + Sync>),
}

/// Checks of the outcome a thread waiting on a rendezvous makes before it
/// parks (a few microseconds).
const SPIN: u32 = 2000;

/// The outcome of a wait on a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// Case `0` committed; `1` says whether it was by a close.
    Committed(usize, bool),
    /// The interrupt check asked to stop and the waiter was aborted in time.
    Interrupted,
}

/// One blocking operation's shared state.
pub struct Waiter {
    state: AtomicUsize,
    unparker: Unparker,
}

impl Waiter {
    /// A new waiter in the `WAITING` state.
    pub fn new(unparker: Unparker) -> Arc<Waiter> {
        Arc::new(Waiter { state: AtomicUsize::new(WAITING), unparker })
    }

    /// A waiter for the current OS thread.
    pub fn for_thread() -> Arc<Waiter> {
        Waiter::new(Unparker::Thread(std::thread::current()))
    }

    /// Counterparty: claims the waiter for one of its cases. Only one claim
    /// or abort ever succeeds.
    #[inline]
    pub(crate) fn try_claim(&self) -> bool {
        self.state.compare_exchange(WAITING, BUSY, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Counterparty, after a successful claim and after it has moved the
    /// value: publishes the outcome and wakes the owner.
    #[inline]
    pub(crate) fn commit(&self, case: usize, closed: bool) {
        self.state.store(DONE + 2 * case + closed as usize, Ordering::Release);
        match &self.unparker {
            Unparker::Task(w) => w.wake_by_ref(),
            Unparker::Thread(t) => t.unpark(),
            Unparker::Custom(f) => f(),
        }
    }

    /// Owner: gives up waiting. False means a counterparty claimed it first;
    /// the owner must then take the outcome ([`Waiter::wait_committed`]).
    pub fn try_abort(&self) -> bool {
        self.state.compare_exchange(WAITING, ABORTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Whether nobody has claimed or aborted it yet.
    #[inline]
    pub(crate) fn is_waiting(&self) -> bool {
        self.state.load(Ordering::Acquire) == WAITING
    }

    /// The committed outcome: (case, closed), or None while still waiting,
    /// being committed, or aborted.
    #[inline]
    pub fn outcome(&self) -> Option<(usize, bool)> {
        let s = self.state.load(Ordering::Acquire);
        if s >= DONE {
            Some(((s - DONE) / 2, (s - DONE) % 2 == 1))
        } else {
            None
        }
    }

    /// After a failed abort: waits out the short window between a claim
    /// and its commit (the claimant holds one channel lock and does not
    /// block in it).
    pub fn wait_committed(&self) -> (usize, bool) {
        let mut spins = 0u32;
        loop {
            if let Some(o) = self.outcome() {
                return o;
            }
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Parks the current OS thread until a commit. With `interrupt`, wakes
    /// every `poll` to call it; when it returns true and the waiter can still
    /// be aborted, returns `Interrupted`.
    pub fn wait_thread(&self, interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        self.wait_thread_spinning(false, interrupt)
    }

    /// [`Waiter::wait_thread`], spinning a little first when `spin`: on a
    /// rendezvous (unbuffered) channel the counterparty on another core
    /// often commits within microseconds, and a spinning thread runs again
    /// much sooner than a parked one (for Python threads, a round trip over
    /// two unbuffered channels gets ~10x faster). Buffered channels do not
    /// spin: there the waiting side is better off letting the other fill or
    /// drain the buffer.
    pub fn wait_thread_spinning(&self, spin: bool, mut interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        if spin {
            for _ in 0..SPIN {
                if let Some((case, closed)) = self.outcome() {
                    return Woken::Committed(case, closed);
                }
                std::hint::spin_loop();
            }
        }
        loop {
            if let Some((case, closed)) = self.outcome() {
                return Woken::Committed(case, closed);
            }
            match &mut interrupt {
                None => std::thread::park(),
                Some((check, poll)) => {
                    std::thread::park_timeout(*poll);
                    if self.outcome().is_none() && check() {
                        if self.try_abort() {
                            return Woken::Interrupted;
                        }
                        let (case, closed) = self.wait_committed();
                        return Woken::Committed(case, closed);
                    }
                }
            }
        }
    }

    /// Whether this waiter wakes the given task (to detect a changed waker).
    pub(crate) fn wakes(&self, w: &Waker) -> bool {
        matches!(&self.unparker, Unparker::Task(t) if t.will_wake(w))
    }
}

/// Where an entry's waiter lives: inside the entry (a single send or
/// receive: one allocation instead of two) or shared by the entries of one
/// select.
pub(crate) enum WaiterRef {
    Own(Waiter),
    Shared(Arc<Waiter>),
}

/// A waiter's place in one channel queue: which case it is for, and the
/// value slot. For a sender the slot holds the value to send until a
/// receiver takes it; for a receiver it receives the value.
pub(crate) struct Entry<T> {
    waiter: WaiterRef,
    pub(crate) case: usize,
    pub(crate) slot: SpinLock<Option<T>>,
}

impl<T> Entry<T> {
    /// An entry of a select case, sharing the select's waiter.
    pub(crate) fn new(waiter: Arc<Waiter>, case: usize, value: Option<T>) -> Arc<Entry<T>> {
        Arc::new(Entry { waiter: WaiterRef::Shared(waiter), case, slot: SpinLock::new(value) })
    }

    /// The entry of a single operation, with its own waiter.
    pub(crate) fn single(unparker: Unparker, value: Option<T>) -> Arc<Entry<T>> {
        Arc::new(Entry {
            waiter: WaiterRef::Own(Waiter { state: AtomicUsize::new(WAITING), unparker }),
            case: 0,
            slot: SpinLock::new(value),
        })
    }

    /// The waiter.
    #[inline]
    pub(crate) fn waiter(&self) -> &Waiter {
        match &self.waiter {
            WaiterRef::Own(w) => w,
            WaiterRef::Shared(w) => w,
        }
    }

    /// Whether this entry belongs to the select of `own`.
    #[inline]
    pub(crate) fn is_of(&self, own: &Waiter) -> bool {
        std::ptr::eq(self.waiter(), own)
    }

    pub(crate) fn take(&self) -> Option<T> {
        self.slot.lock().take()
    }

    pub(crate) fn put(&self, v: T) {
        *self.slot.lock() = Some(v);
    }
}
