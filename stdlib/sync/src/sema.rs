//! `Sema` and `Mutex` on a one-slot channel.
//!
//! Invariant: the channel's buffer holds the token (`()`) exactly when the
//! semaphore is available. Acquiring receives the token; releasing sends it
//! back without blocking, and a send that finds the slot full is a release
//! of a semaphore nobody holds. A release while someone waits hands the
//! token straight to the first waiter (the channel's handoff), so waiters
//! are served in arrival order and a newcomer cannot barge in. The channel
//! is never closed.

use crate::{with_reason, RELEASE_UNACQUIRED, UNLOCK_UNLOCKED};
use golang_chan::{Chan, TrySendError};
use std::fmt;

/// A binary semaphore, initially available. It may be released by another
/// goroutine or thread than the one that acquired it.
pub struct Sema {
    tok: Chan<()>,
}

impl Default for Sema {
    fn default() -> Self {
        Sema::new()
    }
}

impl fmt::Debug for Sema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sema(available: {})", self.tok.len() == 1)
    }
}

impl Sema {
    /// An available semaphore.
    pub fn new() -> Sema {
        let tok = Chan::new(1);
        tok.try_send(()).expect("a new one-slot channel has room");
        Sema { tok }
    }

    async fn acquire_as(&self, reason: &'static str) {
        let got = with_reason(reason, self.tok.recv()).await;
        debug_assert!(got.is_some(), "the token channel is never closed");
    }

    /// Acquires the semaphore (goroutine form).
    pub async fn acquire(&self) {
        self.acquire_as("semacquire").await
    }

    /// Acquires the semaphore, blocking the OS thread.
    pub fn acquire_blocking(&self) {
        self.tok.recv_blocking();
    }

    /// Acquires the semaphore if it is available now.
    pub fn try_acquire(&self) -> bool {
        self.tok.try_recv().is_ok()
    }

    /// Releases the semaphore, waking the first waiter.
    ///
    /// # Panics
    /// [`RELEASE_UNACQUIRED`] if it is not acquired.
    pub fn release(&self) {
        if let Err(e) = self.try_release() {
            panic!("{e}");
        }
    }

    /// `release` that reports the panic as an error.
    pub fn try_release(&self) -> Result<(), &'static str> {
        match self.tok.try_send(()) {
            Ok(()) => Ok(()),
            Err(TrySendError::Full(())) | Err(TrySendError::Closed(())) => Err(RELEASE_UNACQUIRED),
        }
    }
}

/// A mutual exclusion lock, as Go's `sync.Mutex`: it guards no data, and
/// may be unlocked by another goroutine or thread than the one that locked
/// it. [`Mutex::guard`] gives an RAII guard.
#[derive(Default)]
pub struct Mutex {
    sema: Sema,
}

impl fmt::Debug for Mutex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mutex(locked: {})", self.sema.tok.is_empty())
    }
}

impl Mutex {
    /// An unlocked mutex.
    pub fn new() -> Mutex {
        Mutex { sema: Sema::new() }
    }

    /// Locks (goroutine form). Pair it with [`Mutex::unlock`].
    pub async fn lock(&self) {
        self.sema.acquire_as("sync.Mutex.Lock").await
    }

    /// Locks, blocking the OS thread.
    pub fn lock_blocking(&self) {
        self.sema.acquire_blocking()
    }

    /// Locks if it is unlocked now.
    pub fn try_lock(&self) -> bool {
        self.sema.try_acquire()
    }

    /// Unlocks, handing the lock to the first waiter.
    ///
    /// # Panics
    /// [`UNLOCK_UNLOCKED`] if it is not locked.
    pub fn unlock(&self) {
        if let Err(e) = self.try_unlock() {
            panic!("{e}");
        }
    }

    /// `unlock` that reports the panic as an error.
    pub fn try_unlock(&self) -> Result<(), &'static str> {
        self.sema.try_release().map_err(|_| UNLOCK_UNLOCKED)
    }

    /// Locks and returns a guard that unlocks when dropped (goroutine form).
    pub async fn guard(&self) -> MutexGuard<'_> {
        self.lock().await;
        MutexGuard { mu: self }
    }

    /// Locks, blocking the OS thread, and returns a guard.
    pub fn guard_blocking(&self) -> MutexGuard<'_> {
        self.lock_blocking();
        MutexGuard { mu: self }
    }
}

/// Holds a [`Mutex`] locked until dropped.
#[must_use = "the mutex is unlocked as soon as the guard is dropped"]
pub struct MutexGuard<'a> {
    mu: &'a Mutex,
}

impl Drop for MutexGuard<'_> {
    fn drop(&mut self) {
        self.mu.unlock();
    }
}

impl fmt::Debug for MutexGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MutexGuard")
    }
}
