//! Signal delivery to channels. Signals are process-wide: the tests take
//! one lock so that they run one at a time.
#![cfg(unix)]

use golang_chan::Chan;
use golang_os::signal::{self, SignalError};
use golang_os::Signal;
use std::ffi::c_int;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const USR1: Signal = Signal(libc::SIGUSR1);
const USR2: Signal = Signal(libc::SIGUSR2);

fn raise(sig: Signal) {
    // SAFETY: raise only sends a signal to the calling thread.
    assert_eq!(unsafe { libc::raise(sig.0) }, 0);
}

static COUNT: AtomicUsize = AtomicUsize::new(0);
extern "C" fn counting_handler(_sig: c_int) {
    COUNT.fetch_add(1, Ordering::SeqCst);
}

fn handler_of(sig: Signal) -> libc::sighandler_t {
    // SAFETY: reads the current action only.
    unsafe {
        let mut cur: libc::sigaction = std::mem::zeroed();
        assert_eq!(libc::sigaction(sig.0, std::ptr::null(), &mut cur), 0);
        cur.sa_sigaction
    }
}

fn install(sig: Signal, h: libc::sighandler_t) {
    // SAFETY: installs a plain handler (or SIG_IGN / SIG_DFL).
    unsafe {
        let mut act: libc::sigaction = std::mem::zeroed();
        act.sa_sigaction = h;
        libc::sigemptyset(&mut act.sa_mask);
        assert_eq!(libc::sigaction(sig.0, &act, std::ptr::null_mut()), 0);
    }
}

fn counting() -> libc::sighandler_t {
    counting_handler as extern "C" fn(c_int) as libc::sighandler_t
}

#[test]
fn raised_signal_is_received_by_a_thread_and_a_goroutine() {
    let _g = serial();
    let ch: Chan<Signal> = Chan::new(1);
    signal::notify(&ch, &[USR1]).unwrap();
    raise(USR1);
    assert_eq!(ch.recv_blocking(), Some(USR1));

    // A goroutine on the executor, woken from the delivery thread.
    let rt = golang_sched::Runtime::real();
    let ch2 = ch.clone();
    let got = rt.block_on(async move {
        std::thread::spawn(|| raise(USR1));
        ch2.recv().await
    });
    assert_eq!(got.unwrap(), Some(USR1));
    signal::stop(&ch).unwrap();
}

#[test]
fn full_channel_drops_the_signal_and_others_still_get_it() {
    let _g = serial();
    let full: Chan<Signal> = Chan::new(1);
    let roomy: Chan<Signal> = Chan::new(10);
    signal::notify(&full, &[USR1]).unwrap();
    signal::notify(&roomy, &[USR1]).unwrap();
    raise(USR1);
    assert_eq!(roomy.recv_blocking(), Some(USR1)); // the pass that filled `full` is over
    raise(USR1);
    assert_eq!(roomy.recv_blocking(), Some(USR1)); // the second pass: `full` was full
    assert_eq!(full.len(), 1);
    signal::stop(&full).unwrap();
    signal::stop(&roomy).unwrap();
}

#[test]
fn previous_handler_is_chained_and_stop_restores_it() {
    let _g = serial();
    install(USR2, counting());
    let before = COUNT.load(Ordering::SeqCst);
    let ch: Chan<Signal> = Chan::new(1);
    signal::notify(&ch, &[USR2]).unwrap();
    assert_ne!(handler_of(USR2), counting());
    raise(USR2);
    assert_eq!(ch.recv_blocking(), Some(USR2));
    assert_eq!(
        COUNT.load(Ordering::SeqCst),
        before + 1,
        "the previous handler ran too"
    );

    signal::stop(&ch).unwrap();
    assert_eq!(
        handler_of(USR2),
        counting(),
        "stop restored the previous action"
    );
    raise(USR2);
    assert_eq!(COUNT.load(Ordering::SeqCst), before + 2);
    assert_eq!(ch.len(), 0, "nothing is sent after stop");
    signal::reset(&[USR2]).unwrap();
    install(USR2, libc::SIG_DFL);
}

