//! The background executor under WebAssembly: installed by the host (there
//! are no threads to start one), as the executor that `go()` outside any
//! executor spawns on and where timers armed outside executors live.

use crate::handle::Handle;
use std::sync::OnceLock;

static BACKGROUND: OnceLock<Handle> = OnceLock::new();

/// Installs the executor that `go()` outside any executor spawns on, and
/// where timers armed outside executors live (first call wins).
pub fn set_background(h: Handle) {
    let _ = BACKGROUND.set(h);
}

/// The background executor's handle.
pub(crate) fn handle() -> Handle {
    BACKGROUND
        .get()
        .expect("golang-sched: under WebAssembly the host must install a background executor (golang_sched::wasm::set_background)")
        .clone()
}
