//! `select(*cases)` for Python, with Pygolang's case syntax:
//! `ch.recv` → rx is the value; `ch.recv_` → rx is (value, ok);
//! `(ch.send, obj)` → rx is None; `default` → rx is None.
//!
//! The select first runs its try pass with the GIL held (a ready case costs
//! no thread switch); only a select that must wait releases the GIL.

use crate::gil;
use crate::go_panic;
use crate::pychan::{panic_err, to_val, AnyChan, DType, Elem, PyChan, Val};
use golang_chan::{Select, DEFAULT};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyTuple;
use pyo3::intern;

/// The type of the `default` sentinel.
#[pyclass(name = "_Default", module = "golang._golang", frozen)]
pub struct DefaultCase;

#[pymethods]
impl DefaultCase {
    fn __repr__(&self) -> &'static str {
        "default"
    }
}

/// The `default` object.
pub fn default_sentinel(py: Python<'_>) -> &'static Py<PyAny> {
    static DEFAULT_OBJ: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    DEFAULT_OBJ.get_or_init(py, || Py::new(py, DefaultCase).unwrap().into_any())
}

/// What one Python case asks for.
enum Op {
    Recv { with_ok: bool },
    Send(Val),
}

struct Parsed<'py> {
    chan: Bound<'py, PyChan>,
    op: Op,
    /// Index of the case among select's arguments.
    index: usize,
}

fn chan_of<'py>(py: Python<'py>, method: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyChan>> {
    let slf = method.getattr(intern!(py, "__self__"))?;
    match slf.cast_into::<PyChan>() {
        Ok(c) => Ok(c),
        Err(e) => {
            let obj = e.into_inner();
            let cls = obj.getattr(intern!(py, "__class__"))?;
            Err(go_panic(py, format!("pyselect: {what} on non-chan: {}", cls.repr()?)))
        }
    }
}

fn parse<'py>(py: Python<'py>, cases: &Bound<'py, PyTuple>) -> PyResult<(Vec<Parsed<'py>>, Option<usize>)> {
    let default = default_sentinel(py);
    let mut parsed = Vec::with_capacity(cases.len());
    let mut default_at = None;
    for (index, case) in cases.iter().enumerate() {
        if case.is(default) {
            if default_at.is_some() {
                return Err(go_panic(py, "select: multiple default"));
            }
            default_at = Some(index);
        } else if let Ok(t) = case.cast::<PyTuple>() {
            if t.len() != 2 {
                return Err(go_panic(py, format!("pyselect: invalid [{}]() case", t.len())));
            }
            let send = t.get_item(0)?;
            let chan = chan_of(py, &send, "send")?;
            let name = send.getattr(intern!(py, "__name__"))?;
            if name.extract::<&str>().ok() != Some("send") {
                return Err(go_panic(py, format!("pyselect: send expected: {}", send.repr()?)));
            }
            let v = to_val(chan.get().ch.dtype(), &t.get_item(1)?)?;
            parsed.push(Parsed { chan, op: Op::Send(v), index });
        } else {
            let chan = chan_of(py, &case, "recv")?;
            let name = case.getattr(intern!(py, "__name__"))?;
            let with_ok = match name.extract::<&str>().ok() {
                Some("recv") => false,
                Some("recv_") => true,
                _ => return Err(go_panic(py, format!("pyselect: recv expected: {}", case.repr()?))),
            };
            parsed.push(Parsed { chan, op: Op::Recv { with_ok }, index });
        }
    }
    Ok((parsed, default_at))
}

fn add_case<'a>(sel: &mut Select<'a>, ch: &'a AnyChan, op: Op) {
    match (ch, op) {
        (AnyChan::Obj(c), Op::Send(Val::Obj(v))) => sel.send(c, v),
        (AnyChan::StructZ(c), Op::Send(Val::StructZ)) => sel.send(c, ()),
        (AnyChan::Bool(c), Op::Send(Val::Bool(v))) => sel.send(c, v),
        (AnyChan::Int(c), Op::Send(Val::Int(v))) => sel.send(c, v),
        (AnyChan::Double(c), Op::Send(Val::Double(v))) => sel.send(c, v),
        (ch, Op::Recv { .. }) => crate::pychan::each_chan!(ch, c => sel.recv(c)),
        _ => unreachable!("send values are converted for their channel's dtype"),
    };
}

fn take<T: Elem>(py: Python<'_>, sel: &mut Select<'_>, k: usize) -> (Py<PyAny>, bool) {
    match sel.take_recv::<T>(k) {
        Some(Some(v)) => (v.into_py(py), true),
        _ => (T::zero(py), false),
    }
}

/// Runs one ready case (or blocks until one is ready); returns
/// `(index, rx)`.
#[pyfunction]
#[pyo3(signature = (*cases))]
pub fn select<'py>(py: Python<'py>, cases: &Bound<'py, PyTuple>) -> PyResult<(usize, Py<PyAny>)> {
    let (mut parsed, default_at) = parse(py, cases)?;
    let ops: Vec<(Op, usize)> = parsed
        .iter_mut()
        .map(|p| (std::mem::replace(&mut p.op, Op::Recv { with_ok: false }), p.index))
        .collect();
    let mut kinds = Vec::with_capacity(ops.len());
    let mut sel = Select::new();
    for (p, (op, _)) in parsed.iter().zip(ops) {
        kinds.push(match &op {
            Op::Recv { with_ok } => Some(*with_ok),
            Op::Send(_) => None,
        });
        add_case(&mut sel, &p.chan.get().ch, op);
    }
    if default_at.is_some() {
        sel.default_case();
    }
    let res = match sel.try_select() {
        Some(r) => r,
        None => gil::block(py, |intr| sel.wait_blocking_interruptible(intr))?,
    };
    let k = res.map_err(|e| panic_err(py, e))?;
    if k == DEFAULT {
        return Ok((default_at.expect("default committed"), py.None()));
    }
    let index = parsed[k].index;
    let rx = match kinds[k] {
        None => py.None(),
        Some(with_ok) => {
            let (v, ok) = match parsed[k].chan.get().ch.dtype() {
                DType::Obj => take::<Py<PyAny>>(py, &mut sel, k),
                DType::StructZ => take::<()>(py, &mut sel, k),
                DType::Bool => take::<bool>(py, &mut sel, k),
                DType::Int => take::<i32>(py, &mut sel, k),
                DType::Double => take::<f64>(py, &mut sel, k),
            };
            if with_ok {
                PyTuple::new(py, [v, ok.into_py(py)])?.into_any().unbind()
            } else {
                v
            }
        }
    };
    Ok((index, rx))
}
