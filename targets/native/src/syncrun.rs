//! Synchronous goroutines of a deterministic run: `golang.run(plain_fn,
//! seed=N)`, and `go(plain_fn)` inside a run, run the function in a greenlet
//! that a goroutine of the run's executor drives: a [`SyncTask`], a Rust
//! future that switches into the greenlet (greenlet.rs, greenlet's C API)
//! and back. A blocking operation called there (a receive, send or select,
//! a sleep) cannot block the executor's thread: [`block`] hands the
//! operation's Rust future to the driver and switches to it; the driver
//! polls that future on the executor (so the seeded scheduler, the virtual
//! clock and the deadlock detector see it like any other goroutine's) and
//! switches back with its result, or the exception (a Go panic included),
//! which the blocking call then returns or raises. No Python coroutine nor
//! per-hand-over Python object is involved. python/golang/_syncrun.py keeps
//! the Python half: `run`, the greenlet class, where a goroutine waits
//! (file:line) and the deadlock report.
//!
//! Invariants:
//! 1. [`ACTIVE`] is true on an executor's thread exactly while a driver has
//!    switched into a synchronous goroutine's greenlet (set before each
//!    switch in, cleared when the greenlet switches back or ends). So an
//!    async goroutine's blocking call still gets the RuntimeError that
//!    tells it to await (gil::refuse_in_executor), and nothing here runs
//!    outside a run.
//! 2. An operation that can complete at once completes here, without a
//!    switch (fast path: the driver would only await a ready operation),
//!    unless the goroutine's cooperative budget is spent: then it goes to
//!    the driver unstarted ([`Wait::Turn`]), which waits one turn (as an
//!    async goroutine's `await` does) and tries it again, spending the
//!    budget as an awaited operation's first step does (coro.rs, `step`),
//!    so a goroutine that never blocks cannot starve the others and the
//!    scheduling decisions are those of an awaited operation.
//! 3. The two sides hand over through [`TO_GREENLET`] and [`TO_DRIVER`]:
//!    each side sets its message just before it switches, and the other
//!    takes it first thing after its own switch returns, before anything
//!    that could switch again; so at most one message is in flight each
//!    way, and it is the one the switch was for (a run's greenlets all live
//!    on the run's thread). No RefCell borrow is held across a switch.
//! 4. [`DRIVER`] is the greenlet the drivers run in (the one that called
//!    `golang.run`), stored at each switch in; a goroutine's greenlet
//!    switches only to it.
//! 5. Each greenlet in [`IDLE`] waits in [`_sync_work`] for its next job
//!    (finished goroutines' greenlets are reused: starting a greenlet costs
//!    more than the rest of a `go`); `_sync_end_run` drops them at the end
//!    of each run, which ends them (GreenletExit).
//! 6. [`LEFT`] holds, by goroutine id, where (file:line) each synchronous
//!    goroutine still waiting when its run ended waited: its task's drop
//!    notes it before ending the goroutine; `_sync_end_run` takes it for
//!    the deadlock report.

