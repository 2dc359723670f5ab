//! Exponential backoff for the slow path of a spin lock (safe code).

/// How a thread waits between two tries of a contended spin lock: busy
/// spins doubling from 1 to 64 `spin_loop` hints, then yields of the thread.
/// Used by [`crate::SpinLock`] and [`crate::BitLock`].
#[derive(Debug, Default)]
pub struct Backoff {
    /// Tries so far (capped once the spins give way to yields).
    step: u32,
}

/// The step from which `snooze` yields the thread instead of spinning.
const YIELD_STEP: u32 = 7;

impl Backoff {
    /// A backoff at its first step.
    #[inline]
    pub const fn new() -> Backoff {
        Backoff { step: 0 }
    }

    /// Waits before the next try.
    #[inline]
    pub fn snooze(&mut self) {
        if self.step < YIELD_STEP {
            for _ in 0..(1u32 << self.step) {
                std::hint::spin_loop();
            }
            self.step += 1;
        } else {
            std::thread::yield_now();
        }
    }
}
