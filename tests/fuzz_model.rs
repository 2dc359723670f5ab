//! Fuzzing against a model: random programs of goroutines, buffered and
//! unbuffered channels, sends, receives, selects (with and without default),
//! closes (and Go's panics), drops of pending operations and timers run on
//! the deterministic executor; each run's observation log is replayed
//! through a sequential model of Go's channel rules (`fuzz/model.rs`), which
//! rejects any step it does not allow, and checks how the run ended
//! (main returned, the panic due, or deadlock exactly when every goroutine
//! is blocked), that virtual time advanced to the deadlines exactly, and
//! that every value sent was received once or is still buffered.
//!
//! `GOLANG_FUZZ_CASES=n` sets the number of programs (default 1000, a few
//! seconds in a debug build); a long run (progress every 50,000 programs):
//! `GOLANG_FUZZ_CASES=1000000 cargo test --release --test fuzz_model random -- --nocapture`.
//! A fifth as many programs that always finish run on `MultiRuntime` (two
//! workers, truly parallel) and replay the same way, times not checked.
//! A failure prints the run's seed and the shrunk program;
//! `GOLANG_FUZZ_SEED=<n>` (printed at the start) reruns the same sequence of
//! programs.

#[path = "fuzz/golden.rs"]
mod golden;
#[path = "fuzz/model.rs"]
mod model;
#[path = "fuzz/program.rs"]
mod program;
#[path = "fuzz/real.rs"]
mod real;

use model::{Outcome, Verdict};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static IN_RUN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Go panics of the programs are expected (the runs report them): the panic
/// hook stays quiet inside runs and prints everything else.
fn quiet_program_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !IN_RUN.with(|f| f.get()) {
                default(info);
            }
        }));
    });
}

/// `real::run` with the panic hook quiet.
fn run_quietly(p: &program::Program, seed: u64) -> real::Run {
    IN_RUN.with(|f| f.set(true));
    let r = std::panic::catch_unwind(|| real::run(p, seed));
    IN_RUN.with(|f| f.set(false));
    r.unwrap_or_else(|e| std::panic::resume_unwind(e))
}

fn cases() -> u32 {
    std::env::var("GOLANG_FUZZ_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(1000)
}

/// A runner whose program sequence is fixed by `GOLANG_FUZZ_SEED` (random
/// and printed when unset, so that a failing sequence can be rerun).
fn runner(cases: u32, name: &str) -> TestRunner {
    let seed: u64 = std::env::var("GOLANG_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| std::collections::hash_map::RandomState::new().hash_one(name));
    eprintln!("{name}: GOLANG_FUZZ_SEED={seed} GOLANG_FUZZ_CASES={cases}");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes))
}

/// Counts of what the runs exercised (to see that the generator covers it).
static STEPS: AtomicU64 = AtomicU64::new(0);
static DROPPED_PENDING: AtomicU64 = AtomicU64::new(0);
static AFTER_TIME_ADVANCED: AtomicU64 = AtomicU64::new(0);

/// Runs `p` with `seed` and checks it against the model; Err if the run
/// itself panicked (outside the program's goroutines: a harness or runtime
/// bug).
fn check_one(p: &program::Program, seed: u64) -> Result<(Verdict, Outcome), String> {
    let r = std::panic::catch_unwind(|| run_quietly(p, seed)).map_err(|e| {
        let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()));
        format!("the run itself panicked: {msg:?}")
    })?;
    STEPS.fetch_add(r.log.len() as u64, Ordering::Relaxed);
    for o in &r.log {
        match o {
            model::Obs::DropPending { .. } => DROPPED_PENDING.fetch_add(1, Ordering::Relaxed),
            model::Obs::Done { now, .. } if *now > 0 => AFTER_TIME_ADVANCED.fetch_add(1, Ordering::Relaxed),
            _ => 0,
        };
    }
    Ok((model::check(p, &r.log, &r.outcome, &r.bufs), r.outcome))
}

