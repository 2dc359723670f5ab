//! The multi-thread executor: N worker threads with work stealing, for
//! throughput (docs/ARCHITECTURE.md, "How a goroutine runs", has the whole
//! design).
//!
//! [`MultiRuntime::block_on`] polls main on the calling thread while `n`
//! workers run the goroutines: each has a local FIFO queue; wakes and spawns
//! from other threads go to a global injector; an idle worker steals half of
//! another's queue, yields and looks again [`SPIN`] times, then sleeps on a
//! condition variable. Timers are fired by a timer thread of the runtime's
//! own, so `sleep` and golang-time work (real clock). `go()`, `handle()`,
//! the budget, `fail_run()` and `rand_below()` (per-worker RNGs from the
//! runtime's seed: select choices are not reproducible) work inside its
//! goroutines; `go_local` does not, and there is no deadlock detection.
//!
//! ```
//! use golang_sched::{go, sleep, MultiRuntime};
//! use std::sync::atomic::{AtomicUsize, Ordering};
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! let rt = MultiRuntime::new(2);
//! let done = Arc::new(AtomicUsize::new(0));
//! let d = done.clone();
//! let n = rt.block_on(async move {
//!     for _ in 0..100 {
//!         let d = d.clone();
//!         go(async move { d.fetch_add(1, Ordering::SeqCst); });
//!     }
//!     while d.load(Ordering::SeqCst) < 100 {
//!         sleep(Duration::from_millis(1)).await; // the timer thread wakes it
//!     }
//!     d.load(Ordering::SeqCst)
//! });
//! assert_eq!(n.unwrap(), 100);
//! ```
//!
//! Invariants:
//! 1. A task sits in at most one queue, once: only the wake (or spawn) that
//!    moves its `state` IDLE -> SCHEDULED queues it.
//! 2. One worker polls a task at a time: the popper moves it SCHEDULED ->
//!    RUNNING; a wake during the poll only sets RUNNING_NOTIFIED, and the
//!    poller re-queues it after. So the future's `Mutex` is never contended.
//! 3. A finished, panicked or dropped task is DONE: wakes are no-ops and a
//!    stale queue entry is skipped.
//! 4. Nothing is polled outside `block_on`: workers poll only while `active`,
//!    raising `busy` before they read it; `block_on` clears `active`, waits
//!    for `busy == 0`, then drops the goroutines left.
//! 5. No lost wake-up of a sleeping worker: a pusher pushes, then reads
//!    `idle` (SeqCst) and notifies under `park_lock`; a worker raises `idle`
//!    under `park_lock`, then re-checks the queues before it waits.
//! 6. A wake on a worker stays on its local queue without waking another
//!    worker unless that queue already held work (ping-pong stays on one
//!    thread); a goroutine that busy-waits for it without yielding delays it
//!    until a spinning worker steals it or the poll ends.

use crate::clock::ClockKind;
use crate::context::{self, panic_message, poll_guarded, RunError};
use crate::driver::Driver;
use crate::handle::{self, Executor, Handle, SendTask};
use crate::reactor::Reactor;
use crate::rng::{random_seed, Rng};
use crate::timer::{Action, TimerKey};
use slab::Slab;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, AtomicUsize, Ordering::*};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{JoinHandle, Thread};
use std::time::Duration;

/// A worker looks at the injector before its local queue once per this many
/// polls, so that goroutines woken from outside are not starved.
pub const INJECT_EVERY: u32 = 61;

/// At most this many goroutines move from the injector to a local queue
/// at once.
const INJECT_BATCH: usize = 32;

/// Shards of the goroutine registry.
const SHARDS: usize = 16;

/// Keeps a lock on a cache line of its own.
#[repr(align(64))]
struct Padded<T>(T);

/// Times a thread out of work yields and looks again before it sleeps.
pub const SPIN: u32 = 16;

const IDLE: u8 = 0;
const SCHEDULED: u8 = 1;
const RUNNING: u8 = 2;
const RUNNING_NOTIFIED: u8 = 3;
const DONE: u8 = 4;

