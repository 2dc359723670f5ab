//! Channels for the shim: a registry of channels that Python refers to by
//! id, and their operations.
//!
//! Every Python `chan` object owns one registry slot (freed by its
//! `__del__`); two slots may hold the same channel (a timer's channel handed
//! out again), and `chan_key` tells channels apart for `==` and `hash`.
//!
//! Each operation has two exports: the sync form (`chan_send`,
//! `chan_recv`: `ch.send(x)`, `ch.recv()`), which only ever tries, since
//! nothing may block the JavaScript event loop, and reports "would block"
//! (WAIT) to the shim; and the first step of the async form (`chan_asend`,
//! `chan_arecv`: `await ch.asend(x)`), see [`crate::coro::start_async`].
//! Each answers in its one call (`crate::reply`): what it gives when it
//! completes, else the name of its `golang_pycore::Status`.

use crate::coro::{start_async, OpOut, Start};
use crate::reply::{self, answer};
use crate::value::{dtype_of, AnyChan, Got, IntoGot};
use golang_pycore::{each_chan, Status};
use golang_chan::{Chan, ChanError, TryRecvError, TrySendError};
use slab::Slab;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    static CHANS: RefCell<Slab<AnyChan>> = const { RefCell::new(Slab::new()) };
}

/// Registers a channel; returns its id.
pub fn register(ch: AnyChan) -> u32 {
    CHANS.with(|c| c.borrow_mut().insert(ch) as u32)
}

/// The channel behind id `id` (a clone: channels are cheap handles).
pub fn get(id: u32) -> AnyChan {
    CHANS.with(|c| c.borrow()[id as usize].clone())
}

fn with<R>(id: u32, f: impl FnOnce(&AnyChan) -> R) -> R {
    CHANS.with(|c| f(&c.borrow()[id as usize]))
}

/// A new channel of `size` slots (the shim checked the size) and dtype code.
#[wasm_bindgen]
pub fn chan_new(size: f64, dtype: u8) -> u32 {
    register(AnyChan::make(dtype_of(dtype), Some(size as usize)))
}

/// A slot holding the nil channel of a dtype.
#[wasm_bindgen]
pub fn chan_nil(dtype: u8) -> u32 {
    register(AnyChan::make(dtype_of(dtype), None))
}

/// Frees a slot (the Python object is gone).
#[wasm_bindgen]
pub fn chan_free(id: u32) {
    // Take the channel out first: dropping it may drop buffered values.
    let ch = CHANS.with(|c| c.borrow_mut().try_remove(id as usize));
    drop(ch);
}

/// Frees the slots `ids` at once: the shim batches the slots of channels
/// that hold no Python object (a typed channel's values are numbers), so
/// that dropping one does not cross on its own.
#[wasm_bindgen]
pub fn chans_free(ids: &[f64]) {
    for id in ids {
        chan_free(*id as u32);
    }
}

/// The channel's identity, for `==` and `hash` (0 for nil).
#[wasm_bindgen]
pub fn chan_key(id: u32) -> f64 {
    with(id, |c| c.id() as f64)
}

/// Values in the buffer.
#[wasm_bindgen]
pub fn chan_len(id: u32) -> f64 {
    with(id, |c| c.len() as f64)
}

/// Buffer capacity.
#[wasm_bindgen]
pub fn chan_cap(id: u32) -> f64 {
    with(id, |c| c.cap() as f64)
}

/// Goroutines waiting to receive.
#[wasm_bindgen]
pub fn chan_recvq(id: u32) -> f64 {
    with(id, |c| c.waiting_receivers() as f64)
}

/// Goroutines waiting to send.
#[wasm_bindgen]
pub fn chan_sendq(id: u32) -> f64 {
    with(id, |c| c.waiting_senders() as f64)
}

/// Closes the channel: `undefined`, or PANIC (Go's message in `last_error`).
#[wasm_bindgen]
pub fn chan_close(id: u32) -> JsValue {
    let ch = get(id);
    reply::panic_status(ch.try_close().map_err(|e| e.to_string()))
}

fn start_send<T: Send + 'static>(c: Chan<T>, v: T, park: bool) -> Start {
    match c.try_send(v) {
        Ok(()) => Start::Done(Got::Nothing),
        Err(TrySendError::Closed(_)) => Start::Panic(ChanError::SendOnClosed.to_string()),
        Err(TrySendError::Full(_)) if !park => Start::Wait(Box::pin(async { OpOut::Retry })),
        Err(TrySendError::Full(v)) => Start::Wait(Box::pin(async move {
            match c.send_checked(v).await {
                Ok(()) => OpOut::Value(Got::Nothing),
                Err(e) => OpOut::Panic(e.to_string()),
            }
        })),
    }
}

