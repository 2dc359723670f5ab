//! The process-wide background executor: a thread running the real-clock
//! executor forever. `go()` outside any executor spawns here, and OS threads
//! arm their timers here.

use crate::executor::{Handle, Runtime};
use std::sync::OnceLock;

/// The background executor's handle, starting its thread on first use.
pub(crate) fn handle() -> Handle {
    static HANDLE: OnceLock<Handle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let (tx, rx) = std::sync::mpsc::channel();
            std::thread::Builder::new()
                .name("golang-background".into())
                .spawn(move || {
                    let rt = Runtime::real();
                    tx.send(rt.handle()).unwrap();
                    // Runs forever; a goroutine's unrecovered panic ends the
                    // process, as it does in Go.
                    if let Err(e) = rt.block_on(std::future::pending::<()>()) {
                        eprintln!("{e}");
                        std::process::exit(2);
                    }
                })
                .expect("golang-sched: cannot start the background executor thread");
            rx.recv().expect("golang-sched: background executor failed to start")
        })
        .clone()
}
