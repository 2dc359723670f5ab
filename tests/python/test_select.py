# SPDX-License-Identifier: MIT OR Apache-2.0
"""Conformance tests of golang's `select` and `default` against Pygolang
0.0.5's API as listed in /work/shared/API.md ("golang" table). Each test is
named by the property it checks; error messages are compared exactly.
"""

import gc
import sys

import pytest

from golang import chan, select, default, nilchan

from _golang_testutil import *  # noqa: F401,F403  (hooks, panics, spawn, join, watchdog, ...)
from _golang_testutil import DTYPES, DTYPE_IDS


needs_getrefcount = pytest.mark.skipif(not hasattr(sys, 'getrefcount'),
                                       reason="needs sys.getrefcount")

N = 500     # repetitions of select/chan and select/select interactions


class Obj(object):
    pass


def assert_no_waiters(*chv):
    for ch in chv:
        assert len_sendq(ch) == 0, ch
        assert len_recvq(ch) == 0, ch


# ---- the four kinds of cases ----

def test_select_recv_case_gives_the_value():
    ch = chan(1)
    ch.send('a')
    assert select(ch.recv) == (0, 'a')
    ch.send('b')
    assert select(default, ch.recv) == (1, 'b')


def test_select_recv__case_gives_value_and_ok():
    ch = chan(1)
    ch.send('a')
    assert select(ch.recv_) == (0, ('a', True))
    ch.close()
    assert select(ch.recv_) == (0, (None, False))


def test_select_send_case_gives_none_and_sends():
    ch = chan(1)
    assert select((ch.send, 'x')) == (0, None)
    assert len(ch) == 1
    assert ch.recv() == 'x'


def test_select_default_case_gives_none_when_nothing_is_ready():
    ch = chan()
    for _ in range(N):
        assert select((ch.send, 0), default) == (1, None)
        assert select(ch.recv, default) == (1, None)
        assert select(ch.recv_, default) == (1, None)
        assert select(default, ch.recv, (ch.send, 1)) == (0, None)
    assert select(default) == (0, None)
    assert_no_waiters(ch)
    assert len(ch) == 0


def test_select_index_counts_every_argument_including_default():
    a, c = chan(1), chan(1)
    c.send('c')
    assert select(a.recv, default, (nilchan.send, None), c.recv) == (3, 'c')
    assert select(a.recv, default, (nilchan.send, None), (c.send, 1)) == (3, None)
    assert select(a.recv, default, (nilchan.send, None), c.recv_) == (3, (1, True))
    assert select(a.recv, default, (nilchan.send, None), c.recv_) == (1, None)


def test_select_does_not_take_default_when_a_case_is_ready():
    ch = chan(1)
    for i in range(N):
        assert select(default, (ch.send, i)) == (1, None)
        assert select(ch.recv, default) == (0, i)


def test_select_rx_is_typed_by_the_chan_dtype():
    for dtype, obj, zero in DTYPES:
        ch = chan(1, dtype=dtype)
        ch.send(obj)
        _, rx = select(ch.recv)
        assert type(rx) is type(obj) and rx == obj
        assert select((ch.send, obj)) == (0, None)
        _, (rx, ok) = select(ch.recv_)
        assert ok is True and type(rx) is type(obj) and rx == obj
        ch.close()
        _, rx = select(ch.recv)
        assert type(rx) is type(zero) and rx == zero
        _, (rx, ok) = select(ch.recv_)
        assert ok is False and type(rx) is type(zero) and rx == zero


@pytest.mark.parametrize('dtype,obj,zero', DTYPES[1:], ids=DTYPE_IDS[1:])
def test_select_send_of_wrong_value_on_typed_chan_raises_typeerror(dtype, obj, zero):
    ch = chan(1, dtype=dtype)
    for bad in ['abc', Obj()]:
        with pytest.raises(TypeError):
            select((ch.send, bad))
        with pytest.raises(TypeError):
            select((ch.send, bad), default)
    assert len(ch) == 0


def test_select_send_of_bool_to_int_chan_has_the_type_mismatch_message():
    ch = chan(1, dtype='C.int')
    with pytest.raises(TypeError) as exc:
        select((ch.send, True), default)
    assert exc.value.args == ("type mismatch: expect int; got True",)
    ch = chan(1, dtype='C.double')
    with pytest.raises(TypeError) as exc:
        select((ch.send, False), default)
    assert exc.value.args == ("type mismatch: expect float; got False",)


