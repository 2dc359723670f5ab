//! `chan`: a Python handle on a `Chan<T>`, with `T` picked by the dtype.
//!
//! | dtype       | Rust element | Python values accepted                 | zero value |
//! |-------------|--------------|----------------------------------------|------------|
//! | object      | `Py<PyAny>`  | anything                               | None       |
//! | 'C.structZ' | `()`         | None only                              | None       |
//! | 'C.bool'    | `bool`       | bool only                              | False      |
//! | 'C.int'     | `i32`        | int (not bool), integral float         | 0          |
//! | 'C.double'  | `f64`        | int or float (not bool)                | 0.0        |
//! | 'C.os::Signal' | `golang_os::Signal` | golang.os.Signal only       | os.Signal(0) |
//!
//! A dtype may also be given as an object whose `.dtype` names one
//! (`chan(dtype=golang.os.Signal)`).
//!
//! A typed channel is a plain `Chan<T>` that Rust code can hold and use
//! without the GIL.

use crate::coro::{AnyOp, AwaitOp, Op, OpOut, Step};
use crate::gil;
use crate::go_panic;
use golang_os::Signal;
use golang_chan::{Chan, ChanError, Spin, TryRecvError, TrySendError};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::PyTraverseError;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyFloat, PyInt, PyString};

/// The element type of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    Obj,
    StructZ,
    Bool,
    Int,
    Double,
    Signal,
}

impl DType {
    /// Pygolang's name of the dtype.
    pub fn name(self) -> &'static str {
        match self {
            DType::Obj => "object",
            DType::StructZ => "C.structZ",
            DType::Bool => "C.bool",
            DType::Int => "C.int",
            DType::Double => "C.double",
            DType::Signal => "C.os::Signal",
        }
    }

    fn from_name(name: &Bound<'_, PyAny>) -> PyResult<Option<DType>> {
        let Ok(s) = name.cast::<PyString>() else { return Ok(None) };
        // (to_cow: to_str is not in the stable ABI before 3.10; the abi3 wheel targets 3.9)
        Ok(match &*s.to_cow()? {
            "object" => Some(DType::Obj),
            "C.structZ" => Some(DType::StructZ),
            "C.bool" => Some(DType::Bool),
            "C.int" => Some(DType::Int),
            "C.double" => Some(DType::Double),
            "C.os::Signal" => Some(DType::Signal),
            _ => None,
        })
    }

    fn index(self) -> usize {
        self as usize
    }

    /// Parses `object`, one of the 'C.X' names, or an object whose
    /// `.dtype` is one of those names.
    pub fn parse(dtype: &Bound<'_, PyAny>) -> PyResult<DType> {
        let py = dtype.py();
        if dtype.is(py.get_type::<pyo3::types::PyAny>().as_any()) {
            return Ok(DType::Obj);
        }
        if let Some(d) = DType::from_name(dtype)? {
            return Ok(d);
        }
        // (a chan names its dtype too, but is not one: Pygolang's has no .dtype)
        if !dtype.is_instance_of::<PyString>() && !dtype.is_instance_of::<PyChan>() {
            if let Ok(attr) = dtype.getattr(pyo3::intern!(py, "dtype")) {
                if let Some(d) = DType::from_name(&attr)? {
                    return Ok(d);
                }
            }
        }
        Err(PyTypeError::new_err(format!("pychan: invalid dtype: {}", dtype.repr()?)))
    }
}

/// A channel of any dtype.
#[derive(Clone)]
pub enum AnyChan {
    Obj(Chan<Py<PyAny>>),
    StructZ(Chan<()>),
    Bool(Chan<bool>),
    Int(Chan<i32>),
    Double(Chan<f64>),
    Signal(Chan<Signal>),
}

macro_rules! each_chan {
    ($ch:expr, $c:ident => $body:expr) => {
        match $ch {
            $crate::pychan::AnyChan::Obj($c) => $body,
            $crate::pychan::AnyChan::StructZ($c) => $body,
            $crate::pychan::AnyChan::Bool($c) => $body,
            $crate::pychan::AnyChan::Int($c) => $body,
            $crate::pychan::AnyChan::Double($c) => $body,
            $crate::pychan::AnyChan::Signal($c) => $body,
        }
    };
}
pub(crate) use each_chan;

