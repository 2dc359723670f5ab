//! What the host provides under WebAssembly (wasm32-unknown-unknown), where
//! `std` has no clock, no threads and no way to sleep.
//!
//! The host driver (the `golang-wasm` crate, over JavaScript) installs a
//! [`Platform`] once, before any executor runs: the clocks, and a function
//! that asks the JavaScript event loop for a turn of the executor that
//! `go()` uses outside any run (see `Runtime::run_turn`). The bottom of the
//! crate under WebAssembly: it names no other file.

use std::sync::OnceLock;

/// The host's services.
#[derive(Clone, Copy)]
pub struct Platform {
    /// Monotonic nanoseconds (e.g. `performance.now()` scaled).
    pub mono_ns: fn() -> u64,
    /// Wall-clock Unix time in seconds (e.g. `Date.now() / 1000`).
    pub unix_s: fn() -> f64,
    /// Asks the host for a turn of the background executor soon; called when
    /// something wakes it from outside (a send from top-level code, a timer
    /// armed from outside).
    pub wake: fn(),
}

static PLATFORM: OnceLock<Platform> = OnceLock::new();

/// Installs the host's services (first call wins).
pub fn set_platform(p: Platform) {
    let _ = PLATFORM.set(p);
}

/// The host's services (installed by [`set_platform`]).
pub(crate) fn platform() -> &'static Platform {
    PLATFORM.get().expect("golang-sched: under WebAssembly the host must call golang_sched::wasm::set_platform first")
}
