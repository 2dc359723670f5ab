//! The IO reactor of the real-clock executor, on the `polling` crate, and
//! `Async<T>`: an IO object whose operations park the goroutine until the
//! OS says the object is ready.
//!
//! Sources are registered in one-shot mode: interest is re-armed every time a
//! goroutine waits, and the executor thread sleeps in `Poller::wait` until
//! the next timer, an IO event or a `notify` from another thread.
//! Each direction of a source has a tick that the dispatcher bumps when the
//! OS reports readiness, so a waiting future can tell a real wake-up from a
//! spurious poll.
//!
//! The executor creates its reactor and hands it in; while a single-thread
//! real-clock executor runs, it names its reactor to this file
//! ([`set_current`]), which is how [`Async::new`] finds it.

use crate::context::set_wait_reason;
use polling::{Event, Events, Poller};
use slab::Slab;
use std::cell::RefCell;
use std::future::poll_fn;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};
use std::time::Duration;

/// One registered IO source.
struct Source {
    fd: RawFd,
    /// The goroutine waiting to read, and how many read events were seen.
    reader: Option<Waker>,
    read_tick: u64,
    /// The goroutine waiting to write, and how many write events were seen.
    writer: Option<Waker>,
    write_tick: u64,
}

/// Which reactor goroutines polled on this thread register IO with.
#[derive(Clone)]
pub(crate) enum Current {
    /// No executor runs here.
    Outside,
    /// An executor without a reactor (the virtual clock).
    NoReactor,
    /// The reactor of the real-clock executor running here.
    Reactor(Arc<Reactor>),
}

thread_local! {
    static CURRENT: RefCell<Current> = const { RefCell::new(Current::Outside) };
}

/// Names the reactor of the executor now running on this thread; returns
/// the one named before.
pub(crate) fn set_current(c: Current) -> Current {
    CURRENT.with(|x| std::mem::replace(&mut *x.borrow_mut(), c))
}

/// The poller and its registered sources.
pub(crate) struct Reactor {
    poller: Poller,
    sources: Mutex<Slab<Source>>,
    events: Mutex<Events>,
}

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor { poller: Poller::new()?, sources: Mutex::new(Slab::new()), events: Mutex::new(Events::new()) })
    }

    /// Wakes the thread sleeping in `wait`.
    pub(crate) fn notify(&self) {
        let _ = self.poller.notify();
    }

    /// Whether any IO source is registered.
    /// The poller's descriptor: readable while events or a notification
    /// wait (for an idle wait in another event loop, see
    /// `Runtime::set_idle_wait`).
    pub(crate) fn raw_fd(&self) -> RawFd {
        self.poller.as_raw_fd()
    }

    pub(crate) fn has_sources(&self) -> bool {
        !self.sources.lock().unwrap().is_empty()
    }

    /// Sleeps until an event, a notify or the timeout, then wakes the
    /// goroutines whose sources became ready.
    pub(crate) fn wait(&self, timeout: Option<Duration>) {
        let mut events = self.events.lock().unwrap();
        events.clear();
        if self.poller.wait(&mut events, timeout).is_err() {
            return; // EINTR and the like: the executor loop simply looks again
        }
        let mut sources = self.sources.lock().unwrap();
        let mut wake = Vec::new();
        for ev in events.iter() {
            let Some(s) = sources.get_mut(ev.key) else { continue };
            if ev.readable {
                s.read_tick += 1;
                wake.extend(s.reader.take());
            }
            if ev.writable {
                s.write_tick += 1;
                wake.extend(s.writer.take());
            }
            let _ = self.rearm(s, ev.key);
        }
        drop(sources);
        for w in wake {
            w.wake();
        }
    }

    fn rearm(&self, s: &Source, key: usize) -> io::Result<()> {
        let ev = match (s.reader.is_some(), s.writer.is_some()) {
            (true, true) => Event::all(key),
            (true, false) => Event::readable(key),
            (false, true) => Event::writable(key),
            (false, false) => return Ok(()),
        };
        // SAFETY: `s.fd` stays open while it is registered: `Async::drop`
        // deletes it from the poller before the IO object is closed.
        let fd = unsafe { BorrowedFd::borrow_raw(s.fd) };
        self.poller.modify(fd, ev)
    }
}

/// An IO object registered with the current real-clock executor.
///
/// Its operations try the non-blocking syscall first and, on `WouldBlock`,
/// park the goroutine until the reactor reports readiness.
pub struct Async<T: AsFd> {
    io: Option<T>,
    key: usize,
    reactor: Arc<Reactor>,
}

impl<T: AsFd> Async<T> {
    /// Registers `io` (already in non-blocking mode) with the current
    /// executor, which must run on the real clock.
    pub fn new(io: T) -> io::Result<Async<T>> {
        let reactor = match CURRENT.with(|c| c.borrow().clone()) {
            Current::Outside => return Err(io::Error::other("golang-sched: Async::new outside an executor")),
            Current::NoReactor => return Err(io::Error::other("golang-sched: IO needs the real-clock executor")),
            Current::Reactor(r) => r,
        };
        let fd = io.as_fd().as_raw_fd();
        let key = reactor.sources.lock().unwrap().insert(Source {
            fd,
            reader: None,
            read_tick: 0,
            writer: None,
            write_tick: 0,
        });
        // SAFETY: the fd is deleted from the poller in `Drop` before `io`
        // (which owns it) is dropped.
        if let Err(e) = unsafe { reactor.poller.add(fd, Event::none(key)) } {
            reactor.sources.lock().unwrap().remove(key);
            return Err(e);
        }
        Ok(Async { io: Some(io), key, reactor })
    }

    /// The IO object.
    pub fn get_ref(&self) -> &T {
        self.io.as_ref().unwrap()
    }

    /// Waits until the OS reports the object readable (or writable).
    async fn ready(&self, write: bool) {
        let reactor = &self.reactor;
        let mut seen: Option<u64> = None;
        poll_fn(|cx| {
            let mut sources = reactor.sources.lock().unwrap();
            let s = &mut sources[self.key];
            let tick = if write { s.write_tick } else { s.read_tick };
            match seen {
                Some(t) if t != tick => return Poll::Ready(()),
                _ => seen = Some(tick),
            }
            let slot = if write { &mut s.writer } else { &mut s.reader };
            match slot {
                Some(w) if w.will_wake(cx.waker()) => {}
                _ => *slot = Some(cx.waker().clone()),
            }
            let _ = reactor.rearm(s, self.key);
            set_wait_reason("IO wait");
            Poll::Pending
        })
        .await
    }

    /// Runs a non-blocking read-side operation until it does not block.
    pub async fn read_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.ready(false).await,
                r => return r,
            }
        }
    }

    /// Runs a non-blocking write-side operation until it does not block.
    pub async fn write_with<R>(&self, mut op: impl FnMut(&T) -> io::Result<R>) -> io::Result<R> {
        loop {
            match op(self.get_ref()) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => self.ready(true).await,
                r => return r,
            }
        }
    }
}

impl<T: AsFd> Drop for Async<T> {
    fn drop(&mut self) {
        if let Some(io) = self.io.take() {
            let reactor = &self.reactor;
            let _ = reactor.poller.delete(io.as_fd());
            reactor.sources.lock().unwrap().try_remove(self.key);
            drop(io);
        }
    }
}
