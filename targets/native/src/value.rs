//! Values: the dtypes of channels and how Python values convert to and from
//! them, the `chan` and `os.Signal` objects' data, and Go's panic messages.
//!
//! The bottom layer of the native core (see docs/ARCHITECTURE.md, "Layers
//! of the two cores"): it imports no other file of the crate. The dtypes,
//! the conversion rules and their messages are the shared crate's
//! (`golang-pycore`, also under the wasm core): this file describes a
//! Python value as a `PyKind` and makes the answer a `Val` or a Python
//! exception. The Python methods of `chan` and `os.Signal` are in
//! `pychan.rs` and `signal.rs`.
//!
//! | dtype       | Rust element | zero value |
//! |-------------|--------------|------------|
//! | object      | `Py<PyAny>`  | None       |
//! | 'C.structZ' | `()`         | None       |
//! | 'C.bool'    | `bool`       | False      |
//! | 'C.int'     | `i32`        | 0          |
//! | 'C.double'  | `f64`        | 0.0        |
//! | 'C.os::Signal' | `golang_os::Signal` | os.Signal(0) |

use golang_chan::ChanError;
use golang_os::Signal;
use golang_pycore::{Conv, PyKind};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyType};

/// Raises Go's panic `msg` as `golang._PanicError(msg)`.
pub(crate) fn go_panic(py: Python<'_>, msg: impl Into<String>) -> PyErr {
    static PANIC_ERROR: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    match PANIC_ERROR.import(py, "golang._pyfunc", "_PanicError") {
        Ok(cls) => PyErr::from_type(cls.clone(), (msg.into(),)),
        Err(e) => e,
    }
}

/// The element type of a channel (the shared crate's). Its code is
/// Pygolang's C enum `DType` (`DTYPE_PYOBJECT` = 0 ...), which Cython reads
/// from a `chan` (rawchan.rs, invariant 3).
pub use golang_pycore::DType;

/// A channel of any dtype: the shared crate's, over Python objects and
/// OS signals.
pub type AnyChan = golang_pycore::chan::AnyChan<Py<PyAny>, Signal>;

/// Runs `$body` with `$c` the typed channel inside an `AnyChan`.
pub(crate) use golang_pycore::each_chan;

