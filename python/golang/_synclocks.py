"""The stdlib's threading primitives, cooperative inside a synchronous run.

While a synchronous run (`golang.run(main, seed=N)` with a plain main,
_syncrun.py) is in progress, `threading.Lock`, `threading.RLock` and
`threading._allocate_lock` are this module's factories: called by a
synchronous goroutine of a run they make a `_CoopLock` / `_CoopRLock`,
called by anything else (an OS thread, code outside runs) the real lock.
What the stdlib builds on them follows: `threading.Condition` (its default
lock is `RLock()`; `wait` parks on a fresh `_allocate_lock()` waiter, even
for a Condition made before the run), `Semaphore`, `BoundedSemaphore`,
`Event`, `Barrier` (each `Condition(Lock())`), `queue.Queue`
(`threading.Lock()` and `threading.Condition(mutex)`). Under gevent
(gpython), which replaced `threading.Event` and `queue.Queue` with its own
hub-bound ones, the run also puts CPython's classes back under those names
for its duration, so that they build on the factories too.

A cooperative lock is a real lock (`_lk`) plus a list of parked goroutines:
used from an OS thread it is that real lock; a goroutine of the run that
must wait for it parks on the run's executor (a chan receive; with a
timeout, a select with a Timer on the run's clock), so that the other
goroutines run, the virtual clock advances, and a wait that can never end
is the run's DeadlockError.

Invariants:

1. Patched names: while `_runs > 0` (runs in progress, in any thread) the
   names of `_ours` hold this module's values; `_saved` holds what they
   replaced, and the last run to end puts those back, only where a name
   still holds ours (someone who patched it meanwhile keeps theirs).
   `_patch_mu` guards `_runs`, `_saved` and the patching.
2. The factories make a cooperative lock only for a synchronous goroutine
   (the caller's greenlet is a `_syncrun._SyncGoroutine`); any other caller
   gets the lock of the saved real factory. So only the run's thread gets
   cooperative locks, and outside runs every lock is real.
3. A `_CoopLock` is held iff its real lock `_lk` is held: every acquire
   takes `_lk` (first by a non-blocking try), every release releases it.
   So an OS thread that blocks in `_lk.acquire` waits for a real lock.
4. `_waiters` holds the wake chans of the goroutines parked in `acquire`,
   in arrival order; `release` pops the first and sends it one wake. A
   popped goroutine tries `_lk` once more before it parks again or gives
   up (on a timeout, or GeneratorExit at the end of the run), so a lock
   released while goroutines wait always has a try coming.
   A goroutine that registers tries `_lk` once more after registering: a
   release by an OS thread between its first try and its registration
   would otherwise wake nobody.
5. `_held_by` is the class of the greenlet that acquired the lock last
   (set on every acquire, in the same step as taking `_lk`: a goroutine
   cannot be switched out between the two; a class, not the greenlet: a
   lock must not keep a goroutine's greenlet alive past its run, whose
   later collection, in another thread or run, would switch into it). A goroutine that must wait parks on the
   run when the holder is a goroutine of a run (only the run can release
   it) or under gevent; when the holder is an OS thread, it waits for it
   in `_lk` by slices of `_SLICE` real seconds, letting the run's other
   goroutines go between slices (that thread needs no goroutine to
   release it; parking would let a virtual-clock run report a deadlock
   while the thread works). A stale `_held_by` read from an OS thread's
   race can only make the goroutine park, which a release wakes (4).
6. A `_CoopRLock` is owned by a greenlet, not a thread: the goroutines of
   a run share one OS thread and must exclude one another; `_owner` is
   the owner's id (not the greenlet, as in 5; an id, as CPython's RLock
   keeps a thread's); `_count` is
   its recursion level, `_block` the `_CoopLock` it holds meanwhile.
7. A goroutine that its run ended (GeneratorExit where it waited, the
   greenlet then in `_ended`) never hands over again: its run is gone, and
   a hand-over (from its `finally` blocks, maybe run later when the
   greenlet is collected, inside another run) would reach the driver of
   whatever run is current. A lock it must then wait for: held by an OS
   thread, it waits in `_lk` (that thread needs no run, invariant 5);
   held by a goroutine, it gets GeneratorExit again.
8. A lock made before the run is real (the factories cannot reach it):
   a goroutine that waits on one held by another goroutine blocks the OS
   thread for good (under gevent: it waits in gevent's hub for good). The
   watchdog (one real OS thread, started by the first run, waiting on
   `_watch_gate` while no run is in progress) looks at each run's thread
   every `_WATCH_PERIOD` and says so on stderr, once per wait, when that
   thread has stayed `_WATCH_AFTER` on one `with x:` or `x.acquire()`
   (under gevent: in the hub, while its run is on the virtual clock).
   `_watched` holds the clocks of the runs per OS thread, under
   `_patch_mu`; the gate
   is held exactly while `_watched` is empty. It only reads frames: the
   run's schedule is untouched.
"""

