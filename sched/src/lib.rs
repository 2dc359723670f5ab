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

#[cfg(not(target_family = "wasm"))]
mod background;
mod backoff;
mod executor;
/// Host services under WebAssembly: clocks, and the JavaScript event loop's
/// turns (see [`Runtime::run_turn`]).
#[cfg(target_family = "wasm")]
#[path = "platform_wasm.rs"]
pub mod wasm;
#[cfg(target_family = "wasm")]
mod background {
    pub(crate) use crate::wasm::background as handle;
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
pub mod testing;
pub mod timer;

#[cfg(not(target_family = "wasm"))]
pub use multi::MultiRuntime;
pub use executor::{real_now_ns, ClockKind, Handle, RunError, Runtime, Turn, BUDGET, VIRTUAL_EPOCH_UNIX};
#[cfg(not(target_family = "wasm"))]
pub use reactor::Async;
pub use backoff::Backoff;
pub use timer::{Action, TimerKey};

use executor::CURRENT;
use std::cell::RefCell;
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Spawns a goroutine: on the current executor, or on the background
/// executor when called outside any executor (for example from an OS thread).
pub fn go<F: Future<Output = ()> + Send + 'static>(fut: F) {
    handle().spawn(fut)
}

/// Spawns a goroutine with a name that deadlock and panic reports show.
pub fn go_named<F: Future<Output = ()> + Send + 'static>(name: impl Into<String>, fut: F) {
    handle().spawn_named(Some(name.into()), fut)
}

/// Spawns a goroutine that need not be `Send` on the current executor.
///
/// # Panics
/// Outside an executor (a non-`Send` future cannot move to the background
/// thread).
pub fn go_local<F: Future<Output = ()> + 'static>(fut: F) {
    CURRENT.with(|c| {
        let c = c.borrow();
        let l = c.as_ref().expect("go_local: not inside an executor");
        l.spawn(Box::pin(fut), None);
    })
}

/// Like [`go_local`], with a name that deadlock and panic reports show.
pub fn go_local_named<F: Future<Output = ()> + 'static>(name: impl Into<String>, fut: F) {
    CURRENT.with(|c| {
        let c = c.borrow();
        let l = c.as_ref().expect("go_local: not inside an executor");
        l.spawn(Box::pin(fut), Some(name.into()));
    })
}

/// Whether the calling code runs inside an executor (in a goroutine).
pub fn in_executor() -> bool {
    CURRENT.with(|c| c.borrow().is_some()) || multi_current().is_some()
}

/// The multi-thread runtime this thread works for, if any.
#[cfg(not(target_family = "wasm"))]
fn multi_current() -> Option<Handle> {
    multi::current_handle()
}
#[cfg(target_family = "wasm")]
fn multi_current() -> Option<Handle> {
    None
}

/// The handle of the current executor, or of the background executor.
pub fn handle() -> Handle {
    CURRENT
        .with(|c| c.borrow().as_ref().map(|l| Handle { shared: l.shared.clone() }))
        .or_else(multi_current)
        .unwrap_or_else(background::handle)
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
    CURRENT
        .with(|c| c.borrow().as_ref().map(|l| l.shared.now_ns()))
        .unwrap_or_else(real_now_ns)
}

/// Unix time in seconds on the current clock: the OS wall clock, or
/// [`VIRTUAL_EPOCH_UNIX`] plus virtual time under a virtual clock.
pub fn unix_now() -> f64 {
    let virt = CURRENT.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|l| l.shared.clock == ClockKind::Virtual)
            .map(|l| l.shared.now_ns())
    });
    match virt {
        Some(ns) => VIRTUAL_EPOCH_UNIX + ns as f64 * 1e-9,
        None => wall_unix_s(),
    }
}

thread_local! {
    static THREAD_RNG: RefCell<rng::Rng> = RefCell::new(rng::Rng::new(rng::random_seed()));
}

/// A uniform random number in `0..n`, from the current executor's seeded RNG
/// (outside executors, from a per-thread RNG).
#[inline]
pub fn rand_below(n: usize) -> usize {
    if executor::IN_EXEC.with(|f| f.get()) {
        executor::exec_rand_below(n)
    } else {
        THREAD_RNG.with(|r| r.borrow_mut().below(n))
    }
}

/// Ends the current executor's run with [`RunError::Panic`] for the
/// goroutine being polled, without unwinding: that goroutine should then
/// return `Pending` (or finish). Returns false outside an executor.
pub fn fail_run(message: impl Into<String>) -> bool {
    CURRENT.with(|c| match &*c.borrow() {
        Some(l) => {
            l.fail(message.into());
            true
        }
        #[cfg(not(target_family = "wasm"))]
        None => multi::fail(message.into()),
        #[cfg(target_family = "wasm")]
        None => false,
    })
}

/// The id of the goroutine being polled (1 is main), outside executors 0.
pub fn current_goroutine() -> u64 {
    let id = CURRENT.with(|c| c.borrow().as_ref().map_or(0, |l| l.current_goid.get()));
    #[cfg(not(target_family = "wasm"))]
    if id == 0 {
        return multi::current_goid();
    }
    id
}

/// Records what the goroutine being polled is about to wait on ("chan
/// receive", "select", ...); deadlock reports show it. No-op outside.
#[inline]
pub fn set_wait_reason(reason: &'static str) {
    executor::REASON_TL.with(|r| r.set(reason))
}

/// Spends one unit of the goroutine's cooperative budget. Returns false when
/// the budget is spent: the caller must then wake itself and return
/// `Pending`, so that a goroutine whose channels are always ready still lets
/// others run. Always true outside executors.
#[inline]
pub fn coop_proceed() -> bool {
    executor::BUDGET_TL.with(|c| {
        let b = c.get();
        if b == executor::UNLIMITED {
            true
        } else if b == 0 {
            false
        } else {
            c.set(b - 1);
            true
        }
    })
}

/// Yields once: lets every other runnable goroutine run first.
pub async fn yield_now() {
    let mut yielded = false;
    poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
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

/// Wall-clock Unix seconds (from the host under WebAssembly).
pub(crate) fn wall_unix_s() -> f64 {
    #[cfg(target_family = "wasm")]
    {
        (wasm::platform().unix_s)()
    }
    #[cfg(not(target_family = "wasm"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}
