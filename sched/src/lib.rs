//! Executors for goroutines: the runtime under pygolang-rs.
//!
//! A goroutine is a stackless future. [`Runtime`] runs goroutines on one OS
//! thread, in one of two configurations:
//!
//! - [`Runtime::deterministic`]`(seed)`: the seed fixes every scheduling
//!   decision and every random select choice; time is virtual and jumps to the
//!   next timer when every goroutine is blocked; when nothing can ever run
//!   again, the run fails with a deadlock error that names what each goroutine
//!   waits on ("all goroutines are asleep - deadlock!").
//! - [`Runtime::real`]`()`: the OS clock, a hierarchical timer wheel and a
//!   `polling` reactor for sockets and pipes ([`net`]).
//!
//! [`go`] spawns on the executor of the current thread; outside any executor
//! it spawns on a process-wide background executor (a thread running the
//! real-clock configuration), which is also where timers armed by OS threads
//! live.
//!
//! ```
//! use golang_sched::{go, sleep, Runtime};
//! use std::time::Duration;
//! use std::sync::{Arc, Mutex};
//!
//! let log = Arc::new(Mutex::new(Vec::new()));
//! let rt = Runtime::deterministic(1);
//! let l = log.clone();
//! rt.block_on(async move {
//!     for i in 0..3u64 {
//!         let l = l.clone();
//!         go(async move {
//!             sleep(Duration::from_millis(10 * (3 - i))).await; // virtual time
//!             l.lock().unwrap().push(i);
//!         });
//!     }
//!     sleep(Duration::from_secs(1)).await;
//! })
//! .unwrap();
//! assert_eq!(*log.lock().unwrap(), vec![2, 1, 0]);
//! ```

#![warn(missing_docs)]

// The files, lowest first (a file names only files above it in this list):
// clock, rng, schedule, shrink, strategy, trace, context, reactor, timer, driver, handle, then the executors
// (executor, multi), background, testing, net. See docs/ARCHITECTURE.md.
#[cfg(not(target_family = "wasm"))]
mod background;
#[cfg(target_family = "wasm")]
#[path = "background_wasm.rs"]
mod background;

mod clock;
mod context;
mod driver;
mod executor;
mod handle;
#[cfg(target_family = "wasm")]
#[path = "platform_wasm.rs"]
mod platform;
/// Host services under WebAssembly: clocks, and the JavaScript event loop's
/// turns (see [`Runtime::run_turn`]).
#[cfg(target_family = "wasm")]
pub mod wasm {
    pub use crate::background::set_background;
    pub use crate::platform::{set_platform, Platform};
}
#[cfg(not(target_family = "wasm"))]
mod multi;
#[cfg(not(target_family = "wasm"))]
pub mod net;
#[cfg(not(target_family = "wasm"))]
mod reactor;
#[cfg(target_family = "wasm")]
#[path = "reactor_wasm.rs"]
mod reactor;
pub mod rng;
pub mod schedule;
pub mod shrink;
mod strategy;
pub mod trace;
pub mod testing;
pub mod timer;
mod taskfut;

#[cfg(not(target_family = "wasm"))]
pub use multi::MultiRuntime;
pub use clock::{real_now_ns, ClockKind, VIRTUAL_EPOCH_UNIX};
pub use context::{RunError, BUDGET};
pub use executor::{Runtime, Turn};
pub use schedule::{Divergence, Schedule};
pub use schedule::{Decision, Kind, Strategy};
pub use handle::Handle;
#[cfg(not(target_family = "wasm"))]
pub use reactor::Async;
/// (The spin-lock backoff lives with the spin locks, in `golang-prims`.)
pub use golang_prims::Backoff;
pub use timer::{Action, TimerKey};

use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Spawns a goroutine: on the current executor, or on the background
/// executor when called outside any executor (for example from an OS thread).
#[track_caller]
pub fn go<F: Future<Output = ()> + Send + 'static>(fut: F) {
    spawn_any(fut, None)
}

/// Spawns a goroutine with a name that deadlock and panic reports show.
#[track_caller]
pub fn go_named<F: Future<Output = ()> + Send + 'static>(name: impl Into<String>, fut: F) {
    spawn_any(fut, Some(name.into()))
}

// The future is allocated once, here: in a pool block on this thread's
// single-thread executor (taskfut.rs), else boxed for the executor that
// takes it. A recording deterministic run notes where each goroutine was
// spawned (track_caller).
#[track_caller]
fn spawn_any<F: Future<Output = ()> + Send + 'static>(fut: F, name: Option<String>) {
    match executor::spawn_current(fut, name) {
        Ok(goid) => context::note_spawn(goid, std::panic::Location::caller()),
        Err((fut, name)) => handle().spawn_boxed_into(name, Box::pin(fut)),
    }
}

/// Spawns a goroutine that need not be `Send` on the current executor.
///
/// # Panics
/// Outside an executor (a non-`Send` future cannot move to the background
/// thread).
#[track_caller]
pub fn go_local<F: Future<Output = ()> + 'static>(fut: F) {
    let goid = executor::spawn_local(fut, None);
    context::note_spawn(goid, std::panic::Location::caller());
}

/// Like [`go_local`], with a name that deadlock and panic reports show.
#[track_caller]
pub fn go_local_named<F: Future<Output = ()> + 'static>(name: impl Into<String>, fut: F) {
    let goid = executor::spawn_local(fut, Some(name.into()));
    context::note_spawn(goid, std::panic::Location::caller());
}

/// Whether the calling code runs inside an executor (in a goroutine).
pub fn in_executor() -> bool {
    handle::is_current()
}

/// The handle of the current executor, or of the background executor.
pub fn handle() -> Handle {
    handle::current().unwrap_or_else(background::handle)
}