import os as _os
import sys as _sys
import weakref as _weakref
import threading as _threading
import queue as _queue
from time import monotonic as _monotonic

from golang import _golang, _syncrun

try:
    import greenlet as _greenlet
    from greenlet import getcurrent as _getcurrent
except ImportError:             # (Pyodide: no synchronous runs)
    _greenlet = _getcurrent = None

_SLICE = 0.001                  # invariant 5: a wait for an OS thread, real seconds

# invariant 7: greenlets of goroutines that their run ended (GeneratorExit)
_ended = _weakref.WeakSet()
_RUN_ENDED = (GeneratorExit,) + ((_greenlet.GreenletExit,) if _greenlet is not None else ())

_patch_mu = _threading._allocate_lock()     # (made at import: a real lock)
_runs = 0
_saved = {}     # (module, name) -> the value that ours replaced (invariant 1)
_ours = {}      # (module, name) -> our value

# The real factories (invariant 2): those found at the first patching.
_real_lock = None
_real_rlock = None
_thread_start = None        # threading.Thread.start's code: its wait needs no park


def _gevent():
    from golang import _gevent
    return _gevent


class _CoopLock(object):
    """threading.Lock made by a synchronous goroutine (see the module)."""
    __slots__ = ('_lk', '_held_by', '_waiters', '__weakref__')

    def __init__(self):
        self._lk = _real_lock()
        self._held_by = None
        self._waiters = []

    def acquire(self, blocking=True, timeout=-1):
        # fast path: a free lock (invariants 3, 5)
        if self._lk.acquire(False):
            self._held_by = _getcurrent().__class__
            return True
        return self._acquire_slow(blocking, timeout)

    def _acquire_slow(self, blocking, timeout):
        if not blocking:
            if timeout != -1:
                self._lk.acquire(False, timeout)    # (raises the real ValueError)
            return False
        if timeout != -1 and timeout < 0:
            self._lk.acquire(True, timeout)         # (raises the real ValueError)
        me = _getcurrent()
        if not isinstance(me, _syncrun._SyncGoroutine):
            if _golang._in_executor() and not _gevent():
                raise RuntimeError("threading lock: a blocking acquire in an async goroutine "
                                   "would block its executor")
            ok = self._lk.acquire(True, timeout)    # an OS thread: the real lock
            if ok:
                self._held_by = me.__class__
            return ok
        if not _gevent() and _waits_for_thread_start():
            ok = self._lk.acquire(True, timeout)    # Thread.start: the new thread sets it
            if ok:
                self._held_by = me.__class__
            return ok
        return self._park(me, timeout)

    def _park(self, me, timeout):
        # A synchronous goroutine waits (invariants 4, 5, 7).
        if me in _ended:
            return self._ended_wait(me)
        try:
            return self._park_run(me, timeout)
        except _RUN_ENDED:
            _ended.add(me)
            raise

    def _ended_wait(self, me):
        # invariant 7: no hand-over; an OS thread releases without the run
        if not _gevent() and self._held_by is not _syncrun._SyncGoroutine:
            self._lk.acquire()
            self._held_by = me.__class__
            return True
        if self._try(me):
            return True
        raise GeneratorExit()

    def _park_run(self, me, timeout):
        clock_end = None if timeout == -1 else _golang.now() + timeout
        real_end = None if timeout == -1 else _monotonic() + timeout
        gevent = _gevent()
        while True:
            if not gevent and self._held_by is not _syncrun._SyncGoroutine:
                # held by an OS thread (invariant 5): wait for it in _lk
                left = _SLICE if real_end is None else min(_SLICE, real_end - _monotonic())
                if left > 0 and self._lk.acquire(True, left):
                    self._held_by = me.__class__
                    return True
                if real_end is not None and _monotonic() >= real_end:
                    return self._try(me)
                _syncrun.sleep(0)
                if self._lk.acquire(False):
                    self._held_by = me.__class__
                    return True
                continue
            w = _golang.chan(1, 'C.structZ')
            self._waiters.append(w)
            if self._lk.acquire(False):             # invariant 4: the release that came meanwhile
                self._held_by = me.__class__
                self._unregister(w)
                return True
            woken = False
            try:
                woken = _wait(w, clock_end)
            finally:
                if not woken:
                    self._unregister(w)
            if self._lk.acquire(False):             # invariant 4: the popped waiter's try
                self._held_by = me.__class__
                return True
            if not woken:
                return False                         # (timed out, and still held)

    def _try(self, me):
        if self._lk.acquire(False):
            self._held_by = me.__class__
            return True
        return False

    def _unregister(self, w):
        # w leaves the waiters; if a release popped it meanwhile, the wake
        # it sent is passed on (invariant 4).
        try:
            self._waiters.remove(w)
        except ValueError:
            if len(w) and self._waiters and not self._lk.locked():
                self._wake()

    def _wake(self):
        try:
            w = self._waiters.pop(0)
        except IndexError:          # (emptied meanwhile by an OS thread)
            return
        _golang.select((w.send, None), _golang.default)

    def release(self):
        self._lk.release()          # (raises the real RuntimeError when unlocked)
        if self._waiters:           # fast path: nobody parked
            self._wake()

    __enter__ = acquire

    def __exit__(self, *exc):
        self._lk.release()          # (release, inlined: the usual way out)
        if self._waiters:
            self._wake()

    acquire_lock = acquire
    release_lock = release

    def locked(self):
        return self._lk.locked()

    locked_lock = locked

    def _at_fork_reinit(self):
        self._lk = _real_lock()
        self._held_by = None
        self._waiters = []

    def __repr__(self):
        return "<%s %s.%s object at %s>" % (
            "locked" if self._lk.locked() else "unlocked",
            type(self).__module__, type(self).__qualname__, hex(id(self)))


