//! Contexts across the C ABI: the `_Context*` that C++ (golang/context.h)
//! and Cython's `PyContext.ctx` hold is a [`CtxNode`], one counted handle
//! to a `golang-context` crate context. So C++ code, Python code and Rust
//! share one context tree: a Python context's `ctx` is cancelled with it, a
//! context C++ makes from it is its child, and `PyContext.from_ctx` gives
//! Python a C++ context.
//!
//! A layer above `rawchan.rs` (the done channel crosses as a `_chan*`) and
//! below `context.rs` (Python's contexts hold a node) and `capi.rs` (the
//! table).
//!
//! Invariants:
//! 1. A node lives in an `Arc`; every holder of a `*const CtxNode` (C++
//!    `Context`, a Python context) owns one strong count, given by the
//!    function that returned the pointer (`ctx_*` with an out pointer) and
//!    released with `ctx_decref`. NULL is never a node (C++'s nil Context
//!    is never passed here: the header panics first).
//! 2. A node's crate context never changes. Two nodes may share one crate
//!    context (a Python value context shares its parent's); `REGISTRY` maps
//!    a crate context's `id()` to the first live node made for it, so that
//!    `ctx_children` gives back the very nodes C++ holds (C++ compares
//!    `Context`s by pointer). A node leaves the registry when it dies.
//! 3. C++ values (`with_value(parent, const void *key, interface v)`) are
//!    crate values under one `Key` (`CXX_KEY`), told apart by their C key;
//!    each holds one reference to its C++ object, released by the C++
//!    function the header passed (`CxxVal::drop`), on whatever thread drops
//!    the context.
//! 4. A node makes one raw channel of its `done()`, at the first
//!    `ctx_done`, and holds a count of it until it dies; `ctx_done` gives
//!    the caller a count of that same channel. (C++ code uses `done()`
//!    temporaries, `select({ctx->done().recvs(), ...})`: the channel must
//!    outlive them.)

use crate::rawchan::{RawChan, RawKind};
use crate::value::AnyChan;
use golang_capi::{RawCancel as CRawCancel, RawChan as CRawChan, RawCtx as CRawCtx};
use golang_context::{self as gctx, Context, ContextError, Key};
use std::collections::HashMap;
use std::ffi::c_void;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

/// One handle to a crate context, as C and Cython hold it (invariant 1).
pub struct CtxNode {
    /// The crate's context (invariant 2).
    pub ctx: Context,
    /// `done()` as a raw channel, made at the first `ctx_done` (invariant 4).
    done: OnceLock<DoneRaw>,
}

/// The node's count of its done channel's `RawChan` (NULL: never done).
struct DoneRaw(*mut RawChan);
// SAFETY: a `RawChan` is thread-safe (rawchan.rs); this is one count.
unsafe impl Send for DoneRaw {}
// SAFETY: as above.
unsafe impl Sync for DoneRaw {}

impl Drop for DoneRaw {
    fn drop(&mut self) {
        // SAFETY: we hold one count, or NULL (rawchan.rs, invariant 1).
        unsafe { RawChan::release(self.0) };
    }
}

/// Crate context id -> its first live node (invariant 2).
fn registry() -> &'static Mutex<HashMap<usize, Weak<CtxNode>>> {
    static R: OnceLock<Mutex<HashMap<usize, Weak<CtxNode>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

impl CtxNode {
    /// A new node for `ctx`, registered if it is the first live one.
    pub fn new(ctx: Context) -> Arc<CtxNode> {
        let id = ctx.id();
        let n = Arc::new(CtxNode { ctx, done: OnceLock::new() });
        if id != 0 {
            let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
            let slot = r.entry(id).or_default();
            if slot.strong_count() == 0 {
                *slot = Arc::downgrade(&n);
            }
        }
        n
    }

    /// The background context's node: one per process.
    pub fn background() -> Arc<CtxNode> {
        static BG: OnceLock<Arc<CtxNode>> = OnceLock::new();
        BG.get_or_init(|| Arc::new(CtxNode { ctx: gctx::background(), done: OnceLock::new() })).clone()
    }

    /// Gives the caller's count as a raw pointer (invariant 1).
    pub fn into_raw(n: Arc<CtxNode>) -> *const CtxNode {
        Arc::into_raw(n)
    }

