# SPDX-License-Identifier: MIT OR Apache-2.0
"""Helpers shared by the conformance tests of golang's core API
(test_chan.py, test_select.py, test_go.py).

The tests synchronise through channels and through the test hooks of
`golang._golang_test` (queue lengths, waitBlocked, panicWhenBlocked); they
never sleep to make an interleaving happen. A watchdog turns a deadlock
(e.g. a goroutine that failed an assertion, so that its peer waits forever)
into a failure with every thread's traceback instead of a hung run.
"""

import contextlib
import faulthandler
import os
import subprocess
import sys
import textwrap
import time

import pytest

from golang import go, chan, _PanicError
from golang._golang_test import (
    pywaitBlocked as waitBlocked,
    pylen_recvq as len_recvq,
    pylen_sendq as len_sendq,
    pypanicWhenBlocked as panicWhenBlocked,
)

__all__ = ['waitBlocked', 'len_recvq', 'len_sendq', 'panicWhenBlocked',
           'panics', 'spawn', 'join', 'wait_until', 'watchdog', 'pyrun',
           'DTYPES', 'DTYPE_IDS', 'WATCHDOG', 'PYODIDE', 'needs_threads']

# Seconds one test may take before the watchdog dumps all tracebacks and
# ends the run (a deadlock in a test must not hang the suite).
WATCHDOG = 120


# Under Pyodide (the WebAssembly core) there are no threads and no
# subprocesses: the tests that need them are marked with this.
PYODIDE = sys.platform == 'emscripten'
needs_threads = pytest.mark.skipif(PYODIDE, reason="needs OS threads (not under Pyodide)")


_real_stderr = None


def _uncaptured_stderr(config):
    """A file on the process's real stderr. pytest's fd capture points fd 2
    (sys.__stderr__ too) at a temporary file while a test runs, which is
    lost when the watchdog ends the process; pytest keeps the original fd
    (a private attribute: fall back to sys.__stderr__ without it)."""
    global _real_stderr
    if _real_stderr is None:
        capman = config.pluginmanager.getplugin('capturemanager')
        fd = getattr(getattr(getattr(capman, '_global_capturing', None), 'err', None), 'targetfd_save', None)
        _real_stderr = os.fdopen(os.dup(fd), 'w') if isinstance(fd, int) else sys.__stderr__
    return _real_stderr


@pytest.fixture(autouse=True)
def watchdog(request):
    if PYODIDE:     # (no watchdog thread; a run that cannot finish is a DeadlockError there)
        yield
        return
    err = _uncaptured_stderr(request.config)
    faulthandler.dump_traceback_later(WATCHDOG, exit=True, file=err)
    yield
    faulthandler.cancel_dump_traceback_later()


# Every dtype of chan(dtype=...): (dtype, a non-zero value, the zero value).
DTYPES = [
    (object,      'abc', None),
    ('C.structZ', None,  None),
    ('C.bool',    True,  False),
    ('C.int',     4,     0),
    ('C.double',  3.14,  0.0),
]
DTYPE_IDS = ['object', 'C.structZ', 'C.bool', 'C.int', 'C.double']


@contextlib.contextmanager
def panics(arg):
    """Checks that the block panics with exactly `arg` (_PanicError(arg))."""
    with pytest.raises(_PanicError) as exc:
        yield exc
    assert exc.value.args == (arg,)


def spawn(f, *argv, **kw):
    """Runs f(*argv, **kw) in a goroutine; returns a chan that delivers None
    when f returns, or the exception f raised (see join)."""
    done = chan(1)

    def run():
        try:
            f(*argv, **kw)
        except BaseException as e:
            done.send(e)
        else:
            done.send(None)
    go(run)
    return done


def join(*dones):
    """Waits for goroutines started by spawn; re-raises the first failure."""
    errs = [d.recv() for d in dones]
    for e in errs:
        if e is not None:
            raise e


def wait_until(cond, what, timeout=10.0):
    """Waits (yielding the GIL) until cond() holds, e.g. until n goroutines
    are queued on a channel. This waits for a state, it does not sleep to let
    something happen."""
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting until %s" % what)
        time.sleep(0)


def pyrun(code, timeout=60, **kw):
    """Runs `python -c code` (code is dedented) in a subprocess with this
    interpreter; returns the CompletedProcess with text stdout/stderr."""
    return subprocess.run([getattr(sys, '_gpy_underlying_executable', sys.executable), '-c', textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout,
                          env=_subprocess_env(), **kw)


def _subprocess_env():
    env = os.environ.copy()
    env.pop('PYTHONWARNINGS', None)
    env['PYTHONUNBUFFERED'] = '1'
    return env
