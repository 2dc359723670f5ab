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
//!
//! Invariants of the goroutine table (the slab of tasks and its wakers):
//! 1. A goroutine is named by (slab key, generation); every spawn takes a
//!    new generation. A run-queue entry whose generation is not the one of
//!    the task now at that key is stale (its goroutine finished) and is
//!    skipped, so a late wake never polls another goroutine.
//! 2. A task's `scheduled` flag is set while an entry for it sits in a run
//!    queue (local or remote), so a goroutine is queued at most once.
//! 3. A finished goroutine's `TaskWaker` is kept for the next spawn only
//!    when the executor holds its only reference (a strong count of 1, then
//!    an acquire fence; no `Weak` of it is ever made): no `Waker` of the
//!    old goroutine exists then, and none can be made while it is kept, so
//!    none can wake the new one; entries already queued are stale by 1. A
//!    spawn renames it (its key and generation are atomics, stored without
//!    a read-modify-write) instead of allocating a new one.
//! 4. A task's `gen` is its waker's generation, copied into the slab entry
//!    so that checking a run-queue entry (invariant 1) does not reach the
//!    waker's allocation.

use crate::clock::{real_now_ns, ClockKind};
use crate::context::{self, poll_guarded, RunError};
use crate::driver::Driver;
use crate::handle::{self, Executor, Handle, SendTask};
use crate::reactor::{self, Reactor};
use crate::rng::{random_seed, Rng};
use crate::schedule::{Divergence, Schedule};
use crate::schedule::Strategy;
use crate::strategy::Decider;
use crate::taskfut::TaskFut;
use crate::trace::{By, Event, Trace};
use crate::timer::{Action, TimerKey};
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::mem::ManuallyDrop;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

/// Goroutines polled between two checks of timers, IO and remote wake-ups
/// on the real clock.
const BATCH: usize = 61;

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

/// The part of an executor that other threads may touch.
pub(crate) struct Shared {
    /// Tells executors apart (wakers check it to find their local queue).
    pub(crate) id: usize,
    /// Wake-ups and spawns from other threads (`driver.has_remote` says
    /// whether it may hold something).
    remote: Mutex<Remote>,
    /// The clock, the timers and the reactor this executor sleeps in.
    pub(crate) driver: Driver,
    /// The seed of this executor's RNG.
    pub(crate) seed: u64,
}

/// Spawns on the executor running on this thread, if any; gives the future
/// back otherwise. The fast path of `go`: no handle (no `Arc` count) and
/// no second look-up (`CURRENT` holds only single-thread executors).
#[inline]
pub(crate) fn spawn_current<F: Future<Output = ()> + 'static>(fut: F, name: Option<String>) -> Result<u64, (F, Option<String>)> {
    CURRENT.with(|c| match &*c.borrow() {
        Some(l) => Ok(l.spawn(TaskFut::new(fut), name)),
        None => Err((fut, name)),
    })
}

/// What other threads hand to the executor.
#[derive(Default)]
struct Remote {
    /// Goroutines woken from other threads: (slab key, generation).
    woken: Vec<(usize, u64)>,
    /// Goroutines spawned from other threads, with their names.
    spawned: Vec<(SendTask, Option<String>)>,
}

impl Shared {
    fn push_remote(&self, f: impl FnOnce(&mut Remote)) {
        f(&mut self.remote.lock().unwrap());
        self.driver.hand_over();
    }
}

impl Executor for Shared {
    fn spawn(self: Arc<Self>, fut: SendTask, name: Option<String>) {
        let local = CURRENT.with(|c| c.borrow().as_ref().filter(|l| l.shared.id == self.id).cloned());
        match local {
            Some(l) => {
                l.spawn(TaskFut::new(fut), name);
            }
            None => self.push_remote(|r| r.spawned.push((fut, name))),
        }
    }

    fn add_timer(&self, deadline: u64, action: Action) -> TimerKey {
        let from_outside = self.driver.clock == ClockKind::Real && !on_executor(self);
        self.driver.add_timer(deadline, action, from_outside)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }

    fn seed(&self) -> u64 {
        self.seed
    }
}

/// A task's waker: schedules the task on its executor, from any thread.
struct TaskWaker {
    /// The task's slab key and generation (invariant 1); renamed only
    /// while the executor holds the waker alone (invariant 3).
    key: AtomicUsize,
    gen: AtomicU64,
    /// Set while the task sits in a run queue, so a task is queued once.
    scheduled: AtomicBool,
    shared: Arc<Shared>,
}

