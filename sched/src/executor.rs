//! The single-threaded executor: goroutines as stackless futures.
//!
//! One executor runs on one OS thread. Its goroutines live in a slab; a run
//! queue holds the ones that were woken. Under the deterministic
//! configuration the next goroutine is drawn at random from the run queue
//! with the executor's seeded RNG and time is virtual: when nothing is
//! runnable the clock jumps to the next timer, and when there is no timer
//! either, every goroutine is asleep and the run ends with a deadlock error
//! that names what each goroutine waits on. Under the real-clock
//! configuration the run queue is FIFO and the thread sleeps in the `polling`
//! reactor until the next timer, an IO event or a wake-up from another thread.
//!
//! Wakers are `Send + Sync`: a wake on the executor's own thread pushes onto
//! the local run queue; a wake from any other thread goes through the shared
//! remote queue and notifies the reactor.

use crate::reactor::Reactor;
use crate::rng::{random_seed, Rng};
use crate::timer::{Action, TimerKey, Wheel};
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
#[cfg(not(target_family = "wasm"))]
use std::sync::OnceLock;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;
#[cfg(not(target_family = "wasm"))]
use std::time::Instant;

/// Polls a goroutine may make of channel operations before it must yield
/// (cooperative budget, as in tokio); counted, so it is part of what a seed
/// reproduces.
pub const BUDGET: u32 = 128;

/// Goroutines polled between two checks of timers, IO and remote wake-ups
/// on the real clock.
const BATCH: usize = 61;

/// Which clock an executor runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockKind {
    /// Virtual time: starts at 0 and jumps to the next timer when every
    /// goroutine is blocked. Fully deterministic.
    Virtual,
    /// The OS monotonic clock, with the `polling` reactor for IO.
    Real,
}

/// Unix time (seconds) at which virtual clocks start, so that `time.now()`
/// under a virtual clock looks like a real timestamp and is reproducible.
pub const VIRTUAL_EPOCH_UNIX: f64 = 1_700_000_000.0;

/// The process-wide origin of real clocks: every real-clock executor and
/// every thread measure monotonic nanoseconds from this instant.
#[cfg(not(target_family = "wasm"))]
pub(crate) fn real_base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Nanoseconds since `real_base()` on the OS monotonic clock (under
/// WebAssembly, the host's monotonic clock).
pub fn real_now_ns() -> u64 {
    #[cfg(target_family = "wasm")]
    {
        (crate::wasm::platform().mono_ns)()
    }
    #[cfg(not(target_family = "wasm"))]
    {
        real_base().elapsed().as_nanos() as u64
    }
}

/// What a host-driven executor needs after a turn ([`Runtime::run_turn`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turn {
    /// Goroutines are still runnable: give it another turn soon (in the
    /// browser, in a new macrotask, so that the page stays responsive).
    Busy,
    /// Nothing is runnable until a timer fires (at `next_timer_ns` on the
    /// executor's clock, if any timer is armed) or something wakes a
    /// goroutine from outside.
    Idle {
        /// The deadline of the earliest armed timer.
        next_timer_ns: Option<u64>,
        /// How many goroutines are alive (all blocked).
        goroutines: usize,
    },
}

/// Why a run ended without its main goroutine finishing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// Every goroutine is blocked and no timer is armed.
    Deadlock {
        /// The seed of the run, to reproduce it.
        seed: u64,
        /// Each blocked goroutine: (id, name, what it waits on).
        goroutines: Vec<(u64, String, &'static str)>,
    },
    /// A goroutine panicked and did not recover.
    Panic {
        /// The seed of the run, to reproduce it.
        seed: u64,
        /// The goroutine's id (1 is main).
        goroutine: u64,
        /// The goroutine's name.
        name: String,
        /// The panic's message.
        message: String,
    },
}

impl RunError {
    /// The seed that reproduces this run.
    pub fn seed(&self) -> u64 {
        match self {
            RunError::Deadlock { seed, .. } | RunError::Panic { seed, .. } => *seed,
        }
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Deadlock { seed, goroutines } => {
                write!(f, "all goroutines are asleep - deadlock! (seed {seed})")?;
                for (id, name, why) in goroutines {
                    write!(f, "\n\ngoroutine {id} [{why}]: {name}")?;
                }
                Ok(())
            }
            RunError::Panic { seed, goroutine, name, message } => {
                write!(f, "panic: {message}\n\ngoroutine {goroutine} [running]: {name} (seed {seed})")
            }
        }
    }
}