# ---- readiness, blocking and randomness ----

@needs_threads
def test_select_nonblocking_send_succeeds_when_a_receiver_waits():
    ch = chan()

    def receiver():
        for i in range(N):
            assert ch.recv() == i
    g = spawn(receiver)
    for i in range(N):
        waitBlocked(ch.recv)
        assert select((ch.send, i), default) == (0, None)
    join(g)
    assert_no_waiters(ch)


@needs_threads
def test_select_nonblocking_recv_succeeds_when_a_sender_waits():
    ch = chan()

    def sender():
        for i in range(N):
            ch.send(i)
    g = spawn(sender)
    for i in range(N):
        waitBlocked(ch.send)
        if i % 2:
            assert select(ch.recv, default) == (0, i)
        else:
            assert select(ch.recv_, default) == (0, (i, True))
    join(g)
    assert_no_waiters(ch)


@needs_threads
def test_select_blocks_until_a_recv_case_becomes_ready_and_then_unregisters():
    ch1, ch2 = chan(), chan()

    def sender():
        for i in range(N):
            # the select is queued on both (it queues on one, then on the
            # other: wait for both, not for one and assert the other)
            wait_until(lambda: len_recvq(ch1) == 1 and len_recvq(ch2) == 1, "select queued on ch1 and ch2")
            ch2.send(i)
    g = spawn(sender)
    for i in range(N):
        assert select(ch1.recv, ch2.recv) == (1, i)
    join(g)
    assert_no_waiters(ch1, ch2)


@needs_threads
def test_select_blocks_until_a_send_case_becomes_ready_and_then_unregisters():
    ch1, ch2 = chan(), chan()

    def receiver():
        for i in range(N):
            wait_until(lambda: len_sendq(ch1) == 1 and len_sendq(ch2) == 1, "select queued on ch1 and ch2")
            assert ch1.recv() == 'a%d' % i
    g = spawn(receiver)
    for i in range(N):
        assert select((ch1.send, 'a%d' % i), (ch2.send, 'b')) == (0, None)
    join(g)
    assert_no_waiters(ch1, ch2)


@needs_threads
def test_select_blocked_on_send_and_recv_is_completed_by_either():
    ch1, ch2 = chan(), chan()

    def peer():
        for i in range(N):
            waitBlocked(ch1.send)
            if i % 2:
                assert ch1.recv() == 'tx'
            else:
                ch2.send('rx')
    g = spawn(peer)
    for i in range(N):
        _, rx = select((ch1.send, 'tx'), ch2.recv)
        assert (_, rx) == ((0, None) if i % 2 else (1, 'rx'))
    join(g)
    assert_no_waiters(ch1, ch2)


@needs_threads
def test_select_with_nil_chan_cases_waits_for_the_real_chan():
    z = nilchan
    for i in range(50):
        ch = chan()

        def peer():
            waitBlocked(ch.send)
            assert ch.recv() == 'c'
        g = spawn(peer)
        assert select(z.recv, (z.send, 0), (ch.send, 'c')) == (2, None)
        join(g)

        def peer():
            waitBlocked(ch.recv)
            ch.send('d')
        g = spawn(peer)
        assert select(z.recv, (z.send, 0), ch.recv) == (2, 'd')
        join(g)
        assert_no_waiters(ch)


def test_select_picks_randomly_among_ready_recv_cases():
    a, b = chan(1), chan(1)
    seen = set()
    for _ in range(1000):
        if len(a) == 0:
            a.send('a')
        if len(b) == 0:
            b.send('b')
        i, rx = select(a.recv, b.recv)
        assert rx == 'ab'[i]
        seen.add(i)
        if seen == {0, 1}:
            break
    assert seen == {0, 1}


def test_select_picks_randomly_among_ready_send_and_recv_cases():
    a, b = chan(1), chan(1)
    b.send('b')
    seen = set()
    for _ in range(1000):
        i, rx = select((a.send, 'a'), b.recv, default)
        assert i != 2
        seen.add(i)
        if i == 0:
            assert a.recv() == 'a'
        else:
            assert rx == 'b'
            b.send('b')
        if seen == {0, 1}:
            break
    assert seen == {0, 1}


