//! Sema and Mutex: exclusion, handoff order, misuse panics, cancellation of
//! waiting futures, goroutines and threads on one mutex.

use futures_lite::future::poll_once;
use golang_chan::Chan;
use golang_sched::testing::check_seeds;
use golang_sched::{go, sleep, yield_now, Runtime};
use golang_sync::{Mutex, Sema, RELEASE_UNACQUIRED, UNLOCK_UNLOCKED};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn sema_is_binary_and_initially_available() {
    let s = Sema::new();
    assert!(s.try_acquire());
    assert!(!s.try_acquire());
    s.release();
    assert_eq!(s.try_release(), Err(RELEASE_UNACQUIRED));
    let e = catch_unwind(AssertUnwindSafe(|| s.release())).unwrap_err();
    assert_eq!(e.downcast_ref::<String>().map(String::as_str), Some(RELEASE_UNACQUIRED));
    assert!(s.try_acquire(), "a failed release must not add a second token");
    assert!(!s.try_acquire());
}

#[test]
fn sema_may_be_released_by_another_goroutine() {
    run(async {
        let s = Arc::new(Sema::new());
        s.acquire().await;
        let s2 = s.clone();
        go(async move {
            sleep(Duration::from_secs(1)).await;
            s2.release();
        });
        let t0 = golang_time::now();
        s.acquire().await; // waits for the other goroutine's release
        assert_eq!(golang_time::now() - t0, 1.0);
    });
}

#[test]
fn unlock_of_an_unlocked_mutex_panics_with_gos_message() {
    let m = Mutex::new();
    assert_eq!(m.try_unlock(), Err(UNLOCK_UNLOCKED));
    let e = catch_unwind(AssertUnwindSafe(|| m.unlock())).unwrap_err();
    assert_eq!(e.downcast_ref::<String>().map(String::as_str), Some("sync: unlock of unlocked mutex"));
    assert!(m.try_lock());
    assert!(!m.try_lock());
    m.unlock();
}

#[test]
fn a_mutex_excludes_goroutines_in_every_interleaving() {
    check_seeds(30, || async {
        let m = Arc::new(Mutex::new());
        let inside = Arc::new(AtomicBool::new(false));
        let done: Chan<()> = Chan::new(8);
        for i in 0..8 {
            let (m, inside, done) = (m.clone(), inside.clone(), done.clone());
            go(async move {
                for _ in 0..5 {
                    if i % 2 == 0 {
                        m.lock().await;
                        assert!(!inside.swap(true, Ordering::SeqCst), "two goroutines inside");
                        yield_now().await;
                        inside.store(false, Ordering::SeqCst);
                        m.unlock();
                    } else {
                        let _g = m.guard().await;
                        assert!(!inside.swap(true, Ordering::SeqCst), "two goroutines inside");
                        yield_now().await;
                        inside.store(false, Ordering::SeqCst);
                    }
                }
                done.send(()).await.unwrap();
            });
        }
        for _ in 0..8 {
            done.recv().await;
        }
        assert!(m.try_lock(), "every lock was released");
    });
}

#[test]
fn waiters_get_the_lock_in_arrival_order() {
    run(async {
        let m = Arc::new(Mutex::new());
        let order: Chan<u32> = Chan::new(3);
        m.lock().await;
        for i in 0..3u32 {
            let (m, order) = (m.clone(), order.clone());
            go(async move {
                sleep(Duration::from_millis(10 * (3 - i) as u64)).await; // arrive as 2, 1, 0
                m.lock().await;
                order.send(i).await.unwrap();
                m.unlock();
            });
        }
        sleep(Duration::from_secs(1)).await;
        m.unlock();
        let got = [order.recv().await.unwrap(), order.recv().await.unwrap(), order.recv().await.unwrap()];
        assert_eq!(got, [2, 1, 0]);
    });
}

#[test]
fn a_dropped_waiting_lock_leaves_the_queue_and_passes_on_a_lock_handed_to_it() {
    run(async {
        let m = Mutex::new();
        m.lock().await;
        // dropped while waiting
        let mut f = Box::pin(m.lock());
        assert!(poll_once(&mut f).await.is_none());
        drop(f);
        m.unlock();
        assert!(m.try_lock(), "the dropped waiter must not hold the lock");
        // dropped after the lock was handed to it, before it saw that
        let mut f = Box::pin(m.lock());
        assert!(poll_once(&mut f).await.is_none());
        m.unlock(); // hands the lock to f
        assert!(!m.try_lock());
        drop(f);
        assert!(m.try_lock(), "a lock handed to a dropped waiter must come back");
        m.unlock();
    });
}

#[test]
fn goroutines_and_threads_contend_on_one_mutex() {
    const N: u64 = 300;
    let m = Arc::new(Mutex::new());
    let counter = Arc::new(AtomicU64::new(0));
    // a non-atomic read-modify-write: only exclusion makes it exact
    let bump = |c: &AtomicU64| {
        let v = c.load(Ordering::Relaxed);
        std::thread::yield_now();
        c.store(v + 1, Ordering::Relaxed);
    };
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (m, counter) = (m.clone(), counter.clone());
            std::thread::spawn(move || {
                for _ in 0..N {
                    let _g = m.guard_blocking();
                    bump(&counter);
                }
            })
        })
        .collect();
    Runtime::real()
        .block_on(async {
            let done: Chan<()> = Chan::new(2);
            for _ in 0..2 {
                let (m, counter, done) = (m.clone(), counter.clone(), done.clone());
                go(async move {
                    for _ in 0..N {
                        m.lock().await;
                        bump(&counter);
                        m.unlock();
                        yield_now().await;
                    }
                    done.send(()).await.unwrap();
                });
            }
            done.recv().await;
            done.recv().await;
        })
        .unwrap();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(counter.load(Ordering::Relaxed), 4 * N);
}

#[test]
fn a_goroutine_blocked_on_a_mutex_is_named_in_a_deadlock_report() {
    let err = Runtime::deterministic(1)
        .block_on(async {
            let m = Mutex::new();
            m.lock().await;
            m.lock().await; // never unlocked
        })
        .unwrap_err();
    assert!(err.to_string().contains("sync.Mutex.Lock"), "{err}");
}
