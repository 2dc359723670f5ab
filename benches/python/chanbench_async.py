#!/usr/bin/env python
# SPDX-License-Identifier: MIT OR Apache-2.0
"""chanbench_async.py - the chanbench.py micro-benchmarks written with the
async API of this project's golang package (async goroutines on the Rust
executor), to compare with chanbench.py run on Pygolang (threads under
python, gevent greenlets under gpython).

Usage:

    python chanbench_async.py [-count 5] [-benchtime 0.5] [-bench REGEXP] [-v] [-seed N]

Output: one line per benchmark in Go benchmark format, as chanbench.py

    BenchmarkName<TAB>N<TAB>X ns/op

where N is the iteration count (auto-calibrated, Go-style, so that one run
lasts about -benchtime seconds) and X is the minimum over -count runs of
(elapsed / N). Diagnostics go to stderr.

Each run of a benchmark is one `golang.run(bench, n, clock='real',
seed=SEED)`: the benchmark body is the main goroutine, every goroutine it
starts is an async goroutine on the same executor, and the time is measured
inside it with the stdlib clock (starting the executor is not counted).

What one "op" is, per benchmark (as in chanbench.py, with the async forms):

  ChanUnbufPingPong     one round trip: main `await ping.asend(i)` + `await pong.arecv()`;
                        peer `await ping.arecv_()` + `await pong.asend(v)` (2 handoffs)
  ChanBuf128ProdCons    one element through chan(128): producer `await ch.asend(i)`,
                        main `await ch.arecv_()`
  Select2Ready          one `await aselect(a.recv, b.recv)` with both chans ready
  SelectDefaultIdle     one `await aselect(a.recv, b.recv, default)` with nothing ready
  GoSpawnJoin           one `go(async_f, i)` whose f does `await ch.asend(i)`, received
                        by main (in batches of 100, as chanbench.py)
  WorkGroup100          one sync.WorkGroup(ctx) lifecycle: 100 x wg.go(async_f) +
                        `await wg.await_()`
  ContextCancel         one context.with_cancel(bg) + cancel() + `await ctx.done().arecv()`
"""

from __future__ import print_function, absolute_import, division

import sys, re, gc
import time as _stdtime                 # stdlib clock only (not golang.time)

import golang
from golang import go, chan, aselect, default
from golang import sync, context

_clock = _stdtime.perf_counter


# ---- benchmarks ----
# each bench_X(n) is a coroutine function that performs n ops and returns
# the elapsed seconds for them (setup that is not part of an op excluded).

async def bench_ChanUnbufPingPong(n):
    ping = chan()
    pong = chan()
    done = chan()

    async def peer():
        while 1:
            v, ok = await ping.arecv_()
            if not ok:
                break
            await pong.asend(v)
        done.close()
    go(peer)
    # warm: make sure peer is running before we start the clock
    await ping.asend(0)
    await pong.arecv()
    t0 = _clock()
    for i in range(n):
        await ping.asend(i)
        await pong.arecv()
    t1 = _clock()
    ping.close()
    await done.arecv()
    return t1 - t0


async def bench_ChanBuf128ProdCons(n):
    ch = chan(128)
    start = chan()

    async def producer():
        await start.arecv()
        for i in range(n):
            await ch.asend(i)
        ch.close()
    go(producer)
    t0 = _clock()
    start.close()
    k = 0
    while 1:
        _, ok = await ch.arecv_()
        if not ok:
            break
        k += 1
    t1 = _clock()
    assert k == n, (k, n)
    return t1 - t0


async def bench_Select2Ready(n):
    # both channels hold n items, so whichever way select picks for n
    # iterations, neither channel can become empty -> both always ready.
    a = chan(n)
    b = chan(n)
    for i in range(n):
        await a.asend(i)
        await b.asend(i)
    t0 = _clock()
    for i in range(n):
        _, _ = await aselect(a.recv, b.recv)
    t1 = _clock()
    return t1 - t0


async def bench_SelectDefaultIdle(n):
    a = chan()
    b = chan()
    t0 = _clock()
    for i in range(n):
        _, _ = await aselect(a.recv, b.recv, default)
    t1 = _clock()
    return t1 - t0


_SPAWN_BATCH = 100