/// An element type of a Python channel: how it converts to Python.
pub trait Elem: Send + Sized + 'static {
    /// The Python object for a received value.
    fn into_py(self, py: Python<'_>) -> Py<PyAny>;
    /// The Python zero value of the dtype (what recv gives on close).
    fn zero(py: Python<'_>) -> Py<PyAny>;
}

impl Elem for Py<PyAny> {
    fn into_py(self, _py: Python<'_>) -> Py<PyAny> {
        self
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        py.None()
    }
}
impl Elem for () {
    fn into_py(self, py: Python<'_>) -> Py<PyAny> {
        py.None()
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        py.None()
    }
}
impl Elem for bool {
    fn into_py(self, py: Python<'_>) -> Py<PyAny> {
        PyBool::new(py, self).to_owned().into_any().unbind()
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        false.into_py(py)
    }
}
impl Elem for i32 {
    fn into_py(self, py: Python<'_>) -> Py<PyAny> {
        PyInt::new(py, self).into_any().unbind()
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        0i32.into_py(py)
    }
}
impl Elem for f64 {
    fn into_py(self, py: Python<'_>) -> Py<PyAny> {
        PyFloat::new(py, self).into_any().unbind()
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        0f64.into_py(py)
    }
}

/// A value converted for a typed channel.
pub enum Val {
    Obj(Py<PyAny>),
    StructZ,
    Bool(bool),
    Int(i32),
    Double(f64),
    Signal(Signal),
}

impl Val {
    /// A copy (a new reference for objects).
    pub fn clone_ref(&self, py: Python<'_>) -> Val {
        match self {
            Val::Obj(o) => Val::Obj(o.clone_ref(py)),
            Val::StructZ => Val::StructZ,
            Val::Bool(b) => Val::Bool(*b),
            Val::Int(i) => Val::Int(*i),
            Val::Double(d) => Val::Double(*d),
            Val::Signal(s) => Val::Signal(*s),
        }
    }
}

/// What `obj` is, for the shared conversion rules.
fn kind(obj: &Bound<'_, PyAny>) -> PyKind {
    if obj.is_none() {
        PyKind::None
    } else if let Ok(b) = obj.cast::<PyBool>() {
        PyKind::Bool(b.is_true())
    } else if let Ok(i) = obj.cast::<PyInt>() {
        PyKind::Int(i.extract::<i64>().ok())
    } else if let Ok(f) = obj.cast::<PyFloat>() {
        PyKind::Float(f.value())
    } else if let Ok(s) = obj.cast::<PySignal>() {
        PyKind::Signal(s.get().sig.0)
    } else {
        PyKind::Other
    }
}

/// Converts `obj` for a channel of `dtype` (TypeError or OverflowError, by
/// the shared rules, on a value the dtype does not take).
pub fn to_val(dtype: DType, obj: &Bound<'_, PyAny>) -> PyResult<Val> {
    if dtype == DType::Obj {
        return Ok(Val::Obj(obj.clone().unbind())); // (every object: no kind to find)
    }
    Ok(match golang_pycore::convert(dtype, kind(obj)) {
        Ok(Conv::Object) => Val::Obj(obj.clone().unbind()),
        Ok(Conv::StructZ) => Val::StructZ,
        Ok(Conv::Bool(b)) => Val::Bool(b),
        Ok(Conv::Int(i)) => Val::Int(i),
        Ok(Conv::Double(d)) => Val::Double(d),
        Ok(Conv::DoubleOfInt) => Val::Double(obj.extract::<f64>()?),
        Ok(Conv::Signal(s)) => Val::Signal(Signal(s)),
        Err(e) => {
            let msg = e.message(&obj.repr()?.to_cow()?);
            return Err(if e.is_overflow() { PyOverflowError::new_err(msg) } else { PyTypeError::new_err(msg) });
        }
    })
}

pub(crate) fn panic_err(py: Python<'_>, e: ChanError) -> PyErr {
    go_panic(py, e.to_string())
}

/// A received value for Python: `v`, or `(v, ok)` with `with_ok`; the
/// dtype's zero value (and ok=False) when the channel was closed.
pub(crate) fn recv_out<T: Elem>(py: Python<'_>, v: Option<T>, with_ok: bool) -> PyResult<Py<PyAny>> {
    let (v, ok) = match v {
        Some(v) => (v.into_py(py), true),
        None => (T::zero(py), false),
    };
    if with_ok {
        Ok(pyo3::types::PyTuple::new(py, [v, ok.into_py(py)])?.into_any().unbind())
    } else {
        Ok(v)
    }
}

/// `golang.os.Signal`: an operating-system signal (use `golang.syscall.SIG*`).
///
/// Laid out as the Cython class `golang._os.PySignal` that golang/_os.pxd
/// declares (`struct { PyObject_HEAD; void *__pyx_vtab; Signal sig; }`):
/// `#[repr(C)]`, these fields in this order, nothing else (as `chan`,
/// rawchan.rs invariant 3).
#[pyclass(name = "PySignal", module = "golang._os", frozen)]
#[repr(C)]
pub struct PySignal {
    /// Cython's `__pyx_vtab`.
    vtab: VTab,
    /// Cython's `sig`.
    pub sig: Signal,
}

/// Cython's `__pyx_vtab` slot of the classes laid out for Cython (`chan`,
/// rawchan.rs invariant 3; `os.Signal`): it points at `PYX_VTABLE`.
#[repr(transparent)]
pub struct VTab(*const std::ffi::c_void);

// SAFETY: points at a static, immutable table.
unsafe impl Send for VTab {}
// SAFETY: as above.
unsafe impl Sync for VTab {}

impl VTab {
    pub const PYX: VTab = VTab(PYX_VTABLE.as_ptr().cast());
}

/// The Cython vtable of those classes (`__pyx_vtable__` of their types).
/// Their C methods are `cdef inline` in the pxd and the classes are final,
/// so Cython calls them directly and never through this table; it exists
/// because a cimporting module fetches it at import. Each entry aborts with
/// a message, should some code call through it anyway.
pub static PYX_VTABLE: [extern "C" fn() -> !; 16] = [pyx_vtable_unused; 16];

extern "C" fn pyx_vtable_unused() -> ! {
    eprintln!("golang: a C method of a golang class was called through its Cython vtable, which has none (see golang/_golang.pxd)");
    std::process::abort()
}

impl PySignal {
    pub fn of(sig: Signal) -> PySignal {
        PySignal { vtab: VTab::PYX, sig }
    }
}

fn new_signal(py: Python<'_>, sig: Signal) -> Py<PyAny> {
    match Py::new(py, PySignal::of(sig)) {
        Ok(s) => s.into_any(),
        // Allocation failure: the error is set; None is all we can give.
        Err(e) => {
            e.restore(py);
            py.None()
        }
    }
}

impl Elem for Signal {
    fn into_py(self, py: Python<'_>) -> Py<PyAny> {
        new_signal(py, self)
    }
    fn zero(py: Python<'_>) -> Py<PyAny> {
        new_signal(py, Signal(0))
    }
}
