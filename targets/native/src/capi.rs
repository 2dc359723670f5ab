//! The stable C ABI of the runtime: one table of `extern "C"` functions that
//! native extensions (Cython, C++, other Rust crates) call, so that every
//! extension in the process shares this one runtime instead of linking a
//! copy of it.
//!
//! An extension finds the table through the PyCapsule `golang._golang._capi`
//! (name `"golang._golang._capi"`, so `PyCapsule_Import` can fetch it). The
//! C++ side is `python/golang/libgolang.h`; the Rust side is the
//! `golang-capi` crate.
//!
//! Invariants of the ABI:
//! 1. The table starts with `abi_version`, `feature_version` and `size`
//!    (bytes). `abi_version` changes only on an incompatible change; then a
//!    user built for another ABI refuses to run with an ImportError naming
//!    both versions. Within one ABI the table is append-only: new entries go
//!    at the end, `feature_version` grows by one and `size` grows with it; a
//!    user needing feature N checks `feature_version >= N`.
//! 2. No Rust panic and no unwinding crosses an `extern "C"` function. A call
//!    that can fail with a Go panic returns a `Panic` pointer: NULL on
//!    success, else a static NUL-terminated message (Go's exact text, e.g.
//!    "send on closed channel"). The header turns it into a C++ exception.
//!    An unexpected Rust panic (a bug) is caught and reported as
//!    "BUG: capi: ..." the same way.
//! 3. A `_chan*` is a `RawChan` (rawchan.rs): the same object a Python
//!    `chan` holds, with its own atomic refcount (starting at 1,
//!    `chanxincref`/`chanxdecref`, NULL allowed) and an element size fixed at
//!    make time. It is freed when the count reaches 0; a C decref to 0 with
//!    waiters left panics "chan: decref: free: recvq not empty" (or "sendq")
//!    and leaks the channel instead of freeing what others wait on.
//! 4. Elements are `elemsize` bytes copied with memcpy: a send reads exactly
//!    `elemsize` bytes at `ptx`, a receive writes exactly `elemsize` bytes at
//!    `prx` (zeroes when the channel is closed), or nothing when `prx` is
//!    NULL. `_selcase` has the 32-byte layout of Pygolang 0.1 (`SelCase`).
//! 5. Every function may be called without the GIL and from any thread,
//!    including threads Python never saw. Blocking calls block the calling
//!    OS thread; they never take the GIL. Exception: the `pychan_*`
//!    functions (feature 2) and `pycontext_from_raw` (feature 3) make or
//!    read Python objects and need the GIL; they report failure as a Python
//!    exception set and NULL, or a panic message.
//! 6. Feature 2 shares channels with Python: `makechan_dtype` makes a typed
//!    channel (what C++ `makechan<int>` etc. use), which a Python `chan` of
//!    that dtype can wrap (`pychan_from_raw`), and `pychan_rawchan` gives the
//!    raw channel of a Python `chan` (one count added). A dtype crosses the
//!    ABI as Pygolang's `DType` number; a raw channel of another type is
//!    refused with "pychan: channel type mismatch". `sigdescr` gives the
//!    description of a signal (C++ `os::Signal::String()`), from the one
//!    table Python's `str(os.Signal)` uses.
//! 7. Under the gevent runtime (gpython), C code that runs in a greenlet
//!    (the hub's thread) blocks the greenlet, not the thread, as Pygolang's
//!    gevent runtime does: `go` starts a greenlet, and blocking send, recv,
//!    select, sleep and semaphore acquire take the GIL and switch to the hub
//!    until done (`on_greenlet`, `greenlet_wait`). An exception thrown into
//!    the waiting greenlet (a kill, gevent's LoopExit when nothing else can
//!    run) cannot reach C code: the call returns a panic instead ("all
//!    goroutines are asleep - deadlock!" for LoopExit). Elsewhere (other
//!    threads, the thread runtime) C goroutines are OS threads (ctask.rs).
//! 8. Feature 3 is Go's os/signal for C (`signal_notify`, `signal_stop`,
//!    `signal_ignore`, `signal_reset`): the one implementation of
//!    golang-os that Python's golang.os.signal uses, so a channel shared
//!    with Python is subscribed once, whichever side calls. The channel
//!    must be a typed channel of dtype 'C.os::Signal' (C++
//!    `makechan<os::Signal>`, or a Python one) or NULL (nil: accepted and
//!    never sent to, as in Python); another one panics "pychan: channel
//!    type mismatch". Signals cross as `int` numbers; none means all.
//!    `signal_stop` and `signal_reset` may wait (without the GIL) for the
//!    delivery thread to finish a pass; that thread never takes the GIL.
//! 9. Feature 3 also shares contexts (`ctx_*`, `pycontext_from_raw`: one
//!    tree for C++, Python and Rust; ctxnode.rs has their invariants) and
//!    lets the first C++ extension register how to make the C++ twins of
//!    Python's errors (`pyerror_cxx`; pyerror.rs, invariants 2-3).
//! 10. A select that has to wait holds one count on each of its cases'
//!     channels until it returns (`HeldChans`, as Pygolang's select does):
//!     it reads a case's channel after waking, when the goroutine that woke
//!     it may already have dropped the channel's last other count. So while
//!     it waits, `_chanrefcnt` counts it. A blocking send or receive waits on
//!     a clone of the channel's Rust handle instead (no count: as in
//!     Pygolang, `_chanrefcnt` does not count blocked receivers), and so
//!     does a semaphore's release, whose woken acquirer may free it at once.
//! 11. Feature 4 is file I/O on descriptors for C++'s `os::File`
//!     (`os_open`, `os_fdopen`, `os_read`, `os_write`, `os_fstat`,
//!     `os_close`, `os_pipe`; osfile.rs has their invariants): each gives a
//!     descriptor, a count or 0, or `-errno`. Under the thread runtime they
//!     are plain syscalls; under the gevent runtime a read or write that
//!     would block a greenlet waits in the hub instead (invariant 7: an
//!     interrupted wait is a panic), so C goroutines can talk through pipes.

