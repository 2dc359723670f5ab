//! Schedules as files: the decisions of a deterministic run ([`Decision`],
//! [`Kind`]), the strategies that make them ([`Strategy`]; the making is in
//! `strategy.rs`), and the decision log in a versioned, line-based text
//! format that diffs well.
//!
//! ```text
//! golang-schedule 1
//! strategy pct:42:3
//! # 3 decisions, 1 preemption
//! run g3 #1 of g1 g3 g5 after g1
//! rand 2 of 3 in g3
//! run g1 #0 of g1 g5 after g3
//! ```
//!
//! The first line names the format and its version; `strategy` is the
//! strategy of the recorded run (its seed is where a replay continues once
//! the schedule no longer fits the program). Then one line per decision
//! ([`Decision`]):
//!
//! - `run gC #I of gA gB ... after gL`: goroutine C, at index I of the
//!   runnable goroutines A B ... (in run-queue order; `g0` is the entry of a
//!   goroutine that already finished), runs next; L ran last.
//! - `rand C of N in gG`: goroutine G drew C in `0..N` (select's case
//!   order, ...).
//!
//! Lines starting with `#` are comments; `# diverged ...` records where a
//! replayed run left its schedule; `#> ...` lines after the decisions hold
//! the run's event trace when it was traced (`trace.rs`; the native core
//! writes them, for the timeline page), which parsing skips.

use std::fmt;
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// The kinds of decisions a run makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Which runnable goroutine runs next.
    Run,
    /// A random choice in `0..bound` (select's case order, ...).
    Rand,
}

impl Kind {
    /// The word of the schedule file.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Run => "run",
            Kind::Rand => "rand",
        }
    }
}

/// One decision of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// What was decided.
    pub kind: Kind,
    /// The index chosen: into `candidates` for [`Kind::Run`], in
    /// `0..bound` for [`Kind::Rand`].
    pub choice: usize,
    /// [`Kind::Run`]: the runnable goroutines' ids in run-queue order (0: an
    /// entry of a goroutine that already finished). Empty for `Rand`.
    pub candidates: Vec<u64>,
    /// The number of choices (`candidates.len()` for `Run`).
    pub bound: usize,
    /// The goroutine that ran last (for `Run`) or that draws (for `Rand`).
    pub goroutine: u64,
}

impl Decision {
    /// The goroutine chosen by a `Run` decision (None for `Rand`).
    pub fn chosen(&self) -> Option<u64> {
        match self.kind {
            Kind::Run => self.candidates.get(self.choice).copied(),
            Kind::Rand => None,
        }
    }

    /// Whether this `Run` decision switched away from a goroutine that could
    /// have gone on running (a preemption).
    pub fn is_preemption(&self) -> bool {
        self.kind == Kind::Run && self.candidates.contains(&self.goroutine) && self.chosen() != Some(self.goroutine)
    }
}

/// How a deterministic run makes its decisions.
#[derive(Clone, Debug)]
pub enum Strategy {
    /// Uniform random choices from the seed (the default).
    Random {
        /// The RNG's seed.
        seed: u64,
    },
    /// PCT with `depth` (d - 1 priority change points).
    Pct {
        /// The RNG's seed.
        seed: u64,
        /// The bug depth looked for (1: no change point).
        depth: u32,
        /// The estimated number of scheduling steps of a run (0: a default
        /// of 256); the change points are drawn in `0..steps`.
        steps: u64,
    },
    /// Partial order sampling.
    Pos {
        /// The RNG's seed.
        seed: u64,
    },
    /// The choices of a recorded schedule, then the seed.
    Replay {
        /// The schedule.
        schedule: Arc<Schedule>,
        /// For the shrinker: a recorded choice that does not fit is replaced
        /// by the default one (keep running the goroutine that ran last,
        /// else the first candidate; 0 for `Rand`), and a log that runs out
        /// continues with default choices, instead of diverging to the seed.
        lenient: bool,
    },
    /// Bounded exhaustive search, one run of it: the choice at each
    /// decision by index (`prefix[i]` at decision i, clamped to the bound;
    /// 0 past the prefix). [`Schedule::next_prefix`] gives the next run's
    /// prefix in depth-first order (`testing::explore_exhaustive`).
    Exhaustive {
        /// The choices of the first decisions.
        prefix: Arc<Vec<usize>>,
    },
}

