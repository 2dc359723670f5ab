//! The project's benchmark workloads, pygolang-rs beside its peers in one
//! run. One criterion group per workload (one op is):
//!
//! - `a_pingpong`: one round trip over two unbuffered channels between two
//!   goroutines;
//! - `b_buf128`: one element through chan(128), producer to consumer;
//! - `c_select_ready`: one send to c1 plus a select {c1.recv, c2.recv};
//! - `d_select_default`: one select {c1.recv, c2.recv, default}, nothing
//!   ready;
//! - `e_spawn`: one goroutine spawned that sends one value, received by the
//!   spawner (batches of 1000);
//! - `f_timer0`: one zero-duration timer created and its channel received;
//! - `g_ctx_cancel`: with_cancel(background) + cancel() + receive from
//!   done(); `g2_ctx_child`: the same as a child of a cancellable parent.
//!
//! One function id per system:
//!
//! - `golang(select!)`: pygolang-rs's `select!` macro in c and d (the other
//!   `golang` ids there call the select functions directly: `golang` the
//!   slice-of-cases fast path, `golang(builder)` the boxed `Select`);
//! - `golang`: pygolang-rs, deterministic single-threaded executor (seeded
//!   random scheduling, virtual clock);
//! - `golang_real`: the same executor on the real clock (FIFO scheduling,
//!   timer wheel, reactor);
//! - `tokio_ct`: tokio current_thread + tokio::sync::mpsc + select!;
//! - `smol`: async-executor's LocalExecutor + async-channel;
//! - `flume_smol`: flume channels on the LocalExecutor;
//! - `crossbeam`: crossbeam-channel with OS threads;
//! - `golang_mt`: pygolang-rs's multi-thread runtime, 2 workers, main on the
//!   caller's thread (a, b, e);
//! - `tokio_mt`: tokio multi_thread with 2 workers + tokio::sync::mpsc;
//! - `smol_mt`: async-executor's Executor run by 2 threads + async-channel.
//!
//! What a peer lacks is said where it matters: tokio mpsc and async-channel
//! have no capacity 0, so they run a_pingpong with capacity 1; tokio has no
//! select with default (d uses two `try_recv`) and its timer has 1 ms
//! granularity (f); smol's timer is async-io's; the context peer is
//! tokio-util's CancellationToken.

use criterion::{criterion_group, criterion_main, Criterion};
use golang::chan::{select, try_select_tuple, RecvCase};
use golang::{go, Chan, ClockKind, MultiRuntime, Runtime, Select};
use std::future::Future;
use std::time::{Duration, Instant};

const SPAWN_BATCH: u64 = 1000;

/// The pygolang-rs executors: single-threaded (deterministic, real clock)
/// and the multi-thread runtime on 2 workers.
const GOLANG_MODES: [&str; 3] = ["golang", "golang_real", "golang_mt"];

fn golang_run<F: Future<Output = Duration>>(mode: &str, f: F) -> Duration {
    match mode {
        "golang" => Runtime::deterministic(1).block_on(f).unwrap(),
        "golang_real" => Runtime::new(ClockKind::Real, 1, false).block_on(f).unwrap(),
        _ => MultiRuntime::new(2).block_on(f).unwrap(),
    }
}

fn tokio_mt_run<F: Future<Output = Duration>>(f: F) -> Duration {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_time().build().unwrap().block_on(f)
}

