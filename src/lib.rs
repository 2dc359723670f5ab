//! Go's concurrency for Rust: goroutines, channels, select, context, sync,
//! time and strconv, on one runtime that is also the core of the Python
//! package `golang` (a drop-in replacement for Pygolang).
//!
//! This crate re-exports the workspace crates:
//! - [`sched`]: executors (deterministic with a virtual clock, or real with a
//!   timer wheel and an IO reactor), [`go`], [`sleep`];
//! - [`chan`]: [`Chan`], [`select!`], [`Select`];
//!
//! [`select!`] is Go's select statement for goroutines: Go-like arms,
//! nothing boxed (the [`Select`] builder is the dynamic form):
//!
//! ```
//! use golang::{go, select, Chan, Runtime};
//!
//! let rt = Runtime::deterministic(7);
//! let out = rt.block_on(async {
//!     let (jobs, results): (Chan<u32>, Chan<u32>) = (Chan::new(0), Chan::new(4));
//!     let (j, r) = (jobs.clone(), results.clone());
//!     go(async move {
//!         while let Some(n) = j.recv().await {
//!             r.send(n * n).await.unwrap();
//!         }
//!         r.close();
//!     });
//!     let (mut next, mut sum) = (1, 0);
//!     loop {
//!         select! {
//!             // A send arm: taken when the worker is ready to receive.
//!             jobs.send(next) => {
//!                 next += 1;
//!                 if next == 4 {
//!                     jobs.close();
//!                     break;
//!                 }
//!             }
//!             // A receive arm: `v` is Some(value), or None once closed.
//!             v = results.recv() => sum += v.unwrap(),
//!         }
//!     }
//!     // `(v, ok)`, as Go's `v, ok := <-ch`; `default` makes it non-blocking.
//!     loop {
//!         select! {
//!             (v, ok) = results.recv_() => if ok { sum += v } else { break },
//!         }
//!     }
//!     let quiet: Chan<u32> = Chan::new(1);
//!     let idle = select! { _v = quiet.recv() => false, default => true };
//!     (sum, idle)
//! });
//! assert_eq!(out.unwrap(), (1 + 4 + 9, true));
//! ```
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

pub use golang_chan::{make, select, Chan, ChanError, Select, DEFAULT};
pub use golang_sched::{go, go_local, go_named, sleep, yield_now, ClockKind, RunError, Runtime};
#[cfg(not(target_family = "wasm"))]
pub use golang_sched::MultiRuntime;

/// `#[golang::test]` / `#[golang::test(seeds = N)]` on an `async fn`: a
/// test that runs it on the deterministic executor for seeds `0..N`
/// (default 100) through [`sched::testing::check_seeds`], so
/// `GOLANG_SEED`, `GOLANG_REPLAY` and `GOLANG_EXPLORE` apply.
pub use golang_macros::test;
