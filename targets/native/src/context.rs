//! `golang.context` natively: Python contexts bound over the `golang-context`
//! crate.
//!
//! Every Python context ([`PyContext`]) holds a [`golang_context::Context`]:
//! the crate does the work of cancellation — propagation down the tree
//! (without recursion), `err()` set before `done()` is closed, unlinking of
//! cancelled children from their parents, deadlines and their timers (on
//! the clock of the executor that made the context, virtual inside
//! `golang.run`). `done()` is a Python `chan(dtype='C.structZ')` over the
//! crate's `Chan<()>`; `err()` maps the crate's error to the Python
//! singletons `canceled` / `deadlineExceeded`.
//!
//! What stays on the Python side, because Python's rules differ from the
//! crate's:
//! - values: keys are arbitrary Python objects compared by identity, so a
//!   value context keeps its key and value itself and shares its parent's
//!   crate context; lookups walk the Python parents;
//! - `done()` is never the crate's shared closed channel: a context
//!   cancelled at birth gets a closed channel of its own (Python code
//!   compares the `done()` of two contexts);
//! - `_children`, the live children as Python objects (for
//!   `golang._context._tctxAssertChildren`): each context keeps weak
//!   references to the Python contexts made from it, filtered by whether
//!   they are still live. This is introspection only; cancellation never
//!   goes through it.
//!
//! The module functions (`ctx_background`, `ctx_with_cancel`, ...) are
//! `golang.context`'s API (`python/golang/context.py` installs them); the
//! WebAssembly core binds the same crate (`targets/wasm/src/context.rs` and
//! its shim), with the same rules and messages (`golang-pycore`).

use crate::ctxnode::CtxNode;
use crate::pychan::{nil_of, AnyChan, DType, PyChan};
use crate::value::VTab;
use golang_chan::Chan;
use golang_context::{self as gctx, Context, ContextError};
use pyo3::exceptions::{PyAssertionError, PyTypeError};
use pyo3::gc::PyVisit;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyList, PyTuple, PyWeakrefMethods, PyWeakrefReference};
use pyo3::PyTraverseError;
use std::cell::RefCell;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What `err()` needs from `golang._pyerror`: `_from_error` (Go-level error
/// -> new exact `golang.error`) and the Go-level errors `CANCELED` and
/// `DEADLINE_EXCEEDED`. Fetched at the first cancellation that is looked
/// at, not at import (`golang._golang` is imported before `golang._pyerror`).
struct ErrApi {
    from_error: Py<PyAny>,
    canceled: Py<PyAny>,
    deadline_exceeded: Py<PyAny>,
}
static ERR_API: PyOnceLock<ErrApi> = PyOnceLock::new();
/// The background context.
static BACKGROUND: PyOnceLock<Py<PyContext>> = PyOnceLock::new();

/// A new `golang.error` for the crate's error `e`.
fn pyerr_of(py: Python<'_>, e: ContextError) -> PyResult<Py<PyAny>> {
    let api = ERR_API.get_or_try_init(py, || {
        let m = py.import("golang._pyerror")?;
        Ok::<_, PyErr>(ErrApi {
            from_error: m.getattr("_from_error")?.unbind(),
            canceled: m.getattr("CANCELED")?.unbind(),
            deadline_exceeded: m.getattr("DEADLINE_EXCEEDED")?.unbind(),
        })
    })?;
    let goerr = match e {
        ContextError::Canceled => &api.canceled,
        ContextError::DeadlineExceeded => &api.deadline_exceeded,
    };
    api.from_error.call1(py, (goerr.clone_ref(py),))
}

/// What made a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Background,
    /// `with_cancel`, `merge`, or a deadline no earlier than the parent's.
    Cancel,
    /// `with_deadline` / `with_timeout` with a deadline of its own (a timer).
    Deadline,
    /// `with_value`: shares its parent's crate context.
    Value,
}

/// The Python children of a context, held weakly (introspection only).
#[derive(Default)]
struct Kids {
    /// Weak references to the contexts made from this one, live or not.
    refs: Vec<Py<PyWeakrefReference>>,
    /// Prune `refs` of dead and cancelled children when it reaches this
    /// length (twice the live count after the last pruning).
    limit: usize,
}

