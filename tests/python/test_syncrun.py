"""Synchronous goroutines in a deterministic run (golang/_syncrun.py,
targets/native/src/syncrun.rs): a program written for threads runs
unchanged under golang.run(main, seed=N), on the run's virtual clock,
reproducibly."""

import sys
import time as stdtime

import pytest

import golang
from golang import chan, context, func, defer, go, select, sync, time

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="synchronous goroutines need greenlet and the native core")


def threaded_program(nworkers=4):
    """A Pygolang program written for threads: workers, a select loop, a
    mutex-protected counter, a WaitGroup, a context timeout, a ticker."""
    trace = []
    results = chan()
    done = chan()

    def worker(i):
        for k in range(3):
            results.send((i, k))
            time.sleep(0.01 * (i + 1))
        done.send(i)

    for i in range(nworkers):
        go(worker, i)
    finished = 0
    while finished < nworkers:
        idx, v = select(results.recv, done.recv)
        trace.append(('done', v) if idx == 1 else v)
        finished += idx == 1

    mu = sync.Mutex()
    wg = sync.WaitGroup()
    count = [0]

    def inc():
        for _ in range(50):
            mu.lock()
            c = count[0]
            time.sleep(0)       # a scheduling point inside the critical section
            count[0] = c + 1
            mu.unlock()
        wg.done()

    for _ in range(4):
        wg.add(1)
        go(inc)
    wg.wait()
    trace.append(('count', count[0]))

    ctx, cancel = context.with_timeout(context.background(), 0.5)
    t0 = time.now()
    ctx.done().recv()
    trace.append(('ctx', str(ctx.err()), time.now() - t0))
    cancel()

    tk = time.Ticker(0.1)
    ticks = [tk.c.recv() for _ in range(3)]
    tk.stop()
    trace.append(('ticks', [round(t - t0, 6) for t in ticks]))
    return trace


def test_same_seed_same_trace_and_seeds_differ():
    traces = [golang.run(threaded_program, seed=s) for s in (1, 1, 2, 3, 4, 5)]
    assert traces[0] == traces[1]
    assert len({repr(t) for t in traces[1:]}) > 1, "every seed gave the same interleaving"
    for t in traces:
        assert ('count', 200) in t
        assert ('ctx', 'deadline exceeded', 0.5) in t      # exactly: the virtual clock


def test_sleep_is_virtual_and_time_now_moves_with_it():
    def main():
        t0 = time.now()
        time.sleep(3600)
        return time.now() - t0

    w0 = stdtime.monotonic()
    assert golang.run(main, seed=1) == 3600.0
    assert stdtime.monotonic() - w0 < 30        # (an hour of virtual time)


def test_main_args_and_return_value():
    def main(a, b):
        return a + b
    assert golang.run(main, 2, 3, seed=7) == 5


def test_deadlock_names_the_goroutines_and_what_they_wait_on():
    def main():
        ch = chan()

        def stuck_sender():
            ch.send(1)
            ch.send(2)
        go(stuck_sender)
        ch.recv()
        chan().recv()

    with pytest.raises(golang.DeadlockError) as exc:
        golang.run(main, seed=3)
    msg = str(exc.value)
    assert "all goroutines are asleep - deadlock!" in msg
    assert "[chan receive]" in msg
    assert "[chan send]" in msg and "stuck_sender" in msg
    # under each goroutine, where in this file it waits (as Go prints its stack)
    lines = msg.splitlines()
    here = __file__.rstrip('c')
    for header in ("[chan receive]: main", "[chan send]: " + "test_deadlock_names"):
        i = next(i for i, l in enumerate(lines) if header in l)
        assert lines[i + 1].startswith('\t' + here + ':'), (header, msg)


def test_go_panic_is_raised_in_the_goroutine_and_can_be_recovered():
    @func
    def main():
        ch = chan(1)
        ch.close()
        got = []

        @func
        def sender():
            defer(lambda: got.append(golang.recover()))
            ch.send(1)
        sender()
        return got

    (e,) = golang.run(main, seed=1)
    assert str(e) == "send on closed channel"


