//! `golang.time`'s timers for Python, over the `golang-time` crate.
//!
//! Timer channels are `chan(1, dtype='C.double')` carrying the fire time.
//! A timer with a function (`after_func`) starts a goroutine running it,
//! without taking the GIL on the executor thread (the goroutine pool queue
//! holds the function by a shared reference).

use crate::goroutine::{push, spawn_worker, Job};
use crate::pychan::{nil_of, AnyChan, DType, PyChan};
use crate::value::go_panic;
use pyo3::prelude::*;
use std::sync::Arc;
use std::time::Duration;

/// Seconds (a float) to a duration by the shared rule
/// (`golang_pycore::time::dur`: the rule for every duration and deadline;
/// see docs/ARCHITECTURE.md); NaN is a ValueError.
pub(crate) fn dur(dt: f64) -> PyResult<Duration> {
    golang_pycore::time::dur(dt).map_err(pyo3::exceptions::PyValueError::new_err)
}

/// `f` if it is callable, else the TypeError of `what` (`Timer`, ...), at
/// the call rather than later, in the goroutine that would call it.
pub(crate) fn callable<'a, 'py>(what: &str, f: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyAny>> {
    if f.is_callable() {
        return Ok(f);
    }
    let name = f.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
    Err(pyo3::exceptions::PyTypeError::new_err(golang_pycore::msg::not_callable(what, &name)))
}

fn wrap(py: Python<'_>, c: &golang_chan::Chan<f64>) -> PyResult<Py<PyAny>> {
    if c.is_nil() {
        return Ok(nil_of(py, DType::Obj)?.into_any());
    }
    Ok(Py::new(py, PyChan::from_chan(AnyChan::Double(c.clone())))?.into_any())
}

/// `Timer(dt, f=None)`: fires once after dt seconds; `.c` receives the time,
/// or, with `f`, `f()` runs in its own goroutine (`.c` is then nil).
#[pyclass(name = "Timer", module = "golang.time", frozen)]
pub struct PyTimer {
    t: golang_time::Timer,
    c: Py<PyAny>,
}

#[pymethods]
impl PyTimer {
    #[new]
    #[pyo3(signature = (dt, f=None))]
    fn new(py: Python<'_>, dt: f64, f: Option<Py<PyAny>>) -> PyResult<PyTimer> {
        let d = dur(dt)?;
        if let Some(f) = &f {
            callable("Timer", f.bind(py))?;
        }
        let t = match f {
            None => golang_time::Timer::new(d),
            Some(f) if golang_sched::in_executor() => {
                // Made in an async goroutine (e.g. inside golang.run): f runs
                // as a goroutine of the same executor, on its clock, so that
                // it fires in virtual time too.
                let f = Arc::new(f);
                let handle = golang_sched::handle();
                golang_time::after_func(d, move || {
                    let f = f.clone();
                    handle.spawn_named(Some("time.after_func".into()), async move {
                        crate::gil::attach(|py| {
                            let f = f.bind(py);
                            if let Err(e) = f.call0() {
                                crate::coro::goroutine_failed(py, e, "time.after_func", Some(f));
                            }
                        })
                    });
                })
            }
            Some(f) if crate::gevent::enabled() => {
                // gevent runtime: f runs in a greenlet of the hub's thread.
                let f = Arc::new(f);
                golang_time::after_func(d, move || crate::gevent::spawn(f.clone()))
            }
            Some(f) => {
                let f = Arc::new(f);
                golang_time::after_func(d, move || {
                    if push(Job { f: f.clone(), args: None, kw: None }) {
                        crate::gil::attach(|py| {
                            if let Err(e) = spawn_worker(py) {
                                e.write_unraisable(py, None);
                            }
                        });
                    }
                })
            }
        };
        let c = wrap(py, t.c())?;
        Ok(PyTimer { t, c })
    }

    /// The channel that receives the fire time.
    #[getter]
    fn c(&self, py: Python<'_>) -> Py<PyAny> {
        self.c.clone_ref(py)
    }

    /// Stops the timer: True if it was armed and is now canceled.
    fn stop(&self, py: Python<'_>) -> bool {
        crate::gil::detach(py, || self.t.stop())
    }

    /// Re-arms a stopped or expired timer.
    fn reset(&self, py: Python<'_>, dt: f64) -> PyResult<()> {
        self.t.try_reset(dur(dt)?).map_err(|e| go_panic(py, e))
    }
}

/// `Ticker(dt)`: `.c` receives the time every dt seconds; slow receivers
/// skip ticks.
#[pyclass(name = "Ticker", module = "golang.time", frozen)]
pub struct PyTicker {
    t: golang_time::Ticker,
    c: Py<PyAny>,
}

#[pymethods]
impl PyTicker {
    #[new]
    fn new(py: Python<'_>, dt: f64) -> PyResult<PyTicker> {
        if dt <= 0.0 {
            return Err(go_panic(py, golang_pycore::time::TICKER_DT));
        }
        let t = golang_time::Ticker::try_new(dur(dt)?.max(Duration::from_nanos(1))).map_err(|e| go_panic(py, e))?;
        let c = wrap(py, t.c())?;
        Ok(PyTicker { t, c })
    }

    /// The channel that receives the tick times.
    #[getter]
    fn c(&self, py: Python<'_>) -> Py<PyAny> {
        self.c.clone_ref(py)
    }

    /// Stops the ticker; its channel is empty afterwards.
    fn stop(&self, py: Python<'_>) {
        crate::gil::detach(py, || self.t.stop())
    }
}

/// The current time (Unix seconds) on the current clock.
#[pyfunction]
pub fn now() -> f64 {
    golang_time::now()
}

/// `await time.asleep(dt)`: sleep in an async goroutine (on its executor's
/// clock: virtual inside `golang.run(..., clock='virtual')`).
#[pyfunction]
pub fn asleep(dt: f64) -> PyResult<crate::coro::AwaitOp> {
    Ok(crate::coro::AwaitOp::shared(golang_pycore::awaitable::Sleep(dur(dt)?)))
}
