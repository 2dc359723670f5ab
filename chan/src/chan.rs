//! `Chan<T>`: Go channels for goroutines and OS threads at once.
//!
//! Invariants (checked under the channel's lock, a spin lock: `lock.rs`):
//! 1. `buf.len() <= cap`, except for values given back by receivers that
//!    were dropped after a sender had handed them a value (see 5); those go
//!    to the front of `buf` and may exceed `cap` until received.
//! 2. A receiver waits in `recvq` only while `buf` is empty and no live
//!    sender waits in `sendq`; a sender waits in `sendq` only while no live
//!    receiver waits and `buf` is full (`cap == 0`: always "full").
//!    Entries whose waiter is no longer `WAITING` are stale: whoever meets
//!    one drops it.
//! 3. A value moves only under the lock: from a sender's slot or the
//!    buffer to a receiver (the receiver's slot, or its return value when it
//!    is the active side), after the passive party's waiter was claimed. So
//!    every value is delivered at most once.
//! 4. `closed` never goes back to false. After close, `recvq` and `sendq`
//!    are empty; receivers drain `buf` and then get (zero, false); senders
//!    panic "send on closed channel".
//! 5. No value is lost when a waiting receiver is dropped: a receiver that
//!    was committed with a value but is dropped before taking it gives the
//!    value back, to the next waiting receiver or to the front of `buf`.
//! 6. The readiness hint never says "not ready" about a state that a woken
//!    waiter has already seen: a change that sets a hint bit (only close
//!    does, while waking waiters) is published before the waiters wake.
//!    Other commits only clear bits, and a stale set bit costs a lock.
//!
//! Fast paths and why they are sound:
//! - A send that finds a live receiver hands the value over directly (Go's
//!   sudog handoff): the buffer is empty then (2), so FIFO order holds.
//! - A receive that empties a slot of a full buffer refills it from the
//!   first live waiting sender, keeping (2).
//! - Nil channels never touch a lock: they are `None`.
//! - `Chan::with_value` fills the first buffer slot and sets the hint
//!   without the lock: nobody else can see the channel yet, and it writes
//!   the very state (and hint) a send into the empty channel would leave.
//! - A non-blocking operation that finds the readiness hint clear returns
//!   "not ready" without locking: the hint is published at every unlock
//!   (and before close wakes anyone, invariant 6), so a clear bit is the
//!   state at some moment during the call.
//! - A receive that finds the hint's `CLOSED_DRAINED` bit set returns
//!   (zero, false) without locking (Go's `<-ctx.Done()` on a cancelled
//!   context): the bit is published at every unlock as "closed and the
//!   buffer empty", so a set bit is that state at some moment during the
//!   call, which is when a locked receive would have returned the same
//!   (a give-back after close, invariant 5, clears it at its own unlock).

use crate::waiter::{Entry, RdvSpin, Spin, Unparker, Waiter, Woken};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use crate::buf::Buf;
use golang_prims::{SpinGuard, SpinLock};
use golang_prims::{Queue, Shared};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// A Go panic raised by a channel operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChanError {
    /// "send on closed channel"
    SendOnClosed,
    /// "close of closed channel"
    CloseOfClosed,
    /// "close of nil channel"
    CloseOfNil,
}

impl fmt::Display for ChanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChanError::SendOnClosed => "send on closed channel",
            ChanError::CloseOfClosed => "close of closed channel",
            ChanError::CloseOfNil => "close of nil channel",
        })
    }
}

impl std::error::Error for ChanError {}

/// Why a non-blocking send did not complete; the value comes back.
#[derive(Debug, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// No receiver waits and the buffer is full.
    Full(T),
    /// The channel is closed (a blocking send would panic).
    Closed(T),
}

/// Why a non-blocking receive did not produce a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// Nothing to receive now.
    Empty,
    /// Closed and drained: a blocking receive returns (zero, false).
    Closed,
}

/// The outcome of an interruptible blocking operation.
#[derive(Debug, PartialEq, Eq)]
pub enum Blocking<T> {
    /// The operation completed with this result.
    Done(T),
    /// The interrupt check fired before any counterparty committed.
    Interrupted,
}