impl TaskWaker {
    fn new(key: usize, gen: u64, shared: Arc<Shared>) -> TaskWaker {
        TaskWaker { key: AtomicUsize::new(key), gen: AtomicU64::new(gen), scheduled: AtomicBool::new(true), shared }
    }

    /// The run-queue entry that names its task.
    #[inline]
    fn entry(&self) -> (usize, u64) {
        (self.key.load(Ordering::Relaxed), self.gen.load(Ordering::Relaxed))
    }
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
                    l.runq.borrow_mut().push_back(self.entry());
                    return true;
                }
            }
            false
        });
        if !local {
            self.shared.push_remote(|r| r.woken.push(self.entry()));
        }
    }
}

/// Finished goroutines' wakers kept for reuse (invariant 3), at most this
/// many: enough for a batch of short goroutines, bounded in memory.
const FREE_WAKERS: usize = 1024;

struct Task {
    /// The goroutine's future; `None` while it is being polled.
    fut: Option<TaskFut>,
    waker: Arc<TaskWaker>,
    /// The waker's generation (invariant 4).
    gen: u64,
    goid: u64,
    /// (boxed: 16 bytes where a `String` takes 24, in every slab entry)
    name: Option<Box<str>>,
    /// What it waited on when it last returned Pending.
    reason: &'static str,
}

/// Executor state that only its own thread touches.
pub(crate) struct Local {
    pub(crate) shared: Arc<Shared>,
    runq: RefCell<VecDeque<(usize, u64)>>,
    tasks: RefCell<Slab<Task>>,
    /// Wakers of finished goroutines, for the next spawns (invariant 3).
    free_wakers: RefCell<Vec<Arc<TaskWaker>>>,
    /// The RNG, while the executor is not running (while it runs, its state
    /// lives in the thread-locals of `context.rs`).
    rng: Cell<Rng>,
    /// Let the decider choose the next goroutine (deterministic mode), or
    /// run them FIFO.
    random_schedule: bool,
    /// The decisions' maker, while the executor is not running (while it
    /// runs it lives in the thread-locals of `context.rs`); `Some` exactly
    /// when `random_schedule`.
    decider: RefCell<Option<Box<Decider>>>,
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
    /// Asked by the virtual-clock executor before it reports a deadlock;
    /// see [`Runtime::set_outside_wait`].
    #[allow(clippy::type_complexity)]
    outside_wait: RefCell<Option<Box<dyn Fn() -> bool>>>,
    /// The id of the goroutine being polled.
    pub(crate) current_goid: Cell<u64>,
    /// What the main goroutine waited on when it last returned Pending
    /// (the other goroutines' is in their task): for POS's events and the
    /// deadlock report.
    main_reason: Cell<&'static str>,
    /// Whether `block_on` records its steps in `trace` (trace.rs); read
    /// once per run, so an untraced run's cost is one test per step.
    tracing: Cell<bool>,
    /// The events recorded while `tracing`.
    trace: RefCell<Trace>,
}

/// Functions run before and after the executor thread sleeps.
type IdleHooks = (Box<dyn Fn()>, Box<dyn Fn()>);

thread_local! {
    /// The single-thread executor running on this thread.
    static CURRENT: RefCell<Option<Rc<Local>>> = const { RefCell::new(None) };
    /// Whether `CURRENT` holds an executor on a virtual clock: set and
    /// cleared with it (`install`, `uninstall`), so that `unix_now` on a
    /// real clock reads one plain cell before the wall clock.
    static CURRENT_VIRTUAL: Cell<bool> = const { Cell::new(false) };
}

static NEXT_EXECUTOR_ID: AtomicUsize = AtomicUsize::new(1);

fn on_executor(shared: &Shared) -> bool {
    CURRENT.with(|c| matches!(&*c.borrow(), Some(l) if l.shared.id == shared.id))
}

impl Local {
    /// The executor's handle.
    fn handle(&self) -> Handle {
        Handle::new(self.shared.clone())
    }

