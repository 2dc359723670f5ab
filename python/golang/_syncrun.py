"""Synchronous goroutines in a deterministic run.

`golang.run(main, seed=N)` with a plain (not `async def`) main, and
`go(plain_fn)` (or `WorkGroup.go`) inside a run, run the function in a
greenlet that an async goroutine of the run's executor drives: the seeded
executor decides every switch, timers run on its virtual clock, and a
deadlock is reported as for async goroutines.

How (see targets/native/src/syncrun.rs for the native half):

1. `_drive(f, args, kw)` is the async goroutine. It switches into the
   function's greenlet, marking the thread (`_sync_active(True)`) while the
   greenlet runs.
2. A blocking call there (`ch.recv()`, `ch.send(x)`, `select(...)`,
   `time.sleep(dt)`) that cannot complete at once is handed to `_block`,
   which switches back to `_drive` with the operation as an awaitable.
3. `_drive` awaits it (the executor parks the goroutine; other goroutines
   run; the virtual clock advances when every goroutine waits) and switches
   into the greenlet again with the result, or throws the exception there
   (a Go panic such as "send on closed channel" included).
4. The function's return value is the goroutine's result (`golang.run`
   returns main's); an exception that escapes it fails the run, as an async
   goroutine's does.

Rules: code that steps outside the run (an OS thread, blocking I/O, a
threading lock held across a channel operation) is not scheduled by the
seed; on the virtual clock `time.sleep` is virtual, `time.now()` too.
"""

import os as _os
import re as _re

from golang import _golang

try:
    import greenlet as _greenlet
except ImportError:         # (Pyodide; or not installed)
    _greenlet = None

_set_active = getattr(_golang, '_sync_active', None)


class _Wait(object):
    """What a synchronous goroutine's greenlet gives its driver: the
    awaitable of the operation it waits on."""
    __slots__ = ('aw',)

    def __init__(self, aw):
        self.aw = aw


class _Done(object):
    """What a worker greenlet gives its driver when its goroutine's function
    has returned `out` or raised `exc`."""
    __slots__ = ('out', 'exc')

    def __init__(self, out, exc):
        self.out = out
        self.exc = exc


if _greenlet is not None:
    class _SyncGoroutine(_greenlet.greenlet):
        """The greenlet of a synchronous goroutine of a run."""

    _GreenletExit = _greenlet.GreenletExit


def _work(job):
    """The body of a worker greenlet: runs one goroutine's function after
    another (starting a greenlet costs more than the rest of a `go`, so
    finished ones are kept in `_idle` for the next), handing each outcome to
    its driver as a `_Done`. A None job, or the greenlet's disposal at the
    end of the run, ends it."""
    while job is not None:
        f, args, kw = job
        job = None
        try:
            done = _Done(f(*args, **kw), None)
        except _GreenletExit:
            raise
        except BaseException as e:
            done = _Done(None, e)
        f = args = kw = None
        job = _greenlet.getcurrent().parent.switch(done)


# Idle worker greenlets of the current run (invariant: each waits in `_work`
# for its next job; `run` drops them at its end, which ends them).
_idle = []
_MAX_IDLE = 64

# The synchronous goroutines of the current run that have not finished, in
# the order they were started (so in the order of their goroutine ids), for
# the deadlock report (a dict: insertion-ordered, O(1) removal).
_started = {}

# Whether the run records (golang/schedule.py sets it): each hand-over of a
# synchronous goroutine then notes where it waits in the run's event trace,
# for its timeline page.
_trace = False

# While golang.schedule.check_determinism runs: a list that gets (goroutine
# id, decisions made, file:line) at each hand-over of a synchronous
# goroutine to its driver, to say where the goroutine of a divergence was.
_where_log = None


def available():
    """Whether synchronous goroutines can run here (greenlet and the native
    core)."""
    return _greenlet is not None and _set_active is not None


def _block(aw):
    """Called by the native core (syncrun.rs) for a blocking operation of a
    synchronous goroutine: waits, in the driver, for `aw`; returns its
    result or raises its exception here."""
    g = _greenlet.getcurrent()
    return g.parent.switch(_Wait(aw))


def sleep(dt):
    """time.sleep in a synchronous goroutine: asleep, awaited by the
    driver (on the run's clock). ``time.sleep(0)`` (or less) lets the other
    runnable goroutines run first: a scheduling point, as it is for threads
    under CPython (it yields the GIL), so that the exploration strategies
    (golang/schedule.py) can switch there."""
    if dt <= 0:
        return _block(_golang._ayield())
    return _block(_golang.asleep(dt))


def active():
    """Whether the caller is a synchronous goroutine of a run."""
    return _greenlet is not None and isinstance(_greenlet.getcurrent(), _SyncGoroutine)