#[test]
fn ignore_silences_and_reset_restores_the_original_action() {
    let _g = serial();
    install(USR2, counting());
    let before = COUNT.load(Ordering::SeqCst);
    let ch: Chan<Signal> = Chan::new(1);
    signal::notify(&ch, &[USR2]).unwrap();
    signal::ignore(&[USR2]).unwrap();
    assert_eq!(handler_of(USR2), libc::SIG_IGN);
    raise(USR2);
    assert_eq!(COUNT.load(Ordering::SeqCst), before);
    signal::reset(&[USR2]).unwrap();
    assert_eq!(handler_of(USR2), counting());
    raise(USR2);
    assert_eq!(COUNT.load(Ordering::SeqCst), before + 1);
    assert_eq!(ch.len(), 0);
    // Notify after Ignore+Reset works again.
    signal::notify(&ch, &[USR2]).unwrap();
    raise(USR2);
    assert_eq!(ch.recv_blocking(), Some(USR2));
    signal::reset(&[USR2]).unwrap();
    install(USR2, libc::SIG_DFL);
}

#[test]
fn a_thousand_notify_stop_rounds_leave_the_action_as_it_was() {
    let _g = serial();
    install(USR1, libc::SIG_IGN);
    let ch: Chan<Signal> = Chan::new(1);
    for _ in 0..1000 {
        signal::notify(&ch, &[USR1]).unwrap();
        signal::stop(&ch).unwrap();
    }
    assert_eq!(handler_of(USR1), libc::SIG_IGN);
    signal::notify(&ch, &[USR1]).unwrap();
    raise(USR1);
    assert_eq!(ch.recv_blocking(), Some(USR1));
    signal::stop(&ch).unwrap();
    install(USR1, libc::SIG_DFL);
}

#[test]
fn replacing_our_handler_while_notified_is_a_collision() {
    let _g = serial();
    let ch: Chan<Signal> = Chan::new(1);
    signal::notify(&ch, &[USR2]).unwrap();
    install(USR2, counting());
    assert_eq!(
        signal::notify(&ch, &[USR2]),
        Err(SignalError::Collision { signo: USR2.0 })
    );
    assert_eq!(
        signal::stop(&ch).unwrap_err().to_string(),
        "collision detected wrt thirdparty sigaction usage"
    );
    // While reset, a third party may change the action: the next notify
    // takes it as the previous action.
    install(USR2, counting());
    signal::notify(&ch, &[USR2]).unwrap();
    signal::reset(&[USR2]).unwrap();
    assert_eq!(handler_of(USR2), counting());
    install(USR2, libc::SIG_DFL);
}

#[test]
fn bad_signals_are_refused_with_pygolangs_messages() {
    let _g = serial();
    let ch: Chan<Signal> = Chan::new(1);
    for bad in [0, -1, 65] {
        let e = signal::notify(&ch, &[Signal(bad)]).unwrap_err();
        assert_eq!(e, SignalError::Invalid(bad));
        assert_eq!(e.to_string(), "invalid signal");
        assert_eq!(
            signal::ignore(&[Signal(bad)]).unwrap_err().to_string(),
            "invalid signal"
        );
        assert_eq!(
            signal::reset(&[Signal(bad)]).unwrap_err().to_string(),
            "invalid signal"
        );
    }
    let e = signal::notify(&ch, &[Signal(libc::SIGKILL)]).unwrap_err();
    assert_eq!(e.to_string(), "sigaction failed");
    assert_eq!(
        signal::ignore(&[Signal(libc::SIGSTOP)])
            .unwrap_err()
            .to_string(),
        "sigaction failed"
    );
    signal::reset(&[Signal(libc::SIGKILL)]).unwrap_err();
    // A refused ignore changes nothing: SIGUSR2 notified still works after
    // ignoring it together with SIGKILL failed at SIGKILL.
    signal::notify(&ch, &[USR2]).unwrap();
    assert_eq!(
        signal::ignore(&[Signal(libc::SIGKILL), USR2])
            .unwrap_err()
            .to_string(),
        "sigaction failed"
    );
    raise(USR2);
    assert_eq!(ch.recv_blocking(), Some(USR2));
    signal::stop(&ch).unwrap();
}

#[test]
fn a_storm_of_signals_coalesces_and_never_blocks() {
    let _g = serial();
    let ch: Chan<Signal> = Chan::new(1);
    let last: Chan<Signal> = Chan::new(100);
    signal::notify(&ch, &[USR1]).unwrap();
    let senders: Vec<_> = (0..4)
        .map(|_| {
            std::thread::spawn(|| {
                for _ in 0..2000 {
                    raise(USR1);
                }
            })
        })
        .collect();
    for t in senders {
        t.join().unwrap();
    }
    // Everything caught is delivered once `last` sees a signal sent after.
    signal::notify(&last, &[USR1]).unwrap();
    raise(USR1);
    assert_eq!(last.recv_blocking(), Some(USR1));
    assert_eq!(ch.len(), 1);
    signal::stop(&ch).unwrap();
    signal::stop(&last).unwrap();
}
