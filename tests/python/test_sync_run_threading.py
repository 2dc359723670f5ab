"""The stdlib's threading primitives inside a synchronous run
(golang/_synclocks.py): code written for threads that uses threading.Lock,
RLock, Condition, Semaphore, Event or queue.Queue runs unchanged under
golang.run(main, seed=N): a goroutine that waits on one parks on the run
(virtual clock, deadlock detection) instead of blocking the OS thread, and
the objects stay real for OS threads. Runs under python and gpython."""

import os
import queue
import subprocess
import sys
import threading
import time as stdtime

import pytest

import golang
from golang import chan, go, time
from golang import schedule

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="synchronous goroutines need greenlet and the native core")

SEEDS = range(8)


def lock_held_across_a_switch():
    """The issue's program: two goroutines take a threading.Lock and sleep
    (on golang's clock) while holding it; the log shows they excluded each
    other."""
    lk = threading.Lock()
    done = chan()
    log = []

    def w(i):
        with lk:
            log.append(('in', i, time.now()))
            time.sleep(0.01)
            log.append(('out', i, time.now()))
        done.send(i)

    t0 = time.now()
    go(w, 1)
    go(w, 2)
    done.recv()
    done.recv()
    return [(ev, i, round(t - t0, 6)) for ev, i, t in log]


@pytest.mark.parametrize('seed', SEEDS)
def test_lock_held_across_a_goroutine_switch_excludes_and_does_not_hang(seed):
    log = golang.run(lock_held_across_a_switch, seed=seed)
    assert [e[0] for e in log] == ['in', 'out', 'in', 'out']
    assert log[0][1] == log[1][1] and log[2][1] == log[3][1]
    assert [e[2] for e in log] == [0, 0.01, 0.01, 0.02]     # virtual time
    assert golang.run(lock_held_across_a_switch, seed=seed) == log


def test_lock_program_is_deterministic_per_seed():
    for seed in (1, 5):
        schedule.check_determinism(lock_held_across_a_switch, seed=seed)


def test_outside_a_run_threading_names_are_the_real_ones_again():
    before = (threading.Lock, threading.RLock, threading._allocate_lock,
              threading.Event, queue.Queue)
    seen = []

    def main():
        seen.append((threading.Lock, type(threading.Lock()).__name__))

    golang.run(main, seed=1)
    assert seen[0][0] is not before[0] and seen[0][1] == '_CoopLock'
    assert (threading.Lock, threading.RLock, threading._allocate_lock,
            threading.Event, queue.Queue) == before
    lk = threading.Lock()
    assert type(lk) is type(before[2]())

    def fails():
        threading.Lock()
        raise KeyError('x')

    with pytest.raises(KeyError):
        golang.run(fails, seed=1)
    assert threading.Lock is before[0] and threading.RLock is before[1]


@pytest.mark.skipif(golang._gevent, reason="gevent's threads are greenlets of one OS thread: "
                    "a run busy with its goroutines does not yield to the hub")
def test_runs_in_several_threads_restore_the_names_when_the_last_ends():
    before = threading.Lock
    inside = chan(2)        # (a real chan: the two runs' threads and this one)
    go_on = threading.Event()

    def main():
        inside.send(type(threading.Lock()).__name__)
        while not go_on.is_set():       # a real Event (made outside a run)
            time.sleep(0)
        return 'done'

    out = []
    ths = [threading.Thread(target=lambda: out.append(golang.run(main, seed=1, clock='real')))
           for _ in range(2)]
    for t in ths:
        t.start()
    assert [inside.recv(), inside.recv()] == ['_CoopLock', '_CoopLock']
    go_on.set()
    for t in ths:
        t.join()
    assert out == ['done', 'done']
    assert threading.Lock is before


@pytest.mark.parametrize('seed', SEEDS)
def test_queue_producer_consumer_between_goroutines(seed):
    def main():
        q = queue.Queue(maxsize=2)

        def producer():
            for i in range(6):
                q.put(i)
                time.sleep(0.01)
            q.put(None)

        go(producer)
        t0 = time.now()
        got = []
        while True:
            x = q.get()
            if x is None:
                break
            got.append((x, round(time.now() - t0, 6)))
        return got

    assert golang.run(main, seed=seed) == [(i, i * 0.01) for i in range(6)]