impl std::error::Error for RunError {}

/// The part of an executor that other threads may touch.
pub(crate) struct Shared {
    /// Tells executors apart (wakers check it to find their local queue).
    pub(crate) id: usize,
    /// Wake-ups and spawns from other threads.
    remote: Mutex<Remote>,
    /// Whether `remote` may hold something (checked without the lock).
    has_remote: AtomicBool,
    /// Whether the executor thread is (about to be) asleep in the reactor.
    sleeping: AtomicBool,
    /// The timers; behind a mutex so that other threads can arm them.
    pub(crate) timers: Mutex<Wheel>,
    /// Current virtual time (ns); unused on the real clock.
    virtual_now: AtomicU64,
    /// Which clock this executor runs on.
    pub(crate) clock: ClockKind,
    /// The IO reactor (real clock only).
    pub(crate) reactor: Option<Reactor>,
    /// The seed of this executor's RNG.
    pub(crate) seed: u64,
    /// Set when this is the shared part of a [`crate::MultiRuntime`]: spawns
    /// go to its worker queues, and its timers are fired by its timer thread.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) multi: Option<Arc<crate::multi::Inner>>,
}

/// A goroutine spawned from another thread, boxed for the remote queue.
type SendTask = Pin<Box<dyn Future<Output = ()> + Send>>;

/// What other threads hand to the executor.
#[derive(Default)]
struct Remote {
    /// Goroutines woken from other threads: (slab key, generation).
    woken: Vec<(usize, u64)>,
    /// Goroutines spawned from other threads, with their names.
    spawned: Vec<(SendTask, Option<String>)>,
}

impl Shared {
    /// The executor's current time in nanoseconds.
    #[inline]
    pub(crate) fn now_ns(&self) -> u64 {
        match self.clock {
            ClockKind::Virtual => self.virtual_now.load(Ordering::Acquire),
            ClockKind::Real => real_now_ns(),
        }
    }

    // Makes a sleeping executor thread look at its queues again.
    fn notify(&self) {
        if self.sleeping.load(Ordering::SeqCst) {
            if let Some(r) = &self.reactor {
                r.notify();
            }
        }
    }

    fn push_remote(&self, f: impl FnOnce(&mut Remote)) {
        f(&mut self.remote.lock().unwrap());
        self.has_remote.store(true, Ordering::SeqCst);
        self.notify();
    }

    /// The state other threads share, for a single-thread executor or (with
    /// `multi`) for the multi-thread one.
    pub(crate) fn new(clock: ClockKind, seed: u64, #[cfg(not(target_family = "wasm"))] multi: Option<Arc<crate::multi::Inner>>) -> Shared {
        let reactor = match clock {
            ClockKind::Real => Some(Reactor::new().expect("golang-sched: cannot create the IO poller")),
            ClockKind::Virtual => None,
        };
        let mut wheel = Wheel::new();
        if clock == ClockKind::Real {
            // The wheel starts at the current monotonic time.
            let mut none = Vec::new();
            wheel.advance(real_now_ns(), &mut none);
        }
        Shared {
            id: NEXT_EXECUTOR_ID.fetch_add(1, Ordering::Relaxed),
            remote: Mutex::new(Remote::default()),
            has_remote: AtomicBool::new(false),
            sleeping: AtomicBool::new(false),
            timers: Mutex::new(wheel),
            virtual_now: AtomicU64::new(0),
            clock,
            reactor,
            seed,
            #[cfg(not(target_family = "wasm"))]
            multi,
        }
    }

