//! Reference-counted pointers.
//!
//! [`Shared<T>`] is an `Arc` without weak references. Dropping the last
//! `Arc` takes two atomic read-modify-writes (the strong count, then the
//! weak count that all strong references hold together); channels never
//! use `Weak`, so one count is enough (that second RMW was ~13% of
//! `after(0)` + recv + drop). `Shared::new_with` also builds the value
//! straight in its heap allocation instead of on the stack first.
//!
//! [`Raw<T>`] and [`Handle<T>`] share one allocation with two counts: all
//! references, and the user-visible ones ([`Handle`]s) among them; when the
//! last handle goes, the value is told ([`Orphan::orphaned`]) while plain
//! references may still hold it (a context node held by its parent's slab
//! and its timer). [`Raw::pair`] makes a value with its two first handles
//! at once, one atomic increment cheaper than `Arc::new` + `clone`.
//!
//! Invariants:
//! 1. A `Shared`'s `ptr` points to a live `SharedBox<T>` in a block of
//!    `pool::alloc` with `SharedBox<T>`'s layout (pool.rs), whose `count` is the number of `Shared` handles to it (>= 1 while any
//!    exists). The handle that brings it from 1 to 0 is the last one: it
//!    frees the box, after an acquire fence that orders every other
//!    handle's use of the value (each released by its decrement) before
//!    the drop, and gives the block back to `pool::dealloc`.
//! 2. A `Raw`'s `ptr` points to a live `CountedBox<T>` in a block of
//!    `pool::alloc` with `CountedBox<T>`'s layout;
//!    its `refs` is the number of live `Raw`s to it, plus one for all its
//!    `Handle`s together while `handles > 0`. Whoever takes `refs` from 1
//!    to 0 drops and frees the box (with the fence of invariant 1), or
//!    takes the value out of it and frees the block (`into_inner`).
//! 3. `handles` counts the `Handle`s; each holds a `Raw` in a
//!    `ManuallyDrop` that does not count in `refs` on its own (invariant 2:
//!    the handles share one). Whoever takes `handles` from 1 to 0 calls
//!    `orphaned` and then gives up the handles' share of `refs`, exactly
//!    once.
//! 4. The values are only ever reached through `&T`, so `T` provides its
//!    own synchronisation, as with `Arc` (hence `Send` and `Sync` as
//!    `Arc`'s: `T: Send + Sync`).

use crate::pool;
use std::alloc::Layout;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::ptr::NonNull;
use std::sync::atomic::{fence, AtomicUsize, Ordering};

/// Aborts on a count about to overflow, as `Arc` does (a leak of ~2^63
/// references would wrap it).
#[inline]
fn check_overflow(old: usize) {
    if old > isize::MAX as usize {
        std::process::abort();
    }
}

struct SharedBox<T> {
    count: AtomicUsize,
    value: T,
}

/// A shared, reference-counted pointer to a `T` (see the module doc).
pub struct Shared<T> {
    ptr: NonNull<SharedBox<T>>,
    /// Owns a `SharedBox<T>` for the drop checker and the auto traits.
    _owns: PhantomData<SharedBox<T>>,
}

// SAFETY: as for `Arc<T>` (invariant 4): handles on several threads give
// shared access to the value (needs `Sync`) and the last one, on any
// thread, drops it (needs `Send`); the count itself is atomic.
unsafe impl<T: Send + Sync> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// A new pointer with count 1 to the value `make` returns. `make` runs
    /// after the allocation, so the value can be built straight into the
    /// heap (a value passed in would be built on the stack and copied).
    #[inline(always)]
    pub fn new_with(make: impl FnOnce() -> T) -> Shared<T> {
        let ptr = pool::alloc(Layout::new::<SharedBox<T>>()).cast::<SharedBox<T>>();
        // SAFETY: a fresh block of `SharedBox<T>`'s layout, ours alone; it
        // is initialised here and reclaimed only by the last `drop`
        // (invariant 1).
        unsafe { ptr.write(SharedBox { count: AtomicUsize::new(1), value: make() }) };
        Shared { ptr, _owns: PhantomData }
    }

    /// The address of the value (an identity: equal for all clones).
    #[inline]
    pub fn as_ptr(this: &Shared<T>) -> *const T {
        &raw const (**this)
    }

    /// How many handles share the value right now (a snapshot: other
    /// threads may clone or drop meanwhile).
    #[inline]
    pub fn count(this: &Shared<T>) -> usize {
        this.shared_box().count.load(Ordering::Acquire)
    }

    #[inline]
    fn shared_box(&self) -> &SharedBox<T> {
        // SAFETY: the box is live while this handle exists (invariant 1)
        // and only shared references to it are ever made (invariant 4).
        unsafe { self.ptr.as_ref() }
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.shared_box().value
    }
}