use crate::coro::{AwaitOp, CoroTask, Failure};
use crate::greenlet;
use crate::ops::{AnyOp, OpFuture, OpOut, Step};
use golang_pycore::msg;
use pyo3::exceptions::{PyGeneratorExit, PyRuntimeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

/// Most finished greenlets kept for reuse (invariant 5).
const MAX_IDLE: usize = 64;

/// A turn to wait (`golang_sched::yield_now`).
type Turn = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What a synchronous goroutine waits on, polled by its driver.
enum Wait {
    /// A started operation: done when its future is.
    Op(OpFuture),
    /// One turn, then the operation is tried (invariant 2).
    Turn(Turn, AnyOp),
}

/// What the driver hands its goroutine's greenlet (invariant 3).
enum Msg {
    /// A function to run: `f(*args, **kw)`.
    Job(Py<PyAny>, Py<PyTuple>, Option<Py<PyDict>>),
    /// The outcome of the operation it waited on.
    Result(PyResult<Py<PyAny>>),
}

/// What a goroutine's greenlet hands its driver (invariant 3).
enum Back {
    /// It waits on this.
    Wait(Wait),
    /// Its function returned or raised this.
    Done(PyResult<Py<PyAny>>),
}

thread_local! {
    /// Invariant 1: a synchronous goroutine runs on this thread now.
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    /// Invariant 3.
    static TO_GREENLET: RefCell<Option<Msg>> = const { RefCell::new(None) };
    /// Invariant 3.
    static TO_DRIVER: RefCell<Option<Back>> = const { RefCell::new(None) };
    /// Invariant 4.
    static DRIVER: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
    /// Invariant 5.
    static IDLE: RefCell<Vec<Py<PyAny>>> = const { RefCell::new(Vec::new()) };
    /// Invariant 6.
    static LEFT: RefCell<HashMap<u64, String>> = RefCell::new(HashMap::new());
    /// Called with the greenlet at each hand-over while the run records or
    /// the determinism self-check logs (`_syncrun._handover`); else None.
    static HOOK: RefCell<Option<Py<PyAny>>> = const { RefCell::new(None) };
}

/// Whether a synchronous goroutine of a run is running on this thread.
#[inline]
pub(crate) fn active() -> bool {
    ACTIVE.with(|a| a.get())
}

/// Whether a blocking operation of this thread blocks a greenlet rather
/// than the OS thread: under gevent (it yields to the hub), and in a
/// synchronous goroutine of a run (it goes to the goroutine's driver).
#[inline]
pub(crate) fn blocks_greenlet() -> bool {
    crate::gevent::enabled() || active()
}

/// Runs a blocking operation in a greenlet ([`blocks_greenlet`]): a
/// synchronous goroutine's through its driver, else gevent's.
pub(crate) fn block_greenlet(py: Python<'_>, op: AnyOp) -> PyResult<Py<PyAny>> {
    if active() {
        block(py, op)
    } else {
        crate::gevent::block_greenlet(py, op)
    }
}

fn turn() -> Turn {
    Box::pin(golang_sched::yield_now())
}

/// Runs `op` from a synchronous goroutine of a run: the greenlet waits while
/// its driver polls the operation; the result (or the exception, a Go
/// panic included) comes back here.
fn block(py: Python<'_>, op: AnyOp) -> PyResult<Py<PyAny>> {
    // invariant 2
    let wait = if golang_sched::coop_proceed() {
        match op.start(py) {
            Step::Done(r) => return r,
            Step::Wait(fut) => Wait::Op(fut),
        }
    } else {
        Wait::Turn(turn(), op)
    };
    hand_over(py, wait)
}

/// `time.sleep` of a synchronous goroutine (python/golang/_syncrun.py):
/// waits, through the driver, on `aw` (`time.asleep(dt)`, or `_ayield()`
/// for `sleep(0)`), as an awaited operation would (its budget first,
/// invariant 2).
#[pyfunction]
pub fn _sync_block(py: Python<'_>, aw: &Bound<'_, AwaitOp>) -> PyResult<Py<PyAny>> {
    let (op, started) = aw.borrow_mut().take_parts();
    if let Some(fut) = started {
        return hand_over(py, Wait::Op(fut));
    }
    let Some(op) = op else {
        return Err(PyRuntimeError::new_err(msg::AWAITED_TWICE));
    };
    if !golang_sched::coop_proceed() {
        return hand_over(py, Wait::Turn(turn(), op));
    }
    match op.start(py) {
        Step::Done(r) => r,
        Step::Wait(fut) => hand_over(py, Wait::Op(fut)),
    }
}

/// The greenlet's side of a wait: hands `wait` to the driver and switches
/// to it; returns what the driver resumes it with.
fn hand_over(py: Python<'_>, wait: Wait) -> PyResult<Py<PyAny>> {
    let driver = DRIVER.with(|d| d.borrow().as_ref().map(|g| g.clone_ref(py)));
    let Some(driver) = driver else {
        return Err(PyRuntimeError::new_err("golang: a synchronous goroutine outside its run"));
    };
    TO_DRIVER.with(|t| *t.borrow_mut() = Some(Back::Wait(wait))); // invariant 3
    if let Err(e) = greenlet::switch(py, &driver) {
        // Not switched, or thrown into this greenlet (its disposal): a
        // message still here is this one, never taken.
        drop(TO_DRIVER.with(|t| t.borrow_mut().take()));
        return Err(e);
    }
    match TO_GREENLET.with(|t| t.borrow_mut().take()) {
        Some(Msg::Result(r)) => r,
        other => {
            drop(other);
            Err(PyRuntimeError::new_err(
                "golang: a synchronous goroutine was resumed by something other than its run (another greenlet library?)",
            ))
        }
    }
}

/// The body of every greenlet of a synchronous goroutine: runs one
/// goroutine's function after another (invariant 5), handing each outcome
/// to its driver. Its disposal (GreenletExit) ends it.
#[pyfunction]
pub fn _sync_work(py: Python<'_>) -> PyResult<()> {
    loop {
        let Some(Msg::Job(f, args, kw)) = TO_GREENLET.with(|t| t.borrow_mut().take()) else {
            return Ok(()); // (switched into by someone else: ends)
        };
        let r = f.bind(py).call(args.bind(py), kw.as_ref().map(|k| k.bind(py))).map(Bound::unbind);
        drop((f, args, kw)); // (not kept alive while idle)
        match r {
            Err(e) if greenlet::is_greenlet_exit(py, &e) => return Err(e),
            r => TO_DRIVER.with(|t| *t.borrow_mut() = Some(Back::Done(r))), // invariant 3
        }
        let driver = DRIVER.with(|d| d.borrow().as_ref().map(|g| g.clone_ref(py)));
        let Some(driver) = driver else {
            drop(TO_DRIVER.with(|t| t.borrow_mut().take())); // (no run: nobody to take it)
            return Ok(());
        };
        if let Err(e) = greenlet::switch(py, &driver) {
            drop(TO_DRIVER.with(|t| t.borrow_mut().take()));
            return Err(e);
        }
    }
}

/// A greenlet for a goroutine: an idle one (invariant 5) or a new one.
fn greenlet_for_job(py: Python<'_>) -> PyResult<Py<PyAny>> {
    if let Some(g) = IDLE.with(|i| i.borrow_mut().pop()) {
        return Ok(g);
    }
    static NEW: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let new = NEW.get_or_try_init(py, || py.import("golang._syncrun")?.getattr("_new_greenlet").map(Bound::unbind))?;
    new.call0(py)
}

/// Where the phase of a task is.
enum Phase {
    /// Not started: its function and arguments.
    Start(Msg),
    /// Its greenlet waits on this.
    Waiting(Wait),
    /// Its function returned a coroutine, which it awaits (as the coroutine
    /// goroutine that drives it).
    Coro(CoroTask),
    /// Finished.
    Done,
}

/// A synchronous goroutine: the future that drives its greenlet.
pub(crate) struct SyncTask {
    phase: Phase,
    /// Its greenlet, from its first poll until it finishes.
    g: Option<Py<PyAny>>,
    /// Its function, for its name when a report needs it ([`task_name`]).
    f: Py<PyAny>,
    /// Its goroutine id (from its first poll).
    gid: u64,
    /// Where an exception escaping it is reported (coro.rs).
    failure: Option<Failure>,
    /// Its return value (goroutine 1 of `golang.run`).
    out: Arc<Mutex<Option<Py<PyAny>>>>,
}

/// What a step of the driver leads to.
enum Next {
    Continue,
    Finished,
}

impl SyncTask {
    fn new(py: Python<'_>, f: Py<PyAny>, args: Py<PyTuple>, kw: Option<Py<PyDict>>, failure: Option<Failure>, out: Arc<Mutex<Option<Py<PyAny>>>>) -> SyncTask {
        let job = Msg::Job(f.clone_ref(py), args, kw);
        SyncTask { phase: Phase::Start(job), g: None, f, gid: 0, failure, out }
    }

    /// Switches into the greenlet with `msg` (invariants 1, 3, 4) and takes
    /// what it hands back.
    fn switch_in(py: Python<'_>, g: &Py<PyAny>, msg: Msg) -> PyResult<Option<Back>> {
        let me = greenlet::current(py)?;
        drop(DRIVER.with(|d| d.replace(Some(me)))); // invariant 4
        TO_GREENLET.with(|t| *t.borrow_mut() = Some(msg)); // invariant 3
        ACTIVE.with(|a| a.set(true)); // invariant 1
        let r = greenlet::switch(py, g);
        ACTIVE.with(|a| a.set(false));
        let back = TO_DRIVER.with(|t| t.borrow_mut().take());
        drop(TO_GREENLET.with(|t| t.borrow_mut().take())); // (untaken: it had ended)
        r.map(|()| back)
    }

    /// Resumes the goroutine with `msg`, and handles where it stops next.
    fn resume(&mut self, py: Python<'_>, msg: Msg) -> Next {
        let g = match &self.g {
            Some(g) => g.clone_ref(py),
            None => match greenlet_for_job(py) {
                Ok(g) => {
                    self.gid = golang_sched::current_goroutine();
                    self.g = Some(g.clone_ref(py));
                    g
                }
                Err(e) => return self.fail(py, e),
            },
        };
        match SyncTask::switch_in(py, &g, msg) {
            Err(e) => {
                self.g = None;
                self.fail(py, e)
            }
            Ok(Some(Back::Wait(w))) => {
                let hook = HOOK.with(|h| h.borrow().as_ref().map(|h| h.clone_ref(py)));
                if let Some(hook) = hook {
                    // where it waits, for the trace and the self-check's log
                    if let Err(e) = hook.call1(py, (g,)) {
                        drop(w);
                        return self.fail(py, e);
                    }
                }
                self.phase = Phase::Waiting(w);
                Next::Continue
            }
            Ok(Some(Back::Done(r))) => {
                self.g = None;
                IDLE.with(|i| {
                    let mut i = i.borrow_mut();
                    if i.len() < MAX_IDLE {
                        i.push(g); // invariant 5 (it waits in _sync_work)
                    }
                });
                match r {
                    Ok(v) => self.returned(py, v),
                    Err(e) => self.fail(py, e),
                }
            }
            Ok(None) => {
                self.g = None;
                if greenlet::is_dead(g.bind(py)) {
                    // (killed from outside)
                    self.phase = Phase::Done;
                    return Next::Finished;
                }
                self.fail(
                    py,
                    PyRuntimeError::new_err(
                        "golang: a synchronous goroutine switched away from its run without waiting (another greenlet library?)",
                    ),
                )
            }
        }
    }

    /// Its function returned `v`: the goroutine's result, or, for a
    /// coroutine, what the goroutine awaits next.
    fn returned(&mut self, py: Python<'_>, v: Py<PyAny>) -> Next {
        let b = v.bind(py);
        if !b.is_none() && b.hasattr("__await__").unwrap_or(false) && b.hasattr("send").unwrap_or(false) {
            let name = task_name(self.f.bind(py));
            self.phase = Phase::Coro(CoroTask::new(v, name, self.failure.clone(), self.out.clone()));
            return Next::Continue;
        }
        *self.out.lock().unwrap_or_else(|p| p.into_inner()) = Some(v);
        self.phase = Phase::Done;
        Next::Finished
    }

    fn fail(&mut self, py: Python<'_>, e: PyErr) -> Next {
        self.phase = Phase::Done;
        let name = task_name(self.f.bind(py));
        crate::coro::report_failure(py, self.failure.as_ref(), e, &name, None);
        Next::Finished
    }
}

impl Future for SyncTask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            // What the greenlet is resumed with (the GIL is held while the
            // run's goroutines run: polling needs no attach).
            enum Resume {
                Job(Msg),
                Out(OpOut),
                Retry(AnyOp),
            }
            // (the phase is taken, and put back unless it moves on)
            let resume = match std::mem::replace(&mut this.phase, Phase::Done) {
                Phase::Start(job) => Resume::Job(job),
                Phase::Waiting(Wait::Op(mut fut)) => match fut.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.phase = Phase::Waiting(Wait::Op(fut));
                        return Poll::Pending;
                    }
                    Poll::Ready(out) => Resume::Out(out),
                },
                Phase::Waiting(Wait::Turn(mut t, op)) => match t.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.phase = Phase::Waiting(Wait::Turn(t, op));
                        return Poll::Pending;
                    }
                    Poll::Ready(()) => Resume::Retry(op),
                },
                Phase::Coro(mut c) => {
                    let r = Pin::new(&mut c).poll(cx);
                    this.phase = Phase::Coro(c);
                    return r;
                }
                Phase::Done => return Poll::Ready(()),
            };
            let next = crate::gil::attach(|py| match resume {
                Resume::Job(job) => this.resume(py, job),
                Resume::Out(out) => {
                    let r = out(py);
                    this.resume(py, Msg::Result(r))
                }
                Resume::Retry(op) => {
                    // invariant 2: as an awaited operation's next step
                    if !golang_sched::coop_proceed() {
                        this.phase = Phase::Waiting(Wait::Turn(turn(), op));
                        return Next::Continue;
                    }
                    match op.start(py) {
                        Step::Done(r) => this.resume(py, Msg::Result(r)),
                        Step::Wait(fut) => {
                            this.phase = Phase::Waiting(Wait::Op(fut));
                            Next::Continue
                        }
                    }
                }
            });
            if let Next::Finished = next {
                return Poll::Ready(());
            }
        }
    }
}

