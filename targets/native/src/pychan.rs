//! `chan`: a Python handle on a `Chan<T>`, with `T` picked by the dtype
//! (the dtypes and their conversions are in `value.rs`).
//!
//! A dtype may also be given as an object whose `.dtype` names one
//! (`chan(dtype=golang.os.Signal)`).
//!
//! A typed channel is a plain `Chan<T>` that Rust code can hold and use
//! without the GIL.

use crate::coro::AwaitOp;
use crate::gil;
use crate::ops::{AnyOp, RecvOp, SendOp};
use crate::value::{go_panic, panic_err, to_val, Elem, Val};
// (the values of channels, for the files above that name them from here)
pub(crate) use crate::value::{each_chan, AnyChan, DType};
pub(crate) use crate::rawchan::{nil_of, PyChan};
use golang_chan::{Chan, ChanError, Spin, TryRecvError, TrySendError};
use pyo3::exceptions::PyTypeError;
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::PyTraverseError;
use pyo3::types::PyString;
use golang_pycore::dtype::{invalid_dtype, DTypeArg};
use golang_pycore::msg;

/// Parses a dtype argument from Python (`chan(dtype=...)`, `chan.nil(...)`)
/// by the shared rule: `object`, one of the 'C.X' names, or an object whose
/// `.dtype` is one of those names.
pub fn parse_dtype(dtype: &Bound<'_, PyAny>) -> PyResult<DType> {
    let py = dtype.py();
    let s = dtype.cast::<PyString>().ok().map(|s| s.to_cow()).transpose()?;
    let arg = if dtype.is(py.get_type::<pyo3::types::PyAny>().as_any()) {
        DTypeArg::ObjectType
    } else if let Some(s) = &s {
        DTypeArg::Str(s)
    } else if dtype.is_instance_of::<PyChan>() {
        DTypeArg::Chan
    } else {
        DTypeArg::Other(|| {
            let attr = dtype.getattr(pyo3::intern!(py, "dtype")).ok()?;
            // (to_cow: to_str is not in the stable ABI before 3.10; the abi3 wheel targets 3.9)
            Some(attr.cast::<PyString>().ok()?.to_cow().ok()?.into_owned())
        })
    };
    match golang_pycore::dtype::parse(arg, |_| true) {
        Some(d) => Ok(d),
        None => Err(PyTypeError::new_err(invalid_dtype(&dtype.repr()?.to_cow()?))),
    }
}

fn send_typed<T: Elem>(py: Python<'_>, ch: &Chan<T>, v: T) -> PyResult<()> {
    match gil::nonblocking(py, || ch.try_send(v)) {
        Ok(()) => Ok(()),
        Err(TrySendError::Closed(_)) => Err(panic_err(py, ChanError::SendOnClosed)),
        Err(TrySendError::Full(v)) => {
            gil::block_thread(py, |intr| ch.send_blocking_spin(v, Spin::Always, intr))?.map_err(|e| panic_err(py, e))
        }
    }
}

fn recv_typed<T: Elem>(py: Python<'_>, ch: &Chan<T>) -> PyResult<(Py<PyAny>, bool)> {
    let got = match gil::nonblocking(py, || ch.try_recv()) {
        Ok(v) => Some(v),
        Err(TryRecvError::Closed) => None,
        // (a signal handler that raises as the value arrives: the value
        // goes back to the channel and the exception is raised)
        Err(TryRecvError::Empty) => gil::block_thread_or_undo(
            py,
            |intr| ch.recv_blocking_spin(Spin::Always, intr),
            Some(|got: Option<T>| {
                if let Some(v) = got {
                    ch.unrecv(v);
                }
            }),
        )?,
    };
    Ok(match got {
        Some(v) => (v.into_py(py), true),
        None => (T::zero(py), false),
    })
}


