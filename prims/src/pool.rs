//! A per-thread cache of freed small blocks in front of the global
//! allocator.
//!
//! The runtime makes and drops small objects by the million: channels
//! (`after(0)` makes one per call), context nodes, goroutines' futures. A
//! small `malloc` + `free` pair costs ~130 instructions with glibc
//! (callgrind); taking a block from a per-thread list and putting it back
//! costs a fraction of that, and the block last freed is the one handed out
//! next, likely still in cache. Blocks are grouped in size classes of
//! `GRAIN` bytes up to `MAX_SIZE`; anything else goes to the global
//! allocator as it is.
//!
//! Invariants:
//! 1. A pooled layout (size 1..=`MAX_SIZE`, align <= `GRAIN`) of class `i`
//!    is always allocated from the global allocator as `class_layout(i)`,
//!    whether it comes from a list or not; so a block freed on any thread,
//!    kept in a list or given back to the global allocator, is freed with
//!    the layout it was allocated with. Other layouts are never pooled.
//! 2. A list holds only free blocks of its class: each was handed to
//!    [`dealloc`] by its owner, and [`alloc`] hands it out at most once
//!    (popped from the list).
//! 3. A thread's lists hold at most `MAX_BYTES` in all (`bytes` counts
//!    them); past that, freed blocks go to the global allocator. The
//!    thread's exit gives every kept block back to the global allocator;
//!    during and after that exit, `alloc` and `dealloc` use the global
//!    allocator directly (`try_with` fails).
//! 4. The cache is touched only inside this module's two functions, which
//!    call nothing that can reach them again (the `Vec` growth of `push`
//!    calls the global allocator, not this pool), so the `&mut` taken of
//!    the thread's cache is the only reference to it while it lives.

use std::alloc::{handle_alloc_error, Layout};
use std::cell::UnsafeCell;
use std::ptr::NonNull;

const GRAIN: usize = 16;
const CLASSES: usize = 16;
const MAX_SIZE: usize = GRAIN * CLASSES;
/// What a thread keeps at most (a batch of a thousand small goroutines'
/// futures fits).
const MAX_BYTES: usize = 256 << 10;

struct Cache {
    lists: [Vec<NonNull<u8>>; CLASSES],
    /// The bytes the lists hold (invariant 3).
    bytes: usize,
}

impl Drop for Cache {
    fn drop(&mut self) {
        for (i, list) in self.lists.iter_mut().enumerate() {
            for p in list.drain(..) {
                // SAFETY: a listed block is free and was allocated with
                // `class_layout(i)` (invariants 1, 2).
                unsafe { std::alloc::dealloc(p.as_ptr(), class_layout(i)) }
            }
        }
    }
}

thread_local! {
    static CACHE: UnsafeCell<Cache> = const {
        UnsafeCell::new(Cache { lists: [const { Vec::new() }; CLASSES], bytes: 0 })
    };
}

/// The class of a pooled layout (invariant 1), `None` for others.
#[inline(always)]
fn class_of(layout: Layout) -> Option<usize> {
    if layout.size() == 0 || layout.size() > MAX_SIZE || layout.align() > GRAIN {
        None
    } else {
        Some((layout.size() - 1) / GRAIN)
    }
}

#[inline(always)]
fn class_layout(i: usize) -> Layout {
    // (i < CLASSES: the size is at most MAX_SIZE, GRAIN a power of two)
    match Layout::from_size_align((i + 1) * GRAIN, GRAIN) {
        Ok(l) => l,
        Err(_) => unreachable!("a class layout is valid"),
    }
}

fn global(layout: Layout) -> NonNull<u8> {
    // SAFETY: callers pass layouts of non-zero size (pooled classes are
    // 16..=256 bytes; `alloc` checks the others).
    let p = unsafe { std::alloc::alloc(layout) };
    NonNull::new(p).unwrap_or_else(|| handle_alloc_error(layout))
}