impl AnyChan {
    fn new(dtype: DType, size: usize) -> AnyChan {
        match dtype {
            DType::Obj => AnyChan::Obj(Chan::new(size)),
            DType::StructZ => AnyChan::StructZ(Chan::new(size)),
            DType::Bool => AnyChan::Bool(Chan::new(size)),
            DType::Int => AnyChan::Int(Chan::new(size)),
            DType::Double => AnyChan::Double(Chan::new(size)),
            DType::Signal => AnyChan::Signal(Chan::new(size)),
        }
    }

    fn nil(dtype: DType) -> AnyChan {
        match dtype {
            DType::Obj => AnyChan::Obj(Chan::nil()),
            DType::StructZ => AnyChan::StructZ(Chan::nil()),
            DType::Bool => AnyChan::Bool(Chan::nil()),
            DType::Int => AnyChan::Int(Chan::nil()),
            DType::Double => AnyChan::Double(Chan::nil()),
            DType::Signal => AnyChan::Signal(Chan::nil()),
        }
    }

    pub fn dtype(&self) -> DType {
        match self {
            AnyChan::Obj(_) => DType::Obj,
            AnyChan::StructZ(_) => DType::StructZ,
            AnyChan::Bool(_) => DType::Bool,
            AnyChan::Int(_) => DType::Int,
            AnyChan::Double(_) => DType::Double,
            AnyChan::Signal(_) => DType::Signal,
        }
    }

    pub fn id(&self) -> usize {
        each_chan!(self, c => c.id())
    }
}

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

fn mismatch(expect: &str, obj: &Bound<'_, PyAny>) -> PyErr {
    match obj.repr() {
        Ok(r) => PyTypeError::new_err(format!("type mismatch: expect {expect}; got {r}")),
        Err(e) => e,
    }
}

/// Converts `obj` for a channel of `dtype` (TypeError on a wrong type).
pub fn to_val(dtype: DType, obj: &Bound<'_, PyAny>) -> PyResult<Val> {
    Ok(match dtype {
        DType::Obj => Val::Obj(obj.clone().unbind()),
        DType::StructZ => {
            if !obj.is_none() {
                return Err(mismatch("structZ", obj));
            }
            Val::StructZ
        }
        DType::Bool => match obj.cast::<PyBool>() {
            Ok(b) => Val::Bool(b.is_true()),
            Err(_) => return Err(mismatch("bool", obj)),
        },
        DType::Int => {
            if obj.is_instance_of::<PyBool>() {
                return Err(mismatch("int", obj));
            }
            if let Ok(i) = obj.cast::<PyInt>() {
                match i.extract::<i32>() {
                    Ok(v) => Val::Int(v),
                    Err(_) => return Err(PyOverflowError::new_err(format!("value out of range for C.int: {}", obj.repr()?))),
                }
            } else if let Ok(f) = obj.cast::<PyFloat>() {
                let v = f.value();
                if v.fract() != 0.0 || !v.is_finite() {
                    return Err(mismatch("int", obj));
                }
                if v < i32::MIN as f64 || v > i32::MAX as f64 {
                    return Err(PyOverflowError::new_err(format!("value out of range for C.int: {}", obj.repr()?)));
                }
                Val::Int(v as i32)
            } else {
                return Err(mismatch("int", obj));
            }
        }
        DType::Double => {
            if obj.is_instance_of::<PyBool>() {
                return Err(mismatch("float", obj));
            }
            if let Ok(f) = obj.cast::<PyFloat>() {
                Val::Double(f.value())
            } else if obj.is_instance_of::<PyInt>() {
                Val::Double(obj.extract::<f64>()?)
            } else {
                return Err(mismatch("float", obj));
            }
        }
        DType::Signal => match obj.cast::<crate::signal::PySignal>() {
            Ok(s) => Val::Signal(s.get().sig),
            Err(_) => return Err(mismatch("os.PySignal", obj)),
        },
    })
}

pub(crate) fn panic_err(py: Python<'_>, e: ChanError) -> PyErr {
    go_panic(py, e.to_string())
}

fn send_typed<T: Elem>(py: Python<'_>, ch: &Chan<T>, v: T) -> PyResult<()> {
    match ch.try_send(v) {
        Ok(()) => Ok(()),
        Err(TrySendError::Closed(_)) => Err(panic_err(py, ChanError::SendOnClosed)),
        Err(TrySendError::Full(v)) => {
            gil::block(py, |intr| ch.send_blocking_spin(v, Spin::Always, intr))?.map_err(|e| panic_err(py, e))
        }
    }
}