def test_an_exception_escaping_a_goroutine_fails_the_run_with_its_seed():
    def main():
        def bad():
            raise ValueError("boom")
        go(bad)
        time.sleep(1)

    with pytest.raises(ValueError, match="boom") as exc:
        golang.run(main, seed=11)
    assert exc.value.golang_seed == '11'


def test_sync_and_async_goroutines_mix_in_one_run():
    async def amain():
        ch = chan()
        go(lambda: ch.send(('sync', time.now())))   # a plain function: synchronous goroutine
        await time.asleep(1)
        return await ch.arecv()

    who, t = golang.run(amain, seed=1)
    assert who == 'sync'

    def main():
        ch = chan()

        async def asender():
            await ch.asend('async')
        go(asender)
        return ch.recv()

    assert golang.run(main, seed=1) == 'async'


def test_workgroup_go_of_a_plain_function_inside_a_run():
    def main():
        wg = sync.WorkGroup(context.background())
        out = chan(10)

        def work(ctx, i):
            time.sleep(i)
            out.send(i)
        for i in range(3):
            wg.go(work, i)
        wg.wait()
        return sorted(out.recv() for _ in range(3))

    assert golang.run(main, seed=5) == [0, 1, 2]


def test_workgroup_error_cancels_the_others_inside_a_run():
    def main():
        wg = sync.WorkGroup(context.background())

        def fails(ctx):
            time.sleep(1)
            raise KeyError("first")

        def waits(ctx):
            ctx.done().recv()
        wg.go(fails)
        wg.go(waits)
        wg.wait()

    with pytest.raises(KeyError, match="first"):
        golang.run(main, seed=2)


def test_blocking_call_in_an_async_goroutine_still_asks_to_await():
    async def amain():
        ch = chan(1)
        ch.send(1)                  # completes at once: allowed
        assert ch.recv() == 1
        with pytest.raises(RuntimeError, match="await the async form"):
            ch.recv()               # would block the executor
        with pytest.raises(RuntimeError, match="asleep"):
            time.sleep(1)
        return 'ok'

    assert golang.run(amain, seed=1) == 'ok'


def test_a_goroutine_that_never_blocks_does_not_starve_the_others():
    def main():
        stop = chan()
        spins = [0]

        def spinner():
            while True:
                idx, _ = select(stop.recv, golang.default)
                if idx == 0:
                    return
                spins[0] += 1
        go(spinner)
        time.sleep(0)
        stop.close()
        return 'stopped'

    assert golang.run(main, seed=4) == 'stopped'


@pytest.mark.golang_seeds(5)
def test_plain_def_test_under_the_seeds_marker():
    ch = chan()
    go(lambda: ch.send(time.now()))
    t0 = time.now()
    time.sleep(2)
    assert ch.recv() == t0
    assert time.now() - t0 == 2.0


NO_GREENLET_PROG = '''
import sys
sys.modules['greenlet'] = None          # as if not installed
import golang
from golang import go, chan

async def amain():
    ch = chan()
    go(lambda: ch.send('thread goroutine'))     # an OS thread, as outside a run
    return await ch.arecv()
print(golang.run(amain, seed=1, clock='real'))
try:
    golang.run(lambda: 1, seed=1)
except ValueError as e:
    print('refused:', e)
'''


