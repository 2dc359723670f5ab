"""Package golang provides Go-like features for Python: a drop-in
replacement for Pygolang's `golang` package, on a runtime written in Rust.

- `go` spawns a goroutine.
- `chan` and `select` provide channels with Go semantics.
- `func` allows `defer` to be used in functions; `panic` and `recover` work
  as in Go.
- `gimport` imports Python modules by full path in a Go workspace.
- `error` is the error type of Go-style errors (`golang.errors`, `golang.fmt`);
  `b` and `u` convert between str and UTF-8 bytes without losing data.

Goroutines made from plain functions are OS threads (or gevent greenlets
under gpython); goroutines made from `async def` functions run on the Rust
executor, where `await ch.arecv()` and friends park them without a thread.
"""

__version__ = "0.1"

__all__ = ['go', 'chan', 'select', 'default', 'nilchan', 'defer', 'panic',
           'recover', 'func', 'error', 'b', 'u', 'gimport']

import sys as _sys

from golang._pyfunc import _PanicError, panic, recover, defer, func
from golang._gopath import gimport
from golang._pystr import pyb as b, pyu as u
from golang._pyerror import pyerror as error

# One package, two cores: the native extension, or under Pyodide the shim
# over the WebAssembly module (which the JavaScript loader registers).
if _sys.platform == 'emscripten':
    from golang import _golang_wasm as _golang
    _sys.modules['golang._golang'] = _golang
    from golang._golang_wasm import arun
from golang._golang import chan, select, default, nilchan
from golang._golang import aselect, run, DeadlockError
from golang import _golang
_syncrun_ok = False
if _sys.platform != 'emscripten':
    from golang._syncrun import run     # plain main: synchronous goroutines (_syncrun.py)
    from golang import _syncrun
    _syncrun_ok = _syncrun.available()  # (greenlet is installed)
    from golang.schedule import run     # + record/replay/strategy (schedule.py)
    # `python -m golang.schedule timeline ...` (its command line) runs a
    # module that the line above imported already: runpy's warning about
    # that is expected there and only there. (Appended, last: the filters
    # of -W and $PYTHONWARNINGS stay first, as programs that print them
    # expect, Pygolang's gpython_test among them.)
    import warnings as _warnings
    _warnings.filterwarnings('ignore', category=RuntimeWarning,
                             message="'golang.schedule' found in sys.modules after import of package 'golang'",
                             append=True)
# go()'s fast path inside golang.run (a synchronous goroutine); None without
# greenlet or the native core
_go_sync_fast = getattr(_golang, '_go_sync_fast', None) if _syncrun_ok else None

# Pygolang 0.1's names of the pure-Python parts in the core module (both cores).
from golang import _pystr
_golang.pyerror = error
_golang.pyb = b
_golang.pyu = u
_golang.pyqq = _pystr.pyqq
_golang._pyunicode = _pystr._pyunicode

import _thread as _pythread
from inspect import iscoroutinefunction as _inspect_iscoroutinefunction, CO_COROUTINE as _CO_COROUTINE
from types import FunctionType as _FunctionType, BuiltinFunctionType as _BuiltinFunctionType


def _iscoroutinefunction(f):
    # inspect.iscoroutinefunction unwraps partials and methods first, which
    # costs more than spawning a goroutine: plain functions, by far the most
    # common, are told by their code flags (those marked with
    # inspect.markcoroutinefunction go the long way).
    t = type(f)
    if t is _FunctionType and not hasattr(f, '_is_coroutine_marker'):
        return bool(f.__code__.co_flags & _CO_COROUTINE)
    if t is _BuiltinFunctionType:   # builtin functions and methods (ch.close)
        return False
    return _inspect_iscoroutinefunction(f)

# Under gevent (gpython) goroutines are greenlets and blocking operations
# switch to the gevent hub: detected once, at import, as Pygolang does.
_gevent = 'gevent' in getattr(_pythread.start_new_thread, '__module__', '')
if _gevent:
    from golang import _runtime_gevent as _gevent_runtime
    _gevent_runtime._setup()


def go(f, *argv, **kw):
    """go spawns a goroutine that runs f(*argv, **kw).

    For an `async def` f the goroutine is a coroutine on the Rust executor
    (the current one inside `golang.run`, else the background one), which
    awaits `ch.arecv()`, `ch.asend(x)`, `aselect(...)`, `time.asleep(dt)`.
    Otherwise it is an OS thread from a pool (a greenlet under gevent);
    inside `golang.run` it is a synchronous goroutine of the run (a greenlet
    that the run's executor schedules; golang/_syncrun.py), when the
    greenlet package is installed.
    The program does not wait for goroutines when it exits. An exception that
    escapes f is printed, as for any thread.
    """
    if _go_sync_fast is not None and _go_sync_fast(f, argv, kw):
        return      # inside golang.run, a plain function: a synchronous goroutine (fast path)
    if not callable(f):     # (now, not later in the goroutine)
        raise TypeError("go: f must be callable, not %s" % type(f).__name__)
    if _iscoroutinefunction(f):
        _golang.go_async(f(*argv, **kw))
    elif _syncrun_ok and _golang._in_executor():
        # inside golang.run: a synchronous goroutine of the run (without
        # greenlet: an OS thread, as outside)
        _golang._go_sync(f, argv, kw)
    elif _gevent:
        _gevent_runtime.go(f, argv, kw)
    else:
        _golang.go_thread(f, argv, kw or None)
