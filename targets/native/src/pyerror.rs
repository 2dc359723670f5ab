//! `golang.error` natively: Pygolang 0.1's `golang._golang.pyerror`, a
//! subclass of `Exception` laid out as the Cython class that
//! golang/_golang.pxd declares, so that Cython code reads `e.err` (the C++
//! error) and converts C++ errors with `pyerror.from_error(err)`.
//!
//! The behaviour (Error, Unwrap, ==, hash, str, repr, the constructor's
//! rules) is written once, in python/golang/_pyerror.py, for both cores:
//! the methods here call those functions. This file adds only what needs
//! the layout.
//!
//! Invariants:
//! 1. `PyError` has exactly the layout of Cython's `struct { PyBaseExceptionObject
//!    base; void *__pyx_vtab; error err; PyObject *args; PyObject *_goerr;
//!    PyObject *_cxxref; }`: `#[repr(C)]`, these fields in this order and
//!    nothing after them (the class is frozen, has no weak-reference list, and
//!    its dict is BaseException's). A cimporting module checks the size.
//! 2. `err` is NULL, or the C++ `_error*` that the capsule `cxxref` holds one
//!    reference to: the capsule's destructor releases it, so `err` is valid
//!    for as long as this object lives. A C++ error converted by
//!    `pyerror.from_error` keeps its own; an error made by Python code gets
//!    a C++ twin (`errors::New(text)`, `fmt::_WrapError`) made with the
//!    functions the first Cython extension registered at its load
//!    (`pyerror_cxx`, invariant 4), and none while no extension has (`err`
//!    is nil then: no C++ code can read it yet).
//! 4. `CXX` is set once, by the first registration, and never changes.
//! 3. `goerr` is the Go-level error (a `golang._pyerror._GoError`) of an
//!    exact pyerror, None for instances of Python-level subclasses; `args`
//!    is the constructor's argument tuple (`()` for wrapped errors). Neither
//!    changes after construction.

use crate::value::VTab;
use pyo3::exceptions::{PyException, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyTuple, PyType};
use golang_capi::{CxxErrNewText, CxxErrNewWrap, CxxErrRelease};
use std::ffi::c_void;
use std::sync::OnceLock;

/// The name of the capsule that holds a C++ error's reference
/// (golang/_golang_pyx.h makes them).
const CXXERR_CAPSULE: &std::ffi::CStr = c"golang._cxxerror";

/// A C++ `_error*` borrowed from the capsule `cxxref` (invariant 2).
#[repr(transparent)]
struct CxxErr(*mut c_void);
// SAFETY: the pointer is only stored here, for Cython code to read; this
// file never dereferences it.
unsafe impl Send for CxxErr {}
// SAFETY: as above.
unsafe impl Sync for CxxErr {}

/// `golang.error` (`golang._golang.pyerror`).
#[pyclass(name = "pyerror", module = "golang._golang", extends = PyException, subclass, frozen)]
#[repr(C)]
pub struct PyError {
    /// Cython's `__pyx_vtab` (invariant 1).
    vtab: VTab,
    /// Cython's `err`: the C++ error, or NULL (invariant 2).
    err: CxxErr,
    /// Cython's `args`: the constructor's arguments (invariant 3).
    args: Py<PyAny>,
    /// Cython's `_goerr`: the Go-level error, or None (invariant 3).
    goerr: Py<PyAny>,
    /// Cython's `_cxxref`: the capsule owning `err`'s reference, or None.
    cxxref: Py<PyAny>,
}

/// The C++ error makers registered by the first extension (invariant 4).
static CXX: OnceLock<(CxxErrNewText, CxxErrNewWrap, CxxErrRelease)> = OnceLock::new();

/// `pyerror_cxx` of the C ABI (feature 3): registers the C++ error makers.
pub extern "C" fn pyerror_cxx(text: CxxErrNewText, wrap: CxxErrNewWrap, release: CxxErrRelease) {
    let _ = CXX.set((text, wrap, release));
}