    /// The multi-thread runtime's timer thread: sleeps in the reactor until
    /// the next deadline or until `add_timer` notifies it, fires what is
    /// due, until `stop` is set (then call [`Shared::stop_timer_loop`]).
    /// `add_timer` from a non-executor thread sets `has_remote` before it
    /// reads `sleeping`, and this loop sets `sleeping` before it reads
    /// `has_remote` (all SeqCst), so one of the two sees the other.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn timer_loop(&self, stop: &AtomicBool) {
        let reactor = self.reactor.as_ref().expect("timer loop on the real clock");
        while !stop.load(Ordering::SeqCst) {
            self.sleeping.store(true, Ordering::SeqCst);
            if !self.has_remote.swap(false, Ordering::SeqCst) {
                let next = self.timers.lock().unwrap().peek();
                reactor.wait(next.map(|d| Duration::from_nanos(d.saturating_sub(real_now_ns()))));
            }
            self.sleeping.store(false, Ordering::SeqCst);
            let mut fired = Vec::new();
            self.timers.lock().unwrap().advance(real_now_ns(), &mut fired);
            for a in fired {
                match a {
                    Action::Wake(w) => w.wake(),
                    Action::Call(f) => f(),
                }
            }
        }
    }

    /// Ends [`Shared::timer_loop`] after `stop` was set.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn stop_timer_loop(&self) {
        self.has_remote.store(true, Ordering::SeqCst);
        if let Some(r) = &self.reactor {
            r.notify();
        }
    }

    /// Arms a timer (from any thread).
    pub(crate) fn add_timer(&self, deadline: u64, action: Action) -> TimerKey {
        let key = self.timers.lock().unwrap().insert(deadline, action);
        // A sleeping real-clock executor may be waiting for a later deadline.
        if self.clock == ClockKind::Real && !on_executor(self) {
            self.has_remote.store(true, Ordering::SeqCst);
            self.notify();
        }
        key
    }
}

/// A task's waker: schedules the task on its executor, from any thread.
struct TaskWaker {
    key: usize,
    gen: u64,
    /// Set while the task sits in a run queue, so a task is queued once.
    scheduled: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return; // already queued
        }
        let local = CURRENT.with(|c| {
            if let Some(l) = &*c.borrow() {
                if l.shared.id == self.shared.id {
                    l.runq.borrow_mut().push_back((self.key, self.gen));
                    return true;
                }
            }
            false
        });
        if !local {
            self.shared.push_remote(|r| r.woken.push((self.key, self.gen)));
        }
    }
}

struct Task {
    /// The goroutine's future; `None` while it is being polled.
    fut: Option<Pin<Box<dyn Future<Output = ()>>>>,
    waker: Arc<TaskWaker>,
    goid: u64,
    name: Option<String>,
    /// What it waited on when it last returned Pending.
    reason: &'static str,
}

/// Executor state that only its own thread touches.
pub(crate) struct Local {
    pub(crate) shared: Arc<Shared>,
    runq: RefCell<VecDeque<(usize, u64)>>,
    tasks: RefCell<Slab<Task>>,
    /// The RNG, while the executor is not running (while it runs, its state
    /// lives in the thread-local `EXEC_RNG`).
    rng: Cell<Rng>,
    /// Draw the next goroutine at random (deterministic mode) or FIFO.
    random_schedule: bool,
    next_goid: Cell<u64>,
    next_gen: Cell<u64>,
    /// The first panic of a goroutine, which ends the run.
    panicked: RefCell<Option<RunError>>,
    /// Called around the real-clock executor's sleeps in the reactor (e.g.
    /// to release and retake an interpreter lock); see
    /// [`Runtime::set_idle_hooks`].
    idle_hooks: RefCell<Option<IdleHooks>>,
    /// The longest the real-clock executor sleeps at once while it has idle
    /// hooks (so that the exit hook gets to run, e.g. to look for signals);
    /// see [`Runtime::set_idle_poll`].
    idle_poll: Cell<Option<Duration>>,
    /// Waits in place of the reactor's sleep, outside the executor's
    /// context; see [`Runtime::set_idle_wait`].
    #[allow(clippy::type_complexity)]
    idle_wait: RefCell<Option<Box<dyn Fn(Option<Duration>, i32) -> Result<(), String>>>>,
    /// The id of the goroutine being polled.
    pub(crate) current_goid: Cell<u64>,
}

/// Functions run before and after the executor thread sleeps.
type IdleHooks = (Box<dyn Fn()>, Box<dyn Fn()>);

