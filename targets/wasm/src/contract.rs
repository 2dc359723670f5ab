//! What the Python shim learns from the core at import, by name: the
//! states that cross the boundary (`golang_pycore::status`), the dtypes this
//! core has channels of, the messages and limits (as `%`-templates), and
//! the names a core module must provide. Nothing of it is written again in
//! `_golang_wasm.py`: a number or a message means the same on both sides.

use golang_pycore::status::{CtxErr, CtxKind, Driven, Named, Resume, RunEnd, Status, ValueKind};
use golang_pycore::{dtype::Zero, msg, names, select, time, DType};
use crate::value::supported;
use wasm_bindgen::prelude::*;


/// The contract as a flat list `[key, value, key, value, ...]` (the shim
/// makes it a dict): `status.WAIT` → `"WAIT"` (a status crosses as its
/// name: `crate::reply`), `resume.VALUE` → `"1"`, `dtype.C.int` → `"3"`,
/// `zero.3` → `"INT"`, `accept.3.2` → `"-2147483648 2147483647"` (the
/// payloads of a value kind that a dtype accepts whatever they are:
/// `ValueKind::accepted`), `mailbox.ERR` → `"1"` (a mailbox slot),
/// `msg.BRIDGE` → the text, `names` → the core names separated by spaces,
/// ...
#[wasm_bindgen]
pub fn contract() -> Vec<String> {
    let mut kv: Vec<(String, String)> = Vec::new();
    fn states<S: Named>(kv: &mut Vec<(String, String)>, group: &str) {
        kv.extend(S::all().iter().map(|s| (format!("{group}.{}", s.state_name()), s.state_code().to_string())));
    }
    kv.extend(Status::ALL.iter().map(|s| (format!("status.{}", s.name()), s.name().to_string())));
    states::<Resume>(&mut kv, "resume");
    states::<Driven>(&mut kv, "driven");
    states::<RunEnd>(&mut kv, "run");
    states::<ValueKind>(&mut kv, "kind");
    states::<CtxErr>(&mut kv, "ctxerr");
    states::<CtxKind>(&mut kv, "ctxkind");
    let mut put = |k: &str, v: String| kv.push((k.to_string(), v));
    for d in DType::ALL.into_iter().filter(|d| supported(*d)) {
        put(&format!("dtype.{}", d.name()), d.code().to_string());
        let z = match d.zero() {
            Zero::None => "NONE",
            Zero::False => "FALSE",
            Zero::Int => "INT",
            Zero::Float => "FLOAT",
            Zero::Signal => "SIGNAL",
        };
        put(&format!("zero.{}", d.code()), z.to_string());
        for k in ValueKind::ALL {
            if let Some((lo, hi)) = k.accepted(d) {
                put(&format!("accept.{}.{}", d.code(), k.code()), format!("{lo:?} {hi:?}"));
            }
        }
    }
    for (k, v) in [("VALUE", crate::reply::MB_VALUE), ("ERR", crate::reply::MB_ERR), ("DEADLINE", crate::reply::MB_DEADLINE)] {
        put(&format!("mailbox.{k}"), v.to_string());
    }
    put("limit.CHAN_SIZE_MAX", msg::CHAN_SIZE_MAX.to_string());
    let t = "%s";
    for (k, v) in [
        ("MAKECHAN_SIZE", msg::MAKECHAN_SIZE.to_string()),
        ("INVALID_DTYPE", golang_pycore::dtype::invalid_dtype(t)),
        ("CHAN_TOO_MANY_ARGS", msg::chan_too_many_args(t)),
        ("CHAN_UNEXPECTED_KW", msg::chan_unexpected_kw(t)),
        ("CHAN_MULTIPLE_VALUES", msg::chan_multiple_values(t)),
        ("CHAN_PICKLE", msg::CHAN_PICKLE.to_string()),
        ("BRIDGE", msg::BRIDGE.to_string()),
        ("BLOCKING_IN_EXECUTOR", msg::BLOCKING_IN_EXECUTOR.to_string()),
        ("NO_BLOCK", msg::NO_BLOCK.to_string()),
        ("FOREIGN_AWAIT", msg::FOREIGN_AWAIT.to_string()),
        ("BLOCKS_FOREVER", msg::BLOCKS_FOREVER.to_string()),
        ("MULTIPLE_DEFAULT", select::MULTIPLE_DEFAULT.to_string()),
        ("SELECT_ON_NON_CHAN", select::on_non_chan(t, t)),
        ("SELECT_INVALID_CASE", select::invalid_case(t)),
        ("SELECT_SEND_EXPECTED", select::send_expected(t)),
        ("SELECT_RECV_EXPECTED", select::recv_expected(t)),
        ("RUN_NESTED", msg::RUN_NESTED.to_string()),
        ("RUN_BAD_CLOCK", msg::run_bad_clock(t)),
        ("RUN_NOT_ASYNC", msg::run_not_async(t)),
        ("RUN_REAL_CLOCK", msg::RUN_REAL_CLOCK.to_string()),
        ("RUN_RAISED_NOTE", msg::run_raised_note(t, t)),
        ("NOT_CALLABLE", msg::not_callable(t, t)),
        ("NAN_DURATION", time::NAN_DURATION.to_string()),
        ("TICKER_DT", time::TICKER_DT.to_string()),
        ("SLEEP_IN_EXECUTOR", msg::SLEEP_IN_EXECUTOR.to_string()),
        ("SLEEP_NO_BLOCK", msg::SLEEP_NO_BLOCK.to_string()),
        ("CTX_BAD_PARENT", msg::ctx_bad_parent(t)),
        ("CTX_USER_NEW", msg::CTX_USER_NEW.to_string()),
        ("CTX_CANCELED", golang_context::ContextError::Canceled.to_string()),
        ("CTX_DEADLINE_EXCEEDED", golang_context::ContextError::DeadlineExceeded.to_string()),
    ] {
        put(&format!("msg.{k}"), v);
    }
    put("names", names::CORE_NAMES.join(" "));
    kv.into_iter().flat_map(|(k, v)| [k, v]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_is_pairs_with_unique_keys() {
        let c = contract();
        assert_eq!(c.len() % 2, 0);
        let keys: Vec<_> = c.iter().step_by(2).collect();
        let mut sorted = keys.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), keys.len());
        assert!(!keys.iter().any(|k| k.as_str() == "dtype.C.os::Signal"));
    }

    #[test]
    fn templates_take_percent_s() {
        let c = contract();
        let get = |k: &str| c.iter().position(|x| x == k).map(|i| c[i + 1].clone()).unwrap();
        assert_eq!(get("msg.SELECT_INVALID_CASE"), "pyselect: invalid [%s]() case");
        assert_eq!(get("msg.RUN_RAISED_NOTE"), "golang.run: raised in goroutine %s; reproduce with seed=%s (or GOLANG_SEED=%s)");
    }
}
