#!/usr/bin/env python
# SPDX-License-Identifier: MIT OR Apache-2.0
"""chanbench_asyncio.py - the peer of chanbench_async.py: the same workloads
written with the standard library's asyncio (asyncio.Queue and tasks), for a
side-by-side run under the same interpreter (natively, or under Pyodide,
where both run on the same WebAssembly Python).

Usage and output as chanbench_async.py:

    python chanbench_asyncio.py [-count 5] [-benchtime 0.5] [-bench REGEXP] [-v]

What one "op" is (the closest asyncio has to each workload):

  ChanUnbufPingPong     one round trip over two asyncio.Queue(maxsize=1) (asyncio has
                        no unbuffered queue: a put does not wait for the get)
  ChanBuf128ProdCons    one element through asyncio.Queue(128), producer task to main
  Select2Ready          (no select in asyncio: not run)
  SelectDefaultIdle     one poll of two empty queues: get_nowait() twice, QueueEmpty each
  GoSpawnJoin           one create_task(f(i)) whose f puts i on a queue, got by main
                        (in batches of 100)
  WorkGroup100          one asyncio.TaskGroup with 100 tasks, awaited
  ContextCancel         one asyncio.Event: set(), then `await ev.wait()`

Each run is one loop.run_until_complete(bench(n)) on a fresh event loop:
natively asyncio's default loop; under Pyodide (whose own loop, WebLoop,
cannot run to completion synchronously) a loop of asyncio's own base class
without IO, so that the same pure-Python scheduler is measured.
"""

import asyncio
import sys
import time as _stdtime

import chanbench_async as _driver

_clock = _stdtime.perf_counter


async def bench_ChanUnbufPingPong(n):
    ping, pong = asyncio.Queue(1), asyncio.Queue(1)

    async def peer():
        while True:
            v = await ping.get()
            if v is None:
                return
            await pong.put(v)
    t = asyncio.get_running_loop().create_task(peer())
    await ping.put(0)
    await pong.get()
    t0 = _clock()
    for i in range(n):
        await ping.put(i + 1)
        await pong.get()
    t1 = _clock()
    await ping.put(None)
    await t
    return t1 - t0


async def bench_ChanBuf128ProdCons(n):
    q = asyncio.Queue(128)
    start = asyncio.Event()
    end = object()

    async def producer():
        await start.wait()
        for i in range(n):
            await q.put(i)
        await q.put(end)
    t = asyncio.get_running_loop().create_task(producer())
    t0 = _clock()
    start.set()
    k = 0
    while (await q.get()) is not end:
        k += 1
    t1 = _clock()
    await t
    assert k == n, (k, n)
    return t1 - t0


async def bench_SelectDefaultIdle(n):
    a, b = asyncio.Queue(), asyncio.Queue()
    empty = asyncio.QueueEmpty
    t0 = _clock()
    for i in range(n):
        try:
            a.get_nowait()
        except empty:
            try:
                b.get_nowait()
            except empty:
                pass
    t1 = _clock()
    return t1 - t0


async def bench_GoSpawnJoin(n):
    q = asyncio.Queue(100)
    loop = asyncio.get_running_loop()

    async def f(i):
        await q.put(i)
    t0 = _clock()
    left = n
    while left > 0:
        k = min(left, 100)
        for i in range(k):
            loop.create_task(f(i))
        for i in range(k):
            await q.get()
        left -= k
    t1 = _clock()
    return t1 - t0


async def bench_WorkGroup100(n):
    async def f():
        pass
    t0 = _clock()
    for i in range(n):
        async with asyncio.TaskGroup() as tg:
            for j in range(100):
                tg.create_task(f())
    t1 = _clock()
    return t1 - t0


async def bench_ContextCancel(n):
    t0 = _clock()
    for i in range(n):
        ev = asyncio.Event()
        ev.set()
        await ev.wait()
    t1 = _clock()
    return t1 - t0


BENCHMARKS = [
    ('ChanUnbufPingPong',   bench_ChanUnbufPingPong),
    ('ChanBuf128ProdCons',  bench_ChanBuf128ProdCons),
    ('SelectDefaultIdle',   bench_SelectDefaultIdle),
    ('GoSpawnJoin',         bench_GoSpawnJoin),
    ('WorkGroup100',        bench_WorkGroup100),
    ('ContextCancel',       bench_ContextCancel),
]


class _NoIOSelector(object):
    """What asyncio's base loop asks of a selector, for a loop without IO."""

    def select(self, timeout=None):
        if timeout:
            _stdtime.sleep(timeout)
        return []


class _NoIOLoop(asyncio.BaseEventLoop):
    """asyncio's own scheduler, without IO (for Pyodide)."""

    def __init__(self):
        super().__init__()
        self._selector = _NoIOSelector()

    def _process_events(self, event_list):
        pass

    def _write_to_self(self):
        pass


def _new_loop():
    if sys.platform == 'emscripten':
        return _NoIOLoop()
    return asyncio.new_event_loop()


def _run(bench, n):
    loop = _new_loop()
    # (Pyodide marks its WebLoop as always running in the main thread)
    outer = asyncio.events._get_running_loop()
    asyncio.events._set_running_loop(None)
    try:
        return loop.run_until_complete(bench(n))
    finally:
        loop.close()
        asyncio.events._set_running_loop(outer)


if __name__ == '__main__':
    _driver.main(sys.argv[1:], BENCHMARKS, _run, 'asyncio: %s' % sys.version.split()[0])
