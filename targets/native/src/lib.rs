//! `golang._golang`: the native core of the Python package `golang`.
//!
//! It gives Python Pygolang's channel API on the pygolang-rs runtime:
//! `chan` (a `Chan<T>` underneath, `T` chosen by the dtype), `select` and
//! `default`, `nilchan`, and the thread runtime of `go` (a pool of Python
//! threads). Every blocking operation first tries the operation with the GIL
//! held (no thread switch when it can complete), and only then releases the
//! GIL and parks the thread. Go's panics come up as `golang._PanicError` with
//! Go's message.
//!
//! It also gives `golang.context` its contexts, bound over the
//! `golang-context` crate (`context.rs`), and `golang.os.Signal` with the
//! core of `golang.os.signal`, over `golang-os` (`signal.rs`).
//!
//! The pure-Python parts (func, defer, recover, gimport, sync, time,
//! ...) live in `python/golang` and are shared with the WebAssembly core.

mod capi;
mod context;
mod coro;
mod ctxnode;
mod ctask;
mod gevent;
mod gil;
mod hooks;
mod goroutine;
mod greenlet;
mod ops;
mod osfile;
mod pychan;
mod pyerror;
mod rawchan;
mod run;
mod schedule;
mod select;
mod signal;
mod syncrun;
mod time;
mod value;

use pyo3::prelude::*;

// GIL-using: see docs/ARCHITECTURE.md, "Free-threaded CPython".
#[pymodule(gil_used = true)]
fn _golang(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    gil::init(py)?;
    // A child of fork() starts without the parent's runtime threads.
    let after_fork = wrap_pyfunction!(goroutine::_after_fork_child, m)?;
    m.add_function(after_fork.clone())?;
    let kw = pyo3::types::PyDict::new(py);
    kw.set_item("after_in_child", after_fork)?;
    py.import("os")?.call_method("register_at_fork", (), Some(&kw))?;
    // The names every core provides (the shared crate's list; checked by
    // tests/python/test_core_contract.py).
    m.add("_CORE_NAMES", pyo3::types::PyTuple::new(py, golang_pycore::names::CORE_NAMES)?)?;
    m.add_class::<pychan::PyChan>()?;
    m.add("chan", m.getattr("pychan")?)?;
    m.add("nilchan", pychan::nil_of(py, pychan::DType::Obj)?)?;
    m.add("default", ops::default_sentinel(py).clone_ref(py))?;
    m.add("select", select::select_function(m)?)?;
    m.add_class::<time::PyTimer>()?;
    m.add_class::<time::PyTicker>()?;
    m.add_function(wrap_pyfunction!(time::now, m)?)?;
    m.add_function(wrap_pyfunction!(time::asleep, m)?)?;
    m.add_function(wrap_pyfunction!(select::aselect, m)?)?;
    m.add_class::<coro::AwaitOp>()?;
    coro::install_am_send(py);
    m.add_function(wrap_pyfunction!(coro::go_async, m)?)?;
    m.add_class::<syncrun::SyncMain>()?;
    m.add_function(wrap_pyfunction!(syncrun::_go_sync, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_go_sync_fast, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_sync_main, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_sync_work, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_sync_block, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_sync_begin_run, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_sync_end_run, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(coro::_in_executor, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_last_schedule, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_shrink, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_first_difference, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_decision_point, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_dfs_next, m)?)?;
    m.add_function(wrap_pyfunction!(schedule::_trace_where, m)?)?;
    m.add_function(wrap_pyfunction!(syncrun::_ayield, m)?)?;
    m.add_function(wrap_pyfunction!(gevent::_gevent_setup, m)?)?;
    m.add_function(wrap_pyfunction!(gevent::_gevent_woken, m)?)?;
    m.add_function(wrap_pyfunction!(gevent::_gevent_after_fork, m)?)?;
    m.add_function(wrap_pyfunction!(gevent::_gevent_spawns, m)?)?;
    m.add("DeadlockError", py.get_type::<run::DeadlockError>())?;
    m.add_function(wrap_pyfunction!(goroutine::go_thread, m)?)?;
    m.add_function(wrap_pyfunction!(goroutine::_worker, m)?)?;
    m.add_function(wrap_pyfunction!(goroutine::_rust_echo_int, m)?)?;
    m.add_function(wrap_pyfunction!(hooks::_len_recvq, m)?)?;
    m.add_function(wrap_pyfunction!(hooks::_len_sendq, m)?)?;
    m.add_function(wrap_pyfunction!(hooks::_set_panic_when_blocked, m)?)?;
    hooks::register(m)?;
    pyerror::register(m)?;
    context::register(m)?;
    signal::register(m)?;
    capi::register(m)?;
    Ok(())
}
