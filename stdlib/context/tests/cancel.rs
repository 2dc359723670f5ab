//! Cancellation rules: done/err, propagation to children, removal of
//! cancelled children from their parents, threads and goroutines together.

use golang_chan::Chan;
use golang_context::{background, merge, with_cancel, with_timeout, with_value, Context, ContextError, Key};
use golang_sched::testing::check_seeds;
use golang_sched::{go, yield_now, Runtime};
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn background_is_never_cancelled_has_no_deadline_and_a_nil_done() {
    let bg = background();
    assert!(bg.is_background());
    assert!(bg.done().is_nil());
    assert_eq!(bg.err(), None);
    assert_eq!(bg.deadline(), None);
    assert_eq!(bg.children_count(), 0);
    assert!(Context::default().is_background());
}

#[test]
fn errors_display_go_messages() {
    assert_eq!(ContextError::Canceled.to_string(), "context canceled");
    assert_eq!(ContextError::DeadlineExceeded.to_string(), "deadline exceeded");
}

#[test]
fn done_is_the_same_channel_every_call_and_is_closed_by_cancel() {
    let (ctx, cancel) = with_cancel(&background());
    let d1 = ctx.done();
    assert_eq!(d1, ctx.done());
    assert!(!d1.is_nil() && !d1.is_closed());
    assert_eq!(ctx.err(), None);
    cancel.cancel();
    assert!(d1.is_closed());
    assert_eq!(d1, ctx.done());
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
}

#[test]
fn done_asked_for_after_cancel_is_closed_and_stays_the_same() {
    let (ctx, cancel) = with_cancel(&background());
    cancel.cancel();
    let d = ctx.done();
    assert!(d.is_closed());
    assert_eq!(d.try_recv(), Err(golang_chan::TryRecvError::Closed));
    assert_eq!(d, ctx.done());
}

#[test]
fn cancel_may_be_called_many_times_and_from_clones() {
    let (ctx, cancel) = with_cancel(&background());
    let c2 = cancel.clone();
    cancel.cancel();
    cancel.cancel();
    c2.cancel();
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
}

#[test]
fn a_child_is_cancelled_with_its_parent_and_not_the_other_way_round() {
    let (p, pcancel) = with_cancel(&background());
    let (c1, c1cancel) = with_cancel(&p);
    let (c2, _c2cancel) = with_cancel(&p);
    let (gc, _gccancel) = with_cancel(&c2);
    c1cancel.cancel();
    assert_eq!(c1.err(), Some(ContextError::Canceled));
    assert_eq!(p.err(), None, "a child's cancel must not reach its parent");
    assert_eq!(c2.err(), None);
    let gcdone = gc.done();
    pcancel.cancel();
    assert_eq!(c2.err(), Some(ContextError::Canceled));
    assert_eq!(gc.err(), Some(ContextError::Canceled));
    assert!(gcdone.is_closed());
}

