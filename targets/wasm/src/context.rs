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
//! Every slot is owned by one Python context (freed by its `__del__`). The
//! background context has no slot: it is `None` (an argument Python passes
//! as None, which costs less than a number to cross).
//!
//! What never changes once known stays in the shim, so that asking again
//! does not cross: a new context's done channel, deadline and error at
//! birth come back with the call that makes it (in the mailbox,
//! `crate::reply`), and `cancel()` answers with the error the context then
//! has (an error, once set, is never unset).

use crate::chans;
use crate::reply::{self, MB_DEADLINE, MB_ERR, MB_VALUE};
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

/// The context behind a slot; background for `None`.
fn ctx(id: Option<u32>) -> Context {
    id.map_or_else(gctx::background, |id| with(id, |e| e.ctx.clone()))
}

fn add(ctx: Context, cancel: Option<CancelFunc>) -> u32 {
    CTXS.with(|c| c.borrow_mut().insert(Entry { ctx, cancel }) as u32)
}

fn err_code(c: &Context) -> CtxErr {
    match c.err() {
        None => CtxErr::None,
        Some(ContextError::Canceled) => CtxErr::Canceled,
        Some(ContextError::DeadlineExceeded) => CtxErr::DeadlineExceeded,
    }
}

/// A new cancellable context's slot; its done channel's slot, its error
/// code at birth and its deadline (`undefined`: none) go into the mailbox.
/// The done channel is the crate's, or, for a context cancelled at birth, a
/// closed channel nobody else has (the crate may give its shared closed
/// channel; Python code compares `done()`s).
fn born(c: Context, cancel: CancelFunc) -> u32 {
    let err = err_code(&c);
    let mut ch = c.done();
    if err != CtxErr::None {
        ch = Chan::new(0);
        ch.close();
    }
    reply::mail(MB_VALUE, JsValue::from_f64(chans::register(AnyChan::StructZ(ch)) as f64));
    reply::mail(MB_ERR, JsValue::from_f64(err.code() as f64));
    reply::mail(MB_DEADLINE, c.deadline().map_or(JsValue::UNDEFINED, JsValue::from_f64));
    add(c, Some(cancel))
}

/// `with_cancel(parent)`: the new context's slot (and the mailbox, see
/// [`born`]).
#[wasm_bindgen]
pub fn ctx_with_cancel(parent: Option<u32>) -> u32 {
    let (c, f) = gctx::with_cancel(&ctx(parent));
    born(c, f)
}

/// `with_deadline(parent, deadline)` (the shim refused a NaN deadline).
#[wasm_bindgen]
pub fn ctx_with_deadline(parent: Option<u32>, deadline: f64) -> u32 {
    let (c, f) = gctx::with_deadline(&ctx(parent), deadline);
    born(c, f)
}

/// `with_timeout(parent, timeout)` (the shim refused a NaN timeout): the
/// timer is armed for exactly `timeout`, so that virtual clocks stay exact.
#[wasm_bindgen]
pub fn ctx_with_timeout(parent: Option<u32>, timeout: f64) -> u32 {
    let p = ctx(parent);
    let (c, f) = match Duration::try_from_secs_f64(timeout) {
        Ok(d) if timeout > 0.0 => gctx::with_timeout(&p, d),
        _ => gctx::with_deadline(&p, golang_time::now() + timeout),
    };
    born(c, f)
}

/// `merge(parent1, parent2)`.
#[wasm_bindgen]
pub fn ctx_merge(parent1: Option<u32>, parent2: Option<u32>) -> u32 {
    let (c, f) = gctx::merge(&ctx(parent1), &ctx(parent2));
    born(c, f)
}

/// Why the context is done, as a `CtxErr` code.
#[wasm_bindgen]
pub fn ctx_err(id: Option<u32>) -> u8 {
    err_code(&ctx(id)).code()
}

/// Cancels the context: then the `CtxErr` code of its error, or the name of
/// PANIC (its `done()` was closed by hand: Go's message in `last_error`)
/// after the cancel.
#[wasm_bindgen]
pub fn ctx_cancel(id: u32) -> JsValue {
    let (f, c) = with(id, |e| (e.cancel.clone(), e.ctx.clone()));
    let r = f.map_or(Ok(()), |f| f.try_cancel().map_err(|e| e.to_string()));
    match r {
        Ok(()) => JsValue::from_f64(err_code(&c).code() as f64),
        Err(m) => reply::panic_status(Err(m)),
    }
}

/// The repr of the context's cancel function (the crate's Debug form).
#[wasm_bindgen]
pub fn ctx_cancel_repr(id: u32) -> String {
    with(id, |e| e.cancel.as_ref().map(|f| format!("{f:?}")).unwrap_or_default())
}

/// Frees slots of contexts whose Python objects are gone, given as pairs
/// `[context slot, done channel slot or -1, ...]`: the done channel's slot
/// is freed too when no Python object of it was made. The shim batches them
/// (a context holds no Python object: dropping it later only frees memory
/// later), so that dropping a context does not cross on its own.
#[wasm_bindgen]
pub fn ctxs_free(pairs: &[f64]) {
    for p in pairs.chunks_exact(2) {
        let e = CTXS.with(|c| c.borrow_mut().try_remove(p[0] as usize));
        drop(e);
        if p[1] >= 0.0 {
            chans::chan_free(p[1] as u32);
        }
    }
}