/// The budget value meaning "not in a goroutine": never spent.
pub(crate) const UNLIMITED: u32 = u32::MAX;

thread_local! {
    pub(crate) static CURRENT: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    // The hot per-poll state lives in plain cells, not behind CURRENT's
    // RefCell, because channel operations touch it on every call.
    /// Remaining cooperative budget of the goroutine being polled.
    pub(crate) static BUDGET_TL: Cell<u32> = const { Cell::new(UNLIMITED) };
    /// What the goroutine being polled says it waits on.
    pub(crate) static REASON_TL: Cell<&'static str> = const { Cell::new("") };
    /// Whether an executor runs on this thread (its RNG is in `EXEC_RNG`).
    pub(crate) static IN_EXEC: Cell<bool> = const { Cell::new(false) };
    /// The running executor's RNG.
    pub(crate) static EXEC_RNG: Cell<Rng> = const { Cell::new(Rng::new(0)) };
}

/// A draw from the running executor's RNG (the caller checked `IN_EXEC`).
#[inline]
pub(crate) fn exec_rand_below(n: usize) -> usize {
    EXEC_RNG.with(|c| {
        let mut r = c.get();
        let v = r.below(n);
        c.set(r);
        v
    })
}

static NEXT_EXECUTOR_ID: AtomicUsize = AtomicUsize::new(1);

fn on_executor(shared: &Shared) -> bool {
    CURRENT.with(|c| matches!(&*c.borrow(), Some(l) if l.shared.id == shared.id))
}

impl Local {
    pub(crate) fn spawn(&self, fut: Pin<Box<dyn Future<Output = ()>>>, name: Option<String>) -> u64 {
        let goid = self.next_goid.get();
        self.next_goid.set(goid + 1);
        let gen = self.next_gen.get();
        self.next_gen.set(gen + 1);
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let key = entry.key();
        let waker = Arc::new(TaskWaker {
            key,
            gen,
            scheduled: AtomicBool::new(true),
            shared: self.shared.clone(),
        });
        entry.insert(Task { fut: Some(fut), waker, goid, name, reason: "runnable" });
        self.runq.borrow_mut().push_back((key, gen));
        goid
    }

    fn pop_runnable(&self) -> Option<(usize, u64)> {
        let mut q = self.runq.borrow_mut();
        if self.random_schedule && q.len() > 1 {
            let i = exec_rand_below(q.len());
            q.swap_remove_back(i)
        } else {
            q.pop_front()
        }
    }

    fn drain_remote(&self) {
        if !self.shared.has_remote.swap(false, Ordering::SeqCst) {
            return;
        }
        let remote = std::mem::take(&mut *self.shared.remote.lock().unwrap());
        self.runq.borrow_mut().extend(remote.woken);
        for (fut, name) in remote.spawned {
            self.spawn(fut, name);
        }
    }

