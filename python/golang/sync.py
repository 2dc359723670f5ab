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
  ``defer(wg.wait)`` would, Pygolang 0.1's rules: an exception from the
  goroutines wins over the block's own and gets it as ``__context__`` when
  it had none; the block's exception does not cancel wctx).

Async forms, for async goroutines (``go(async_fn)``, ``golang.run``), where a
blocking call may not block (it raises RuntimeError): one convention, that of
the core's ``ch.arecv()``/``ch.asend(x)``/``aselect()``/``time.asleep()``:

    **the async form of a blocking method ``m`` is the coroutine method
    ``a`` + ``m``**, with PEP 8's trailing underscore when that name is a
    keyword (``wait`` -> ``await_``); each lock-like object also works with
    ``async with``.

- ``await sema.aacquire()``; ``async with sema:``
- ``await mu.alock()``; ``async with mu:``
- ``await rw.alock()``, ``await rw.arlock()``; ``async with rw:`` (write lock)
- ``await once.ado(f)``, where f may also be an async function (awaited)
- ``await wg.await_()`` for WaitGroup and WorkGroup;
  ``async with WorkGroup(ctx) as wg:`` awaits the group at the end of the block
- ``WorkGroup.go(f, ...)`` runs f as an async goroutine when f is an
  ``async def`` function (``await f(wctx, ...)``), as ``golang.go`` does, and
  as a thread goroutine otherwise; a group may mix both.

The methods that never wait for another goroutine (``release``, ``unlock``,
``runlock``, ``UnlockToRLock``, ``add``, ``done``, ``go``) have no async form:
call them as they are, from any kind of goroutine.

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

import time as _pytime
from inspect import isawaitable as _isawaitable, \
    iscoroutinefunction as _iscoroutinefunction

from golang import go, chan, select, default, panic
from golang import context
from golang import _golang
from golang._pyfunc import _sys_exc_clear

__all__ = ['Sema', 'Mutex', 'RWMutex', 'Once', 'WaitGroup', 'WorkGroup']


def _guard():
    return chan(1, 'C.structZ')


# A guard (chan lock) is held only for a few statements, never across a wait.
# Methods that may be called from any goroutine lock it with
#
#     try:
#         g.send(None)
#     except RuntimeError:
#         _gwait(g)
#
# In an async goroutine a send that would block raises RuntimeError instead
# (it may not block its executor); it can only find the guard held by a
# goroutine of another thread or executor (on one executor, async goroutines
# never interleave inside a guarded section), which releases it in a moment:
# _gwait polls until then, giving the GIL away between tries.
def _gwait(g):
    while select((g.send, None), default)[0] != 0:
        _pytime.sleep(0)


class _TokenLock(object):
    # A lock held while its chan's buffer holds a token: taking it sends a
    # token (blocking while one is there), giving it back receives it.
    # Sema and Mutex are this lock under their own names and messages.
    __slots__ = ('_ch',)
    _unheld = None  # the panic of a release while not held

    def __init__(lk):
        lk._ch = chan(1, 'C.structZ')

    def _take(lk):
        lk._ch.send(None)

    async def _atake(lk):
        await lk._ch.asend(None)

    def _give(lk):
        ch = lk._ch
        if len(ch) == 0:
            panic(lk._unheld)
        ch.recv()

    def __enter__(lk):
        lk._ch.send(None)
        return lk

    def __exit__(lk, exc_type, exc_val, exc_tb):
        lk._give()

    async def __aenter__(lk):
        await lk._ch.asend(None)
        return lk

    async def __aexit__(lk, exc_type, exc_val, exc_tb):
        lk._give()


class Sema(_TokenLock):
    """Sema is a binary semaphore, initially available: acquire, release
    (also from another goroutine), `with`, and the async form aacquire."""
    __slots__ = ()
    _unheld = "sync: release of unacquired semaphore"
    acquire = _TokenLock._take
    aacquire = _TokenLock._atake
    release = _TokenLock._give


