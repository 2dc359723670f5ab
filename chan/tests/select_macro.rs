//! `select!` conformance: every arm kind, nil channels, close, default, the
//! uniform and seed-reproducible choice among ready arms, and what happens
//! to a send arm's value that is not sent.

use golang_chan::{select, Chan, DEFAULT};
use golang_sched::{go, RunError, Runtime};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn run<T>(seed: u64, f: impl std::future::Future<Output = T>) -> T {
    Runtime::deterministic(seed).block_on(f).unwrap()
}

#[test]
fn a_recv_arm_binds_some_value_and_none_once_closed_and_drained() {
    run(1, async {
        let c: Chan<i32> = Chan::new(1);
        c.try_send(5).unwrap();
        let got = select! { v = c.recv() => v };
        assert_eq!(got, Some(5));
        c.close();
        let got = select! { v = c.recv() => v };
        assert_eq!(got, None);
    });
}

#[test]
fn a_recv_ok_arm_binds_value_and_true_then_zero_and_false() {
    run(1, async {
        let c: Chan<String> = Chan::new(1);
        c.try_send("x".to_string()).unwrap();
        let got = select! { (v, ok) = c.recv_() => (v, ok) };
        assert_eq!(got, ("x".to_string(), true));
        c.close();
        let got = select! { (v, ok) = c.recv_() => (v, ok) };
        assert_eq!(got, (String::new(), false));
    });
}

#[test]
fn a_send_arm_sends_its_value_to_a_waiting_receiver() {
    let got = run(3, async {
        let c: Chan<u32> = Chan::new(0);
        let out: Chan<Option<u32>> = Chan::new(1);
        let (c2, o) = (c.clone(), out.clone());
        go(async move { o.send(c2.recv().await).await.unwrap() });
        let which = select! { c.send(42) => "sent" };
        (which, out.recv().await.unwrap())
    });
    assert_eq!(got, ("sent", Some(42)));
}

#[test]
fn default_is_taken_only_when_no_arm_is_ready() {
    run(5, async {
        let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(0));
        // Nothing ready: default, every time.
        for _ in 0..100 {
            let k = select! { _v = a.recv() => 0, b.send(1) => 1, default => DEFAULT };
            assert_eq!(k, DEFAULT);
        }
        // One arm ready: never default.
        for i in 0..100 {
            a.try_send(i).unwrap();
            let k = select! { v = a.recv() => v, b.send(1) => None, default => Some(255) };
            assert_eq!(k, Some(i));
        }
        // A send arm with room in the buffer is ready too.
        let c: Chan<u8> = Chan::new(1);
        let k = select! { c.send(9) => "sent", default => "default" };
        assert_eq!((k, c.try_recv()), ("sent", Ok(9)));
    });
}

#[test]
fn nil_channels_are_never_ready() {
    for seed in 0..20 {
        run(seed, async {
            let (nr, ns): (Chan<u8>, Chan<u8>) = (Chan::nil(), Chan::nil());
            let k = select! { _v = nr.recv() => 0, ns.send(1) => 1, default => 2 };
            assert_eq!(k, 2);
            let ready: Chan<u8> = Chan::new(1);
            ready.try_send(7).unwrap();
            let k = select! { _v = nr.recv() => 0, ns.send(1) => 1, v = ready.recv() => v.unwrap() as i32 };
            assert_eq!(k, 7);
        });
    }
}

#[test]
fn a_select_on_nil_channels_only_blocks_forever() {
    let err = Runtime::deterministic(1)
        .block_on(async {
            let n: Chan<u8> = Chan::nil();
            select! { _v = n.recv() => {} }
        })
        .unwrap_err();
    assert!(matches!(err, RunError::Deadlock { ref goroutines, .. } if goroutines[0].2 == "select (no cases)"), "{err}");
    let err = Runtime::deterministic(1).block_on(async { select! {} }).unwrap_err();
    assert!(matches!(err, RunError::Deadlock { .. }), "{err}");
}

#[test]
fn close_wakes_a_blocked_recv_arm_with_none() {
    let got = run(7, async {
        let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(0), Chan::new(0));
        let a2 = a.clone();
        go(async move {
            golang_sched::sleep(std::time::Duration::from_secs(1)).await;
            a2.close();
        });
        select! { v = a.recv() => ("a", v), v = b.recv() => ("b", v) }
    });
    assert_eq!(got, ("a", None));
}

