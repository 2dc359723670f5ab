//! Awaitables that both cores run: an operation written once here, as a
//! Rust future with a plain result, that each core's drivers await like
//! their own operations (natively through `AwaitOp`, the greenlet and the
//! synchronous-goroutine drivers; under Pyodide through `CoroTask` and the
//! shim's driver).
//!
//! Adding one: a type implementing [`Awaitable`] here; natively a
//! `#[pyfunction]` returning `AwaitOp::shared(X(..))`; on the wasm core an
//! exported function returning `awaitable::begin(X(..))`, and in the shim a
//! function returning `_ashared(_c_x, conv, args...)`. See
//! docs/ARCHITECTURE.md, "Where to add things".

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// What a shared awaitable gives Python (each binding makes it an object).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Out {
    /// None.
    None,
    /// A bool.
    Bool(bool),
    /// An int.
    Int(i32),
    /// A float.
    Float(f64),
}

/// The future of an awaitable that must wait: its result, or Go's panic
/// message.
pub type OutFuture = Pin<Box<dyn Future<Output = Result<Out, String>> + Send>>;

/// How starting an awaitable went.
pub enum Begun {
    /// It completed at once (or panicked).
    Done(Result<Out, String>),
    /// It must wait: the future completes it.
    Wait(OutFuture),
}

/// An operation both cores can await.
pub trait Awaitable: Send + Sync + 'static {
    /// Tries it now, or gives the future that waits for it.
    fn begin(self: Box<Self>) -> Begun;
}

/// The cooperative budget, as both cores' drivers spend it before they
/// start an operation in a goroutine: `None` while the goroutine may go on;
/// once it is spent, the future that waits one turn, after which the driver
/// resumes the goroutine to try the operation again (`Resume::Retry` under
/// Pyodide, the retry sentinel natively). So a goroutine whose operations
/// always complete at once still lets the others run, at the same points on
/// both cores (the traces compare equal).
pub fn budget_wait() -> Option<impl Future<Output = ()> + Send + 'static> {
    if golang_sched::coop_proceed() {
        None
    } else {
        Some(golang_sched::yield_now())
    }
}

/// `time.asleep(dt)`: waits `dt` on the clock of the executor (virtual
/// inside `golang.run`).
pub struct Sleep(pub Duration);

impl Awaitable for Sleep {
    fn begin(self: Box<Self>) -> Begun {
        let d = self.0;
        Begun::Wait(Box::pin(async move {
            golang_sched::sleep(d).await;
            Ok(Out::None)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_waits_on_the_virtual_clock() {
        let rt = golang_sched::Runtime::deterministic(1);
        let (t0, r, t1) = rt
            .block_on(async {
                let t0 = golang_time::now();
                let Begun::Wait(f) = Box::new(Sleep(Duration::from_secs(3))).begin() else { panic!("a sleep waits") };
                let r = f.await;
                (t0, r, golang_time::now())
            })
            .unwrap();
        assert_eq!((r, t1 - t0), (Ok(Out::None), 3.0));
    }
}
