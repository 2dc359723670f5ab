# SPDX-License-Identifier: MIT OR Apache-2.0
"""A corpus of classic concurrency bugs as short Pygolang programs written
for threads (plain def, go/chan/select/sync/time/context), for the
exploration strategies of golang.schedule: each fails (raises) for some
schedules only. tests/python/test_bug_corpus.py checks that PCT or POS
finds each within its budget; tools/bench_schedules.py compares random,
PCT and POS on them.

`time.sleep(0)` marks the place a thread could be preempted (inside a
deterministic run it is a scheduling point, golang/_syncrun.py).

Each entry of BUGS: (name, program, budget) where budget is the number of
runs within which PCT (depth 2) or POS must find it (the test's bound).
"""

from golang import chan, context, go, select, sync, time, default


def lost_update():
    """Unlocked counter: two goroutines read, yield, write."""
    n = [0]
    wg = sync.WaitGroup()

    def inc():
        v = n[0]
        time.sleep(0)
        n[0] = v + 1
        wg.done()
    for _ in range(2):
        wg.add(1)
        go(inc)
    wg.wait()
    assert n[0] == 2, "lost update: %d" % n[0]


def check_then_act():
    """Two goroutines create a shared object if it is missing: both may
    see it missing."""
    cache = {}
    created = []
    wg = sync.WaitGroup()

    def get():
        if 'k' not in cache:            # check
            time.sleep(0)
            cache['k'] = object()       # act
            created.append(1)
        wg.done()
    for _ in range(3):
        wg.add(1)
        go(get)
    wg.wait()
    assert len(created) == 1, "created %d times" % len(created)


def lost_wakeup():
    """The notifier wakes the waiter only if it already waits (a
    non-blocking send); the waiter checks the flag, is preempted, then
    waits: the wake-up is lost and the waiter sleeps forever (deadlock)."""
    ready = [False]
    wake = chan()
    done = chan()

    def waiter():
        if not ready[0]:
            time.sleep(0)
            wake.recv()
        done.close()

    def notifier():
        ready[0] = True
        select((wake.send, None), default)   # wake it if it waits
    go(waiter)
    go(notifier)
    done.recv()


def select_racing_close():
    """The producer selects between sending and quitting; main closes quit
    and then the output channel: a producer that selects after both closes
    may pick the send and panic (send on closed channel)."""
    out = chan(10)
    quit = chan()
    done = chan()

    def producer():
        try:
            i = 0
            while True:
                idx, _ = select((out.send, i), quit.recv)
                if idx == 1:
                    return
                i += 1
                time.sleep(0)
        finally:
            done.close()
    go(producer)
    out.recv()
    quit.close()
    out.close()         # bug: the producer may still select on out
    done.recv()


def timer_expiry_racing_completion():
    """A worker finishes exactly when the timeout timer expires; main, on
    the timeout, closes the result channel as if the worker could no longer
    send, and the worker's send panics (send on closed channel).
    (`if not t.stop(): t.c.recv()`, the drain idiom of Go before 1.23,
    is not a race here but always blocks: as in Go 1.23, stop() leaves the
    channel empty.)"""
    t = time.Timer(0.01)
    result = chan(1)
    done = chan()

    def worker():
        try:
            time.sleep(0.01)
            result.send(1)
        finally:
            done.close()
    go(worker)
    idx, _ = select(result.recv, t.c.recv)
    if idx == 1:
        result.close()      # bug: the worker may not have sent yet
    else:
        t.stop()
    done.recv()


def two_selects_matching():
    """Two goroutines each select between sending to the other and
    receiving from it: either send can match the other's receive. The code
    assumes the first one's message always goes through."""
    a, b = chan(), chan()
    got = []
    wg = sync.WaitGroup()

    def first():
        idx, v = select((a.send, 'from first'), b.recv)
        got.append(v)
        wg.done()

    def second():
        idx, v = select((b.send, 'from second'), a.recv)
        got.append(v)
        wg.done()
    wg.add(2)
    go(first)
    go(second)
    wg.wait()
    assert 'from first' in got, "the second one's message went through"


def workgroup_cancel_race():
    """A worker checks that its group is not cancelled, is preempted while
    another worker fails (which cancels the group), then writes a result."""
    results = []
    wg = sync.WorkGroup(context.background())

    def failer(ctx):
        time.sleep(0)
        raise RuntimeError("boom")

    def worker(ctx):
        if ctx.err() is None:           # check ...
            time.sleep(0)
            results.append(ctx.err())   # ... act, maybe after the cancel
    wg.go(worker)
    wg.go(failer)
    try:
        wg.wait()
    except RuntimeError:
        pass
    assert all(r is None for r in results), "a worker wrote after its group was cancelled"


def order_violation_depth3():
    """Three steps must happen in an order the code does not enforce: a
    reader uses a value after init but before the config is applied (a
    depth-3 bug: two specific orderings are needed)."""
    state = []
    wg = sync.WaitGroup()

    def init():
        time.sleep(0)
        state.append('init')
        wg.done()

    def configure():
        for _ in range(3):
            time.sleep(0)
        state.append('config')
        wg.done()

    def use():
        for _ in range(2):
            time.sleep(0)
        if 'init' in state:
            assert 'config' in state, "used after init but before config"
        wg.done()
    for f in (configure, use, init):
        wg.add(1)
        go(f)
    wg.wait()


def starved_registration():
    """A worker must register before another finishes 20 steps of work: it
    fails only when the registering worker is starved the whole time (a
    random walk almost never does that; a priority does, depth 1)."""
    registered = []
    wg = sync.WaitGroup()

    def register():
        time.sleep(0)
        registered.append(1)
        wg.done()

    def finisher():
        for _ in range(20):
            time.sleep(0)
        assert registered, "finished before the first worker registered"
        wg.done()
    wg.add(2)
    go(register)
    go(finisher)
    wg.wait()


def half_done_for_long():
    """A two-step update that another goroutine must never see half done:
    it fails only when the updater is preempted between its steps for the
    whole 20 steps of the reader (depth 2: a priority and a change point)."""
    state = []
    wg = sync.WaitGroup()

    def update():
        state.append('start')
        time.sleep(0)
        state.append('end')
        wg.done()

    def read():
        for _ in range(20):
            time.sleep(0)
        if 'start' in state:
            assert 'end' in state, "saw the update half done"
        wg.done()
    wg.add(2)
    go(update)
    go(read)
    wg.wait()


# (name, program, budget of runs for PCT depth 2 or POS)
BUGS = [
    ('lost_update', lost_update, 100),
    ('check_then_act', check_then_act, 100),
    ('lost_wakeup', lost_wakeup, 100),
    ('select_racing_close', select_racing_close, 100),
    ('timer_expiry_racing_completion', timer_expiry_racing_completion, 100),
    ('two_selects_matching', two_selects_matching, 100),
    ('workgroup_cancel_race', workgroup_cancel_race, 100),
    ('order_violation_depth3', order_violation_depth3, 300),
    ('starved_registration', starved_registration, 200),
    ('half_done_for_long', half_done_for_long, 300),
]
