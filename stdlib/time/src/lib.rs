//! Go's `time` for goroutines: timers and tickers on the executor's clock.
//!
//! Everything here runs on the clock of the executor it was created on: the
//! virtual clock under [`Runtime::deterministic`](golang_sched::Runtime), so
//! tests of timing need no real sleeping, or the real clock (timer wheel +
//! reactor) otherwise. Created outside any executor (from an OS thread), a
//! timer lives on the background executor.
//!
//! Channels carry the fire time as Unix seconds (`f64`), as Pygolang's do.
//!
//! ```
//! use golang_sched::Runtime;
//! use golang_time::{after, Timer};
//! use std::time::Duration;
//!
//! Runtime::deterministic(1).block_on(async {
//!     let t0 = golang_time::now();
//!     let fired = after(Duration::from_secs(60)).recv().await.unwrap();
//!     assert_eq!(fired - t0, 60.0); // virtual time: exact, and instant
//!
//!     let t = Timer::new(Duration::from_secs(1));
//!     assert!(t.stop()); // it was armed
//!     assert!(!t.stop());
//!     assert!(t.c().try_recv().is_err()); // nothing is left in its channel
//! }).unwrap();
//! ```

//! Invariants of a timer's `State` (under its mutex):
//!
//! 1. Go's promise for `after_func`: if `stop` (or a reset) returns without
//!    having cancelled the wheel entry, `f` has run or will run. The wheel
//!    may have removed the entry (committing the firing) before `fired` takes
//!    the lock; such a generation is kept in `committed`, and `fired` runs `f`
//!    for it even though the generation has moved on.
//! 2. `key` is `Some` exactly while an entry armed by this timer is in the
//!    wheel or its firing is committed but has not taken the lock yet.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use golang_chan::Chan;
use golang_sched::{Action, Handle, TimerKey};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use golang_sched::sleep;

/// Go's panic when resetting an armed timer.
pub const RESET_ARMED: &str = "Timer.reset: the timer is armed; must be stopped or expired";
/// Go's panic for a ticker with a non-positive period.
pub const TICKER_DT: &str = "ticker: dt <= 0";

/// The current time, Unix seconds, on the current executor's clock.
pub fn now() -> f64 {
    golang_sched::unix_now()
}

fn ns(d: Duration) -> u64 {
    d.as_nanos().min(u64::MAX as u128) as u64
}

/// What a timer does when it fires.
enum Fire {
    /// Send the time on the channel (never blocking: a full channel skips).
    Send,
    /// Run a function (it should start a goroutine; it runs on the executor
    /// thread).
    Call(Arc<dyn Fn() + Send + Sync>),
}

struct State {
    /// The armed wheel entry, if any.
    key: Option<TimerKey>,
    /// Bumped by stop and reset, so that a firing that raced with them does
    /// nothing.
    gen: u64,
    /// Re-arm period for tickers.
    period: Option<u64>,
    /// Generations of function timers whose firing the wheel had already
    /// committed (removed the entry, about to call `fired`) when a stop or
    /// reset found them: that firing still runs `f` (invariant 1).
    committed: Vec<u64>,
}

struct Inner {
    handle: Handle,
    c: Chan<f64>,
    fire: Fire,
    state: Mutex<State>,
}

impl Inner {
    fn arm(self: &Arc<Self>, st: &mut State, deadline: u64) {
        let me = self.clone();
        let gen = st.gen;
        st.key = Some(self.handle.add_timer(deadline, Action::Call(Box::new(move || me.fired(gen, deadline)))));
    }

    fn fired(self: &Arc<Self>, gen: u64, deadline: u64) {
        let mut st = self.state.lock().unwrap();
        if st.gen != gen {
            // Stopped or reset meanwhile: a channel timer drops this firing;
            // a function timer whose stop or reset came too late to cancel
            // it still runs `f`, since that stop has returned false
            // (invariant 1).
            if let Some(i) = st.committed.iter().position(|&g| g == gen) {
                st.committed.swap_remove(i);
                if let Fire::Call(f) = &self.fire {
                    let f = f.clone();
                    drop(st);
                    f();
                }
            }
            return;
        }
        st.key = None;
        if let Fire::Call(f) = &self.fire {
            // Not under the lock: `f` may wait (e.g. for Python's GIL) while
            // the thread holding that waits for this lock in `stop`.
            let f = f.clone();
            drop(st);
            f();
            return;
        }
        let _ = self.c.try_send(golang_sched::unix_now());
        if let Some(p) = st.period {
            // Period after the scheduled time (not after now): a slow
            // receiver skips ticks instead of shifting them.
            let now = self.handle.now_ns();
            let mut next = deadline + p;
            if next <= now {
                next = now + p - (now - deadline) % p;
            }
            self.arm(&mut st, next);
        }
    }

    /// Cancels the armed wheel entry, if any, and bumps the generation.
    /// True if the entry was still armed. An entry that is gone from the
    /// wheel while `key` is still set has been committed to fire: for a
    /// function timer that firing is remembered so that it still runs `f`
    /// (invariant 1).
    fn disarm(&self, st: &mut State) -> bool {
        let old = st.gen;
        st.gen += 1;
        match st.key.take() {
            None => false,
            Some(k) if self.handle.cancel_timer(k) => true,
            Some(_) => {
                if matches!(self.fire, Fire::Call(_)) {
                    st.committed.push(old);
                }
                false
            }
        }
    }

