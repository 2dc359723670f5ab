//! The random programs of the fuzz suite: goroutines doing channel
//! operations, selects, closes, timers and drops of pending operations, and
//! their generation (proptest strategies that shrink towards short programs).

use proptest::prelude::*;
use std::fmt;

/// Data channels of every program (their capacities vary).
pub const NCHANS: usize = 3;
/// Timers of every program (created by main before anything else runs).
pub const NTIMERS: usize = 2;

/// Which channel an operation uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ChanRef {
    /// Data channel `i` (`Chan<u64>`).
    Data(usize),
    /// The channel of timer `i` (`Chan<f64>`; only received from).
    Timer(usize),
    /// The nil channel.
    Nil,
}

/// A case of a select.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Case {
    Recv(ChanRef),
    /// Send on a data channel or nil; the value is unique in the program.
    Send(ChanRef, u64),
}

/// One operation of a goroutine.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// `ch <- v` (panics on a closed channel).
    Send(ChanRef, u64),
    /// `<-ch`.
    Recv(ChanRef),
    /// `v, ok := <-ch`.
    RecvOk(ChanRef),
    /// `select { cases...; default }`; a send case on a closed channel panics.
    Select(Vec<Case>, bool),
    /// `close(ch)`.
    Close(ChanRef),
    /// `time.Sleep(µs)`.
    Sleep(u64),
    /// `timer.Stop()` of timer `i` (a stoppable one).
    Stop(usize),
    /// `Chan::try_send` (a select with one send case and default, minus the
    /// panic: a closed channel gives `Closed`).
    TrySend(ChanRef, u64),
    /// `Chan::try_recv`.
    TryRecv(ChanRef),
    /// `len(ch)`.
    Len(ChanRef),
    /// Poll the blocking operation once, yield, then drop its future if it
    /// did not complete (a cancelled operation). Inner: Send, Recv or Select
    /// without default.
    Drop(Box<Op>),
}

/// A timer of the program: fires after `us` µs; stoppable ones are
/// `time::Timer`s, the others `time::after`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TimerSpec {
    pub us: u64,
    pub stoppable: bool,
}

/// A program: goroutine 0 is main, which creates the channels and timers and
/// spawns the others (in order) before its first operation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Program {
    pub caps: Vec<usize>,
    pub timers: Vec<TimerSpec>,
    pub gors: Vec<Vec<Op>>,
}

impl fmt::Display for ChanRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChanRef::Data(i) => write!(f, "c{i}"),
            ChanRef::Timer(i) => write!(f, "t{i}.C"),
            ChanRef::Nil => write!(f, "nilchan"),
        }
    }
}

impl fmt::Display for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Case::Recv(c) => write!(f, "case <-{c}"),
            Case::Send(c, v) => write!(f, "case {c} <- {v}"),
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::Send(c, v) => write!(f, "{c} <- {v}"),
            Op::Recv(c) => write!(f, "<-{c}"),
            Op::RecvOk(c) => write!(f, "v, ok := <-{c}"),
            Op::Select(cases, dflt) => {
                write!(f, "select {{ ")?;
                for c in cases {
                    write!(f, "{c}; ")?;
                }
                if *dflt {
                    write!(f, "default; ")?;
                }
                write!(f, "}}")
            }
            Op::Close(c) => write!(f, "close({c})"),
            Op::Sleep(us) => write!(f, "time.Sleep({us}µs)"),
            Op::Stop(t) => write!(f, "t{t}.Stop()"),
            Op::TrySend(c, v) => write!(f, "{c}.try_send({v})"),
            Op::TryRecv(c) => write!(f, "{c}.try_recv()"),
            Op::Len(c) => write!(f, "len({c})"),
            Op::Drop(op) => write!(f, "poll once, yield, drop: {op}"),
        }
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.caps.iter().enumerate() {
            writeln!(f, "c{i} := make(chan int, {c})")?;
        }
        for (i, t) in self.timers.iter().enumerate() {
            let kind = if t.stoppable { "time.NewTimer" } else { "time.After" };
            writeln!(f, "t{i} := {kind}({}µs)", t.us)?;
        }
        for (g, ops) in self.gors.iter().enumerate() {
            if g == 0 {
                writeln!(f, "main (goroutine 1):")?;
            } else {
                writeln!(f, "go (goroutine {}):", g + 1)?;
            }
            for op in ops {
                writeln!(f, "    {op}")?;
            }
        }
        Ok(())
    }
}