use crate::rawchan::{each_raw, with_raw, PyChan, RawChan, RawElem, RawKind};
// The table's layout is the golang-capi crate's (one definition for this
// file and for Rust extensions); its opaque channel and semaphore types are
// this file's `RawChan` and `Sema` (cast at the boundary).
pub use golang_capi::{CApi, ChanOp, SelCase, ABI_VERSION, FEATURE_VERSION, INPLACE_DATA};
use golang_capi::{RawChan as CRawChan, RawSema};
use crate::ctxnode;
use crate::value::DType;
use golang_chan::{Blocking, Chan, ChanError, Select};
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;


/// NULL on success, else a static NUL-terminated Go panic message
/// (invariant 2).
pub type Panic = *const c_char;

const OK: Panic = ptr::null();

fn msg(s: &'static CStr) -> Panic {
    s.as_ptr()
}

fn chan_error(e: ChanError) -> Panic {
    msg(match e {
        ChanError::SendOnClosed => c"send on closed channel",
        ChanError::CloseOfClosed => c"close of closed channel",
        ChanError::CloseOfNil => c"close of nil channel",
    })
}

/// Runs `f`, turning an unexpected Rust panic into a "BUG" message
/// (invariant 2).
fn guard(f: impl FnOnce() -> Panic) -> Panic {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| msg(c"BUG: capi: internal panic"))
}

static NIL: RawKind = RawKind::Bytes(Chan::nil());

/// The channel behind `p` and its element size; the nil channel for NULL.
///
/// # Safety
/// `p` is NULL or a live `RawChan` (the caller holds a count).
unsafe fn chan_of<'a>(p: *const CRawChan) -> (&'a RawKind, usize) {
    if p.is_null() {
        (&NIL, 0)
    } else {
        // SAFETY: see the function's contract (a `_chan*` is a `RawChan`).
        let r = unsafe { &*p.cast::<RawChan>() };
        (r.kind(), r.elemsize() as usize)
    }
}

/// The panic of an operation that would block forever (a send or receive on
/// a nil channel, a select whose cases are all nil and has no default) while
/// Pygolang's test hook `_tblockforever` is set (golang._golang_test's
/// `pypanicWhenBlocked`, or the header's `_tblockforever = f`).
fn blocks_forever() -> Option<Panic> {
    if crate::gil::PANIC_WHEN_BLOCKED.load(std::sync::atomic::Ordering::Relaxed) {
        Some(c"t: blocks forever".as_ptr())
    } else {
        None
    }
}

/// The panic for a C operation on the elements of a `chan(dtype=object)`
/// (its elements are Python objects, which C code cannot send or receive
/// without the GIL).
const OBJ_FROM_C: Panic = c"chan: C operation on the elements of a chan of Python objects".as_ptr();

extern "C" fn makechan(elemsize: u32, size: u32, out: *mut *mut CRawChan) -> Panic {
    guard(|| {
        let r = RawChan::make(RawKind::Bytes(Chan::new(size as usize)), elemsize);
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = r.cast() };
        OK
    })
}

extern "C" fn chanxincref(p: *mut CRawChan) -> Panic {
    if p.is_null() {
        return OK;
    }
    // SAFETY: a non-NULL `_chan*` is a `RawChan`, live while its caller
    // holds a count.
    if !unsafe { &*p.cast::<RawChan>() }.incref() {
        return msg(c"incref: refcnt was < 1");
    }
    OK
}

extern "C" fn chanxdecref(p: *mut CRawChan) -> Panic {
    if p.is_null() {
        return OK;
    }
    guard(|| {
        // SAFETY: the caller gives up one count it holds, so `p` is live.
        let r = unsafe { &*p.cast::<RawChan>() };
        match r.decref() {
            Err(()) => return msg(c"decref: refcnt was < 1"),
            Ok(false) => return OK,
            Ok(true) => {}
        }
        // Invariant 3: never free a channel somebody still waits on.
        if each_raw!(r.kind(), c => c.waiting_receivers()) != 0 {
            return msg(c"chan: decref: free: recvq not empty");
        }
        if each_raw!(r.kind(), c => c.waiting_senders()) != 0 {
            return msg(c"chan: decref: free: sendq not empty");
        }
        // SAFETY: the count reached 0: this was the last count.
        unsafe { RawChan::free(p.cast()) };
        OK
    })
}

