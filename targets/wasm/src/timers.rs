//! `golang.time`'s timers for the shim, over the `golang-time` crate: on the
//! clock of the executor they are made on (the virtual clock inside
//! `golang.run`, the host's clock on the background executor).

use crate::chans;
use crate::coro::CallTask;
use crate::value::{AnyChan, PyRef};
use slab::Slab;
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;
use wasm_bindgen::prelude::*;

/// Seconds (a float) to a duration by the shared rule
/// (`golang_pycore::time::dur`); the shim refuses NaN before it gets here
/// (it would be zero).
pub fn dur(dt: f64) -> Duration {
    golang_pycore::time::dur(dt).unwrap_or(Duration::ZERO)
}

enum Any {
    Timer(golang_time::Timer),
    Ticker(golang_time::Ticker),
}

thread_local! {
    static TIMERS: RefCell<Slab<Any>> = const { RefCell::new(Slab::new()) };
}

fn chan_of(c: &golang_chan::Chan<f64>) -> u32 {
    if c.is_nil() {
        chans::register(AnyChan::make(crate::value::DType::Obj, None))
    } else {
        chans::register(AnyChan::Double(c.clone()))
    }
}

/// `Timer(dt, f)`: `f` is the handle of a Python function (0 for none:
/// then the timer's channel receives the fire time). Returns the timer's id.
#[wasm_bindgen]
pub fn timer_new(dt: f64, f: f64) -> u32 {
    let t = if f == 0.0 {
        golang_time::Timer::new(dur(dt))
    } else {
        // f runs as a goroutine of the executor the timer was made on.
        let f = Arc::new(PyRef::new(f));
        let handle = golang_sched::handle();
        golang_time::after_func(dur(dt), move || {
            handle.spawn_named(Some("time.after_func".into()), CallTask(f.clone()));
        })
    };
    TIMERS.with(|s| s.borrow_mut().insert(Any::Timer(t)) as u32)
}

/// `Ticker(dt)` (the shim checked dt > 0). Returns its id.
#[wasm_bindgen]
pub fn ticker_new(dt: f64) -> u32 {
    let t = golang_time::Ticker::new(dur(dt).max(Duration::from_nanos(1)));
    TIMERS.with(|s| s.borrow_mut().insert(Any::Ticker(t)) as u32)
}

/// A new channel slot for the timer's or ticker's channel.
#[wasm_bindgen]
pub fn timer_chan(id: u32) -> u32 {
    TIMERS.with(|s| match &s.borrow()[id as usize] {
        Any::Timer(t) => chan_of(t.c()),
        Any::Ticker(t) => chan_of(t.c()),
    })
}

/// Stops a timer (whether it was armed) or a ticker (false).
#[wasm_bindgen]
pub fn timer_stop(id: u32) -> bool {
    TIMERS.with(|s| match &s.borrow()[id as usize] {
        Any::Timer(t) => t.stop(),
        Any::Ticker(t) => {
            t.stop();
            false
        }
    })
}

/// Re-arms a timer: `undefined`, or the name of PANIC (Go's message in
/// `last_error`).
#[wasm_bindgen]
pub fn timer_reset(id: u32, dt: f64) -> JsValue {
    let r = TIMERS.with(|s| match &s.borrow()[id as usize] {
        Any::Timer(t) => t.try_reset(dur(dt)).map_err(str::to_string),
        Any::Ticker(_) => Ok(()),
    });
    crate::reply::panic_status(r)
}

/// Frees a timer's slot (its Python object is gone; an armed timer still
/// fires, as in Go).
#[wasm_bindgen]
pub fn timer_free(id: u32) {
    let t = TIMERS.with(|s| s.borrow_mut().try_remove(id as usize));
    drop(t);
}

/// The current time (Unix seconds) on the current clock.
#[wasm_bindgen]
pub fn now() -> f64 {
    golang_time::now()
}

/// `await time.asleep(dt)`: starts the shared crate's sleep (it always
/// waits): the name of WAIT, or of BRIDGE outside a golang goroutine.
#[wasm_bindgen]
pub fn sleep_start(dt: f64) -> JsValue {
    crate::coro::begin(golang_pycore::awaitable::Sleep(dur(dt)))
}
