//! The multi-thread executor (`MultiRuntime`): N workers with work stealing.
//! Outcomes are deterministic; nothing here orders events with sleeps.

use golang::sched::{current_goroutine, handle, in_executor};
use golang::{go, go_named, sleep, Chan, MultiRuntime, RunError, Select};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn on_worker() -> bool {
    std::thread::current().name().is_some_and(|n| n.starts_with("golang-mt-"))
}

// Sets `mine`, then spins until `other` is set: finishes only if the two
// goroutines run at the same time, on two threads.
fn rendezvous(mine: &AtomicBool, other: &AtomicBool) -> bool {
    mine.store(true, Ordering::SeqCst);
    let t0 = Instant::now();
    while !other.load(Ordering::SeqCst) {
        if t0.elapsed() > Duration::from_secs(3) {
            return false;
        }
        std::hint::spin_loop();
    }
    true
}

#[test]
fn ten_thousand_goroutines_each_send_once_and_every_value_arrives() {
    let rt = MultiRuntime::new(2);
    let sum = rt
        .block_on(async {
            let ch: Chan<u64> = Chan::new(0);
            for i in 0..10_000u64 {
                let c = ch.clone();
                go(async move { c.send(i).await.unwrap() });
            }
            let mut sum = 0;
            for _ in 0..10_000 {
                sum += ch.recv().await.unwrap();
            }
            sum
        })
        .unwrap();
    assert_eq!(sum, 10_000 * 9_999 / 2);
}

#[test]
fn goroutines_run_in_parallel_on_two_workers() {
    let rt = MultiRuntime::new(2);
    let ok = rt
        .block_on(async {
            let (a, b) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
            let res: Chan<bool> = Chan::new(2);
            for (mine, other) in [(a.clone(), b.clone()), (b, a)] {
                let r = res.clone();
                go(async move { r.send(rendezvous(&mine, &other)).await.unwrap() });
            }
            res.recv().await.unwrap() && res.recv().await.unwrap()
        })
        .unwrap();
    assert!(ok, "the two spinning goroutines never ran at the same time");
}

#[test]
fn ping_pong_between_goroutines_that_start_on_different_workers() {
    let rt = MultiRuntime::new(2);
    let (rounds, threads) = rt
        .block_on(async {
            let (a, b) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
            let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
            let out: Chan<(u64, String)> = Chan::new(2);
            {
                let (ping, pong, out, a, b) = (ping.clone(), pong.clone(), out.clone(), a.clone(), b.clone());
                go(async move {
                    assert!(rendezvous(&a, &b));
                    let me = std::thread::current().name().unwrap().to_string();
                    let mut n = 0;
                    for i in 0..20_000 {
                        ping.send(i).await.unwrap();
                        n += pong.recv().await.unwrap() - i;
                    }
                    ping.close();
                    out.send((n, me)).await.unwrap();
                });
            }
            let o = out.clone();
            go(async move {
                assert!(rendezvous(&b, &a));
                let me = std::thread::current().name().unwrap().to_string();
                let mut n = 0;
                while let Some(v) = ping.recv().await {
                    pong.send(v + 1).await.unwrap();
                    n += 1;
                }
                o.send((n, me)).await.unwrap();
            });
            let (x, tx) = out.recv().await.unwrap();
            let (y, ty) = out.recv().await.unwrap();
            ((x, y), (tx, ty))
        })
        .unwrap();
    assert_eq!(rounds, (20_000, 20_000));
    assert_ne!(threads.0, threads.1);
    assert!(threads.0.starts_with("golang-mt-") && threads.1.starts_with("golang-mt-"), "{threads:?}");
}

#[test]
fn ping_pong_between_main_and_a_worker_goroutine() {
    let rt = MultiRuntime::new(3);
    let n = rt
        .block_on(async {
            let (ping, pong): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(0));
            let (p, q) = (ping.clone(), pong.clone());
            go(async move {
                while let Some(v) = p.recv().await {
                    q.send(v * 2).await.unwrap();
                }
            });
            let mut n = 0;
            for i in 0..20_000 {
                ping.send(i).await.unwrap();
                n += pong.recv().await.unwrap() / 2 - i + 1;
            }
            n
        })
        .unwrap();
    assert_eq!(n, 20_000);
}

