# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package sync mirrors Go's package sync, plus WorkGroup.

API (that of Pygolang 0.0.5's ``golang.sync``, see API.md, plus RWMutex and
``with WorkGroup(ctx) as wg`` from later Pygolang):

- ``Sema()``: binary semaphore, initially available: ``acquire()``,
  ``release()`` (also from another goroutine than the one that acquired it),
  ``with sema:``.
- ``Mutex()``: ``lock()``, ``unlock()``, ``with mu:``.
- ``RWMutex()``: ``Lock()/Unlock()`` for writers, ``RLock()/RUnlock()`` for
  readers (also lowercase ``lock/unlock/rlock/runlock``), ``UnlockToRLock()``
  to turn a held write lock into a read lock atomically, ``with mu:`` (write
  lock). As in Go, a blocked ``Lock`` has priority over later ``RLock`` calls
  (so writers do not starve), and the readers that queued behind a writer
  all get the lock when it unlocks, before the next writer.
- ``Once()``: ``do(f)`` calls f the first time only; if f raises, the
  exception propagates and later calls do nothing. No ``do`` returns before
  the one call of f has returned.
- ``WaitGroup()``: ``add(n)``, ``done()``, ``wait()``; a counter going below
  zero panics "sync: negative WaitGroup counter" (the counter is left as it
  was).
