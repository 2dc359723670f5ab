//! `go` for the thread runtime: goroutines are Python threads from a pool.
//!
//! Starting an OS thread costs tens of microseconds; a pool of Python
//! threads that wait (without the GIL) for the next goroutine to run makes
//! `go` cost a queue push and a wake-up. A worker that has been idle for
//! `IDLE_EXIT` exits. Workers are plain `_thread` threads, so the process
//! does not wait for them at exit, as Go does not wait for goroutines.
//! An exception that escapes a goroutine is printed, as Python prints an
//! exception that escapes a `_thread` thread.

use golang_chan::Chan;
use pyo3::exceptions::PySystemExit;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// How long an idle worker waits for work before it exits.
const IDLE_EXIT: Duration = Duration::from_secs(10);

/// One goroutine to run: `f(*args, **kw)`. `f` is shared so that a timer
/// can start goroutines without the GIL (no Python refcount changes).
pub(crate) struct Job {
    pub(crate) f: Arc<Py<PyAny>>,
    pub(crate) args: Option<Py<PyTuple>>,
    pub(crate) kw: Option<Py<PyDict>>,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Job>,
    /// Workers waiting for a job.
    idle: usize,
}

struct Pool {
    queue: Mutex<Queue>,
    cv: Condvar,
}

/// The pool: null until first use, then a leaked (never freed) `Pool`.
/// After `fork()` the child forgets it ([`reset_after_fork`]): its workers
/// do not exist there and its lock may have been held by one of them.
static POOL: AtomicPtr<Pool> = AtomicPtr::new(std::ptr::null_mut());

fn pool() -> &'static Pool {
    crate::ctask::leaked_once(&POOL, || Pool { queue: Mutex::new(Queue::default()), cv: Condvar::new() })
}

/// In the child after `fork()`: the parent's goroutine threads are gone, so
/// are their pool and the background executor; the next `go` and the next
/// timer start new ones (the old ones are leaked, not touched: their locks
/// may be held by threads that no longer exist).
#[pyfunction]
pub fn _after_fork_child() {
    POOL.store(std::ptr::null_mut(), Ordering::Release);
    crate::ctask::reset_after_fork();
    golang_sched::reset_after_fork();
}

/// Runs `f(*args, **kw)` in a goroutine (a pooled Python thread).
#[pyfunction]
#[pyo3(signature = (f, args, kw=None))]
pub fn go_thread(py: Python<'_>, f: Py<PyAny>, args: Py<PyTuple>, kw: Option<Py<PyDict>>) -> PyResult<()> {
    if push(Job { f: Arc::new(f), args: Some(args), kw }) {
        spawn_worker(py)?;
    }
    Ok(())
}

/// Queues a goroutine (no GIL needed); true if a new worker must be started.
pub(crate) fn push(job: Job) -> bool {
    let p = pool();
    let mut q = p.queue.lock().unwrap();
    q.jobs.push_back(job);
    if q.idle >= q.jobs.len() {
        p.cv.notify_one();
        false
    } else {
        true
    }
}

/// Starts one more pool thread.
pub(crate) fn spawn_worker(py: Python<'_>) -> PyResult<()> {
    let worker = py.import("golang._golang")?.getattr("_worker")?;
    py.import("_thread")?.call_method1("start_new_thread", (worker, PyTuple::empty(py)))?;
    Ok(())
}

/// The body of a pool thread: runs goroutines until idle for `IDLE_EXIT`.
#[pyfunction]
pub fn _worker(py: Python<'_>) -> PyResult<()> {
    // Goroutines run Python code that CPython may end with `pthread_exit`
    // at interpreter exit; its unwinding must not reach pyo3's catch_unwind
    // (that aborts the process): this guard hangs the thread instead.
    let guard = crate::gil::HangOnUnwind;
    let r = worker_loop(py);
    std::mem::forget(guard);
    r
}

fn worker_loop(py: Python<'_>) -> PyResult<()> {
    let p = pool();
    loop {
        let job = crate::gil::detach(py, || {
            let mut q = p.queue.lock().unwrap();
            loop {
                if let Some(j) = q.jobs.pop_front() {
                    return Some(j);
                }
                q.idle += 1;
                let (g, to) = p.cv.wait_timeout(q, IDLE_EXIT).unwrap();
                q = g;
                q.idle -= 1;
                if to.timed_out() && q.jobs.is_empty() {
                    drop(q);
                    crate::gil::park_if_exiting();
                    return None;
                }
            }
        });
        crate::gil::park_if_exiting();
        let Some(job) = job else { return Ok(()) };
        let f = job.f.bind(py);
        let args = match &job.args {
            Some(a) => a.bind(py).clone(),
            None => PyTuple::empty(py),
        };
        if let Err(e) = crate::gil::call_goroutine(f, &args, job.kw.as_ref().map(|k| k.bind(py))) {
            report(py, e, f);
        }
        drop(job);
    }
}

// Prints an exception that escaped a goroutine, as `_thread` would; nothing
// during interpreter shutdown (modules may be half torn down then).
fn report(py: Python<'_>, e: PyErr, f: &Bound<'_, PyAny>) {
    if e.is_instance_of::<PySystemExit>(py) {
        return;
    }
    let finalizing = py
        .import("sys")
        .and_then(|s| s.call_method0("is_finalizing"))
        .and_then(|v| v.extract::<bool>())
        .unwrap_or(true);
    if finalizing {
        return;
    }
    e.write_unraisable(py, Some(f));
}

/// Test helper: a Rust goroutine (on the background executor, never taking
/// the GIL) receives `n` ints from `inp`, sends each doubled to `out`, then
/// closes `out`. Both must be `chan(dtype='C.int')`.
#[pyfunction]
pub fn _rust_echo_int(inp: &Bound<'_, crate::pychan::PyChan>, out: &Bound<'_, crate::pychan::PyChan>, n: usize) -> PyResult<()> {
    use crate::pychan::AnyChan;
    let (AnyChan::Int(i), AnyChan::Int(o)) = (inp.get().ch(), out.get().ch()) else {
        return Err(pyo3::exceptions::PyTypeError::new_err("_rust_echo_int: need chan(dtype='C.int')"));
    };
    let (i, o): (Chan<i32>, Chan<i32>) = (i.clone(), o.clone());
    golang_sched::background().spawn(async move {
        for _ in 0..n {
            match i.recv().await {
                Some(v) => {
                    // (`out` closed from Python: stop, not a Rust panic that
                    // would end the background executor and the process)
                    if o.send(v * 2).await.is_err() {
                        break;
                    }
                }
                None => break,
            }
        }
        let _ = o.try_close();
    });
    Ok(())
}