def _wait(w, clock_end):
    """Parks the calling goroutine until w gets a wake (True) or the run's
    clock reaches clock_end (False; None: no end)."""
    if clock_end is None:
        w.recv()
        return True
    left = clock_end - _golang.now()
    if left <= 0:
        return False
    t = _golang.Timer(left)
    try:
        return _golang.select(w.recv, t.c.recv)[0] == 0
    finally:
        t.stop()


def _waits_for_thread_start():
    # Whether this acquire is Thread.start's wait for its new thread
    # (acquire <- Condition.wait <- Event.wait <- Thread.start): the new
    # thread sets that Event without needing the run, so the goroutine
    # waits for it in the real lock, as before (a park would let a run on
    # the virtual clock report a deadlock meanwhile).
    try:
        f = _sys._getframe(3)
    except ValueError:
        return False
    for _ in range(4):
        if f is None:
            return False
        if f.f_code is _thread_start:
            return True
        f = f.f_back
    return False


class _CoopRLock(object):
    """threading.RLock made by a synchronous goroutine (invariant 6)."""
    __slots__ = ('_block', '_owner', '_count', '__weakref__')

    def __init__(self):
        self._block = _CoopLock()
        self._owner = None
        self._count = 0

    def acquire(self, blocking=True, timeout=-1):
        me = id(_getcurrent())
        if self._owner == me:
            self._count += 1
            return True
        ok = self._block.acquire(blocking, timeout)
        if ok:
            self._owner = me
            self._count = 1
        return ok

    __enter__ = acquire

    def release(self):
        if self._owner != id(_getcurrent()):
            raise RuntimeError("cannot release un-acquired lock")
        self._count = n = self._count - 1
        if not n:
            self._owner = None
            self._block.release()

    def __exit__(self, *exc):
        self.release()

    # (Condition's protocol)
    def _is_owned(self):
        return self._owner == id(_getcurrent())

    def _release_save(self):
        if self._owner != id(_getcurrent()):
            raise RuntimeError("cannot release un-acquired lock")
        state = (self._count, self._owner)
        self._count = 0
        self._owner = None
        self._block.release()
        return state

    def _acquire_restore(self, state):
        self._block.acquire()
        self._count, self._owner = state

    def _recursion_count(self):
        return self._count if self._owner == id(_getcurrent()) else 0

    def locked(self):
        return self._block.locked()

    def _at_fork_reinit(self):
        self._block._at_fork_reinit()
        self._owner = None
        self._count = 0

    def __repr__(self):
        return "<%s %s.%s object owner=%r count=%d at %s>" % (
            "locked" if self._block.locked() else "unlocked",
            type(self).__module__, type(self).__qualname__,
            self._owner, self._count, hex(id(self)))