/// A context (`golang.context.Context`): made by `background()`,
/// `with_cancel()`, `with_value()`, `with_deadline()`, `with_timeout()` and
/// `merge()`, or by `PyContext.from_ctx` of Cython code; never by calling
/// the type.
///
/// Laid out as the Cython class `golang._context.PyContext` that
/// golang/context.pxd declares, `struct { PyObject_HEAD; void *__pyx_vtab;
/// Context ctx; pychan _pydone; void *_state; PyObject *__weakref__; }`:
/// `#[repr(C)]`, these fields in this order (pyo3 puts the weak-reference
/// list right after them), so that Cython code reads `pyctx.ctx`, a C++
/// `Context` over this context's node (ctxnode.rs, invariant 1).
#[pyclass(name = "PyContext", module = "golang.context", frozen, weakref)]
#[repr(C)]
pub struct PyContext {
    /// Cython's `__pyx_vtab`.
    vtab: VTab,
    /// Cython's `ctx`: this context's node, one count held. Its crate
    /// context is this context's own, or for a value context its parent's
    /// (which owns `done`, `err` and the deadline).
    node: NodeRef,
    /// Cython's `_pydone`: what `done()` returns: a `chan(dtype='C.structZ')`
    /// (a value context's is its parent's), or `nilchan` for background and
    /// its value contexts.
    done: Py<PyAny>,
    /// Cython's `_state`: the rest, which only this file reads.
    st: Box<State>,
}

/// A counted `*const CtxNode` (ctxnode.rs, invariant 1).
#[repr(transparent)]
struct NodeRef(*const CtxNode);
// SAFETY: a node is an `Arc<CtxNode>` (Send + Sync); this is one count.
unsafe impl Send for NodeRef {}
// SAFETY: as above.
unsafe impl Sync for NodeRef {}

impl NodeRef {
    fn new(n: Arc<CtxNode>) -> NodeRef {
        NodeRef(CtxNode::into_raw(n))
    }
}

impl Drop for NodeRef {
    fn drop(&mut self) {
        // SAFETY: we hold one count (ctxnode.rs, invariant 1).
        drop(unsafe { Arc::from_raw(self.0) });
    }
}

/// What a Python context keeps besides its Cython-visible fields.
pub struct State {
    /// How the context was made.
    kind: Kind,
    /// The Python parents, for value lookups (background is not kept: it
    /// has no values). Released without recursion on drop.
    parents: [Option<Py<PyContext>>; 2],
    /// A value context's key and value (`None` otherwise, or once cleared
    /// by the garbage collector).
    kv: Mutex<Option<(Py<PyAny>, Py<PyAny>)>>,
    /// The Python children, weakly.
    kids: Mutex<Kids>,
    /// The crate's cancel function, for a cancellable context of its own
    /// (`_usercancel`); `None` for background and value contexts.
    cancel: Option<gctx::CancelFunc>,
}

impl State {
    fn new(kind: Kind, parents: [Option<Py<PyContext>>; 2], kv: Option<(Py<PyAny>, Py<PyAny>)>, cancel: Option<gctx::CancelFunc>) -> State {
        State { kind, parents, kv: Mutex::new(kv), kids: Mutex::new(Kids::default()), cancel }
    }
}

impl std::ops::Deref for PyContext {
    type Target = State;
    fn deref(&self) -> &State {
        &self.st
    }
}

impl std::ops::DerefMut for PyContext {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.st
    }
}

