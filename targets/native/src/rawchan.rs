//! One channel object for Python and C: the raw channel of the C ABI
//! (`_chan*`, `RawChan`) and the data of Python's `chan` (`PyChan`), which
//! holds one. So Cython's `pych.chan_int()` and `pychan.from_chan_int(ch)`
//! hand the same channel between Python and nogil code, both sides using it
//! at once, as in Pygolang.
//!
//! A layer above `value.rs` (dtypes, `AnyChan`, conversions) and below
//! everything that uses channels (see docs/ARCHITECTURE.md, "Layers of the
//! two cores"). The C functions over it are in `capi.rs`; the Python methods
//! of `chan` in `pychan.rs`.
//!
//! Invariants:
//! 1. A `RawChan` lives on the heap and is counted by `refcnt` (1 at make).
//!    Every holder of a `*mut RawChan` (C code, a `PyChan`) owns one count;
//!    the last release frees it. All holders reach the one channel inside.
//! 2. `kind` and `elemsize` never change after make. `Bytes` channels are
//!    made by C with an element size only and carry `elemsize` raw bytes;
//!    `Typed` channels are Python's, or made by C++ `makechan<T>` for a T
//!    that has a dtype (structZ, bool, int, double, os::Signal); their
//!    elemsize is their dtype's (`DType::elemsize`), so C reads and writes
//!    them as bytes of that size and Python as values of that dtype.
//! 3. `PyChan` has exactly the memory layout of the Cython class that
//!    golang/_golang.pxd declares, `struct { PyObject_HEAD; void
//!    *__pyx_vtab; _chan *_ch; DType dtype; PyObject *__weakref__; }`:
//!    `#[repr(C)]`, these fields in this order and nothing else (pyo3 puts
//!    the weak-reference list right after them). A Cython module that
//!    cimports `pychan` checks the type's size at import and reads `_ch`
//!    and `dtype` directly.
//! 4. A `PyChan` holds one count of its `raw` (invariant 1), or NULL for a
//!    nil channel, whose channel is then the static nil of its dtype. Its
//!    raw channel is always `Typed` with the `PyChan`'s dtype (`from_raw`
//!    refuses anything else).
//! 5. Dropping the last count frees the `RawChan` but not necessarily the
//!    channel: goroutines blocked on it hold their own `Chan` handle. The C
//!    ABI's decref still refuses to free a channel with waiters, as
//!    Pygolang does (capi.rs, invariant 3).

use crate::value::{AnyChan, DType, VTab};
use golang_chan::Chan;
use golang_os::Signal;
use pyo3::prelude::*;
use std::ffi::c_void;
use std::ptr;
use std::sync::atomic::{AtomicI32, Ordering};

/// The element size C sees for a channel of `dtype` (invariant 2):
/// Pygolang's sizes (structZ is empty, object is a `PyObject*`).
pub fn c_elemsize(dtype: DType) -> u32 {
    match dtype {
        DType::Obj => std::mem::size_of::<*mut c_void>() as u32,
        DType::StructZ => 0,
        DType::Bool => 1,
        DType::Int => 4,
        DType::Double => 8,
        DType::Signal => 4,
    }
}

/// The dtype of Pygolang's C `DType` number (`DTYPE_PYOBJECT` = 0 ...).
pub fn dtype_of_c(code: i32) -> Option<DType> {
    u8::try_from(code).ok().and_then(DType::from_code)
}

/// Elements up to this size live inline in a byte channel's buffer.
const INLINE: usize = 16;

/// One element of a byte channel: `elemsize` bytes. Small elements (ints,
/// doubles, pointers, small structs) are stored inline, so a send allocates
/// nothing; larger ones are boxed.
pub enum Bytes {
    Inline([u8; INLINE]),
    Heap(Box<[u8]>),
}

/// An element as C sees it: `size` bytes at a pointer (the C ABI's
/// invariant 4). `size` is the channel's elemsize, which for a typed
/// channel is the size of its Rust element (invariant 2).
pub trait RawElem: Sized + Send + 'static {
    /// Reads an element from the `size` bytes at `p`.
    ///
    /// # Safety
    /// `p` must be valid for reading `size` bytes (or `size == 0`).
    unsafe fn read(p: *const u8, size: usize) -> Self;

    /// Writes `v`, or zeroes for `None` (a closed channel), to the `size`
    /// bytes at `p`; nothing when `p` is NULL.
    ///
    /// # Safety
    /// `p` must be NULL or valid for writing `size` bytes.
    unsafe fn write(v: Option<&Self>, p: *mut u8, size: usize);
}

