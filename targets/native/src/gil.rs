//! Blocking from Python: release the GIL while the thread waits, and let
//! Ctrl-C interrupt the main thread.
//!
//! Python runs signal handlers only in the main thread. A main thread that
//! waits on a channel wakes every `POLL` to run them (re-taking the GIL
//! briefly); if a handler raises (KeyboardInterrupt), the wait is aborted,
//! unless a counterparty has already committed the operation: then the
//! operation completes (no value is lost) and SIGINT is re-armed so that the
//! KeyboardInterrupt comes at the next bytecode instead.

use golang_chan::Blocking;
use pyo3::exceptions::PyKeyboardInterrupt;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

/// How often a blocked main thread looks for signals.
const POLL: Duration = Duration::from_millis(20);

static MAIN_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Records which OS thread is Python's main thread.
pub(crate) fn init(py: Python<'_>) -> PyResult<()> {
    let threading = py.import("threading")?;
    let cur = threading.call_method0("current_thread")?;
    let main = threading.call_method0("main_thread")?;
    if cur.is(&main) {
        let _ = MAIN_THREAD.set(std::thread::current().id());
    }
    Ok(())
}

fn is_main_thread() -> bool {
    MAIN_THREAD.get().is_some_and(|id| *id == std::thread::current().id())
}

/// The interrupt argument of the `_interruptible` channel operations.
pub(crate) type Interrupt<'a> = Option<(&'a mut dyn FnMut() -> bool, Duration)>;

/// Test hook (`golang._golang_test.pypanicWhenBlocked`): while set, an
/// operation that would block panics "t: blocks forever" instead.
pub(crate) static PANIC_WHEN_BLOCKED: AtomicBool = AtomicBool::new(false);

/// Runs a blocking channel operation with the GIL released.
pub(crate) fn block<R: Send>(py: Python<'_>, op: impl for<'a> FnOnce(Interrupt<'a>) -> Blocking<R> + Send) -> PyResult<R> {
    if golang_sched::in_executor() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(
            "golang: a blocking channel operation in an async goroutine would block its executor; \
             await the async form instead (await ch.arecv(), await ch.asend(x), await aselect(...))",
        ));
    }
    if PANIC_WHEN_BLOCKED.load(Ordering::Relaxed) {
        return Err(crate::go_panic(py, "t: blocks forever"));
    }
    let main = is_main_thread();
    let mut err: Option<PyErr> = None;
    let res = py.detach(|| {
        if main {
            let mut check = || {
                Python::attach(|py| match py.check_signals() {
                    Ok(()) => false,
                    Err(e) => {
                        err = Some(e);
                        true
                    }
                })
            };
            op(Some((&mut check, POLL)))
        } else {
            op(None)
        }
    });
    match res {
        Blocking::Done(r) => {
            if let Some(e) = err {
                if e.is_instance_of::<PyKeyboardInterrupt>(py) {
                    // SAFETY: PyErr_SetInterrupt only sets a flag that the
                    // interpreter checks later; it is safe with the GIL held.
                    unsafe { pyo3::ffi::PyErr_SetInterrupt() };
                }
            }
            Ok(r)
        }
        Blocking::Interrupted => Err(err.expect("interrupted without an error")),
    }
}
