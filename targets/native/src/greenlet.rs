//! greenlet's C API (the `greenlet._C_API` capsule, as greenlet.h reads
//! it): the driver of a synchronous goroutine of a run (syncrun.rs)
//! switches into the goroutine's greenlet and back with it, without a
//! Python-level method call.
//!
//! The capsule holds an array of pointers whose first slots have kept their
//! index and signature since greenlet 0.4 (greenlet.h, `*_NUM`): the
//! greenlet type (0), GreenletExit (2), `PyGreenlet_GetCurrent` (4) and
//! `PyGreenlet_Switch` (6) are the ones used here.

use pyo3::ffi;
use pyo3::prelude::*;
use std::sync::OnceLock;

type GetCurrent = unsafe extern "C" fn() -> *mut ffi::PyObject;
type Switch = unsafe extern "C" fn(*mut ffi::PyObject, *mut ffi::PyObject, *mut ffi::PyObject) -> *mut ffi::PyObject;

/// The entries of the capsule this module uses.
struct Api {
    get_current: GetCurrent,
    switch: Switch,
    /// `greenlet.GreenletExit` (a type object of the greenlet module, which
    /// is never unloaded; kept as an address to make the struct Sync).
    greenlet_exit: usize,
}

static API: OnceLock<Api> = OnceLock::new();

const GREENLET_EXIT_NUM: usize = 2;
const GET_CURRENT_NUM: usize = 4;
const SWITCH_NUM: usize = 6;

fn api(py: Python<'_>) -> PyResult<&'static Api> {
    if let Some(a) = API.get() {
        return Ok(a);
    }
    // SAFETY: the GIL is held (`py`); PyCapsule_Import imports `greenlet`
    // and returns the capsule's pointer, an array of at least 12 pointers
    // (PyGreenlet_API_pointers) that lives as long as the module, i.e. for
    // the rest of the process; the slots read are those of greenlet.h.
    let a = unsafe {
        let p = ffi::PyCapsule_Import(c"greenlet._C_API".as_ptr(), 0) as *const *mut std::ffi::c_void;
        if p.is_null() {
            return Err(PyErr::fetch(py));
        }
        Api {
            get_current: std::mem::transmute::<*mut std::ffi::c_void, GetCurrent>(*p.add(GET_CURRENT_NUM)),
            switch: std::mem::transmute::<*mut std::ffi::c_void, Switch>(*p.add(SWITCH_NUM)),
            greenlet_exit: *p.add(GREENLET_EXIT_NUM) as usize,
        }
    };
    Ok(API.get_or_init(|| a))
}

/// `greenlet.getcurrent()`.
pub(crate) fn current(py: Python<'_>) -> PyResult<Py<PyAny>> {
    let a = api(py)?;
    // SAFETY: GIL held; PyGreenlet_GetCurrent returns a new reference (or
    // NULL with an exception set).
    unsafe { Bound::from_owned_ptr_or_err(py, (a.get_current)()).map(Bound::unbind) }
}

/// `g.switch()`: runs greenlet `g` (of this thread) until some greenlet
/// switches back to the caller's; Err when an exception is raised into
/// the caller's greenlet instead (its disposal: GreenletExit), or when `g`
/// cannot be switched to. What was passed back is not needed here (the
/// two sides hand over through syncrun.rs's thread-locals).
///
/// No RefCell borrow nor reference into the caller's stack may be held
/// across this call by code the other greenlet can reach.
pub(crate) fn switch(py: Python<'_>, g: &Py<PyAny>) -> PyResult<()> {
    let a = api(py)?;
    let args = pyo3::types::PyTuple::empty(py);
    // SAFETY: GIL held; `g` is a live greenlet (callers pass only greenlets
    // made by `_new_greenlet` or returned by `current`), `args` a tuple and
    // kwargs NULL, as PyGreenlet_Switch takes them; it returns a new
    // reference or NULL with an exception set.
    let r = unsafe { (a.switch)(g.as_ptr(), args.as_ptr(), std::ptr::null_mut()) };
    if r.is_null() {
        return Err(PyErr::fetch(py));
    }
    // SAFETY: a new reference (above), released here.
    unsafe { ffi::Py_DECREF(r) };
    Ok(())
}

/// Whether `e` is a `greenlet.GreenletExit` (a greenlet being disposed of).
pub(crate) fn is_greenlet_exit(py: Python<'_>, e: &PyErr) -> bool {
    let Some(a) = API.get() else { return false };
    // SAFETY: the address is GreenletExit's type object, alive for the rest
    // of the process (see `Api`); borrowed, not released.
    let t = unsafe { Bound::from_borrowed_ptr(py, a.greenlet_exit as *mut ffi::PyObject) };
    e.is_instance(py, &t)
}

/// Whether greenlet `g` has finished (`g.dead`).
pub(crate) fn is_dead(g: &Bound<'_, PyAny>) -> bool {
    g.getattr(pyo3::intern!(g.py(), "dead")).and_then(|d| d.is_truthy()).unwrap_or(true)
}