impl RawElem for Bytes {
    unsafe fn read(p: *const u8, size: usize) -> Bytes {
        if size <= INLINE {
            let mut b = [0u8; INLINE];
            if size > 0 {
                // SAFETY: the caller guarantees `size` readable bytes at `p`;
                // `b` has room for `size <= INLINE`.
                unsafe { ptr::copy_nonoverlapping(p, b.as_mut_ptr(), size) };
            }
            Bytes::Inline(b)
        } else {
            // SAFETY: as above.
            Bytes::Heap(unsafe { std::slice::from_raw_parts(p, size) }.into())
        }
    }

    unsafe fn write(v: Option<&Bytes>, p: *mut u8, size: usize) {
        if p.is_null() || size == 0 {
            return;
        }
        let src = match v {
            Some(Bytes::Inline(b)) => b.as_ptr(),
            Some(Bytes::Heap(b)) => b.as_ptr(),
            // SAFETY: the caller guarantees `size` writable bytes at `p`.
            None => return unsafe { ptr::write_bytes(p, 0, size) },
        };
        // SAFETY: the caller guarantees `size` writable bytes at `p`; the
        // element holds at least `size` bytes (it was read with it).
        unsafe { ptr::copy_nonoverlapping(src, p, size) }
    }
}

/// The plain-data elements of typed channels: their bytes are the C value.
macro_rules! raw_pod {
    ($($t:ty),*) => {$(
        impl RawElem for $t {
            unsafe fn read(p: *const u8, _size: usize) -> $t {
                // SAFETY: the caller guarantees `size_of::<$t>()` readable
                // bytes (invariant 2); any bit pattern is a valid value.
                unsafe { ptr::read_unaligned(p.cast::<$t>()) }
            }
            unsafe fn write(v: Option<&$t>, p: *mut u8, _size: usize) {
                if !p.is_null() {
                    let v: $t = v.copied().unwrap_or_default();
                    // SAFETY: the caller guarantees room for the element.
                    unsafe { ptr::write_unaligned(p.cast::<$t>(), v) }
                }
            }
        }
    )*};
}
raw_pod!(i32, f64);

impl RawElem for () {
    unsafe fn read(_p: *const u8, _size: usize) {}
    unsafe fn write(_v: Option<&()>, _p: *mut u8, _size: usize) {}
}

impl RawElem for bool {
    unsafe fn read(p: *const u8, _size: usize) -> bool {
        // (read as a byte: C's bool is 0 or 1, and any other byte must not
        // become an invalid Rust bool)
        // SAFETY: the caller guarantees one readable byte.
        unsafe { *p != 0 }
    }
    unsafe fn write(v: Option<&bool>, p: *mut u8, _size: usize) {
        if !p.is_null() {
            // SAFETY: the caller guarantees one writable byte.
            unsafe { *p = u8::from(v.copied().unwrap_or(false)) }
        }
    }
}

impl RawElem for Signal {
    unsafe fn read(p: *const u8, size: usize) -> Signal {
        // SAFETY: as for i32: C++ `os::Signal` is `struct { int signo; }`.
        Signal(unsafe { i32::read(p, size) })
    }
    unsafe fn write(v: Option<&Signal>, p: *mut u8, size: usize) {
        // SAFETY: as for i32.
        unsafe { i32::write(v.map(|s| &s.0), p, size) }
    }
}

/// What a raw channel carries (invariant 2).
pub enum RawKind {
    /// Made by C with an element size only: raw bytes.
    Bytes(Chan<Bytes>),
    /// Python's channels and C++'s of a dtype's type.
    Typed(AnyChan),
}

