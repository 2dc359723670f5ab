//! `golang-capi`: Rust extensions (pyo3) on the C ABI of the `golang`
//! Python package, so that they share the one runtime of the process with
//! the package and with Cython and C++ extensions (docs/ARCHITECTURE.md,
//! "The C ABI"), instead of linking a runtime of their own.
//!
//! The table is defined by `targets/native/src/capi.rs`; this crate mirrors
//! its layout (invariant 1 of that file: append-only within an ABI) and
//! refuses a table of another ABI, or with fewer features than it uses, with
//! an error that names both versions. With the `pyo3` feature, [`import`]
//! fetches it through the PyCapsule `golang._golang._capi`.
//!
//! Channels here are [`Chan<T>`] for `T: Copy` (elements are copied as
//! bytes, as C++ `chan<T>` does), so a channel made in Rust can be handed to
//! C++ (`_rawchan`) and the other way round ([`Chan::wrap`]). Go's panics come
//! back as [`Panic`] errors with Go's exact message.

use std::ffi::{c_char, c_void, CStr};
use std::fmt;
use std::marker::PhantomData;
use std::mem::{size_of, MaybeUninit};

/// The ABI this crate is written for.
pub const ABI_VERSION: u32 = 1;
/// The table features this crate uses.
pub const FEATURE_VERSION: u32 = 1;

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

/// `_selcase.op` values.
pub const CHANSEND: u8 = 0;
/// Receive case.
pub const CHANRECV: u8 = 1;
/// The default case.
pub const DEFAULT: u8 = 2;

/// The table (mirror of capi.rs `CApi`).
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
        assert!(s.contains("built for ABI 1 (features >= 1)"), "{s}");
        assert!(s.contains("provides ABI 2 (features 5)"), "{s}");
    }
}