@needs_threads
def test_select_picks_randomly_among_receivers_waiting_on_two_chans():
    a, b = chan(), chan()
    seen = set()
    for _ in range(300):
        ga = spawn(a.recv)
        gb = spawn(b.recv)
        waitBlocked(a.recv)
        waitBlocked(b.recv)
        i, _ = select((a.send, 1), (b.send, 2))
        seen.add(i)
        # the other receiver is still waiting: serve it
        (b if i == 0 else a).send(0)
        join(ga, gb)
        if seen == {0, 1}:
            break
    assert seen == {0, 1}


def test_select_on_one_chan_in_buffered_ping_pong():
    ch = chan(1)
    for i in range(N):
        _, rx = select((ch.send, i), ch.recv)
        assert _ == i % 2
        assert rx == (i - 1 if i % 2 else None)


def test_select_does_not_rendezvous_with_itself():
    ch = chan()
    assert select((ch.send, 1), ch.recv, default) == (2, None)
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            select((ch.send, 1), ch.recv)
    assert_no_waiters(ch)


def test_select_with_the_same_ready_chan_twice_takes_one_value():
    ch = chan(2)
    ch.send('x')
    i, rx = select(ch.recv, ch.recv_)
    assert (i, rx) in [(0, 'x'), (1, ('x', True))]
    assert len(ch) == 0


def test_select_over_many_chans_takes_the_ready_one():
    chv = [chan() for _ in range(64)]
    ready = chan(1)
    ready.send('r')
    cases = [c.recv for c in chv[:32]] + [ready.recv] + [(c.send, k) for k, c in enumerate(chv[32:])]
    assert select(*cases) == (32, 'r')
    assert_no_waiters(*chv)


@needs_threads
def test_select_vs_select_on_fresh_chans():
    for i in range(N):
        ch1, ch2 = chan(), chan()

        def peer():
            assert select((ch1.send, 'a'), (ch2.send, 'xxx2')) == (0, None)
            assert select((ch1.send, 'yyy2'), ch2.recv) == (1, 'b')
        g = spawn(peer)
        assert select(ch1.recv, (ch2.send, 'xxx1')) == (0, 'a')
        assert select((ch1.send, 'yyy1'), (ch2.send, 'b')) == (1, None)
        join(g)
        assert_no_waiters(ch1, ch2)


@needs_threads
def test_select_vs_select_on_shared_chans():
    ch1, ch2 = chan(), chan()

    def peer():
        for i in range(N):
            assert select((ch1.send, 'a%d' % i), (ch2.send, 'xxx2')) == (0, None)
            assert select((ch1.send, 'yyy2'), ch2.recv) == (1, 'b%d' % i)
    g = spawn(peer)
    for i in range(N):
        assert select(ch1.recv, (ch2.send, 'xxx1')) == (0, 'a%d' % i)
        assert select((ch1.send, 'yyy1'), (ch2.send, 'b%d' % i)) == (1, None)
    join(g)
    assert_no_waiters(ch1, ch2)


@needs_threads
def test_selects_competing_for_one_chan_each_get_distinct_values():
    M, S = 1000, 4
    ch, stop = chan(), chan()
    out = chan(S)

    def taker():
        got = []
        while True:
            i, rx = select(ch.recv, stop.recv)
            if i == 1:
                break
            got.append(rx)
        out.send(got)
    gs = [spawn(taker) for _ in range(S)]
    for k in range(M):
        ch.send(k)
    stop.close()
    join(*gs)
    allgot = sum((out.recv() for _ in range(S)), [])
    assert sorted(allgot) == list(range(M))


@needs_threads
def test_buffered_send_vs_concurrent_tryrecv_race():
    # A sender hands a value to a blocked receiver while a third goroutine
    # tries a non-blocking receive at the same time: the try must see nothing
    # and the receiver must get every value.
    M = 1000
    ch, ctl = chan(1), chan()

    def receiver():
        for i in range(M):
            assert ch.recv() == i

    def sender():
        for i in range(M):
            waitBlocked(ch.recv)
            ctl.send('start')
            ch.send(i)
            assert ctl.recv() == 'done'

    def tryrecv():
        for i in range(M):
            assert ctl.recv() == 'start'
            assert select(ch.recv, default) == (1, None)
            ctl.send('done')
    join(spawn(receiver), spawn(sender), spawn(tryrecv))