/// Runs `$body` with `$c` the channel of a `RawKind` whose elements C can
/// read and write (`RawElem`), or `$obj` for a channel of Python objects.
macro_rules! with_raw {
    ($kind:expr, $c:ident => $body:expr, obj => $obj:expr) => {
        match $kind {
            $crate::rawchan::RawKind::Bytes($c) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::StructZ($c)) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::Bool($c)) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::Int($c)) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::Double($c)) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::Signal($c)) => $body,
            $crate::rawchan::RawKind::Typed($crate::value::AnyChan::Obj(_)) => $obj,
        }
    };
}
pub(crate) use with_raw;

/// Runs `$body` with `$c` the channel of any `RawKind` (for what does not
/// touch elements: close, len, cap, queue lengths).
macro_rules! each_raw {
    ($kind:expr, $c:ident => $body:expr) => {
        match $kind {
            $crate::rawchan::RawKind::Bytes($c) => $body,
            $crate::rawchan::RawKind::Typed(a) => $crate::value::each_chan!(a, $c => $body),
        }
    };
}
pub(crate) use each_raw;

/// The object behind a C `_chan*` (invariants 1-2).
pub struct RawChan {
    /// Holders' count (invariant 1).
    refcnt: AtomicI32,
    /// Bytes per element as C sees them (invariant 2).
    elemsize: u32,
    /// The channel.
    kind: RawKind,
}

impl RawChan {
    /// A new raw channel with one count, for its maker.
    pub fn make(kind: RawKind, elemsize: u32) -> *mut RawChan {
        Box::into_raw(Box::new(RawChan { refcnt: AtomicI32::new(1), elemsize, kind }))
    }

    pub fn kind(&self) -> &RawKind {
        &self.kind
    }

    pub fn elemsize(&self) -> u32 {
        self.elemsize
    }

    pub fn refcnt(&self) -> i32 {
        self.refcnt.load(Ordering::Relaxed)
    }

    /// Adds a count; false if the count was already below 1 (a bug of the
    /// caller: a use after the last release).
    pub fn incref(&self) -> bool {
        self.refcnt.fetch_add(1, Ordering::Relaxed) >= 1
    }

    /// Drops one count. `Ok(true)` when it was the last: the caller then
    /// frees `p` with `free` (or keeps it, invariant 5); `Err` if the
    /// count was already below 1.
    pub fn decref(&self) -> Result<bool, ()> {
        let prev = self.refcnt.fetch_sub(1, Ordering::Release);
        if prev < 1 {
            return Err(());
        }
        if prev > 1 {
            return Ok(false);
        }
        std::sync::atomic::fence(Ordering::Acquire);
        Ok(true)
    }

    /// Drops the count the caller holds of `p` and frees the channel when
    /// it was the last (invariants 1 and 5). NULL is allowed.
    ///
    /// # Safety
    /// `p` is NULL or a raw channel whose count the caller holds and gives
    /// up here.
    pub unsafe fn release(p: *mut RawChan) {
        if p.is_null() {
            return;
        }
        // SAFETY: see the function's contract.
        if let Ok(true) = unsafe { &*p }.decref() {
            // SAFETY: the last count is gone (invariant 5: waiters keep
            // their own handle on the channel).
            unsafe { RawChan::free(p) };
        }
    }

    /// Frees a raw channel whose last count was dropped.
    ///
    /// # Safety
    /// `p` came from `make`, its count reached 0 through `decref`, and
    /// nobody uses it after.
    pub unsafe fn free(p: *mut RawChan) {
        // SAFETY: see the function's contract.
        drop(unsafe { Box::from_raw(p) });
    }
}

/// `*mut RawChan` that a `PyChan` holds (invariant 4).
#[repr(transparent)]
pub struct RawRef(*mut RawChan);

// SAFETY: a RawChan is shared by design (atomic count, a thread-safe
// channel inside); the pointer is only dereferenced while its count is held.
unsafe impl Send for RawRef {}
// SAFETY: as above.
unsafe impl Sync for RawRef {}

/// The nil channel of each dtype (invariant 4).
static NILS: [AnyChan; 6] = [
    AnyChan::Obj(Chan::nil()),
    AnyChan::StructZ(Chan::nil()),
    AnyChan::Bool(Chan::nil()),
    AnyChan::Int(Chan::nil()),
    AnyChan::Double(Chan::nil()),
    AnyChan::Signal(Chan::nil()),
];

