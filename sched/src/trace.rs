//! The event trace of a deterministic run: what each scheduling step did,
//! for the picture of a run (python/golang/_timeline.py draws it as a
//! goroutine timeline).
//!
//! The single-thread executor (`executor.rs`) keeps a [`Trace`] while
//! [`Runtime::trace`](crate::Runtime::trace) is on; the real-clock executor
//! never does unless asked, and then its only cost per step is one flag
//! test. Per step it records the goroutine that ran and the clock then
//! ([`Event::Run`]: with the number of runnable goroutines it was chosen
//! among, which makes the step one of the schedule's `run` decisions when
//! more than one, and the goroutine it preempted, if any), how that step ended ([`Event::Park`] with the wait
//! reason the deadlock report uses, [`Event::Exit`], [`Event::Fail`]), and
//! the goroutines that the step put on the run queue ([`Event::Go`] for a
//! new one, [`Event::Wake`] for a parked one). Between steps, goroutines
//! woken by a timer (the virtual clock's jump) or from another thread get a
//! [`Event::Wake`] by [`By::Timer`] or [`By::Outside`].
//!
//! In the schedule file the events follow the decisions, one per line, as
//! `#>` comment lines (so readers of `golang-schedule 1` that know nothing
//! of them, and replays, skip them):
//!
//! ```text
//! #> go g2 by g1 ping
//! #> run g2 at 0
//! #> park g2 chan receive
//! #> run g3 at 0 of 2 preempting g1
//! #> wake g2 by g1
//! #> wake g3 by timer at 1000000
//! #> exit g2
//! ```

use std::fmt;

/// What woke a goroutine (put it on the run queue).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    /// The goroutine with this id, during its step.
    Goroutine(u64),
    /// A timer that fired when the clock reached this time (ns).
    Timer(u64),
    /// Code outside the executor (another thread).
    Outside,
}

/// One event of a run's trace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// A goroutine was started (queued for the first time) by `by`.
    Go {
        /// Its id.
        goid: u64,
        /// Who started it.
        by: By,
        /// Its name (as a deadlock report names it).
        name: String,
    },
    /// A scheduling step: goroutine `goid` runs, at `time_ns` on the
    /// executor's clock.
    Run {
        /// The goroutine.
        goid: u64,
        /// The clock when the step started (ns).
        time_ns: u64,
        /// Among how many runnable goroutines it was chosen (more than
        /// one: the step is a `run` decision of the schedule).
        among: usize,
        /// The goroutine that ran last, when it could have gone on and
        /// another was chosen (a preemption).
        preempted: Option<u64>,
    },
    /// The step ended with the goroutine waiting on `reason`.
    Park {
        /// The goroutine.
        goid: u64,
        /// What it waits on ("chan receive", "select", "sleep", ...).
        reason: &'static str,
    },
    /// A waiting goroutine was woken.
    Wake {
        /// The goroutine woken.
        goid: u64,
        /// What woke it.
        by: By,
    },
    /// Where in its source the goroutine waits (a synchronous Python
    /// goroutine's file:line), noted during its step, before its `Park`.
    Where {
        /// The goroutine.
        goid: u64,
        /// The place (file:line).
        at: String,
    },
    /// The step ended with the goroutine finished.
    Exit {
        /// The goroutine.
        goid: u64,
    },
    /// The step ended with the goroutine failing the run (a panic).
    Fail {
        /// The goroutine.
        goid: u64,
    },
}

/// The line prefix of trace events in a schedule file.
pub const PREFIX: &str = "#> ";

impl fmt::Display for By {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            By::Goroutine(g) => write!(f, "g{g}"),
            By::Timer(t) => write!(f, "timer at {t}"),
            By::Outside => write!(f, "outside"),
        }
    }
}

/// The line of the schedule file, without [`PREFIX`] (names and reasons
/// last: they may hold spaces).
impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Go { goid, by, name } => {
                // (a name is one line)
                let name: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                write!(f, "go g{goid} by {by} {name}")
            }
            Event::Run { goid, time_ns, among, preempted } => {
                write!(f, "run g{goid} at {time_ns}")?;
                if *among > 1 {
                    write!(f, " of {among}")?;
                }
                match preempted {
                    Some(p) => write!(f, " preempting g{p}"),
                    None => Ok(()),
                }
            }
            Event::Park { goid, reason } => write!(f, "park g{goid} {reason}"),
            Event::Wake { goid, by } => write!(f, "wake g{goid} by {by}"),
            Event::Where { goid, at } => {
                let at: String = at.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
                write!(f, "where g{goid} {at}")
            }
            Event::Exit { goid } => write!(f, "exit g{goid}"),
            Event::Fail { goid } => write!(f, "fail g{goid}"),
        }
    }
}

/// The events of a run, in the order they happened.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// The events.
    pub events: Vec<Event>,
}

impl Trace {
    /// The events as lines of a schedule file (each with [`PREFIX`]).
    pub fn to_text(&self) -> String {
        let mut s = String::with_capacity(24 * self.events.len());
        for e in &self.events {
            s.push_str(PREFIX);
            s.push_str(&e.to_string());
            s.push('\n');
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_comment_lines_with_names_last() {
        let t = Trace {
            events: vec![
                Event::Go { goid: 2, by: By::Goroutine(1), name: "a b\nc".into() },
                Event::Run { goid: 2, time_ns: 5, among: 1, preempted: None },
                Event::Run { goid: 3, time_ns: 5, among: 2, preempted: Some(2) },
                Event::Park { goid: 2, reason: "chan receive" },
                Event::Wake { goid: 2, by: By::Timer(7) },
                Event::Wake { goid: 3, by: By::Outside },
                Event::Where { goid: 2, at: "t.py:7".into() },
                Event::Exit { goid: 2 },
                Event::Fail { goid: 3 },
            ],
        };
        assert_eq!(
            t.to_text(),
            "#> go g2 by g1 a b c\n#> run g2 at 5\n#> run g3 at 5 of 2 preempting g2\n#> park g2 chan receive\n#> wake g2 by timer at 7\n\
             #> wake g3 by outside\n#> where g2 t.py:7\n#> exit g2\n#> fail g3\n"
        );
    }
}
