# SPDX-License-Identifier: MIT OR Apache-2.0
"""Conformance tests of golang's channels (`chan`, `nilchan`, `chan.nil`,
len/==/hash/repr, dtypes) against Pygolang 0.0.5's API as listed in
/work/shared/API.md ("golang" table). Each test is named by the property it
checks; error messages are compared exactly.

select is in test_select.py; go, Ctrl-C, Rust interop and leaks in
test_go.py.
"""

import gc
import sys
import weakref

import pytest

import golang
from golang import go, chan, select, default, nilchan, func, defer, recover, \
    _PanicError

from _golang_testutil import *  # noqa: F401,F403  (hooks, panics, spawn, join, watchdog, ...)
from _golang_testutil import DTYPES, DTYPE_IDS


needs_getrefcount = pytest.mark.skipif(not hasattr(sys, 'getrefcount'),
                                       reason="needs sys.getrefcount")


class Obj(object):
    """An object that can be weakly referenced."""


# ---- the package ----

def test_golang_exports_exactly_pygolangs_names_and_version():
    # Pygolang 0.1: 0.0.5's names plus error, b and u
    assert sorted(golang.__all__) == sorted(
        ['go', 'chan', 'select', 'default', 'nilchan', 'defer', 'panic',
         'recover', 'func', 'error', 'b', 'u', 'gimport'])
    assert golang.__version__ == "0.1"
    ns = {}
    exec("from golang import *", ns)
    assert set(ns) - {'__builtins__'} == set(golang.__all__)
    for name in golang.__all__:
        assert ns[name] is getattr(golang, name)


def test_panicerror_is_an_exception_and_chan_panics_carry_a_str_message():
    assert issubclass(_PanicError, Exception)
    ch = chan()
    ch.close()
    with pytest.raises(_PanicError) as exc:
        ch.close()
    assert exc.value.args == ("close of closed channel",)
    assert type(exc.value.args[0]) is str


def test_chan_panic_is_recovered_by_a_deferred_function_of_func():
    got = []

    @func
    def f():
        def catch():
            got.append(recover())
        defer(catch)
        ch = chan()
        ch.close()
        ch.send(1)
        got.append('not reached')

    assert f() is None
    assert got == ["send on closed channel"]


# ---- unbuffered channels ----

@needs_threads
def test_unbuffered_send_blocks_until_a_receiver_takes_the_value():
    ch = chan()
    sent = chan(1)

    def sender():
        ch.send('x')
        sent.send('returned')
    g = spawn(sender)

    waitBlocked(ch.send)
    assert len_sendq(ch) == 1
    assert len(ch) == 0                     # nothing is buffered
    assert select(sent.recv, default) == (1, None)   # the sender still waits
    assert ch.recv() == 'x'
    assert sent.recv() == 'returned'
    join(g)
    assert len_sendq(ch) == len_recvq(ch) == 0


@needs_threads
def test_unbuffered_recv_blocks_until_a_sender_comes():
    ch = chan()
    got = chan(1)
    g = spawn(lambda: got.send(ch.recv_()))

    waitBlocked(ch.recv)
    assert len_recvq(ch) == 1
    assert select(got.recv, default) == (1, None)   # the receiver still waits
    ch.send(7)              # a receiver waits: this hands the value over
    assert got.recv() == (7, True)
    join(g)
    assert len_sendq(ch) == len_recvq(ch) == 0


def test_unbuffered_send_with_no_receiver_would_block():
    ch = chan()
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            ch.send(1)
        with panics("t: blocks forever"):
            ch.recv()
        with panics("t: blocks forever"):
            ch.recv_()
    assert len_sendq(ch) == len_recvq(ch) == 0
    assert len(ch) == 0


@needs_threads
def test_unbuffered_chan_carries_values_both_ways_between_two_goroutines():
    N = 1000
    ch = chan()

    def peer():
        for i in range(N):
            assert ch.recv() == 'hello %d' % i
            ch.send('world %d' % i)
    g = spawn(peer)
    for i in range(N):
        ch.send('hello %d' % i)
        assert ch.recv() == 'world %d' % i
    join(g)


