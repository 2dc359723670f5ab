//! `#[golang::test]`: the body runs on the deterministic executor once per
//! seed, and a failing seed fails the test naming the seed (or, under
//! GOLANG_EXPLORE, the failing strategy and its saved schedule).

use golang::sched::testing::env_seed;
use golang::{go, make};
use std::cell::Cell;

thread_local! {
    /// Runs of `counted` on this thread (check_seeds runs the body on the
    /// calling thread).
    static RUNS: Cell<u64> = const { Cell::new(0) };
}

#[golang::test(seeds = 7)]
async fn counted() {
    RUNS.with(|r| r.set(r.get() + 1));
}

#[test]
fn the_body_runs_once_per_seed() {
    if env_seed().is_some() || std::env::var_os("GOLANG_EXPLORE").is_some() || std::env::var_os("GOLANG_REPLAY").is_some() {
        return; // (then one seed, or an exploration, runs instead)
    }
    let before = RUNS.with(|r| r.get());
    counted();
    assert_eq!(RUNS.with(|r| r.get()) - before, 7);
}

#[golang::test]
async fn a_goroutine_hands_a_value_over_a_channel() {
    let c = make::<u32>(0);
    let tx = c.clone();
    go(async move { tx.send(7).await.unwrap() });
    assert_eq!(c.recv().await, Some(7));
}

#[golang::test(seeds = 50)]
#[should_panic(expected = "failed with")] // (a seed, or a strategy under GOLANG_EXPLORE)
async fn a_race_fails_for_some_seed_and_names_it() {
    // Two goroutines race to send first; some seed lets the second win.
    let c = make::<u32>(2);
    for v in [1, 2] {
        let c = c.clone();
        go(async move { c.send(v).await.unwrap() });
    }
    assert_eq!(c.recv().await, Some(1), "the second goroutine sent first");
}
