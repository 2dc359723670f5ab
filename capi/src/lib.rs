//! `golang-capi`: Rust extensions (pyo3) on the C ABI of the `golang`
//! Python package, so that they share the one runtime of the process with
//! the package and with Cython and C++ extensions (docs/ARCHITECTURE.md,
//! "The C ABI"), instead of linking a runtime of their own.
//!
//! The table's layout is defined here, once: the package's native core
//! (`targets/native/src/capi.rs`, whose invariants govern it: append-only
//! within an ABI) fills it, and this crate refuses a table of another ABI, or with fewer features than it uses, with
//! an error that names both versions. With the `pyo3` feature, [`import`]
//! fetches it through the PyCapsule `golang._golang._capi`.
//!
//! Channels here are [`Chan<T>`] for `T: Copy` (elements are copied as
//! bytes, as C++ `chan<T>` does), so a channel made in Rust can be handed to
//! C++ (`_rawchan`) and the other way round ([`Chan::wrap`]). Go's panics come
//! back as [`Panic`] errors with Go's exact message. [`select`] runs a Go
//! select over [`SelCase`]s, [`go`] starts a goroutine on the shared runtime
//! (an OS thread, or a greenlet under gpython), and with the `pyo3`
//! feature a Python `chan` of a dtype converts both ways
//! ([`Chan::from_py`], [`Chan::to_py`]), both sides using one channel.
//!
//! ```no_run
//! # #[cfg(feature = "pyo3")]
//! # fn demo(py: pyo3::Python<'_>, pych: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<()> {
//! use golang_capi::{go, import, Chan};
//! let api = import(py)?;                       // the package's runtime
//! let ch: Chan<i32> = Chan::from_py(api, pych)?; // a chan(dtype='C.int')
//! go(api, move || {
//!     for i in 0..3 {
//!         ch.send(i).unwrap();                 // no GIL needed
//!     }
//!     ch.close().unwrap();
//! })
//! .unwrap();
//! # Ok(())
//! # }
//! ```

use std::ffi::{c_char, c_void, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::mem::{size_of, MaybeUninit};

/// The ABI this crate is written for.
pub const ABI_VERSION: u32 = 1;
/// The table features this crate uses.
pub const FEATURE_VERSION: u32 = 4;

/// Opaque raw channel (`_chan*` in C).
#[repr(C)]
pub struct RawChan {
    _private: [u8; 0],
}

/// Opaque binary semaphore.
#[repr(C)]
pub struct RawSema {
    _private: [u8; 0],
}

/// Opaque context (`golang::context::_Context*` in C++): one counted handle
/// to a context of the package's tree (feature 3).
#[repr(C)]
pub struct RawCtx {
    _private: [u8; 0],
}

/// Opaque cancel function of a context (feature 3).
#[repr(C)]
pub struct RawCancel {
    _private: [u8; 0],
}

/// Why a context was cancelled (`ctx_err`, feature 3).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtxErr {
    /// Not cancelled (yet).
    None = 0,
    /// `context.canceled`.
    Canceled = 1,
    /// `context.deadlineExceeded`.
    DeadlineExceeded = 2,
}

/// Makes a C++ `errors::New(text)` (feature 3, `pyerror_cxx`).
pub type CxxErrNewText = extern "C" fn(*const c_char, usize) -> *mut c_void;
/// Makes a C++ `fmt::errorf("<prefix>: %w", inner)` (feature 3).
pub type CxxErrNewWrap = extern "C" fn(*const c_char, usize, *mut c_void) -> *mut c_void;
/// Drops a reference to a C++ error (feature 3).
pub type CxxErrRelease = extern "C" fn(*mut c_void);

/// NULL, or a static Go panic message.
pub type PanicMsg = *const c_char;

/// `_selcase` (32 bytes on LP64).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SelCase {
    pub ch: *mut RawChan,
    pub op: u8,
    pub flags: u8,
    pub user: u8,
    pub _pad: [u8; 5],
    pub ptxrx: u64,
    pub rxok: *mut bool,
}

/// What a select case does (`_selcase.op`).
#[repr(u8)]
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChanOp {
    Send = 0,
    Recv = 1,
    Default = 2,
}

