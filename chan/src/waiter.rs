//! Waiters: how a blocked party (a goroutine future, an OS thread, or a
//! runtime-provided waiter such as a gevent greenlet) waits on channels.
//!
//! A [`Waiter`] is shared by every queue entry of one blocking operation (one
//! per case of a select). Its state moves exactly once away from `WAITING`:
//!
//! ```text
//! WAITING --claim (a counterparty, under one channel's lock)--> BUSY --commit--> DONE(case, closed)
//! WAITING --abort (the owner: dropped, interrupted, or re-registering)--> ABORTED
//! ```
//!
//! Because both the claim and the abort are one compare-and-swap from
//! `WAITING`, exactly one case of a select can win, and an owner that fails
//! to abort knows a counterparty has committed (or is committing) it.

use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicUsize, Ordering};
use golang_prims::SpinLock;
use std::sync::Arc;
use std::task::Waker;
use std::thread::Thread;
use std::time::Duration;

const WAITING: usize = 0;
const BUSY: usize = 1;
const ABORTED: usize = 2;
const DONE: usize = 4; // DONE + 2*case + closed

/// How to wake the owner of a waiter.
pub enum Unparker {
    /// A goroutine (future): wake its task.
    Task(Waker),
    /// An OS thread blocked in `park`.
    Thread(Thread),
    /// Anything else (e.g. a gevent greenlet); called once on commit.
    Custom(Arc<dyn Fn() + Send + Sync>),
}

/// Checks of the outcome a thread waiting on a rendezvous makes before it
/// parks. (What that costs depends on the CPU's pause instruction: 2000
/// checks took 95 us on this project's AMD EPYC VM. A spin bounded by time
/// was tried: at 20-50 us the unbuffered ping-pong of Python threads fell
/// from ~2 to ~30 us per round trip on a loaded machine, as both sides then
/// park after one slow wake-up; left to tune on a quiet machine, issue 21.)
const SPIN: u32 = 2000;

/// A rendezvous spin that sees the commit within this many checks paid:
/// one that needed more cost nearly as much CPU as one that ran out (a
/// counterparty that had to be woken from a futex first), and counts as
/// a failure of the side's spins (`RdvSpin`).
const SPIN_PAID: u32 = SPIN / 4;

/// How a blocked OS thread waits before it parks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Spin {
    /// Spin a few microseconds on an unbuffered channel's send or receive
    /// (the counterparty on another core usually commits that soon); park at
    /// once on a buffered channel and in a select.
    #[default]
    Rendezvous,
    /// Spin a few microseconds first in every case. For threads whose
    /// counterparty runs only once it has taken a lock the waiter has just
    /// released, such as Python's GIL: it then commits soon, and waking a
    /// parked thread costs more than the spin (tens of microseconds on an
    /// idle core of a VM). At most one thread spins this way at a time (on
    /// top of rendezvous spinners), so spinners never crowd out the thread
    /// they wait for.
    Always,
}

/// The gate of [`Spin::Always`] spins on buffered channels and selects.
static EAGER: SpinGate = SpinGate::new();

/// A side backs off after this many rendezvous spins in a row ran out.
const RDV_TOLERATED: u16 = 3;

/// The largest back-off of a rendezvous spin: `2^MAX_RDV_BACKOFF - 1`
/// waits in a row park at once.
const MAX_RDV_BACKOFF: u16 = 6;