fn recv_typed<T: Elem>(py: Python<'_>, ch: &Chan<T>) -> PyResult<(Py<PyAny>, bool)> {
    let got = match ch.try_recv() {
        Ok(v) => Some(v),
        Err(TryRecvError::Closed) => None,
        // (a signal handler that raises as the value arrives: the value
        // goes back to the channel and the exception is raised)
        Err(TryRecvError::Empty) => gil::block_or_undo(
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

fn start_recv<T: Elem>(py: Python<'_>, c: Chan<T>, with_ok: bool) -> Step {
    match c.try_recv() {
        Ok(v) => Step::Done(recv_out(py, Some(v), with_ok)),
        Err(TryRecvError::Closed) => Step::Done(recv_out(py, None::<T>, with_ok)),
        Err(TryRecvError::Empty) => Step::Wait(Box::pin(async move {
            let r = c.recv().await;
            Box::new(move |py: Python<'_>| recv_out(py, r, with_ok)) as OpOut
        })),
    }
}

fn start_send<T: Elem>(py: Python<'_>, c: Chan<T>, v: T) -> Step {
    match c.try_send(v) {
        Ok(()) => Step::Done(Ok(py.None())),
        Err(TrySendError::Closed(_)) => Step::Done(Err(panic_err(py, ChanError::SendOnClosed))),
        Err(TrySendError::Full(v)) => Step::Wait(Box::pin(async move {
            let r = c.send_checked(v).await;
            Box::new(move |py: Python<'_>| match r {
                Ok(()) => Ok(py.None()),
                Err(e) => Err(panic_err(py, e)),
            }) as OpOut
        })),
    }
}

pub(crate) struct RecvOp {
    pub(crate) ch: AnyChan,
    pub(crate) with_ok: bool,
}

impl Op for RecvOp {
    fn start(self: Box<Self>, py: Python<'_>) -> Step {
        each_chan!(self.ch, c => start_recv(py, c, self.with_ok))
    }
}

pub(crate) struct SendOp {
    pub(crate) ch: AnyChan,
    pub(crate) v: Val,
}

impl Op for SendOp {
    fn start(self: Box<Self>, py: Python<'_>) -> Step {
        match (self.ch, self.v) {
            (AnyChan::Obj(c), Val::Obj(v)) => start_send(py, c, v),
            (AnyChan::StructZ(c), Val::StructZ) => start_send(py, c, ()),
            (AnyChan::Bool(c), Val::Bool(v)) => start_send(py, c, v),
            (AnyChan::Int(c), Val::Int(v)) => start_send(py, c, v),
            (AnyChan::Double(c), Val::Double(v)) => start_send(py, c, v),
            (AnyChan::Signal(c), Val::Signal(v)) => start_send(py, c, v),
            _ => unreachable!("to_val follows the dtype"),
        }
    }
}

/// Go's channel for Python: `chan(size=0, dtype=object)`.
#[pyclass(name = "pychan", module = "golang._golang", frozen, weakref)]
pub struct PyChan {
    /// The channel; its variant is the dtype.
    pub ch: AnyChan,
}

/// The singleton nil channel of each dtype (`chan.nil(X) is chan.nil(X)`).
pub fn nil_of(py: Python<'_>, dtype: DType) -> PyResult<Py<PyChan>> {
    static NILS: [PyOnceLock<Py<PyChan>>; 6] = [const { PyOnceLock::new() }; 6];
    NILS[dtype.index()]
        .get_or_try_init(py, || Py::new(py, PyChan { ch: AnyChan::nil(dtype) }))
        .map(|c| c.clone_ref(py))
}

impl PyChan {
    /// Wraps a Rust channel (for Rust code that hands channels to Python).
    pub fn from_chan(ch: AnyChan) -> PyChan {
        PyChan { ch }
    }
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
        let AnyChan::Obj(c) = &self.ch else { return Ok(()) };
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
        if let AnyChan::Obj(c) = &self.ch {
            drop(c.take_buffered());
        }
    }

    #[new]
    #[pyo3(signature = (*args, **kw))]
    fn new(py: Python<'_>, args: &Bound<'_, pyo3::types::PyTuple>, kw: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PyChan> {
        // chan(size=0, dtype=object), parsed by hand so that an explicit
        // dtype=None is an invalid dtype, as in Pygolang.
        if args.len() > 2 {
            return Err(PyTypeError::new_err(format!("chan() takes at most 2 arguments ({} given)", args.len())));
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
                    other => return Err(PyTypeError::new_err(format!("chan() got an unexpected keyword argument '{other}'"))),
                };
                if slot.is_some() {
                    return Err(PyTypeError::new_err(format!("chan() got multiple values for argument '{}'", k)));
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
            Some(d) => DType::parse(&d)?,
        };
        if !(0..=(1 << 40)).contains(&size) {
            return Err(go_panic(py, "makechan: size out of range"));
        }
        Ok(PyChan { ch: AnyChan::new(dtype, size as usize) })
    }

    /// `chan.nil(dtype)`: the nil channel of a dtype.
    #[staticmethod]
    fn nil(py: Python<'_>, dtype: &Bound<'_, PyAny>) -> PyResult<Py<PyChan>> {
        nil_of(py, DType::parse(dtype)?)
    }

    /// Sends `obj`; blocks until a receiver takes it or there is buffer space.
    fn send(&self, py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<()> {
        if crate::gevent::blocks_greenlet() {
            let v = to_val(self.ch.dtype(), obj)?;
            return crate::gevent::block(py, AnyOp::Send(SendOp { ch: self.ch.clone(), v })).map(drop);
        }
        match (&self.ch, to_val(self.ch.dtype(), obj)?) {
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
        if crate::gevent::blocks_greenlet() {
            return crate::gevent::block(py, AnyOp::Recv(RecvOp { ch: self.ch.clone(), with_ok: false }));
        }
        Ok(each_chan!(&self.ch, c => recv_typed(py, c))?.0)
    }

    /// Receives `(value, ok)`; ok is False only once closed and drained.
    fn recv_(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, bool)> {
        if crate::gevent::blocks_greenlet() {
            let r = crate::gevent::block(py, AnyOp::Recv(RecvOp { ch: self.ch.clone(), with_ok: true }))?;
            return r.extract(py);
        }
        each_chan!(&self.ch, c => recv_typed(py, c))
    }

    /// `await ch.asend(obj)`: send from an async goroutine.
    fn asend(&self, obj: &Bound<'_, PyAny>) -> PyResult<AwaitOp> {
        let v = to_val(self.ch.dtype(), obj)?;
        Ok(AwaitOp::new(AnyOp::Send(SendOp { ch: self.ch.clone(), v })))
    }

    /// `await ch.arecv()`: receive from an async goroutine.
    fn arecv(&self) -> AwaitOp {
        AwaitOp::new(AnyOp::Recv(RecvOp { ch: self.ch.clone(), with_ok: false }))
    }

    /// `await ch.arecv_()`: receive `(value, ok)` from an async goroutine.
    fn arecv_(&self) -> AwaitOp {
        AwaitOp::new(AnyOp::Recv(RecvOp { ch: self.ch.clone(), with_ok: true }))
    }

    /// Closes the channel.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        each_chan!(&self.ch, c => c.try_close()).map_err(|e| panic_err(py, e))?;
        if crate::gevent::enabled() {
            crate::gevent::flush(py)?; // resume the greenlets it woke
        }
        Ok(())
    }

    fn __len__(&self) -> usize {
        each_chan!(&self.ch, c => c.len())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        let this = slf.get();
        let d = this.ch.dtype();
        if this.ch.id() == 0 {
            return match d {
                DType::Obj => "nilchan".to_string(),
                _ => format!("chan.nil('{}')", d.name()),
            };
        }
        let cap = each_chan!(&this.ch, c => c.cap());
        let dt = if d == DType::Obj { "object".to_string() } else { format!("'{}'", d.name()) };
        format!("<chan({cap}, dtype={dt}) object at {:#x}>", slf.as_ptr() as usize)
    }

    fn __hash__(&self) -> isize {
        self.ch.id() as isize
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        let Ok(o) = other.cast::<PyChan>() else { return false };
        let o = o.get();
        if self.ch.id() != o.ch.id() {
            return false;
        }
        let (a, b) = (self.ch.dtype(), o.ch.dtype());
        a == b || (self.ch.id() == 0 && (a == DType::Obj || b == DType::Obj))
    }

    fn __ne__(&self, other: &Bound<'_, PyAny>) -> bool {
        !self.__eq__(other)
    }

    /// The buffer capacity.
    #[getter]
    fn cap(&self) -> usize {
        each_chan!(&self.ch, c => c.cap())
    }

    /// The dtype's name ('object', 'C.int', ...).
    #[getter]
    fn dtype(&self) -> &'static str {
        self.ch.dtype().name()
    }
}
