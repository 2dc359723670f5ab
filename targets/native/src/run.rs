//! `golang.run(main, *args, seed=N, clock='virtual')`: runs `main(*args)`
//! as goroutine 1 of a deterministic executor on the calling thread and
//! returns its result. Main is a coroutine (coro.rs) or, for a plain main,
//! a synchronous goroutine (syncrun.rs: `_syncrun.run` hands it over as a
//! `SyncMain`); the executor's strategy and schedule come from schedule.rs.

use crate::coro::{CoroTask, Failure};
use golang_pycore::msg;
use golang_sched::{ClockKind, RunError};
use pyo3::create_exception;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

create_exception!(golang, DeadlockError, PyRuntimeError, "All goroutines are asleep: the run can never finish.");

fn env_seed() -> Option<u64> {
    golang_sched::testing::env_seed()
}

/// `golang.run(main, *args, seed=None, clock='virtual', strategy=None,
/// replay=None, lenient=False, record=False)` (the last four:
/// schedule.rs; python/golang/schedule.py turns files into them).
#[pyfunction]
#[pyo3(signature = (main, *args, seed=None, clock="virtual", strategy=None, replay=None, lenient=false, record=false))]
#[allow(clippy::too_many_arguments)]
pub fn run(
    py: Python<'_>,
    main: &Bound<'_, PyAny>,
    args: &Bound<'_, PyTuple>,
    seed: Option<u64>,
    clock: &str,
    strategy: Option<&str>,
    replay: Option<&str>,
    lenient: bool,
    record: bool,
) -> PyResult<Py<PyAny>> {
    crate::schedule::forget_last();
    let clock = match clock {
        "virtual" => ClockKind::Virtual,
        "real" => ClockKind::Real,
        other => return Err(PyValueError::new_err(msg::run_bad_clock(&format!("{other:?}")))),
    };
    if golang_sched::in_executor() {
        return Err(PyRuntimeError::new_err(msg::RUN_NESTED));
    }
    let seed = seed.or_else(env_seed).unwrap_or_else(golang_sched::rng::random_seed);
    let options = crate::schedule::RunOptions { strategy, replay, lenient, record };
    let rt = crate::schedule::runtime(clock, seed, &options)?;
    let seed = rt.seed();
    let coro = main.call1(args)?;
    let failure: Failure = Arc::new(Mutex::new(None));
    let out = Arc::new(Mutex::new(None));
    // main: a synchronous goroutine (a plain main, from _syncrun.run) or a coroutine
    let task: Pin<Box<dyn Future<Output = ()> + Send>> = match coro.cast::<crate::syncrun::SyncMain>() {
        Ok(m) => Box::pin(m.get().task(py, failure.clone(), out.clone())),
        Err(_) => {
            if !coro.hasattr("send")? || !coro.hasattr("throw")? {
                return Err(PyValueError::new_err(msg::run_not_async(&main.repr()?.to_cow()?)));
            }
            let name = crate::coro::coro_name(py, &coro);
            Box::pin(CoroTask::new(coro.unbind(), name, Some(failure.clone()), out.clone()))
        }
    };
    let f2 = failure.clone();
    // The run keeps the GIL while goroutines run (each goroutine step then
    // costs no GIL hand-over). On the virtual clock the executor never
    // sleeps; on the real clock it releases the GIL while it sleeps in the
    // reactor, so that other Python threads run then.
    crate::coro::set_run_failure(Some(f2));
    if clock == ClockKind::Real && crate::gevent::enabled() {
        // Under gevent the run is one greenlet of the hub's thread: it waits
        // for its next event in the hub (gevent's select on the poller), so
        // that the other greenlets, which main may wait for, run meanwhile.
        let f3 = failure.clone();
        rt.set_idle_wait(move |timeout, fd| {
            crate::gil::attach(|py| {
                let r = py
                    .import("golang._runtime_gevent")
                    .and_then(|m| m.getattr("_idle_wait"))
                    .and_then(|w| w.call1((timeout.map(|t| t.as_secs_f64()), fd)));
                match r {
                    Ok(_) => Ok(()),
                    Err(e) => {
                        let mut slot = f3.lock().unwrap_or_else(|p| p.into_inner());
                        if slot.is_none() {
                            *slot = Some((e, "main".into(), true));
                        }
                        Err("interrupted while waiting in the gevent hub".into())
                    }
                }
            })
        });
    } else if clock == ClockKind::Virtual && !crate::gevent::enabled() {
        // A thread that the run started may still wake a goroutine (a send
        // on a channel main waits on): while one is alive, all goroutines
        // waiting is not yet a deadlock (_syncrun._outside_wait).
        let sr = py.import("golang._syncrun")?;
        let before = sr.getattr("_outside_begin")?.call0()?.unbind();
        let wait = sr.getattr("_outside_wait")?.unbind();
        rt.set_outside_wait(move || {
            crate::gil::attach(|py| match wait.call1(py, (before.bind(py),)) {
                Ok(r) => r.is_truthy(py).unwrap_or(false),
                Err(e) => {
                    e.write_unraisable(py, None);
                    false
                }
            })
        });
    } else if clock == ClockKind::Real {
        // Ctrl-C while the run sleeps: the run ends and raises it.
        let f3 = failure.clone();
        crate::gil::release_gil_while_idle(&rt, move |e| {
            let mut slot = f3.lock().unwrap_or_else(|p| p.into_inner());
            if slot.is_none() {
                *slot = Some((e, "main".into(), true));
            }
            drop(slot);
            golang_sched::fail_run("interrupted by a signal");
        });
    }
    let res = rt.block_on(task);
    crate::schedule::keep(&rt);
    drop(rt);
    crate::coro::set_run_failure(None);
    if let Some((e, name, _from_main)) = failure.lock().unwrap().take() {
        let note = match (replay, strategy) {
            (Some(_), _) => format!("golang.run: raised in goroutine {name:?}; reproduce with the same replay"),
            (None, Some(s)) => format!("golang.run: raised in goroutine {name:?}; reproduce with strategy={s:?}"),
            (None, None) => msg::run_raised_note(format!("{name:?}"), seed),
        };
        add_seed(py, &e, &note);
        return Err(e);
    }
    match res {
        Ok(()) => Ok(out.lock().unwrap().take().unwrap_or_else(|| py.None())),
        Err(e @ RunError::Deadlock { .. }) => Err(DeadlockError::new_err(e.to_string())),
        Err(e) => Err(PyRuntimeError::new_err(e.to_string())),
    }
}

// Puts the seed where a reader of the failure sees it: a note (PEP 678), on
// Pythons before 3.11 (no `add_note`) appended to `__notes__` by hand. The
// exception itself is left as raised: its `args` are the goroutine's.
fn add_seed(py: Python<'_>, e: &PyErr, note: &str) {
    let v = e.value(py);
    if v.hasattr("add_note").unwrap_or(false) {
        let _ = v.call_method1("add_note", (note,));
    } else {
        let notes = v.getattr("__notes__").ok().filter(|n| n.is_instance_of::<pyo3::types::PyList>());
        match notes {
            Some(n) => {
                let _ = n.call_method1("append", (note,));
            }
            None => {
                if let Ok(l) = pyo3::types::PyList::new(py, [note]) {
                    let _ = v.setattr("__notes__", l);
                }
            }
        }
    }
    let _ = v.setattr("golang_seed", note.rsplit("seed=").next().and_then(|s| s.split(' ').next()).unwrap_or(""));
}
