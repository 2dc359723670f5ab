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
//! 3. A `_chan*` is a `RawChan` allocated here, with its own atomic refcount
//!    (starting at 1, `chanxincref`/`chanxdecref`, NULL allowed) and an
//!    element size fixed at make time. The channel underneath (`Chan<Elem>`)
//!    is freed when the count reaches 0; a decref to 0 with waiters left
//!    panics "chan: decref: free: recvq not empty" (or "sendq") and leaks the
//!    channel instead of freeing what others wait on.
//! 4. Elements are `elemsize` bytes copied with memcpy: a send reads exactly
//!    `elemsize` bytes at `ptx`, a receive writes exactly `elemsize` bytes at
//!    `prx` (zeroes when the channel is closed), or nothing when `prx` is
//!    NULL. `_selcase` has the 32-byte layout of Pygolang 0.1 (`SelCase`).
//! 5. Every function may be called without the GIL and from any thread,
//!    including threads Python never saw. Blocking calls block the calling
//!    OS thread; they never take the GIL.

use golang_chan::{Blocking, Chan, ChanError, Select};
use std::ffi::{c_char, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Condvar, Mutex};

/// ABI generation: a user built for another value cannot run (invariant 1).
pub const ABI_VERSION: u32 = 1;
/// Number of table features in this ABI (append-only, invariant 1).
pub const FEATURE_VERSION: u32 = 1;

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

/// Elements up to this size live inline in the channel's buffer.
const INLINE: usize = 16;

/// One element of a byte channel: `elemsize` bytes (invariant 4). Small
/// elements (ints, doubles, pointers, small structs) are stored inline, so
/// a send allocates nothing; larger ones are boxed.
pub enum Elem {
    Inline([u8; INLINE]),
    Heap(Box<[u8]>),
}

impl Elem {
    /// Reads `size` bytes at `p`.
    ///
    /// # Safety
    /// `p` must be valid for reading `size` bytes (or `size == 0`).
    unsafe fn read(p: *const u8, size: usize) -> Elem {
        if size <= INLINE {
            let mut b = [0u8; INLINE];
            if size > 0 {
                // SAFETY: the caller guarantees `size` readable bytes at `p`;
                // `b` has room for `size <= INLINE`.
                unsafe { ptr::copy_nonoverlapping(p, b.as_mut_ptr(), size) };
            }
            Elem::Inline(b)
        } else {
            // SAFETY: as above.
            Elem::Heap(unsafe { std::slice::from_raw_parts(p, size) }.into())
        }
    }

    /// Writes `size` bytes to `p` (the element's bytes, or zeroes for
    /// `None`).
    ///
    /// # Safety
    /// `p` must be NULL or valid for writing `size` bytes.
    unsafe fn write(v: Option<&Elem>, p: *mut u8, size: usize) {
        if p.is_null() || size == 0 {
            return;
        }
        match v {
            // SAFETY: the caller guarantees `size` writable bytes at `p`; the
            // element holds at least `size` bytes (it was read with it).
            Some(Elem::Inline(b)) => unsafe { ptr::copy_nonoverlapping(b.as_ptr(), p, size) },
            // SAFETY: as above.
            Some(Elem::Heap(b)) => unsafe { ptr::copy_nonoverlapping(b.as_ptr(), p, size) },
            // SAFETY: as above.
            None => unsafe { ptr::write_bytes(p, 0, size) },
        }
    }
}

/// The object behind a C `_chan*` (invariant 3).
pub struct RawChan {
    refcnt: AtomicI32,
    elemsize: u32,
    ch: Chan<Elem>,
}

static NIL: std::sync::LazyLock<Chan<Elem>> = std::sync::LazyLock::new(Chan::nil);

/// The channel behind `p`; the nil channel for NULL.
///
/// # Safety
/// `p` is NULL or a live `RawChan` from `makechan` (the caller holds a
/// reference).
unsafe fn chan_of<'a>(p: *const RawChan) -> (&'a Chan<Elem>, usize) {
    if p.is_null() {
        (&NIL, 0)
    } else {
        // SAFETY: see the function's contract.
        let r = unsafe { &*p };
        (&r.ch, r.elemsize as usize)
    }
}

