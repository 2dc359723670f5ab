//! Blocking from Python: release the GIL while the thread waits, and let
//! Ctrl-C interrupt the main thread.
//!
//! Python runs signal handlers only in the main thread. A main thread that
//! waits on a channel wakes every `POLL` to run them (re-taking the GIL
//! briefly); if a handler raises (KeyboardInterrupt or any exception), the
//! wait is aborted, unless a counterparty has already committed the
//! operation. A receive then gives its value back to the channel (to the
//! next receiver, or the front of the buffer) and raises the exception, as
//! if the signal had come first: nothing is lost. Other operations (a send,
//! a select) complete and the exception is raised at the interpreter's next
//! check (a pending call), as if the signal had come just after; CPython
//! checks right after the call returns, so a select's received value is
//! then dropped (known limit).

use golang_chan::Blocking;
use pyo3::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

/// How often a blocked main thread looks for signals.
const POLL: Duration = Duration::from_millis(20);

static MAIN_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// Set by an `atexit` hook: the interpreter is about to finalize.
static EXITING: AtomicBool = AtomicBool::new(false);

/// The `atexit` hook: from now on a goroutine thread that is about to take
/// the GIL back parks for good instead ([`park_if_exiting`]).
///
/// Invariants of exit safety (this file):
/// 1. [`EXITING`] is set before finalization starts; a goroutine thread
///    checks it before it runs Python again and parks if set, so no
///    goroutine starts new Python work at exit.
/// 2. A thread may still be inside a GIL acquisition when finalization
///    starts; CPython (before 3.14) then ends it with `pthread_exit`, whose
///    forced unwinding must never reach a `catch_unwind` (pyo3's, or ours:
///    it aborts the process, "FATAL: exception not rethrown"). Every path
///    by which a goroutine thread takes the GIL or runs Python therefore
///    has a [`HangOnUnwind`] guard on a frame whose call may unwind, below
///    any `catch_unwind`: the thread hangs there, holding nothing.
/// 3. pyo3 declares its GIL-acquiring calls into CPython "never unwinds";
///    inlined into the guard's frame, such a call gets no cleanup for the
///    guard. [`detach`] and [`attach`] therefore call pyo3 through an
///    opaque function pointer, a call that may unwind and that the guard
///    covers; our own calls into CPython are declared "C-unwind" ([`raw`]).
///
/// The hook does not wait for threads that are taking the GIL back (it did,
/// with the GIL released): goroutine threads that loop in Python then kept
/// the GIL among themselves and the main thread could starve at exit.
#[pyfunction]
pub fn _atexit() {
    EXITING.store(true, Ordering::SeqCst);
}