#[test]
fn close_wakes_a_blocked_send_arm_with_go_s_panic() {
    let err = Runtime::deterministic(7)
        .block_on(async {
            let a: Chan<u8> = Chan::new(0);
            let a2 = a.clone();
            go(async move {
                golang_sched::sleep(std::time::Duration::from_secs(1)).await;
                a2.close();
            });
            select! { a.send(1) => {} }
        })
        .unwrap_err();
    assert!(matches!(err, RunError::Panic { ref message, .. } if message == "send on closed channel"), "{err}");
}

#[test]
fn a_blocked_select_commits_the_arm_a_counterparty_completes() {
    let got = run(11, async {
        let (a, b): (Chan<u8>, Chan<&str>) = (Chan::new(0), Chan::new(0));
        let b2 = b.clone();
        go(async move { b2.send("hi").await.unwrap() });
        select! { v = a.recv() => format!("a {v:?}"), (v, ok) = b.recv_() => format!("b {v} {ok}") }
    });
    assert_eq!(got, "b hi true");
}

// Three ready arms, refilled after each select: the arm taken is uniform.
fn choices(seed: u64, n: usize) -> Vec<usize> {
    run(seed, async move {
        let cs: Vec<Chan<u8>> = (0..3).map(|_| Chan::new(1)).collect();
        let mut out = Vec::with_capacity(n);
        for c in &cs {
            c.try_send(0).unwrap();
        }
        for _ in 0..n {
            let k = select! {
                _v = cs[0].recv() => 0,
                _v = cs[1].recv() => 1,
                _v = cs[2].recv() => 2,
                default => unreachable!("three arms are ready"),
            };
            cs[k].try_send(0).unwrap();
            out.push(k);
        }
        out
    })
}

#[test]
fn the_choice_among_ready_arms_is_uniform() {
    let n = 30_000;
    let mut count = [0usize; 3];
    for k in choices(12345, n) {
        count[k] += 1;
    }
    // Expected n/3 = 10,000 each, standard deviation ~82: a bound of 600 is
    // more than 7 standard deviations.
    for c in count {
        assert!(c.abs_diff(n / 3) < 600, "{count:?}");
    }
}

#[test]
fn the_same_seed_makes_the_same_choices() {
    assert_eq!(choices(42, 300), choices(42, 300));
    assert_ne!(choices(42, 300), choices(43, 300));
}

#[test]
fn a_send_and_a_recv_arm_that_are_both_ready_are_both_taken() {
    let mut seen = [false; 2];
    for seed in 0..40 {
        let k = run(seed, async {
            let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(1));
            a.try_send(1).unwrap();
            select! { _v = a.recv() => 0, b.send(2) => 1 }
        });
        seen[k] = true;
    }
    assert_eq!(seen, [true, true]);
}

/// Counts its drops.
struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn an_unsent_value_is_dropped_once_before_the_chosen_body_runs() {
    run(1, async {
        let drops = Arc::new(AtomicUsize::new(0));
        let full: Chan<Tracked> = Chan::new(0); // nobody receives: never ready
        let ready: Chan<u8> = Chan::new(1);
        ready.try_send(1).unwrap();
        let seen = select! {
            full.send(Tracked(drops.clone())) => unreachable!(),
            _v = ready.recv() => drops.load(Ordering::SeqCst),
        };
        assert_eq!(seen, 1, "dropped before the body");
        assert_eq!(drops.load(Ordering::SeqCst), 1, "and only once");
        // The same with default.
        let seen = select! {
            full.send(Tracked(drops.clone())) => unreachable!(),
            default => drops.load(Ordering::SeqCst),
        };
        assert_eq!((seen, drops.load(Ordering::SeqCst)), (2, 2));
    });
}

#[test]
fn a_sent_value_is_received_and_not_dropped_by_the_select() {
    run(2, async {
        let drops = Arc::new(AtomicUsize::new(0));
        let c: Chan<Tracked> = Chan::new(1);
        select! { c.send(Tracked(drops.clone())) => {}, default => unreachable!() }
        assert_eq!(drops.load(Ordering::SeqCst), 0);
        let Ok(v) = c.try_recv() else { panic!("the value is in the channel") };
        drop(v);
        assert_eq!(drops.load(Ordering::SeqCst), 1);
    });
}

