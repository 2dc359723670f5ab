//! `golang.os.Signal` and the core of `golang.os.signal`, bound over the
//! `golang-os` crate.
//!
//! `PySignal` (its data and conversion are in `value.rs`) wraps a
//! `golang_os::Signal`; it is the element type of
//! channels of dtype 'C.os::Signal' (`AnyChan::Signal`, a plain
//! `Chan<Signal>`). The handler and the delivery thread are Rust's
//! (`golang_os::signal`): they deliver without the GIL, so thread
//! goroutines, greenlets and async goroutines all receive from the same
//! channel. The SIGINT / KeyboardInterrupt rules and the argument checks of
//! `Notify(ch, *sigs)` live in `python/golang/os/_signal.py`.

use crate::gil;
use crate::pychan::{AnyChan, PyChan};
use crate::value::{go_panic, PySignal};
use golang_chan::Chan;
use golang_os::Signal;
use pyo3::basic::CompareOp;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

#[pymethods]
impl PySignal {
    /// `os.Signal()` is the zero value `os.Signal(0)`, as in Pygolang (which
    /// ignores arguments; here a number is refused rather than ignored).
    #[new]
    #[pyo3(signature = (*args, **kw))]
    fn new(args: &Bound<'_, pyo3::types::PyTuple>, kw: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PySignal> {
        if !args.is_empty() || kw.is_some_and(|k| !k.is_empty()) {
            return Err(PyTypeError::new_err(golang_pycore::msg::SIGNAL_NO_ARGS));
        }
        Ok(PySignal::of(Signal(0)))
    }

    /// The dtype of channels of signals (`chan(dtype=golang.os.Signal)`).
    #[classattr]
    fn dtype() -> &'static str {
        "C.os::Signal"
    }

    /// The signal number.
    #[getter]
    fn signo(&self) -> i32 {
        self.sig.0
    }

    fn __str__(&self) -> String {
        self.sig.to_string()
    }

    fn __repr__(&self) -> String {
        format!("os.Signal({})", self.sig.0)
    }

    fn __hash__(&self) -> isize {
        self.sig.0 as isize
    }

    /// Equal only to a Signal of the same number (not to an int).
    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> Py<PyAny> {
        let py = other.py();
        let eq = match other.cast::<PySignal>() {
            Ok(o) => o.get().sig == self.sig,
            Err(_) => false,
        };
        match op {
            CompareOp::Eq => eq.into_pyobject(py).unwrap().to_owned().into_any().unbind(),
            CompareOp::Ne => (!eq).into_pyobject(py).unwrap().to_owned().into_any().unbind(),
            _ => py.NotImplemented(),
        }
    }
}

/// `golang._os._PySignal_from_int(signo)`: the internal constructor.
#[pyfunction]
#[pyo3(name = "_PySignal_from_int")]
pub fn signal_from_int(signo: i32) -> PySignal {
    PySignal::of(Signal(signo))
}

/// The `Chan<Signal>` of `ch`, or Pygolang's panic for another dtype.
fn signal_chan(ch: &Bound<'_, PyAny>) -> PyResult<Chan<Signal>> {
    let py = ch.py();
    let Ok(c) = ch.cast::<PyChan>() else {
        return Err(PyTypeError::new_err(golang_pycore::msg::expect_chan(ch.repr()?)));
    };
    match c.get().ch() {
        AnyChan::Signal(c) => Ok(c.clone()),
        _ => Err(go_panic(py, golang_pycore::msg::CHAN_TYPE_MISMATCH)),
    }
}

/// Checks that `ch` is a chan of dtype 'C.os::Signal' (Notify and Stop
/// check it before their other arguments).
#[pyfunction]
pub fn _signal_check_chan(ch: &Bound<'_, PyAny>) -> PyResult<()> {
    signal_chan(ch).map(drop)
}

fn signals(signos: Vec<i32>) -> Vec<Signal> {
    signos.into_iter().map(Signal).collect()
}

/// Runs `f` without the GIL (stop and reset wait for the delivery thread)
/// and turns its error into Pygolang's panic.
fn run(py: Python<'_>, f: impl Send + FnOnce() -> Result<(), golang_os::signal::SignalError>) -> PyResult<()> {
    gil::detach(py, f).map_err(|e| go_panic(py, e.to_string()))
}

/// `signal.Notify(ch, *sigs)` on numbers (empty: all signals).
#[pyfunction]
pub fn _signal_notify(py: Python<'_>, ch: &Bound<'_, PyAny>, signos: Vec<i32>) -> PyResult<()> {
    let ch = signal_chan(ch)?;
    run(py, move || golang_os::signal::notify(&ch, &signals(signos)))
}

/// `signal.Stop(ch)`.
#[pyfunction]
pub fn _signal_stop(py: Python<'_>, ch: &Bound<'_, PyAny>) -> PyResult<()> {
    let ch = signal_chan(ch)?;
    run(py, move || golang_os::signal::stop(&ch))
}

/// `signal.Ignore(*sigs)` on numbers (empty: all signals).
#[pyfunction]
pub fn _signal_ignore(py: Python<'_>, signos: Vec<i32>) -> PyResult<()> {
    run(py, move || golang_os::signal::ignore(&signals(signos)))
}

/// `signal.Reset(*sigs)` on numbers (empty: all signals).
#[pyfunction]
pub fn _signal_reset(py: Python<'_>, signos: Vec<i32>) -> PyResult<()> {
    run(py, move || golang_os::signal::reset(&signals(signos)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySignal>()?;
    m.add_function(wrap_pyfunction!(signal_from_int, m)?)?;
    m.add_function(wrap_pyfunction!(_signal_check_chan, m)?)?;
    m.add_function(wrap_pyfunction!(_signal_notify, m)?)?;
    m.add_function(wrap_pyfunction!(_signal_stop, m)?)?;
    m.add_function(wrap_pyfunction!(_signal_ignore, m)?)?;
    m.add_function(wrap_pyfunction!(_signal_reset, m)?)?;
    Ok(())
}
