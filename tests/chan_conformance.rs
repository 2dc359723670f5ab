//! Conformance suite: Go's channel and select rules, on goroutines, on OS
//! threads, and on both at once. Each test names the rule it checks.

use golang::sched::testing::check_seeds;
use golang::{go, yield_now, Chan, ChanError, RunError, Runtime, Select, DEFAULT};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::future::Future;
use std::task::{Context, Poll, Waker};

fn run<F: std::future::Future>(seed: u64, f: F) -> Result<F::Output, RunError> {
    Runtime::deterministic(seed).block_on(f)
}

#[test]
fn unbuffered_send_completes_only_when_a_receiver_takes_the_value() {
    check_seeds(50, || async {
        let ch: Chan<i32> = Chan::new(0);
        let sent = Arc::new(AtomicBool::new(false));
        let (c, s) = (ch.clone(), sent.clone());
        go(async move {
            c.send(1).await.unwrap();
            s.store(true, Ordering::SeqCst);
        });
        for _ in 0..20 {
            yield_now().await;
            assert!(!sent.load(Ordering::SeqCst), "send completed without a receiver");
        }
        assert_eq!(ch.recv().await, Some(1));
    });
}

#[test]
fn buffered_channel_is_a_fifo_of_cap_elements() {
    let ch: Chan<i32> = Chan::new(3);
    for i in 0..3 {
        ch.try_send(i).unwrap();
    }
    assert_eq!(ch.len(), 3);
    assert_eq!(ch.cap(), 3);
    assert!(matches!(ch.try_send(9), Err(golang::chan::TrySendError::Full(9))));
    assert_eq!(ch.try_recv(), Ok(0));
    ch.try_send(3).unwrap();
    let got: Vec<i32> = (0..3).map(|_| ch.try_recv().unwrap()).collect();
    assert_eq!(got, vec![1, 2, 3]);
    assert_eq!(ch.try_recv(), Err(golang::chan::TryRecvError::Empty));
}

#[test]
fn close_lets_receivers_drain_the_buffer_then_get_zero_and_false() {
    run(1, async {
        let ch: Chan<i32> = Chan::new(2);
        ch.send(5).await.unwrap();
        ch.send(6).await.unwrap();
        ch.close();
        assert_eq!(ch.recv_().await, (5, true));
        assert_eq!(ch.recv_().await, (6, true));
        assert_eq!(ch.recv_().await, (0, false));
        assert_eq!(ch.recv_().await, (0, false));
        assert_eq!(ch.len(), 0);
    })
    .unwrap();
}

#[test]
fn close_wakes_every_waiting_receiver_with_zero_and_false() {
    check_seeds(20, || async {
        let ch: Chan<i32> = Chan::new(0);
        let done: Chan<bool> = Chan::new(10);
        for _ in 0..10 {
            let (c, d) = (ch.clone(), done.clone());
            go(async move {
                let (v, ok) = c.recv_().await;
                d.send(v == 0 && !ok).await.unwrap();
            });
        }
        for _ in 0..5 {
            yield_now().await;
        }
        ch.close();
        for _ in 0..10 {
            assert_eq!(done.recv().await, Some(true));
        }
    });
}

#[test]
fn a_receiver_woken_by_close_finds_the_channel_ready_at_once() {
    // Close wakes the waiting receivers: what they do next must already
    // see the channel closed, the lock-free "not ready" fast path of a
    // non-blocking receive (and of select with default) included. Many
    // rounds: the race it guards against is a few instructions wide.
    use golang::chan::TryRecvError;
    for _ in 0..2000 {
        let ch: Chan<i32> = Chan::new(0);
        let rx = ch.clone();
        let t = std::thread::spawn(move || {
            assert_eq!(rx.recv_blocking(), None);
            rx.try_recv()
        });
        std::thread::yield_now();
        ch.close();
        assert_eq!(t.join().unwrap(), Err(TryRecvError::Closed));
    }
}