/// Adaptive rendezvous spinning, kept per channel and direction (an
/// unbuffered channel holds one for its receivers and one for its
/// senders). A spin pays only when the counterparty commits within it:
/// threads trading busily, each spinning while the other works. When the
/// counterparty is slow (a partner that sleeps, serves a request, or must
/// first be woken from a futex, which takes ~100 us on an idle core of this
/// project's VM) the spin runs out and the CPU it burnt bought nothing:
/// about 10% of a core for two threads trading once per millisecond.
///
/// So: a spin that sees the commit early (`SPIN_PAID`) resets the side; a
/// spin that runs out, or sees the commit only late, counts a failure, and
/// after `RDV_TOLERATED` failures in a row (a busy exchange tolerates the
/// odd preemption) the next `2^k - 1` waits on that side park at once, `k` growing with further failures up to
/// `MAX_RDV_BACKOFF`. Waits that park at once change nothing: the first
/// wait after them spins again, briefly (a probe of `SPIN_PAID` checks),
/// and if the exchange has become busy it succeeds and gets the side its
/// spins back.
///
/// Why only spins count: the length of a wait that parked includes the
/// waiter's own wake-up, as long as the counterparty's; an earlier rule
/// that took a wait within 4 spin lengths for "spinning would have paid"
/// saw the 1 kHz ping-pong's ~100 us replies as short, and spun in vain on
/// every one (issue 21, item 4). Why per channel side and not per thread: a
/// thread that waits long on one channel (its requests) and briefly on
/// another had one history for both.
///
/// The state is one word updated with relaxed loads and stores, without a
/// lock: racing threads may lose an update, which only shifts when a spin
/// happens. Timing only, never an outcome.
pub struct RdvSpin(AtomicU16);

impl RdvSpin {
    /// A side that spins (no failures yet).
    pub const fn new() -> RdvSpin {
        RdvSpin(AtomicU16::new(0))
    }

    /// How many checks this wait spins first: 0 (park at once), `SPIN`,
    /// or only `SPIN_PAID` on a side that backs off (a probe: a later
    /// commit would count as a failure anyway, so spinning on past it
    /// only burns more; the 1 kHz ping-pong's probes cost a quarter).
    /// The word packs `skip`, the waits left that park at once, in the low
    /// byte and `fails`, the spins in a row that ran out, in the high byte.
    #[inline]
    fn enter(&self) -> u32 {
        let st = self.0.load(Ordering::Relaxed);
        if st & 0xff != 0 {
            self.0.store(st - 1, Ordering::Relaxed);
            0
        } else if st >> 8 >= RDV_TOLERATED {
            SPIN_PAID
        } else {
            SPIN
        }
    }

    /// Ends a spin: `ok` if it saw the commit.
    #[inline]
    fn spun(&self, ok: bool) {
        let old = self.0.load(Ordering::Relaxed);
        let st = if ok {
            0
        } else {
            let fails = ((old >> 8) + 1).min(RDV_TOLERATED + MAX_RDV_BACKOFF);
            let k = fails.saturating_sub(RDV_TOLERATED);
            (fails << 8) | ((1 << k) - 1)
        };
        // (a busy side stays 0: no store, so the channel's cache line, which
        // the counterparty reads, is not written at every hand-over)
        if st != old {
            self.0.store(st, Ordering::Relaxed);
        }
    }
}

impl Default for RdvSpin {
    fn default() -> Self {
        RdvSpin::new()
    }
}

/// Admits one spinner at a time, and backs off when spins fail: a spin
/// that runs out without the outcome it waited for means the counterparty
/// is not running soon (on a loaded machine, a spinner may even be what
/// keeps it off a core), so the next `2^k` spins are skipped, `k` growing
/// with consecutive failures (up to `2^MAX_BACKOFF`); a success resets it.
/// The counters are shared by all threads and updated without a lock: they
/// steer timing only, never an outcome.
pub struct SpinGate {
    busy: AtomicBool,
    skip: AtomicU32,
    fails: AtomicU32,
}

/// The largest back-off of a [`SpinGate`] is `2^MAX_BACKOFF` skipped spins.
const MAX_BACKOFF: u32 = 4;

impl SpinGate {
    /// A gate that admits one spinner at a time.
    pub const fn new() -> SpinGate {
        SpinGate { busy: AtomicBool::new(false), skip: AtomicU32::new(0), fails: AtomicU32::new(0) }
    }