# The factories (invariant 2).

def Lock():
    """threading.Lock while a run is in progress (see the module)."""
    if isinstance(_getcurrent(), _syncrun._SyncGoroutine):
        return _CoopLock()
    return _real_lock()


def RLock(*args, **kw):
    """threading.RLock while a run is in progress (see the module)."""
    if isinstance(_getcurrent(), _syncrun._SyncGoroutine):
        return _CoopRLock()
    return _real_rlock(*args, **kw)


def _patches():
    """{(module, name): our value} for this process."""
    p = {(_threading, 'Lock'): Lock,
         (_threading, '_allocate_lock'): Lock,
         (_threading, 'RLock'): RLock}
    if _gevent():
        # gevent's Event and Queue wait in its hub, which a goroutine of a
        # run cannot switch to: CPython's classes, built on the factories.
        from gevent import monkey
        ev = monkey.get_original('threading', 'Event')
        if isinstance(ev, type):
            p[(_threading, 'Event')] = ev
        for name in ('Queue', 'LifoQueue', 'PriorityQueue'):
            q = monkey.saved.get('queue', {}).get(name)
            if isinstance(q, type):
                p[(_queue, name)] = q
    return p


def begin_run(clock='virtual'):
    """A synchronous run starts in this thread: patch (invariant 1)."""
    global _runs, _real_lock, _real_rlock, _thread_start
    with _patch_mu:
        if _runs == 0:
            _real_lock = _threading._allocate_lock
            _real_rlock = _threading.RLock
            _thread_start = getattr(_threading.Thread.start, '__code__', None)
            ours = _patches()
            for (mod, name), v in ours.items():
                _saved[(mod, name)] = getattr(mod, name)
                setattr(mod, name, v)
            _ours.clear()
            _ours.update(ours)
        _runs += 1
        _watch_begin(clock)


def end_run():
    """A synchronous run ended in this thread: the last one unpatches
    (invariant 1)."""
    global _runs
    with _patch_mu:
        _watch_end()
        _runs -= 1
        if _runs == 0:
            for (mod, name), v in _ours.items():
                if getattr(mod, name) is v:
                    setattr(mod, name, _saved[(mod, name)])
            _ours.clear()
            _saved.clear()


# The watchdog (invariant 8): a lock made before the run is real.

_WATCH_PERIOD = 0.25        # real seconds between two looks
_WATCH_AFTER = 2.0          # real seconds in one lock acquire before it speaks
_watched = {}               # OS thread ident -> clocks of its runs in progress (under _patch_mu)
_watch_gate = None          # a real lock: held while _watched is empty (the watchdog waits on it)
_watch_started = False
_ACQUIRE_OPS = ('SETUP_WITH', 'BEFORE_WITH')
_ATTR_OPS = ('LOAD_METHOD', 'LOAD_ATTR')
_THREADING_FILE = _threading.Condition.wait.__code__.co_filename


def _real(module, name):
    # The OS-level function (under gevent, the one gevent replaced).
    if _gevent():
        from gevent import monkey
        return monkey.get_original(module, name)
    return getattr(__import__(module), name)


def _watch_begin(clock):
    global _watch_gate, _watch_started
    tid = _real('_thread', 'get_ident')()
    _watched.setdefault(tid, []).append(clock)
    if not _watch_started:
        _watch_gate = _real('_thread', 'allocate_lock')()
        _watch_gate.acquire()
        _watch_started = True
        _real('_thread', 'start_new_thread')(_watchdog, ())
    if len(_watched) == 1 and len(_watched[tid]) == 1:
        _watch_gate.release()               # (first run in progress: wake it)