@needs_threads
def test_buffered_recv_vs_concurrent_trysend_race():
    # A receiver takes from a full buffer with a sender blocked behind it while
    # a third goroutine tries a non-blocking send: the blocked sender's value
    # takes the freed slot, so the try must not succeed.
    M = 1000
    ch, ctl = chan(1), chan()

    def sender():
        for i in range(1 + M):
            ch.send(i)

    def receiver():
        for i in range(M):
            waitBlocked(ch.send)
            assert len(ch) == 1
            ctl.send('start')
            assert ch.recv() == i
            assert ctl.recv() == 'done'

    def trysend():
        for i in range(M):
            assert ctl.recv() == 'start'
            assert select((ch.send, 'i%d' % i), default) == (1, None)
            ctl.send('done')
    join(spawn(sender), spawn(receiver), spawn(trysend))
    assert len(ch) == 1
    assert ch.recv() == M       # the sender's last value stayed buffered


# ---- close and nil ----

def test_select_recv_on_closed_chan_is_ready_with_zero_value():
    ch = chan()
    ch.close()
    with panicWhenBlocked():
        assert select(ch.recv) == (0, None)
        assert select(ch.recv_) == (0, (None, False))
        assert select(ch.recv_, default) == (0, (None, False))


def test_select_send_on_closed_chan_panics_even_with_default():
    ch = chan(1)
    ch.close()
    with panics("send on closed channel"):
        select((ch.send, 1))
    with panics("send on closed channel"):
        select((ch.send, 1), default)
    other = chan()
    with panics("send on closed channel"):
        select(other.recv, (ch.send, 1))
    assert_no_waiters(ch, other)


@needs_threads
def test_close_vs_select_blocked_in_send_panics():
    ch = chan()

    def closer():
        waitBlocked(ch.send)
        ch.close()
    g = spawn(closer)
    with panics("send on closed channel"):
        select((ch.send, 0))
    join(g)
    assert_no_waiters(ch)


@needs_threads
def test_close_vs_select_blocked_in_recv_gives_zero_value():
    for case, want in [('recv', (0, None)), ('recv_', (0, (None, False)))]:
        ch = chan()

        def closer():
            waitBlocked(ch.recv)
            ch.close()
        g = spawn(closer)
        assert select(getattr(ch, case)) == want
        join(g)


@needs_threads
def test_close_vs_select_blocked_on_two_chans_wakes_it_via_the_closed_one():
    ch1, ch2 = chan(), chan(dtype='C.int')

    def closer():
        waitBlocked(ch2.recv)
        ch2.close()
    g = spawn(closer)
    assert select(ch1.recv, ch2.recv_) == (1, (0, False))
    join(g)
    assert_no_waiters(ch1, ch2)


def test_select_without_cases_would_block_forever():
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            select()


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_select_with_only_nil_chan_cases_would_block_forever(dtype, obj, zero):
    z = chan.nil(dtype)
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            select((z.send, obj))
        with panics("t: blocks forever"):
            select(z.recv)
        with panics("t: blocks forever"):
            select(z.recv_)
        with panics("t: blocks forever"):
            select((z.send, obj), z.recv, nilchan.recv)


def test_select_with_only_nil_chan_cases_and_default_takes_default():
    z = nilchan
    with panicWhenBlocked():
        for _ in range(10):
            assert select(z.recv, (z.send, 1), default) == (2, None)


# ---- errors ----

class FakeChan(object):
    def recv(self):
        pass

    def recv_(self):
        pass

    def send(self, obj):
        pass


def test_select_rejects_tuple_cases_whose_length_is_not_two():
    ch = chan(1)
    for case in [(), (ch.send,), (ch.send, 1, 2), (ch.send, 1, 2, 3)]:
        with panics("pyselect: invalid [%d]() case" % len(case)):
            select(case)
        with panics("pyselect: invalid [%d]() case" % len(case)):
            select(default, case)
    assert len(ch) == 0


def test_select_rejects_send_on_non_chan_naming_its_class():
    lst = []
    with panics("pyselect: send on non-chan: %r" % (list,)):
        select((lst.append, 1))
    with panics("pyselect: send on non-chan: %r" % (FakeChan,)):
        select((FakeChan().send, 1))
    assert lst == []


