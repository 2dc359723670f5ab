//! Strategies, schedules as files, replay, exploration, the determinism
//! self-check and the shrinker (sched/src/{strategy,schedule,shrink,testing}.rs).

use golang::sched::testing::{self, check_determinism, explore_runs, run_recorded, shrink_failure};
use golang::sched::{Kind, Schedule, Strategy};
use golang::{go, yield_now, Chan, Runtime, Select};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

type Trace = Arc<Mutex<Vec<String>>>;

/// Goroutines that interleave, a select between two ready channels: the
/// trace shows both scheduling and select choices.
async fn traced(trace: Trace) {
    let a: Chan<u32> = Chan::new(4);
    let b: Chan<u32> = Chan::new(4);
    let done: Chan<()> = Chan::new(0);
    for w in 0..3u32 {
        let (t, a, b, done) = (trace.clone(), a.clone(), b.clone(), done.clone());
        go(async move {
            for k in 0..3 {
                t.lock().unwrap().push(format!("w{w}.{k}"));
                if w % 2 == 0 { a.send(w).await.unwrap() } else { b.send(w).await.unwrap() }
                yield_now().await;
            }
            done.send(()).await.unwrap();
        });
    }
    let mut finished = 0;
    while finished < 3 {
        let mut sel = Select::new();
        let ra = sel.recv(&a);
        let rb = sel.recv(&b);
        let _rd = sel.recv(&done);
        let i = sel.wait().await.unwrap();
        let what = if i == ra { "a" } else if i == rb { "b" } else { finished += 1; "done" };
        trace.lock().unwrap().push(format!("sel {what}"));
    }
}

fn trace_of(strategy: Strategy) -> (Vec<String>, Schedule) {
    let t: Trace = Arc::default();
    let (res, sched) = run_recorded(strategy, traced(t.clone()));
    res.unwrap();
    let v = t.lock().unwrap().clone();
    (v, sched)
}

#[test]
fn random_strategy_gives_the_trace_of_the_seed_as_before() {
    for seed in 0..5 {
        let t: Trace = Arc::default();
        Runtime::deterministic(seed).block_on(traced(t.clone())).unwrap();
        let (got, sched) = trace_of(Strategy::Random { seed });
        assert_eq!(got, *t.lock().unwrap(), "seed {seed}");
        assert!(sched.decisions.iter().any(|d| d.kind == Kind::Run));
        assert!(sched.decisions.iter().any(|d| d.kind == Kind::Rand), "select's choices are decisions too");
    }
}

