//! Timer and ticker rules, all on the virtual clock (no real sleeping).

use golang_chan::Chan;
use golang_sched::{go, sleep, Runtime};
use golang_time::{after, after_func, now, tick, Ticker, Timer, RESET_ARMED, TICKER_DT};
use std::time::Duration;

fn run<F: std::future::Future>(f: F) -> F::Output {
    Runtime::deterministic(1).block_on(f).unwrap()
}

#[test]
fn after_fires_once_with_the_fire_time() {
    run(async {
        let t0 = now();
        let c = after(Duration::from_millis(1500));
        let t = c.recv().await.unwrap();
        assert_eq!(t - t0, 1.5);
        assert!(c.try_recv().is_err());
    });
}

#[test]
fn stop_says_whether_the_timer_was_armed_and_empties_its_channel() {
    run(async {
        let t = Timer::new(Duration::from_secs(1));
        assert!(t.stop());
        assert!(!t.stop());
        let t2 = Timer::new(Duration::from_secs(1));
        sleep(Duration::from_secs(2)).await; // fired: its value sits in the channel
        assert_eq!(t2.c().len(), 1);
        assert!(!t2.stop());
        assert_eq!(t2.c().len(), 0, "stop must leave the channel empty");
    });
}

#[test]
fn reset_of_an_armed_timer_panics_and_of_a_stopped_one_rearms() {
    run(async {
        let t = Timer::new(Duration::from_secs(1));
        assert_eq!(t.try_reset(Duration::from_secs(2)), Err(RESET_ARMED));
        t.stop();
        let t0 = now();
        t.reset(Duration::from_secs(3));
        let fired = t.c().recv().await.unwrap();
        assert_eq!(fired - t0, 3.0);
        // expired: reset is allowed again
        t.reset(Duration::from_secs(1));
        assert_eq!(t.c().recv().await.unwrap() - t0, 4.0);
    });
}

#[test]
fn a_slow_ticker_receiver_skips_ticks_rather_than_queueing_them() {
    run(async {
        let t0 = now();
        let tk = Ticker::new(Duration::from_secs(1));
        sleep(Duration::from_millis(5500)).await; // 5 ticks happened, 1 kept
        assert_eq!(tk.c().len(), 1);
        let first = tk.c().recv().await.unwrap();
        assert_eq!(first - t0, 1.0); // the one that found room
        let next = tk.c().recv().await.unwrap();
        assert_eq!(next - t0, 6.0); // on the original grid
        tk.stop();
        assert_eq!(tk.c().len(), 0);
        sleep(Duration::from_secs(10)).await;
        assert_eq!(tk.c().len(), 0, "a stopped ticker does not tick");
    });
}

#[test]
fn ticker_with_zero_period_panics_and_tick_of_zero_is_nil() {
    assert_eq!(Ticker::try_new(Duration::ZERO).err(), Some(TICKER_DT));
    assert!(tick(Duration::ZERO).is_nil());
}

#[test]
fn after_func_runs_its_function_and_stop_cancels_it() {
    run(async {
        let done: Chan<f64> = Chan::new(1);
        let d = done.clone();
        let _t = after_func(Duration::from_secs(2), move || {
            let d = d.clone();
            go(async move { d.send(now()).await.unwrap() });
        });
        let t0 = now();
        assert_eq!(done.recv().await.unwrap() - t0, 2.0);
        let never: Chan<()> = Chan::new(1);
        let n = never.clone();
        let t = after_func(Duration::from_secs(1), move || {
            let _ = n.try_send(());
        });
        assert!(t.stop());
        sleep(Duration::from_secs(5)).await;
        assert!(never.try_recv().is_err());
    });
}

#[test]
fn timers_made_from_an_os_thread_run_on_the_background_executor() {
    let c = after(Duration::from_millis(10));
    let t0 = std::time::Instant::now();
    assert!(c.recv_blocking().is_some());
    assert!(t0.elapsed() >= Duration::from_millis(9));
}

#[test]
fn after_zero_is_ready_at_once_with_the_current_time_and_gives_it_once() {
    run(async {
        let t0 = now();
        let c = after(Duration::ZERO);
        assert_eq!((c.len(), c.cap()), (1, 1));
        assert_eq!(c.try_recv(), Ok(t0));
        assert!(c.try_recv().is_err());
        assert_eq!(c.try_send(1.0), Ok(()), "empty again, with room for one");
    });
}

/// Go's promise: when `stop` of an after_func timer returns false, `f` has run
/// or will run. Stops race the expiry on the background executor's real clock;
/// whatever the interleaving, every timer whose stop said false runs `f`.
#[test]
fn after_func_stop_false_means_f_runs() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    for _round in 0..20 {
        let ran: Vec<Arc<AtomicBool>> = (0..300).map(|_| Arc::new(AtomicBool::new(false))).collect();
        let ts: Vec<Timer> = ran
            .iter()
            .map(|r| {
                let r = r.clone();
                after_func(Duration::from_micros(1000), move || {
                    // A slow f (as one waiting for Python's GIL) holds back
                    // the firings the wheel has already taken out.
                    std::thread::sleep(Duration::from_micros(50));
                    r.store(true, Ordering::SeqCst)
                })
            })
            .collect();
        std::thread::sleep(Duration::from_micros(1200));
        let res: Vec<bool> = ts.iter().map(|t| t.stop()).collect();
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            let lost = (0..300).filter(|&i| !res[i] && !ran[i].load(Ordering::SeqCst)).count();
            if lost == 0 {
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{lost} timers: stop returned false and f never ran");
            std::thread::sleep(Duration::from_millis(10));
        }
        for i in 0..300 {
            assert!(!(res[i] && ran[i].load(Ordering::SeqCst)), "stop returned true but f ran");
        }
    }
}
