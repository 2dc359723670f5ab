//! Deadlines (on the virtual clock), values by identity, and merge.

use golang_context::{background, merge, with_cancel, with_deadline, with_timeout, with_value, ContextError, Key};
use golang_sched::{sleep, Runtime};
use golang_time::now;
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn a_timeout_cancels_with_deadline_exceeded_exactly_on_time() {
    run(async {
        let t0 = now();
        let (ctx, _cancel) = with_timeout(&background(), Duration::from_millis(1500));
        assert_eq!(ctx.deadline(), Some(t0 + 1.5));
        sleep(Duration::from_millis(1499)).await;
        assert_eq!(ctx.err(), None);
        ctx.done().recv().await;
        assert_eq!(now() - t0, 1.5);
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn with_deadline_fires_at_the_given_unix_time() {
    run(async {
        let d = now() + 30.0;
        let (ctx, _cancel) = with_deadline(&background(), d);
        assert_eq!(ctx.deadline(), Some(d));
        ctx.done().recv().await;
        assert!((now() - d).abs() < 1e-6, "fired at {} instead of {d}", now());
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn a_passed_deadline_cancels_at_once_with_deadline_exceeded() {
    run(async {
        let (ctx, _) = with_deadline(&background(), now() - 1.0);
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
        assert!(ctx.done().is_closed());
        let (z, _) = with_timeout(&background(), Duration::ZERO);
        assert_eq!(z.err(), Some(ContextError::DeadlineExceeded));
        let (n, _) = with_deadline(&background(), f64::NAN);
        assert_eq!(n.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn the_deadline_is_the_earliest_of_its_own_and_its_parents() {
    run(async {
        let t0 = now();
        let (p, _pc) = with_timeout(&background(), Duration::from_secs(10));
        let (later, _lc) = with_timeout(&p, Duration::from_secs(20));
        assert_eq!(later.deadline(), Some(t0 + 10.0));
        let (earlier, _ec) = with_timeout(&p, Duration::from_secs(5));
        assert_eq!(earlier.deadline(), Some(t0 + 5.0));
        let (c, _cc) = with_cancel(&p);
        assert_eq!(c.deadline(), Some(t0 + 10.0));
        earlier.done().recv().await;
        assert_eq!(now() - t0, 5.0);
        assert_eq!(p.err(), None);
        later.done().recv().await;
        assert_eq!(now() - t0, 10.0);
        assert_eq!(later.err(), Some(ContextError::DeadlineExceeded));
        assert_eq!(c.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn cancel_before_the_deadline_wins_and_stops_the_timer() {
    run(async {
        let (ctx, cancel) = with_timeout(&background(), Duration::from_secs(1));
        cancel.cancel();
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
        sleep(Duration::from_secs(5)).await;
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
    });
}

#[test]
fn deadline_contexts_made_by_threads_use_the_real_clock() {
    let t0 = std::time::Instant::now();
    let (ctx, _c) = with_timeout(&background(), Duration::from_millis(20));
    assert!(ctx.deadline().unwrap() > now());
    assert_eq!(ctx.done().recv_blocking(), None);
    assert!(t0.elapsed() >= Duration::from_millis(19));
    assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
}

#[test]
fn values_are_found_by_key_identity_through_the_tree() {
    let k1: Key<&str> = Key::new();
    let k2: Key<&str> = Key::new();
    let k3: Key<Vec<u8>> = Key::new();
    let a = with_value(&background(), &k1, "a");
    let (c, cancel) = with_cancel(&a);
    let b = with_value(&c, &k2, "b");
    assert_eq!(b.value(&k1), Some(&"a"));
    assert_eq!(b.value(&k2), Some(&"b"));
    assert_eq!(a.value(&k2), None);
    assert_eq!(b.value(&k3), None);
    let k1copy = k1;
    assert_eq!(b.value(&k1copy), Some(&"a"), "a copy of a key is the same key");
    let shadow = with_value(&b, &k1, "A");
    assert_eq!(shadow.value(&k1), Some(&"A"));
    assert_eq!(b.value(&k1), Some(&"a"));
    assert_eq!(background().value(&k1), None);
    // a value context shares its parent's done, err and deadline
    assert_eq!(b.done(), c.done());
    assert_eq!(with_value(&background(), &k1, "x").done(), background().done());
    cancel.cancel();
    assert_eq!(b.err(), Some(ContextError::Canceled));
    assert_eq!(b.value(&k2), Some(&"b"), "values outlive cancellation");
}

#[test]
fn merge_is_done_when_either_parent_is_done_with_its_error() {
    run(async {
        let t0 = now();
        let (p1, c1) = with_cancel(&background());
        let (p2, _c2) = with_timeout(&background(), Duration::from_secs(3));
        let (m, _mc) = merge(&p1, &p2);
        assert_eq!(m.deadline(), Some(t0 + 3.0));
        m.done().recv().await;
        assert_eq!(now() - t0, 3.0);
        assert_eq!(m.err(), Some(ContextError::DeadlineExceeded));
        assert_eq!(p1.err(), None);

        let (m2, _) = merge(&p1, &background());
        c1.cancel();
        assert_eq!(m2.err(), Some(ContextError::Canceled));
    });
}

#[test]
fn merge_cancel_cancels_only_the_merge_and_leaves_both_parents() {
    let (p1, _c1) = with_cancel(&background());
    let (p2, _c2) = with_cancel(&background());
    let (m, mc) = merge(&p1, &p2);
    let (child, _) = with_cancel(&m);
    assert_eq!((p1.children_count(), p2.children_count()), (1, 1));
    mc.cancel();
    assert_eq!(m.err(), Some(ContextError::Canceled));
    assert_eq!(child.err(), Some(ContextError::Canceled));
    assert_eq!((p1.err(), p2.err()), (None, None));
    assert_eq!((p1.children_count(), p2.children_count()), (0, 0));
}

#[test]
fn a_merge_cancelled_by_one_parent_leaves_the_other() {
    let (p1, c1) = with_cancel(&background());
    let (p2, _c2) = with_cancel(&background());
    let (m, _) = merge(&p1, &p2);
    c1.cancel();
    assert_eq!(m.err(), Some(ContextError::Canceled));
    assert_eq!(p2.children_count(), 0, "the merge must unlink from its other parent");
    // both parents sharing one cancellable source register once
    let k = Key::new();
    let (p, _) = with_cancel(&background());
    let (m2, m2c) = merge(&p, &with_value(&p, &k, 1));
    assert_eq!(p.children_count(), 1);
    assert_eq!(m2.value(&k), Some(&1));
    m2c.cancel();
    assert_eq!(p.children_count(), 0);
}

#[test]
fn merge_values_come_from_the_first_parent_then_the_second() {
    let k: Key<u32> = Key::new();
    let only2: Key<u32> = Key::new();
    let a = with_value(&background(), &k, 1);
    let b = with_value(&with_value(&background(), &k, 2), &only2, 22);
    let (m, _) = merge(&a, &b);
    assert_eq!(m.value(&k), Some(&1));
    assert_eq!(m.value(&only2), Some(&22));
    let (m_rev, _) = merge(&b, &a);
    assert_eq!(m_rev.value(&k), Some(&2));
}

#[test]
fn merge_deadline_is_the_earliest_and_none_without_deadlines() {
    run(async {
        let t0 = now();
        let (a, _) = with_timeout(&background(), Duration::from_secs(7));
        let (b, _) = with_timeout(&background(), Duration::from_secs(4));
        assert_eq!(merge(&a, &b).0.deadline(), Some(t0 + 4.0));
        assert_eq!(merge(&b, &a).0.deadline(), Some(t0 + 4.0));
        assert_eq!(merge(&a, &background()).0.deadline(), Some(t0 + 7.0));
        assert_eq!(merge(&background(), &background()).0.deadline(), None);
    });
}

#[test]
fn value_where_looks_past_values_of_the_same_key_that_do_not_match() {
    let k: Key<(u32, &'static str)> = Key::new();
    let bg = background();
    let a = with_value(&bg, &k, (1, "one"));
    let b = with_value(&a, &k, (2, "two"));
    let (c, cancel) = with_cancel(&b);
    assert_eq!(c.value(&k), Some(&(2, "two"))); // the nearest
    assert_eq!(c.value_where(&k, |v| v.0 == 1), Some(&(1, "one")));
    assert_eq!(c.value_where(&k, |v| v.0 == 3), None);
    // a merge: the first parent's side, then the second's
    let other = with_value(&bg, &k, (3, "three"));
    let (m, mcancel) = merge(&c, &other);
    assert_eq!(m.value_where(&k, |v| v.0 == 3), Some(&(3, "three")));
    assert_eq!(m.value_where(&k, |v| v.0 == 1), Some(&(1, "one")));
    cancel.cancel();
    mcancel.cancel();
}

#[test]
fn ids_name_nodes_and_children_ids_are_the_live_registered_children() {
    let bg = background();
    assert_eq!(bg.id(), 0);
    let (p, pcancel) = with_cancel(&bg);
    assert_eq!(p.id(), p.clone().id());
    let (c1, cancel1) = with_cancel(&p);
    let (c2, _cancel2) = with_cancel(&p);
    let v = with_value(&p, &Key::<u8>::new(), 1);
    assert_ne!(v.id(), p.id()); // a value context is a node of its own
    let mut kids = p.children_ids();
    kids.sort();
    let mut want = vec![c1.id(), c2.id()];
    want.sort();
    assert_eq!(kids, want);
    cancel1.cancel(); // unregistered at once
    assert_eq!(p.children_ids(), vec![c2.id()]);
    assert_eq!(v.children_ids(), vec![c2.id()]); // (its cancellable source's)
    pcancel.cancel();
    assert!(p.children_ids().is_empty());
}
