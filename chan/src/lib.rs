//! Go channels and `select` for Rust goroutines and OS threads.
//!
//! [`Chan<T>`] has Go's semantics: an unbuffered channel is a rendezvous, a
//! buffered one a FIFO; `close` lets receivers drain the buffer and then
//! receive (zero, false), and makes senders panic "send on closed channel";
//! the nil channel ([`Chan::nil`]) blocks forever and is never ready in a
//! select. Goroutines (futures on `golang-sched` executors) use the `async`
//! operations, OS threads the `_blocking` ones, and both may wait on one
//! channel at the same time. [`Select`] commits exactly one of its cases,
//! picked uniformly at random among the ready ones with the current
//! executor's RNG, so a seed reproduces every choice.
//!
//! [`select!`] is the statement form: Go-like arms over cases on the stack
//! (no allocation unless it waits), with the same rules as [`select`].
//!
//! Dropping a waiting `recv` or `select` future never loses a value: see the
//! invariants at the top of `chan.rs` and `select.rs`.
//!
//! ```
//! use golang_chan::{Chan, Select};
//! use golang_sched::{go, Runtime};
//!
//! let rt = Runtime::deterministic(7);
//! let got = rt.block_on(async {
//!     let ch: Chan<u32> = Chan::new(0);
//!     let done: Chan<()> = Chan::new(0);
//!     let (c, d) = (ch.clone(), done.clone());
//!     go(async move {
//!         for i in 0..3 {
//!             c.send(i).await.unwrap();
//!         }
//!         c.close();
//!         d.close();
//!     });
//!     let mut got = Vec::new();
//!     while let Some(v) = ch.recv().await {
//!         got.push(v);
//!     }
//!     let mut sel = Select::new();
//!     sel.recv(&done);
//!     sel.wait().await.unwrap();
//!     got
//! });
//! assert_eq!(got.unwrap(), vec![0, 1, 2]);
//! ```

#![forbid(unsafe_code)] // the spin lock and the counted pointer are golang-prims's (audited there)
#![warn(missing_docs)]

mod buf;
mod chan;
mod defer;
mod select;
/// The helpers that [`select!`] expands to; not an API of their own.
#[doc(hidden)]
#[path = "select_macro.rs"]
pub mod __macro;
mod waiter;

pub use defer::{defer_thread_wakes, DeferredWakes};
pub use chan::{make, Blocking, Chan, ChanError, RecvFuture, SendFuture, TryRecvError, TrySendError};
pub use select::{
    select, select_blocking, try_select, try_select_tuple, Case, CaseSlot, CaseTuple, Cases, Fire, RecvCase, Select, SelectFuture,
    SendCase, DEFAULT,
};
pub use waiter::{RdvSpin, Spin, SpinGate, Unparker, Waiter, Woken};