/// Locks ignoring poisoning: no user code runs under these locks.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl PyContext {
    /// A context over `node`, with its done channel and the rest.
    fn make(node: Arc<CtxNode>, done: Py<PyAny>, st: State) -> PyContext {
        PyContext { vtab: VTab::PYX, node: NodeRef::new(node), done, st: Box::new(st) }
    }

    /// The crate's context.
    fn inner(&self) -> &Context {
        // SAFETY: we hold a count of the node (ctxnode.rs, invariant 1).
        unsafe { &(*self.node.0).ctx }
    }

    /// Whether this context may ever be cancelled (it has a crate node).
    fn cancellable(&self) -> bool {
        !self.inner().is_background()
    }

    /// The Python parent to keep: `None` for background.
    fn keep(p: &Bound<'_, PyContext>) -> Option<Py<PyContext>> {
        if p.get().kind == Kind::Background {
            None
        } else {
            Some(p.clone().unbind())
        }
    }

    /// Whether `child`, a weakly held child, is alive and live (not cancelled).
    fn live_kid<'py>(py: Python<'py>, r: &Py<PyWeakrefReference>) -> Option<Bound<'py, PyContext>> {
        match r.bind(py).upgrade_as::<PyContext>() {
            Ok(Some(c)) if c.get().inner().err().is_none() => Some(c),
            _ => None,
        }
    }

    /// Records `child` as a child of this context, for `_children`.
    fn add_kid(&self, child: &Bound<'_, PyContext>) -> PyResult<()> {
        let py = child.py();
        let wr = PyWeakrefReference::new(child.as_any())?.unbind();
        let mut dropped = Vec::new(); // dropped after the lock is released
        {
            let mut k = lock(&self.kids);
            if k.refs.len() >= k.limit.max(8) {
                for r in std::mem::take(&mut k.refs) {
                    if Self::live_kid(py, &r).is_some() {
                        k.refs.push(r);
                    } else {
                        dropped.push(r);
                    }
                }
                k.limit = 2 * k.refs.len();
            }
            k.refs.push(wr);
        }
        drop(dropped);
        Ok(())
    }

    /// The `err()` object.
    fn err_obj(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.inner().err().map(|e| pyerr_of(py, e)).transpose()
    }
}

thread_local! {
    /// Parents of dropped contexts waiting to be released, and whether a
    /// release loop runs on this thread (see `Drop for PyContext`).
    static RELEASE: RefCell<(bool, Vec<Py<PyContext>>)> = const { RefCell::new((false, Vec::new())) };
}

impl Drop for PyContext {
    /// Releases the parents without recursion: dropping the last reference
    /// to a long chain of contexts (`with_value` on `with_value` ...) would
    /// otherwise recurse once per context in the deallocator.
    fn drop(&mut self) {
        let [a, b] = [self.parents[0].take(), self.parents[1].take()];
        if a.is_none() && b.is_none() {
            return;
        }
        let run = RELEASE.try_with(|r| {
            let mut r = r.borrow_mut();
            r.1.extend(a.into_iter().chain(b));
            !std::mem::replace(&mut r.0, true)
        });
        if run != Ok(true) {
            return; // a loop below this frame releases them (or the thread is exiting)
        }
        loop {
            let next = RELEASE.with(|r| r.borrow_mut().1.pop());
            match next {
                Some(p) => drop(p), // may come back here: it only queues
                None => break,
            }
        }
        RELEASE.with(|r| r.borrow_mut().0 = false);
    }
}

/// `parent` as a context, or Pygolang's TypeError.
fn as_ctx<'a, 'py>(parent: &'a Bound<'py, PyAny>) -> PyResult<&'a Bound<'py, PyContext>> {
    parent.cast::<PyContext>().map_err(|_| {
        let name = parent.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "?".into());
        PyTypeError::new_err(golang_pycore::msg::ctx_bad_parent(name))
    })
}

/// The cancel function returned with a context: `cancel()` takes no
/// arguments and may be called any number of times.
#[pyclass(name = "CancelFunc", module = "golang.context", frozen)]
pub struct PyCancelFunc {
    /// The crate's cancel function of the context.
    f: gctx::CancelFunc,
}

#[pymethods]
impl PyCancelFunc {
    fn __call__(&self, py: Python<'_>) -> PyResult<()> {
        cancel_now(py, &self.f)
    }

    fn __repr__(&self) -> String {
        format!("<golang.context cancel func: {:?}>", self.f)
    }
}

/// Cancels with `f`; under gevent, resumes the greenlets it woke.
fn cancel_now(py: Python<'_>, f: &gctx::CancelFunc) -> PyResult<()> {
    // done() closed by hand: Go's (and Pygolang's) panic, after the cancel.
    let res = f.try_cancel().map_err(|e| crate::value::go_panic(py, e.to_string()));
    if crate::gevent::enabled() {
        crate::gevent::flush(py)?; // resume the greenlets done() woke
    }
    res
}

