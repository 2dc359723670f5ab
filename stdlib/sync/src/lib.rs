//! Go's `sync` for goroutines and OS threads at once: [`Sema`], [`Mutex`],
//! [`RWMutex`], [`Once`], [`WaitGroup`] and Pygolang's [`WorkGroup`].
//!
//! Every blocking operation comes in two forms that may be used on the same
//! object at the same time: `async` for goroutines (`lock().await`), which
//! never blocks the executor's thread, and `_blocking` for OS threads
//! (`lock_blocking()`), which parks the thread. A blocked party is handed
//! the lock directly by whoever releases it (no barging), in arrival order.
//! Dropping a waiting future is safe: it leaves the queue, and a lock handed
//! to it just before is passed on.
//!
//! - [`Sema`] and [`Mutex`] are built on a one-slot `golang_chan::Chan`
//!   that holds the token while the lock is free, so they inherit the
//!   channel's waiter handoff and cancellation safety.
//! - [`RWMutex`] has Go's writer preference: once a writer waits, new
//!   readers wait behind it; when a writer unlocks, the readers that waited
//!   meanwhile go in before the next writer. It keeps its own waiter queue.
//! - [`WaitGroup`] closes a channel when its counter reaches zero.
//! - [`Once`] runs its function once; if that panics, later calls do
//!   nothing (as in Go).
//! - [`WorkGroup`] runs goroutines under a work context; the first error (or
//!   panic) cancels it, and `wait` returns that error (re-raises that panic)
//!   after every goroutine has finished.
//!
//! Misuse panics with Go's messages ([`UNLOCK_UNLOCKED`],
//! [`NEGATIVE_COUNTER`], ...); each panicking method has a `try_` form
//! that returns the message as an error instead.
//!
//! ```
//! use golang_sched::{go, Runtime};
//! use golang_sync::{Mutex, WaitGroup};
//! use std::sync::Arc;
//!
//! Runtime::deterministic(3).block_on(async {
//!     let mu = Arc::new(Mutex::new());
//!     let wg = Arc::new(WaitGroup::new());
//!     let total = Arc::new(std::sync::atomic::AtomicU32::new(0));
//!     for _ in 0..10 {
//!         let (mu, wg, total) = (mu.clone(), wg.clone(), total.clone());
//!         wg.add(1);
//!         go(async move {
//!             let _g = mu.guard().await; // unlocked when dropped
//!             let v = total.load(std::sync::atomic::Ordering::Relaxed);
//!             golang_sched::yield_now().await; // others cannot get in here
//!             total.store(v + 1, std::sync::atomic::Ordering::Relaxed);
//!             wg.done();
//!         });
//!     }
//!     wg.wait().await;
//!     assert_eq!(total.load(std::sync::atomic::Ordering::Relaxed), 10);
//! }).unwrap();
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod rwmutex;
mod sema;
mod waitgroup;
mod workgroup;

pub use rwmutex::{LockFuture, RWMutex, ReadGuard, WriteGuard};
pub use sema::{Mutex, MutexGuard, Sema};
pub use waitgroup::{Once, WaitGroup};
pub use workgroup::WorkGroup;

/// Panic of [`Sema::release`] on a semaphore that is not acquired.
pub const RELEASE_UNACQUIRED: &str = "sync: release of unacquired Sema";
/// Go's panic of `Mutex.Unlock` on an unlocked mutex.
pub const UNLOCK_UNLOCKED: &str = "sync: unlock of unlocked mutex";
/// Go's panic of `RWMutex.RUnlock` without a reader holding it.
pub const RUNLOCK_UNLOCKED: &str = "sync: RUnlock of unlocked RWMutex";
/// Go's panic of `RWMutex.Unlock` without a writer holding it.
pub const RW_UNLOCK_UNLOCKED: &str = "sync: Unlock of unlocked RWMutex";
/// Go's (and Pygolang's) panic when a WaitGroup counter goes below zero.
pub const NEGATIVE_COUNTER: &str = "sync: negative WaitGroup counter";

/// Awaits `fut`, recording `reason` as what the goroutine waits on while it
/// is pending (deadlock reports show it).
pub(crate) async fn with_reason<F: std::future::Future>(reason: &'static str, fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    std::future::poll_fn(|cx| {
        let r = fut.as_mut().poll(cx);
        if r.is_pending() {
            golang_sched::set_wait_reason(reason);
        }
        r
    })
    .await
}