    // Polls one goroutine. Returns false if it panicked.
    fn run_task(&self, key: usize, gen: u64) {
        let (mut fut, waker) = {
            let mut tasks = self.tasks.borrow_mut();
            let task = match tasks.get_mut(key) {
                Some(t) if t.waker.gen == gen => t,
                _ => return, // finished goroutine: a stale wake-up
            };
            let fut = match task.fut.take() {
                Some(f) => f,
                None => return,
            };
            task.waker.scheduled.store(false, Ordering::Release);
            (fut, Waker::from(task.waker.clone()))
        };
        BUDGET_TL.with(|b| b.set(BUDGET));
        REASON_TL.with(|r| r.set(""));
        self.current_goid.set(self.tasks.borrow()[key].goid);
        let mut cx = Context::from_waker(&waker);
        let res = catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(&mut cx)));
        let mut tasks = self.tasks.borrow_mut();
        match res {
            Ok(Poll::Pending) => {
                let task = &mut tasks[key];
                task.fut = Some(fut);
                task.reason = match REASON_TL.with(|r| r.get()) {
                    "" => "future",
                    r => r,
                };
            }
            Ok(Poll::Ready(())) => {
                tasks.remove(key);
                drop(tasks);
                drop(fut);
            }
            Err(payload) => {
                let task = tasks.remove(key);
                drop(tasks);
                drop(fut);
                let message = panic_message(&*payload);
                let mut p = self.panicked.borrow_mut();
                if p.is_none() {
                    *p = Some(RunError::Panic {
                        seed: self.shared.seed,
                        goroutine: task.goid,
                        name: task.name.unwrap_or_else(|| format!("goroutine {}", task.goid)),
                        message,
                    });
                }
            }
        }
    }

    // Fires every timer that is due at the executor's current time.
    fn fire_timers(&self, now: u64) -> bool {
        let mut fired = Vec::new();
        self.shared.timers.lock().unwrap().advance(now, &mut fired);
        let any = !fired.is_empty();
        for a in fired {
            match a {
                Action::Wake(w) => w.wake(),
                Action::Call(f) => f(),
            }
        }
        any
    }

    /// Ends the run as if the goroutine being polled had panicked with
    /// `message`, without unwinding (for goroutines that report failures
    /// another way, e.g. a Python exception).
    pub(crate) fn fail(&self, message: String) {
        let goid = self.current_goid.get();
        let name = if goid == 1 {
            "main".to_string()
        } else {
            self.tasks
                .borrow()
                .iter()
                .find(|(_, t)| t.goid == goid)
                .and_then(|(_, t)| t.name.clone())
                .unwrap_or_else(|| format!("goroutine {goid}"))
        };
        let mut p = self.panicked.borrow_mut();
        if p.is_none() {
            *p = Some(RunError::Panic { seed: self.shared.seed, goroutine: goid, name, message });
        }
    }

    fn blocked_report(&self, main_reason: &'static str) -> Vec<(u64, String, &'static str)> {
        let mut v = vec![(1, "main".to_string(), main_reason)];
        for (_, t) in self.tasks.borrow().iter() {
            v.push((t.goid, t.name.clone().unwrap_or_else(|| format!("goroutine {}", t.goid)), t.reason));
        }
        v.sort_by_key(|g| g.0);
        v
    }
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// A single-threaded executor: create it, then `block_on` a main future.
///
/// ```
/// use golang_sched::{go, Runtime};
/// let rt = Runtime::deterministic(42);
/// let out = rt.block_on(async {
///     go(async { /* a goroutine */ });
///     golang_sched::sleep(std::time::Duration::from_secs(3600)).await; // virtual: instant
///     7
/// });
/// assert_eq!(out.unwrap(), 7);
/// ```
pub struct Runtime {
    local: Rc<Local>,
}

/// A `Send + Sync` handle to an executor, to spawn onto it and to arm its
/// timers from any thread.
#[derive(Clone)]
pub struct Handle {
    pub(crate) shared: Arc<Shared>,
}

impl Runtime {
    /// The deterministic executor: virtual clock, seeded random scheduling.
    pub fn deterministic(seed: u64) -> Runtime {
        Runtime::new(ClockKind::Virtual, seed, true)
    }

    /// The executor on the real clock, with the IO reactor and FIFO
    /// scheduling; its select choices still come from its (random) seed.
    pub fn real() -> Runtime {
        Runtime::new(ClockKind::Real, random_seed(), false)
    }

    /// An executor with every choice spelled out.
    pub fn new(clock: ClockKind, seed: u64, random_schedule: bool) -> Runtime {
        let shared = Arc::new(Shared::new(
            clock,
            seed,
            #[cfg(not(target_family = "wasm"))]
            None,
        ));
        Runtime {
            local: Rc::new(Local {
                shared,
                runq: RefCell::new(VecDeque::new()),
                tasks: RefCell::new(Slab::new()),
                rng: Cell::new(Rng::new(seed)),
                random_schedule,
                next_goid: Cell::new(2),
                next_gen: Cell::new(1),
                panicked: RefCell::new(None),
                idle_hooks: RefCell::new(None),
                idle_poll: Cell::new(None),
                idle_wait: RefCell::new(None),
                current_goid: Cell::new(1),
            }),
        }
    }

    /// The seed of this executor.
    pub fn seed(&self) -> u64 {
        self.local.shared.seed
    }

