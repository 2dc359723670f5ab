//! Deferred wakes of parked OS threads: a caller that holds a lock the woken
//! thread needs at once (Python's GIL) runs its non-blocking channel
//! operations in [`defer_thread_wakes`] and wakes the threads they
//! committed after it has let go of that lock.
//!
//! Why: a thread woken from a futex is often run at once on the waker's
//! core (the kernel's wake-up preemption), finds the GIL taken, sleeps on
//! the GIL's condition variable, and the waker, run again, must wake it a
//! second time when it releases the GIL: for two Python threads trading one
//! value per millisecond that was about four extra context switches per
//! round trip (issue 21, item 4). Pygolang makes the same wake with the
//! GIL released; so do we, for the wakes that cost a syscall anyway.
//!
//! Invariants:
//! 1. Only the wake is deferred: the outcome is committed at once, under
//!    the channel's lock, so the operation's effect and its order with
//!    other operations are unchanged.
//! 2. A deferred wake is never lost: [`DeferredWakes`] wakes whatever is
//!    left in it when dropped (a panic between the operation and the wake
//!    included).
//! 3. Only waiters of OS threads that were parked at the commit are
//!    deferred; a spinning owner sees the outcome by itself, and goroutine
//!    wakers and custom unparkers are called at once as before.

use std::cell::RefCell;
use std::thread::Thread;

thread_local! {
    /// The wakes deferred by the innermost [`defer_thread_wakes`] running
    /// on this thread; `None` when none runs.
    static DEFERRED: RefCell<Option<Vec<Thread>>> = const { RefCell::new(None) };
}

/// Threads whose wake [`defer_thread_wakes`] deferred.
#[must_use = "dropping wakes the threads at once; call wake() where the lock is released"]
pub struct DeferredWakes(Vec<Thread>);

impl DeferredWakes {
    /// Whether no wake was deferred (the common case: nothing to release a
    /// lock for).
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Wakes the threads.
    pub fn wake(mut self) {
        for t in self.0.drain(..) {
            t.unpark();
        }
    }
}

impl Drop for DeferredWakes {
    fn drop(&mut self) {
        // invariant 2
        for t in self.0.drain(..) {
            t.unpark();
        }
    }
}

/// Runs `f` (non-blocking channel operations) with the wakes of parked OS
/// threads it commits deferred to the returned [`DeferredWakes`]
/// (invariants 1 and 3).
pub fn defer_thread_wakes<R>(f: impl FnOnce() -> R) -> (R, DeferredWakes) {
    /// The scope: holds the outer scope's list, which its drop puts back,
    /// waking whatever this scope deferred and nobody took (`f` panicked:
    /// invariant 2).
    struct Scope(Option<Vec<Thread>>);
    impl Drop for Scope {
        fn drop(&mut self) {
            let mine = DEFERRED.with(|d| std::mem::replace(&mut *d.borrow_mut(), self.0.take()));
            drop(DeferredWakes(mine.unwrap_or_default()));
        }
    }
    let scope = Scope(DEFERRED.with(|d| d.borrow_mut().replace(Vec::new())));
    let r = f();
    let mine = DEFERRED.with(|d| d.borrow_mut().as_mut().map(std::mem::take)).unwrap_or_default();
    drop(scope);
    (r, DeferredWakes(mine))
}

/// Wakes `t`, the parked owner of a committed waiter: now, or later when a
/// [`defer_thread_wakes`] scope runs on this thread (invariant 3).
#[inline]
pub(crate) fn wake_parked(t: &Thread) {
    let deferred = DEFERRED.with(|d| match d.borrow_mut().as_mut() {
        Some(list) => {
            list.push(t.clone());
            true
        }
        None => false,
    });
    if !deferred {
        t.unpark();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Chan;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::thread::JoinHandle;

    /// A thread blocked in `ch.recv_blocking()`, parked (past its spin) by
    /// the time this returns; `got` is set when its receive returns.
    fn parked_receiver(ch: &Chan<u32>, got: Arc<AtomicBool>) -> JoinHandle<Option<u32>> {
        let c = ch.clone();
        let rx = std::thread::spawn(move || {
            let v = c.recv_blocking();
            got.store(true, Ordering::SeqCst);
            v
        });
        while ch.waiting_receivers() == 0 {
            std::thread::yield_now();
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
        rx
    }

    #[test]
    fn a_deferred_wake_reaches_the_parked_receiver_only_when_woken() {
        let ch: Chan<u32> = Chan::new(0);
        let got = Arc::new(AtomicBool::new(false));
        let rx = parked_receiver(&ch, got.clone());
        let (r, wakes) = defer_thread_wakes(|| ch.try_send(7));
        assert!(r.is_ok(), "the value was handed over at once (invariant 1)");
        assert!(!wakes.is_empty());
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!got.load(Ordering::SeqCst), "woken before wake()");
        wakes.wake();
        assert_eq!(rx.join().unwrap(), Some(7));
    }

    #[test]
    fn dropping_the_deferred_wakes_wakes_the_threads() {
        let ch: Chan<u32> = Chan::new(0);
        let rx = parked_receiver(&ch, Arc::default());
        let (_, wakes) = defer_thread_wakes(|| ch.try_send(1));
        drop(wakes);
        assert_eq!(rx.join().unwrap(), Some(1));
    }

    #[test]
    fn a_panic_inside_the_scope_still_wakes_the_threads() {
        let ch: Chan<u32> = Chan::new(0);
        let rx = parked_receiver(&ch, Arc::default());
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            defer_thread_wakes(|| {
                ch.try_send(2).unwrap();
                panic!("after the commit");
            })
        }));
        assert!(r.is_err());
        assert_eq!(rx.join().unwrap(), Some(2));
        // and the scope is gone: a later wake is made at once
        let rx = parked_receiver(&ch, Arc::default());
        ch.try_send(3).unwrap();
        assert_eq!(rx.join().unwrap(), Some(3));
    }
}