    /// Whether the caller may spin now; if true, it must call
    /// [`SpinGate::leave`] when its spin ends.
    #[inline]
    pub fn enter(&self) -> bool {
        let s = self.skip.load(Ordering::Relaxed);
        if s > 0 {
            self.skip.store(s - 1, Ordering::Relaxed);
            return false;
        }
        !self.busy.swap(true, Ordering::Acquire)
    }

    /// Ends a spin admitted by [`SpinGate::enter`]; `ok` says whether what
    /// it waited for happened during the spin.
    #[inline]
    pub fn leave(&self, ok: bool) {
        if ok {
            self.fails.store(0, Ordering::Relaxed);
        } else {
            let f = self.fails.load(Ordering::Relaxed);
            self.fails.store((f + 1).min(MAX_BACKOFF), Ordering::Relaxed);
            self.skip.store(1 << f, Ordering::Relaxed);
        }
        self.busy.store(false, Ordering::Release);
    }
}

impl Default for SpinGate {
    fn default() -> Self {
        SpinGate::new()
    }
}

/// The outcome of a wait on a thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woken {
    /// Case `0` committed; `1` says whether it was by a close.
    Committed(usize, bool),
    /// The interrupt check asked to stop and the waiter was aborted in time.
    Interrupted,
}

/// One blocking operation's shared state.
pub struct Waiter {
    state: AtomicUsize,
    unparker: Unparker,
    /// Set by an OS thread owner before it parks (never cleared): a commit
    /// then wakes it with a syscall, which `defer.rs` may defer. Before
    /// that the owner spins and sees the outcome by itself. Timing only: a
    /// commit that misses the flag wakes at once, as before.
    parked: AtomicBool,
}

impl Waiter {
    /// A new waiter in the `WAITING` state.
    pub fn new(unparker: Unparker) -> Arc<Waiter> {
        Arc::new(Waiter::fresh(unparker))
    }

    /// A waiter in the `WAITING` state, not yet parked (unshared: an
    /// entry's own, or the inside of [`Waiter::new`]'s `Arc`).
    fn fresh(unparker: Unparker) -> Waiter {
        Waiter { state: AtomicUsize::new(WAITING), unparker, parked: AtomicBool::new(false) }
    }

    /// A waiter for the current OS thread.
    pub fn for_thread() -> Arc<Waiter> {
        Waiter::new(Unparker::Thread(std::thread::current()))
    }

