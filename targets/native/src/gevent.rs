//! The gevent runtime: channel operations that block the greenlet, not the
//! OS thread.
//!
//! Under gevent (gpython, or `gevent.monkey.patch_all()` before `import
//! golang`) a blocking send, receive or select runs its Rust future (the
//! same one async goroutines await) with a waker of its own. When the
//! future is pending, the greenlet waits in `golang._runtime_gevent._wait(id)`,
//! which switches to the gevent hub. The waker may fire on any thread (a
//! Rust goroutine, a timer on the background executor, another greenlet):
//! it queues the operation's id and writes a byte to a pipe that the hub
//! watches; the hub's callback takes the queued ids and switches back to
//! their greenlets, which poll their futures again. No GIL is needed to
//! wake, and dropping a pending future (an exception thrown into the
//! greenlet) aborts the operation without losing a value.

use crate::ops::{AnyOp, Step};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

static ENABLED: AtomicBool = AtomicBool::new(false);
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The pipe to the hub and the ids of the operations woken since the hub
/// last looked.
struct Wakeups {
    /// The write end of the pipe (owned by the core; replaced in a child
    /// of fork(), which must not share its parent's pipe).
    pipe: AtomicI32,
    woken: Mutex<Vec<u64>>,
    /// Functions to start as greenlets (timers' `after_func`), from any
    /// thread.
    spawns: Mutex<Vec<Arc<Py<PyAny>>>>,
}

static WAKEUPS: OnceLock<Wakeups> = OnceLock::new();

/// The OS thread of the hub that watches the pipe.
static HUB_THREAD: OnceLock<std::thread::ThreadId> = OnceLock::new();

/// Set when a greenlet of the hub's own thread was woken: no pipe write is
/// needed then, only a hub callback, which the waking greenlet schedules
/// when its operation returns (`flush`).
static LOCAL_WAKEUP: AtomicBool = AtomicBool::new(false);

/// Whether blocking operations yield to the gevent hub.
#[inline]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Turns the gevent runtime on; `wfd` is the write end of the pipe the hub
/// watches (the core takes ownership of it).
#[pyfunction]
pub fn _gevent_setup(wfd: i32) -> PyResult<()> {
    // (the caller gives up `wfd`: the core owns it from now on)
    WAKEUPS
        .set(Wakeups { pipe: AtomicI32::new(wfd), woken: Mutex::new(Vec::new()), spawns: Mutex::new(Vec::new()) })
        .map_err(|_| pyo3::exceptions::PyRuntimeError::new_err(golang_pycore::msg::GEVENT_SETUP_TWICE))?;
    let _ = HUB_THREAD.set(std::thread::current().id());
    ENABLED.store(true, Ordering::SeqCst);
    Ok(())
}

/// In a child of fork(): the hub watches a new pipe, whose write end `wfd`
/// replaces the one shared with the parent (closed here). Greenlets are
/// copied by fork, so the ids already queued stay valid.
#[pyfunction]
pub fn _gevent_after_fork(wfd: i32) {
    let Some(w) = WAKEUPS.get() else { return };
    let old = w.pipe.swap(wfd, Ordering::AcqRel);
    // SAFETY: `old` was the core's own descriptor, no longer published.
    drop(unsafe { std::fs::File::from_raw_fd(old) });
}

/// Writes the wake-up byte to the hub's pipe.
fn poke(w: &Wakeups) {
    // SAFETY: the descriptor is the core's own and stays open (it is only
    // closed when replaced after fork, when no other thread exists); the
    // File is not dropped, so it does not close it.
    let f = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(w.pipe.load(Ordering::Acquire)) });
    let _ = (&*f).write(&[1]);
}

/// The ids woken since the last call (called by the hub's pipe callback).
#[pyfunction]
pub fn _gevent_woken() -> Vec<u64> {
    WAKEUPS.get().map(|w| std::mem::take(&mut *w.woken.lock().unwrap())).unwrap_or_default()
}

