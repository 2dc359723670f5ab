//! Test hooks behind `golang._golang_test` (as Pygolang's tests use them):
//! queue lengths of a channel and "panic instead of blocking".

use crate::pychan::{each_chan, PyChan};
use pyo3::prelude::*;
use std::sync::atomic::Ordering;

/// Number of receivers waiting on `ch`.
#[pyfunction]
pub fn _len_recvq(ch: &Bound<'_, PyChan>) -> usize {
    each_chan!(&ch.get().ch, c => c.waiting_receivers())
}

/// Number of senders waiting on `ch`.
#[pyfunction]
pub fn _len_sendq(ch: &Bound<'_, PyChan>) -> usize {
    each_chan!(&ch.get().ch, c => c.waiting_senders())
}

/// Makes operations that would block panic "t: blocks forever" (or not).
#[pyfunction]
pub fn _set_panic_when_blocked(on: bool) -> bool {
    crate::gil::PANIC_WHEN_BLOCKED.swap(on, Ordering::SeqCst)
}
