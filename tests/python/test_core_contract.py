"""The contract of a core module: `golang._golang` is the native core
(targets/native) under CPython and the shim over the WebAssembly core
(golang/_golang_wasm.py over targets/wasm) under Pyodide. Both take the list
of names a core must provide, their dtypes, messages and limits from one
crate (pycore/); this file runs under both (it is in the Pyodide suites of
targets/wasm/js/suites.mjs)."""

import sys

import pytest

from golang import _golang, chan, panic, select, default
from golang._pyfunc import _PanicError

# What the package itself imports from the core by name: if the shared list
# lost one of these, a core could drop it unnoticed.
USED_BY_THE_PACKAGE = {"chan", "select", "default", "nilchan", "aselect", "run", "DeadlockError",
                       "go_async", "go_thread", "_in_executor", "Timer", "Ticker", "now", "asleep",
                       "_set_panic_when_blocked", "_len_recvq", "_len_sendq", "pychan"}


def test_core_provides_every_name_of_the_shared_list():
    names = _golang._CORE_NAMES
    assert list(names) == sorted(names)
    assert [n for n in names if not hasattr(_golang, n)] == []


def test_shared_list_has_what_the_package_uses():
    assert USED_BY_THE_PACKAGE - set(_golang._CORE_NAMES) == set()


@pytest.mark.parametrize("dtype, zero", [("object", None), ("C.structZ", None), ("C.bool", False),
                                         ("C.int", 0), ("C.double", 0.0)])
def test_dtype_names_and_zero_values_are_the_shared_ones(dtype, zero):
    ch = chan(1, dtype=dtype)
    assert ch.dtype == dtype
    ch.close()
    v, ok = ch.recv_()
    assert (v, type(v), ok) == (zero, type(zero), False)


@pytest.mark.parametrize("dtype, value, exc, msg", [
    ("C.int", True, TypeError, "type mismatch: expect int; got True"),
    ("C.int", 2**31, OverflowError, "value out of range for C.int: 2147483648"),
    ("C.int", 2**80, OverflowError, "value out of range for C.int: 1208925819614629174706176"),
    ("C.int", -2.0**31 - 1, OverflowError, "value out of range for C.int: -2147483649.0"),
    ("C.int", 1.5, TypeError, "type mismatch: expect int; got 1.5"),
    ("C.double", "x", TypeError, "type mismatch: expect float; got 'x'"),
    ("C.bool", 1, TypeError, "type mismatch: expect bool; got 1"),
    ("C.structZ", 0, TypeError, "type mismatch: expect structZ; got 0"),
])
def test_conversion_rules_refuse_with_the_shared_messages(dtype, value, exc, msg):
    ch = chan(1, dtype=dtype)
    with pytest.raises(exc) as e:
        ch.send(value)
    assert str(e.value) == msg
    assert len(ch) == 0


@pytest.mark.parametrize("dtype, value, got", [
    ("C.int", 3.0, 3), ("C.int", -2**31, -2**31), ("C.double", 2, 2.0), ("C.double", 2**60, float(2**60)),
    ("C.bool", True, True), ("C.structZ", None, None),
])
def test_conversion_rules_accept_and_convert(dtype, value, got):
    ch = chan(1, dtype=dtype)
    ch.send(value)
    v = ch.recv()
    assert (v, type(v)) == (got, type(got))


def test_limits_and_dtype_errors_are_the_shared_ones():
    with pytest.raises(_PanicError) as e:
        chan(2**40 + 1)
    assert e.value.args[0] == "makechan: size out of range"
    with pytest.raises(TypeError) as e:
        chan(dtype='int')
    assert str(e.value) == "pychan: invalid dtype: 'int'"
    with pytest.raises(_PanicError) as e:
        select(default, default)
    assert e.value.args[0] == "select: multiple default"
