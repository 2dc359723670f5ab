//! WorkGroup: the first error wins and cancels the others; wait waits for
//! everyone; parent cancellation propagates; panics are re-raised.

use golang_context::{background, with_cancel, ContextError};
use golang_sched::{sleep, RunError, Runtime};
use golang_sync::WorkGroup;
use golang_time::now;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn wait_returns_ok_when_every_worker_succeeds_and_cancels_the_work_context() {
    run(async {
        let wg: WorkGroup<String> = WorkGroup::new(&background());
        let wctx = wg.ctx().clone();
        let t0 = now();
        for i in 1..=3u64 {
            wg.go(move |ctx| async move {
                sleep(Duration::from_secs(i)).await;
                assert_eq!(ctx.err(), None);
                Ok(())
            });
        }
        assert_eq!(wg.wait().await, Ok(()));
        assert_eq!(now() - t0, 3.0);
        assert_eq!(wctx.err(), Some(ContextError::Canceled));
    });
}

#[test]
fn the_first_error_wins_and_cancels_the_others() {
    run(async {
        let t0 = now();
        let wg: WorkGroup<&str> = WorkGroup::new(&background());
        let seen = Arc::new(Mutex::new(Vec::new()));
        wg.go(|_| async {
            sleep(Duration::from_secs(1)).await;
            Err("first")
        });
        wg.go(|_| async {
            sleep(Duration::from_secs(2)).await;
            Err("second")
        });
        for _ in 0..3 {
            let seen = seen.clone();
            wg.go(move |ctx| async move {
                ctx.done().recv().await; // stops when told
                seen.lock().unwrap().push((now() - t0, ctx.err()));
                Ok(())
            });
        }
        assert_eq!(wg.wait().await, Err("first"));
        assert_eq!(now() - t0, 2.0, "wait waits for every worker, the failing ones too");
        assert_eq!(*seen.lock().unwrap(), vec![(1.0, Some(ContextError::Canceled)); 3]);
    });
}

#[test]
fn wait_waits_for_a_worker_that_ignores_cancellation() {
    run(async {
        let t0 = now();
        let wg: WorkGroup<u32> = WorkGroup::new(&background());
        wg.go(|_| async { Err(7) });
        wg.go(|_| async {
            sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        assert_eq!(wg.wait().await, Err(7));
        assert_eq!(now() - t0, 5.0);
    });
}

#[test]
fn cancelling_the_parent_cancels_the_work_context() {
    run(async {
        let (parent, cancel) = with_cancel(&background());
        let wg: WorkGroup<ContextError> = WorkGroup::new(&parent);
        wg.go(|ctx| async move {
            ctx.done().recv().await;
            Err(ctx.err().unwrap())
        });
        let wg2 = wg.clone();
        wg2.go(move |_| async move {
            sleep(Duration::from_secs(1)).await;
            cancel.cancel();
            Ok(())
        });
        assert_eq!(wg.wait().await, Err(ContextError::Canceled));
    });
}

#[test]
fn a_panicking_worker_cancels_the_others_and_wait_re_raises_it() {
    let err = Runtime::deterministic(1)
        .block_on(async {
            let wg: WorkGroup<()> = WorkGroup::new(&background());
            wg.go(|_| async {
                sleep(Duration::from_secs(1)).await;
                panic!("worker exploded")
            });
            wg.go(|ctx| async move {
                ctx.done().recv().await;
                Ok(())
            });
            let _ = wg.wait().await;
            unreachable!("wait must re-raise the panic");
        })
        .unwrap_err();
    match err {
        RunError::Panic { goroutine, message, .. } => {
            assert_eq!(goroutine, 1, "re-raised in the waiter (main)");
            assert_eq!(message, "worker exploded");
        }
        e => panic!("unexpected {e}"),
    }
}

#[test]
fn thread_workers_and_a_blocking_wait() {
    let wg: WorkGroup<String> = WorkGroup::new(&background());
    for i in 0..4 {
        wg.go_thread(move |ctx| {
            if i == 2 {
                return Err(format!("worker {i} failed"));
            }
            ctx.done().recv_blocking(); // cancelled by worker 2
            Ok(())
        });
    }
    assert_eq!(wg.wait_blocking(), Err("worker 2 failed".to_string()));
}
