//! The executors: virtual time, real clock with timers and IO, background
//! runtime, seeds.

use golang::sched::net::{TcpListener, TcpStream};
use golang::sched::{now_ns, testing, ClockKind};
use golang::{go, sleep, Chan, Runtime, Select};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn virtual_time_jumps_to_the_next_timer_without_real_sleeping() {
    let t0 = Instant::now();
    let rt = Runtime::deterministic(1);
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    rt.block_on(async move {
        let done: Chan<()> = Chan::new(0);
        for (i, secs) in [(0, 30u64), (1, 10), (2, 20), (3, 10)] {
            let (l, d) = (l.clone(), done.clone());
            go(async move {
                sleep(Duration::from_secs(secs)).await;
                l.lock().unwrap().push((i, now_ns() / 1_000_000_000));
                d.send(()).await.unwrap();
            });
        }
        for _ in 0..4 {
            done.recv().await.unwrap();
        }
        assert_eq!(now_ns(), 30_000_000_000);
    })
    .unwrap();
    let got = log.lock().unwrap().clone();
    // Ties (1 and 3 at 10s) in any order the seed picks, but times exact.
    assert_eq!(got.iter().map(|x| x.1).collect::<Vec<_>>(), vec![10, 10, 20, 30]);
    assert!(t0.elapsed() < Duration::from_secs(5));
}

#[test]
fn select_with_a_timeout_on_the_virtual_clock() {
    let rt = Runtime::deterministic(2);
    let r = rt
        .block_on(async {
            let never: Chan<i32> = Chan::new(0);
            let timeout: Chan<()> = Chan::new(1);
            let t = timeout.clone();
            go(async move {
                sleep(Duration::from_millis(250)).await;
                t.send(()).await.unwrap();
            });
            let mut sel = Select::new();
            sel.recv(&never);
            let to = sel.recv(&timeout);
            let i = sel.wait().await.unwrap();
            (i == to, now_ns())
        })
        .unwrap();
    assert_eq!(r, (true, 250_000_000));
}

#[test]
fn real_clock_timers_fire_in_deadline_order() {
    let rt = Runtime::new(ClockKind::Real, 5, false);
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = log.clone();
    rt.block_on(async move {
        let done: Chan<()> = Chan::new(0);
        for ms in [30u64, 10, 20] {
            let (l, d) = (l.clone(), done.clone());
            go(async move {
                sleep(Duration::from_millis(ms)).await;
                l.lock().unwrap().push(ms);
                d.send(()).await.unwrap();
            });
        }
        for _ in 0..3 {
            done.recv().await.unwrap();
        }
    })
    .unwrap();
    assert_eq!(*log.lock().unwrap(), vec![10, 20, 30]);
}

#[test]
fn goroutines_serve_many_concurrent_tcp_connections_over_loopback() {
    let rt = Runtime::real();
    let served = rt
        .block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let addr = listener.local_addr().unwrap();
            let n = 200;
            // Server: one goroutine per connection, echoing until EOF.
            go_local_server(listener, n);
            let results: Chan<u64> = Chan::new(0);
            for i in 0..n as u64 {
                let r = results.clone();
                golang::go_local(async move {
                    let s = TcpStream::connect(addr).await.unwrap();
                    let msg = format!("hello {i}\n");
                    s.write_all(msg.as_bytes()).await.unwrap();
                    s.shutdown_write().unwrap();
                    let mut buf = vec![0u8; msg.len()];
                    s.read_exact(&mut buf).await.unwrap();
                    assert_eq!(buf, msg.as_bytes());
                    r.send(i).await.unwrap();
                });
            }
            let mut sum = 0;
            for _ in 0..n {
                sum += results.recv().await.unwrap();
            }
            sum
        })
        .unwrap();
    assert_eq!(served, 199 * 200 / 2);
}

fn go_local_server(listener: TcpListener, n: usize) {
    golang::go_local(async move {
        for _ in 0..n {
            let (s, _) = listener.accept().await.unwrap();
            golang::go_local(async move {
                let mut buf = [0u8; 64];
                loop {
                    let k = s.read(&mut buf).await.unwrap();
                    if k == 0 {
                        break;
                    }
                    s.write_all(&buf[..k]).await.unwrap();
                }
            });
        }
    });
}

#[test]
fn go_outside_any_executor_runs_on_the_background_runtime() {
    let ch: Chan<&'static str> = Chan::new(0);
    let c = ch.clone();
    go(async move {
        sleep(Duration::from_millis(5)).await;
        c.send("from background").await.unwrap();
    });
    assert_eq!(ch.recv_blocking(), Some("from background"));
}

#[test]
fn check_seeds_reports_the_failing_seed() {
    let r = std::panic::catch_unwind(|| {
        testing::check_seeds(10, || async {
            let c: Chan<i32> = Chan::new(0);
            c.recv().await; // deadlock on every seed
        })
    });
    let msg = r.unwrap_err().downcast::<String>().unwrap();
    assert!(msg.contains("failed with seed 0"), "{msg}");
    assert!(msg.contains("GOLANG_SEED=0"), "{msg}");
}
