//! `Chan::with_value(cap, v)` must leave exactly the state of `new(cap)`
//! followed by a send of `v`.

use golang_chan::{Chan, Select, TryRecvError, TrySendError};
use golang_sched::Runtime;

#[test]
fn a_channel_made_with_a_value_is_ready_gives_it_once_then_is_empty() {
    let c = Chan::with_value(1, 7u32);
    assert_eq!((c.len(), c.cap()), (1, 1));
    assert_eq!(c.try_recv(), Ok(7));
    assert_eq!((c.len(), c.cap()), (0, 1));
    assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
    // Empty again: a send fits, and the next receive gets it.
    assert_eq!(c.try_send(8), Ok(()));
    assert_eq!(c.try_send(9), Err(TrySendError::Full(9)));
    assert_eq!(c.recv_blocking(), Some(8));
}

#[test]
fn with_value_of_cap_one_is_full_and_of_larger_cap_has_room() {
    let full = Chan::with_value(1, 1u8);
    assert_eq!(full.try_send(2), Err(TrySendError::Full(2)));
    let roomy = Chan::with_value(3, 1u8);
    assert_eq!(roomy.try_send(2), Ok(()));
    assert_eq!(roomy.try_send(3), Ok(()));
    assert_eq!(roomy.try_send(4), Err(TrySendError::Full(4)));
    assert_eq!((roomy.len(), roomy.cap()), (3, 3));
    let got: Vec<u8> = std::iter::from_fn(|| roomy.try_recv().ok()).collect();
    assert_eq!(got, vec![1, 2, 3]);
}

#[test]
fn a_closed_channel_made_with_a_value_still_gives_the_value_then_none() {
    let c = Chan::with_value(1, "v");
    c.close();
    assert!(c.is_closed());
    assert_eq!(c.try_send("w"), Err(TrySendError::Closed("w")));
    assert_eq!(c.try_recv(), Ok("v"));
    assert_eq!(c.try_recv(), Err(TryRecvError::Closed));
    assert_eq!(c.recv_blocking(), None);
}

#[test]
fn a_channel_made_with_a_value_is_ready_in_select_and_for_goroutines() {
    let c = Chan::with_value(1, 5i64);
    let mut sel = Select::new();
    let i = sel.recv(&c);
    assert_eq!(sel.try_select(), Some(Ok(i)), "ready to receive at once");
    assert_eq!(sel.take_recv::<i64>(i), Some(Some(5)));
    drop(sel);
    assert_eq!(c.try_recv(), Err(TryRecvError::Empty));
    let got = Runtime::deterministic(3)
        .block_on(async {
            let d = Chan::with_value(2, 6i64);
            (d.recv().await, d.try_recv())
        })
        .unwrap();
    assert_eq!(got, (Some(6), Err(TryRecvError::Empty)));
}

#[test]
fn the_value_of_a_channel_made_with_one_is_dropped_once_with_the_channel() {
    let v = std::sync::Arc::new(());
    let c = Chan::with_value(1, v.clone());
    let c2 = c.clone();
    assert_eq!(std::sync::Arc::strong_count(&v), 2);
    drop(c);
    assert_eq!(std::sync::Arc::strong_count(&v), 2, "a clone keeps the channel");
    drop(c2);
    assert_eq!(std::sync::Arc::strong_count(&v), 1);
}

#[test]
#[should_panic(expected = "unbuffered channel cannot hold a value")]
fn with_value_of_an_unbuffered_channel_panics() {
    let _ = Chan::with_value(0, 1u8);
}
