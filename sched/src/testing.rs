//! Seeds, schedules and exploration for reproducible tests.
//!
//! A test body runs under [`Runtime::deterministic`] for many seeds; a failure
//! names its seed, and `GOLANG_SEED=<seed>` reruns exactly that seed.
//! Beyond seeds:
//!
//! - [`explore`] runs a body under a [`Strategy`] (random, PCT, POS) for
//!   many runs; the first failure saves its schedule to a file (with the
//!   run's event trace, `trace.rs`: `python -m golang.schedule timeline
//!   FILE` draws it) and names the command that replays it
//!   (`GOLANG_REPLAY=<file>`).
//! - [`replay`] runs a body under a recorded schedule; `GOLANG_REPLAY`
//!   makes [`check_seeds`] and [`explore`] do that instead of exploring,
//!   and `GOLANG_EXPLORE=pct:1000:3` makes [`check_seeds`] explore.
//! - [`check_determinism`] runs a body twice with one strategy and reports
//!   the first decision where the runs differ.
//! - [`shrink_failure`] finds a smaller failing schedule
//!   ([`shrink`](mod@crate::shrink)).
//!
//! ```
//! use golang_sched::testing::{explore_runs, run_recorded};
//! use golang_sched::{go, yield_now, Strategy};
//! use std::sync::{Arc, Mutex};
//!
//! // Two unlocked increments with a yield between the read and the write.
//! async fn lost_update() {
//!     let n = Arc::new(Mutex::new(0));
//!     for _ in 0..2 {
//!         let n = n.clone();
//!         go(async move {
//!             let v = *n.lock().unwrap();
//!             yield_now().await;
//!             *n.lock().unwrap() = v + 1;
//!         });
//!     }
//!     for _ in 0..10 {
//!         yield_now().await;
//!     }
//!     assert_eq!(*n.lock().unwrap(), 2, "lost update");
//! }
//!
//! let pct = Strategy::Pct { seed: 0, depth: 2, steps: 0 };
//! let failure = explore_runs(&pct, 100, lost_update).unwrap_err();
//! let text = failure.schedule.to_text(); // what `explore` saves to a file
//! let replayed = golang_sched::Schedule::parse(&text).unwrap();
//! let strategy = Strategy::Replay { schedule: Arc::new(replayed), lenient: false };
//! let (again, _) = run_recorded(strategy, lost_update());
//! assert!(again.is_err()); // the same failure, every time
//! ```

use crate::context::RunError;
use crate::executor::Runtime;
use crate::schedule::{Divergence, Schedule, Strategy};
use crate::shrink::{self, Shrunk};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The environment variable that fixes the seed of a test run.
pub const SEED_ENV: &str = "GOLANG_SEED";

/// The environment variable naming a schedule file to replay.
pub const REPLAY_ENV: &str = "GOLANG_REPLAY";

/// The environment variable that makes [`check_seeds`] explore
/// (`random:N`, `pct:N:D`, `pos:N`).
pub const EXPLORE_ENV: &str = "GOLANG_EXPLORE";

/// The environment variable naming the directory failing schedules are
/// saved in (default: `golang-schedules` in the system's temporary
/// directory).
pub const SCHEDULE_DIR_ENV: &str = "GOLANG_SCHEDULE_DIR";

/// The seed from `GOLANG_SEED`, if set and valid.
pub fn env_seed() -> Option<u64> {
    std::env::var(SEED_ENV).ok().and_then(|s| s.trim().parse().ok())
}

/// The schedule file from `GOLANG_REPLAY`, if set.
pub fn env_replay() -> Option<PathBuf> {
    std::env::var_os(REPLAY_ENV).filter(|s| !s.is_empty()).map(PathBuf::from)
}

/// The seed from `GOLANG_SEED`, or a random one.
pub fn seed() -> u64 {
    env_seed().unwrap_or_else(crate::rng::random_seed)
}

/// Runs `body` once on a deterministic executor with `seed`.
pub fn run_seed<F: Future>(seed: u64, body: F) -> Result<F::Output, RunError> {
    Runtime::deterministic(seed).block_on(body)
}

/// Runs `body` once under `strategy`, recording its decisions.
pub fn run_recorded<F: Future>(strategy: Strategy, body: F) -> (Result<F::Output, RunError>, Schedule) {
    let rt = Runtime::with_strategy(strategy);
    rt.record();
    let res = rt.block_on(body);
    let sched = rt.take_schedule().expect("a deterministic executor records");
    (res, sched)
}

