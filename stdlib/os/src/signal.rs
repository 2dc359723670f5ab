//! Go's `os/signal`: deliver OS signals to `Chan<Signal>`, with Pygolang
//! 0.1's rules.
//!
//! - [`notify`] subscribes a channel to signals (none given: every signal
//!   1..=64 that sigaction accepts). The first subscription of a signal
//!   installs our handler and remembers the action that was there.
//! - Delivery never blocks: the handler records the signal in a 64-bit
//!   pending mask and wakes the delivery thread through a pipe; that thread
//!   sends `Signal(signo)` to each subscriber without blocking, so a full
//!   channel misses it, and signals that arrive close together coalesce.
//! - The handler also calls the action that was there before (a function:
//!   Python's handler, for one), but neither SIG_IGN nor SIG_DFL, so a
//!   notified SIGTERM no longer kills the process.
//! - [`stop`] unsubscribes a channel; for a signal that loses its last
//!   subscriber it restores the previous action and waits until signals
//!   caught before are delivered. Nothing is sent to the channel afterwards.
//! - [`ignore`] installs SIG_IGN (the previous action is not called any
//!   more) and [`reset`] restores the action from before the first use; both
//!   drop the subscribers.
//! - Someone else replacing our handler while a signal is notified makes the
//!   next notify, stop or reset of it fail with
//!   [`SignalError::Collision`]; changes made while a signal is reset or
//!   ignored are taken as the new previous action by the next notify.
//!
//! # Invariants
//!
//! 1. `STATE[s]` and `PREV[s]` change only with `REGISTRY` locked; the
//!    signal handler only loads them.
//! 2. A `PREV[s]` that is replaced is freed only once `IN_HANDLER` was seen
//!    at 0 after the replacement, so no running handler still reads it.
//! 3. The handler makes only async-signal-safe calls (atomics, `write` on
//!    the non-blocking pipe, `raise`, the previous handler) and keeps errno.
//! 4. Wake-up: the handler sets its bit in `PENDING` (fetch_or) and, when
//!    the mask was 0 before, writes one byte to the pipe; the delivery thread
//!    reads bytes, then swaps `PENDING` to 0. A bit set after a swap is
//!    therefore always followed by a byte written after it (by the handler
//!    that set the first bit after that swap): no signal waits without a
//!    wake-up. `write` failing with EAGAIN means unread bytes: the reader
//!    wakes anyway.
//! 5. Subscribers are read and changed with `REGISTRY` locked. The delivery
//!    thread sends with `try_send` only, so it never blocks with the lock
//!    held, and a channel removed under the lock receives nothing later.
//! 6. `STATE[s] == NOTIFYING` only while our handler is installed for `s`
//!    (stored after the sigaction that installs it, and changed before the
//!    one that removes it) and `s` has a subscriber.
//! 7. Barrier: `BARRIER.done >= n` means a delivery pass swapped `PENDING`
//!    after reading `requested >= n`; the waiter raised `requested` to `n`
//!    after seeing `IN_HANDLER` at 0, so every signal caught before the
//!    wait was delivered (or dropped for a full channel).

use crate::Signal;
use golang_chan::Chan;
use std::ffi::{c_int, c_void};
use std::fmt;
use std::sync::atomic::{AtomicI32, AtomicPtr, AtomicU64, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The highest signal number handled (the pending mask has 64 bits).
pub const MAXSIG: i32 = 64;
const NSLOT: usize = MAXSIG as usize + 1;

/// Why a call failed. Display gives Pygolang's panic message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalError {
    /// A signal number outside 1..=64.
    Invalid(i32),
    /// sigaction refused the signal (SIGKILL, SIGSTOP, ...).
    SigactionFailed { signo: i32, errno: i32 },
    /// With no signal given, sigaction refused every one.
    SigactionFailedForAll,
    /// Someone else replaced our handler while the signal was notified.
    Collision { signo: i32 },
    /// The wake-up pipe could not be created.
    PipeFailed { errno: i32 },
}