type BoxFut = SendTask;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A goroutine of the multi-thread runtime; its own waker.
struct Task {
    /// Never contended (invariant 2); `None` once finished or dropped.
    fut: Mutex<Option<BoxFut>>,
    state: AtomicU8,
    goid: u64,
    name: Option<String>,
    /// Its key in `Inner::tasks`.
    key: usize,
    inner: Arc<Inner>,
}

impl Wake for Task {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let mut s = self.state.load(Acquire);
        loop {
            let next = match s {
                IDLE => SCHEDULED,
                RUNNING => RUNNING_NOTIFIED,
                _ => return, // already queued, already noted, or finished
            };
            match self.state.compare_exchange_weak(s, next, AcqRel, Acquire) {
                Ok(_) => {
                    if next == SCHEDULED {
                        self.inner.schedule(self.clone(), false);
                    }
                    return;
                }
                Err(now) => s = now,
            }
        }
    }
}

/// The state shared by the workers, the caller of `block_on` and wakers.
pub(crate) struct Inner {
    injector: Mutex<VecDeque<Arc<Task>>>,
    locals: Vec<Mutex<VecDeque<Arc<Task>>>>,
    /// Every live goroutine, so that shutdown can drop them all; sharded
    /// by goroutine id so that spawners and finishing workers rarely meet
    /// on one lock.
    tasks: Vec<Padded<Mutex<Slab<Arc<Task>>>>>,
    /// Workers poll only while a `block_on` runs (invariant 4).
    active: AtomicBool,
    /// Workers between "about to poll" and "done polling".
    busy: AtomicUsize,
    /// Workers asleep (or about to sleep) on `work`.
    idle: AtomicUsize,
    park_lock: Mutex<()>,
    /// Where idle workers sleep.
    work: Condvar,
    /// Where `block_on` waits for `busy` to reach 0.
    quiet: Condvar,
    shutdown: AtomicBool,
    /// The first panic of a goroutine, which ends the run.
    failed: Mutex<Option<RunError>>,
    has_failed: AtomicBool,
    /// The thread running `block_on`, unparked by wake-ups of main and by
    /// failures.
    main_thread: Mutex<Option<Thread>>,
    next_goid: AtomicU64,
    seed: u64,
    /// The clock and timers, fired by the runtime's timer thread.
    driver: Driver,
}

impl Executor for Inner {
    fn spawn(self: Arc<Self>, fut: SendTask, name: Option<String>) {
        Inner::spawn(&self, fut, name)
    }

    fn add_timer(&self, deadline: u64, action: Action) -> TimerKey {
        // Every caller is outside the timer thread, which may sleep until
        // a later deadline.
        self.driver.add_timer(deadline, action, true)
    }

    fn driver(&self) -> &Driver {
        &self.driver
    }

    fn seed(&self) -> u64 {
        self.seed
    }
}

/// What a thread working for a multi-thread runtime knows about it.
struct Ctx {
    inner: Arc<Inner>,
    /// The worker index, on worker threads.
    worker: Option<usize>,
}

/// A thread's work for a runtime (a worker, the timer thread, the caller of
/// `block_on`): `CTX` and the current handle, both cleared on drop.
struct OnThread {
    replaced: Option<Handle>,
}

impl OnThread {
    fn new(inner: &Arc<Inner>, worker: Option<usize>) -> OnThread {
        CTX.with(|c| *c.borrow_mut() = Some(Ctx { inner: inner.clone(), worker }));
        OnThread { replaced: handle::replace_current(Some(Handle::new(inner.clone()))) }
    }
}

impl Drop for OnThread {
    fn drop(&mut self) {
        handle::replace_current(self.replaced.take());
        CTX.with(|c| c.borrow_mut().take());
    }
}

thread_local! {
    static CTX: RefCell<Option<Ctx>> = const { RefCell::new(None) };
    /// The goroutine being polled on this thread (1 is main).
    static GOID: Cell<u64> = const { Cell::new(0) };
}

/// The goroutine being polled, if this thread works for a multi runtime.
pub(crate) fn current_goid() -> u64 {
    if CTX.with(|c| c.borrow().is_some()) {
        GOID.with(|g| g.get())
    } else {
        0
    }
}

