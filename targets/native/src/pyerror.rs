//! `golang.error` natively: the layout of Pygolang 0.1's
//! `golang._golang.pyerror` for Cython code, which reads `e.err` (the C++
//! error) and converts C++ errors with `pyerror.from_error(err)`.
//!
//! The class itself is Python's (python/golang/_pyerror.py, one definition
//! for both cores); natively its base is `_pyerror_base`, made here with
//! the limited API (so the abi3 build has it too), which adds two words to
//! `Exception`'s instances: Cython's `__pyx_vtab` (unused, NULL) and `err`.
//! `pyerror`'s `__slots__` (`_s1_args`, `_s2_goerr`, `_s3_cxxref`, which
//! CPython lays out in sorted order right after) are Cython's `args`,
//! `_goerr` and `_cxxref`, so the whole instance is Cython's
//! `struct { PyBaseExceptionObject; void *__pyx_vtab; error err; PyObject
//! *args, *_goerr, *_cxxref; }` (golang/_golang.pxd), and CPython owns
//! and frees the three objects.
//!
//! Invariants:
//! 1. `_pyerror_base`'s instances are `Exception.__basicsize__` rounded up
//!    to a pointer, then `Fields`; nothing else, so the Python subclass
//!    with three slots has exactly Cython's size (checked at cimport).
//! 2. `err` is NULL, or the C++ `_error*` that the capsule in `_s3_cxxref`
//!    holds one reference to (`_pyerror_setcxx` writes both), so it is valid
//!    while the error lives. A C++ error converted by `pyerror.from_error`
//!    keeps its own; an error made by Python code gets a C++ twin
//!    (`errors::New(text)`, `fmt::_WrapError`) made with the functions the
//!    first Cython extension registered at its load (`pyerror_cxx`,
//!    invariant 3), and none while no extension has (no C++ code can read
//!    it yet).
//! 3. `CXX` is set once, by the first registration, and never changes.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyType};
use golang_capi::{CxxErrNewText, CxxErrNewWrap, CxxErrRelease};
use std::ffi::c_void;
use std::sync::OnceLock;

/// The name of the capsules that hold a C++ error's reference
/// (golang/_golang_pyx.h makes them too).
const CXXERR_CAPSULE: &std::ffi::CStr = c"golang._cxxerror";

/// What `_pyerror_base` adds to an `Exception` (invariant 1).
#[repr(C)]
struct Fields {
    /// Cython's `__pyx_vtab` (pyerror's only C method is inline: unused).
    vtab: *const c_void,
    /// Cython's `err` (invariant 2).
    err: *mut c_void,
}

/// The base type and where its fields start in an instance.
struct Base {
    ty: Py<PyType>,
    offset: usize,
}
static BASE: PyOnceLock<Base> = PyOnceLock::new();

fn base(py: Python<'_>) -> PyResult<&'static Base> {
    BASE.get_or_try_init(py, || {
        let exc = py.get_type::<pyo3::exceptions::PyException>();
        let word = std::mem::size_of::<*const c_void>();
        let offset = exc.getattr("__basicsize__")?.extract::<usize>()?.div_ceil(word) * word;
        // The spec and its name live as long as the type: leaked, once.
        let slots: &'static mut [pyo3::ffi::PyType_Slot] =
            Box::leak(Box::new([pyo3::ffi::PyType_Slot { slot: 0, pfunc: std::ptr::null_mut() }]));
        let spec: &'static mut pyo3::ffi::PyType_Spec = Box::leak(Box::new(pyo3::ffi::PyType_Spec {
            name: c"golang._golang._pyerror_base".as_ptr(),
            basicsize: (offset + std::mem::size_of::<Fields>()) as std::os::raw::c_int,
            itemsize: 0,
            flags: (pyo3::ffi::Py_TPFLAGS_DEFAULT | pyo3::ffi::Py_TPFLAGS_BASETYPE) as std::os::raw::c_uint,
            slots: slots.as_mut_ptr(),
        }));
        let bases = pyo3::types::PyTuple::new(py, [exc])?;
        // SAFETY: a valid spec (static) and a tuple of bases; a new
        // reference or NULL with an exception set.
        let ty = unsafe { pyo3::ffi::PyType_FromSpecWithBases(spec, bases.as_ptr()) };
        // SAFETY: see above.
        let ty = unsafe { Bound::from_owned_ptr_or_err(py, ty) }?.cast_into::<PyType>()?;
        Ok(Base { ty: ty.unbind(), offset })
    })
}

