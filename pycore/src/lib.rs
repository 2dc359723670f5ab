//! What the two cores of the Python package `golang` share: the native core
//! (`targets/native`, pyo3) and the WebAssembly core (`targets/wasm`,
//! wasm-bindgen, with its Python shim `python/golang/_golang_wasm.py`).
//!
//! Neither Python nor JavaScript is named here: a core is a thin binding
//! that describes a Python value as a [`conv::PyKind`], asks this crate what
//! to do, and turns the answer back into its own objects and exceptions.
//! So the rules and the words users see exist once:
//!
//! - [`awaitable`]: operations written once that both cores await
//!   (`time.asleep`);
//! - [`chan`]: a channel of any dtype, generic over the object handle;
//! - [`dtype`]: the channel element types ('object', 'C.int', ...), their
//!   names, how a dtype argument is parsed, their zero values;
//! - [`conv`]: which Python values a dtype accepts (the int range, the
//!   integral-float rule) and the TypeError/OverflowError texts;
//! - [`select`]: how select's Python cases are recognised, and its errors;
//! - [`status`]: the named outcome of starting an operation, and the
//!   driver's protocol, as they cross the wasm boundary;
//! - [`time`]: durations from Python seconds (`dur`) and their limits;
//! - [`msg`]: every other user-facing message and limit;
//! - [`names`]: the names a core module must provide (checked against both
//!   cores by `tests/python/test_core_contract.py`).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod awaitable;
pub mod chan;
pub mod conv;
pub mod dtype;
pub mod msg;
pub mod names;
pub mod select;
pub mod status;
pub mod time;

pub use conv::{convert, Conv, ConvError, PyKind};
pub use dtype::DType;
pub use status::Status;
