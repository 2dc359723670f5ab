"""The gevent runtime of golang: blocking channel operations switch to the
gevent hub instead of blocking the OS thread.

It is active when `golang` is imported after gevent's monkey-patching (as
gpython does). The native core runs each blocking operation as a Rust future
with a waker that, from any thread, queues the operation's id and writes a
byte to a pipe; the hub watches that pipe, takes the queued ids and switches
back to their greenlets (see targets/native/src/gevent.rs).
"""

import os
import sys
import traceback

from gevent import get_hub, spawn_raw
from gevent.hub import Waiter

from golang import _golang

_waiters = {}   # operation id -> gevent Waiter of the greenlet blocked on it
_hub = None
_rfd = None
_watcher = None


def _setup():
    """Creates the wake-up pipe and its watcher on the current thread's hub."""
    global _hub, _rfd, _watcher
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    _golang._gevent_setup(w)        # the core owns the write end from now on
    _rfd = r
    _hub = get_hub()
    _watcher = _hub.loop.io(r, 1)   # 1: readable
    _watcher.start(_on_pipe)
    os.register_at_fork(after_in_child=_after_fork_child)


def _after_fork_child():
    # A child of fork() must not share its parent's wake-up pipe (either
    # process could drain the other's wake-ups): a new pipe and watcher.
    global _hub, _rfd, _watcher
    _watcher.stop()
    os.close(_rfd)
    r, w = os.pipe()
    os.set_blocking(r, False)
    os.set_blocking(w, False)
    _golang._gevent_after_fork(w)
    _rfd = r
    _hub = get_hub()
    _watcher = _hub.loop.io(r, 1)
    _watcher.start(_on_pipe)
    # (greenlets are copied by fork: those blocked on channels stay in
    # _waiters, and a greenlet of the child may still wake them)
    _on_pipe()      # wake-ups queued before the fork


def _idle_wait(timeout, fd):
    # A real-clock golang.run waits for its executor's next event (its poller
    # `fd` readable, or `timeout` seconds) in the hub, so that greenlets run.
    from gevent import select as _gselect
    _gselect.select([fd], [], [], timeout)


def _on_pipe():
    # Runs in the hub when the pipe is readable (a wake-up from another
    # thread): drain it, then resume every woken greenlet.
    try:
        while os.read(_rfd, 4096):
            pass
    except BlockingIOError:
        pass
    for f in _golang._gevent_spawns():     # timers' functions
        spawn_raw(f)
    _on_wakeup()


def _on_wakeup():
    # Runs in the hub: resume every woken greenlet.
    for opid in _golang._gevent_woken():
        w = _waiters.pop(opid, None)
        if w is not None:
            w.switch(None)


def _schedule():
    """Resumes, from the hub, the greenlets that a greenlet of this thread
    woke (no pipe write is needed for those)."""
    _hub.loop.run_callback(_on_wakeup)


def _wait(opid):
    """Blocks the current greenlet until operation `opid` is woken."""
    if get_hub() is not _hub:
        # A greenlet of another OS thread's hub: the pipe is watched by the
        # main hub only, so poll (rare: goroutines all run in one thread).
        import gevent
        gevent.sleep(0.001)
        return
    w = Waiter()
    _waiters[opid] = w
    try:
        w.get()
    finally:
        _waiters.pop(opid, None)


# ---- goroutines: a pool of greenlets ----
#
# Creating a greenlet costs several microseconds; switching to an idle one is
# much cheaper. `go` hands the function to an idle worker greenlet (resumed
# from the hub on its next turn, so that `go` returns at once, as in Go), or
# starts a new worker when none is idle. At most _MAX_IDLE workers wait.

_MAX_IDLE = 256
_idle = []      # Waiters of idle worker greenlets


def go(f, argv, kw):
    """Runs f(*argv, **kw) in a greenlet."""
    if _idle:
        _hub.loop.run_callback(_idle.pop().switch, (f, argv, kw))
    else:
        spawn_raw(_worker, f, argv, kw)


def _worker(f, argv, kw):
    while True:
        try:
            f(*argv, **kw)
        except Exception:
            # printed as for any goroutine, and the worker goes on
            if sys is not None:
                traceback.print_exc()
        f = argv = kw = None
        if len(_idle) >= _MAX_IDLE:
            return
        w = Waiter()
        _idle.append(w)
        f, argv, kw = w.get()