/// An exploration: a strategy (its seed is the first run's) and a number
/// of runs, from `random:N`, `pct:N:D`, `pos:N` or `dfs:N` (bounded
/// exhaustive search).
pub fn parse_explore(spec: &str) -> Result<(Strategy, u64), String> {
    let bad = || format!("bad exploration {spec:?}: want random:RUNS, pct:RUNS:DEPTH, pos:RUNS or dfs:RUNS");
    let parts: Vec<&str> = spec.trim().split(':').collect();
    let num = |t: &str| t.trim().parse::<u64>().map_err(|_| bad());
    let (strategy, runs) = match parts.as_slice() {
        ["random", n] => (Strategy::Random { seed: 0 }, num(n)?),
        ["pos", n] => (Strategy::Pos { seed: 0 }, num(n)?),
        ["dfs", n] => (Strategy::Exhaustive { prefix: Arc::new(Vec::new()) }, num(n)?),
        ["pct", n, d] => {
            let depth = num(d)?;
            if depth == 0 || depth > 1000 {
                return Err(format!("bad exploration {spec:?}: PCT's depth must be in 1..=1000"));
            }
            (Strategy::Pct { seed: 0, depth: depth as u32, steps: 0 }, num(n)?)
        }
        _ => return Err(bad()),
    };
    if runs == 0 {
        return Err(format!("bad exploration {spec:?}: at least one run"));
    }
    Ok((strategy, runs))
}

/// Where failing schedules are saved ([`SCHEDULE_DIR_ENV`]).
pub fn schedule_dir() -> PathBuf {
    std::env::var_os(SCHEDULE_DIR_ENV)
        .filter(|s| !s.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("golang-schedules"))
}

/// A failed exploration: the failing run's strategy, error and schedule.
#[derive(Debug)]
pub struct Failure {
    /// The strategy of the failing run.
    pub strategy: Strategy,
    /// Which run failed (0-based) and how many were made.
    pub run: u64,
    /// The run's error.
    pub error: RunError,
    /// Its recorded schedule.
    pub schedule: Schedule,
}

/// Runs `body()` under `strategy` with seeds `strategy.seed()`,
/// `strategy.seed() + 1`, ... for `runs` runs; returns the first failure,
/// or the number of runs made. PCT's step estimate grows with the longest
/// run seen.
pub fn explore_runs<F, Fut>(strategy: &Strategy, runs: u64, body: F) -> Result<u64, Box<Failure>>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let base = strategy.seed();
    let mut longest = 0u64;
    for i in 0..runs {
        let mut s = strategy.with_seed(base.wrapping_add(i));
        if let Strategy::Pct { steps, .. } = &mut s {
            if *steps == 0 && longest > 0 {
                *steps = longest;
            }
        }
        let (res, sched) = run_recorded(s.clone(), body());
        longest = longest.max(sched.steps() as u64);
        if let Err(error) = res {
            return Err(Box::new(Failure { strategy: s, run: i, error, schedule: sched }));
        }
    }
    Ok(runs)
}

/// What a bounded exhaustive search did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Exhausted {
    /// Runs made.
    pub runs: u64,
    /// Whether every schedule was run (else `max_runs` stopped it).
    pub complete: bool,
}

/// Runs `body()` under every schedule, depth first, for at most `max_runs`
/// runs ([`Strategy::Exhaustive`]); returns the first failure.
pub fn explore_exhaustive<F, Fut>(max_runs: u64, body: F) -> Result<Exhausted, Box<Failure>>
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let mut prefix = Vec::new();
    for run in 0..max_runs {
        let s = Strategy::Exhaustive { prefix: Arc::new(prefix) };
        let (res, sched) = run_recorded(s.clone(), body());
        if let Err(error) = res {
            return Err(Box::new(Failure { strategy: s, run, error, schedule: sched }));
        }
        match sched.next_prefix() {
            Some(p) => prefix = p,
            None => return Ok(Exhausted { runs: run + 1, complete: true }),
        }
    }
    Ok(Exhausted { runs: max_runs, complete: false })
}

/// Runs `body()` under `strategy` for `runs` runs (or replays
/// `GOLANG_REPLAY` if set). Panics at the first failure, with the schedule
/// saved to a file and the command that replays it.
pub fn explore<F, Fut>(strategy: Strategy, runs: u64, body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(path) = env_replay() {
        return replay(&path, body());
    }
    let res = match strategy {
        Strategy::Exhaustive { .. } => explore_exhaustive(runs, &body).map(|e| e.runs),
        _ => explore_runs(&strategy, runs, &body),
    };
    if let Err(f) = res {
        let path = schedule_dir().join(format!("{}-{}.schedule", std::process::id(), f.strategy.to_string().replace(':', "-")));
        let text = traced_text(&f.schedule, &body);
        let saved = match save_text(&path, &text) {
            Ok(()) => format!("schedule saved to {}\nreplay it with {REPLAY_ENV}={}", path.display(), path.display()),
            Err(e) => format!("(could not save the schedule to {}: {e})", path.display()),
        };
        panic!("failed with strategy {} (run {} of {runs}): {}\n{saved}", f.strategy, f.run + 1, f.error);
    }
}

