//! `select(*cases)` and `aselect(*cases)` for Python, with Pygolang's case
//! syntax: `ch.recv` → rx is the value; `ch.recv_` → rx is (value, ok);
//! `(ch.send, obj)` → rx is None; `default` → rx is None.
//!
//! `select` first runs its try pass with the GIL held (a ready case costs
//! no thread switch); only a select that must wait releases the GIL.
//! `aselect` is the same select as an awaitable for async goroutines.
//!
//! `select` is a raw METH_FASTCALL function (`select_fastcall`): it reads
//! its cases from the caller's argument vector (no tuple of them is built),
//! keeps up to `INLINE` of them on the stack, and builds its result tuple
//! directly; a ready select costs ~175 ns instead of ~212.

use crate::coro::AwaitOp;
use crate::gil;
use crate::ops::{got_of, parse, slot, AnyOp, Got, SelectOp, Slot};
use crate::value::panic_err;
use golang_chan::{CaseSlot, Cases, Spin};
use golang_pycore::select::Committed;
use pyo3::prelude::*;
use pyo3::types::{PyModule, PyTuple};
use pyo3::Borrowed;

/// How many cases a select keeps on the stack; a select with more puts
/// them in a `Vec`.
const INLINE: usize = 4;

/// A case slot of the stack array: `None` past the parsed cases (only
/// parsed ones are ever handed to [`Cases`]).
#[derive(Default)]
struct InlineSlot<'a>(Option<Slot<'a>>);

impl CaseSlot for InlineSlot<'_> {
    #[inline]
    fn case(&mut self) -> &mut dyn golang_chan::Case {
        self.0.as_mut().expect("a parsed case").case()
    }
}

/// `select(*cases)`: runs one ready case (or blocks until one is ready);
/// returns `(index, rx)`.
fn select_impl<'a, 'py>(py: Python<'py>, nargs: usize, cases: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>) -> PyResult<Py<PyAny>> {
    if crate::syncrun::blocks_greenlet() {
        return crate::syncrun::block_greenlet(py, AnyOp::Select(SelectOp::parse(py, cases)?));
    }
    let mut inline: [InlineSlot<'a>; INLINE] = Default::default();
    let mut heap: Vec<InlineSlot<'a>> = Vec::new();
    let mut n = 0;
    let default_at = parse(py, cases, |ch, kind, index| {
        let s = InlineSlot(Some(slot(ch, kind, index)));
        if n < INLINE {
            inline[n] = s;
        } else {
            if heap.is_empty() {
                heap.reserve_exact(nargs);
                heap.extend(inline.iter_mut().map(std::mem::take));
            }
            heap.push(s);
        }
        n += 1;
    })?;
    let sel: &mut [InlineSlot<'a>] = if n <= INLINE { &mut inline[..n] } else { &mut heap };
    let r = match gil::nonblocking(py, || Cases::new(sel, default_at.is_some()).try_select()) {
        Some(r) => r,
        None => gil::block_thread(py, |intr| Cases::new(sel, false).wait_blocking_spin(Spin::Always, intr))?,
    };
    let (i, got, with_ok) = match golang_pycore::select::committed(default_at, r) {
        Ok(Committed::Default(i)) => (i, Got::None, false),
        Ok(Committed::Case(k)) => {
            let s = sel[k].0.as_mut().expect("a parsed case");
            (s.index, got_of(&mut s.case), s.with_ok)
        }
        Err(e) => return Err(panic_err(py, e)),
    };
    // Drop the cases (and any send values not sent) before running Python.
    drop(inline);
    drop(heap);
    let rx = got.into_py(py, with_ok)?;
    pair(py, i, rx)
}

/// `(i, rx)` as a new tuple.
fn pair(py: Python<'_>, i: usize, rx: Py<PyAny>) -> PyResult<Py<PyAny>> {
    let i = i.into_pyobject(py)?.into_any().unbind();
    // SAFETY: the GIL is held; PyTuple_New(2) gives a new tuple (or NULL
    // with an exception set, checked); PyTuple_SET_ITEM steals the two
    // new references into its empty slots 0 and 1, as a fresh tuple's
    // slots must be filled before it is used.
    unsafe {
        let t = pyo3::ffi::PyTuple_New(2);
        if t.is_null() {
            return Err(PyErr::fetch(py));
        }
        #[cfg(not(Py_LIMITED_API))]
        {
            pyo3::ffi::PyTuple_SET_ITEM(t, 0, i.into_ptr());
            pyo3::ffi::PyTuple_SET_ITEM(t, 1, rx.into_ptr());
        }
        // The stable ABI has only the checked form (which cannot fail here:
        // `t` is a fresh tuple of two).
        #[cfg(Py_LIMITED_API)]
        {
            pyo3::ffi::PyTuple_SetItem(t, 0, i.into_ptr());
            pyo3::ffi::PyTuple_SetItem(t, 1, rx.into_ptr());
        }
        Ok(Bound::from_owned_ptr(py, t).unbind())
    }
}

/// The C entry point of `select` (METH_FASTCALL): the cases are read
/// straight from the caller's argument vector, without the tuple that a
/// `*args` function gets built for it.
unsafe extern "C" fn select_fastcall(
    _module: *mut pyo3::ffi::PyObject,
    args: *mut *mut pyo3::ffi::PyObject,
    nargs: pyo3::ffi::Py_ssize_t,
) -> *mut pyo3::ffi::PyObject {
    let guard = gil::HangOnUnwind; // see gil::detach: pthread_exit at interpreter exit
    let nargs = nargs.max(0) as usize;
    // CPython calls a METH_FASTCALL function with the GIL held: `attach`
    // only counts it (so that objects dropped here are released at once).
    let r = Python::attach(|py| {
        let cases = (0..nargs).map(move |i| {
            // SAFETY: `args` holds `nargs` valid borrowed references, which
            // the caller keeps alive for the whole call (the `'a` of
            // `Borrowed`).
            unsafe { Borrowed::from_ptr(py, *args.add(i)) }
        });
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // gil.rs invariant 2: a guard below the catch_unwind.
            let guard = gil::HangOnUnwind;
            let r = select_impl(py, nargs, cases);
            std::mem::forget(guard);
            r
        }));
        let r = r.unwrap_or_else(|p| {
            let msg = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic in select".to_string());
            Err(pyo3::panic::PanicException::new_err(msg))
        });
        match r {
            Ok(v) => v.into_ptr(),
            Err(e) => {
                e.restore(py);
                std::ptr::null_mut()
            }
        }
    });
    std::mem::forget(guard);
    r
}