def _watch_after_fork():
    # The child has no watchdog thread (nor a holder of _patch_mu): the
    # next run starts one.
    global _watch_started, _patch_mu
    _watch_started = False
    _patch_mu = (_real_lock or _threading._allocate_lock)()


if hasattr(_os, 'register_at_fork'):
    _os.register_at_fork(after_in_child=_watch_after_fork)


def _watch_end():
    tid = _real('_thread', 'get_ident')()
    clocks = _watched.get(tid)
    if clocks:
        clocks.pop()
    if not clocks:
        _watched.pop(tid, None)
    if not _watched:
        _watch_gate.acquire()               # (no run in progress: it waits again)


def _watchdog():
    sleep = _real('time', 'sleep')
    gate = _watch_gate
    seen = {}       # thread ident -> ((id, code, f_lasti) of its frame, since, reported)
    while True:
        gate.acquire()                      # (waits while no run is in progress)
        gate.release()
        sleep(_WATCH_PERIOD)
        try:
            _watch_look(seen)
        except Exception:           # (never dies: at worst it says nothing)
            pass


def _watch_look(seen):
    with _patch_mu:
        tids = {tid: clocks[-1] for tid, clocks in _watched.items()}
    frames = _sys._current_frames()
    now = _monotonic()
    for tid in list(seen):
        if tid not in tids:
            del seen[tid]
    gevent = _gevent()
    for tid in tids:
        f = frames.get(tid)
        if f is None:
            continue
        key = (id(f), f.f_code, f.f_lasti)     # (not the frame: no reference kept)
        last = seen.get(tid)
        if last is None or last[0] != key:
            seen[tid] = (key, now, False)
            continue
        if last[2] or now - last[1] < _WATCH_AFTER:
            continue
        if gevent:
            msg = _in_hub(f, now - last[1]) if tids[tid] == 'virtual' else None
        elif _in_acquire(f):
            msg = ("golang.run: the run's thread has waited %.1f s in a lock acquire at %s:%d (%s), "
                   "which the run does not schedule: a threading lock made before the run (at module "
                   "level, in a library) is a real lock, and if another goroutine of this run holds "
                   "it, the run hangs here. Make the lock inside the run, or use golang.sync.Mutex.\n"
                   % (now - last[1], f.f_code.co_filename, f.f_lineno, f.f_code.co_name))
        else:
            msg = None
        if msg:
            seen[tid] = (key, last[1], True)
            _sys.stderr.write(msg)
            _sys.stderr.flush()


def _in_hub(f, dt):
    """Under gevent: the report when the run's thread sits in gevent's hub
    (frame f) while its run is on the virtual clock (such a run never
    waits there itself: one of its goroutines does, which is what
    gevent's Queue, Event or lock made before the run does), else None."""
    import gevent
    gdir = _os.path.dirname(_os.path.abspath(gevent.__file__)) + _os.sep
    if not _os.path.abspath(f.f_code.co_filename).startswith(gdir):
        return None
    return ("golang.run: the run's thread has waited %.1f s in gevent's hub, which the run (on the "
            "virtual clock) does not schedule: a goroutine waits on a gevent object made before the "
            "run (at module level, in a library: gevent's Queue, Event, lock) or in gevent's I/O, and "
            "if only the run can wake it, the run hangs here. Make the object inside the run (the run "
            "makes CPython's, which cooperate), or use golang's chan and sync.\n" % dt)


def _in_acquire(f):
    """Whether frame f waits in `with x:` or `x.acquire(...)` (its last
    instruction; Python 3.9-3.13 bytecode), outside the golang package (a
    cooperative lock's waits for an OS thread) and threading.py (join)."""
    import dis
    fn = f.f_code.co_filename
    if fn.startswith(_syncrun._GOLANG_DIR) or fn == _THREADING_FILE:
        return False
    prev = []
    for ins in dis.get_instructions(f.f_code):
        if ins.offset > f.f_lasti:
            break
        prev.append(ins)
    if not prev:
        return False
    if prev[-1].opname in _ACQUIRE_OPS:
        return True
    if not prev[-1].opname.startswith('CALL'):
        return False
    for ins in reversed(prev[-12:-1]):
        if ins.opname in _ATTR_OPS:
            return ins.argval == 'acquire'
    return False