    /// Sets functions to run just before the executor thread goes to sleep
    /// in the reactor and just after it wakes (real clock only; a zero
    /// timeout poll does not count as sleeping). The Python core uses them
    /// to hold the GIL while goroutines run and release it while the thread
    /// sleeps.
    pub fn set_idle_hooks(&self, enter: impl Fn() + 'static, exit: impl Fn() + 'static) {
        *self.local.idle_hooks.borrow_mut() = Some((Box::new(enter), Box::new(exit)));
    }

    /// Wakes the sleeping real-clock executor at least every `every` to run
    /// the idle hooks' exit (which may end the run with
    /// [`fail_run`](crate::fail_run): the Python core looks for Ctrl-C
    /// there). Without it the executor sleeps until its next event.
    pub fn set_idle_poll(&self, every: Duration) {
        self.local.idle_poll.set(Some(every));
    }

    /// Replaces the real-clock executor's sleep with `wait(timeout, fd)`,
    /// for an executor that runs inside another event loop (gevent's hub):
    /// `wait` should let that loop run until `fd` (the reactor's poller) is
    /// readable or `timeout` passes. It runs outside the executor's context
    /// (code it runs is not in a goroutine; its wakes are remote ones), and
    /// an `Err` ends the run with that message. Not on WebAssembly.
    pub fn set_idle_wait(&self, wait: impl Fn(Option<Duration>, i32) -> Result<(), String> + 'static) {
        *self.local.idle_wait.borrow_mut() = Some(Box::new(wait));
    }

    /// A handle for other threads.
    pub fn handle(&self) -> Handle {
        Handle { shared: self.local.shared.clone() }
    }