#[pymethods]
impl PyChan {
    /// The garbage collector's traversal: the Python objects buffered in a
    /// `chan(dtype=object)` (a chan that holds itself, or a list holding
    /// it, is then collected). Visited under the channel's spin lock, which
    /// no holder keeps while waiting for the GIL. Values held by blocked
    /// senders are not visited: a blocked sender's frame holds the chan,
    /// so the chan is reachable while it waits.
    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        let AnyChan::Obj(c) = self.ch() else { return Ok(()) };
        let mut res = Ok(());
        c.for_each_buffered(|v| {
            if res.is_ok() {
                res = visit.call(v);
            }
        });
        res
    }

    /// The garbage collector's clear: drops the buffered values (after the
    /// channel's lock is released, since dropping them may run Python).
    fn __clear__(&self) {
        if let AnyChan::Obj(c) = self.ch() {
            drop(c.take_buffered());
        }
    }

    #[new]
    #[pyo3(signature = (*args, **kw))]
    fn new(py: Python<'_>, args: &Bound<'_, pyo3::types::PyTuple>, kw: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PyChan> {
        // chan(size=0, dtype=object), parsed by hand so that an explicit
        // dtype=None is an invalid dtype, as in Pygolang.
        if args.len() > 2 {
            return Err(PyTypeError::new_err(msg::chan_too_many_args(args.len())));
        }
        // (no get_item past the end: that would build an IndexError)
        let n = args.len();
        let mut size_arg = if n > 0 { Some(args.get_item(0)?) } else { None };
        let mut dtype_arg = if n > 1 { Some(args.get_item(1)?) } else { None };
        if let Some(kw) = kw {
            for (k, v) in kw.iter() {
                let slot = match &*k.extract::<pyo3::pybacked::PyBackedStr>()? {
                    "size" => &mut size_arg,
                    "dtype" => &mut dtype_arg,
                    other => return Err(PyTypeError::new_err(msg::chan_unexpected_kw(other))),
                };
                if slot.is_some() {
                    return Err(PyTypeError::new_err(msg::chan_multiple_values(&k.str()?.to_cow()?)));
                }
                *slot = Some(v);
            }
        }
        let size: i64 = match size_arg {
            None => 0,
            Some(s) => s.extract()?,
        };
        let dtype = match dtype_arg {
            None => DType::Obj,
            Some(d) => parse_dtype(&d)?,
        };
        if !(0..=msg::CHAN_SIZE_MAX as i64).contains(&size) {
            return Err(go_panic(py, msg::MAKECHAN_SIZE));
        }
        Ok(PyChan::make(dtype, size as usize))
    }

    /// `chan.nil(dtype)`: the nil channel of a dtype.
    #[staticmethod]
    fn nil(py: Python<'_>, dtype: &Bound<'_, PyAny>) -> PyResult<Py<PyChan>> {
        nil_of(py, parse_dtype(dtype)?)
    }

    /// Sends `obj`; blocks until a receiver takes it or there is buffer space.
    fn send(&self, py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        if crate::syncrun::blocks_greenlet() {
            let v = to_val(self.dtype(), obj)?;
            return crate::syncrun::block_greenlet(py, AnyOp::Send(SendOp { ch: self.ch().clone(), v })).map(drop);
        }
        match (self.ch(), to_val(self.dtype(), obj)?) {
            (AnyChan::Obj(c), Val::Obj(v)) => send_typed(py, c, v),
            (AnyChan::StructZ(c), Val::StructZ) => send_typed(py, c, ()),
            (AnyChan::Bool(c), Val::Bool(v)) => send_typed(py, c, v),
            (AnyChan::Int(c), Val::Int(v)) => send_typed(py, c, v),
            (AnyChan::Double(c), Val::Double(v)) => send_typed(py, c, v),
            (AnyChan::Signal(c), Val::Signal(v)) => send_typed(py, c, v),
            _ => unreachable!("to_val follows the dtype"),
        }
    }

    /// Receives a value (the zero value once closed and drained).
    fn recv(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        if crate::syncrun::blocks_greenlet() {
            return crate::syncrun::block_greenlet(py, AnyOp::Recv(RecvOp { ch: self.ch().clone(), with_ok: false }));
        }
        Ok(each_chan!(self.ch(), c => recv_typed(py, c))?.0)
    }

    /// Receives `(value, ok)`; ok is False only once closed and drained.
    fn recv_(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, bool)> {
        if crate::syncrun::blocks_greenlet() {
            let r = crate::syncrun::block_greenlet(py, AnyOp::Recv(RecvOp { ch: self.ch().clone(), with_ok: true }))?;
            return r.extract(py);
        }
        each_chan!(self.ch(), c => recv_typed(py, c))
    }

    /// `await ch.asend(obj)`: send from an async goroutine.
    fn asend(&self, obj: &Bound<'_, PyAny>) -> PyResult<AwaitOp> {
        let v = to_val(self.dtype(), obj)?;
        Ok(AwaitOp::new(AnyOp::Send(SendOp { ch: self.ch().clone(), v })))
    }

    /// `await ch.arecv()`: receive from an async goroutine.
    fn arecv(&self) -> AwaitOp {
        AwaitOp::new(AnyOp::Recv(RecvOp { ch: self.ch().clone(), with_ok: false }))
    }

    /// `await ch.arecv_()`: receive `(value, ok)` from an async goroutine.
    fn arecv_(&self) -> AwaitOp {
        AwaitOp::new(AnyOp::Recv(RecvOp { ch: self.ch().clone(), with_ok: true }))
    }

    /// Closes the channel.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        gil::nonblocking(py, || each_chan!(self.ch(), c => c.try_close())).map_err(|e| panic_err(py, e))?;
        if crate::gevent::enabled() {
            crate::gevent::flush(py)?; // resume the greenlets it woke
        }
        Ok(())
    }

    fn __len__(&self) -> usize {
        each_chan!(self.ch(), c => c.len())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let this = slf.get();
        let d = this.dtype();
        if this.ch().id() == 0 {
            return match d {
                DType::Obj => "nilchan".to_string(),
                _ => format!("chan.nil('{}')", d.name()),
            };
        }
        let cap = each_chan!(this.ch(), c => c.cap());
        format!("<chan({cap}, dtype={}) object at {:#x}>", d.repr_arg(), slf.as_ptr() as usize)
    }

    fn __hash__(&self) -> isize {
        self.ch().id() as isize
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(o) = other.cast::<PyChan>() else { return false };
        let o = o.get();
        if self.ch().id() != o.ch().id() {
            return false;
        }
        let (a, b) = (self.dtype(), o.dtype());
        a == b || (self.ch().id() == 0 && (a == DType::Obj || b == DType::Obj))
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    /// The buffer capacity.
    #[getter]
    fn cap(&self) -> usize {
        each_chan!(self.ch(), c => c.cap())
    }

    /// The dtype's name ('object', 'C.int', ...).
    #[getter(dtype)]
    fn dtype_name(&self) -> &'static str {
        self.dtype().name()
    }
}
