//! Async goroutines: Python coroutines driven by the Rust executor.
//!
//! `go(async_fn, *args)` wraps the coroutine in a [`CoroTask`], a Rust
//! future that the executor polls like any goroutine. The channel operations
//! a coroutine awaits (`ch.arecv()`, `ch.asend(x)`, `aselect(...)`,
//! `time.asleep(dt)`) return an [`AwaitOp`]: awaiting it first tries the
//! operation at once; if it cannot complete, the `AwaitOp` hands the driver a
//! Rust future for the operation (through a thread-local) and yields. The
//! driver polls that future, with the GIL released, until it is ready, then
//! stores the result in the `AwaitOp` and resumes the coroutine, which gets
//! the result from the `await`.
//!
//! No asyncio is involved. Awaiting these operations from a coroutine that
//! is not a golang goroutine (an asyncio task, say) raises RuntimeError with
//! the way to bridge; awaiting a foreign awaitable (asyncio.sleep) inside a
//! golang goroutine raises RuntimeError into the coroutine likewise.
//!
//! `golang.run` (run.rs) runs a coroutine main as a [`CoroTask`].

use crate::ops::{AnyOp, OpFuture, OpOut, Step};
use pyo3::exceptions::{PyRuntimeError, PyStopIteration};
use pyo3::prelude::*;
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};


thread_local! {
    /// Set while a driver resumes a coroutine on this thread.
    static DRIVING: Cell<bool> = const { Cell::new(false) };
    /// The future of the operation the coroutine just yielded on.
    static PENDING: RefCell<Option<OpFuture>> = const { RefCell::new(None) };
}

use golang_pycore::msg::{self, BRIDGE};

/// An awaitable channel, select or sleep operation. Only touched with the
/// GIL held (by the coroutine awaiting it and by its driver).
#[pyclass(module = "golang._golang")]
pub struct AwaitOp {
    /// The operation, until it is started.
    op: Option<AnyOp>,
    /// An operation already started that waits (made by
    /// [`AwaitOp::waiting`]): its driver polls this future. (A Mutex only
    /// to make the class Sync, as pyo3 requires: taken once, GIL held.)
    waiting: std::sync::Mutex<Option<OpFuture>>,
    /// The result the driver stored when the operation completed.
    result: Option<PyResult<Py<PyAny>>>,
}

impl AwaitOp {
    pub(crate) fn new(op: AnyOp) -> AwaitOp {
        AwaitOp { op: Some(op), waiting: std::sync::Mutex::new(None), result: None }
    }

    /// The awaitable of an operation of the shared crate
    /// (`golang_pycore::awaitable`).
    pub(crate) fn shared(op: impl golang_pycore::awaitable::Awaitable) -> AwaitOp {
        AwaitOp::new(AnyOp::Shared(Box::new(op)))
    }

    /// An awaitable of an operation that was started and waits.
    pub(crate) fn waiting(fut: OpFuture) -> AwaitOp {
        AwaitOp { op: None, waiting: std::sync::Mutex::new(Some(fut)), result: None }
    }

    /// The operation, unstarted, or the future of the started one (for a
    /// synchronous goroutine's driver, syncrun.rs, which polls it itself).
    pub(crate) fn take_parts(&mut self) -> (Option<AnyOp>, Option<OpFuture>) {
        (self.op.take(), self.waiting.get_mut().unwrap_or_else(|p| p.into_inner()).take())
    }
}

fn stop_with(_py: Python<'_>, v: Py<PyAny>) -> PyErr {
    PyStopIteration::new_err((v,))
}

/// The result that makes an `AwaitOp` try its operation again.
fn retry_sentinel(py: Python<'_>) -> &'static Py<PyAny> {
    static RETRY: pyo3::sync::PyOnceLock<Py<PyAny>> = pyo3::sync::PyOnceLock::new();
    RETRY.get_or_init(py, || pyo3::types::PyList::empty(py).into_any().unbind())
}

#[pymethods]
impl AwaitOp {
    fn __await__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __iter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __next__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        match step(slf) {
            Next::Return(v) => Err(stop_with(slf.py(), v)),
            Next::Yield => Ok(slf.clone().into_any().unbind()),
            Next::Raise(e) => Err(e),
        }
    }
}