/// `fail_run` for the multi runtime; false if this thread is not in one.
pub(crate) fn fail(message: String) -> bool {
    let Some(inner) = CTX.with(|c| c.borrow().as_ref().map(|x| x.inner.clone())) else {
        return false;
    };
    let goid = GOID.with(|g| g.get());
    let name = if goid == 1 {
        "main".to_string()
    } else {
        lock(inner.shard(goid))
            .iter()
            .find(|(_, t)| t.goid == goid)
            .and_then(|(_, t)| t.name.clone())
            .unwrap_or_else(|| format!("goroutine {goid}"))
    };
    inner.record(RunError::Panic { seed: inner.seed, goroutine: goid, name, message });
    true
}

impl Inner {
    fn shard(&self, goid: u64) -> &Mutex<Slab<Arc<Task>>> {
        &self.tasks[(goid % SHARDS as u64) as usize].0
    }

    /// Spawns a goroutine (from any thread).
    pub(crate) fn spawn(self: &Arc<Self>, fut: BoxFut, name: Option<String>) {
        if self.shutdown.load(Relaxed) {
            return; // the runtime is gone: nothing would ever poll it
        }
        let goid = self.next_goid.fetch_add(1, Relaxed);
        let task = {
            let mut tasks = lock(self.shard(goid));
            let entry = tasks.vacant_entry();
            let task = Arc::new(Task {
                fut: Mutex::new(Some(fut)),
                state: AtomicU8::new(SCHEDULED),
                goid,
                name,
                key: entry.key(),
                inner: self.clone(),
            });
            entry.insert(task.clone());
            task
        };
        self.schedule(task, true);
    }

    /// Queues a task that was just set SCHEDULED: on this worker's local
    /// queue, or on the injector from other threads.
    fn schedule(&self, task: Arc<Task>, spawn: bool) {
        let worker = CTX.with(|c| match &*c.borrow() {
            Some(x) if std::ptr::eq(&*x.inner, self) => x.worker,
            _ => None,
        });
        match worker {
            Some(i) => {
                let len = {
                    let mut q = lock(&self.locals[i]);
                    q.push_back(task);
                    q.len()
                };
                // Invariant 6.
                if spawn || len > 1 {
                    self.notify_one();
                }
            }
            None => {
                lock(&self.injector).push_back(task);
                self.notify_one();
            }
        }
    }

    fn notify_one(&self) {
        // Invariant 5: the push above happens before this SeqCst load.
        if self.idle.load(SeqCst) > 0 {
            let _g = lock(&self.park_lock);
            self.work.notify_one();
        }
    }

    fn notify_all(&self) {
        let _g = lock(&self.park_lock);
        self.work.notify_all();
        self.quiet.notify_all();
    }

    fn has_work(&self) -> bool {
        !lock(&self.injector).is_empty() || self.locals.iter().any(|q| !lock(q).is_empty())
    }

    /// The next task for worker `i`: own queue, injector, then stealing.
    fn find(&self, i: usize, tick: u32) -> Option<Arc<Task>> {
        if tick.is_multiple_of(INJECT_EVERY) {
            if let Some(t) = lock(&self.injector).pop_front() {
                return Some(t);
            }
        }
        if let Some(t) = lock(&self.locals[i]).pop_front() {
            return Some(t);
        }
        let n = self.locals.len();
        {
            // Take a fair share of the injector at once: fewer trips to
            // its lock, which spawners from outside contend for.
            let mut inj = lock(&self.injector);
            if let Some(t) = inj.pop_front() {
                let share = (inj.len() / n).min(INJECT_BATCH);
                if share > 0 {
                    let batch: Vec<_> = inj.drain(..share).collect();
                    drop(inj);
                    lock(&self.locals[i]).extend(batch);
                }
                return Some(t);
            }
        }
        for k in 1..n {
            let mut stolen = {
                let mut victim = lock(&self.locals[(i + k) % n]);
                let take = victim.len().div_ceil(2);
                let at = victim.len() - take;
                victim.split_off(at)
            };
            if let Some(t) = stolen.pop_front() {
                // Never two queue locks at once: the victim's is released.
                lock(&self.locals[i]).extend(stolen);
                return Some(t);
            }
        }
        None
    }