    pub(crate) fn spawn(&self, fut: TaskFut, name: Option<String>) -> u64 {
        let goid = self.next_goid.get();
        self.next_goid.set(goid + 1);
        let gen = self.next_gen.get();
        self.next_gen.set(gen + 1);
        let mut tasks = self.tasks.borrow_mut();
        let entry = tasks.vacant_entry();
        let key = entry.key();
        // Invariant 3: a kept waker is ours alone, so it can be renamed.
        let waker = match self.free_wakers.borrow_mut().pop() {
            Some(w) => {
                w.key.store(key, Ordering::Relaxed);
                w.gen.store(gen, Ordering::Relaxed);
                w.scheduled.store(true, Ordering::Relaxed); // invariant 2: queued below
                w
            }
            None => Arc::new(TaskWaker::new(key, gen, self.shared.clone())),
        };
        entry.insert(Task { fut: Some(fut), waker, gen, goid, name: name.map(String::into_boxed_str), reason: "runnable" });
        self.runq.borrow_mut().push_back((key, gen));
        goid
    }

    fn pop_runnable(&self) -> Option<(usize, u64)> {
        let mut q = self.runq.borrow_mut();
        if self.random_schedule && q.len() > 1 {
            // a choice: the decider's (invariant 4 of strategy.rs)
            let i = self.decide_run(&q);
            q.swap_remove_back(i)
        } else {
            // FIFO (real clock) or no choice: nothing to decide.
            q.pop_front()
        }
    }

    /// Asks the decider which run-queue entry runs next (strategy.rs).
    #[inline]
    fn decide_run(&self, q: &VecDeque<(usize, u64)>) -> usize {
        let n = q.len();
        // Random, not recording: the count is all it needs (a small
        // closure; the candidates' path is out of line).
        let fast = context::with_decider(|d| (!d.wants_candidates()).then(|| d.run_index_fast(n)));
        match fast {
            Some(i) => i,
            None => self.decide_run_candidates(q),
        }
    }

    /// `decide_run` for a decider that wants the candidates (and maybe
    /// their wait reasons).
    #[inline(never)]
    fn decide_run_candidates(&self, q: &VecDeque<(usize, u64)>) -> usize {
        context::with_decider(|d| {
            let tasks = self.tasks.borrow();
            let cands: Vec<u64> = q
                .iter()
                .map(|&(key, gen)| match tasks.get(key) {
                    _ if key == usize::MAX => 1,
                    Some(t) if t.gen == gen => t.goid,
                    _ => 0, // a finished goroutine's entry (invariant 1)
                })
                .collect();
            if d.wants_reasons() {
                // What each candidate last waited on: what its pending
                // event is (POS's races; invariant 5 of strategy.rs: the
                // same queue, the same order, just before the decision).
                let reasons: Vec<&'static str> = q
                    .iter()
                    .map(|&(key, gen)| match tasks.get(key) {
                        _ if key == usize::MAX => self.main_reason.get(),
                        Some(t) if t.gen == gen => t.reason,
                        _ => "exit",
                    })
                    .collect();
                d.note_reasons(&reasons);
            }
            d.run_index(&cands, self.current_goid.get())
        })
    }

    fn drain_remote(&self) {
        if !self.shared.driver.has_remote.swap(false, Ordering::SeqCst) {
            return;
        }
        let remote = std::mem::take(&mut *self.shared.remote.lock().unwrap());
        self.runq.borrow_mut().extend(remote.woken);
        for (fut, name) in remote.spawned {
            self.spawn(TaskFut::new(fut), name);
        }
    }

    // Polls one goroutine. Returns false if it panicked.
    fn run_task(&self, key: usize, gen: u64) {
        let (mut fut, waker) = {
            let mut tasks = self.tasks.borrow_mut();
            let task = match tasks.get_mut(key) {
                Some(t) if t.gen == gen => t,
                _ => return, // finished goroutine: a stale wake-up (invariant 1)
            };
            let fut = match task.fut.take() {
                Some(f) => f,
                None => return,
            };
            task.waker.scheduled.store(false, Ordering::Release); // invariant 2
            self.current_goid.set(task.goid);
            // SAFETY: `Arc::from_raw` gets the pointer of the live
            // `Arc<TaskWaker>` that the task holds, without a count of its
            // own; the `Waker` made of it is never dropped (`ManuallyDrop`),
            // so the counts stay balanced. The task's `Arc` outlives it: only
            // this function removes the task from the slab, after the poll,
            // and the poll cannot reach the slab's entry (spawning during it
            // moves entries, not the `Arc`'s allocation). A clone of the
            // waker counts normally, so invariant 3 still sees it.
            let w = unsafe { Arc::from_raw(Arc::as_ptr(&task.waker)) };
            (fut, ManuallyDrop::new(Waker::from(w)))
        };
        let mut cx = Context::from_waker(&waker);
        let res = poll_guarded(fut.as_mut(), &mut cx);
        let mut tasks = self.tasks.borrow_mut();
        match res {
            Ok(Poll::Pending) => {
                let task = &mut tasks[key];
                task.fut = Some(fut);
                task.reason = context::wait_reason();
            }
            Ok(Poll::Ready(())) => {
                let task = tasks.remove(key);
                drop(tasks);
                drop(fut);
                self.keep_waker(task.waker);
            }
            Err(message) => {
                let task = tasks.remove(key);
                drop(tasks);
                drop(fut);
                let mut p = self.panicked.borrow_mut();
                if p.is_none() {
                    *p = Some(RunError::Panic {
                        seed: self.shared.seed,
                        goroutine: task.goid,
                        name: task.name.map_or_else(|| format!("goroutine {}", task.goid), String::from),
                        message,
                    });
                }
            }
        }
    }

