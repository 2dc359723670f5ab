//! WaitGroup and Once.

use golang_chan::Chan;
use golang_sched::{go, sleep, Runtime};
use golang_sync::{Once, WaitGroup, NEGATIVE_COUNTER};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn wait_returns_when_the_counter_reaches_zero() {
    run(async {
        let wg = Arc::new(WaitGroup::new());
        wg.wait().await; // zero: at once
        let t0 = golang_time::now();
        for i in 1..=3u64 {
            wg.add(1);
            let wg = wg.clone();
            go(async move {
                sleep(Duration::from_secs(i)).await;
                wg.done();
            });
        }
        let (wg2, waited): (_, Chan<f64>) = (wg.clone(), Chan::new(1));
        let w = waited.clone();
        go(async move {
            wg2.wait().await; // a second waiter is released too
            w.send(golang_time::now()).await.unwrap();
        });
        wg.wait().await;
        assert_eq!(golang_time::now() - t0, 3.0);
        assert_eq!(waited.recv().await.unwrap() - t0, 3.0);
        // reusable once at zero
        wg.add(2);
        wg.add(-2);
        wg.wait().await;
    });
}

#[test]
fn a_negative_counter_panics_and_leaves_the_counter_unchanged() {
    let wg = WaitGroup::new();
    assert_eq!(wg.try_add(-1), Err(NEGATIVE_COUNTER));
    let e = catch_unwind(AssertUnwindSafe(|| wg.done())).unwrap_err();
    assert_eq!(e.downcast_ref::<String>().map(String::as_str), Some("sync: negative WaitGroup counter"));
    wg.add(1);
    assert_eq!(wg.try_add(-2), Err(NEGATIVE_COUNTER));
    wg.done();
    wg.wait_blocking();
}

#[test]
fn threads_and_goroutines_share_one_waitgroup() {
    // threads finish, a goroutine waits
    let wg = Arc::new(WaitGroup::new());
    let n = Arc::new(AtomicU32::new(0));
    wg.add(4);
    for _ in 0..4 {
        let (wg, n) = (wg.clone(), n.clone());
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(5));
            n.fetch_add(1, Ordering::SeqCst);
            wg.done();
        });
    }
    let (w, n2) = (wg.clone(), n.clone());
    Runtime::real().block_on(async move { w.wait().await }).unwrap();
    assert_eq!(n2.load(Ordering::SeqCst), 4);

    // goroutines finish, a thread waits
    let wg = Arc::new(WaitGroup::new());
    wg.add(3);
    let waiter = {
        let wg = wg.clone();
        std::thread::spawn(move || wg.wait_blocking())
    };
    let w = wg.clone();
    Runtime::real()
        .block_on(async move {
            for _ in 0..3 {
                let w = w.clone();
                go(async move {
                    sleep(Duration::from_millis(5)).await;
                    w.done();
                });
            }
            w.wait().await;
        })
        .unwrap();
    waiter.join().unwrap();
}

#[test]
fn once_runs_its_function_once() {
    run(async {
        let once = Once::new();
        let n = AtomicU32::new(0);
        for _ in 0..3 {
            once.call_once(|| {
                n.fetch_add(1, Ordering::SeqCst);
            })
            .await;
        }
        once.call_once_blocking(|| {
            n.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(n.load(Ordering::SeqCst), 1);
        assert!(once.is_done());
    });
}

#[test]
fn once_callers_wait_until_the_running_function_returns() {
    let once = Arc::new(Once::new());
    let finished = Arc::new(AtomicBool::new(false));
    let (entered_tx, entered_rx) = std::sync::mpsc::channel();
    let first = {
        let (once, finished) = (once.clone(), finished.clone());
        std::thread::spawn(move || {
            once.call_once_blocking(|| {
                entered_tx.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(50));
                finished.store(true, Ordering::SeqCst);
            })
        })
    };
    entered_rx.recv().unwrap(); // the first caller is running the function
    let thread_saw = {
        let (once, finished) = (once.clone(), finished.clone());
        std::thread::spawn(move || {
            once.call_once_blocking(|| panic!("must not run twice"));
            finished.load(Ordering::SeqCst)
        })
    };
    let (o, f) = (once.clone(), finished.clone());
    let goroutine_saw = Runtime::real()
        .block_on(async move {
            o.call_once(|| panic!("must not run twice")).await;
            f.load(Ordering::SeqCst)
        })
        .unwrap();
    first.join().unwrap();
    assert!(thread_saw.join().unwrap(), "a thread returned before the function finished");
    assert!(goroutine_saw, "a goroutine returned before the function finished");
}

#[test]
fn once_whose_function_panicked_does_nothing_later() {
    let once = Once::new();
    let e = catch_unwind(AssertUnwindSafe(|| once.call_once_blocking(|| panic!("boom")))).unwrap_err();
    assert_eq!(e.downcast_ref::<&str>(), Some(&"boom"));
    assert!(once.is_done());
    let ran = AtomicBool::new(false);
    once.call_once_blocking(|| ran.store(true, Ordering::SeqCst));
    run(async { once.call_once(|| ran.store(true, Ordering::SeqCst)).await });
    assert!(!ran.load(Ordering::SeqCst));
}
