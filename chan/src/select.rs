//! `select` over any mix of send and receive cases, with or without default.
//!
//! How a select commits exactly one case:
//! 1. Try pass: the cases are tried in a uniformly random order (drawn from
//!    the current executor's RNG) and the first that can proceed does, as an
//!    active party, under its channel's lock. Trying in a uniformly random
//!    order and taking the first ready case picks uniformly among the ready
//!    cases.
//! 2. With nothing ready, a default case commits.
//! 3. Otherwise the select registers one entry per case, all sharing one
//!    [`Waiter`]. While registering, a case that turns out to be ready makes
//!    the select abort its waiter (one CAS) and start over at 1; if the abort
//!    fails, a counterparty has already claimed the waiter for some case.
//! 4. A counterparty claims the waiter with one CAS (so only one case can
//!    win), moves the value under that channel's lock and commits. The select
//!    then removes its other entries. A registered select never performs an
//!    operation itself, so it never needs to claim itself.
//! 5. A select future dropped after a commit but before it took its value
//!    gives the value back to the channel; nothing is lost or duplicated.

use crate::chan::{block_forever, Blocking, Chan, ChanError, TryRecvError, TrySendError};
use crate::waiter::{Entry, Spin, Unparker, Waiter, Woken};
use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

/// What one try of a case did.
pub enum Fire {
    /// The operation happened.
    Done,
    /// The case cannot proceed now.
    NotReady,
    /// The operation is a Go panic (a send on a closed channel).
    Panic(ChanError),
}

/// One case of a select. Implemented for receive and send cases of
/// `Chan<T>` for every `T`, so that one select can mix element types.
pub trait Case: Send {
    /// Whether the case is on a nil channel (never ready).
    fn is_nil(&self) -> bool;
    /// Whether the case might be ready now, from the channel's readiness
    /// hint, without locking (false: certainly not ready, or nil).
    fn maybe_ready(&self) -> bool {
        !self.is_nil()
    }
    /// Tries the operation as the active party.
    fn try_fire(&mut self) -> Fire;
    /// Registers the case; false (and not registered) if it is ready now.
    fn register(&mut self, waiter: &Arc<Waiter>, index: usize) -> bool;
    /// Removes the case's entry; a send case takes its value back.
    fn unregister(&mut self);
    /// The waiter was committed to this case: finish the operation.
    fn complete(&mut self, closed: bool) -> Result<(), ChanError>;
    /// The select is dropped after this case committed: give a received
    /// value back to the channel.
    fn abandon(&mut self, closed: bool);
    /// The received value of a completed receive case (`Some(None)`: closed),
    /// boxed as `Option<T>`.
    fn take_result(&mut self) -> Option<Box<dyn Any>>;
}

/// A receive case that lives on the caller's stack (see [`select`]).
pub struct RecvCase<'a, T> {
    ch: &'a Chan<T>,
    entry: Option<Arc<Entry<T>>>,
    result: Option<Option<T>>,
}

impl<'a, T> RecvCase<'a, T> {
    /// A case receiving from `ch`.
    pub fn new(ch: &'a Chan<T>) -> Self {
        RecvCase { ch, entry: None, result: None }
    }

    /// After it committed: `Some(v)`, or `None` if the channel was closed.
    /// `None` overall if it did not commit.
    pub fn take(&mut self) -> Option<Option<T>> {
        self.result.take()
    }
}

impl<T: Send + 'static> Case for RecvCase<'_, T> {
    fn is_nil(&self) -> bool {
        self.ch.inner.is_none()
    }

    #[inline]
    fn maybe_ready(&self) -> bool {
        self.ch.inner.as_ref().is_some_and(|i| i.recv_maybe())
    }

    fn try_fire(&mut self) -> Fire {
        let inner = self.ch.inner.as_ref().unwrap();
        if !inner.recv_maybe() {
            return Fire::NotReady; // the hint was clear: no lock needed
        }
        match inner.try_recv(&mut inner.lock()) {
            Ok(v) => {
                self.result = Some(Some(v));
                Fire::Done
            }
            Err(TryRecvError::Closed) => {
                self.result = Some(None);
                Fire::Done
            }
            Err(TryRecvError::Empty) => Fire::NotReady,
        }
    }