async def bench_GoSpawnJoin(n):
    ch = chan(_SPAWN_BATCH)

    async def f(i):
        await ch.asend(i)
    t0 = _clock()
    left = n
    while left > 0:
        k = min(left, _SPAWN_BATCH)
        for i in range(k):
            go(f, i)
        for i in range(k):
            await ch.arecv()
        left -= k
    t1 = _clock()
    return t1 - t0


async def bench_WorkGroup100(n):
    bg = context.background()

    async def f(ctx):
        pass
    t0 = _clock()
    for i in range(n):
        wg = sync.WorkGroup(bg)
        for j in range(100):
            wg.go(f)
        await wg.await_()
    t1 = _clock()
    return t1 - t0


async def bench_ContextCancel(n):
    bg = context.background()
    t0 = _clock()
    for i in range(n):
        ctx, cancel = context.with_cancel(bg)
        cancel()
        await ctx.done().arecv()
    t1 = _clock()
    return t1 - t0


BENCHMARKS = [
    ('ChanUnbufPingPong',   bench_ChanUnbufPingPong),
    ('ChanBuf128ProdCons',  bench_ChanBuf128ProdCons),
    ('Select2Ready',        bench_Select2Ready),
    ('SelectDefaultIdle',   bench_SelectDefaultIdle),
    ('GoSpawnJoin',         bench_GoSpawnJoin),
    ('WorkGroup100',        bench_WorkGroup100),
    ('ContextCancel',       bench_ContextCancel),
]


# ---- driver (Go-like auto-calibration of N, as chanbench.py) ----

SEED = 1
# golang.run's clock: the benchmarks never sleep, so the clock only decides
# which executor runs them. Under Pyodide a real-clock run would block the
# JavaScript event loop and is refused: there the virtual clock is used.
CLOCK = 'virtual' if sys.platform == 'emscripten' else 'real'


def _run(bench, n):
    return golang.run(bench, n, clock=CLOCK, seed=SEED)


def _round_up(n):
    # round n up to 1,2,3,5 x 10^k like Go's testing package
    base = 1
    while base * 10 <= n:
        base *= 10
    for m in (1, 2, 3, 5, 10):
        if n <= m * base:
            return m * base
    return 10 * base


def calibrate(bench, benchtime, run=None):
    run = run or _run
    n = 1
    while 1:
        gc.collect()
        dt = run(bench, n)
        if dt >= benchtime or n >= 10**9:
            return n
        if dt <= 0:
            nn = n * 100
        else:
            nn = int(n * benchtime * 1.2 / dt)
        nn = max(min(nn, 100 * n), n + 1)
        n = _round_up(nn)


def main(argv, benchmarks=None, run=None, what=None):
    """Runs the benchmarks (by default this file's, each in golang.run);
    chanbench_asyncio.py passes its own, with how to run one and what to
    say in the header."""
    global SEED
    count = 5
    benchtime = 0.5
    pattern = '.'
    verbose = False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ('-count', '--count'):
            count = int(argv[i+1]); i += 2
        elif a in ('-benchtime', '--benchtime'):
            benchtime = float(argv[i+1].rstrip('s')); i += 2
        elif a in ('-bench', '--bench'):
            pattern = argv[i+1]; i += 2
        elif a in ('-seed', '--seed'):
            SEED = int(argv[i+1]); i += 2
        elif a in ('-v', '--verbose'):
            verbose = True; i += 1
        elif a in ('-h', '--help'):
            print(__doc__); return
        else:
            raise SystemExit('unknown argument %r' % a)

    sys.stderr.write('# python: %s\n' % sys.version.replace('\n', ' '))
    sys.stderr.write('# %s\n' % (what or 'golang: %s async goroutines, golang.run(clock=%s, seed=%d)'
                                  % (golang.__file__, CLOCK, SEED)))
    sys.stderr.write('# count: %d  benchtime: %gs\n' % (count, benchtime))

    rx = re.compile(pattern)
    run = run or _run
    for name, bench in (benchmarks or BENCHMARKS):
        if not rx.search(name):
            continue
        n = calibrate(bench, benchtime, run)
        runs = []
        for _ in range(count):
            gc.collect()
            dt = run(bench, n)
            runs.append(dt * 1e9 / n)
        if verbose:
            sys.stderr.write('# %s N=%d runs(ns/op)=%s\n' %
                    (name, n, ' '.join('%.1f' % r for r in runs)))
        print('Benchmark%s\t%d\t%.1f ns/op' % (name, n, min(runs)))
        sys.stdout.flush()


if __name__ == '__main__':
    main(sys.argv[1:])
