# SPDX-License-Identifier: MIT OR Apache-2.0
"""Pure-Python part of package golang: func, defer, panic, recover.

This module implements the parts of Pygolang 0.0.5's API that do not need the
native core, and it imports nothing from ``golang._golang`` so that it works
standalone (natively and under Pyodide).  The core imports ``_PanicError``
from here to raise Go panics such as "send on closed channel".

- ``panic(arg)`` raises ``_PanicError(arg)``.
- ``@func`` wraps a function so that ``defer`` works inside it;
  ``@func(cls)`` defines a method on cls outside the class body.
- ``defer(f)`` schedules ``f()`` to run when the enclosing @func returns.
- ``recover()``, called directly by a deferred function, stops the panic.

(``gimport`` lives in ``golang._gopath``, as in Pygolang.)

How defer runs (the design choices)
-----------------------------------

The wrapper installed by @func (``_call``) keeps a ``_GoFrame`` in a local
variable named ``__goframe__``.  ``defer`` and ``recover`` find it by walking
the Python stack: ``defer`` looks at the frame that called its caller,
``recover`` at the frame that called the deferred function.  Frames are
recognised by their code object, so a deferred function is "called directly"
exactly when its caller is the defer runner (``_GoFrame._unwind``), and a
function not wrapped by @func cannot register defers.  The stack, unlike a
thread-local, is right for OS threads, greenlets and coroutines alike.

Deferred calls run LIFO.  Exceptions are chained (PEP 3134) the way nested
``try/finally`` blocks would chain them: a deferred call runs while the
pending exception (from the body or from an earlier deferred call) is the
exception being handled, so anything it raises gets that exception as
``__context__`` from Python itself, and tracebacks stay untouched.  To keep
this without one level of recursion per deferred call, the runner only nests
when a deferred call raises: the new exception is then handled by a nested
call of the runner, inside the ``except`` block that caught it.  When the
pending exception is recovered, the runner leaves all of those ``except``
blocks before it runs the remaining deferred calls, so that later exceptions
are not chained to the recovered one.

``recover()`` returns the panic argument (for ``_PanicError``) or the
exception object, marks it recovered, and clears ``sys.exc_info()`` for the
rest of the deferred function.  The clearing needs the C API
(``PyErr_SetExcInfo``, reached through ``ctypes.pythonapi``); where that is
not available (e.g. PyPy) ``sys.exc_info()`` keeps showing the recovered
exception until the deferred function returns, everything else is the same.
The native core may replace ``_sys_exc_clear`` with its own implementation.

Beyond Pygolang 0.0.5 (documented choices):

- ``@func`` also supports ``async def`` functions: deferred calls run when the
  coroutine finishes, and a deferred call that returns an awaitable is awaited.
  (In coroutines the clearing of ``sys.exc_info()`` by recover is best-effort.)
- A deferred function that is itself decorated with @func may call recover()
  directly in its body (Go semantics: it is the deferred function).
- ``@func`` on a ``property`` wraps its getter, setter and deleter.
- ``defer`` called by a deferred function appends to the same @func's list,
  so it runs right after that deferred function (as in Pygolang).
- Generator functions are not supported by @func: defer inside a generator
  body panics "function <name> uses defer, but not @func".
"""

import inspect
import sys

import decorator

__all__ = ['_PanicError', 'panic', 'recover', 'defer', 'func']


# ---- panic ----

class _PanicError(Exception):
    """Exception that carries a Go panic: ``.args == (arg,)``."""


def panic(arg):
    """panic stops normal execution of the current goroutine with arg.

    It raises ``_PanicError(arg)``; a deferred function can stop it with recover().
    """
    raise _PanicError(arg)


# ---- func ----

def func(f):
    """@func makes defer work in the decorated function.

    Usage::

        @func
        def f(...):
            defer(cleanup)
            ...

        @func(MyClass)          # defines MyClass.meth; the name `meth` in the
        def meth(self, ...):    # calling scope is not rebound
            ...

    Plain functions, methods, staticmethod, classmethod, property and
    ``async def`` functions are supported.  The signature, ``__name__``,
    ``__module__``, ``__doc__`` and ``__qualname__`` are kept.
    """
    if isinstance(f, type):
        return _meth(f, sys._getframe(1))
    return _func(f)


def _meth(cls, fcall):
    # fcall: frame where `@func(cls)` is used.
    def deco(f):
        f = _func(f)
        setattr(cls, _funcname(f), f)

        # `@func(cls) def name` must not rebind `name` in the caller: the
        # statement stores what deco returns, so return the existing value.
        # (When `name` did not exist, Python stores None: we cannot avoid that.)
        return fcall.f_locals.get(_funcname(f), None)
    return deco


def _funcname(f):
    if isinstance(f, (staticmethod, classmethod)):
        f = f.__func__
    elif isinstance(f, property):
        f = f.fget if f.fget is not None else (f.fset if f.fset is not None else f.fdel)
    return f.__name__


def _func(f):
    # staticmethod & co: wrap the function inside and repack.
    if isinstance(f, (staticmethod, classmethod)):
        return type(f)(_func(f.__func__))
    if isinstance(f, property):
        w = lambda g: None if g is None else _func(g)
        return type(f)(w(f.fget), w(f.fset), w(f.fdel), f.__doc__)

    caller = _acall if inspect.iscoroutinefunction(f) else _call
    return decorator.decorate(f, caller, **_DECORATE_KW)


