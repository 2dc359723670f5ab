# SPDX-License-Identifier: MIT OR Apache-2.0
"""Our own Pygolang-style versions of bug kernels of SCTBench (Thomson,
Donaldson, Betts, "Concurrency testing using controlled schedulers: an
empirical study", 2016): small programs written for threads, each with a
bug that shows under some schedules only. The kernels are rewritten from
their descriptions as Go-style programs (go, chan, sync, time.sleep(0) as
the point where a thread may be preempted); the names are SCTBench's.
A subset of its 49 so far (the CS and CB kernels that are about data races,
atomicity, order and deadlock rather than pthread specifics).

Each entry of KERNELS: (name, program, budget) as in _bug_corpus.BUGS.

Waits are bounded (`_await`): a busy-wait loop that yields is a livelock
under PCT, whose low-priority goroutine never runs while a higher one spins
(SCTBench bounds its loops for the same reason).
"""

from golang import chan, go, sync, time


def _await(cond, tries=20):
    """Yields until cond() holds, at most `tries` times; whether it held."""
    for _ in range(tries):
        if cond():
            return True
        time.sleep(0)
    return cond()


def _join(*fs):
    """Runs each f in its own goroutine and waits for all."""
    wg = sync.WaitGroup()
    for f in fs:
        wg.add(1)

        def run(f=f):
            try:
                f()
            finally:
                wg.done()
        go(run)
    wg.wait()


def account_bad():
    """CS/account: deposit and withdraw update a balance without a lock;
    the final balance must be the sum of the operations."""
    bal = [10]

    def deposit():
        v = bal[0]
        time.sleep(0)
        bal[0] = v + 5

    def withdraw():
        v = bal[0]
        time.sleep(0)
        bal[0] = v - 2
    _join(deposit, withdraw)
    assert bal[0] == 13, "balance %d" % bal[0]


def carter01_bad():
    """CS/carter01: two goroutines take two mutexes in opposite orders
    (deadlock under some schedules)."""
    a, b = sync.Mutex(), sync.Mutex()

    def t1():
        a.lock()
        time.sleep(0)
        b.lock()
        b.unlock()
        a.unlock()

    def t2():
        b.lock()
        time.sleep(0)
        a.lock()
        a.unlock()
        b.unlock()
    _join(t1, t2)


def circular_buffer_bad():
    """CS/circular_buffer: a ring buffer whose count is updated apart from
    its slot by the producer; the consumer may read a slot not yet
    written."""
    n = 4
    buf = [None] * n
    st = {'count': 0, 'head': 0, 'tail': 0}
    got = []

    def producer():
        for i in range(n):
            if not _await(lambda: st['count'] < n):
                return
            st['count'] += 1            # published before the slot: the bug
            time.sleep(0)
            buf[st['tail']] = i
            st['tail'] = (st['tail'] + 1) % n

    def consumer():
        for _ in range(n):
            if not _await(lambda: st['count'] > 0):
                got.append('gave up')
                return
            got.append(buf[st['head']])
            buf[st['head']] = None
            st['head'] = (st['head'] + 1) % n
            st['count'] -= 1
    _join(producer, consumer)
    assert None not in got, "consumed an unwritten slot: %r" % got


def lazy01_bad():
    """CS/lazy01: two goroutines add to data under a lock; a third asserts
    data < 3, which fails if both ran before it."""
    mu = sync.Mutex()
    data = [0]

    def add1():
        with mu:
            data[0] += 1

    def add2():
        with mu:
            data[0] += 2

    def check():
        time.sleep(0)
        with mu:
            assert data[0] < 3, "data %d" % data[0]
    _join(add1, add2, check)


def queue_bad():
    """CS/queue: enqueue and dequeue share an index; the dequeuer checks
    it is not empty, is preempted, and reads a slot the enqueuer has not
    filled yet."""
    q = [None] * 4
    st = {'n': 0}
    got = []

    def enq():
        for i in range(3):
            k = st['n']
            st['n'] = k + 1             # reserved before the value is stored
            time.sleep(0)
            q[k] = i

    def deq():
        for _ in range(3):
            if not _await(lambda: st['n'] > 0):
                return
            got.append(q[0])
            q[0:3] = q[1:4]
            q[3] = None
            st['n'] -= 1
    _join(enq, deq)
    assert None not in got, "dequeued an empty slot: %r" % got


