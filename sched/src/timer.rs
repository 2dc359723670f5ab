//! A hierarchical timer wheel with nanosecond resolution.
//!
//! Invariants (what makes it correct):
//! - `elapsed` is the wheel's current time; every armed entry has
//!   `deadline > elapsed`, except entries in `due`, which fire on the next
//!   `advance`.
//! - An entry lives at the level of the highest 6-bit group in which its
//!   deadline differs from `elapsed`, in the slot given by that group of its
//!   deadline. So an entry of level L shares every bit above group L with
//!   `elapsed`, which makes all entries of level L earlier than all entries of
//!   level L+1: the first occupied level is where the next expiry is.
//! - Expiries are processed in time order, so `elapsed` never skips a slot
//!   that still holds entries; a higher-level slot is cascaded into lower
//!   levels when time reaches its start.
//! - Ties fire in insertion order: every entry carries a sequence number and a
//!   batch of fired entries is sorted by (deadline, seq) before it runs. That
//!   makes virtual time deterministic.
//!
//! Insert and cancel are O(1): a slot is an intrusive doubly linked list
//! threaded through the slab of entries, with a 64-bit occupancy mask per
//! level.

use slab::Slab;
use std::task::Waker;

const LEVELS: usize = 11; // 11 * 6 bits >= 64 bits of nanoseconds
const SLOTS: usize = 64;
const NIL: usize = usize::MAX;

/// What a timer does when it fires.
pub enum Action {
    /// Wake a goroutine (a sleep future, or a select waiting on time).
    Wake(Waker),
    /// Run a callback on the executor thread (channel sends, after_func).
    Call(Box<dyn FnOnce() + Send>),
}

/// Names an armed timer, for cancel; stale keys (the timer already fired or
/// was cancelled) are recognised by their generation and ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimerKey {
    /// Index of the entry in the wheel's slab.
    idx: usize,
    /// Generation the entry had when it was armed.
    gen: u64,
}

/// Where an entry currently is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Linked into `levels[level][slot]`.
    Slot(u8, u8),
    /// In the `due` list: fires on the next advance.
    Due,
}

struct Entry {
    /// Absolute deadline in nanoseconds of the wheel's clock.
    deadline: u64,
    /// Insertion order, to fire ties deterministically.
    seq: u64,
    /// Generation, matched against `TimerKey::gen`.
    gen: u64,
    action: Action,
    place: Place,
    /// Neighbours in the slot's list (`NIL` at the ends).
    prev: usize,
    next: usize,
}

#[derive(Clone, Copy)]
struct Slot {
    head: usize,
    tail: usize,
}

/// The next slot that holds entries: its level, index and start time.
struct Expiry {
    level: usize,
    slot: usize,
    start: u64,
}

/// The timer wheel. Not thread-safe by itself: the executor keeps it behind
/// a mutex so that other threads can arm timers.
pub struct Wheel {
    /// The wheel's current time (ns).
    elapsed: u64,
    entries: Slab<Entry>,
    levels: Vec<[Slot; SLOTS]>,
    /// Bit s of `occupied[l]` is set when `levels[l][s]` is not empty.
    occupied: [u64; LEVELS],
    /// Entries whose deadline had passed when they were armed.
    due: Vec<usize>,
    /// Next sequence number and generation.
    seq: u64,
}

impl Default for Wheel {
    fn default() -> Self {
        Wheel::new()
    }
}

impl Wheel {
    /// An empty wheel at time 0.
    pub fn new() -> Wheel {
        Wheel {
            elapsed: 0,
            entries: Slab::new(),
            levels: vec![[Slot { head: NIL, tail: NIL }; SLOTS]; LEVELS],
            occupied: [0; LEVELS],
            due: Vec::new(),
            seq: 0,
        }
    }

    /// How many timers are armed.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no timer is armed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Arms a timer that fires at `deadline` (ns). O(1).
    pub fn insert(&mut self, deadline: u64, action: Action) -> TimerKey {
        self.seq += 1;
        let seq = self.seq;
        let idx = self.entries.insert(Entry {
            deadline,
            seq,
            gen: seq,
            action,
            place: Place::Due,
            prev: NIL,
            next: NIL,
        });
        self.place(idx);
        TimerKey { idx, gen: seq }
    }

    /// Cancels a timer; returns whether it was still armed. O(1).
    pub fn cancel(&mut self, key: TimerKey) -> bool {
        match self.entries.get(key.idx) {
            Some(e) if e.gen == key.gen => {}
            _ => return false,
        }
        self.unlink(key.idx);
        self.entries.remove(key.idx);
        true
    }