extern "C" fn chanrefcnt(p: *const CRawChan) -> i32 {
    if p.is_null() {
        return 0;
    }
    // SAFETY: the caller holds a count of this `RawChan`.
    unsafe { &*p.cast::<RawChan>() }.refcnt()
}

extern "C" fn chanelemsize(p: *const CRawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.1 as u32
}

extern "C" fn chansend(p: *mut CRawChan, ptx: *const c_void) -> Panic {
    guard(|| {
        if p.is_null() {
            if let Some(m) = blocks_forever() {
                return m;
            }
        }
        // SAFETY: NULL or held by the caller.
        let (ch, size) = unsafe { chan_of(p) };
        with_raw!(ch, ch => {
            // SAFETY: invariant 4: `ptx` points to `elemsize` bytes.
            let v = unsafe { RawElem::read(ptx.cast(), size) };
            // (the wait is on a clone of the channel: invariant 10)
            let ch = ch.clone();
            if on_greenlet() {
                return match greenlet_wait(ch.send_checked(v)) {
                    Ok(Ok(())) => OK,
                    Ok(Err(e)) => chan_error(e),
                    Err(p) => p,
                };
            }
            match ch.send_blocking_interruptible(v, None) {
                Blocking::Done(Ok(())) => OK,
                Blocking::Done(Err(e)) => chan_error(e),
                Blocking::Interrupted => msg(c"BUG: capi: send interrupted"),
            }
        }, obj => OBJ_FROM_C)
    })
}

extern "C" fn chanrecv_(p: *mut CRawChan, prx: *mut c_void, ok: *mut bool) -> Panic {
    guard(|| {
        if p.is_null() {
            if let Some(m) = blocks_forever() {
                return m;
            }
        }
        // SAFETY: NULL or held by the caller.
        let (ch, size) = unsafe { chan_of(p) };
        with_raw!(ch, ch => {
            // (the wait is on a clone of the channel: invariant 10)
            let ch = ch.clone();
            let v = if on_greenlet() {
                match greenlet_wait(ch.recv()) {
                    Ok(v) => v,
                    Err(p) => return p,
                }
            } else {
                match ch.recv_blocking_interruptible(None) {
                    Blocking::Done(v) => v,
                    Blocking::Interrupted => return msg(c"BUG: capi: recv interrupted"),
                }
            };
            // SAFETY: invariant 4: `prx` is NULL or has room for `elemsize` bytes.
            unsafe { RawElem::write(v.as_ref(), prx.cast(), size) };
            if !ok.is_null() {
                // SAFETY: a non-NULL `ok` is writable.
                unsafe { *ok = v.is_some() };
            }
            OK
        }, obj => OBJ_FROM_C)
    })
}

extern "C" fn chanclose(p: *mut CRawChan) -> Panic {
    guard(|| {
        // SAFETY: NULL or held by the caller.
        let (ch, _) = unsafe { chan_of(p) };
        let r = each_raw!(ch, c => c.try_close());
        greenlet_flush();
        match r {
            Ok(()) => OK,
            Err(e) => chan_error(e),
        }
    })
}

extern "C" fn chanlen(p: *const CRawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    each_raw!(unsafe { chan_of(p) }.0, c => c.len()) as u32
}

extern "C" fn chancap(p: *const CRawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    each_raw!(unsafe { chan_of(p) }.0, c => c.cap()) as u32
}

extern "C" fn tchanrecvqlen(p: *const CRawChan) -> i32 {
    // SAFETY: NULL or held by the caller.
    each_raw!(unsafe { chan_of(p) }.0, c => c.waiting_receivers()) as i32
}

extern "C" fn tchansendqlen(p: *const CRawChan) -> i32 {
    // SAFETY: NULL or held by the caller.
    each_raw!(unsafe { chan_of(p) }.0, c => c.waiting_senders()) as i32
}

