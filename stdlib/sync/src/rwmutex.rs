//! `RWMutex` with Go's writer preference, on a waiter queue of its own.
//!
//! State, all under one short-held `std::sync::Mutex` (never held while
//! user code runs or while a goroutine waits):
//! - `readers`: readers holding the lock; `writer`: whether a writer does.
//!   A waiter counts as holding from the moment it is granted, before it
//!   observes the grant.
//! - `readq` / `writeq`: waiting (not yet granted) readers and writers, in
//!   arrival order; each has a slot in `waiters` with its wake-up handle.
//!
//! Invariants, restored by `dispatch` after every change:
//! 1. `writer` implies `readers == 0`.
//! 2. A reader waits only while a writer holds the lock or waits for it
//!    (`readq` non-empty implies `writer` or `writeq` non-empty).
//! 3. A writer waits only while the lock is held (`writeq` non-empty
//!    implies `writer` or `readers > 0`).
//!
//! Policy (Go's): `rlock` gets in at once unless a writer holds or waits;
//! `lock` gets in when nobody holds. When the last reader leaves, the first
//! waiting writer gets the lock. When a writer unlocks, every waiting reader
//! gets in together, and the next writer waits for them; only when no
//! reader waits does the next writer get it directly. So neither readers
//! nor writers starve.

use crate::{RUNLOCK_UNLOCKED, RW_UNLOCK_UNLOCKED};
use slab::Slab;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex as StdMutex, MutexGuard as StdGuard};
use std::task::{Context, Poll, Waker};
use std::thread::Thread;

/// How to wake a waiter: a goroutine's task or a parked OS thread.
enum Unpark {
    Task(Waker),
    Thread(Thread),
}

impl Unpark {
    fn unpark(self) {
        match self {
            Unpark::Task(w) => w.wake(),
            Unpark::Thread(t) => t.unpark(),
        }
    }
}

struct Waiter {
    write: bool,
    granted: bool,
    /// Taken by the granter, which wakes it after releasing the state lock.
    unpark: Option<Unpark>,
}

#[derive(Default)]
struct State {
    readers: usize,
    writer: bool,
    waiters: Slab<Waiter>,
    readq: VecDeque<usize>,
    writeq: VecDeque<usize>,
}

type Wakeups = Vec<Unpark>;

impl State {
    fn try_acquire(&mut self, write: bool) -> bool {
        if self.writer || !self.writeq.is_empty() {
            return false;
        }
        if write {
            if self.readers > 0 {
                return false;
            }
            self.writer = true;
        } else {
            self.readers += 1;
        }
        true
    }

    fn enqueue(&mut self, write: bool, unpark: Unpark) -> usize {
        let id = self.waiters.insert(Waiter { write, granted: false, unpark: Some(unpark) });
        if write {
            self.writeq.push_back(id);
        } else {
            self.readq.push_back(id);
        }
        id
    }

    fn grant(&mut self, id: usize, wake: &mut Wakeups) {
        let w = &mut self.waiters[id];
        w.granted = true;
        wake.extend(w.unpark.take());
    }

    /// Hands the lock to waiters as the policy says; `after_write`: a
    /// writer has just unlocked.
    fn dispatch(&mut self, after_write: bool, wake: &mut Wakeups) {
        if self.writer {
            return;
        }
        if after_write || self.writeq.is_empty() {
            while let Some(id) = self.readq.pop_front() {
                self.readers += 1;
                self.grant(id, wake);
            }
        }
        if self.readers == 0 {
            if let Some(id) = self.writeq.pop_front() {
                self.writer = true;
                self.grant(id, wake);
            }
        }
    }

    fn runlock(&mut self, wake: &mut Wakeups) -> Result<(), &'static str> {
        if self.readers == 0 {
            return Err(RUNLOCK_UNLOCKED);
        }
        self.readers -= 1;
        self.dispatch(false, wake);
        Ok(())
    }

    fn unlock(&mut self, wake: &mut Wakeups) -> Result<(), &'static str> {
        if !self.writer {
            return Err(RW_UNLOCK_UNLOCKED);
        }
        self.writer = false;
        self.dispatch(true, wake);
        Ok(())
    }

    /// A waiter gives up: it leaves its queue, or, if it was granted
    /// already, releases what it was given.
    fn abandon(&mut self, id: usize, wake: &mut Wakeups) {
        let w = self.waiters.remove(id);
        if w.granted {
            let r = if w.write { self.unlock(wake) } else { self.runlock(wake) };
            debug_assert!(r.is_ok());
            return;
        }
        let q = if w.write { &mut self.writeq } else { &mut self.readq };
        if let Some(pos) = q.iter().position(|&x| x == id) {
            q.remove(pos);
        }
        if w.write {
            // Readers waiting only because of this writer may go in now.
            self.dispatch(false, wake);
        }
    }
}

/// A reader/writer lock, as Go's `sync.RWMutex`: any number of readers or
/// one writer; writers are preferred (see the module docs). It guards no
/// data, and may be unlocked by another goroutine or thread.
#[derive(Default)]
pub struct RWMutex {
    st: StdMutex<State>,
}

impl fmt::Debug for RWMutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state();
        write!(
            f,
            "RWMutex(readers: {}, writer: {}, waiting: {}r {}w)",
            st.readers,
            st.writer,
            st.readq.len(),
            st.writeq.len()
        )
    }
}

impl RWMutex {
    /// An unlocked RWMutex.
    pub fn new() -> RWMutex {
        RWMutex::default()
    }

