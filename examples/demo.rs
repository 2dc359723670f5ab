//! The demo: Go's concurrent prime sieve, then a select with a timeout, on
//! the deterministic executor. Run it twice with one seed and the output is
//! identical, including which worker answers first and the virtual times.
//!
//!     cargo run --release --example demo -- 42
//!     GOLANG_SEED=42 cargo run --release --example demo

use golang::{go, sleep, Chan, Runtime, Select};
use std::time::Duration;

/// Sends 2, 3, 4, ... to `ch`.
async fn generate(ch: Chan<u64>) {
    let mut i = 2;
    loop {
        ch.send(i).await.unwrap();
        i += 1;
    }
}

/// Copies values from `inp` to `out`, dropping multiples of `prime`.
async fn filter(inp: Chan<u64>, out: Chan<u64>, prime: u64) {
    while let Some(v) = inp.recv().await {
        if v % prime != 0 {
            out.send(v).await.unwrap();
        }
    }
}

fn main() {
    let seed = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .or_else(golang::sched::testing::env_seed)
        .unwrap_or_else(golang::sched::rng::random_seed);
    println!("seed: {seed}");
    let rt = Runtime::deterministic(seed);
    rt.block_on(async {
        // The sieve: a chain of filter goroutines.
        let mut ch: Chan<u64> = Chan::new(0);
        go(generate(ch.clone()));
        let mut primes = Vec::new();
        for _ in 0..20 {
            let prime = ch.recv().await.unwrap();
            primes.push(prime);
            let next = Chan::new(0);
            go(filter(ch.clone(), next.clone(), prime));
            ch = next;
        }
        println!("primes: {primes:?}");

        // Three workers race; select takes answers until the timeout fires.
        let answers: Chan<(u32, u64)> = Chan::new(0);
        for w in 0..3u32 {
            let a = answers.clone();
            go(async move {
                for round in 0..4u64 {
                    sleep(Duration::from_millis(40 + 25 * w as u64 + 10 * round)).await;
                    if a.send((w, golang::sched::now_ns() / 1_000_000)).await.is_err() {
                        return;
                    }
                }
            });
        }
        let timeout: Chan<f64> = golang::time::after(Duration::from_millis(200));
        loop {
            let mut sel = Select::new();
            let got = sel.recv(&answers);
            let _to = sel.recv(&timeout);
            let i = sel.wait().await.unwrap();
            if i == got {
                let (w, ms) = sel.take_recv::<(u32, u64)>(got).unwrap().unwrap();
                println!("worker {w} answered at {ms} ms");
            } else {
                println!("timeout at {} ms", golang::sched::now_ns() / 1_000_000);
                break;
            }
        }
    })
    .unwrap();
}