def queue_fan_in():
    """Three producers, one consumer on a queue.Queue(1): the arrival order
    is the schedule's."""
    q = queue.Queue(1)

    def producer(i):
        for k in range(3):
            q.put((i, k))
            time.sleep(0)

    for i in range(3):
        go(producer, i)
    return [q.get() for _ in range(9)]


def test_queue_program_is_deterministic_per_seed():
    for seed in (2, 7):
        schedule.check_determinism(queue_fan_in, seed=seed)
        assert golang.run(queue_fan_in, seed=seed) == golang.run(queue_fan_in, seed=seed)


@pytest.mark.parametrize('seed', SEEDS)
def test_barrier_releases_all_parties_together(seed):
    def main():
        b = threading.Barrier(3)
        out = chan(3)

        def party(i):
            time.sleep(i)
            b.wait()
            out.send((i, time.now()))

        t0 = time.now()
        for i in range(3):
            go(party, i)
        return sorted((i, t - t0) for i, t in (out.recv() for _ in range(3)))

    assert golang.run(main, seed=seed) == [(0, 2.0), (1, 2.0), (2, 2.0)]


@pytest.mark.parametrize('seed', SEEDS)
def test_event_wait_with_timeout_counts_virtual_time(seed):
    def main():
        ev = threading.Event()

        def setter():
            time.sleep(1)
            ev.set()

        go(setter)
        t0 = time.now()
        first = ev.wait(0.5)
        t1 = time.now() - t0
        second = ev.wait()
        return first, t1, second, time.now() - t0

    assert golang.run(main, seed=seed) == (False, 0.5, True, 1.0)


@pytest.mark.parametrize('seed', SEEDS)
def test_condition_wait_notify_and_timeout_on_the_virtual_clock(seed):
    def main():
        c = threading.Condition()
        items = []

        def notifier():
            time.sleep(2)
            with c:
                items.append('x')
                c.notify()

        go(notifier)
        t0 = time.now()
        with c:
            timed_out = c.wait(timeout=1)
            t1 = time.now() - t0
            got = c.wait_for(lambda: items, timeout=5)
        return timed_out, t1, got, time.now() - t0

    assert golang.run(main, seed=seed) == (False, 1.0, ['x'], 2.0)


@pytest.mark.parametrize('seed', SEEDS)
def test_rlock_is_reentrant_for_its_goroutine_and_excludes_the_others(seed):
    def main():
        rl = threading.RLock()
        log = []
        done = chan()

        def w(i):
            with rl:
                with rl:
                    log.append(('in', i))
                    time.sleep(0.1)
                    log.append(('out', i))
            done.send(i)

        for i in range(3):
            go(w, i)
        for _ in range(3):
            done.recv()
        with pytest.raises(RuntimeError):
            rl.release()
        return log

    log = golang.run(main, seed=seed)
    assert [e[0] for e in log] == ['in', 'out'] * 3
    assert all(log[k][1] == log[k + 1][1] for k in (0, 2, 4))


@pytest.mark.parametrize('seed', SEEDS)
def test_bounded_semaphore_admits_its_count(seed):
    def main():
        s = threading.BoundedSemaphore(2)
        cur = [0, 0]
        done = chan()

        def w():
            with s:
                cur[0] += 1
                cur[1] = max(cur)
                time.sleep(0.1)
                cur[0] -= 1
            done.send(1)

        t0 = time.now()
        for _ in range(5):
            go(w)
        for _ in range(5):
            done.recv()
        with pytest.raises(ValueError):
            s.release()
        return cur[1], round(time.now() - t0, 6)

    assert golang.run(main, seed=seed) == (2, 0.3)


def test_lock_acquire_timeout_counts_virtual_time():
    def main():
        lk = threading.Lock()
        lk.acquire()
        t0 = time.now()
        got = lk.acquire(timeout=2.5)
        took = time.now() - t0
        assert not lk.acquire(False)
        with pytest.raises(ValueError):
            lk.acquire(False, 1)
        lk.release()
        with pytest.raises(RuntimeError):
            lk.release()
        return got, took

    assert golang.run(main, seed=1) == (False, 2.5)