/// The destructor of the capsules this file makes: releases the C++ error.
unsafe extern "C" fn cxxerr_capsule_free(cap: *mut pyo3::ffi::PyObject) {
    // SAFETY: `cap` is one of our capsules, named CXXERR_CAPSULE.
    let p = unsafe { pyo3::ffi::PyCapsule_GetPointer(cap, CXXERR_CAPSULE.as_ptr()) };
    if let (false, Some((_, _, release))) = (p.is_null(), CXX.get()) {
        release(p);
    }
}

/// A new reference to a C++ twin of the Go-level error `goerr` (a
/// `_TextError` or `_WrapError` of Python; a `_CxxError`'s own error), or
/// NULL for any other.
fn cxx_twin(goerr: &Bound<'_, PyAny>, api: &Api, f: &(CxxErrNewText, CxxErrNewWrap, CxxErrRelease)) -> PyResult<*mut c_void> {
    let py = goerr.py();
    let utf8 = |s: Bound<'_, PyAny>| -> PyResult<Vec<u8>> {
        Ok(s.call_method1("encode", ("utf-8", "surrogateescape"))?.extract::<Vec<u8>>()?)
    };
    if goerr.is_instance(api.text_error.bind(py))? {
        let t = utf8(goerr.getattr("_text")?)?;
        return Ok((f.0)(t.as_ptr().cast(), t.len()));
    }
    if goerr.is_instance(api.wrap_error.bind(py))? {
        let prefix = utf8(goerr.getattr("_prefix")?)?;
        let inner = goerr.getattr("_err")?;
        if inner.is_instance(api.cxx_error.bind(py))? {
            // (borrowed from its capsule, which `inner` keeps alive)
            let p = inner.getattr("_cxxref")?.cast::<PyCapsule>()?.pointer_checked(Some(CXXERR_CAPSULE))?;
            return Ok((f.1)(prefix.as_ptr().cast(), prefix.len(), p.as_ptr()));
        }
        let p = cxx_twin(&inner, api, f)?;
        if p.is_null() {
            return Ok(p);
        }
        let w = (f.1)(prefix.as_ptr().cast(), prefix.len(), p);
        (f.2)(p);
        return Ok(w);
    }
    Ok(std::ptr::null_mut())
}