/// Called by a thread that is about to take the GIL again: once the
/// interpreter is exiting, a goroutine thread never comes back to Python
/// (invariant 1); it parks for good (Go does not wait for goroutines at
/// exit either).
pub(crate) fn park_if_exiting() {
    if EXITING.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// Hangs the thread if it is dropped, i.e. while unwinding: see [`detach`].
pub(crate) struct HangOnUnwind;

impl Drop for HangOnUnwind {
    fn drop(&mut self) {
        // A Rust panic goes on to pyo3, which raises it as an exception;
        // only a foreign unwind (`pthread_exit`) hangs the thread.
        if std::thread::panicking() {
            return;
        }
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

/// `Python::detach` that is safe at interpreter exit. When a thread takes
/// the GIL back while the interpreter finalizes, CPython before 3.14 ends
/// it with `pthread_exit`, whose forced unwinding would reach pyo3's
/// `catch_unwind` and abort the process. The guard on this frame hangs the
/// thread during that unwinding instead (as CPython 3.14 itself does); on a
/// normal return it is forgotten.
///
/// pyo3 takes the GIL back through a call it declares "never unwinds":
/// where that call is inlined into this frame, the compiler leaves the
/// guard without cleanup around it, and the unwinding passed the guard by
/// (up to a `catch_unwind`, which aborts on it). So pyo3's `detach` is
/// called through an opaque function pointer: that call may unwind, and
/// the guard's cleanup covers it (invariant 3).
pub(crate) fn detach<R: Send, F: Send + FnOnce() -> R>(py: Python<'_>, f: F) -> R {
    fn pyo3_detach<R: Send, F: Send + FnOnce() -> R>(py: Python<'_>, f: F) -> R {
        py.detach(|| {
            RELEASES.fetch_add(1, Ordering::Release);
            f()
        })
    }
    let guard = HangOnUnwind; // invariant 2
    let call: fn(Python<'_>, F) -> R = std::hint::black_box(pyo3_detach::<R, F>);
    let r = call(py, f);
    std::mem::forget(guard);
    r
}

/// How many times a thread released the GIL through [`detach`]: a change
/// tells a thread that waits to take the GIL back that it is (probably)
/// free now. GIL releases elsewhere (`time.sleep`, IO, the switch
/// interval) do not count; a waiter that misses them merely spins until
/// [`HANDOVER_SPIN`] runs out.
static RELEASES: AtomicU64 = AtomicU64::new(0);

/// Admits one thread at a time to [`await_handover`]'s spin, and backs off
/// while such spins run out (a loaded machine).
static HANDOVER: golang_chan::SpinGate = golang_chan::SpinGate::new();

/// The longest a woken thread spins for the GIL's release before it
/// sleeps in CPython's `take_gil` instead.
const HANDOVER_SPIN: Duration = Duration::from_micros(50);

/// Called by a thread whose blocking operation has just completed, before
/// it takes the GIL back. `seen` is [`RELEASES`] right after this thread
/// released the GIL; if it still reads `seen`, the GIL is most likely held
/// by the thread that woke us, which has not released it since: spin until
/// it does (or until `HANDOVER_SPIN` passes).
///
/// Why: CPython's `take_gil` sleeps on a condition variable, and when the
/// holder releases the GIL the sleeper needs a futex wake-up, which on an
/// idle core of a VM takes ~10-20 µs. Two threads trading items over a
/// channel hand the GIL over at every block (a producer and a consumer on
/// chan(128): twice per 128 items), so those wake-ups dominated. A thread
/// that spins here finds the GIL free when it calls `take_gil`. It changes
/// timing only: the GIL is then taken as always.
fn await_handover(seen: u64) {
    if RELEASES.load(Ordering::Acquire) != seen || !HANDOVER.enter() {
        return;
    }
    let start = std::time::Instant::now();
    let released = 'spin: loop {
        for _ in 0..64 {
            if RELEASES.load(Ordering::Acquire) != seen {
                break 'spin true;
            }
            std::hint::spin_loop();
        }
        if start.elapsed() >= HANDOVER_SPIN {
            break false;
        }
    };
    HANDOVER.leave(released);
}

#[allow(non_snake_case)] // named after the C functions they call
mod raw {
    //! Declared "C-unwind" (unlike pyo3-ffi's "C"), so that a forced unwind
    //! from `pthread_exit` inside may pass through our frame and run
    //! `HangOnUnwind`'s drop instead of terminating at a call site that
    //! promised not to unwind.
    //!
    //! And called through an opaque function pointer: pyo3-ffi declares the
    //! same symbols as "C", and where both declarations meet in one LLVM
    //! module (in the abi3 build, pyo3's own inlined code calls
    //! PyObject_Call) one declaration is kept, "never unwinds" included: the
    //! call site then had no unwinding entry, and `pthread_exit` in a
    //! goroutine at interpreter exit aborted the process. A call through a
    //! pointer takes its unwinding from the pointer's type alone.
    use pyo3::ffi::{PyObject, PyThreadState};

    mod decl {
        use pyo3::ffi::{PyObject, PyThreadState};
        extern "C-unwind" {
            pub fn PyObject_Call(callable: *mut PyObject, args: *mut PyObject, kwargs: *mut PyObject) -> *mut PyObject;
            pub fn PyEval_SaveThread() -> *mut PyThreadState;
            pub fn PyEval_RestoreThread(tstate: *mut PyThreadState);
            pub fn PyGILState_Ensure() -> pyo3::ffi::PyGILState_STATE;
            pub fn PyGILState_Release(state: pyo3::ffi::PyGILState_STATE);
            // (not in the limited API, but in every CPython 3 since 3.4)
            pub fn PyGILState_Check() -> std::os::raw::c_int;
            #[cfg(Py_3_10)]
            pub fn PyIter_Send(iter: *mut PyObject, arg: *mut PyObject, presult: *mut *mut PyObject) -> std::os::raw::c_int;
        }
    }

    pub unsafe fn PyObject_Call(callable: *mut PyObject, args: *mut PyObject, kwargs: *mut PyObject) -> *mut PyObject {
        let f: unsafe extern "C-unwind" fn(*mut PyObject, *mut PyObject, *mut PyObject) -> *mut PyObject =
            std::hint::black_box(decl::PyObject_Call);
        // SAFETY: the caller's contract is PyObject_Call's.
        unsafe { f(callable, args, kwargs) }
    }

    pub unsafe fn PyEval_SaveThread() -> *mut PyThreadState {
        let f: unsafe extern "C-unwind" fn() -> *mut PyThreadState = std::hint::black_box(decl::PyEval_SaveThread);
        // SAFETY: the caller's contract is PyEval_SaveThread's.
        unsafe { f() }
    }

    pub unsafe fn PyEval_RestoreThread(tstate: *mut PyThreadState) {
        let f: unsafe extern "C-unwind" fn(*mut PyThreadState) = std::hint::black_box(decl::PyEval_RestoreThread);
        // SAFETY: the caller's contract is PyEval_RestoreThread's.
        unsafe { f(tstate) }
    }

    pub unsafe fn PyGILState_Ensure() -> pyo3::ffi::PyGILState_STATE {
        let f: unsafe extern "C-unwind" fn() -> pyo3::ffi::PyGILState_STATE = std::hint::black_box(decl::PyGILState_Ensure);
        // SAFETY: the caller's contract is PyGILState_Ensure's.
        unsafe { f() }
    }

    pub unsafe fn PyGILState_Release(state: pyo3::ffi::PyGILState_STATE) {
        let f: unsafe extern "C-unwind" fn(pyo3::ffi::PyGILState_STATE) = std::hint::black_box(decl::PyGILState_Release);
        // SAFETY: the caller's contract is PyGILState_Release's.
        unsafe { f(state) }
    }

    pub unsafe fn PyGILState_Check() -> std::os::raw::c_int {
        let f: unsafe extern "C-unwind" fn() -> std::os::raw::c_int = std::hint::black_box(decl::PyGILState_Check);
        // SAFETY: callable without the GIL.
        unsafe { f() }
    }

    pub type IterSend = unsafe extern "C-unwind" fn(*mut PyObject, *mut PyObject, *mut *mut PyObject) -> std::os::raw::c_int;

    /// PyIter_Send (3.10+): linked when built for 3.10+.
    #[cfg(Py_3_10)]
    pub fn iter_send() -> Option<IterSend> {
        Some(std::hint::black_box(decl::PyIter_Send))
    }

    /// PyIter_Send when built for 3.9 (the abi3 wheel): looked up in the
    /// running interpreter once, so that 3.10+ resume coroutines without a
    /// StopIteration at the end; None on 3.9. (PyIter_Send is in the stable
    /// ABI from 3.10 on, so its signature is fixed.)
    #[cfg(not(Py_3_10))]
    pub fn iter_send() -> Option<IterSend> {
        static FOUND: std::sync::OnceLock<Option<IterSend>> = std::sync::OnceLock::new();
        *FOUND.get_or_init(|| {
            #[cfg(target_os = "linux")]
            {
                extern "C" {
                    fn dlsym(handle: *mut std::ffi::c_void, symbol: *const std::os::raw::c_char) -> *mut std::ffi::c_void;
                }
                // SAFETY: RTLD_DEFAULT (a null handle on Linux) searches the
                // process's global symbols, the interpreter's among them; the
                // name is a NUL-terminated string.
                let p = unsafe { dlsym(std::ptr::null_mut(), c"PyIter_Send".as_ptr()) };
                // SAFETY: a non-null PyIter_Send is CPython's function of
                // that stable-ABI signature.
                (!p.is_null()).then(|| unsafe { std::mem::transmute::<*mut std::ffi::c_void, IterSend>(p) })
            }
            #[cfg(not(target_os = "linux"))]
            None
        })
    }
}

/// Releases the GIL around the sleeps of an executor that otherwise keeps
/// it (a real-clock `golang.run`): goroutine steps then need no GIL
/// hand-over, and other Python threads run while the executor sleeps.
/// Only the executor's sleep runs between the two hooks: no Python, and no
/// pyo3 object is touched there.
///
/// On Python's main thread the executor also wakes every `POLL` to run the
/// signal handlers (with the GIL back): an exception they raise (Ctrl-C's
/// KeyboardInterrupt) goes to `on_signal`, which ends the run with it.
pub(crate) fn release_gil_while_idle(rt: &golang_sched::Runtime, on_signal: impl Fn(PyErr) + 'static) {
    let main = is_main_thread();
    if main {
        rt.set_idle_poll(POLL);
    }
    let saved: std::rc::Rc<std::cell::Cell<*mut pyo3::ffi::PyThreadState>> =
        std::rc::Rc::new(std::cell::Cell::new(std::ptr::null_mut()));
    let s2 = saved.clone();
    rt.set_idle_hooks(
        move || {
            // SAFETY: called on the thread that holds the GIL (the one
            // running golang.run), which saves its thread state here and
            // restores it in the exit hook below, before running Python.
            saved.set(unsafe { raw::PyEval_SaveThread() });
        },
        move || {
            let guard = HangOnUnwind;
            // SAFETY: restores the thread state saved by the enter hook.
            unsafe { raw::PyEval_RestoreThread(s2.get()) };
            std::mem::forget(guard);
            if main {
                // SAFETY: the GIL is held again (restored just above).
                let py = unsafe { Python::assume_attached() };
                if let Err(e) = py.check_signals() {
                    on_signal(e);
                }
            }
        },
    );
}

/// What resuming a coroutine gave.
pub(crate) enum Sent<'py> {
    /// It yielded this value (it awaits something).
    Yielded(Bound<'py, PyAny>),
    /// It returned this value.
    Returned(Bound<'py, PyAny>),
    /// It raised.
    Raised(PyErr),
}

/// `coro.send(None)`, without a StopIteration at the end (PyIter_Send),
/// and safe against `pthread_exit` at interpreter exit like
/// [`call_goroutine`].
pub(crate) fn send_none<'py>(coro: &Bound<'py, PyAny>) -> Sent<'py> {
    let py = coro.py();
    if let Some(iter_send) = raw::iter_send() {
        let guard = HangOnUnwind;
        let mut out: *mut pyo3::ffi::PyObject = std::ptr::null_mut();
        // SAFETY: the GIL is held; `coro` is alive; PyIter_Send stores a new
        // reference in `out` for PYGEN_RETURN (0) and PYGEN_NEXT (1), and
        // sets an exception for PYGEN_ERROR (-1).
        let r = unsafe { iter_send(coro.as_ptr(), py.None().as_ptr(), &mut out) };
        std::mem::forget(guard);
        return match r {
            // SAFETY: see above: `out` is a new reference.
            0 => Sent::Returned(unsafe { Bound::from_owned_ptr(py, out) }),
            // SAFETY: see above.
            1 => Sent::Yielded(unsafe { Bound::from_owned_ptr(py, out) }),
            _ => Sent::Raised(PyErr::fetch(py)),
        };
    }
    // Python 3.9: send() ends with StopIteration(value).
    match coro.call_method1("send", (py.None(),)) {
        Ok(v) => Sent::Yielded(v),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyStopIteration>(py) => {
            let v = e.value(py).getattr("value").unwrap_or_else(|_| py.None().into_bound(py));
            Sent::Returned(v)
        }
        Err(e) => Sent::Raised(e),
    }
}

/// Calls `f(*args, **kw)` from a goroutine thread: if CPython ends the
/// thread with `pthread_exit` while `f` runs (at interpreter exit), the
/// thread hangs instead of aborting the process.
pub(crate) fn call_goroutine<'py>(
    f: &Bound<'py, PyAny>,
    args: &Bound<'py, pyo3::types::PyTuple>,
    kw: Option<&Bound<'py, pyo3::types::PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let guard = HangOnUnwind;
    let kw = kw.map_or(std::ptr::null_mut(), |k| k.as_ptr());
    // SAFETY: the GIL is held (the `Bound`s prove it); the pointers are
    // valid for the call; the result is a new reference or NULL with an
    // exception set, as `from_owned_ptr_or_err` expects.
    let r = unsafe { raw::PyObject_Call(f.as_ptr(), args.as_ptr(), kw) };
    std::mem::forget(guard);
    // SAFETY: see above.
    unsafe { Bound::from_owned_ptr_or_err(f.py(), r) }
}

/// `Python::attach` for threads that may outlive the interpreter.
/// Python code run under it may also be ended by `pthread_exit` (e.g. in
/// `time.sleep`): the same guard hangs the thread instead.
///
/// Like [`detach`], pyo3's `attach` is called through an opaque pointer
/// so that the guard covers its "never unwinds" GIL acquisition
/// (invariant 3).
///
/// Invariant 4: the GIL is really held inside, whatever pyo3 believes.
/// pyo3 counts attachments per OS thread, but greenlets share the thread:
/// a C goroutine parked in a greenlet inside `attach` leaves the count
/// raised while other greenlets run, and Cython's `with nogil` releases
/// the GIL without telling pyo3. pyo3's `attach` would then take the GIL
/// as held when it is not; so when CPython says it is not held
/// (`PyGILState_Check`), this takes it itself around pyo3's attach (whose
/// count, per thread and shared by the greenlets, stays balanced).
pub(crate) fn attach<R, F: for<'py> FnOnce(Python<'py>) -> R>(f: F) -> R {
    fn pyo3_attach<R, F: for<'py> FnOnce(Python<'py>) -> R>(f: F) -> R {
        Python::attach(f)
    }
    fn own_attach<R, F: for<'py> FnOnce(Python<'py>) -> R>(f: F) -> R {
        // pyo3's attach inside keeps its own count balanced (whatever it
        // was), and now finds the GIL really held.
        ensured(|| Python::attach(f))
    }
    park_if_exiting(); // invariant 1
    let guard = HangOnUnwind; // invariant 2
    // SAFETY: PyGILState_Check may be called without the GIL.
    let held = unsafe { raw::PyGILState_Check() } != 0;
    let call: fn(F) -> R = if held {
        std::hint::black_box(pyo3_attach::<R, F>)
    } else {
        std::hint::black_box(own_attach::<R, F>) // invariant 4
    };
    let r = call(f);
    std::mem::forget(guard);
    r
}