impl fmt::Display for SignalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignalError::Invalid(_) => "invalid signal",
            SignalError::SigactionFailed { .. } => "sigaction failed",
            SignalError::SigactionFailedForAll => "sigaction failed for all signals",
            SignalError::Collision { .. } => "collision detected wrt thirdparty sigaction usage",
            SignalError::PipeFailed { .. } => "signal: pipe failed",
        })
    }
}

impl std::error::Error for SignalError {}

/// What this package did to a signal (`STATE[s]`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum SigState {
    /// Never touched: no `PREV`.
    Untouched = 0,
    /// The previous action is installed (after reset, or the last stop).
    Reset = 1,
    /// SIG_IGN is installed.
    Ignoring = 2,
    /// Our handler is installed and delivers to subscribers.
    Notifying = 3,
}

impl SigState {
    fn load(s: usize) -> SigState {
        match STATE[s].load(SeqCst) {
            0 => SigState::Untouched,
            1 => SigState::Reset,
            2 => SigState::Ignoring,
            _ => SigState::Notifying,
        }
    }

    /// Invariant 1: callers hold `REGISTRY`.
    fn store(self, s: usize, _reg: &Registry) {
        STATE[s].store(self as u8, SeqCst);
    }
}

static STATE: [AtomicU8; NSLOT] = [const { AtomicU8::new(0) }; NSLOT];
/// The action installed before the package first touched the signal.
static PREV: [AtomicPtr<libc::sigaction>; NSLOT] =
    [const { AtomicPtr::new(std::ptr::null_mut()) }; NSLOT];
/// Bit `s - 1`: signal `s` was caught and is not delivered yet.
static PENDING: AtomicU64 = AtomicU64::new(0);
/// The handlers running now.
static IN_HANDLER: AtomicUsize = AtomicUsize::new(0);
/// The write end of the wake-up pipe (-1 before the delivery thread starts).
static WAKE_TX: AtomicI32 = AtomicI32::new(-1);

struct Registry {
    subs: [Vec<Chan<Signal>>; NSLOT],
    /// The process whose delivery thread runs (0: none yet). A forked child
    /// has no such thread: its first notify starts one, with its own pipe.
    delivery_pid: libc::pid_t,
}

static REGISTRY: Mutex<Registry> = Mutex::new(Registry {
    subs: [const { Vec::new() }; NSLOT],
    delivery_pid: 0,
});

fn registry() -> MutexGuard<'static, Registry> {
    // Nothing panics with the lock held, but a poisoned lock's data is
    // consistent anyway (every change is one assignment).
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Invariant 7.
struct Barrier {
    requested: u64,
    done: u64,
}

static BARRIER: Mutex<Barrier> = Mutex::new(Barrier {
    requested: 0,
    done: 0,
});
static BARRIER_CV: Condvar = Condvar::new();

fn barrier() -> MutexGuard<'static, Barrier> {
    BARRIER.lock().unwrap_or_else(|e| e.into_inner())
}

// ---- the handler ----

#[cfg(any(target_os = "linux", target_os = "android", target_os = "emscripten"))]
fn errno_location() -> *mut c_int {
    // SAFETY: returns the calling thread's errno slot; always valid.
    unsafe { libc::__errno_location() }
}
#[cfg(any(target_os = "macos", target_os = "ios", target_os = "freebsd"))]
fn errno_location() -> *mut c_int {
    // SAFETY: returns the calling thread's errno slot; always valid.
    unsafe { libc::__error() }
}

#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "emscripten",
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd"
)))]
fn errno_location() -> *mut c_int {
    std::ptr::null_mut() // unknown here: the handler leaves errno alone
}

fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// Writes one byte to the wake-up pipe (async-signal-safe).
fn wake() {
    let fd = WAKE_TX.load(SeqCst);
    if fd >= 0 {
        // SAFETY: fd is the pipe's write end, open for the life of the
        // process; the buffer is one valid byte. A failure (EAGAIN: the pipe
        // is full) needs nothing: invariant 4.
        unsafe {
            libc::write(fd, b"s".as_ptr().cast(), 1);
        }
    }
}

type SigactionFn = extern "C" fn(c_int, *mut libc::siginfo_t, *mut c_void);
type HandlerFn = extern "C" fn(c_int);

/// Our signal handler (invariant 3).
extern "C" fn on_signal(sig: c_int, info: *mut libc::siginfo_t, ctx: *mut c_void) {
    let errno_slot = errno_location();
    // SAFETY: errno_slot is this thread's errno (or null: not kept).
    let saved_errno = if errno_slot.is_null() {
        0
    } else {
        unsafe { *errno_slot }
    };
    IN_HANDLER.fetch_add(1, SeqCst);
    if (1..=MAXSIG).contains(&sig) {
        let s = sig as usize;
        let state = SigState::load(s);
        if state == SigState::Notifying && PENDING.fetch_or(1 << (s - 1), SeqCst) == 0 {
            wake(); // the first bit since the last swap: invariant 4
        }
        if state != SigState::Ignoring {
            let prev = PREV[s].load(SeqCst);
            if !prev.is_null() {
                // SAFETY: PREV is freed only after IN_HANDLER was seen at 0
                // (invariant 2), and we are counted in it.
                call_prev(sig, info, ctx, unsafe { &*prev }, state);
            }
        }
    }
    IN_HANDLER.fetch_sub(1, SeqCst);
    if !errno_slot.is_null() {
        // SAFETY: as above.
        unsafe { *errno_slot = saved_errno };
    }
}

/// Calls the action that was installed before ours, if it is a function.
fn call_prev(
    sig: c_int,
    info: *mut libc::siginfo_t,
    ctx: *mut c_void,
    prev: &libc::sigaction,
    state: SigState,
) {
    let h = prev.sa_sigaction;
    if prev.sa_flags & libc::SA_SIGINFO != 0 {
        if h != 0 {
            // SAFETY: with SA_SIGINFO the kernel would call sa_sigaction with
            // these three arguments; we pass on the ones we were given.
            let f: SigactionFn =
                unsafe { std::mem::transmute::<libc::sighandler_t, SigactionFn>(h) };
            f(sig, info, ctx);
        }
    } else if h == libc::SIG_DFL {
        // Not called while notifying (that is the point of Notify). After
        // stop or reset restored SIG_DFL, a handler that started before
        // re-raises: the signal, blocked until we return, then gets the
        // default action.
        if state == SigState::Reset {
            // SAFETY: raise is async-signal-safe.
            unsafe { libc::raise(sig) };
        }
    } else if h != libc::SIG_IGN {
        // SAFETY: without SA_SIGINFO the kernel would call sa_handler with
        // the signal number alone.
        let f: HandlerFn = unsafe { std::mem::transmute::<libc::sighandler_t, HandlerFn>(h) };
        f(sig);
    }
}

// ---- sigaction ----

fn empty_action(handler: libc::sighandler_t, flags: c_int) -> libc::sigaction {
    // SAFETY: sigaction is plain data; all zeroes is a valid value.
    let mut act: libc::sigaction = unsafe { std::mem::zeroed() };
    act.sa_sigaction = handler;
    act.sa_flags = flags;
    // SAFETY: act.sa_mask is a valid sigset_t to initialise.
    unsafe { libc::sigemptyset(&mut act.sa_mask) };
    act
}

fn notify_action() -> libc::sigaction {
    empty_action(
        on_signal as SigactionFn as libc::sighandler_t,
        libc::SA_SIGINFO | libc::SA_ONSTACK,
    )
}

fn ignore_action() -> libc::sigaction {
    empty_action(libc::SIG_IGN, 0)
}