def test_without_greenlet_plain_goroutines_in_a_run_are_threads_and_plain_main_is_refused():
    import os
    import subprocess
    py = sys.executable     # plain python: gpython would import gevent (greenlet) first
    if os.path.basename(py).startswith('gpython'):
        py = os.path.join(os.path.dirname(py), 'python')
    p = subprocess.run([py, '-c', NO_GREENLET_PROG], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = p.stdout.splitlines()
    assert out[0] == 'thread goroutine'
    assert out[1].startswith('refused: golang.run: main must be an async function'), out


def test_a_goroutine_left_waiting_when_the_run_ends_gets_generatorexit_where_it_waits():
    log = []

    def main():
        ch = chan()

        def waiter():
            try:
                ch.recv()
            except BaseException as e:
                log.append(type(e).__name__)
                raise
            finally:
                log.append('finally')
        go(waiter)
        time.sleep(1)       # the waiter waits; main returns without it
        return 'main done'

    assert golang.run(main, seed=1) == 'main done'
    assert log == ['GeneratorExit', 'finally']


def _same_name_deadlock():
    a, b = chan(), chan()

    def waiter(i):
        if i % 2:
            a.recv()        # WAIT-ODD
        else:
            b.send(i)       # WAIT-EVEN
    for i in range(6):
        go(waiter, i)
    chan().recv()           # WAIT-MAIN


def test_deadlock_report_puts_each_goroutines_location_under_it_when_names_repeat():
    # goroutines of one function wait on different lines: each location
    # goes under its own goroutine's header (matched by goroutine id), for
    # every interleaving
    src = open(__file__.rstrip('c')).read().splitlines()
    line = {tag: next(i + 1 for i, l in enumerate(src) if l.rstrip().endswith('# ' + tag))
            for tag in ('WAIT-ODD', 'WAIT-EVEN', 'WAIT-MAIN')}
    for seed in range(10):
        with pytest.raises(golang.DeadlockError) as exc:
            golang.run(_same_name_deadlock, seed=seed)
        lines = str(exc.value).splitlines()
        headers = [i for i, l in enumerate(lines) if l.startswith('goroutine ')]
        assert len(headers) == 1 + 6, str(exc.value)
        for i in headers:
            where = lines[i + 1]
            assert where.startswith('\t'), str(exc.value)
            waits = '[chan receive]' in lines[i]
            tag = 'WAIT-MAIN' if lines[i].endswith(': main') else \
                ('WAIT-ODD' if waits else 'WAIT-EVEN')
            assert where.endswith(':%d' % line[tag]), (seed, lines[i], where, str(exc.value))


def test_a_plain_function_that_returns_a_coroutine_is_awaited_by_its_goroutine():
    async def asend(ch, v):
        await time.asleep(0.5)
        await ch.asend(v)

    async def twice(x):
        await time.asleep(0.1)
        return 2 * x

    def main():
        ch = chan()
        go(lambda: asend(ch, 'from a coroutine'))
        got = ch.recv()
        return got, twice       # (a function, not a coroutine: returned as is)

    got, f = golang.run(main, seed=2)
    assert got == 'from a coroutine' and f.__name__ == 'twice'
    assert golang.run(lambda: twice(21), seed=2) == 42


# A thread that the run started may still wake a goroutine on the virtual
# clock (run.rs: the executor asks _syncrun._outside_wait before it reports
# a deadlock). Each program runs in a subprocess under a timeout: a false
# DeadlockError would leave the thread stuck in its send.
OUTSIDE_PROG = r"""
import sys, threading
import golang
from golang import chan
from golang._golang_test import pywaitBlocked

def sync_main():
    c = chan()
    def th():
        pywaitBlocked(c.recv)       # main waits first: every goroutine waits
        c.send(5)
    t = threading.Thread(target=th)
    t.start()
    v = c.recv()
    t.join()
    return v

async def async_main():
    c = chan()
    def th():
        pywaitBlocked(c.recv)
        c.send(7)
    t = threading.Thread(target=th)
    t.start()
    v = await c.arecv()
    t.join()
    return v

def finished_thread_main():
    c = chan()
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()
    c.recv()                        # nobody can send: a deadlock

def daemon_thread_main():
    c = chan()
    stop = threading.Event()
    t = threading.Thread(target=stop.wait, daemon=True)
    t.start()
    try:
        c.recv()                    # a daemon thread does not count
    finally:
        stop.set()

for seed in range(3):
    print(golang.run(sync_main, seed=seed), golang.run(async_main, seed=seed))
for main in (finished_thread_main, daemon_thread_main):
    try:
        golang.run(main, seed=1)
    except golang.DeadlockError as e:
        print(type(e).__name__)
"""


@pytest.mark.skipif(golang._gevent, reason="gevent's threads are greenlets of the run's thread: "
                    "they run only in a real-clock run")
def test_a_thread_started_by_the_run_may_still_wake_a_goroutine_on_the_virtual_clock():
    import subprocess
    p = subprocess.run([sys.executable, '-c', OUTSIDE_PROG], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.split('\n') == ['5 7'] * 3 + ['DeadlockError'] * 2 + ['']
