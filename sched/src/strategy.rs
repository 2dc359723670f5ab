//! Exploration strategies: who decides what a deterministic run does (the
//! strategies' names, the decisions and the schedule file are in
//! `schedule.rs`; this file makes the decisions).
//!
//! A deterministic executor makes two kinds of decisions ([`Kind`]): which
//! runnable goroutine runs next ([`Kind::Run`], given the candidates'
//! goroutine ids in run-queue order) and every other random choice
//! ([`Kind::Rand`]: the order in which `select` tries its ready cases, and
//! anything else that calls [`rand_below`](crate::rand_below) inside the
//! run). Both go to the run's one [`Decider`], made from a [`Strategy`]:
//!
//! - [`Strategy::Random`]: uniform draws from the seeded RNG, exactly the
//!   draws the executor made before strategies existed.
//! - [`Strategy::Pct`]: probabilistic concurrency testing (Burckhardt,
//!   Kothari, Musuvathi, Nagarakatte, ASPLOS'10): every goroutine gets a
//!   random priority when first seen; `depth - 1` change points k_1 ..
//!   k_{d-1} are drawn uniformly over the run's steps `0..k`, and at k_i
//!   the goroutine that ran last drops to priority i, below every initial
//!   one (as in the paper, the i-th point drawn gets i whatever its place
//!   in time); the highest-priority runnable goroutine always runs. A step
//!   is a `Run` decision (a scheduling point with a choice: a blocking
//!   operation or a yield, `time.sleep(0)` in Python). k is the run's
//!   length as estimated by the caller (`Strategy::Pct::steps`): an
//!   exploration passes the longest run seen so far, as PCT's
//!   implementations do (Fray's, for one); without one, 256. Past
//!   `PCT_HORIZON` times the estimate choices are uniformly random: PCT
//!   assumes every run ends, and a goroutine that busy-waits at the highest
//!   priority would otherwise starve the one it waits for forever (and its
//!   log would grow without end).
//! - [`Strategy::Pos`]: partial order sampling (Yuan, Yang, Gu, CAV'18; as
//!   Fray does it): every pending *event* has a random priority, the
//!   highest runnable one runs, and then the events that race with the one
//!   that ran get new random priorities; the others keep theirs (which is
//!   what lets a goroutine run ahead through steps that race with nothing,
//!   where a random walk would preempt it at each). Our events are a
//!   goroutine's slices from one scheduling point to the next, and what the
//!   executor knows of a slice is how it began and ended: the wait it
//!   resumes from (the candidates' wait reasons, `note_reasons`) and whom
//!   it woke. Races are approximated from that:
//!   1. the goroutines queued since the last decision (woken on a
//!      channel, lock, ... the step operated on, or started by it: the
//!      wake edges of trace.rs; or woken by a timer) race with it: new
//!      priorities;
//!   2. plain code (a slice that resumes from a yield or starts a
//!      goroutine: it may read and write any Python or Rust memory, which
//!      the executor does not see) races with plain code or not: unknown.
//!      Each run draws one guess: in half the runs, after a step whose
//!      slice began or ended as plain code, every pending plain-code event
//!      gets a new priority (on programs that only yield, that run is a
//!      random walk); in the other half plain code races with nothing (a
//!      goroutine that spins or works on its own keeps its priority, which
//!      finds starvation bugs a random walk misses);
//!   3. the goroutine that ran has a new pending event: a new priority.
//!   A slice between blocking operations races only through the objects it
//!   blocks on or wakes (as in a data-race-free program).
//! - [`Strategy::Exhaustive`]: bounded exhaustive search, one run at a
//!   time: the choices of a prefix by index, then the first choice; the
//!   next run's prefix comes from this run's log (`Schedule::next_prefix`),
//!   so runs enumerate every schedule depth-first (a stateless search, as
//!   in CHESS, without its preemption bound).
//! - [`Strategy::Replay`]: the choices of a recorded [`Schedule`], checked
//!   against what the run offers; at the first mismatch (or when the log
//!   runs out) the run continues with the schedule's seed, and the
//!   [`Divergence`] says where.
//!
//! The real-clock FIFO executor has no decider: its hot path asks nothing.
//!
//! Invariants of a [`Decider`]:
//! 1. Every decision of a run goes through its one decider, in the order
//!    the run makes them; when recording, the log holds exactly one
//!    [`Decision`] per decision, in that order (so a replay meets them in
//!    the same order).
//! 2. `Random` draws `rng.below(n)` once per decision and nothing else, as
//!    the executor did before: the same seed gives the same run as before.
//! 3. A replay checks each recorded decision (kind and candidates, or kind
//!    and bound) before using its choice; once it diverged it never reads
//!    the log again (later entries belong to another run).
//! 4. A decision is only asked for when there is a choice (two candidates
//!    or more, a bound of two or more): the log has no forced moves.
//! 5. When [`Decider::wants_reasons`], the reasons noted before a `Run`
//!    decision are those of its candidates, in the same order (the
//!    executor notes them from the same run queue just before asking);
//!    POS reads them as what each candidate's pending event is.