    fn register(&mut self, waiter: &Arc<Waiter>, index: usize) -> bool {
        let inner = self.ch.inner.as_ref().unwrap();
        let mut st = inner.lock();
        if inner.recv_ready(&st, waiter) {
            return false;
        }
        let e = Entry::new(waiter.clone(), index, None);
        st.recvq.push_back(e.clone());
        self.entry = Some(e);
        true
    }

    fn unregister(&mut self) {
        if let (Some(e), Some(inner)) = (self.entry.take(), &self.ch.inner) {
            inner.lock().recvq.retain(|x| !Arc::ptr_eq(x, &e));
        }
    }

    fn complete(&mut self, closed: bool) -> Result<(), ChanError> {
        let e = self.entry.take().expect("committed case has an entry");
        self.result = Some(if closed { None } else { e.take() });
        Ok(())
    }

    fn abandon(&mut self, closed: bool) {
        if let (Some(e), Some(inner)) = (self.entry.take(), &self.ch.inner) {
            if !closed {
                if let Some(v) = e.take() {
                    inner.give_back(v);
                }
            }
        }
    }

    fn take_result(&mut self) -> Option<Box<dyn Any>> {
        self.result.take().map(|r| Box::new(r) as Box<dyn Any>)
    }
}

/// A send case that lives on the caller's stack (see [`select`]).
pub struct SendCase<'a, T> {
    ch: &'a Chan<T>,
    value: Option<T>,
    entry: Option<Arc<Entry<T>>>,
}

impl<'a, T> SendCase<'a, T> {
    /// A case sending `v` on `ch`.
    pub fn new(ch: &'a Chan<T>, v: T) -> Self {
        SendCase { ch, value: Some(v), entry: None }
    }

    /// The value back, if the case did not commit (`None` once it was sent).
    pub fn into_value(self) -> Option<T> {
        self.value
    }
}

impl<T: Send + 'static> Case for SendCase<'_, T> {
    fn is_nil(&self) -> bool {
        self.ch.inner.is_none()
    }

    #[inline]
    fn maybe_ready(&self) -> bool {
        self.ch.inner.as_ref().is_some_and(|i| i.send_maybe())
    }

    fn try_fire(&mut self) -> Fire {
        let inner = self.ch.inner.as_ref().unwrap();
        if !inner.send_maybe() {
            return Fire::NotReady; // the hint was clear: no lock needed
        }
        let v = self.value.take().expect("send case holds its value");
        match inner.try_send(&mut inner.lock(), v) {
            Ok(()) => Fire::Done,
            Err(TrySendError::Closed(v)) => {
                self.value = Some(v);
                Fire::Panic(ChanError::SendOnClosed)
            }
            Err(TrySendError::Full(v)) => {
                self.value = Some(v);
                Fire::NotReady
            }
        }
    }

    fn register(&mut self, waiter: &Arc<Waiter>, index: usize) -> bool {
        let inner = self.ch.inner.as_ref().unwrap();
        let mut st = inner.lock();
        if inner.send_ready(&st, waiter) {
            return false;
        }
        let e = Entry::new(waiter.clone(), index, self.value.take());
        st.sendq.push_back(e.clone());
        self.entry = Some(e);
        true
    }

    fn unregister(&mut self) {
        if let (Some(e), Some(inner)) = (self.entry.take(), &self.ch.inner) {
            inner.lock().sendq.retain(|x| !Arc::ptr_eq(x, &e));
            if let Some(v) = e.take() {
                self.value = Some(v);
            }
        }
    }

    fn complete(&mut self, closed: bool) -> Result<(), ChanError> {
        let e = self.entry.take().expect("committed case has an entry");
        if closed {
            self.value = e.take();
            Err(ChanError::SendOnClosed)
        } else {
            Ok(())
        }
    }

    fn abandon(&mut self, _closed: bool) {
        self.entry = None;
    }

    fn take_result(&mut self) -> Option<Box<dyn Any>> {
        None
    }
}

/// A select statement under construction, then run once.
///
/// ```
/// use golang_chan::{Chan, Select};
/// let a: Chan<i32> = Chan::new(1);
/// let b: Chan<&str> = Chan::new(1);
/// b.try_send("hi").unwrap();
/// let mut sel = Select::new();
/// let ra = sel.recv(&a);
/// let rb = sel.recv(&b);
/// let i = sel.wait_blocking().unwrap();
/// assert_eq!(i, rb);
/// assert_eq!(sel.take_recv::<&str>(rb), Some(Some("hi")));
/// # let _ = ra;
/// ```
pub struct Select<'a> {
    cases: Vec<Box<dyn Case + 'a>>,
    has_default: bool,
}