extern "C" fn chanselect(casev: *const SelCase, casec: i32, out: *mut i32) -> Panic {
    guard(|| {
        if casec < 0 {
            return msg(c"select: casec < 0");
        }
        let cases: &[SelCase] = if casec == 0 {
            &[]
        } else {
            // SAFETY: the caller passes `casec` cases at `casev`.
            unsafe { std::slice::from_raw_parts(casev, casec as usize) }
        };
        // (every case nil and no default: the select blocks forever)
        if cases.iter().all(|c| c.ch.is_null() && c.op != ChanOp::Default as u8) {
            if let Some(m) = blocks_forever() {
                return m;
            }
        }
        // The counts of a select that waits (invariant 10; one that completes
        // at once needs none): declared before `sel`, so dropped after it.
        let mut _held: Option<HeldChans> = None;
        let mut sel = Select::new();
        // `order[k]`: the index in `cases` of the k-th case given to `sel`.
        let mut order = Vec::with_capacity(cases.len());
        let mut default = None;
        for (i, c) in cases.iter().enumerate() {
            // SAFETY: NULL or held by the caller.
            let (ch, size) = unsafe { chan_of(c.ch) };
            match c.op {
                op if op == ChanOp::Send as u8 => {
                    if c.flags & INPLACE_DATA != 0 && size > 8 {
                        return msg(c"select: send: inplace data > 8 bytes");
                    }
                    let b = c.ptxrx.to_ne_bytes();
                    let p = if c.flags & INPLACE_DATA != 0 { b.as_ptr() } else { c.ptxrx as usize as *const u8 };
                    with_raw!(ch, ch => {
                        // SAFETY: invariant 4 (or `b`, which holds 8 >= size bytes).
                        sel.send(ch, unsafe { RawElem::read(p, size) });
                    }, obj => return OBJ_FROM_C);
                }
                op if op == ChanOp::Recv as u8 => {
                    if c.flags & INPLACE_DATA != 0 {
                        return msg(c"select: recv into inplace data");
                    }
                    with_raw!(ch, ch => { sel.recv(ch); }, obj => return OBJ_FROM_C);
                }
                op if op == ChanOp::Default as u8 => {
                    if default.is_some() {
                        return msg(c"select: multiple default");
                    }
                    default = Some(i);
                    sel.default_case();
                    continue;
                }
                _ => return msg(c"select: invalid op"),
            }
            order.push(i);
        }
        // (spin before parking, as a blocked send or receive on an unbuffered
        // channel does: the counterparty of a C select is usually another
        // thread about to commit, and waking a parked thread costs tens of
        // microseconds; the spin gate admits one such spinner at a time)
        let r = match sel.try_select() {
            Some(r) => {
                greenlet_flush();
                r
            }
            None => {
                _held = Some(HeldChans::hold(cases));
                if on_greenlet() {
                    match greenlet_wait(sel.wait()) {
                        Ok(r) => r,
                        Err(p) => return p,
                    }
                } else {
                    match sel.wait_blocking_spin(golang_chan::Spin::Always, None) {
                        Blocking::Done(r) => r,
                        Blocking::Interrupted => return msg(c"BUG: capi: select interrupted"),
                    }
                }
            }
        };
        let k = match r {
            Ok(k) => k,
            Err(e) => return chan_error(e),
        };
        let i = if k == Select::DEFAULT { default.unwrap_or(usize::MAX) } else { order[k] };
        if k != Select::DEFAULT {
            let c = &cases[i];
            if c.op == ChanOp::Recv as u8 {
                // SAFETY: NULL or held by the caller.
                let (ch, size) = unsafe { chan_of(c.ch) };
                let ok = with_raw!(ch, _ch => {
                    let v = take_recv_like(&mut sel, k, _ch);
                    // SAFETY: invariant 4: the receive buffer is NULL or has room.
                    unsafe { RawElem::write(v.as_ref(), c.ptxrx as usize as *mut u8, size) };
                    v.is_some()
                }, obj => unreachable!("object channels are refused above"));
                if !c.rxok.is_null() {
                    // SAFETY: a non-NULL `rxok` is writable.
                    unsafe { *c.rxok = ok };
                }
            }
        }
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = i as i32 };
        OK
    })
}

/// The counts a waiting select holds on its cases' channels (invariant 10),
/// given back when it returns.
struct HeldChans(Vec<*mut CRawChan>);

impl HeldChans {
    fn hold(cases: &[SelCase]) -> HeldChans {
        let mut v = Vec::with_capacity(cases.len());
        for c in cases {
            if !c.ch.is_null() && chanxincref(c.ch) == OK {
                v.push(c.ch);
            }
        }
        HeldChans(v)
    }
}

impl Drop for HeldChans {
    fn drop(&mut self) {
        for &p in &self.0 {
            // (a count that was the last one frees the channel here; one
            // with waiters left is leaked, as chanxdecref's invariant 3 says)
            let _ = chanxdecref(p);
        }
    }
}

extern "C" fn makechan_dtype(dtype: i32, size: u32, out: *mut *mut CRawChan) -> Panic {
    guard(|| {
        // (object channels are Python's: C cannot make one)
        let dtype = match crate::rawchan::dtype_of_c(dtype) {
            Some(d) if d != DType::Obj => d,
            _ => return msg(c"makechan: invalid dtype"),
        };
        let p = RawChan::make(RawKind::Typed(crate::value::AnyChan::make(dtype, Some(size as usize))), crate::rawchan::c_elemsize(dtype));
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = p.cast() };
        OK
    })
}

/// Raises `golang._PanicError(msg)` and returns NULL (invariant 5).
fn raise_panic(py: pyo3::Python<'_>, m: &str) -> *mut pyo3::ffi::PyObject {
    crate::value::go_panic(py, m).restore(py);
    ptr::null_mut()
}

/// A new reference to the object of `r`, or NULL with its error raised.
fn into_ptr_or_raise<T>(py: pyo3::Python<'_>, r: pyo3::PyResult<pyo3::Py<T>>) -> *mut pyo3::ffi::PyObject {
    match r {
        Ok(o) => o.into_ptr(),
        Err(e) => {
            e.restore(py);
            ptr::null_mut()
        }
    }
}