/// A block for `layout` (non-zero size), uninitialised: from this thread's
/// list of its class if one is there, else from the global allocator.
/// Free it with [`dealloc`] and the same layout, on any thread.
///
/// # Panics
/// When `layout` has size 0.
#[inline]
pub fn alloc(layout: Layout) -> NonNull<u8> {
    let Some(i) = class_of(layout) else {
        assert!(layout.size() != 0, "golang-prims: pool::alloc of a zero-size layout");
        return global(layout);
    };
    let hit = CACHE
        .try_with(|c| {
            // SAFETY: the only reference to this thread's cache while it
            // lives (invariant 4).
            let c = unsafe { &mut *c.get() };
            let p = c.lists[i].pop()?;
            c.bytes -= (i + 1) * GRAIN;
            Some(p)
        })
        .ok()
        .flatten();
    match hit {
        Some(p) => p,
        None => global(class_layout(i)),
    }
}

/// Frees a block of [`alloc`].
///
/// # Safety
/// `p` came from [`alloc`] with this `layout` (on any thread), its value
/// was dropped, and nothing uses it any more.
#[inline]
pub unsafe fn dealloc(p: NonNull<u8>, layout: Layout) {
    let Some(i) = class_of(layout) else {
        // SAFETY: not pooled: `alloc` took it from the global allocator
        // with this very layout (invariant 1), and the caller gives it up.
        unsafe { std::alloc::dealloc(p.as_ptr(), layout) };
        return;
    };
    let size = (i + 1) * GRAIN;
    let kept = CACHE
        .try_with(|c| {
            // SAFETY: the only reference to this thread's cache while it
            // lives (invariant 4).
            let c = unsafe { &mut *c.get() };
            if c.bytes + size > MAX_BYTES {
                return false; // invariant 3
            }
            c.lists[i].push(p);
            c.bytes += size;
            true
        })
        .unwrap_or(false);
    if !kept {
        // SAFETY: a block of class `i` was allocated with `class_layout(i)`
        // (invariant 1), and the caller gives it up.
        unsafe { std::alloc::dealloc(p.as_ptr(), class_layout(i)) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_freed_block_is_reused_by_its_class_and_only_once() {
        let l = Layout::from_size_align(40, 8).unwrap();
        let a = alloc(l);
        // SAFETY: `a` came from `alloc(l)` and holds no value.
        unsafe { dealloc(a, l) };
        // same class (33..=48 bytes): the block just freed comes back
        let b = alloc(Layout::from_size_align(48, 16).unwrap());
        assert_eq!(a, b);
        let c = alloc(l);
        assert_ne!(b, c);
        // SAFETY: both came from `alloc` with these layouts' class.
        unsafe {
            dealloc(b, Layout::from_size_align(48, 16).unwrap());
            dealloc(c, l);
        }
    }

    #[test]
    fn large_and_overaligned_layouts_bypass_the_pool() {
        for l in [Layout::from_size_align(MAX_SIZE + 1, 8).unwrap(), Layout::from_size_align(32, 64).unwrap()] {
            let p = alloc(l);
            assert_eq!(p.as_ptr() as usize % l.align(), 0);
            // SAFETY: from `alloc(l)`, unused.
            unsafe { dealloc(p, l) };
        }
    }

    #[test]
    fn the_cache_is_bounded() {
        let l = Layout::from_size_align(MAX_SIZE, 8).unwrap();
        let blocks: Vec<_> = (0..2 * MAX_BYTES / MAX_SIZE).map(|_| alloc(l)).collect();
        for &p in &blocks {
            // SAFETY: from `alloc(l)`, unused.
            unsafe { dealloc(p, l) };
        }
        CACHE.with(|c| {
            // SAFETY: no other reference to the cache exists here.
            let c = unsafe { &*c.get() };
            assert!(c.bytes <= MAX_BYTES);
            assert_eq!(c.lists[CLASSES - 1].len(), MAX_BYTES / MAX_SIZE);
        });
    }
}