#[test]
fn record_then_replay_from_the_file_gives_the_same_trace_and_schedule() {
    let dir = std::env::temp_dir().join(format!("golang-sched-test-{}", std::process::id()));
    for strategy in ["random:3", "pct:3:3", "pos:3"] {
        let (trace, sched) = trace_of(strategy.parse().unwrap());
        let path = dir.join(format!("{}.schedule", strategy.replace(':', "-")));
        sched.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with(&format!("golang-schedule 1\nstrategy {strategy}\n")), "{text}");
        let loaded = Schedule::load(&path).unwrap();
        let rt = Runtime::with_strategy(Strategy::Replay { schedule: Arc::new(loaded), lenient: false });
        rt.record();
        let t: Trace = Arc::default();
        rt.block_on(traced(t.clone())).unwrap();
        assert_eq!(rt.divergence(), None, "{strategy}");
        assert_eq!(*t.lock().unwrap(), trace, "{strategy}");
        assert_eq!(rt.take_schedule().unwrap().to_text(), text, "{strategy}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn replay_of_a_changed_program_says_where_it_diverged_and_finishes_with_the_seed() {
    let (_, sched) = trace_of(Strategy::Random { seed: 8 });
    let n = sched.decisions.len();
    // The same program with one more goroutine at the start.
    let rt = Runtime::with_strategy(Strategy::Replay { schedule: Arc::new(sched), lenient: false });
    let t: Trace = Arc::default();
    let t2 = t.clone();
    rt.block_on(async move {
        go(async {});
        yield_now().await;
        traced(t2).await
    })
    .unwrap();
    let d = rt.divergence().expect("the changed program diverges");
    assert!(d.index < n, "{d}");
    assert!(d.to_string().starts_with(&format!("diverged at decision {} (", d.index)), "{d}");
    assert_eq!(t.lock().unwrap().iter().filter(|s| s.starts_with("sel done")).count(), 3);
}

#[test]
fn replay_past_the_end_of_a_truncated_schedule_reports_the_end() {
    let (_, mut sched) = trace_of(Strategy::Random { seed: 2 });
    sched.decisions.truncate(3);
    let rt = Runtime::with_strategy(Strategy::Replay { schedule: Arc::new(sched), lenient: false });
    rt.block_on(traced(Arc::default())).unwrap();
    let d = rt.divergence().unwrap();
    assert_eq!(d.index, 3);
    assert!(d.why.contains("ends after 3 decisions"), "{d}");
}

#[test]
fn pct_and_pos_are_deterministic_per_seed_and_differ_across_seeds() {
    for make in [|s| Strategy::Pct { seed: s, depth: 3, steps: 0 }, |s| Strategy::Pos { seed: s }] as [fn(u64) -> Strategy; 2] {
        let (t1, s1) = trace_of(make(5));
        let (t2, s2) = trace_of(make(5));
        assert_eq!(t1, t2);
        assert_eq!(s1.to_text(), s2.to_text());
        let distinct: std::collections::HashSet<Vec<String>> = (0..10).map(|s| trace_of(make(s)).0).collect();
        assert!(distinct.len() > 1, "{}: every seed gave the same trace", make(0));
    }
}

/// Two goroutines increment a counter without a lock, yielding between the
/// read and the write: some interleavings lose an update.
async fn lost_update() {
    let n = Arc::new(Mutex::new(0u32));
    let done: Chan<()> = Chan::new(0);
    for _ in 0..2 {
        let (n, done) = (n.clone(), done.clone());
        go(async move {
            for _ in 0..2 {
                yield_now().await;
            }
            let v = *n.lock().unwrap();
            yield_now().await;
            *n.lock().unwrap() = v + 1;
            done.send(()).await.unwrap();
        });
    }
    done.recv().await.unwrap();
    done.recv().await.unwrap();
    assert_eq!(*n.lock().unwrap(), 2, "lost update");
}

#[test]
fn exploration_finds_the_lost_update_with_each_strategy_and_the_schedule_replays_it() {
    for spec in ["random:200", "pct:200:2", "pos:200"] {
        let (strategy, runs) = testing::parse_explore(spec).unwrap();
        let f = explore_runs(&strategy, runs, lost_update).expect_err(spec);
        assert!(f.error.to_string().contains("lost update"), "{}", f.error);
        // The saved text replays the failure exactly.
        let text = f.schedule.to_text();
        let back = Schedule::parse(&text).unwrap();
        let (res, again) = run_recorded(Strategy::Replay { schedule: Arc::new(back), lenient: false }, lost_update());
        assert!(res.unwrap_err().to_string().contains("lost update"));
        assert_eq!(again.to_text(), text);
    }
}

#[test]
fn explore_panics_with_the_command_that_replays_the_failure() {
    let dir = std::env::temp_dir().join(format!("golang-explore-test-{}", std::process::id()));
    // (the only test of this binary that sets the variable)
    std::env::set_var(testing::SCHEDULE_DIR_ENV, &dir);
    let msg = std::panic::catch_unwind(|| testing::explore(Strategy::Pos { seed: 0 }, 200, lost_update))
        .expect_err("explore finds the bug");
    let msg = msg.downcast_ref::<String>().unwrap().clone();
    let path = msg.split("GOLANG_REPLAY=").nth(1).expect(&msg).trim().to_string();
    assert!(std::path::Path::new(&path).starts_with(&dir), "{msg}");
    // the file holds the failing run's event trace too (its timeline page's input)
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\n#> run g1 at ") && text.contains("\n#> fail g1\n"), "{text}");
    let replayed = std::panic::catch_unwind(|| testing::replay(std::path::Path::new(&path), lost_update()));
    let e = replayed.expect_err("the replay fails too");
    assert!(e.downcast_ref::<String>().unwrap().contains("lost update"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_shrinker_keeps_the_failure_with_no_more_preemptions_or_decisions() {
    let f = explore_runs(&Strategy::Random { seed: 0 }, 200, lost_update).expect_err("found");
    let s = shrink_failure(&f.schedule, 300, lost_update).expect("the schedule fails");
    assert!(s.after.1 <= s.before.1, "preemptions {:?} -> {:?}", s.before, s.after);
    assert!(s.after.1 >= 1, "a lost update needs a preemption");
    let (res, _) = run_recorded(Strategy::Replay { schedule: Arc::new(s.schedule.clone()), lenient: false }, lost_update());
    assert!(res.unwrap_err().to_string().contains("lost update"), "the shrunk schedule still fails");
}

#[test]
fn self_check_passes_a_deterministic_body_and_catches_a_planted_source_of_nondeterminism() {
    assert_eq!(check_determinism(Strategy::Random { seed: 4 }, || traced(Arc::default())), Ok(()));
    // Planted: a process-wide counter (as the OS clock would) decides how
    // many goroutines start.
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let d = check_determinism(Strategy::Random { seed: 4 }, || async {
        let extra = CALLS.fetch_add(1, Ordering::Relaxed) % 2;
        let done: Chan<()> = Chan::new(0);
        for _ in 0..2 + extra {
            let done = done.clone();
            go(async move {
                yield_now().await;
                done.send(()).await.unwrap();
            });
        }
        for _ in 0..2 + extra {
            done.recv().await.unwrap();
        }
    })
    .expect_err("the runs differ");
    assert!(d.to_string().starts_with("diverged at decision"), "{d}");
    assert!(d.why.contains("spawned at tests/schedule.rs:"), "the Rust location of the extra goroutine: {d}");
}

/// A worker must register before another finishes 20 steps: fails only
/// when the registering one is starved the whole time.
async fn starved_registration() {
    let registered = Arc::new(Mutex::new(false));
    let done: Chan<()> = Chan::new(0);
    let (r, d) = (registered.clone(), done.clone());
    go(async move {
        yield_now().await;
        *r.lock().unwrap() = true;
        d.send(()).await.unwrap();
    });
    let (r, d) = (registered.clone(), done.clone());
    go(async move {
        for _ in 0..20 {
            yield_now().await;
        }
        assert!(*r.lock().unwrap(), "finished before the first worker registered");
        d.send(()).await.unwrap();
    });
    done.recv().await.unwrap();
    done.recv().await.unwrap();
}

#[test]
fn pct_and_pos_find_a_starvation_bug_that_random_misses() {
    assert!(explore_runs(&Strategy::Random { seed: 0 }, 300, starved_registration).is_ok(), "random: 2^-20 a run");
    let f = explore_runs(&"pct:0:1".parse().unwrap(), 20, starved_registration).expect_err("PCT depth 1: one run in 2");
    assert!(f.error.to_string().contains("registered"), "{}", f.error);
    explore_runs(&Strategy::Pos { seed: 0 }, 200, starved_registration).expect_err("POS");
}

#[test]
fn exhaustive_search_enumerates_every_schedule_once_and_finds_the_lost_update() {
    // Three goroutines that each log their id: every order of 3 is a
    // schedule, and the search sees each exactly once.
    let orders = Arc::new(Mutex::new(Vec::new()));
    let o = orders.clone();
    let res = testing::explore_exhaustive(100, move || {
        let o = o.clone();
        async move {
            let log = Arc::new(Mutex::new(Vec::new()));
            let done: Chan<()> = Chan::new(0);
            for i in 0..3 {
                let (log, done) = (log.clone(), done.clone());
                go(async move {
                    log.lock().unwrap().push(i);
                    done.send(()).await.unwrap();
                });
            }
            for _ in 0..3 {
                done.recv().await.unwrap();
            }
            o.lock().unwrap().push(log.lock().unwrap().clone());
        }
    })
    .unwrap();
    assert!(res.complete, "{res:?}");
    let got = orders.lock().unwrap().clone();
    let distinct: std::collections::HashSet<Vec<i32>> = got.iter().cloned().collect();
    assert_eq!(distinct.len(), 6, "every order of 3: {got:?}");
    let f = testing::explore_exhaustive(1000, lost_update).expect_err("the search finds it");
    assert!(f.error.to_string().contains("lost update"));
    let (res, _) = run_recorded(Strategy::Replay { schedule: Arc::new(f.schedule), lenient: false }, lost_update());
    assert!(res.is_err(), "its schedule replays the failure");
}

/// A goroutine busy-waits (yielding) for a flag that another sets.
async fn busy_wait() {
    let flag = Arc::new(Mutex::new(false));
    let done: Chan<()> = Chan::new(0);
    let (f, d) = (flag.clone(), done.clone());
    go(async move {
        while !*f.lock().unwrap() {
            yield_now().await;
        }
        d.send(()).await.unwrap();
    });
    let f = flag.clone();
    go(async move {
        yield_now().await;
        *f.lock().unwrap() = true;
    });
    done.recv().await.unwrap();
}

#[test]
fn pct_ends_a_busy_wait_whose_spinner_has_the_highest_priority() {
    // Some seeds give the spinner the top priority: PCT alone would run it
    // forever; past its horizon PCT chooses at random, which lets the
    // other goroutine set the flag.
    for seed in 0..20 {
        let (res, sched) = run_recorded(Strategy::Pct { seed, depth: 2, steps: 0 }, busy_wait());
        res.unwrap();
        assert!(sched.decisions.len() < 100_000, "seed {seed}: {} decisions", sched.decisions.len());
    }
}
