//! Strategies and schedules of `golang.run` (golang_sched's strategy.rs,
//! schedule.rs, shrink.rs) for Python: the runtime a run is made with, the
//! schedule it recorded, and the shrinker. The files, the options and the
//! pytest integration are in python/golang/schedule.py.
//!
//! Invariant: `LAST` holds what the last `golang.run` on this thread
//! recorded (its schedule, if it recorded one, where its replay diverged,
//! if it did, and its steps): emptied when a `golang.run` is called, before
//! anything can fail, and set when its executor is done; a run nested in
//! another is refused (after the emptying: it then holds nothing), so runs
//! never overlap.

use golang_sched::{shrink, ClockKind, Runtime, Schedule, Strategy};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::cell::RefCell;
use std::sync::Arc;

/// What the last run recorded: (schedule text, divergence message,
/// scheduling steps).
type Last = (Option<String>, Option<String>, u64);

thread_local! {
    static LAST: RefCell<Last> = const { RefCell::new((None, None, 0)) };
}

/// The options of `golang.run` that choose how it decides.
pub(crate) struct RunOptions<'a> {
    /// `random:SEED`, `pct:SEED:DEPTH`, `pos:SEED` (None: random with the seed).
    pub strategy: Option<&'a str>,
    /// The text of a schedule to replay.
    pub replay: Option<&'a str>,
    /// Replay leniently (the shrinker's candidates).
    pub lenient: bool,
    /// Record the run's decisions.
    pub record: bool,
}

/// Forgets what the last run recorded (a run starts; the invariant).
pub(crate) fn forget_last() {
    LAST.with(|l| *l.borrow_mut() = (None, None, 0));
}

/// The executor of a run on `clock`.
pub(crate) fn runtime(clock: ClockKind, seed: u64, o: &RunOptions<'_>) -> PyResult<Runtime> {
    let strategy = match (o.replay, o.strategy) {
        (Some(text), _) => {
            let schedule = Schedule::parse(text).map_err(|e| PyValueError::new_err(format!("golang.run: replay: {e}")))?;
            Strategy::Replay { schedule: Arc::new(schedule), lenient: o.lenient }
        }
        (None, Some(s)) => s.parse::<Strategy>().map_err(|e| PyValueError::new_err(format!("golang.run: {e}")))?,
        (None, None) => Strategy::Random { seed },
    };
    let rt = Runtime::with_clock_strategy(clock, strategy);
    if o.record {
        // (with its event trace: the file then draws as a timeline,
        // python/golang/_timeline.py)
        rt.record();
        rt.trace();
    }
    Ok(rt)
}

/// Keeps what `rt`'s run recorded (the schedule, then its trace's `#>`
/// lines, which replays skip) for `_last_schedule` (the invariant).
pub(crate) fn keep(rt: &Runtime) {
    let trace = rt.take_trace();
    let text = rt.take_schedule().map(|s| match trace {
        Some(t) => s.to_text() + &t.to_text(),
        None => s.to_text(),
    });
    let div = rt.divergence().map(|d| d.to_string());
    let steps = rt.steps();
    LAST.with(|l| *l.borrow_mut() = (text, div, steps));
}

/// `(schedule text or None, divergence or None, scheduling steps)` of the
/// last `golang.run` on this thread.
#[pyfunction]
pub fn _last_schedule() -> Last {
    LAST.with(|l| l.borrow().clone())
}

/// Shrinks the failing schedule `text`: `fails(candidate_text)` replays a
/// candidate leniently and returns the text its run recorded if it failed,
/// else None. Returns `(text, (decisions, preemptions) before, after,
/// runs)`, or None if `text` itself does not fail.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn _shrink(py: Python<'_>, text: &str, fails: Py<PyAny>, max_runs: usize) -> PyResult<Option<(String, (usize, usize), (usize, usize), usize)>> {
    let schedule = Schedule::parse(text).map_err(PyValueError::new_err)?;
    let mut err: Option<PyErr> = None;
    let r = shrink::shrink(&schedule, max_runs, |cand| {
        if err.is_some() {
            return None;
        }
        match fails.call1(py, (cand.to_text(),)) {
            Ok(v) if v.is_none(py) => None,
            Ok(v) => match v.extract::<String>(py).and_then(|t| Schedule::parse(&t).map_err(PyValueError::new_err)) {
                Ok(s) => Some(s),
                Err(e) => {
                    err = Some(e);
                    None
                }
            },
            Err(e) => {
                err = Some(e);
                None
            }
        }
    });
    if let Some(e) = err {
        return Err(e);
    }
    Ok(r.map(|s| (s.schedule.to_text(), s.before, s.after, s.runs)))
}

/// The first decision where schedule `b` differs from schedule `a`, as
/// `(index, goroutine, kind, message)`, or None.
#[pyfunction]
pub fn _first_difference(a: &str, b: &str) -> PyResult<Option<(usize, u64, &'static str, String)>> {
    let a = Schedule::parse(a).map_err(PyValueError::new_err)?;
    let b = Schedule::parse(b).map_err(PyValueError::new_err)?;
    Ok(a.first_difference(&b).map(|d| (d.index, d.goroutine, d.kind.word(), d.to_string())))
}

/// Notes where (file:line) the synchronous goroutine being polled waits,
/// in the run's event trace (python/golang/_syncrun.py calls it while the
/// run records).
#[pyfunction]
pub fn _trace_where(at: &str) {
    golang_sched::trace_where(at)
}

/// `(goroutine id, decisions made so far)` inside a deterministic run, for
/// the self-check's locations (python/golang/_syncrun.py); None outside.
#[pyfunction]
pub fn _decision_point() -> Option<(u64, u64)> {
    golang_sched::decisions_made().map(|n| (golang_sched::current_goroutine(), n))
}


/// The strategy (`dfs:C,C,...`) of the run after the one that recorded
/// `text` in a depth-first search over every schedule; None when the search
/// is complete.
#[pyfunction]
pub fn _dfs_next(text: &str) -> PyResult<Option<String>> {
    let s = Schedule::parse(text).map_err(PyValueError::new_err)?;
    Ok(s.next_prefix().map(|p| Strategy::Exhaustive { prefix: Arc::new(p) }.to_string()))
}
