//! Clocks: which clock an executor runs on, and the process's monotonic and
//! wall clocks (from the host under WebAssembly). The bottom of the crate:
//! it names no other file but the WebAssembly platform.

#[cfg(not(target_family = "wasm"))]
use std::sync::OnceLock;
#[cfg(not(target_family = "wasm"))]
use std::time::Instant;

/// Which clock an executor runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockKind {
    /// Virtual time: starts at 0 and jumps to the next timer when every
    /// goroutine is blocked. Fully deterministic.
    Virtual,
    /// The OS monotonic clock, with the `polling` reactor for IO.
    Real,
}

/// Unix time (seconds) at which virtual clocks start, so that `time.now()`
/// under a virtual clock looks like a real timestamp and is reproducible.
pub const VIRTUAL_EPOCH_UNIX: f64 = 1_700_000_000.0;

/// The process-wide origin of real clocks: every real-clock executor and
/// every thread measure monotonic nanoseconds from this instant.
#[cfg(not(target_family = "wasm"))]
fn real_base() -> Instant {
    static BASE: OnceLock<Instant> = OnceLock::new();
    *BASE.get_or_init(Instant::now)
}

/// Nanoseconds since `real_base()` on the OS monotonic clock (under
/// WebAssembly, the host's monotonic clock).
pub fn real_now_ns() -> u64 {
    #[cfg(target_family = "wasm")]
    {
        (crate::platform::platform().mono_ns)()
    }
    #[cfg(not(target_family = "wasm"))]
    {
        real_base().elapsed().as_nanos() as u64
    }
}

/// Wall-clock Unix seconds (from the host under WebAssembly).
pub(crate) fn wall_unix_s() -> f64 {
    #[cfg(target_family = "wasm")]
    {
        (crate::platform::platform().unix_s)()
    }
    #[cfg(all(unix, not(target_family = "wasm")))]
    {
        // The clock read itself, without `SystemTime`'s checked
        // subtraction of the epoch (~90 instructions of `after(0)`'s ~500
        // on the real clock); the same formula as `Duration::as_secs_f64`.
        let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
        // SAFETY: `clock_gettime` writes only the `timespec` passed, which
        // lives on this stack frame.
        if unsafe { libc::clock_gettime(libc::CLOCK_REALTIME, &mut ts) } == 0 {
            ts.tv_sec as f64 + ts.tv_nsec as f64 / 1_000_000_000.0
        } else {
            0.0
        }
    }
    #[cfg(all(not(unix), not(target_family = "wasm")))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0)
    }
}