/// `guard` for the functions that return a Python object (invariant 2).
fn guard_obj(f: impl FnOnce(pyo3::Python<'_>) -> *mut pyo3::ffi::PyObject) -> *mut pyo3::ffi::PyObject {
    // SAFETY: invariant 5: the caller of a `pychan_*` function holds the GIL.
    let py = unsafe { pyo3::Python::assume_attached() };
    catch_unwind(AssertUnwindSafe(|| f(py))).unwrap_or_else(|_| raise_panic(py, "BUG: capi: internal panic"))
}

/// `PyContext.from_ctx(ctx)`: the Python context of a context node (one
/// count added for it), or NULL with an exception set.
extern "C" fn pycontext_from_raw(p: *const golang_capi::RawCtx) -> *mut c_void {
    guard_obj(|py| {
        // SAFETY: the caller holds a count of `p` (ctxnode.rs, invariant 1).
        let node = unsafe { crate::ctxnode::CtxNode::clone_raw(p.cast()) };
        into_ptr_or_raise(py, crate::context::from_node(py, node))
    })
    .cast()
}

extern "C" fn pychan_from_raw(p: *mut CRawChan, dtype: i32) -> *mut c_void {
    guard_obj(|py| pychan_from_raw_(py, p.cast(), dtype)).cast()
}

fn pychan_from_raw_(py: pyo3::Python<'_>, p: *mut RawChan, dtype: i32) -> *mut pyo3::ffi::PyObject {
    let Some(dtype) = crate::rawchan::dtype_of_c(dtype) else { return raise_panic(py, "pychan: invalid dtype") };
    // SAFETY: the caller holds a count of `p` (or passes NULL).
    match unsafe { PyChan::from_raw(p, dtype) } {
        Ok(c) => into_ptr_or_raise(py, pyo3::Py::new(py, c)),
        Err(m) => raise_panic(py, m),
    }
}

extern "C" fn pychan_nil(dtype: i32) -> *mut c_void {
    guard_obj(|py| pychan_nil_(py, dtype)).cast()
}

fn pychan_nil_(py: pyo3::Python<'_>, dtype: i32) -> *mut pyo3::ffi::PyObject {
    let Some(dtype) = crate::rawchan::dtype_of_c(dtype) else { return raise_panic(py, "pychan: invalid dtype") };
    into_ptr_or_raise(py, crate::rawchan::nil_of(py, dtype))
}

extern "C" fn pychan_rawchan(obj: *mut c_void, dtype: i32, out: *mut *mut CRawChan) -> Panic {
    guard(|| {
        // SAFETY: invariant 5: the caller holds the GIL and a reference to `obj`.
        let py = unsafe { pyo3::Python::assume_attached() };
        // SAFETY: as above: `obj` is a live object.
        let o = unsafe { pyo3::Bound::from_borrowed_ptr(py, obj.cast()) };
        let Ok(c) = o.cast::<PyChan>() else { return msg(c"pychan: not a chan") };
        let c = c.get();
        if crate::rawchan::dtype_of_c(dtype) != Some(c.dtype()) {
            return msg(c"pychan: channel type mismatch");
        }
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = c.raw_incref().cast() };
        OK
    })
}

/// libc's description of signal `signo` ("Interrupt", ...) as Python's
/// `str(os.Signal)` gives it, or NULL when there is none (the caller then
/// says "signal%d"): one table (golang-os) for Python and C++.
extern "C" fn sigdescr(signo: i32) -> *const c_char {
    use std::ffi::CString;
    use std::sync::OnceLock;
    static TABLE: OnceLock<Vec<Option<CString>>> = OnceLock::new();
    let t = TABLE.get_or_init(|| {
        (0..=128).map(|i| golang_os::Signal(i).description().and_then(|d| CString::new(d).ok())).collect()
    });
    match usize::try_from(signo).ok().and_then(|i| t.get(i)) {
        Some(Some(d)) => d.as_ptr(),
        _ => ptr::null(),
    }
}

// ---- feature 3: os.signal (invariant 8) ----

/// Pygolang's panic message for a failed signal call (golang-os's Display
/// texts, as static C strings).
fn signal_error(e: golang_os::signal::SignalError) -> Panic {
    use golang_os::signal::SignalError as E;
    msg(match e {
        E::Invalid(_) => c"invalid signal",
        E::SigactionFailed { .. } => c"sigaction failed",
        E::SigactionFailedForAll => c"sigaction failed for all signals",
        E::Collision { .. } => c"collision detected wrt thirdparty sigaction usage",
        E::PipeFailed { .. } => c"signal: pipe failed",
    })
}

/// The `Chan<Signal>` of `p` (NULL: the nil channel), or the panic for a
/// raw channel of other elements (invariant 8).
///
/// # Safety
/// `p` is NULL or a live `RawChan` (the caller holds a count).
unsafe fn signal_chan_of(p: *const CRawChan) -> Result<Chan<golang_os::Signal>, Panic> {
    if p.is_null() {
        return Ok(Chan::nil());
    }
    // SAFETY: see the function's contract (a `_chan*` is a `RawChan`).
    let r = unsafe { &*p.cast::<RawChan>() };
    match r.kind() {
        RawKind::Typed(crate::value::AnyChan::Signal(c)) => Ok(c.clone()),
        _ => Err(msg(c"pychan: channel type mismatch")),
    }
}

/// The signals of `signov[0:n]` (n == 0: none given, i.e. all).
///
/// # Safety
/// `signov` points to `n` readable ints when `n > 0`.
unsafe fn signals_of(signov: *const i32, n: i32) -> Result<Vec<golang_os::Signal>, Panic> {
    if n < 0 {
        return Err(msg(c"signal: number of signals < 0"));
    }
    if n == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the function's contract.
    let v = unsafe { std::slice::from_raw_parts(signov, n as usize) };
    Ok(v.iter().map(|&s| golang_os::Signal(s)).collect())
}

