//! The reactor under WebAssembly: there is no IO to poll and the thread
//! must not block; the host's event loop (JavaScript) is what drives a
//! real-clock executor there, so waiting returns at once.

use std::io;
use std::time::Duration;

/// Which reactor goroutines polled on this thread would register IO with
/// (there is no IO here: only the states, for the executor to name).
#[derive(Clone)]
#[allow(dead_code)]
pub(crate) enum Current {
    /// No executor runs here.
    Outside,
    /// An executor without a reactor (the virtual clock).
    NoReactor,
    /// The reactor of the real-clock executor running here.
    Reactor(std::sync::Arc<Reactor>),
}

/// Nothing looks for the current reactor here: no IO objects.
pub(crate) fn set_current(c: Current) -> Current {
    drop(c);
    Current::Outside
}

/// A reactor with nothing to poll.
pub(crate) struct Reactor;

impl Reactor {
    pub(crate) fn new() -> io::Result<Reactor> {
        Ok(Reactor)
    }

    /// The executor is idle between turns of the host's event loop: ask the
    /// host for a turn.
    pub(crate) fn notify(&self) {
        (crate::platform::platform().wake)()
    }

    /// No poller here (no descriptor).
    pub(crate) fn raw_fd(&self) -> i32 {
        -1
    }

    /// No IO sources exist here.
    pub(crate) fn has_sources(&self) -> bool {
        false
    }

    /// Returns at once: blocking is not allowed on this target.
    pub(crate) fn wait(&self, _timeout: Option<Duration>) {}
}