impl Drop for SyncTask {
    /// A goroutine still waiting when its run ends is ended now, as Go's
    /// goroutines vanish when main returns: GeneratorExit is raised where it
    /// waits, so its `finally` blocks run at a known point. Where it waited
    /// is noted first (invariant 6). What it does then is ignored.
    fn drop(&mut self) {
        if !matches!(self.phase, Phase::Waiting(_)) {
            return;
        }
        let Some(g) = self.g.take() else { return };
        let phase = std::mem::replace(&mut self.phase, Phase::Done);
        let gid = self.gid;
        crate::gil::attach(|py| {
            static WHERE: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
            let w = WHERE
                .get_or_try_init(py, || py.import("golang._syncrun")?.getattr("_where").map(Bound::unbind))
                .and_then(|f| f.call1(py, (g.clone_ref(py),)))
                .and_then(|w| w.extract::<Option<String>>(py));
            if let Ok(Some(w)) = w {
                LEFT.with(|l| l.borrow_mut().insert(gid, w));
            }
            drop(phase); // (aborts the operation)
            let exit = PyGeneratorExit::new_err(());
            if let Ok(back) = SyncTask::switch_in(py, &g, Msg::Result(Err(exit))) {
                drop(back);
            }
            drop(g);
        });
    }
}

/// `go(f, *args, **kw)` of a plain function inside a run: a synchronous
/// goroutine of the run, named after f.
#[pyfunction]
#[pyo3(signature = (f, args, kw=None))]
pub fn _go_sync(py: Python<'_>, f: Py<PyAny>, args: Py<PyTuple>, kw: Option<Py<PyDict>>) -> PyResult<()> {
    let name = task_name(f.bind(py));
    let kw = kw.filter(|k| !k.bind(py).is_empty());
    let task = SyncTask::new(py, f, args, kw, crate::coro::run_failure(), Arc::new(Mutex::new(None)));
    golang_sched::handle().spawn_named(Some(name), task);
    Ok(())
}

