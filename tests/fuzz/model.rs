//! A sequential model of Go's channel rules, and the replay of an
//! observation log from a real run through it.
//!
//! The model is Go's runtime written plainly: per channel a FIFO buffer, a
//! `closed` flag and FIFO queues of blocked receivers and senders (a blocked
//! select has one entry per non-nil case, in case order); a goroutine's
//! current operation is `Begun` (not tried yet), `Blocked` (queued), `Done`
//! (completed by a counterparty or by itself, not yet observed by the
//! program), and so on (see [`Phase`]). Internal steps — a goroutine trying
//! its operation, the virtual clock advancing to the next deadline when no
//! goroutine can run — are not observable, so the replay keeps the *set* of
//! model states consistent with the log so far: before each observation it
//! closes the set under internal steps, then keeps the states in which the
//! observation is allowed, applied. An empty set is a failure: the real run
//! did something Go's rules do not allow at that point.
//!
//! Invariants of a model state:
//! 1. A goroutine has queue entries only while its phase is `Blocked` or
//!    `DropBlocked`; completing it removes all of them (a select's other
//!    cases included).
//! 2. A receiver is queued only while the buffer is empty and no sender is
//!    queued; a sender only while the buffer is full and no receiver is
//!    queued; nothing is queued on a closed channel.
//! 3. Every value is in exactly one place: a sender's operation, a buffer,
//!    or a receiver's result (observed, or `Done` and not yet observed).

use super::program::{Case, ChanRef, Op, Program};
use std::collections::{HashSet, VecDeque};

/// A value moving through channels: a data value, or a timer's fire time
/// (virtual ns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Val {
    Data(u64),
    Time(u64),
}

/// DEFAULT case index of a select result.
pub const DEFAULT: usize = usize::MAX;
/// Case index of a plain (non-select) operation's queue entry.
const PLAIN: usize = usize::MAX;

/// What a completed operation gave the program.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Res {
    Sent,
    /// A receive: the value, or None when closed and drained.
    Recv(Option<Val>),
    /// A select: the case index (or DEFAULT) and, for a receive case, its
    /// value (None: closed).
    Selected(usize, Option<Option<Val>>),
    Closed,
    Slept,
    Stopped(bool),
    /// `try_send`: no receiver waits and the buffer is full (or nil).
    Full,
    /// `try_send` on a closed channel.
    TryClosed,
    /// `try_recv`: nothing to receive now (or nil).
    Empty,
    /// `len(ch)`.
    Len(usize),
    /// A Go panic with this message (only in the model: a real panic ends
    /// the run, see [`Outcome`]).
    Panic(&'static str),
    /// Something the program itself found wrong (e.g. `v, ok` on a closed
    /// channel with a non-zero v): never allowed.
    Bad(String),
}

/// One entry of the observation log of a real run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Obs {
    /// Goroutine `g` completed its current operation with `res`, at virtual
    /// time `now` (ns).
    Done { g: usize, res: Res, now: u64 },
    /// The drop-op of goroutine `g` was polled once and is pending; it yields.
    DropPending { g: usize },
    /// ... and its future was dropped.
    Dropped { g: usize },
}