#[test]
fn send_on_closed_channel_panics_with_gos_message() {
    let err = run(3, async {
        let ch: Chan<i32> = Chan::new(1);
        ch.close();
        assert_eq!(ch.send_checked(1).await, Err(ChanError::SendOnClosed));
        let _ = ch.send(1).await;
    })
    .unwrap_err();
    match err {
        RunError::Panic { message, goroutine, seed, .. } => {
            assert_eq!(message, "send on closed channel");
            assert_eq!(goroutine, 1);
            assert_eq!(seed, 3);
        }
        e => panic!("unexpected {e:?}"),
    }
}

#[test]
fn senders_blocked_at_close_time_panic() {
    check_seeds(20, || async {
        let ch: Chan<i32> = Chan::new(0);
        let res: Chan<Result<(), ChanError>> = Chan::new(3);
        for i in 0..3 {
            let (c, r) = (ch.clone(), res.clone());
            go(async move { r.send(c.send_checked(i).await).await.unwrap() });
        }
        for _ in 0..5 {
            yield_now().await;
        }
        ch.close();
        for _ in 0..3 {
            assert_eq!(res.recv().await, Some(Err(ChanError::SendOnClosed)));
        }
    });
}

#[test]
fn closing_twice_and_closing_nil_panic_with_gos_messages() {
    let ch: Chan<i32> = Chan::new(0);
    assert_eq!(ch.try_close(), Ok(()));
    assert_eq!(ch.try_close(), Err(ChanError::CloseOfClosed));
    assert_eq!(Chan::<i32>::nil().try_close(), Err(ChanError::CloseOfNil));
    let p = std::panic::catch_unwind(|| ch.close()).unwrap_err();
    assert_eq!(p.downcast_ref::<String>().unwrap(), "close of closed channel");
    let p = std::panic::catch_unwind(|| Chan::<i32>::nil().close()).unwrap_err();
    assert_eq!(p.downcast_ref::<String>().unwrap(), "close of nil channel");
}

#[test]
fn negative_size_is_refused_with_gos_message() {
    assert_eq!(Chan::<i32>::with_size(-1).unwrap_err(), "makechan: size out of range");
    assert_eq!(Chan::<i32>::with_size(4).unwrap().cap(), 4);
}

#[test]
fn nil_channel_blocks_forever_and_the_deadlock_report_says_so() {
    let err = run(4, async {
        let nil: Chan<i32> = Chan::nil();
        let n2 = nil.clone();
        golang::go_named("sender", async move {
            let _ = n2.send(1).await;
        });
        nil.recv().await
    })
    .unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("all goroutines are asleep - deadlock!"), "{text}");
    assert!(text.contains("goroutine 1 [chan receive (nil chan)]: main"), "{text}");
    assert!(text.contains("goroutine 2 [chan send (nil chan)]: sender"), "{text}");
    assert!(text.contains("seed 4"), "{text}");
}

#[test]
fn nil_channel_is_never_ready_in_select() {
    run(5, async {
        let nil: Chan<i32> = Chan::nil();
        let mut sel = Select::new();
        sel.recv(&nil);
        sel.send(&nil, 1);
        sel.default_case();
        assert_eq!(sel.wait().await, Ok(DEFAULT));
        assert_eq!(nil.len(), 0);
        assert_eq!(nil.cap(), 0);
        assert!(nil.try_send(1).is_err());
    })
    .unwrap();
}

#[test]
fn select_with_only_nil_cases_and_no_default_blocks_forever() {
    let err = run(6, async {
        let nil: Chan<i32> = Chan::nil();
        let mut sel = Select::new();
        sel.recv(&nil);
        sel.wait().await
    })
    .unwrap_err();
    assert!(err.to_string().contains("[select (no cases)]"), "{err}");
}

#[test]
fn select_with_two_default_cases_panics() {
    let p = std::panic::catch_unwind(|| {
        let mut sel = Select::new();
        sel.default_case();
        sel.default_case();
    })
    .unwrap_err();
    assert_eq!(p.downcast_ref::<&str>().copied(), Some("select: multiple default"));
}