pub(crate) struct State<T> {
    pub(crate) buf: Buf<T>,
    pub(crate) closed: bool,
    pub(crate) recvq: Queue<Arc<Entry<T>>>,
    pub(crate) sendq: Queue<Arc<Entry<T>>>,
}

pub(crate) struct Inner<T> {
    pub(crate) cap: usize,
    pub(crate) state: SpinLock<State<T>>,
    /// Readiness published at every unlock: `RECV_MAYBE` when a receive
    /// might proceed (buffered values, waiting senders, or closed),
    /// `SEND_MAYBE` when a send might (buffer room, waiting receivers, or
    /// closed). A clear bit means "not ready" for certain at that moment, so
    /// non-blocking operations that find it clear need no lock. Also
    /// `CLOSED_DRAINED`: closed with an empty buffer (a receive returns
    /// (zero, false) without the lock).
    hint: AtomicU8,
    /// Whether a thread's blocking receive on this unbuffered channel
    /// spins before it parks (adaptive, `waiter::RdvSpin`; unused when
    /// buffered). Timing only.
    recv_spin: RdvSpin,
    /// The same for blocking sends.
    send_spin: RdvSpin,
}

const RECV_MAYBE: u8 = 1;
const SEND_MAYBE: u8 = 2;
const CLOSED_DRAINED: u8 = 4;

/// The channel's state while locked; publishes the readiness hint on unlock.
pub(crate) struct Locked<'a, T> {
    g: SpinGuard<'a, State<T>>,
    inner: &'a Inner<T>,
}

impl<T> std::ops::Deref for Locked<'_, T> {
    type Target = State<T>;
    #[inline]
    fn deref(&self) -> &State<T> {
        &self.g
    }
}

impl<T> std::ops::DerefMut for Locked<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut State<T> {
        &mut self.g
    }
}

impl<T> Locked<'_, T> {
    /// Publishes the readiness hint of the state as it is now.
    #[inline]
    fn publish(&self) {
        let st = &*self.g;
        let h = if st.closed {
            // both operations proceed (a send to panic)
            RECV_MAYBE | SEND_MAYBE | (st.buf.is_empty() as u8 * CLOSED_DRAINED)
        } else {
            let recv = !st.buf.is_empty() || !st.sendq.is_empty();
            let send = st.buf.len() < self.inner.cap || !st.recvq.is_empty();
            (recv as u8 * RECV_MAYBE) | (send as u8 * SEND_MAYBE)
        };
        self.inner.hint.store(h, Ordering::Release);
    }
}

impl<T> Drop for Locked<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.publish();
    }
}

/// A Go channel: a cheap clonable handle; `Chan::nil()` is the nil channel.
///
/// Unbuffered channels (`cap == 0`) are a rendezvous; buffered ones are a
/// FIFO of `cap` elements. Operations exist in three forms: `async` for
/// goroutines, `_blocking` for OS threads, and `try_` (never blocks). Any of
/// them may meet on one channel.
pub struct Chan<T> {
    pub(crate) inner: Option<Shared<Inner<T>>>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan { inner: self.inner.clone() }
    }
}

impl<T> PartialEq for Chan<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}
impl<T> Eq for Chan<T> {}

impl<T> std::hash::Hash for Chan<T> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.id().hash(h)
    }
}

impl<T> fmt::Debug for Chan<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            None => f.write_str("Chan(nil)"),
            Some(_) => write!(f, "Chan({:#x}, cap {}, len {})", self.id(), self.cap(), self.len()),
        }
    }
}

impl<T> Default for Chan<T> {
    /// The nil channel, as Go's zero value of a channel type.
    fn default() -> Self {
        Chan::nil()
    }
}

/// Go's `make(chan T, cap)`.
pub fn make<T>(cap: usize) -> Chan<T> {
    Chan::new(cap)
}

impl<T> Chan<T> {
    /// A channel with `cap` buffer slots (0: unbuffered).
    pub fn new(cap: usize) -> Chan<T> {
        Chan { inner: Some(Inner::alloc(cap, Buf::new(), if cap > 0 { SEND_MAYBE } else { 0 })) }
    }