/// What one step of an awaited operation gives.
enum Next {
    /// The `await` evaluates to this.
    Return(Py<PyAny>),
    /// The coroutine yields the AwaitOp to its driver (the operation waits).
    Yield,
    /// The `await` raises this.
    Raise(PyErr),
}

/// The body of `__next__` and of `am_send`.
fn step(slf: &Bound<'_, AwaitOp>) -> Next {
    let py = slf.py();
    let mut this = slf.borrow_mut();
    if let Some(r) = this.result.take() {
        return match r {
            Ok(v) => Next::Return(v),
            Err(e) => Next::Raise(e),
        };
    }
    let driving = DRIVING.with(|d| d.get());
    let started = this.waiting.get_mut().unwrap_or_else(|p| p.into_inner()).take();
    if let Some(fut) = started {
        drop(this);
        if !driving {
            drop(fut);
            return Next::Raise(PyRuntimeError::new_err(BRIDGE));
        }
        PENDING.with(|p| *p.borrow_mut() = Some(fut));
        return Next::Yield;
    }
    if let Some(turn) = if driving { golang_pycore::awaitable::budget_wait() } else { None } {
        // A goroutine whose operations always complete at once still
        // yields when its cooperative budget is spent: wait one turn,
        // then this operation is tried again.
        let fut: OpFuture = Box::pin(async move {
            turn.await;
            Box::new(|py: Python<'_>| -> PyResult<Py<PyAny>> { Ok(retry_sentinel(py).clone_ref(py)) }) as OpOut
        });
        PENDING.with(|p| *p.borrow_mut() = Some(fut));
        return Next::Yield;
    }
    let Some(op) = this.op.take() else {
        return Next::Raise(PyRuntimeError::new_err(msg::AWAITED_TWICE));
    };
    drop(this);
    let fut = match op.start(py) {
        Step::Done(Ok(v)) => return Next::Return(v),
        Step::Done(Err(e)) => return Next::Raise(e),
        Step::Wait(f) => f,
    };
    if !driving {
        drop(fut);
        return Next::Raise(PyRuntimeError::new_err(BRIDGE));
    }
    PENDING.with(|p| *p.borrow_mut() = Some(fut));
    Next::Yield
}

/// `am_send` of AwaitOp (Python 3.10+): what `await` calls on it, returning
/// the result directly instead of raising StopIteration(result) as
/// `__next__` must. (pyo3 has no way to declare this slot; it is set on the
/// type at module init, see [`install_am_send`].) Returns PYGEN_RETURN (0),
/// PYGEN_NEXT (1) or PYGEN_ERROR (-1).
unsafe fn am_send_impl(iter: *mut pyo3::ffi::PyObject, presult: *mut *mut pyo3::ffi::PyObject) -> std::os::raw::c_int {
    // SAFETY: CPython calls am_send with the GIL held, on an object of the
    // type the slot is installed on (AwaitOp), and a valid `presult`.
    let py = unsafe { Python::assume_attached() };
    let slf = unsafe { Bound::from_borrowed_ptr(py, iter).cast_into_unchecked::<AwaitOp>() };
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| step(&slf)));
    let (res, out) = match r {
        Ok(Next::Return(v)) => (0, v.into_ptr()),
        Ok(Next::Yield) => (1, slf.clone().into_ptr()),
        Ok(Next::Raise(e)) => {
            e.restore(py);
            (-1, std::ptr::null_mut())
        }
        Err(_) => {
            pyo3::exceptions::PySystemError::new_err(msg::AWAITOP_PANIC).restore(py);
            (-1, std::ptr::null_mut())
        }
    };
    // SAFETY: see above.
    unsafe { *presult = out };
    res
}