/// Invariant 5: for the C goroutines of the gevent runtime, which switch
/// greenlets while they wait (capi.rs, invariant 7), the GIL is taken and
/// released with CPython's calls alone, never pyo3's: pyo3 keeps a count of
/// attachments per OS thread, which greenlets share, and its detach saves
/// and restores that count, so a switch inside a pyo3 attach or detach
/// leaves another greenlet a count that is not its own (a stale snapshot
/// restored later drove it negative: "prohibited while a __traverse__
/// implementation is running"). pyo3 code inside sees the GIL held through
/// an assumed token; objects it drops there are released at the next
/// attach.
///
/// Invariant 6: C code may call the runtime with a Python exception pending
/// (Cython code between setting it and returning; Pygolang's
/// runtime_vs_pyexc test), and the runtime's calls must neither see it nor
/// clear it: `attach_raw` puts the pending exception aside while `f` runs
/// Python code and puts it back after (dropping whatever `f` left set).
pub(crate) fn attach_raw<R, F: for<'py> FnOnce(Python<'py>) -> R>(f: F) -> R {
    park_if_exiting(); // invariant 1
    let guard = HangOnUnwind; // invariant 2
    let r = ensured(|| {
        let (mut t, mut v, mut tb) = (std::ptr::null_mut(), std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: the GIL is held (`ensured`); the three pointers are
        // writable and take over the pending exception's references.
        unsafe { pyo3::ffi::PyErr_Fetch(&mut t, &mut v, &mut tb) };
        // SAFETY: `ensured` holds the GIL for as long as `f` runs, which is
        // what the token's lifetime covers.
        let r = f(unsafe { Python::assume_attached() });
        // SAFETY: the GIL is held; Restore takes back the references that
        // Fetch gave (NULLs clear the indicator).
        unsafe { pyo3::ffi::PyErr_Restore(t, v, tb) };
        r
    });
    std::mem::forget(guard);
    r
}

/// Runs `f` holding the GIL, taken and released with CPython's
/// PyGILState calls alone (invariants 4 and 5).
fn ensured<R>(f: impl FnOnce() -> R) -> R {
    // SAFETY: the interpreter is running (our callers check invariant 1);
    // PyGILState_Ensure takes the GIL for this thread until the Release.
    let state = unsafe { raw::PyGILState_Ensure() };
    let r = f();
    // SAFETY: pairs with the Ensure above.
    unsafe { raw::PyGILState_Release(state) };
    r
}

/// Runs `f` with the GIL released by CPython's calls alone (invariant 5).
/// The caller holds the GIL.
pub(crate) fn detach_raw<R>(f: impl FnOnce() -> R) -> R {
    let guard = HangOnUnwind; // invariant 2
    // SAFETY: the caller holds the GIL; it is taken back below.
    let ts = unsafe { raw::PyEval_SaveThread() };
    RELEASES.fetch_add(1, Ordering::Release);
    let r = f();
    // SAFETY: `ts` is this thread's state, saved above.
    unsafe { raw::PyEval_RestoreThread(ts) };
    std::mem::forget(guard);
    r
}

/// Records which OS thread is Python's main thread.
pub(crate) fn init(py: Python<'_>) -> PyResult<()> {
    py.import("atexit")?.call_method1("register", (pyo3::wrap_pyfunction!(_atexit, py)?,))?;
    let threading = py.import("threading")?;
    let cur = threading.call_method0("current_thread")?;
    let main = threading.call_method0("main_thread")?;
    if cur.is(&main) {
        let _ = MAIN_THREAD.set(std::thread::current().id());
    }
    Ok(())
}

fn is_main_thread() -> bool {
    MAIN_THREAD.get().is_some_and(|id| *id == std::thread::current().id())
}

/// Exceptions of signal handlers that ran while an operation completed,
/// to be raised by [`raise_pending`] (main thread only: handlers run there).
static PENDING_RAISE: std::sync::Mutex<Vec<PyErr>> = std::sync::Mutex::new(Vec::new());

/// Raises `e` in the main thread at its next bytecode: a pending call
/// (`Py_AddPendingCall`) that fails with it, which the interpreter's eval
/// loop raises where the code is. If the call cannot be queued, the
/// exception is printed as unraisable rather than lost silently.
fn raise_soon(py: Python<'_>, e: PyErr) {
    PENDING_RAISE.lock().unwrap_or_else(|p| p.into_inner()).push(e);
    // SAFETY: Py_AddPendingCall may be called with the GIL held; the
    // function has the signature it expects and takes no argument.
    let r = unsafe { pyo3::ffi::Py_AddPendingCall(Some(raise_pending), std::ptr::null_mut()) };
    if r != 0 {
        if let Some(e) = PENDING_RAISE.lock().unwrap_or_else(|p| p.into_inner()).pop() {
            e.write_unraisable(py, None);
        }
    }
}

extern "C" fn raise_pending(_: *mut std::os::raw::c_void) -> std::os::raw::c_int {
    // SAFETY: pending calls run in the main thread with the GIL held.
    let py = unsafe { Python::assume_attached() };
    let e = PENDING_RAISE.lock().unwrap_or_else(|p| p.into_inner()).pop();
    match e {
        Some(e) => {
            e.restore(py);
            -1
        }
        None => 0,
    }
}

/// The interrupt argument of the `_interruptible` channel operations.
pub(crate) type Interrupt<'a> = Option<(&'a mut dyn FnMut() -> bool, Duration)>;