/// The text of `schedule` with the event trace of its run (trace.rs), for
/// `python -m golang.schedule timeline`: the run replayed once more,
/// traced; the schedule alone if that run did not make the same decisions.
fn traced_text<F, Fut>(schedule: &Schedule, body: &F) -> String
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let rt = Runtime::with_strategy(Strategy::Replay { schedule: Arc::new(schedule.clone()), lenient: false });
    rt.record();
    rt.trace();
    let _ = rt.block_on(body());
    let diverged = rt.divergence().is_some();
    match (rt.take_schedule(), rt.take_trace()) {
        (Some(s), Some(t)) if !diverged && schedule.first_difference(&s).is_none() => s.to_text() + &t.to_text(),
        _ => schedule.to_text(),
    }
}

/// Writes `text` to `path`, creating its directory.
fn save_text(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, text)
}

/// Runs `body` under the schedule in `path`. Panics if the file cannot be
/// read or the run fails; says on stderr where the run left the schedule
/// (then the schedule's seed decided).
pub fn replay<F: Future<Output = ()>>(path: &Path, body: F) {
    let sched = Schedule::load(path).unwrap_or_else(|e| panic!("{REPLAY_ENV}: {e}"));
    let rt = Runtime::with_strategy(Strategy::Replay { schedule: Arc::new(sched), lenient: false });
    let res = rt.block_on(body);
    if let Some(d) = rt.divergence() {
        eprintln!("golang: replay of {}: {d}; the seed decided from there", path.display());
    }
    if let Err(e) = res {
        panic!("failed replaying {}: {e}", path.display());
    }
}

/// Runs `body()` twice under `strategy`, recording; the first decision
/// where the two runs differ (a source of nondeterminism outside the
/// executor: the OS clock, `HashMap` order, thread timing, ...).
pub fn check_determinism<F, Fut>(strategy: Strategy, body: F) -> Result<(), Divergence>
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let (_, a) = run_recorded(strategy.clone(), body());
    let (_, b) = run_recorded(strategy, body());
    match a.first_difference(&b) {
        Some(mut d) => {
            // Where the goroutines involved come from: the one that ran
            // last, and those runnable in one run only.
            let mut involved = vec![d.goroutine];
            if let (Some(x), Some(y)) = (a.decisions.get(d.index), b.decisions.get(d.index)) {
                involved.extend(x.candidates.iter().filter(|g| !y.candidates.contains(g)));
                involved.extend(y.candidates.iter().filter(|g| !x.candidates.contains(g)));
            }
            let at: Vec<String> = involved
                .iter()
                .filter_map(|g| a.spawned_at.get(g).or_else(|| b.spawned_at.get(g)).map(|at| format!("g{g} spawned at {at}")))
                .collect();
            if !at.is_empty() {
                d.why.push_str(&format!(" ({})", at.join(", ")));
            }
            Err(d)
        }
        None => Ok(()),
    }
}

/// Shrinks the failing `schedule` of `body` (at most `max_runs` runs) and
/// prints both lengths on stderr; `None` if replaying it does not fail.
pub fn shrink_failure<F, Fut>(schedule: &Schedule, max_runs: usize, body: F) -> Option<Shrunk>
where
    F: Fn() -> Fut,
    Fut: Future,
{
    let r = shrink::shrink(schedule, max_runs, |cand| {
        let (res, rec) = run_recorded(Strategy::Replay { schedule: Arc::new(cand.clone()), lenient: true }, body());
        res.is_err().then_some(rec)
    });
    if let Some(s) = &r {
        eprintln!(
            "golang: shrunk a schedule of {} decisions, {} preemptions to {} decisions, {} preemptions in {} runs",
            s.before.0, s.before.1, s.after.0, s.after.1, s.runs
        );
    }
    r
}

/// Runs `body()` on a deterministic executor for seeds `0..n` (or only the
/// seed in `GOLANG_SEED`; or the schedule in `GOLANG_REPLAY`; or the
/// exploration in `GOLANG_EXPLORE`). Panics at the first failing seed, with
/// the seed and the command line that reproduces it. A panic inside the
/// body is a failure too.
pub fn check_seeds<F, Fut>(n: u64, body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(path) = env_replay() {
        return replay(&path, body());
    }
    if let Ok(spec) = std::env::var(EXPLORE_ENV) {
        if !spec.trim().is_empty() {
            let (strategy, runs) = parse_explore(&spec).unwrap_or_else(|e| panic!("{EXPLORE_ENV}: {e}"));
            return explore(strategy, runs, body);
        }
    }
    let seeds: Vec<u64> = match env_seed() {
        Some(s) => vec![s],
        None => (0..n).collect(),
    };
    for seed in seeds {
        if let Err(e) = run_seed(seed, body()) {
            panic!("failed with seed {seed}: {e}\nrerun it with {SEED_ENV}={seed}");
        }
    }
}