/// Makes the Python context of a new cancellable crate context `inner`
/// (with `cancel`) whose Python parents are `parents`.
fn new_cancel_ctx<'py>(
    py: Python<'py>,
    inner: Context,
    cancel: gctx::CancelFunc,
    kind: Kind,
    parents: [Option<&Bound<'py, PyContext>>; 2],
) -> PyResult<Bound<'py, PyTuple>> {
    let mut ch = inner.done();
    if inner.err().is_some() {
        // Cancelled at birth: the crate gave its shared closed channel (or
        // a channel of its own); give this context one nobody else has.
        ch = Chan::new(0);
        ch.close();
    }
    let done = Bound::new(py, PyChan::from_chan(AnyChan::StructZ(ch)))?.into_any().unbind();
    let ctx = Bound::new(
        py,
        PyContext::make(
            CtxNode::new(inner),
            done,
            State::new(kind, [parents[0].and_then(PyContext::keep), parents[1].and_then(PyContext::keep)], None, Some(cancel.clone())),
        ),
    )?;
    if ctx.get().inner().err().is_none() {
        for p in parents.into_iter().flatten() {
            if p.get().cancellable() {
                p.get().add_kid(&ctx)?;
            }
        }
    }
    let cancel = Bound::new(py, PyCancelFunc { f: cancel })?;
    PyTuple::new(py, [ctx.into_any(), cancel.into_any()])
}

#[pymethods]
impl PyContext {
    #[new]
    #[pyo3(signature = (*_args, **_kw))]
    fn new(_args: &Bound<'_, PyTuple>, _kw: Option<&Bound<'_, pyo3::types::PyDict>>) -> PyResult<PyContext> {
        Err(PyAssertionError::new_err(golang_pycore::msg::CTX_USER_NEW))
    }

    /// done returns a channel that is closed when the context is canceled
    /// (the same channel on every call).
    fn done(&self, py: Python<'_>) -> Py<PyAny> {
        self.done.clone_ref(py)
    }

    /// err returns None while done is not closed, or the error that tells
    /// why the context was canceled (canceled or deadlineExceeded).
    fn err(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.err_obj(py)
    }

    /// deadline returns the context's deadline (float seconds, as
    /// time.now()) or None if it has none.
    fn deadline(&self) -> Option<f64> {
        self.inner().deadline()
    }

    /// value returns the value associated with key, or None. Keys are
    /// compared by identity, not by equality.
    fn value(slf: &Bound<'_, Self>, key: &Bound<'_, PyAny>) -> Option<Py<PyAny>> {
        lookup(slf, key)
    }

    /// The live contexts this context's cancellation propagates to (for
    /// `golang._context._tctxAssertChildren`): children that are neither
    /// cancelled nor garbage; none once this context is cancelled.
    #[getter]
    fn _children<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let mut live = Vec::new();
        let mut dropped = Vec::new();
        {
            let mut k = lock(&self.kids);
            let refs = std::mem::take(&mut k.refs);
            if self.inner().err().is_some() {
                dropped = refs; // a cancelled context forgets its children
            } else {
                for r in refs {
                    match PyContext::live_kid(py, &r) {
                        Some(c) => {
                            live.push(c);
                            k.refs.push(r);
                        }
                        None => dropped.push(r),
                    }
                }
            }
            k.limit = 2 * k.refs.len();
        }
        drop(dropped);
        PyList::new(py, live)
    }

    /// Cancels the context as its cancel function does (a no-op for
    /// background and value contexts, which cannot be canceled on their own).
    fn _usercancel(&self, py: Python<'_>) -> PyResult<()> {
        match &self.cancel {
            Some(f) => cancel_now(py, f),
            None => Ok(()),
        }
    }

    /// A value context's key (None for other contexts).
    #[getter]
    fn _key(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        lock(&self.kv).as_ref().map(|(k, _)| k.clone_ref(py))
    }

    /// True while the context's own deadline timer may be armed (it has a
    /// deadline earlier than its parent's and is not cancelled), else None.
    /// The timer itself is the crate's, stopped on cancel.
    #[getter]
    fn _timer(&self) -> Option<bool> {
        (self.kind == Kind::Deadline && self.inner().err().is_none()).then_some(true)
    }

    fn __repr__(slf: &Bound<'_, Self>) -> PyResult<String> {
        let this = slf.get();
        if this.kind == Kind::Background {
            return Ok("context.background()".into());
        }
        let state = match this.inner().err() {
            None => "active".to_string(),
            Some(e) => format!("canceled: {e}"),
        };
        Ok(format!("<golang.context.PyContext {state} at {:#x}>", slf.as_ptr() as usize))
    }

    fn __traverse__(&self, visit: PyVisit<'_>) -> Result<(), PyTraverseError> {
        for p in self.parents.iter().flatten() {
            visit.call(p)?;
        }
        // The lock is never held across a GIL release, so it is free here.
        if let Ok(kv) = self.kv.try_lock() {
            if let Some((k, v)) = kv.as_ref() {
                visit.call(k)?;
                visit.call(v)?;
            }
        }
        Ok(())
    }

    fn __clear__(&self) {
        // Every reference cycle through contexts goes through a key or a
        // value: parents only point up, children are weak.
        let kv = lock(&self.kv).take();
        drop(kv);
    }
}

