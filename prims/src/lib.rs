//! The few primitives of pygolang-rs that need `unsafe`, in one small crate
//! to audit, so that `golang-chan` and `golang-context` can
//! `#![forbid(unsafe_code)]`:
//!
//! - [`Backoff`]: how a contended spin lock waits (safe code);
//! - [`SpinLock`]: a lock that spins, around a value;
//! - [`BitLock`]: a byte of state whose top bit is a spin lock guarding a
//!   value, the other bits published by the unlocking store (the context
//!   node's error and lock in one atomic);
//! - [`Shared`]: an `Arc` without weak references (one count);
//! - [`Raw`] / [`Handle`]: a reference-counted pointer with two counts, all
//!   references and the user-visible ones, whose last user-visible one tells
//!   the value it is [`Orphan::orphaned`];
//! - [`pool`]: a per-thread cache of freed small blocks in front of the
//!   global allocator, which those pointers and the goroutines' futures
//!   allocate from;
//! - [`Queue`]: a `VecDeque` whose drop is one test while it never
//!   allocated (a channel's three queues).
//!
//! Each module states its invariants, numbered, at the top; every `unsafe`
//! block says which one makes it sound (`// SAFETY:`). Why not `std`'s: a
//! `Mutex` parks in the kernel where these critical sections are a few dozen
//! instructions; an `Arc` pays a second atomic read-modify-write for its weak
//! count on the last drop, and has no cheap "two first references" or
//! handle count (see `rc.rs`).

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]

mod backoff;
pub mod pool;
mod queue;
mod rc;
mod spin;

pub use backoff::Backoff;
pub use queue::Queue;
pub use rc::{Handle, Orphan, Raw, Shared};
pub use spin::{BitGuard, BitLock, SpinGuard, SpinLock, LOCKED};
