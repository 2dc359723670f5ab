//! The WebAssembly core of the Python package `golang`, for Pyodide.
//!
//! This crate compiles the pygolang-rs runtime (`golang-sched`,
//! `golang-chan`, `golang-time`, `golang-context`) to `wasm32-unknown-unknown` with
//! wasm-bindgen. Under Pyodide, `python/golang/_golang_wasm.py` (the thin
//! Python shim that stands in for the native `golang._golang`) calls the
//! functions exported here through the JavaScript module that the loader
//! (`js/golang.mjs`) registers as `_golang_wasm_core`.
//!
//! Goroutines, channels, select and timers stay inside Rust; Python is
//! entered only at coarse points, because a call across the
//! Python/JavaScript/wasm boundary costs about a microsecond:
//!
//! - a goroutine made of a Python coroutine is a [`coro::CoroTask`]: a
//!   Rust future that resumes the coroutine (one call into Python) and then
//!   polls, inside Rust, the channel operation the coroutine awaits;
//! - Python values travel through channels as handles (numbers) into a table
//!   that the shim keeps ([`value::PyRef`]); typed channels
//!   (`'C.int'`, `'C.double'`, ...) carry plain numbers;
//! - channels live in a registry and Python holds their ids ([`chans`]);
//!   so do contexts of the `golang-context` crate ([`context`]).
//!
//! Executors: `golang.run(main, seed=N)` runs a deterministic executor on
//! the virtual clock to completion inside one call, exactly as natively, so
//! that a seed gives the same trace on both targets. Goroutines started
//! outside any run (`go(f)` at the top level of a page) live on the
//! background executor, which the JavaScript event loop drives: [`turn`]
//! runs a time slice of it in a macrotask and tells the loader when to come
//! back (at once, or at the next timer through `setTimeout`).
//!
//! The runtime itself can be used from Rust on this target like natively:
//!
//! ```
//! use golang_chan::Chan;
//! use golang_sched::{go, Runtime};
//!
//! let rt = Runtime::deterministic(3);
//! let got = rt.block_on(async {
//!     let ch: Chan<i32> = Chan::new(0);
//!     let c = ch.clone();
//!     go(async move { c.send(7).await.unwrap() });
//!     ch.recv().await
//! });
//! assert_eq!(got.unwrap(), Some(7));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod chans;
pub mod context;
pub mod contract;
pub mod coro;
pub mod host;
pub mod reply;
pub mod select;
pub mod timers;
pub mod value;

pub use host::{init, set_scheduler, turn};