/// `_selcase.op` of a send case.
pub const CHANSEND: u8 = ChanOp::Send as u8;
/// Receive case.
pub const CHANRECV: u8 = ChanOp::Recv as u8;
/// The default case.
pub const DEFAULT: u8 = ChanOp::Default as u8;

/// `_selcase.flags`: the value of a send case is in `itxrx` itself.
pub const INPLACE_DATA: u8 = 1;

/// The table: the one definition of its layout, which the package's native
/// core (targets/native/src/capi.rs) fills and golang/libgolang.h mirrors in
/// C++ (tests/python/test_capi_layout.py checks that the two agree).
#[repr(C)]
pub struct CApi {
    pub abi_version: u32,
    pub feature_version: u32,
    pub size: u32,
    pub _reserved: u32,
    pub makechan: extern "C" fn(u32, u32, *mut *mut RawChan) -> PanicMsg,
    pub chanxincref: extern "C" fn(*mut RawChan) -> PanicMsg,
    pub chanxdecref: extern "C" fn(*mut RawChan) -> PanicMsg,
    pub chanrefcnt: extern "C" fn(*const RawChan) -> i32,
    pub chanelemsize: extern "C" fn(*const RawChan) -> u32,
    pub chansend: extern "C" fn(*mut RawChan, *const c_void) -> PanicMsg,
    pub chanrecv_: extern "C" fn(*mut RawChan, *mut c_void, *mut bool) -> PanicMsg,
    pub chanclose: extern "C" fn(*mut RawChan) -> PanicMsg,
    pub chanlen: extern "C" fn(*const RawChan) -> u32,
    pub chancap: extern "C" fn(*const RawChan) -> u32,
    pub chanselect: extern "C" fn(*const SelCase, i32, *mut i32) -> PanicMsg,
    pub go: extern "C" fn(extern "C" fn(*mut c_void), *mut c_void) -> PanicMsg,
    pub nanosleep: extern "C" fn(u64) -> PanicMsg,
    pub nanotime: extern "C" fn() -> u64,
    pub makesema: extern "C" fn() -> *mut RawSema,
    pub semafree: extern "C" fn(*mut RawSema),
    pub semaacquire: extern "C" fn(*mut RawSema) -> PanicMsg,
    pub semarelease: extern "C" fn(*mut RawSema) -> PanicMsg,
    pub tchanrecvqlen: extern "C" fn(*const RawChan) -> i32,
    pub tchansendqlen: extern "C" fn(*const RawChan) -> i32,
    // feature 2: channels shared with Python (these need the GIL)
    pub makechan_dtype: extern "C" fn(i32, u32, *mut *mut RawChan) -> PanicMsg,
    pub pychan_from_raw: extern "C" fn(*mut RawChan, i32) -> *mut c_void,
    pub pychan_nil: extern "C" fn(i32) -> *mut c_void,
    pub pychan_rawchan: extern "C" fn(*mut c_void, i32, *mut *mut RawChan) -> PanicMsg,
    pub sigdescr: extern "C" fn(i32) -> *const c_char,
    // feature 3: contexts shared by C++, Python and Rust (one tree; the
    // native core's ctxnode.rs). Each `*const RawCtx` a function gives is
    // one count for the caller (`ctx_decref`); none of these needs the GIL
    // but `pycontext_from_raw`.
    pub ctx_background: extern "C" fn(*mut *const RawCtx),
    pub ctx_incref: extern "C" fn(*const RawCtx),
    pub ctx_decref: extern "C" fn(*const RawCtx),
    pub ctx_with_cancel: extern "C" fn(*const RawCtx, *mut *const RawCtx, *mut *mut RawCancel),
    pub ctx_with_deadline: extern "C" fn(*const RawCtx, f64, *mut *const RawCtx, *mut *mut RawCancel),
    pub ctx_with_timeout: extern "C" fn(*const RawCtx, f64, *mut *const RawCtx, *mut *mut RawCancel),
    pub ctx_merge: extern "C" fn(*const RawCtx, *const RawCtx, *mut *const RawCtx, *mut *mut RawCancel),
    /// `(parent, key, value, release(value), out)`: the context holds one
    /// reference to `value` and calls `release` when it goes.
    pub ctx_with_value: extern "C" fn(*const RawCtx, *const c_void, *mut c_void, extern "C" fn(*mut c_void), *mut *const RawCtx),
    pub ctx_cancel: extern "C" fn(*mut RawCancel),
    pub ctx_cancel_free: extern "C" fn(*mut RawCancel),
    /// +inf for no deadline.
    pub ctx_deadline: extern "C" fn(*const RawCtx) -> f64,
    /// A new count of a structZ channel, or NULL (never done).
    pub ctx_done: extern "C" fn(*const RawCtx) -> *mut RawChan,
    pub ctx_err: extern "C" fn(*const RawCtx) -> CtxErr,
    /// The value under a C key (borrowed), or NULL.
    pub ctx_value: extern "C" fn(*const RawCtx, *const c_void) -> *mut c_void,
    /// Calls `f(user, child)` for each child registered with the context
    /// (test introspection; each child one count for `f`).
    pub ctx_children: extern "C" fn(*const RawCtx, extern "C" fn(*mut c_void, *const RawCtx), *mut c_void),
    /// The Python context (`golang.context.Context`) of a context (GIL).
    pub pycontext_from_raw: extern "C" fn(*const RawCtx) -> *mut c_void,
    // feature 3: os.signal (`chan[os.Signal]` channels made with dtype 5;
    // an empty list of signal numbers means all signals)
    pub signal_notify: extern "C" fn(*mut RawChan, *const i32, i32) -> PanicMsg,
    pub signal_stop: extern "C" fn(*mut RawChan) -> PanicMsg,
    pub signal_ignore: extern "C" fn(*const i32, i32) -> PanicMsg,
    pub signal_reset: extern "C" fn(*const i32, i32) -> PanicMsg,
    /// `(new_text_error, new_wrap_error, release)`: how to make the C++
    /// errors of errors that Python code makes (`e.err`), given by the
    /// first extension that registers (golang/_golang_pyx.h, at its load).
    /// `new_text_error(text, len)` and `new_wrap_error(prefix, len, inner)`
    /// return a new reference (`inner` is borrowed); `release` drops one.
    pub pyerror_cxx: extern "C" fn(CxxErrNewText, CxxErrNewWrap, CxxErrRelease),
    // feature 4: file I/O on descriptors (C++'s `os::File`; the native
    // core's osfile.rs). Each gives a descriptor, a count or 0, or -errno;
    // none needs the GIL. Under the gevent runtime a read or write that
    // would block a greenlet waits in the hub (then a panic if that wait is
    // interrupted); elsewhere it blocks the OS thread.
    /// `(path, flags, mode)`: open(2), the descriptor prepared as `os_fdopen` does.
    pub os_open: extern "C" fn(*const c_char, i32, u32) -> i32,
    /// Checks that a descriptor is open (fstat) and, under the gevent
    /// runtime, makes one that can block for long (not a regular file, a
    /// directory or a block device) non-blocking: 0 or -errno.
    pub os_fdopen: extern "C" fn(i32) -> i32,
    /// `(fd, buf, count, out)`: read(2) into `buf`; `*out` = n or -errno.
    pub os_read: extern "C" fn(i32, *mut c_void, usize, *mut isize) -> PanicMsg,
    /// `(fd, buf, count, out)`: one write(2) of `buf`; `*out` = n or -errno.
    pub os_write: extern "C" fn(i32, *const c_void, usize, *mut isize) -> PanicMsg,
    /// `(fd, st)`: fstat(2) into the platform's `struct stat`.
    pub os_fstat: extern "C" fn(i32, *mut c_void) -> i32,
    pub os_close: extern "C" fn(i32) -> i32,
    /// `vfd[0]` the read end, `vfd[1]` the write end, both as `os_fdopen` leaves them.
    pub os_pipe: extern "C" fn(*mut i32) -> i32,
}