/// The value of `key` in `ctx` or its ancestors (the first parent of a
/// merge first); iterative along single-parent chains.
fn lookup(ctx: &Bound<'_, PyContext>, key: &Bound<'_, PyAny>) -> Option<Py<PyAny>> {
    let py = ctx.py();
    let mut c = ctx.clone();
    loop {
        let n = c.get();
        if n.kind == Kind::Value {
            if let Some((k, v)) = lock(&n.kv).as_ref() {
                if k.as_ptr() == key.as_ptr() {
                    return Some(v.clone_ref(py));
                }
            }
        }
        let next = match (&n.parents[0], &n.parents[1]) {
            (None, None) => return None,
            (Some(p), None) | (None, Some(p)) => p.bind(py).clone(),
            (Some(a), Some(b)) => {
                if let Some(v) = lookup(a.bind(py), key) {
                    return Some(v);
                }
                b.bind(py).clone()
            }
        };
        c = next;
    }
}

/// The Python context of a node made by C++ or Rust (`PyContext.from_ctx`):
/// the background context for background's node, else a new context over
/// the node, without Python parents (the values C++ sets are C++'s) and
/// without a cancel function of its own (its maker has it).
pub fn from_node(py: Python<'_>, node: Arc<CtxNode>) -> PyResult<Py<PyContext>> {
    if node.ctx.is_background() {
        return ctx_background(py);
    }
    let done = Bound::new(py, PyChan::from_chan(AnyChan::StructZ(node.ctx.done())))?.into_any().unbind();
    let st = State::new(Kind::Cancel, [None, None], None, None);
    Py::new(py, PyContext::make(node, done, st))
}

/// background returns the root context: never canceled, no deadline, no
/// values; its done() is nilchan.
#[pyfunction]
pub fn ctx_background(py: Python<'_>) -> PyResult<Py<PyContext>> {
    BACKGROUND
        .get_or_try_init(py, || {
            Py::new(
                py,
                PyContext::make(
                    CtxNode::background(),
                    nil_of(py, DType::Obj)?.into_any(),
                    State::new(Kind::Background, [None, None], None, None),
                ),
            )
        })
        .map(|c| c.clone_ref(py))
}

/// with_cancel(parent) -> (ctx, cancel): a child of parent that is canceled
/// when cancel() is called or when parent is canceled, whichever happens
/// first. Call cancel as soon as the work under ctx is done.
#[pyfunction]
pub fn ctx_with_cancel<'py>(parent: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let p = as_ctx(parent)?;
    let (inner, cancel) = gctx::with_cancel(p.get().inner());
    new_cancel_ctx(parent.py(), inner, cancel, Kind::Cancel, [Some(p), None])
}

