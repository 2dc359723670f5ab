//! `golang.context` under Pyodide: contexts of the `golang-context` crate in
//! a registry that the shim's `PyContext` objects refer to by id, as the
//! native core binds the same crate (`targets/native/src/context.rs`).
//!
//! The crate does the work: propagation of cancellation down the tree,
//! `err()` set before `done()` is closed, unlinking of cancelled children,
//! deadlines and their timers (on the clock of the executor that made the
//! context: virtual inside `golang.run`). What stays in the shim, as
//! natively: values (keys are Python objects compared by identity: a value
//! context keeps its key and value and shares its parent's id), the weak
//! list of children for `_children`, and the `done()` chan object.
//!
//! Every slot is owned by one Python context (freed by its `__del__`); the
//! background context's slot lives for ever.

use crate::chans;
use crate::value::AnyChan;
use golang_chan::Chan;
use golang_context::{self as gctx, CancelFunc, Context, ContextError};
use golang_pycore::status::CtxErr;
use slab::Slab;
use std::cell::RefCell;
use std::time::Duration;
use wasm_bindgen::prelude::*;

struct Entry {
    ctx: Context,
    /// The cancel function (none for background).
    cancel: Option<CancelFunc>,
}

thread_local! {
    static CTXS: RefCell<Slab<Entry>> = const { RefCell::new(Slab::new()) };
}

fn with<R>(id: u32, f: impl FnOnce(&Entry) -> R) -> R {
    CTXS.with(|c| f(&c.borrow()[id as usize]))
}

fn ctx(id: u32) -> Context {
    with(id, |e| e.ctx.clone())
}

fn add(ctx: Context, cancel: Option<CancelFunc>) -> u32 {
    CTXS.with(|c| c.borrow_mut().insert(Entry { ctx, cancel }) as u32)
}

/// The background context's slot (a new one each call: the shim asks once).
#[wasm_bindgen]
pub fn ctx_background() -> u32 {
    add(gctx::background(), None)
}

/// `with_cancel(parent)`: the new context's slot.
#[wasm_bindgen]
pub fn ctx_with_cancel(parent: u32) -> u32 {
    let (c, f) = gctx::with_cancel(&ctx(parent));
    add(c, Some(f))
}

/// `with_deadline(parent, deadline)` (the shim refused a NaN deadline).
#[wasm_bindgen]
pub fn ctx_with_deadline(parent: u32, deadline: f64) -> u32 {
    let (c, f) = gctx::with_deadline(&ctx(parent), deadline);
    add(c, Some(f))
}

/// `with_timeout(parent, timeout)` (the shim refused a NaN timeout): the
/// timer is armed for exactly `timeout`, so that virtual clocks stay exact.
#[wasm_bindgen]
pub fn ctx_with_timeout(parent: u32, timeout: f64) -> u32 {
    let p = ctx(parent);
    let (c, f) = match Duration::try_from_secs_f64(timeout) {
        Ok(d) if timeout > 0.0 => gctx::with_timeout(&p, d),
        _ => gctx::with_deadline(&p, golang_time::now() + timeout),
    };
    add(c, Some(f))
}

/// `merge(parent1, parent2)`.
#[wasm_bindgen]
pub fn ctx_merge(parent1: u32, parent2: u32) -> u32 {
    let (c, f) = gctx::merge(&ctx(parent1), &ctx(parent2));
    add(c, Some(f))
}

/// A channel slot for `done()`: the crate's channel, or, for a context
/// cancelled at birth, a closed channel nobody else has (the crate may give
/// its shared closed channel; Python code compares `done()`s).
#[wasm_bindgen]
pub fn ctx_done(id: u32) -> u32 {
    let c = ctx(id);
    let mut ch = c.done();
    if c.err().is_some() {
        ch = Chan::new(0);
        ch.close();
    }
    chans::register(AnyChan::StructZ(ch))
}

/// Why the context is done, as a `CtxErr` code.
#[wasm_bindgen]
pub fn ctx_err(id: u32) -> u8 {
    match with(id, |e| e.ctx.err()) {
        None => CtxErr::None,
        Some(ContextError::Canceled) => CtxErr::Canceled,
        Some(ContextError::DeadlineExceeded) => CtxErr::DeadlineExceeded,
    }
    .code()
}

/// The deadline (Unix seconds), if any.
#[wasm_bindgen]
pub fn ctx_deadline(id: u32) -> Option<f64> {
    with(id, |e| e.ctx.deadline())
}

/// Cancels the context: DONE, or PANIC (its `done()` was closed by hand:
/// Go's message in `last_error`) after the cancel.
#[wasm_bindgen]
pub fn ctx_cancel(id: u32) -> u8 {
    let f = with(id, |e| e.cancel.clone());
    let r = f.map_or(Ok(()), |f| f.try_cancel().map_err(|e| e.to_string()));
    chans::panic_status(r)
}

/// The repr of the context's cancel function (the crate's Debug form).
#[wasm_bindgen]
pub fn ctx_cancel_repr(id: u32) -> String {
    with(id, |e| e.cancel.as_ref().map(|f| format!("{f:?}")).unwrap_or_default())
}

/// Frees a slot (its Python context is gone).
#[wasm_bindgen]
pub fn ctx_free(id: u32) {
    let e = CTXS.with(|c| c.borrow_mut().try_remove(id as usize));
    drop(e);
}