impl Program {
    /// Gives every sent value a unique number (1, 2, ...) in program order,
    /// and makes Stop name only stoppable timers (a no-op op otherwise).
    pub fn normalized(mut self) -> Program {
        let mut next = 1u64;
        let stoppable: Vec<usize> = (0..self.timers.len()).filter(|&i| self.timers[i].stoppable).collect();
        for ops in &mut self.gors {
            ops.retain(|op| !matches!(op, Op::Stop(_)) || !stoppable.is_empty());
            for op in ops.iter_mut() {
                renumber(op, &mut next, &stoppable);
            }
        }
        self
    }
}

fn renumber(op: &mut Op, next: &mut u64, stoppable: &[usize]) {
    let mut fresh = || {
        let v = *next;
        *next += 1;
        v
    };
    match op {
        Op::Send(_, v) | Op::TrySend(_, v) => *v = fresh(),
        Op::Select(cases, _) => {
            for c in cases {
                if let Case::Send(_, v) = c {
                    *v = fresh();
                }
            }
        }
        Op::Stop(t) => *t = stoppable[*t % stoppable.len()],
        Op::Drop(inner) => renumber(inner, next, stoppable),
        _ => {}
    }
}

fn data_ref() -> impl Strategy<Value = ChanRef> {
    prop_oneof![16 => (0..NCHANS).prop_map(ChanRef::Data), 1 => Just(ChanRef::Nil)]
}