impl Default for Select<'_> {
    fn default() -> Self {
        Select::new()
    }
}

/// What [`Select`] returns when its default case commits.
pub const DEFAULT: usize = usize::MAX;

enum Reg {
    Waiting,
    Retry,
    Committed(usize, bool),
}

impl<'a> Select<'a> {
    /// Index that the wait functions return when the default case commits.
    pub const DEFAULT: usize = DEFAULT;

    /// An empty select.
    pub fn new() -> Select<'a> {
        Select { cases: Vec::with_capacity(4), has_default: false }
    }

    /// Adds a receive case; returns its index.
    pub fn recv<T: Send + 'static>(&mut self, ch: &'a Chan<T>) -> usize {
        self.push(Box::new(RecvCase { ch, entry: None, result: None }))
    }

    /// Adds a send case; returns its index.
    pub fn send<T: Send + 'static>(&mut self, ch: &'a Chan<T>, v: T) -> usize {
        self.push(Box::new(SendCase { ch, value: Some(v), entry: None }))
    }

    /// Adds a case of any kind; returns its index.
    pub fn push(&mut self, case: Box<dyn Case + 'a>) -> usize {
        self.cases.push(case);
        self.cases.len() - 1
    }

    /// Adds the default case, which makes the select non-blocking.
    ///
    /// # Panics
    /// "select: multiple default" on a second default case.
    pub fn default_case(&mut self) {
        if self.has_default {
            panic!("select: multiple default");
        }
        self.has_default = true;
    }

    /// Whether a default case was added.
    pub fn has_default(&self) -> bool {
        self.has_default
    }

    /// The value received by receive case `i`: `Some(v)`, or `None` if the
    /// channel was closed. `None` overall if `i` did not commit or is not a
    /// receive of `T`.
    pub fn take_recv<T: 'static>(&mut self, i: usize) -> Option<Option<T>> {
        let b = self.cases.get_mut(i)?.take_result()?;
        b.downcast::<Option<T>>().ok().map(|b| *b)
    }

    fn list(&mut self) -> Cases<'_, Box<dyn Case + 'a>> {
        Cases { cases: &mut self.cases, has_default: self.has_default }
    }

    /// Runs the select without blocking: `Some(index)` of the committed case
    /// (or `DEFAULT`), `None` if nothing was ready and there is no default.
    pub fn try_select(&mut self) -> Option<Result<usize, ChanError>> {
        self.list().try_or_default()
    }

    /// Runs the select from a goroutine: the index of the committed case, or
    /// `DEFAULT`. A send case on a closed channel gives
    /// `Err(SendOnClosed)` (Go panics).
    pub fn wait(&mut self) -> SelectFuture<'_, Box<dyn Case + 'a>> {
        SelectFuture { cases: Cases { cases: &mut self.cases, has_default: self.has_default }, waiter: None, done: false }
    }

    /// Runs the select blocking the OS thread.
    pub fn wait_blocking(&mut self) -> Result<usize, ChanError> {
        match self.wait_blocking_interruptible(None) {
            Blocking::Done(r) => r,
            Blocking::Interrupted => unreachable!(),
        }
    }

    /// Blocking select with an interrupt check (see
    /// [`Chan::send_blocking_interruptible`]).
    pub fn wait_blocking_interruptible(
        &mut self,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<usize, ChanError>> {
        self.list().wait_blocking(Spin::Rendezvous, interrupt)
    }

    /// [`Select::wait_blocking_interruptible`] with a spin policy for the
    /// wait (see [`Spin`]; a select spins only with [`Spin::Always`]).
    pub fn wait_blocking_spin(
        &mut self,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<usize, ChanError>> {
        self.list().wait_blocking(spin, interrupt)
    }
}

/// A slot that holds one case: a boxed case (the [`Select`] builder) or a
/// case borrowed from the caller's stack ([`select`]).
pub trait CaseSlot {
    /// The case.
    fn case(&mut self) -> &mut dyn Case;
}

impl<'a> CaseSlot for Box<dyn Case + 'a> {
    #[inline]
    fn case(&mut self) -> &mut dyn Case {
        &mut **self
    }
}

impl<'b, 'a> CaseSlot for &'b mut (dyn Case + 'a) {
    #[inline]
    fn case(&mut self) -> &mut dyn Case {
        &mut **self
    }
}

