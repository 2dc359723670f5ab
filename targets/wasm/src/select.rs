//! `select` and `aselect` for the shim.
//!
//! The shim parses Python's cases (and raises Pygolang's errors for bad
//! ones) and passes them flat, in order, without the default (whose
//! position among select's arguments is `default_at`, or -1): a select of
//! receive cases only passes their channel ids (`select_recv`); one with a
//! send case passes three numbers per case: whether it sends (1 or 0), the
//! channel id and the value to send (a handle or number; 0 for a receive).
//! As natively, the select is first tried at once (a ready case commits,
//! else a default does); only then does the async form wait, with a future
//! that owns its channels and values.
//!
//! It answers in one call (`crate::reply`): the committed case's index
//! among select's arguments, with what a receive case got in the mailbox
//! (`undefined` if its channel was closed and drained), or the name of
//! WAIT, BRIDGE or PANIC.

use crate::chans::{self, Mode};
use crate::coro::{OpOut, Start};
use crate::reply;
use crate::value::{AnyChan, Got, IntoGot, PyRef, Val};
use golang_chan::{CaseSlot, Cases, ChanError, RecvCase, SendCase};
use golang_pycore::select::{committed, Committed};
use wasm_bindgen::prelude::*;

/// One parsed case: its channel, the value to send (none for a receive),
/// and its index among the Python arguments.
struct Parsed {
    ch: AnyChan,
    send: Option<Val>,
    index: usize,
}