extern "C" fn signal_notify(ch: *mut CRawChan, signov: *const i32, n: i32) -> Panic {
    guard(|| {
        // SAFETY: the caller holds a count of `ch` (or passes NULL) and
        // passes n signals (invariant 8).
        let r = unsafe { signal_chan_of(ch) }.and_then(|ch| {
            // SAFETY: as above.
            let sigs = unsafe { signals_of(signov, n) }?;
            golang_os::signal::notify(&ch, &sigs).map_err(signal_error)
        });
        r.err().unwrap_or(OK)
    })
}

extern "C" fn signal_stop(ch: *mut CRawChan) -> Panic {
    guard(|| {
        // SAFETY: the caller holds a count of `ch` (or passes NULL).
        let r = unsafe { signal_chan_of(ch) }.and_then(|ch| golang_os::signal::stop(&ch).map_err(signal_error));
        r.err().unwrap_or(OK)
    })
}

extern "C" fn signal_ignore(signov: *const i32, n: i32) -> Panic {
    guard(|| {
        // SAFETY: the caller passes n signals.
        let r = unsafe { signals_of(signov, n) }.and_then(|s| golang_os::signal::ignore(&s).map_err(signal_error));
        r.err().unwrap_or(OK)
    })
}

extern "C" fn signal_reset(signov: *const i32, n: i32) -> Panic {
    guard(|| {
        // SAFETY: the caller passes n signals.
        let r = unsafe { signals_of(signov, n) }.and_then(|s| golang_os::signal::reset(&s).map_err(signal_error));
        r.err().unwrap_or(OK)
    })
}

/// The value the select's receive case `k` got, typed as the elements of
/// `_ch` (which only names the type).
fn take_recv_like<T: RawElem>(sel: &mut Select<'_>, k: usize, _ch: &Chan<T>) -> Option<T> {
    sel.take_recv::<T>(k).flatten()
}

extern "C" fn go(f: extern "C" fn(*mut c_void), arg: *mut c_void) -> Panic {
    guard(|| {
        if on_greenlet() {
            return greenlet_go(crate::ctask::Task { f, arg });
        }
        match crate::ctask::go(crate::ctask::Task { f, arg }) {
            Ok(()) => OK,
            Err(_) => msg(c"go: cannot start thread"),
        }
    })
}

extern "C" fn nanosleep(ns: u64) -> Panic {
    if on_greenlet() {
        return guard(|| greenlet_sleep(ns));
    }
    if ns == 0 {
        std::thread::yield_now();
    } else {
        std::thread::sleep(std::time::Duration::from_nanos(ns));
    }
    OK
}

// ---- the gevent runtime (invariant 7) ----

/// Whether a blocking call of C code must block the greenlet.
fn on_greenlet() -> bool {
    crate::gevent::enabled() && crate::gevent::on_hub_thread()
}

/// The panic for an exception thrown into a greenlet blocked in C code
/// (invariant 7); other exceptions than a kill or LoopExit are printed.
fn greenlet_interrupted(py: pyo3::Python<'_>, e: pyo3::PyErr) -> Panic {
    use pyo3::prelude::*;
    let name = e.get_type(py).name().map(|n| n.to_string()).unwrap_or_default();
    match name.as_str() {
        "LoopExit" => msg(c"all goroutines are asleep - deadlock!"),
        "GreenletExit" => msg(c"greenlet killed while blocked in C code"),
        _ => {
            e.write_unraisable(py, None);
            msg(c"greenlet interrupted while blocked in C code")
        }
    }
}

/// After an operation of a greenlet that may have woken other greenlets of
/// the hub (a close, a release, a select that completed at once): asks the
/// hub to resume them (`gevent::flush`), as Python's operations do.
fn greenlet_flush() {
    if on_greenlet() && crate::gevent::has_local_wakeup() {
        crate::gil::attach_raw(|py| {
            if let Err(e) = crate::gevent::flush(py) {
                e.write_unraisable(py, None);
            }
        })
    }
}

/// Runs `fut` in the calling greenlet until done (invariant 7).
fn greenlet_wait<F: std::future::Future>(fut: F) -> Result<F::Output, Panic> {
    crate::gil::attach_raw(|py| {
        let mut fut = std::pin::pin!(fut);
        crate::gevent::block_greenlet_on(py, fut.as_mut()).map_err(|e| greenlet_interrupted(py, e))
    })
}

/// `f(arg)` as a Python callable, for gevent to run as a greenlet. The C
/// function runs without the GIL, as nogil code does.
#[pyo3::pyclass(frozen)]
struct CGoroutine {
    task: std::sync::Mutex<Option<crate::ctask::Task>>,
}

#[pyo3::pymethods]
impl CGoroutine {
    fn __call__(&self, py: pyo3::Python<'_>) {
        let t = self.task.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(t) = t {
            let _ = py;
            // (CPython's release, not pyo3's: gil.rs, invariant 5)
            crate::gil::detach_raw(move || {
                let t = t; // (the whole Task, which is Send, not its raw fields)
                // The header's trampoline catches every C++ exception.
                (t.f)(t.arg)
            });
        }
    }
}

