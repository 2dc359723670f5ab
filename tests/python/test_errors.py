# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.error and golang.errors against Pygolang 0.1's API as
listed in /work/shared/API-0.1.md (1.1 "error", 1.2). Pure Python: they
run on every core."""

import pytest

import golang
from golang import error, b, errors, _errors
from golang._errors_test import pyerror_mkchain as Ec


def assert_eq(e1, e2):
    assert e1 == e2 and e2 == e1
    assert not (e1 != e2) and not (e2 != e1)
    assert hash(e1) == hash(e2)


def assert_ne(e1, e2):
    assert e1 != e2 and e2 != e1
    assert not (e1 == e2) and not (e2 == e1)


def unwrap1(e):
    return next(_errors._pyUnwrapIter(e), None)


class EError(error):
    def __init__(self, op, ret):    # need not call super
        self.op = op
        self.ret = ret

    def Error(self):
        return "my %s: %s" % (self.op, self.ret)


class EWrap(error):
    def __init__(self, text, err):
        self.text = text
        self.err = err

    def Error(self):
        return "%s: %s" % (self.text, self.err)

    def Unwrap(self):
        return self.err


class XWrap(BaseException):     # not an error, but takes part in chains
    def __init__(self, text, err):
        self.text = text
        self.err = err

    def Unwrap(self):
        return self.err

    def __eq__(a, b):
        return type(a) is type(b) and (a.text, a.err) == (b.text, b.err)
    __hash__ = BaseException.__hash__


def test_error_class_is_golang__golang_pyerror_subclass_of_exception():
    assert error is golang._golang.pyerror
    assert error.__name__ == 'pyerror'
    assert error.__module__ == 'golang._golang'
    assert issubclass(error, Exception)


def test_exact_error_from_text_has_go_semantics():
    for x in ["hello мир", b("hello мир")]:
        e = error(x)
        assert type(e) is error
        assert e.Error() == "hello мир"
        assert str(e) == "hello мир"
        assert e.args == (x,)
        assert e.Unwrap() is None
        assert repr(e) == '<golang._golang.pyerror object ctype=N6golang6errors10_TextErrorE error="hello мир">'
        assert_eq(e, e)
    with pytest.raises(AttributeError) as exci:
        e.args = ()     # read-only
    assert exci.value.args == ("attribute 'args' of 'golang._golang.pyerror' objects is not writable",)


def test_error_takes_exactly_one_str_or_bytes_argument():
    with pytest.raises(ValueError) as exci:
        error()
    assert exci.value.args == ("need more than 0 values to unpack",)
    with pytest.raises(ValueError) as exci:
        error("a", "b")
    assert exci.value.args == ("too many values to unpack (expected 1)",)
    for bad in [1, None, bytearray(b"x"), object()]:
        with pytest.raises(TypeError) as exci:
            error(bad)
        assert exci.value.args == ("b: invalid type %s" % type(bad),)


def test_exact_errors_compare_by_go_type_and_text_not_identity():
    assert_eq(error("abc"), error(b"abc"))
    assert_eq(error("abc"), errors.New("abc"))
    assert_ne(error("abc"), error("abd"))
    # the same text but another Go type (a wrap) is not equal
    w = Ec(["a", "b"])
    assert_ne(w, error("a: b"))
    assert w.Error() == "a: b"
    assert repr(w) == '<golang._golang.pyerror object ctype=N6golang3fmt10_WrapErrorE error="a: b">'
    # never equal to a subclass instance or to a non-error
    class EErr(error):
        pass
    assert_ne(EErr("abc"), error("abc"))
    assert error("abc") != "abc"
    assert not (error("abc") == RuntimeError("abc"))


def test_subclass_errors_keep_args_and_compare_by_type_and_args():
    epy = EError("load", 3)
    assert epy.args == ("load", 3)
    assert epy.Error() == "my load: 3" and str(epy) == "my load: 3"
    assert repr(epy) == "%s.EError('load', 3)" % __name__
    assert epy.Unwrap() is None
    assert_eq(epy, EError("load", 3))
    assert_ne(epy, EError("load", 4))
    w = EWrap("mywrap", epy)
    assert str(w) == "mywrap: my load: 3"
    assert w.Unwrap() is epy

    class Plain(error):
        pass
    p = Plain(1, "x")
    assert p.Error() == repr(p) == "%s.Plain(1, 'x')" % __name__     # default Error is repr


def test_errors_are_raised_and_caught_like_exceptions():
    with pytest.raises(error) as exci:
        raise errors.New("boom")
    assert exci.value == error("boom")
    with pytest.raises(EError):
        raise EError("x", 1)


def test_mkchain_builds_go_level_wraps_and_unwrap_makes_new_equal_errors():
    assert Ec([]) is None
    e = Ec(["привет", "abc"])
    assert type(e) is error and e.Error() == "привет: abc"
    e1 = e.Unwrap()
    assert type(e1) is error
    assert_eq(e1, Ec(["abc"]))
    assert e.Unwrap() is not e1         # a new wrapper each time
    assert e1.Unwrap() is None


def test_new_accepts_str_or_bytes_only():
    assert_eq(errors.New("мир"), errors.New("мир".encode()))
    assert type(errors.New("x")) is error
    assert errors.New("x").args == ()
    with pytest.raises(TypeError) as exci:
        errors.New(1)
    assert exci.value.args == ("b: invalid type <class 'int'>",)


def test_unwrap_iter_follows_unwrap_then_cause():
    assert unwrap1(None) is None
    assert unwrap1(BaseException()) is None
    with pytest.raises(TypeError) as exci:
        unwrap1(1)
    assert exci.value.args == ("errors.UnwrapIter: err is not exception: type(err)=<class 'int'>",)
    # e1 w-> e2 w-> e3, e1.__cause__ = X1, e2.__cause__ = X2  ->  e2 e3 X2 X1
    e2 = Ec(["2", "3"])
    e1 = EWrap("1", e2)
    x1, x2 = RuntimeError("x1"), KeyError("x2")
    e1.__cause__ = x1
    e2.__cause__ = x2
    chain = list(_errors._pyUnwrapIter(e1))
    assert [str(e) for e in chain] == ["2: 3", "3", "'x2'", "x1"]
    assert chain[0] is e2 and chain[2] is x2 and chain[3] is x1
    # __context__ is not followed
    e = error("a")
    e.__context__ = RuntimeError("ctx")
    assert list(_errors._pyUnwrapIter(e)) == []


def test_unwrap_iter_ends_on_a_cycle():
    e = EWrap("loop", None)
    e.err = e
    chain = list(_errors._pyUnwrapIter(e))
    assert chain == [e]


def test_is_matches_exact_type_and_equality_along_the_chain():
    assert errors.Is(None, None) is True
    assert errors.Is(errors.New("a"), None) is False
    assert errors.Is(None, errors.New("b")) is False
    assert errors.Is(BaseException(), None) is False
    w = Ec(["hello", "world", "мир"])
    assert errors.Is(w, errors.New("мир"))
    assert not errors.Is(w, errors.New("май"))
    assert errors.Is(w, Ec(["world", "мир"]))
    assert not errors.Is(w, Ec(["hello", "мир"]))
    x = XWrap("q", Ec(["abc", "привет"]))
    assert errors.Is(x, errors.New("привет"))
    assert errors.Is(x, x)
    assert errors.Is(x, XWrap("q", Ec(["abc", "привет"])))
    # through __cause__ after the wrapped chain
    e = Ec(["1", "2"])
    e.__cause__ = KeyError("k")
    assert errors.Is(e, e.__cause__)
    assert not errors.Is(e, KeyError("k"))      # KeyError compares by identity


def test_is_rejects_non_exceptions_with_messages():
    with pytest.raises(TypeError) as exci:
        errors.Is(1, None)
    assert exci.value.args == ("errors.Is: err is not exception or None: type(err)=<class 'int'>",)
    with pytest.raises(TypeError) as exci:
        errors.Is(None, object())
    assert exci.value.args == ("errors.Is: target is not exception or None: type(target)=<class 'object'>",)