#[test]
fn select_send_to_closed_channel_is_a_panic_and_recv_on_closed_is_ready() {
    run(7, async {
        let c: Chan<i32> = Chan::new(0);
        c.close();
        let mut sel = Select::new();
        sel.send(&c, 1);
        assert_eq!(sel.wait().await, Err(ChanError::SendOnClosed));
        let mut sel = Select::new();
        let i = sel.recv(&c);
        assert_eq!(sel.wait().await, Ok(i));
        assert_eq!(sel.take_recv::<i32>(i), Some(None));
    })
    .unwrap();
}

#[test]
fn select_picks_uniformly_among_ready_cases() {
    let counts = run(8, async {
        let a: Chan<u8> = Chan::new(1);
        let b: Chan<u8> = Chan::new(1);
        let c: Chan<u8> = Chan::new(1);
        let mut counts = [0u32; 3];
        for _ in 0..30_000 {
            for ch in [&a, &b, &c] {
                let _ = ch.try_send(0);
            }
            let mut sel = Select::new();
            sel.recv(&a);
            sel.recv(&b);
            sel.recv(&c);
            counts[sel.wait().await.unwrap()] += 1;
        }
        counts
    })
    .unwrap();
    for n in counts {
        assert!((9_000..11_000).contains(&n), "{counts:?}");
    }
}

#[test]
fn select_with_send_and_recv_on_one_channel_never_matches_itself() {
    let err = run(9, async {
        let c: Chan<i32> = Chan::new(0);
        let mut sel = Select::new();
        sel.send(&c, 1);
        sel.recv(&c);
        sel.wait().await
    })
    .unwrap_err();
    assert!(matches!(err, RunError::Deadlock { .. }), "{err}");
}

#[test]
fn exactly_one_case_commits_when_many_channels_become_ready_at_once() {
    check_seeds(30, || async {
        let chans: Vec<Chan<u32>> = (0..4).map(|_| Chan::new(0)).collect();
        let total = 4 * 25;
        for (k, c) in chans.iter().enumerate() {
            let c = c.clone();
            go(async move {
                for i in 0..25 {
                    c.send(k as u32 * 100 + i).await.unwrap();
                }
            });
        }
        let mut seen = std::collections::HashSet::new();
        for _ in 0..total {
            let mut sel = Select::new();
            for c in &chans {
                sel.recv(c);
            }
            let i = sel.wait().await.unwrap();
            let v = sel.take_recv::<u32>(i).unwrap().unwrap();
            assert!(seen.insert(v), "value {v} delivered twice");
        }
        assert_eq!(seen.len(), total);
        for c in &chans {
            assert!(c.try_recv().is_err(), "a value was left behind");
        }
    });
}

fn noop_waker() -> Waker {
    Waker::noop().clone()
}

#[test]
fn a_dropped_select_after_commit_gives_the_value_back() {
    check_seeds(30, || async {
        let c: Chan<i32> = Chan::new(0);
        let other: Chan<i32> = Chan::new(0);
        let mut sel = Select::new();
        sel.recv(&c);
        sel.recv(&other);
        let mut fut = Box::pin(sel.wait());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending()); // registered
        let c2 = c.clone();
        let sent: Chan<()> = Chan::new(1);
        let s2 = sent.clone();
        go(async move {
            c2.send(42).await.unwrap(); // commits the waiting select
            s2.send(()).await.unwrap();
        });
        sent.recv().await.unwrap();
        drop(fut); // dropped before it took its value
        assert_eq!(c.recv().await, Some(42), "the value was lost");
    });
}

#[test]
fn a_dropped_recv_after_commit_gives_the_value_back_in_order() {
    run(10, async {
        let c: Chan<i32> = Chan::new(2);
        let mut fut = Box::pin(c.recv());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        c.send(1).await.unwrap(); // handed directly to the waiting receiver
        c.send(2).await.unwrap();
        drop(fut);
        assert_eq!(c.recv().await, Some(1));
        assert_eq!(c.recv().await, Some(2));
    })
    .unwrap();
}

