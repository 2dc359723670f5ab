//! `Shared<T>`: the channel's reference-counted pointer, an `Arc` without
//! weak references.
//!
//! Why not `Arc`: dropping the last `Arc` takes two atomic read-modify-writes
//! (the strong count, then the weak count that all strong references hold
//! together); channels never use `Weak`, so one count is enough. That second
//! RMW was ~13% of `after(0)` + recv + drop. `Shared::new_with` also builds the
//! value directly in its heap allocation instead of on the stack first.
//!
//! Invariants:
//! 1. `ptr` points to a live `RcBox<T>` allocated by `Box` whose `count` is
//!    the number of `Shared` handles to it (>= 1 while any exists).
//! 2. The value is only ever reached through `&T` (shared access), so `T`
//!    must provide its own synchronisation, as with `Arc`.
//! 3. The handle that brings `count` from 1 to 0 is the last one: it frees
//!    the box, after an acquire fence that orders every other handle's use
//!    of the value (each released by its decrement) before the drop.

#![allow(unsafe_code)]

use std::marker::PhantomData;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

struct RcBox<T> {
    count: AtomicUsize,
    value: T,
}

/// A shared, reference-counted pointer to a `T` (see the module doc).
pub(crate) struct Shared<T> {
    ptr: NonNull<RcBox<T>>,
    /// Owns an `RcBox<T>` for the drop checker and the auto traits.
    _owns: PhantomData<RcBox<T>>,
}

// SAFETY: as for `Arc<T>`: handles on several threads give shared access to
// the value (needs `Sync`) and the last one, on any thread, drops it (needs
// `Send`); the count itself is atomic.
unsafe impl<T: Send + Sync> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// A new pointer with count 1 to the value `make` returns. `make` runs
    /// after the allocation, so the value can be built straight into the
    /// heap (a value passed in would be built on the stack and copied).
    #[inline(always)]
    pub(crate) fn new_with(make: impl FnOnce() -> T) -> Shared<T> {
        let mut b = Box::<RcBox<T>>::new_uninit();
        b.write(RcBox { count: AtomicUsize::new(1), value: make() });
        // The box is initialised; it is reclaimed only by the last `drop`.
        let ptr = NonNull::new(Box::into_raw(b)).expect("Box pointers are not null").cast::<RcBox<T>>();
        Shared { ptr, _owns: PhantomData }
    }

    /// The address of the value (an identity: equal for all clones).
    #[inline]
    pub(crate) fn as_ptr(this: &Shared<T>) -> *const T {
        &raw const (**this)
    }

    /// How many handles share the value right now (a snapshot: other
    /// threads may clone or drop meanwhile).
    #[inline]
    pub(crate) fn count(this: &Shared<T>) -> usize {
        this.rc_box().count.load(Ordering::Acquire)
    }

    #[inline]
    fn rc_box(&self) -> &RcBox<T> {
        // SAFETY: the box is live while this handle exists (invariant 1)
        // and only shared references to it are ever made (invariant 2).
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.rc_box().value
    }
}

impl<T> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Shared<T> {
        // Relaxed as in `Arc::clone`: the new handle comes from an existing
        // one, which keeps the box alive meanwhile.
        let old = self.rc_box().count.fetch_add(1, Ordering::Relaxed);
        if old > isize::MAX as usize {
            // As `Arc`: a leak of ~2^63 handles would overflow the count.
            std::process::abort();
        }
        Shared { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<T> Drop for Shared<T> {
    #[inline]
    fn drop(&mut self) {
        if self.rc_box().count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Invariant 3: see every other handle's last use before dropping.
        fence(Ordering::Acquire);
        // SAFETY: the count reached 0, so this was the last handle (1): no
        // reference to the box remains, and it came from `Box::into_raw` of
        // an initialised `Box<MaybeUninit<RcBox<T>>>` of the same layout.
        drop(unsafe { Box::from_raw(self.ptr.as_ptr()) });
    }
}

#[cfg(test)]
mod tests {
    use super::Shared;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn shared_drops_the_value_once_after_the_last_handle_on_any_thread() {
        let drops = Arc::new(AtomicUsize::new(0));
        let a = Shared::new_with(|| Counted(drops.clone()));
        let clones: Vec<_> = (0..8).map(|_| a.clone()).collect();
        assert!(clones.iter().all(|c| Shared::as_ptr(c) == Shared::as_ptr(&a)));
        std::thread::scope(|s| {
            for c in clones {
                s.spawn(move || drop(c));
            }
        });
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(a);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
