//! Durations from Python's seconds: one rule for every duration and
//! deadline of both cores (see docs/ARCHITECTURE.md).

use std::time::Duration;

/// Python's message for a NaN duration (`time.sleep(nan)`): a ValueError.
pub const NAN_DURATION: &str = "Invalid value NaN (not a number)";
/// Go's panic of `Ticker(dt)` with `dt <= 0`.
pub const TICKER_DT: &str = golang_time::TICKER_DT;

/// Seconds (a float) to a duration: non-positive becomes zero, too large
/// the longest duration; NaN is refused (with [`NAN_DURATION`]), as
/// Python's `time.sleep` refuses it.
pub fn dur(dt: f64) -> Result<Duration, &'static str> {
    if dt.is_nan() {
        Err(NAN_DURATION)
    } else if dt <= 0.0 {
        Ok(Duration::ZERO)
    } else {
        Ok(Duration::try_from_secs_f64(dt).unwrap_or(Duration::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dur_clamps_and_refuses_nan() {
        assert_eq!(dur(-1.0), Ok(Duration::ZERO));
        assert_eq!(dur(0.5), Ok(Duration::from_millis(500)));
        assert_eq!(dur(1e300), Ok(Duration::MAX));
        assert_eq!(dur(f64::INFINITY), Ok(Duration::MAX));
        assert_eq!(dur(f64::NAN), Err(NAN_DURATION));
    }
}