    /// A new count of the node at `p`.
    ///
    /// # Safety
    /// `p` is a live node whose count the caller holds (invariant 1).
    pub unsafe fn clone_raw(p: *const CtxNode) -> Arc<CtxNode> {
        // SAFETY: see the function's contract.
        unsafe {
            Arc::increment_strong_count(p);
            Arc::from_raw(p)
        }
    }
}

impl Drop for CtxNode {
    fn drop(&mut self) {
        let id = self.ctx.id();
        if id == 0 {
            return;
        }
        let mut r = registry().lock().unwrap_or_else(|e| e.into_inner());
        if r.get(&id).is_some_and(|w| w.strong_count() == 0) {
            r.remove(&id); // ours (dying), or another dead one's
        }
    }
}

/// A C++ value of a context (invariant 3).
struct CxxVal {
    /// The C key (`const void *`), compared by address.
    key: usize,
    /// The C++ object (an `_interface*`), one reference held.
    val: *mut c_void,
    /// Releases that reference (the header's function).
    decref: extern "C" fn(*mut c_void),
}

// SAFETY: the C++ object's reference count is atomic (golang::object), and
// this file only passes the pointer back to C++.
unsafe impl Send for CxxVal {}
// SAFETY: as above.
unsafe impl Sync for CxxVal {}

impl Drop for CxxVal {
    fn drop(&mut self) {
        (self.decref)(self.val);
    }
}

fn cxx_key() -> &'static Key<CxxVal> {
    static K: OnceLock<Key<CxxVal>> = OnceLock::new();
    K.get_or_init(Key::new)
}

/// Why a context was cancelled, as C sees it (`ctx_err`).
pub use golang_capi::CtxErr;

pub fn ctx_err_of(e: Option<ContextError>) -> CtxErr {
    match e {
        None => CtxErr::None,
        Some(ContextError::Canceled) => CtxErr::Canceled,
        Some(ContextError::DeadlineExceeded) => CtxErr::DeadlineExceeded,
    }
}

/// The crate context behind `p`.
///
/// # Safety
/// `p` is a live node whose count the caller holds (invariant 1).
pub unsafe fn ctx_of<'a>(p: *const CRawCtx) -> &'a Context {
    // SAFETY: see the function's contract (a `RawCtx` is a `CtxNode`).
    unsafe { &(*p.cast::<CtxNode>()).ctx }
}

/// A cancel function handed to C (`ctx_cancel`, freed by `ctx_cancel_free`).
pub struct CtxCancel(gctx::CancelFunc);

/// A new context and its cancel function, given to C as raw pointers.
fn give(pair: (Context, gctx::CancelFunc), out: *mut *const CRawCtx, out_cancel: *mut *mut CRawCancel) {
    // SAFETY (both writes): the caller passes writable out pointers.
    unsafe {
        *out = CtxNode::into_raw(CtxNode::new(pair.0)).cast();
        *out_cancel = Box::into_raw(Box::new(CtxCancel(pair.1))).cast();
    }
}

pub extern "C" fn ctx_background(out: *mut *const CRawCtx) {
    // SAFETY: the caller passes a writable out pointer.
    unsafe { *out = CtxNode::into_raw(CtxNode::background()).cast() };
}

pub extern "C" fn ctx_incref(p: *const CRawCtx) {
    // SAFETY: the caller holds a count (invariant 1).
    unsafe { Arc::increment_strong_count(p.cast::<CtxNode>()) };
}

pub extern "C" fn ctx_decref(p: *const CRawCtx) {
    // SAFETY: the caller gives up the count it holds (invariant 1).
    unsafe { Arc::decrement_strong_count(p.cast::<CtxNode>()) };
}

pub extern "C" fn ctx_with_cancel(parent: *const CRawCtx, out: *mut *const CRawCtx, out_cancel: *mut *mut CRawCancel) {
    // SAFETY: the caller holds a count of `parent`.
    give(gctx::with_cancel(unsafe { ctx_of(parent) }), out, out_cancel);
}

pub extern "C" fn ctx_with_deadline(parent: *const CRawCtx, d: f64, out: *mut *const CRawCtx, out_cancel: *mut *mut CRawCancel) {
    // SAFETY: as above.
    give(gctx::with_deadline(unsafe { ctx_of(parent) }, d), out, out_cancel);
}