    /// Runs `main` (goroutine 1) and every goroutine it spawns until `main`
    /// returns; goroutines still running then are dropped, as a Go program
    /// exits when main returns. Fails on deadlock or on an unrecovered panic.
    pub fn block_on<F: Future>(&self, main: F) -> Result<F::Output, RunError> {
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.local.clone()));
        if prev.is_some() {
            CURRENT.with(|c| *c.borrow_mut() = prev);
            panic!("golang-sched: block_on called from inside a running executor");
        }
        IN_EXEC.with(|f| f.set(true));
        EXEC_RNG.with(|r| r.set(self.local.rng.get()));
        struct Reset;
        impl Drop for Reset {
            fn drop(&mut self) {
                IN_EXEC.with(|f| f.set(false));
                BUDGET_TL.with(|b| b.set(UNLIMITED));
                let l = CURRENT.with(|c| c.borrow_mut().take());
                if let Some(l) = l {
                    l.rng.set(EXEC_RNG.with(|r| r.get()));
                    // Goroutines left when main returns are dropped here,
                    // while the executor is still current for their Drops.
                    let tasks = std::mem::take(&mut *l.tasks.borrow_mut());
                    CURRENT.with(|c| *c.borrow_mut() = Some(l.clone()));
                    drop(tasks);
                    l.runq.borrow_mut().clear();
                    CURRENT.with(|c| c.borrow_mut().take());
                }
            }
        }
        let _reset = Reset;
        self.run(main)
    }

    /// Runs one turn of a host-driven executor (the one that the JavaScript
    /// event loop drives under WebAssembly): fires due timers, takes in
    /// goroutines spawned and woken from outside, and polls up to `max`
    /// runnable goroutines. Returns what the host should do next. Between
    /// turns the executor counts as asleep, so that a wake-up from outside
    /// asks the host for a turn (under WebAssembly through
    /// `golang_sched::wasm::Platform::wake`).
    ///
    /// There is no main goroutine: goroutines run until they finish, and
    /// the first unrecovered panic is returned (the goroutine is gone; the
    /// executor goes on).
    pub fn run_turn(&self, max: usize) -> Result<Turn, RunError> {
        let l = &*self.local;
        let prev = CURRENT.with(|c| c.borrow_mut().replace(self.local.clone()));
        if prev.is_some() {
            CURRENT.with(|c| *c.borrow_mut() = prev);
            panic!("golang-sched: run_turn called from inside a running executor");
        }
        IN_EXEC.with(|f| f.set(true));
        EXEC_RNG.with(|r| r.set(l.rng.get()));
        struct Leave<'a>(&'a Local);
        impl Drop for Leave<'_> {
            fn drop(&mut self) {
                IN_EXEC.with(|f| f.set(false));
                BUDGET_TL.with(|b| b.set(UNLIMITED));
                self.0.rng.set(EXEC_RNG.with(|r| r.get()));
                CURRENT.with(|c| c.borrow_mut().take());
            }
        }
        let _leave = Leave(l);
        l.shared.sleeping.store(false, Ordering::SeqCst);
        l.drain_remote();
        l.fire_timers(l.shared.now_ns());
        let mut n = 0;
        while n < max {
            let Some((key, gen)) = l.pop_runnable() else { break };
            l.run_task(key, gen);
            if let Some(e) = l.panicked.borrow_mut().take() {
                return Err(e);
            }
            n += 1;
        }
        l.drain_remote();
        if !l.runq.borrow().is_empty() {
            return Ok(Turn::Busy);
        }
        // Idle: from now on a wake-up from outside notifies the host.
        l.shared.sleeping.store(true, Ordering::SeqCst);
        if l.shared.has_remote.load(Ordering::SeqCst) {
            return Ok(Turn::Busy);
        }
        let next = l.shared.timers.lock().unwrap().peek();
        Ok(Turn::Idle { next_timer_ns: next, goroutines: l.tasks.borrow().len() })
    }

    fn run<F: Future>(&self, main: F) -> Result<F::Output, RunError> {
        let l = &*self.local;
        let mut main = pin!(main);
        let main_waker = Arc::new(TaskWaker {
            key: usize::MAX,
            gen: 0,
            scheduled: AtomicBool::new(true),
            shared: l.shared.clone(),
        });
        let waker = Waker::from(main_waker.clone());
        l.runq.borrow_mut().push_back((usize::MAX, 0));
        let mut main_reason = "runnable";
        loop {
            l.drain_remote();
            let mut n = 0;
            while let Some((key, gen)) = l.pop_runnable() {
                if key == usize::MAX {
                    main_waker.scheduled.store(false, Ordering::Release);
                    l.current_goid.set(1);
                    BUDGET_TL.with(|b| b.set(BUDGET));
                    REASON_TL.with(|r| r.set(""));
                    let mut cx = Context::from_waker(&waker);
                    match catch_unwind(AssertUnwindSafe(|| main.as_mut().poll(&mut cx))) {
                        Ok(Poll::Ready(out)) => return Ok(out),
                        Ok(Poll::Pending) if l.panicked.borrow().is_some() => {}
                        Ok(Poll::Pending) => {
                            main_reason = match REASON_TL.with(|r| r.get()) {
                                "" => "future",
                                r => r,
                            }
                        }
                        Err(payload) => {
                            return Err(RunError::Panic {
                                seed: l.shared.seed,
                                goroutine: 1,
                                name: "main".into(),
                                message: panic_message(&*payload),
                            })
                        }
                    }
                } else {
                    l.run_task(key, gen);
                }
                if let Some(e) = l.panicked.borrow_mut().take() {
                    return Err(e);
                }
                n += 1;
                if n >= BATCH && l.shared.clock == ClockKind::Real {
                    break;
                }
            }
            match l.shared.clock {
                ClockKind::Virtual => {
                    if !l.runq.borrow().is_empty() {
                        continue;
                    }
                    if l.shared.has_remote.load(Ordering::SeqCst) {
                        continue;
                    }
                    let next = l.shared.timers.lock().unwrap().next_deadline();
                    match next {
                        Some(d) => {
                            let now = d.max(l.shared.now_ns());
                            l.shared.virtual_now.store(now, Ordering::Release);
                            l.fire_timers(now);
                        }
                        None => {
                            return Err(RunError::Deadlock {
                                seed: l.shared.seed,
                                goroutines: l.blocked_report(main_reason),
                            })
                        }
                    }
                }
                ClockKind::Real => {
                    let reactor = l.shared.reactor.as_ref().unwrap();
                    let now = real_now_ns();
                    l.fire_timers(now);
                    let busy = !l.runq.borrow().is_empty();
                    let timeout = if busy {
                        Some(Duration::ZERO)
                    } else {
                        l.shared.sleeping.store(true, Ordering::SeqCst);
                        if l.shared.has_remote.load(Ordering::SeqCst) {
                            Some(Duration::ZERO)
                        } else {
                            let next = l.shared.timers.lock().unwrap().peek();
                            next.map(|d| Duration::from_nanos(d.saturating_sub(real_now_ns())))
                        }
                    };
                    let waits_elsewhere = l.idle_wait.borrow().is_some();
                    if timeout != Some(Duration::ZERO) && waits_elsewhere {
                        // Leave the executor's context while the other loop
                        // runs: wakes from its code go through the remote
                        // queue and notify the poller, ending the wait.
                        let cur = CURRENT.with(|c| c.borrow_mut().take());
                        IN_EXEC.with(|f| f.set(false));
                        let fd = reactor.raw_fd();
                        let res = match &*l.idle_wait.borrow() {
                            Some(wait) => wait(timeout, fd),
                            None => Ok(()),
                        };
                        CURRENT.with(|c| *c.borrow_mut() = cur);
                        IN_EXEC.with(|f| f.set(true));
                        reactor.wait(Some(Duration::ZERO));
                        if let Err(m) = res {
                            l.fail(m);
                        }
                        if let Some(e) = l.panicked.borrow_mut().take() {
                            return Err(e);
                        }
                    } else if timeout != Some(Duration::ZERO) {
                        let hooks = l.idle_hooks.borrow();
                        if let Some((enter, _)) = &*hooks {
                            enter();
                        }
                        let timeout = match (timeout, l.idle_poll.get()) {
                            (t, None) => t,
                            (None, Some(p)) => Some(p),
                            (Some(t), Some(p)) => Some(t.min(p)),
                        };
                        reactor.wait(timeout);
                        if let Some((_, exit)) = &*hooks {
                            exit();
                        }
                        drop(hooks);
                        // The exit hook may have ended the run.
                        if let Some(e) = l.panicked.borrow_mut().take() {
                            return Err(e);
                        }
                    } else if reactor.has_sources() {
                        reactor.wait(timeout);
                    }
                    l.shared.sleeping.store(false, Ordering::SeqCst);
                }
            }
        }
    }
}

