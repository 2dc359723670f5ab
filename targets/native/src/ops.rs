//! Operations: the channel operations on Python values that an awaiting
//! driver runs (receive, send, and select with the parsing of its Python
//! cases), the awaitables of the shared crate (`golang_pycore::awaitable`:
//! sleep, ...), and [`AnyOp`], the closed set of them.
//!
//! An operation is first tried at once ([`Step::Done`]); if it must wait it
//! gives a Rust future ([`Step::Wait`]) that a driver polls: the coroutine
//! driver (`coro.rs`) or the greenlet driver (`gevent.rs`). The thread
//! driver (`gil.rs`) blocks on the channel itself instead.

use crate::rawchan::PyChan;
use crate::value::{each_chan, go_panic, panic_err, recv_out, to_val, AnyChan, Elem, Val};
use golang_chan::{CaseSlot, Cases, Chan, ChanError, RecvCase, SendCase, TryRecvError, TrySendError};
use golang_pycore::awaitable::{Awaitable, Begun, Out};
use golang_pycore::select::{self, Committed, Method};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use pyo3::Borrowed;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::future::Future;
use std::pin::Pin;

/// Converts an operation's result to Python, with the GIL.
pub type OpOut = Box<dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send>;
/// The Rust side of a blocked operation.
pub type OpFuture = Pin<Box<dyn Future<Output = OpOut> + Send>>;

/// What an operation does when it is first awaited.
pub enum Step {
    /// It completed at once.
    Done(PyResult<Py<PyAny>>),
    /// It must wait: the future completes it.
    Wait(OpFuture),
}