#[test]
fn random_programs_follow_gos_channel_rules() {
    let n = cases();
    quiet_program_panics();
    let mut runner = runner(n, "random_programs_follow_gos_channel_rules");
    let (ok, deadlock, panicked, big) = (AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0));
    let done = AtomicU64::new(0);
    let res = runner.run(&(program::program(8), any::<u64>()), |(p, seed)| {
        // Progress of long runs (every 50,000 programs).
        let k = done.fetch_add(1, Ordering::Relaxed) + 1;
        if k.is_multiple_of(50_000) {
            eprintln!("fuzz_model: {k} programs checked");
        }
        match check_one(&p, seed) {
            Ok((Verdict::Pass, outcome)) => {
                // Count outcome classes, to see that the generator covers them.
                match outcome {
                    Outcome::Ok => ok.fetch_add(1, Ordering::Relaxed),
                    Outcome::Deadlock(_) => deadlock.fetch_add(1, Ordering::Relaxed),
                    Outcome::Panic { .. } => panicked.fetch_add(1, Ordering::Relaxed),
                };
                Ok(())
            }
            Ok((Verdict::TooBig, _)) => {
                big.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok((Verdict::Fail(why), _)) => Err(TestCaseError::fail(format!("seed {seed}, program:\n{p}\n{why}"))),
            Err(why) => Err(TestCaseError::fail(format!("seed {seed}, program:\n{p}\n{why}"))),
        }
    });
    eprintln!(
        "fuzz_model: {n} programs: {} ended normally, {} deadlocked, {} panicked, {} too big to check; \
         {} steps checked, {} of them after virtual time advanced, {} pending operations dropped",
        ok.load(Ordering::Relaxed),
        deadlock.load(Ordering::Relaxed),
        panicked.load(Ordering::Relaxed),
        big.load(Ordering::Relaxed),
        STEPS.load(Ordering::Relaxed),
        AFTER_TIME_ADVANCED.load(Ordering::Relaxed),
        DROPPED_PENDING.load(Ordering::Relaxed),
    );
    if let Err(e) = res {
        panic!("{e}");
    }
}

/// The checker is not vacuous: runs whose log, outcome or final buffers are
/// altered in a way Go's rules forbid are rejected (a value never sent or
/// received twice, a time off its deadline, a buffer left with a value
/// never sent or already received, another ending).
#[test]
fn the_model_rejects_altered_runs() {
    use model::{Obs, Res, Val};
    let mut runner = runner(100, "the_model_rejects_altered_runs");
    quiet_program_panics();
    let tried = AtomicU64::new(0);
    runner
        .run(&(program::program(8), any::<u64>()), |(p, seed)| {
            let r = run_quietly(&p, seed);
            if !matches!(model::check(&p, &r.log, &r.outcome, &r.bufs), Verdict::Pass) {
                return Ok(()); // too big (a failure is the other test's)
            }
            let rejected = |log: &[Obs], outcome: &Outcome, bufs: &[Vec<u64>]| {
                matches!(model::check(&p, log, outcome, bufs), Verdict::Fail(_))
            };
            for i in 0..r.log.len() {
                let mut log = r.log.clone();
                match &mut log[i] {
                    // A value that was never sent.
                    Obs::Done { res: Res::Recv(Some(Val::Data(v))), .. } => *v += 1000,
                    // Time that did not advance to the deadline exactly.
                    Obs::Done { now, .. } => *now += 1,
                    _ => continue,
                }
                tried.fetch_add(1, Ordering::Relaxed);
                prop_assert!(rejected(&log, &r.outcome, &r.bufs), "altered #{i} accepted:\n{p}");
            }
            // A value delivered twice: a later receive given an earlier one's value.
            let received: Vec<(usize, u64)> = (0..r.log.len())
                .filter_map(|i| match r.log[i] {
                    Obs::Done { res: Res::Recv(Some(Val::Data(v))), .. } => Some((i, v)),
                    _ => None,
                })
                .collect();
            for w in received.windows(2) {
                let mut log = r.log.clone();
                if let Obs::Done { res: Res::Recv(Some(Val::Data(v))), .. } = &mut log[w[1].0] {
                    *v = w[0].1;
                }
                prop_assert!(rejected(&log, &r.outcome, &r.bufs), "{} received twice, accepted:\n{p}", w[0].1);
            }
            // A buffer left with a value never sent, or with one received.
            for c in 0..r.bufs.len() {
                let mut extra = vec![999_999];
                extra.extend(received.first().map(|&(_, v)| v));
                for v in extra {
                    let mut bufs = r.bufs.clone();
                    bufs[c].push(v);
                    prop_assert!(rejected(&r.log, &r.outcome, &bufs), "{v} left in c{c}, accepted:\n{p}");
                }
            }
            // A different ending.
            let other = match r.outcome {
                Outcome::Ok => Outcome::Deadlock(vec![(0, "chan receive".into())]),
                _ => Outcome::Ok,
            };
            if !(other == Outcome::Ok && p.gors[0].is_empty()) {
                prop_assert!(rejected(&r.log, &other, &r.bufs), "outcome {other:?} accepted:\n{p}");
            }
            Ok(())
        })
        .unwrap();
    assert!(tried.load(Ordering::Relaxed) > 50);
}