/// The functions queued by [`spawn`] (called by the hub's pipe callback,
/// which starts each in a greenlet).
#[pyfunction]
pub fn _gevent_spawns(py: Python<'_>) -> Vec<Py<PyAny>> {
    let Some(w) = WAKEUPS.get() else { return Vec::new() };
    let fs = std::mem::take(&mut *w.spawns.lock().unwrap());
    fs.into_iter().map(|f| f.clone_ref(py)).collect()
}

/// Starts `f` as a greenlet of the hub's thread, from any thread and
/// without the GIL (a timer's function under gevent).
pub(crate) fn spawn(f: Arc<Py<PyAny>>) {
    let Some(w) = WAKEUPS.get() else { return };
    w.spawns.lock().unwrap().push(f);
    poke(w);
}

struct GreenletWaker {
    id: u64,
}

impl Wake for GreenletWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let Some(w) = WAKEUPS.get() else { return };
        let first = {
            let mut q = w.woken.lock().unwrap();
            q.push(self.id);
            q.len() == 1
        };
        if HUB_THREAD.get() == Some(&std::thread::current().id()) {
            // Woken by a greenlet of the hub's thread: it schedules the hub
            // callback itself when its operation returns (no syscall).
            LOCAL_WAKEUP.store(true, Ordering::Release);
        } else if first {
            // One byte per batch: the hub takes every queued id at once.
            poke(w);
        }
    }
}

/// Whether this thread woke greenlets of its own hub since the last `flush`.
pub(crate) fn has_local_wakeup() -> bool {
    LOCAL_WAKEUP.load(Ordering::Acquire)
}

/// If this thread woke greenlets of its own hub, asks the hub to resume
/// them (`hub.loop.run_callback`).
pub(crate) fn flush(py: Python<'_>) -> PyResult<()> {
    static SCHEDULE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    if LOCAL_WAKEUP.swap(false, Ordering::AcqRel) {
        let f = SCHEDULE.get_or_try_init(py, || py.import("golang._runtime_gevent")?.getattr("_schedule").map(|f| f.unbind()))?;
        f.call0(py)?;
    }
    Ok(())
}

/// Runs a channel operation, blocking the current greenlet until it is done
/// (a thread blocks in `gil::block_thread` instead).
pub(crate) fn block_greenlet(py: Python<'_>, op: AnyOp) -> PyResult<Py<PyAny>> {
    let mut fut = match op.start(py) {
        Step::Done(r) => {
            flush(py)?;
            return r;
        }
        Step::Wait(f) => f,
    };
    if let Err(e) = crate::gil::refuse_in_executor() {
        drop(fut);
        return Err(e);
    }
    if crate::gil::PANIC_WHEN_BLOCKED.load(Ordering::Relaxed) {
        drop(fut);
        return Err(crate::value::go_panic(py, golang_pycore::msg::BLOCKS_FOREVER));
    }
    // An exception while waiting (a greenlet kill, a timeout) drops `fut`,
    // which aborts the operation.
    block_greenlet_on(py, fut.as_mut())?(py)
}

/// Whether the calling thread is the hub's: a greenlet runs there.
pub(crate) fn on_hub_thread() -> bool {
    HUB_THREAD.get() == Some(&std::thread::current().id())
}

/// Polls `fut` to completion, switching to the hub while it is pending.
/// An exception raised while the greenlet waits (a kill, the hub's
/// LoopExit) comes back as the error; `fut` is then still pending.
pub(crate) fn block_greenlet_on<F: Future + ?Sized>(py: Python<'_>, mut fut: Pin<&mut F>) -> PyResult<F::Output> {
    static WAIT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let waker = Waker::from(Arc::new(GreenletWaker { id }));
    let wait = WAIT.get_or_try_init(py, || py.import("golang._runtime_gevent")?.getattr("_wait").map(|f| f.unbind()))?;
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut Context::from_waker(&waker)) {
            flush(py)?;
            return Ok(out);
        }
        flush(py)?;
        wait.call1(py, (id,))?;
    }
}
