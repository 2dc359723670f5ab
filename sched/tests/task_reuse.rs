//! Spawning reuses the waker of a finished goroutine only when nothing else
//! holds it (invariant 3 of `executor.rs`): a late wake through an old
//! goroutine's waker never polls another goroutine.

use golang_sched::{go, yield_now, Runtime};
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Poll, Waker};

#[test]
fn a_waker_kept_after_its_goroutine_finished_never_polls_a_later_goroutine() {
    for seed in 0..20 {
        Runtime::deterministic(seed)
            .block_on(async {
                let kept: Arc<Mutex<Vec<Waker>>> = Arc::new(Mutex::new(Vec::new()));
                // Goroutines that keep their waker and finish.
                for _ in 0..10 {
                    let k = kept.clone();
                    go(poll_fn(move |cx| {
                        k.lock().unwrap().push(cx.waker().clone());
                        Poll::Ready(())
                    }));
                }
                // Short goroutines whose wakers are free to reuse.
                for _ in 0..10 {
                    go(async {});
                }
                for _ in 0..5 {
                    yield_now().await;
                }
                // Later goroutines that wait for nothing but count polls.
                let polls = Arc::new(AtomicUsize::new(0));
                for _ in 0..20 {
                    let p = polls.clone();
                    go(poll_fn(move |_| {
                        p.fetch_add(1, Ordering::SeqCst);
                        Poll::<()>::Pending
                    }));
                }
                for _ in 0..1000 {
                    if polls.load(Ordering::SeqCst) == 20 {
                        break;
                    }
                    yield_now().await;
                }
                assert_eq!(polls.load(Ordering::SeqCst), 20, "each polled once");
                for w in kept.lock().unwrap().drain(..) {
                    w.wake();
                }
                // Enough turns for every queued stale wake-up to be taken.
                for _ in 0..200 {
                    yield_now().await;
                }
                assert_eq!(polls.load(Ordering::SeqCst), 20, "old wakers woke nobody");
            })
            .unwrap();
    }
}

#[test]
fn many_batches_of_short_goroutines_all_run_once() {
    let ran = Runtime::deterministic(3)
        .block_on(async {
            let ran = Arc::new(AtomicUsize::new(0));
            for batch in 1..=5 {
                for _ in 0..3000 {
                    let r = ran.clone();
                    go(async move {
                        r.fetch_add(1, Ordering::SeqCst);
                    });
                }
                while ran.load(Ordering::SeqCst) < batch * 3000 {
                    yield_now().await;
                }
            }
            ran.load(Ordering::SeqCst)
        })
        .unwrap();
    assert_eq!(ran, 15_000);
}
