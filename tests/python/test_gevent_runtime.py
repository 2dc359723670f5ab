"""The gevent runtime (what gpython runs): blocking channel operations switch
to the gevent hub. These tests run when the suite runs under gpython (the
test command does that); under plain python they are skipped."""

import pytest

import golang
from golang import go, chan, select, default, time

pytestmark = pytest.mark.skipif(not golang._gevent, reason="needs the gevent runtime (run under gpython)")


def test_a_killed_greenlet_blocked_in_recv_leaves_no_waiter_and_loses_no_value():
    import gevent
    from golang._golang_test import pylen_recvq, pywaitBlocked
    ch = chan()
    g = gevent.spawn(ch.recv)
    pywaitBlocked(ch.recv)
    g.kill()
    assert pylen_recvq(ch) == 0
    got = chan(1)
    go(lambda: got.send(ch.recv()))
    pywaitBlocked(ch.recv)
    ch.send('v')
    assert got.recv() == 'v'


def test_gevent_timeout_interrupts_a_blocked_select():
    import gevent
    ch = chan()
    with pytest.raises(gevent.Timeout):
        with gevent.Timeout(0.01):
            select(ch.recv, (ch.send, 1))
    assert select(ch.recv, default) == (1, None)


def test_timers_and_tickers_wake_greenlets():
    t0 = time.now()
    assert time.after(0.02).recv() - t0 >= 0.015
    tk = time.Ticker(0.005)
    ticks = [tk.c.recv() for _ in range(3)]
    tk.stop()
    assert ticks == sorted(ticks)
    done = chan()
    time.after_func(0.01, lambda: done.send('fired'))
    assert done.recv() == 'fired'


def test_many_greenlets_ping_pong_through_one_channel_in_one_os_thread():
    import threading
    n = 2000
    ch, out = chan(), chan(n)
    before = threading.active_count()
    for i in range(n):
        go(lambda i=i: out.send(ch.recv() + i))
    assert threading.active_count() == before     # greenlets, not OS threads
    for _ in range(n):
        ch.send(1)
    assert sorted(out.recv() for _ in range(n)) == list(range(1, n + 1))