@needs_threads
def test_unbuffered_chan_delivers_each_value_to_exactly_one_of_many_receivers():
    N, R = 1000, 4
    ch = chan()
    out = chan(R)

    def receiver():
        got = []
        while True:
            x, ok = ch.recv_()
            if not ok:
                break
            got.append(x)
        out.send(got)
    gs = [spawn(receiver) for _ in range(R)]
    for i in range(N):
        ch.send(i)
    ch.close()
    join(*gs)
    allgot = []
    for _ in range(R):
        got = out.recv()
        assert got == sorted(got)           # each receiver sees FIFO order
        allgot += got
    assert sorted(allgot) == list(range(N))


# ---- buffered channels ----

def test_buffered_chan_is_fifo_and_len_counts_buffered_elements():
    ch = chan(3)
    for _ in range(2):
        for i in range(3):
            assert len(ch) == i
            ch.send(i)
            assert len(ch) == i + 1
        for i in range(3):
            assert ch.recv_() == (i, True)
            assert len(ch) == 2 - i
    assert len(ch) == 0


@needs_threads
def test_buffered_send_blocks_only_when_the_buffer_is_full():
    ch = chan(3)
    with panicWhenBlocked():
        for i in range(3):
            ch.send(i)              # space left: does not block
        with panics("t: blocks forever"):
            ch.send(3)
    assert len(ch) == 3

    sent = chan(1)

    def sender():
        ch.send(3)
        sent.send('returned')
    g = spawn(sender)
    waitBlocked(ch.send)
    assert len(ch) == 3
    assert select(sent.recv, default) == (1, None)
    assert ch.recv_() == (0, True)      # makes room: the sender gets in
    assert sent.recv() == 'returned'
    join(g)
    for i in (1, 2, 3):
        assert ch.recv_() == (i, True)
    assert len(ch) == 0


def test_buffered_recv_blocks_only_when_the_buffer_is_empty():
    ch = chan(2)
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            ch.recv()
        ch.send('a')
        assert ch.recv() == 'a'     # something buffered: does not block
        with panics("t: blocks forever"):
            ch.recv_()


@needs_threads
def test_buffered_chan_keeps_order_between_concurrent_producer_and_consumer():
    N = 2000
    ch = chan(4)

    def producer():
        for i in range(N):
            ch.send(i)
        ch.close()
    g = spawn(producer)
    got = []
    while True:
        x, ok = ch.recv_()
        if not ok:
            break
        got.append(x)
    join(g)
    assert got == list(range(N))


@needs_threads
def test_buffered_chan_hands_value_directly_to_a_waiting_receiver():
    ch = chan(2)
    got = chan(1)
    g = spawn(lambda: got.send(ch.recv()))
    waitBlocked(ch.recv)
    ch.send('v')
    assert got.recv() == 'v'
    join(g)
    assert len(ch) == 0


def test_chan_size_and_dtype_can_be_given_positionally_or_by_keyword():
    for ch in (chan(2, 'C.int'), chan(size=2, dtype='C.int'), chan(2, dtype='C.int')):
        ch.send(1)
        ch.send(2)
        assert len(ch) == 2
        assert ch.recv() == 1
    ch = chan(dtype='C.int')        # size defaults to 0: synchronous
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            ch.send(1)


@pytest.mark.parametrize('size', [-1, -100])
def test_chan_with_negative_size_is_rejected(size):
    with pytest.raises((ValueError, OverflowError, _PanicError)):
        chan(size)


# ---- close ----

def test_close_of_empty_chan_gives_zero_value_and_ok_false_every_time():
    ch = chan()
    ch.close()
    assert ch.recv() is None
    assert ch.recv_() == (None, False)
    assert ch.recv_() == (None, False)
    assert ch.recv() is None


def test_send_on_closed_chan_panics():
    for ch in (chan(), chan(3)):
        ch.close()
        with panics("send on closed channel"):
            ch.send(0)
        assert len(ch) == 0


def test_close_of_closed_chan_panics():
    for ch in (chan(), chan(3)):
        ch.close()
        with panics("close of closed channel"):
            ch.close()


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_close_of_nil_chan_panics(dtype, obj, zero):
    with panics("close of nil channel"):
        chan.nil(dtype).close()
    if dtype is object:
        with panics("close of nil channel"):
            nilchan.close()


def test_closed_buffered_chan_is_drained_before_giving_zero_value():
    ch = chan(3)
    ch.send('a')
    ch.send('b')
    ch.close()
    assert len(ch) == 2
    with panics("send on closed channel"):
        ch.send('c')
    assert len(ch) == 2
    assert ch.recv_() == ('a', True)
    assert len(ch) == 1
    assert ch.recv() == 'b'
    assert len(ch) == 0
    assert ch.recv_() == (None, False)
    assert ch.recv() is None