#[test]
fn a_select_dropped_while_waiting_drops_its_unsent_value_once() {
    run(3, async {
        let drops = Arc::new(AtomicUsize::new(0));
        let c: Chan<Tracked> = Chan::new(0);
        let d = drops.clone();
        let c2 = c.clone();
        let mut fut = Box::pin(async move {
            select! { c2.send(Tracked(d)) => {} }
        });
        assert!(futures_lite::future::poll_once(fut.as_mut()).await.is_none(), "nobody receives: it waits");
        assert_eq!((c.waiting_senders(), drops.load(Ordering::SeqCst)), (1, 0));
        drop(fut);
        assert_eq!((c.waiting_senders(), drops.load(Ordering::SeqCst)), (0, 1));
        assert!(c.try_recv().is_err(), "nothing was sent");
    });
}

#[test]
fn a_send_on_a_closed_channel_panics_and_drops_the_value_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let d = drops.clone();
    let err = Runtime::deterministic(4)
        .block_on(async move {
            let c: Chan<Tracked> = Chan::new(1);
            c.close();
            select! { c.send(Tracked(d)) => {}, default => {} }
        })
        .unwrap_err();
    assert!(matches!(err, RunError::Panic { ref message, .. } if message == "send on closed channel"), "{err}");
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn operands_are_evaluated_once_in_source_order() {
    run(1, async {
        let log = std::cell::RefCell::new(Vec::new());
        let (a, b): (Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(1));
        let pick = |name: &'static str, c: &Chan<u8>| {
            log.borrow_mut().push(name);
            c.clone()
        };
        let val = |v: u8| {
            log.borrow_mut().push("value");
            v
        };
        select! {
            _v = pick("a", &a).recv() => {},
            pick("b", &b).send(val(3)) => {},
        }
        assert_eq!(*log.borrow(), vec!["a", "b", "value"]);
    });
}

#[test]
fn bodies_can_break_continue_and_return_from_the_code_around() {
    fn sum(c: &Chan<u32>) -> u32 {
        run(1, async {
            let mut total = 0;
            loop {
                select! {
                    v = c.recv() => match v {
                        Some(0) => continue,
                        Some(v) => total += v,
                        None => break,
                    },
                }
            }
            total
        })
    }
    let c: Chan<u32> = Chan::new(8);
    for v in [1, 0, 2, 3] {
        c.try_send(v).unwrap();
    }
    c.close();
    assert_eq!(sum(&c), 6);
    #[allow(clippy::needless_return)] // the point: `return` in a body returns from here
    async fn first(c: &Chan<u8>) -> Result<u8, &'static str> {
        select! {
            v = c.recv() => return v.ok_or("closed"),
            default => Err("empty")?,
        }
    }
    run(1, async {
        let c: Chan<u8> = Chan::new(1);
        assert_eq!(first(&c).await, Err("empty"));
        c.try_send(4).unwrap();
        assert_eq!(first(&c).await, Ok(4));
        c.close();
        assert_eq!(first(&c).await, Err("closed"));
    });
}

#[test]
fn a_loop_around_a_select_with_default_lets_other_goroutines_run() {
    // Without the cooperative budget, the spinning main would starve the
    // goroutine that sends on the single-threaded executor.
    let got = run(9, async {
        let c: Chan<u8> = Chan::new(0);
        let c2 = c.clone();
        go(async move { c2.send(8).await.unwrap() });
        loop {
            select! {
                v = c.recv() => break v,
                default => {}
            }
        }
    });
    assert_eq!(got, Some(8));
}

#[test]
fn a_goroutine_running_select_is_send() {
    // go() needs Send futures: the cases held across the await must be Send.
    let got = run(1, async {
        let (a, out): (Chan<u8>, Chan<u8>) = (Chan::new(1), Chan::new(1));
        let (a2, o) = (a.clone(), out.clone());
        go(async move {
            select! { v = a2.recv() => o.send(v.unwrap() + 1).await.unwrap() }
        });
        a.send(1).await.unwrap();
        out.recv().await
    });
    assert_eq!(got, Some(2));
}

#[test]
fn arms_of_different_element_types_mix_in_one_select() {
    run(1, async {
        let (a, b, c): (Chan<u8>, Chan<String>, Chan<Vec<u8>>) = (Chan::new(1), Chan::new(1), Chan::new(1));
        b.try_send("s".into()).unwrap();
        let k = select! {
            _v = a.recv() => 0,
            v = b.recv() => { assert_eq!(v.as_deref(), Some("s")); 1 }
            c.send(vec![1]) => 2,
        };
        assert!(k == 1 || k == 2);
    });
}