    /// A buffered channel that already holds `v`: exactly the state that
    /// `new(cap)` followed by a send of `v` leaves (the value in the inline
    /// first buffer slot, the hint "ready to receive", and "ready to send"
    /// while `cap > 1`), built without taking the lock. For timers that have
    /// fired by the time anyone can see their channel (`after(0)`).
    ///
    /// # Panics
    /// If `cap` is 0: an unbuffered channel cannot hold a value.
    pub fn with_value(cap: usize, v: T) -> Chan<T> {
        assert!(cap > 0, "Chan::with_value: an unbuffered channel cannot hold a value");
        // Sound without the lock: nobody else can see the channel yet. The
        // hint is what `Locked::drop` computes for this state: buf is not
        // empty (receive), and len 1 < cap only when cap > 1 (send).
        let hint = RECV_MAYBE | if cap > 1 { SEND_MAYBE } else { 0 };
        Chan { inner: Some(Inner::alloc(cap, Buf::with_first(v), hint)) }
    }

    /// Like `new`, for a size that may be out of range (a negative size from
    /// Python or C): panics "makechan: size out of range" as Go does.
    pub fn with_size(size: i64) -> Result<Chan<T>, &'static str> {
        if size < 0 || size as u64 > isize::MAX as u64 / 64 {
            return Err("makechan: size out of range");
        }
        Ok(Chan::new(size as usize))
    }

    /// The nil channel: send and receive block forever, close panics.
    pub const fn nil() -> Chan<T> {
        Chan { inner: None }
    }

    /// How many `Chan` handles share this channel right now (0 for nil); a
    /// snapshot, for owners that want to know whether anyone else holds it.
    pub fn handle_count(&self) -> usize {
        self.inner.as_ref().map_or(0, Shared::count)
    }

    /// Calls `f` on each buffered value, front first, under the channel's
    /// lock: for a garbage collector's traversal (`f` must be short and must
    /// not use this channel).
    pub fn for_each_buffered(&self, mut f: impl FnMut(&T)) {
        if let Some(inner) = &self.inner {
            let st = inner.lock();
            st.buf.iter().for_each(&mut f);
        }
    }

    /// Takes every buffered value out, front first: for a garbage
    /// collector's clear of an unreachable channel (waiting senders stay).
    pub fn take_buffered(&self) -> Vec<T> {
        let Some(inner) = &self.inner else { return Vec::new() };
        let mut st = inner.lock();
        let mut out = Vec::with_capacity(st.buf.len());
        while let Some(v) = st.buf.pop_front() {
            out.push(v);
        }
        out
    }

    /// Puts back a value just received, as if the receive had not happened:
    /// to the next waiting receiver, or to the front of the buffer (which
    /// may then hold one more than its capacity). For a receiver that must
    /// give up a value it was handed (an interrupted blocking receive).
    pub fn unrecv(&self, v: T) {
        if let Some(inner) = &self.inner {
            inner.give_back(v);
        }
    }

    /// Whether this is the nil channel.
    pub fn is_nil(&self) -> bool {
        self.inner.is_none()
    }

    /// An identity for the underlying channel (0 for nil).
    pub fn id(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| Shared::as_ptr(i) as *const u8 as usize)
    }

    /// Buffer capacity (0 for unbuffered and nil).
    pub fn cap(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.cap)
    }

    /// Number of buffered elements (0 for nil).
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.lock().buf.len())
    }

    /// Whether no element is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many receivers (goroutines, threads, selects) wait on the channel.
    pub fn waiting_receivers(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.lock().recvq.iter().filter(|e| e.waiter().is_waiting()).count())
    }

    /// How many senders wait on the channel.
    pub fn waiting_senders(&self) -> usize {
        self.inner.as_ref().map_or(0, |i| i.lock().sendq.iter().filter(|e| e.waiter().is_waiting()).count())
    }

    /// Whether the channel is closed (false for nil).
    pub fn is_closed(&self) -> bool {
        self.inner.as_ref().is_some_and(|i| i.lock().closed)
    }

    /// Closes the channel: receivers drain the buffer, then get (zero,
    /// false); waiting and later senders panic.
    ///
    /// # Panics
    /// "close of closed channel", "close of nil channel".
    pub fn close(&self) {
        if let Err(e) = self.try_close() {
            panic!("{e}");
        }
    }

    /// `close` that reports Go's panic as an error.
    pub fn try_close(&self) -> Result<(), ChanError> {
        let inner = self.inner.as_ref().ok_or(ChanError::CloseOfNil)?;
        let mut st = inner.lock();
        if st.closed {
            return Err(ChanError::CloseOfClosed);
        }
        st.closed = true;
        let recvq = std::mem::take(&mut st.recvq);
        let sendq = std::mem::take(&mut st.sendq);
        // Invariant 6: the woken waiters may look at the hint at once (a
        // receiver woken by close that tries a non-blocking receive must
        // find the channel ready), so it is published before they wake.
        st.publish();
        for e in recvq.iter().chain(sendq.iter()) {
            if e.waiter().try_claim() {
                e.waiter().commit(e.case, true);
            }
        }
        drop(st);
        // Senders' values are dropped by their owners, outside the lock.
        drop((recvq, sendq));
        Ok(())
    }

    /// Sends without blocking.
    pub fn try_send(&self, v: T) -> Result<(), TrySendError<T>> {
        match &self.inner {
            None => Err(TrySendError::Full(v)),
            // Sound without the lock: the hint was clear at this moment.
            Some(inner) if !inner.send_maybe() => Err(TrySendError::Full(v)),
            Some(inner) => inner.try_send(&mut inner.lock(), v),
        }
    }

    /// Receives without blocking.
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        match &self.inner {
            None => Err(TryRecvError::Empty),
            // Sound without the lock: the hint was clear at this moment.
            Some(inner) if !inner.recv_maybe() => Err(TryRecvError::Empty),
            Some(inner) => inner.try_recv(&mut inner.lock()),
        }
    }

    /// Sends `v` (goroutine form).
    ///
    /// # Panics
    /// "send on closed channel" (when the future is polled).
    pub fn send(&self, v: T) -> SendFuture<'_, T> {
        SendFuture { ch: self, state: SendState::Idle(Some(v)), panic_on_close: true }
    }

    /// Sends `v`; a closed channel gives `Err(SendOnClosed)` instead of a
    /// panic.
    pub fn send_checked(&self, v: T) -> SendFuture<'_, T> {
        SendFuture { ch: self, state: SendState::Idle(Some(v)), panic_on_close: false }
    }

    /// Receives: `Some(v)`, or `None` once closed and drained (goroutine
    /// form). On nil it never completes.
    pub fn recv(&self) -> RecvFuture<'_, T> {
        RecvFuture { ch: self, entry: None }
    }

    /// Sends `v`, blocking the OS thread.
    ///
    /// # Panics
    /// "send on closed channel".
    pub fn send_blocking(&self, v: T) {
        if let Blocking::Done(Err(e)) = self.send_blocking_interruptible(v, None) {
            panic!("{e}");
        }
    }

    /// Receives, blocking the OS thread: `Some(v)` or `None` once closed and
    /// drained.
    pub fn recv_blocking(&self) -> Option<T> {
        match self.recv_blocking_interruptible(None) {
            Blocking::Done(v) => v,
            Blocking::Interrupted => unreachable!(),
        }
    }

    /// Blocking send that calls `interrupt.0` every `interrupt.1` while it
    /// waits and gives up (`Interrupted`) when it returns true, unless a
    /// receiver already committed. For Python's Ctrl-C.
    pub fn send_blocking_interruptible(
        &self,
        v: T,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<(), ChanError>> {
        self.send_blocking_spin(v, Spin::Rendezvous, interrupt)
    }

    /// [`Chan::send_blocking_interruptible`] with a spin policy for the
    /// wait (see [`Spin`]).
    pub fn send_blocking_spin(
        &self,
        v: T,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<(), ChanError>> {
        let Some(inner) = &self.inner else {
            return block_forever(interrupt);
        };
        let entry = {
            let mut st = inner.lock();
            match inner.try_send(&mut st, v) {
                Ok(()) => return Blocking::Done(Ok(())),
                Err(TrySendError::Closed(_)) => return Blocking::Done(Err(ChanError::SendOnClosed)),
                Err(TrySendError::Full(v)) => {
                    let e = Entry::single(Unparker::Thread(std::thread::current()), Some(v));
                    st.sendq.push_back(e.clone());
                    e
                }
            }
        };
        let rdv = if inner.cap == 0 { Some(&inner.send_spin) } else { None };
        match entry.waiter().wait_thread_with(rdv, spin, interrupt) {
            Woken::Committed(_, closed) => Blocking::Done(if closed { Err(ChanError::SendOnClosed) } else { Ok(()) }),
            Woken::Interrupted => {
                inner.lock().sendq.retain(|e| !Arc::ptr_eq(e, &entry));
                Blocking::Interrupted
            }
        }
    }

    /// Blocking receive with an interrupt check (see
    /// `send_blocking_interruptible`).
    pub fn recv_blocking_interruptible(
        &self,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Option<T>> {
        self.recv_blocking_spin(Spin::Rendezvous, interrupt)
    }

    /// [`Chan::recv_blocking_interruptible`] with a spin policy for the
    /// wait (see [`Spin`]).
    pub fn recv_blocking_spin(
        &self,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Option<T>> {
        let Some(inner) = &self.inner else {
            return block_forever(interrupt);
        };
        let entry = {
            let mut st = inner.lock();
            match inner.try_recv(&mut st) {
                Ok(v) => return Blocking::Done(Some(v)),
                Err(TryRecvError::Closed) => return Blocking::Done(None),
                Err(TryRecvError::Empty) => {
                    let e = Entry::single(Unparker::Thread(std::thread::current()), None);
                    st.recvq.push_back(e.clone());
                    e
                }
            }
        };
        let rdv = if inner.cap == 0 { Some(&inner.recv_spin) } else { None };
        match entry.waiter().wait_thread_with(rdv, spin, interrupt) {
            Woken::Committed(_, closed) => Blocking::Done(if closed { None } else { entry.take() }),
            Woken::Interrupted => {
                inner.lock().recvq.retain(|e| !Arc::ptr_eq(e, &entry));
                Blocking::Interrupted
            }
        }
    }
}

impl<T: Default> Chan<T> {
    /// Go's `v, ok := <-ch`: (zero value, false) once closed and drained.
    pub async fn recv_(&self) -> (T, bool) {
        match self.recv().await {
            Some(v) => (v, true),
            None => (T::default(), false),
        }
    }
}

/// Blocks an OS thread forever (a nil channel), honouring the interrupt.
pub(crate) fn block_forever<R>(interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Blocking<R> {
    match interrupt {
        None => loop {
            std::thread::park();
        },
        Some((check, poll)) => loop {
            std::thread::park_timeout(poll);
            if check() {
                return Blocking::Interrupted;
            }
        },
    }
}

impl<T> Inner<T> {
    /// A channel with this buffer and readiness hint, and no waiters.
    /// `Shared::new_with` builds it directly in its heap allocation (an
    /// `Arc::new` of this ~140-byte value cost a `memmove` call, ~12% of
    /// `after(0)` + recv).
    #[inline(always)]
    fn alloc(cap: usize, buf: Buf<T>, hint: u8) -> Shared<Inner<T>> {
        Shared::new_with(|| Inner {
            cap,
            state: SpinLock::new(State { buf, closed: false, recvq: Queue::new(), sendq: Queue::new() }),
            hint: AtomicU8::new(hint),
            recv_spin: RdvSpin::new(),
            send_spin: RdvSpin::new(),
        })
    }

    #[inline]
    pub(crate) fn lock(&self) -> Locked<'_, T> {
        Locked { g: self.state.lock(), inner: self }
    }

    /// Whether a receive might proceed now (false: certainly not).
    #[inline]
    pub(crate) fn recv_maybe(&self) -> bool {
        self.hint.load(Ordering::Acquire) & RECV_MAYBE != 0
    }

    /// Whether the channel was closed with an empty buffer at the last
    /// unlock (true: a receive returns (zero, false) now).
    #[inline]
    pub(crate) fn closed_drained(&self) -> bool {
        self.hint.load(Ordering::Acquire) & CLOSED_DRAINED != 0
    }

    /// Whether a send might proceed now (false: certainly not).
    #[inline]
    pub(crate) fn send_maybe(&self) -> bool {
        self.hint.load(Ordering::Acquire) & SEND_MAYBE != 0
    }

    /// The active side of a send (the caller holds the lock).
    #[inline]
    pub(crate) fn try_send(&self, st: &mut State<T>, v: T) -> Result<(), TrySendError<T>> {
        if st.closed {
            return Err(TrySendError::Closed(v));
        }
        while let Some(e) = st.recvq.pop_front() {
            if e.waiter().try_claim() {
                e.put(v);
                e.waiter().commit(e.case, false);
                return Ok(());
            }
        }
        if st.buf.len() < self.cap {
            st.buf.push_back(v);
            return Ok(());
        }
        Err(TrySendError::Full(v))
    }

    /// The active side of a receive (the caller holds the lock).
    #[inline]
    pub(crate) fn try_recv(&self, st: &mut State<T>) -> Result<T, TryRecvError> {
        if let Some(v) = st.buf.pop_front() {
            if st.buf.len() < self.cap {
                while let Some(e) = st.sendq.pop_front() {
                    if e.waiter().try_claim() {
                        let w = e.take().expect("a waiting sender holds its value");
                        st.buf.push_back(w);
                        e.waiter().commit(e.case, false);
                        break;
                    }
                }
            }
            return Ok(v);
        }
        while let Some(e) = st.sendq.pop_front() {
            if e.waiter().try_claim() {
                let v = e.take().expect("a waiting sender holds its value");
                e.waiter().commit(e.case, false);
                return Ok(v);
            }
        }
        if st.closed {
            Err(TryRecvError::Closed)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// Gives back a value that a dropped receiver had been handed (5).
    pub(crate) fn give_back(&self, v: T) {
        let mut st = self.lock();
        while let Some(e) = st.recvq.pop_front() {
            if e.waiter().try_claim() {
                e.put(v);
                e.waiter().commit(e.case, false);
                return;
            }
        }
        st.buf.push_front(v);
    }

    /// Whether a receive could proceed now, ignoring the entries of `own`.
    pub(crate) fn recv_ready(&self, st: &State<T>, own: &Arc<Waiter>) -> bool {
        !st.buf.is_empty() || st.closed || st.sendq.iter().any(|e| e.waiter().is_waiting() && !e.is_of(own))
    }

    /// Whether a send could proceed (or panic) now, ignoring `own`'s entries.
    pub(crate) fn send_ready(&self, st: &State<T>, own: &Arc<Waiter>) -> bool {
        st.closed || st.buf.len() < self.cap || st.recvq.iter().any(|e| e.waiter().is_waiting() && !e.is_of(own))
    }
}

enum SendState<T> {
    Idle(Option<T>),
    Waiting(Arc<Entry<T>>),
    Done,
}

/// The future of [`Chan::send`].
pub struct SendFuture<'a, T> {
    ch: &'a Chan<T>,
    state: SendState<T>,
    panic_on_close: bool,
}

impl<T> Unpin for SendFuture<'_, T> {}

impl<T> Future for SendFuture<'_, T> {
    type Output = Result<(), ChanError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let Some(inner) = &this.ch.inner else {
            golang_sched::set_wait_reason("chan send (nil chan)");
            return Poll::Pending;
        };
        let res = match &mut this.state {
            SendState::Idle(v) => {
                if !golang_sched::coop_proceed() {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                let mut st = inner.lock();
                match inner.try_send(&mut st, v.take().unwrap()) {
                    Ok(()) => Ok(()),
                    Err(TrySendError::Closed(_)) => Err(ChanError::SendOnClosed),
                    Err(TrySendError::Full(v)) => {
                        let e = Entry::single(Unparker::Task(cx.waker().clone()), Some(v));
                        st.sendq.push_back(e.clone());
                        this.state = SendState::Waiting(e);
                        golang_sched::set_wait_reason("chan send");
                        return Poll::Pending;
                    }
                }
            }
            SendState::Waiting(e) => {
                let mut outcome = e.waiter().outcome();
                if outcome.is_none() && !e.waiter().wakes(cx.waker()) {
                    if e.waiter().try_abort() {
                        // Polled with another waker: register again with it.
                        let v = e.take();
                        let mut st = inner.lock();
                        st.sendq.retain(|x| !Arc::ptr_eq(x, e));
                        drop(st);
                        this.state = SendState::Idle(v);
                        return Pin::new(this).poll(cx);
                    }
                    outcome = Some(e.waiter().wait_committed());
                }
                match outcome {
                    Some((_, true)) => Err(ChanError::SendOnClosed),
                    Some((_, false)) => Ok(()),
                    None => {
                        golang_sched::set_wait_reason("chan send");
                        return Poll::Pending;
                    }
                }
            }
            SendState::Done => panic!("SendFuture polled after completion"),
        };
        this.state = SendState::Done;
        if let (Err(e), true) = (&res, this.panic_on_close) {
            panic!("{e}");
        }
        Poll::Ready(res)
    }
}

impl<T> Drop for SendFuture<'_, T> {
    fn drop(&mut self) {
        if let SendState::Waiting(e) = &self.state {
            if e.waiter().try_abort() {
                if let Some(inner) = &self.ch.inner {
                    inner.lock().sendq.retain(|x| !Arc::ptr_eq(x, e));
                }
            }
            // Otherwise a receiver took the value (or close committed us):
            // the send happened, nothing to undo.
        }
    }
}

/// The future of [`Chan::recv`].
pub struct RecvFuture<'a, T> {
    ch: &'a Chan<T>,
    entry: Option<Arc<Entry<T>>>,
}

impl<T> Unpin for RecvFuture<'_, T> {}

impl<T> Future for RecvFuture<'_, T> {
    type Output = Option<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = &mut *self;
        let Some(inner) = &this.ch.inner else {
            golang_sched::set_wait_reason("chan receive (nil chan)");
            return Poll::Pending;
        };
        match &this.entry {
            None => {
                if !golang_sched::coop_proceed() {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                if inner.closed_drained() {
                    return Poll::Ready(None); // fast path: closed and drained
                }
                let mut st = inner.lock();
                match inner.try_recv(&mut st) {
                    Ok(v) => Poll::Ready(Some(v)),
                    Err(TryRecvError::Closed) => Poll::Ready(None),
                    Err(TryRecvError::Empty) => {
                        let e = Entry::single(Unparker::Task(cx.waker().clone()), None);
                        st.recvq.push_back(e.clone());
                        this.entry = Some(e);
                        golang_sched::set_wait_reason("chan receive");
                        Poll::Pending
                    }
                }
            }
            Some(e) => {
                let mut outcome = e.waiter().outcome();
                if outcome.is_none() && !e.waiter().wakes(cx.waker()) {
                    if e.waiter().try_abort() {
                        // Polled with another waker: register again with it.
                        inner.lock().recvq.retain(|x| !Arc::ptr_eq(x, e));
                        this.entry = None;
                        return Pin::new(this).poll(cx);
                    }
                    outcome = Some(e.waiter().wait_committed());
                }
                match outcome {
                    Some((_, closed)) => {
                        let v = if closed { None } else { e.take() };
                        this.entry = None;
                        Poll::Ready(v)
                    }
                    None => {
                        golang_sched::set_wait_reason("chan receive");
                        Poll::Pending
                    }
                }
            }
        }
    }
}

impl<T> Drop for RecvFuture<'_, T> {
    fn drop(&mut self) {
        if self.entry.is_none() {
            return; // (mostly: done, or never waited)
        }
        let (Some(e), Some(inner)) = (self.entry.take(), &self.ch.inner) else { return };
        if e.waiter().try_abort() {
            inner.lock().recvq.retain(|x| !Arc::ptr_eq(x, &e));
            return;
        }
        // A sender committed us: the value must not be lost (invariant 5).
        let (_, closed) = e.waiter().wait_committed();
        if !closed {
            if let Some(v) = e.take() {
                inner.give_back(v);
            }
        }
    }
}