async def _drive(f, args, kw, is_main=False):
    # (only started when available(): run() and go() check it)
    g = _idle.pop() if _idle else _SyncGoroutine(_work)
    g.golang_name = getattr(f, '__qualname__', None) or getattr(f, '__name__', '?')
    g.golang_where = None       # file:line where it last waited (deadlock report)
    g.golang_main = is_main
    _started[g] = None
    step = g.switch
    arg = ((f, args, kw),)
    f = args = kw = None
    while True:
        _set_active(True)
        try:
            out = step(*arg)
        finally:
            _set_active(False)
        if type(out) is _Done:
            if type(out.exc) is GeneratorExit:
                raise out.exc   # the run ends: it stays in `_started` for the report
            del _started[g]
            if len(_idle) < _MAX_IDLE and not g.dead:
                _idle.append(g)
            if out.exc is not None:
                raise out.exc
            out = out.out
            break
        if g.dead:      # (killed from outside)
            del _started[g]
            break
        if type(out) is not _Wait:
            raise RuntimeError("golang: a synchronous goroutine switched away from its "
                               "run without waiting (another greenlet library?)")
        # Where it waits (file:line) is read from its frames, which costs
        # several microseconds a hand-over: only for the trace and the
        # self-check's log, and once at the end of a run that leaves it
        # waiting (the deadlock report), below.
        if _trace or _where_log is not None:
            w = _where(g)
            if _trace and w is not None:
                _golang._trace_where(w)
            if _where_log is not None:
                p = _golang._decision_point()
                if p is not None:
                    _where_log.append((p[0], p[1], w))
        try:
            v = await out.aw
        except BaseException as e:
            if type(e) is GeneratorExit:
                # the run ends with it waiting (a deadlock, a failure
                # elsewhere): where, before the exit unwinds its frames
                g.golang_where = _where(g)
            step, arg = g.throw, (e,)
        else:
            step, arg = g.switch, (v,)
    if hasattr(out, '__await__') and hasattr(out, 'send'):
        out = await out     # a plain function that returned a coroutine
    return out


def drive(f, args, kw, is_main=False):
    """The coroutine of a synchronous goroutine running f(*args, **kw),
    named after f (deadlock reports and traces show that name)."""
    c = _drive(f, args, kw, is_main)
    name = getattr(f, '__qualname__', None) or getattr(f, '__name__', None)
    if isinstance(name, str):
        c.__qualname__ = name
    return c


def run(main, *args, seed=None, clock='virtual', **kw):
    """golang.run: `async def` main as before; a plain main runs as a
    synchronous goroutine of the run. `kw`: the core's schedule options
    (golang/schedule.py)."""
    if _golang._in_executor():      # (refused by the core: "called inside ...")
        return _golang.run(main, *args, seed=seed, clock=clock, **kw)
    _started.clear()
    sync_main = callable(main) and not _is_async(main) and available()
    try:
        if sync_main:
            def _main(*a):
                return drive(main, a, {}, is_main=True)
            return _golang.run(_main, *args, seed=seed, clock=clock, **kw)
        return _golang.run(main, *args, seed=seed, clock=clock, **kw)
    except _golang.DeadlockError as e:
        msg = _with_locations(str(e))
        if msg is None:
            raise
        raise _golang.DeadlockError(msg) from None
    finally:
        _started.clear()
        del _idle[:]    # (their disposal ends them: GreenletExit in `_work`)


_GOLANG_DIR = _os.path.dirname(_os.path.abspath(__file__)) + _os.sep
_HEADER = _re.compile(r'^goroutine \d+ \[[^\]]*\]: (.*)$')


_in_golang = {}      # co_filename -> whether it is a file of the golang package


def _where(g):
    """file:line where the greenlet g waits (it is suspended): its innermost
    frame outside the golang package."""
    f = getattr(g, 'gr_frame', None)
    while f is not None:
        fn = f.f_code.co_filename
        inside = _in_golang.get(fn)
        if inside is None:
            inside = _in_golang[fn] = _os.path.abspath(fn).startswith(_GOLANG_DIR)
        if not inside:
            break
        f = f.f_back
    if f is None:
        return None
    return '%s:%d' % (f.f_code.co_filename, f.f_lineno)


def _with_locations(msg):
    """The deadlock report with, under each synchronous goroutine's line,
    where in the Python code it waits (as Go prints a goroutine's stack)."""
    live = [g for g in _started if g.golang_where is not None]
    if not live:
        return None
    out = []
    for line in msg.split('\n'):
        out.append(line)
        m = _HEADER.match(line)
        if not m:
            continue
        name = m.group(1)
        for i, g in enumerate(live):
            if g.golang_name == name or (name == 'main' and g.golang_main):
                out.append('\t' + g.golang_where)
                del live[i]
                break
    return '\n'.join(out)


def _is_async(f):
    from golang import _iscoroutinefunction
    return _iscoroutinefunction(f)
