//! The process-wide background executor: a thread running the real-clock
//! executor forever. `go()` outside any executor spawns here, and OS threads
//! arm their timers here.
//!
//! Invariants:
//! 1. `HANDLE` is null or points to a leaked `Handle` (never freed), of an
//!    executor whose thread runs in this process.
//! 2. `STARTING` is a spin lock around starting the thread and publishing
//!    `HANDLE`; it is held for no more than that.
//! 3. After `fork()` only the forking thread exists in the child: the
//!    executor thread is gone and `STARTING` may be held by a thread that
//!    no longer exists. [`reset_after_fork`], run in the child, forgets both
//!    (the old handle is leaked), so the next use starts a new executor.

use crate::executor::Runtime;
use crate::handle::Handle;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

static HANDLE: AtomicPtr<Handle> = AtomicPtr::new(std::ptr::null_mut());
static STARTING: AtomicBool = AtomicBool::new(false);

/// The background executor's handle, starting its thread on first use.
pub(crate) fn handle() -> Handle {
    let p = HANDLE.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: a non-null HANDLE points to a leaked, never freed Handle
        // (invariant 1).
        return unsafe { (*p).clone() };
    }
    start()
}

#[cold]
fn start() -> Handle {
    let mut backoff = golang_prims::Backoff::new();
    while STARTING.compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed).is_err() {
        backoff.snooze();
    }
    let p = HANDLE.load(Ordering::Acquire);
    if !p.is_null() {
        STARTING.store(false, Ordering::Release);
        // SAFETY: invariant 1.
        return unsafe { (*p).clone() };
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new().name("golang-background".into()).spawn(move || {
        let rt = Runtime::real();
        let _ = tx.send(rt.handle());
        // Runs forever; a goroutine's unrecovered panic ends the process,
        // as it does in Go.
        if let Err(e) = rt.block_on(std::future::pending::<()>()) {
            eprintln!("{e}");
            std::process::exit(2);
        }
    });
    let h = match spawned.ok().and_then(|_| rx.recv().ok()) {
        Some(h) => h,
        None => {
            STARTING.store(false, Ordering::Release);
            eprintln!("golang-sched: cannot start the background executor thread");
            std::process::abort();
        }
    };
    HANDLE.store(Box::into_raw(Box::new(h.clone())), Ordering::Release);
    STARTING.store(false, Ordering::Release);
    h
}

/// To be called in the child right after `fork()` (e.g. from
/// `os.register_at_fork(after_in_child=...)`): forgets the parent's
/// background executor, whose thread does not exist in the child, so that
/// the next goroutine or timer starts a new one (invariant 3). Timers and
/// goroutines of the old one are gone, as every thread but the forking one.
pub fn reset_after_fork() {
    HANDLE.store(std::ptr::null_mut(), Ordering::Release);
    STARTING.store(false, Ordering::Release);
}
