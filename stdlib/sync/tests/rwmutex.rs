//! RWMutex: readers share, writers exclude, Go's writer preference, misuse
//! panics, dropped waiters, threads and goroutines together.

use futures_lite::future::poll_once;
use golang_chan::Chan;
use golang_sched::testing::check_seeds;
use golang_sched::{go, sleep, yield_now, Runtime};
use golang_sync::{RWMutex, RUNLOCK_UNLOCKED, RW_UNLOCK_UNLOCKED};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

/// Who is inside: readers count up, a writer is -1000.
fn enter(inside: &AtomicI64, write: bool) {
    if write {
        let was = inside.swap(-1000, Ordering::SeqCst);
        assert_eq!(was, 0, "a writer got in while others were inside");
    } else {
        let was = inside.fetch_add(1, Ordering::SeqCst);
        assert!(was >= 0, "a reader got in while a writer was inside");
    }
}

fn leave(inside: &AtomicI64, write: bool) {
    if write {
        assert_eq!(inside.swap(0, Ordering::SeqCst), -1000);
    } else {
        inside.fetch_sub(1, Ordering::SeqCst);
    }
}

#[test]
fn readers_share_and_writers_exclude_everyone_in_every_interleaving() {
    check_seeds(40, || async {
        let rw = Arc::new(RWMutex::new());
        let inside = Arc::new(AtomicI64::new(0));
        let max_readers = Arc::new(AtomicI64::new(0));
        let done: Chan<()> = Chan::new(10);
        for i in 0..10 {
            let (rw, inside, max_readers, done) = (rw.clone(), inside.clone(), max_readers.clone(), done.clone());
            go(async move {
                let write = i % 3 == 0;
                for _ in 0..4 {
                    if write {
                        let _g = rw.write().await;
                        enter(&inside, true);
                        yield_now().await;
                        leave(&inside, true);
                    } else {
                        rw.rlock().await;
                        enter(&inside, false);
                        max_readers.fetch_max(inside.load(Ordering::SeqCst), Ordering::SeqCst);
                        yield_now().await;
                        leave(&inside, false);
                        rw.runlock();
                    }
                    yield_now().await;
                }
                done.send(()).await.unwrap();
            });
        }
        for _ in 0..10 {
            done.recv().await;
        }
        assert!(rw.try_lock(), "everything was released");
        rw.unlock();
    });
}

#[test]
fn readers_hold_the_lock_together() {
    let rw = RWMutex::new();
    assert!(rw.try_rlock());
    assert!(rw.try_rlock());
    assert!(!rw.try_lock());
    rw.runlock();
    rw.runlock();
    assert!(rw.try_lock());
    assert!(!rw.try_rlock());
    rw.unlock();
}

#[test]
fn a_waiting_writer_keeps_new_readers_out_and_goes_first() {
    run(async {
        let rw = Arc::new(RWMutex::new());
        let order: Chan<&str> = Chan::new(2);
        rw.rlock().await; // R1
        let (rw2, o) = (rw.clone(), order.clone());
        go(async move {
            rw2.lock().await;
            o.send("writer").await.unwrap();
            rw2.unlock();
        });
        sleep(Duration::from_millis(1)).await; // the writer now waits
        assert!(!rw.try_rlock(), "a new reader must not pass a waiting writer");
        let (rw3, o) = (rw.clone(), order.clone());
        go(async move {
            rw3.rlock().await; // R2 waits behind the writer
            o.send("reader").await.unwrap();
            rw3.runlock();
        });
        sleep(Duration::from_millis(1)).await;
        rw.runlock(); // R1 leaves: the writer goes in, then R2
        assert_eq!(order.recv().await.unwrap(), "writer");
        assert_eq!(order.recv().await.unwrap(), "reader");
    });
}