type FastCall = unsafe extern "C" fn(
    *mut pyo3::ffi::PyObject,
    *mut *mut pyo3::ffi::PyObject,
    pyo3::ffi::Py_ssize_t,
) -> *mut pyo3::ffi::PyObject;

/// CPython's METH_FASTCALL (0x0080, the PEP 590 calling convention). It is
/// part of the stable ABI from 3.10 on, and CPython 3.7+ all call it the same
/// way, so the abi3 wheel (built for 3.9, where pyo3 does not name it) uses
/// it too.
const METH_FASTCALL: std::os::raw::c_int = 0x0080;

#[cfg(any(Py_3_10, not(Py_LIMITED_API)))]
fn fastcall_pointer(f: FastCall) -> pyo3::ffi::PyMethodDefPointer {
    pyo3::ffi::PyMethodDefPointer { PyCFunctionFast: f }
}

#[cfg(not(any(Py_3_10, not(Py_LIMITED_API))))]
fn fastcall_pointer(f: FastCall) -> pyo3::ffi::PyMethodDefPointer {
    // SAFETY: PyMethodDefPointer is a union of C function pointers, all of
    // one size; CPython calls it by the signature that ml_flags
    // (METH_FASTCALL) names, which is `f`'s.
    pyo3::ffi::PyMethodDefPointer { PyCFunction: unsafe { std::mem::transmute::<FastCall, pyo3::ffi::PyCFunction>(f) } }
}

/// The `select` function object of module `module` (METH_FASTCALL, see
/// [`select_fastcall`]).
pub fn select_function<'py>(module: &Bound<'py, PyModule>) -> PyResult<Bound<'py, PyAny>> {
    let py = module.py();
    // CPython keeps a pointer to the method definition for as long as the
    // function lives: give it one that is never freed.
    let def: &'static mut pyo3::ffi::PyMethodDef = Box::leak(Box::new(pyo3::ffi::PyMethodDef {
        ml_name: c"select".as_ptr(),
        ml_meth: fastcall_pointer(select_fastcall),
        ml_flags: METH_FASTCALL,
        ml_doc: c"select(*cases) -> (index, rx): runs one ready case, or blocks until one is ready.".as_ptr(),
    }));
    let name = module.name()?;
    // SAFETY: `def` is a valid, 'static method definition whose flags match
    // its function pointer; `name` is a str; the result is a new reference
    // or NULL with an exception set.
    unsafe { Bound::from_owned_ptr_or_err(py, pyo3::ffi::PyCFunction_NewEx(def, std::ptr::null_mut(), name.as_ptr())) }
}

/// `await aselect(*cases)`: select for async goroutines.
#[pyfunction]
#[pyo3(signature = (*cases))]
pub fn aselect(py: Python<'_>, cases: &Bound<'_, PyTuple>) -> PyResult<AwaitOp> {
    Ok(AwaitOp::new(AnyOp::Select(SelectOp::parse(py, cases.iter_borrowed())?)))
}