/// `go`'s fast path (python/golang/__init__.py): inside a run, a builtin
/// function or method, or a Python function that is neither `async def`
/// nor marked a coroutine function (`inspect.markcoroutinefunction`),
/// starts a synchronous goroutine at once (what `go` would decide after
/// its checks, which cost about as much as the goroutine's start); false
/// for anything else, which goes `go`'s general way.
#[pyfunction]
#[pyo3(signature = (f, args, kw=None))]
pub fn _go_sync_fast(py: Python<'_>, f: &Bound<'_, PyAny>, args: Py<PyTuple>, kw: Option<Py<PyDict>>) -> PyResult<bool> {
    if !golang_sched::in_executor() || !is_plain_function(f)? {
        return Ok(false);
    }
    _go_sync(py, f.clone().unbind(), args, kw)?;
    Ok(true)
}

/// Whether `f` is a builtin function or method, or a Python function that
/// is not a coroutine function (the cases `golang._iscoroutinefunction`
/// tells without `inspect`).
fn is_plain_function(f: &Bound<'_, PyAny>) -> PyResult<bool> {
    static TYPES: PyOnceLock<(Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();
    const CO_COROUTINE: i64 = 0x80;
    let py = f.py();
    let (builtin, function) = TYPES.get_or_try_init(py, || -> PyResult<_> {
        let t = py.import("types")?;
        Ok((t.getattr("BuiltinFunctionType")?.unbind(), t.getattr("FunctionType")?.unbind()))
    })?;
    let t = f.get_type();
    if t.is(builtin.bind(py)) {
        return Ok(true);
    }
    if !t.is(function.bind(py)) {
        return Ok(false);
    }
    let flags: i64 = f.getattr(pyo3::intern!(py, "__code__"))?.getattr(pyo3::intern!(py, "co_flags"))?.extract()?;
    if flags & CO_COROUTINE != 0 {
        return Ok(false);
    }
    let d = f.getattr(pyo3::intern!(py, "__dict__"))?;
    Ok(!d.cast::<PyDict>().map(|d| d.contains(pyo3::intern!(py, "_is_coroutine_marker"))).unwrap_or(Ok(true))?)
}

/// The name of f's goroutine: its `__qualname__` or `__name__` (as a
/// coroutine goroutine's; `_drive` when it has neither, the name the
/// Python driver had).
fn task_name(f: &Bound<'_, PyAny>) -> String {
    let py = f.py();
    for attr in [pyo3::intern!(py, "__qualname__"), pyo3::intern!(py, "__name__")] {
        if let Ok(n) = f.getattr(attr) {
            if let Ok(s) = n.extract::<String>() {
                if !s.is_empty() {
                    return s;
                }
            }
        }
    }
    "_drive".into()
}

/// What `golang.run` gets for a plain main (`_syncrun.run`): main's
/// function and arguments, run as goroutine 1, a synchronous goroutine.
#[pyclass(module = "golang._golang", frozen)]
pub struct SyncMain {
    f: Py<PyAny>,
    args: Py<PyTuple>,
}

#[pyfunction]
pub fn _sync_main(f: Py<PyAny>, args: Py<PyTuple>) -> SyncMain {
    SyncMain { f, args }
}

impl SyncMain {
    /// Main's task for `golang.run`.
    pub(crate) fn task(&self, py: Python<'_>, failure: Failure, out: Arc<Mutex<Option<Py<PyAny>>>>) -> SyncTask {
        SyncTask::new(py, self.f.clone_ref(py), self.args.clone_ref(py), None, Some(failure), out)
    }
}

/// At the start of a run with synchronous goroutines (`_syncrun.run`):
/// `hook(g)` is called at each hand-over (or None).
#[pyfunction]
pub fn _sync_begin_run(hook: Option<Py<PyAny>>) {
    drop(HOOK.with(|h| h.replace(hook)));
    drop(LEFT.with(|l| std::mem::take(&mut *l.borrow_mut())));
}

/// At the end of a run: where its synchronous goroutines that were left
/// waiting waited, by goroutine id (invariant 6); the idle greenlets are
/// dropped, which ends them (invariant 5).
#[pyfunction]
pub fn _sync_end_run() -> HashMap<u64, String> {
    drop(HOOK.with(|h| h.borrow_mut().take()));
    drop(DRIVER.with(|d| d.borrow_mut().take()));
    let idle = IDLE.with(|i| std::mem::take(&mut *i.borrow_mut()));
    drop(idle); // (outside the borrow: their ends run Python code)
    LEFT.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// An awaitable that lets every other runnable goroutine run once
/// (`time.sleep(0)` in a synchronous goroutine of a run: a scheduling
/// point, as it is for threads under CPython, where it yields the GIL).
#[pyfunction]
pub fn _ayield() -> crate::coro::AwaitOp {
    let fut: crate::ops::OpFuture = Box::pin(async {
        golang_sched::yield_now().await;
        Box::new(|py: Python<'_>| -> PyResult<Py<PyAny>> { Ok(py.None()) }) as crate::ops::OpOut
    });
    crate::coro::AwaitOp::waiting(fut)
}