#[cfg(Py_3_10)]
unsafe extern "C" fn await_op_am_send(
    iter: *mut pyo3::ffi::PyObject,
    _arg: *mut pyo3::ffi::PyObject,
    presult: *mut *mut pyo3::ffi::PyObject,
) -> pyo3::ffi::PySendResult {
    use pyo3::ffi::PySendResult;
    // SAFETY: forwarded from CPython's call, see am_send_impl.
    match unsafe { am_send_impl(iter, presult) } {
        0 => PySendResult::PYGEN_RETURN,
        1 => PySendResult::PYGEN_NEXT,
        _ => PySendResult::PYGEN_ERROR,
    }
}

/// Installs `am_send` on the AwaitOp type (Python 3.10+; older versions use
/// `__next__`).
pub(crate) fn install_am_send(py: Python<'_>) {
    #[cfg(Py_3_10)]
    {
        let ty = py.get_type::<AwaitOp>();
        let tp = ty.as_ptr() as *mut pyo3::ffi::PyTypeObject;
        // SAFETY: AwaitOp is a heap type that defines __await__, so its
        // tp_as_async points to the type's own writable PyAsyncMethods; we
        // set am_send once, at module init, before any AwaitOp exists.
        unsafe {
            let asy = (*tp).tp_as_async;
            if !asy.is_null() {
                (*asy).am_send = Some(await_op_am_send);
                pyo3::ffi::PyType_Modified(tp);
            }
        }
    }
    #[cfg(not(Py_3_10))]
    install_am_send_stable_abi(py);
}

/// The abi3 wheel (built for 3.9, where the slot does not exist) running on
/// 3.10+: the stable ABI can read a type's slots (PyType_GetSlot) but not
/// write them, and pyo3 cannot declare this one. The type's `tp_as_async`
/// field is at the same offset in every CPython 3.x release build, so it is
/// read there, and written only when the official accessor confirms it:
/// the pointer must lie inside the type object (a heap type embeds its
/// PyAsyncMethods) and its `am_await` must be the one PyType_GetSlot
/// returns; after the write PyType_GetSlot must return our am_send, else it
/// is undone. A layout that differs (a debug build) fails the checks and
/// keeps `__next__`, which is always correct, only slower.
#[cfg(not(Py_3_10))]
fn install_am_send_stable_abi(py: Python<'_>) {
    unsafe extern "C" fn am_send(
        iter: *mut pyo3::ffi::PyObject,
        _arg: *mut pyo3::ffi::PyObject,
        presult: *mut *mut pyo3::ffi::PyObject,
    ) -> std::os::raw::c_int {
        // SAFETY: forwarded from CPython's call, see am_send_impl.
        unsafe { am_send_impl(iter, presult) }
    }
    const PY_AM_AWAIT: std::os::raw::c_int = 77;
    const PY_AM_SEND: std::os::raw::c_int = 81;
    // ob_refcnt, ob_type, ob_size, tp_name, tp_basicsize, tp_itemsize,
    // tp_dealloc, tp_vectorcall_offset, tp_getattr, tp_setattr: 10 words.
    const TP_AS_ASYNC: usize = 10 * std::mem::size_of::<usize>();
    if py.version_info() < (3, 10) {
        return;
    }
    let Ok(heap_size) = py.get_type::<pyo3::types::PyType>().getattr("__basicsize__").and_then(|v| v.extract::<usize>()) else {
        return;
    };
    let ty = py.get_type::<AwaitOp>();
    let tp = ty.as_ptr() as *mut pyo3::ffi::PyTypeObject;
    let send: *mut std::ffi::c_void = am_send as *mut std::ffi::c_void;
    // SAFETY: `tp` is a live heap type object of `heap_size` bytes (more
    // than TP_AS_ASYNC + a word), so reading a word at TP_AS_ASYNC is in
    // bounds; `asy` is dereferenced only when it points inside the object
    // with room for PyAsyncMethods' four words (3.10+), and written only
    // when its first word is the am_await that CPython reports. This runs
    // once, at module init, with the GIL held, before any AwaitOp exists.
    unsafe {
        let start = tp as usize;
        let asy = *((start + TP_AS_ASYNC) as *const *mut *mut std::ffi::c_void);
        let at = asy as usize;
        if at <= start || at + 4 * std::mem::size_of::<usize>() > start + heap_size {
            return;
        }
        let am_await = pyo3::ffi::PyType_GetSlot(tp, PY_AM_AWAIT);
        if am_await.is_null() || *asy != am_await {
            return;
        }
        *asy.add(3) = send;
        pyo3::ffi::PyType_Modified(tp);
        if pyo3::ffi::PyType_GetSlot(tp, PY_AM_SEND) != send {
            *asy.add(3) = std::ptr::null_mut();
            pyo3::ffi::PyType_Modified(tp);
        }
    }
}