def test_select_rejects_recv_on_non_chan_naming_its_class():
    lst = [1]
    with panics("pyselect: recv on non-chan: %r" % (list,)):
        select(lst.pop)
    with panics("pyselect: recv on non-chan: %r" % (FakeChan,)):
        select(FakeChan().recv)
    with panics("pyselect: recv on non-chan: %r" % (FakeChan,)):
        select(FakeChan().recv_)
    # a builtin function is bound to its module
    with panics("pyselect: recv on non-chan: %r" % (type(sys),)):
        select(len)
    assert lst == [1]


def test_select_rejects_chan_method_other_than_send_in_send_case():
    ch = chan(1)
    for meth in (ch.recv, ch.recv_, ch.close):
        with panics("pyselect: send expected: %r" % (meth,)):
            select((meth, 1))
    assert len(ch) == 0


def test_select_rejects_chan_method_other_than_recv_in_recv_case():
    ch = chan(1)
    for meth in (ch.send, ch.close):
        with panics("pyselect: recv expected: %r" % (meth,)):
            select(meth)
    with panics("pyselect: recv expected: %r" % (ch.send,)):
        select(ch.recv, ch.send)
    ch.send(1)      # the chan was not closed
    assert ch.recv() == 1


def test_select_case_that_is_not_a_method_raises_attributeerror():
    ch = chan(1)
    for bad, tname in [('zzz', 'str'), (1, 'int'), (None, 'NoneType'),
                       (lambda: 0, 'function'), ([ch.recv], 'list')]:
        with pytest.raises(AttributeError) as exc:
            select(bad)
        assert exc.value.args == ("'%s' object has no attribute '__self__'" % tname,)
        with pytest.raises(AttributeError) as exc:
            select((bad, 1))
        assert exc.value.args == ("'%s' object has no attribute '__self__'" % tname,)


def test_select_rejects_multiple_default():
    ch = chan()
    with panics("select: multiple default"):
        select(default, default)
    with panics("select: multiple default"):
        select(default, ch.recv, default)


def test_select_with_a_bad_case_runs_no_case():
    a, b = chan(1), chan(1)
    a.send('kept')
    with pytest.raises(AttributeError):
        select(a.recv, (b.send, 'no'), 'zzz')
    with panics("pyselect: invalid [3]() case"):
        select(a.recv, (b.send, 'no'), (b.send, 1, 2))
    with pytest.raises(TypeError):
        select(a.recv, (b.send, 'no'), (chan(1, dtype='C.int').send, 'x'))
    assert len(a) == 1 and len(b) == 0
    assert a.recv() == 'kept'


# ---- refcounts ----

@needs_getrefcount
@needs_threads
def test_select_releases_objects_of_send_cases_that_were_not_sent():
    ch1, ch2 = chan(), chan()
    obj1, obj2 = Obj(), Obj()
    tx1, tx2 = (ch1.send, obj1), (ch2.send, obj2)
    gc.collect()
    n1, n2 = sys.getrefcount(obj1), sys.getrefcount(obj2)

    # default chosen
    for _ in range(10):
        assert select(tx1, tx2, default) == (2, None)
    gc.collect()
    assert (sys.getrefcount(obj1), sys.getrefcount(obj2)) == (n1, n2)

    # a recv chosen
    rch = chan(1)
    for _ in range(10):
        rch.send(1)
        assert select(tx1, rch.recv, tx2) == (1, 1)
    gc.collect()
    assert (sys.getrefcount(obj1), sys.getrefcount(obj2)) == (n1, n2)

    # one send chosen: the other object is released, the sent one received
    g = spawn(ch2.recv)
    waitBlocked(ch2.recv)
    assert select(tx1, tx2) == (1, None)
    join(g)
    del g
    gc.collect()
    assert (sys.getrefcount(obj1), sys.getrefcount(obj2)) == (n1, n2)


@needs_getrefcount
def test_select_releases_send_objects_when_it_raises():
    ch1, ch2 = chan(), chan()
    obj1, obj2 = Obj(), Obj()
    tx1, tx2 = (ch1.send, obj1), (ch2.send, obj2)
    gc.collect()
    n1, n2 = sys.getrefcount(obj1), sys.getrefcount(obj2)

    with pytest.raises(AttributeError) as exc:
        select(tx1, tx2, 'zzz')
    assert exc.value.args == ("'str' object has no attribute '__self__'",)
    del exc
    with panics("pyselect: invalid [3]() case"):
        select(tx1, tx2, (ch1.send, 1, 2))
    with pytest.raises(TypeError):
        select(tx1, tx2, (chan(dtype='C.bool').send, 1))
    with panics("select: multiple default"):
        select(tx1, default, tx2, default)
    closed = chan()
    closed.close()
    with panics("send on closed channel"):
        select(tx1, tx2, (closed.send, obj1))
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            select(tx1, tx2)
    gc.collect()
    assert (sys.getrefcount(obj1), sys.getrefcount(obj2)) == (n1, n2)