def _reorder(nset):
    """CS/reorder_N: `nset` setters write a then b; a checker asserts it
    never sees a set without b. More setters: a longer run, the same
    depth-2 bug."""
    def prog():
        a, b = [0], [0]

        def setter():
            a[0] = 1
            time.sleep(0)
            b[0] = -1

        def checker():
            time.sleep(0)
            assert not (a[0] == 1 and b[0] != -1), "saw a without b"
        _join(*([setter] * nset + [checker]))
    prog.__name__ = prog.__qualname__ = 'reorder_%d_bad' % nset
    return prog


reorder_3_bad = _reorder(3)
reorder_10_bad = _reorder(10)


def stack_bad():
    """CS/stack: push and pop update the top index and the slot in two
    steps without a lock."""
    stack = [None] * 8
    top = [0]
    popped = []

    def pusher():
        for i in range(3):
            t = top[0]
            stack[t] = i
            time.sleep(0)
            top[0] = t + 1

    def popper():
        for _ in range(3):
            if not _await(lambda: top[0] > 0):
                return
            t = top[0] - 1
            time.sleep(0)
            popped.append(stack[t])
            top[0] = t
    _join(pusher, popper)
    assert None not in popped and len(set(popped)) == len(popped), "popped %r" % popped


def token_ring_bad():
    """CS/token_ring: three goroutines each copy the previous one's token
    plus one, without a lock; at the end the tokens must form a ring."""
    x = [0, 0, 0]

    def step(i):
        def f():
            v = x[(i + 2) % 3]
            time.sleep(0)
            x[i] = v + 1
        return f
    _join(step(0), step(1), step(2))
    assert not (x[0] == x[1] == x[2]), "tokens %r" % x


def twostage_bad():
    """CS/twostage: the writer sets data1 under one lock and data2 under
    another; a reader between the two stages sees them inconsistent."""
    m1, m2 = sync.Mutex(), sync.Mutex()
    d = {'1': 0, '2': 0}

    def writer():
        with m1:
            d['1'] = 1
        time.sleep(0)
        with m2:
            d['2'] = d['1'] + 1

    def reader():
        time.sleep(0)
        with m1:
            v1 = d['1']
        with m2:
            v2 = d['2']
        assert not (v1 == 1 and v2 != 2), "stages seen apart: %d %d" % (v1, v2)
    _join(writer, reader)


def wronglock_bad():
    """CS/wronglock: two goroutines guard the same counter with different
    locks."""
    m1, m2 = sync.Mutex(), sync.Mutex()
    n = [0]

    def inc(mu):
        def f():
            with mu:
                v = n[0]
                time.sleep(0)
                n[0] = v + 1
        return f
    _join(inc(m1), inc(m2))
    assert n[0] == 2, "lost update: %d" % n[0]


def deadlock01_bad():
    """CS/deadlock01: like carter01, through channels used as locks (a
    buffered chan of one token each)."""
    a, b = chan(1), chan(1)
    a.send(None)
    b.send(None)

    def t1():
        a.recv()
        time.sleep(0)
        b.recv()
        b.send(None)
        a.send(None)

    def t2():
        b.recv()
        time.sleep(0)
        a.recv()
        a.send(None)
        b.send(None)
    _join(t1, t2)


# budget: runs within which PCT (depth 2) or POS, the better of the two,
# finds it (from `schedule.explore` with its default seed; see
# tests/python/test_sctbench.py)
KERNELS = [
    ('account_bad', account_bad, 20),
    ('carter01_bad', carter01_bad, 20),
    ('circular_buffer_bad', circular_buffer_bad, 20),
    ('deadlock01_bad', deadlock01_bad, 20),
    ('lazy01_bad', lazy01_bad, 20),
    ('queue_bad', queue_bad, 20),
    ('reorder_3_bad', reorder_3_bad, 20),
    ('reorder_10_bad', reorder_10_bad, 100),
    ('stack_bad', stack_bad, 250),
    ('token_ring_bad', token_ring_bad, 30),
    ('twostage_bad', twostage_bad, 20),
    ('wronglock_bad', wronglock_bad, 20),
]