/// Whether two actions are the same handler (flags other than SA_SIGINFO
/// and the mask are not compared: libc adds its own, e.g. SA_RESTORER).
fn same_action(a: &libc::sigaction, b: &libc::sigaction) -> bool {
    (a.sa_flags & libc::SA_SIGINFO) == (b.sa_flags & libc::SA_SIGINFO)
        && a.sa_sigaction == b.sa_sigaction
}

fn sigaction_get(signo: i32) -> Result<libc::sigaction, SignalError> {
    // SAFETY: sigaction is plain data; all zeroes is a valid value.
    let mut cur: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only reads the current one into `cur`.
    if unsafe { libc::sigaction(signo, std::ptr::null(), &mut cur) } < 0 {
        return Err(SignalError::SigactionFailed {
            signo,
            errno: errno(),
        });
    }
    Ok(cur)
}

/// Installs `act`; returns the action it replaced.
fn sigaction_set(signo: i32, act: &libc::sigaction) -> Result<libc::sigaction, SignalError> {
    // SAFETY: sigaction is plain data; all zeroes is a valid value.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid; `act` holds our handler, SIG_IGN, or
    // an action sigaction itself returned.
    if unsafe { libc::sigaction(signo, act, &mut old) } < 0 {
        return Err(SignalError::SigactionFailed {
            signo,
            errno: errno(),
        });
    }
    Ok(old)
}

/// Replaces `PREV[s]` (invariants 1 and 2).
fn set_prev(s: usize, act: libc::sigaction, _reg: &Registry) {
    let old = PREV[s].swap(Box::into_raw(Box::new(act)), SeqCst);
    if !old.is_null() {
        wait_handlers();
        // SAFETY: `old` came from Box::into_raw, is no longer reachable from
        // PREV, and no handler that loaded it is still running.
        drop(unsafe { Box::from_raw(old) });
    }
}

/// `PREV[s]`, which is set once the signal was touched.
fn prev(s: usize) -> libc::sigaction {
    // SAFETY: PREV[s] is non-null once STATE[s] is not Untouched, and it is
    // freed only by set_prev, under REGISTRY, which the caller holds.
    unsafe { *PREV[s].load(SeqCst) }
}

fn wait_handlers() {
    while IN_HANDLER.load(SeqCst) != 0 {
        std::thread::yield_now();
    }
}

fn check(signo: i32) -> Result<usize, SignalError> {
    if (1..=MAXSIG).contains(&signo) {
        Ok(signo as usize)
    } else {
        Err(SignalError::Invalid(signo))
    }
}

// ---- delivery ----

/// Starts the delivery thread and its pipe (once per process).
fn start_delivery(reg: &mut Registry) -> Result<(), SignalError> {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { libc::getpid() };
    if reg.delivery_pid == pid {
        return Ok(());
    }
    let mut fds = [0 as c_int; 2];
    // SAFETY: fds has room for the two descriptors.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } < 0 {
        return Err(SignalError::PipeFailed { errno: errno() });
    }
    let (rx, tx) = (fds[0], fds[1]);
    for fd in [rx, tx] {
        // SAFETY: fd is a descriptor we just opened; close-on-exec keeps it
        // out of child processes.
        unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
    }
    // SAFETY: as above; the handler must never block on a full pipe.
    unsafe {
        libc::fcntl(
            tx,
            libc::F_SETFL,
            libc::fcntl(tx, libc::F_GETFL) | libc::O_NONBLOCK,
        )
    };
    WAKE_TX.store(tx, SeqCst);
    std::thread::Builder::new()
        .name("golang-signal".into())
        .spawn(move || delivery_loop(rx))
        .map_err(|e| SignalError::PipeFailed {
            errno: e.raw_os_error().unwrap_or(0),
        })?;
    reg.delivery_pid = pid;
    Ok(())
}