@needs_getrefcount
@needs_threads
def test_select_blocked_in_send_releases_object_when_close_makes_it_panic():
    ch = chan()
    obj = Obj()
    n = sys.getrefcount(obj)

    def closer():
        waitBlocked(ch.send)
        ch.close()
    g = spawn(closer)
    with panics("send on closed channel"):
        select((ch.send, obj), chan().recv)
    join(g)
    gc.collect()
    assert sys.getrefcount(obj) == n


@needs_getrefcount
@needs_threads
def test_select_received_objects_have_exact_refcounts():
    obj = Obj()
    n = sys.getrefcount(obj)
    ch = chan(1)

    ch.send(obj)
    _, rx = select(ch.recv)
    assert rx is obj
    assert sys.getrefcount(obj) == n + 1
    del rx, _
    assert sys.getrefcount(obj) == n

    ch.send(obj)
    _, rx = select(ch.recv_, default)
    assert rx == (obj, True)
    del rx, _
    assert sys.getrefcount(obj) == n

    # through a select on both sides, unbuffered
    ch = chan()
    g = spawn(select, (ch.send, obj))
    i, rx = select(ch.recv)
    assert rx is obj
    join(g)
    del rx, g
    gc.collect()
    assert sys.getrefcount(obj) == n

    # a buffered value that a select sent and nobody received is held by ch
    ch = chan(1)
    assert select((ch.send, obj)) == (0, None)
    assert sys.getrefcount(obj) == n + 1
    del ch
    gc.collect()
    assert sys.getrefcount(obj) == n


# ---- any number of cases, with the arguments read straight from the call ----

def test_select_with_up_to_nine_cases_takes_the_ready_one_at_each_position():
    # a select keeps a few cases on the stack and more on the heap: the
    # ready case is found, and the others leave no waiter and lose no value,
    # at every position and count, with and without default
    for n in range(1, 10):
        for k in range(n):
            chv = [chan(1) for _ in range(n)]
            for dflt in (False, True):
                chv[k].send(k)
                cases = [c.recv for c in chv]
                if dflt:
                    cases.insert(n // 2, default)
                i, rx = select(*cases)
                assert rx == k
                assert i == (k if not dflt or k < n // 2 else k + 1)
                assert all(len(c) == 0 for c in chv)
                assert_no_waiters(*chv)
                # nothing ready: default at its position, or block
                if dflt:
                    assert select(*cases) == (n // 2, None)


def test_select_with_many_send_cases_sends_only_one_value():
    for n in (3, 4, 5, 8):
        chv = [chan(1) for _ in range(n)]
        for c in chv[:-1]:
            c.send('full')
        i, rx = select(*[(c.send, j) for j, c in enumerate(chv)])
        assert (i, rx) == (n - 1, None)
        assert chv[-1].recv() == n - 1
        assert [len(c) for c in chv] == [1] * (n - 1) + [0]


def test_select_takes_no_keyword_arguments():
    ch = chan(1)
    ch.send(1)
    with pytest.raises(TypeError):
        select(ch.recv, case=default)
    assert len(ch) == 1


@needs_threads
def test_select_blocked_on_buffered_chans_gets_every_value_in_order():
    # a select that waits on buffered chans while a goroutine fills them
    # (the waiting thread spins briefly before it parks): nothing is lost,
    # duplicated or reordered
    a, b = chan(2), chan(3)
    n = 2000

    def producer():
        for j in range(n):
            (a if j % 2 else b).send(j)
        a.close()
        b.close()
    g = spawn(producer)
    got = {0: [], 1: []}
    open_ = [True, True]
    while any(open_):
        i, (v, ok) = select(a.recv_ if open_[0] else nilchan.recv_, b.recv_ if open_[1] else nilchan.recv_)
        if ok:
            got[i].append(v)
        else:
            open_[i] = False
    join(g)
    assert got[0] == list(range(1, n, 2))
    assert got[1] == list(range(0, n, 2))