/// Test hook (`golang._golang_test.pypanicWhenBlocked`): while set, an
/// operation that would block panics "t: blocks forever" instead.
pub(crate) static PANIC_WHEN_BLOCKED: AtomicBool = AtomicBool::new(false);

/// A blocking operation may not run on a goroutine executor's thread (in an
/// async goroutine): it would block every goroutine of the executor.
pub(crate) fn refuse_in_executor() -> PyResult<()> {
    if golang_sched::in_executor() {
        return Err(pyo3::exceptions::PyRuntimeError::new_err(golang_pycore::msg::BLOCKING_IN_EXECUTOR));
    }
    Ok(())
}

/// Runs channel operations that do not block (a send, receive, select
/// or close that completes at once) under the GIL, and wakes the parked
/// threads they committed only after releasing the GIL
/// (`golang_chan::defer_thread_wakes`): a thread woken while we hold it
/// is often run at once on our core, finds the GIL taken and sleeps on it,
/// and must be woken a second time when we release it (four extra context
/// switches per hand-over; issue 21, item 4). Pygolang makes these wakes
/// without the GIL too. Nothing deferred (the common case: the
/// counterparty spins, or is a goroutine or a greenlet): no release. Inside
/// an executor the wakes are made at once (its goroutines hold the GIL
/// while they run).
#[inline]
pub(crate) fn nonblocking<R>(py: Python<'_>, f: impl FnOnce() -> R) -> R {
    if golang_sched::in_executor() {
        return f();
    }
    let (r, wakes) = golang_chan::defer_thread_wakes(f);
    if !wakes.is_empty() {
        detach(py, move || wakes.wake());
    }
    r
}