impl Strategy {
    /// The seed of the strategy (of the recorded run, for a replay).
    pub fn seed(&self) -> u64 {
        match self {
            Strategy::Random { seed } | Strategy::Pct { seed, .. } | Strategy::Pos { seed } => *seed,
            Strategy::Replay { schedule, .. } => schedule.strategy.seed(),
            Strategy::Exhaustive { .. } => 0,
        }
    }

    /// The same kind of strategy with another seed (replays stay as they are).
    pub fn with_seed(&self, seed: u64) -> Strategy {
        match self {
            Strategy::Random { .. } => Strategy::Random { seed },
            Strategy::Pct { depth, steps, .. } => Strategy::Pct { seed, depth: *depth, steps: *steps },
            Strategy::Pos { .. } => Strategy::Pos { seed },
            Strategy::Replay { .. } | Strategy::Exhaustive { .. } => self.clone(),
        }
    }
}

/// `random:SEED`, `pct:SEED:DEPTH`, `pos:SEED`, `dfs:C,C,...` (the schedule file's
/// `strategy` line; a replay shows the strategy it replays).
impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Strategy::Random { seed } => write!(f, "random:{seed}"),
            Strategy::Pct { seed, depth, steps: 0 } => write!(f, "pct:{seed}:{depth}"),
            Strategy::Pct { seed, depth, steps } => write!(f, "pct:{seed}:{depth}:{steps}"),
            Strategy::Pos { seed } => write!(f, "pos:{seed}"),
            Strategy::Replay { schedule, .. } => write!(f, "{}", schedule.strategy),
            Strategy::Exhaustive { prefix } if prefix.is_empty() => write!(f, "dfs"),
            Strategy::Exhaustive { prefix } => {
                write!(f, "dfs:{}", prefix.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(","))
            }
        }
    }
}

/// Parses what `Display` writes (`random:SEED`, `pct:SEED:DEPTH[:STEPS]`,
/// `pos:SEED`, `dfs[:C,C,...]`); a bare number is `random:N`.
impl FromStr for Strategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Strategy, String> {
        let bad = || format!("bad strategy {s:?}: want random:SEED, pct:SEED:DEPTH, pos:SEED or dfs");
        let num = |t: &str| t.trim().parse::<u64>().map_err(|_| bad());
        let parts: Vec<&str> = s.trim().split(':').collect();
        match parts.as_slice() {
            ["dfs"] => Ok(Strategy::Exhaustive { prefix: Arc::new(Vec::new()) }),
            [n] => Ok(Strategy::Random { seed: num(n)? }),
            ["random", n] => Ok(Strategy::Random { seed: num(n)? }),
            ["pos", n] => Ok(Strategy::Pos { seed: num(n)? }),
            ["dfs", cs] => {
                let prefix = cs.split(',').map(|c| c.trim().parse::<usize>().map_err(|_| bad())).collect::<Result<Vec<_>, _>>()?;
                Ok(Strategy::Exhaustive { prefix: Arc::new(prefix) })
            }
            ["pct", n, d] | ["pct", n, d, _] => {
                let depth = num(d)?;
                if depth == 0 || depth > 1000 {
                    return Err(format!("bad strategy {s:?}: PCT's depth must be in 1..=1000"));
                }
                let steps = if parts.len() == 4 { num(parts[3])? } else { 0 };
                Ok(Strategy::Pct { seed: num(n)?, depth: depth as u32, steps })
            }
            _ => Err(bad()),
        }
    }
}

/// `g1 g3 g5`.
pub(crate) fn goids(v: &[u64]) -> String {
    v.iter().map(|g| format!("g{g}")).collect::<Vec<_>>().join(" ")
}

/// The format's first line (its version is the number).
pub const HEADER: &str = "golang-schedule 1";

/// A recorded run: its strategy and its decisions.
#[derive(Clone, Debug)]
pub struct Schedule {
    /// The strategy of the recorded run (never `Replay`).
    pub strategy: Strategy,
    /// Its decisions, in order.
    pub decisions: Vec<Decision>,
    /// Where the run left the schedule it replayed, if it replayed one.
    pub divergence: Option<Divergence>,
    /// Where `go` spawned each goroutine (file:line), as far as known; the
    /// file shows them as comments.
    pub spawned_at: std::collections::BTreeMap<u64, String>,
}

/// Where a replay stopped following its schedule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// The index of the first decision that did not fit (0-based).
    pub index: usize,
    /// The goroutine running (`Rand`) or that ran last (`Run`) then.
    pub goroutine: u64,
    /// The kind of decision the run made there.
    pub kind: Kind,
    /// What did not fit.
    pub why: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "diverged at decision {} ({} decision, goroutine {}): {}", self.index, self.kind.word(), self.goroutine, self.why)
    }
}