    fn stop(&self) -> bool {
        let mut st = self.state.lock().unwrap();
        let armed = self.disarm(&mut st);
        while self.c.try_recv().is_ok() {}
        armed
    }
}

/// A single-shot timer: its channel receives the time once it fires, or its
/// function runs (see [`after_func`]).
#[derive(Clone)]
pub struct Timer {
    inner: Arc<Inner>,
}

impl Timer {
    /// A timer that fires after `d`, sending the time on [`Timer::c`].
    pub fn new(d: Duration) -> Timer {
        Timer::with_fire(d, Fire::Send)
    }

    fn with_fire(d: Duration, fire: Fire) -> Timer {
        let handle = golang_sched::handle();
        let c = match fire {
            Fire::Send => Chan::new(1),
            Fire::Call(_) => Chan::nil(),
        };
        let inner = Arc::new(Inner { handle, c, fire, state: Mutex::new(State { key: None, gen: 0, period: None, committed: Vec::new() }) });
        {
            let mut st = inner.state.lock().unwrap();
            let deadline = inner.handle.now_ns().saturating_add(ns(d));
            inner.arm(&mut st, deadline);
        }
        Timer { inner }
    }

    /// The channel the fire time is sent on (nil for an after_func timer).
    pub fn c(&self) -> &Chan<f64> {
        &self.inner.c
    }

    /// Stops the timer. True if it was armed and is now cancelled; false if
    /// it had already fired or been stopped. Afterwards the channel is empty:
    /// no need to drain it.
    pub fn stop(&self) -> bool {
        self.inner.stop()
    }

    /// Arms a stopped or expired timer again to fire after `d`.
    ///
    /// # Panics
    /// [`RESET_ARMED`] if the timer is armed.
    pub fn reset(&self, d: Duration) {
        if let Err(e) = self.try_reset(d) {
            panic!("{e}");
        }
    }

    /// `reset` that reports the panic as an error.
    pub fn try_reset(&self, d: Duration) -> Result<(), &'static str> {
        let inner = &self.inner;
        let mut st = inner.state.lock().unwrap();
        if let Some(k) = st.key {
            if inner.handle.timer_armed(k) {
                return Err(RESET_ARMED);
            }
        }
        inner.disarm(&mut st);
        let deadline = inner.handle.now_ns().saturating_add(ns(d));
        inner.arm(&mut st, deadline);
        Ok(())
    }
}

/// A ticker: its channel receives the time every period; a slow receiver
/// skips ticks rather than queueing them.
#[derive(Clone)]
pub struct Ticker {
    inner: Arc<Inner>,
}

impl Ticker {
    /// A ticker with period `d`.
    ///
    /// # Panics
    /// [`TICKER_DT`] if `d` is zero.
    pub fn new(d: Duration) -> Ticker {
        Ticker::try_new(d).unwrap_or_else(|e| panic!("{e}"))
    }

    /// `new` that reports the panic as an error.
    pub fn try_new(d: Duration) -> Result<Ticker, &'static str> {
        if d.is_zero() {
            return Err(TICKER_DT);
        }
        let handle = golang_sched::handle();
        let p = ns(d);
        let inner = Arc::new(Inner {
            handle,
            c: Chan::new(1),
            fire: Fire::Send,
            state: Mutex::new(State { key: None, gen: 0, period: Some(p), committed: Vec::new() }),
        });
        {
            let mut st = inner.state.lock().unwrap();
            let deadline = inner.handle.now_ns().saturating_add(p);
            inner.arm(&mut st, deadline);
        }
        Ok(Ticker { inner })
    }

    /// The channel the tick times are sent on.
    pub fn c(&self) -> &Chan<f64> {
        &self.inner.c
    }

    /// Stops the ticker; afterwards its channel is empty.
    pub fn stop(&self) {
        let mut st = self.inner.state.lock().unwrap();
        st.period = None;
        drop(st);
        self.inner.stop();
    }
}

/// A channel that receives the time once, after `d`.
pub fn after(d: Duration) -> Chan<f64> {
    if d.is_zero() {
        // Fast path, sound because nobody can stop this timer: a timer of
        // zero duration has fired by the time anyone can look at its
        // channel, so the value is put there at once, without the wheel.
        // `with_value` leaves the state of a send into the empty channel,
        // without that send's lock.
        return Chan::with_value(1, now());
    }
    Timer::new(d).c().clone()
}

/// Runs `f` after `d`. `f` runs on the executor thread: it should be short
/// (typically it starts a goroutine). The returned timer can stop it.
pub fn after_func(d: Duration, f: impl Fn() + Send + Sync + 'static) -> Timer {
    Timer::with_fire(d, Fire::Call(Arc::new(f)))
}

/// A channel that receives the time every `d`; the nil channel if `d` is
/// zero (it never fires).
pub fn tick(d: Duration) -> Chan<f64> {
    match Ticker::try_new(d) {
        Ok(t) => t.c().clone(),
        Err(_) => Chan::nil(),
    }
}