/// An operation that can be awaited.
pub trait Op: Send {
    /// Tries the operation now, or gives the future that waits for it.
    fn start(self, py: Python<'_>) -> Step;
}

/// The operations an `AwaitOp` can run, inline (no box per operation).
pub(crate) enum AnyOp {
    Recv(RecvOp),
    Send(SendOp),
    Select(SelectOp),
    /// An awaitable of the shared crate (`golang_pycore::awaitable`).
    Shared(Box<dyn Awaitable>),
}

impl AnyOp {
    pub(crate) fn start(self, py: Python<'_>) -> Step {
        match self {
            AnyOp::Recv(o) => o.start(py),
            AnyOp::Send(o) => o.start(py),
            AnyOp::Select(o) => o.start(py),
            AnyOp::Shared(o) => start_shared(py, o),
        }
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
    fn start(self, py: Python<'_>) -> Step {
        each_chan!(self.ch, c => start_recv(py, c, self.with_ok))
    }
}

pub(crate) struct SendOp {
    pub(crate) ch: AnyChan,
    pub(crate) v: Val,
}

impl Op for SendOp {
    fn start(self, py: Python<'_>) -> Step {
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

/// A shared awaitable's result for Python: its value, or Go's panic.
fn shared_out(py: Python<'_>, r: Result<Out, String>) -> PyResult<Py<PyAny>> {
    match r {
        Ok(Out::None) => Ok(py.None()),
        Ok(Out::Bool(b)) => Ok(b.into_py(py)),
        Ok(Out::Int(i)) => Ok(i.into_py(py)),
        Ok(Out::Float(f)) => Ok(f.into_py(py)),
        Err(m) => Err(go_panic(py, m)),
    }
}

fn start_shared(py: Python<'_>, op: Box<dyn Awaitable>) -> Step {
    match op.begin() {
        Begun::Done(r) => Step::Done(shared_out(py, r)),
        Begun::Wait(f) => Step::Wait(Box::pin(async move {
            let r = f.await;
            Box::new(move |py: Python<'_>| shared_out(py, r)) as OpOut
        })),
    }
}

// ---- select: its Python cases, parsed ----

/// The type of the `default` sentinel.
#[pyclass(name = "_Default", module = "golang._golang", frozen)]
pub struct DefaultCase;

#[pymethods]
impl DefaultCase {
    fn __repr__(&self) -> &'static str {
        "default"
    }
}

/// The `default` object.
pub fn default_sentinel(py: Python<'_>) -> &'static Py<PyAny> {
    static DEFAULT_OBJ: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    DEFAULT_OBJ.get_or_init(py, || Py::new(py, DefaultCase).unwrap().into_any())
}

/// What one Python case asks for.
pub(crate) enum Kind {
    Recv { with_ok: bool },
    Send(Val),
}

/// One parsed case: its channel (borrowed from the `chan` object while the
/// select call runs, or a cheap clone for `aselect`, which outlives the
/// call), what to do, and its index among select's arguments.
struct Case<C> {
    ch: C,
    kind: Kind,
    index: usize,
}


/// The channel of a `chan` object, for as long as the select's argument
/// `case` is borrowed.
fn chan_ref<'a>(_case: &Borrowed<'a, '_, PyAny>, chan: &Bound<'_, PyChan>) -> &'a AnyChan {
    // SAFETY: `chan` is reachable from the argument `case` (a case is a
    // bound method of it, or a tuple holding one; neither changes what it
    // refers to), and `case` is borrowed from the caller for `'a`, so the
    // object outlives `'a`; a `chan` is frozen and holds a count of its raw
    // channel, so the `AnyChan` there (or the static nil) is never mutated,
    // moved or freed meanwhile (rawchan.rs, invariant 4).
    unsafe { &*(chan.get().ch() as *const AnyChan) }
}

/// The fast path of case parsing: if `case` is a bound builtin method of a
/// `chan`, its channel and the method's name, without attribute lookups.
fn bound_chan_method<'py>(case: &Bound<'py, PyAny>) -> Option<(Bound<'py, PyChan>, Method)> {
    let p = case.as_ptr();
    // SAFETY: `p` is a live object (we hold a reference and the GIL);
    // PyCFunction_Check only reads its type.
    if unsafe { pyo3::ffi::PyCFunction_Check(p) } == 0 {
        return None;
    }
    let (slf, key) = method_self_and_key(case)?;
    let chan = slf.cast_into::<PyChan>().ok()?;
    // The methods chan.recv, recv_ and send have static definitions (and C
    // functions): once seen, they are recognised by that address, without
    // comparing names.
    static SEEN: [AtomicUsize; 3] = [AtomicUsize::new(0), AtomicUsize::new(0), AtomicUsize::new(0)];
    const METHODS: [Method; 3] = [Method::Recv, Method::RecvOk, Method::Send];
    for (seen, m) in SEEN.iter().zip(METHODS) {
        if seen.load(Ordering::Relaxed) == key {
            return Some((chan, m));
        }
    }
    let m = Method::from_name(&method_name(case)?)?;
    SEEN[m as usize].store(key, Ordering::Relaxed);
    Some((chan, m))
}

/// The `self` of a builtin method and the address that identifies the
/// method: its static PyMethodDef, read from the object's fields.
#[cfg(not(Py_LIMITED_API))]
fn method_self_and_key<'py>(case: &Bound<'py, PyAny>) -> Option<(Bound<'py, PyAny>, usize)> {
    // SAFETY: the caller checked that `case` is a PyCFunctionObject: its
    // `m_self` is a borrowed reference (or NULL) and `m_ml` points to the
    // method's static PyMethodDef.
    unsafe {
        let f = case.as_ptr() as *mut pyo3::ffi::PyCFunctionObject;
        let slf = (*f).m_self;
        if slf.is_null() {
            return None;
        }
        Some((Bound::from_borrowed_ptr(case.py(), slf), (*f).m_ml as usize))
    }
}

/// The same under the stable ABI (the abi3 wheel), where the object's
/// fields are hidden: `self` and the method's C function come from the
/// stable-ABI accessors; the C function is as unique per method as its
/// PyMethodDef.
#[cfg(Py_LIMITED_API)]
fn method_self_and_key<'py>(case: &Bound<'py, PyAny>) -> Option<(Bound<'py, PyAny>, usize)> {
    // SAFETY: the caller checked that `case` is a builtin function object;
    // both accessors only read it; PyCFunction_GetSelf gives a borrowed
    // reference (or NULL).
    unsafe {
        let p = case.as_ptr();
        let slf = pyo3::ffi::PyCFunction_GetSelf(p);
        if slf.is_null() {
            return None;
        }
        let key = pyo3::ffi::PyCFunction_GetFunction(p).map_or(0, |f| f as usize);
        Some((Bound::from_borrowed_ptr(case.py(), slf), key))
    }
}