def test_real_thread_inside_a_run_uses_the_patched_primitives():
    """A threading.Thread started in a run: start and join work, a queue
    between it and the run's goroutine, a lock the thread holds, an Event
    it sets (the real clock: the run waits for an OS thread)."""
    def main():
        q = queue.Queue()
        lk = threading.Lock()
        holding = threading.Event()

        def t():
            for i in range(3):
                stdtime.sleep(0.005)
                q.put(i)
            with lk:
                holding.set()
                stdtime.sleep(0.02)

        th = threading.Thread(target=t)
        th.start()
        got = [q.get() for _ in range(3)]
        holding.wait()
        with lk:        # held by the thread: waited for, not a deadlock
            pass
        th.join()
        return got, th.is_alive()

    assert golang.run(main, seed=1, clock='real') == ([0, 1, 2], False)


def test_thread_start_and_join_on_the_virtual_clock():
    def main():
        c = chan(1)
        th = threading.Thread(target=lambda: c.send('hi'))
        th.start()
        th.join()
        return c.recv()

    assert golang.run(main, seed=1) == 'hi'


DEADLOCK_PROG = r"""
import threading, golang
from golang import chan, go

def main():
    a = threading.Lock(); b = threading.Lock(); ready = chan(); done = chan()
    def other():
        with a:
            ready.send(1)
            with b:                 # LINE-OTHER
                pass
        done.send(1)
    go(other)
    with b:
        ready.recv()
        with a:                     # LINE-MAIN
            pass
    done.recv()

try:
    golang.run(main, seed=1)
except golang.DeadlockError as e:
    print(e)
"""


def _line(prog, mark):
    return [n for n, l in enumerate(prog.split('\n'), 1) if mark in l][0]