impl Schedule {
    /// Number of `Run` decisions (scheduling steps with a choice).
    pub fn steps(&self) -> usize {
        self.decisions.iter().filter(|d| d.kind == Kind::Run).count()
    }

    /// Number of preemptions: switches away from a goroutine that could
    /// have gone on.
    pub fn preemptions(&self) -> usize {
        self.decisions.iter().filter(|d| d.is_preemption()).count()
    }

    /// The prefix of the next run of a depth-first search over every
    /// schedule (after this run): the choices up to the last decision that
    /// has a next choice, that one advanced. None when every schedule was
    /// run.
    pub fn next_prefix(&self) -> Option<Vec<usize>> {
        let i = self.decisions.iter().rposition(|d| d.choice + 1 < d.bound)?;
        let mut p: Vec<usize> = self.decisions[..i].iter().map(|d| d.choice).collect();
        p.push(self.decisions[i].choice + 1);
        Some(p)
    }

    /// The text of the file.
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(64 + 32 * self.decisions.len());
        s.push_str(HEADER);
        s.push('\n');
        s.push_str(&format!("strategy {}\n", self.strategy));
        s.push_str(&format!(
            "# {} decisions, {} steps, {} preemptions\n",
            self.decisions.len(),
            self.steps(),
            self.preemptions()
        ));
        if let Some(d) = &self.divergence {
            s.push_str(&format!("# {d}\n"));
        }
        for (g, at) in &self.spawned_at {
            s.push_str(&format!("# g{g} spawned at {at}\n"));
        }
        for d in &self.decisions {
            match d.kind {
                Kind::Run => s.push_str(&format!(
                    "run g{} #{} of {} after g{}\n",
                    d.chosen().unwrap_or(0),
                    d.choice,
                    goids(&d.candidates),
                    d.goroutine
                )),
                Kind::Rand => s.push_str(&format!("rand {} of {} in g{}\n", d.choice, d.bound, d.goroutine)),
            }
        }
        s
    }

    /// Parses the text of a file; errors name the line.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        match lines.next() {
            Some((_, l)) if l.trim() == HEADER => {}
            Some((_, l)) if l.starts_with("golang-schedule ") => {
                return Err(format!("schedule version {:?} not supported (this is {HEADER:?})", l.trim()))
            }
            _ => return Err(format!("not a schedule: the first line must be {HEADER:?}")),
        }
        let mut strategy = None;
        let mut decisions = Vec::new();
        for (n, line) in lines {
            let line = line.trim();
            let err = |m: &str| format!("schedule line {}: {m}: {line:?}", n + 1);
            if line.starts_with('#') {
                continue;
            }
            let t: Vec<&str> = line.split_whitespace().collect();
            match t.first().copied() {
                Some("strategy") if t.len() == 2 => {
                    let s: Strategy = t[1].parse().map_err(|e: String| err(&e))?;
                    strategy = Some(s);
                }
                Some("run") => {
                    // run gC #I of gA gB ... after gL
                    let bad = || err("want `run gC #I of gA gB ... after gL`");
                    if t.len() < 7 || t[3] != "of" || t[t.len() - 2] != "after" {
                        return Err(bad());
                    }
                    let choice: usize = t[2].strip_prefix('#').and_then(|x| x.parse().ok()).ok_or_else(bad)?;
                    let candidates = t[4..t.len() - 2].iter().map(|g| goid(g).ok_or_else(bad)).collect::<Result<Vec<_>, _>>()?;
                    let last = goid(t[t.len() - 1]).ok_or_else(bad)?;
                    let chosen = goid(t[1]).ok_or_else(bad)?;
                    if choice >= candidates.len() || candidates[choice] != chosen {
                        return Err(err("the chosen goroutine is not the candidate at that index"));
                    }
                    let bound = candidates.len();
                    decisions.push(Decision { kind: Kind::Run, choice, candidates, bound, goroutine: last });
                }
                Some("rand") => {
                    // rand C of N in gG
                    let bad = || err("want `rand C of N in gG`");
                    if t.len() != 6 || t[2] != "of" || t[4] != "in" {
                        return Err(bad());
                    }
                    let choice: usize = t[1].parse().map_err(|_| bad())?;
                    let bound: usize = t[3].parse().map_err(|_| bad())?;
                    if choice >= bound {
                        return Err(err("the choice is not below the bound"));
                    }
                    let g = goid(t[5]).ok_or_else(bad)?;
                    decisions.push(Decision { kind: Kind::Rand, choice, candidates: Vec::new(), bound, goroutine: g });
                }
                _ => return Err(err("unknown line")),
            }
        }
        let strategy = strategy.ok_or_else(|| "schedule without a `strategy` line".to_string())?;
        Ok(Schedule { strategy, decisions, divergence: None, spawned_at: Default::default() })
    }

    /// Writes the schedule to `path` (creating its directory).
    pub fn save(&self, path: impl AsRef<Path>) -> std::io::Result<()> {
        let path = path.as_ref();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, self.to_text())
    }

    /// Reads a schedule file.
    pub fn load(path: impl AsRef<Path>) -> Result<Schedule, String> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        Schedule::parse(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The first decision where `other` differs from this schedule.
    pub fn first_difference(&self, other: &Schedule) -> Option<Divergence> {
        let n = self.decisions.len().max(other.decisions.len());
        for i in 0..n {
            match (self.decisions.get(i), other.decisions.get(i)) {
                (Some(a), Some(b)) if a == b => continue,
                (Some(a), Some(b)) => {
                    let why = if a.kind != b.kind {
                        format!("a {} decision, then a {} decision", a.kind.word(), b.kind.word())
                    } else if a.goroutine != b.goroutine {
                        format!("made after goroutine {}, then after goroutine {}", a.goroutine, b.goroutine)
                    } else if a.kind == Kind::Run && a.candidates != b.candidates {
                        format!("candidates {}, then {}", goids(&a.candidates), goids(&b.candidates))
                    } else if a.bound != b.bound {
                        format!("a choice among {}, then among {}", a.bound, b.bound)
                    } else {
                        format!("choice {}, then {}", a.choice, b.choice)
                    };
                    return Some(Divergence { index: i, goroutine: a.goroutine, kind: a.kind, why });
                }
                (Some(a), None) => {
                    return Some(Divergence { index: i, goroutine: a.goroutine, kind: a.kind, why: "the second run ended here".into() })
                }
                (None, Some(b)) => {
                    return Some(Divergence { index: i, goroutine: b.goroutine, kind: b.kind, why: "the first run ended here".into() })
                }
                (None, None) => unreachable!(),
            }
        }
        None
    }
}

