//! What a thread running goroutines knows, whichever executor runs them:
//! the per-poll thread-locals (cooperative budget, wait reason, the
//! executor's RNG), the one guard that enters an executor on a thread, the
//! one guarded poll (a goroutine's panic caught and turned into a message),
//! and how a run fails ([`RunError`]). Both executors (`executor.rs`,
//! `multi.rs`) and the reactor use this file; it uses only the RNG and the
//! decider of a deterministic run (`strategy.rs`).

use crate::rng::Rng;
use crate::strategy::Decider;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Polls a goroutine may make of channel operations before it must yield
/// (cooperative budget, as in tokio); counted, so it is part of what a seed
/// reproduces.
pub const BUDGET: u32 = 128;

/// The budget value meaning "not in a goroutine": never spent.
pub(crate) const UNLIMITED: u32 = u32::MAX;

thread_local! {
    // The hot per-poll state lives in plain cells, not behind an executor's
    // RefCell, because channel operations touch it on every call.
    /// Remaining cooperative budget of the goroutine being polled.
    static BUDGET_TL: Cell<u32> = const { Cell::new(UNLIMITED) };
    /// What the goroutine being polled says it waits on.
    static REASON_TL: Cell<&'static str> = const { Cell::new("") };
    /// Whether an executor runs on this thread (its RNG is in `EXEC_RNG`).
    static IN_EXEC: Cell<bool> = const { Cell::new(false) };
    /// The running executor's RNG.
    static EXEC_RNG: Cell<Rng> = const { Cell::new(Rng::new(0)) };
    /// The running deterministic executor's decider (strategy.rs): while
    /// set, random draws ask it instead of `EXEC_RNG`.
    static DECIDER: RefCell<Option<Box<Decider>>> = const { RefCell::new(None) };
    /// Whether `DECIDER` is set (a plain cell: read on every draw).
    static HAS_DECIDER: Cell<bool> = const { Cell::new(false) };
    /// Whether `DECIDER` records its decisions (fixed for a run: recording
    /// starts and stops only while the executor is not running), so that
    /// a spawn that need not note where it was made reads one cell.
    static RECORDING: Cell<bool> = const { Cell::new(false) };
}

/// Whether an executor runs on this thread (and draws come from its RNG).
#[inline]
pub(crate) fn in_exec() -> bool {
    IN_EXEC.with(|f| f.get())
}

/// A draw from the running executor's RNG (the caller checked `in_exec`).
#[inline]
pub(crate) fn exec_rand_below(n: usize) -> usize {
    if HAS_DECIDER.with(|h| h.get()) {
        let goid = crate::current_goroutine();
        return with_decider(|d| d.rand(n, goid));
    }
    EXEC_RNG.with(|c| {
        let mut r = c.get();
        let v = r.below(n);
        c.set(r);
        v
    })
}

/// Runs `f` with the running executor's decider.
///
/// # Panics
/// When the running executor has none (the caller knows it has).
#[inline]
pub(crate) fn with_decider<R>(f: impl FnOnce(&mut Decider) -> R) -> R {
    DECIDER.with(|d| f(d.borrow_mut().as_mut().expect("golang-sched: no decider on this thread")))
}

/// How many decisions the running deterministic executor made so far
/// (None: no such executor runs on this thread).
pub(crate) fn decisions_made() -> Option<u64> {
    if !HAS_DECIDER.with(|h| h.get()) {
        return None;
    }
    DECIDER.with(|d| d.try_borrow().ok().and_then(|d| d.as_ref().map(|d| d.made())))
}

/// Notes where goroutine `goid` of the running deterministic executor was
/// spawned, if it records its decisions (the schedule shows it).
#[inline]
pub(crate) fn note_spawn(goid: u64, at: &'static std::panic::Location<'static>) {
    if !RECORDING.with(|h| h.get()) {
        return; // (nothing records)
    }
    DECIDER.with(|d| {
        if let Ok(mut d) = d.try_borrow_mut() {
            if let Some(d) = d.as_mut() {
                d.note_spawn(goid, at);
            }
        }
    })
}