def test_true_deadlock_on_threading_locks_is_a_DeadlockError_naming_the_lines(tmp_path):
    f = tmp_path / 'dl.py'
    f.write_text(DEADLOCK_PROG)
    p = subprocess.run([sys.executable, str(f)], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert 'all goroutines are asleep - deadlock!' in out
    assert '%s:%d' % (f, _line(DEADLOCK_PROG, 'LINE-MAIN')) in out
    assert '%s:%d' % (f, _line(DEADLOCK_PROG, 'LINE-OTHER')) in out
    assert 'main.<locals>.other' in out
    assert 'goroutine 1 [threading.Lock.acquire]: main' in out


def test_queue_get_that_can_never_end_is_a_DeadlockError():
    def main():
        queue.Queue().get()

    with pytest.raises(golang.DeadlockError) as e:
        golang.run(main, seed=1)
    assert __file__.rstrip('c') + ':' in str(e.value)
    assert '[queue.Queue.get]' in str(e.value)


def test_a_run_after_one_that_left_an_os_thread_running():
    """A run ended by a deadlock while its OS thread still uses the run's
    queue; the next run waits on a lock another thread holds."""
    def first():
        q = queue.Queue()

        def t():
            for i in range(3):
                stdtime.sleep(0.01)
                q.put(i)

        threading.Thread(target=t).start()
        chan().recv()

    with pytest.raises(golang.DeadlockError):
        golang.run(first, seed=1)

    def second():
        lk = threading.Lock()
        holding = threading.Event()

        def t():
            with lk:
                holding.set()
                stdtime.sleep(0.05)

        th = threading.Thread(target=t)
        th.start()
        holding.wait()
        with lk:
            pass
        th.join()
        return 'ok'

    # (under gevent an OS thread is a greenlet, which runs only when a run
    # on the real clock waits in the hub)
    assert golang.run(second, seed=1, clock='real' if golang._gevent else 'virtual') == 'ok'


def test_objects_made_in_a_run_stay_real_for_threads_after_it():
    ev, q, rl = golang.run(lambda: (threading.Event(), queue.Queue(), threading.RLock()), seed=1)

    def t():
        ev.set()
        q.put(3)

    th = threading.Thread(target=t)
    th.start()
    assert ev.wait(10) and q.get(timeout=10) == 3
    th.join()
    with rl:
        with rl:
            assert rl._is_owned()
    with pytest.raises(queue.Empty):
        q.get(timeout=0.01)


PRE_RUN_EVENT = threading.Event()
PRE_RUN_COND = threading.Condition()
PRE_RUN_SEM = threading.Semaphore(0)


def test_condition_event_semaphore_made_before_the_run_wait_cooperatively():
    """Their waits take a waiter lock at wait time (_allocate_lock), which
    the run makes cooperative. (Under gpython, gevent's Event made before
    the run is not CPython's: left out there.)"""
    PRE_RUN_EVENT.clear()
    waits = [PRE_RUN_COND, PRE_RUN_SEM] + ([] if golang._gevent else [PRE_RUN_EVENT])

    def main():
        def p():
            time.sleep(1)
            PRE_RUN_EVENT.set()
            PRE_RUN_SEM.release()
            with PRE_RUN_COND:
                PRE_RUN_COND.notify()

        go(p)
        t0 = time.now()
        with PRE_RUN_COND:
            PRE_RUN_COND.wait()
        got = [PRE_RUN_SEM.acquire(), PRE_RUN_EVENT.wait() if PRE_RUN_EVENT in waits else True]
        return got, time.now() - t0

    assert golang.run(main, seed=1) == ([True, True], 1.0)


PRE_RUN_LOCK_PROG = r"""
import threading, golang
from golang import chan, go, time
import golang._synclocks
golang._synclocks._WATCH_AFTER = 0.3
LK = threading.Lock()               # made before the run: a real lock

def main():
    done = chan()
    def w():
        with LK:                    # LINE-WITH
            time.sleep(0.01)
        done.send(1)
    go(w)
    go(w)
    done.recv()
    done.recv()

golang.run(main, seed=1)
"""


@pytest.mark.skipif(golang._gevent, reason="under gevent: the next test")
def test_a_lock_made_before_the_run_that_blocks_its_thread_is_reported_not_silent(tmp_path):
    f = tmp_path / 'prerun.py'
    f.write_text(PRE_RUN_LOCK_PROG)
    with pytest.raises(subprocess.TimeoutExpired) as e:      # (a real lock: it hangs)
        subprocess.run([sys.executable, str(f)], capture_output=True, text=True, timeout=6)
    err = e.value.stderr
    err = err.decode() if isinstance(err, bytes) else (err or '')
    assert "golang.run: the run's thread has waited" in err
    assert '%s:%d (w)' % (f, _line(PRE_RUN_LOCK_PROG, 'LINE-WITH')) in err
    assert 'made before the run' in err


PRE_RUN_GEVENT_QUEUE_PROG = r"""
import queue, golang
from golang import go, time
import golang._synclocks
golang._synclocks._WATCH_AFTER = 0.3
Q = queue.Queue()                   # made before the run: gevent's, under gpython

def main():
    def producer():
        time.sleep(1)
        Q.put(1)
    go(producer)
    return Q.get()

golang.run(main, seed=1)
"""


@pytest.mark.skipif(not golang._gevent, reason="gevent's objects: under gpython")
def test_a_gevent_queue_made_before_the_run_that_parks_in_the_hub_is_reported_not_silent(tmp_path):
    f = tmp_path / 'prerun_gevent.py'
    f.write_text(PRE_RUN_GEVENT_QUEUE_PROG)
    with pytest.raises(subprocess.TimeoutExpired) as e:      # (it hangs in gevent's hub)
        subprocess.run([sys.executable, str(f)], capture_output=True, text=True, timeout=6)
    err = e.value.stderr
    err = err.decode() if isinstance(err, bytes) else (err or '')
    assert "golang.run: the run's thread has waited" in err
    assert "in gevent's hub" in err and 'made before the run' in err


def test_no_report_for_waits_on_os_threads_and_join():
    import golang._synclocks as L
    old = L._WATCH_AFTER
    L._WATCH_AFTER = 0.1
    try:
        def main():
            lk = threading.Lock()
            started = threading.Event()

            def t():
                with lk:
                    started.set()
                    stdtime.sleep(0.5)

            th = threading.Thread(target=t)
            th.start()
            started.wait()
            with lk:        # (a cooperative lock's wait for an OS thread)
                pass
            th.join()
            th2 = threading.Thread(target=stdtime.sleep, args=(0.5,))
            th2.start()
            th2.join()      # (threading.py's own wait)
            return 'ok'

        import io
        import contextlib
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            assert golang.run(main, seed=1, clock='real') == 'ok'
        assert 'golang.run:' not in err.getvalue()
    finally:
        L._WATCH_AFTER = old