use crate::rng::Rng;
use crate::schedule::{goids, Decision, Divergence, Kind, Schedule, Strategy};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::panic::Location;
use std::sync::Arc;

/// The state of a strategy during a run.
enum Mode {
    Random,
    Pct(Pct),
    Pos(Pos),
    /// Replaying `schedule` at entry `next`.
    Replay { schedule: Arc<Schedule>, next: usize, lenient: bool },
    /// Exhaustive search: `prefix` at decision `next` (then 0).
    Prefix { prefix: Arc<Vec<usize>>, next: usize },
}

/// PCT decides by priority for this many times its step estimate, then at
/// random (see the file's overview).
const PCT_HORIZON: u64 = 8;

/// PCT's state.
struct Pct {
    /// Past this step, choices are random (`PCT_HORIZON` x the estimate).
    horizon: u64,
    /// Each goroutine's priority (higher runs first); assigned when first
    /// seen as a candidate.
    prio: HashMap<u64, u64>,
    /// The change points in the order of their steps: (step, the priority
    /// the goroutine that ran last gets there). The i-th point drawn gets
    /// priority i (1..d-1, below every initial priority), whatever its
    /// place in time (as in the paper).
    change_points: Vec<(u64, u64)>,
    /// How many change points were passed.
    changes: usize,
}

/// POS's state (see the file's overview for the events and their races).
struct Pos {
    /// The priority of each goroutine's pending event (higher runs first).
    prio: HashMap<u64, u64>,
    /// The candidates of the previous decision: a candidate not among them
    /// (and not the one that ran) was queued since, by the step that ran.
    prev: HashSet<u64>,
    /// This run's guess about plain code: whether two slices of plain code
    /// (next to a yield, or a goroutine's first) race (drawn per run).
    plain_races: bool,
    /// Whether the slice that ran (of the goroutine chosen last) began as
    /// plain code (it resumed from a yield, or started).
    ran_plain: bool,
}

/// A goroutine whose last wait was `reason` has a pending event of plain
/// code: it resumes from a yield (`time.sleep(0)`, `yield_now`) or starts.
fn plain(reason: &str) -> bool {
    reason == "yield" || reason == "runnable"
}

/// Priorities drawn at random are at least this (change points hand out
/// the values below it).
const PRIO_BASE: u64 = 1 << 20;

/// PCT's step estimate when none is given (the first run of an
/// exploration: later runs get the longest run seen).
const PCT_DEFAULT_STEPS: u64 = 256;

