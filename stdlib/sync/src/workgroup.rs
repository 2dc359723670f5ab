//! `WorkGroup`: Pygolang's group of goroutines working under one context.

use crate::WaitGroup;
use golang_context::{with_cancel, CancelFunc, Context};
use std::any::Any;
use std::fmt;
use std::future::{poll_fn, Future};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::pin::pin;
use std::sync::{Arc, Mutex as StdMutex};
use std::task::Poll;

/// Why a worker failed: its error, or its panic's payload.
enum Failure<E> {
    Err(E),
    Panic(Box<dyn Any + Send>),
}

struct Shared<E> {
    ctx: Context,
    cancel: CancelFunc,
    wg: WaitGroup,
    /// The first failure; later ones are dropped.
    first: StdMutex<Option<Failure<E>>>,
}

impl<E> Shared<E> {
    fn fail(&self, f: Failure<E>) {
        {
            let mut first = self.first.lock().unwrap_or_else(|e| e.into_inner());
            if first.is_none() {
                *first = Some(f);
            }
        }
        self.cancel.cancel();
    }

    fn finish(&self, r: Result<Result<(), E>, Box<dyn Any + Send>>) {
        match r {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.fail(Failure::Err(e)),
            Err(p) => self.fail(Failure::Panic(p)),
        }
    }
}

/// Marks a worker finished when dropped: after it returned, or if its
/// goroutine is dropped unrun when the executor stops.
struct Done<E>(Arc<Shared<E>>);

impl<E> Drop for Done<E> {
    fn drop(&mut self) {
        self.0.wg.done();
    }
}

/// Runs workers under a work context derived from a parent, as Pygolang's
/// `sync.WorkGroup` (and Go's `errgroup`):
/// - [`WorkGroup::go`] runs `f(ctx)` in a new goroutine,
///   [`WorkGroup::go_thread`] on a new OS thread; `ctx` is the work context;
/// - the first worker that fails (returns `Err` or panics) cancels the work
///   context, so that the others can stop; cancelling the parent cancels it
///   too;
/// - [`WorkGroup::wait`] waits for every worker, cancels the work context
///   and returns the first error, or re-raises the first panic.
///
/// Handles are clonable, so that workers can start more workers; `wait`
/// consumes one handle and should be called once.
pub struct WorkGroup<E> {
    shared: Arc<Shared<E>>,
}

impl<E> Clone for WorkGroup<E> {
    fn clone(&self) -> Self {
        WorkGroup { shared: self.shared.clone() }
    }
}

impl<E> fmt::Debug for WorkGroup<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WorkGroup({:?}, {:?})", self.shared.wg, self.shared.ctx)
    }
}

/// Polls `fut`, catching a panic as `Err(payload)`.
async fn catch<F: Future>(fut: F) -> Result<F::Output, Box<dyn Any + Send>> {
    let mut fut = pin!(fut);
    poll_fn(|cx| match catch_unwind(AssertUnwindSafe(|| fut.as_mut().poll(cx))) {
        Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(p) => Poll::Ready(Err(p)),
    })
    .await
}

impl<E: Send + 'static> WorkGroup<E> {
    /// A group whose work context is a child of `parent`.
    pub fn new(parent: &Context) -> WorkGroup<E> {
        let (ctx, cancel) = with_cancel(parent);
        WorkGroup { shared: Arc::new(Shared { ctx, cancel, wg: WaitGroup::new(), first: StdMutex::new(None) }) }
    }

    /// The work context, cancelled by the first failure, by the parent, or
    /// by `wait`.
    pub fn ctx(&self) -> &Context {
        &self.shared.ctx
    }

    /// Runs `f(ctx)` in a new goroutine (on the current executor, see
    /// `golang_sched::go`).
    pub fn go<F, Fut>(&self, f: F)
    where
        F: FnOnce(Context) -> Fut + Send + 'static,
        Fut: Future<Output = Result<(), E>> + Send + 'static,
    {
        self.shared.wg.add(1);
        let done = Done(self.shared.clone());
        let ctx = self.shared.ctx.clone();
        golang_sched::go(async move {
            let r = catch(async move { f(ctx).await }).await;
            done.0.finish(r);
            drop(done);
        });
    }

    /// Runs `f(ctx)` on a new OS thread (for blocking work).
    pub fn go_thread<F>(&self, f: F)
    where
        F: FnOnce(Context) -> Result<(), E> + Send + 'static,
    {
        self.shared.wg.add(1);
        let done = Done(self.shared.clone());
        let ctx = self.shared.ctx.clone();
        std::thread::Builder::new()
            .name("golang-workgroup".into())
            .spawn(move || {
                let r = catch_unwind(AssertUnwindSafe(|| f(ctx)));
                done.0.finish(r);
                drop(done);
            })
            .expect("WorkGroup: cannot start a thread");
    }

    fn result(&self) -> Result<(), E> {
        self.shared.cancel.cancel();
        let first = self.shared.first.lock().unwrap_or_else(|e| e.into_inner()).take();
        match first {
            None => Ok(()),
            Some(Failure::Err(e)) => Err(e),
            Some(Failure::Panic(p)) => resume_unwind(p),
        }
    }

    /// Waits for every worker (goroutine form), then cancels the work
    /// context and returns the first error.
    ///
    /// # Panics
    /// With the payload of the first failure if that was a panic.
    pub async fn wait(self) -> Result<(), E> {
        self.shared.wg.wait().await;
        self.result()
    }

    /// [`WorkGroup::wait`] for OS threads: blocks the thread.
    pub fn wait_blocking(self) -> Result<(), E> {
        self.shared.wg.wait_blocking();
        self.result()
    }
}
