//! Fixed workloads for counting instructions with callgrind, which is
//! repeatable where wall-clock timings on a shared machine are not:
//!
//! `valgrind --tool=callgrind target/release/examples/instr <workload> <n>`
//!
//! Run it with two values of n: the difference of the totals divided by the
//! difference of n is the cost of one operation, free of the setup.
//! Workloads: select_ready, select_ready_macro, select_default,
//! select_default_macro, send_recv (a buffered send and its receive),
//! context (with_cancel of a cancellable parent, cancel, drop), spawn; the
//! benchmark's own bodies: spawn_real (e_spawn on the real-clock executor),
//! ctx_cancel (g_ctx_cancel: with_cancel(background), cancel, receive from
//! done), ctx_child (g2_ctx_child), timer0 and timer0_real (f_timer0:
//! `after(0)` and its receive, virtual and real clock); and the best peers
//! of the benchmark table: peer_select_ready (crossbeam select!),
//! peer_select_default (async-channel try_recv x2), peer_spawn (flume on
//! smol's LocalExecutor), peer_ctx_cancel and peer_ctx_child (tokio-util's
//! CancellationToken on tokio current_thread), peer_timer0 (async-io's
//! `Timer::after(0)`).

use golang::chan::{select, try_select_tuple, RecvCase};
use golang::{go, Chan, ClockKind, Runtime};
use std::time::Duration;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let w = args.get(1).cloned().unwrap_or_default();
    if w.starts_with("peer_") {
        return peer(&w, n);
    }
    let rt = match w.as_str() {
        "spawn_real" | "timer0_real" => Runtime::new(ClockKind::Real, 1, false),
        _ => Runtime::deterministic(1),
    };
    rt.block_on(async move {
            let cap = if w.starts_with("spawn") { 1000 } else { 1 };
            let (c1, c2) = (Chan::<u64>::new(cap), Chan::<u64>::new(1));
            match w.as_str() {
                "select_ready" => {
                    for i in 0..n {
                        c1.send(i).await.unwrap();
                        let (mut r1, mut r2) = (RecvCase::new(&c1), RecvCase::new(&c2));
                        let k = select(&mut [&mut r1, &mut r2], false).await.unwrap();
                        std::hint::black_box((k, r1.take(), r2.take()));
                    }
                }
                "select_ready_macro" => {
                    for i in 0..n {
                        c1.send(i).await.unwrap();
                        golang::select! {
                            v = c1.recv() => { std::hint::black_box(v); }
                            v = c2.recv() => { std::hint::black_box(v); }
                        }
                    }
                }
                "select_default" => {
                    for _ in 0..n {
                        let (mut r1, mut r2) = (RecvCase::new(&c1), RecvCase::new(&c2));
                        std::hint::black_box(try_select_tuple((&mut r1, &mut r2), true).unwrap().unwrap());
                    }
                }
                "select_default_macro" => {
                    for _ in 0..n {
                        let k = golang::select! {
                            v = c1.recv() => v,
                            v = c2.recv() => v,
                            default => Some(0),
                        };
                        std::hint::black_box(k);
                    }
                }
                "send_recv" => {
                    for i in 0..n {
                        c1.send(i).await.unwrap();
                        std::hint::black_box(c1.recv().await.unwrap());
                    }
                }
                "context" => {
                    // a cancellable child of a cancellable parent: create,
                    // cancel, drop (the spin lock and the counted node)
                    let (parent, pcancel) = golang::context::with_cancel(&golang::context::background());
                    for _ in 0..n {
                        let (ctx, cancel) = golang::context::with_cancel(&parent);
                        cancel.cancel();
                        std::hint::black_box(ctx.err());
                    }
                    pcancel.cancel();
                }
                "ctx_cancel" | "ctx_child" => {
                    // the benchmark's g_ctx_cancel / g2_ctx_child body
                    let bg = golang::context::background();
                    let (parent, pcancel) = golang::context::with_cancel(&bg);
                    let base = if w == "ctx_child" { parent.clone() } else { bg };
                    for _ in 0..n {
                        let (ctx, cancel) = golang::context::with_cancel(&base);
                        cancel.cancel();
                        std::hint::black_box(ctx.done().recv().await);
                    }
                    pcancel.cancel();
                }
                "timer0" | "timer0_real" => {
                    for _ in 0..n {
                        std::hint::black_box(golang::time::after(Duration::ZERO).recv().await);
                    }
                }
                "spawn" | "spawn_real" => {
                    let mut left = n;
                    while left > 0 {
                        let m = left.min(1000);
                        for _ in 0..m {
                            let c = c1.clone();
                            go(async move { c.send(1).await.unwrap() });
                        }
                        for _ in 0..m {
                            c1.recv().await.unwrap();
                        }
                        left -= m;
                    }
                }
                other => panic!("unknown workload {other:?}"),
            }
        })
        .unwrap();
}

fn peer(w: &str, n: u64) {
    match w {
        "peer_select_ready" => {
            let (t1, r1) = crossbeam_channel::bounded::<u64>(1);
            let (_t2, r2) = crossbeam_channel::bounded::<u64>(1);
            for i in 0..n {
                t1.send(i).unwrap();
                crossbeam_channel::select! {
                    recv(r1) -> v => { std::hint::black_box(v.ok()); }
                    recv(r2) -> v => { std::hint::black_box(v.ok()); }
                }
            }
        }
        "peer_select_default" => {
            let (_t1, r1) = async_channel::bounded::<u64>(1);
            let (_t2, r2) = async_channel::bounded::<u64>(1);
            for _ in 0..n {
                std::hint::black_box(r1.try_recv().ok().or_else(|| r2.try_recv().ok()));
            }
        }
        "peer_spawn" => {
            let ex = async_executor::LocalExecutor::new();
            futures_lite::future::block_on(ex.run(async {
                let (tx, rx) = flume::bounded::<u64>(1000);
                let mut left = n;
                while left > 0 {
                    let m = left.min(1000);
                    for _ in 0..m {
                        let tx = tx.clone();
                        ex.spawn(async move { tx.send_async(1).await.unwrap() }).detach();
                    }
                    for _ in 0..m {
                        rx.recv_async().await.unwrap();
                    }
                    left -= m;
                }
            }));
        }
        "peer_ctx_cancel" | "peer_ctx_child" => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
            rt.block_on(async move {
                let parent = tokio_util::sync::CancellationToken::new();
                for _ in 0..n {
                    let t = if w == "peer_ctx_child" { parent.child_token() } else { tokio_util::sync::CancellationToken::new() };
                    t.cancel();
                    t.cancelled().await;
                }
            });
        }
        "peer_timer0" => futures_lite::future::block_on(async move {
            for _ in 0..n {
                std::hint::black_box(async_io::Timer::after(Duration::ZERO).await);
            }
        }),
        other => panic!("unknown workload {other:?}"),
    }
}
