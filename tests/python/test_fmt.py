# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.fmt.Errorf against Pygolang 0.1's API (API-0.1.md 1.3).
Pure Python: they run on every core."""

import pytest

from golang import error, errors, fmt, _fmt, _errors


def unwrap1(e):
    return next(_errors._pyUnwrapIter(e), None)


def test_errorf_without_w_formats_with_python_percent_into_an_exact_error():
    e = fmt.Errorf("hello %d world %s", 123, "мир")
    assert type(e) is error
    assert e.Error() == "hello 123 world мир"
    assert unwrap1(e) is None
    e = fmt.Errorf("%s %s: %s", "op", "file", errors.New("problem"))
    assert e.Error() == "op file: problem"
    assert not errors.Is(e, errors.New("problem"))


def test_errorf_w_of_exact_error_wraps_it_at_go_level():
    p = errors.New("problem")
    w = fmt.Errorf("%s %s: %w", "op", "file", p)
    assert type(w) is error
    assert w.Error() == "op file: problem"
    assert w.Unwrap() == p and w.Unwrap() is not p
    assert errors.Is(w, p)
    assert repr(w).startswith("<golang._golang.pyerror object ctype=N6golang3fmt10_WrapErrorE ")


def test_errorf_w_of_python_error_gives_pywraperror_that_unwraps_to_it_itself():
    e = RuntimeError("abc")
    w = fmt.Errorf("zzz: %w", e)
    assert type(w) is _fmt._PyWrapError
    assert isinstance(w, error)
    assert w.args == ("zzz", e)
    assert w.Error() == str(w) == "zzz: abc"
    assert w.Unwrap() is e
    assert errors.Is(w, e)
    assert repr(w) == "golang._fmt._PyWrapError('zzz', RuntimeError('abc'))"


def test_errorf_w_of_none_writes_go_nil_marker():
    w = fmt.Errorf("aaa: %w", None)
    assert type(w) is _fmt._PyWrapError
    assert w.Error() == "aaa: %!w(<None>)"
    assert w.Unwrap() is None


def test_errorf_rejects_bad_formats_and_non_errors():
    e = errors.New("x")
    for fmt_ in ["%w", ":%w", "a %w : %w", "%w hi"]:
        with pytest.raises(ValueError):
            fmt.Errorf(fmt_, e, e) if fmt_.count("%w") == 2 else fmt.Errorf(fmt_, e)
    for bad in [1, object()]:
        with pytest.raises(TypeError) as exci:
            fmt.Errorf(": %w", bad)
        assert exci.value.args == ("fmt.Errorf: lastarg to wrap is not error: type(argv[-1])=%r" % type(bad),)
    with pytest.raises(IndexError):
        fmt.Errorf("a: %w")
    with pytest.raises(TypeError):
        fmt.Errorf(b"bytes format")
    with pytest.raises(TypeError):
        fmt.Errorf("%d", "not a number")
