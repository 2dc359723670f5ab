//! Synchronous goroutines of a deterministic run: `golang.run(plain_fn,
//! seed=N)`, and `go(plain_fn)` inside a run, run the function in a greenlet
//! that an async goroutine of the run's executor drives
//! (python/golang/_syncrun.py). A blocking operation called there (a
//! receive, send or select, a sleep) cannot block the executor's thread:
//! [`block`] hands the operation, as an awaitable, to that driver, which
//! awaits it on the executor (so the seeded scheduler, the virtual clock and
//! the deadlock detector see it like any other) and switches back to the
//! greenlet with its result.
//!
//! Invariants:
//! 1. [`ACTIVE`] is true on an executor's thread exactly while the driver
//!    has switched into a synchronous goroutine's greenlet (the driver sets
//!    it before each switch in, and clears it when the greenlet switches
//!    back or ends). So an async goroutine's blocking call still gets the
//!    RuntimeError that tells it to await (gil::refuse_in_executor), and
//!    nothing here runs outside a run.
//! 2. An operation that can complete at once completes here, without a
//!    switch (fast path: the driver would only await a ready operation),
//!    unless the goroutine's cooperative budget is spent: then it goes to
//!    the driver unstarted, whose first step yields one turn (as an async
//!    goroutine's `await` does), so a goroutine that never blocks cannot
//!    starve the others.

use crate::coro::AwaitOp;
use crate::ops::{AnyOp, Step};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::cell::Cell;

thread_local! {
    /// Invariant 1: a synchronous goroutine runs on this thread now.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
}

/// Whether a synchronous goroutine of a run is running on this thread.
#[inline]
pub(crate) fn active() -> bool {
    ACTIVE.with(|a| a.get())
}

/// Set by the driver around each switch into its greenlet (invariant 1).
#[pyfunction]
pub fn _sync_active(on: bool) {
    ACTIVE.with(|a| a.set(on));
}

/// Whether a blocking operation of this thread blocks a greenlet rather
/// than the OS thread: under gevent (it yields to the hub), and in a
/// synchronous goroutine of a run (it goes to the goroutine's driver).
#[inline]
pub(crate) fn blocks_greenlet() -> bool {
    crate::gevent::enabled() || active()
}

/// Runs a blocking operation in a greenlet ([`blocks_greenlet`]): a
/// synchronous goroutine's through its driver, else gevent's.
pub(crate) fn block_greenlet(py: Python<'_>, op: AnyOp) -> PyResult<Py<PyAny>> {
    if active() {
        block(py, op)
    } else {
        crate::gevent::block_greenlet(py, op)
    }
}

/// Runs `op` from a synchronous goroutine of a run: the greenlet waits while
/// its driver awaits the operation; the result (or the exception, a Go
/// panic included) comes back here.
fn block(py: Python<'_>, op: AnyOp) -> PyResult<Py<PyAny>> {
    static BLOCK: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    // invariant 2
    let aw = if golang_sched::coop_proceed() {
        match op.start(py) {
            Step::Done(r) => return r,
            Step::Wait(fut) => AwaitOp::waiting(fut),
        }
    } else {
        AwaitOp::new(op)
    };
    let f = BLOCK.get_or_try_init(py, || py.import("golang._syncrun")?.getattr("_block").map(|f| f.unbind()))?;
    f.call1(py, (Py::new(py, aw)?,))
}

/// An awaitable that lets every other runnable goroutine run once
/// (`time.sleep(0)` in a synchronous goroutine of a run: a scheduling
/// point, as it is for threads under CPython, where it yields the GIL).
#[pyfunction]
pub fn _ayield() -> crate::coro::AwaitOp {
    let fut: crate::ops::OpFuture = Box::pin(async {
        golang_sched::yield_now().await;
        Box::new(|py: Python<'_>| -> PyResult<Py<PyAny>> { Ok(py.None()) }) as crate::ops::OpOut
    });
    crate::coro::AwaitOp::waiting(fut)
}
