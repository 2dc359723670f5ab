//! Goroutines made of Python coroutines, and the awaitable operations.
//!
//! This mirrors the native core's driver step for step, so that a seed
//! gives the same trace on both targets: a [`CoroTask`] resumes its
//! coroutine through the shim's driver (`resume(handle, kind, value)`);
//! inside, the coroutine awaits one of the shim's awaitables, which starts
//! its operation with one call into this module (`chan_recv(id, 1)` and the
//! like, see [`crate::chans`]). An operation that completes at once returns
//! its result to the awaitable; one that must wait leaves its future in
//! [`PENDING`] and the awaitable yields; the task then polls that future in
//! Rust and resumes the coroutine with the result.
//!
//! Driver kinds (what `resume` is asked to do) and statuses (what it says):
//! see the `KIND_*` and `ST_*` constants in [`crate::host`];
//! `python/golang/_golang_wasm.py` has the same numbers.

use crate::host::{self, KIND_CALL, KIND_CLOSE, KIND_PANIC, KIND_RETRY, KIND_START, KIND_VALUE, ST_FAIL, ST_WAIT};
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
    /// The value of the last select that committed a receive case.
    static LAST_VALUE: RefCell<Option<Got>> = const { RefCell::new(None) };
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

/// Status codes of operation starts, for the shim.
pub mod code {
    /// Completed (its value, if any, is returned or in `last_value`).
    pub const DONE: f64 = 1.0;
    /// Must wait: yield to the driver (or, in the sync form, would block).
    pub const WAIT: f64 = 0.0;
    /// Go's panic; the message is in `last_error`.
    pub const PANIC: f64 = 2.0;
    /// Must wait, but the caller is not a golang goroutine.
    pub const BRIDGE: f64 = 3.0;
}

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The message of the last Go panic an operation reported.
#[wasm_bindgen]
pub fn last_error() -> String {
    LAST_ERROR.with(|e| e.borrow().clone())
}

pub(crate) fn set_error(msg: impl Into<String>) {
    LAST_ERROR.with(|e| *e.borrow_mut() = msg.into());
}

/// The value received by the last select that committed a receive case.
#[wasm_bindgen]
pub fn last_value() -> JsValue {
    LAST_VALUE.with(|v| v.borrow_mut().take()).map_or(JsValue::UNDEFINED, Got::to_js)
}

pub(crate) fn set_last_value(g: Got) {
    LAST_VALUE.with(|v| *v.borrow_mut() = Some(g));
}

/// The async form's first step, as the native `AwaitOp` does it: spend the
/// goroutine's budget (a spent budget waits one turn and retries), then try
/// the operation; if it must wait, park its future for the driver.
/// `Err(code)` tells the shim to yield ([`code::WAIT`]) or that it cannot
/// wait here ([`code::BRIDGE`]); `Ok` carries what completed.
pub(crate) fn start_async(op: impl FnOnce() -> Start) -> Result<Got, f64> {
    let driving = DRIVING.with(|d| d.get());
    if driving && !golang_sched::coop_proceed() {
        park(Box::pin(async {
            golang_sched::yield_now().await;
            OpOut::Retry
        }));
        return Err(code::WAIT);
    }
    match op() {
        Start::Done(g) => Ok(g),
        Start::Panic(m) => {
            set_error(m);
            Err(code::PANIC)
        }
        Start::Wait(f) => {
            if !driving {
                drop(f);
                return Err(code::BRIDGE);
            }
            park(f);
            Err(code::WAIT)
        }
    }
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

    fn resume(&mut self, kind: u8, v: &JsValue) -> u8 {
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
                (KIND_START, JsValue::UNDEFINED)
            } else {
                let Some(fut) = &mut this.pending else { return Poll::Ready(()) };
                let out = match fut.as_mut().poll(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(out) => out,
                };
                this.pending = None;
                match out {
                    OpOut::Value(g) => (KIND_VALUE, g.to_js()),
                    OpOut::Selected(i, g) => {
                        set_last_value(g);
                        (KIND_VALUE, JsValue::from_f64(i as f64))
                    }
                    OpOut::Panic(m) => (KIND_PANIC, JsValue::from_str(&m)),
                    OpOut::Retry => (KIND_RETRY, JsValue::UNDEFINED),
                }
            };
            match this.resume(kind, &v) {
                ST_WAIT => {
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
                ST_FAIL => {
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
            host::resume(c.into_handle(), KIND_CLOSE, &JsValue::UNDEFINED);
        }
    }
}

/// A goroutine that calls a plain Python function once (`after_func`).
pub struct CallTask(pub std::sync::Arc<PyRef>);

impl Future for CallTask {
    type Output = ();
    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<()> {
        if host::resume(self.0.handle(), KIND_CALL, &JsValue::UNDEFINED) == ST_FAIL {
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
/// returns. Returns `undefined` on success; on failure a message whose first
/// letter says what failed: `D` deadlock, `F` a goroutine raised (the shim
/// holds the exception), `P` another panic.
#[wasm_bindgen]
pub fn run(main: f64, seed: &str, virtual_clock: bool) -> JsValue {
    let seed: u64 = seed.parse().unwrap_or(0);
    let clock = if virtual_clock { ClockKind::Virtual } else { ClockKind::Real };
    let rt = Runtime::new(clock, seed, true);
    let res = rt.block_on(CoroTask::new(main));
    drop(rt);
    match res {
        Ok(()) => JsValue::UNDEFINED,
        Err(e @ RunError::Deadlock { .. }) => JsValue::from_str(&format!("D{e}")),
        Err(RunError::Panic { message, .. }) if message.ends_with("raised") => JsValue::from_str(&format!("F{message}")),
        Err(e) => JsValue::from_str(&format!("P{e}")),
    }
}
