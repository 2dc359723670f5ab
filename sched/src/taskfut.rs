//! A goroutine's future in one block of the per-thread pool (golang-prims'
//! `pool`): `go` on a single-thread executor puts the future there instead
//! of in a `Box`, which saves a malloc + free per spawn (and the block last
//! freed, likely still in cache, is the next goroutine's).
//!
//! Invariants:
//! 1. `ptr` points to a live, initialised future that the `TaskFut` owns
//!    alone: in a block of `pool::alloc` with the future's layout
//!    (`Layout::for_value`), or, for a zero-size future, at a dangling
//!    well-aligned address with no block.
//! 2. The future never moves while the `TaskFut` lives (only the pointer
//!    does), so `as_mut` may pin it; `drop` drops it in place once and then
//!    frees its block.

use golang_prims::pool;
use std::alloc::Layout;
use std::future::Future;
use std::pin::Pin;
use std::ptr::NonNull;

/// An owned, pinned goroutine future in a pool block (see the invariants).
pub(crate) struct TaskFut {
    ptr: NonNull<dyn Future<Output = ()>>,
}

impl TaskFut {
    /// Moves `f` into a block of this thread's pool.
    #[inline]
    pub(crate) fn new<F: Future<Output = ()> + 'static>(f: F) -> TaskFut {
        let layout = Layout::new::<F>();
        let p: NonNull<F> = if layout.size() == 0 { NonNull::dangling() } else { pool::alloc(layout).cast() };
        // SAFETY: `p` is a fresh block of `F`'s layout (or, for a zero-size
        // `F`, a dangling aligned pointer, valid for a zero-size write);
        // from here on the `TaskFut` owns the value (invariant 1).
        unsafe { p.as_ptr().write(f) };
        TaskFut { ptr: p }
    }

    /// The future, pinned.
    #[inline]
    pub(crate) fn as_mut(&mut self) -> Pin<&mut (dyn Future<Output = ()> + 'static)> {
        // SAFETY: the value is live and ours alone (invariant 1), borrowed
        // mutably through `&mut self`, and never moves (invariant 2).
        unsafe { Pin::new_unchecked(self.ptr.as_mut()) }
    }
}

impl Drop for TaskFut {
    fn drop(&mut self) {
        // SAFETY: the value is live and ours alone (invariant 1): it is
        // dropped here once, then its block (if any) goes back to the pool
        // with the layout it was allocated with.
        unsafe {
            let layout = Layout::for_value(self.ptr.as_ref());
            std::ptr::drop_in_place(self.ptr.as_ptr());
            if layout.size() != 0 {
                pool::dealloc(self.ptr.cast(), layout);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TaskFut;
    use std::rc::Rc;
    use std::task::{Context, Poll, Waker};

    #[test]
    fn a_task_future_is_polled_in_place_and_dropped_once() {
        let dropped = Rc::new(());
        let d = dropped.clone();
        let mut f = TaskFut::new(async move {
            let _keep = d;
            std::future::ready(()).await
        });
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(Rc::strong_count(&dropped), 2);
        assert_eq!(f.as_mut().poll(&mut cx), Poll::Ready(()));
        drop(f);
        assert_eq!(Rc::strong_count(&dropped), 1);
        let mut z = TaskFut::new(std::future::ready(())); // zero-size
        assert_eq!(z.as_mut().poll(&mut cx), Poll::Ready(()));
    }
}