/// The cases of one select and whether it has a default case: the select
/// algorithm runs on this, whoever owns the cases.
pub struct Cases<'s, S: CaseSlot> {
    cases: &'s mut [S],
    has_default: bool,
}

impl<'s, S: CaseSlot> Cases<'s, S> {
    /// The cases of a select over `cases` (any [`CaseSlot`]: boxed cases,
    /// borrowed ones, or an enum of concrete cases, which needs no
    /// allocation per case).
    pub fn new(cases: &'s mut [S], has_default: bool) -> Self {
        Cases { cases, has_default }
    }

    /// Runs the select without blocking (see [`Select::try_select`]).
    pub fn try_select(&mut self) -> Option<Result<usize, ChanError>> {
        self.try_or_default()
    }

    /// Runs the select from a goroutine (see [`Select::wait`]).
    pub fn wait(self) -> SelectFuture<'s, S> {
        SelectFuture { cases: self, waiter: None, done: false }
    }

    /// Runs the select blocking the OS thread, with an optional interrupt
    /// check (see [`Select::wait_blocking_interruptible`]).
    pub fn wait_blocking_interruptible(
        &mut self,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<usize, ChanError>> {
        self.wait_blocking(Spin::Rendezvous, interrupt)
    }

    /// [`Cases::wait_blocking_interruptible`] with a spin policy for the
    /// wait (see [`Spin`]; a select spins only with [`Spin::Always`]).
    pub fn wait_blocking_spin(
        &mut self,
        spin: Spin,
        interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>,
    ) -> Blocking<Result<usize, ChanError>> {
        self.wait_blocking(spin, interrupt)
    }

    /// The try pass: the first ready case in a uniformly random order.
    fn try_pass(&mut self) -> Option<Result<usize, ChanError>> {
        // Candidates: the cases whose channel hint says "maybe ready" (a
        // superset of the ready ones, read without locks). Trying the
        // candidates in a uniformly random order and taking the first that
        // is really ready picks uniformly among the ready cases; with no
        // candidate nothing is ready, and with one no random draw is needed.
        let n = self.cases.len();
        let (mut k, mut first) = (0, 0);
        for i in 0..n {
            if self.cases[i].case().maybe_ready() {
                if k == 0 {
                    first = i;
                }
                k += 1;
            }
        }
        match k {
            0 => return None,
            1 => {
                return match self.cases[first].case().try_fire() {
                    Fire::Done => Some(Ok(first)),
                    Fire::Panic(e) => Some(Err(e)),
                    Fire::NotReady => None,
                }
            }
            _ => {}
        }
        let mut buf = [0usize; 16];
        let mut vec = Vec::new();
        let mut k = 0;
        for i in first..n {
            if self.cases[i].case().maybe_ready() {
                if k < 16 {
                    buf[k] = i;
                } else {
                    if vec.is_empty() {
                        vec.extend_from_slice(&buf);
                    }
                    vec.push(i);
                }
                k += 1;
            }
        }
        let order: &mut [usize] = if k <= 16 { &mut buf[..k] } else { &mut vec };
        for i in (1..k).rev() {
            let j = golang_sched::rand_below(i + 1);
            order.swap(i, j);
        }
        for &i in order.iter() {
            match self.cases[i].case().try_fire() {
                Fire::Done => return Some(Ok(i)),
                Fire::Panic(e) => return Some(Err(e)),
                Fire::NotReady => {}
            }
        }
        None
    }

    /// Try pass, then default; `None` means it must block.
    fn try_or_default(&mut self) -> Option<Result<usize, ChanError>> {
        match self.try_pass() {
            Some(r) => Some(r),
            None if self.has_default => Some(Ok(DEFAULT)),
            None => None,
        }
    }

    fn never_ready(&mut self) -> bool {
        self.cases.iter_mut().all(|c| c.case().is_nil())
    }

    fn register_all(&mut self, w: &Arc<Waiter>) -> Reg {
        for i in 0..self.cases.len() {
            if self.cases[i].case().is_nil() || self.cases[i].case().register(w, i) {
                continue;
            }
            // Case i is ready: stop waiting and try again, unless a
            // counterparty has committed us meanwhile.
            if w.try_abort() {
                self.unregister_except(usize::MAX);
                return Reg::Retry;
            }
            let (k, closed) = w.wait_committed();
            return Reg::Committed(k, closed);
        }
        Reg::Waiting
    }

    fn unregister_except(&mut self, k: usize) {
        for (j, c) in self.cases.iter_mut().enumerate() {
            if j != k {
                c.case().unregister();
            }
        }
    }

    fn finish(&mut self, k: usize, closed: bool) -> Result<usize, ChanError> {
        self.unregister_except(k);
        self.cases[k].case().complete(closed).map(|()| k)
    }


    fn wait_blocking(&mut self, spin: Spin, mut interrupt: Option<(&mut dyn FnMut() -> bool, Duration)>) -> Blocking<Result<usize, ChanError>> {
        loop {
            if let Some(r) = self.try_or_default() {
                return Blocking::Done(r);
            }
            if self.never_ready() {
                return block_forever(interrupt);
            }
            let w = Waiter::for_thread();
            match self.register_all(&w) {
                Reg::Retry => continue,
                Reg::Committed(k, closed) => return Blocking::Done(self.finish(k, closed)),
                Reg::Waiting => {}
            }
            let woken = w.wait_thread_with(None, spin, interrupt.as_mut().map(|(f, d)| (&mut **f as &mut dyn FnMut() -> bool, *d)));
            return match woken {
                Woken::Committed(k, closed) => Blocking::Done(self.finish(k, closed)),
                Woken::Interrupted => {
                    self.unregister_except(usize::MAX);
                    Blocking::Interrupted
                }
            };
        }
    }
}

