//! Runs a program on the deterministic executor and records what each
//! goroutine observes, in the order the executor runs them.

use super::model::{Obs, Outcome, Res, Val, DEFAULT};
use super::program::{Case, ChanRef, Op, Program};
use golang::time::Timer;
use golang::chan::{RecvCase, SendCase, TryRecvError, TrySendError};
use golang::{Chan, MultiRuntime, RunError, Runtime, Select};
use std::future::{poll_fn, Future};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

/// A real run: the observation log, how it ended, and what the data
/// channels held afterwards.
pub struct Run {
    pub log: Vec<Obs>,
    pub outcome: Outcome,
    pub bufs: Vec<Vec<u64>>,
}

enum TimerChan {
    Stoppable(Timer),
    After(Chan<f64>),
}

struct Env {
    chans: Vec<Chan<u64>>,
    timers: Vec<TimerChan>,
    nil: Chan<u64>,
    log: Mutex<Vec<Obs>>,
}

impl Env {
    fn data(&self, c: ChanRef) -> &Chan<u64> {
        match c {
            ChanRef::Data(i) => &self.chans[i],
            ChanRef::Nil => &self.nil,
            ChanRef::Timer(_) => unreachable!("timer channels are only received from"),
        }
    }
    fn timer(&self, i: usize) -> &Chan<f64> {
        match &self.timers[i] {
            TimerChan::Stoppable(t) => t.c(),
            TimerChan::After(c) => c,
        }
    }
    fn push(&self, o: Obs) {
        self.log.lock().unwrap().push(o);
    }
}

fn time_val(t: f64) -> Val {
    let us = ((t - golang::sched::VIRTUAL_EPOCH_UNIX) * 1e6).round() as u64;
    Val::Time(us * 1000)
}

fn now() -> u64 {
    golang::sched::now_ns()
}

/// Polls `fut` once: Some(output) if it completed. It yields first, so that
/// the poll starts with a full cooperative budget and really tries the
/// operation (the model has no "polled but not tried" state).
async fn poll_once<F: Future + Unpin>(fut: &mut F) -> Option<F::Output> {
    golang::yield_now().await;
    poll_fn(|cx| Poll::Ready(match std::pin::Pin::new(&mut *fut).poll(cx) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }))
    .await
}