/// The golden file shared with the Python suite holds, for each program,
/// every way a run may end according to the model; real runs end in one.
#[test]
fn golden_programs_end_as_the_model_says() {
    quiet_program_panics();
    golden::check(|p, seed| {
        let r = run_quietly(p, seed);
        (model::check(p, &r.log, &r.outcome, &r.bufs), model::outcome_class(&r.outcome))
    });
}

/// Programs that the model says always finish (no deadlock, no panic, under
/// every schedule) run on `MultiRuntime` (two workers, truly parallel, the
/// real clock): the log, in the order the goroutines recorded it, must
/// replay through the model (times not checked).
#[test]
fn multi_thread_runs_follow_gos_channel_rules() {
    let n = cases() / 5;
    let mut runner = runner(n, "multi_thread_runs_follow_gos_channel_rules");
    let (ran, steps) = (AtomicU64::new(0), AtomicU64::new(0));
    runner
        .run(&program::sync_program(6), |p| {
            let always_ok = model::outcome_classes(&p, 2_000, true).is_some_and(|c| c.len() == 1 && c.contains("ok"));
            if !always_ok {
                return Ok(());
            }
            let Some(r) = real::run_multi(&p, 2, std::time::Duration::from_secs(60)) else {
                return Err(TestCaseError::fail(format!("the program did not finish in 60 s:\n{p}")));
            };
            ran.fetch_add(1, Ordering::Relaxed);
            steps.fetch_add(r.log.len() as u64, Ordering::Relaxed);
            match model::check_joined(&p, &r.log, &r.bufs) {
                Verdict::Fail(why) => Err(TestCaseError::fail(format!("program:\n{p}\n{why}"))),
                _ => Ok(()),
            }
        })
        .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "fuzz_model: {} of {n} programs always finish, ran on 2 workers, {} steps checked",
        ran.load(Ordering::Relaxed),
        steps.load(Ordering::Relaxed)
    );
    assert!(ran.load(Ordering::Relaxed) * 10 >= n as u64, "too few programs always finish");
}

/// In parallel runs a log entry can come after other goroutines acted on
/// what it records: here goroutine 2's receive was polled (pending, queued),
/// then goroutine 4's send handed it a value and logged first, and only then
/// did goroutine 2 log "pending" (found by the multi-thread fuzz run).
#[test]
fn a_parallel_log_entry_may_follow_what_others_did_meanwhile() {
    use model::{Obs, Res};
    let text = "caps 2 0 2\ntimers \nmain drop recv c1\ngo drop recv c0\n\
                go send c0 1; drop recv c0; close c2\ngo select send:nil:2,send:c0:3,default";
    let p = program::Program::parse_golden(&text.lines().collect::<Vec<_>>()).unwrap();
    let log = vec![
        Obs::DropPending { g: 0 },
        Obs::Dropped { g: 0 },
        Obs::Done { g: 2, res: Res::Sent, now: 0 },
        Obs::Done { g: 2, res: Res::Recv(Some(model::Val::Data(1))), now: 0 },
        Obs::Done { g: 2, res: Res::Closed, now: 0 },
        Obs::Done { g: 3, res: Res::Selected(1, None), now: 0 },
        Obs::DropPending { g: 1 },
        Obs::Dropped { g: 1 },
    ];
    // The value 3 was given back when goroutine 2 dropped its receive.
    assert!(matches!(model::check_joined(&p, &log, &[vec![3], vec![], vec![]]), Verdict::Pass));
    // Lost, it is not allowed.
    assert!(matches!(model::check_joined(&p, &log, &[vec![], vec![], vec![]]), Verdict::Fail(_)));
}
