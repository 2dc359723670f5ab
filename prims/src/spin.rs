//! Spin locks for critical sections of a few dozen instructions that never
//! block or call user code: lock is one compare-and-swap, unlock one plain
//! release store, and a waiter spins with [`Backoff`] and then yields, so a
//! holder that was preempted gets the CPU back.
//!
//! Invariants:
//! 1. A `SpinGuard` exists only while its thread holds the lock
//!    (`locked` is true, set by that thread's successful compare-and-swap);
//!    it is the only way to reach the value, so the value is reached by
//!    one thread at a time, as through a `Mutex`.
//! 2. Likewise a `BitGuard` exists only while its thread holds the
//!    [`LOCKED`] bit of `state`; nobody else writes `state` meanwhile, so
//!    the guard's unlocking store (the bits it read, as it changed them,
//!    without `LOCKED`) loses no update.
//! 3. No user code runs under these locks (the callers' rule), so a panic
//!    cannot leave the value half-updated: observing it after a caught
//!    panic is fine (hence the `UnwindSafe` impls).

use crate::Backoff;
use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

/// A mutual-exclusion lock that spins.
pub struct SpinLock<T> {
    locked: AtomicBool,
    value: UnsafeCell<T>,
}

// SAFETY: the lock gives access to `value` to one thread at a time
// (invariant 1), as a Mutex does; so it is Sync (and Send) when T is Send.
unsafe impl<T: Send> Sync for SpinLock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for SpinLock<T> {}

// Invariant 3.
impl<T> std::panic::RefUnwindSafe for SpinLock<T> {}
impl<T> std::panic::UnwindSafe for SpinLock<T> {}

impl<T> SpinLock<T> {
    /// An unlocked lock around `value`.
    pub const fn new(value: T) -> SpinLock<T> {
        SpinLock { locked: AtomicBool::new(false), value: UnsafeCell::new(value) }
    }

    /// Takes the lock.
    #[inline]
    pub fn lock(&self) -> SpinGuard<'_, T> {
        // Fast path: an uncontended lock is one compare-and-swap.
        if self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
            self.lock_slow();
        }
        SpinGuard { lock: self }
    }

    #[cold]
    fn lock_slow(&self) {
        let mut backoff = Backoff::new();
        loop {
            if !self.locked.load(Ordering::Relaxed)
                && self.locked.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                return;
            }
            backoff.snooze();
        }
    }
}

/// Exclusive access to the locked value; unlocks on drop.
pub struct SpinGuard<'a, T> {
    lock: &'a SpinLock<T>,
}

impl<T> Deref for SpinGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard exists only while this thread holds the lock
        // (invariant 1).
        unsafe { &*self.lock.value.get() }
    }
}

impl<T> DerefMut for SpinGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as above, and `&mut self` makes this the only reference
        // through the guard (invariant 1).
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for SpinGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.lock.locked.store(false, Ordering::Release);
    }
}

/// The lock bit of a [`BitLock`]'s state; the other seven bits are the
/// user's.
pub const LOCKED: u8 = 0x80;

/// A byte of state whose [`LOCKED`] bit is a spin lock around a value: the
/// other bits can be read at any time ([`BitLock::load`]) and change only
/// under the lock, published by the unlocking store (no atomic
/// read-modify-write besides the lock's compare-and-swap).
pub struct BitLock<T> {
    state: AtomicU8,
    value: UnsafeCell<T>,
}

// SAFETY: as for `SpinLock` (invariant 2 in place of 1).
unsafe impl<T: Send> Sync for BitLock<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Send for BitLock<T> {}

// Invariant 3.
impl<T> std::panic::RefUnwindSafe for BitLock<T> {}
impl<T> std::panic::UnwindSafe for BitLock<T> {}

impl<T> BitLock<T> {
    /// An unlocked lock with the user bits `bits` (without [`LOCKED`])
    /// around `value`.
    pub const fn new(bits: u8, value: T) -> BitLock<T> {
        BitLock { state: AtomicU8::new(bits & !LOCKED), value: UnsafeCell::new(value) }
    }

    /// The user bits, as last published (loaded with `order`).
    #[inline]
    pub fn load(&self, order: Ordering) -> u8 {
        self.state.load(order) & !LOCKED
    }

    /// Takes the lock; the guard's `bits` are the user bits as they were.
    #[inline]
    pub fn lock(&self) -> BitGuard<'_, T> {
        // Fast path: an uncontended lock is a load and one compare-and-swap.
        let s = self.state.load(Ordering::Relaxed);
        if s & LOCKED == 0 && self.state.compare_exchange_weak(s, s | LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok() {
            return BitGuard { lock: self, bits: s, seqcst: false };
        }
        self.lock_slow()
    }

    #[cold]
    fn lock_slow(&self) -> BitGuard<'_, T> {
        let mut backoff = Backoff::new();
        loop {
            let s = self.state.load(Ordering::Relaxed);
            if s & LOCKED == 0
                && self.state.compare_exchange_weak(s, s | LOCKED, Ordering::Acquire, Ordering::Relaxed).is_ok()
            {
                return BitGuard { lock: self, bits: s, seqcst: false };
            }
            backoff.snooze();
        }
    }
}

/// A [`BitLock`], held; unlocking stores `bits` (change them to publish).
pub struct BitGuard<'a, T> {
    lock: &'a BitLock<T>,
    /// The user bits: as they were when locked; stored on unlock (never
    /// set [`LOCKED`] in them).
    pub bits: u8,
    /// Unlock with a `SeqCst` store instead of `Release`.
    pub seqcst: bool,
}

impl<T> BitGuard<'_, T> {
    /// The locked value.
    #[inline]
    pub fn get(&mut self) -> &mut T {
        // SAFETY: this guard holds the lock bit (invariant 2), and `&mut
        // self` makes this the only reference through the guard.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T> Drop for BitGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // A plain store is enough: nobody else writes `state` while it is
        // locked (invariant 2).
        // (`bits` came without LOCKED from `lock`; a user that sets it
        // breaks the lock, which the debug build checks.)
        debug_assert!(self.bits & LOCKED == 0, "BitGuard::bits must not set LOCKED");
        let order = if self.seqcst { Ordering::SeqCst } else { Ordering::Release };
        self.lock.state.store(self.bits, order);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spin_lock_counts_exactly_under_contention() {
        let l = SpinLock::new(0u64);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        *l.lock() += 1;
                    }
                });
            }
        });
        assert_eq!(*l.lock(), 40_000);
    }

    #[test]
    fn bit_lock_publishes_bits_on_unlock_and_counts_exactly() {
        let l = BitLock::new(1, 0u64);
        assert_eq!(l.load(Ordering::Acquire), 1);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| {
                    for _ in 0..10_000 {
                        let mut g = l.lock();
                        *g.get() += 1;
                        g.bits ^= 2;
                    }
                });
            }
        });
        let mut g = l.lock();
        assert_eq!((g.bits, *g.get()), (1, 40_000)); // 40,000 flips of bit 2
        g.bits = 3;
        g.seqcst = true;
        drop(g);
        assert_eq!(l.load(Ordering::SeqCst), 3);
    }
}
