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

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use golang_prims::SpinLock;
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
/// parks. (What that costs depends on the CPU's pause instruction: 2000
/// checks took 95 us on this project's AMD EPYC VM. A spin bounded by time
/// was tried: at 20-50 us the unbuffered ping-pong of Python threads fell
/// from ~2 to ~30 us per round trip on a loaded machine, as both sides then
/// park after one slow wake-up; left to tune on a quiet machine, issue 21.)
const SPIN: u32 = 2000;

/// How a blocked OS thread waits before it parks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spin {
    /// Spin a few microseconds on an unbuffered channel's send or receive
    /// (the counterparty on another core usually commits that soon); park at
    /// once on a buffered channel and in a select.
    #[default]
    Rendezvous,
    /// Spin a few microseconds first in every case. For threads whose
    /// counterparty runs only once it has taken a lock the waiter has just
    /// released, such as Python's GIL: it then commits soon, and waking a
    /// parked thread costs more than the spin (tens of microseconds on an
    /// idle core of a VM). At most one thread spins this way at a time (on
    /// top of rendezvous spinners), so spinners never crowd out the thread
    /// they wait for.
    Always,
}

/// The gate of [`Spin::Always`] spins on buffered channels and selects.
static EAGER: SpinGate = SpinGate::new();

/// The largest back-off of a thread's rendezvous spins: `2^MAX_RDV_BACKOFF
/// - 1` waits in a row park at once.
const MAX_RDV_BACKOFF: u32 = 6;

/// A wait that ends within this many spin lengths after it began would have
/// been served by spinning (a little longer): spinning pays on this thread.
const RDV_SHORT: u32 = 4;

/// This thread's rendezvous spin state (see [`RdvSpin`]).
#[derive(Clone, Copy)]
struct RdvState {
    /// Waits left that park at once.
    skip: u32,
    /// Consecutive waits that spinning did not serve.
    fails: u32,
    /// How long this thread's last full spin took (0: not yet measured).
    spin_ns: u64,
}

thread_local! {
    static RDV: std::cell::Cell<RdvState> = const { std::cell::Cell::new(RdvState { skip: 0, fails: 0, spin_ns: 0 }) };
}

/// Adaptive rendezvous spinning, per thread. A spin pays only when the
/// counterparty commits within it or soon after (threads trading busily);
/// when the counterparty is slow (a partner that sleeps, serves a request,
/// waits for the GIL) each spin is CPU burnt for nothing: about 10% of a
/// core for two threads trading once per millisecond. So a wait that
/// outlasts `RDV_SHORT` spin lengths counts as a failure, and after `k`
/// failures in a row the next `2^k - 1` waits park at once; any wait that
/// ends within `RDV_SHORT` spin lengths (spun or parked) resets it, so a
/// busy exchange gets its spins back at once. Timing only, never an
/// outcome.
struct RdvSpin;

impl RdvSpin {
    /// Whether this wait spins first.
    fn enter() -> bool {
        RDV.with(|c| {
            let mut st = c.get();
            if st.skip > 0 {
                st.skip -= 1;
                c.set(st);
                false
            } else {
                true
            }
        })
    }

    /// Records the length of a full (unsuccessful) spin.
    fn spun(ns: u64) {
        RDV.with(|c| {
            let mut st = c.get();
            st.spin_ns = ns.max(1);
            c.set(st);
        })
    }

    /// Ends a wait that took `waited_ns` in all.
    fn leave(waited_ns: u64) {
        RDV.with(|c| {
            let mut st = c.get();
            if st.spin_ns == 0 || waited_ns <= st.spin_ns * RDV_SHORT as u64 {
                st.skip = 0;
                st.fails = 0;
            } else {
                st.fails = (st.fails + 1).min(MAX_RDV_BACKOFF);
                st.skip = (1 << st.fails) - 1;
            }
            c.set(st);
        })
    }
}

/// Admits one spinner at a time, and backs off when spins fail: a spin
/// that runs out without the outcome it waited for means the counterparty
/// is not running soon (on a loaded machine, a spinner may even be what
/// keeps it off a core), so the next `2^k` spins are skipped, `k` growing
/// with consecutive failures (up to `2^MAX_BACKOFF`); a success resets it.
/// The counters are shared by all threads and updated without a lock: they
/// steer timing only, never an outcome.
pub struct SpinGate {
    busy: AtomicBool,
    skip: AtomicU32,
    fails: AtomicU32,
}

/// The largest back-off of a [`SpinGate`] is `2^MAX_BACKOFF` skipped spins.
const MAX_BACKOFF: u32 = 4;

impl SpinGate {
    /// A gate that admits one spinner at a time.
    pub const fn new() -> SpinGate {
        SpinGate { busy: AtomicBool::new(false), skip: AtomicU32::new(0), fails: AtomicU32::new(0) }
    }

    /// Whether the caller may spin now; if true, it must call
    /// [`SpinGate::leave`] when its spin ends.
    #[inline]
    pub fn enter(&self) -> bool {
        let s = self.skip.load(Ordering::Relaxed);
        if s > 0 {
            self.skip.store(s - 1, Ordering::Relaxed);
            return false;
        }
        !self.busy.swap(true, Ordering::Acquire)
    }

    /// Ends a spin admitted by [`SpinGate::enter`]; `ok` says whether what
    /// it waited for happened during the spin.
    #[inline]
    pub fn leave(&self, ok: bool) {
        if ok {
            self.fails.store(0, Ordering::Relaxed);
        } else {
            let f = self.fails.load(Ordering::Relaxed);
            self.fails.store((f + 1).min(MAX_BACKOFF), Ordering::Relaxed);
            self.skip.store(1 << f, Ordering::Relaxed);
        }
        self.busy.store(false, Ordering::Release);
    }
}

impl Default for SpinGate {
    fn default() -> Self {
        SpinGate::new()
    }
}

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
    pub fn wait_thread_spinning(&self, spin: bool, interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        // (adaptive: only while spins pay, `RdvSpin`)
        let t0 = if spin { Some(std::time::Instant::now()) } else { None };
        if spin && RdvSpin::enter() {
            for _ in 0..SPIN {
                if let Some((case, closed)) = self.outcome() {
                    RdvSpin::leave(0);
                    return Woken::Committed(case, closed);
                }
                std::hint::spin_loop();
            }
            RdvSpin::spun(t0.map_or(0, |t| t.elapsed().as_nanos() as u64));
        }
        let r = self.park_until_committed(interrupt);
        if let Some(t0) = t0 {
            RdvSpin::leave(t0.elapsed().as_nanos() as u64);
        }
        r
    }

    /// The parking part of [`Waiter::wait_thread_spinning`].
    fn park_until_committed(&self, mut interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
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

    /// [`Waiter::wait_thread`] under a spin policy: `rendezvous` says the
    /// operation is on an unbuffered channel (which spins by default, as
    /// [`Waiter::wait_thread_spinning`]); [`Spin::Always`] spins in every
    /// case, but only one such spinner at a time (see [`Spin`]).
    pub(crate) fn wait_thread_with(
        &self,
        rendezvous: bool,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Woken {
        if !rendezvous && spin == Spin::Always && EAGER.enter() {
            let mut done = None;
            for _ in 0..SPIN {
                if let Some(o) = self.outcome() {
                    done = Some(o);
                    break;
                }
                std::hint::spin_loop();
            }
            EAGER.leave(done.is_some());
            if let Some((case, closed)) = done {
                return Woken::Committed(case, closed);
            }
        }
        self.wait_thread_spinning(rendezvous, interrupt)
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