#[test]
fn a_child_gets_its_parents_error() {
    run(async {
        let (p, _pc) = with_timeout(&background(), Duration::from_secs(1));
        let (c, _cc) = with_cancel(&p);
        c.done().recv().await;
        assert_eq!(c.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn a_child_of_a_cancelled_parent_is_cancelled_at_once() {
    let (p, pc) = with_cancel(&background());
    pc.cancel();
    let (c, _) = with_cancel(&p);
    assert_eq!(c.err(), Some(ContextError::Canceled));
    assert!(c.done().is_closed());
    let (t, _) = with_timeout(&p, Duration::from_secs(100));
    assert_eq!(t.err(), Some(ContextError::Canceled));
    let (m, _) = merge(&background(), &p);
    assert_eq!(m.err(), Some(ContextError::Canceled));
    let k = Key::new();
    let v = with_value(&p, &k, 1);
    assert_eq!(v.err(), Some(ContextError::Canceled));
    let (vc, _) = with_cancel(&v);
    assert_eq!(vc.err(), Some(ContextError::Canceled));
    assert_eq!(p.children_count(), 0);
}

#[test]
fn a_cancelled_child_is_removed_from_its_parent() {
    let (p, _pc) = with_cancel(&background());
    let (_c1, cc1) = with_cancel(&p);
    let (_c2, cc2) = with_cancel(&p);
    assert_eq!(p.children_count(), 2);
    cc1.cancel();
    assert_eq!(p.children_count(), 1);
    cc2.cancel();
    assert_eq!(p.children_count(), 0);
}

#[test]
fn many_short_lived_children_leave_the_parent_with_no_children() {
    run(async {
        let (p, pc) = with_cancel(&background());
        let k = Key::new();
        let pv = with_value(&p, &k, "v");
        for i in 0..10_000u32 {
            let (c, cancel) = match i % 4 {
                0 => with_cancel(&p),
                1 => with_cancel(&pv), // registers with p through the value context
                2 => with_timeout(&p, Duration::from_secs(3600)),
                _ => merge(&p, &pv),
            };
            let (gc, _) = with_cancel(&c); // removed when its parent is cancelled
            cancel.cancel();
            assert_eq!(gc.err(), Some(ContextError::Canceled));
        }
        assert_eq!(p.children_count(), 0);
        assert_eq!(pv.children_count(), 0);
        pc.cancel();
    });
}

#[test]
fn cancelling_a_parent_forgets_its_children() {
    let (p, pc) = with_cancel(&background());
    let kids: Vec<_> = (0..100).map(|_| with_cancel(&p)).collect();
    assert_eq!(p.children_count(), 100);
    pc.cancel();
    assert_eq!(p.children_count(), 0);
    assert!(kids.iter().all(|(c, _)| c.err() == Some(ContextError::Canceled)));
}

#[test]
fn err_is_set_before_done_is_closed() {
    check_seeds(50, || async {
        let (ctx, cancel) = with_cancel(&background());
        let seen: Chan<Option<ContextError>> = Chan::new(3);
        for _ in 0..3 {
            let (ctx, seen) = (ctx.clone(), seen.clone());
            go(async move {
                ctx.done().recv().await;
                seen.send(ctx.err()).await.unwrap();
            });
        }
        yield_now().await;
        cancel.cancel();
        for _ in 0..3 {
            assert_eq!(seen.recv().await.unwrap(), Some(ContextError::Canceled));
        }
    });
}

#[test]
fn a_goroutine_cancels_a_context_that_a_thread_waits_on() {
    let (ctx, cancel) = with_cancel(&background());
    let (child, _cc) = with_cancel(&ctx);
    let t = std::thread::spawn(move || {
        assert_eq!(child.done().recv_blocking(), None);
        child.err()
    });
    Runtime::real()
        .block_on(async move {
            go(async move {
                golang_sched::sleep(Duration::from_millis(10)).await;
                cancel.cancel()
            });
            ctx.done().recv().await;
        })
        .unwrap();
    assert_eq!(t.join().unwrap(), Some(ContextError::Canceled));
}

#[test]
fn concurrent_children_and_a_concurrent_parent_cancel_leave_no_live_child() {
    for _ in 0..20 {
        let (p, pc) = with_cancel(&background());
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let p = p.clone();
                std::thread::spawn(move || {
                    let mut kept = Vec::new();
                    for i in 0..500 {
                        let (c, cancel) = with_cancel(&p);
                        if i % 2 == 0 {
                            cancel.cancel();
                        } else {
                            kept.push(c);
                        }
                    }
                    kept
                })
            })
            .collect();
        std::thread::yield_now();
        pc.cancel();
        for t in threads {
            for c in t.join().unwrap() {
                assert_eq!(c.err(), Some(ContextError::Canceled));
                assert!(c.done().is_closed());
            }
        }
        assert_eq!(p.children_count(), 0);
    }
}

#[test]
fn deep_chains_cancel_and_drop_without_recursion() {
    // Run on a small stack: both cancel and drop must be iterative.
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let (root, cancel) = with_cancel(&background());
            let k = Key::new();
            let mut ctx = root.clone();
            for i in 0..50_000u32 {
                ctx = if i % 2 == 0 { with_cancel(&ctx).0 } else { with_value(&ctx, &k, i) };
            }
            assert_eq!(ctx.value(&k), Some(&49_999));
            cancel.cancel();
            assert_eq!(ctx.err(), Some(ContextError::Canceled));
            drop(ctx);
            let mut v = background();
            for i in 0..100_000u32 {
                v = with_value(&v, &k, i);
            }
            drop(v);
        })
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn merges_made_while_their_first_parent_is_cancelled_never_stay_in_the_second() {
    for _ in 0..200 {
        let (p1, c1) = with_cancel(&background());
        let (p2, _c2) = with_cancel(&background());
        let maker = {
            let (p1, p2) = (p1.clone(), p2.clone());
            std::thread::spawn(move || (0..50).map(|_| merge(&p1, &p2).0).collect::<Vec<_>>())
        };
        std::thread::yield_now();
        c1.cancel();
        for m in maker.join().unwrap() {
            assert_eq!(m.err(), Some(ContextError::Canceled));
        }
        assert_eq!(p2.children_count(), 0, "a cancelled merge was left registered in its second parent");
    }
}

/// Counts its drops: a value that shows whether a context tree was freed.
struct Tracked(std::sync::Arc<std::sync::atomic::AtomicUsize>);
impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }
}

#[test]
fn a_dropped_parent_and_its_never_cancelled_child_are_freed() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let freed = std::sync::Arc::new(AtomicUsize::new(0));
    let k = Key::new();
    for i in 0..300 {
        let (p, pc) = with_cancel(&background());
        let pv = with_value(&p, &k, Tracked(freed.clone()));
        let (c, cc) = match i % 3 {
            0 => with_cancel(&pv),
            1 => merge(&pv, &background()),
            _ => merge(&pv, &with_cancel(&background()).0),
        };
        let _ = c.done(); // made and dropped: nobody else holds it
        drop((p, pc, pv, c, cc));
    }
    assert_eq!(freed.load(Ordering::SeqCst), 300);
}

#[test]
fn a_dropped_child_whose_done_is_held_is_still_closed_by_its_parent() {
    let (p, pc) = with_cancel(&background());
    let (c, cc) = with_cancel(&p);
    let d = c.done();
    drop((c, cc));
    assert!(d.try_recv().is_err()); // not closed by being dropped
    assert_eq!(p.children_count(), 1);
    pc.cancel();
    assert!(d.is_closed());
}

#[test]
fn cancel_after_done_was_closed_by_hand_reports_it_and_still_cancels() {
    let (p, _pc) = with_cancel(&background());
    let (c, cc) = with_cancel(&p);
    let (gc, _gcc) = with_cancel(&c);
    c.done().close();
    assert_eq!(cc.try_cancel(), Err(golang_context::DoneClosed));
    assert_eq!(c.err(), Some(ContextError::Canceled));
    assert_eq!(gc.err(), Some(ContextError::Canceled));
    assert_eq!(p.children_count(), 0);
    assert_eq!(cc.try_cancel(), Ok(())); // already cancelled: nothing to close
}
