//! Goroutines made of Python coroutines, and the awaitable operations.
//!
//! This mirrors the native core's driver step for step, so that a seed
//! gives the same trace on both targets: a [`CoroTask`] resumes its
//! coroutine through the shim's driver (`resume(handle, kind, value)`);
//! inside, the coroutine awaits one of the shim's awaitables, which starts
//! its operation with one call into this module (`chan_arecv(id)` and the
//! like, see [`crate::chans`]), answered in that one call (`crate::reply`). An operation that completes at once returns
//! its result to the awaitable; one that must wait leaves its future in
//! [`PENDING`] and the awaitable yields; the task then polls that future in
//! Rust and resumes the coroutine with the result.
//!
//! What starting an operation gives ([`Status`]), what the driver is asked
//! to do ([`Resume`]) and what it answers ([`Driven`]) are the shared
//! crate's named states (`golang_pycore::status`); the shim learns them by
//! name (see [`crate::contract`]).

use crate::host;
use crate::reply;
use golang_pycore::awaitable::{Awaitable, Begun, Out};
use golang_pycore::status::{Driven, Resume, RunEnd, Status};
use crate::value::{Got, PyRef};
use golang_sched::{ClockKind, RunError, Runtime};
use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;

/// What a waiting operation ends with.
pub enum OpOut {
    /// The result (a received value, a select's index, nothing).
    Value(Got),
    /// A select's committed index and its received value.
    Selected(usize, Got),
    /// Go's panic.
    Panic(String),
    /// The budget wait is over: try the operation again.
    Retry,
}

/// The Rust side of an operation that waits.
pub type OpFuture = Pin<Box<dyn Future<Output = OpOut> + Send>>;

thread_local! {
    /// Set while a task resumes its coroutine.
    static DRIVING: Cell<bool> = const { Cell::new(false) };
    /// The future of the operation the coroutine just yielded on.
    static PENDING: RefCell<Option<OpFuture>> = const { RefCell::new(None) };
}

/// What starting an operation gave.
pub enum Start {
    /// It completed.
    Done(Got),
    /// It is a Go panic.
    Panic(String),
    /// It must wait: this future completes it.
    Wait(OpFuture),
}

/// The async form's first step, as the native `AwaitOp` does it: spend the
/// goroutine's budget (a spent budget waits one turn and retries), then try
/// the operation; if it must wait, park its future for the driver.
/// `Err` tells the shim to yield ([`Status::Wait`]), that it cannot wait
/// here ([`Status::Bridge`]), or Go's panic ([`Status::Panic`]); `Ok`
/// carries what completed.
pub(crate) fn start_async(op: impl FnOnce() -> Start) -> Result<Got, Status> {
    let driving = DRIVING.with(|d| d.get());
    // The shared budget (golang_pycore::awaitable::budget_wait), spent only
    // in a goroutine, as natively.
    if let Some(turn) = if driving { golang_pycore::awaitable::budget_wait() } else { None } {
        park(Box::pin(async move {
            turn.await;
            OpOut::Retry
        }));
        return Err(Status::Wait);
    }
    match op() {
        Start::Done(g) => Ok(g),
        Start::Panic(m) => {
            reply::set_error(m);
            Err(Status::Panic)
        }
        Start::Wait(f) => {
            if !driving {
                drop(f);
                return Err(Status::Bridge);
            }
            park(f);
            Err(Status::Wait)
        }
    }
}

/// A shared awaitable's result as the shim gets it (`golang_pycore::awaitable::Out`).
fn got_of(out: Out) -> Got {
    match out {
        Out::None => Got::Nothing,
        Out::Bool(b) => Got::Bool(b),
        Out::Int(i) => Got::Int(i),
        Out::Float(f) => Got::Double(f),
    }
}

/// The async form's first step of an awaitable of the shared crate, answered
/// as the channel operations are (`crate::reply`): its value when it
/// completed at once, else the name of WAIT, PANIC or BRIDGE.
pub(crate) fn begin(op: impl Awaitable) -> JsValue {
    reply::answer(start_async(|| match Box::new(op).begin() {
        Begun::Done(Ok(out)) => Start::Done(got_of(out)),
        Begun::Done(Err(m)) => Start::Panic(m),
        Begun::Wait(f) => Start::Wait(Box::pin(async move {
            match f.await {
                Ok(out) => OpOut::Value(got_of(out)),
                Err(m) => OpOut::Panic(m),
            }
        })),
    }))
}

fn park(f: OpFuture) {
    PENDING.with(|p| *p.borrow_mut() = Some(f));
}

/// Whether the caller runs inside an executor (in a goroutine).
#[wasm_bindgen]
pub fn in_executor() -> bool {
    golang_sched::in_executor()
}

/// A goroutine made of a Python coroutine (held in the shim's table).
pub struct CoroTask {
    coro: Option<PyRef>,
    /// The operation it waits on.
    pending: Option<OpFuture>,
    /// Whether it was resumed yet.
    started: bool,
}

impl CoroTask {
    /// The task of the coroutine behind handle `h`.
    pub fn new(h: f64) -> CoroTask {
        CoroTask { coro: Some(PyRef::new(h)), pending: None, started: false }
    }

