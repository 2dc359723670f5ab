//! Go's concurrency for Rust: goroutines, channels, select, context, sync,
//! time and strconv, on one runtime that is also the core of the Python
//! package `golang` (a drop-in replacement for Pygolang).
//!
//! This crate re-exports the workspace crates:
//! - [`sched`]: executors (deterministic with a virtual clock, or real with a
//!   timer wheel and an IO reactor), [`go`], [`sleep`];
//! - [`chan`]: [`Chan`], [`Select`];
//!
//! ```
//! use golang::{go, Chan, Runtime, Select};
//! use std::time::Duration;
//!
//! // The same seed gives the same run, including which ready case a select takes.
//! let rt = Runtime::deterministic(2024);
//! let out = rt.block_on(async {
//!     let results: Chan<&str> = Chan::new(0);
//!     let r = results.clone();
//!     go(async move {
//!         golang::sleep(Duration::from_secs(5)).await; // virtual: no real waiting
//!         r.send("slow answer").await.unwrap();
//!     });
//!     let timeout: Chan<()> = Chan::new(1);
//!     let t = timeout.clone();
//!     go(async move {
//!         golang::sleep(Duration::from_secs(1)).await;
//!         t.send(()).await.unwrap();
//!     });
//!     let mut sel = Select::new();
//!     let got = sel.recv(&results);
//!     let _timed_out = sel.recv(&timeout);
//!     let i = sel.wait().await.unwrap();
//!     if i == got { "answer" } else { "timeout" }
//! });
//! assert_eq!(out.unwrap(), "timeout");
//! ```

#![forbid(unsafe_code)]

pub use golang_chan as chan;
pub use golang_context as context;
pub use golang_os as os;
pub use golang_sched as sched;
pub use golang_strconv as strconv;
pub use golang_sync as sync;
pub use golang_time as time;

pub use golang_chan::{make, Chan, ChanError, Select, DEFAULT};
pub use golang_sched::{go, go_local, go_named, sleep, yield_now, ClockKind, RunError, Runtime};
#[cfg(not(target_family = "wasm"))]
pub use golang_sched::MultiRuntime;