/// One case of a select on the caller's stack.
enum StackCase<'a> {
    RecvData(RecvCase<'a, u64>),
    RecvTime(RecvCase<'a, f64>),
    Send(SendCase<'a, u64>),
}

impl StackCase<'_> {
    fn case(&mut self) -> &mut dyn golang::chan::Case {
        match self {
            StackCase::RecvData(c) => c,
            StackCase::RecvTime(c) => c,
            StackCase::Send(c) => c,
        }
    }
}

/// Runs a select with its cases on the stack (`golang::chan::select`), as
/// goroutines of odd index do; a send case on a closed channel panics as in Go.
async fn select_on_stack(env: &Env, cases: &[Case], dflt: bool, drop_op: Option<usize>) -> Option<Res> {
    let mut cs: Vec<StackCase<'_>> = cases
        .iter()
        .map(|c| match *c {
            Case::Recv(ChanRef::Timer(t)) => StackCase::RecvTime(RecvCase::new(env.timer(t))),
            Case::Recv(c) => StackCase::RecvData(RecvCase::new(env.data(c))),
            Case::Send(c, v) => StackCase::Send(SendCase::new(env.data(c), v)),
        })
        .collect();
    let r = {
        let mut refs: Vec<&mut dyn golang::chan::Case> = cs.iter_mut().map(|c| c.case()).collect();
        let mut fut = golang::chan::select(&mut refs, dflt);
        match drop_op {
            None => fut.await,
            Some(g) => match poll_once(&mut fut).await {
                Some(r) => r,
                None => {
                    env.push(Obs::DropPending { g });
                    golang::yield_now().await;
                    drop(fut);
                    return None;
                }
            },
        }
    };
    let k = r.unwrap_or_else(|e| panic!("{e}"));
    if k == DEFAULT {
        return Some(Res::Selected(DEFAULT, None));
    }
    Some(match &mut cs[k] {
        StackCase::RecvTime(c) => Res::Selected(k, Some(c.take().unwrap().map(time_val))),
        StackCase::RecvData(c) => Res::Selected(k, Some(c.take().unwrap().map(Val::Data))),
        StackCase::Send(_) => Res::Selected(k, None),
    })
}

/// Runs a select with the `Select` builder, as goroutines of even index
/// do; a send case on a closed channel panics as in Go.
async fn select(env: &Env, cases: &[Case], dflt: bool, drop_op: Option<usize>) -> Option<Res> {
    let mut sel = Select::new();
    for c in cases {
        match *c {
            Case::Recv(ChanRef::Timer(t)) => sel.recv(env.timer(t)),
            Case::Recv(c) => sel.recv(env.data(c)),
            Case::Send(c, v) => sel.send(env.data(c), v),
        };
    }
    if dflt {
        sel.default_case();
    }
    let r = match drop_op {
        None => sel.wait().await,
        Some(g) => {
            let mut fut = sel.wait();
            match poll_once(&mut fut).await {
                Some(r) => r,
                None => {
                    env.push(Obs::DropPending { g });
                    golang::yield_now().await;
                    drop(fut);
                    return None;
                }
            }
        }
    };
    let k = match r {
        Ok(k) => k,
        Err(e) => panic!("{e}"),
    };
    if k == DEFAULT {
        return Some(Res::Selected(DEFAULT, None));
    }
    Some(match cases[k] {
        Case::Recv(ChanRef::Timer(_)) => Res::Selected(k, Some(sel.take_recv::<f64>(k).unwrap().map(time_val))),
        Case::Recv(_) => Res::Selected(k, Some(sel.take_recv::<u64>(k).unwrap().map(Val::Data))),
        Case::Send(..) => Res::Selected(k, None),
    })
}

/// Poll-once-then-drop of a channel future: Some(output) if the first poll
/// completed it.
async fn drop_op<F: Future + Unpin>(env: &Env, g: usize, mut fut: F) -> Option<F::Output> {
    if let Some(v) = poll_once(&mut fut).await {
        return Some(v);
    }
    env.push(Obs::DropPending { g });
    golang::yield_now().await;
    drop(fut);
    None
}

async fn exec(env: &Env, g: usize, op: &Op) -> Option<Res> {
    Some(match op {
        Op::Send(c, v) => {
            let _ = env.data(*c).send(*v).await; // panics on a closed channel
            Res::Sent
        }
        Op::Recv(ChanRef::Timer(t)) => Res::Recv(env.timer(*t).recv().await.map(time_val)),
        Op::Recv(c) => Res::Recv(env.data(*c).recv().await.map(Val::Data)),
        Op::RecvOk(ChanRef::Timer(t)) => {
            let (v, ok) = env.timer(*t).recv_().await;
            match ok {
                true => Res::Recv(Some(time_val(v))),
                false if v == 0.0 => Res::Recv(None),
                false => Res::Bad(format!("v, ok := <-ch gave ({v}, false)")),
            }
        }
        Op::RecvOk(c) => {
            let (v, ok) = env.data(*c).recv_().await;
            match ok {
                true => Res::Recv(Some(Val::Data(v))),
                false if v == 0 => Res::Recv(None),
                false => Res::Bad(format!("v, ok := <-ch gave ({v}, false)")),
            }
        }
        Op::Select(cases, dflt) if g % 2 == 1 => return select_on_stack(env, cases, *dflt, None).await,
        Op::Select(cases, dflt) => return select(env, cases, *dflt, None).await,
        Op::Close(c) => {
            env.data(*c).close(); // panics: close of nil / closed channel
            Res::Closed
        }
        Op::Sleep(us) => {
            golang::sleep(Duration::from_micros(*us)).await;
            Res::Slept
        }
        Op::TrySend(c, v) => match env.data(*c).try_send(*v) {
            Ok(()) => Res::Sent,
            Err(TrySendError::Full(_)) => Res::Full,
            Err(TrySendError::Closed(_)) => Res::TryClosed,
        },
        Op::TryRecv(ChanRef::Timer(t)) => match env.timer(*t).try_recv() {
            Ok(v) => Res::Recv(Some(time_val(v))),
            Err(TryRecvError::Empty) => Res::Empty,
            Err(TryRecvError::Closed) => Res::Recv(None),
        },
        Op::TryRecv(c) => match env.data(*c).try_recv() {
            Ok(v) => Res::Recv(Some(Val::Data(v))),
            Err(TryRecvError::Empty) => Res::Empty,
            Err(TryRecvError::Closed) => Res::Recv(None),
        },
        Op::Len(ChanRef::Timer(t)) => Res::Len(env.timer(*t).len()),
        Op::Len(c) => Res::Len(env.data(*c).len()),
        Op::Stop(t) => match &env.timers[*t] {
            TimerChan::Stoppable(tm) => Res::Stopped(tm.stop()),
            TimerChan::After(_) => unreachable!("Stop names stoppable timers"),
        },
        Op::Drop(inner) => match &**inner {
            Op::Send(c, v) => {
                let ch = env.data(*c);
                let fut = ch.send(*v);
                let _ = drop_op(env, g, fut).await?; // panics on a closed channel
                Res::Sent
            }
            Op::Recv(ChanRef::Timer(t)) => {
                let ch = env.timer(*t);
                Res::Recv(drop_op(env, g, ch.recv()).await?.map(time_val))
            }
            Op::Recv(c) => {
                let ch = env.data(*c);
                Res::Recv(drop_op(env, g, ch.recv()).await?.map(Val::Data))
            }
            Op::Select(cases, false) if g % 2 == 1 => return select_on_stack(env, cases, false, Some(g)).await,
            Op::Select(cases, false) => return select(env, cases, false, Some(g)).await,
            op => unreachable!("drop of {op:?}"),
        },
    })
}

async fn goroutine(env: Arc<Env>, g: usize, ops: Vec<Op>) {
    run_ops(&env, g, &ops).await
}

/// Runs goroutine `g`'s operations, logging what each gives.
async fn run_ops(env: &Env, g: usize, ops: &[Op]) {
    for op in ops {
        match exec(env, g, op).await {
            Some(res) => env.push(Obs::Done { g, res, now: now() }),
            None => env.push(Obs::Dropped { g }),
        }
    }
}

/// What is left in each channel at the end of a run, in order.
fn drain(chans: &[Chan<u64>]) -> Vec<Vec<u64>> {
    chans
        .iter()
        .map(|c| {
            let mut v = Vec::new();
            while let Ok(x) = c.try_recv() {
                v.push(x);
            }
            v
        })
        .collect()
}

/// Runs `p` on `Runtime::deterministic(seed)`.
pub fn run(p: &Program, seed: u64) -> Run {
    let chans: Vec<Chan<u64>> = p.caps.iter().map(|&c| Chan::new(c)).collect();
    let keep = chans.clone();
    let env_slot: Arc<Mutex<Option<Arc<Env>>>> = Arc::new(Mutex::new(None));
    let slot = env_slot.clone();
    let prog = p.clone();
    let rt = Runtime::deterministic(seed);
    let res = rt.block_on(async move {
        let timers = prog
            .timers
            .iter()
            .map(|t| {
                let d = Duration::from_micros(t.us);
                if t.stoppable {
                    TimerChan::Stoppable(Timer::new(d))
                } else {
                    TimerChan::After(golang::time::after(d))
                }
            })
            .collect();
        let env = Arc::new(Env { chans, timers, nil: Chan::nil(), log: Mutex::new(Vec::new()) });
        *slot.lock().unwrap() = Some(env.clone());
        for g in 1..prog.gors.len() {
            golang::go(goroutine(env.clone(), g, prog.gors[g].clone()));
        }
        goroutine(env, 0, prog.gors[0].clone()).await;
    });
    drop(rt);
    let outcome = match res {
        Ok(()) => Outcome::Ok,
        Err(RunError::Panic { goroutine, message, .. }) => Outcome::Panic { g: goroutine as usize - 1, msg: message },
        Err(RunError::Deadlock { goroutines, .. }) => {
            let mut v: Vec<(usize, String)> =
                goroutines.into_iter().map(|(id, _, r)| (id as usize - 1, r.to_string())).collect();
            v.sort();
            Outcome::Deadlock(v)
        }
    };
    let env = env_slot.lock().unwrap().take().expect("main ran");
    let log = std::mem::take(&mut *env.log.lock().unwrap());
    let bufs = drain(&keep);
    Run { log, outcome, bufs }
}

/// Runs `p` (no timers) on `MultiRuntime::new(workers)`, main joining the
/// other goroutines; None if it did not finish within `timeout` (its
/// threads are then left behind).
pub fn run_multi(p: &Program, workers: usize, timeout: Duration) -> Option<Run> {
    assert!(p.timers.is_empty(), "the real clock: no timers");
    let chans: Vec<Chan<u64>> = p.caps.iter().map(|&c| Chan::new(c)).collect();
    let keep = chans.clone();
    let env = Arc::new(Env { chans, timers: Vec::new(), nil: Chan::nil(), log: Mutex::new(Vec::new()) });
    let (tx, rx) = std::sync::mpsc::channel();
    let (e, prog) = (env.clone(), p.clone());
    std::thread::spawn(move || {
        let rt = MultiRuntime::new(workers);
        let res = rt.block_on(async move {
            let done: Chan<()> = Chan::new(prog.gors.len());
            for g in 1..prog.gors.len() {
                let (e, d, ops) = (e.clone(), done.clone(), prog.gors[g].clone());
                golang::go(async move {
                    run_ops(&e, g, &ops).await;
                    d.send(()).await.unwrap();
                });
            }
            run_ops(&e, 0, &prog.gors[0]).await;
            for _ in 1..prog.gors.len() {
                done.recv().await;
            }
        });
        let _ = tx.send(res);
    });
    let res = rx.recv_timeout(timeout).ok()?;
    res.unwrap_or_else(|e| panic!("the program was to finish: {e}"));
    let log = std::mem::take(&mut *env.log.lock().unwrap());
    let bufs = drain(&keep);
    Some(Run { log, outcome: Outcome::Ok, bufs })
}