extern "C" fn makechan(elemsize: u32, size: u32, out: *mut *mut RawChan) -> Panic {
    guard(|| {
        let r = Box::new(RawChan { refcnt: AtomicI32::new(1), elemsize, ch: Chan::new(size as usize) });
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = Box::into_raw(r) };
        OK
    })
}

extern "C" fn chanxincref(p: *mut RawChan) -> Panic {
    if p.is_null() {
        return OK;
    }
    // SAFETY: a non-NULL `_chan*` is live while its caller holds a reference.
    let prev = unsafe { &*p }.refcnt.fetch_add(1, Ordering::Relaxed);
    if prev < 1 {
        return msg(c"incref: refcnt was < 1");
    }
    OK
}

extern "C" fn chanxdecref(p: *mut RawChan) -> Panic {
    if p.is_null() {
        return OK;
    }
    guard(|| {
        // SAFETY: the caller gives up one reference it holds, so `p` is live.
        let r = unsafe { &*p };
        let prev = r.refcnt.fetch_sub(1, Ordering::Release);
        if prev < 1 {
            return msg(c"decref: refcnt was < 1");
        }
        if prev > 1 {
            return OK;
        }
        std::sync::atomic::fence(Ordering::Acquire);
        // Invariant 3: never free a channel somebody still waits on.
        if r.ch.waiting_receivers() != 0 {
            return msg(c"chan: decref: free: recvq not empty");
        }
        if r.ch.waiting_senders() != 0 {
            return msg(c"chan: decref: free: sendq not empty");
        }
        // SAFETY: the count reached 0: this was the last reference, and `p`
        // came from `Box::into_raw` in `makechan`.
        drop(unsafe { Box::from_raw(p) });
        OK
    })
}

extern "C" fn chanrefcnt(p: *const RawChan) -> i32 {
    if p.is_null() {
        return 0;
    }
    // SAFETY: the caller holds a reference.
    unsafe { &*p }.refcnt.load(Ordering::Relaxed)
}

extern "C" fn chanelemsize(p: *const RawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.1 as u32
}

extern "C" fn chansend(p: *mut RawChan, ptx: *const c_void) -> Panic {
    guard(|| {
        // SAFETY: NULL or held by the caller.
        let (ch, size) = unsafe { chan_of(p) };
        // SAFETY: invariant 4: `ptx` points to `elemsize` bytes.
        let v = unsafe { Elem::read(ptx.cast(), size) };
        match ch.send_blocking_interruptible(v, None) {
            Blocking::Done(Ok(())) => OK,
            Blocking::Done(Err(e)) => chan_error(e),
            Blocking::Interrupted => msg(c"BUG: capi: send interrupted"),
        }
    })
}

extern "C" fn chanrecv_(p: *mut RawChan, prx: *mut c_void, ok: *mut bool) -> Panic {
    guard(|| {
        // SAFETY: NULL or held by the caller.
        let (ch, size) = unsafe { chan_of(p) };
        let v = match ch.recv_blocking_interruptible(None) {
            Blocking::Done(v) => v,
            Blocking::Interrupted => return msg(c"BUG: capi: recv interrupted"),
        };
        // SAFETY: invariant 4: `prx` is NULL or has room for `elemsize` bytes.
        unsafe { Elem::write(v.as_ref(), prx.cast(), size) };
        if !ok.is_null() {
            // SAFETY: a non-NULL `ok` is writable.
            unsafe { *ok = v.is_some() };
        }
        OK
    })
}

extern "C" fn chanclose(p: *mut RawChan) -> Panic {
    guard(|| {
        // SAFETY: NULL or held by the caller.
        let (ch, _) = unsafe { chan_of(p) };
        match ch.try_close() {
            Ok(()) => OK,
            Err(e) => chan_error(e),
        }
    })
}