#[test]
fn readers_that_waited_during_a_write_go_before_the_next_writer() {
    run(async {
        let rw = Arc::new(RWMutex::new());
        let order: Chan<&str> = Chan::new(3);
        rw.lock().await; // W1
        for (k, write) in [("r1", false), ("w2", true), ("r2", false)] {
            let (rw, o) = (rw.clone(), order.clone());
            go(async move {
                if write {
                    rw.lock().await;
                    o.send(k).await.unwrap();
                    rw.unlock();
                } else {
                    rw.rlock().await;
                    o.send(k).await.unwrap();
                    sleep(Duration::from_millis(5)).await;
                    rw.runlock();
                }
            });
            sleep(Duration::from_millis(1)).await; // arrive in this order
        }
        rw.unlock();
        let mut first_two = [order.recv().await.unwrap(), order.recv().await.unwrap()];
        first_two.sort();
        assert_eq!(first_two, ["r1", "r2"], "both waiting readers go in together");
        assert_eq!(order.recv().await.unwrap(), "w2");
    });
}

#[test]
fn misuse_panics_with_gos_messages() {
    let rw = RWMutex::new();
    assert_eq!(rw.try_runlock(), Err(RUNLOCK_UNLOCKED));
    assert_eq!(rw.try_unlock(), Err(RW_UNLOCK_UNLOCKED));
    assert_eq!(RUNLOCK_UNLOCKED, "sync: RUnlock of unlocked RWMutex");
    assert_eq!(RW_UNLOCK_UNLOCKED, "sync: Unlock of unlocked RWMutex");
    rw.rlock_blocking();
    assert_eq!(rw.try_unlock(), Err(RW_UNLOCK_UNLOCKED), "a reader cannot be write-unlocked");
    rw.runlock();
    let e = std::panic::catch_unwind(|| RWMutex::new().runlock()).unwrap_err();
    assert_eq!(e.downcast_ref::<String>().map(String::as_str), Some(RUNLOCK_UNLOCKED));
}

#[test]
fn a_dropped_waiting_writer_lets_the_readers_behind_it_in() {
    run(async {
        let rw = RWMutex::new();
        rw.rlock().await;
        let mut w = Box::pin(rw.lock());
        assert!(poll_once(&mut w).await.is_none());
        let mut r = Box::pin(rw.rlock());
        assert!(poll_once(&mut r).await.is_none(), "the reader waits behind the writer");
        drop(w);
        assert!(poll_once(&mut r).await.is_some(), "with the writer gone the reader goes in");
        rw.runlock();
        rw.runlock();
        assert!(rw.try_lock());
        rw.unlock();
    });
}

#[test]
fn a_lock_granted_to_a_dropped_waiter_is_passed_on() {
    run(async {
        let rw = RWMutex::new();
        rw.rlock().await;
        let mut w = Box::pin(rw.lock());
        assert!(poll_once(&mut w).await.is_none());
        rw.runlock(); // grants w
        assert!(!rw.try_rlock());
        drop(w); // unlocks on its behalf
        assert!(rw.try_lock());
        rw.unlock();
    });
}

#[test]
fn goroutines_and_threads_share_one_rwmutex() {
    let rw = Arc::new(RWMutex::new());
    let inside = Arc::new(AtomicI64::new(0));
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (rw, inside) = (rw.clone(), inside.clone());
            std::thread::spawn(move || {
                for i in 0..200 {
                    let write = (i + t) % 4 == 0;
                    if write {
                        let _g = rw.write_blocking();
                        enter(&inside, true);
                        std::thread::yield_now();
                        leave(&inside, true);
                    } else {
                        let _g = rw.read_blocking();
                        enter(&inside, false);
                        std::thread::yield_now();
                        leave(&inside, false);
                    }
                }
            })
        })
        .collect();
    Runtime::real()
        .block_on(async {
            let done: Chan<()> = Chan::new(2);
            for g in 0..2 {
                let (rw, inside, done) = (rw.clone(), inside.clone(), done.clone());
                go(async move {
                    for i in 0..200 {
                        let write = (i + g) % 3 == 0;
                        if write {
                            rw.lock().await;
                        } else {
                            rw.rlock().await;
                        }
                        enter(&inside, write);
                        yield_now().await;
                        leave(&inside, write);
                        if write {
                            rw.unlock()
                        } else {
                            rw.runlock()
                        }
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
    assert!(rw.try_lock());
}
