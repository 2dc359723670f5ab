//! What wakes an executor and what its clock fires: the clock, the timer
//! wheel, and the reactor the executor's thread sleeps in, shared with the
//! threads that arm timers and wake goroutines. The single-thread executor
//! (`executor.rs`) sleeps in it itself; the multi-thread one (`multi.rs`)
//! runs [`Driver::timer_loop`] on a timer thread of its own.
//!
//! The sleep/wake-up handshake: a thread that hands the sleeper work sets
//! `has_remote` before it reads `sleeping`, and the sleeper sets `sleeping`
//! before it reads `has_remote` (all SeqCst), so one of the two sees the
//! other and no wake-up is lost.

use crate::clock::{real_now_ns, ClockKind};
use crate::reactor::Reactor;
use crate::timer::{Action, TimerKey, Wheel};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
#[cfg(not(target_family = "wasm"))]
use std::time::Duration;

/// An executor's clock, timers and reactor.
pub(crate) struct Driver {
    /// Whether work from other threads may be waiting (checked without a
    /// lock).
    pub(crate) has_remote: AtomicBool,
    /// Whether the executor thread is (about to be) asleep in the reactor.
    pub(crate) sleeping: AtomicBool,
    /// The timers; behind a mutex so that other threads can arm them.
    pub(crate) timers: Mutex<Wheel>,
    /// Current virtual time (ns); unused on the real clock.
    pub(crate) virtual_now: AtomicU64,
    /// Which clock this executor runs on.
    pub(crate) clock: ClockKind,
    /// The IO reactor (real clock only), created by the executor.
    pub(crate) reactor: Option<Arc<Reactor>>,
}

impl Driver {
    /// A driver on `clock`, sleeping in `reactor` (real clock only).
    pub(crate) fn new(clock: ClockKind, reactor: Option<Arc<Reactor>>) -> Driver {
        let mut wheel = Wheel::new();
        if clock == ClockKind::Real {
            // The wheel starts at the current monotonic time.
            let mut none = Vec::new();
            wheel.advance(real_now_ns(), &mut none);
        }
        Driver {
            has_remote: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            timers: Mutex::new(wheel),
            virtual_now: AtomicU64::new(0),
            clock,
            reactor,
        }
    }

    /// The executor's current time in nanoseconds.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        match self.clock {
            ClockKind::Virtual => self.virtual_now.load(Ordering::Acquire),
            ClockKind::Real => real_now_ns(),
        }
    }

    /// Makes a sleeping executor thread look at its queues again.
    pub(crate) fn notify(&self) {
        if self.sleeping.load(Ordering::SeqCst) {
            if let Some(r) = &self.reactor {
                r.notify();
            }
        }
    }

    /// Tells the sleeper that work from another thread waits, and wakes it.
    pub(crate) fn hand_over(&self) {
        self.has_remote.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// Arms a timer (from any thread); `from_outside` when the caller is
    /// not the executor's own thread, which may sleep until a later
    /// deadline.
    pub(crate) fn add_timer(&self, deadline: u64, action: Action, from_outside: bool) -> TimerKey {
        let key = self.timers.lock().unwrap().insert(deadline, action);
        // A sleeping real-clock executor may be waiting for a later deadline.
        if self.clock == ClockKind::Real && from_outside {
            self.hand_over();
        }
        key
    }

    /// Fires every timer due at `now`; returns whether any was.
    pub(crate) fn fire(&self, now: u64) -> bool {
        let mut fired = Vec::new();
        self.timers.lock().unwrap().advance(now, &mut fired);
        let any = !fired.is_empty();
        for a in fired {
            match a {
                Action::Wake(w) => w.wake(),
                Action::Call(f) => f(),
            }
        }
        any
    }

    /// The multi-thread runtime's timer thread: sleeps in the reactor until
    /// the next deadline or until `add_timer` notifies it, fires what is
    /// due, until `stop` is set (then call [`Driver::stop_timer_loop`]).
    /// `add_timer` from a non-executor thread sets `has_remote` before it
    /// reads `sleeping`, and this loop sets `sleeping` before it reads
    /// `has_remote` (all SeqCst), so one of the two sees the other.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn timer_loop(&self, stop: &AtomicBool) {
        let reactor = self.reactor.as_ref().expect("timer loop on the real clock");
        while !stop.load(Ordering::SeqCst) {
            self.sleeping.store(true, Ordering::SeqCst);
            if !self.has_remote.swap(false, Ordering::SeqCst) {
                let next = self.timers.lock().unwrap().peek();
                reactor.wait(next.map(|d| Duration::from_nanos(d.saturating_sub(real_now_ns()))));
            }
            self.sleeping.store(false, Ordering::SeqCst);
            self.fire(real_now_ns());
        }
    }

    /// Ends [`Driver::timer_loop`] after `stop` was set.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn stop_timer_loop(&self) {
        self.has_remote.store(true, Ordering::SeqCst);
        if let Some(r) = &self.reactor {
            r.notify();
        }
    }
}