extern "C" fn chanlen(p: *const RawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.0.len() as u32
}

extern "C" fn chancap(p: *const RawChan) -> u32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.0.cap() as u32
}

extern "C" fn tchanrecvqlen(p: *const RawChan) -> i32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.0.waiting_receivers() as i32
}

extern "C" fn tchansendqlen(p: *const RawChan) -> i32 {
    // SAFETY: NULL or held by the caller.
    unsafe { chan_of(p) }.0.waiting_senders() as i32
}

/// What a select case does (`_selcase.op`).
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChanOp {
    Send = 0,
    Recv = 1,
    Default = 2,
}

/// `_selcase.flags`: the value of a send case is in `itxrx` itself.
pub const INPLACE_DATA: u8 = 1;

/// `_selcase` of Pygolang 0.1 (LP64, 32 bytes, invariant 4): `op`,
/// `flags` and `user` are the three low bytes of the 32-bit unit at 8.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SelCase {
    pub ch: *mut RawChan,
    pub op: u8,
    pub flags: u8,
    pub user: u8,
    pub _pad: [u8; 5],
    /// `void *ptxrx` or `uint64_t itxrx` (with `INPLACE_DATA`).
    pub ptxrx: u64,
    pub rxok: *mut bool,
}

const _: () = assert!(std::mem::size_of::<SelCase>() == 32);

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
        let mut sel = Select::new();
        // `order[k]`: the index in `cases` of the k-th case given to `sel`.
        let mut order = Vec::with_capacity(cases.len());
        let mut default = None;
        for (i, c) in cases.iter().enumerate() {
            // SAFETY: NULL or held by the caller.
            let (ch, size) = unsafe { chan_of(c.ch) };
            match c.op {
                op if op == ChanOp::Send as u8 => {
                    let v = if c.flags & INPLACE_DATA != 0 {
                        if size > 8 {
                            return msg(c"select: send: inplace data > 8 bytes");
                        }
                        let b = c.ptxrx.to_ne_bytes();
                        // SAFETY: `b` holds 8 >= size bytes.
                        unsafe { Elem::read(b.as_ptr(), size) }
                    } else {
                        // SAFETY: invariant 4.
                        unsafe { Elem::read(c.ptxrx as usize as *const u8, size) }
                    };
                    sel.send(ch, v);
                }
                op if op == ChanOp::Recv as u8 => {
                    if c.flags & INPLACE_DATA != 0 {
                        return msg(c"select: recv into inplace data");
                    }
                    sel.recv(ch);
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
        let k = match sel.wait_blocking() {
            Ok(k) => k,
            Err(e) => return chan_error(e),
        };
        let i = if k == Select::DEFAULT { default.unwrap_or(usize::MAX) } else { order[k] };
        if k != Select::DEFAULT {
            let c = &cases[i];
            if c.op == ChanOp::Recv as u8 {
                // SAFETY: NULL or held by the caller.
                let (_, size) = unsafe { chan_of(c.ch) };
                let v = sel.take_recv::<Elem>(k).flatten();
                // SAFETY: invariant 4: the receive buffer is NULL or has room.
                unsafe { Elem::write(v.as_ref(), c.ptxrx as usize as *mut u8, size) };
                if !c.rxok.is_null() {
                    // SAFETY: a non-NULL `rxok` is writable.
                    unsafe { *c.rxok = v.is_some() };
                }
            }
        }
        // SAFETY: the caller passes a writable out pointer.
        unsafe { *out = i as i32 };
        OK
    })
}

/// A goroutine body from C: `f(arg)`.
struct Task {
    f: extern "C" fn(*mut c_void),
    arg: *mut c_void,
}

// SAFETY: the C caller of `go` hands `arg` over to the new goroutine, as
// `_taskgo` does in Pygolang.
unsafe impl Send for Task {}