/// async-executor's `Executor` run by 2 threads; the main future runs on the
/// caller's thread, as in the other multi-thread runs.
fn smol_mt_run<F: Future<Output = Duration>>(f: impl FnOnce(std::sync::Arc<async_executor::Executor<'static>>) -> F) -> Duration {
    let ex = std::sync::Arc::new(async_executor::Executor::new());
    let (stop, stopped) = async_channel::bounded::<()>(1);
    let threads: Vec<_> = (0..2)
        .map(|_| {
            let (ex, stopped) = (ex.clone(), stopped.clone());
            std::thread::spawn(move || futures_lite::future::block_on(ex.run(stopped.recv())))
        })
        .collect();
    let out = futures_lite::future::block_on(f(ex));
    drop(stop);
    for t in threads {
        let _ = t.join().unwrap();
    }
    out
}

fn tokio_run<F: Future<Output = Duration>>(f: F) -> Duration {
    tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(f)
}

fn smol_run<F: Future<Output = Duration>>(f: impl FnOnce(std::rc::Rc<async_executor::LocalExecutor<'static>>) -> F) -> Duration {
    let ex = std::rc::Rc::new(async_executor::LocalExecutor::new());
    let fut = f(ex.clone());
    futures_lite::future::block_on(ex.run(fut))
}

/// Spawning a detached task on either of smol's executors (the local one and
/// the one run by 2 threads), so that one peer body serves both runs; generic,
/// so the spawned future is not boxed.
trait SmolSpawn {
    fn go<F: Future<Output = ()> + Send + 'static>(&self, f: F);
}

impl SmolSpawn for std::rc::Rc<async_executor::LocalExecutor<'static>> {
    fn go<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.spawn(f).detach();
    }
}

impl SmolSpawn for std::sync::Arc<async_executor::Executor<'static>> {
    fn go<F: Future<Output = ()> + Send + 'static>(&self, f: F) {
        self.spawn(f).detach();
    }
}

// The peers' bodies of a, b and e, each run on tokio's current_thread and
// multi_thread runtimes, and on smol's local and 2-thread executors.

async fn tokio_pingpong(iters: u64) -> Duration {
    let (ptx, mut prx) = tokio::sync::mpsc::channel::<u64>(1);
    let (qtx, mut qrx) = tokio::sync::mpsc::channel::<u64>(1);
    tokio::spawn(async move {
        while let Some(v) = prx.recv().await {
            qtx.send(v).await.unwrap();
        }
    });
    let t0 = Instant::now();
    for i in 0..iters {
        ptx.send(i).await.unwrap();
        qrx.recv().await.unwrap();
    }
    t0.elapsed()
}

async fn smol_pingpong(ex: impl SmolSpawn, iters: u64) -> Duration {
    let (ptx, prx) = async_channel::bounded::<u64>(1);
    let (qtx, qrx) = async_channel::bounded::<u64>(1);
    ex.go(async move {
        while let Ok(v) = prx.recv().await {
            qtx.send(v).await.unwrap();
        }
    });
    let t0 = Instant::now();
    for i in 0..iters {
        ptx.send(i).await.unwrap();
        qrx.recv().await.unwrap();
    }
    t0.elapsed()
}

async fn tokio_buf128(iters: u64) -> Duration {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(128);
    let t0 = Instant::now();
    tokio::spawn(async move {
        for i in 0..iters {
            tx.send(i).await.unwrap();
        }
    });
    for _ in 0..iters {
        rx.recv().await.unwrap();
    }
    t0.elapsed()
}

async fn smol_buf128(ex: impl SmolSpawn, iters: u64) -> Duration {
    let (tx, rx) = async_channel::bounded::<u64>(128);
    let t0 = Instant::now();
    ex.go(async move {
        for i in 0..iters {
            tx.send(i).await.unwrap();
        }
    });
    for _ in 0..iters {
        rx.recv().await.unwrap();
    }
    t0.elapsed()
}

async fn tokio_spawn_batches(iters: u64) -> Duration {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(SPAWN_BATCH as usize);
    let t0 = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(SPAWN_BATCH);
        for _ in 0..n {
            let tx = tx.clone();
            tokio::spawn(async move { tx.send(1).await.unwrap() });
        }
        for _ in 0..n {
            rx.recv().await.unwrap();
        }
        left -= n;
    }
    t0.elapsed()
}

