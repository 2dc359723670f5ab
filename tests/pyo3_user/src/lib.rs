//! `pyo3_user`: a Rust extension of its own (not part of the `golang`
//! package) that uses the package's runtime through the `golang-capi`
//! crate: it takes Python `chan`s, uses them as typed channels without the
//! GIL, selects over them and starts goroutines on the shared runtime (OS
//! threads, or greenlets under gpython). tests/python/test_pyo3_user.py
//! builds it and checks what it does.

use golang_capi::{default_case, go, import, select, Chan};
use pyo3::prelude::*;

/// Starts a goroutine that receives `n` ints from `inp`, sends each
/// doubled to `out`, then closes `out` (both `chan(dtype='C.int')`).
#[pyfunction]
fn echo_doubled(py: Python<'_>, inp: &Bound<'_, PyAny>, out: &Bound<'_, PyAny>, n: usize) -> PyResult<()> {
    let api = import(py)?;
    let (inp, out) = (Chan::<i32>::from_py(api, inp)?, Chan::<i32>::from_py(api, out)?);
    go(api, move || {
        for _ in 0..n {
            match inp.recv_() {
                Ok((v, true)) => {
                    if out.send(v * 2).is_err() {
                        return;
                    }
                }
                _ => return,
            }
        }
        let _ = out.close();
    })
    .map_err(|p| golang_capi::panic_error(py, p))
}

/// A new `chan(dtype='C.int')` made in Rust, fed `0..n` by a goroutine that
/// then closes it.
#[pyfunction]
fn counter(py: Python<'_>, n: i32) -> PyResult<Py<PyAny>> {
    let api = import(py)?;
    let ch = Chan::<i32>::make_shared(api, 0).map_err(|p| golang_capi::panic_error(py, p))?;
    let tx = ch.clone();
    go(api, move || {
        for i in 0..n {
            let _ = tx.send(i);
        }
        let _ = tx.close();
    })
    .map_err(|p| golang_capi::panic_error(py, p))?;
    ch.to_py(py)
}

/// Selects, without the GIL, over receiving from two `chan(dtype='C.int')`;
/// with `nowait`, a default case too. Gives `(index, value, ok)` (index 2:
/// the default case).
#[pyfunction]
#[pyo3(signature = (a, b, nowait=false))]
fn select_recv(py: Python<'_>, a: &Bound<'_, PyAny>, b: &Bound<'_, PyAny>, nowait: bool) -> PyResult<(usize, i32, bool)> {
    let api = import(py)?;
    let (a, b) = (Chan::<i32>::from_py(api, a)?, Chan::<i32>::from_py(api, b)?);
    let r = py.detach(move || {
        let (mut va, mut vb, mut oka, mut okb) = (0i32, 0i32, false, false);
        let mut cases = vec![a.recv_case(&mut va, Some(&mut oka)), b.recv_case(&mut vb, Some(&mut okb))];
        if nowait {
            cases.push(default_case());
        }
        let k = select(api, &cases)?;
        Ok(match k {
            0 => (0, va, oka),
            1 => (1, vb, okb),
            _ => (2, 0, false),
        })
    });
    r.map_err(|p| golang_capi::panic_error(py, p))
}

#[pymodule]
fn pyo3_user(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(echo_doubled, m)?)?;
    m.add_function(wrap_pyfunction!(counter, m)?)?;
    m.add_function(wrap_pyfunction!(select_recv, m)?)?;
    Ok(())
}