impl<T> Clone for Shared<T> {
    #[inline]
    fn clone(&self) -> Shared<T> {
        // Relaxed as in `Arc::clone`: the new handle comes from an existing
        // one, which keeps the box alive meanwhile.
        check_overflow(self.shared_box().count.fetch_add(1, Ordering::Relaxed));
        Shared { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<T> Drop for Shared<T> {
    #[inline]
    fn drop(&mut self) {
        if self.shared_box().count.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        // Invariant 1: see every other handle's last use before dropping.
        fence(Ordering::Acquire);
        // SAFETY: the count reached 0, so this was the last handle
        // (invariant 1): no reference to the box remains; it holds an
        // initialised `SharedBox<T>` in a block of `pool::alloc` with its
        // layout, dropped once here and then freed.
        unsafe {
            std::ptr::drop_in_place(self.ptr.as_ptr());
            pool::dealloc(self.ptr.cast(), Layout::new::<SharedBox<T>>());
        }
    }
}

/// What a [`Handle`]d value does when its last handle goes.
pub trait Orphan {
    /// The last [`Handle`] is gone; plain [`Raw`] references may remain.
    fn orphaned(&self);
}

struct CountedBox<T> {
    refs: AtomicUsize,
    handles: AtomicUsize,
    value: T,
}

/// A counted reference to a value shared with [`Handle`]s (invariant 2).
pub struct Raw<T> {
    ptr: NonNull<CountedBox<T>>,
    _owns: PhantomData<CountedBox<T>>,
}

// SAFETY: as for `Shared` (invariant 4).
unsafe impl<T: Send + Sync> Send for Raw<T> {}
// SAFETY: as above.
unsafe impl<T: Send + Sync> Sync for Raw<T> {}

impl<T: Orphan> Raw<T> {
    /// A new value and its two first handles (one `refs` share for both,
    /// invariants 2 and 3).
    #[inline]
    pub fn pair(value: T) -> (Handle<T>, Handle<T>) {
        let ptr = pool::alloc(Layout::new::<CountedBox<T>>()).cast::<CountedBox<T>>();
        // SAFETY: a fresh block of `CountedBox<T>`'s layout, ours alone,
        // initialised here (invariant 2).
        unsafe { ptr.write(CountedBox { refs: AtomicUsize::new(1), handles: AtomicUsize::new(2), value }) };
        (
            Handle(ManuallyDrop::new(Raw { ptr, _owns: PhantomData })),
            Handle(ManuallyDrop::new(Raw { ptr, _owns: PhantomData })),
        )
    }
}

impl<T> Raw<T> {
    #[inline]
    fn counted(&self) -> &CountedBox<T> {
        // SAFETY: the box lives while this reference is counted in it
        // (invariant 2); only shared references to it are made (invariant 4).
        unsafe { self.ptr.as_ref() }
    }

    /// The value's address: an identity while this reference lives.
    #[inline]
    pub fn addr(&self) -> usize {
        self.ptr.as_ptr() as usize
    }

    /// Whether `a` and `b` refer to the same value.
    #[inline]
    pub fn ptr_eq(a: &Raw<T>, b: &Raw<T>) -> bool {
        a.ptr == b.ptr
    }

    /// Drops this reference; if it was the last, gives the value back
    /// instead of dropping it (as `Arc::into_inner`).
    #[inline]
    pub fn into_inner(this: Raw<T>) -> Option<T> {
        let this = ManuallyDrop::new(this);
        if this.counted().refs.fetch_sub(1, Ordering::Release) != 1 {
            return None;
        }
        fence(Ordering::Acquire);
        // SAFETY: the count went from 1 to 0: this was the last reference
        // (invariant 2); the box, initialised by `pair` in a block of
        // `pool::alloc` with its layout, is moved out once and its block
        // freed (the counts need no drop).
        let b = unsafe {
            let b = this.ptr.as_ptr().read();
            pool::dealloc(this.ptr.cast(), Layout::new::<CountedBox<T>>());
            b
        };
        Some(b.value)
    }
}

impl<T> Deref for Raw<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.counted().value
    }
}

impl<T> Clone for Raw<T> {
    #[inline]
    fn clone(&self) -> Raw<T> {
        // Relaxed, as `Arc::clone`: the new reference comes from a live one.
        check_overflow(self.counted().refs.fetch_add(1, Ordering::Relaxed));
        Raw { ptr: self.ptr, _owns: PhantomData }
    }
}

impl<T> Drop for Raw<T> {
    #[inline]
    fn drop(&mut self) {
        if self.counted().refs.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        // SAFETY: the count went from 1 to 0: this was the last reference
        // (invariant 2); the box, initialised by `pair` in a block of
        // `pool::alloc` with its layout, is dropped once and freed.
        unsafe {
            std::ptr::drop_in_place(self.ptr.as_ptr());
            pool::dealloc(self.ptr.cast(), Layout::new::<CountedBox<T>>());
        }
    }
}

/// A user-visible reference (invariant 3): all handles of a value share
/// one [`Raw`] count, and the last one to go calls [`Orphan::orphaned`].
pub struct Handle<T: Orphan>(ManuallyDrop<Raw<T>>);

impl<T: Orphan> Handle<T> {
    /// A plain reference (which does not keep the value from being
    /// orphaned).
    #[inline]
    pub fn raw(&self) -> Raw<T> {
        (*self.0).clone()
    }