async fn smol_spawn_batches(ex: impl SmolSpawn, iters: u64) -> Duration {
    let (tx, rx) = async_channel::bounded::<u64>(SPAWN_BATCH as usize);
    let t0 = Instant::now();
    let mut left = iters;
    while left > 0 {
        let n = left.min(SPAWN_BATCH);
        for _ in 0..n {
            let tx = tx.clone();
            ex.go(async move { tx.send(1).await.unwrap() });
        }
        for _ in 0..n {
            rx.recv().await.unwrap();
        }
        left -= n;
    }
    t0.elapsed()
}

fn a_pingpong(c: &mut Criterion) {
    let mut g = c.benchmark_group("a_pingpong");
    for mode in &GOLANG_MODES {
        g.bench_function(*mode, |b| {
            b.iter_custom(|iters| {
                golang_run(mode, async move {
                    let (ping, pong) = (Chan::<u64>::new(0), Chan::<u64>::new(0));
                    let (p, q) = (ping.clone(), pong.clone());
                    go(async move {
                        while let Some(v) = p.recv().await {
                            q.send(v).await.unwrap();
                        }
                    });
                    let t0 = Instant::now();
                    for i in 0..iters {
                        ping.send(i).await.unwrap();
                        pong.recv().await.unwrap();
                    }
                    let el = t0.elapsed();
                    ping.close();
                    el
                })
            })
        });
    }
    g.bench_function("tokio_ct(cap1)", |b| b.iter_custom(|iters| tokio_run(tokio_pingpong(iters))));
    g.bench_function("tokio_mt(cap1)", |b| b.iter_custom(|iters| tokio_mt_run(tokio_pingpong(iters))));
    g.bench_function("smol_mt(cap1)", |b| b.iter_custom(|iters| smol_mt_run(|ex| smol_pingpong(ex, iters))));
    g.bench_function("smol(cap1)", |b| b.iter_custom(|iters| smol_run(|ex| smol_pingpong(ex, iters))));
    g.bench_function("flume_smol", |b| {
        b.iter_custom(|iters| {
            smol_run(|ex| async move {
                let (ptx, prx) = flume::bounded::<u64>(0);
                let (qtx, qrx) = flume::bounded::<u64>(0);
                ex.spawn(async move {
                    while let Ok(v) = prx.recv_async().await {
                        qtx.send_async(v).await.unwrap();
                    }
                })
                .detach();
                let t0 = Instant::now();
                for i in 0..iters {
                    ptx.send_async(i).await.unwrap();
                    qrx.recv_async().await.unwrap();
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("crossbeam", |b| {
        b.iter_custom(|iters| {
            let (ptx, prx) = crossbeam_channel::bounded::<u64>(0);
            let (qtx, qrx) = crossbeam_channel::bounded::<u64>(0);
            let h = std::thread::spawn(move || {
                while let Ok(v) = prx.recv() {
                    qtx.send(v).unwrap();
                }
            });
            let t0 = Instant::now();
            for i in 0..iters {
                ptx.send(i).unwrap();
                qrx.recv().unwrap();
            }
            let el = t0.elapsed();
            drop(ptx);
            h.join().unwrap();
            el
        })
    });
    g.finish();
}

fn b_buf128(c: &mut Criterion) {
    let mut g = c.benchmark_group("b_buf128");
    for mode in &GOLANG_MODES {
        g.bench_function(*mode, |b| {
            b.iter_custom(|iters| {
                golang_run(mode, async move {
                    let ch = Chan::<u64>::new(128);
                    let p = ch.clone();
                    let t0 = Instant::now();
                    go(async move {
                        for i in 0..iters {
                            p.send(i).await.unwrap();
                        }
                    });
                    for _ in 0..iters {
                        ch.recv().await.unwrap();
                    }
                    t0.elapsed()
                })
            })
        });
    }
    g.bench_function("tokio_ct", |b| b.iter_custom(|iters| tokio_run(tokio_buf128(iters))));
    g.bench_function("tokio_mt", |b| b.iter_custom(|iters| tokio_mt_run(tokio_buf128(iters))));
    g.bench_function("smol_mt", |b| b.iter_custom(|iters| smol_mt_run(|ex| smol_buf128(ex, iters))));
    g.bench_function("smol", |b| b.iter_custom(|iters| smol_run(|ex| smol_buf128(ex, iters))));
    g.bench_function("flume_smol", |b| {
        b.iter_custom(|iters| {
            smol_run(|ex| async move {
                let (tx, rx) = flume::bounded::<u64>(128);
                let t0 = Instant::now();
                ex.spawn(async move {
                    for i in 0..iters {
                        tx.send_async(i).await.unwrap();
                    }
                })
                .detach();
                for _ in 0..iters {
                    rx.recv_async().await.unwrap();
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("crossbeam", |b| {
        b.iter_custom(|iters| {
            let (tx, rx) = crossbeam_channel::bounded::<u64>(128);
            let t0 = Instant::now();
            let h = std::thread::spawn(move || {
                for i in 0..iters {
                    tx.send(i).unwrap();
                }
            });
            for _ in 0..iters {
                rx.recv().unwrap();
            }
            let el = t0.elapsed();
            h.join().unwrap();
            el
        })
    });
    g.finish();
}

fn c_select_ready(c: &mut Criterion) {
    let mut g = c.benchmark_group("c_select_ready");
    g.bench_function("golang", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for i in 0..iters {
                    c1.send(i).await.unwrap();
                    let (mut r1, mut r2) = (RecvCase::new(&c1), RecvCase::new(&c2));
                    let k = select(&mut [&mut r1, &mut r2], false).await.unwrap();
                    std::hint::black_box((k, r1.take(), r2.take()));
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("golang(select!)", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for i in 0..iters {
                    c1.send(i).await.unwrap();
                    golang::select! {
                        v = c1.recv() => { std::hint::black_box(v); }
                        v = c2.recv() => { std::hint::black_box(v); }
                    }
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("golang(builder)", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for i in 0..iters {
                    c1.send(i).await.unwrap();
                    let mut sel = Select::new();
                    sel.recv(&c1);
                    sel.recv(&c2);
                    let k = sel.wait().await.unwrap();
                    std::hint::black_box(sel.take_recv::<u64>(k));
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("tokio_ct", |b| {
        b.iter_custom(|iters| {
            tokio_run(async move {
                let (t1, mut r1) = tokio::sync::mpsc::channel::<u64>(1);
                let (_t2, mut r2) = tokio::sync::mpsc::channel::<u64>(1);
                let t0 = Instant::now();
                for i in 0..iters {
                    t1.send(i).await.unwrap();
                    tokio::select! {
                        v = r1.recv() => { std::hint::black_box(v); }
                        v = r2.recv() => { std::hint::black_box(v); }
                    }
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("smol(race)", |b| {
        b.iter_custom(|iters| {
            smol_run(|_ex| async move {
                let (t1, r1) = async_channel::bounded::<u64>(1);
                let (_t2, r2) = async_channel::bounded::<u64>(1);
                let t0 = Instant::now();
                for i in 0..iters {
                    t1.send(i).await.unwrap();
                    let v = futures_lite::future::race(r1.recv(), r2.recv()).await;
                    std::hint::black_box(v.ok());
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("flume_smol", |b| {
        b.iter_custom(|iters| {
            smol_run(|_ex| async move {
                let (t1, r1) = flume::bounded::<u64>(1);
                let (_t2, r2) = flume::bounded::<u64>(1);
                let t0 = Instant::now();
                for i in 0..iters {
                    t1.send_async(i).await.unwrap();
                    let v = flume::Selector::new().recv(&r1, |v| v.ok()).recv(&r2, |v| v.ok()).wait();
                    std::hint::black_box(v);
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("crossbeam", |b| {
        b.iter_custom(|iters| {
            let (t1, r1) = crossbeam_channel::bounded::<u64>(1);
            let (_t2, r2) = crossbeam_channel::bounded::<u64>(1);
            let t0 = Instant::now();
            for i in 0..iters {
                t1.send(i).unwrap();
                crossbeam_channel::select! {
                    recv(r1) -> v => { std::hint::black_box(v.ok()); }
                    recv(r2) -> v => { std::hint::black_box(v.ok()); }
                }
            }
            t0.elapsed()
        })
    });
    g.finish();
}

fn d_select_default(c: &mut Criterion) {
    let mut g = c.benchmark_group("d_select_default");
    g.bench_function("golang", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for _ in 0..iters {
                    // A select with a default case never blocks: the
                    // synchronous form is what a goroutine calls for it.
                    let (mut r1, mut r2) = (RecvCase::new(&c1), RecvCase::new(&c2));
                    std::hint::black_box(try_select_tuple((&mut r1, &mut r2), true).unwrap().unwrap());
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("golang(select!)", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for _ in 0..iters {
                    let k = golang::select! {
                        v = c1.recv() => v,
                        v = c2.recv() => v,
                        default => Some(0),
                    };
                    std::hint::black_box(k);
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("golang(builder)", |b| {
        b.iter_custom(|iters| {
            golang_run("golang", async move {
                let (c1, c2) = (Chan::<u64>::new(1), Chan::<u64>::new(1));
                let t0 = Instant::now();
                for _ in 0..iters {
                    let mut sel = Select::new();
                    sel.recv(&c1);
                    sel.recv(&c2);
                    sel.default_case();
                    std::hint::black_box(sel.wait().await.unwrap());
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("tokio_ct(try_recv)", |b| {
        b.iter_custom(|iters| {
            tokio_run(async move {
                let (_t1, mut r1) = tokio::sync::mpsc::channel::<u64>(1);
                let (_t2, mut r2) = tokio::sync::mpsc::channel::<u64>(1);
                let t0 = Instant::now();
                for _ in 0..iters {
                    let v = r1.try_recv().ok().or_else(|| r2.try_recv().ok());
                    std::hint::black_box(v);
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("smol(try_recv)", |b| {
        b.iter_custom(|iters| {
            let (_t1, r1) = async_channel::bounded::<u64>(1);
            let (_t2, r2) = async_channel::bounded::<u64>(1);
            let t0 = Instant::now();
            for _ in 0..iters {
                let v = r1.try_recv().ok().or_else(|| r2.try_recv().ok());
                std::hint::black_box(v);
            }
            t0.elapsed()
        })
    });
    g.bench_function("flume", |b| {
        b.iter_custom(|iters| {
            let (_t1, r1) = flume::bounded::<u64>(1);
            let (_t2, r2) = flume::bounded::<u64>(1);
            let t0 = Instant::now();
            for _ in 0..iters {
                let v = flume::Selector::new().recv(&r1, |v| v.ok()).recv(&r2, |v| v.ok()).wait_timeout(Duration::ZERO);
                std::hint::black_box(v.ok());
            }
            t0.elapsed()
        })
    });
    g.bench_function("crossbeam", |b| {
        b.iter_custom(|iters| {
            let (_t1, r1) = crossbeam_channel::bounded::<u64>(1);
            let (_t2, r2) = crossbeam_channel::bounded::<u64>(1);
            let t0 = Instant::now();
            for _ in 0..iters {
                crossbeam_channel::select! {
                    recv(r1) -> v => { std::hint::black_box(v.ok()); }
                    recv(r2) -> v => { std::hint::black_box(v.ok()); }
                    default => { std::hint::black_box(0); }
                }
            }
            t0.elapsed()
        })
    });
    g.finish();
}

fn e_spawn(c: &mut Criterion) {
    let mut g = c.benchmark_group("e_spawn");
    for mode in &GOLANG_MODES {
        g.bench_function(*mode, |b| {
            b.iter_custom(|iters| {
                golang_run(mode, async move {
                    let ch = Chan::<u64>::new(SPAWN_BATCH as usize);
                    let t0 = Instant::now();
                    let mut left = iters;
                    while left > 0 {
                        let n = left.min(SPAWN_BATCH);
                        for _ in 0..n {
                            let c = ch.clone();
                            go(async move { c.send(1).await.unwrap() });
                        }
                        for _ in 0..n {
                            ch.recv().await.unwrap();
                        }
                        left -= n;
                    }
                    t0.elapsed()
                })
            })
        });
    }
    g.bench_function("tokio_ct", |b| b.iter_custom(|iters| tokio_run(tokio_spawn_batches(iters))));
    g.bench_function("tokio_mt", |b| b.iter_custom(|iters| tokio_mt_run(tokio_spawn_batches(iters))));
    g.bench_function("smol_mt", |b| b.iter_custom(|iters| smol_mt_run(|ex| smol_spawn_batches(ex, iters))));
    g.bench_function("smol", |b| b.iter_custom(|iters| smol_run(|ex| smol_spawn_batches(ex, iters))));
    g.bench_function("flume_smol", |b| {
        b.iter_custom(|iters| {
            smol_run(|ex| async move {
                let (tx, rx) = flume::bounded::<u64>(SPAWN_BATCH as usize);
                let t0 = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let n = left.min(SPAWN_BATCH);
                    for _ in 0..n {
                        let tx = tx.clone();
                        ex.spawn(async move { tx.send_async(1).await.unwrap() }).detach();
                    }
                    for _ in 0..n {
                        rx.recv_async().await.unwrap();
                    }
                    left -= n;
                }
                t0.elapsed()
            })
        })
    });
    g.finish();
}

fn f_timer0(c: &mut Criterion) {
    let mut g = c.benchmark_group("f_timer0");
    for mode in &GOLANG_MODES[..2] {
        g.bench_function(*mode, |b| {
            b.iter_custom(|iters| {
                golang_run(mode, async move {
                    let t0 = Instant::now();
                    for _ in 0..iters {
                        std::hint::black_box(golang::time::after(Duration::ZERO).recv().await);
                    }
                    t0.elapsed()
                })
            })
        });
    }
    g.bench_function("smol(async-io Timer)", |b| {
        b.iter_custom(|iters| {
            futures_lite::future::block_on(async move {
                let t0 = Instant::now();
                for _ in 0..iters {
                    std::hint::black_box(async_io::Timer::after(Duration::ZERO).await);
                }
                t0.elapsed()
            })
        })
    });
    g.bench_function("tokio_ct(sleep0, 1ms granularity)", |b| {
        b.iter_custom(|iters| {
            tokio_run(async move {
                let t0 = Instant::now();
                for _ in 0..iters {
                    tokio::time::sleep(Duration::ZERO).await;
                }
                t0.elapsed()
            })
        })
    });
    g.finish();
}

fn g_ctx_cancel(c: &mut Criterion) {
    for (group, child) in [("g_ctx_cancel", false), ("g2_ctx_child", true)] {
        let mut g = c.benchmark_group(group);
        g.bench_function("golang", |b| {
            b.iter_custom(|iters| {
                golang_run("golang", async move {
                    let bg = golang::context::background();
                    let (parent, pcancel) = golang::context::with_cancel(&bg);
                    let base = if child { parent.clone() } else { bg };
                    let t0 = Instant::now();
                    for _ in 0..iters {
                        let (ctx, cancel) = golang::context::with_cancel(&base);
                        cancel.cancel();
                        std::hint::black_box(ctx.done().recv().await);
                    }
                    let el = t0.elapsed();
                    pcancel.cancel();
                    el
                })
            })
        });
        g.bench_function("tokio_ct(CancellationToken)", |b| {
            b.iter_custom(|iters| {
                tokio_run(async move {
                    let parent = tokio_util::sync::CancellationToken::new();
                    let t0 = Instant::now();
                    for _ in 0..iters {
                        let t = if child { parent.child_token() } else { tokio_util::sync::CancellationToken::new() };
                        t.cancel();
                        t.cancelled().await;
                    }
                    t0.elapsed()
                })
            })
        });
        g.finish();
    }
}

fn config() -> Criterion {
    Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2)).sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = a_pingpong, b_buf128, c_select_ready, d_select_default, e_spawn, f_timer0, g_ctx_cancel
}
criterion_main!(benches);