    /// Counterparty: claims the waiter for one of its cases. Only one claim
    /// or abort ever succeeds.
    #[inline]
    pub(crate) fn try_claim(&self) -> bool {
        self.state.compare_exchange(WAITING, BUSY, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Counterparty, after a successful claim and after it has moved the
    /// value: publishes the outcome and wakes the owner.
    #[inline]
    pub(crate) fn commit(&self, case: usize, closed: bool) {
        self.state.store(DONE + 2 * case + closed as usize, Ordering::Release);
        match &self.unparker {
            Unparker::Task(w) => w.wake_by_ref(),
            Unparker::Thread(t) if self.parked.load(Ordering::Relaxed) => crate::defer::wake_parked(t),
            Unparker::Thread(t) => t.unpark(),
            Unparker::Custom(f) => f(),
        }
    }

    /// Owner: gives up waiting. False means a counterparty claimed it first;
    /// the owner must then take the outcome ([`Waiter::wait_committed`]).
    pub fn try_abort(&self) -> bool {
        self.state.compare_exchange(WAITING, ABORTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    /// Whether nobody has claimed or aborted it yet.
    #[inline]
    pub(crate) fn is_waiting(&self) -> bool {
        self.state.load(Ordering::Acquire) == WAITING
    }

    /// The committed outcome: (case, closed), or None while still waiting,
    /// being committed, or aborted.
    #[inline]
    pub fn outcome(&self) -> Option<(usize, bool)> {
        let s = self.state.load(Ordering::Acquire);
        if s >= DONE {
            Some(((s - DONE) / 2, (s - DONE) % 2 == 1))
        } else {
            None
        }
    }

    /// After a failed abort: waits out the short window between a claim
    /// and its commit (the claimant holds one channel lock and does not
    /// block in it).
    pub fn wait_committed(&self) -> (usize, bool) {
        let mut spins = 0u32;
        loop {
            if let Some(o) = self.outcome() {
                return o;
            }
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
    }

    /// Parks the current OS thread until a commit. With `interrupt`, wakes
    /// every `poll` to call it; when it returns true and the waiter can still
    /// be aborted, returns `Interrupted`.
    pub fn wait_thread(&self, interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        self.wait_thread_spinning(None, interrupt)
    }

    /// [`Waiter::wait_thread`], spinning a little first when given the
    /// waiting side's [`RdvSpin`] and it says spinning pays: on a
    /// rendezvous (unbuffered) channel the counterparty on another core
    /// often commits within microseconds, and a spinning thread runs again
    /// much sooner than a parked one (for Python threads, a round trip over
    /// two unbuffered channels gets ~10x faster). Buffered channels do not
    /// spin: there the waiting side is better off letting the other fill or
    /// drain the buffer.
    pub fn wait_thread_spinning(&self, spin: Option<&RdvSpin>, interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        // (adaptive: only while spins pay on this side, `RdvSpin`)
        if let Some(side) = spin {
            let checks = side.enter();
            if checks > 0 {
                for i in 0..checks {
                    if let Some((case, closed)) = self.outcome() {
                        side.spun(i < SPIN_PAID);
                        return Woken::Committed(case, closed);
                    }
                    std::hint::spin_loop();
                }
                side.spun(false);
            }
        }
        self.park_until_committed(interrupt)
    }

    /// The parking part of [`Waiter::wait_thread_spinning`].
    fn park_until_committed(&self, mut interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Woken {
        self.parked.store(true, Ordering::Relaxed);
        loop {
            if let Some((case, closed)) = self.outcome() {
                return Woken::Committed(case, closed);
            }
            match &mut interrupt {
                None => std::thread::park(),
                Some((check, poll)) => {
                    std::thread::park_timeout(*poll);
                    if self.outcome().is_none() && check() {
                        if self.try_abort() {
                            return Woken::Interrupted;
                        }
                        let (case, closed) = self.wait_committed();
                        return Woken::Committed(case, closed);
                    }
                }
            }
        }
    }

    /// [`Waiter::wait_thread`] under a spin policy: `rendezvous` is the
    /// waiting side's spin state when the operation is on an unbuffered
    /// channel (which spins by default, as [`Waiter::wait_thread_spinning`]);
    /// [`Spin::Always`] spins in every case, but only one such spinner at a
    /// time (see [`Spin`]).
    pub(crate) fn wait_thread_with(
        &self,
        rendezvous: Option<&RdvSpin>,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Woken {
        if rendezvous.is_none() && spin == Spin::Always && EAGER.enter() {
            let mut done = None;
            for _ in 0..SPIN {
                if let Some(o) = self.outcome() {
                    done = Some(o);
                    break;
                }
                std::hint::spin_loop();
            }
            EAGER.leave(done.is_some());
            if let Some((case, closed)) = done {
                return Woken::Committed(case, closed);
            }
        }
        self.wait_thread_spinning(rendezvous, interrupt)
    }

    /// Whether this waiter wakes the given task (to detect a changed waker).
    pub(crate) fn wakes(&self, w: &Waker) -> bool {
        matches!(&self.unparker, Unparker::Task(t) if t.will_wake(w))
    }
}

/// Where an entry's waiter lives: inside the entry (a single send or
/// receive: one allocation instead of two) or shared by the entries of one
/// select.
pub(crate) enum WaiterRef {
    Own(Waiter),
    Shared(Arc<Waiter>),
}

/// A waiter's place in one channel queue: which case it is for, and the
/// value slot. For a sender the slot holds the value to send until a
/// receiver takes it; for a receiver it receives the value.
pub(crate) struct Entry<T> {
    waiter: WaiterRef,
    pub(crate) case: usize,
    pub(crate) slot: SpinLock<Option<T>>,
}

impl<T> Entry<T> {
    /// An entry of a select case, sharing the select's waiter.
    pub(crate) fn new(waiter: Arc<Waiter>, case: usize, value: Option<T>) -> Arc<Entry<T>> {
        Arc::new(Entry { waiter: WaiterRef::Shared(waiter), case, slot: SpinLock::new(value) })
    }

    /// The entry of a single operation, with its own waiter.
    pub(crate) fn single(unparker: Unparker, value: Option<T>) -> Arc<Entry<T>> {
        Arc::new(Entry {
            waiter: WaiterRef::Own(Waiter::fresh(unparker)),
            case: 0,
            slot: SpinLock::new(value),
        })
    }

    /// The waiter.
    #[inline]
    pub(crate) fn waiter(&self) -> &Waiter {
        match &self.waiter {
            WaiterRef::Own(w) => w,
            WaiterRef::Shared(w) => w,
        }
    }

    /// Whether this entry belongs to the select of `own`.
    #[inline]
    pub(crate) fn is_of(&self, own: &Waiter) -> bool {
        std::ptr::eq(self.waiter(), own)
    }

    pub(crate) fn take(&self) -> Option<T> {
        self.slot.lock().take()
    }

    pub(crate) fn put(&self, v: T) {
        *self.slot.lock() = Some(v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many of the next `n` waits on `side` would spin (each spin
    /// ending as `ok` says).
    fn spins(side: &RdvSpin, n: usize, ok: bool) -> usize {
        (0..n)
            .filter(|_| {
                let s = side.enter() > 0;
                if s {
                    side.spun(ok);
                }
                s
            })
            .count()
    }

    #[test]
    fn a_busy_side_tolerates_a_few_spins_that_run_out() {
        let side = RdvSpin::new();
        assert_eq!(spins(&side, 10, true), 10);
        assert_eq!(spins(&side, RDV_TOLERATED as usize - 1, false), RDV_TOLERATED as usize - 1);
        // a success before the limit: the side keeps spinning
        assert_eq!(spins(&side, 1, true), 1);
        assert_eq!(spins(&side, RDV_TOLERATED as usize, false), RDV_TOLERATED as usize);
    }

    #[test]
    fn a_side_whose_spins_keep_running_out_spins_once_in_64_waits() {
        let side = RdvSpin::new();
        // the tolerated failures, then back-offs of 1, 3, 7, ... 63 waits
        assert_eq!(spins(&side, 3 + 2 + 4 + 8 + 16 + 32 + 64, false), 3 + 6);
        assert_eq!(spins(&side, 64 * 10, false), 10);
    }

    #[test]
    fn a_backed_off_side_probes_with_short_spins_and_a_busy_one_spins_long() {
        let side = RdvSpin::new();
        assert_eq!(side.enter(), SPIN);
        spins(&side, 1000, false);
        let probe = (0..64).map(|_| side.enter()).find(|&n| n > 0).expect("a probe within 64 waits");
        assert_eq!(probe, SPIN_PAID);
        side.spun(true);
        assert_eq!(side.enter(), SPIN);
    }

    #[test]
    fn one_spin_that_sees_the_commit_gives_a_side_its_spins_back() {
        let side = RdvSpin::new();
        spins(&side, 1000, false);
        let first = (0..64).position(|_| side.enter() > 0).expect("a probe within 64 waits");
        assert!(first < 64);
        side.spun(true);
        assert_eq!(spins(&side, 10, true), 10);
    }
}