    /// The handles' shared reference, borrowed (to compare with
    /// [`Raw::ptr_eq`] or clone into a plain reference).
    #[inline]
    pub fn as_raw(&self) -> &Raw<T> {
        &self.0
    }

    /// Drops this handle; if it was the last handle and the last reference,
    /// gives the value back (see [`Raw::into_inner`]).
    #[inline]
    pub fn into_inner(this: Handle<T>) -> Option<T> {
        let mut this = ManuallyDrop::new(this);
        if this.0.counted().handles.fetch_sub(1, Ordering::Release) != 1 {
            return None;
        }
        fence(Ordering::Acquire);
        this.0.orphaned();
        // SAFETY: the handles' share is taken once (invariant 3): `this` is
        // never dropped (ManuallyDrop) and its field not used again.
        Raw::into_inner(unsafe { ManuallyDrop::take(&mut this.0) })
    }
}

impl<T: Orphan> Deref for Handle<T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Orphan> Clone for Handle<T> {
    #[inline]
    fn clone(&self) -> Handle<T> {
        // Relaxed, as `Arc::clone`: the new handle comes from a live one.
        check_overflow(self.0.counted().handles.fetch_add(1, Ordering::Relaxed));
        Handle(ManuallyDrop::new(Raw { ptr: self.0.ptr, _owns: PhantomData }))
    }
}

impl<T: Orphan> Drop for Handle<T> {
    #[inline]
    fn drop(&mut self) {
        if self.0.counted().handles.fetch_sub(1, Ordering::Release) != 1 {
            return;
        }
        fence(Ordering::Acquire);
        self.0.orphaned();
        // SAFETY: taken once, in drop (invariant 3): the field is not used
        // again.
        drop(unsafe { ManuallyDrop::take(&mut self.0) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        assert_eq!(Shared::count(&a), 9);
        std::thread::scope(|s| {
            for c in clones {
                s.spawn(move || drop(c));
            }
        });
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        drop(a);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    struct Node {
        orphaned: AtomicUsize,
        drops: Arc<AtomicUsize>,
    }
    impl Orphan for Node {
        fn orphaned(&self) {
            self.orphaned.fetch_add(1, Ordering::SeqCst);
        }
    }
    impl Drop for Node {
        fn drop(&mut self) {
            self.drops.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn last_handle_orphans_once_and_last_reference_frees() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (a, b) = Raw::pair(Node { orphaned: AtomicUsize::new(0), drops: drops.clone() });
        let raw = a.raw();
        let c = b.clone();
        drop(a);
        drop(b);
        assert_eq!(raw.orphaned.load(Ordering::SeqCst), 0);
        assert!(Handle::into_inner(c).is_none()); // raw still holds it
        assert_eq!(raw.orphaned.load(Ordering::SeqCst), 1);
        let r2 = raw.clone();
        assert!(Raw::ptr_eq(&raw, &r2));
        drop(r2);
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        let n = Raw::into_inner(raw).expect("the last reference");
        assert_eq!(n.orphaned.load(Ordering::SeqCst), 1);
        drop(n);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn handles_dropped_on_many_threads_orphan_once() {
        let drops = Arc::new(AtomicUsize::new(0));
        let (a, b) = Raw::pair(Node { orphaned: AtomicUsize::new(0), drops: drops.clone() });
        let raw = a.raw();
        let mut hs: Vec<_> = (0..8).map(|_| a.clone()).collect();
        hs.extend([a, b]);
        std::thread::scope(|s| {
            for h in hs {
                s.spawn(move || drop(h));
            }
        });
        assert_eq!(raw.orphaned.load(Ordering::SeqCst), 1);
        drop(raw);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    }
}