fn start_recv<T: IntoGot + Send + 'static>(c: Chan<T>, park: bool) -> Start {
    match c.try_recv() {
        Ok(v) => Start::Done(T::got(Some(v))),
        Err(TryRecvError::Closed) => Start::Done(Got::Closed),
        Err(TryRecvError::Empty) if !park => Start::Wait(Box::pin(async { OpOut::Retry })),
        Err(TryRecvError::Empty) => Start::Wait(Box::pin(async move { OpOut::Value(T::got(c.recv().await)) })),
    }
}

fn send(id: u32, v: f64, mode: Mode) -> JsValue {
    let ch = get(id);
    let park = mode == Mode::Async;
    let op = move || match ch {
        AnyChan::Obj(c) => start_send(c, crate::value::PyRef::new(v), park),
        AnyChan::StructZ(c) => start_send(c, (), park),
        AnyChan::Bool(c) => start_send(c, v != 0.0, park),
        AnyChan::Int(c) => start_send(c, v as i32, park),
        AnyChan::Double(c) => start_send(c, v, park),
        AnyChan::Signal(_) => unreachable!("no signal channels under Pyodide (value::dtype_of)"),
    };
    answer(finish(mode, op))
}

/// Tries to send `v` (an object's handle, or the number/bool for a typed
/// channel, which the shim checked by the conversion rules): `undefined`
/// when sent, else the name of WAIT (it would block), PANIC (the message
/// is in `last_error`).
#[wasm_bindgen]
pub fn chan_send(id: u32, v: f64) -> JsValue {
    send(id, v, Mode::Sync)
}

/// `await ch.asend(v)`'s first step: `undefined` when sent, else the name
/// of WAIT (yield to the driver), PANIC or BRIDGE.
#[wasm_bindgen]
pub fn chan_asend(id: u32, v: f64) -> JsValue {
    send(id, v, Mode::Async)
}

fn recv(id: u32, mode: Mode) -> JsValue {
    let ch = get(id);
    let park = mode == Mode::Async;
    let op = move || each_chan!(ch, c => start_recv(c, park));
    answer(finish(mode, op))
}

/// Tries to receive: the value (an object's handle, or the number/bool),
/// else the name of CLOSED (closed and drained: the zero value) or WAIT (it
/// would block).
#[wasm_bindgen]
pub fn chan_recv(id: u32) -> JsValue {
    recv(id, Mode::Sync)
}

/// `await ch.arecv()`'s first step: the value, else the name of CLOSED,
/// WAIT (yield to the driver) or BRIDGE (it must wait outside a golang
/// goroutine).
#[wasm_bindgen]
pub fn chan_arecv(id: u32) -> JsValue {
    recv(id, Mode::Async)
}

/// Which form of an operation runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The sync form: try once.
    Sync,
    /// The first step of the async form ([`start_async`]).
    Async,
}

/// Runs an operation in `mode`: what completed, or the status to report.
pub(crate) fn finish(mode: Mode, op: impl FnOnce() -> Start) -> Result<Got, Status> {
    if mode == Mode::Async {
        return start_async(op);
    }
    match op() {
        Start::Done(g) => Ok(g),
        Start::Panic(m) => {
            reply::set_error(m);
            Err(Status::Panic)
        }
        Start::Wait(_) => Err(Status::Wait),
    }
}

/// The shared conversion rules for a value the shim describes as `kind` (a
/// `golang_pycore::status::ValueKind`, its payload in `v`) on a channel of
/// dtype `dtype`: `undefined` (accepted: the shim casts the value to the
/// dtype's Python type), or the name of `MISMATCH` / `OUT_OF_RANGE` with the
/// message up to the value's repr in `last_error()`. (Dtype object takes
/// everything, and the values in `ValueKind::accepted`'s ranges are
/// accepted: the shim does not ask for them.)
#[wasm_bindgen]
pub fn conv(dtype: u8, kind: u8, v: f64) -> JsValue {
    use golang_pycore::status::ValueKind;
    use golang_pycore::convert;
    let k = ValueKind::from_code(kind).unwrap_or(ValueKind::Other).with(v);
    match convert(dtype_of(dtype), k) {
        Ok(_) => JsValue::UNDEFINED,
        Err(e) => {
            reply::set_error(e.prefix());
            reply::status(if e.is_overflow() { Status::OutOfRange } else { Status::Mismatch })
        }
    }
}