@needs_threads
def test_close_wakes_a_blocked_receiver_with_zero_and_not_ok():
    ch = chan()
    got = chan(1)
    g = spawn(lambda: got.send(ch.recv_()))
    waitBlocked(ch.recv)
    ch.close()
    assert got.recv() == (None, False)
    join(g)


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
@needs_threads
def test_close_wakes_all_blocked_receivers_with_the_dtype_zero(dtype, obj, zero):
    R = 3
    ch = chan(dtype=dtype)
    got = chan(R)

    def receiver(i):
        if i % 2:
            got.send(ch.recv_())
        else:
            got.send((ch.recv(), 'recv'))
    gs = [spawn(receiver, i) for i in range(R)]
    wait_until(lambda: len_recvq(ch) == R, "%d receivers wait" % R)
    ch.close()
    join(*gs)
    results = [got.recv() for _ in range(R)]
    for rx, ok in results:
        assert rx == zero
        assert type(rx) is type(zero)
        assert ok in (False, 'recv')
    assert sorted(repr(ok) for _, ok in results) == ["'recv'", "'recv'", 'False']
    assert len_recvq(ch) == 0


@needs_threads
def test_close_makes_every_blocked_sender_panic():
    S = 3
    ch = chan()
    gs = [spawn(ch.send, i) for i in range(S)]
    wait_until(lambda: len_sendq(ch) == S, "%d senders wait" % S)
    ch.close()
    for g in gs:
        with panics("send on closed channel"):
            join(g)
    assert len_sendq(ch) == 0
    assert ch.recv_() == (None, False)      # nothing was delivered


@needs_threads
def test_close_makes_sender_blocked_on_full_buffer_panic_and_keeps_the_buffer():
    ch = chan(1)
    ch.send('kept')
    g = spawn(ch.send, 'never sent')
    waitBlocked(ch.send)
    ch.close()
    with panics("send on closed channel"):
        join(g)
    assert len(ch) == 1
    assert ch.recv_() == ('kept', True)
    assert ch.recv_() == (None, False)


@needs_threads
def test_close_vs_blocked_sender_in_main_thread_panics():
    ch = chan()

    def closer():
        waitBlocked(ch.send)
        ch.close()
    g = spawn(closer)
    with panics("send on closed channel"):
        ch.send(0)
    join(g)


def test_recv_from_closed_chan_does_not_block():
    ch = chan()
    ch.close()
    with panicWhenBlocked():
        assert ch.recv_() == (None, False)
        assert select(ch.recv) == (0, None)


# ---- nil channels ----

def test_nilchan_is_the_nil_chan_of_objects():
    assert isinstance(nilchan, chan)
    assert nilchan is chan.nil(object)
    assert len(nilchan) == 0
    assert repr(nilchan) == "nilchan"


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_nil_chan_send_and_recv_would_block_forever(dtype, obj, zero):
    z = chan.nil(dtype)
    assert len(z) == 0
    with panicWhenBlocked():
        with panics("t: blocks forever"):
            z.send(obj)
        with panics("t: blocks forever"):
            z.recv()
        with panics("t: blocks forever"):
            z.recv_()
    assert len(z) == 0


@needs_threads
def test_nil_chan_send_and_recv_block_a_goroutine_that_never_wakes():
    # A goroutine that blocks on a nil chan stays blocked while other channel
    # traffic happens; it is leaked when the test ends (as in Go).
    z = chan.nil('C.int')
    progress = chan(2)

    def stuck(op):
        progress.send(op)
        if op == 'send':
            z.send(1)
        else:
            z.recv()
        progress.send('woke up from %s' % op)
    go(stuck, 'send')
    go(stuck, 'recv')
    assert sorted([progress.recv(), progress.recv()]) == ['recv', 'send']
    ch = chan()
    for i in range(100):
        g = spawn(ch.send, i)
        assert ch.recv() == i
        join(g)
    assert select(progress.recv, default) == (1, None)