/// Runs a blocking channel operation with the GIL released: the thread
/// blocks (a greenlet blocks in `gevent::block_greenlet` instead).
pub(crate) fn block_thread<R: Send>(py: Python<'_>, op: impl for<'a> FnOnce(Interrupt<'a>) -> Blocking<R> + Send) -> PyResult<R> {
    block_thread_or_undo(py, op, None::<fn(R)>)
}

/// [`block_thread`] for an operation that can be undone (a receive: its value goes
/// back to the channel): when a signal handler raised while a counterparty
/// completed the operation, `undo` takes the result back and the handler's
/// exception is raised now, as if the signal had come first (Python's rule
/// for a blocking call that a handler interrupts), and no value is lost.
pub(crate) fn block_thread_or_undo<R: Send>(
    py: Python<'_>,
    op: impl for<'a> FnOnce(Interrupt<'a>) -> Blocking<R> + Send,
    undo: Option<impl FnOnce(R)>,
) -> PyResult<R> {
    refuse_in_executor()?;
    if PANIC_WHEN_BLOCKED.load(Ordering::Relaxed) {
        return Err(crate::value::go_panic(py, golang_pycore::msg::BLOCKS_FOREVER));
    }
    let main = is_main_thread();
    let mut err: Option<PyErr> = None;
    let res = detach(py, || {
        // Our own release was counted just before this closure started.
        let seen = RELEASES.load(Ordering::Acquire);
        let r = if main {
            let mut check = || {
                Python::attach(|py| match py.check_signals() {
                    Ok(()) => false,
                    Err(e) => {
                        err = Some(e);
                        true
                    }
                })
            };
            op(Some((&mut check, POLL)))
        } else {
            op(None)
        };
        await_handover(seen);
        park_if_exiting();
        r
    });
    match res {
        Blocking::Done(r) => {
            if let Some(e) = err {
                if let Some(undo) = undo {
                    undo(r);
                    return Err(e);
                }
                // The operation completed (a counterparty committed it) while
                // a signal handler raised: the value is returned, not lost,
                // and the handler's exception is raised at the next bytecode
                // (as if the signal had come just after the operation).
                raise_soon(py, e);
            }
            Ok(r)
        }
        Blocking::Interrupted => Err(err.expect("interrupted without an error")),
    }
}