/// Takes the running executor's decider back (when it leaves the thread).
pub(crate) fn take_decider() -> Option<Box<Decider>> {
    HAS_DECIDER.with(|h| h.set(false));
    RECORDING.with(|h| h.set(false));
    DECIDER.with(|d| d.borrow_mut().take())
}

/// The running executor's RNG state (to keep it between runs).
pub(crate) fn exec_rng() -> Rng {
    EXEC_RNG.with(|r| r.get())
}

/// Records what the goroutine being polled is about to wait on.
#[inline]
pub(crate) fn set_wait_reason(reason: &'static str) {
    REASON_TL.with(|r| r.set(reason))
}

/// What the goroutine just polled said it waits on ("future" if nothing).
pub(crate) fn wait_reason() -> &'static str {
    match REASON_TL.with(|r| r.get()) {
        "" => "future",
        r => r,
    }
}

/// Spends one unit of the cooperative budget; false when it is spent.
#[inline]
pub(crate) fn coop_proceed() -> bool {
    BUDGET_TL.with(|c| {
        let b = c.get();
        if b == UNLIMITED {
            true
        } else if b == 0 {
            false
        } else {
            c.set(b - 1);
            true
        }
    })
}

/// Ends the budget of the goroutine just polled: code that runs between
/// polls is not in a goroutine.
pub(crate) fn end_budget() {
    BUDGET_TL.with(|b| b.set(UNLIMITED));
}

/// The guard of an executor's run on this thread: while it lives, the
/// thread runs an executor whose RNG is in the thread-locals; its drop
/// ends that (the budget becomes unlimited again). Every executor enters
/// through it: `Runtime::block_on`, `Runtime::run_turn`,
/// `MultiRuntime::block_on` and the multi-thread workers.
pub(crate) struct Enter {
    /// Tied to the thread whose thread-locals it set.
    _thread: PhantomData<*const ()>,
}

impl Enter {
    /// Marks this thread as running an executor whose RNG is `rng` and,
    /// for a deterministic one, whose decisions `decider` makes.
    pub(crate) fn new(rng: Rng, decider: Option<Box<Decider>>) -> Enter {
        IN_EXEC.with(|f| f.set(true));
        EXEC_RNG.with(|r| r.set(rng));
        HAS_DECIDER.with(|h| h.set(decider.is_some()));
        RECORDING.with(|h| h.set(decider.as_ref().is_some_and(|d| d.records())));
        DECIDER.with(|d| *d.borrow_mut() = decider);
        Enter { _thread: PhantomData }
    }

    /// Runs `f` outside the executor's context (its draws and budget are
    /// not the executor's), then enters again.
    pub(crate) fn outside<R>(&self, f: impl FnOnce() -> R) -> R {
        IN_EXEC.with(|x| x.set(false));
        let r = f();
        IN_EXEC.with(|x| x.set(true));
        r
    }
}

impl Drop for Enter {
    fn drop(&mut self) {
        IN_EXEC.with(|f| f.set(false));
        // (a decider not taken back is dropped with the run)
        drop(take_decider());
        end_budget();
    }
}

/// Polls a goroutine with a fresh budget and no wait reason, catching its
/// panic: `Err` holds the panic's message. Every poll of a goroutine (main
/// included) by either executor goes through here.
#[inline]
pub(crate) fn poll_guarded<F: Future + ?Sized>(fut: Pin<&mut F>, cx: &mut Context<'_>) -> Result<Poll<F::Output>, String> {
    BUDGET_TL.with(|b| b.set(BUDGET));
    REASON_TL.with(|r| r.set(""));
    catch_unwind(AssertUnwindSafe(|| fut.poll(cx))).map_err(|payload| panic_message(&*payload))
}

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
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