/// Element types with a dtype of Python's `chan` (Pygolang's `DType`
/// numbers): channels of these can be shared with Python.
pub trait PyDType: Copy {
    /// The dtype number (`DTYPE_STRUCTZ` = 1 ... `DTYPE_DOUBLE` = 4).
    const DTYPE: i32;
}

/// `structZ` (`chan(dtype='C.structZ')`).
impl PyDType for () {
    const DTYPE: i32 = 1;
}
/// `chan(dtype='C.bool')`.
impl PyDType for bool {
    const DTYPE: i32 = 2;
}
/// `chan(dtype='C.int')`.
impl PyDType for i32 {
    const DTYPE: i32 = 3;
}
/// `chan(dtype='C.double')`.
impl PyDType for f64 {
    const DTYPE: i32 = 4;
}

/// The table cannot be used: another ABI, or too few features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionMismatch {
    pub provided: (u32, u32),
}

impl fmt::Display for VersionMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "golang C API version mismatch: this extension was built for ABI {} (features >= {}), \
             the installed golang provides ABI {} (features {}); rebuild the extension",
            ABI_VERSION, FEATURE_VERSION, self.provided.0, self.provided.1
        )
    }
}

impl std::error::Error for VersionMismatch {}

/// Checks the versions at the start of a table.
///
/// # Safety
/// `p` must point to a table that starts with the three version words and
/// lives for the rest of the process (the package's static table does).
pub unsafe fn check(p: *const CApi) -> Result<&'static CApi, VersionMismatch> {
    // SAFETY: the caller's contract; only the leading words are read before
    // the versions are known to match.
    let (abi, feat, size) = unsafe { ((*p).abi_version, (*p).feature_version, (*p).size) };
    if abi != ABI_VERSION || feat < FEATURE_VERSION || (size as usize) < size_of::<CApi>() {
        return Err(VersionMismatch { provided: (abi, feat) });
    }
    // SAFETY: same ABI and enough features: the table has every field.
    Ok(unsafe { &*p })
}