/// How a real run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// main returned.
    Ok,
    /// Goroutine `g` (0 is main) panicked with `msg`.
    Panic { g: usize, msg: String },
    /// Deadlock: the blocked goroutines and what each waits on, sorted.
    Deadlock(Vec<(usize, String)>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Phase {
    Begun,
    Blocked,
    Sleeping(u64),
    Done(Res),
    DropBlocked,
    DropDone(Res),
    /// Drop-op dropped, not yet observed (parallel runs only: there, other
    /// goroutines act between a drop and its log entry).
    DropGone,
    Finished,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct MChan {
    cap: usize,
    buf: VecDeque<Val>,
    closed: bool,
    recvq: VecDeque<(usize, usize)>,
    sendq: VecDeque<(usize, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum TState {
    Armed(u64),
    Fired,
    Stopped,
}

/// One state of the model.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct State {
    /// A run on parallel threads (`check_joined`): a goroutine's log entry
    /// may come after other goroutines acted on what it did.
    parallel: bool,
    now: u64,
    chans: Vec<MChan>,
    timers: Vec<TState>,
    gs: Vec<(usize, Phase)>,
}

fn panic_send() -> Res {
    Res::Panic("send on closed channel")
}

/// The operation that goroutine `g` is at (a drop-op's inner operation).
fn op_at(p: &Program, g: usize, pc: usize) -> &Op {
    match &p.gors[g][pc] {
        Op::Drop(inner) => inner,
        op => op,
    }
}

impl State {
    pub fn initial(p: &Program, parallel: bool) -> State {
        let mut chans: Vec<MChan> = p
            .caps
            .iter()
            .map(|&cap| MChan { cap, buf: VecDeque::new(), closed: false, recvq: VecDeque::new(), sendq: VecDeque::new() })
            .collect();
        let mut timers = Vec::new();
        for t in &p.timers {
            let mut c = MChan { cap: 1, buf: VecDeque::new(), closed: false, recvq: VecDeque::new(), sendq: VecDeque::new() };
            if t.us == 0 && !t.stoppable {
                // time.After(0): its value is there at once.
                c.buf.push_back(Val::Time(0));
                timers.push(TState::Fired);
            } else {
                timers.push(TState::Armed(t.us * 1000));
            }
            chans.push(c);
        }
        let gs = p.gors.iter().map(|ops| (0, if ops.is_empty() { Phase::Finished } else { Phase::Begun })).collect();
        State { parallel, now: 0, chans, timers, gs }
    }

    fn chan_index(&self, p: &Program, c: ChanRef) -> Option<usize> {
        match c {
            ChanRef::Data(i) => Some(i),
            ChanRef::Timer(i) => Some(p.caps.len() + i),
            ChanRef::Nil => None,
        }
    }

    fn runnable(&self, g: usize) -> bool {
        matches!(self.gs[g].1, Phase::Begun | Phase::Done(_) | Phase::DropBlocked | Phase::DropDone(_) | Phase::DropGone)
    }

    /// Invariant 1: completing a goroutine removes all its queue entries.
    fn remove_entries(&mut self, g: usize) {
        for c in &mut self.chans {
            c.recvq.retain(|e| e.0 != g);
            c.sendq.retain(|e| e.0 != g);
        }
    }

    fn complete(&mut self, g: usize, res: Res) {
        self.remove_entries(g);
        self.gs[g].1 = match self.gs[g].1 {
            Phase::Blocked => Phase::Done(res),
            Phase::DropBlocked => Phase::DropDone(res),
            ref ph => unreachable!("completing a goroutine in phase {ph:?}"),
        };
    }

    /// The value that goroutine `g`'s queued send (plain or case `k`) holds.
    fn send_value(&self, p: &Program, g: usize, k: usize) -> Val {
        match (op_at(p, g, self.gs[g].0), k) {
            (Op::Send(_, v), PLAIN) => Val::Data(*v),
            (Op::Select(cases, _), k) => match &cases[k] {
                Case::Send(_, v) => Val::Data(*v),
                c => unreachable!("queued send entry for {c:?}"),
            },
            (op, _) => unreachable!("queued send entry for {op:?}"),
        }
    }

    fn recv_res(k: usize, v: Option<Val>) -> Res {
        if k == PLAIN {
            Res::Recv(v)
        } else {
            Res::Selected(k, Some(v))
        }
    }

    fn send_res(k: usize) -> Res {
        if k == PLAIN {
            Res::Sent
        } else {
            Res::Selected(k, None)
        }
    }

    /// The active side of a send; None if it must wait.
    fn active_send(&mut self, c: usize, k: usize, v: Val) -> Option<Res> {
        if self.chans[c].closed {
            return Some(panic_send());
        }
        if let Some((rg, rk)) = self.chans[c].recvq.pop_front() {
            self.complete(rg, State::recv_res(rk, Some(v)));
            return Some(State::send_res(k));
        }
        let ch = &mut self.chans[c];
        if ch.buf.len() < ch.cap {
            ch.buf.push_back(v);
            return Some(State::send_res(k));
        }
        None
    }

    /// The active side of a receive; None if it must wait.
    fn active_recv(&mut self, p: &Program, c: usize, k: usize) -> Option<Res> {
        if let Some(v) = self.chans[c].buf.pop_front() {
            if self.chans[c].buf.len() < self.chans[c].cap {
                if let Some((sg, sk)) = self.chans[c].sendq.pop_front() {
                    let w = self.send_value(p, sg, sk);
                    self.chans[c].buf.push_back(w);
                    self.complete(sg, State::send_res(sk));
                }
            }
            return Some(State::recv_res(k, Some(v)));
        }
        if let Some((sg, sk)) = self.chans[c].sendq.pop_front() {
            let v = self.send_value(p, sg, sk);
            self.complete(sg, State::send_res(sk));
            return Some(State::recv_res(k, Some(v)));
        }
        if self.chans[c].closed {
            return Some(State::recv_res(k, None));
        }
        None
    }

    fn ready(&self, c: usize, send: bool) -> bool {
        let ch = &self.chans[c];
        if send {
            ch.closed || ch.buf.len() < ch.cap || !ch.recvq.is_empty()
        } else {
            ch.closed || !ch.buf.is_empty() || !ch.sendq.is_empty()
        }
    }

    /// Goroutine `g` (phase Begun) tries its operation: the possible results.
    fn try_op(&self, p: &Program, g: usize) -> Vec<State> {
        let pc = self.gs[g].0;
        let mut s = self.clone();
        let set = |s: &mut State, ph: Phase| s.gs[g].1 = ph;
        match op_at(p, g, pc) {
            Op::Send(c, v) => match s.chan_index(p, *c) {
                None => set(&mut s, Phase::Blocked),
                Some(ci) => match s.active_send(ci, PLAIN, Val::Data(*v)) {
                    Some(r) => set(&mut s, Phase::Done(r)),
                    None => {
                        s.chans[ci].sendq.push_back((g, PLAIN));
                        set(&mut s, Phase::Blocked);
                    }
                },
            },
            Op::Recv(c) | Op::RecvOk(c) => match s.chan_index(p, *c) {
                None => set(&mut s, Phase::Blocked),
                Some(ci) => match s.active_recv(p, ci, PLAIN) {
                    Some(r) => set(&mut s, Phase::Done(r)),
                    None => {
                        s.chans[ci].recvq.push_back((g, PLAIN));
                        set(&mut s, Phase::Blocked);
                    }
                },
            },
            Op::Select(cases, dflt) => {
                let idx: Vec<Option<usize>> = cases
                    .iter()
                    .map(|c| match c {
                        Case::Recv(c) | Case::Send(c, _) => s.chan_index(p, *c),
                    })
                    .collect();
                let ready: Vec<usize> = (0..cases.len())
                    .filter(|&k| idx[k].is_some_and(|ci| s.ready(ci, matches!(cases[k], Case::Send(..)))))
                    .collect();
                if !ready.is_empty() {
                    // Any ready case may be chosen (uniformly, in the real
                    // select; the model does not check the distribution).
                    return ready
                        .into_iter()
                        .map(|k| {
                            let mut s = s.clone();
                            let ci = idx[k].unwrap();
                            let r = match &cases[k] {
                                Case::Recv(_) => s.active_recv(p, ci, k),
                                Case::Send(_, v) => s.active_send(ci, k, Val::Data(*v)),
                            };
                            s.gs[g].1 = Phase::Done(r.expect("a ready case completes"));
                            s
                        })
                        .collect();
                }
                if *dflt {
                    set(&mut s, Phase::Done(Res::Selected(DEFAULT, None)));
                } else {
                    for (k, c) in cases.iter().enumerate() {
                        if let Some(ci) = idx[k] {
                            match c {
                                Case::Recv(_) => s.chans[ci].recvq.push_back((g, k)),
                                Case::Send(..) => s.chans[ci].sendq.push_back((g, k)),
                            }
                        }
                    }
                    set(&mut s, Phase::Blocked);
                }
            }
            Op::Close(c) => {
                let r = match s.chan_index(p, *c) {
                    None => Res::Panic("close of nil channel"),
                    Some(ci) if s.chans[ci].closed => Res::Panic("close of closed channel"),
                    Some(ci) => {
                        s.chans[ci].closed = true;
                        while let Some((rg, rk)) = s.chans[ci].recvq.pop_front() {
                            s.complete(rg, State::recv_res(rk, None));
                        }
                        while let Some((sg, _)) = s.chans[ci].sendq.pop_front() {
                            s.complete(sg, panic_send());
                        }
                        Res::Closed
                    }
                };
                set(&mut s, Phase::Done(r));
            }
            Op::Sleep(us) => {
                let ph = if *us == 0 { Phase::Done(Res::Slept) } else { Phase::Sleeping(s.now + us * 1000) };
                set(&mut s, ph);
            }
            Op::Stop(t) => {
                let armed = matches!(s.timers[*t], TState::Armed(_));
                s.timers[*t] = TState::Stopped;
                let ci = p.caps.len() + t;
                s.chans[ci].buf.clear(); // Stop drains the channel
                set(&mut s, Phase::Done(Res::Stopped(armed)));
            }
            Op::TrySend(c, v) => {
                let r = match s.chan_index(p, *c) {
                    None => Res::Full,
                    Some(ci) if s.chans[ci].closed => Res::TryClosed,
                    Some(ci) => s.active_send(ci, PLAIN, Val::Data(*v)).unwrap_or(Res::Full),
                };
                set(&mut s, Phase::Done(r));
            }
            Op::TryRecv(c) => {
                let r = match s.chan_index(p, *c) {
                    None => Res::Empty,
                    Some(ci) => s.active_recv(p, ci, PLAIN).unwrap_or(Res::Empty),
                };
                set(&mut s, Phase::Done(r));
            }
            Op::Len(c) => {
                let n = s.chan_index(p, *c).map_or(0, |ci| s.chans[ci].buf.len());
                set(&mut s, Phase::Done(Res::Len(n)));
            }
            Op::Drop(_) => unreachable!("op_at unwraps drop-ops"),
        }
        vec![s]
    }

    /// The next deadline, when no goroutine can run.
    fn next_deadline(&self) -> Option<u64> {
        let t = self.timers.iter().filter_map(|t| if let TState::Armed(d) = t { Some(*d) } else { None });
        let s = self.gs.iter().filter_map(|(_, ph)| if let Phase::Sleeping(d) = ph { Some(*d) } else { None });
        t.chain(s).min()
    }

    /// The virtual clock advances to the next deadline; timers fire.
    fn advance(&self, p: &Program, d: u64) -> State {
        let mut s = self.clone();
        s.now = s.now.max(d);
        for g in 0..s.gs.len() {
            if let Phase::Sleeping(dl) = s.gs[g].1 {
                if dl <= s.now {
                    s.gs[g].1 = Phase::Done(Res::Slept);
                }
            }
        }
        for t in 0..s.timers.len() {
            if let TState::Armed(dl) = s.timers[t] {
                if dl <= s.now {
                    s.timers[t] = TState::Fired;
                    let ci = p.caps.len() + t;
                    let v = Val::Time(s.now);
                    // A non-blocking send: a full channel skips.
                    if let Some((rg, rk)) = s.chans[ci].recvq.pop_front() {
                        s.complete(rg, State::recv_res(rk, Some(v)));
                    } else if s.chans[ci].buf.len() < s.chans[ci].cap {
                        s.chans[ci].buf.push_back(v);
                    }
                }
            }
        }
        s
    }

    /// Every state one internal step away.
    fn successors(&self, p: &Program) -> Vec<State> {
        let mut out = Vec::new();
        for g in 0..self.gs.len() {
            if self.gs[g].1 == Phase::Begun {
                out.extend(self.try_op(p, g));
            }
            if self.parallel && matches!(self.gs[g].1, Phase::DropBlocked | Phase::DropDone(_)) {
                let mut s = self.clone();
                s.drop_op(p, g);
                s.gs[g].1 = Phase::DropGone;
                out.push(s);
            }
        }
        if !(0..self.gs.len()).any(|g| self.runnable(g)) {
            if let Some(d) = self.next_deadline() {
                out.push(self.advance(p, d));
            }
        }
        out
    }

    fn next_op(&mut self, p: &Program, g: usize) {
        let pc = self.gs[g].0 + 1;
        self.gs[g] = (pc, if pc < p.gors[g].len() { Phase::Begun } else { Phase::Finished });
    }

    /// The state after observation `o`, if `o` is allowed in this state
    /// (`timed`: on the virtual clock, whose time it checks).
    fn observe(&self, p: &Program, o: &Obs, timed: bool) -> Option<State> {
        let mut s = self.clone();
        match o {
            Obs::Done { g, res, now } => {
                if (timed && s.now != *now) || s.gs[*g].1 != Phase::Done(res.clone()) {
                    return None;
                }
                s.next_op(p, *g);
            }
            Obs::DropPending { g } => {
                if !matches!(p.gors[*g][s.gs[*g].0], Op::Drop(_)) {
                    return None;
                }
                // (the real drop-op yields before its one poll, which
                // therefore starts with a full budget and tries)
                s.gs[*g].1 = match s.gs[*g].1.clone() {
                    Phase::Blocked => Phase::DropBlocked,
                    // In parallel, a counterparty may have committed it
                    // between the poll and the log entry.
                    Phase::Done(res) if s.parallel => Phase::DropDone(res),
                    _ => return None,
                };
            }
            Obs::Dropped { g } => {
                let g = *g;
                match s.gs[g].1 {
                    Phase::DropGone if s.parallel => {}
                    Phase::DropBlocked | Phase::DropDone(_) if !s.parallel => s.drop_op(p, g),
                    _ => return None,
                }
                s.next_op(p, g);
            }
        }
        Some(s)
    }

    /// Goroutine `g`'s pending drop-op is dropped: a queued one leaves its
    /// queues; a receiver that was handed a value gives it back, to the next
    /// queued receiver, else to the front of the buffer.
    fn drop_op(&mut self, p: &Program, g: usize) {
        match self.gs[g].1.clone() {
            Phase::DropBlocked => self.remove_entries(g),
            Phase::DropDone(res) => {
                if let Some((ci, v)) = self.recv_value_of(p, g, &res) {
                    if let Some((rg, rk)) = self.chans[ci].recvq.pop_front() {
                        self.complete(rg, State::recv_res(rk, Some(v)));
                    } else {
                        self.chans[ci].buf.push_front(v);
                    }
                }
            }
            ph => unreachable!("drop in phase {ph:?}"),
        }
    }

    /// The channel and value of a completed receive result of `g`'s current op.
    fn recv_value_of(&self, p: &Program, g: usize, res: &Res) -> Option<(usize, Val)> {
        let op = op_at(p, g, self.gs[g].0);
        match (op, res) {
            (Op::Recv(c) | Op::RecvOk(c) | Op::TryRecv(c), Res::Recv(Some(v))) => Some((self.chan_index(p, *c)?, *v)),
            (Op::Select(cases, _), Res::Selected(k, Some(Some(v)))) => match cases[*k] {
                Case::Recv(c) => Some((self.chan_index(p, c)?, *v)),
                _ => None,
            },
            _ => None,
        }
    }

    fn blocked_reason(&self, p: &Program, g: usize) -> Option<String> {
        if self.gs[g].1 != Phase::Blocked {
            return None;
        }
        Some(
            match op_at(p, g, self.gs[g].0) {
                Op::Send(ChanRef::Nil, _) => "chan send (nil chan)",
                Op::Send(..) => "chan send",
                Op::Recv(ChanRef::Nil) | Op::RecvOk(ChanRef::Nil) => "chan receive (nil chan)",
                Op::Recv(_) | Op::RecvOk(_) => "chan receive",
                Op::Select(cases, _) if cases.iter().all(|c| matches!(c, Case::Recv(ChanRef::Nil) | Case::Send(ChanRef::Nil, _))) => {
                    "select (no cases)"
                }
                Op::Select(..) => "select",
                _ => return None,
            }
            .to_string(),
        )
    }

    /// Values sent and delivered nowhere else are in the buffers: what the
    /// real buffers hold after the run (the futures of unfinished goroutines
    /// dropped) is the model's buffer, preceded by the values given back by
    /// receivers that were handed a value and never ran again (in any order).
    fn buffers_match(&self, p: &Program, real: &[Vec<u64>]) -> bool {
        for (ci, got) in real.iter().enumerate() {
            let mut back: Vec<u64> = Vec::new();
            for g in 0..self.gs.len() {
                if let Phase::Done(res) | Phase::DropDone(res) = &self.gs[g].1 {
                    if let Some((c, Val::Data(v))) = self.recv_value_of(p, g, res) {
                        if c == ci {
                            back.push(v);
                        }
                    }
                }
            }
            let model: Vec<u64> = self.chans[ci].buf.iter().map(|v| if let Val::Data(v) = v { *v } else { u64::MAX }).collect();
            if got.len() != back.len() + model.len() || got[back.len()..] != model[..] {
                return false;
            }
            let mut front = got[..back.len()].to_vec();
            front.sort();
            back.sort();
            if front != back {
                return false;
            }
        }
        true
    }

    fn describe(&self, p: &Program) -> String {
        let mut out = format!("now={}ns", self.now);
        for (ci, c) in self.chans.iter().enumerate() {
            let name = if ci < p.caps.len() { format!("c{ci}") } else { format!("t{}.C", ci - p.caps.len()) };
            out += &format!(" {name}{{buf={:?}{} recvq={:?} sendq={:?}}}", c.buf, if c.closed { " closed" } else { "" }, c.recvq, c.sendq);
        }
        for (g, (pc, ph)) in self.gs.iter().enumerate() {
            out += &format!(" g{}@{pc}:{ph:?}", g + 1);
        }
        out
    }
}

/// Limit on the states kept between two observations (a program whose
/// interleavings exceed it is skipped, not failed).
pub const MAX_STATES: usize = 200_000;

/// Why a replay stopped.
pub enum Verdict {
    Pass,
    /// Too many model states to check exhaustively.
    TooBig,
    Fail(String),
}

fn closure(p: &Program, frontier: Vec<State>) -> Option<Vec<State>> {
    let mut seen: HashSet<State> = HashSet::new();
    let mut stack = Vec::new();
    for s in frontier {
        if seen.insert(s.clone()) {
            stack.push(s);
        }
    }
    while let Some(s) = stack.pop() {
        for n in s.successors(p) {
            if seen.insert(n.clone()) {
                if seen.len() > MAX_STATES {
                    return None;
                }
                stack.push(n);
            }
        }
    }
    Some(seen.into_iter().collect())
}

fn show_log(log: &[Obs], upto: usize) -> String {
    let mut out = String::new();
    for (i, o) in log.iter().enumerate().take(upto + 1) {
        let line = match o {
            Obs::Done { g, res, now } => format!("g{}: {res:?} at {now}ns", g + 1),
            Obs::DropPending { g } => format!("g{}: drop-op pending, yields", g + 1),
            Obs::Dropped { g } => format!("g{}: drop-op dropped", g + 1),
        };
        out += &format!("  #{i} {line}{}\n", if i == upto { "   <-- not allowed" } else { "" });
    }
    out
}

/// Replays a real run's log and outcome through the model.
pub fn check(p: &Program, log: &[Obs], outcome: &Outcome, bufs: &[Vec<u64>]) -> Verdict {
    check_rules(p, log, outcome, bufs, false)
}

/// Replays the log of a run on the real clock (no timers; times not
/// checked) that ended when every goroutine had finished.
pub fn check_joined(p: &Program, log: &[Obs], bufs: &[Vec<u64>]) -> Verdict {
    check_rules(p, log, &Outcome::Ok, bufs, true)
}

/// `join`: the run ends when every goroutine has finished (main joins the
/// others), on the real clock (times not checked).
fn check_rules(p: &Program, log: &[Obs], outcome: &Outcome, bufs: &[Vec<u64>], join: bool) -> Verdict {
    let mut frontier = vec![State::initial(p, join)];
    for (i, o) in log.iter().enumerate() {
        let Some(all) = closure(p, frontier) else { return Verdict::TooBig };
        let next: HashSet<State> = all.iter().filter_map(|s| s.observe(p, o, !join)).collect();
        if next.is_empty() {
            let sample: Vec<String> = all.iter().take(3).map(|s| s.describe(p)).collect();
            return Verdict::Fail(format!(
                "observation #{i} is not allowed by the model\nlog:\n{}some model states there:\n  {}",
                show_log(log, i),
                sample.join("\n  ")
            ));
        }
        frontier = next.into_iter().collect();
    }
    let Some(all) = closure(p, frontier) else { return Verdict::TooBig };
    let ok = match outcome {
        Outcome::Ok => all.iter().any(|s| s.finished(join) && s.buffers_match(p, bufs)),
        Outcome::Panic { g, msg } => all.iter().any(|s| {
            matches!(&s.gs.get(*g).map(|x| &x.1), Some(Phase::Done(Res::Panic(m))) if m == msg) && s.buffers_match(p, bufs)
        }),
        Outcome::Deadlock(blocked) => all.iter().any(|s| {
            let quiet = !(0..s.gs.len()).any(|g| s.runnable(g)) && s.next_deadline().is_none();
            let mut model: Vec<(usize, String)> =
                (0..s.gs.len()).filter_map(|g| s.blocked_reason(p, g).map(|r| (g, r))).collect();
            model.sort();
            quiet && s.gs[0].1 != Phase::Finished && &model == blocked && s.buffers_match(p, bufs)
        }),
    };
    if ok {
        Verdict::Pass
    } else {
        let sample: Vec<String> = all.iter().take(3).map(|s| s.describe(p)).collect();
        Verdict::Fail(format!(
            "the run ended with {outcome:?} (buffers after it: {bufs:?}), which the model does not allow after\n{}some model states there:\n  {}",
            show_log(log, usize::MAX - 1),
            sample.join("\n  ")
        ))
    }
}

/// How a run may end, as a class: "ok", "deadlock" or "panic: <message>".
pub fn outcome_class(o: &Outcome) -> String {
    match o {
        Outcome::Ok => "ok".into(),
        Outcome::Deadlock(_) => "deadlock".into(),
        Outcome::Panic { msg, .. } => format!("panic: {msg}"),
    }
}

impl State {
    /// Every state one step away, observable steps (a goroutine going on
    /// after its operation completed, a drop-op yielding and dropping)
    /// included.
    fn moves(&self, p: &Program) -> Vec<State> {
        let mut out = self.successors(p);
        for g in 0..self.gs.len() {
            let (pc, ph) = &self.gs[g];
            let drop_op = *pc < p.gors[g].len() && matches!(p.gors[g][*pc], Op::Drop(_));
            let o = match ph {
                Phase::Done(Res::Panic(_)) => continue,
                Phase::Done(res) => Obs::Done { g, res: res.clone(), now: self.now },
                Phase::Blocked if drop_op => Obs::DropPending { g },
                Phase::DropBlocked | Phase::DropDone(_) | Phase::DropGone => Obs::Dropped { g },
                _ => continue,
            };
            out.extend(self.observe(p, &o, true));
        }
        out
    }

    /// Whether the run is over: main returned (`join`: every goroutine).
    fn finished(&self, join: bool) -> bool {
        let gs = if join { &self.gs[..] } else { &self.gs[..1] };
        gs.iter().all(|(_, ph)| *ph == Phase::Finished)
    }

    fn panic_due(&self) -> Vec<&'static str> {
        self.gs.iter().filter_map(|(_, ph)| if let Phase::Done(Res::Panic(m)) = ph { Some(*m) } else { None }).collect()
    }
}

/// Every way a run of `p` may end under Go's rules (over all schedules and
/// select choices), or None if there are more than `limit` states (`join`:
/// the run ends when every goroutine has finished, not when main returns).
pub fn outcome_classes(p: &Program, limit: usize, join: bool) -> Option<std::collections::BTreeSet<String>> {
    let mut classes = std::collections::BTreeSet::new();
    let init = State::initial(p, join);
    let mut seen: HashSet<State> = HashSet::from([init.clone()]);
    let mut stack = vec![init];
    while let Some(s) = stack.pop() {
        for m in s.panic_due() {
            classes.insert(format!("panic: {m}"));
        }
        if s.finished(join) {
            classes.insert("ok".into());
            continue; // the run ends when main returns
        }
        let next = s.moves(p);
        if next.is_empty() && s.panic_due().is_empty() {
            classes.insert("deadlock".into());
        }
        for n in next {
            if seen.insert(n.clone()) {
                if seen.len() > limit {
                    return None;
                }
                stack.push(n);
            }
        }
    }
    Some(classes)
}