- ``WorkGroup(ctx)``: ``go(f, *argv, **kw)`` runs ``f(wctx, *argv, **kw)``
  in a goroutine, where wctx is a child of ctx; the first exception raised by
  any f (any BaseException) cancels wctx; ``wait()`` waits for all of them and
  re-raises that first exception with its traceback (that of where it was
  raised). ``with WorkGroup(ctx) as wg:`` waits at the end of the block (as
  ``defer(wg.wait)`` would: an exception from the goroutines, raised while the
  block's own exception propagates, has the latter as ``__context__``).

Misuse panics with Go's messages: "sync: unlock of unlocked mutex",
"sync: Unlock of unlocked RWMutex", "sync: RUnlock of unlocked RWMutex";
releasing a Sema that is not acquired panics
"sync: release of unacquired semaphore".

Everything blocks on channels (chan/select), never on threading locks, so
that it works with every kind of goroutine (OS threads, gevent greenlets) and
releases the GIL while waiting. Small critical sections use a buffered
``chan(1, 'C.structZ')`` as a lock: send locks, receive unlocks (a send and a
receive cost less than ``with threading.Lock()``).
"""

from golang import go, chan, panic
from golang import context

__all__ = ['Sema', 'Mutex', 'RWMutex', 'Once', 'WaitGroup', 'WorkGroup']


def _guard():
    return chan(1, 'C.structZ')


class Sema(object):
    """Sema is a binary semaphore, initially available.

    The semaphore is acquired when its chan's buffer holds a token: acquire
    sends a token (blocking while one is there), release receives it.
    """
    __slots__ = ('_ch',)

    def __init__(sema):
        sema._ch = chan(1, 'C.structZ')

    def acquire(sema):
        sema._ch.send(None)

    def release(sema):
        ch = sema._ch
        if len(ch) == 0:
            panic("sync: release of unacquired semaphore")
        ch.recv()

    def __enter__(sema):
        sema._ch.send(None)
        return sema

    def __exit__(sema, exc_type, exc_val, exc_tb):
        sema.release()


class Mutex(object):
    """Mutex is a mutual exclusion lock; its zero state is unlocked.

    It is not tied to a goroutine: one goroutine may lock it and another
    unlock it.
    """
    __slots__ = ('_ch',)

    def __init__(mu):
        mu._ch = chan(1, 'C.structZ')

    def lock(mu):
        mu._ch.send(None)

    def unlock(mu):
        ch = mu._ch
        if len(ch) == 0:
            panic("sync: unlock of unlocked mutex")
        ch.recv()

    def __enter__(mu):
        mu._ch.send(None)
        return mu

    def __exit__(mu, exc_type, exc_val, exc_tb):
        mu.unlock()


class RWMutex(object):
    """RWMutex is a reader/writer mutual exclusion lock: any number of
    readers, or one writer.

    Writers are serialized by a Mutex. A writer then announces itself
    (_writer), which makes new readers queue, and waits for the readers that
    hold the lock to leave; the last of them wakes it. When the writer
    unlocks, all queued readers are admitted at once (counted as holders
    before the next writer can announce itself) by closing the chan they
    wait on.
    """
    __slots__ = (
        '_g',           # guard of the fields below (chan lock)
        '_w',           # Mutex serializing writers
        '_nreaders',    # readers holding the lock (admitted ones included)
        '_writer',      # a writer holds the lock or waits for readers to leave
        '_wwaiting',    # that writer waits on _wwake
        '_wwake',       # chan(1): the last leaving reader -> waiting writer
        '_nrwait',      # readers queued behind the writer
        '_rwake',       # chan closed to admit queued readers (None: none queued)
    )

    def __init__(mu):
        mu._g = chan(1, 'C.structZ')
        mu._w = Mutex()
        mu._nreaders = 0
        mu._writer = False
        mu._wwaiting = False
        mu._wwake = chan(1, 'C.structZ')
        mu._nrwait = 0
        mu._rwake = None

    def Lock(mu):
        """Lock locks mu for writing; it waits until no reader or writer holds it."""
        mu._w.lock()
        g = mu._g
        g.send(None)
        mu._writer = True
        if mu._nreaders == 0:
            g.recv()
            return
        mu._wwaiting = True
        g.recv()
        mu._wwake.recv()

    def Unlock(mu):
        """Unlock releases the write lock; queued readers get the lock."""
        rwake = mu._release_writer("sync: Unlock of unlocked RWMutex", 0)
        if rwake is not None:
            rwake.close()
        mu._w.unlock()

    def UnlockToRLock(mu):
        """UnlockToRLock turns the write lock into a read lock atomically:
        no writer can get the lock in between."""
        rwake = mu._release_writer("sync: UnlockToRLock of unlocked RWMutex", 1)
        if rwake is not None:
            rwake.close()
        mu._w.unlock()

    def _release_writer(mu, errmsg, nself):
        g = mu._g
        g.send(None)
        if not mu._writer or mu._wwaiting:
            g.recv()
            panic(errmsg)
        mu._writer = False
        n = mu._nrwait
        rwake = None
        if n:
            rwake = mu._rwake
            mu._rwake = None
            mu._nrwait = 0
        mu._nreaders += n + nself
        g.recv()
        return rwake

    def RLock(mu):
        """RLock locks mu for reading; it waits while a writer holds the lock
        or waits for it."""
        g = mu._g
        g.send(None)
        if not mu._writer:
            mu._nreaders += 1
            g.recv()
            return
        mu._nrwait += 1
        rwake = mu._rwake
        if rwake is None:
            rwake = mu._rwake = chan(0, 'C.structZ')
        g.recv()
        rwake.recv()    # admitted (and counted in _nreaders) by the writer's unlock

    def RUnlock(mu):
        """RUnlock releases one read lock."""
        g = mu._g
        g.send(None)
        n = mu._nreaders - 1
        if n < 0:
            g.recv()
            panic("sync: RUnlock of unlocked RWMutex")
        mu._nreaders = n
        wake = False
        if n == 0 and mu._wwaiting:
            mu._wwaiting = False
            wake = True
        g.recv()
        if wake:
            mu._wwake.send(None)    # buffered: does not block

    lock = Lock
    unlock = Unlock
    rlock = RLock
    runlock = RUnlock
    unlock_to_rlock = UnlockToRLock

    def __enter__(mu):
        mu.Lock()
        return mu

    def __exit__(mu, exc_type, exc_val, exc_tb):
        mu.Unlock()


class Once(object):
    """Once runs an action once: once.do(f) calls f only the first time."""
    __slots__ = ('_done', '_g')

    def __init__(once):
        once._done = False
        once._g = chan(1, 'C.structZ')

    def do(once, f):
        if once._done:
            return
        g = once._g
        g.send(None)
        try:
            if not once._done:
                try:
                    f()
                finally:
                    once._done = True
        finally:
            g.recv()


class WaitGroup(object):
    """WaitGroup waits for a collection of tasks to finish: add(n) before
    starting n tasks, done() when one finishes, wait() until all finished."""
    __slots__ = ('_g', '_n', '_zero')

    def __init__(wg):
        wg._g = chan(1, 'C.structZ')
        wg._n = 0
        wg._zero = None     # chan closed when _n drops to 0 (made by the first waiter)

    def add(wg, delta):
        g = wg._g
        g.send(None)
        n = wg._n + delta
        if n < 0:
            g.recv()
            panic("sync: negative WaitGroup counter")
        wg._n = n
        zero = None
        if n == 0:
            zero = wg._zero
            wg._zero = None
        g.recv()
        if zero is not None:
            zero.close()

    def done(wg):
        wg.add(-1)

    def wait(wg):
        g = wg._g
        g.send(None)
        if wg._n == 0:
            g.recv()
            return
        zero = wg._zero
        if zero is None:
            zero = wg._zero = chan(0, 'C.structZ')
        g.recv()
        zero.recv()


class WorkGroup(object):
    """WorkGroup is a group of goroutines working on a common task.

        wg = WorkGroup(ctx)
        wg.go(f1)           # f1(wctx)
        wg.go(f2, x, y=z)   # f2(wctx, x, y=z)
        wg.wait()           # re-raises the first failure, if any

    or ``with WorkGroup(ctx) as wg: ...`` that waits at the end of the block.

    wctx is derived from ctx: it is canceled when ctx is, when a goroutine of
    the group raises (any BaseException), and when wait() returns. Modelled
    after golang.org/x/sync/errgroup.
    """
    __slots__ = ('_ctx', '_cancel', '_g', '_n', '_zero', '_err')

    def __init__(g, ctx):
        g._ctx, g._cancel = context.with_cancel(ctx)
        g._g = chan(1, 'C.structZ')
        g._n = 0            # goroutines running
        g._zero = None      # chan closed when _n drops to 0 (made by wait)
        g._err = None       # the first exception

    def go(g, f, *argv, **kw):
        guard = g._g
        guard.send(None)
        g._n += 1
        guard.recv()
        go(g._run, f, argv, kw)

    def _run(g, f, argv, kw):
        try:
            f(g._ctx, *argv, **kw)
        except BaseException as e:
            guard = g._g
            guard.send(None)
            first = g._err is None
            if first:
                # keep the traceback from f down, without this frame (it
                # would only show _run, and keep the group alive via the
                # traceback)
                tb = e.__traceback__
                if tb is not None and tb.tb_frame.f_code is _run_code:
                    e.__traceback__ = tb.tb_next
                tb = None
                g._err = e
            guard.recv()
            if first:
                g._cancel()
        finally:
            guard = g._g
            guard.send(None)
            n = g._n = g._n - 1
            zero = None
            if n == 0:
                zero = g._zero
                g._zero = None
            guard.recv()
            if zero is not None:
                zero.close()

    def wait(g):
        """wait waits for all the goroutines started by go() to return, then
        cancels wctx, and re-raises the first exception one of them raised."""
        guard = g._g
        guard.send(None)
        if g._n == 0:
            guard.recv()
        else:
            zero = g._zero
            if zero is None:
                zero = g._zero = chan(0, 'C.structZ')
            guard.recv()
            zero.recv()
        g._cancel()
        err = g._err
        if err is not None:
            raise err

    def __enter__(g):
        return g

    def __exit__(g, exc_type, exc_val, exc_tb):
        # an exception from wait() raised here gets the block's exception
        # (being handled) as __context__, as with defer(wg.wait).
        g.wait()
        return False


_run_code = WorkGroup._run.__code__
