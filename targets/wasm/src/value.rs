//! Python values in Rust channels, and channels of any dtype.
//!
//! A Python object crosses into Rust as a [`PyRef`]: a handle (a number)
//! into the object table of the Python shim. The handle owns the table
//! entry: a receiver takes the object out of the table with
//! [`PyRef::into_handle`]; a `PyRef` dropped in Rust (a buffered value of a
//! channel that is garbage, a send that panicked, a goroutine's coroutine
//! when its run ends) records its handle in [`RELEASED`], and the shim
//! drops those entries when it next asks ([`released`]).

use golang_chan::Chan;
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

/// The dtype codes the shim uses: object, 'C.structZ', 'C.bool', 'C.int',
/// 'C.double'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// Python objects, as [`PyRef`] handles.
    Obj = 0,
    /// `()`: only None is sent.
    StructZ = 1,
    /// `bool`.
    Bool = 2,
    /// `i32`.
    Int = 3,
    /// `f64`.
    Double = 4,
}

impl DType {
    /// From the shim's code (unknown codes are objects).
    pub fn from_code(c: u8) -> DType {
        match c {
            1 => DType::StructZ,
            2 => DType::Bool,
            3 => DType::Int,
            4 => DType::Double,
            _ => DType::Obj,
        }
    }
}

/// A channel of any dtype.
#[derive(Clone)]
pub enum AnyChan {
    /// dtype object.
    Obj(Chan<PyRef>),
    /// 'C.structZ'.
    StructZ(Chan<()>),
    /// 'C.bool'.
    Bool(Chan<bool>),
    /// 'C.int'.
    Int(Chan<i32>),
    /// 'C.double'.
    Double(Chan<f64>),
}

/// Runs `$body` with `$c` bound to the typed channel inside an [`AnyChan`].
#[macro_export]
macro_rules! each_chan {
    ($ch:expr, $c:ident => $body:expr) => {
        match $ch {
            $crate::value::AnyChan::Obj($c) => $body,
            $crate::value::AnyChan::StructZ($c) => $body,
            $crate::value::AnyChan::Bool($c) => $body,
            $crate::value::AnyChan::Int($c) => $body,
            $crate::value::AnyChan::Double($c) => $body,
        }
    };
}

impl AnyChan {
    /// A new channel with `size` buffer slots.
    pub fn new(dtype: DType, size: usize) -> AnyChan {
        match dtype {
            DType::Obj => AnyChan::Obj(Chan::new(size)),
            DType::StructZ => AnyChan::StructZ(Chan::new(size)),
            DType::Bool => AnyChan::Bool(Chan::new(size)),
            DType::Int => AnyChan::Int(Chan::new(size)),
            DType::Double => AnyChan::Double(Chan::new(size)),
        }
    }

    /// The nil channel of a dtype.
    pub fn nil(dtype: DType) -> AnyChan {
        match dtype {
            DType::Obj => AnyChan::Obj(Chan::nil()),
            DType::StructZ => AnyChan::StructZ(Chan::nil()),
            DType::Bool => AnyChan::Bool(Chan::nil()),
            DType::Int => AnyChan::Int(Chan::nil()),
            DType::Double => AnyChan::Double(Chan::nil()),
        }
    }

    /// The channel's dtype.
    pub fn dtype(&self) -> DType {
        match self {
            AnyChan::Obj(_) => DType::Obj,
            AnyChan::StructZ(_) => DType::StructZ,
            AnyChan::Bool(_) => DType::Bool,
            AnyChan::Int(_) => DType::Int,
            AnyChan::Double(_) => DType::Double,
        }
    }

    /// The channel's identity (0 for nil channels).
    pub fn id(&self) -> usize {
        each_chan!(self, c => c.id())
    }
}

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
            DType::Obj => Val::Obj(PyRef::new(v)),
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
}

impl Got {
    /// The value as JavaScript gives it to the shim: the object's handle,
    /// or the number or bool (0 for 'C.structZ'); `null` once the channel is
    /// closed and drained; `undefined` for nothing.
    pub fn to_js(self) -> JsValue {
        match self {
            Got::Closed => JsValue::NULL,
            Got::Obj(r) => JsValue::from_f64(r.into_handle()),
            Got::StructZ => JsValue::from_f64(0.0),
            Got::Bool(b) => JsValue::from_bool(b),
            Got::Int(i) => JsValue::from_f64(i as f64),
            Got::Double(d) => JsValue::from_f64(d),
            Got::Nothing => JsValue::UNDEFINED,
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
impl IntoGot for f64 {
    fn got(v: Option<Self>) -> Got {
        v.map_or(Got::Closed, Got::Double)
    }
}
