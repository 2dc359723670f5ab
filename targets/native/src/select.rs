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

use crate::coro::{AnyOp, AwaitOp, Op, OpFuture, OpOut, Step};
use crate::gil;
use crate::go_panic;
use crate::pychan::{panic_err, recv_out, to_val, AnyChan, PyChan, Val};
use golang_chan::{CaseSlot, Cases, ChanError, RecvCase, SendCase, Spin, DEFAULT};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyModule, PyTuple};
use pyo3::Borrowed;
use std::sync::atomic::{AtomicUsize, Ordering};

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
enum Kind {
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
    // object outlives `'a`; a `chan` is frozen, so its `AnyChan` is never
    // mutated or moved.
    unsafe { &*(&chan.get().ch as *const AnyChan) }
}

/// The fast path of case parsing: if `case` is a bound builtin method of a
/// `chan`, its channel and the method's name, without attribute lookups.
fn bound_chan_method<'py>(case: &Bound<'py, PyAny>) -> Option<(Bound<'py, PyChan>, &'static [u8])> {
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
    const NAMES: [&[u8]; 3] = [b"recv", b"recv_", b"send"];
    for (seen, name) in SEEN.iter().zip(NAMES) {
        if seen.load(Ordering::Relaxed) == key {
            return Some((chan, name));
        }
    }
    let name = method_name(case)?;
    let k = NAMES.iter().position(|n| *n == name.as_slice())?;
    SEEN[k].store(key, Ordering::Relaxed);
    Some((chan, NAMES[k]))
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
            Err(go_panic(py, format!("pyselect: {what} on non-chan: {}", cls.repr()?)))
        }
    }
}

/// Parses select's cases, handing each to `sink` (its channel, what to do,
/// its index); returns the index of the default case, if any.
fn parse<'a, 'py>(
    py: Python<'py>,
    args: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>,
    mut sink: impl FnMut(&'a AnyChan, Kind, usize),
) -> PyResult<Option<usize>> {
    let default = default_sentinel(py);
    let mut default_at = None;
    for (index, case) in args.enumerate() {
        if case.is(default) {
            if default_at.is_some() {
                return Err(go_panic(py, "select: multiple default"));
            }
            default_at = Some(index);
        } else if let Some((chan, name)) = bound_chan_method(&case).filter(|(_, n)| *n != b"send") {
            let with_ok = name == b"recv_";
            sink(chan_ref(&case, &chan), Kind::Recv { with_ok }, index);
        } else if let Ok(t) = case.cast::<PyTuple>() {
            if t.len() != 2 {
                return Err(go_panic(py, format!("pyselect: invalid [{}]() case", t.len())));
            }
            let send = t.get_item(0)?;
            let chan = match bound_chan_method(&send) {
                Some((chan, b"send")) => chan,
                _ => {
                    let chan = chan_of(py, &send, "send")?;
                    let name = send.getattr(intern!(py, "__name__"))?;
                    if name.extract::<pyo3::pybacked::PyBackedStr>().ok().as_deref() != Some("send") {
                        return Err(go_panic(py, format!("pyselect: send expected: {}", send.repr()?)));
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
                _ => return Err(go_panic(py, format!("pyselect: recv expected: {}", case.repr()?))),
            };
            sink(chan_ref(&case, &chan), Kind::Recv { with_ok }, index);
        }
    }
    Ok(default_at)
}

/// A received value, typed, before conversion to Python.
enum Got {
    None,
    Obj(Option<Py<PyAny>>),
    StructZ(Option<()>),
    Bool(Option<bool>),
    Int(Option<i32>),
    Double(Option<f64>),
    Signal(Option<golang_os::Signal>),
}

impl Got {
    fn into_py(self, py: Python<'_>, with_ok: bool) -> PyResult<Py<PyAny>> {
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
enum PyCase<'a> {
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
struct Slot<'a> {
    case: PyCase<'a>,
    index: usize,
    with_ok: bool,
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
fn slot(ch: &AnyChan, kind: Kind, index: usize) -> Slot<'_> {
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
    let k = r?;
    if k == DEFAULT {
        return Ok((default_at.expect("default committed"), Got::None, false));
    }
    let s = &mut sel[k];
    Ok((s.index, got_of(&mut s.case), s.with_ok))
}

/// What a committed case received (nothing for a send case).
fn got_of(case: &mut PyCase<'_>) -> Got {
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
    if crate::gevent::blocks_greenlet() {
        return crate::gevent::block(py, AnyOp::Select(SelectOp::parse(py, cases)?));
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
    let r = match Cases::new(sel, default_at.is_some()).try_select() {
        Some(r) => r,
        None => gil::block(py, |intr| Cases::new(sel, false).wait_blocking_spin(Spin::Always, intr))?,
    };
    let (i, got, with_ok) = match r {
        Ok(DEFAULT) => (default_at.expect("default committed"), Got::None, false),
        Ok(k) => {
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

/// A select that outlives the call that made it (`aselect`, or a select
/// blocking a greenlet): it owns clones of its channels.
pub(crate) struct SelectOp {
    cases: Vec<Case<AnyChan>>,
    default_at: Option<usize>,
}

impl SelectOp {
    fn parse<'a, 'py>(py: Python<'py>, args: impl Iterator<Item = Borrowed<'a, 'py, PyAny>>) -> PyResult<SelectOp> {
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
    fn start(self: Box<Self>, py: Python<'_>) -> Step {
        let SelectOp { mut cases, default_at } = *self;
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

/// `await aselect(*cases)`: select for async goroutines.
#[pyfunction]
#[pyo3(signature = (*cases))]
pub fn aselect(py: Python<'_>, cases: &Bound<'_, PyTuple>) -> PyResult<AwaitOp> {
    Ok(AwaitOp::new(AnyOp::Select(SelectOp::parse(py, cases.iter_borrowed())?)))
}