/// One concrete case borrowing a parsed case's channel.
enum WCase<'a> {
    RObj(RecvCase<'a, PyRef>),
    RZ(RecvCase<'a, ()>),
    RBool(RecvCase<'a, bool>),
    RInt(RecvCase<'a, i32>),
    RDouble(RecvCase<'a, f64>),
    SObj(SendCase<'a, PyRef>),
    SZ(SendCase<'a, ()>),
    SBool(SendCase<'a, bool>),
    SInt(SendCase<'a, i32>),
    SDouble(SendCase<'a, f64>),
}

struct Slot<'a> {
    case: WCase<'a>,
    index: usize,
}

impl CaseSlot for Slot<'_> {
    fn case(&mut self) -> &mut dyn golang_chan::Case {
        match &mut self.case {
            WCase::RObj(c) => c,
            WCase::RZ(c) => c,
            WCase::RBool(c) => c,
            WCase::RInt(c) => c,
            WCase::RDouble(c) => c,
            WCase::SObj(c) => c,
            WCase::SZ(c) => c,
            WCase::SBool(c) => c,
            WCase::SInt(c) => c,
            WCase::SDouble(c) => c,
        }
    }
}

fn slot(p: &mut Parsed) -> Slot<'_> {
    let case = match (&p.ch, p.send.take()) {
        (AnyChan::Obj(c), None) => WCase::RObj(RecvCase::new(c)),
        (AnyChan::StructZ(c), None) => WCase::RZ(RecvCase::new(c)),
        (AnyChan::Bool(c), None) => WCase::RBool(RecvCase::new(c)),
        (AnyChan::Int(c), None) => WCase::RInt(RecvCase::new(c)),
        (AnyChan::Double(c), None) => WCase::RDouble(RecvCase::new(c)),
        (AnyChan::Obj(c), Some(Val::Obj(v))) => WCase::SObj(SendCase::new(c, v)),
        (AnyChan::StructZ(c), Some(_)) => WCase::SZ(SendCase::new(c, ())),
        (AnyChan::Bool(c), Some(Val::Bool(v))) => WCase::SBool(SendCase::new(c, v)),
        (AnyChan::Int(c), Some(Val::Int(v))) => WCase::SInt(SendCase::new(c, v)),
        (AnyChan::Double(c), Some(Val::Double(v))) => WCase::SDouble(SendCase::new(c, v)),
        _ => unreachable!("send values are made for their channel's dtype"),
    };
    Slot { case, index: p.index }
}

/// Gives the send value of a case that did not commit back to its parsed
/// case (for the wait after a failed try).
fn give_back(s: Slot<'_>) -> Option<Val> {
    match s.case {
        WCase::SObj(c) => c.into_value().map(Val::Obj),
        WCase::SZ(c) => c.into_value().map(|_| Val::StructZ),
        WCase::SBool(c) => c.into_value().map(Val::Bool),
        WCase::SInt(c) => c.into_value().map(Val::Int),
        WCase::SDouble(c) => c.into_value().map(Val::Double),
        _ => None,
    }
}

/// The Python index of the committed case and what it received.
fn outcome(default_at: Option<usize>, sel: &mut [Slot<'_>], r: Result<usize, ChanError>) -> Result<(usize, Got), String> {
    let k = match committed(default_at, r).map_err(|e| e.to_string())? {
        Committed::Default(i) => return Ok((i, Got::Nothing)),
        Committed::Case(k) => k,
    };
    let s = &mut sel[k];
    let got = match &mut s.case {
        WCase::RObj(r) => r.take().map_or(Got::Nothing, IntoGot::got),
        WCase::RZ(r) => r.take().map_or(Got::Nothing, IntoGot::got),
        WCase::RBool(r) => r.take().map_or(Got::Nothing, IntoGot::got),
        WCase::RInt(r) => r.take().map_or(Got::Nothing, IntoGot::got),
        WCase::RDouble(r) => r.take().map_or(Got::Nothing, IntoGot::got),
        _ => Got::Nothing,
    };
    Ok((s.index, got))
}

/// The index among select's arguments of the `k`-th case that is not the
/// default.
fn index_of(k: usize, default_at: Option<usize>) -> usize {
    match default_at {
        Some(d) if k >= d => k + 1,
        _ => k,
    }
}

fn parse(flat: &[f64], default_at: Option<usize>) -> Vec<Parsed> {
    flat.chunks_exact(3)
        .enumerate()
        .map(|(k, c)| {
            let ch = chans::get(c[1] as u32);
            let send = (c[0] == 1.0).then(|| Val::from_f64(ch.dtype(), c[2]));
            Parsed { ch, send, index: index_of(k, default_at) }
        })
        .collect()
}

fn parse_recv(ids: &[f64], default_at: Option<usize>) -> Vec<Parsed> {
    ids.iter()
        .enumerate()
        .map(|(k, id)| Parsed { ch: chans::get(*id as u32), send: None, index: index_of(k, default_at) })
        .collect()
}

fn start(mut cases: Vec<Parsed>, default_at: Option<usize>, park: bool) -> Start {
    {
        let mut sel: Vec<Slot<'_>> = cases.iter_mut().map(slot).collect();
        if let Some(r) = Cases::new(&mut sel, default_at.is_some()).try_select() {
            return match outcome(default_at, &mut sel, r) {
                Ok((i, g)) => {
                    // (the value first: reply::answer gives the index)
                    reply::mail(reply::MB_VALUE, g.to_js());
                    Start::Done(Got::Index(i))
                }
                Err(m) => Start::Panic(m),
            };
        }
        let back: Vec<Option<Val>> = sel.into_iter().map(give_back).collect();
        for (p, v) in cases.iter_mut().zip(back) {
            p.send = v;
        }
    }
    if !park {
        return Start::Wait(Box::pin(async { OpOut::Retry }));
    }
    Start::Wait(Box::pin(async move {
        let mut cases = cases;
        let mut sel: Vec<Slot<'_>> = cases.iter_mut().map(slot).collect();
        let r = Cases::new(&mut sel, false).wait().await;
        match outcome(default_at, &mut sel, r) {
            Ok((i, g)) => OpOut::Selected(i, g),
            Err(m) => OpOut::Panic(m),
        }
    }))
}

fn run(mode: Mode, default_at: f64, cases: impl FnOnce(Option<usize>) -> Vec<Parsed>) -> JsValue {
    let default_at = (default_at >= 0.0).then_some(default_at as usize);
    let cases = cases(default_at);
    reply::answer(chans::finish(mode, move || start(cases, default_at, mode == Mode::Async)))
}

/// `select(*cases)` (sync: try only): the committed case's index, else the
/// name of WAIT (it would block) or PANIC (Go's message in `last_error`).
#[wasm_bindgen]
pub fn select(default_at: f64, flat: &[f64]) -> JsValue {
    run(Mode::Sync, default_at, |d| parse(flat, d))
}

/// `await aselect(*cases)`'s first step: the index, else the name of WAIT
/// (yield to the driver), BRIDGE or PANIC.
#[wasm_bindgen]
pub fn aselect(default_at: f64, flat: &[f64]) -> JsValue {
    run(Mode::Async, default_at, |d| parse(flat, d))
}

/// [`select`] of receive cases only, given by their channel ids.
#[wasm_bindgen]
pub fn select_recv(default_at: f64, ids: &[f64]) -> JsValue {
    run(Mode::Sync, default_at, |d| parse_recv(ids, d))
}

/// [`aselect`] of receive cases only, given by their channel ids.
#[wasm_bindgen]
pub fn aselect_recv(default_at: f64, ids: &[f64]) -> JsValue {
    run(Mode::Async, default_at, |d| parse_recv(ids, d))
}
