//! The shrinker: from a failing schedule, a shorter one that still fails.
//!
//! A candidate is the failing schedule with some of its decisions set to
//! their default choice (for a `run` decision: keep running the goroutine
//! that ran last if it may, else the first candidate; for a `rand`
//! decision: 0), replayed leniently ([`Strategy::Replay`](crate::schedule::Strategy::Replay) with `lenient`:
//! a recorded goroutine that is not runnable at that point, and every
//! decision past the end, takes the default choice). A candidate that still
//! fails is kept as the schedule that its run recorded, when that is
//! smaller: fewer preemptions, then fewer non-default choices, then fewer
//! decisions. Candidates default chunks of the non-default decisions, from
//! halves down to single decisions (delta debugging), until no single one
//! can go or the budget of runs is spent. Every kept schedule is smaller
//! than the one before, so the search ends.

use crate::schedule::{Decision, Kind, Schedule};

/// What a shrink did.
#[derive(Clone, Debug)]
pub struct Shrunk {
    /// The smallest failing schedule found (the input, replayed, if none).
    pub schedule: Schedule,
    /// The input's decisions and preemptions.
    pub before: (usize, usize),
    /// The result's decisions and preemptions.
    pub after: (usize, usize),
    /// Runs made.
    pub runs: usize,
}

/// The default choice of a decision (see the file's comment).
pub fn default_choice(d: &Decision) -> usize {
    match d.kind {
        Kind::Run => d.candidates.iter().position(|&c| c == d.goroutine).unwrap_or(0),
        Kind::Rand => 0,
    }
}

fn non_default(s: &Schedule) -> Vec<usize> {
    s.decisions.iter().enumerate().filter(|(_, d)| d.choice != default_choice(d)).map(|(i, _)| i).collect()
}

/// Smaller is better: (preemptions, non-default choices, decisions).
fn size(s: &Schedule) -> (usize, usize, usize) {
    (s.preemptions(), non_default(s).len(), s.decisions.len())
}

/// Shrinks `failing`. `fails(candidate)` replays a candidate leniently and
/// returns the schedule its run recorded if the run failed, `None` if it
/// passed. At most `max_runs` runs. `None` if `failing` itself does not
/// fail when replayed.
pub fn shrink(failing: &Schedule, max_runs: usize, mut fails: impl FnMut(&Schedule) -> Option<Schedule>) -> Option<Shrunk> {
    let before = (failing.decisions.len(), failing.preemptions());
    let mut best = fails(failing)?;
    let mut runs = 1;
    let mut chunk = (non_default(&best).len() / 2).max(1);
    'search: while runs < max_runs {
        let nd = non_default(&best);
        if nd.is_empty() {
            break;
        }
        let mut improved = false;
        for group in nd.chunks(chunk) {
            let mut cand = best.clone();
            for &i in group {
                let d = &mut cand.decisions[i];
                d.choice = default_choice(d);
            }
            runs += 1;
            if let Some(rec) = fails(&cand) {
                if size(&rec) < size(&best) {
                    best = rec;
                    improved = true;
                    break;
                }
            }
            if runs >= max_runs {
                break 'search;
            }
        }
        if improved {
            chunk = chunk.min((non_default(&best).len() / 2).max(1));
        } else if chunk == 1 {
            break;
        } else {
            chunk = (chunk / 2).max(1);
        }
    }
    best.divergence = None;
    let after = (best.decisions.len(), best.preemptions());
    Some(Shrunk { schedule: best, before, after, runs })
}