    /// Polls one task on worker thread `i`.
    fn run(&self, task: Arc<Task>, i: usize) {
        // Only the popper of a SCHEDULED task gets here (invariant 1); a
        // DONE one is a stale entry left by a previous run's shutdown.
        if task.state.compare_exchange(SCHEDULED, RUNNING, AcqRel, Acquire).is_err() {
            return;
        }
        let mut slot = lock(&task.fut);
        let Some(fut) = slot.as_mut() else { return };
        GOID.with(|g| g.set(task.goid));
        let waker = Waker::from(task.clone());
        let mut cx = Context::from_waker(&waker);
        let res = poll_guarded(fut.as_mut(), &mut cx);
        context::end_budget();
        match res {
            Ok(Poll::Pending) => {
                drop(slot);
                if task.state.compare_exchange(RUNNING, IDLE, AcqRel, Acquire).is_err() {
                    // Woken while polled (RUNNING_NOTIFIED): queue it once.
                    task.state.store(SCHEDULED, Release);
                    let len = {
                        let mut q = lock(&self.locals[i]);
                        q.push_back(task);
                        q.len()
                    };
                    if len > 1 {
                        self.notify_one();
                    }
                }
            }
            Ok(Poll::Ready(())) | Err(_) => {
                let fut = slot.take();
                drop(slot);
                task.state.store(DONE, Release);
                lock(self.shard(task.goid)).try_remove(task.key);
                // Outside every lock (its Drops may spawn); a panicking Drop
                // must not kill the worker, which `block_on` waits for.
                let dropped = catch_unwind(AssertUnwindSafe(|| drop(fut))).map_err(|p| panic_message(&*p));
                if let Err(message) = res.map(|_| ()).and(dropped) {
                    self.record(RunError::Panic {
                        seed: self.seed,
                        goroutine: task.goid,
                        name: task.name.clone().unwrap_or_else(|| format!("goroutine {}", task.goid)),
                        message,
                    });
                }
            }
        }
    }

    /// Keeps the first failure of the run and wakes the caller of `block_on`.
    fn record(&self, e: RunError) {
        let mut f = lock(&self.failed);
        if f.is_none() {
            *f = Some(e);
            self.has_failed.store(true, SeqCst);
        }
        drop(f);
        if let Some(t) = &*lock(&self.main_thread) {
            t.unpark();
        }
    }

    /// Drops every goroutine left (after `busy` reached 0, on the caller's
    /// thread, with the runtime still current for their Drops).
    fn drop_all(&self) {
        loop {
            let tasks: Vec<_> = self.tasks.iter().flat_map(|m| std::mem::take(&mut *lock(&m.0))).collect();
            if tasks.is_empty() {
                break;
            }
            for (_, t) in tasks {
                t.state.store(DONE, Release);
                let fut = lock(&t.fut).take();
                drop(fut);
            }
        }
        let stale: Vec<_> = lock(&self.injector).drain(..).collect();
        drop(stale);
        for q in &self.locals {
            let stale: Vec<_> = lock(q).drain(..).collect();
            drop(stale);
        }
    }

    fn worker_loop(&self, i: usize) {
        let mut tick = 0u32;
        loop {
            if self.shutdown.load(SeqCst) {
                return;
            }
            // Invariant 4: `busy` is raised before `active` is read.
            self.busy.fetch_add(1, SeqCst);
            if self.active.load(SeqCst) {
                if let Some(t) = self.find(i, tick) {
                    tick = tick.wrapping_add(1);
                    self.run(t, i);
                    self.leave_busy();
                    continue;
                }
            }
            self.leave_busy();
            // Before sleeping, look again a few times, yielding the CPU in
            // between: a wake-up that comes soon (a channel round trip)
            // then costs no futex sleep and wake; bounded, so an idle
            // worker does not spin.
            if (0..SPIN).any(|_| {
                std::thread::yield_now();
                self.active.load(SeqCst) && self.has_work()
            }) {
                continue;
            }
            let g = lock(&self.park_lock);
            self.idle.fetch_add(1, SeqCst);
            // Invariant 5: re-check after announcing ourselves idle.
            let ready = self.shutdown.load(SeqCst) || (self.active.load(SeqCst) && self.has_work());
            if !ready {
                drop(self.work.wait(g).unwrap_or_else(|e| e.into_inner()));
            }
            self.idle.fetch_sub(1, SeqCst);
        }
    }

