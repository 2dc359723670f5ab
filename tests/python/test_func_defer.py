# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang's func, defer, panic, recover, _PanicError and gimport.

Each test is named by the property it checks.  Expected values (error
messages, exception chains, traceback frame names) are those of Pygolang
0.0.5 as listed in API.md; a few tests cover this project's documented
extensions (async @func, @func deferred functions calling recover).
"""

import asyncio
import contextlib
import inspect
import os
import sys
import threading
import traceback

import pytest

from golang import func, defer, panic, recover, gimport, _PanicError

# Under Pyodide (the WebAssembly core) there are no threads, and asyncio.run
# needs JavaScript Promise Integration.
_PYODIDE = sys.platform == 'emscripten'
needs_threads = pytest.mark.skipif(_PYODIDE, reason="needs OS threads (not under Pyodide)")
no_asyncio_run = pytest.mark.skipif(_PYODIDE, reason="asyncio.run needs JSPI under Pyodide")


@contextlib.contextmanager
def panics(arg):
    """Like pytest.raises(_PanicError), and checks that the panic argument is arg."""
    with pytest.raises(_PanicError) as excinfo:
        yield excinfo
    assert excinfo.value.args == (arg,)


def tbnames(exc):
    """Function names of the frames in exc.__traceback__, outermost first."""
    return [fs.name for fs in traceback.extract_tb(exc.__traceback__)]


def chain(exc):
    """exc, exc.__context__, exc.__context__.__context__, ..."""
    out = []
    while exc is not None:
        out.append(exc)
        exc = exc.__context__
    return out


# ---- panic / _PanicError ----

@pytest.mark.parametrize('arg', ["aaa", 123, None, (1, 2), ["x"], RuntimeError("e")])
def test_panic_raises_panicerror_whose_args_are_exactly_the_argument(arg):
    with pytest.raises(_PanicError) as exci:
        panic(arg)
    assert type(exci.value) is _PanicError
    assert exci.value.args == (arg,)
    assert exci.value.args[0] is arg


def test_panicerror_is_a_plain_exception_subclass_shared_with_golang_pyfunc():
    assert issubclass(_PanicError, Exception)
    assert str(_PanicError("send on closed channel")) == "send on closed channel"
    import golang._pyfunc   # where the native core takes it from
    assert golang._pyfunc._PanicError is _PanicError
    assert golang._pyfunc.panic is panic


# ---- func ----

def test_func_passes_arguments_and_returns_the_result():
    @func
    def f(a, b=2, *argv, **kw):
        return (a, b, argv, kw)
    assert f(1) == (1, 2, (), {})
    assert f(1, 3, 4, 5, x=6) == (1, 3, (4, 5), {'x': 6})
    assert f(b=7, a=8) == (8, 7, (), {})


@no_asyncio_run
def test_func_accepts_keyword_arguments_named_like_wrapper_internals():
    @func
    def g(f, argv=1, kw=2, self=3):
        return (f, argv, kw, self)
    assert g(f=0, argv='a', kw='b', self='c') == (0, 'a', 'b', 'c')
    @func
    async def ag(f):
        return f
    assert asyncio.run(ag(f=5)) == 5


@pytest.mark.parametrize('args, kw', [((1,), {}), ((1, 2, 3), {}), ((1,), {'c': 2})])
def test_func_wrong_arguments_raise_typeerror(args, kw):
    f = func(lambda a, b: a + b)
    with pytest.raises(TypeError):
        f(*args, **kw)


def test_func_keeps_name_module_doc_qualname_and_signature():
    def zzz(self, v, x=2, **kkkkwww):
        """doc of zzz"""
    f = func(zzz)
    assert f is not zzz
    assert f.__name__ == 'zzz'
    assert f.__module__ == __name__
    assert f.__doc__ == "doc of zzz"
    assert f.__qualname__ == zzz.__qualname__
    assert str(inspect.signature(f)) == '(self, v, x=2, **kkkkwww)'
    spec = inspect.getfullargspec(f)
    assert (spec.args, spec.varargs, spec.varkw, spec.defaults) == \
        (['self', 'v', 'x'], None, 'kkkkwww', (2,))
    # annotations and keyword-only defaults too
    def h(a: int, *, k: str = "kk") -> bool: return k
    assert str(inspect.signature(func(h))) == "(a: int, *, k: str = 'kk') -> bool"
    assert func(h)(1) == "kk"


def test_func_cls_installs_methods_and_does_not_rebind_existing_names():
    class MyClass:
        def __init__(self, v):
            self.v = v

    zzz = zzz_orig = 'z'    # `@func(MyClass) def zzz` must not override zzz
    @func(MyClass)
    def zzz(self, v, x=2, **kkkkwww):
        assert self.v == v
        return v + 1
    assert zzz is zzz_orig

    mstatic = mstatic_orig = 'mstatic'
    @func(MyClass)
    @staticmethod
    def mstatic(v):
        assert v == 5
        return v + 1
    assert mstatic is mstatic_orig

    mcls = mcls_orig = 'mcls'
    @func(MyClass)
    @classmethod
    def mcls(cls, v):
        assert cls is MyClass
        assert v == 7
        return v + 1
    assert mcls is mcls_orig

    obj = MyClass(4)
    assert (obj.zzz(4), obj.mstatic(5), MyClass.mstatic(5), obj.mcls(7), MyClass.mcls(7)) == \
        (5, 6, 6, 8, 8)
    assert str(inspect.signature(MyClass.zzz)) == '(self, v, x=2, **kkkkwww)'
    assert str(inspect.signature(MyClass.mstatic)) == '(v)'
    assert str(inspect.signature(MyClass.mcls)) == '(v)'  # bound to the class
    for name in ('zzz', 'mstatic', 'mcls'):
        m = getattr(MyClass, name)
        assert (m.__module__, m.__name__) == (__name__, name)
    assert isinstance(MyClass.__dict__['mstatic'], staticmethod)
    assert isinstance(MyClass.__dict__['mcls'], classmethod)


def test_func_cls_gives_none_when_the_name_did_not_exist_in_the_caller():
    class MyClass:
        pass
    @func(MyClass)
    def rrr(self):
        return 'rrr'
    assert rrr is None
    assert MyClass().rrr() == 'rrr'


def test_func_cls_at_module_level_returns_the_existing_global():
    class MyClass:
        pass
    ns = {'func': func, 'MyClass': MyClass, 'meth': 'orig', '__name__': 'modx'}
    exec("@func(MyClass)\ndef meth(self): return 'm'\n"
         "@func(MyClass)\ndef other(self): return 'o'\n", ns)
    assert ns['meth'] == 'orig'
    assert ns['other'] is None
    assert MyClass().meth() == 'm'
    assert MyClass().other() == 'o'
    assert MyClass.meth.__module__ == 'modx'


def test_func_cls_supports_property():
    class Box:
        def __init__(self):
            self._v = 1

    v = []
    @func(Box)
    @property
    def value(self):
        defer(lambda: v.append('get'))
        return self._v
    assert value is None

    b = Box()
    assert b.value == 1
    assert v == ['get']
    assert isinstance(Box.__dict__['value'], property)


def test_func_on_property_in_class_body_wraps_getter_and_setter():
    v = []
    class Box:
        def __init__(self):
            self._v = 0
        @func
        @property
        def value(self):
            """the value"""
            defer(lambda: v.append('got'))
            return self._v
        @func
        @value.setter
        def value(self, x):
            defer(lambda: v.append('set'))
            self._v = x

    b = Box()
    b.value = 5
    assert b.value == 5
    assert v == ['set', 'got']
    assert Box.value.__doc__ == "the value"


def test_func_applied_twice_still_gives_defer_to_the_function():
    v = []
    def f():
        defer(lambda: v.append('inner'))
    g = func(func(f))
    with panics("function f uses defer, but not @func"):
        func(lambda: f())()     # f itself is not @func
    g()
    assert v == ['inner']


# ---- defer ----

def test_defer_runs_deferred_calls_lifo_when_the_function_returns():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        defer(lambda: v.append(2))
        defer(lambda: v.append(3))
        v.append('body')
    assert _() is None
    assert v == ['body', 3, 2, 1]


def test_defer_keeps_the_return_value_when_deferred_calls_succeed():
    v = []
    @func
    def f(x):
        defer(lambda: v.append('d'))
        return x * 2
    assert f(21) == 42
    assert v == ['d']


def test_defer_registers_what_is_given_at_defer_time():
    v = []
    @func
    def _():
        for i in range(3):
            defer(lambda i=i: v.append(i))
    _()
    assert v == [2, 1, 0]


def test_defer_runs_all_deferred_calls_when_the_body_raises():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        defer(lambda: v.append(2))
        def _():
            v.append('ran ok')
        defer(_)
        1 / 0
    with pytest.raises(ZeroDivisionError):
        _()
    assert v == ['ran ok', 2, 1]


def test_defer_runs_lifo_even_when_a_deferred_call_raises():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        defer(lambda: v.append(2))
        defer(lambda: panic(3))
        defer(lambda: v.append(4))
    with panics(3):
        _()
    assert v == [4, 2, 1]


def test_defer_exception_from_deferred_call_propagates_after_normal_return():
    v = []
    def bad():
        raise RuntimeError("bad")
    @func
    def f():
        defer(lambda: v.append('last'))
        defer(bad)
        return 42
    with pytest.raises(RuntimeError) as exci:
        f()
    e = exci.value
    assert (e.args, e.__context__, e.__cause__, tbnames(e)[-1]) == (("bad",), None, None, 'bad')
    assert v == ['last']


def test_defer_without_func_panics_naming_the_calling_function():
    v = []
    def nofunc():
        defer(lambda: v.append('xx'))
    with panics("function nofunc uses defer, but not @func"):
        nofunc()

    with panics("function <lambda> uses defer, but not @func"):
        (lambda: defer(lambda: None))()

    # a plain function called from an @func body is not @func either
    @func
    def outer():
        def helper():
            defer(lambda: v.append('yy'))
        helper()
    with panics("function helper uses defer, but not @func"):
        outer()
    assert v == []
    with panics("function <module> uses defer, but not @func"):
        exec("defer(lambda: None)", {'defer': defer})


def test_defer_is_per_call_in_recursion():
    v = []
    @func
    def f(n):
        defer(lambda: v.append(n))
        if n > 0:
            f(n - 1)
        v.append('body%d' % n)
    f(2)
    assert v == ['body0', 0, 'body1', 1, 'body2', 2]


def test_defer_in_nested_func_runs_when_the_inner_function_returns():
    v = []
    @func
    def inner():
        defer(lambda: v.append('inner-d'))
        v.append('inner')
    @func
    def outer():
        defer(lambda: v.append('outer-d'))
        inner()
        v.append('outer')
    outer()
    assert v == ['inner', 'inner-d', 'outer', 'outer-d']


def test_defer_in_func_cls_regular_method_staticmethod_and_classmethod():
    v = []
    class MyClass:
        @func
        def method(self):
            defer(lambda: v.append(1))
            defer(lambda: v.append(4))
        @func
        @staticmethod
        def mstatic():
            defer(lambda: v.append(2))
            defer(lambda: v.append(5))
        @func
        @classmethod
        def mcls(cls):
            assert cls is MyClass
            defer(lambda: v.append(3))
            defer(lambda: v.append(7))
    @func(MyClass)
    def zzz(self):
        defer(lambda: v.append(8))
        defer(lambda: v.append(9))
    MyClass().method()
    MyClass.mstatic()
    MyClass.mcls()
    MyClass().mcls()
    MyClass().zzz()
    assert v == [4, 1, 5, 2, 7, 3, 7, 3, 9, 8]


def test_defer_called_by_a_deferred_function_runs_right_after_it():
    v = []
    @func
    def _():
        defer(lambda: v.append('first-registered'))
        def d():
            defer(lambda: v.append('registered-by-d'))
            v.append('d')
        defer(d)
    _()
    assert v == ['d', 'registered-by-d', 'first-registered']


def test_defer_of_a_non_callable_raises_typeerror_when_run():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        defer(123)
    with pytest.raises(TypeError):
        _()
    assert v == [1]


def test_deferred_call_sees_the_pending_exception_in_exc_info():
    seen = []
    @func
    def _():
        defer(lambda: seen.append(sys.exc_info()[1]))
        panic("ppp")
    with panics("ppp") as exci:
        _()
    assert seen == [exci.value]

    seen = []
    func(lambda: defer(lambda: seen.append(sys.exc_info())))()
    assert seen == [(None, None, None)]


def test_defer_many_deferred_calls_do_not_exhaust_the_recursion_limit():
    n = 3 * sys.getrecursionlimit()
    v = []
    @func
    def _():
        for i in range(n):
            defer(lambda i=i: v.append(i))
        panic("many")
    with panics("many"):
        _()
    assert v == list(reversed(range(n)))


@needs_threads
def test_defer_frames_are_independent_across_threads():
    n = 8
    barrier = threading.Barrier(n)  # all threads are inside work() at the same time
    results = [None] * n
    @func
    def work(k):
        v = []
        for i in range(5):
            defer(lambda i=i: v.append((k, i)))
        barrier.wait()
        return v
    @func
    def run(k):
        defer(lambda: results.__setitem__(k, (recover(), r)))
        r = work(k)
        panic(k)
    threads = [threading.Thread(target=run, args=(k,)) for k in range(n)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results == [(k, [(k, i) for i in reversed(range(5))]) for k in range(n)]


# ---- exception chaining (PEP 3134) ----

def test_func_raise_keeps_traceback_and_has_no_context():
    @func
    def _():
        raise RuntimeError("err")
    with pytest.raises(RuntimeError) as exci:
        _()
    e = exci.value
    assert (type(e), e.args, e.__cause__, e.__context__) == (RuntimeError, ("err",), None, None)
    assert tbnames(e)[-1] == "_"


def test_defer_chains_exceptions_through_context_like_nested_try_finally():
    def d1():
        raise RuntimeError("d1: aaa")
    @func
    def d2():   # a regular raise inside @func
        1 / 0
    @func
    def d3():
        # d33 -> d32 -> d31 sub-chain glued with its neighbours as
        # "d4: bbb" -> d33 -> d32 -> d31 -> 1/0
        def d31(): raise RuntimeError("d31")
        def d32(): raise RuntimeError("d32")
        def d33(): raise RuntimeError("d33")
        defer(d33)
        defer(d32)
        defer(d31)
    def d4():
        raise RuntimeError("d4: bbb")
    @func
    def _():
        defer(d4)
        defer(d3)
        defer(d2)
        defer(d1)
        raise RuntimeError("err")

    with pytest.raises(RuntimeError) as exci:
        _()

    want = [
        # type              args            last frame
        (RuntimeError,      ("d4: bbb",),   "d4"),
        (RuntimeError,      ("d33",),       "d33"),
        (RuntimeError,      ("d32",),       "d32"),
        (RuntimeError,      ("d31",),       "d31"),
        (ZeroDivisionError, None,           "d2"),
        (RuntimeError,      ("d1: aaa",),   "d1"),
        (RuntimeError,      ("err",),       "_"),
    ]
    got = chain(exci.value)
    assert len(got) == len(want)
    for e, (typ, args, lastframe) in zip(got, want):
        assert type(e) is typ
        if args is not None:
            assert e.args == args
        assert e.__cause__ is None
        assert e.__suppress_context__ is False
        assert e.__traceback__ is not None
        assert tbnames(e)[-1] == lastframe
    assert got[-1].__context__ is None


def test_defer_chain_equals_the_chain_of_python_nested_try_finally():
    def raiser(msg):
        def r():
            raise RuntimeError(msg)
        return r
    def ok():
        pass

    # deferred calls in registration order; body raises "body"
    plan = [raiser("a"), ok, raiser("b"), raiser("c"), ok, raiser("d")]
    @func
    def with_defer():
        for d in plan:
            defer(d)
        raise RuntimeError("body")
    def with_try_finally():
        # what Python itself does for the same program
        # (the last deferred call is the innermost finally)
        def nest(i):
            if i == len(plan):
                raise RuntimeError("body")
            try:
                nest(i + 1)
            finally:
                plan[i]()
        nest(0)
    def argchain(f):
        with pytest.raises(RuntimeError) as exci:
            f()
        return [(type(e), e.args, e.__cause__) for e in chain(exci.value)]
    assert argchain(with_defer) == argchain(with_try_finally)
    assert [a for _, a, _ in argchain(with_defer)] == [("a",), ("b",), ("c",), ("d",), ("body",)]


def test_defer_chains_to_the_exception_the_caller_is_handling():
    @func
    def f():
        raise RuntimeError("inner")
    try:
        raise KeyError("outer")
    except KeyError as outer:
        with pytest.raises(RuntimeError) as exci:
            f()
        assert exci.value.__context__ is outer


def test_traceback_print_shows_the_whole_chain():
    @func
    def caller():
        def q1():
            raise RuntimeError("aaa")
        defer(q1)
        def q2():
            raise RuntimeError("bbb")
        defer(q2)
        raise RuntimeError("ccc")

    with pytest.raises(RuntimeError) as exci:
        caller()
    e = exci.value
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    assert text.count("During handling of the above exception, another exception occurred:") == 2
    assert text.index("Error: ccc") < text.index("Error: bbb") < text.index("Error: aaa")
    assert "in caller" in text and "in q2" in text and "in q1" in text


# ---- recover ----

def test_recover_returns_the_panic_argument_and_the_function_returns_none():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        def _():
            r = recover()
            assert r == "aaa"
            v.append('recovered ok')
        defer(_)
        defer(lambda: v.append(3))
        panic("aaa")
        return 'unreachable'
    assert _() is None
    assert v == [3, 'recovered ok', 1]


class MyPanic(_PanicError):
    pass


@pytest.mark.parametrize('exc, want', [
    (_PanicError(None), None),          # panic(None): recovered, recover gives None
    (_PanicError((1, 2)), (1, 2)),
    (KeyError("kkk"), 'self'),          # other exceptions: the object itself
    (MyPanic("x"), 'self'),             # only exactly _PanicError is unwrapped
    (SystemExit(3), 'self'),            # BaseExceptions too
])
def test_recover_returns_the_panic_argument_or_else_the_exception_object(exc, want):
    got = []
    @func
    def _():
        defer(lambda: got.append(recover()))
        raise exc
    assert _() is None
    assert got == [exc if want == 'self' else want]


def test_recover_then_panic_in_a_later_deferred_call_propagates_the_new_panic():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        defer(lambda: panic(2))
        def _():
            r = recover()
            assert r == "bbb"
            v.append('recovered 1')
        defer(_)
        defer(lambda: v.append(3))
        panic("bbb")
    with panics(2):
        _()
    assert v == [3, 'recovered 1', 1]


def test_recover_twice_of_two_panics_in_one_function():
    v = []
    @func
    def _():
        defer(lambda: v.append(1))
        def _():
            r = recover()
            assert r == "ddd"
            v.append('recovered 2')
        defer(_)
        defer(lambda: panic("ddd"))
        def _():
            r = recover()
            assert r == "ccc"
            v.append('recovered 1')
        defer(_)
        defer(lambda: v.append(3))
        panic("ccc")
    assert _() is None
    assert v == [3, 'recovered 1', 'recovered 2', 1]


def test_recover_repanic_with_the_same_argument():
    @func
    def _():
        def d():
            r = recover()
            panic("re: " + r)
        defer(d)
        panic("orig")
    with panics("re: orig") as exci:
        _()
    # the re-panic is raised after recover cleared the handled exception
    ctx = exci.value.__context__
    assert ctx is None or ctx.args == ("orig",)


def test_recover_of_panic_from_deferred_call_keeps_the_return_value():
    v = []
    @func
    def f():
        defer(lambda: v.append(recover()))
        defer(lambda: panic("late"))
        return 5
    assert f() == 5
    assert v == ["late"]


def test_recover_acts_once_and_later_calls_return_none():
    got = []
    @func
    def _():
        defer(lambda: got.append(('later', recover())))
        def d():
            got.append(('first', recover()))
            got.append(('second', recover()))
        defer(d)
        panic("p")
    _()
    assert got == [('first', 'p'), ('second', None), ('later', None)]


def test_recover_returns_none_without_exception_or_outside_a_deferred_call():
    assert recover() is None
    try:
        raise RuntimeError("x")
    except RuntimeError:
        assert recover() is None                # outside @func, even while handling
        assert (lambda: recover())() is None
    called = []
    @func
    def _():
        def d():
            assert recover() is None
            called.append(1)
        defer(d)
    assert _() is None
    assert called == [1]


def test_recover_returns_none_when_not_called_directly_by_the_deferred_function():
    v = []
    @func
    def _():
        def f():
            assert recover() is None
            v.append('not recovered')
        defer(lambda: f())
        panic("zzz")
    with panics("zzz"):
        _()
    assert v == ['not recovered']


def test_recover_returns_none_in_the_func_body_itself():
    got = []
    @func
    def _():
        try:
            raise RuntimeError("in body")
        except RuntimeError:
            got.append(recover())
        return 'ok'
    assert _() == 'ok'
    assert got == [None]


@pytest.mark.skipif(sys.implementation.name != 'cpython', reason="clearing needs CPython's C API")
def test_recover_clears_exc_info_for_the_rest_of_the_deferred_function():
    seen = []
    @func
    def _():
        def d():
            assert sys.exc_info()[0] is _PanicError
            recover()
            seen.append(sys.exc_info())
        defer(d)
        panic("x")
    _()
    assert seen == [(None, None, None)]


def test_recover_breaks_the_exception_chain():
    @func
    def _():
        def p1():
            raise RuntimeError(1)
        defer(p1)
        def p2():
            raise RuntimeError(2)
        defer(p2)
        def _():
            r = recover()
            assert r == "aaa"
        defer(_)
        defer(lambda: panic("aaa"))

    with pytest.raises(RuntimeError) as exci:
        _()
    e1 = exci.value
    e2 = e1.__context__
    assert (e1.args, e1.__cause__, tbnames(e1)[-1]) == ((1,), None, "p1")
    assert (e2.args, e2.__cause__, tbnames(e2)[-1]) == ((2,), None, "p2")
    assert e2.__context__ is None      # not chained to the recovered panic


def test_recover_breaks_the_exception_chain_even_without_the_c_api(monkeypatch):
    # where sys.exc_info() cannot be cleared (no C API, e.g. PyPy), later
    # deferred calls still must not chain to the recovered panic.
    import golang._pyfunc
    monkeypatch.setattr(golang._pyfunc, '_sys_exc_clear', lambda: None)
    @func
    def _():
        def p1():
            raise RuntimeError(1)
        defer(p1)
        defer(lambda: recover())
        defer(lambda: panic("aaa"))
        raise RuntimeError(0)
    with pytest.raises(RuntimeError) as exci:
        _()
    assert exci.value.args == (1,)
    assert exci.value.__context__ is None


def test_recover_returns_exception_with_traceback_and_chain():
    # raise -> recover
    @func
    def f1():
        def r1():
            e = recover()
            assert (type(e), e.args, e.__cause__, e.__context__, e.__suppress_context__) == \
                (RuntimeError, ("qqq",), None, None, False)
            assert tbnames(e)[-4:] == ["f1", "p3", "p2", "p1"]
        defer(r1)
        def p1(): raise RuntimeError("qqq")
        def p2(): p1()
        def p3(): p2()
        p3()
    assert f1() is None

    # raise -> defer(raise2) -> recover
    @func
    def f2():
        def r2():
            e2 = recover()
            e1 = e2.__context__
            assert (type(e2), e2.args, e2.__cause__, tbnames(e2)[-1]) == \
                (RuntimeError, ("epp2",), None, "pp2")
            assert (type(e1), e1.args, e1.__context__, tbnames(e1)[-2:]) == \
                (RuntimeError, ("epp1",), None, ["f2", "pp1"])
        defer(r2)
        def pp2(): raise RuntimeError("epp2")
        defer(pp2)
        def pp1(): raise RuntimeError("epp1")
        pp1()
    assert f2() is None

    # raise -> recover -> wrap + re-raise
    @func
    def f3():
        def r3():
            e1 = recover()
            e2 = RuntimeError("bad2")
            e2.__context__ = e1
            raise e2
        defer(r3)
        def bad1(): raise RuntimeError("bad1")
        bad1()

    with pytest.raises(RuntimeError) as exci:
        f3()
    e2 = exci.value
    e1 = e2.__context__
    assert (e2.args, e2.__cause__, tbnames(e2)[-1]) == (("bad2",), None, "r3")
    assert (e1.args, e1.__context__, tbnames(e1)[-2:]) == (("bad1",), None, ["f3", "bad1"])


def test_recover_in_an_inner_func_does_not_see_the_outer_panic():
    got = []
    @func
    def inner():
        defer(lambda: got.append(('inner', recover())))
    @func
    def outer():
        def d():
            inner()
            got.append(('outer', recover()))
        defer(d)
        panic("outer-panic")
    assert outer() is None
    assert got == [('inner', None), ('outer', 'outer-panic')]


def test_recover_in_a_deferred_func_decorated_function_body_recovers():
    # extension: a deferred function that is itself @func calls recover directly
    v = []
    @func
    def d():
        defer(lambda: v.append('d-deferred'))
        v.append(('d', recover()))
    @func
    def _():
        defer(d)
        panic("ppp")
    assert _() is None
    assert v == [('d', 'ppp'), 'd-deferred']


def test_recover_works_in_deferred_bound_method():
    class Guard:
        def catch(self):
            self.got = recover()
    g = Guard()
    @func
    def _():
        defer(g.catch)
        panic(42)
    assert _() is None
    assert g.got == 42


# ---- async @func (extension) ----

@no_asyncio_run
def test_func_on_coroutine_function_runs_defers_when_it_finishes():
    v = []
    @func
    async def f(x):
        defer(lambda: v.append('d1'))
        await asyncio.sleep(0)
        defer(lambda: v.append('d2'))
        v.append('body')
        return x + 1
    assert inspect.iscoroutinefunction(f)
    assert f.__name__ == 'f'
    assert str(inspect.signature(f)) == '(x)'
    assert asyncio.run(f(1)) == 2
    assert v == ['body', 'd2', 'd1']


@no_asyncio_run
def test_func_on_coroutine_function_awaits_async_deferred_calls_and_recovers():
    v = []
    async def aclose():
        await asyncio.sleep(0)
        v.append('aclosed')
    async def arecover():
        await asyncio.sleep(0)
        v.append(('recovered', recover()))
    @func
    async def f():
        defer(arecover)
        defer(aclose)
        await asyncio.sleep(0)
        panic("apanic")
    assert asyncio.run(f()) is None
    assert v == ['aclosed', ('recovered', 'apanic')]


@no_asyncio_run
def test_func_on_coroutine_function_chains_exceptions():
    @func
    async def f():
        def d():
            raise RuntimeError("d")
        defer(d)
        raise RuntimeError("body")
    with pytest.raises(RuntimeError) as exci:
        asyncio.run(f())
    assert [e.args for e in chain(exci.value)] == [("d",), ("body",)]


# ---- gimport ----

@pytest.fixture
def gopath(tmp_path, monkeypatch):
    """Sets GOPATH to two fresh workspaces; cleans sys.modules of gimported modules."""
    g1 = tmp_path / 'g1'
    g2 = tmp_path / 'g2'
    (g1 / 'src').mkdir(parents=True)
    (g2 / 'src').mkdir(parents=True)
    monkeypatch.setenv('GOPATH', str(g1) + os.pathsep + str(g2))
    before = set(sys.modules)
    yield g1, g2
    for k in set(sys.modules) - before:
        if k.startswith('golang._gopath.'):
            del sys.modules[k]


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.mark.parametrize('name, relpath', [
    ('lab.nexedi.com/kirr/hello', 'hello.py'),
    ('lab.nexedi.com/kirr/world', 'world/__init__.py'),
])
def test_gimport_loads_a_module_file_or_package_and_does_not_reload_it(gopath, name, relpath):
    g1, _ = gopath
    _write(g1 / 'src/lab.nexedi.com/kirr' / relpath, "TAG = 'gopath: test: %s'\n" % relpath)
    m = gimport(name)
    assert m.TAG == 'gopath: test: ' + relpath
    m.TAG = 'loaded'
    assert gimport(name) is m
    assert m.TAG == 'loaded', 'module was reloaded'


def test_gimport_caches_the_module_in_sys_modules_with_dots_replaced(gopath):
    g1, _ = gopath
    _write(g1 / 'src/example.com/a.b/mod.py', "X = 1\n")
    m = gimport('example.com/a.b/mod')
    key = 'golang._gopath.example_com/a_b/mod'
    assert sys.modules[key] is m
    assert m.__name__ == key
    assert m.__file__ == str(g1 / 'src/example.com/a.b/mod.py')
    # what is in sys.modules is returned as is
    sys.modules[key] = sentinel = object()
    assert gimport('example.com/a.b/mod') is sentinel


def test_gimport_searches_gopath_entries_in_order(gopath):
    g1, g2 = gopath
    _write(g2 / 'src/ex.com/both.py', "WHERE = 'g2'\n")
    _write(g1 / 'src/ex.com/both.py', "WHERE = 'g1'\n")
    _write(g2 / 'src/ex.com/only2/__init__.py', "WHERE = 'g2 pkg'\n")
    assert gimport('ex.com/both').WHERE == 'g1'
    assert gimport('ex.com/only2').WHERE == 'g2 pkg'


def test_gimport_prefers_module_file_over_package_in_one_entry(gopath):
    g1, _ = gopath
    _write(g1 / 'src/ex.com/dual.py', "KIND = 'file'\n")
    _write(g1 / 'src/ex.com/dual/__init__.py', "KIND = 'package'\n")
    assert gimport('ex.com/dual').KIND == 'file'


def test_gimport_package_can_import_its_submodules_relatively(gopath):
    g1, _ = gopath
    _write(g1 / 'src/ex.com/pkg/__init__.py', "from . import sub\nV = sub.V + 1\n")
    _write(g1 / 'src/ex.com/pkg/sub.py', "V = 41\n")
    assert gimport('ex.com/pkg').V == 42


def test_gimport_missing_module_raises_importerror_with_message(gopath):
    with pytest.raises(ImportError) as exci:
        gimport('ex.com/does/not/exist')
    assert exci.value.args == ('gopath: no module named ex.com/does/not/exist',)


def test_gimport_failing_module_is_not_cached_and_error_propagates(gopath):
    g1, _ = gopath
    path = g1 / 'src/ex.com/broken.py'
    _write(path, "raise ValueError('broken module')\n")
    with pytest.raises(ValueError, match='broken module'):
        gimport('ex.com/broken')
    assert 'golang._gopath.ex_com/broken' not in sys.modules
    _write(path, "OK = True\n")
    assert gimport('ex.com/broken').OK is True


def test_gimport_defaults_gopath_to_home_go(tmp_path, monkeypatch):
    monkeypatch.delenv('GOPATH', raising=False)
    monkeypatch.setenv('HOME', str(tmp_path))
    monkeypatch.setenv('USERPROFILE', str(tmp_path))
    _write(tmp_path / 'go/src/ex.com/homemod.py', "HOME = True\n")
    try:
        assert gimport('ex.com/homemod').HOME is True
    finally:
        sys.modules.pop('golang._gopath.ex_com/homemod', None)


def test_gimport_is_golang__gopath_gimport():
    import golang
    from golang import _gopath
    assert golang.gimport is _gopath.gimport
