//! Seeds for reproducible tests.
//!
//! A test body runs under [`Runtime::deterministic`] for many seeds; a failure
//! names its seed, and `GOLANG_SEED=<seed>` reruns exactly that seed.

use crate::context::RunError;
use crate::executor::Runtime;
use std::future::Future;

/// The environment variable that fixes the seed of a test run.
pub const SEED_ENV: &str = "GOLANG_SEED";

/// The seed from `GOLANG_SEED`, if set and valid.
pub fn env_seed() -> Option<u64> {
    std::env::var(SEED_ENV).ok().and_then(|s| s.trim().parse().ok())
}

/// The seed from `GOLANG_SEED`, or a random one.
pub fn seed() -> u64 {
    env_seed().unwrap_or_else(crate::rng::random_seed)
}

/// Runs `body` once on a deterministic executor with `seed`.
pub fn run_seed<F: Future>(seed: u64, body: F) -> Result<F::Output, RunError> {
    Runtime::deterministic(seed).block_on(body)
}

/// Runs `body()` on a deterministic executor for seeds `0..n` (or only the
/// seed in `GOLANG_SEED`). Panics at the first failing seed, with the seed
/// and the command line that reproduces it. A panic inside the body is a
/// failure too.
pub fn check_seeds<F, Fut>(n: u64, body: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = ()>,
{
    let seeds: Vec<u64> = match env_seed() {
        Some(s) => vec![s],
        None => (0..n).collect(),
    };
    for seed in seeds {
        if let Err(e) = run_seed(seed, body()) {
            panic!("failed with seed {seed}: {e}\nrerun it with {SEED_ENV}={seed}");
        }
    }
}