fn goid(t: &str) -> Option<u64> {
    t.strip_prefix('g')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_parse_what_they_print() {
        for s in ["random:7", "pct:3:2", "pct:3:2:100", "pos:9", "dfs", "dfs:1,0,2"] {
            assert_eq!(s.parse::<Strategy>().unwrap().to_string(), s);
        }
        assert_eq!("5".parse::<Strategy>().unwrap().to_string(), "random:5");
        assert!("pct:1:0".parse::<Strategy>().is_err());
        assert!("bogus:1".parse::<Strategy>().is_err());
    }

    #[test]
    fn text_round_trips() {
        let s = Schedule {
            strategy: Strategy::Pct { seed: 42, depth: 3, steps: 0 },
            decisions: vec![
                Decision { kind: Kind::Run, choice: 1, candidates: vec![1, 3, 5], bound: 3, goroutine: 1 },
                Decision { kind: Kind::Rand, choice: 2, candidates: vec![], bound: 3, goroutine: 3 },
            ],
            divergence: None,
            spawned_at: Default::default(),
        };
        let text = s.to_text();
        assert!(text.starts_with("golang-schedule 1\nstrategy pct:42:3\n"), "{text}");
        assert!(text.contains("run g3 #1 of g1 g3 g5 after g1\nrand 2 of 3 in g3\n"), "{text}");
        let back = Schedule::parse(&text).unwrap();
        assert_eq!(back.decisions, s.decisions);
        assert_eq!(back.to_text(), text);
        assert_eq!(s.preemptions(), 1);
    }

    #[test]
    fn bad_files_are_refused_with_the_line() {
        assert!(Schedule::parse("hello").unwrap_err().contains("not a schedule"));
        assert!(Schedule::parse("golang-schedule 9\n").unwrap_err().contains("not supported"));
        let e = Schedule::parse("golang-schedule 1\nstrategy random:1\nrun g3 #0 of g1 g3 after g1\n").unwrap_err();
        assert!(e.contains("line 3"), "{e}");
        assert!(Schedule::parse("golang-schedule 1\n").unwrap_err().contains("strategy"));
    }
}