class Mutex(_TokenLock):
    """Mutex is a mutual exclusion lock; its zero state is unlocked: lock,
    unlock, `with`, and the async form alock.

    It is not tied to a goroutine: one goroutine may lock it and another
    unlock it.
    """
    __slots__ = ()
    _unheld = "sync: unlock of unlocked mutex"
    lock = _TokenLock._take
    alock = _TokenLock._atake
    unlock = _TokenLock._give


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
        mu._g.send(None)
        wwake = mu._writer_admit()
        if wwake is not None:
            wwake.recv()

    async def alock(mu):
        """the async form of Lock."""
        await mu._w.alock()
        await mu._g.asend(None)
        wwake = mu._writer_admit()
        if wwake is not None:
            await wwake.arecv()

    def _writer_admit(mu):
        # Holding the guard (released here): announce the writer; returns
        # the chan to wait on while readers still hold the lock, or None.
        g = mu._g
        mu._writer = True
        if mu._nreaders == 0:
            g.recv()
            return None
        mu._wwaiting = True
        g.recv()
        return mu._wwake

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
        try:
            g.send(None)
        except RuntimeError:
            _gwait(g)
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
        mu._g.send(None)
        rwake = mu._reader_admit()
        if rwake is not None:
            rwake.recv()    # admitted (and counted in _nreaders) by the writer's unlock

    async def arlock(mu):
        """the async form of RLock."""
        await mu._g.asend(None)
        rwake = mu._reader_admit()
        if rwake is not None:
            await rwake.arecv()

    def _reader_admit(mu):
        # Holding the guard (released here): count the reader in, or queue
        # it behind the writer; returns the chan to wait on, or None.
        g = mu._g
        if not mu._writer:
            mu._nreaders += 1
            g.recv()
            return None
        mu._nrwait += 1
        rwake = mu._rwake
        if rwake is None:
            rwake = mu._rwake = chan(0, 'C.structZ')
        g.recv()
        return rwake

    def RUnlock(mu):
        """RUnlock releases one read lock."""
        g = mu._g
        try:
            g.send(None)
        except RuntimeError:
            _gwait(g)
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

    async def __aenter__(mu):
        await mu.alock()
        return mu

    async def __aexit__(mu, exc_type, exc_val, exc_tb):
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

    async def ado(once, f):
        """the async form of do: f may be a plain function or an async one
        (its result is awaited)."""
        if once._done:
            return
        g = once._g
        await g.asend(None)
        try:
            if not once._done:
                try:
                    r = f()
                    if _isawaitable(r):
                        await r
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
        try:
            g.send(None)
        except RuntimeError:
            _gwait(g)
        n = wg._n + delta
        if n < 0:
            g.recv()
            panic("sync: negative WaitGroup counter")
        if n >= 1 << 63:    # (Go's counter is an integer of fixed size)
            g.recv()
            raise OverflowError("sync: WaitGroup counter overflow")
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

    async def await_(wg):
        """the async form of wait."""
        g = wg._g
        await g.asend(None)
        if wg._n == 0:
            g.recv()
            return
        zero = wg._zero
        if zero is None:
            zero = wg._zero = chan(0, 'C.structZ')
        g.recv()
        await zero.arecv()


class WorkGroup(object):
    """WorkGroup is a group of goroutines working on a common task.

        wg = WorkGroup(ctx)
        wg.go(f1)           # f1(wctx)
        wg.go(f2, x, y=z)   # f2(wctx, x, y=z)
        wg.wait()           # re-raises the first failure, if any

    or ``with WorkGroup(ctx) as wg: ...`` that waits at the end of the block.
    From async goroutines: ``wg.go(async_f)`` (``await async_f(wctx)`` in an
    async goroutine), ``await wg.await_()``, ``async with WorkGroup(ctx) as wg``.

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
        try:
            guard.send(None)
        except RuntimeError:
            _gwait(guard)
        g._n += 1
        guard.recv()
        if _iscoroutinefunction(f):
            _golang.go_async(g._arun(f, argv, kw))
        else:
            go(g._run, f, argv, kw)

    def _run(g, f, argv, kw):
        try:
            f(g._ctx, *argv, **kw)
        except BaseException as e:
            g._fail(e, _run_code)
        finally:
            g._exit()

    async def _arun(g, f, argv, kw):
        try:
            await f(g._ctx, *argv, **kw)
        except GeneratorExit:
            # the coroutine is closed without having finished: it was left
            # blocked when its golang.run ended. Not a failure of f.
            raise
        except BaseException as e:
            g._fail(e, _arun_code)
        finally:
            g._exit()

    # _fail records e, raised by f in frame code of _run/_arun, as the
    # group's error if it is the first one, and then cancels wctx.
    def _fail(g, e, code):
        guard = g._g
        try:
            guard.send(None)
        except RuntimeError:
            _gwait(guard)
        first = g._err is None
        if first:
            # keep the traceback from f down, without the _run/_arun frame
            # (it would only show _run, and keep the group alive via the
            # traceback)
            tb = e.__traceback__
            if tb is not None and tb.tb_frame.f_code is code:
                e.__traceback__ = tb.tb_next
            tb = None
            g._err = e
        guard.recv()
        if first:
            g._cancel()

    # _exit counts one goroutine out, waking the waiter after the last one.
    def _exit(g):
        guard = g._g
        try:
            guard.send(None)
        except RuntimeError:
            _gwait(guard)
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
        err = g._wait()
        if err is not None:
            raise err

    def _wait(g):
        # wait without the raise: returns the first exception, or None.
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
        return g._err

    async def await_(g):
        """the async form of wait."""
        guard = g._g
        await guard.asend(None)
        if g._n == 0:
            guard.recv()
        else:
            zero = g._zero
            if zero is None:
                zero = g._zero = chan(0, 'C.structZ')
            guard.recv()
            await zero.arecv()
        g._cancel()
        err = g._err
        if err is not None:
            raise err

    def __enter__(g):
        return g

    def __exit__(g, exc_type, exc_val, exc_tb):
        # Pygolang 0.1's rules: always wait, never suppress; an exception
        # from wait() propagates with the block's exception as __context__
        # only when it had none (as with defer(wg.wait)). Python itself would
        # overwrite any __context__ when raising here, so the block's
        # exception is taken out of "being handled" first; the with
        # statement puts it back when __exit__ returns or raises.
        err = g._wait()
        if err is None:
            return False
        if exc_val is not None and err is not exc_val:
            _sys_exc_clear()
            if err.__context__ is None:
                err.__context__ = exc_val
        raise err

    async def __aenter__(g):
        return g

    async def __aexit__(g, exc_type, exc_val, exc_tb):
        await g.await_()
        return False


_run_code = WorkGroup._run.__code__
_arun_code = WorkGroup._arun.__code__