impl Handle {
    /// Spawns a goroutine onto this executor from any thread.
    pub fn spawn<F: Future<Output = ()> + Send + 'static>(&self, fut: F) {
        self.spawn_named(None, fut)
    }

    /// Like `spawn`, with a name that deadlock and panic reports show.
    pub fn spawn_named<F: Future<Output = ()> + Send + 'static>(&self, name: Option<String>, fut: F) {
        #[cfg(not(target_family = "wasm"))]
        if let Some(m) = &self.shared.multi {
            return m.spawn(Box::pin(fut), name);
        }
        let fut: SendTask = Box::pin(fut);
        let local = CURRENT.with(|c| c.borrow().as_ref().filter(|l| l.shared.id == self.shared.id).cloned());
        match local {
            Some(l) => {
                l.spawn(fut, name);
            }
            None => self.shared.push_remote(|r| r.spawned.push((fut, name))),
        }
    }

    /// The executor's current time in nanoseconds (virtual or monotonic).
    pub fn now_ns(&self) -> u64 {
        self.shared.now_ns()
    }

    /// Which clock the executor runs on.
    pub fn clock(&self) -> ClockKind {
        self.shared.clock
    }

    /// Arms a timer that runs `action` at `deadline` (ns of this clock).
    pub fn add_timer(&self, deadline: u64, action: Action) -> TimerKey {
        self.shared.add_timer(deadline, action)
    }

    /// Cancels a timer; returns whether it was still armed.
    pub fn cancel_timer(&self, key: TimerKey) -> bool {
        self.shared.timers.lock().unwrap().cancel(key)
    }

    /// Whether a timer is still armed.
    pub fn timer_armed(&self, key: TimerKey) -> bool {
        self.shared.timers.lock().unwrap().is_armed(key)
    }

    /// Replaces the waker of an armed waking timer.
    pub fn set_timer_waker(&self, key: TimerKey, waker: &Waker) -> bool {
        self.shared.timers.lock().unwrap().set_waker(key, waker)
    }

    /// The executor's seed.
    pub fn seed(&self) -> u64 {
        self.shared.seed
    }
}