/// `go` in a greenlet: a new greenlet (gevent.spawn_raw).
fn greenlet_go(t: crate::ctask::Task) -> Panic {
    use pyo3::prelude::*;
    crate::gil::attach_raw(|py| {
        let r = (|| -> PyResult<()> {
            let g = Py::new(py, CGoroutine { task: std::sync::Mutex::new(Some(t)) })?;
            py.import("gevent")?.getattr("spawn_raw")?.call1((g,))?;
            Ok(())
        })();
        match r {
            Ok(()) => OK,
            Err(e) => {
                e.write_unraisable(py, None);
                msg(c"go: cannot start greenlet")
            }
        }
    })
}

/// `nanosleep` in a greenlet: gevent.sleep (0 yields to the other greenlets).
fn greenlet_sleep(ns: u64) -> Panic {
    use pyo3::prelude::*;
    crate::gil::attach_raw(|py| {
        let r = (|| -> PyResult<()> {
            py.import("gevent")?.getattr("sleep")?.call1((ns as f64 * 1e-9,))?;
            Ok(())
        })();
        match r {
            Ok(()) => OK,
            Err(e) => greenlet_interrupted(py, e),
        }
    })
}

extern "C" fn nanotime() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// A binary semaphore, initially available: a channel of capacity 1 that
/// holds a token while the semaphore is free, so that acquiring blocks a
/// thread or a greenlet (invariant 7) as any receive does.
pub struct Sema {
    token: Chan<()>,
}

extern "C" fn makesema() -> *mut RawSema {
    let token = Chan::new(1);
    let _ = token.try_send(()); // available
    Box::into_raw(Box::new(Sema { token })).cast()
}

extern "C" fn semafree(s: *mut RawSema) {
    if !s.is_null() {
        // SAFETY: `s` came from `makesema` (a `Sema`) and the caller gives it up.
        drop(unsafe { Box::from_raw(s.cast::<Sema>()) });
    }
}

extern "C" fn semaacquire(s: *mut RawSema) -> Panic {
    guard(|| {
        // SAFETY: a live semaphore from `makesema`.
        let s = unsafe { &*s.cast::<Sema>() };
        if on_greenlet() {
            return match greenlet_wait(s.token.recv()) {
                Ok(_) => OK,
                Err(p) => p,
            };
        }
        match s.token.recv_blocking_interruptible(None) {
            Blocking::Done(_) => OK,
            Blocking::Interrupted => msg(c"BUG: capi: semaacquire interrupted"),
        }
    })
}

extern "C" fn semarelease(s: *mut RawSema) -> Panic {
    guard(|| {
        // SAFETY: a live semaphore from `makesema`.
        let s = unsafe { &*s.cast::<Sema>() };
        // The send is on a clone of the channel: the acquirer it wakes may
        // free the semaphore at once (`_semaacquire(s); _semafree(s)`,
        // Pygolang's sema_wakeup test, bpo-38106), while this send is still
        // finishing on the channel; the clone keeps that alive (invariant 10).
        let token = s.token.clone();
        // (releasing a free semaphore leaves it free: the buffer is full)
        let _ = token.try_send(());
        greenlet_flush();
        OK
    })
}

// ---- feature 4: file I/O (invariant 11; osfile.rs) ----

extern "C" fn os_open(path: *const c_char, flags: i32, mode: u32) -> i32 {
    // SAFETY: the caller passes a NUL-terminated path (NULL gives -EFAULT).
    catch_unwind(AssertUnwindSafe(|| unsafe { crate::osfile::open(path, flags, mode) })).unwrap_or(-libc::EIO)
}

extern "C" fn os_fdopen(fd: i32) -> i32 {
    catch_unwind(|| crate::osfile::prepare(fd)).unwrap_or(-libc::EIO)
}

extern "C" fn os_close(fd: i32) -> i32 {
    crate::osfile::close(fd)
}

extern "C" fn os_fstat(fd: i32, st: *mut c_void) -> i32 {
    // SAFETY: the caller passes a writable `struct stat`.
    unsafe { crate::osfile::fstat(fd, st) }
}

extern "C" fn os_pipe(vfd: *mut i32) -> i32 {
    // SAFETY: the caller passes room for two ints.
    unsafe { crate::osfile::pipe(vfd) }
}

extern "C" fn os_read(fd: i32, buf: *mut c_void, count: usize, out: *mut isize) -> Panic {
    fd_io(fd, buf, count, crate::osfile::Ready::Readable, out)
}

extern "C" fn os_write(fd: i32, buf: *const c_void, count: usize, out: *mut isize) -> Panic {
    fd_io(fd, buf.cast_mut(), count, crate::osfile::Ready::Writable, out)
}

/// A read or write that waits cooperatively on a greenlet and in poll(2)
/// elsewhere (osfile.rs, invariant 3); `*out` is the count or -errno.
fn fd_io(fd: i32, buf: *mut c_void, count: usize, ready: crate::osfile::Ready, out: *mut isize) -> Panic {
    guard(|| {
        // SAFETY: the caller passes `count` bytes at `buf` (writable for a read).
        let r = unsafe {
            crate::osfile::io(fd, buf, count, ready, |fd, ready| {
                if on_greenlet() {
                    greenlet_wait_fd(fd, ready).map(|()| 0)
                } else {
                    Ok(crate::osfile::poll_wait(fd, ready))
                }
            })
        };
        match r {
            Ok(n) => {
                // SAFETY: the caller passes a writable out pointer.
                unsafe { *out = n };
                OK
            }
            Err(p) => p,
        }
    })
}

