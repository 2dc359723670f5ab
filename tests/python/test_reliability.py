# SPDX-License-Identifier: MIT OR Apache-2.0
"""Regressions of issue 17: lost timer functions, leaks, hangs, signals and
bad input that used to fail late or as a Rust panic. Each test runs under
python (thread runtime) and gpython (gevent runtime); hangs are checked in a
subprocess under a timeout, leaks by RSS over a bounded loop."""

import gc
import math
import os
import signal
import subprocess
import sys
import textwrap
import time as _stdtime

import pytest

import golang
from golang import chan, context, go, sync, time, _PanicError
from _golang_testutil import PYODIDE, needs_threads, pyrun, panics


def _rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')


needs_proc = pytest.mark.skipif(not os.path.exists('/proc/self/statm'), reason="needs /proc (RSS)")


# --- 1: after_func's stop racing the expiry --------------------------------

@needs_threads
def test_after_func_stop_false_means_f_has_run_or_will_run():
    for _ in range(5):
        ran = set()
        done = chan(1000)

        def mk(i):
            def f():
                ran.add(i)
                done.send(i)
            return f
        ts = [time.after_func(0.001, mk(i)) for i in range(300)]
        _stdtime.sleep(0.0012)
        res = [t.stop() for t in ts]
        # every f whose stop said False must run: wait for exactly those
        # (bounded: a lost f fails the test instead of hanging it)
        deadline = time.after(30)
        for _ in range(res.count(False)):
            if golang.select(done.recv, deadline.recv)[0] == 1:
                break
        assert not [i for i in range(300) if not res[i] and i not in ran]
        assert not [i for i in range(300) if res[i] and i in ran]


# --- 2: dropped never-cancelled child contexts ------------------------------

@needs_proc
@pytest.mark.parametrize('make', ['with_cancel', 'merge'])
def test_dropped_parent_and_never_cancelled_child_do_not_leak(make):
    bg = context.background()

    def pair(i):
        p, pc = context.with_cancel(bg)
        c, cc = context.with_cancel(p) if make == 'with_cancel' else context.merge(p, bg)
        c.done()
        if i % 2:           # drop in both orders
            del cc
        del c
    for i in range(5000):
        pair(i)
    gc.collect()
    r0 = _rss()
    for i in range(50000):
        pair(i)
    gc.collect()
    grown = _rss() - r0
    assert grown < 15e6, "50k dropped context pairs grew RSS by %.1f MB" % (grown / 1e6)


def test_dropped_child_whose_done_is_held_is_still_closed_by_its_parent():
    p, pc = context.with_cancel(context.background())
    c, cc = context.with_cancel(p)
    d = c.done()
    del c, cc
    gc.collect()
    from golang import select, default
    assert select(d.recv, default)[0] == 1     # not closed by being dropped
    pc()
    d.recv()            # closed by the parent's cancel


# --- 7: see test_async.py (args intact, seed in a note) ---------------------

# --- 8: cancel after done() was closed by hand ------------------------------

def test_cancel_after_done_closed_by_hand_is_gos_panic_not_a_rust_panic():
    ctx, cancel = context.with_cancel(context.background())
    kid, _ = context.with_cancel(ctx)
    ctx.done().close()
    with panics("close of closed channel"):
        cancel()
    assert ctx.err() is context.canceled       # cancelled all the same
    assert kid.err() is context.canceled
    cancel()                                    # already cancelled: nothing to close


# --- 9: bad functions are refused at the call -------------------------------

@pytest.mark.parametrize('call', [
    lambda: go(123),
    lambda: time.after_func(0.01, 5),
    lambda: time.Timer(0.01, f=5),
], ids=['go', 'after_func', 'Timer'])
def test_non_callable_f_is_a_type_error_at_the_call(call):
    with pytest.raises(TypeError, match=r"f must be callable, not int"):
        call()


# --- 10: NaN durations and WaitGroup overflow -------------------------------

NAN = float('nan')


@pytest.mark.parametrize('call', [
    lambda: time.sleep(NAN),
    lambda: time.after(NAN),
    lambda: time.after_func(NAN, lambda: None),
    lambda: time.Timer(NAN),
    lambda: time.Ticker(NAN),
    lambda: time.tick(NAN),
    lambda: context.with_timeout(context.background(), NAN),
    lambda: context.with_deadline(context.background(), NAN),
], ids=['sleep', 'after', 'after_func', 'Timer', 'Ticker', 'tick', 'with_timeout', 'with_deadline'])
def test_nan_duration_is_a_value_error_everywhere(call):
    with pytest.raises(ValueError, match="NaN"):
        call()


def test_nan_reset_and_asleep_are_value_errors():
    t = time.Timer(10)
    t.stop()
    with pytest.raises(ValueError, match="NaN"):
        t.reset(NAN)

    async def main():
        await time.asleep(NAN)
    with pytest.raises(ValueError, match="NaN"):
        golang.run(main, seed=1)


def test_waitgroup_add_beyond_its_counter_is_an_overflow_error():
    wg = sync.WaitGroup()
    with pytest.raises(OverflowError):
        wg.add(2**70)
    wg.add(1)           # the WaitGroup still works
    wg.done()
    wg.wait()


# --- 4: Ctrl-C during a real-clock golang.run -------------------------------

