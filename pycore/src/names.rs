//! The names a core module must provide: `golang._golang` (native) and
//! `golang._golang_wasm` (Pyodide) both have every one of them, with the
//! same meaning; the package (`golang/__init__.py`, `golang/time.py`, ...)
//! uses nothing else of a core that both have. Each core exports this list
//! (`_golang._CORE_NAMES`, the wasm core's `contract()`), and
//! `tests/python/test_core_contract.py` checks it against each.
//!
//! A name only one core has (gevent's and signals' hooks natively, `sleep`
//! under Pyodide) is not here: the package reaches it only where that core
//! runs, behind `hasattr`.

/// The names, sorted.
pub const CORE_NAMES: &[&str] = &[
    "DeadlockError",
    "Ticker",
    "Timer",
    "_in_executor",
    "_len_recvq",
    "_len_sendq",
    "_set_panic_when_blocked",
    "aselect",
    "asleep",
    "chan",
    "default",
    "go_async",
    "go_thread",
    "nilchan",
    "now",
    "pychan",
    "run",
    "select",
];

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_sorted_and_unique() {
        let mut v = super::CORE_NAMES.to_vec();
        v.sort();
        v.dedup();
        assert_eq!(v, super::CORE_NAMES);
    }
}
