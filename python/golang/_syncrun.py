"""Synchronous goroutines in a deterministic run.

`golang.run(main, seed=N)` with a plain (not `async def`) main, and
`go(plain_fn)` (or `WorkGroup.go`) inside a run, run the function in a
greenlet that a goroutine of the run's executor drives: the seeded
executor decides every switch, timers run on its virtual clock, and a
deadlock is reported as for async goroutines.

The driver is native (targets/native/src/syncrun.rs, a Rust future per
goroutine that switches into its greenlet through greenlet's C API):

1. `_golang._go_sync(f, args, kw)` (from `go`) and `_golang._sync_main`
   (a plain main, from `run`) make the goroutine; its first step takes an
   idle greenlet (finished goroutines' greenlets are reused) or makes one
   (`_new_greenlet`), and switches into it to run the function.
2. A blocking call there (`ch.recv()`, `ch.send(x)`, `select(...)`,
   `time.sleep(dt)`) that cannot complete at once hands the operation's
   Rust future to the driver and switches to it; the driver polls it on the
   executor (the goroutine waits; other goroutines run; the virtual clock
   advances when every goroutine waits) and switches back with the result,
   or the exception (a Go panic such as "send on closed channel"), which
   the call returns or raises.
3. The function's return value is the goroutine's result (`golang.run`
   returns main's); an exception that escapes it fails the run, as an async
   goroutine's does. A goroutine still waiting when the run ends gets
   GeneratorExit where it waits; where that was (`_where`) goes into the
   deadlock report.

This module keeps the Python half: `run`, the greenlet class, where a
goroutine waits (file:line), for the trace (`_handover`) and the deadlock
report.

Rules: code that steps outside the run (an OS thread, blocking I/O, a
threading lock made before the run held across a channel operation) is
not scheduled by the seed; on the virtual clock `time.sleep` is virtual,
`time.now()` too. The threading locks that the run's goroutines make
cooperate (_synclocks.py: `run` patches threading's factories for the
run's duration).
"""

import os as _os
import re as _re

from golang import _golang

try:
    import greenlet as _greenlet
except ImportError:         # (Pyodide; or not installed)
    _greenlet = None

_go_sync = getattr(_golang, '_go_sync', None)       # (not in the WebAssembly core)


if _greenlet is not None:
    class _SyncGoroutine(_greenlet.greenlet):
        """The greenlet of a synchronous goroutine of a run."""


def _new_greenlet():
    """A greenlet for synchronous goroutines (the native driver calls it
    when it has no idle one): it runs one goroutine's function after
    another (`_golang._sync_work`)."""
    return _SyncGoroutine(_golang._sync_work)


# Whether the run records (golang/schedule.py sets it): each hand-over of a
# synchronous goroutine then notes where it waits in the run's event trace,
# for its timeline page.
_trace = False

# While golang.schedule.check_determinism runs: a list that gets (goroutine
# id, decisions made, file:line) at each hand-over of a synchronous
# goroutine to its driver, to say where the goroutine of a divergence was.
_where_log = None


# ---- threads outside a run (the virtual-clock executor asks before it
# reports a deadlock; targets/native/src/run.rs) ----

def _outside_begin():
    """The idents of the threads alive as a virtual-clock run starts."""
    import threading
    return frozenset(t.ident for t in threading.enumerate())


def _outside_wait(before):
    """Whether a non-daemon thread started during the run is still alive:
    it may still wake a goroutine (a send on a channel that one waits on),
    so the run is not deadlocked yet; then waits a millisecond of real time
    (the GIL released) before the executor looks again. Daemon threads do
    not count (nor does the interpreter wait for them at exit)."""
    import threading, time
    for t in threading.enumerate():
        if t.ident not in before and not t.daemon and t.is_alive():
            time.sleep(0.001)
            return True
    return False


def available():
    """Whether synchronous goroutines can run here (greenlet and the native
    core)."""
    return _greenlet is not None and _go_sync is not None


def sleep(dt):
    """time.sleep in a synchronous goroutine: asleep, awaited by the
    driver (on the run's clock). ``time.sleep(0)`` (or less) lets the other
    runnable goroutines run first: a scheduling point, as it is for threads
    under CPython (it yields the GIL), so that the exploration strategies
    (golang/schedule.py) can switch there."""
    if dt <= 0:
        return _golang._sync_block(_golang._ayield())
    return _golang._sync_block(_golang.asleep(dt))


def active():
    """Whether the caller is a synchronous goroutine of a run."""
    return _greenlet is not None and isinstance(_greenlet.getcurrent(), _SyncGoroutine)


def _handover(g):
    """Called by the native driver at each hand-over of a synchronous
    goroutine while the run records or the self-check logs: where it waits
    (file:line, read from its frames, which costs several microseconds a
    hand-over: only then), in the trace and the log."""
    w = _where_at(g)[0]
    if _trace and w is not None:
        _golang._trace_where(w)
    if _where_log is not None:
        p = _golang._decision_point()
        if p is not None:
            _where_log.append((p[0], p[1], w))


