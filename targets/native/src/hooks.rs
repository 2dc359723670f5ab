//! Test hooks behind `golang._golang_test` (as Pygolang's tests use them):
//! queue lengths of a channel, "panic instead of blocking", and typed
//! channel operations done from Rust (`pychan_X_recv/send/close`).

#![allow(non_snake_case)] // the hooks keep Pygolang's names (pychan_structZ_*)

use crate::gil;
use crate::ops::{AnyOp, RecvOp, SendOp};
use crate::rawchan::PyChan;
use crate::value::{each_chan, panic_err, recv_out, AnyChan, DType, Val};
use golang_chan::{Chan, Spin};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyInt};
use std::sync::atomic::Ordering;

/// Number of receivers waiting on `ch`.
#[pyfunction]
pub fn _len_recvq(ch: &Bound<'_, PyChan>) -> usize {
    each_chan!(ch.get().ch(), c => c.waiting_receivers())
}

/// Number of senders waiting on `ch`.
#[pyfunction]
pub fn _len_sendq(ch: &Bound<'_, PyChan>) -> usize {
    each_chan!(ch.get().ch(), c => c.waiting_senders())
}

/// Makes operations that would block panic "t: blocks forever" (or not).
#[pyfunction]
pub fn _set_panic_when_blocked(on: bool) -> bool {
    crate::gil::PANIC_WHEN_BLOCKED.swap(on, Ordering::SeqCst)
}

// ---- pychan_{structZ,bool,int,double}_{recv,send,close} ----
//
// Pygolang 0.1's tests check that Python code and C code interoperate on
// one typed channel: these hooks do the operation from Rust, on the typed
// `Chan<T>` itself, with the GIL released while the thread waits (under
// gevent the greenlet waits in the hub instead, as every blocking operation
// there does). A channel of another dtype panics
// "pychan: channel type mismatch", as Pygolang's `pych.chan_X()` does.

/// The typed channel of `ch`, which must be of dtype `want`.
fn typed_chan(py: Python<'_>, ch: &Bound<'_, PyChan>, want: DType) -> PyResult<AnyChan> {
    let c = ch.get().ch();
    if c.dtype() != want {
        return Err(crate::value::go_panic(py, golang_pycore::msg::CHAN_TYPE_MISMATCH));
    }
    Ok(c.clone())
}

/// Receives from `ch` (of dtype `want`) in Rust: the value, or the dtype's
/// zero value once `ch` is closed and drained.
fn hook_recv(py: Python<'_>, ch: &Bound<'_, PyChan>, want: DType) -> PyResult<Py<PyAny>> {
    let c = typed_chan(py, ch, want)?;
    if crate::gevent::enabled() {
        return crate::gevent::block_greenlet(py, AnyOp::Recv(RecvOp { ch: c, with_ok: false }));
    }
    each_chan!(c, c => {
        let v = gil::block_thread(py, |intr| c.recv_blocking_spin(Spin::Rendezvous, intr))?;
        recv_out(py, v, false)
    })
}

/// Sends `v` (already converted for `want`) on `ch` in Rust.
fn hook_send(py: Python<'_>, ch: &Bound<'_, PyChan>, want: DType, v: Val) -> PyResult<()> {
    let c = typed_chan(py, ch, want)?;
    if crate::gevent::enabled() {
        return crate::gevent::block_greenlet(py, AnyOp::Send(SendOp { ch: c, v })).map(drop);
    }
    fn send<T: Send>(py: Python<'_>, c: Chan<T>, v: T) -> PyResult<()> {
        gil::block_thread(py, |intr| c.send_blocking_spin(v, Spin::Rendezvous, intr))?.map_err(|e| panic_err(py, e))
    }
    match (c, v) {
        (AnyChan::StructZ(c), Val::StructZ) => send(py, c, ()),
        (AnyChan::Bool(c), Val::Bool(v)) => send(py, c, v),
        (AnyChan::Int(c), Val::Int(v)) => send(py, c, v),
        (AnyChan::Double(c), Val::Double(v)) => send(py, c, v),
        _ => unreachable!("the value is converted for the hook's dtype"),
    }
}

/// Closes `ch` (of dtype `want`) in Rust, without the GIL.
fn hook_close(py: Python<'_>, ch: &Bound<'_, PyChan>, want: DType) -> PyResult<()> {
    let c = typed_chan(py, ch, want)?;
    gil::detach(py, || each_chan!(&c, c => c.try_close())).map_err(|e| panic_err(py, e))?;
    if crate::gevent::enabled() {
        crate::gevent::flush(py)?; // resume the greenlets it woke
    }
    Ok(())
}

