//! Go's `os.Signal` and package `os/signal` for pygolang-rs.
//!
//! [`Signal`] is a signal number. On Unix, [`signal`] delivers signals to
//! `Chan<Signal>` channels, as Go's `signal.Notify` does, with Pygolang's
//! rules (see the module).

#![cfg_attr(not(unix), forbid(unsafe_code))]

use std::fmt;

#[cfg(unix)]
pub mod signal;

/// An operating-system signal: Go's `os.Signal` (`syscall.Signal`).
///
/// `Signal(0)` is the zero value (what a receive from a closed channel of
/// signals gives).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(pub i32);

impl Signal {
    /// The signal number.
    pub fn signo(self) -> i32 {
        self.0
    }

    /// libc's description of the signal ("Interrupt", "User defined signal
    /// 1", ...), or None when libc has none (real-time signals, 0, ...).
    pub fn description(self) -> Option<&'static str> {
        describe(self.0)
    }
}

/// `str(sig)`: the description, or "signal%d".
impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.description() {
            Some(d) => f.write_str(d),
            None => write!(f, "signal{}", self.0),
        }
    }
}

/// The descriptions of glibc's `sys_siglist`, keyed by the platform's
/// constants (so that the numbering of each platform holds); aliases
/// (SIGIOT, SIGPOLL, SIGCLD) share their signal's entry.
#[cfg(unix)]
fn describe(signo: i32) -> Option<&'static str> {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        match signo {
            libc::SIGSTKFLT => return Some("Stack fault"),
            libc::SIGPWR => return Some("Power failure"),
            _ => {}
        }
    }
    Some(match signo {
        libc::SIGHUP => "Hangup",
        libc::SIGINT => "Interrupt",
        libc::SIGQUIT => "Quit",
        libc::SIGILL => "Illegal instruction",
        libc::SIGTRAP => "Trace/breakpoint trap",
        libc::SIGABRT => "Aborted",
        libc::SIGBUS => "Bus error",
        libc::SIGFPE => "Floating point exception",
        libc::SIGKILL => "Killed",
        libc::SIGUSR1 => "User defined signal 1",
        libc::SIGSEGV => "Segmentation fault",
        libc::SIGUSR2 => "User defined signal 2",
        libc::SIGPIPE => "Broken pipe",
        libc::SIGALRM => "Alarm clock",
        libc::SIGTERM => "Terminated",
        libc::SIGCHLD => "Child exited",
        libc::SIGCONT => "Continued",
        libc::SIGSTOP => "Stopped (signal)",
        libc::SIGTSTP => "Stopped",
        libc::SIGTTIN => "Stopped (tty input)",
        libc::SIGTTOU => "Stopped (tty output)",
        libc::SIGURG => "Urgent I/O condition",
        libc::SIGXCPU => "CPU time limit exceeded",
        libc::SIGXFSZ => "File size limit exceeded",
        libc::SIGVTALRM => "Virtual timer expired",
        libc::SIGPROF => "Profiling timer expired",
        libc::SIGWINCH => "Window changed",
        libc::SIGIO => "I/O possible",
        libc::SIGSYS => "Bad system call",
        _ => return None,
    })
}

/// No libc signals here (WebAssembly): numbers only.
#[cfg(not(unix))]
fn describe(_signo: i32) -> Option<&'static str> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::Signal;

    #[test]
    fn display_is_libc_description_or_signal_n() {
        assert_eq!(Signal(libc::SIGINT).to_string(), "Interrupt");
        assert_eq!(Signal(libc::SIGTERM).to_string(), "Terminated");
        assert_eq!(Signal(libc::SIGUSR1).to_string(), "User defined signal 1");
        assert_eq!(Signal(0).to_string(), "signal0");
        assert_eq!(Signal(1000).to_string(), "signal1000");
    }

    #[test]
    fn zero_value_is_signal_0() {
        assert_eq!(Signal::default(), Signal(0));
    }
}