/// The future of [`Select::wait`] and [`select`].
pub struct SelectFuture<'s, S: CaseSlot> {
    cases: Cases<'s, S>,
    waiter: Option<Arc<Waiter>>,
    done: bool,
}

impl<S: CaseSlot> Unpin for SelectFuture<'_, S> {}

impl<S: CaseSlot> Future for SelectFuture<'_, S> {
    type Output = Result<usize, ChanError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        assert!(!this.done, "SelectFuture polled after completion");
        if let Some(w) = &this.waiter {
            let mut outcome = w.outcome();
            if outcome.is_none() && !w.wakes(cx.waker()) {
                if w.try_abort() {
                    this.cases.unregister_except(usize::MAX);
                    this.waiter = None;
                } else {
                    outcome = Some(w.wait_committed());
                }
            }
            match outcome {
                Some((k, closed)) => {
                    this.waiter = None;
                    this.done = true;
                    return Poll::Ready(this.cases.finish(k, closed));
                }
                None if this.waiter.is_some() => {
                    golang_sched::set_wait_reason("select");
                    return Poll::Pending;
                }
                None => {}
            }
        }
        if !golang_sched::coop_proceed() {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            if let Some(r) = this.cases.try_or_default() {
                this.done = true;
                return Poll::Ready(r);
            }
            if this.cases.never_ready() {
                golang_sched::set_wait_reason("select (no cases)");
                return Poll::Pending;
            }
            let w = Waiter::new(Unparker::Task(cx.waker().clone()));
            match this.cases.register_all(&w) {
                Reg::Retry => continue,
                Reg::Committed(k, closed) => {
                    this.done = true;
                    return Poll::Ready(this.cases.finish(k, closed));
                }
                Reg::Waiting => {
                    this.waiter = Some(w);
                    golang_sched::set_wait_reason("select");
                    return Poll::Pending;
                }
            }
        }
    }
}

impl<S: CaseSlot> Drop for SelectFuture<'_, S> {
    fn drop(&mut self) {
        let Some(w) = self.waiter.take() else { return };
        if w.try_abort() {
            self.cases.unregister_except(usize::MAX);
            return;
        }
        let (k, closed) = w.wait_committed();
        self.cases.unregister_except(k);
        self.cases.cases[k].case().abandon(closed);
    }
}