pub extern "C" fn ctx_with_timeout(parent: *const CRawCtx, dt: f64, out: *mut *const CRawCtx, out_cancel: *mut *mut CRawCancel) {
    // SAFETY: as above.
    let p = unsafe { ctx_of(parent) };
    let pair = match Duration::try_from_secs_f64(dt) {
        // the timer is armed for exactly dt (as Python's with_timeout)
        Ok(d) if dt > 0.0 => gctx::with_timeout(p, d),
        // past, NaN or too far for a Duration: as a deadline
        _ => gctx::with_deadline(p, golang_time::now() + dt),
    };
    give(pair, out, out_cancel);
}

pub extern "C" fn ctx_merge(p1: *const CRawCtx, p2: *const CRawCtx, out: *mut *const CRawCtx, out_cancel: *mut *mut CRawCancel) {
    // SAFETY: the caller holds a count of each parent.
    give(gctx::merge(unsafe { ctx_of(p1) }, unsafe { ctx_of(p2) }), out, out_cancel);
}

pub extern "C" fn ctx_with_value(
    parent: *const CRawCtx,
    key: *const c_void,
    val: *mut c_void,
    decref: extern "C" fn(*mut c_void),
    out: *mut *const CRawCtx,
) {
    let v = CxxVal { key: key as usize, val, decref };
    // SAFETY: the caller holds a count of `parent`.
    let c = gctx::with_value(unsafe { ctx_of(parent) }, cxx_key(), v);
    // SAFETY: the caller passes a writable out pointer.
    unsafe { *out = CtxNode::into_raw(CtxNode::new(c)).cast() };
}

pub extern "C" fn ctx_cancel(c: *mut CRawCancel) {
    // SAFETY: `c` came from `give` and is not freed yet.
    unsafe { &*c.cast::<CtxCancel>() }.0.cancel();
}

pub extern "C" fn ctx_cancel_free(c: *mut CRawCancel) {
    // SAFETY: `c` came from `give`; C frees it once.
    drop(unsafe { Box::from_raw(c.cast::<CtxCancel>()) });
}

pub extern "C" fn ctx_deadline(p: *const CRawCtx) -> f64 {
    // SAFETY: the caller holds a count.
    unsafe { ctx_of(p) }.deadline().unwrap_or(f64::INFINITY)
}

/// The done channel as a `_chan*` of dtype structZ, one count for the
/// caller (invariant 4), or NULL for a context never done (background's nil
/// channel).
pub extern "C" fn ctx_done(p: *const CRawCtx) -> *mut CRawChan {
    // SAFETY: the caller holds a count (invariant 1).
    let node = unsafe { &*p.cast::<CtxNode>() };
    let raw = node
        .done
        .get_or_init(|| {
            let ch = node.ctx.done();
            DoneRaw(if ch.is_nil() { std::ptr::null_mut() } else { RawChan::make(RawKind::Typed(AnyChan::StructZ(ch)), 0) })
        })
        .0;
    if !raw.is_null() {
        // SAFETY: the node holds a count, so it is live.
        unsafe { &*raw }.incref();
    }
    raw.cast()
}

pub extern "C" fn ctx_err(p: *const CRawCtx) -> CtxErr {
    // SAFETY: the caller holds a count.
    ctx_err_of(unsafe { ctx_of(p) }.err())
}

/// The C++ value under `key` (borrowed: valid while `p` lives), or NULL.
pub extern "C" fn ctx_value(p: *const CRawCtx, key: *const c_void) -> *mut c_void {
    let k = key as usize;
    // SAFETY: the caller holds a count.
    unsafe { ctx_of(p) }.value_where(cxx_key(), move |v| v.key == k).map_or(std::ptr::null_mut(), |v| v.val)
}

/// Calls `f(user, child)` for each live child registered with `p` that has
/// a node (one count of `child` for the callee to take or drop).
pub extern "C" fn ctx_children(p: *const CRawCtx, f: extern "C" fn(*mut c_void, *const CRawCtx), user: *mut c_void) {
    // SAFETY: the caller holds a count.
    let ids = unsafe { ctx_of(p) }.children_ids();
    let nodes: Vec<Arc<CtxNode>> = {
        let r = registry().lock().unwrap_or_else(|e| e.into_inner());
        ids.iter().filter_map(|id| r.get(id).and_then(Weak::upgrade)).collect()
    };
    for n in nodes {
        f(user, CtxNode::into_raw(n).cast());
    }
}
