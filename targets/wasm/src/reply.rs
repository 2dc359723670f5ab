//! How an exported operation answers the shim in one crossing.
//!
//! A call from Python into the wasm module costs about a microsecond, so an
//! operation gives everything the shim needs in its return value:
//!
//! - what it gives when it completes: the received value (an object's
//!   handle, a number or a bool; never a string), a select's committed
//!   index, or nothing (`undefined`, which Python sees as None);
//! - otherwise the *name* of its [`Status`] (`"CLOSED"`, `"WAIT"`,
//!   `"PANIC"`, ...) as a JavaScript string: a value never is one, so the
//!   shim tells the two apart by type, and it learns the names from
//!   `contract()` (`status.WAIT` → `"WAIT"`), never a bare number.
//!
//! What does not fit the return value (the value a select's receive case
//! got, the done channel and deadline of a new context) goes into the
//! [`mailbox`]: a small JavaScript array that the shim holds too, so that
//! reading it is an item access on the JavaScript side, not a call into wasm.
//!
//! Invariants:
//! 1. A [`Status`] crosses only as its name ([`status`]); a value crosses
//!    only as a number, a bool or `undefined`.
//! 2. A mailbox slot is written by the call that returns, before it
//!    returns (for a select that waited: by its goroutine's task, just
//!    before the driver resumes the goroutine); the shim reads it before
//!    its next call into the core (a later select or context creation
//!    overwrites it).

use crate::value::Got;
use golang_pycore::Status;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// The names of the statuses as JavaScript strings, made once (a string
    /// made from Rust each time would be decoded anew).
    static NAMES: Vec<JsValue> = Status::ALL.iter().map(|s| JsValue::from_str(s.name())).collect();
    /// The mailbox (see the module docs).
    // (filled with undefined: Pyodide refuses to read a hole of an array)
    static MAILBOX: js_sys::Array = (0..MAILBOX_LEN).map(|_| JsValue::UNDEFINED).collect();
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The message of the last Go panic (or refused conversion) an operation
/// reported with its status.
#[wasm_bindgen]
pub fn last_error() -> String {
    LAST_ERROR.with(|e| e.borrow().clone())
}

/// Records the message that goes with a PANIC (or MISMATCH) status.
pub fn set_error(msg: impl Into<String>) {
    LAST_ERROR.with(|e| *e.borrow_mut() = msg.into());
}

/// Slots of the mailbox.
pub const MAILBOX_LEN: u32 = 3;

/// The mailbox slot of what a select's receive case got (`undefined`: its
/// channel was closed and drained), and of a new context's done channel.
pub const MB_VALUE: u32 = 0;
/// The mailbox slot of a new context's error code at birth (a `CtxErr`).
pub const MB_ERR: u32 = 1;
/// The mailbox slot of a new context's deadline (`undefined`: none).
pub const MB_DEADLINE: u32 = 2;

/// A status as it crosses: its name (invariant 1).
pub fn status(s: Status) -> JsValue {
    NAMES.with(|n| n[s.code() as usize].clone())
}

/// Writes slot `i` of the mailbox (invariant 2).
pub fn mail(i: u32, v: JsValue) {
    MAILBOX.with(|m| m.set(i, v));
}

/// The mailbox, for the shim to keep (it asks once, at import).
#[wasm_bindgen]
pub fn mailbox() -> js_sys::Array {
    MAILBOX.with(|m| m.clone())
}

/// What an operation that completed or stopped answers: the value it gives
/// (`undefined` for nothing), or its status's name ([`Got::Closed`] is
/// `"CLOSED"`).
pub fn answer(r: Result<Got, Status>) -> JsValue {
    match r {
        Ok(Got::Closed) => status(Status::Closed),
        Ok(g) => g.to_js(),
        Err(s) => status(s),
    }
}

/// DONE as `undefined`, or PANIC with the message in `last_error`.
pub fn panic_status(r: Result<(), String>) -> JsValue {
    match r {
        Ok(()) => JsValue::UNDEFINED,
        Err(m) => {
            set_error(m);
            status(Status::Panic)
        }
    }
}
