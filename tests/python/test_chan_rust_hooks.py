# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang._golang_test's pychan_X_{recv,send,close} hooks (Pygolang
0.1's checks that Python code and native code share one typed channel):
the native core does the operation in Rust on the typed channel, with the
GIL released while it waits. Each test is named by the property it checks."""

import pytest

from golang import chan, go, _golang, _golang_test, _PanicError

CASES = [('structZ', 'C.structZ', None, None),
         ('bool', 'C.bool', True, False),
         ('int', 'C.int', 4, 0),
         ('double', 'C.double', 3.5, 0.0)]


def hook(ctype, op):
    return getattr(_golang_test, 'pychan_%s_%s' % (ctype, op))


def test_the_native_core_provides_the_hooks():
    if not hasattr(_golang, 'ctx_with_cancel'):
        pytest.skip("not the native core")
    for ctype, _, _, _ in CASES:
        for op in ('recv', 'send', 'close'):
            assert hook(ctype, op) is getattr(_golang, 'pychan_%s_%s' % (ctype, op))


@pytest.mark.parametrize('ctype, dtype, obj, zero', CASES)
def test_python_send_meets_rust_recv_and_rust_send_meets_python_recv(ctype, dtype, obj, zero):
    ch = chan(dtype=dtype)      # synchronous: each side waits for the other
    got = chan()
    go(lambda: got.send(hook(ctype, 'recv')(ch)))
    ch.send(obj)
    v = got.recv()
    assert type(v) is type(obj) and v == obj

    done = chan()

    def csend():
        hook(ctype, 'send')(ch, obj)
        done.close()
    go(csend)
    v = ch.recv()
    assert type(v) is type(obj) and v == obj
    done.recv()


@pytest.mark.parametrize('ctype, dtype, obj, zero', CASES)
def test_close_from_either_side_wakes_the_other(ctype, dtype, obj, zero):
    # Python closes, Rust receives the zero value
    ch = chan(dtype=dtype)
    got = chan()
    go(lambda: got.send(hook(ctype, 'recv')(ch)))
    ch.close()
    v = got.recv()
    assert type(v) is type(zero) and v == zero

    # Rust closes, Python receives (zero, False)
    ch = chan(dtype=dtype)
    go(lambda: hook(ctype, 'close')(ch))
    v, ok = ch.recv_()
    assert ok is False and type(v) is type(zero) and v == zero

    # send after a close panics, from Rust too
    with pytest.raises(_PanicError) as exci:
        hook(ctype, 'send')(ch, obj)
    assert exci.value.args == ("send on closed channel",)
    with pytest.raises(_PanicError) as exci:
        hook(ctype, 'close')(ch)
    assert exci.value.args == ("close of closed channel",)


def test_structZ_send_rejects_values_but_None():
    ch = chan(1, dtype='C.structZ')
    for bad in [1, 'x', False]:
        with pytest.raises(TypeError) as exci:
            _golang_test.pychan_structZ_send(ch, bad)
        assert exci.value.args == ("cannot convert %r to structZ" % (bad,),)
    assert len(ch) == 0


def test_hooks_panic_on_a_channel_of_another_dtype():
    for ctype, dtype, obj, _ in CASES:
        other = chan(1, dtype='C.int' if dtype != 'C.int' else 'C.bool')
        for op, argv in [('recv', ()), ('send', (obj,)), ('close', ())]:
            with pytest.raises(_PanicError) as exci:
                hook(ctype, op)(other, *argv)
            assert exci.value.args == ("pychan: channel type mismatch",)


def test_buffered_values_pass_both_ways_in_order():
    ch = chan(3, dtype='C.int')
    for i in range(3):
        _golang_test.pychan_int_send(ch, i)
    assert [ch.recv() for _ in range(3)] == [0, 1, 2]
    for i in range(3):
        ch.send(10 + i)
    assert [_golang_test.pychan_int_recv(ch) for _ in range(3)] == [10, 11, 12]


def test_send_hooks_convert_as_c_does():
    # bool: the object's truth; int: int, or a float truncated; double: float()
    def through(ctype, dtype, v):
        ch = chan(1, dtype=dtype)
        hook(ctype, 'send')(ch, v)
        return ch.recv()
    assert through('bool', 'C.bool', []) is False
    assert through('bool', 'C.bool', 'x') is True
    assert through('int', 'C.int', 1.9) == 1
    assert through('int', 'C.int', -1.9) == -1
    assert through('int', 'C.int', True) == 1
    assert through('double', 'C.double', 2) == 2.0
    with pytest.raises(TypeError) as exci:
        through('int', 'C.int', 'x')
    assert exci.value.args == ("an integer is required",)
    with pytest.raises(OverflowError):
        through('int', 'C.int', 2**40)
    with pytest.raises(TypeError) as exci:
        through('double', 'C.double', None)
    assert exci.value.args == ("must be real number, not NoneType",)