    /// Keeps a finished goroutine's waker for the next spawn if nothing
    /// else refers to it (invariant 3).
    #[inline]
    fn keep_waker(&self, w: Arc<TaskWaker>) {
        let mut free = self.free_wakers.borrow_mut();
        // (a load, not `Arc::get_mut`'s compare-and-swap: no `Weak` exists)
        if free.len() < FREE_WAKERS && Arc::strong_count(&w) == 1 {
            // Order the last `Waker`'s uses (released by its drop) before
            // the renaming (invariant 3).
            std::sync::atomic::fence(Ordering::Acquire);
            free.push(w);
        }
    }

    // Fires every timer that is due at the executor's current time.
    fn fire_timers(&self, now: u64) -> bool {
        self.shared.driver.fire(now)
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
                .and_then(|(_, t)| t.name.as_deref().map(String::from))
                .unwrap_or_else(|| format!("goroutine {goid}"))
        };
        let mut p = self.panicked.borrow_mut();
        if p.is_none() {
            *p = Some(RunError::Panic { seed: self.shared.seed, goroutine: goid, name, message });
        }
    }

    /// The goroutine id of a run-queue entry (None: a stale entry).
    fn entry_goid(&self, key: usize, gen: u64) -> Option<u64> {
        if key == usize::MAX {
            return Some(1);
        }
        match self.tasks.borrow().get(key) {
            Some(t) if t.gen == gen => Some(t.goid),
            _ => None,
        }
    }

    /// `pop_runnable`, tracing the step it starts ([`Event::Run`]: among
    /// how many runnable goroutines it was chosen, and whether the one
    /// that ran last could have gone on).
    fn pop_runnable_traced(&self) -> Option<(usize, u64)> {
        let last = self.current_goid.get();
        let (among, last_runnable) = {
            let q = self.runq.borrow();
            let among = if self.random_schedule { q.len() } else { 1 };
            (among, q.iter().any(|&(k, g)| self.entry_goid(k, g) == Some(last)))
        };
        let (key, gen) = self.pop_runnable()?;
        if let Some(goid) = self.entry_goid(key, gen) {
            let preempted = (among > 1 && last_runnable && goid != last).then_some(last);
            let time_ns = self.shared.driver.now_ns();
            self.trace.borrow_mut().events.push(Event::Run { goid, time_ns, among, preempted });
        }
        Some((key, gen))
    }

    /// Traces the goroutines queued from run-queue index `from` on, which
    /// `by` started or woke: a task never polled yet (reason "runnable")
    /// was started (only `spawn` queues it then).
    fn trace_queued(&self, from: usize, by: By) {
        let q = self.runq.borrow();
        let tasks = self.tasks.borrow();
        let mut trace = self.trace.borrow_mut();
        for &(key, gen) in q.iter().skip(from) {
            let e = match tasks.get(key) {
                _ if key == usize::MAX => Event::Wake { goid: 1, by },
                Some(t) if t.gen == gen && t.reason == "runnable" => {
                    let name = t.name.as_deref().map_or_else(|| format!("goroutine {}", t.goid), String::from);
                    Event::Go { goid: t.goid, by, name }
                }
                Some(t) if t.gen == gen => Event::Wake { goid: t.goid, by },
                _ => continue, // stale (invariant 1)
            };
            trace.events.push(e);
        }
    }

    /// Traces how the step of goroutine `goid` ended (`parked`: what it
    /// waits on, None if it finished) and whom it queued (from `from` on).
    fn trace_step_end(&self, goid: u64, parked: Option<&'static str>, from: usize) {
        let e = match parked {
            _ if self.panicked.borrow().is_some() => Event::Fail { goid },
            Some(reason) => Event::Park { goid, reason },
            None => Event::Exit { goid },
        };
        self.trace.borrow_mut().events.push(e);
        self.trace_queued(from, By::Goroutine(goid));
    }

    fn blocked_report(&self) -> Vec<(u64, String, &'static str)> {
        let mut v = vec![(1, "main".to_string(), self.main_reason.get())];
        for (_, t) in self.tasks.borrow().iter() {
            v.push((t.goid, t.name.as_deref().map_or_else(|| format!("goroutine {}", t.goid), String::from), t.reason));
        }
        v.sort_by_key(|g| g.0);
        v
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

impl Runtime {
    /// The deterministic executor: virtual clock, seeded random scheduling.
    pub fn deterministic(seed: u64) -> Runtime {
        Runtime::new(ClockKind::Virtual, seed, true)
    }

    /// A deterministic executor (virtual clock) whose decisions `strategy`
    /// makes.
    pub fn with_strategy(strategy: Strategy) -> Runtime {
        Runtime::with_clock_strategy(ClockKind::Virtual, strategy)
    }

    /// An executor on `clock` that schedules by `strategy`.
    pub fn with_clock_strategy(clock: ClockKind, strategy: Strategy) -> Runtime {
        let rt = Runtime::new(clock, strategy.seed(), true);
        *rt.local.decider.borrow_mut() = Some(Box::new(Decider::new(strategy)));
        rt
    }

    /// Records every decision of the runs that follow (deterministic
    /// executors only; see [`take_schedule`](Runtime::take_schedule)).
    pub fn record(&self) {
        if let Some(d) = &mut *self.local.decider.borrow_mut() {
            d.record();
        }
    }

    /// The decisions recorded since [`record`](Runtime::record) (and stops
    /// recording).
    pub fn take_schedule(&self) -> Option<Schedule> {
        self.local.decider.borrow_mut().as_mut().and_then(|d| d.take_schedule())
    }

    /// Records the steps of the runs that follow as a [`Trace`] (trace.rs):
    /// who ran when, what it then waited on, whom it started or woke.
    pub fn trace(&self) {
        self.local.tracing.set(true);
    }

    /// The events traced since [`trace`](Runtime::trace) (and stops
    /// tracing); None if not tracing.
    pub fn take_trace(&self) -> Option<Trace> {
        if !self.local.tracing.replace(false) {
            return None;
        }
        Some(std::mem::take(&mut *self.local.trace.borrow_mut()))
    }

    /// Scheduling steps (`Run` decisions) made so far by a deterministic
    /// executor, recording or not (what PCT's step estimate wants); 0 for
    /// the FIFO one.
    pub fn steps(&self) -> u64 {
        self.local.decider.borrow().as_ref().map_or(0, |d| d.steps())
    }

    /// Where a replay left its schedule, if it did.
    pub fn divergence(&self) -> Option<Divergence> {
        self.local.decider.borrow().as_ref().and_then(|d| d.divergence())
    }

    /// The executor on the real clock, with the IO reactor and FIFO
    /// scheduling; its select choices still come from its (random) seed.
    pub fn real() -> Runtime {
        Runtime::new(ClockKind::Real, random_seed(), false)
    }

    /// An executor with every choice spelled out.
    pub fn new(clock: ClockKind, seed: u64, random_schedule: bool) -> Runtime {
        // The reactor is made here and handed in: nothing finds it later
        // but through the driver (and, for `Async::new`, `reactor::set_current`).
        let reactor = match clock {
            ClockKind::Real => Some(Arc::new(Reactor::new().expect("golang-sched: cannot create the IO poller"))),
            ClockKind::Virtual => None,
        };
        let shared = Arc::new(Shared {
            id: NEXT_EXECUTOR_ID.fetch_add(1, Ordering::Relaxed),
            remote: Mutex::new(Remote::default()),
            driver: Driver::new(clock, reactor),
            seed,
        });
        Runtime {
            local: Rc::new(Local {
                shared,
                runq: RefCell::new(VecDeque::new()),
                tasks: RefCell::new(Slab::new()),
                free_wakers: RefCell::new(Vec::new()),
                rng: Cell::new(Rng::new(seed)),
                random_schedule,
                decider: RefCell::new(random_schedule.then(|| Box::new(Decider::new(Strategy::Random { seed })))),
                next_goid: Cell::new(2),
                next_gen: Cell::new(1),
                panicked: RefCell::new(None),
                idle_hooks: RefCell::new(None),
                idle_poll: Cell::new(None),
                idle_wait: RefCell::new(None),
                outside_wait: RefCell::new(None),
                current_goid: Cell::new(1),
                main_reason: Cell::new("runnable"),
                tracing: Cell::new(false),
                trace: RefCell::new(Trace::default()),
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

    /// For a virtual-clock executor whose goroutines something outside the
    /// run may wake (another thread sending on a channel they wait on):
    /// when every goroutine waits and no timer is pending, the executor
    /// calls `wait()`, outside its context, before it reports a deadlock.
    /// `wait` returns true if something outside may still wake a goroutine
    /// (having waited a little for it, e.g. a millisecond of real time):
    /// the executor then looks again; false: the run is deadlocked. The
    /// virtual clock does not move meanwhile.
    pub fn set_outside_wait(&self, wait: impl Fn() -> bool + 'static) {
        *self.local.outside_wait.borrow_mut() = Some(Box::new(wait));
    }

    /// A handle for other threads.
    pub fn handle(&self) -> Handle {
        self.local.handle()
    }

    /// Runs `main` (goroutine 1) and every goroutine it spawns until `main`
    /// returns; goroutines still running then are dropped, as a Go program
    /// exits when main returns. Fails on deadlock or on an unrecovered panic.
    pub fn block_on<F: Future>(&self, main: F) -> Result<F::Output, RunError> {
        let mut running = Running::enter(&self.local, "block_on", true);
        self.run(main, &mut running)
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
        let _running = Running::enter(&self.local, "run_turn", false);
        l.shared.driver.sleeping.store(false, Ordering::SeqCst);
        l.drain_remote();
        l.fire_timers(l.shared.driver.now_ns());
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
        l.shared.driver.sleeping.store(true, Ordering::SeqCst);
        if l.shared.driver.has_remote.load(Ordering::SeqCst) {
            return Ok(Turn::Busy);
        }
        let next = l.shared.driver.timers.lock().unwrap().peek();
        Ok(Turn::Idle { next_timer_ns: next, goroutines: l.tasks.borrow().len() })
    }

    fn run<F: Future>(&self, main: F, running: &mut Running) -> Result<F::Output, RunError> {
        let l = &*self.local;
        let mut main = pin!(main);
        let main_waker = Arc::new(TaskWaker::new(usize::MAX, 0, l.shared.clone()));
        let waker = Waker::from(main_waker.clone());
        l.runq.borrow_mut().push_back((usize::MAX, 0));
        l.main_reason.set("runnable");
        // (read once: an untraced run tests a local per step)
        let tracing = l.tracing.get();
        if tracing {
            l.trace.borrow_mut().events.push(Event::Go { goid: 1, by: By::Outside, name: "main".into() });
        }
        loop {
            let queued = if tracing { l.runq.borrow().len() } else { 0 };
            l.drain_remote();
            if tracing {
                l.trace_queued(queued, By::Outside);
            }
            let mut n = 0;
            while let Some((key, gen)) = if tracing { l.pop_runnable_traced() } else { l.pop_runnable() } {
                // The traced step's goroutine (None: a stale entry, no
                // step) and the run queue's length when it starts.
                let step = if tracing { l.entry_goid(key, gen).map(|goid| (goid, l.runq.borrow().len())) } else { None };
                if key == usize::MAX {
                    main_waker.scheduled.store(false, Ordering::Release);
                    l.current_goid.set(1);
                    let mut cx = Context::from_waker(&waker);
                    let res = poll_guarded(main.as_mut(), &mut cx);
                    if let Some((goid, from)) = step {
                        let parked = matches!(res, Ok(Poll::Pending)).then(context::wait_reason);
                        if res.is_err() {
                            l.trace.borrow_mut().events.push(Event::Fail { goid });
                        } else {
                            l.trace_step_end(goid, parked, from);
                        }
                    }
                    match res {
                        Ok(Poll::Ready(out)) => return Ok(out),
                        Ok(Poll::Pending) if l.panicked.borrow().is_some() => {}
                        Ok(Poll::Pending) => l.main_reason.set(context::wait_reason()),
                        Err(message) => {
                            return Err(RunError::Panic { seed: l.shared.seed, goroutine: 1, name: "main".into(), message })
                        }
                    }
                } else {
                    l.run_task(key, gen);
                    if let Some((goid, from)) = step {
                        let parked = match l.tasks.borrow().get(key) {
                            Some(t) if t.gen == gen => Some(t.reason),
                            _ => None,
                        };
                        l.trace_step_end(goid, parked, from);
                    }
                }
                if let Some(e) = l.panicked.borrow_mut().take() {
                    return Err(e);
                }
                n += 1;
                if n >= BATCH && l.shared.driver.clock == ClockKind::Real {
                    break;
                }
            }
            match l.shared.driver.clock {
                ClockKind::Virtual => {
                    if !l.runq.borrow().is_empty() {
                        continue;
                    }
                    if l.shared.driver.has_remote.load(Ordering::SeqCst) {
                        continue;
                    }
                    let next = l.shared.driver.timers.lock().unwrap().next_deadline();
                    match next {
                        Some(d) => {
                            let now = d.max(l.shared.driver.now_ns());
                            l.shared.driver.virtual_now.store(now, Ordering::Release);
                            l.fire_timers(now);
                            if tracing {
                                l.trace_queued(0, By::Timer(now));
                            }
                        }
                        None => {
                            // (something outside the run may still wake a
                            // goroutine: look again after its wait)
                            let outside = l.outside_wait.borrow().is_some()
                                && running.outside(|| match &*l.outside_wait.borrow() {
                                    Some(wait) => wait(),
                                    None => false,
                                });
                            if outside {
                                continue;
                            }
                            return Err(RunError::Deadlock {
                                seed: l.shared.seed,
                                goroutines: l.blocked_report(),
                            })
                        }
                    }
                }
                ClockKind::Real => {
                    let reactor = l.shared.driver.reactor.as_ref().unwrap();
                    let now = real_now_ns();
                    let queued = if tracing { l.runq.borrow().len() } else { 0 };
                    l.fire_timers(now);
                    if tracing {
                        l.trace_queued(queued, By::Timer(now));
                    }
                    let busy = !l.runq.borrow().is_empty();
                    let timeout = if busy {
                        Some(Duration::ZERO)
                    } else {
                        l.shared.driver.sleeping.store(true, Ordering::SeqCst);
                        if l.shared.driver.has_remote.load(Ordering::SeqCst) {
                            Some(Duration::ZERO)
                        } else {
                            let next = l.shared.driver.timers.lock().unwrap().peek();
                            next.map(|d| Duration::from_nanos(d.saturating_sub(real_now_ns())))
                        }
                    };
                    let waits_elsewhere = l.idle_wait.borrow().is_some();
                    if timeout != Some(Duration::ZERO) && waits_elsewhere {
                        // Leave the executor's context while the other loop
                        // runs: wakes from its code go through the remote
                        // queue and notify the poller, ending the wait.
                        let fd = reactor.raw_fd();
                        let res = running.outside(|| match &*l.idle_wait.borrow() {
                            Some(wait) => wait(timeout, fd),
                            None => Ok(()),
                        });
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
                    l.shared.driver.sleeping.store(false, Ordering::SeqCst);
                }
            }
        }
    }
}


/// What a single-thread executor replaced when it became the one of this
/// thread (an outer multi-thread runtime's handle, say), put back when it
/// leaves.
struct Replaced {
    handle: Option<Handle>,
    reactor: reactor::Current,
}

/// Makes `l` the executor of this thread: `CURRENT`, the current handle
/// and the current reactor.
fn install(l: &Rc<Local>) -> Replaced {
    CURRENT.with(|c| *c.borrow_mut() = Some(l.clone()));
    CURRENT_VIRTUAL.with(|v| v.set(l.shared.driver.clock == ClockKind::Virtual));
    let current_reactor = match &l.shared.driver.reactor {
        Some(r) => reactor::Current::Reactor(r.clone()),
        None => reactor::Current::NoReactor,
    };
    Replaced { handle: handle::replace_current(Some(l.handle())), reactor: reactor::set_current(current_reactor) }
}

/// Undoes [`install`].
fn uninstall(r: Replaced) {
    reactor::set_current(r.reactor);
    handle::replace_current(r.handle);
    CURRENT.with(|c| c.borrow_mut().take());
    CURRENT_VIRTUAL.with(|v| v.set(false));
}

/// The one guard of a run of a single-thread executor on this thread
/// (`block_on`, `run_turn`): installs it and enters the context (its RNG
/// in the thread-locals); dropping it leaves, keeping the RNG's state, and
/// for `block_on` drops the goroutines left.
struct Running {
    local: Rc<Local>,
    replaced: Option<Replaced>,
    enter: Option<context::Enter>,
    /// Drop the goroutines left when leaving (`block_on`: main returned).
    drop_tasks: bool,
}

impl Running {
    /// # Panics
    /// When a single-thread executor already runs on this thread.
    fn enter(l: &Rc<Local>, what: &str, drop_tasks: bool) -> Running {
        if CURRENT.with(|c| c.borrow().is_some()) {
            panic!("golang-sched: {what} called from inside a running executor");
        }
        let replaced = Some(install(l));
        let enter = Some(context::Enter::new(l.rng.get(), l.decider.borrow_mut().take()));
        Running { local: l.clone(), replaced, enter, drop_tasks }
    }

    /// Runs `f` outside the executor (code it runs is in no goroutine;
    /// its wakes are remote ones), then installs the executor again.
    fn outside<R>(&mut self, f: impl FnOnce() -> R) -> R {
        if let Some(r) = self.replaced.take() {
            uninstall(r);
        }
        let r = match &self.enter {
            Some(e) => e.outside(f),
            None => f(),
        };
        self.replaced = Some(install(&self.local));
        r
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let l = &self.local;
        *l.decider.borrow_mut() = context::take_decider();
        drop(self.enter.take());
        l.rng.set(context::exec_rng());
        if self.drop_tasks {
            // Goroutines left when main returns are dropped here, while the
            // executor is still current for their Drops.
            let tasks = std::mem::take(&mut *l.tasks.borrow_mut());
            drop(tasks);
            l.runq.borrow_mut().clear();
        }
        if let Some(r) = self.replaced.take() {
            uninstall(r);
        }
    }
}

/// Spawns a goroutine that need not be `Send` on this thread's
/// single-thread executor; its goroutine id.
///
/// # Panics
/// When none runs here.
pub(crate) fn spawn_local<F: Future<Output = ()> + 'static>(fut: F, name: Option<String>) -> u64 {
    CURRENT.with(|c| {
        let c = c.borrow();
        let l = c.as_ref().expect("go_local: not inside an executor");
        l.spawn(TaskFut::new(fut), name)
    })
}

/// The clock of this thread's single-thread executor and its time (ns).
pub(crate) fn current_clock() -> Option<(ClockKind, u64)> {
    CURRENT.with(|c| c.borrow().as_ref().map(|l| (l.shared.driver.clock, l.shared.driver.now_ns())))
}

/// The virtual time of this thread's executor when it runs on a virtual
/// clock; `None` on a real clock or outside executors (without reading
/// the monotonic clock: `unix_now` on a real clock needs only the wall
/// clock, and `after(0)` pays for every clock read).
pub(crate) fn current_virtual_ns() -> Option<u64> {
    if !CURRENT_VIRTUAL.with(|v| v.get()) {
        return None; // (no executor here, or a real-clock one)
    }
    CURRENT.with(|c| match c.borrow().as_ref() {
        Some(l) if l.shared.driver.clock == ClockKind::Virtual => Some(l.shared.driver.now_ns()),
        _ => None,
    })
}

/// `fail_run` for this thread's single-thread executor; gives the message
/// back if none runs here.
pub(crate) fn fail_current(message: String) -> Result<(), String> {
    CURRENT.with(|c| match &*c.borrow() {
        Some(l) => {
            l.fail(message);
            Ok(())
        }
        None => Err(message),
    })
}

/// Notes in the trace of this thread's single-thread executor, if it
/// traces, where the goroutine being polled waits (trace.rs's `Where`).
pub(crate) fn trace_where(at: &str) {
    CURRENT.with(|c| {
        if let Some(l) = &*c.borrow() {
            if l.tracing.get() {
                let goid = l.current_goid.get();
                l.trace.borrow_mut().events.push(Event::Where { goid, at: at.to_string() });
            }
        }
    })
}

/// The goroutine this thread's single-thread executor polls (0: none).
pub(crate) fn current_goid() -> u64 {
    CURRENT.with(|c| c.borrow().as_ref().map_or(0, |l| l.current_goid.get()))
}