/// Makes a run's decisions (see the file's invariants) and records them.
pub(crate) struct Decider {
    /// The strategy's seed (a replay's fallback once diverged).
    seed: u64,
    rng: Rng,
    mode: Mode,
    /// The decisions made, when recording (invariant 1).
    log: Option<Vec<Decision>>,
    /// Where each goroutine was spawned (by `go`), when recording.
    spawned: BTreeMap<u64, &'static Location<'static>>,
    /// Run decisions made so far.
    steps: u64,
    /// Decisions (of both kinds) made so far.
    made: u64,
    /// Where a replay left its schedule.
    divergence: Option<Divergence>,
    /// The strategy, for the recorded schedule's header.
    strategy: Strategy,
    /// What each candidate of the decision being made last waited on.
    reasons: Vec<&'static str>,
}

impl Decider {
    pub(crate) fn new(strategy: Strategy) -> Decider {
        let seed = strategy.seed();
        let mut rng = Rng::new(seed);
        let mode = match &strategy {
            Strategy::Random { .. } => Mode::Random,
            Strategy::Pct { depth, steps, .. } => {
                let est = if *steps == 0 { PCT_DEFAULT_STEPS } else { *steps };
                let mut change_points: Vec<(u64, u64)> = (1..*depth as u64).map(|i| (rng.next_u64() % est, i)).collect();
                change_points.sort_unstable();
                Mode::Pct(Pct { horizon: est.saturating_mul(PCT_HORIZON), prio: HashMap::new(), change_points, changes: 0 })
            }
            Strategy::Pos { .. } => {
                let plain_races = rng.below(2) == 1;
                Mode::Pos(Pos { prio: HashMap::new(), prev: HashSet::new(), plain_races, ran_plain: false })
            }
            Strategy::Replay { schedule, lenient } => {
                Mode::Replay { schedule: schedule.clone(), next: 0, lenient: *lenient }
            }
            Strategy::Exhaustive { prefix } => Mode::Prefix { prefix: prefix.clone(), next: 0 },
        };
        let strategy = match strategy {
            Strategy::Replay { schedule, .. } => schedule.strategy.clone(),
            s => s,
        };
        Decider { seed, rng, mode, log: None, spawned: BTreeMap::new(), steps: 0, made: 0, divergence: None, strategy, reasons: Vec::new() }
    }

    /// Starts recording every decision.
    pub(crate) fn record(&mut self) {
        self.log.get_or_insert_with(Vec::new);
    }

    /// Whether decisions are recorded.
    #[inline]
    pub(crate) fn records(&self) -> bool {
        self.log.is_some()
    }

    /// Whether decisions are recorded, or the strategy needs the
    /// candidates' ids (otherwise `Random` is asked with the count only).
    #[inline]
    pub(crate) fn wants_candidates(&self) -> bool {
        self.log.is_some() || !matches!(self.mode, Mode::Random)
    }

    /// Whether the strategy wants to know what the candidates last waited
    /// on ([`note_reasons`](Self::note_reasons) before `run_index`).
    #[inline]
    pub(crate) fn wants_reasons(&self) -> bool {
        matches!(self.mode, Mode::Pos(_))
    }