fn recv_ref() -> impl Strategy<Value = ChanRef> {
    prop_oneof![
        16 => (0..NCHANS).prop_map(ChanRef::Data),
        3 => (0..NTIMERS).prop_map(ChanRef::Timer),
        1 => Just(ChanRef::Nil),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    prop_oneof![recv_ref().prop_map(Case::Recv), data_ref().prop_map(|c| Case::Send(c, 0))]
}

fn blocking_op() -> impl Strategy<Value = Op> {
    prop_oneof![
        data_ref().prop_map(|c| Op::Send(c, 0)),
        recv_ref().prop_map(Op::Recv),
        prop::collection::vec(case(), 1..=3).prop_map(|cs| Op::Select(cs, false)),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => data_ref().prop_map(|c| Op::Send(c, 0)),
        5 => recv_ref().prop_map(Op::Recv),
        2 => recv_ref().prop_map(Op::RecvOk),
        4 => (prop::collection::vec(case(), 1..=3), any::<bool>()).prop_map(|(cs, d)| Op::Select(cs, d)),
        1 => data_ref().prop_map(Op::Close),
        1 => prop::sample::select(vec![0u64, 500, 1000, 1500, 3000]).prop_map(Op::Sleep),
        1 => (0..NTIMERS).prop_map(Op::Stop),
        2 => blocking_op().prop_map(|o| Op::Drop(Box::new(o))),
        1 => data_ref().prop_map(|c| Op::TrySend(c, 0)),
        1 => recv_ref().prop_map(Op::TryRecv),
        1 => recv_ref().prop_map(Op::Len),
    ]
}

fn timer() -> impl Strategy<Value = TimerSpec> {
    (prop::sample::select(vec![0u64, 1000, 2000, 2500, 4000]), any::<bool>())
        .prop_map(|(us, stoppable)| TimerSpec { us, stoppable })
}

/// Programs of 1..=5 goroutines of up to `max_ops` operations each.
pub fn program(max_ops: usize) -> impl Strategy<Value = Program> {
    (
        prop::collection::vec(0usize..=2, NCHANS),
        prop::collection::vec(timer(), NTIMERS),
        prop::collection::vec(prop::collection::vec(op(), 0..=max_ops), 1..=5),
    )
        .prop_map(|(caps, timers, gors)| Program { caps, timers, gors }.normalized())
}

// ---- the golden file's text form (tests/fuzz/golden.txt, read by the
// Python suite too) ----
//
// program
// caps 0 1 2
// timers after 0; timer 1000             (µs; "timer": stoppable)
// main send c0 1; recv t0; select recv:c0,send:nil:2,default; drop recv c1
// go recvok c2; close c0; sleep 500; stop 1
// outcomes deadlock; ok; panic: close of closed channel
// end

fn chan_word(c: ChanRef) -> String {
    match c {
        ChanRef::Data(i) => format!("c{i}"),
        ChanRef::Timer(i) => format!("t{i}"),
        ChanRef::Nil => "nil".into(),
    }
}

fn parse_chan(w: &str) -> Result<ChanRef, String> {
    let num = |s: &str| s.parse::<usize>().map_err(|e| format!("{w}: {e}"));
    match w {
        "nil" => Ok(ChanRef::Nil),
        _ if w.starts_with('c') => Ok(ChanRef::Data(num(&w[1..])?)),
        _ if w.starts_with('t') => Ok(ChanRef::Timer(num(&w[1..])?)),
        _ => Err(format!("bad channel {w:?}")),
    }
}

impl Op {
    pub fn to_golden(&self) -> String {
        match self {
            Op::Send(c, v) => format!("send {} {v}", chan_word(*c)),
            Op::Recv(c) => format!("recv {}", chan_word(*c)),
            Op::RecvOk(c) => format!("recvok {}", chan_word(*c)),
            Op::Select(cases, dflt) => {
                let mut ws: Vec<String> = cases
                    .iter()
                    .map(|c| match c {
                        Case::Recv(c) => format!("recv:{}", chan_word(*c)),
                        Case::Send(c, v) => format!("send:{}:{v}", chan_word(*c)),
                    })
                    .collect();
                if *dflt {
                    ws.push("default".into());
                }
                format!("select {}", ws.join(","))
            }
            Op::Close(c) => format!("close {}", chan_word(*c)),
            Op::Sleep(us) => format!("sleep {us}"),
            Op::Stop(t) => format!("stop {t}"),
            Op::TrySend(c, v) => format!("trysend {} {v}", chan_word(*c)),
            Op::TryRecv(c) => format!("tryrecv {}", chan_word(*c)),
            Op::Len(c) => format!("len {}", chan_word(*c)),
            Op::Drop(op) => format!("drop {}", op.to_golden()),
        }
    }

    pub fn parse_golden(s: &str) -> Result<Op, String> {
        let ws: Vec<&str> = s.split(' ').collect();
        let num = |w: &str| w.parse::<u64>().map_err(|e| format!("{s}: {e}"));
        Ok(match ws.as_slice() {
            ["send", c, v] => Op::Send(parse_chan(c)?, num(v)?),
            ["recv", c] => Op::Recv(parse_chan(c)?),
            ["recvok", c] => Op::RecvOk(parse_chan(c)?),
            ["close", c] => Op::Close(parse_chan(c)?),
            ["trysend", c, v] => Op::TrySend(parse_chan(c)?, num(v)?),
            ["tryrecv", c] => Op::TryRecv(parse_chan(c)?),
            ["len", c] => Op::Len(parse_chan(c)?),
            ["sleep", us] => Op::Sleep(num(us)?),
            ["stop", t] => Op::Stop(num(t)? as usize),
            ["select", cases] => {
                let mut dflt = false;
                let mut cs = Vec::new();
                for w in cases.split(',') {
                    let parts: Vec<&str> = w.split(':').collect();
                    match parts.as_slice() {
                        ["default"] => dflt = true,
                        ["recv", c] => cs.push(Case::Recv(parse_chan(c)?)),
                        ["send", c, v] => cs.push(Case::Send(parse_chan(c)?, num(v)?)),
                        _ => return Err(format!("bad case {w:?}")),
                    }
                }
                Op::Select(cs, dflt)
            }
            ["drop", ..] => Op::Drop(Box::new(Op::parse_golden(&s[5..])?)),
            _ => return Err(format!("bad op {s:?}")),
        })
    }
}

impl Program {
    pub fn to_golden(&self) -> String {
        let caps: Vec<String> = self.caps.iter().map(|c| c.to_string()).collect();
        let timers: Vec<String> =
            self.timers.iter().map(|t| format!("{} {}", if t.stoppable { "timer" } else { "after" }, t.us)).collect();
        let mut out = format!("program\ncaps {}\ntimers {}\n", caps.join(" "), timers.join("; "));
        for (g, ops) in self.gors.iter().enumerate() {
            let ops: Vec<String> = ops.iter().map(|o| o.to_golden()).collect();
            out += &format!("{} {}\n", if g == 0 { "main" } else { "go" }, ops.join("; "));
        }
        out
    }

    /// Parses the lines between "program" and "outcomes".
    pub fn parse_golden(lines: &[&str]) -> Result<Program, String> {
        let mut p = Program { caps: Vec::new(), timers: Vec::new(), gors: Vec::new() };
        for line in lines {
            let (head, rest) = line.split_once(' ').unwrap_or((line, ""));
            let items = || rest.split("; ").filter(|s| !s.is_empty());
            match head {
                "caps" => p.caps = rest.split(' ').map(|c| c.parse().map_err(|e| format!("{line}: {e}"))).collect::<Result<_, _>>()?,
                "timers" => {
                    for t in items() {
                        let (kind, us) = t.split_once(' ').ok_or(format!("bad timer {t:?}"))?;
                        let us = us.parse().map_err(|e| format!("{t}: {e}"))?;
                        p.timers.push(TimerSpec { us, stoppable: kind == "timer" });
                    }
                }
                "main" | "go" => p.gors.push(items().map(Op::parse_golden).collect::<Result<_, _>>()?),
                _ => return Err(format!("bad line {line:?}")),
            }
        }
        Ok(p)
    }
}

fn sync_op() -> impl Strategy<Value = Op> {
    let case = || prop_oneof![data_ref().prop_map(Case::Recv), data_ref().prop_map(|c| Case::Send(c, 0))];
    // Mostly operations that never block (selects with default, try_send,
    // try_recv, drop-ops), so that many programs always finish.
    prop_oneof![
        2 => data_ref().prop_map(|c| Op::Send(c, 0)),
        2 => data_ref().prop_map(Op::Recv),
        1 => data_ref().prop_map(Op::RecvOk),
        6 => prop::collection::vec(case(), 1..=3).prop_map(|cs| Op::Select(cs, true)),
        1 => prop::collection::vec(case(), 1..=3).prop_map(|cs| Op::Select(cs, false)),
        1 => data_ref().prop_map(Op::Close),
        2 => data_ref().prop_map(|c| Op::Drop(Box::new(Op::Recv(c)))),
        2 => data_ref().prop_map(|c| Op::Drop(Box::new(Op::Send(c, 0)))),
        1 => prop::collection::vec(case(), 1..=3).prop_map(|cs| Op::Drop(Box::new(Op::Select(cs, false)))),
        3 => data_ref().prop_map(|c| Op::TrySend(c, 0)),
        3 => data_ref().prop_map(Op::TryRecv),
        1 => data_ref().prop_map(Op::Len),
    ]
}

/// Programs without timers or sleeps, for executors on the real clock.
pub fn sync_program(max_ops: usize) -> impl Strategy<Value = Program> {
    (prop::collection::vec(0usize..=2, NCHANS), prop::collection::vec(prop::collection::vec(sync_op(), 0..=max_ops), 2..=4))
        .prop_map(|(caps, gors)| Program { caps, timers: Vec::new(), gors }.normalized())
}