/// Fetches the table through the PyCapsule `golang._golang._capi` (imports
/// golang._golang if needed). A version mismatch is an ImportError naming
/// both versions.
#[cfg(feature = "pyo3")]
pub fn import(py: pyo3::Python<'_>) -> pyo3::PyResult<&'static CApi> {
    // SAFETY: the name is a NUL-terminated static string; the GIL is held
    // (`py`).
    let p = unsafe { pyo3::ffi::PyCapsule_Import(c"golang._golang._capi".as_ptr(), 0) };
    if p.is_null() {
        return Err(pyo3::PyErr::fetch(py));
    }
    // SAFETY: the capsule holds the package's static table.
    unsafe { check(p as *const CApi) }.map_err(|e| pyo3::exceptions::PyImportError::new_err(e.to_string()))
}

/// A Go panic from the runtime, with Go's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic(pub &'static str);

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Panic {}

fn result(msg: PanicMsg) -> Result<(), Panic> {
    if msg.is_null() {
        Ok(())
    } else {
        // SAFETY: the runtime returns static NUL-terminated messages.
        Err(Panic(unsafe { CStr::from_ptr(msg) }.to_str().unwrap_or("panic")))
    }
}

fn elemsize<T>() -> u32 {
    size_of::<T>() as u32
}

/// A channel of `T` on the shared runtime: a counted reference to a raw
/// channel; `Chan::nil(api)` is the nil channel.
pub struct Chan<T: Copy> {
    api: &'static CApi,
    raw: *mut RawChan,
    _t: PhantomData<T>,
}

// SAFETY: raw channels are thread-safe (capi.rs invariant 5) and `T: Copy +
// Send` values cross as bytes.
unsafe impl<T: Copy + Send> Send for Chan<T> {}
// SAFETY: as above; every operation takes `&self`.
unsafe impl<T: Copy + Send> Sync for Chan<T> {}

impl<T: Copy> Chan<T> {
    /// `make(chan T, size)`.
    pub fn make(api: &'static CApi, size: u32) -> Result<Self, Panic> {
        let mut raw = std::ptr::null_mut();
        result((api.makechan)(elemsize::<T>(), size, &mut raw))?;
        Ok(Chan { api, raw, _t: PhantomData })
    }

    /// The nil channel.
    pub fn nil(api: &'static CApi) -> Self {
        Chan { api, raw: std::ptr::null_mut(), _t: PhantomData }
    }

    /// Shares a raw channel made elsewhere (refcount +1); panics "wrapchan:
    /// elemsize mismatch" if its elements are not `T`-sized.
    ///
    /// # Safety
    /// `raw` is NULL or a live raw channel of this runtime.
    pub unsafe fn wrap(api: &'static CApi, raw: *mut RawChan) -> Result<Self, Panic> {
        if !raw.is_null() {
            if (api.chanelemsize)(raw) != elemsize::<T>() {
                return Err(Panic("wrapchan: elemsize mismatch"));
            }
            result((api.chanxincref)(raw))?;
        }
        Ok(Chan { api, raw, _t: PhantomData })
    }

    /// The raw channel (for C++ `_wrapchan`).
    pub fn raw(&self) -> *mut RawChan {
        self.raw
    }

    /// Sends, blocking the OS thread.
    pub fn send(&self, v: T) -> Result<(), Panic> {
        result((self.api.chansend)(self.raw, &v as *const T as *const c_void))
    }

    /// Receives: `(v, true)`, or `(zero, false)` once closed and drained.
    pub fn recv_(&self) -> Result<(T, bool), Panic>
    where
        T: Default,
    {
        let mut v = MaybeUninit::<T>::zeroed();
        let mut ok = false;
        result((self.api.chanrecv_)(self.raw, v.as_mut_ptr() as *mut c_void, &mut ok))?;
        // SAFETY: the runtime wrote elemsize bytes (the value or zeroes), and
        // `T: Default` types used here are plain data.
        Ok((unsafe { v.assume_init() }, ok))
    }

    /// `close(ch)`.
    pub fn close(&self) -> Result<(), Panic> {
        result((self.api.chanclose)(self.raw))
    }

    /// Buffered count.
    pub fn len(&self) -> u32 {
        if self.raw.is_null() { 0 } else { (self.api.chanlen)(self.raw) }
    }

    /// Whether nothing is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Buffer size.
    pub fn cap(&self) -> u32 {
        if self.raw.is_null() { 0 } else { (self.api.chancap)(self.raw) }
    }
}

impl<T: PyDType> Chan<T> {
    /// `make(chan T, size)` as a channel Python can share ([`Chan::to_py`]).
    pub fn make_shared(api: &'static CApi, size: u32) -> Result<Self, Panic> {
        let mut raw = std::ptr::null_mut();
        result((api.makechan_dtype)(T::DTYPE, size, &mut raw))?;
        Ok(Chan { api, raw, _t: PhantomData })
    }

    /// The channel of a Python `chan` of `T`'s dtype (one count added);
    /// another dtype raises `golang._PanicError("pychan: channel type
    /// mismatch")`.
    #[cfg(feature = "pyo3")]
    pub fn from_py(api: &'static CApi, obj: &pyo3::Bound<'_, pyo3::PyAny>) -> pyo3::PyResult<Self> {
        let mut raw = std::ptr::null_mut();
        let r = result((api.pychan_rawchan)(obj.as_ptr().cast(), T::DTYPE, &mut raw));
        match r {
            Ok(()) => Ok(Chan { api, raw, _t: PhantomData }),
            Err(p) => Err(panic_error(obj.py(), p)),
        }
    }

    /// A Python `chan` over this channel (a new object; nil gives a new nil
    /// chan). Only channels of [`Chan::make_shared`] (or Python's) can be
    /// shared; others raise `_PanicError("pychan: channel type mismatch")`.
    #[cfg(feature = "pyo3")]
    pub fn to_py(&self, py: pyo3::Python<'_>) -> pyo3::PyResult<pyo3::Py<pyo3::PyAny>> {
        let p = (self.api.pychan_from_raw)(self.raw, T::DTYPE);
        // SAFETY: the runtime returns a new reference, or NULL with an
        // exception set (the GIL is held: `py`).
        unsafe { pyo3::Bound::from_owned_ptr_or_err(py, p.cast()) }.map(pyo3::Bound::unbind)
    }
}

/// `golang._PanicError(msg)`, Go's panic in Python.
#[cfg(feature = "pyo3")]
pub fn panic_error(py: pyo3::Python<'_>, p: Panic) -> pyo3::PyErr {
    use pyo3::types::PyAnyMethods;
    match py.import("golang._pyfunc").and_then(|m| m.getattr("_PanicError")) {
        Ok(cls) => pyo3::PyErr::from_value(match cls.call1((p.0,)) {
            Ok(e) => e,
            Err(e) => return e,
        }),
        Err(e) => e,
    }
}

impl<T: Copy> Chan<T> {
    /// A select case that sends `*v` (which must live until `select`
    /// returns).
    pub fn send_case(&self, v: &T) -> SelCase {
        SelCase { ch: self.raw, op: CHANSEND, flags: 0, user: 0xff, _pad: [0; 5], ptxrx: v as *const T as u64, rxok: std::ptr::null_mut() }
    }

    /// A select case that receives into `*out` and, if given, sets `*ok`
    /// (both must live until `select` returns).
    pub fn recv_case(&self, out: &mut T, ok: Option<&mut bool>) -> SelCase {
        SelCase {
            ch: self.raw,
            op: CHANRECV,
            flags: 0,
            user: 0xff,
            _pad: [0; 5],
            ptxrx: out as *mut T as u64,
            rxok: ok.map_or(std::ptr::null_mut(), |p| p as *mut bool),
        }
    }

    /// Receives: the value, or zero once closed and drained.
    pub fn recv(&self) -> Result<T, Panic>
    where
        T: Default,
    {
        self.recv_().map(|(v, _)| v)
    }
}

/// The default case of a select.
pub fn default_case() -> SelCase {
    SelCase { ch: std::ptr::null_mut(), op: DEFAULT, flags: 0, user: 0xff, _pad: [0; 5], ptxrx: 0, rxok: std::ptr::null_mut() }
}

/// Go's select over `cases`: blocks until one can run (or runs the default
/// case), runs exactly that one, and gives its index. Receive cases write
/// their value (zero once closed) where their case points.
pub fn select(api: &'static CApi, cases: &[SelCase]) -> Result<usize, Panic> {
    let mut out = -1;
    result((api.chanselect)(cases.as_ptr(), cases.len() as i32, &mut out))?;
    Ok(out as usize)
}

/// Starts `f` as a goroutine of the shared runtime: an OS thread from the
/// runtime's pool, or a greenlet under the gevent runtime. A Rust panic in
/// `f` is printed and ends only that goroutine (it cannot unwind into the
/// runtime).
pub fn go(api: &'static CApi, f: impl FnOnce() + Send + 'static) -> Result<(), Panic> {
    type Body = Box<dyn FnOnce() + Send>;
    extern "C" fn trampoline(arg: *mut c_void) {
        // SAFETY: `go` below hands over a `Box<Body>` made by `Box::into_raw`.
        let f: Box<Body> = unsafe { Box::from_raw(arg as *mut Body) };
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err() {
            eprintln!("golang-capi: a goroutine panicked (see the message above)");
        }
    }
    let arg = Box::into_raw(Box::new(Box::new(f) as Body)) as *mut c_void;
    let r = result((api.go)(trampoline, arg));
    if r.is_err() {
        // SAFETY: the runtime did not take it: we still own the box.
        drop(unsafe { Box::from_raw(arg as *mut Body) });
    }
    r
}

impl<T: Copy> Clone for Chan<T> {
    fn clone(&self) -> Self {
        // Cannot fail for a live channel (the count is >= 1).
        let _ = (self.api.chanxincref)(self.raw);
        Chan { api: self.api, raw: self.raw, _t: PhantomData }
    }
}

impl<T: Copy> Drop for Chan<T> {
    fn drop(&mut self) {
        if let Err(p) = result((self.api.chanxdecref)(self.raw)) {
            // A drop cannot return the panic; freeing a channel somebody
            // waits on is a bug of the program, as in Go.
            eprintln!("panic: {p}");
            std::process::abort();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selcase_has_pygolang_layout() {
        assert_eq!(size_of::<SelCase>(), 32);
        assert_eq!(std::mem::offset_of!(SelCase, op), 8);
        assert_eq!(std::mem::offset_of!(SelCase, ptxrx), 16);
        assert_eq!(std::mem::offset_of!(SelCase, rxok), 24);
    }

    #[test]
    fn table_starts_with_versions_and_size() {
        assert_eq!(std::mem::offset_of!(CApi, abi_version), 0);
        assert_eq!(std::mem::offset_of!(CApi, feature_version), 4);
        assert_eq!(std::mem::offset_of!(CApi, size), 8);
        assert_eq!(std::mem::offset_of!(CApi, makechan), 16);
    }

    #[test]
    fn version_mismatch_names_both_versions() {
        let e = VersionMismatch { provided: (2, 5) };
        let s = e.to_string();
        assert!(s.contains(&format!("built for ABI 1 (features >= {FEATURE_VERSION})")), "{s}");
        assert!(s.contains("provides ABI 2 (features 5)"), "{s}");
    }
}