/// `_pyerror_setcxx(e, cxxref)`: makes the C++ error held by the capsule
/// `cxxref` the `err` of `e` (invariant 2; the caller stores `cxxref` in
/// `e._s3_cxxref`, which keeps it alive).
#[pyfunction]
pub fn _pyerror_setcxx(e: &Bound<'_, PyAny>, cxxref: &Bound<'_, PyAny>) -> PyResult<()> {
    let b = base(e.py())?;
    if !e.is_instance(b.ty.bind(e.py()))? {
        return Err(PyTypeError::new_err("_pyerror_setcxx: not a golang.error"));
    }
    let cap = cxxref.cast::<PyCapsule>().map_err(|_| PyTypeError::new_err("cxxref: not a golang._cxxerror capsule"))?;
    // (PyCapsule_GetPointer refuses a capsule of another name)
    let p = cap.pointer_checked(Some(CXXERR_CAPSULE))?;
    // SAFETY: `e` is an instance of the base type, so `Fields` lies at
    // `offset` in it (invariant 1); the GIL is held, and only this function
    // writes the field.
    unsafe {
        let f = e.as_ptr().cast::<u8>().add(b.offset).cast::<Fields>();
        (*f).err = p.as_ptr();
    }
    Ok(())
}

/// The C++ error makers registered by the first extension (invariant 3).
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

/// `_cxx_twin(goerr)`: a capsule "golang._cxxerror" holding a new C++
/// twin of the Go-level error `goerr` (a `_TextError` or `_WrapError`),
/// or None while no extension registered how to make one, or for another
/// kind of error (invariant 2).
#[pyfunction]
pub fn _cxx_twin(goerr: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
    let py = goerr.py();
    let Some(f) = CXX.get() else { return Ok(py.None()) };
    let p = cxx_twin(goerr, api(py)?, f)?;
    if p.is_null() {
        return Ok(py.None());
    }
    // SAFETY: a static NUL-terminated name; the destructor releases `p`
    // through the registered function (invariant 2).
    let cap = unsafe { pyo3::ffi::PyCapsule_New(p, CXXERR_CAPSULE.as_ptr(), Some(cxxerr_capsule_free)) };
    if cap.is_null() {
        (f.2)(p);
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference we own.
    Ok(unsafe { Bound::from_owned_ptr(py, cap) }.unbind())
}

/// The classes of golang/_pyerror.py that `cxx_twin` tells apart.
struct Api {
    text_error: Py<PyAny>,
    wrap_error: Py<PyAny>,
    cxx_error: Py<PyAny>,
}
static API: PyOnceLock<Api> = PyOnceLock::new();

fn api(py: Python<'_>) -> PyResult<&'static Api> {
    API.get_or_try_init(py, || {
        let m = py.import("golang._pyerror")?;
        let f = |name: &str| m.getattr(name).map(Bound::unbind);
        Ok(Api { text_error: f("_TextError")?, wrap_error: f("_WrapError")?, cxx_error: f("_CxxError")? })
    })
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("_pyerror_base", base(m.py())?.ty.clone_ref(m.py()))?;
    m.add_function(wrap_pyfunction!(_pyerror_setcxx, m)?)?;
    m.add_function(wrap_pyfunction!(_cxx_twin, m)?)?;
    Ok(())
}