#[test]
fn a_dropped_waiting_select_leaves_no_entry_behind() {
    run(11, async {
        let c: Chan<i32> = Chan::new(0);
        for _ in 0..100 {
            let mut sel = Select::new();
            sel.recv(&c);
            let mut fut = Box::pin(sel.wait());
            let mut cx = Context::from_waker(Waker::noop());
            assert!(fut.as_mut().poll(&mut cx).is_pending());
        }
        // A send now finds no stale receiver to hand its value to.
        assert!(c.try_send(1).is_err());
    })
    .unwrap();
    let _ = noop_waker();
}

#[test]
fn threads_and_goroutines_meet_on_one_channel_both_ways() {
    let ch: Chan<u64> = Chan::new(0);
    let back: Chan<u64> = Chan::new(0);
    let (c, b) = (ch.clone(), back.clone());
    // A goroutine on the background executor echoes values doubled.
    go(async move {
        while let Some(v) = c.recv().await {
            b.send(v * 2).await.unwrap();
        }
        b.close();
    });
    let mut sum = 0;
    for i in 0..1000 {
        ch.send_blocking(i);
        sum += back.recv_blocking().unwrap();
    }
    ch.close();
    assert_eq!(back.recv_blocking(), None);
    assert_eq!(sum, 999 * 1000);
}

#[test]
fn blocking_select_on_threads_commits_exactly_one_case() {
    let a: Chan<u32> = Chan::new(0);
    let b: Chan<u32> = Chan::new(0);
    let n = 2000;
    let mut hs = Vec::new();
    for ch in [a.clone(), b.clone()] {
        hs.push(std::thread::spawn(move || {
            for i in 0..n {
                ch.send_blocking(i);
            }
        }));
    }
    let got = Arc::new(AtomicUsize::new(0));
    for _ in 0..2 * n {
        let mut sel = Select::new();
        sel.recv(&a);
        sel.recv(&b);
        let i = sel.wait_blocking().unwrap();
        assert!(sel.take_recv::<u32>(i).unwrap().is_some());
        got.fetch_add(1, Ordering::Relaxed);
    }
    for h in hs {
        h.join().unwrap();
    }
    assert_eq!(got.load(Ordering::Relaxed), 2 * n as usize);
    assert!(a.try_recv().is_err() && b.try_recv().is_err());
}

#[test]
fn a_goroutine_whose_channels_are_always_ready_still_yields() {
    run(12, async {
        let flag = Arc::new(AtomicBool::new(false));
        let f = flag.clone();
        go(async move { f.store(true, Ordering::SeqCst) });
        let c: Chan<i32> = Chan::new(1);
        // Never blocks: without the cooperative budget this loop would never
        // let the other goroutine run.
        while !flag.load(Ordering::SeqCst) {
            c.send(1).await.unwrap();
            c.recv().await.unwrap();
        }
    })
    .unwrap();
}

#[test]
fn the_same_seed_gives_the_same_trace_and_other_seeds_differ() {
    fn racy(seed: u64) -> Vec<(u32, u32)> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let l = log.clone();
        run(seed, async move {
            let c: Chan<(u32, u32)> = Chan::new(2);
            let done: Chan<()> = Chan::new(0);
            for g in 0..4u32 {
                let (c, d) = (c.clone(), done.clone());
                go(async move {
                    for i in 0..5 {
                        c.send((g, i)).await.unwrap();
                    }
                    d.send(()).await.unwrap();
                });
            }
            let l2 = l.clone();
            let (c2, d2) = (c.clone(), done.clone());
            go(async move {
                while let Some(v) = c2.recv().await {
                    l2.lock().unwrap().push(v);
                }
                d2.send(()).await.unwrap();
            });
            for _ in 0..4 {
                done.recv().await.unwrap();
            }
            c.close();
            done.recv().await.unwrap();
        })
        .unwrap();
        let v = log.lock().unwrap().clone();
        v
    }
    let a = racy(77);
    assert_eq!(a, racy(77));
    assert_eq!(a.len(), 20);
    let distinct: std::collections::HashSet<_> = (0..20).map(racy).collect();
    assert!(distinct.len() > 5, "seeds did not change the interleaving");
}