/// Waits for wake-ups and sends the pending signals to their subscribers.
fn delivery_loop(rx: c_int) {
    // SAFETY: a full set is a valid mask; blocking every signal in this
    // thread sends process signals to the others (where Python expects
    // them), and this thread never runs a handler.
    unsafe {
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_BLOCK, &all, std::ptr::null_mut());
    }
    let mut buf = [0u8; 64];
    loop {
        // SAFETY: rx is the pipe's read end, owned by this thread; buf is
        // valid for its length.
        let n = unsafe { libc::read(rx, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 && errno() == libc::EINTR {
            continue;
        }
        if n <= 0 {
            // Our pipe was closed under us (say, by a program closing every
            // descriptor): stop writing to it, let waiters go, and let the
            // next notify start a new thread with a new pipe.
            // (both under REGISTRY, as start_delivery sets them)
            let mut reg = registry();
            WAKE_TX.store(-1, SeqCst);
            reg.delivery_pid = 0;
            drop(reg);
            let mut b = barrier();
            b.done = b.requested;
            BARRIER_CV.notify_all();
            return;
        }
        let requested = barrier().requested; // before the swap: invariant 7
        let bits = PENDING.swap(0, SeqCst);
        if bits != 0 {
            let reg = registry();
            for s in 1..NSLOT {
                if bits & (1 << (s - 1)) != 0 {
                    for ch in &reg.subs[s] {
                        let _ = ch.try_send(Signal(s as i32)); // full: dropped
                    }
                }
            }
        }
        let mut b = barrier();
        b.done = b.done.max(requested);
        BARRIER_CV.notify_all();
    }
}

/// Whether this process runs the delivery thread (a forked child does not
/// until it notifies: there is nothing to wait for then).
fn delivering(reg: &Registry) -> bool {
    // SAFETY: getpid has no preconditions.
    reg.delivery_pid == unsafe { libc::getpid() }
}

/// Waits until every signal caught so far is delivered (invariant 7).
/// Called without `REGISTRY` held: the delivery thread needs it.
fn wait_deliveries() {
    wait_handlers();
    let target = {
        let mut b = barrier();
        b.requested += 1;
        b.requested
    };
    wake();
    let mut b = barrier();
    // (no pipe: the delivery thread is gone, see delivery_loop)
    while b.done < target && WAKE_TX.load(SeqCst) >= 0 {
        b = BARRIER_CV.wait(b).unwrap_or_else(|e| e.into_inner());
    }
}

// ---- the API ----

fn notify1(ch: &Chan<Signal>, signo: i32) -> Result<(), SignalError> {
    let s = check(signo)?;
    let mut reg = registry();
    let cur = sigaction_get(signo)?;
    let state = SigState::load(s);
    if state == SigState::Notifying {
        if !same_action(&cur, &notify_action()) {
            return Err(SignalError::Collision { signo });
        }
    } else {
        // Adopt an action someone installed while we were not notifying.
        let expected = match state {
            SigState::Untouched => None,
            SigState::Ignoring => Some(ignore_action()),
            _ => Some(prev(s)),
        };
        if expected.is_none_or(|e| !same_action(&cur, &e)) {
            set_prev(s, cur, &reg);
            SigState::Reset.store(s, &reg);
        }
        start_delivery(&mut reg)?;
        let old = sigaction_set(signo, &notify_action())?;
        if !same_action(&old, &cur) {
            return Err(SignalError::Collision { signo });
        }
    }
    if !reg.subs[s].contains(ch) {
        reg.subs[s].push(ch.clone());
    }
    SigState::Notifying.store(s, &reg); // after the install: invariant 6
    Ok(())
}

fn ignore1(signo: i32) -> Result<(), SignalError> {
    let s = check(signo)?;
    let mut reg = registry();
    let mut state = SigState::load(s);
    if state == SigState::Untouched {
        set_prev(s, sigaction_get(signo)?, &reg);
        state = SigState::Reset;
        state.store(s, &reg);
    }
    SigState::Ignoring.store(s, &reg); // before the uninstall: invariant 6
    if let Err(e) = sigaction_set(signo, &ignore_action()) {
        state.store(s, &reg); // nothing changed (SIGKILL, SIGSTOP, ...)
        return Err(e);
    }
    reg.subs[s].clear();
    Ok(())
}

fn reset1(signo: i32) -> Result<(), SignalError> {
    let s = check(signo)?;
    let reg = registry();
    let state = SigState::load(s);
    if state == SigState::Untouched {
        return Ok(());
    }
    SigState::Reset.store(s, &reg); // before the uninstall: invariant 6
    let old = sigaction_set(signo, &prev(s)).inspect_err(|_| state.store(s, &reg))?;
    if state == SigState::Notifying && !same_action(&old, &notify_action()) {
        return Err(SignalError::Collision { signo });
    }
    let mut reg = reg;
    if state == SigState::Notifying && delivering(&reg) {
        drop(reg);
        wait_deliveries();
        reg = registry();
    }
    reg.subs[s].clear();
    Ok(())
}

/// Runs `f` for each of `sigs`, or, when there are none, for every signal
/// 1..=64, skipping the ones sigaction refuses (EINVAL).
fn for_signals(
    sigs: &[Signal],
    f: impl Fn(i32) -> Result<(), SignalError>,
) -> Result<(), SignalError> {
    if !sigs.is_empty() {
        return sigs.iter().try_for_each(|sig| f(sig.0));
    }
    let mut nok = 0;
    for signo in 1..=MAXSIG {
        match f(signo) {
            Ok(()) => nok += 1,
            Err(SignalError::SigactionFailed {
                errno: libc::EINVAL,
                ..
            }) => {}
            Err(e) => return Err(e),
        }
    }
    if nok == 0 {
        return Err(SignalError::SigactionFailedForAll);
    }
    Ok(())
}

/// Go's `signal.Notify`: `sigs` (all signals if empty) are sent to `ch`.
///
/// Subscriptions add up. Delivery never blocks: when `ch` is full the
/// signal is dropped for it.
pub fn notify(ch: &Chan<Signal>, sigs: &[Signal]) -> Result<(), SignalError> {
    for_signals(sigs, |signo| notify1(ch, signo))
}

/// Go's `signal.Stop`: nothing more is sent to `ch`.
///
/// A signal whose last subscriber this was gets its previous action back,
/// and the signals caught before are delivered before this returns.
pub fn stop(ch: &Chan<Signal>) -> Result<(), SignalError> {
    let mut reg = registry();
    for s in 1..NSLOT {
        if SigState::load(s) != SigState::Notifying || !reg.subs[s].contains(ch) {
            continue;
        }
        if reg.subs[s].len() == 1 {
            // The last subscriber: restore the previous action.
            SigState::Reset.store(s, &reg); // before the uninstall: invariant 6
            let old = sigaction_set(s as i32, &prev(s))
                .inspect_err(|_| SigState::Notifying.store(s, &reg))?;
            if !same_action(&old, &notify_action()) {
                return Err(SignalError::Collision { signo: s as i32 });
            }
            if delivering(&reg) {
                drop(reg);
                wait_deliveries();
                reg = registry();
            }
        }
        reg.subs[s].retain(|c| c != ch);
    }
    Ok(())
}

/// Go's `signal.Ignore`: `sigs` (all signals if empty) are ignored, their
/// subscribers dropped; the previous action is not called any more.
pub fn ignore(sigs: &[Signal]) -> Result<(), SignalError> {
    for_signals(sigs, ignore1)
}

/// Go's `signal.Reset`: `sigs` (all signals if empty) get back the action
/// they had before this package first touched them; subscribers dropped.
pub fn reset(sigs: &[Signal]) -> Result<(), SignalError> {
    for_signals(sigs, reset1)
}