/// Forgets the background executor after `fork()`, in the child (see
/// `background.rs`, invariant 3).
#[cfg(not(target_family = "wasm"))]
pub use background::reset_after_fork;

/// The background executor's handle (started on first use).
pub fn background() -> Handle {
    background::handle()
}

/// Nanoseconds on the current executor's clock (virtual, or monotonic since
/// process start); outside executors, monotonic since process start.
pub fn now_ns() -> u64 {
    executor::current_clock().map_or_else(real_now_ns, |(_, ns)| ns)
}

/// Unix time in seconds on the current clock: the OS wall clock, or
/// [`VIRTUAL_EPOCH_UNIX`] plus virtual time under a virtual clock.
pub fn unix_now() -> f64 {
    // (one clock read: the monotonic clock is not read on a real clock)
    match executor::current_virtual_ns() {
        Some(ns) => VIRTUAL_EPOCH_UNIX + ns as f64 * 1e-9,
        None => clock::wall_unix_s(),
    }
}

thread_local! {
    static THREAD_RNG: RefCell<rng::Rng> = RefCell::new(rng::Rng::new(rng::random_seed()));
}

/// A uniform random number in `0..n`, from the current executor's seeded RNG
/// (outside executors, from a per-thread RNG).
#[inline]
pub fn rand_below(n: usize) -> usize {
    if context::in_exec() {
        context::exec_rand_below(n)
    } else {
        THREAD_RNG.with(|r| r.borrow_mut().below(n))
    }
}

/// Ends the current executor's run with [`RunError::Panic`] for the
/// goroutine being polled, without unwinding: that goroutine should then
/// return `Pending` (or finish). Returns false outside an executor.
pub fn fail_run(message: impl Into<String>) -> bool {
    match executor::fail_current(message.into()) {
        Ok(()) => true,
        #[cfg(not(target_family = "wasm"))]
        Err(message) => multi::fail(message),
        #[cfg(target_family = "wasm")]
        Err(_) => false,
    }
}

/// Notes where (file:line) the goroutine being polled waits, in the event
/// trace of a traced run ([`Runtime::trace`]); nothing otherwise. For
/// goroutines whose source the executor cannot see (Python's).
pub fn trace_where(at: &str) {
    executor::trace_where(at)
}

/// The id of the goroutine being polled (1 is main), outside executors 0.
pub fn current_goroutine() -> u64 {
    let id = executor::current_goid();
    #[cfg(not(target_family = "wasm"))]
    if id == 0 {
        return multi::current_goid();
    }
    id
}

/// How many decisions (strategy.rs) the deterministic executor running on
/// this thread made so far: the index of its next decision in a recorded
/// schedule. None outside one.
pub fn decisions_made() -> Option<u64> {
    context::decisions_made()
}

/// Records what the goroutine being polled is about to wait on ("chan
/// receive", "select", ...); deadlock reports show it. No-op outside.
#[inline]
pub fn set_wait_reason(reason: &'static str) {
    context::set_wait_reason(reason)
}

/// Spends one unit of the goroutine's cooperative budget. Returns false when
/// the budget is spent: the caller must then wake itself and return
/// `Pending`, so that a goroutine whose channels are always ready still lets
/// others run. Always true outside executors.
#[inline]
pub fn coop_proceed() -> bool {
    context::coop_proceed()
}

/// Yields once: lets every other runnable goroutine run first.
pub async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            // (runnable again at once; a trace shows the step as a yield)
            set_wait_reason("yield");
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

/// A future that completes when the executor's clock reaches a deadline.
pub struct Sleep {
    deadline: u64,
    handle: Handle,
    key: Option<TimerKey>,
}

/// Sleeps for `d` on the current executor's clock.
pub fn sleep(d: Duration) -> Sleep {
    let handle = handle();
    let deadline = handle.now_ns().saturating_add(d.as_nanos().min(u64::MAX as u128) as u64);
    Sleep { deadline, handle, key: None }
}

/// Sleeps until `deadline` (ns of the current executor's clock).
pub fn sleep_until(deadline: u64) -> Sleep {
    Sleep { deadline, handle: handle(), key: None }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.handle.now_ns() >= self.deadline {
            if let Some(k) = self.key.take() {
                self.handle.cancel_timer(k);
            }
            return Poll::Ready(());
        }
        match self.key {
            Some(k) if self.handle.set_timer_waker(k, cx.waker()) => {}
            _ => {
                let k = self.handle.add_timer(self.deadline, Action::Wake(cx.waker().clone()));
                self.key = Some(k);
            }
        }
        set_wait_reason("sleep");
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        if let Some(k) = self.key.take() {
            self.handle.cancel_timer(k);
        }
    }
}

/// Runs a blocking function on a helper OS thread and waits for its result
/// without blocking the executor.
pub async fn unblock<R: Send + 'static>(f: impl FnOnce() -> R + Send + 'static) -> R {
    struct Slot<R> {
        value: Option<R>,
        waker: Option<Waker>,
    }
    let slot = Arc::new(Mutex::new(Slot { value: None, waker: None }));
    let s = slot.clone();
    std::thread::spawn(move || {
        let r = f();
        let w = {
            let mut s = s.lock().unwrap();
            s.value = Some(r);
            s.waker.take()
        };
        if let Some(w) = w {
            w.wake();
        }
    });
    poll_fn(|cx| {
        let mut s = slot.lock().unwrap();
        match s.value.take() {
            Some(v) => Poll::Ready(v),
            None => {
                s.waker = Some(cx.waker().clone());
                set_wait_reason("syscall");
                Poll::Pending
            }
        }
    })
    .await
}