/// Waits in the gevent hub until `fd` is ready (`gevent.socket.wait_read`
/// or `wait_write`), the other greenlets running meanwhile (invariant 7).
fn greenlet_wait_fd(fd: i32, ready: crate::osfile::Ready) -> Result<(), Panic> {
    use pyo3::prelude::*;
    crate::gil::attach_raw(|py| {
        let r = (|| -> PyResult<()> {
            // (the greenlets this one woke run first, as before any wait)
            crate::gevent::flush(py)?;
            let f = match ready {
                crate::osfile::Ready::Readable => "wait_read",
                crate::osfile::Ready::Writable => "wait_write",
            };
            py.import("gevent.socket")?.getattr(f)?.call1((fd,))?;
            Ok(())
        })();
        r.map_err(|e| greenlet_interrupted(py, e))
    })
}

/// The table (invariant 1: append new entries at the end only; the layout
/// is `golang_capi::CApi`).
pub static CAPI: CApi = CApi {
    abi_version: ABI_VERSION,
    feature_version: FEATURE_VERSION,
    size: std::mem::size_of::<CApi>() as u32,
    _reserved: 0,
    makechan,
    chanxincref,
    chanxdecref,
    chanrefcnt,
    chanelemsize,
    chansend,
    chanrecv_,
    chanclose,
    chanlen,
    chancap,
    chanselect,
    go,
    nanosleep,
    nanotime,
    makesema,
    semafree,
    semaacquire,
    semarelease,
    tchanrecvqlen,
    tchansendqlen,
    makechan_dtype,
    pychan_from_raw,
    pychan_nil,
    pychan_rawchan,
    sigdescr,
    ctx_background: ctxnode::ctx_background,
    ctx_incref: ctxnode::ctx_incref,
    ctx_decref: ctxnode::ctx_decref,
    ctx_with_cancel: ctxnode::ctx_with_cancel,
    ctx_with_deadline: ctxnode::ctx_with_deadline,
    ctx_with_timeout: ctxnode::ctx_with_timeout,
    ctx_merge: ctxnode::ctx_merge,
    ctx_with_value: ctxnode::ctx_with_value,
    ctx_cancel: ctxnode::ctx_cancel,
    ctx_cancel_free: ctxnode::ctx_cancel_free,
    ctx_deadline: ctxnode::ctx_deadline,
    ctx_done: ctxnode::ctx_done,
    ctx_err: ctxnode::ctx_err,
    ctx_value: ctxnode::ctx_value,
    ctx_children: ctxnode::ctx_children,
    pycontext_from_raw,
    // feature 3: os.signal
    signal_notify,
    signal_stop,
    signal_ignore,
    signal_reset,
    pyerror_cxx: crate::pyerror::pyerror_cxx,
    // feature 4: file I/O (invariant 11)
    os_open,
    os_fdopen,
    os_read,
    os_write,
    os_fstat,
    os_close,
    os_pipe,
};

/// The capsule's name: `PyCapsule_Import("golang._golang._capi")`.
pub const CAPSULE_NAME: &CStr = c"golang._golang._capi";

/// Adds the capsule `_capi` (pointing at `CAPI`) to the module.
pub(crate) fn register(m: &pyo3::Bound<'_, pyo3::types::PyModule>) -> pyo3::PyResult<()> {
    use pyo3::prelude::*;
    let py = m.py();
    // SAFETY: `CAPI` is a static that lives as long as the process; the
    // capsule neither owns nor frees it (no destructor), and the name is a
    // static C string, as PyCapsule_New requires.
    let cap = unsafe {
        let p = pyo3::ffi::PyCapsule_New(ptr::addr_of!(CAPI) as *mut c_void, CAPSULE_NAME.as_ptr(), None);
        Bound::from_owned_ptr_or_err(py, p)?
    };
    m.add("_capi", cap)?;
    // Cython's vtable of `pychan` (rawchan.rs, invariant 3).
    // SAFETY: as above, for the static `PYX_VTABLE`; Cython fetches it with
    // PyCapsule_GetPointer(capsule, NULL), so the capsule has no name.
    let vt = unsafe {
        let p = pyo3::ffi::PyCapsule_New(crate::value::PYX_VTABLE.as_ptr() as *mut c_void, ptr::null(), None);
        Bound::from_owned_ptr_or_err(py, p)?
    };
    m.getattr("pychan")?.setattr("__pyx_vtable__", &vt)?;
    // (os.Signal's Cython class has only an inline static method: the same
    // never-used table does)
    m.getattr("PySignal")?.setattr("__pyx_vtable__", &vt)?;
    // (and pyerror's, whose only C method is the inline static from_error,
    // and PyContext's, whose only one is from_ctx)
    m.getattr("_pyerror_base")?.setattr("__pyx_vtable__", &vt)?;
    m.getattr("PyContext")?.setattr("__pyx_vtable__", vt)?;
    m.add("_capi_version", (ABI_VERSION, FEATURE_VERSION))?;
    Ok(())
}