def run(main, *args, seed=None, clock='virtual', **kw):
    """golang.run: `async def` main as before; a plain main runs as a
    synchronous goroutine of the run. `kw`: the core's schedule options
    (golang/schedule.py)."""
    if _golang._in_executor():      # (refused by the core: "called inside ...")
        return _golang.run(main, *args, seed=seed, clock=clock, **kw)
    sync_main = callable(main) and not _is_async(main) and available()
    locks = None
    if available():
        from golang import _synclocks as locks     # threading's locks cooperate (_synclocks.py)
        locks.begin_run(clock)
    _golang._sync_begin_run(_handover if (_trace or _where_log is not None) else None)
    try:
        if sync_main:
            def _main(*a):
                return _golang._sync_main(main, a)
            return _golang.run(_main, *args, seed=seed, clock=clock, **kw)
        return _golang.run(main, *args, seed=seed, clock=clock, **kw)
    except _golang.DeadlockError as e:
        msg = _with_locations(str(e), _golang._sync_end_run())
        if msg is None:
            raise
        raise _golang.DeadlockError(msg) from None
    finally:
        _golang._sync_end_run()     # (idle greenlets dropped: that ends them)
        if locks is not None:
            locks.end_run()


_GOLANG_DIR = _os.path.dirname(_os.path.abspath(__file__)) + _os.sep
_HEADER = _re.compile(r'^goroutine (\d+) \[[^\]]*\]: ')


_in_golang = {}      # co_filename -> whether it is a file of the golang package,
                     # or of the stdlib's threading or queue (whose waits park
                     # in _synclocks.py: the report names their caller)


def _skipped_stdlib():
    import threading, queue
    for m in (threading, queue):
        _in_golang[m.__file__] = True
    _in_golang[threading.Condition.wait.__code__.co_filename] = True


def _where_at(g):
    """(file:line, what) where the greenlet g waits (it is suspended): its
    innermost frame outside the golang package (and threading's and
    queue's files); `what` names the threading primitive when it waits in
    one (_synclocks.py), else None."""
    f = getattr(g, 'gr_frame', None)
    if not _in_golang:
        _skipped_stdlib()
    edge = None         # the outermost frame skipped
    coop = False        # whether one of them is in _synclocks.py
    while f is not None:
        fn = f.f_code.co_filename
        inside = _in_golang.get(fn)
        if inside is None:
            inside = _in_golang[fn] = _os.path.abspath(fn).startswith(_GOLANG_DIR)
        if not inside:
            break
        if fn == _SYNCLOCKS_FILE:
            coop = True
        edge = f
        f = f.f_back
    if f is None:
        return None, None
    return '%s:%d' % (f.f_code.co_filename, f.f_lineno), (_what(edge) if coop else None)


_SYNCLOCKS_FILE = _os.path.join(_os.path.dirname(_os.path.abspath(__file__)), '_synclocks.py')


def _what(edge):
    # The primitive that the frame `edge` (the caller's callee) belongs to,
    # as the deadlock report names it: threading.Lock.acquire, queue.Queue.get...
    code = edge.f_code
    if code.co_filename == _SYNCLOCKS_FILE:
        from golang import _synclocks
        return 'threading.RLock.acquire' if code is _synclocks._CoopRLock.acquire.__code__ \
            else 'threading.Lock.acquire'
    mod = _os.path.splitext(_os.path.basename(code.co_filename))[0]
    name = getattr(code, 'co_qualname', None)       # (Python 3.11+)
    if name is None:
        self = edge.f_locals.get('self')
        name = code.co_name if self is None else '%s.%s' % (type(self).__name__, code.co_name)
    return '%s.%s' % (mod, name)


def _where(g):
    """Where the greenlet g waits, for the deadlock report (the native
    driver notes it when the run ends with g waiting): file:line, and after
    a tab what it waits in when that is a threading primitive."""
    w, what = _where_at(g)
    if w is None or what is None:
        return w
    return w + '\t' + what


def _with_locations(msg, left):
    """The deadlock report with, under each synchronous goroutine's line,
    where in the Python code it waits (as Go prints a goroutine's stack);
    `left`: {goroutine id: _where's text} of those left waiting. A
    goroutine waiting in a threading primitive has that named as its
    state (as Go names sync.Mutex.Lock), not the chan that parks it."""
    if not left:
        return None
    out = []
    for line in msg.split('\n'):
        m = _HEADER.match(line)
        w = left.get(int(m.group(1))) if m is not None else None
        if w is not None and '\t' in w:
            w, what = w.split('\t', 1)
            line = 'goroutine %s [%s]: %s' % (m.group(1), what, line[m.end():])
        out.append(line)
        if w is not None:
            out.append('\t' + w)
    return '\n'.join(out)


def _is_async(f):
    from golang import _iscoroutinefunction
    return _iscoroutinefunction(f)