/// The C++ error of an exact error over `goerr` (invariant 2): its own for
/// a `_CxxError`, else a twin once an extension registered how to make one.
fn cxx_of(goerr: &Bound<'_, PyAny>) -> PyResult<Option<(CxxErr, Py<PyAny>)>> {
    let py = goerr.py();
    let api = api(py)?;
    if goerr.is_instance(api.cxx_error.bind(py))? {
        let cap = goerr.getattr("_cxxref")?;
        let p = cap.cast::<PyCapsule>()?.pointer_checked(Some(CXXERR_CAPSULE))?;
        return Ok(Some((CxxErr(p.as_ptr()), cap.unbind())));
    }
    let Some(f) = CXX.get() else { return Ok(None) };
    let p = cxx_twin(goerr, api, f)?;
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: a static NUL-terminated name; the destructor releases `p`
    // through the registered function (invariant 2).
    let cap = unsafe { pyo3::ffi::PyCapsule_New(p, CXXERR_CAPSULE.as_ptr(), Some(cxxerr_capsule_free)) };
    if cap.is_null() {
        (f.2)(p);
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own.
    let cap = unsafe { Bound::from_owned_ptr(py, cap) };
    Ok(Some((CxxErr(p), cap.unbind())))
}

/// The functions of golang/_pyerror.py that the methods call.
struct Api {
    text_error: Py<PyAny>,
    wrap_error: Py<PyAny>,
    cxx_error: Py<PyAny>,
    exact_goerr: Py<PyAny>,
    error: Py<PyAny>,
    unwrap: Py<PyAny>,
    eq: Py<PyAny>,
    hash: Py<PyAny>,
    str_: Py<PyAny>,
    repr: Py<PyAny>,
}
static API: PyOnceLock<Api> = PyOnceLock::new();

fn api(py: Python<'_>) -> PyResult<&'static Api> {
    API.get_or_try_init(py, || {
        let m = py.import("golang._pyerror")?;
        let f = |name: &str| m.getattr(name).map(Bound::unbind);
        Ok(Api {
            text_error: f("_TextError")?,
            wrap_error: f("_WrapError")?,
            cxx_error: f("_CxxError")?,
            exact_goerr: f("_exact_goerr")?,
            error: f("_Error")?,
            unwrap: f("_Unwrap")?,
            eq: f("_eq")?,
            hash: f("_hash")?,
            str_: f("_str")?,
            repr: f("_repr")?,
        })
    })
}

impl PyError {
    fn new_exact(py: Python<'_>, goerr: Py<PyAny>, cxx: Option<(CxxErr, Py<PyAny>)>) -> PyError {
        let (err, cxxref) = cxx.unwrap_or((CxxErr(std::ptr::null_mut()), py.None()));
        PyError { vtab: VTab::PYX, err, args: PyTuple::empty(py).into_any().unbind(), goerr, cxxref }
    }
}

#[pymethods]
impl PyError {
    /// `error(text)`: an exact error of that text (exactly one argument);
    /// a subclass takes any arguments, kept as `args` (invariant 3).
    #[new]
    #[classmethod]
    #[pyo3(signature = (*args, **_kw))]
    fn new(cls: &Bound<'_, PyType>, args: &Bound<'_, PyTuple>, _kw: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PyError> {
        let py = cls.py();
        if !cls.is(py.get_type::<PyError>()) {
            let null = CxxErr(std::ptr::null_mut());
            return Ok(PyError { vtab: VTab::PYX, err: null, args: args.clone().into_any().unbind(), goerr: py.None(), cxxref: py.None() });
        }
        let goerr = api(py)?.exact_goerr.call1(py, (args,))?;
        let mut e = PyError::new_exact(py, goerr.clone_ref(py), cxx_of(goerr.bind(py))?);
        e.args = args.clone().into_any().unbind();
        Ok(e)
    }

    /// The constructor's arguments (read-only).
    #[getter]
    fn args(&self, py: Python<'_>) -> Py<PyAny> {
        self.args.clone_ref(py)
    }

    /// The Go-level error (None for Python-level subclasses).
    #[getter]
    fn _err(&self, py: Python<'_>) -> Py<PyAny> {
        self.goerr.clone_ref(py)
    }

    #[allow(non_snake_case)]
    fn Error(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        api(slf.py())?.error.call1(slf.py(), (slf,))
    }

    #[allow(non_snake_case)]
    fn Unwrap(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        api(slf.py())?.unwrap.call1(slf.py(), (slf,))
    }

    fn __eq__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        api(slf.py())?.eq.call1(slf.py(), (slf, other))
    }

    fn __ne__(slf: &Bound<'_, Self>, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        Ok(!api(slf.py())?.eq.bind(slf.py()).call1((slf, other))?.is_truthy()?)
    }

    fn __hash__(slf: &Bound<'_, Self>) -> PyResult<isize> {
        api(slf.py())?.hash.bind(slf.py()).call1((slf,))?.hash()
    }

    fn __str__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        api(slf.py())?.str_.call1(slf.py(), (slf,))
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        api(slf.py())?.repr.call1(slf.py(), (slf,))
    }
}

/// `_pyerror_wrap(goerr, cxxref=None)`: a new exact error over the Go-level
/// error `goerr`; with `cxxref`, a capsule "golang._cxxerror" holding the C++
/// error it came from (golang/_golang_pyx.h's `pyerror.from_error`), which
/// becomes `e.err` for Cython code (invariant 2).
#[pyfunction]
#[pyo3(signature = (goerr, cxxref=None))]
pub fn _pyerror_wrap(py: Python<'_>, goerr: Bound<'_, PyAny>, cxxref: Option<Bound<'_, PyAny>>) -> PyResult<Py<PyError>> {
    let cxx = match cxxref {
        None => cxx_of(&goerr)?,
        Some(c) => {
            let cap = c.cast::<PyCapsule>().map_err(|_| PyTypeError::new_err("cxxref: not a golang._cxxerror capsule"))?;
            // (PyCapsule_GetPointer refuses a capsule of another name)
            let p = cap.pointer_checked(Some(CXXERR_CAPSULE))?;
            Some((CxxErr(p.as_ptr()), c.clone().unbind()))
        }
    };
    Py::new(py, PyError::new_exact(py, goerr.unbind(), cxx))
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyError>()?;
    m.add_function(wrap_pyfunction!(_pyerror_wrap, m)?)?;
    Ok(())
}
