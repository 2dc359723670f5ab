//! The JavaScript host: clocks, the Python driver function, and the
//! background executor that the event loop drives.
//!
//! The loader calls [`set_scheduler`] with a function `schedule(ms)` that
//! arranges a call of [`turn`]: in a new macrotask for `ms == 0` (a
//! `MessageChannel` or `setImmediate` turn, not a microtask, so that a page
//! keeps rendering), else with `setTimeout(ms)`. The Python shim then calls
//! [`init`] with its driver function (see [`crate::coro`]).

use golang_sched::{ClockKind, Runtime, Turn};
use std::cell::{OnceCell, RefCell};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn perf_now() -> f64;
    #[wasm_bindgen(js_namespace = Date, js_name = now)]
    fn date_now() -> f64;
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(s: &str);
}

// The driver's protocol: what `resume(handle, kind, value)` is asked to do
// and what it answers are the shared crate's `Resume` and `Driven`.
use golang_pycore::status::{Driven, Resume};

thread_local! {
    /// `schedule(ms)` from the loader.
    static SCHEDULE: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// The shim's driver: `resume(handle, kind, value) -> status`.
    pub(crate) static RESUME: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
    /// The executor of goroutines started outside any `golang.run`.
    static BACKGROUND: OnceCell<Runtime> = const { OnceCell::new() };
}

/// Most goroutine polls of one [`turn`] slice before the time check.
const SLICE_POLLS: usize = 64;
/// A turn gives the event loop back after this many milliseconds.
const SLICE_MS: f64 = 8.0;

fn mono_ns() -> u64 {
    (perf_now() * 1e6) as u64
}

#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn unix_s() -> f64 {
    date_now() / 1e3
}

#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn wake() {
    schedule(0.0);
}

fn schedule(ms: f64) {
    SCHEDULE.with(|s| {
        if let Some(f) = &*s.borrow() {
            if let Err(e) = f.call1(&JsValue::NULL, &JsValue::from_f64(ms)) {
                console_error(&format!("golang: schedule failed: {e:?}"));
            }
        }
    });
}

/// Installs the loader's `schedule(ms)` (see the module docs).
#[wasm_bindgen]
pub fn set_scheduler(f: js_sys::Function) {
    SCHEDULE.with(|s| *s.borrow_mut() = Some(f));
}

/// Installs the Python driver and starts the background executor. Called
/// once by the Python shim at import.
#[wasm_bindgen]
pub fn init(resume: js_sys::Function) {
    std::panic::set_hook(Box::new(|info| console_error(&format!("golang (wasm core): {info}"))));
    install_platform();
    RESUME.with(|r| *r.borrow_mut() = Some(resume));
    BACKGROUND.with(|b| {
        let rt = b.get_or_init(|| Runtime::new(ClockKind::Real, golang_sched::rng::random_seed(), false));
        install_background(rt);
        // An empty turn marks it idle: from now on a spawn or a wake-up from
        // outside asks for a turn.
        let _ = rt.run_turn(0);
    });
}

#[cfg(target_family = "wasm")]
fn install_platform() {
    golang_sched::wasm::set_platform(golang_sched::wasm::Platform { mono_ns, unix_s, wake });
}

#[cfg(target_family = "wasm")]
fn install_background(rt: &Runtime) {
    golang_sched::wasm::set_background(rt.handle());
}

// Natively (the crate builds there for `cargo test` of the workspace) the
// scheduler has its own clock and background thread.
#[cfg(not(target_family = "wasm"))]
fn install_platform() {}

#[cfg(not(target_family = "wasm"))]
fn install_background(_rt: &Runtime) {}

/// Runs a slice of the background executor (about [`SLICE_MS`]); returns
/// when to call again: 0 = in a new macrotask, a positive number = after
/// that many milliseconds (the next timer), -1 = only when woken.
#[wasm_bindgen]
pub fn turn() -> f64 {
    let start = perf_now();
    loop {
        let r = BACKGROUND.with(|b| b.get().map(|rt| rt.run_turn(SLICE_POLLS)));
        match r {
            None => return -1.0,
            Some(Ok(Turn::Busy)) => {
                if perf_now() - start >= SLICE_MS {
                    return 0.0;
                }
            }
            Some(Ok(Turn::Idle { next_timer_ns: Some(at), .. })) => {
                let ms = at.saturating_sub(mono_ns()) as f64 / 1e6;
                // setTimeout may fire a little early: never return 0 for a
                // timer that is not due, or the loop would spin.
                return ms.max(0.001);
            }
            Some(Ok(Turn::Idle { next_timer_ns: None, .. })) => return -1.0,
            Some(Err(e)) => console_error(&format!("golang: {e}")),
        }
    }
}

/// Calls the Python driver: `resume(handle, kind, value)`; returns its
/// answer (see [`crate::coro`]; an answer it cannot read ends the goroutine).
pub(crate) fn resume(h: f64, kind: Resume, v: &JsValue) -> Driven {
    let f = RESUME.with(|r| r.borrow().clone());
    let Some(f) = f else { return Driven::Done };
    match f.call3(&JsValue::NULL, &JsValue::from_f64(h), &JsValue::from_f64(kind.code() as f64), v) {
        Ok(s) => s.as_f64().and_then(|c| Driven::from_code(c as u8)).unwrap_or(Driven::Done),
        Err(e) => {
            console_error(&format!("golang: the Python driver failed: {e:?}"));
            Driven::Done
        }
    }
}