# kwsyntax=True (decorator >= 5): pass arguments through unchanged, so that f
# reports its own argument errors and no per-call signature binding is paid.
_DECORATE_KW = {'kwsyntax': True} \
    if 'kwsyntax' in inspect.signature(decorator.decorate).parameters else {}


def _call(f, /, *argv, **kw):
    # runs f under a new go frame where defer registers calls.
    # (f is positional-only: the wrapped function may have a parameter named f.)
    __goframe__ = _GoFrame()
    try:
        ret = f(*argv, **kw)
    except BaseException as exc:
        __goframe__.pending = exc
        if __goframe__._unwind():
            raise
        ret = None  # recovered: the function returns None
    while __goframe__.deferv:
        __goframe__._unwind()   # returns False if a panic in a deferred call was recovered
    return ret


async def _acall(f, /, *argv, **kw):
    # async version of _call.
    __goframe__ = _GoFrame()
    try:
        ret = await f(*argv, **kw)
    except BaseException as exc:
        __goframe__.pending = exc
        if await __goframe__._aunwind():
            raise
        ret = None
    while __goframe__.deferv:
        await __goframe__._aunwind()
    return ret


class _GoFrame(object):
    """Defer state of one call of an @func function."""

    __slots__ = ('deferv', 'pending')

    def __init__(self):
        self.deferv = []        # defer appends here; run LIFO
        self.pending = None     # exception being raised (not yet recovered), or None

    def _unwind(self):
        """Run the deferred calls.

        Called either outside of any exception, or from the ``except`` block
        that handles ``self.pending``.  Returns True when ``self.pending`` is
        still to be raised (the caller re-raises it with a bare ``raise``),
        False when it was recovered (the caller must leave its except block
        and call _unwind again for the remaining deferred calls).  A new
        exception raised by a deferred call propagates out of here.
        """
        deferv = self.deferv
        while deferv:
            d = deferv.pop()
            exc = self.pending
            try:
                d()
            except BaseException as e:
                # e.__context__ was set by Python to the pending exception.
                self.pending = e
                if self._unwind():
                    raise
                return False
            if exc is not None and self.pending is None:
                return False    # recovered by d
        if self.pending is not None:
            self.pending = None     # break the cycle exc -> tb -> frame -> goframe -> exc
            return True
        return False

    async def _aunwind(self):
        """Async version of _unwind: awaitables returned by deferred calls are awaited."""
        deferv = self.deferv
        while deferv:
            d = deferv.pop()
            exc = self.pending
            try:
                r = d()
                if inspect.isawaitable(r):
                    await r
            except BaseException as e:
                self.pending = e
                if await self._aunwind():
                    raise
                return False
            if exc is not None and self.pending is None:
                return False
        if self.pending is not None:
            self.pending = None
            return True
        return False


_CALL_CODES = (_call.__code__, _acall.__code__)
_UNWIND_CODES = (_GoFrame._unwind.__code__, _GoFrame._aunwind.__code__)


# ---- defer / recover ----

def defer(f):
    """defer registers f to be called when the calling @func function returns.

    Deferred calls run in LIFO order, all of them even if some raise.  Without
    @func it panics "function <name> uses defer, but not @func".
    """
    fcall = sys._getframe(1)    # the function that uses defer
    fgo = fcall.f_back          # must be the @func wrapper (or the defer runner)
    if fgo is not None:
        code = fgo.f_code
        if code in _CALL_CODES:
            fgo.f_locals['__goframe__'].deferv.append(f)
            return
        if code in _UNWIND_CODES:
            # defer called by a deferred function: runs right after it.
            fgo.f_locals['self'].deferv.append(f)
            return
    panic("function %s uses defer, but not @func" % fcall.f_code.co_name)


def recover():
    """recover stops the panic (or exception) being raised and returns it.

    It acts only when called directly by a deferred function of an @func.
    For a panic it returns the argument given to panic, for another exception
    the exception object.  It returns None when there is nothing to recover,
    when it is not called directly by a deferred function, or outside @func.
    """
    try:
        fd = sys._getframe(1)       # the deferred function
    except ValueError:              # called directly from C without a Python caller
        return None
    fr = fd.f_back                  # must be the defer runner
    if fr is not None and fr.f_code in _CALL_CODES:
        # the deferred function is itself an @func: skip its wrapper frames
        # (_call and the decorator's trampoline).
        fr = fr.f_back
        fr = fr.f_back if fr is not None else None
    if fr is None or fr.f_code not in _UNWIND_CODES:
        return None

    goframe = fr.f_locals['self']
    exc = goframe.pending
    if exc is None:
        return None
    goframe.pending = None
    _sys_exc_clear()

    if type(exc) is _PanicError:
        args = exc.args
        return args[0] if len(args) == 1 else (args or None)
    return exc


def _make_sys_exc_clear():
    # _sys_exc_clear() clears sys.exc_info() of the running frame stack: the
    # "handled exception" that except blocks restore when they end.
    try:
        import ctypes
        setexcinfo = ctypes.pythonapi.PyErr_SetExcInfo
    except Exception:   # no C API (PyPy, restricted builds)
        return lambda: None
    setexcinfo.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    setexcinfo.restype = None

    def _sys_exc_clear():
        setexcinfo(None, None, None)    # steals NULL references: nothing to release
    return _sys_exc_clear


_sys_exc_clear = _make_sys_exc_clear()
