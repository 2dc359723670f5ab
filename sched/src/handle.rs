//! [`Handle`]: one `Send + Sync` handle over both executors (the
//! single-thread one of `executor.rs`, the multi-thread one of `multi.rs`),
//! through the [`Executor`] trait that each implements; neither executor
//! knows the other. Also the thread's current executor: each executor names
//! its handle here while it runs on a thread ([`replace_current`]), which is
//! what `handle()`, `in_executor()` and `go()` outside a single-thread
//! executor look at.

use crate::clock::ClockKind;
use crate::driver::Driver;
use crate::timer::{Action, TimerKey};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::Waker;

/// A goroutine that may move to another thread, boxed once by its spawner.
pub(crate) type SendTask = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a handle asks of an executor.
pub(crate) trait Executor: Send + Sync {
    /// Spawns a goroutine (from any thread).
    fn spawn(self: Arc<Self>, fut: SendTask, name: Option<String>);
    /// Arms a timer (from any thread).
    fn add_timer(&self, deadline: u64, action: Action) -> TimerKey;
    /// The executor's clock and timers.
    fn driver(&self) -> &Driver;
    /// The executor's seed.
    fn seed(&self) -> u64;
}

/// A `Send + Sync` handle to an executor, to spawn onto it and to arm its
/// timers from any thread.
#[derive(Clone)]
pub struct Handle {
    exec: Arc<dyn Executor>,
}

thread_local! {
    /// The handle of the executor running on this thread, if any.
    static CURRENT: RefCell<Option<Handle>> = const { RefCell::new(None) };
}

/// The handle of the executor running on this thread.
#[inline]
pub(crate) fn current() -> Option<Handle> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Whether an executor runs on this thread.
#[inline]
pub(crate) fn is_current() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

/// Names the executor running on this thread (`None`: none); returns the
/// one named before, for the caller to restore.
pub(crate) fn replace_current(h: Option<Handle>) -> Option<Handle> {
    CURRENT.with(|c| std::mem::replace(&mut *c.borrow_mut(), h))
}

impl Handle {
    /// The handle of an executor.
    pub(crate) fn new(exec: Arc<dyn Executor>) -> Handle {
        Handle { exec }
    }

    /// Spawns a goroutine onto this executor from any thread.
    pub fn spawn<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        self.spawn_named(None, fut)
    }

    /// Like `spawn`, with a name that deadlock and panic reports show.
    pub fn spawn_named<F: Future<Output = ()> + Send + 'static>(&self, name: Option<String>, fut: F) {
        self.clone().spawn_boxed_into(name, Box::pin(fut))
    }

    /// [`Handle::spawn_named`] of a future boxed once, by the caller, on a
    /// handle it no longer needs (no count taken: `go()` outside a
    /// single-thread executor).
    pub(crate) fn spawn_boxed_into(self, name: Option<String>, fut: SendTask) {
        self.exec.spawn(fut, name)
    }

    /// The executor's current time in nanoseconds (virtual or monotonic).
    pub fn now_ns(&self) -> u64 {
        self.exec.driver().now_ns()
    }

    /// Which clock the executor runs on.
    pub fn clock(&self) -> ClockKind {
        self.exec.driver().clock
    }

    /// Arms a timer that runs `action` at `deadline` (ns of this clock).
    pub fn add_timer(&self, deadline: u64, action: Action) -> TimerKey {
        self.exec.add_timer(deadline, action)
    }

    /// Cancels a timer; returns whether it was still armed.
    pub fn cancel_timer(&self, key: TimerKey) -> bool {
        self.exec.driver().timers.lock().unwrap().cancel(key)
    }

    /// Whether a timer is still armed.
    pub fn timer_armed(&self, key: TimerKey) -> bool {
        self.exec.driver().timers.lock().unwrap().is_armed(key)
    }

    /// Replaces the waker of an armed waking timer.
    pub fn set_timer_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        self.exec.driver().timers.lock().unwrap().set_waker(key, waker)
    }

    /// The executor's seed.
    pub fn seed(&self) -> u64 {
        self.exec.seed()
    }
}