    fn leave_busy(&self) {
        if self.busy.fetch_sub(1, SeqCst) == 1 && !self.active.load(SeqCst) {
            let _g = lock(&self.park_lock);
            self.quiet.notify_all();
        }
    }
}

/// Wakes the main future: a flag and an unpark of the `block_on` thread.
struct MainWaker {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for MainWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Release);
        self.thread.unpark();
    }
}

/// A multi-thread executor: `n` worker threads with work stealing, a timer
/// thread, and the main future on the caller's thread (see the module
/// documentation).
pub struct MultiRuntime {
    inner: Arc<Inner>,
    handle: Handle,
    workers: Vec<JoinHandle<()>>,
    timer: Option<JoinHandle<()>>,
    timer_stop: Arc<AtomicBool>,
    running: AtomicBool,
}

impl MultiRuntime {
    /// A runtime with `n_workers` worker threads (at least 1), started now.
    pub fn new(n_workers: usize) -> MultiRuntime {
        assert!(n_workers >= 1, "MultiRuntime::new: at least one worker");
        let seed = random_seed();
        let inner = Arc::new(Inner {
            injector: Mutex::new(VecDeque::new()),
            locals: (0..n_workers).map(|_| Mutex::new(VecDeque::new())).collect(),
            tasks: (0..SHARDS).map(|_| Padded(Mutex::new(Slab::new()))).collect(),
            active: AtomicBool::new(false),
            busy: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            park_lock: Mutex::new(()),
            work: Condvar::new(),
            quiet: Condvar::new(),
            shutdown: AtomicBool::new(false),
            failed: Mutex::new(None),
            has_failed: AtomicBool::new(false),
            main_thread: Mutex::new(None),
            next_goid: AtomicU64::new(2),
            seed,
            // The timer thread's reactor, made here and handed in.
            driver: Driver::new(
                ClockKind::Real,
                Some(Arc::new(Reactor::new().expect("golang-sched: cannot create the IO poller"))),
            ),
        });
        let handle = Handle::new(inner.clone());
        let workers = (0..n_workers)
            .map(|i| {
                let inner = inner.clone();
                std::thread::Builder::new()
                    .name(format!("golang-mt-{i}"))
                    .spawn(move || {
                        let mix = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
                        let _enter = context::Enter::new(Rng::new(inner.seed ^ mix), None);
                        let on_thread = OnThread::new(&inner, Some(i));
                        inner.worker_loop(i);
                        drop(on_thread);
                    })
                    .expect("golang-sched: cannot start a worker thread")
            })
            .collect();
        let timer_stop = Arc::new(AtomicBool::new(false));
        let timer = {
            let (inner, stop) = (inner.clone(), timer_stop.clone());
            std::thread::Builder::new()
                .name("golang-mt-timer".into())
                .spawn(move || {
                    // Timer callbacks (after_func) spawn onto this runtime.
                    let on_thread = OnThread::new(&inner, None);
                    inner.driver.timer_loop(&stop);
                    drop(on_thread);
                })
                .expect("golang-sched: cannot start the timer thread")
        };
        MultiRuntime { inner, handle, workers, timer: Some(timer), timer_stop, running: AtomicBool::new(false) }
    }

    /// A runtime with one worker per available CPU.
    pub fn with_default_workers() -> MultiRuntime {
        MultiRuntime::new(std::thread::available_parallelism().map_or(1, |n| n.get()))
    }

    /// How many worker threads run goroutines.
    pub fn workers(&self) -> usize {
        self.inner.locals.len()
    }

