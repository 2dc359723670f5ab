# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.sync against Pygolang 0.0.5's API as listed in
/work/shared/API.md ("golang.sync"), plus RWMutex and
`with sync.WorkGroup(ctx) as wg` (API.md, "Additions"). Each test is named by
the property it checks; panic messages are compared exactly.

Goroutines synchronise through channels. "X blocks" is checked by waiting
until X's goroutine is queued on the channel that the primitive blocks on
(the queue-length test hooks of golang._golang_test), never by sleeping.
"""

import time as pytime

import pytest
from _pytest._code import Traceback

import golang
from golang import go, chan, select, default, func, defer
from golang import sync, context

from _golang_testutil import watchdog, panics, spawn, join, wait_until, \
    len_recvq, len_sendq  # noqa: F401  (watchdog: autouse fixture)


bg = context.background()


def ready(ch):
    n, _ = select(ch.recv, default)
    return n == 0


def sendq(ch, n):
    """waits until n goroutines are blocked sending to ch."""
    wait_until(lambda: len_sendq(ch) == n, "%d senders are blocked" % n)


def recvq(ch, n):
    """waits until n goroutines are blocked receiving from ch; ch may be a
    function that returns the chan (None while it is not made yet)."""
    getch = ch if callable(ch) else (lambda: ch)

    def cond():
        c = getch()
        return c is not None and len_recvq(c) == n
    wait_until(cond, "%d receivers are blocked" % n)


def yield_():
    """lets other threads run (a yield, to make races likely; not a wait)."""
    pytime.sleep(0)


class MyError(BaseException):
    """An exception that is not an Exception: WorkGroup must catch it too."""


# ---- Sema, Mutex ----

# lock-like: (constructor, lock method, unlock method, the chan it blocks on)
LOCKS = [
    (sync.Sema,    'acquire', 'release', lambda mu: mu._ch),
    (sync.Mutex,   'lock',    'unlock',  lambda mu: mu._ch),
    (sync.RWMutex, 'Lock',    'Unlock',  lambda mu: mu._w._ch),
    (sync.RWMutex, 'lock',    'unlock',  lambda mu: mu._w._ch),
]
LOCK_IDS = ['Sema', 'Mutex', 'RWMutex', 'RWMutex-lowercase']


@pytest.mark.parametrize('mk,lock,unlock,blockch', LOCKS, ids=LOCK_IDS)
def test_lock_blocks_a_second_locker_until_unlock(mk, lock, unlock, blockch):
    mu = mk()
    getattr(mu, lock)()         # initially available
    l = []
    done = chan()

    def _():
        getattr(mu, lock)()
        l.append('b')
        getattr(mu, unlock)()
        done.close()
    go(_)
    sendq(blockch(mu), 1)       # the goroutine is blocked in lock
    l.append('a')
    getattr(mu, unlock)()
    done.recv()
    assert l == ['a', 'b']


@pytest.mark.parametrize('mk,lock,unlock,blockch', LOCKS, ids=LOCK_IDS)
def test_with_statement_locks_and_unlocks(mk, lock, unlock, blockch):
    mu = mk()
    l = []
    done = chan()
    with mu as x:
        assert x is mu

        def _():
            with mu:
                l.append('d')
            done.close()
        go(_)
        sendq(blockch(mu), 1)
        l.append('c')
    done.recv()
    assert l == ['c', 'd']

    # unlocked on exception too
    with pytest.raises(ZeroDivisionError):
        with mu:
            1 / 0
    getattr(mu, lock)()
    getattr(mu, unlock)()


@pytest.mark.parametrize('mk,lock,unlock,blockch', LOCKS, ids=LOCK_IDS)
def test_lock_can_be_released_by_another_goroutine(mk, lock, unlock, blockch):
    mu = mk()
    getattr(mu, lock)()
    released = chan()

    def _():
        getattr(mu, unlock)()
        released.close()
    go(_)
    released.recv()
    getattr(mu, lock)()         # does not block: the other goroutine released it
    getattr(mu, unlock)()


@pytest.mark.parametrize('mk,lock,unlock,blockch', LOCKS, ids=LOCK_IDS)
def test_lock_gives_mutual_exclusion(mk, lock, unlock, blockch):
    mu = mk()
    state = {'n': 0, 'inside': 0, 'max': 0}
    N, M = 4, 200

    def _():
        for _ in range(M):
            getattr(mu, lock)()
            state['inside'] += 1
            state['max'] = max(state['max'], state['inside'])
            n = state['n']
            yield_()
            state['n'] = n + 1
            state['inside'] -= 1
            getattr(mu, unlock)()
    join(*[spawn(_) for i in range(N)])
    assert state['n'] == N*M
    assert state['max'] == 1


def test_sema_release_when_not_acquired_panics():
    sema = sync.Sema()
    with panics("sync: release of unacquired semaphore"):
        sema.release()
    sema.acquire()
    sema.release()
    with panics("sync: release of unacquired semaphore"):
        sema.release()
    sema.acquire()              # still a working binary semaphore
    sema.release()


def test_mutex_unlock_of_unlocked_mutex_panics():
    mu = sync.Mutex()
    with panics("sync: unlock of unlocked mutex"):
        mu.unlock()
    mu.lock()
    mu.unlock()
    with panics("sync: unlock of unlocked mutex"):
        mu.unlock()


# ---- RWMutex ----

def test_rwmutex_unlock_without_lock_panics():
    mu = sync.RWMutex()
    with panics("sync: Unlock of unlocked RWMutex"):
        mu.Unlock()
    with panics("sync: RUnlock of unlocked RWMutex"):
        mu.RUnlock()
    with panics("sync: Unlock of unlocked RWMutex"):
        mu.unlock()
    with panics("sync: RUnlock of unlocked RWMutex"):
        mu.runlock()
    mu.RLock()                  # read-locked: Unlock is still a misuse
    with panics("sync: Unlock of unlocked RWMutex"):
        mu.Unlock()
    mu.RUnlock()
    mu.Lock()                   # write-locked: RUnlock is a misuse
    with panics("sync: RUnlock of unlocked RWMutex"):
        mu.RUnlock()
    mu.Unlock()
    mu.Lock()                   # the mutex still works
    mu.Unlock()


def test_rwmutex_lowercase_names_are_the_same_methods():
    assert sync.RWMutex.lock is sync.RWMutex.Lock
    assert sync.RWMutex.unlock is sync.RWMutex.Unlock
    assert sync.RWMutex.rlock is sync.RWMutex.RLock
    assert sync.RWMutex.runlock is sync.RWMutex.RUnlock


def test_rwmutex_readers_share_the_lock():
    mu = sync.RWMutex()
    N = 5
    locked = chan(N)
    cont = chan()

    def R():
        mu.RLock()
        locked.send('R')
        cont.recv()
        mu.RUnlock()
    for _ in range(N):
        go(R)
    for _ in range(N):          # all N hold the read lock at the same time
        assert locked.recv() == 'R'
    mu.rlock()
    mu.runlock()
    cont.close()


def test_rwmutex_writer_excludes_readers_and_writers():
    mu = sync.RWMutex()
    mu.Lock()
    events = chan(10)

    def R():
        mu.RLock()
        events.send('R')
        mu.RUnlock()

    def W():
        mu.Lock()
        events.send('W')
        mu.Unlock()
    go(R)
    recvq_rwake(mu, 1)          # the reader queues behind the writer
    go(W)
    sendq(mu._w._ch, 1)         # the second writer waits for the first one
    assert not ready(events)
    mu.Unlock()
    # queued readers are admitted before the next writer
    assert events.recv() == 'R'
    assert events.recv() == 'W'


def recvq_rwake(mu, n):
    """waits until n readers queue behind the writer."""
    recvq(lambda: mu._rwake, n)


def test_rwmutex_waiting_writer_has_priority_over_new_readers():
    mu = sync.RWMutex()
    Nr1, Nr2 = 5, 7
    l = []
    locked = chan(Nr1 + Nr2 + 10)
    rcont = chan()

    def R():
        mu.RLock()
        locked.send(('R', len(l)))
        rcont.recv()
        mu.RUnlock()

    def W():
        mu.Lock()
        locked.send('W')
        l.append('w')
        mu.Unlock()

    mu.RLock()
    for _ in range(Nr1):
        go(R)
    for _ in range(Nr1):
        assert locked.recv() == ('R', 0)
    go(W)
    recvq(mu._wwake, 1)         # W waits for the readers to leave
    for _ in range(Nr2):        # readers that come after W must wait for W
        go(R)
    recvq_rwake(mu, Nr2)
    assert not ready(locked)
    mu.RUnlock()
    assert not ready(locked)    # Nr1 readers still hold it
    rcont.close()               # they leave: W, then the Nr2 readers
    assert locked.recv() == 'W'
    for _ in range(Nr2):
        assert locked.recv() == ('R', 1)


def test_rwmutex_unlock_to_rlock_admits_queued_readers_and_keeps_writers_out():
    mu = sync.RWMutex()
    mu.Lock()
    events = chan(10)
    wdone = chan()

    def W():
        mu.Lock()
        events.send('W')
        mu.Unlock()
        wdone.close()

    def R():
        mu.RLock()
        events.send('R')
        mu.RUnlock()
    go(R)
    recvq_rwake(mu, 1)          # R queues behind the writer
    go(W)
    sendq(mu._w._ch, 1)         # W waits for the writer
    mu.UnlockToRLock()          # now a reader: R enters, W still waits
    assert events.recv() == 'R'
    recvq(mu._wwake, 1)         # W now waits for the readers (us) to leave
    assert not ready(events)
    mu.RUnlock()
    assert events.recv() == 'W'
    wdone.recv()                # (W has unlocked: the mutex is free again)
    with panics("sync: UnlockToRLock of unlocked RWMutex"):
        mu.UnlockToRLock()


def test_rwmutex_gives_readers_writers_exclusion():
    mu = sync.RWMutex()
    state = {'readers': 0, 'writers': 0, 'bad': 0, 'maxr': 0, 'n': 0}
    M = 200

    def R():
        for _ in range(M):
            mu.RLock()
            state['readers'] += 1       # only under the GIL: approximate but fine for >0 checks
            if state['writers']:
                state['bad'] += 1
            state['maxr'] = max(state['maxr'], state['readers'])
            yield_()
            state['readers'] -= 1
            mu.RUnlock()

    def W():
        for _ in range(M):
            mu.Lock()
            state['writers'] += 1
            if state['writers'] != 1 or state['readers']:
                state['bad'] += 1
            n = state['n']
            yield_()
            state['n'] = n + 1
            state['writers'] -= 1
            mu.Unlock()
    join(*[spawn(R) for i in range(3)] + [spawn(W) for i in range(2)])
    assert state['bad'] == 0
    assert state['n'] == 2*M


# ---- Once ----

def test_once_runs_f_only_the_first_time():
    once = sync.Once()
    l = []
    for _ in range(3):
        once.do(lambda: l.append(1))
        assert l == [1]
    once.do(lambda: l.append(2))    # another f: not called either
    assert l == [1]


def test_once_with_raising_f_propagates_and_later_calls_do_nothing():
    once = sync.Once()
    l = []

    def f():
        l.append(2)
        raise RuntimeError("boom")
    with pytest.raises(RuntimeError) as exc:
        once.do(f)
    assert exc.value.args == ("boom",)
    assert l == [2]
    for _ in range(2):
        once.do(f)                  # no longer raises
        assert l == [2]


def test_once_do_waits_until_the_first_f_returns():
    once = sync.Once()
    fcont = chan()
    fentered = chan()
    l = []

    def f():
        fentered.close()
        fcont.recv()
        l.append('f')

    d1 = spawn(once.do, f)
    fentered.recv()
    d2 = spawn(once.do, lambda: l.append('g'))
    sendq(once._g, 1)               # the second do() waits for the first f
    assert not ready(d2)
    fcont.close()
    join(d1, d2)
    assert l == ['f']


# ---- WaitGroup ----

def test_waitgroup_wait_returns_at_once_when_counter_is_zero():
    wg = sync.WaitGroup()
    wg.wait()
    wg.add(2)
    wg.add(-2)
    wg.wait()


def test_waitgroup_wait_blocks_until_counter_is_zero():
    wg = sync.WaitGroup()
    wg.add(2)
    ch = chan(3)

    def _():
        wg.wait()
        ch.send('a')
    for _i in range(3):
        go(_)
    recvq(lambda: wg._zero, 3)              # all three wait
    wg.done()
    assert len(ch) == 0
    assert len_recvq(wg._zero) == 3
    wg.done()
    for _i in range(3):
        assert ch.recv() == 'a'

    # reusable
    wg.add(1)
    go(_)
    recvq(lambda: wg._zero, 1)
    assert len(ch) == 0
    wg.done()
    assert ch.recv() == 'a'


def test_waitgroup_done_from_goroutines():
    wg = sync.WaitGroup()
    N = 10
    l = []
    wg.add(N)
    for i in range(N):
        def _(i):
            l.append(i)
            wg.done()
        go(_, i)
    wg.wait()
    assert sorted(l) == list(range(N))


def test_waitgroup_negative_counter_panics():
    wg = sync.WaitGroup()
    with panics("sync: negative WaitGroup counter"):
        wg.done()
    wg.add(1)
    with panics("sync: negative WaitGroup counter"):
        wg.add(-2)
    wg.done()                       # the counter was left as it was: 1 -> 0
    wg.wait()
    with panics("sync: negative WaitGroup counter"):
        wg.done()


# ---- WorkGroup ----

def test_workgroup_runs_f_with_work_context_and_arguments():
    k = object()
    ctx = context.with_value(bg, k, "v")
    wg = sync.WorkGroup(ctx)
    got = chan(2)

    def f(wctx, a, b=None):
        got.send((wctx.value(k), wctx.err(), a, b))
    wg.go(f, 1, b=2)
    wg.go(f, 3)
    assert wg.wait() is None
    assert sorted([got.recv(), got.recv()], key=lambda x: x[2]) == \
        [("v", None, 1, 2), ("v", None, 3, None)]


def test_workgroup_go_spawns_via_golang_go(monkeypatch):
    calls = []
    realgo = golang.go

    def countgo(f, *argv, **kw):
        calls.append(f)
        realgo(f, *argv, **kw)
    monkeypatch.setattr(sync, 'go', countgo)
    wg = sync.WorkGroup(bg)
    wg.go(lambda ctx: None)
    wg.go(lambda ctx: None)
    wg.wait()
    assert len(calls) == 2
    assert sync.go is countgo and realgo is golang.go


def test_workgroup_wait_cancels_work_context():
    wg = sync.WorkGroup(bg)
    wctxs = chan(1)
    wg.go(lambda wctx: wctxs.send(wctx))
    wctx = wctxs.recv()
    wg.wait()
    assert wctx.err() == context.canceled


def _workgroup_fail(ctx, tag, mu, l):
    # t1 raises MyError(tag); t2 waits for the work context's cancel, then
    # raises another error that must not be reported.
    wg = sync.WorkGroup(ctx)
    for i in range(2):
        def _(ctx, i):
            Iam__ = 0               # noqa: F841  (looked for in the traceback)
            with mu:
                l[i] = i + 1
            if i == 0:
                raise MyError(tag)
            ctx.done().recv()
            raise ValueError('ccc')

        def f(ctx, i):
            Iam_f = 0               # noqa: F841
            _(ctx, i)
        wg.go(f, i)
    return wg


def test_workgroup_first_error_cancels_the_others_and_is_reraised_with_traceback():
    ctx, cancel = context.with_cancel(bg)
    mu = sync.Mutex()
    l = [0, 0]
    wg = _workgroup_fail(ctx, 'bbb', mu, l)
    with pytest.raises(MyError) as exc:
        wg.wait()
    assert exc.type is MyError
    assert exc.value.args == ('bbb',)
    assert 'Iam__' in exc.traceback[-1].locals
    assert 'Iam_f' in exc.traceback[-2].locals
    assert exc.traceback[-1].name == '_'
    assert exc.traceback[-2].name == 'f'
    assert exc.traceback[-3].name == 'wait'     # no internal frame in between
    assert l == [1, 2]
    assert ctx.err() is None                    # the parent is not canceled
    cancel()


def test_workgroup_error_from_goroutine_that_does_not_look_at_ctx():
    mu = sync.Mutex()
    l = [0, 0]
    wg = sync.WorkGroup(bg)
    for i in range(2):
        def _(ctx, i):
            Iam__ = 0               # noqa: F841
            with mu:
                l[i] = i + 1
                if i == 0:
                    raise MyError('aaa')

        def f(ctx, i):
            Iam_f = 0               # noqa: F841
            _(ctx, i)
        wg.go(f, i)
    with pytest.raises(MyError) as exc:
        wg.wait()
    assert exc.value.args == ('aaa',)
    assert 'Iam__' in exc.traceback[-1].locals
    assert 'Iam_f' in exc.traceback[-2].locals
    assert l == [1, 2]


def test_workgroup_catches_any_BaseException():
    for E in [MyError, KeyboardInterrupt, SystemExit, GeneratorExit, ZeroDivisionError]:
        wg = sync.WorkGroup(bg)

        def f(ctx):
            raise E('x')
        wg.go(f)
        with pytest.raises(E):
            wg.wait()


def test_workgroup_parent_cancel_propagates_into_work_context():
    ctx, cancel = context.with_cancel(bg)
    mu = sync.Mutex()
    wg = sync.WorkGroup(ctx)
    l = [0, 0]
    started = chan(2)
    for i in range(2):
        def _(ctx, i):
            with mu:
                l[i] = i + 1
            started.send(i)
            ctx.done().recv()
            assert ctx.err() == context.canceled
        wg.go(_, i)
    started.recv()
    started.recv()
    cancel()
    wg.wait()
    assert l == [1, 2]


def test_workgroup_with_waits_at_exit():
    ctx, cancel = context.with_cancel(bg)
    l = [0, 0]
    cont = chan()
    with sync.WorkGroup(ctx) as wg:
        assert isinstance(wg, sync.WorkGroup)
        for i in range(2):
            def _(ctx, i):
                cont.recv()
                l[i] = i + 1
            wg.go(_, i)
        cont.close()
    assert l == [1, 2]
    cancel()


def test_workgroup_with_reraises_goroutine_error_without_context():
    with pytest.raises(MyError) as exci:
        with sync.WorkGroup(bg) as wg:
            def _(ctx):
                Iam_t1 = 0          # noqa: F841
                raise MyError('hello (fail)')
            wg.go(_)

            def _(ctx):
                ctx.done().recv()
                raise MyError('world (after zzz)')
            wg.go(_)
    e = exci.value
    assert e.__class__ is MyError
    assert e.args == ('hello (fail)',)
    assert e.__cause__ is None
    assert e.__context__ is None
    assert e.__suppress_context__ is False
    assert 'Iam_t1' in exci.traceback[-1].locals


def test_workgroup_with_body_error_propagates_after_goroutines_finish():
    l = [0]
    cont = chan()
    with pytest.raises(MyError) as exci:
        with sync.WorkGroup(bg) as wg:
            def _(ctx):
                cont.recv()
                l[0] = 1
            wg.go(_)

            def bad():
                go(cont.close)      # let the goroutine finish only now
                raise MyError('wow')
            bad()
    e = exci.value
    assert e.args == ('wow',)
    assert e.__cause__ is None
    assert e.__context__ is None
    assert e.__suppress_context__ is False
    assert exci.traceback[-1].name == 'bad'
    assert l[0] == 1


def test_workgroup_with_goroutine_error_chains_body_error_as_context():
    with pytest.raises(MyError) as exci:
        with sync.WorkGroup(bg) as wg:
            def f(ctx):
                raise MyError('fail from go')
            wg.go(f)

            def g():
                raise MyError('just raise')
            g()
    e = exci.value
    assert e.args == ('fail from go',)
    assert e.__cause__ is None
    assert e.__suppress_context__ is False
    assert exci.traceback[-1].name == 'f'
    e2 = e.__context__
    assert e2.__class__ is MyError
    assert e2.args == ('just raise',)
    assert e2.__cause__ is None
    assert e2.__context__ is None
    assert e2.__traceback__ is not None
    assert Traceback(e2.__traceback__)[-1].name == 'g'


def test_workgroup_wait_via_defer_is_like_with():
    l = []
    cont = chan()

    @func
    def work():
        wg = sync.WorkGroup(bg)
        defer(wg.wait)

        def _(ctx):
            cont.recv()
            l.append('ran')
        wg.go(_)
        cont.close()
    work()
    assert l == ['ran']

    @func
    def fail():
        wg = sync.WorkGroup(bg)
        defer(wg.wait)

        def f(ctx):
            raise MyError('from go')
        wg.go(f)
        raise MyError('from body')
    with pytest.raises(MyError) as exci:
        fail()
    assert exci.value.args == ('from go',)
    assert exci.value.__context__.args == ('from body',)


def test_workgroup_first_error_wins_when_all_fail():
    N = 8
    wg = sync.WorkGroup(bg)
    for i in range(N):
        def _(ctx, i):
            if i == 0:
                raise MyError(0)
            ctx.done().recv()
            raise MyError(i)
        wg.go(_, i)
    with pytest.raises(MyError) as exc:
        wg.wait()
    assert exc.value.args == (0,)


def test_workgroup_wait_can_be_called_again():
    wg = sync.WorkGroup(bg)
    wg.go(lambda ctx: None)
    wg.wait()
    wg.wait()
    wg = sync.WorkGroup(bg)

    def f(ctx):
        raise MyError('again')
    wg.go(f)
    for _ in range(2):
        with pytest.raises(MyError):
            wg.wait()


def test_workgroup_goroutine_errors_are_not_printed(capfd):
    wg = sync.WorkGroup(bg)

    def f(ctx):
        raise MyError('quiet')
    wg.go(f)
    wg.go(f)
    with pytest.raises(MyError):
        wg.wait()
    out, err = capfd.readouterr()
    assert 'quiet' not in out + err


# ---- with WorkGroup: Pygolang 0.1's __exit__ rules ----

def test_with_workgroup_goroutine_error_wins_and_chains_the_block_error_only_when_without_context():
    from golang import context, sync
    bg = context.background()

    class E(Exception):
        pass
    # only the body raises: its exception propagates, wctx is not canceled by it
    seen = []
    with pytest.raises(E) as exci:
        with sync.WorkGroup(bg) as wg:
            def f(ctx):
                seen.append(ctx.err())
            wg.go(f)
            wg.wait()   # f ran before the body raised
            raise E("body")
    assert exci.value.args == ("body",) and seen == [None]

    # both raise: the goroutine's error, with the body's as __context__
    with pytest.raises(E) as exci:
        with sync.WorkGroup(bg) as wg:
            def g(ctx):
                raise E("goroutine")
            wg.go(g)
            raise E("body")
    e = exci.value
    assert e.args == ("goroutine",)
    assert e.__context__.args == ("body",)
    assert e.__cause__ is None and e.__suppress_context__ is False

    # a goroutine error that already has a __context__ keeps it
    with pytest.raises(E) as exci:
        with sync.WorkGroup(bg) as wg:
            def h(ctx):
                try:
                    raise KeyError("inner")
                except KeyError:
                    raise E("goroutine")
            wg.go(h)
            raise E("body")
    e = exci.value
    assert e.args == ("goroutine",)
    assert type(e.__context__) is KeyError

    # only a goroutine raises: no __context__
    with pytest.raises(E) as exci:
        with sync.WorkGroup(bg) as wg:
            wg.go(g)
    assert exci.value.__context__ is None and exci.value.__suppress_context__ is False
