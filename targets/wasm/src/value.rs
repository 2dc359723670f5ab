//! Python values in Rust channels, and channels of any dtype.
//!
//! A Python object crosses into Rust as a [`PyRef`]: a handle (a number)
//! into the object table of the Python shim. The handle owns the table
//! entry: a receiver takes the object out of the table with
//! [`PyRef::into_handle`]; a `PyRef` dropped in Rust (a buffered value of a
//! channel that is garbage, a send that panicked, a goroutine's coroutine
//! when its run ends) records its handle in [`RELEASED`], and the shim
//! drops those entries when it next asks ([`released`]).

use std::cell::RefCell;
use wasm_bindgen::prelude::*;

thread_local! {
    /// Handles whose `PyRef` was dropped in Rust, for the shim to forget.
    static RELEASED: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

/// A handle to a Python object held in the shim's table.
#[derive(Debug)]
pub struct PyRef(f64);

impl PyRef {
    /// Takes ownership of the table entry `h`.
    pub fn new(h: f64) -> PyRef {
        PyRef(h)
    }

    /// The handle, without giving up the entry.
    pub fn handle(&self) -> f64 {
        self.0
    }

    /// The handle, handing the entry over to whoever receives it.
    pub fn into_handle(self) -> f64 {
        let h = self.0;
        std::mem::forget(self);
        h
    }
}

impl Drop for PyRef {
    fn drop(&mut self) {
        RELEASED.with(|r| r.borrow_mut().push(self.0));
    }
}

/// Handles dropped in Rust since the last call: the shim deletes them from
/// its table.
#[wasm_bindgen]
pub fn released() -> Vec<f64> {
    RELEASED.with(|r| std::mem::take(&mut *r.borrow_mut()))
}

/// The element type of a channel (the shared crate's); its code is what
/// the shim passes. This core has no 'C.os::Signal' channels (see
/// [`supported`]).
pub use golang_pycore::DType;

/// Whether this core has channels of `d`: there are no signals under
/// Pyodide, so no 'C.os::Signal' channels.
pub fn supported(d: DType) -> bool {
    d != DType::Signal
}

/// The dtype of a code from the shim (an unknown code is object).
pub fn dtype_of(code: u8) -> DType {
    DType::from_code(code).filter(|d| supported(*d)).unwrap_or(DType::Obj)
}

/// A channel of any dtype (the shared crate's, over this core's object
/// handle; there are no signals under Pyodide).
pub type AnyChan = golang_pycore::chan::AnyChan<PyRef, NoSignal>;
pub use golang_pycore::chan::NoSignal;

/// A value to send, already checked by the shim for the channel's dtype.
pub enum Val {
    /// An object's handle.
    Obj(PyRef),
    /// None on 'C.structZ'.
    StructZ,
    /// 'C.bool'.
    Bool(bool),
    /// 'C.int'.
    Int(i32),
    /// 'C.double'.
    Double(f64),
}

impl Val {
    /// The value `v` (as the shim passes it: a number) for `dtype`.
    pub fn from_f64(dtype: DType, v: f64) -> Val {
        match dtype {
            // (no signal channels here: see dtype_of)
            DType::Obj | DType::Signal => Val::Obj(PyRef::new(v)),
            DType::StructZ => Val::StructZ,
            DType::Bool => Val::Bool(v != 0.0),
            DType::Int => Val::Int(v as i32),
            DType::Double => Val::Double(v),
        }
    }
}

/// A received value before it is handed to JavaScript (futures must be
/// `Send`, and a `JsValue` is not).
pub enum Got {
    /// The channel was closed and drained (the shim gives the zero value).
    Closed,
    /// An object's handle.
    Obj(PyRef),
    /// A 'C.structZ' value.
    StructZ,
    /// A 'C.bool' value.
    Bool(bool),
    /// A 'C.int' value.
    Int(i32),
    /// A 'C.double' value.
    Double(f64),
    /// Nothing to give (a send case, a default, a sleep).
    Nothing,
    /// The index of the case a select committed (what a receive case got
    /// goes into the mailbox: `crate::reply`).
    Index(usize),
}

impl Got {
    /// The value as JavaScript gives it to the shim: the object's handle,
    /// or the number or bool (0 for 'C.structZ'), a select's index;
    /// `undefined` for nothing (and for [`Got::Closed`], which the shim
    /// learns otherwise: the status `CLOSED`, the driver's `VALUE_CLOSED`,
    /// an `undefined` in a select's mailbox slot).
    pub fn to_js(self) -> JsValue {
        match self {
            Got::Closed => JsValue::UNDEFINED,
            Got::Obj(r) => JsValue::from_f64(r.into_handle()),
            Got::StructZ => JsValue::from_f64(0.0),
            Got::Bool(b) => JsValue::from_bool(b),
            Got::Int(i) => JsValue::from_f64(i as f64),
            Got::Double(d) => JsValue::from_f64(d),
            Got::Nothing => JsValue::UNDEFINED,
            Got::Index(i) => JsValue::from_f64(i as f64),
        }
    }
}

/// A typed received value as a [`Got`].
pub trait IntoGot {
    /// Wraps it.
    fn got(v: Option<Self>) -> Got
    where
        Self: Sized;
}

impl IntoGot for PyRef {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, Got::Obj)
    }
}
impl IntoGot for () {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, |_| Got::StructZ)
    }
}
impl IntoGot for bool {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, Got::Bool)
    }
}
impl IntoGot for i32 {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, Got::Int)
    }
}
impl IntoGot for NoSignal {
    fn got(v: Option<Self>) -> Got {
        match v {
            None => Got::Closed,
            Some(n) => match n {},
        }
    }
}
impl IntoGot for f64 {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, Got::Double)
    }
}