/// Where a failing goroutine of `golang.run` reports to.
/// (the exception, the goroutine's name, whether it is main: goroutine 1)
pub(crate) type Failure = Arc<Mutex<Option<(PyErr, String, bool)>>>;

thread_local! {
    static RUN_FAILURE: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// A goroutine made of a Python coroutine.
pub struct CoroTask {
    coro: Py<PyAny>,
    name: String,
    /// The operation the coroutine waits on, and the awaitable to resume.
    pending: Option<(OpFuture, Py<PyAny>)>,
    /// Where to report an exception (inside `golang.run`); `None` on the
    /// background executor, where it is printed.
    failure: Option<Failure>,
    /// The goroutine's return value (goroutine 1 of `golang.run`).
    out: Arc<Mutex<Option<Py<PyAny>>>>,
}

enum Resume {
    Yielded(OpFuture, Py<PyAny>),
    Returned(Py<PyAny>),
    Raised(PyErr),
}

impl CoroTask {
    /// The goroutine of `coro` (syncrun.rs: a plain function of a
    /// synchronous goroutine that returned a coroutine).
    pub(crate) fn new(coro: Py<PyAny>, name: String, failure: Option<Failure>, out: Arc<Mutex<Option<Py<PyAny>>>>) -> CoroTask {
        CoroTask { coro, name, pending: None, failure, out }
    }

    fn resume(&mut self, py: Python<'_>, send: Option<PyResult<Py<PyAny>>>) -> Resume {
        let coro = self.coro.bind(py);
        DRIVING.with(|d| d.set(true));
        let r = match send {
            Some(Err(e)) => match coro.call_method1("throw", (e.into_value(py),)) {
                Ok(v) => crate::gil::Sent::Yielded(v),
                Err(e) if e.is_instance_of::<PyStopIteration>(py) => crate::gil::Sent::Returned(
                    e.value(py).getattr("value").unwrap_or_else(|_| py.None().into_bound(py)),
                ),
                Err(e) => crate::gil::Sent::Raised(e),
            },
            _ => crate::gil::send_none(coro),
        };
        DRIVING.with(|d| d.set(false));
        let pending = PENDING.with(|p| p.borrow_mut().take());
        match r {
            crate::gil::Sent::Yielded(yielded) => match pending {
                Some(f) => Resume::Yielded(f, yielded.unbind()),
                None => {
                    let msg = format!(
                        "golang: a golang goroutine cannot await {}: only golang's awaitables \
                         (ch.arecv(), ch.asend(x), aselect(...), time.asleep(dt)) run on its executor",
                        yielded.repr().map(|r| r.to_string()).unwrap_or_default()
                    );
                    self.resume(py, Some(Err(PyRuntimeError::new_err(msg))))
                }
            },
            crate::gil::Sent::Returned(v) => Resume::Returned(v.unbind()),
            crate::gil::Sent::Raised(e) => Resume::Raised(e),
        }
    }
}

impl Future for CoroTask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let mut result = None;
            if let Some((fut, _)) = &mut this.pending {
                match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(out) => result = Some(out),
                }
            }
            let step = crate::gil::attach(|py| {
                if let Some(out) = result {
                    let (_, op) = this.pending.take().expect("pending op");
                    let r = out(py);
                    let retry = matches!(&r, Ok(v) if v.is(retry_sentinel(py)));
                    if !retry {
                        let op = op.bind(py).cast::<AwaitOp>().expect("only AwaitOps yield to the driver");
                        op.borrow_mut().result = Some(r);
                    }
                }
                let s = this.resume(py, None);
                match s {
                    Resume::Yielded(f, op) => {
                        this.pending = Some((f, op));
                        None
                    }
                    Resume::Returned(v) => {
                        *this.out.lock().unwrap() = Some(v);
                        Some(Ok(()))
                    }
                    Resume::Raised(e) => Some(Err(e)),
                }
            });
            match step {
                None => continue,
                Some(Ok(())) => return Poll::Ready(()),
                Some(Err(e)) => {
                    crate::gil::attach(|py| report_failure(py, this.failure.as_ref(), e, &this.name, Some(this.coro.bind(py))));
                    return Poll::Ready(());
                }
            }
        }
    }
}