    /// The seed of the workers' RNGs (select choices are still not
    /// reproducible: which worker draws depends on the OS scheduler).
    pub fn seed(&self) -> u64 {
        self.inner.seed
    }

    /// A handle to spawn onto this runtime from any thread; goroutines
    /// spawned while no `block_on` runs wait for the next one.
    pub fn handle(&self) -> Handle {
        self.handle.clone()
    }

    /// Runs `main` on this thread (as goroutine 1) while the workers run
    /// the goroutines, until `main` returns; goroutines left then are
    /// dropped. Fails with [`RunError::Panic`] when a goroutine panics.
    ///
    /// # Panics
    /// When called inside an executor, or while another `block_on` of this
    /// runtime runs.
    pub fn block_on<F: Future>(&self, main: F) -> Result<F::Output, RunError> {
        if handle::is_current() {
            panic!("golang-sched: block_on called from inside a running executor");
        }
        if self.running.swap(true, SeqCst) {
            panic!("golang-sched: MultiRuntime::block_on is already running");
        }
        let inner = &self.inner;
        let on_thread = OnThread::new(inner, None);
        let enter = context::Enter::new(Rng::new(inner.seed), None);
        *lock(&inner.main_thread) = Some(std::thread::current());
        *lock(&inner.failed) = None;
        inner.has_failed.store(false, SeqCst);
        struct End<'a>(&'a MultiRuntime, Option<context::Enter>, Option<OnThread>);
        impl Drop for End<'_> {
            fn drop(&mut self) {
                let inner = &self.0.inner;
                inner.active.store(false, SeqCst);
                inner.notify_all();
                let mut g = lock(&inner.park_lock);
                while inner.busy.load(SeqCst) > 0 {
                    // The timeout only guards against a missed notify.
                    g = inner.quiet.wait_timeout(g, Duration::from_millis(1)).unwrap_or_else(|e| e.into_inner()).0;
                }
                drop(g);
                inner.drop_all();
                *lock(&inner.main_thread) = None;
                drop(self.1.take());
                GOID.with(|g| g.set(0));
                drop(self.2.take());
                self.0.running.store(false, SeqCst);
            }
        }
        let _end = End(self, Some(enter), Some(on_thread));
        inner.active.store(true, SeqCst);
        inner.notify_all();
        let mut main = pin!(main);
        let main_waker = Arc::new(MainWaker { woken: AtomicBool::new(true), thread: std::thread::current() });
        let waker = Waker::from(main_waker.clone());
        loop {
            if inner.has_failed.load(SeqCst) {
                return Err(lock(&inner.failed).take().expect("a recorded failure"));
            }
            if !main_waker.woken.swap(false, AcqRel) {
                // As the workers do, look again a few times before sleeping;
                // sound because unpark before park makes park return.
                if !(0..SPIN).any(|_| {
                    std::thread::yield_now();
                    main_waker.woken.load(Acquire) || inner.has_failed.load(SeqCst)
                }) {
                    std::thread::park();
                }
                continue;
            }
            GOID.with(|g| g.set(1));
            let mut cx = Context::from_waker(&waker);
            match poll_guarded(main.as_mut(), &mut cx) {
                Ok(Poll::Ready(out)) => {
                    if inner.has_failed.load(SeqCst) {
                        return Err(lock(&inner.failed).take().expect("a recorded failure"));
                    }
                    return Ok(out);
                }
                Ok(Poll::Pending) => {}
                Err(message) => return Err(RunError::Panic { seed: inner.seed, goroutine: 1, name: "main".into(), message }),
            }
        }
    }
}

impl Drop for MultiRuntime {
    fn drop(&mut self) {
        self.inner.shutdown.store(true, SeqCst);
        self.inner.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
        self.timer_stop.store(true, SeqCst);
        self.inner.driver.stop_timer_loop();
        if let Some(t) = self.timer.take() {
            let _ = t.join();
        }
        // Break the cycles runtime -> task -> future -> handle -> runtime:
        // goroutines spawned since the last run, and armed timers' wakers.
        self.inner.drop_all();
        let wheel = std::mem::take(&mut *lock(&self.inner.driver.timers));
        drop(wheel);
    }
}