/// Go's channel for Python: `chan(size=0, dtype=object)`. Its methods are
/// in `pychan.rs`.
#[pyclass(name = "pychan", module = "golang._golang", frozen, weakref)]
#[repr(C)]
pub struct PyChan {
    /// Cython's `__pyx_vtab` (invariant 3).
    vtab: VTab,
    /// Cython's `_ch`: the raw channel, one count held; NULL for nil
    /// (invariant 4).
    raw: RawRef,
    /// Cython's `dtype` (a C enum, an int): the element type's code.
    dtype: i32,
}

impl PyChan {
    fn with_raw(raw: *mut RawChan, dtype: DType) -> PyChan {
        PyChan { vtab: VTab::PYX, raw: RawRef(raw), dtype: i32::from(dtype.code()) }
    }

    /// A new channel of `dtype` with a buffer of `size`.
    pub fn make(dtype: DType, size: usize) -> PyChan {
        PyChan::from_chan(AnyChan::make(dtype, Some(size)))
    }

    /// Wraps a Rust channel (for Rust code that hands channels to Python).
    pub fn from_chan(ch: AnyChan) -> PyChan {
        let dtype = ch.dtype();
        PyChan::with_raw(RawChan::make(RawKind::Typed(ch), c_elemsize(dtype)), dtype)
    }

    /// A nil channel of `dtype` (a new object; `nil_of` gives the cached one).
    pub fn new_nil(dtype: DType) -> PyChan {
        PyChan::with_raw(ptr::null_mut(), dtype)
    }

    /// Wraps the raw channel `raw` (adding a count) as a Python channel of
    /// `dtype`; NULL gives a new nil channel. A raw channel of another
    /// type is refused with Pygolang's panic message (invariant 4).
    ///
    /// # Safety
    /// `raw` is NULL or a live raw channel whose count the caller holds.
    pub unsafe fn from_raw(raw: *mut RawChan, dtype: DType) -> Result<PyChan, &'static str> {
        if raw.is_null() {
            return Ok(PyChan::new_nil(dtype));
        }
        // SAFETY: see the function's contract.
        let r = unsafe { &*raw };
        match &r.kind {
            RawKind::Typed(a) if a.dtype() == dtype => {}
            _ => return Err("pychan: channel type mismatch"),
        }
        if !r.incref() {
            return Err("incref: refcnt was < 1");
        }
        Ok(PyChan::with_raw(raw, dtype))
    }

    /// The channel (invariant 4).
    pub fn ch(&self) -> &AnyChan {
        if self.raw.0.is_null() {
            return &NILS[self.dtype().index()];
        }
        // SAFETY: we hold a count of `raw` (invariant 4), so it is live.
        match unsafe { &(*self.raw.0).kind } {
            RawKind::Typed(a) => a,
            RawKind::Bytes(_) => unreachable!("a PyChan's raw channel is typed (invariant 4)"),
        }
    }

    /// The element type.
    pub fn dtype(&self) -> DType {
        // (set from a DType by `with_raw`, never changed)
        dtype_of_c(self.dtype).unwrap_or(DType::Obj)
    }

    /// The raw channel with a count added for the caller (NULL for nil).
    pub fn raw_incref(&self) -> *mut RawChan {
        let p = self.raw.0;
        if !p.is_null() {
            // SAFETY: we hold a count, so `p` is live.
            unsafe { &*p }.incref();
        }
        p
    }
}

impl Drop for PyChan {
    fn drop(&mut self) {
        // SAFETY: we hold a count, or NULL for nil (invariant 4).
        unsafe { RawChan::release(self.raw.0) };
    }
}

/// The singleton nil channel of each dtype (`chan.nil(X) is chan.nil(X)`).
pub fn nil_of(py: Python<'_>, dtype: DType) -> PyResult<Py<PyChan>> {
    static CACHED: [pyo3::sync::PyOnceLock<Py<PyChan>>; 6] = [const { pyo3::sync::PyOnceLock::new() }; 6];
    CACHED[dtype.index()].get_or_try_init(py, || Py::new(py, PyChan::new_nil(dtype))).map(|c| c.clone_ref(py))
}