/// Selects over cases that live on the caller's stack: no allocation
/// unless it has to wait. `cases[i]` is a [`RecvCase`] or [`SendCase`]; the
/// index of the committed case is returned (or [`DEFAULT`] when
/// `has_default` and nothing is ready), and a receive case's value is then
/// taken from it with [`RecvCase::take`].
///
/// ```
/// use golang_chan::{select, Chan, RecvCase, DEFAULT};
/// golang_sched::Runtime::deterministic(1).block_on(async {
///     let (a, b): (Chan<i32>, Chan<i32>) = (Chan::new(1), Chan::new(1));
///     b.try_send(7).unwrap();
///     let (mut ra, mut rb) = (RecvCase::new(&a), RecvCase::new(&b));
///     let i = select(&mut [&mut ra, &mut rb], false).await.unwrap();
///     assert_eq!((i, rb.take()), (1, Some(Some(7))));
///     let mut ra = RecvCase::new(&a);
///     assert_eq!(select(&mut [&mut ra], true).await, Ok(DEFAULT));
/// }).unwrap();
/// ```
pub fn select<'s, 'b, 'a>(cases: &'s mut [&'b mut (dyn Case + 'a)], has_default: bool) -> SelectFuture<'s, &'b mut (dyn Case + 'a)> {
    SelectFuture { cases: Cases { cases, has_default }, waiter: None, done: false }
}

/// [`select`] without blocking: `None` if nothing is ready and there is no
/// default case.
pub fn try_select<'b, 'a>(cases: &mut [&'b mut (dyn Case + 'a)], has_default: bool) -> Option<Result<usize, ChanError>> {
    Cases { cases, has_default }.try_or_default()
}

/// [`select`] for OS threads.
pub fn select_blocking<'b, 'a>(cases: &mut [&'b mut (dyn Case + 'a)], has_default: bool) -> Result<usize, ChanError> {
    match (Cases { cases, has_default }).wait_blocking(Spin::Rendezvous, None) {
        Blocking::Done(r) => r,
        Blocking::Interrupted => unreachable!(),
    }
}

/// A tuple of cases with concrete types, `(&mut RecvCase<..>, &mut
/// SendCase<..>, ...)` of up to 8 cases, for [`try_select_tuple`]: its
/// readiness check is dispatched statically.
pub trait CaseTuple {
    /// Whether any case might be ready (from the channels' hints).
    fn maybe_any(&self) -> bool;
    /// Runs `f` over the cases as a slice.
    fn with_slice<R>(&mut self, f: impl FnOnce(&mut [&mut dyn Case]) -> R) -> R;
}

macro_rules! impl_case_tuple {
    ($($T:ident $i:tt),+) => {
        impl<'r, $($T: Case),+> CaseTuple for ($(&'r mut $T,)+) {
            #[inline]
            fn maybe_any(&self) -> bool {
                false $(|| self.$i.maybe_ready())+
            }
            #[inline]
            fn with_slice<R>(&mut self, f: impl FnOnce(&mut [&mut dyn Case]) -> R) -> R {
                f(&mut [$(&mut *self.$i as &mut dyn Case),+])
            }
        }
    };
}

impl_case_tuple!(A 0);
impl_case_tuple!(A 0, B 1);
impl_case_tuple!(A 0, B 1, C 2);
impl_case_tuple!(A 0, B 1, C 2, D 3);
impl_case_tuple!(A 0, B 1, C 2, D 3, E 4);
impl_case_tuple!(A 0, B 1, C 2, D 3, E 4, F 5);
impl_case_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
impl_case_tuple!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);

/// [`try_select`] over a tuple of cases: when no channel hint says a case
/// might be ready, the answer (default, or "must block") comes from a few
/// statically dispatched loads, without building the select at all. Sound
/// for the same reason as the hint fast path: a clear hint is the state at
/// some moment during the call.
///
/// ```
/// use golang_chan::{try_select_tuple, Chan, RecvCase, DEFAULT};
/// let (a, b): (Chan<i32>, Chan<i32>) = (Chan::new(1), Chan::new(1));
/// let (mut ra, mut rb) = (RecvCase::new(&a), RecvCase::new(&b));
/// assert_eq!(try_select_tuple((&mut ra, &mut rb), true), Some(Ok(DEFAULT)));
/// b.try_send(5).unwrap();
/// let (mut ra, mut rb) = (RecvCase::new(&a), RecvCase::new(&b));
/// assert_eq!(try_select_tuple((&mut ra, &mut rb), true), Some(Ok(1)));
/// assert_eq!(rb.take(), Some(Some(5)));
/// ```
#[inline]
pub fn try_select_tuple<C: CaseTuple>(mut cases: C, has_default: bool) -> Option<Result<usize, ChanError>> {
    if !cases.maybe_any() {
        return if has_default { Some(Ok(DEFAULT)) } else { None };
    }
    cases.with_slice(|s| try_select(s, has_default))
}
