# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of the async forms of golang.sync (see the module's docstring: the
async form of a blocking method m is `a` + m, `await_` for wait, plus `async
with`), and of WorkGroup with async goroutines.

Each test is named by the property it checks. Async goroutines run under
golang.run on the virtual clock, so "B waits until A unlocks" is checked with
exact virtual timestamps; tests that mix thread goroutines in use
clock='real' and synchronise through channels.
"""

import time as pytime

import pytest

import golang
from golang import go, chan
from golang import sync, context, time

from _golang_testutil import watchdog, panics, needs_threads  # noqa: F401  (watchdog: autouse fixture)


T0 = 1700000000.0
bg = context.background()


def run(main, *argv, seed=1, **kw):
    return golang.run(main, *argv, seed=seed, **kw)


def at(dt):
    return T0 + dt


class MyError(BaseException):
    """An exception that is not an Exception: WorkGroup must catch it too."""


# ---- Sema, Mutex, RWMutex (write side) ----

# lock-like: (constructor, async lock method, unlock method)
ALOCKS = [
    (sync.Sema,    'aacquire', 'release'),
    (sync.Mutex,   'alock',    'unlock'),
    (sync.RWMutex, 'alock',    'unlock'),
]
ALOCK_IDS = ['Sema', 'Mutex', 'RWMutex']


@pytest.mark.parametrize('mk,alock,unlock', ALOCKS, ids=ALOCK_IDS)
def test_async_lock_waits_until_the_holder_unlocks(mk, alock, unlock):
    async def main():
        mu = mk()
        await getattr(mu, alock)()          # initially available
        got = chan()

        async def second():
            await getattr(mu, alock)()
            await got.asend(time.now())
            getattr(mu, unlock)()
        go(second)
        await time.asleep(2)
        getattr(mu, unlock)()
        t = await got.arecv()
        await getattr(mu, alock)()          # available again
        return t
    assert run(main) == at(2)


@pytest.mark.parametrize('mk,alock,unlock', ALOCKS, ids=ALOCK_IDS)
def test_async_lock_excludes_other_goroutines_across_awaits(mk, alock, unlock):
    async def main():
        mu = mk()
        inside = [0]
        maxinside = [0]
        done = chan()

        async def worker(i):
            await getattr(mu, alock)()
            inside[0] += 1
            maxinside[0] = max(maxinside[0], inside[0])
            await time.asleep(1)
            inside[0] -= 1
            getattr(mu, unlock)()
            await done.asend(time.now())
        for i in range(5):
            go(worker, i)
        return sorted([await done.arecv() for _ in range(5)]), maxinside[0]
    assert run(main) == ([at(1), at(2), at(3), at(4), at(5)], 1)


@pytest.mark.parametrize('mk', [sync.Sema, sync.Mutex, sync.RWMutex], ids=ALOCK_IDS)
def test_async_with_locks_for_the_block_and_unlocks_after(mk):
    async def main():
        mu = mk()
        log = []

        async def other():
            async with mu:
                log.append(('other', time.now()))
        async with mu as m:
            assert m is mu
            go(other)
            await time.asleep(3)
            log.append(('main', time.now()))
        await time.asleep(1)
        # unlocked also when the block raises
        with pytest.raises(KeyError):
            async with mu:
                raise KeyError('x')
        async with mu:
            pass
        return log
    assert run(main) == [('main', at(3)), ('other', at(3))]


def test_async_unlock_of_unlocked_mutex_panics_as_sync():
    async def main():
        mu = sync.Mutex()
        with panics("sync: unlock of unlocked mutex"):
            mu.unlock()
        rw = sync.RWMutex()
        with panics("sync: Unlock of unlocked RWMutex"):
            rw.unlock()
        with panics("sync: RUnlock of unlocked RWMutex"):
            rw.runlock()
        s = sync.Sema()
        with panics("sync: release of unacquired semaphore"):
            s.release()
    run(main)


@pytest.mark.skipif(golang._gevent, reason="thread goroutines are greenlets of the thread golang.run occupies")
@needs_threads
def test_mutex_is_shared_by_thread_and_async_goroutines():
    N = 200

    async def main():
        mu = sync.Mutex()
        count = [0]
        done = chan(2)

        def thread():
            for _ in range(N):
                with mu:
                    v = count[0]
                    pytime.sleep(0)     # let the other side try meanwhile
                    count[0] = v + 1
            done.send('t')

        async def coro():
            for _ in range(N):
                async with mu:
                    v = count[0]
                    await time.asleep(0)
                    count[0] = v + 1
            await done.asend('a')
        go(thread)
        go(coro)
        got = {await done.arecv(), await done.arecv()}
        return got, count[0]
    assert run(main, clock='real') == ({'t', 'a'}, 2 * N)


# ---- RWMutex read side ----

def test_async_readers_hold_the_read_lock_together():
    async def main():
        rw = sync.RWMutex()
        inside = [0, 0]     # now, max
        done = chan()

        async def reader():
            await rw.arlock()
            inside[0] += 1
            inside[1] = max(inside[1], inside[0])
            await time.asleep(1)
            inside[0] -= 1
            rw.runlock()
            await done.asend(time.now())
        for _ in range(4):
            go(reader)
        return [await done.arecv() for _ in range(4)], inside[1]
    assert run(main) == ([at(1)] * 4, 4)


def test_async_writer_waits_for_readers_and_readers_for_writer():
    async def main():
        rw = sync.RWMutex()
        log = chan(10)
        await rw.arlock()

        async def writer():
            await rw.alock()
            await log.asend(('w', time.now()))
            await time.asleep(2)
            rw.unlock()

        async def reader(name):
            await rw.arlock()
            await log.asend((name, time.now()))
            rw.runlock()
        go(writer)
        await time.asleep(1)        # the writer now waits for our read lock
        go(reader, 'r-late')        # a blocked writer has priority over it
        await time.asleep(1)
        rw.runlock()                # at 2: the writer gets the lock ...
        return [await log.arecv() for _ in range(2)]
    # ... and the late reader only when the writer unlocks
    assert run(main) == [('w', at(2)), ('r-late', at(4))]


def test_unlock_to_rlock_admits_async_readers_not_writers():
    async def main():
        rw = sync.RWMutex()
        log = chan(10)
        await rw.alock()

        async def reader():
            await rw.arlock()
            await log.asend(('r', time.now()))
            rw.runlock()

        async def writer():
            await rw.alock()
            await log.asend(('w', time.now()))
            rw.unlock()
        go(reader)
        await time.asleep(1)
        rw.UnlockToRLock()
        go(writer)
        await time.asleep(1)
        rw.runlock()
        return [await log.arecv() for _ in range(2)]
    assert run(main) == [('r', at(1)), ('w', at(2))]


# ---- Once ----

def test_once_ado_runs_f_once_and_others_wait_for_it():
    async def main():
        once = sync.Once()
        calls = []
        done = chan()

        async def f():
            calls.append(time.now())
            await time.asleep(3)

        async def caller():
            await once.ado(f)
            await done.asend(time.now())
        for _ in range(3):
            go(caller)
        ts = [await done.arecv() for _ in range(3)]
        await once.ado(f)
        once.do(lambda: calls.append('sync'))
        return calls, ts
    assert run(main) == ([at(0)], [at(3)] * 3)


def test_once_ado_accepts_plain_function_and_propagates_its_error_once():
    async def main():
        once = sync.Once()
        calls = []

        def f():
            calls.append(1)
            raise ValueError('f failed')
        with pytest.raises(ValueError, match='f failed'):
            await once.ado(f)
        await once.ado(f)
        return calls
    assert run(main) == [1]


# ---- WaitGroup ----

def test_waitgroup_await_waits_until_the_counter_drops_to_zero():
    async def main():
        wg = sync.WaitGroup()
        await wg.await_()                   # zero: returns at once
        for dt in (1, 3, 2):
            wg.add(1)

            async def worker(dt):
                await time.asleep(dt)
                wg.done()
            go(worker, dt)
        await wg.await_()
        t = time.now()
        await wg.await_()
        return t
    assert run(main) == at(3)


def test_waitgroup_negative_counter_panics_in_async_goroutine():
    async def main():
        wg = sync.WaitGroup()
        with panics("sync: negative WaitGroup counter"):
            wg.done()
        wg.add(1)
        wg.done()
        await wg.await_()
    run(main)


@pytest.mark.skipif(golang._gevent, reason="thread goroutines are greenlets of the thread golang.run occupies")
@needs_threads
def test_waitgroup_is_shared_by_thread_and_async_waiters():
    async def main():
        wg = sync.WaitGroup()
        wg.add(2)
        out = chan(2)

        def thread_waiter():
            wg.wait()
            out.send('thread')

        async def async_waiter():
            await wg.await_()
            await out.asend('async')
        go(thread_waiter)
        go(async_waiter)

        def thread_worker():
            wg.done()
        go(thread_worker)
        wg.done()
        return {await out.arecv(), await out.arecv()}
    assert run(main, clock='real') == {'thread', 'async'}


@pytest.mark.skipif(golang._gevent, reason="thread goroutines are greenlets of the thread golang.run occupies")
@needs_threads
def test_guard_held_by_a_thread_does_not_make_async_add_raise():
    # WaitGroup.add (and unlock & co.) take a short internal guard. In an
    # async goroutine a blocking send would raise, so while a thread holds
    # the guard the async side must wait for it instead.
    async def main():
        for _ in range(20):
            wg = sync.WaitGroup()
            held = chan(1)

            def holder():
                wg._g.send(None)
                held.send(None)
                for _ in range(200):
                    pytime.sleep(0)     # hold it a while: make the race likely
                wg._g.recv()
            go(holder)
            await held.arecv()
            wg.add(1)
            wg.done()
            await wg.await_()
        return 'ok'
    assert run(main, clock='real') == 'ok'


# ---- WorkGroup ----

def test_workgroup_go_runs_async_function_as_async_goroutine_with_wctx():
    async def main():
        wg = sync.WorkGroup(bg)
        got = chan(3)

        async def f(ctx, i, k=None):
            await time.asleep(i)
            assert ctx.err() is None
            await got.asend((i, k, time.now(), isinstance(ctx, context.Context)))
        for i in range(3):
            wg.go(f, i, k='kw')
        await wg.await_()
        t = time.now()
        return sorted([await got.arecv() for _ in range(3)]), t
    r, t = run(main)
    assert r == [(i, 'kw', at(i), True) for i in range(3)]
    assert t == at(2)


def test_workgroup_first_async_error_cancels_wctx_and_is_reraised():
    async def main():
        wg = sync.WorkGroup(bg)
        seen = chan(2)

        async def waiter(ctx):
            await ctx.done().arecv()
            await seen.asend((ctx.err(), time.now()))

        async def failing(ctx):
            await time.asleep(5)
            raise ValueError('first')

        async def failing_later(ctx):
            await ctx.done().arecv()
            raise ValueError('second')
        wg.go(waiter)
        wg.go(failing)
        wg.go(failing_later)
        with pytest.raises(ValueError) as e:
            await wg.await_()
        return str(e.value), await seen.arecv(), time.now()
    msg, seen, t = run(main)
    assert msg == 'first'
    assert seen == (context.canceled, at(5))
    assert t == at(5)


def test_workgroup_async_error_keeps_the_traceback_from_f_down():
    async def main():
        wg = sync.WorkGroup(bg)

        async def f(ctx):
            here = 'f-local'        # noqa: F841
            await time.asleep(1)
            raise KeyError('k')
        wg.go(f)
        try:
            await wg.await_()
        except KeyError as e:
            return e
    e = run(main)
    tb = e.__traceback__
    frames = []
    while tb is not None:
        frames.append(tb.tb_frame)
        tb = tb.tb_next
    names = [f.f_code.co_name for f in frames]
    assert names[-1] == 'f'
    assert '_arun' not in names
    assert frames[-1].f_locals['here'] == 'f-local'


def test_workgroup_catches_baseexception_from_async_goroutine():
    async def main():
        wg = sync.WorkGroup(bg)

        async def f(ctx):
            raise MyError('base')
        wg.go(f)
        with pytest.raises(MyError):
            await wg.await_()
        return 'ok'
    assert run(main) == 'ok'


def test_workgroup_wctx_is_canceled_with_parent_and_after_await():
    async def main():
        pctx, pcancel = context.with_cancel(bg)
        wg = sync.WorkGroup(pctx)
        wctx = []

        async def f(ctx):
            wctx.append(ctx)
            await ctx.done().arecv()
        wg.go(f)
        await time.asleep(1)
        pcancel()
        await wg.await_()
        assert wctx[0].err() == context.canceled

        wg2 = sync.WorkGroup(bg)
        wg2.go(f)
        await time.asleep(1)
        assert wctx[1].err() is None
        wctx[1]._usercancel()       # let it finish
        await wg2.await_()
        assert wctx[1].err() == context.canceled
        return time.now()
    assert run(main) == at(2)


def test_async_with_workgroup_awaits_the_group_at_block_end():
    async def main():
        done = []

        async def f(ctx, dt):
            await time.asleep(dt)
            done.append(dt)
        async with sync.WorkGroup(bg) as wg:
            wg.go(f, 2)
            wg.go(f, 1)
        t = time.now()

        async def failing(ctx):
            raise ValueError('in group')
        with pytest.raises(ValueError, match='in group') as e:
            async with sync.WorkGroup(bg) as wg:
                wg.go(failing)
                raise KeyError('in block')
        assert isinstance(e.value.__context__, KeyError)
        return sorted(done), t
    assert run(main) == ([1, 2], at(2))


@pytest.mark.skipif(golang._gevent, reason="thread goroutines are greenlets of the thread golang.run occupies")
@needs_threads
def test_workgroup_mixes_thread_and_async_goroutines():
    async def main():
        wg = sync.WorkGroup(bg)
        out = chan(10)

        def tf(ctx, i):
            out.send(('thread', i))

        async def af(ctx, i):
            await out.asend(('async', i))
        for i in range(3):
            wg.go(tf, i)
            wg.go(af, i)
        await wg.await_()
        got = sorted([await out.arecv() for _ in range(6)])

        # an error from a thread goroutine cancels the async ones
        wg = sync.WorkGroup(bg)

        def tfail(ctx):
            raise ValueError('thread failed')

        async def await_cancel(ctx):
            await ctx.done().arecv()
        wg.go(await_cancel)
        wg.go(tfail)
        with pytest.raises(ValueError, match='thread failed'):
            await wg.await_()
        return got
    got = run(main, clock='real')
    assert got == sorted([(k, i) for k in ('thread', 'async') for i in range(3)])


@pytest.mark.skipif(golang._gevent, reason="thread goroutines are greenlets of the thread golang.run occupies")
@needs_threads
def test_workgroup_from_a_thread_runs_async_functions_on_the_background_executor():
    wg = sync.WorkGroup(bg)
    out = chan(3)

    async def f(ctx, i):
        await out.asend(i)
    for i in range(3):
        wg.go(f, i)
    wg.wait()
    assert sorted(out.recv() for _ in range(3)) == [0, 1, 2]

    async def failing(ctx):
        raise ValueError('bg failed')
    wg = sync.WorkGroup(bg)
    wg.go(failing)
    with pytest.raises(ValueError, match='bg failed'):
        wg.wait()


def test_workgroup_with_many_async_goroutines():
    async def main():
        total = [0]

        async def f(ctx, i):
            await time.asleep(i % 3)
            total[0] += i
        async with sync.WorkGroup(bg) as wg:
            for i in range(2000):
                wg.go(f, i)
        return total[0], time.now()
    assert run(main) == (2000 * 1999 // 2, at(2))


def test_blocking_sync_forms_in_async_goroutine_raise_runtimeerror():
    async def main():
        mu = sync.Mutex()
        await mu.alock()
        with pytest.raises(RuntimeError, match="would block"):
            mu.lock()
        wg = sync.WaitGroup()
        wg.add(1)
        with pytest.raises(RuntimeError, match="would block"):
            wg.wait()
        wg.done()
        return 'ok'
    assert run(main) == 'ok'


# ---- over many interleavings (golang.pytest_plugin's marker) ----

@pytest.mark.golang_seeds(50)
async def test_async_mutex_and_rwmutex_lose_no_update_under_any_interleaving():
    mu = sync.Mutex()
    rw = sync.RWMutex()
    count = [0, 0]
    seen = []

    async def inc(ctx):
        for _ in range(3):
            async with mu:
                v = count[0]
                await time.asleep(0)
                count[0] = v + 1
            async with rw:
                v = count[1]
                await time.asleep(0)
                count[1] = v + 1

    async def read(ctx):
        for _ in range(3):
            await rw.arlock()
            a = count[1]
            await time.asleep(0)
            seen.append(count[1] == a)      # no writer in between
            rw.runlock()
    async with sync.WorkGroup(bg) as wg:
        for _ in range(4):
            wg.go(inc)
            wg.go(read)
    assert count == [12, 12]
    assert all(seen) and len(seen) == 12