/// `pychan_structZ_recv(ch)`: receive from a `chan(dtype='C.structZ')` in Rust.
#[pyfunction]
pub fn pychan_structZ_recv(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<Py<PyAny>> {
    hook_recv(py, ch, DType::StructZ)
}
/// `pychan_bool_recv(ch)`: receive from a `chan(dtype='C.bool')` in Rust.
#[pyfunction]
pub fn pychan_bool_recv(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<Py<PyAny>> {
    hook_recv(py, ch, DType::Bool)
}
/// `pychan_int_recv(ch)`: receive from a `chan(dtype='C.int')` in Rust.
#[pyfunction]
pub fn pychan_int_recv(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<Py<PyAny>> {
    hook_recv(py, ch, DType::Int)
}
/// `pychan_double_recv(ch)`: receive from a `chan(dtype='C.double')` in Rust.
#[pyfunction]
pub fn pychan_double_recv(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<Py<PyAny>> {
    hook_recv(py, ch, DType::Double)
}

/// `pychan_structZ_send(ch, None)`: send on a `chan(dtype='C.structZ')` in
/// Rust; anything but None raises `TypeError("cannot convert %r to structZ")`.
#[pyfunction]
pub fn pychan_structZ_send(py: Python<'_>, ch: &Bound<'_, PyChan>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    if !obj.is_none() {
        return Err(PyTypeError::new_err(golang_pycore::msg::hook_not_structz(obj.repr()?)));
    }
    hook_send(py, ch, DType::StructZ, Val::StructZ)
}
// The send hooks convert their argument as Pygolang's (Cython) hooks do,
// like C's conversions: bool is the object's truth, int takes an int or
// truncates a float (OverflowError outside C int), double takes what
// float() takes from a number.

/// `pychan_bool_send(ch, v)`: send `bool(v)` on a `chan(dtype='C.bool')` in Rust.
#[pyfunction]
pub fn pychan_bool_send(py: Python<'_>, ch: &Bound<'_, PyChan>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    hook_send(py, ch, DType::Bool, Val::Bool(obj.is_truthy()?))
}
/// `pychan_int_send(ch, v)`: send the C int of v on a `chan(dtype='C.int')` in Rust.
#[pyfunction]
pub fn pychan_int_send(py: Python<'_>, ch: &Bound<'_, PyChan>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let i = if obj.is_instance_of::<PyInt>() {
        obj.clone()
    } else if obj.is_instance_of::<PyFloat>() {
        obj.call_method0("__int__")? // truncates, as C does
    } else {
        return Err(PyTypeError::new_err(golang_pycore::msg::HOOK_INT_REQUIRED));
    };
    let v: i32 = i.extract().map_err(|_| PyOverflowError::new_err(golang_pycore::msg::HOOK_INT_TOO_LARGE))?;
    hook_send(py, ch, DType::Int, Val::Int(v))
}
/// `pychan_double_send(ch, v)`: send float(v) on a `chan(dtype='C.double')` in Rust.
#[pyfunction]
pub fn pychan_double_send(py: Python<'_>, ch: &Bound<'_, PyChan>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
    let v: f64 = obj.extract().map_err(|_| {
        let name = obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(golang_pycore::msg::hook_not_real(name))
    })?;
    hook_send(py, ch, DType::Double, Val::Double(v))
}

/// `pychan_structZ_close(ch)`: close a `chan(dtype='C.structZ')` in Rust.
#[pyfunction]
pub fn pychan_structZ_close(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<()> {
    hook_close(py, ch, DType::StructZ)
}
/// `pychan_bool_close(ch)`: close a `chan(dtype='C.bool')` in Rust.
#[pyfunction]
pub fn pychan_bool_close(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<()> {
    hook_close(py, ch, DType::Bool)
}
/// `pychan_int_close(ch)`: close a `chan(dtype='C.int')` in Rust.
#[pyfunction]
pub fn pychan_int_close(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<()> {
    hook_close(py, ch, DType::Int)
}
/// `pychan_double_close(ch)`: close a `chan(dtype='C.double')` in Rust.
#[pyfunction]
pub fn pychan_double_close(py: Python<'_>, ch: &Bound<'_, PyChan>) -> PyResult<()> {
    hook_close(py, ch, DType::Double)
}

/// Adds the `pychan_*` hooks to the module `m` (for `golang._golang_test`).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(pychan_structZ_recv, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_bool_recv, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_int_recv, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_double_recv, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_structZ_send, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_bool_send, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_int_send, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_double_send, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_structZ_close, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_bool_close, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_int_close, m)?)?;
    m.add_function(wrap_pyfunction!(pychan_double_close, m)?)?;
    Ok(())
}