    /// What each candidate of the next `run_index` last waited on.
    pub(crate) fn note_reasons(&mut self, reasons: &[&'static str]) {
        self.reasons.clear();
        self.reasons.extend_from_slice(reasons);
    }

    /// Notes where goroutine `goid` was spawned (when recording).
    pub(crate) fn note_spawn(&mut self, goid: u64, at: &'static Location<'static>) {
        if self.log.is_some() {
            self.spawned.insert(goid, at);
        }
    }

    /// The recorded schedule, if recording (which stops).
    pub(crate) fn take_schedule(&mut self) -> Option<Schedule> {
        let spawned = std::mem::take(&mut self.spawned);
        self.log.take().map(|decisions| Schedule {
            strategy: self.strategy.clone(),
            decisions,
            divergence: self.divergence.clone(),
            spawned_at: spawned.into_iter().map(|(g, l)| (g, format!("{}:{}", l.file(), l.line()))).collect(),
        })
    }

    /// How many `Run` decisions (scheduling steps) the run made so far.
    pub(crate) fn steps(&self) -> u64 {
        self.steps
    }

    /// How many decisions the run made so far (the index of the next one).
    pub(crate) fn made(&self) -> u64 {
        self.made
    }

    /// Where a replay left its schedule.
    pub(crate) fn divergence(&self) -> Option<Divergence> {
        self.divergence.clone()
    }

    /// `Random` without recording: which of `n` candidates runs (invariant 2).
    #[inline]
    pub(crate) fn run_index_fast(&mut self, n: usize) -> usize {
        self.steps += 1;
        self.made += 1;
        self.rng.below(n)
    }

    /// Which of `candidates` (goroutine ids, in run-queue order) runs next;
    /// `last` ran last.
    pub(crate) fn run_index(&mut self, candidates: &[u64], last: u64) -> usize {
        let step = self.steps;
        self.steps += 1;
        self.made += 1;
        let choice = match &mut self.mode {
            Mode::Random => self.rng.below(candidates.len()), // invariant 2
            Mode::Pct(p) if step >= p.horizon => self.rng.below(candidates.len()), // the fair tail
            Mode::Pct(p) => {
                while p.changes < p.change_points.len() && p.change_points[p.changes].0 <= step {
                    // A change point: the goroutine that ran last drops
                    // below every initial priority, to the point's own.
                    p.prio.insert(last, p.change_points[p.changes].1);
                    p.changes += 1;
                }
                highest(candidates, &mut p.prio, &mut self.rng)
            }
            Mode::Pos(p) => {
                let rng = &mut self.rng;
                let reasons = &self.reasons;
                let reason = |j: usize| reasons.get(j).copied().unwrap_or("runnable");
                // Events that race with the step that ran get new
                // priorities (the overview's three rules):
                // 1. goroutines it queued (woke on an object it touched, or
                //    started);
                for &c in candidates {
                    if c != last && !p.prev.contains(&c) {
                        p.prio.insert(c, random_prio(rng));
                    }
                }
                // 2. in a run that guesses plain code races, if the step
                //    ran plain code, every pending event of plain code;
                if p.plain_races {
                    let yielded = candidates.iter().position(|&c| c == last).is_some_and(|j| reason(j) == "yield");
                    if p.ran_plain || yielded {
                        for (j, &c) in candidates.iter().enumerate() {
                            if plain(reason(j)) {
                                p.prio.insert(c, random_prio(rng));
                            }
                        }
                    }
                }
                let i = highest(candidates, &mut p.prio, rng);
                p.ran_plain = plain(reason(i));
                // 3. the chosen one's next event is a new one.
                p.prio.insert(candidates[i], random_prio(rng));
                p.prev.clear();
                p.prev.extend(candidates.iter().copied());
                i
            }
            Mode::Replay { .. } => self.replay(Kind::Run, candidates, candidates.len(), last),
            Mode::Prefix { prefix, next } => prefix_choice(prefix, next, candidates.len()),
        };
        if let Some(log) = &mut self.log {
            // invariant 1
            log.push(Decision { kind: Kind::Run, choice, candidates: candidates.to_vec(), bound: candidates.len(), goroutine: last });
        }
        choice
    }

    /// A random choice in `0..bound` by goroutine `goid`.
    pub(crate) fn rand(&mut self, bound: usize, goid: u64) -> usize {
        if bound <= 1 {
            // Invariant 4: no choice, no decision (`Random` still draws, as
            // before: invariant 2).
            if matches!(self.mode, Mode::Random) {
                self.rng.below(bound.max(1));
            }
            return 0;
        }
        self.made += 1;
        let choice = match &mut self.mode {
            Mode::Replay { .. } => self.replay(Kind::Rand, &[], bound, goid),
            Mode::Prefix { prefix, next } => prefix_choice(prefix, next, bound),
            _ => self.rng.below(bound),
        };
        if let Some(log) = &mut self.log {
            // invariant 1
            log.push(Decision { kind: Kind::Rand, choice, candidates: Vec::new(), bound, goroutine: goid });
        }
        choice
    }

    // The replay of one decision (invariant 3).
    fn replay(&mut self, kind: Kind, candidates: &[u64], bound: usize, goid: u64) -> usize {
        let Mode::Replay { schedule, next, lenient } = &mut self.mode else { unreachable!() };
        let index = *next;
        *next += 1;
        let recorded = schedule.decisions.get(index);
        if *lenient {
            return match recorded {
                Some(d) if d.kind == kind => match kind {
                    Kind::Run => match d.chosen().and_then(|g| candidates.iter().position(|&c| c == g)) {
                        Some(i) => i,
                        None => default_choice(candidates, goid),
                    },
                    Kind::Rand => {
                        if d.choice < bound {
                            d.choice
                        } else {
                            0
                        }
                    }
                },
                _ => match kind {
                    Kind::Run => default_choice(candidates, goid),
                    Kind::Rand => 0,
                },
            };
        }
        let fits = match recorded {
            Some(d) => d.kind == kind && d.bound == bound && (kind == Kind::Rand || d.candidates == candidates),
            None => false,
        };
        if fits {
            return recorded.unwrap().choice;
        }
        let why = match recorded {
            None => format!("the schedule ends after {} decisions", schedule.decisions.len()),
            Some(d) if d.kind != kind => format!("recorded a {} decision, the run makes a {} decision", d.kind.word(), kind.word()),
            Some(d) if kind == Kind::Run => {
                format!("recorded candidates {}, the run offers {}", goids(&d.candidates), goids(candidates))
            }
            Some(d) => format!("recorded a choice among {}, the run offers {}", d.bound, bound),
        };
        self.divergence = Some(Divergence { index, goroutine: goid, kind, why });
        // Invariant 3: from now on the seed decides.
        self.mode = Mode::Random;
        self.rng = Rng::new(self.seed);
        self.rng.below(bound)
    }
}

/// An exhaustive search's choice at decision `*next` among `bound`.
fn prefix_choice(prefix: &[usize], next: &mut usize, bound: usize) -> usize {
    let c = prefix.get(*next).copied().unwrap_or(0);
    *next += 1;
    c.min(bound - 1)
}

/// The default choice of a lenient replay: the goroutine that ran last if
/// it may go on, else the first candidate.
fn default_choice(candidates: &[u64], last: u64) -> usize {
    candidates.iter().position(|&c| c == last).unwrap_or(0)
}

/// A priority drawn at random (above every change point's).
fn random_prio(rng: &mut Rng) -> u64 {
    PRIO_BASE + rng.next_u64() % (u64::MAX - PRIO_BASE)
}

/// The index of the highest-priority candidate; goroutines seen for the
/// first time get a random priority. Entries of finished goroutines (id 0)
/// go first: running them only drops them.
fn highest(candidates: &[u64], prio: &mut HashMap<u64, u64>, rng: &mut Rng) -> usize {
    let mut best = 0;
    let mut best_p = 0;
    for (i, &g) in candidates.iter().enumerate() {
        if g == 0 {
            return i;
        }
        let p = *prio.entry(g).or_insert_with(|| random_prio(rng));
        if p > best_p {
            best_p = p;
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_draws_exactly_what_the_rng_draws() {
        let mut d = Decider::new(Strategy::Random { seed: 11 });
        let mut r = Rng::new(11);
        for n in 2..50 {
            assert_eq!(d.run_index(&vec![1; n], 1), r.below(n));
            assert_eq!(d.rand(n, 1), r.below(n));
        }
    }

    #[test]
    fn pct_depth_one_keeps_running_the_highest_priority_goroutine() {
        let mut d = Decider::new(Strategy::Pct { seed: 4, depth: 1, steps: 0 });
        let first = d.run_index(&[2, 3, 4], 1);
        for _ in 0..20 {
            assert_eq!(d.run_index(&[2, 3, 4], 1), first);
        }
    }

    #[test]
    fn pct_change_point_drops_the_goroutine_that_ran_last() {
        // depth 2, 1 step estimated: the change point is at step 0.
        let mut d = Decider::new(Strategy::Pct { seed: 4, depth: 2, steps: 1 });
        let i = d.run_index(&[2, 3], 2);
        assert_eq!(i, 1, "g2 ran last and dropped below g3");
    }

    #[test]
    fn pct_change_points_are_within_the_estimate_and_each_has_its_own_low_priority() {
        for seed in 0..50 {
            let d = Decider::new(Strategy::Pct { seed, depth: 4, steps: 10 });
            let Mode::Pct(p) = &d.mode else { unreachable!() };
            assert_eq!(p.change_points.len(), 3);
            assert!(p.change_points.iter().all(|&(at, v)| at < 10 && (1..4).contains(&v)), "{:?}", p.change_points);
            let mut values: Vec<u64> = p.change_points.iter().map(|c| c.1).collect();
            values.sort_unstable();
            assert_eq!(values, [1, 2, 3]);
            assert!(p.change_points.windows(2).all(|w| w[0].0 <= w[1].0), "in the order of their steps");
        }
    }

    /// A POS decider with the given guess about plain code.
    fn pos(seed: u64, plain_races: bool) -> Decider {
        let mut d = Decider::new(Strategy::Pos { seed });
        let Mode::Pos(p) = &mut d.mode else { unreachable!() };
        p.plain_races = plain_races;
        d
    }

    fn prio(d: &Decider, g: u64) -> Option<u64> {
        let Mode::Pos(p) = &d.mode else { unreachable!() };
        p.prio.get(&g).copied()
    }

    #[test]
    fn pos_gives_a_new_priority_to_a_goroutine_queued_since_the_last_decision_and_keeps_the_others() {
        for seed in 0..20 {
            let mut d = pos(seed, true);
            d.note_reasons(&["chan receive", "chan receive"]);
            let first = [2, 3][d.run_index(&[2, 3], 1)];
            let other = if first == 2 { 3 } else { 2 };
            let kept = prio(&d, other);
            assert_eq!(prio(&d, 4), None);
            // g4 was queued since (woken by the step of `first`): a new
            // event. `other` waited on a channel, not plain code: it raced
            // with nothing and keeps its priority until it runs.
            d.note_reasons(&["chan receive", "chan receive", "chan receive"]);
            let second = [2, 3, 4][d.run_index(&[2, 3, 4], first)];
            assert!(prio(&d, 4).is_some());
            if second != other {
                assert_eq!(prio(&d, other), kept, "seed {seed}");
            }
        }
    }

    #[test]
    fn pos_redraws_pending_plain_code_after_plain_code_only_in_runs_that_guess_they_race() {
        for races in [false, true] {
            let mut redrawn = 0;
            for seed in 0..20 {
                let mut d = pos(seed, races);
                d.note_reasons(&["yield", "yield", "yield"]);
                let i = d.run_index(&[2, 3, 4], 1);
                let others: Vec<u64> = [2, 3, 4].iter().copied().filter(|&g| g != [2, 3, 4][i]).collect();
                let before: Vec<Option<u64>> = others.iter().map(|&g| prio(&d, g)).collect();
                // The one that ran yielded: a slice of plain code.
                d.note_reasons(&["yield", "yield", "yield"]);
                d.run_index(&[2, 3, 4], [2, 3, 4][i]);
                let after: Vec<Option<u64>> = others.iter().map(|&g| prio(&d, g)).collect();
                if before != after {
                    redrawn += 1;
                }
            }
            if races {
                assert_eq!(redrawn, 20, "plain code races with plain code: new priorities");
            } else {
                assert!(redrawn < 20, "only the one chosen changes: {redrawn}");
            }
        }
    }
}