    fn state(&self) -> StdGuard<'_, State> {
        // Panics happen only after the guard is dropped: never poisoned in
        // a broken state.
        self.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn release(
        &self,
        f: impl FnOnce(&mut State, &mut Wakeups) -> Result<(), &'static str>,
    ) -> Result<(), &'static str> {
        let mut wake = Wakeups::new();
        let r = f(&mut self.state(), &mut wake);
        for u in wake {
            u.unpark();
        }
        r
    }

    fn acquire_blocking(&self, write: bool) {
        let mut st = self.state();
        if st.try_acquire(write) {
            return;
        }
        let id = st.enqueue(write, Unpark::Thread(std::thread::current()));
        loop {
            if st.waiters[id].granted {
                st.waiters.remove(id);
                return;
            }
            drop(st);
            std::thread::park();
            st = self.state();
        }
    }

    /// Locks for reading (goroutine form). Pair it with [`RWMutex::runlock`].
    pub fn rlock(&self) -> LockFuture<'_> {
        LockFuture { rw: self, write: false, id: None, done: false }
    }

    /// Locks for reading, blocking the OS thread.
    pub fn rlock_blocking(&self) {
        self.acquire_blocking(false)
    }

    /// Locks for reading if that is possible now.
    pub fn try_rlock(&self) -> bool {
        self.state().try_acquire(false)
    }

    /// Releases a read lock.
    ///
    /// # Panics
    /// [`RUNLOCK_UNLOCKED`] if no reader holds the lock.
    pub fn runlock(&self) {
        if let Err(e) = self.try_runlock() {
            panic!("{e}");
        }
    }

    /// `runlock` that reports the panic as an error.
    pub fn try_runlock(&self) -> Result<(), &'static str> {
        self.release(State::runlock)
    }

    /// Locks for writing (goroutine form). Pair it with [`RWMutex::unlock`].
    pub fn lock(&self) -> LockFuture<'_> {
        LockFuture { rw: self, write: true, id: None, done: false }
    }

    /// Locks for writing, blocking the OS thread.
    pub fn lock_blocking(&self) {
        self.acquire_blocking(true)
    }

    /// Locks for writing if nobody holds the lock now.
    pub fn try_lock(&self) -> bool {
        self.state().try_acquire(true)
    }

    /// Releases the write lock.
    ///
    /// # Panics
    /// [`RW_UNLOCK_UNLOCKED`] if no writer holds the lock.
    pub fn unlock(&self) {
        if let Err(e) = self.try_unlock() {
            panic!("{e}");
        }
    }

    /// `unlock` that reports the panic as an error.
    pub fn try_unlock(&self) -> Result<(), &'static str> {
        self.release(State::unlock)
    }

    /// Read-locks and returns a guard that read-unlocks when dropped.
    pub async fn read(&self) -> ReadGuard<'_> {
        self.rlock().await;
        ReadGuard { rw: self }
    }

    /// Read-locks, blocking the OS thread, and returns a guard.
    pub fn read_blocking(&self) -> ReadGuard<'_> {
        self.rlock_blocking();
        ReadGuard { rw: self }
    }

    /// Write-locks and returns a guard that unlocks when dropped.
    pub async fn write(&self) -> WriteGuard<'_> {
        self.lock().await;
        WriteGuard { rw: self }
    }

    /// Write-locks, blocking the OS thread, and returns a guard.
    pub fn write_blocking(&self) -> WriteGuard<'_> {
        self.lock_blocking();
        WriteGuard { rw: self }
    }
}

/// The future of [`RWMutex::rlock`] and [`RWMutex::lock`]. Dropping it while
/// it waits gives up its place (and passes on a lock granted meanwhile).
#[must_use = "futures do nothing unless awaited"]
pub struct LockFuture<'a> {
    rw: &'a RWMutex,
    write: bool,
    /// Its slot while it waits in a queue.
    id: Option<usize>,
    done: bool,
}

impl Future for LockFuture<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        assert!(!this.done, "LockFuture polled after completion");
        let reason = if this.write { "sync.RWMutex.Lock" } else { "sync.RWMutex.RLock" };
        match this.id {
            None => {
                if !golang_sched::coop_proceed() {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                let mut st = this.rw.state();
                if st.try_acquire(this.write) {
                    this.done = true;
                    return Poll::Ready(());
                }
                this.id = Some(st.enqueue(this.write, Unpark::Task(cx.waker().clone())));
            }
            Some(id) => {
                let mut st = this.rw.state();
                let w = &mut st.waiters[id];
                if w.granted {
                    st.waiters.remove(id);
                    this.id = None;
                    this.done = true;
                    return Poll::Ready(());
                }
                if !matches!(&w.unpark, Some(Unpark::Task(old)) if old.will_wake(cx.waker())) {
                    w.unpark = Some(Unpark::Task(cx.waker().clone()));
                }
            }
        }
        golang_sched::set_wait_reason(reason);
        Poll::Pending
    }
}

impl Drop for LockFuture<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = self.rw.release(|st, wake| {
                st.abandon(id, wake);
                Ok(())
            });
        }
    }
}

impl fmt::Debug for LockFuture<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LockFuture(write: {}, waiting: {})", self.write, self.id.is_some())
    }
}

/// Holds a read lock of an [`RWMutex`] until dropped.
#[must_use = "the read lock is released as soon as the guard is dropped"]
pub struct ReadGuard<'a> {
    rw: &'a RWMutex,
}

impl Drop for ReadGuard<'_> {
    fn drop(&mut self) {
        self.rw.runlock();
    }
}

/// Holds the write lock of an [`RWMutex`] until dropped.
#[must_use = "the write lock is released as soon as the guard is dropped"]
pub struct WriteGuard<'a> {
    rw: &'a RWMutex,
}

impl Drop for WriteGuard<'_> {
    fn drop(&mut self) {
        self.rw.unlock();
    }
}
