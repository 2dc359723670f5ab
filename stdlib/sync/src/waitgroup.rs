//! `WaitGroup` and `Once`.

use crate::{with_reason, Mutex, NEGATIVE_COUNTER};
use golang_chan::Chan;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex as StdMutex, MutexGuard as StdGuard};

/// Waits for a collection of goroutines (or threads) to finish, as Go's
/// `sync.WaitGroup`: `add(n)` before starting them, `done()` as each ends,
/// `wait()` until the counter is zero.
///
/// Invariant: `done` is `Some` only while the counter is positive and
/// somebody has waited; it is closed (and cleared) when the counter
/// reaches zero, which releases every waiter, goroutine or thread.
#[derive(Default)]
pub struct WaitGroup {
    st: StdMutex<WgState>,
}

#[derive(Default)]
struct WgState {
    n: i64,
    done: Option<Chan<()>>,
}

impl fmt::Debug for WaitGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WaitGroup({})", self.state().n)
    }
}

impl WaitGroup {
    /// A WaitGroup with counter zero.
    pub fn new() -> WaitGroup {
        WaitGroup::default()
    }

    fn state(&self) -> StdGuard<'_, WgState> {
        self.st.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Adds `delta` (which may be negative) to the counter; at zero, every
    /// waiter is released.
    ///
    /// # Panics
    /// [`NEGATIVE_COUNTER`] if the counter would go below zero (it is left
    /// unchanged).
    pub fn add(&self, delta: i64) {
        if let Err(e) = self.try_add(delta) {
            panic!("{e}");
        }
    }

    /// `add` that reports the panic as an error.
    pub fn try_add(&self, delta: i64) -> Result<(), &'static str> {
        let done = {
            let mut st = self.state();
            let n = st.n.checked_add(delta).filter(|&n| n >= 0).ok_or(NEGATIVE_COUNTER)?;
            st.n = n;
            if n == 0 {
                st.done.take()
            } else {
                None
            }
        };
        if let Some(c) = done {
            c.close();
        }
        Ok(())
    }

    /// Decrements the counter: `add(-1)`.
    pub fn done(&self) {
        self.add(-1)
    }

    /// The channel to wait on, or `None` if the counter is zero.
    fn waiter(&self) -> Option<Chan<()>> {
        let mut st = self.state();
        if st.n == 0 {
            return None;
        }
        Some(st.done.get_or_insert_with(|| Chan::new(0)).clone())
    }

    /// Waits until the counter is zero (goroutine form).
    pub async fn wait(&self) {
        if let Some(c) = self.waiter() {
            with_reason("sync.WaitGroup.Wait", c.recv()).await;
        }
    }

    /// Waits until the counter is zero, blocking the OS thread.
    pub fn wait_blocking(&self) {
        if let Some(c) = self.waiter() {
            c.recv_blocking();
        }
    }
}

/// Runs a function once, as Go's `sync.Once`: the first call runs it and
/// every other call waits until it has returned. If it panics, the panic
/// propagates to its caller and later calls do nothing.
#[derive(Default)]
pub struct Once {
    done: AtomicBool,
    mu: Mutex,
}

impl fmt::Debug for Once {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Once(done: {})", self.is_done())
    }
}

/// Marks the `Once` done and unlocks it, also when `f` panics.
struct Finish<'a>(&'a Once);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        self.0.done.store(true, Ordering::Release);
        self.0.mu.unlock();
    }
}

impl Once {
    /// A `Once` that has not run yet.
    pub fn new() -> Once {
        Once::default()
    }

    /// Whether the function has run (or panicked).
    pub fn is_done(&self) -> bool {
        self.done.load(Ordering::Acquire)
    }

    fn run_locked(&self, f: impl FnOnce()) {
        let _finish = Finish(self);
        if !self.done.load(Ordering::Relaxed) {
            f();
        }
    }

    /// Runs `f` if no call has run a function yet; otherwise waits for that
    /// run to finish (goroutine form). `f` runs on the calling goroutine.
    pub async fn call_once(&self, f: impl FnOnce()) {
        if self.is_done() {
            return;
        }
        self.mu.lock().await;
        self.run_locked(f);
    }

    /// [`Once::call_once`] for OS threads: waiting blocks the thread.
    pub fn call_once_blocking(&self, f: impl FnOnce()) {
        if self.is_done() {
            return;
        }
        self.mu.lock_blocking();
        self.run_locked(f);
    }
}