/// with_value(parent, key, value) -> ctx: a child of parent that carries
/// key -> value (keys are compared by identity); other keys are looked up
/// in parent. It shares parent's done(), err() and deadline.
#[pyfunction]
pub fn ctx_with_value<'py>(parent: &Bound<'py, PyAny>, key: &Bound<'py, PyAny>, value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyContext>> {
    let py = parent.py();
    let p = as_ctx(parent)?;
    let pn = p.get();
    // (the parent's node: a value context shares its crate context, and C++
    // sees the parent's context; Python's values stay on this side)
    // SAFETY: the parent holds a count of its node.
    let node = unsafe { CtxNode::clone_raw(pn.node.0) };
    let kv = Some((key.clone().unbind(), value.clone().unbind()));
    let st = State::new(Kind::Value, [PyContext::keep(p), None], kv, None);
    let ctx = Bound::new(py, PyContext::make(node, pn.done.clone_ref(py), st))?;
    if pn.cancellable() && pn.inner().err().is_none() {
        pn.add_kid(&ctx)?;
    }
    Ok(ctx)
}

/// with_deadline(parent, deadline) -> (ctx, cancel): a child of parent whose
/// deadline is the earliest of deadline and parent's. It is canceled with
/// deadlineExceeded when that time comes, or with canceled by cancel(), or
/// with parent.
#[pyfunction]
pub fn ctx_with_deadline<'py>(parent: &Bound<'py, PyAny>, deadline: f64) -> PyResult<Bound<'py, PyTuple>> {
    let p = as_ctx(parent)?;
    crate::time::dur(deadline)?; // a NaN deadline is refused (see time::dur)
    let (inner, cancel) = gctx::with_deadline(p.get().inner(), deadline);
    deadline_ctx(p, inner, cancel)
}

/// with_timeout(parent, timeout) -> (ctx, cancel): with_deadline(parent,
/// now() + timeout).
#[pyfunction]
pub fn ctx_with_timeout<'py>(parent: &Bound<'py, PyAny>, timeout: f64) -> PyResult<Bound<'py, PyTuple>> {
    let p = as_ctx(parent)?;
    crate::time::dur(timeout)?; // a NaN timeout is refused (see time::dur)
    let pi = p.get().inner();
    let (inner, cancel) = match Duration::try_from_secs_f64(timeout) {
        // the timer is armed for exactly timeout (virtual clocks stay exact)
        Ok(d) if timeout > 0.0 => gctx::with_timeout(pi, d),
        _ => gctx::with_deadline(pi, golang_time::now() + timeout),
    };
    deadline_ctx(p, inner, cancel)
}

fn deadline_ctx<'py>(p: &Bound<'py, PyContext>, inner: Context, cancel: gctx::CancelFunc) -> PyResult<Bound<'py, PyTuple>> {
    // The crate arms a timer only for a deadline earlier than the parent's;
    // otherwise the child has the parent's deadline.
    let own = inner.deadline() != p.get().inner().deadline();
    let kind = if own { Kind::Deadline } else { Kind::Cancel };
    new_cancel_ctx(p.py(), inner, cancel, kind, [Some(p), None])
}

/// merge(parent1, parent2) -> (ctx, cancel): a context done when parent1 or
/// parent2 is done or cancel() is called, whichever happens first; with the
/// earliest of the parents' deadlines, and the values of both parents,
/// parent1's taking precedence.
#[pyfunction]
pub fn ctx_merge<'py>(parent1: &Bound<'py, PyAny>, parent2: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    let p1 = as_ctx(parent1)?;
    let p2 = as_ctx(parent2)?;
    let (inner, cancel) = gctx::merge(p1.get().inner(), p2.get().inner());
    new_cancel_ctx(parent1.py(), inner, cancel, Kind::Cancel, [Some(p1), Some(p2)])
}

/// Adds the context API to the module `m`: the types and the `ctx_*`
/// functions (the errors `canceled` / `deadlineExceeded` are
/// `golang.context`'s, made in Python).
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyContext>()?;
    m.add_class::<PyCancelFunc>()?;
    m.add_function(wrap_pyfunction!(ctx_background, m)?)?;
    m.add_function(wrap_pyfunction!(ctx_with_cancel, m)?)?;
    m.add_function(wrap_pyfunction!(ctx_with_value, m)?)?;
    m.add_function(wrap_pyfunction!(ctx_with_deadline, m)?)?;
    m.add_function(wrap_pyfunction!(ctx_with_timeout, m)?)?;
    m.add_function(wrap_pyfunction!(ctx_merge, m)?)?;
    Ok(())
}
