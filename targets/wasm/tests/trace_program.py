"""A goroutine program whose event trace depends on every scheduling
decision, select choice and timer of the run: goroutines racing on
channels, a select loop with several ready cases, timers, a ticker, a
context deadline and a WorkGroup. Run under golang.run(seed=N) it prints
one line per seed with the trace.

The cross-target test runs it natively and under Pyodide (the WebAssembly
core) and requires the same output: the same seed gives the same trace on
both targets.

    python trace_program.py SEED [SEED...]
"""

import sys

import golang
from golang import go, chan, aselect
from golang import context, sync, time

T0 = 1700000000.0


async def main():
    log = []

    def ev(*what):
        # (microseconds: a deadline given in float seconds may land a
        # nanosecond apart when one core converts it in Rust and the other
        # in Python; the order of events is what must match exactly)
        log.append(what + (round(time.now() - T0, 6),))

    a, b = chan(), chan(2, dtype='C.int')
    done = chan(dtype='C.structZ')

    async def producer(name, ch, n):
        for i in range(n):
            if i % 3 == 2:
                await time.asleep(0.001)
            await ch.asend(i)
            ev(name, 'sent', i)
        ev(name, 'done')

    go(producer, 'p1', a, 6)
    go(producer, 'p2', a, 6)
    go(producer, 'p3', b, 6)

    tk = time.Ticker(0.0015)
    got = 0
    ticks = 0
    while got < 18:
        i, v = await aselect(a.recv, b.recv, tk.c.recv)
        if i == 2:
            ticks += 1
            ev('tick', ticks)
        else:
            got += 1
            ev('recv', 'ab'[i], v)
    tk.stop()

    # racing closers: who closes first is up to the schedule
    closed = []

    async def closer(k):
        await time.asleep(0)
        if not closed:
            closed.append(k)
            done.close()
            ev('closed-by', k)
    for k in range(4):
        go(closer, k)
    _, ok = await done.arecv_()
    ev('done-ok', ok)

    ctx, cancel = context.with_timeout(context.background(), 0.005)
    t = time.Timer(0.002)
    i, _ = await aselect(ctx.done().recv, t.c.recv)
    ev('first', i)
    await ctx.done().arecv()
    ev('ctx', str(ctx.err()))
    cancel()

    wg = sync.WorkGroup(context.background())
    res = chan(10)

    async def work(wctx, k):
        await time.asleep(0.0001 * (k % 4))
        await res.asend(k)
    for k in range(10):
        wg.go(work, k)
    await wg.await_()
    order = [await res.arecv() for _ in range(10)]
    ev('wg', tuple(order))
    return log


if __name__ == '__main__':
    for s in sys.argv[1:]:
        print(s, golang.run(main, seed=int(s)))