    /// Replaces the waker of an armed `Action::Wake` timer (a future polled
    /// again with another waker). Returns false if the timer is not armed.
    pub fn set_waker(&mut self, key: TimerKey, waker: &Waker) -> bool {
        match self.entries.get_mut(key.idx) {
            Some(e) if e.gen == key.gen => {
                if let Action::Wake(w) = &mut e.action {
                    if !w.will_wake(waker) {
                        *w = waker.clone();
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Whether the timer named by `key` is still armed.
    pub fn is_armed(&self, key: TimerKey) -> bool {
        matches!(self.entries.get(key.idx), Some(e) if e.gen == key.gen)
    }

    /// A time at or before the earliest deadline, without changing the wheel
    /// (the start of the first occupied slot); for real-clock sleeping.
    pub fn peek(&self) -> Option<u64> {
        if let Some(d) = self.due.iter().map(|&i| self.entries[i].deadline).min() {
            return Some(d.min(self.elapsed));
        }
        self.next_expiry().map(|e| e.start)
    }

    /// The exact earliest deadline. It may cascade slots (moving `elapsed`
    /// forward to a slot start, never past a deadline); for the virtual
    /// clock, which is about to jump there anyway.
    pub fn next_deadline(&mut self) -> Option<u64> {
        loop {
            if let Some(d) = self.due.iter().map(|&i| self.entries[i].deadline).min() {
                return Some(d);
            }
            let exp = self.next_expiry()?;
            if exp.level == 0 {
                return Some(exp.start);
            }
            self.elapsed = exp.start;
            self.cascade(exp.level, exp.slot);
        }
    }

    /// Advances the wheel to `now` and appends the actions of every timer
    /// whose deadline is `<= now` to `fired`, ordered by (deadline, seq).
    pub fn advance(&mut self, now: u64, fired: &mut Vec<Action>) {
        let mut batch: Vec<(u64, u64, usize)> = Vec::new();
        loop {
            for i in self.due.drain(..) {
                let e = &self.entries[i];
                batch.push((e.deadline, e.seq, i));
            }
            let exp = match self.next_expiry() {
                Some(exp) if exp.start <= now => exp,
                _ => break,
            };
            self.elapsed = self.elapsed.max(exp.start);
            if exp.level == 0 {
                let mut i = self.take_slot(0, exp.slot);
                while i != NIL {
                    let e = &self.entries[i];
                    batch.push((e.deadline, e.seq, i));
                    i = e.next;
                }
            } else {
                self.cascade(exp.level, exp.slot);
            }
        }
        if now > self.elapsed {
            self.elapsed = now;
        }
        batch.sort_unstable_by_key(|&(d, s, _)| (d, s));
        for (_, _, i) in batch {
            fired.push(self.entries.remove(i).action);
        }
    }

    /// The wheel's current time.
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    // Links entry `idx` at its level and slot, or into `due`.
    fn place(&mut self, idx: usize) {
        let deadline = self.entries[idx].deadline;
        if deadline <= self.elapsed {
            self.entries[idx].place = Place::Due;
            self.due.push(idx);
            return;
        }
        let level = level_for(self.elapsed, deadline);
        let slot = ((deadline >> (6 * level)) & 63) as usize;
        let tail = self.levels[level][slot].tail;
        {
            let e = &mut self.entries[idx];
            e.place = Place::Slot(level as u8, slot as u8);
            e.prev = tail;
            e.next = NIL;
        }
        if tail == NIL {
            self.levels[level][slot].head = idx;
        } else {
            self.entries[tail].next = idx;
        }
        self.levels[level][slot].tail = idx;
        self.occupied[level] |= 1 << slot;
    }

    // Removes entry `idx` from its slot list or the due list.
    fn unlink(&mut self, idx: usize) {
        let (place, prev, next) = {
            let e = &self.entries[idx];
            (e.place, e.prev, e.next)
        };
        match place {
            Place::Due => self.due.retain(|&i| i != idx),
            Place::Slot(level, slot) => {
                let (level, slot) = (level as usize, slot as usize);
                if prev == NIL {
                    self.levels[level][slot].head = next;
                } else {
                    self.entries[prev].next = next;
                }
                if next == NIL {
                    self.levels[level][slot].tail = prev;
                } else {
                    self.entries[next].prev = prev;
                }
                if self.levels[level][slot].head == NIL {
                    self.occupied[level] &= !(1 << slot);
                }
            }
        }
    }

    // Detaches a whole slot's list and returns its head.
    fn take_slot(&mut self, level: usize, slot: usize) -> usize {
        let head = self.levels[level][slot].head;
        self.levels[level][slot] = Slot { head: NIL, tail: NIL };
        self.occupied[level] &= !(1 << slot);
        head
    }

    // Re-places the entries of a higher-level slot relative to `elapsed`.
    fn cascade(&mut self, level: usize, slot: usize) {
        let mut i = self.take_slot(level, slot);
        while i != NIL {
            let next = self.entries[i].next;
            self.place(i);
            i = next;
        }
    }

    fn next_expiry(&self) -> Option<Expiry> {
        for level in 0..LEVELS {
            let occ = self.occupied[level];
            if occ == 0 {
                continue;
            }
            let shift = 6 * level as u32;
            let pos = ((self.elapsed >> shift) & 63) as u32;
            let slot = ((occ.rotate_right(pos).trailing_zeros() + pos) % 64) as usize;
            let slot_range: u128 = 1u128 << shift;
            let level_range: u128 = slot_range << 6;
            let level_start = (self.elapsed as u128) & !(level_range - 1);
            let mut start = level_start + slot as u128 * slot_range;
            if start < self.elapsed as u128 && slot as u32 != pos {
                // Unreachable by the invariant; wrap into the next rotation.
                start += level_range;
            }
            let start = start.max(self.elapsed as u128).min(u64::MAX as u128) as u64;
            return Some(Expiry { level, slot, start });
        }
        None
    }
}

// The level for a deadline: its highest 6-bit group that differs from now.
fn level_for(elapsed: u64, deadline: u64) -> usize {
    let masked = (elapsed ^ deadline) | 63;
    let significant = 63 - masked.leading_zeros() as usize;
    significant / 6
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    fn recorder(log: &Arc<Mutex<Vec<u32>>>, id: u32) -> Action {
        let log = log.clone();
        Action::Call(Box::new(move || log.lock().unwrap().push(id)))
    }

    fn fire(w: &mut Wheel, now: u64) {
        let mut out = Vec::new();
        w.advance(now, &mut out);
        for a in out {
            if let Action::Call(f) = a {
                f()
            }
        }
    }

    #[test]
    fn timers_fire_in_deadline_order_and_ties_in_insertion_order() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut w = Wheel::new();
        let deadlines = [5_000_000_000u64, 10, 70, 10, 4096, 1 << 40, 70, 3];
        for (i, &d) in deadlines.iter().enumerate() {
            w.insert(d, recorder(&log, i as u32));
        }
        fire(&mut w, u64::MAX / 2);
        assert_eq!(*log.lock().unwrap(), vec![7, 1, 3, 2, 6, 4, 0, 5]);
        assert!(w.is_empty());
    }

    #[test]
    fn next_deadline_is_exact_across_levels() {
        let mut w = Wheel::new();
        for d in [123_456_789u64, 987, 65, 1 << 50] {
            w.insert(d, Action::Call(Box::new(|| {})));
        }
        let mut seen = Vec::new();
        while let Some(d) = w.next_deadline() {
            seen.push(d);
            let mut out = Vec::new();
            w.advance(d, &mut out);
            assert_eq!(out.len(), 1);
        }
        assert_eq!(seen, vec![65, 987, 123_456_789, 1 << 50]);
    }

    #[test]
    fn cancelled_timer_never_fires_and_stale_key_is_ignored() {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut w = Wheel::new();
        let k1 = w.insert(100, recorder(&log, 1));
        let _k2 = w.insert(100, recorder(&log, 2));
        assert!(w.cancel(k1));
        assert!(!w.cancel(k1));
        fire(&mut w, 100);
        assert_eq!(*log.lock().unwrap(), vec![2]);
        let k3 = w.insert(50, recorder(&log, 3)); // already due: elapsed is 100
        assert!(w.is_armed(k3));
        fire(&mut w, 100);
        assert!(!w.is_armed(k3));
        assert_eq!(*log.lock().unwrap(), vec![2, 3]);
    }

    #[test]
    fn advancing_in_small_steps_fires_each_timer_exactly_at_its_deadline() {
        let mut w = Wheel::new();
        let hits = Arc::new(Mutex::new(Vec::new()));
        let mut rng = crate::rng::Rng::new(3);
        let mut want = Vec::new();
        for _ in 0..2000 {
            let d = rng.next_u64() % 1_000_000;
            want.push(d);
            let h = hits.clone();
            w.insert(d, Action::Call(Box::new(move || h.lock().unwrap().push(d))));
        }
        want.sort();
        let mut now = 0;
        while now < 1_000_000 {
            now += 1 + rng.next_u64() % 5000;
            let mut out = Vec::new();
            w.advance(now, &mut out);
            for a in out {
                if let Action::Call(f) = a {
                    f()
                }
            }
            for &d in hits.lock().unwrap().iter() {
                assert!(d <= now);
            }
        }
        assert_eq!(*hits.lock().unwrap(), want);
    }
}