/// The name of a builtin method (the slow path, once per method).
#[cfg(not(Py_LIMITED_API))]
fn method_name(case: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    // SAFETY: `case` is a PyCFunctionObject (see bound_chan_method); its
    // `m_ml->ml_name` is a static NUL-terminated string.
    Some(unsafe { std::ffi::CStr::from_ptr((*(*(case.as_ptr() as *mut pyo3::ffi::PyCFunctionObject)).m_ml).ml_name) }.to_bytes().to_vec())
}

#[cfg(Py_LIMITED_API)]
fn method_name(case: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    let name = case.getattr(intern!(case.py(), "__name__")).ok()?;
    Some(name.extract::<String>().ok()?.into_bytes())
}

fn chan_of<'py>(py: Python<'py>, method: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyChan>> {
    let slf = method.getattr(intern!(py, "__self__"))?;
    match slf.cast_into::<PyChan>() {
        Ok(c) => Ok(c),
        Err(e) => {
            let obj = e.into_inner();
            let cls = obj.getattr(intern!(py, "__class__"))?;
            Err(go_panic(py, select::on_non_chan(what, &cls.repr()?.to_cow()?)))
        }
    }
}

/// Parses select's cases, handing each to `sink` (its channel, what to do,
/// its index); returns the index of the default case, if any.
pub(crate) fn parse<'a, 'py>(
    py: Python<'py>,
    args: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>,
    mut sink: impl FnMut(&'a AnyChan, Kind, usize),
) -> PyResult<Option<usize>> {
    let default = default_sentinel(py);
    let mut default_at = select::Default::default();
    for (index, case) in args.enumerate() {
        if case.is(default) {
            default_at.add(index).map_err(|m| go_panic(py, m))?;
        } else if let Some((chan, m)) = bound_chan_method(&case).filter(|(_, m)| *m != Method::Send) {
            let with_ok = m.with_ok();
            sink(chan_ref(&case, &chan), Kind::Recv { with_ok }, index);
        } else if let Ok(t) = case.cast::<PyTuple>() {
            if t.len() != 2 {
                return Err(go_panic(py, select::invalid_case(t.len())));
            }
            let send = t.get_item(0)?;
            let chan = match bound_chan_method(&send) {
                Some((chan, Method::Send)) => chan,
                _ => {
                    let chan = chan_of(py, &send, "send")?;
                    let name = send.getattr(intern!(py, "__name__"))?;
                    if name.extract::<pyo3::pybacked::PyBackedStr>().ok().as_deref() != Some("send") {
                        return Err(go_panic(py, select::send_expected(&send.repr()?.to_cow()?)));
                    }
                    chan
                }
            };
            let ch = chan_ref(&case, &chan);
            let v = to_val(ch.dtype(), &t.get_item(1)?)?;
            sink(ch, Kind::Send(v), index);
        } else {
            let chan = chan_of(py, &case, "recv")?;
            let name = case.getattr(intern!(py, "__name__"))?;
            let with_ok = match name.extract::<pyo3::pybacked::PyBackedStr>().ok().as_deref() {
                Some("recv") => false,
                Some("recv_") => true,
                _ => return Err(go_panic(py, select::recv_expected(&case.repr()?.to_cow()?))),
            };
            sink(chan_ref(&case, &chan), Kind::Recv { with_ok }, index);
        }
    }
    Ok(default_at.0)
}

/// A received value, typed, before conversion to Python.
pub(crate) enum Got {
    None,
    Obj(Option<Py<PyAny>>),
    StructZ(Option<()>),
    Bool(Option<bool>),
    Int(Option<i32>),
    Double(Option<f64>),
    Signal(Option<golang_os::Signal>),
}

impl Got {
    pub(crate) fn into_py(self, py: Python<'_>, with_ok: bool) -> PyResult<Py<PyAny>> {
        match self {
            Got::None => Ok(py.None()),
            Got::Obj(v) => recv_out(py, v, with_ok),
            Got::StructZ(v) => recv_out(py, v, with_ok),
            Got::Bool(v) => recv_out(py, v, with_ok),
            Got::Int(v) => recv_out(py, v, with_ok),
            Got::Double(v) => recv_out(py, v, with_ok),
            Got::Signal(v) => recv_out(py, v, with_ok),
        }
    }
}

/// The outcome of a select: (Python index, received value, with_ok), or Go's
/// panic.
type Outcome = Result<(usize, Got, bool), ChanError>;

/// One concrete case over a parsed case's channel: no allocation per case.
pub(crate) enum PyCase<'a> {
    RObj(RecvCase<'a, Py<PyAny>>),
    RZ(RecvCase<'a, ()>),
    RBool(RecvCase<'a, bool>),
    RInt(RecvCase<'a, i32>),
    RDouble(RecvCase<'a, f64>),
    RSig(RecvCase<'a, golang_os::Signal>),
    SObj(SendCase<'a, Py<PyAny>>),
    SZ(SendCase<'a, ()>),
    SBool(SendCase<'a, bool>),
    SInt(SendCase<'a, i32>),
    SDouble(SendCase<'a, f64>),
    SSig(SendCase<'a, golang_os::Signal>),
}

impl CaseSlot for PyCase<'_> {
    #[inline]
    fn case(&mut self) -> &mut dyn golang_chan::Case {
        match self {
            PyCase::RObj(c) => c,
            PyCase::RZ(c) => c,
            PyCase::RBool(c) => c,
            PyCase::RInt(c) => c,
            PyCase::RDouble(c) => c,
            PyCase::RSig(c) => c,
            PyCase::SObj(c) => c,
            PyCase::SZ(c) => c,
            PyCase::SBool(c) => c,
            PyCase::SInt(c) => c,
            PyCase::SDouble(c) => c,
            PyCase::SSig(c) => c,
        }
    }
}

/// A concrete case with what the outcome needs to know about it.
pub(crate) struct Slot<'a> {
    pub(crate) case: PyCase<'a>,
    pub(crate) index: usize,
    pub(crate) with_ok: bool,
}

impl CaseSlot for Slot<'_> {
    #[inline]
    fn case(&mut self) -> &mut dyn golang_chan::Case {
        self.case.case()
    }
}

/// The concrete cases, moving send values in.
fn build<'a>(cases: impl Iterator<Item = Case<&'a AnyChan>>) -> Vec<Slot<'a>> {
    cases.map(|c| slot(c.ch, c.kind, c.index)).collect()
}

/// One concrete case, moving its send value in.
pub(crate) fn slot(ch: &AnyChan, kind: Kind, index: usize) -> Slot<'_> {
            let with_ok = matches!(kind, Kind::Recv { with_ok: true });
            let case = match (ch, kind) {
                (AnyChan::Obj(ch), Kind::Send(Val::Obj(v))) => PyCase::SObj(SendCase::new(ch, v)),
                (AnyChan::StructZ(ch), Kind::Send(Val::StructZ)) => PyCase::SZ(SendCase::new(ch, ())),
                (AnyChan::Bool(ch), Kind::Send(Val::Bool(v))) => PyCase::SBool(SendCase::new(ch, v)),
                (AnyChan::Int(ch), Kind::Send(Val::Int(v))) => PyCase::SInt(SendCase::new(ch, v)),
                (AnyChan::Double(ch), Kind::Send(Val::Double(v))) => PyCase::SDouble(SendCase::new(ch, v)),
                (AnyChan::Signal(ch), Kind::Send(Val::Signal(v))) => PyCase::SSig(SendCase::new(ch, v)),
                (AnyChan::Obj(ch), Kind::Recv { .. }) => PyCase::RObj(RecvCase::new(ch)),
                (AnyChan::StructZ(ch), Kind::Recv { .. }) => PyCase::RZ(RecvCase::new(ch)),
                (AnyChan::Bool(ch), Kind::Recv { .. }) => PyCase::RBool(RecvCase::new(ch)),
                (AnyChan::Int(ch), Kind::Recv { .. }) => PyCase::RInt(RecvCase::new(ch)),
                (AnyChan::Double(ch), Kind::Recv { .. }) => PyCase::RDouble(RecvCase::new(ch)),
                (AnyChan::Signal(ch), Kind::Recv { .. }) => PyCase::RSig(RecvCase::new(ch)),
                _ => unreachable!("send values are converted for their channel's dtype"),
            };
            Slot { case, index, with_ok }
}

fn outcome(default_at: Option<usize>, sel: &mut [Slot<'_>], r: Result<usize, ChanError>) -> Outcome {
    match select::committed(default_at, r)? {
        Committed::Default(i) => Ok((i, Got::None, false)),
        Committed::Case(k) => {
            let s = &mut sel[k];
            Ok((s.index, got_of(&mut s.case), s.with_ok))
        }
    }
}

/// What a committed case received (nothing for a send case).
pub(crate) fn got_of(case: &mut PyCase<'_>) -> Got {
    match case {
        PyCase::RObj(r) => Got::Obj(r.take().flatten()),
        PyCase::RZ(r) => Got::StructZ(r.take().flatten()),
        PyCase::RBool(r) => Got::Bool(r.take().flatten()),
        PyCase::RInt(r) => Got::Int(r.take().flatten()),
        PyCase::RDouble(r) => Got::Double(r.take().flatten()),
        PyCase::RSig(r) => Got::Signal(r.take().flatten()),
        _ => Got::None,
    }
}

fn result(py: Python<'_>, o: Outcome) -> PyResult<Py<PyAny>> {
    let (i, got, with_ok) = o.map_err(|e| panic_err(py, e))?;
    let rx = got.into_py(py, with_ok)?;
    Ok(PyTuple::new(py, [i.into_pyobject(py)?.into_any().unbind(), rx])?.into_any().unbind())
}

/// A select that outlives the call that made it (`aselect`, or a select
/// blocking a greenlet): it owns clones of its channels.
pub(crate) struct SelectOp {
    cases: Vec<Case<AnyChan>>,
    default_at: Option<usize>,
}

impl SelectOp {
    pub(crate) fn parse<'a, 'py>(py: Python<'py>, args: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>) -> PyResult<SelectOp> {
        let mut cases = Vec::with_capacity(args.size_hint().0);
        let default_at = parse(py, args, |ch, kind, index| cases.push(Case { ch: ch.clone(), kind, index }))?;
        Ok(SelectOp { cases, default_at })
    }
}

/// Borrowed views of owned cases; send values are copied (`copy`) or moved.
fn views<'a>(py: Python<'_>, cases: &'a mut [Case<AnyChan>], copy: bool) -> Vec<Case<&'a AnyChan>> {
    cases
        .iter_mut()
        .map(|c| {
            let kind = match &mut c.kind {
                Kind::Recv { with_ok } => Kind::Recv { with_ok: *with_ok },
                Kind::Send(v) if copy => Kind::Send(v.clone_ref(py)),
                Kind::Send(v) => Kind::Send(std::mem::replace(v, Val::StructZ)),
            };
            Case { ch: &c.ch, kind, index: c.index }
        })
        .collect()
}

impl Op for SelectOp {
    fn start(self, py: Python<'_>) -> Step {
        let SelectOp { mut cases, default_at } = self;
        // Try at once with copies of the values; wait with the originals.
        {
            let mut sel = build(views(py, &mut cases, true).into_iter());
            if let Some(r) = Cases::new(&mut sel, default_at.is_some()).try_select() {
                let o = outcome(default_at, &mut sel, r);
                drop(sel);
                return Step::Done(result(py, o));
            }
        }
        let moved: Vec<(Kind, usize)> = views(py, &mut cases, false).into_iter().map(|c| (c.kind, c.index)).collect();
        let fut: OpFuture = Box::pin(async move {
            let o = {
                let views = cases.iter().zip(moved).map(|(c, (kind, index))| Case { ch: &c.ch, kind, index });
                let mut sel = build(views);
                let r = Cases::new(&mut sel, false).wait().await;
                outcome(default_at, &mut sel, r)
            };
            Box::new(move |py: Python<'_>| result(py, o)) as OpOut
        });
        Step::Wait(fut)
    }
}