    fn resume(&mut self, kind: Resume, v: &JsValue) -> Driven {
        let h = self.coro.as_ref().map_or(0.0, |c| c.handle());
        DRIVING.with(|d| d.set(true));
        let st = host::resume(h, kind, v);
        DRIVING.with(|d| d.set(false));
        st
    }
}

impl Future for CoroTask {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let (kind, v) = if !this.started {
                this.started = true;
                (Resume::Start, JsValue::UNDEFINED)
            } else {
                let Some(fut) = &mut this.pending else { return Poll::Ready(()) };
                let out = match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(out) => out,
                };
                this.pending = None;
                match out {
                    OpOut::Value(Got::Closed) => (Resume::ValueClosed, JsValue::UNDEFINED),
                    OpOut::Value(g) => (Resume::Value, g.to_js()),
                    OpOut::Selected(i, Got::Closed) => (Resume::ValueClosed, JsValue::from_f64(i as f64)),
                    OpOut::Selected(i, g) => {
                        reply::mail(reply::MB_VALUE, g.to_js());
                        (Resume::Value, JsValue::from_f64(i as f64))
                    }
                    OpOut::Panic(m) => (Resume::Panic, JsValue::from_str(&m)),
                    OpOut::Retry => (Resume::Retry, JsValue::UNDEFINED),
                }
            };
            match this.resume(kind, &v) {
                Driven::Wait => {
                    let f = PENDING.with(|p| p.borrow_mut().take());
                    // (The shim yields only after parking a future; should
                    // that ever not hold, wait one turn and retry.)
                    this.pending = Some(f.unwrap_or_else(|| {
                        Box::pin(async {
                            golang_sched::yield_now().await;
                            OpOut::Retry
                        })
                    }));
                }
                Driven::Fail => {
                    // Ends the run; golang.run raises the stored exception.
                    golang_sched::fail_run("a goroutine raised");
                    this.finish();
                    return Poll::Ready(());
                }
                _ => {
                    this.finish();
                    return Poll::Ready(());
                }
            }
        }
    }
}

impl CoroTask {
    /// The coroutine is over: the shim already dropped it.
    fn finish(&mut self) {
        if let Some(c) = self.coro.take() {
            c.into_handle();
        }
    }
}

impl Drop for CoroTask {
    /// A goroutine still blocked (or never started) when its run ends is
    /// closed now, as natively: its `finally` blocks run at a known point.
    fn drop(&mut self) {
        self.pending = None;
        if let Some(c) = self.coro.take() {
            host::resume(c.into_handle(), Resume::Close, &JsValue::UNDEFINED);
        }
    }
}

/// A goroutine that calls a plain Python function once (`after_func`).
pub struct CallTask(pub std::sync::Arc<PyRef>);

impl Future for CallTask {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if host::resume(self.0.handle(), Resume::Call, &JsValue::UNDEFINED) == Driven::Fail {
            golang_sched::fail_run("time.after_func raised");
        }
        Poll::Ready(())
    }
}

thread_local! {
    /// Goroutine names by id (see [`name_def`]).
    static NAMES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Registers a goroutine name (a coroutine's qualified name) and returns
/// its id for [`go`]: a string costs far more to pass from Python than a
/// number, and the same few names come back for every spawn.
#[wasm_bindgen]
pub fn name_def(name: String) -> u32 {
    NAMES.with(|n| {
        let mut n = n.borrow_mut();
        n.push(name);
        (n.len() - 1) as u32
    })
}

/// Spawns the coroutine behind handle `h` as a goroutine named by
/// `name_id` (from [`name_def`]), on the current executor (inside a run or a
/// goroutine) or on the background executor that the event loop drives.
#[wasm_bindgen]
pub fn go(h: f64, name_id: u32) {
    let name = NAMES.with(|n| n.borrow().get(name_id as usize).cloned());
    golang_sched::handle().spawn_named(name, CoroTask::new(h));
}

/// `golang.run`: runs the coroutine behind `main` as goroutine 1 of a new
/// executor, with `seed` (decimal: a u64 does not fit a JS number), until it
/// returns. Returns how it ended (a [`RunEnd`]); the message of a failure
/// is in `last_error` (for [`RunEnd::Failed`] the shim holds the exception).
#[wasm_bindgen]
pub fn run(main: f64, seed: &str, virtual_clock: bool) -> u8 {
    let seed: u64 = seed.parse().unwrap_or(0);
    let clock = if virtual_clock { ClockKind::Virtual } else { ClockKind::Real };
    let rt = Runtime::new(clock, seed, true);
    let res = rt.block_on(CoroTask::new(main));
    drop(rt);
    let (end, msg) = match res {
        Ok(()) => (RunEnd::Ok, String::new()),
        Err(e @ RunError::Deadlock { .. }) => (RunEnd::Deadlock, e.to_string()),
        Err(RunError::Panic { message, .. }) if message.ends_with("raised") => (RunEnd::Failed, message),
        Err(e) => (RunEnd::Panic, e.to_string()),
    };
    reply::set_error(msg);
    end.code()
}
