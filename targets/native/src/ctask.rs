//! Goroutines of C code (`go(f, arg)` of the C ABI): OS threads from a pool
//! that never touch Python.
//!
//! Starting an OS thread costs tens of microseconds; a worker that waits for
//! the next task makes `go` a queue push and a wake-up. As in `goroutine.rs`
//! (the pool of Python goroutines), whose shape this follows:
//! 1. Every task gets a thread of its own at once: `go` starts a new worker
//!    unless an idle one is left for every queued task (`idle >=
//!    tasks.len()` after the push), so a task that blocks forever never
//!    delays another.
//! 2. A worker idle for `IDLE_EXIT` exits; the process does not wait for
//!    workers at exit, as Go does not wait for goroutines.
//! 3. After `fork()` the child forgets the pool (`reset_after_fork`): its
//!    workers do not exist there and its lock may have been held by one.
//!    The old pool is leaked, never touched again.
//! 4. `unserved` (queued tasks beyond idle workers) and `busy` (workers
//!    running a task) mirror the queue, written under its lock and read
//!    without it only to decide whether to spin: never an outcome.
//!
//! Fast path: a worker that has just finished a task takes the next one
//! from the queue before it would park. So when no worker is idle but some
//! are busy, `go` spins a moment (`SPIN`) for one of them to take the task
//! (`unserved` back to 0) before it starts a thread: a goroutine that
//! hands a result to its starter and ends, as in go+join loops, frees its
//! worker just after the starter wakes.

use std::collections::VecDeque;
use std::ffi::c_void;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::Duration;

/// How long an idle worker waits for a task before it exits (invariant 2).
const IDLE_EXIT: Duration = Duration::from_secs(10);

/// How many times `go` checks for a busy worker to take its task before it
/// starts a thread (a few microseconds; a thread start costs tens).
const SPIN: u32 = 1000;

/// A goroutine body from C: `f(arg)`.
pub struct Task {
    pub f: extern "C" fn(*mut c_void),
    pub arg: *mut c_void,
}

// SAFETY: the C caller of `go` hands `arg` over to the new goroutine, as
// `_taskgo` does in Pygolang.
unsafe impl Send for Task {}

#[derive(Default)]
struct Queue {
    tasks: VecDeque<Task>,
    /// Workers waiting for a task.
    idle: usize,
}

struct Pool {
    queue: Mutex<Queue>,
    cv: Condvar,
    /// Queued tasks beyond the idle workers (invariant 4).
    unserved: AtomicUsize,
    /// Workers running a task (invariant 4).
    busy: AtomicUsize,
}

impl Queue {
    /// Updates the pool's mirrors of this queue (invariant 4; under the lock).
    fn publish(&self, p: &Pool) {
        p.unserved.store(self.tasks.len().saturating_sub(self.idle), Ordering::Relaxed);
    }
}

/// The pool: null until first use, then a leaked (never freed) `Pool`
/// (invariant 3).
static POOL: AtomicPtr<Pool> = AtomicPtr::new(std::ptr::null_mut());

fn pool() -> &'static Pool {
    leaked_once(&POOL, || Pool {
        queue: Mutex::new(Queue::default()),
        cv: Condvar::new(),
        unserved: AtomicUsize::new(0),
        busy: AtomicUsize::new(0),
    })
}

/// The value `slot` points at, made by `make` and leaked (never freed) on
/// first use; threads racing on the first use agree on one. Storing null
/// in `slot` (after fork) makes the next use make a new one. The pools of
/// goroutines (here and in goroutine.rs) live this way.
pub(crate) fn leaked_once<T>(slot: &'static AtomicPtr<T>, make: impl FnOnce() -> T) -> &'static T {
    let p = slot.load(Ordering::Acquire);
    if !p.is_null() {
        // SAFETY: a non-null slot points to a leaked, never freed value.
        return unsafe { &*p };
    }
    let new = Box::into_raw(Box::new(make()));
    match slot.compare_exchange(std::ptr::null_mut(), new, Ordering::AcqRel, Ordering::Acquire) {
        // SAFETY: `new` was just leaked and is now published for good.
        Ok(_) => unsafe { &*new },
        Err(cur) => {
            // SAFETY: `new` was never published: we still own it.
            drop(unsafe { Box::from_raw(new) });
            // SAFETY: as above, a published value is never freed.
            unsafe { &*cur }
        }
    }
}

/// In the child after `fork()` (invariant 3).
pub fn reset_after_fork() {
    POOL.store(std::ptr::null_mut(), Ordering::Release);
}

/// Runs `t` in a goroutine; Err if no thread could be started.
pub fn go(t: Task) -> Result<(), std::io::Error> {
    let p = pool();
    {
        let mut q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
        q.tasks.push_back(t);
        q.publish(p);
        // Invariant 1: an idle worker for every queued task...
        if q.idle >= q.tasks.len() {
            p.cv.notify_one();
            return Ok(());
        }
    }
    // Fast path (see the top): a busy worker about to take the task.
    if p.busy.load(Ordering::Relaxed) > 0 {
        for _ in 0..SPIN {
            if p.unserved.load(Ordering::Relaxed) == 0 {
                return Ok(());
            }
            std::hint::spin_loop();
        }
    }
    // ... or a new one.
    {
        let q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
        if q.idle >= q.tasks.len() {
            // taken meanwhile, or a worker went idle: wake it (a spare
            // wake-up finds an empty queue and waits again)
            p.cv.notify_one();
            return Ok(());
        }
    }
    let spawned = std::thread::Builder::new().name("golang-capi-go".into()).spawn(move || worker(p));
    // (on failure the task stays queued for the next free worker, if any;
    // the caller reports that the goroutine could not start)
    spawned.map(drop)
}

fn worker(p: &'static Pool) {
    loop {
        let t = {
            let mut q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if let Some(t) = q.tasks.pop_front() {
                    q.publish(p);
                    break t;
                }
                q.idle += 1;
                q.publish(p);
                let (g, timeout) = p.cv.wait_timeout(q, IDLE_EXIT).unwrap_or_else(|e| e.into_inner());
                q = g;
                q.idle -= 1;
                q.publish(p);
                if timeout.timed_out() && q.tasks.is_empty() {
                    return; // invariant 2
                }
            }
        };
        p.busy.fetch_add(1, Ordering::Relaxed);
        // The header's trampoline catches every C++ exception, so nothing
        // unwinds into Rust here.
        (t.f)(t.arg);
        p.busy.fetch_sub(1, Ordering::Relaxed);
    }
}