@needs_threads
@pytest.mark.parametrize('runtime', ['threads', 'gevent'])
@pytest.mark.parametrize('park', [
    'await chan().arecv()',
    'await golang.aselect(chan().recv, chan().recv)',
    'await time.asleep(3600)',
], ids=['arecv', 'aselect', 'asleep'])
def test_ctrl_c_ends_a_real_clock_run_parked_on_main(park, runtime):
    if runtime == 'gevent':
        pytest.importorskip('gevent')
    code = textwrap.dedent('''
        import sys, golang
        from golang import chan, time
        async def main():
            print("ready", flush=True)
            %s
        golang.run(main, clock='real')
    ''') % park
    p = subprocess.Popen(_RUNTIMES[runtime] + [code],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        _stdtime.sleep(0.1)     # (let it park: a signal before that is a KeyboardInterrupt too)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        p.kill()
        p.wait()
    assert "KeyboardInterrupt" in err, err
    assert p.returncode != 0


# --- 11: a signal handler's exception while a blocked recv completes --------

@needs_threads
@pytest.mark.skipif(golang._gevent, reason="the thread runtime's blocking wait (gevent's hub runs handlers itself)")
def test_handler_exception_during_a_completing_recv_is_raised_and_the_value_kept():
    import threading
    from _golang_testutil import len_recvq, wait_until
    c = chan()

    def handler(signum, frame):
        c.send(42)      # completes the recv that this handler interrupts
        raise ValueError("from handler")
    old = signal.signal(signal.SIGUSR1, handler)
    try:
        def kill():
            wait_until(lambda: len_recvq(c) == 1, "main blocks in recv")
            os.kill(os.getpid(), signal.SIGUSR1)
        threading.Thread(target=kill).start()
        with pytest.raises(ValueError, match="from handler"):
            c.recv()
        # the value was not lost: it went back to the channel
        from golang import select, default
        assert select(c.recv, default) == (0, 42)
    finally:
        signal.signal(signal.SIGUSR1, old)


# --- 3: chans in reference cycles are collected -----------------------------

@pytest.mark.parametrize('cycle', ['self', 'list'])
def test_chan_in_a_reference_cycle_is_collected(cycle):
    import weakref
    c = chan(2)
    if cycle == 'self':
        c.send(c)
    else:
        l = [c]
        c.send(l)
        del l
    w = weakref.ref(c)
    del c
    gc.collect()
    assert w() is None


# --- 5: fork() after the runtime's threads started --------------------------

_PY = getattr(sys, '_gpy_underlying_executable', sys.executable)
_RUNTIMES = {
    'threads': [_PY, '-c'],
    'gevent': [_PY, '-m', 'golang.cmd.gpython', '-c'],
}


def _run_code(runtime, code, timeout=60):
    try:
        import gevent   # noqa: F401
    except ImportError:
        if runtime == 'gevent':
            pytest.skip("needs gevent")
    env = os.environ.copy()
    env.pop('PYTHONWARNINGS', None)
    return subprocess.run(_RUNTIMES[runtime] + [textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env)


@needs_threads
@pytest.mark.parametrize('runtime', ['threads', 'gevent'])
def test_forked_child_starts_the_runtime_afresh(runtime):
    r = _run_code(runtime, '''
        import os
        from golang import go, chan, time, context
        async def a(ch):
            await ch.asend(2)
        # start the parent's runtime threads: background executor, timers, pool
        time.after(0.001).recv()
        c = chan(); go(lambda: c.send(1)); c.recv()
        ch = chan(); go(a, ch); ch.recv()
        pid = os.fork()
        if pid == 0:
            try:
                assert time.after(0.01).recv() > 0
                d = chan(1); time.after_func(0.01, lambda: d.send(3)); assert d.recv() == 3
                ctx, _ = context.with_timeout(context.background(), 0.01)
                ctx.done().recv(); assert ctx.err() is context.deadlineExceeded
                ch = chan(); go(a, ch); assert ch.recv() == 2
                c = chan(); go(lambda: c.send(1)); assert c.recv() == 1
                print("child ok", flush=True)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        print("parent ok")
    ''')
    assert r.stdout.split() == ['child', 'ok', 'parent', 'ok'], r.stderr


@needs_threads
def test_multiprocessing_fork_pool_uses_timers_in_its_workers():
    r = _run_code('threads', '''
        import multiprocessing as mp
        from golang import go, chan, time
        def work(x):
            c = chan(1)
            time.after_func(0.001, lambda: c.send(x * 2))
            return c.recv()
        if __name__ == '__main__':
            time.after(0.001).recv()
            c = chan(); go(lambda: c.send(1)); c.recv()
            with mp.get_context('fork').Pool(2) as p:
                print(p.map(work, range(6)))
    ''')
    assert r.stdout.strip() == '[0, 2, 4, 6, 8, 10]', r.stderr


# --- 6: a real-clock golang.run under gevent lets greenlets run -------------

@needs_threads
def test_real_clock_run_under_gevent_lets_the_greenlets_main_waits_for_run():
    r = _run_code('gevent', '''
        import golang
        from golang import go, chan, time
        async def main():
            c = chan()
            go(lambda: c.send(1))       # a greenlet
            v = await c.arecv()
            await time.asleep(0.01)
            d = chan()
            def later():
                time.sleep(0.01)        # a greenlet that sleeps in the hub
                d.send(2)
            go(later)
            return v + await d.arecv()
        print(golang.run(main, clock='real'))
    ''', timeout=60)
    assert r.stdout.strip() == '3', r.stderr