@pytest.mark.parametrize('dtype', ['C.structZ', 'C.bool', 'C.int', 'C.double'])
def test_typed_nil_chan_repr_names_the_dtype(dtype):
    assert repr(chan.nil(dtype)) == "chan.nil(%r)" % dtype


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_chan_nil_returns_the_same_object_for_a_dtype(dtype, obj, zero):
    assert chan.nil(dtype) is chan.nil(dtype)


def test_chan_nil_with_invalid_dtype_raises_typeerror():
    with pytest.raises(TypeError) as exc:
        chan.nil('BadType')
    assert exc.value.args == ("pychan: invalid dtype: 'BadType'",)


NIL_DTYPES = [object, 'C.structZ', 'C.bool', 'C.int', 'C.double']


@pytest.mark.parametrize('x', NIL_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize('y', NIL_DTYPES, ids=DTYPE_IDS)
def test_nil_chans_are_equal_when_dtypes_match_or_one_is_untyped(x, y):
    nx, ny = chan.nil(x), chan.nil(y)
    want = (x == y) or (x is object) or (y is object)
    assert (nx == ny) is want
    assert (ny == nx) is want
    assert (nx != ny) is (not want)
    assert (ny != nx) is (not want)
    assert hash(nx) == hash(ny) == hash(nilchan)   # same (nil) raw channel


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_nil_chan_differs_from_every_real_chan_and_from_none(dtype, obj, zero):
    z = chan.nil(dtype)
    for ch in (chan(dtype=dtype), chan(1, dtype=dtype), chan()):
        assert z != ch and not (z == ch)
        assert ch != z and not (ch == z)
        assert hash(z) != hash(ch)
    assert z != None and not (z == None)     # noqa: E711
    assert nilchan != 0 and nilchan != ''


# ---- ==, hash ----

def test_chan_equals_only_itself_and_hash_is_stable():
    ch1, ch2 = chan(), chan()
    assert ch1 == ch1 and not (ch1 != ch1)
    assert ch1 != ch2 and not (ch1 == ch2)
    assert hash(ch1) == hash(ch1)
    assert hash(ch1) != hash(ch2)
    assert ch1 != None and ch1 != 'chan' and ch1 != 1   # noqa: E711
    d = {ch1: 1, ch2: 2, nilchan: 0}
    assert d[ch1] == 1 and d[ch2] == 2 and d[chan.nil('C.int')] == 0
    assert len({ch1, ch1, ch2}) == 2


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_chans_of_the_same_dtype_are_distinct(dtype, obj, zero):
    a, b = chan(dtype=dtype), chan(dtype=dtype)
    assert a == a and b == b
    assert a != b and not (a == b)


# ---- dtypes ----

def test_chan_with_invalid_dtype_raises_typeerror_naming_it():
    for bad in ['BadType', 'int', 'C.float', 'C.long', 'c.int', '', int, float, bool, 42]:
        with pytest.raises(TypeError) as exc:
            chan(dtype=bad)
        assert exc.value.args == ("pychan: invalid dtype: %r" % (bad,),)
        with pytest.raises(TypeError) as exc:
            chan(1, dtype=bad)
        assert exc.value.args == ("pychan: invalid dtype: %r" % (bad,),)


def test_chan_with_dtype_none_is_invalid():
    # dtype defaults to `object`; None is not a dtype.
    with pytest.raises(TypeError) as exc:
        chan(dtype=None)
    assert exc.value.args == ("pychan: invalid dtype: None",)


def test_chan_accepts_dtype_given_as_the_string_object():
    # Pygolang's dtype registry names the object dtype "object", and its own
    # tests create chan(dtype='object') and chan.nil('object').
    ch = chan(1, dtype='object')
    ch.send([1])
    assert ch.recv() == [1]
    assert chan.nil('object') is nilchan


@pytest.mark.parametrize('size', [0, 1])
@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
@needs_threads
def test_typed_chan_round_trips_value_and_type_then_zero_after_close(dtype, obj, zero, size):
    ch = chan(size, dtype=dtype)
    if size:
        ch.send(obj)
        assert len(ch) == 1
        rx, ok = ch.recv_()
    else:
        g = spawn(ch.send, obj)
        rx, ok = ch.recv_()
        join(g)
    assert ok is True
    assert type(rx) is type(obj)
    assert rx == obj

    g = spawn(ch.send, obj)
    rx = ch.recv()
    join(g)
    assert type(rx) is type(obj) and rx == obj

    ch.close()
    rx, ok = ch.recv_()
    assert ok is False
    assert type(rx) is type(zero) and rx == zero
    rx = ch.recv()
    assert type(rx) is type(zero) and rx == zero


@pytest.mark.parametrize('dtype,obj,zero', DTYPES, ids=DTYPE_IDS)
def test_zero_value_sent_on_typed_chan_comes_with_ok_true(dtype, obj, zero):
    ch = chan(1, dtype=dtype)
    ch.send(zero)
    rx, ok = ch.recv_()
    assert ok is True
    assert type(rx) is type(zero) and rx == zero


def test_object_chan_passes_the_very_same_object():
    ch = chan(1)
    for obj in [None, 0, 'abc', Obj(), [1, 2], (1,), True, 3.5]:
        ch.send(obj)
        assert ch.recv() is obj


def test_bool_chan_carries_true_and_false():
    ch = chan(2, dtype='C.bool')
    ch.send(True)
    ch.send(False)
    assert ch.recv_() == (True, True)
    rx, ok = ch.recv_()
    assert rx is False and ok is True


def test_int_chan_accepts_integral_floats_and_gives_ints():
    ch = chan(4, dtype='C.int')
    for v, want in [(3.0, 3), (-2.0, -2), (2**31 - 1, 2**31 - 1), (-2**31, -2**31)]:
        ch.send(v)
        rx = ch.recv()
        assert type(rx) is int and rx == want


def test_int_chan_rejects_ints_out_of_c_int_range():
    ch = chan(4, dtype='C.int')
    for v in [2**31, -2**31 - 1, 2**63, 2**100]:
        with pytest.raises((TypeError, OverflowError)):
            ch.send(v)
    assert len(ch) == 0


def test_double_chan_accepts_ints_and_gives_floats():
    ch = chan(2, dtype='C.double')
    ch.send(4)
    rx = ch.recv()
    assert type(rx) is float and rx == 4.0
    ch.send(-1.5e300)
    assert ch.recv() == -1.5e300
    ch.send(float('inf'))
    assert ch.recv() == float('inf')


# (dtype, wrong value, exact message or None when only TypeError is checked)
WRONG_VALUES = [
    ('C.structZ', 0,     "type mismatch: expect structZ; got 0"),
    ('C.structZ', False, "type mismatch: expect structZ; got False"),
    ('C.structZ', '',    "type mismatch: expect structZ; got ''"),
    ('C.structZ', 'abc', "type mismatch: expect structZ; got 'abc'"),
    ('C.bool',    1,     "type mismatch: expect bool; got 1"),
    ('C.bool',    0,     "type mismatch: expect bool; got 0"),
    ('C.bool',    1.0,   "type mismatch: expect bool; got 1.0"),
    ('C.bool',    None,  "type mismatch: expect bool; got None"),
    ('C.bool',    'abc', "type mismatch: expect bool; got 'abc'"),
    ('C.int',     True,  "type mismatch: expect int; got True"),
    ('C.int',     False, "type mismatch: expect int; got False"),
    ('C.int',     3.14,  "type mismatch: expect int; got 3.14"),
    ('C.int',     -0.5,  "type mismatch: expect int; got -0.5"),
    ('C.int',     'abc', None),
    ('C.int',     None,  None),
    ('C.double',  True,  "type mismatch: expect float; got True"),
    ('C.double',  False, "type mismatch: expect float; got False"),
    ('C.double',  'abc', None),
    ('C.double',  None,  None),
]


@pytest.mark.parametrize('dtype,bad,msg', WRONG_VALUES)
def test_typed_chan_send_of_wrong_value_raises_typeerror(dtype, bad, msg):
    for ch in (chan(1, dtype=dtype), chan(dtype=dtype)):
        with pytest.raises(TypeError) as exc:
            ch.send(bad)
        if msg is not None:
            assert exc.value.args == (msg,)
        # nothing was sent or queued
        assert len(ch) == 0
        assert len_sendq(ch) == 0


@pytest.mark.parametrize('dtype,obj,zero', DTYPES[1:], ids=DTYPE_IDS[1:])
def test_typed_chan_checks_the_value_type_before_closed_state(dtype, obj, zero):
    # A wrong value is a TypeError even on a closed (or nil) chan: conversion
    # comes first.
    ch = chan(dtype=dtype)
    ch.close()
    with pytest.raises(TypeError):
        ch.send('wrong')
    with pytest.raises(TypeError):
        chan.nil(dtype).send('wrong')


# ---- refcounts and garbage collection ----

@needs_getrefcount
def test_buffered_chan_holds_one_reference_until_the_value_is_received():
    obj = Obj()
    n = sys.getrefcount(obj)
    ch = chan(2)
    ch.send(obj)
    assert sys.getrefcount(obj) == n + 1
    ch.send(obj)
    assert sys.getrefcount(obj) == n + 2
    x = ch.recv()
    assert x is obj
    assert sys.getrefcount(obj) == n + 2    # one in ch, one in x
    del x
    assert sys.getrefcount(obj) == n + 1
    assert ch.recv_() == (obj, True)
    assert sys.getrefcount(obj) == n


@needs_getrefcount
@needs_threads
def test_unbuffered_handoff_leaves_no_extra_reference():
    obj = Obj()
    n = sys.getrefcount(obj)
    ch = chan()
    for _ in range(100):
        g = spawn(ch.send, obj)
        x = ch.recv()
        assert x is obj
        join(g)
        del x
    g = spawn(ch.recv)           # the receiver waits first this time
    waitBlocked(ch.recv)
    ch.send(obj)
    join(g)
    del g
    gc.collect()
    assert sys.getrefcount(obj) == n


@needs_getrefcount
@needs_threads
def test_failed_send_releases_the_object():
    obj = Obj()
    n = sys.getrefcount(obj)
    ch = chan(1)
    ch.close()
    for _ in range(10):
        with panics("send on closed channel"):
            ch.send(obj)
    assert sys.getrefcount(obj) == n

    # a blocked sender that panics at close releases its object too
    ch = chan()
    g = spawn(ch.send, obj)
    waitBlocked(ch.send)
    ch.close()
    e = g.recv()
    assert isinstance(e, _PanicError)
    assert e.args == ("send on closed channel",)
    del e, g
    gc.collect()
    assert sys.getrefcount(obj) == n


def test_buffered_chan_releases_buffered_objects_when_collected():
    for close in (False, True):
        ch = chan(3)
        obj1, obj2 = Obj(), Obj()
        w1, w2 = weakref.ref(obj1), weakref.ref(obj2)
        ch.send(obj1)
        ch.send(obj2)
        if close:
            ch.close()
        del obj1, obj2
        gc.collect()
        assert w1() is not None and w2() is not None    # ch holds them
        del ch
        gc.collect()
        assert w1() is None and w2() is None


def test_chan_keeps_objects_alive_while_buffered():
    ch = chan(1)
    obj = Obj()
    w = weakref.ref(obj)
    ch.send(obj)
    del obj
    gc.collect()
    x = ch.recv()
    assert w() is x
    del x
    gc.collect()
    assert w() is None


# ---- threads trading items over a buffered chan ----

@pytest.mark.parametrize('size', [1, 2, 128])
@needs_threads
def test_buffered_chan_between_threads_keeps_order_and_loses_nothing(size):
    # a producer and a consumer that each block in turn on a buffered chan
    # (a waiting thread spins briefly before it parks, and a woken one
    # waits for the GIL's release): every value arrives once, in order;
    # with the main thread on either side
    n = 5000

    def produce(ch):
        for j in range(n):
            ch.send(j)
        ch.close()

    def consume(ch, out):
        while True:
            v, ok = ch.recv_()
            if not ok:
                break
            out.append(v)

    for main_produces in (False, True):
        ch, got = chan(size), []
        if main_produces:
            g = spawn(consume, ch, got)
            produce(ch)
        else:
            g = spawn(produce, ch)
            consume(ch, got)
        join(g)
        assert got == list(range(n))


@needs_threads
def test_two_threads_blocking_in_turn_on_a_full_and_an_empty_chan():
    # each thread waits on a buffered chan the other one serves
    req, resp = chan(1), chan(1)
    n = 3000

    def server():
        for _ in range(n):
            resp.send(req.recv() + 1)
    g = spawn(server)
    for j in range(n):
        req.send(j)
        assert resp.recv() == j + 1
    join(g)


def test_chan_cannot_be_copied_or_pickled():
    # a chan is a reference to a runtime object: copies would alias it
    # behind Python's back, and there is nothing to pickle
    import copy
    import pickle
    ch = chan(1)
    for f in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError):
            f(ch)
    ch.send(1)
    assert ch.recv() == 1