extern "C" fn go(f: extern "C" fn(*mut c_void), arg: *mut c_void) -> Panic {
    guard(|| {
        let t = Task { f, arg };
        let spawned = std::thread::Builder::new().name("golang-capi-go".into()).spawn(move || {
            let t = t;
            // The header's trampoline catches every C++ exception, so
            // nothing unwinds into Rust here.
            (t.f)(t.arg)
        });
        match spawned {
            Ok(_) => OK,
            Err(_) => msg(c"go: cannot start thread"),
        }
    })
}

extern "C" fn nanosleep(ns: u64) -> Panic {
    if ns == 0 {
        std::thread::yield_now();
    } else {
        std::thread::sleep(std::time::Duration::from_nanos(ns));
    }
    OK
}

extern "C" fn nanotime() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0)
}

/// A binary semaphore, initially available.
pub struct Sema {
    taken: Mutex<bool>,
    cv: Condvar,
}

extern "C" fn makesema() -> *mut Sema {
    Box::into_raw(Box::new(Sema { taken: Mutex::new(false), cv: Condvar::new() }))
}

extern "C" fn semafree(s: *mut Sema) {
    if !s.is_null() {
        // SAFETY: `s` came from `makesema` and the caller gives it up.
        drop(unsafe { Box::from_raw(s) });
    }
}

extern "C" fn semaacquire(s: *mut Sema) -> Panic {
    guard(|| {
        // SAFETY: a live semaphore from `makesema`.
        let s = unsafe { &*s };
        let mut taken = s.taken.lock().unwrap_or_else(|e| e.into_inner());
        while *taken {
            taken = s.cv.wait(taken).unwrap_or_else(|e| e.into_inner());
        }
        *taken = true;
        OK
    })
}

extern "C" fn semarelease(s: *mut Sema) -> Panic {
    guard(|| {
        // SAFETY: a live semaphore from `makesema`.
        let s = unsafe { &*s };
        *s.taken.lock().unwrap_or_else(|e| e.into_inner()) = false;
        s.cv.notify_one();
        OK
    })
}

/// The table (invariant 1: append new entries at the end only).
#[repr(C)]
pub struct CApi {
    pub abi_version: u32,
    pub feature_version: u32,
    pub size: u32,
    pub _reserved: u32,
    // feature 1
    pub makechan: extern "C" fn(u32, u32, *mut *mut RawChan) -> Panic,
    pub chanxincref: extern "C" fn(*mut RawChan) -> Panic,
    pub chanxdecref: extern "C" fn(*mut RawChan) -> Panic,
    pub chanrefcnt: extern "C" fn(*const RawChan) -> i32,
    pub chanelemsize: extern "C" fn(*const RawChan) -> u32,
    pub chansend: extern "C" fn(*mut RawChan, *const c_void) -> Panic,
    pub chanrecv_: extern "C" fn(*mut RawChan, *mut c_void, *mut bool) -> Panic,
    pub chanclose: extern "C" fn(*mut RawChan) -> Panic,
    pub chanlen: extern "C" fn(*const RawChan) -> u32,
    pub chancap: extern "C" fn(*const RawChan) -> u32,
    pub chanselect: extern "C" fn(*const SelCase, i32, *mut i32) -> Panic,
    pub go: extern "C" fn(extern "C" fn(*mut c_void), *mut c_void) -> Panic,
    pub nanosleep: extern "C" fn(u64) -> Panic,
    pub nanotime: extern "C" fn() -> u64,
    pub makesema: extern "C" fn() -> *mut Sema,
    pub semafree: extern "C" fn(*mut Sema),
    pub semaacquire: extern "C" fn(*mut Sema) -> Panic,
    pub semarelease: extern "C" fn(*mut Sema) -> Panic,
    pub tchanrecvqlen: extern "C" fn(*const RawChan) -> i32,
    pub tchansendqlen: extern "C" fn(*const RawChan) -> i32,
}

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
    m.add("_capi_version", (ABI_VERSION, FEATURE_VERSION))?;
    Ok(())
}