#[test]
fn sleeps_and_timers_wake_goroutines_on_the_real_clock() {
    let rt = MultiRuntime::new(2);
    let t0 = Instant::now();
    let order = rt
        .block_on(async {
            let done: Chan<u64> = Chan::new(0);
            for ms in [30u64, 10, 20] {
                let d = done.clone();
                go(async move {
                    let t = Instant::now();
                    sleep(Duration::from_millis(ms)).await;
                    assert!(t.elapsed() >= Duration::from_millis(ms));
                    d.send(ms).await.unwrap();
                });
            }
            let fired: Chan<()> = Chan::new(1);
            let f = fired.clone();
            let _t = golang::time::after_func(Duration::from_millis(5), move || {
                let _ = f.try_send(());
            });
            fired.recv().await.unwrap();
            golang::time::after(Duration::from_millis(1)).recv().await.unwrap();
            let mut got = Vec::new();
            for _ in 0..3 {
                got.push(done.recv().await.unwrap());
            }
            got.sort();
            got
        })
        .unwrap();
    assert_eq!(order, vec![10, 20, 30]);
    assert!(t0.elapsed() >= Duration::from_millis(30));
    assert!(t0.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_panicking_goroutine_ends_the_run_with_its_name_and_message() {
    let rt = MultiRuntime::new(2);
    let err = rt
        .block_on(async {
            go_named("boom", async { panic!("bad value {}", 7) });
            Chan::<()>::new(0).recv().await; // blocks until the run ends
        })
        .unwrap_err();
    match err {
        RunError::Panic { name, message, goroutine, .. } => {
            assert_eq!(name, "boom");
            assert_eq!(message, "bad value 7");
            assert!(goroutine > 1);
        }
        e => panic!("{e}"),
    }
    // The runtime is still usable afterwards.
    assert_eq!(rt.block_on(async { 5 }).unwrap(), 5);
}

#[test]
fn a_panicking_main_is_reported_too() {
    let rt = MultiRuntime::new(1);
    let err = rt.block_on(async { panic!("main says no") }).unwrap_err();
    assert!(matches!(err, RunError::Panic { goroutine: 1, ref message, .. } if message == "main says no"), "{err}");
}

#[test]
fn spawn_from_a_foreign_os_thread_via_the_handle_runs_on_a_worker() {
    let rt = MultiRuntime::new(2);
    let h = rt.handle();
    let got = rt
        .block_on(async move {
            let ch: Chan<(u64, bool)> = Chan::new(0);
            let c = ch.clone();
            std::thread::spawn(move || {
                h.spawn(async move { c.send((42, on_worker())).await.unwrap() });
            })
            .join()
            .unwrap();
            ch.recv().await.unwrap()
        })
        .unwrap();
    assert_eq!(got, (42, true));
}

#[test]
fn go_inside_a_goroutine_spawns_onto_the_multi_runtime() {
    let rt = MultiRuntime::new(2);
    let got = rt
        .block_on(async {
            assert!(in_executor());
            assert_eq!(current_goroutine(), 1);
            let ch: Chan<(bool, bool, bool)> = Chan::new(0);
            let c = ch.clone();
            go(async move {
                let c2 = c.clone();
                go(async move {
                    let h = handle();
                    c2.send((on_worker(), in_executor(), h.clock() == golang::ClockKind::Real)).await.unwrap();
                });
                assert!(current_goroutine() > 1);
            });
            ch.recv().await.unwrap()
        })
        .unwrap();
    assert_eq!(got, (true, true, true));
}

#[test]
fn goroutines_left_when_main_returns_are_dropped_and_the_runtime_is_reusable() {
    struct Guard(Arc<AtomicUsize>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    let rt = MultiRuntime::new(2);
    for round in 1..=3 {
        let d = dropped.clone();
        rt.block_on(async move {
            let started: Chan<()> = Chan::new(0);
            for _ in 0..10 {
                let (g, s) = (Guard(d.clone()), started.clone());
                go(async move {
                    let _g = g;
                    s.send(()).await.unwrap();
                    Chan::<()>::new(0).recv().await; // forever
                });
            }
            for _ in 0..10 {
                started.recv().await.unwrap();
            }
        })
        .unwrap();
        assert_eq!(dropped.load(Ordering::SeqCst), 10 * round);
    }
    drop(rt); // joins the workers and the timer thread
}

#[test]
fn no_lost_wakeups_under_select_stress() {
    let rt = MultiRuntime::new(2);
    for _ in 0..20 {
        let total = rt
            .block_on(async {
                let (a, b): (Chan<u64>, Chan<u64>) = (Chan::new(0), Chan::new(1));
                let quit: Chan<()> = Chan::new(0);
                for p in 0..4u64 {
                    let (a, b) = (a.clone(), b.clone());
                    go(async move {
                        for i in 0..500 {
                            if (i + p) % 2 == 0 { a.send(1).await.unwrap() } else { b.send(1).await.unwrap() }
                        }
                    });
                }
                let res: Chan<u64> = Chan::new(0);
                let (r, q) = (res.clone(), quit.clone());
                go(async move {
                    let mut n = 0;
                    while n < 2000 {
                        let mut sel = Select::new();
                        sel.recv(&a);
                        sel.recv(&b);
                        sel.recv(&q); // never ready
                        let i = sel.wait().await.unwrap();
                        assert!(i < 2);
                        n += sel.take_recv::<u64>(i).unwrap().unwrap();
                    }
                    r.send(n).await.unwrap();
                });
                res.recv().await.unwrap()
            })
            .unwrap();
        assert_eq!(total, 2000);
    }
}