/// Reports an exception `e` that escaped goroutine `name`: to `failure`
/// (inside `golang.run`: it ends the run, which raises it), else printed.
pub(crate) fn report_failure(py: Python<'_>, failure: Option<&Failure>, e: PyErr, name: &str, obj: Option<&Bound<'_, PyAny>>) {
    match failure {
        Some(f) => {
            let mut slot = f.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some((e, name.to_string(), golang_sched::current_goroutine() == 1));
            }
            drop(slot);
            // Ends the run; golang.run raises the exception.
            golang_sched::fail_run(format!("goroutine {name} raised"));
        }
        None => e.write_unraisable(py, obj),
    }
}

/// Where an exception escaping a goroutine started now goes (inside
/// `golang.run`: the run's failure; else None).
pub(crate) fn run_failure() -> Option<Failure> {
    RUN_FAILURE.with(|f| f.borrow().clone())
}

/// Sets (for the length of a run, run.rs) or clears where goroutines'
/// exceptions go.
pub(crate) fn set_run_failure(f: Option<Failure>) {
    RUN_FAILURE.with(|r| *r.borrow_mut() = f);
}

/// Reports an exception that escaped a goroutine running on an executor:
/// inside `golang.run` it ends the run (which raises it), elsewhere it is
/// printed.
pub(crate) fn goroutine_failed(py: Python<'_>, e: PyErr, name: &str, obj: Option<&Bound<'_, PyAny>>) {
    report_failure(py, run_failure().as_ref(), e, name, obj)
}

/// Whether the caller runs on a goroutine executor's thread (in an async
/// goroutine), where blocking calls would block every goroutine.
#[pyfunction]
pub fn _in_executor() -> bool {
    golang_sched::in_executor()
}

impl Drop for CoroTask {
    /// A goroutine still blocked (or never started) when its run ends is
    /// closed now, as Go's goroutines vanish when main returns: no "never
    /// awaited" warning, and its `finally` blocks run at a known point.
    /// What they raise is ignored: the goroutine is gone.
    fn drop(&mut self) {
        let coro = &self.coro;
        crate::gil::attach(|py| {
            if let Err(e) = coro.bind(py).call_method0(pyo3::intern!(py, "close")) {
                drop(e);
            }
        });
    }
}

pub(crate) fn coro_name(py: Python<'_>, coro: &Bound<'_, PyAny>) -> String {
    coro.getattr(pyo3::intern!(py, "__qualname__"))
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| "coroutine".into())
}

/// Spawns a coroutine as a goroutine on the current executor (inside
/// `golang.run` or another async goroutine) or on the background executor.
#[pyfunction]
pub fn go_async(py: Python<'_>, coro: Py<PyAny>) -> PyResult<()> {
    let name = coro_name(py, coro.bind(py));
    let failure = RUN_FAILURE.with(|f| f.borrow().clone());
    let task = CoroTask { coro, name: name.clone(), pending: None, failure, out: Arc::new(Mutex::new(None)) };
    golang_sched::handle().spawn_named(Some(name), task);
    Ok(())
}