#[test]
fn ten_thousand_goroutines_run_to_completion() {
    run(13, async {
        let n = 10_000u64;
        let results: Chan<u64> = Chan::new(0);
        let gate: Chan<()> = Chan::new(0);
        for i in 0..n {
            let (r, g) = (results.clone(), gate.clone());
            go(async move {
                let _ = g.recv().await; // all block first
                r.send(i).await.unwrap();
            });
        }
        yield_now().await;
        gate.close();
        let mut sum = 0;
        for _ in 0..n {
            sum += results.recv().await.unwrap();
        }
        assert_eq!(sum, n * (n - 1) / 2);
    })
    .unwrap();
}

#[test]
fn an_unrecovered_panic_in_a_goroutine_ends_the_run_with_its_message_and_seed() {
    let err = run(14, async {
        golang::go_named("worker", async { panic!("boom {}", 7) });
        let c: Chan<()> = Chan::new(0);
        c.recv().await;
    })
    .unwrap_err();
    assert_eq!(
        err,
        RunError::Panic { seed: 14, goroutine: 2, name: "worker".into(), message: "boom 7".into() }
    );
    assert!(err.to_string().contains("panic: boom 7"));
}

#[test]
fn waiting_goroutine_polled_with_a_new_waker_is_still_woken() {
    run(15, async {
        let c: Chan<i32> = Chan::new(0);
        let mut fut = Box::pin(c.recv());
        let mut cx = Context::from_waker(Waker::noop());
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        let c2 = c.clone();
        go(async move { c2.send(3).await.unwrap() });
        // Now await it with the real task waker.
        assert_eq!(fut.await, Some(3));
    })
    .unwrap();
}

#[test]
fn poll_fn_helper_compiles() {
    let _ = Poll::<()>::Pending;
}

#[test]
fn tuple_select_takes_default_or_reports_blocking_without_building_a_select() {
    use golang::chan::{try_select_tuple, RecvCase, SendCase};
    let (a, b): (Chan<i32>, Chan<i32>) = (Chan::new(1), Chan::new(0));
    let nil: Chan<i32> = Chan::nil();
    let (mut ra, mut rb, mut rn) = (RecvCase::new(&a), RecvCase::new(&b), RecvCase::new(&nil));
    assert_eq!(try_select_tuple((&mut ra, &mut rb, &mut rn), true), Some(Ok(DEFAULT)));
    let (mut ra, mut rb) = (RecvCase::new(&a), RecvCase::new(&b));
    assert_eq!(try_select_tuple((&mut ra, &mut rb), false), None, "nothing ready, no default: it must block");
    // a send case with room is ready
    let mut sa = SendCase::new(&a, 7);
    let mut rb = RecvCase::new(&b);
    assert_eq!(try_select_tuple((&mut rb, &mut sa), true), Some(Ok(1)));
    assert_eq!(a.try_recv(), Ok(7));
}

#[test]
fn tuple_select_picks_uniformly_among_ready_cases() {
    use golang::chan::{try_select_tuple, RecvCase};
    let counts = run(16, async {
        let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(1));
        let mut counts = [0u32; 2];
        for _ in 0..20_000 {
            let _ = a.try_send(0);
            let _ = b.try_send(0);
            let (mut ra, mut rb) = (RecvCase::new(&a), RecvCase::new(&b));
            counts[try_select_tuple((&mut ra, &mut rb), false).unwrap().unwrap()] += 1;
        }
        counts
    })
    .unwrap();
    for n in counts {
        assert!((9_000..11_000).contains(&n), "{counts:?}");
    }
}
