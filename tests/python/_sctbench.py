# SPDX-License-Identifier: MIT OR Apache-2.0
"""Our own Pygolang-style versions of bug kernels of SCTBench (Thomson,
Donaldson, Betts, "Concurrency testing using controlled schedulers: an
empirical study", 2016): small programs written for threads, each with a
bug that shows under some schedules only. The kernels are rewritten from
their descriptions as Go-style programs (go, chan, sync, time.sleep(0) as
the point where a thread may be preempted); the names are SCTBench's.
45 of its 49: every CS kernel (with its size variants), the three CB
ones, the four Chess work-stealing queues, Inspect's ctrace-test and
qsort_mt, RADBench's bug1/2/6, SafeStack and Splash2's barnes/fft/lu; for
the application programs (CB, Inspect, RADBench, Splash2) the kernel is
the bug's pattern in a few goroutines, not the application. Where a
kernel uses pthread condition variables the Go way is a one-slot channel.
Left out: Parsec's streamcluster (three variants) and ferret, whose
sources and bug descriptions we could not read (see README).

Each entry of KERNELS: (name, program, budget) as in _bug_corpus.BUGS;
BENCH_ONLY (name, program) are in the benchmark but not in the test (see
there); ALWAYS_FAILS names the kernels that fail in every schedule.

Waits are bounded (`_await`): a busy-wait loop that yields is a livelock
under PCT, whose low-priority goroutine never runs while a higher one spins
(SCTBench bounds its loops for the same reason).
"""

from golang import chan, default, go, select, sync, time


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


def _reorder(n):
    """CS/reorder_N: n-1 setters write a = 1 then b = -1; a checker reads a,
    then b, and asserts it saw both or neither. Once one setter has written
    b the pair stays consistent, so the checker must run inside the first
    setter's window: more setters, a longer run, the same depth-2 bug."""
    def prog():
        a, b = [0], [0]

        def setter():
            a[0] = 1
            time.sleep(0)
            b[0] = -1

        def checker():
            time.sleep(0)
            va = a[0]
            time.sleep(0)
            vb = b[0]
            assert (va, vb) in ((0, 0), (1, -1)), "saw a=%d b=%d" % (va, vb)
        _join(*([setter] * (n - 1) + [checker]))
    prog.__name__ = prog.__qualname__ = 'reorder_%d_bad' % n
    return prog


reorder_3_bad = _reorder(3)
reorder_4_bad = _reorder(4)
reorder_5_bad = _reorder(5)
reorder_10_bad = _reorder(10)
reorder_20_bad = _reorder(20)


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


def _twostage(writers, name):
    """CS/twostage: each writer sets data1 under one lock and then data2 =
    data1 + 1 under another; the reader, if it sees data1 set, asserts
    data2 == data1 + 1. Once one writer finished both stages the pair stays
    consistent: the reader must run inside the first writer's gap."""
    def prog():
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
            if v1 == 0:
                return
            with m2:
                v2 = d['2']
            assert v2 == v1 + 1, "stages seen apart: %d %d" % (v1, v2)
        _join(*([writer] * writers + [reader]))
    prog.__name__ = prog.__qualname__ = name
    return prog


twostage_bad = _twostage(1, 'twostage_bad')
twostage_100_bad = _twostage(99, 'twostage_100_bad')


def _wronglock(nb, name):
    """CS/wronglock: one goroutine increments a counter under dataLock and
    checks it went up by exactly one; `nb` others increment it under a
    different lock (thisLock)."""
    def prog():
        data_lock, this_lock = sync.Mutex(), sync.Mutex()
        n = [0]

        def func_a():
            with data_lock:
                x = n[0]
                time.sleep(0)
                n[0] += 1
                time.sleep(0)
                assert n[0] == x + 1, "counter moved under dataLock: %d -> %d" % (x, n[0])

        def func_b():
            with this_lock:
                v = n[0]
                time.sleep(0)
                n[0] = v + 1
        _join(*([func_a] + [func_b] * nb))
    prog.__name__ = prog.__qualname__ = name
    return prog


wronglock_bad = _wronglock(7, 'wronglock_bad')
wronglock_3_bad = _wronglock(3, 'wronglock_3_bad')


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


def arithmetic_prog_bad():
    """CS/arithmetic_prog: a producer and a consumer hand N items over a
    one-slot buffer; the consumer sums 0..N-1 and then N. SCTBench's
    assertion is inverted (it asserts the sum is NOT N(N+1)/2), so every
    schedule that completes fails: kept as SCTBench has it (a "trivial"
    kernel, ALWAYS_FAILS)."""
    n = 3
    slot = chan(1)
    total = [0]

    def producer():
        for i in range(n):
            slot.send(i)

    def consumer():
        for j in range(n):
            slot.recv()
            total[0] += j
        total[0] += n
    _join(producer, consumer)
    assert total[0] != n * (n + 1) // 2, "total %d" % total[0]


def bluetooth_driver_bad():
    """CS/bluetooth_driver: the add path checks the stopping flag and then
    counts itself in (pendingIo + 1); the stop path sets the flag, drops
    the initial count and, at zero, releases the device. Checked apart
    from the increment, the flag lets an add in after the device
    stopped."""
    dev = {'pending': 1, 'stopping': False, 'stopped': False}
    mu = sync.Mutex()

    def io_decrement():
        with mu:
            dev['pending'] -= 1
            left = dev['pending']
        if left == 0:
            dev['stopped'] = True       # (SCTBench: stoppingEvent, then stopped)

    def stop():
        dev['stopping'] = True
        time.sleep(0)
        io_decrement()

    def add():
        if dev['stopping']:
            return
        time.sleep(0)                   # checked, not yet counted: the bug
        with mu:
            dev['pending'] += 1
        time.sleep(0)
        assert not dev['stopped'], "did work on a stopped device"
        io_decrement()
    wg = sync.WaitGroup()
    wg.add(1)

    def stopper():
        try:
            stop()
        finally:
            wg.done()
    go(stopper)
    add()
    wg.wait()


def _din_phil(n):
    """CS/din_philN_sat: n philosophers each take the right fork and then
    the left one (deadlock when all hold their right fork), put them down
    and count themselves in `phil` without a lock. SCTBench asserts that
    phil never reaches n, so any schedule where no update is lost fails:
    "sat" (the assertion can be violated), a trivially found bug."""
    def prog():
        forks = [sync.Mutex() for _ in range(n)]
        phil = [0]

        def philosopher(i):
            def f():
                left, right = forks[i], forks[(i + 1) % n]
                right.lock()
                time.sleep(0)
                left.lock()
                left.unlock()
                right.unlock()
                v = phil[0]
                time.sleep(0)
                phil[0] = v + 1
                assert phil[0] != n, "all %d philosophers ate" % n
            return f
        _join(*[philosopher(i) for i in range(n)])
    prog.__name__ = prog.__qualname__ = 'din_phil%d_sat' % n
    return prog


din_phil2_sat = _din_phil(2)
din_phil3_sat = _din_phil(3)
din_phil4_sat = _din_phil(4)
din_phil5_sat = _din_phil(5)
din_phil6_sat = _din_phil(6)
din_phil7_sat = _din_phil(7)


def fsbench_bad():
    """CS/fsbench: 27 goroutines each allocate a block for inode tid under
    the inode's lock, but there are only 26 inode locks: the 27th indexes
    past the end in every schedule (ALWAYS_FAILS; SCTBench keeps it as a
    trivial kernel). Blocks are taken under per-block locks."""
    nblocks, nthreads = 26, 27
    locki = [sync.Mutex() for _ in range(nblocks)]
    lockb = [sync.Mutex() for _ in range(nblocks)]
    busy = [False] * nblocks
    inode = [0] * nblocks

    def worker(tid):
        def f():
            i = tid
            assert i < nblocks, "inode %d has no lock (only %d)" % (i, nblocks)
            with locki[i]:
                if inode[i] == 0:
                    b = (i * 2) % nblocks
                    for _ in range(nblocks // 2):
                        with lockb[b]:
                            if not busy[b]:
                                busy[b] = True
                                inode[i] = b + 1
                                break
                        time.sleep(0)
                        b = (b + 1) % nblocks
        return f
    _join(*[worker(t) for t in range(nthreads)])


def phase01_bad():
    """CS/phase01: each of two goroutines locks x, unlocks it, and locks it
    again without unlocking: the second one to get there waits forever in
    every schedule (ALWAYS_FAILS: a deadlock)."""
    x, y = sync.Mutex(), sync.Mutex()

    def t():
        x.lock()
        x.unlock()
        time.sleep(0)
        x.lock()                        # never unlocked
        y.lock()
        y.unlock()
    _join(t, t)


def sync01_bad():
    """CS/sync01: num starts at 1; the first goroutine waits for "not full"
    while num > 0, the second (which should take the item) only signals
    and leaves num alone: the first waits forever in every schedule
    (ALWAYS_FAILS: a deadlock). Signals are a one-slot channel, the Go way
    of a condition variable's signal."""
    num = [1]
    empty, full = chan(1), chan(1)

    def t1():
        while num[0] > 0:
            empty.recv()
        num[0] += 1
        select((full.send, None), default)

    def t2():
        while num[0] == 0:
            full.recv()
        # (the missing num[0] -= 1)
        select((empty.send, None), default)
    _join(t1, t2)


def sync02_bad():
    """CS/sync02: a producer and a consumer of 2 items each over a count
    that starts at 2 (it should start at 0): the consumer takes the two
    initial items and leaves; the producer's second item waits forever for
    room in every schedule (ALWAYS_FAILS: a deadlock)."""
    n = 2
    num = [2]
    mu = sync.Mutex()
    empty, full = chan(1), chan(1)

    def signal(c):
        select((c.send, None), default)

    def producer():
        for _ in range(n):
            while True:
                with mu:
                    if num[0] == 0:
                        num[0] += 1
                        break
                empty.recv()
            signal(full)

    def consumer():
        for _ in range(n):
            while True:
                with mu:
                    if num[0] > 0:
                        num[0] -= 1
                        break
                full.recv()
            signal(empty)
    _join(producer, consumer)


def aget_bug2():
    """CB/aget (bug 2): download goroutines advance their own offset, then
    add the bytes to the shared `bwritten` under a lock; the interrupt
    handler (SIGINT in aget) saves the log: every offset and bwritten. An
    interrupt between a downloader's two updates saves a log whose
    bwritten does not match the offsets it saved (an atomicity
    violation)."""
    nthreads, chunks, size = 2, 2, 100
    offset = [0] * nthreads
    written = [0]
    mu = sync.Mutex()
    saved = []

    def download(i):
        def f():
            for _ in range(chunks):
                offset[i] += size
                time.sleep(0)
                with mu:
                    written[0] += size
        return f

    def sigint():
        time.sleep(0)
        with mu:
            saved.append((list(offset), written[0]))
        offs, w = saved[0]
        assert sum(offs) == w, "saved log: offsets %r but bwritten %d" % (offs, w)
    _join(*([download(i) for i in range(nthreads)] + [sigint]))


def pbzip2_0_9_4():
    """CB/pbzip2-0.9.4: main hands blocks to compressor goroutines through
    a locked queue, waits until the writer has every compressed block,
    then frees the queue (here: drops it) and returns; a compressor that
    took the last block still goes back to the queue to find it done: it
    uses the queue after main freed it (an order violation: main should
    have joined the compressors)."""
    nblocks, ncons = 3, 2
    q = {'fifo': {'mu': sync.Mutex(), 'items': list(range(nblocks)), 'done': True}}
    out = chan(nblocks)

    def compressor():
        while True:
            fifo = q['fifo']
            assert fifo is not None, "compressor used the queue after main freed it"
            with fifo['mu']:
                if not fifo['items']:
                    return
                blk = fifo['items'].pop(0)
            time.sleep(0)
            out.send(blk)
            time.sleep(0)               # (reports progress)
    for _ in range(ncons):
        go(compressor)
    got = sorted(out.recv() for _ in range(nblocks))
    assert got == list(range(nblocks))
    q['fifo'] = None                    # queueDelete(fifo): the compressors were not joined
    time.sleep(0)                       # (the rest of main's clean-up, then exit)


class _StringBuffer(object):
    """A synchronized string buffer as JDK 1.4's StringBuffer: each method
    holds the buffer's lock; append(other) reads other's length and then
    its characters in two locked calls (the JDK bug)."""

    def __init__(self, s=''):
        self.mu = sync.Mutex()
        self.chars = list(s)

    def length(self):
        with self.mu:
            return len(self.chars)

    def get_chars(self, begin, end):
        with self.mu:
            if end > len(self.chars):
                raise IndexError("StringIndexOutOfBoundsException: %d > %d" % (end, len(self.chars)))
            return self.chars[begin:end]

    def erase(self, begin, end):
        with self.mu:
            del self.chars[begin:end]

    def append(self, s):
        if isinstance(s, _StringBuffer):
            n = s.length()
            time.sleep(0)               # the other buffer may shrink here
            s = s.get_chars(0, n)
        with self.mu:
            self.chars.extend(s)


def stringbuffer_jdk1_4():
    """CB/stringbuffer-jdk1.4: one goroutine erases a shared buffer and
    appends to it again; main appends the shared buffer to its own:
    StringBuffer.append(sb) takes sb's length and then its characters,
    each under sb's lock but not together (an atomicity violation that
    raises StringIndexOutOfBounds)."""
    buf = _StringBuffer('abc')
    done = chan()

    def t():
        buf.erase(0, 3)
        time.sleep(0)
        buf.append('abc')
        done.close()
    go(t)
    sb = _StringBuffer()
    sb.append(buf)
    done.recv()


def _wsq(name, locked_steal, nstealers, state):
    """Chess/WorkStealQueue and its variants (CHESS's tests of a THE-style
    work-stealing deque): the owner pushes and pops at the tail, stealers
    take from the head; every item must be processed exactly once. Our
    queue's bug: the owner's pop reads head before it publishes the
    decremented tail (the store-load order the THE protocol needs; CHESS's
    versions lose it to reordering), so the owner and a stealer can both
    take the last item. `locked_steal`: steals take the queue's lock
    (WorkStealQueue) or claim head with a compare-and-swap
    (InterlockedWorkStealQueue); `state`: items check their state moves
    (queued -> taken -> done) at every step (the WithState variants)."""
    def prog():
        nitems, attempts = 4, 2
        st = {'head': 0, 'tail': 0}
        slots = {}
        mu = sync.Mutex()
        items = [{'n': 0, 'state': 'new'} for _ in range(nitems)]

        def operate(it):
            if state:
                assert it['state'] == 'queued', "took an item in state %s" % it['state']
                it['state'] = 'taken'
                time.sleep(0)
                assert it['state'] == 'taken', "item taken twice"
                it['state'] = 'done'
            it['n'] += 1

        def push(it):
            if state:
                it['state'] = 'queued'
            slots[st['tail']] = it
            st['tail'] += 1

        def pop():
            t = st['tail'] - 1
            if st['head'] > t:          # read head first ...
                return None
            time.sleep(0)
            st['tail'] = t              # ... then publish the new tail: the bug
            return slots[t]

        def steal_once():
            h = st['head']
            time.sleep(0)
            if h < st['tail'] and st['head'] == h:
                st['head'] = h + 1      # (claims h: under the lock, or as one CAS)
                return slots[h]
            return None

        def steal():
            if locked_steal:
                with mu:
                    return steal_once()
            return steal_once()

        def stealer():
            for _ in range(attempts):
                it = steal()
                if it is not None:
                    operate(it)
                time.sleep(0)

        wg = sync.WaitGroup()
        for _ in range(nstealers):
            wg.add(1)

            def run():
                try:
                    stealer()
                finally:
                    wg.done()
            go(run)
        for i in range(nitems // 2):
            push(items[2 * i])
            push(items[2 * i + 1])
            it = pop()
            if it is not None:
                operate(it)
        for _ in range(nitems // 2):
            it = pop()
            if it is not None:
                operate(it)
        wg.wait()
        for i, it in enumerate(items):
            assert it['n'] == 1, "item %d processed %d times" % (i, it['n'])
    prog.__name__ = prog.__qualname__ = name
    return prog


WorkStealQueue = _wsq('WorkStealQueue', True, 1, False)
InterlockedWorkStealQueue = _wsq('InterlockedWorkStealQueue', False, 1, False)
StateWorkStealQueue = _wsq('StateWorkStealQueue', True, 2, True)
InterlockedWorkStealQueueWithState = _wsq('InterlockedWorkStealQueueWithState', False, 2, True)


def safestack():
    """SafeStack (bug 1; a lock-free stack over an array of nodes, from a
    post by Dmitry Vyukov): pop reads head and head's next, then swaps
    head to next with a compare-and-swap; with no version counter the swap
    succeeds after the stack changed under it (ABA) and hands out a node
    another goroutine holds. Three goroutines pop a node, hold it, push
    it back; a node must never be held twice. The bug needs several
    preemptions in a row (SCTBench: the one that needs 5)."""
    nnodes, nthreads, rounds, tries = 3, 3, 2, 8
    nxt = list(range(1, nnodes)) + [-1]
    top = [0]
    holder = [None] * nnodes

    def cas(expect, new):
        if top[0] == expect:
            top[0] = new
            return True
        return False

    def pop():
        for _ in range(tries):
            h = top[0]
            if h < 0:
                return -1
            time.sleep(0)
            n = nxt[h]
            time.sleep(0)
            if cas(h, n):
                return h
        return -1

    def push(i):
        for _ in range(tries):
            h = top[0]
            nxt[i] = h
            time.sleep(0)
            if cas(h, i):
                return
        # (retries are bounded as every wait here; giving up leaks the node
        # and is not the bug)

    def worker(me):
        def f():
            for _ in range(rounds):
                i = pop()
                if i < 0:
                    time.sleep(0)
                    continue
                assert holder[i] is None, "node %d held by %s and %s" % (i, holder[i], me)
                holder[i] = me
                time.sleep(0)
                holder[i] = None
                push(i)
        return f
    _join(*[worker(t) for t in range(nthreads)])


def qsort_mt():
    """Inspect/qsort_mt (Spinellis's multithreaded quicksort): a pool of
    sorter goroutines, each with a state (idle, work, term) and a range to
    sort. Handing a range to an idle sorter publishes its state `work`
    first and the range after: a sorter that checks its state in between
    sorts the range it had before (here: none), and that part of the
    array is never sorted."""
    data = [5, 3, 7, 1, 6, 2, 8, 4]
    nthreads = 2
    mu = sync.Mutex()                   # mtx_al: allocation and the idle count
    pool = [{'st': 'idle', 'lo': 0, 'hi': 0, 'wake': chan(1)} for _ in range(nthreads)]
    idle = [nthreads]
    done = chan()

    def signal(qs):
        select((qs['wake'].send, None), default)

    def allocate():
        with mu:
            for qs in pool:
                if qs['st'] == 'idle':
                    idle[0] -= 1
                    qs['st'] = 'work'   # published before its range: the bug
                    return qs
        return None

    def sort(lo, hi, depth):
        if hi - lo < 2:
            return
        pivot = data[hi - 1]
        i = lo
        for j in range(lo, hi - 1):
            if data[j] < pivot:
                data[i], data[j] = data[j], data[i]
                i += 1
        data[i], data[hi - 1] = data[hi - 1], data[i]
        time.sleep(0)
        qs2 = allocate() if depth == 0 else None
        if qs2 is not None:
            time.sleep(0)
            qs2['lo'], qs2['hi'] = lo, i
            signal(qs2)
        else:
            sort(lo, i, depth + 1)
        sort(i + 1, hi, depth + 1)

    def sorter(qs):
        def f():
            for _ in range(4):
                for _ in range(20):     # (bounded: see _await)
                    if qs['st'] != 'idle':
                        break
                    qs['wake'].recv()
                if qs['st'] == 'term':
                    return
                sort(qs['lo'], qs['hi'], 0)
                with mu:
                    qs['st'] = 'idle'
                    idle[0] += 1
                    if idle[0] == nthreads:
                        for other in pool:
                            if other is not qs:
                                other['st'] = 'term'
                                signal(other)
                        done.close()
                        return
        return f
    for qs in pool:
        go(sorter(qs))
    qs = pool[0]
    with mu:
        qs['lo'], qs['hi'] = 0, len(data)
        qs['st'] = 'work'
        idle[0] -= 1
    signal(qs)
    done.recv()
    assert data == sorted(data), "not sorted: %r" % data


def ctrace_test():
    """Inspect/ctrace-test (the ctrace tracing library): main registers
    itself and traces; a second goroutine calls the library's end (meant
    for the last thread left), which frees the table of registered
    threads. A trace call checks the "tracing enabled" flag outside the
    library's lock (the TRC_* macros), is preempted, and then looks itself
    up in a table that was freed."""
    lib = {'enabled': True, 'threads': {}, 'out': []}
    lk = sync.RWMutex()

    def trc_add_thread(name):
        with lk:
            lib['threads'][name] = {'on': True}

    def trc_trace(me, msg):
        if not lib['enabled']:          # (the macro's check, outside the lock)
            return
        time.sleep(0)
        lk.RLock()
        try:
            threads = lib['threads']
            assert threads is not None, "traced after trc_end freed the thread table"
            if threads.get(me, {}).get('on'):
                lib['out'].append('%s: %s' % (me, msg))
        finally:
            lk.RUnlock()

    def trc_end():
        lk.Lock()
        lib['enabled'] = False
        lib['threads'] = None
        lk.Unlock()
    trc_add_thread('main')
    done = chan()

    def thread1():
        trc_end()                       # "Executing trace end 1"
        done.close()
    go(thread1)
    trc_trace('main', 'i=0')
    trc_trace('main', 'ERROR mystring=stringval')
    done.recv()


def radbench_bug1():
    """RADBench bug1 (Mozilla bug 515403, SpiderMonkey's GC): the garbage
    collector marks the runtime's script-filename table while the last
    context's destruction frees it; the collector reads the table, is
    preempted, and marks a table that is gone (RADBench: a null table
    reaches js_MarkScriptFilenames)."""
    rt = {'table': {'a.js': False, 'b.js': False}}
    gc_lock = sync.Mutex()

    def gc():
        time.sleep(0)
        table = rt['table']             # read outside the GC lock: the bug
        if table is None:
            return
        time.sleep(0)
        with gc_lock:
            assert rt['table'] is table, "marked a script table that was freed"
            for k in table:
                table[k] = True

    def destroy_last_context():
        time.sleep(0)
        with gc_lock:
            rt['table'] = None          # js_FinishRuntimeScriptState
    _join(gc, destroy_last_context)


def radbench_bug2():
    """RADBench bug2 (Mozilla bug 476934, SpiderMonkey): JS_ClearContextThread
    called outside a request clears a context's thread while the garbage
    collector (in a request on another thread) walks the contexts: it
    checks the context's thread, is preempted, and dereferences it after
    it was cleared (a null pointer)."""
    class _Thread(object):
        def __init__(self):
            self.gc_things = 0
    contexts = [{'thread': _Thread()}, {'thread': _Thread()}]

    def gc():
        for cx in contexts:
            if cx['thread'] is not None:
                time.sleep(0)
                cx['thread'].gc_things += 1     # AttributeError on None

    def clear_context_thread():
        time.sleep(0)
        contexts[1]['thread'] = None    # not inside a request: the bug
    _join(gc, clear_context_thread)


def radbench_bug6():
    """RADBench bug6 (Mozilla bug 526805, NSPR's PR_RWLock): a reader takes
    the read lock again while holding it; if a writer arrived in between
    and waits, the second read waits behind the writer and the writer for
    the first read: deadlock. sync.RWMutex, like Go's and NSPR's, makes
    new readers queue behind a waiting writer."""
    rw = sync.RWMutex()
    shared = [0]

    def reader():
        rw.RLock()
        time.sleep(0)
        rw.RLock()                      # recursive read lock: the bug
        v = shared[0]
        rw.RUnlock()
        rw.RUnlock()
        return v

    def writer():
        rw.Lock()
        shared[0] += 1
        rw.Unlock()
    _join(reader, writer)


class _Barrier(object):
    """SPLASH-2's BARRIER(bar, n) macro the Go way: the n-th goroutine to
    arrive releases the others (a channel closed per round)."""

    def __init__(self, n):
        self.n = n
        self.mu = sync.Mutex()
        self.count = 0
        self.release = chan()

    def wait(self):
        self.mu.lock()
        self.count += 1
        if self.count == self.n:
            self.count = 0
            rel, self.release = self.release, chan()
            self.mu.unlock()
            rel.close()
            return
        rel = self.release
        self.mu.unlock()
        rel.recv()


def _splash2(name, phases, doc):
    """SPLASH-2 kernels as SCTBench runs them: main creates the workers,
    works as process 0 itself, then waits for the others with the
    WAIT_FOR_END macro of SCTBench's pthread m4 file, which joins the
    slots 0..P-2 of the thread table (slot 0 is main itself) and so never
    the last worker; main then checks the result while that worker may
    still be writing its part. `phases` are the steps between barriers."""
    def prog():
        nprocs = 2
        bar = _Barrier(nprocs)
        parts = [[0] * phases for _ in range(nprocs)]
        done = [chan() for _ in range(nprocs)]

        def slave(p):
            for ph in range(phases):
                parts[p][ph] = ph + 1
                time.sleep(0)
                bar.wait()
            parts[p].append('timing')   # (each process's final stores)
            time.sleep(0)
            parts[p].append('done')
        tids = []

        def create(p):
            def f():
                try:
                    slave(p)
                finally:
                    done[p].close()
            go(f)
            tids.append(p)
        for p in range(1, nprocs):
            create(p)
        slave(0)
        # WAIT_FOR_END(nprocs - 1): joins table slots nprocs-2 .. 0; slot 0
        # is main (joining itself fails at once), the last worker's slot
        # (nprocs - 1) is never joined: the bug
        for slot in reversed(range(nprocs - 1)):
            if slot != 0:
                done[tids[slot - 1]].recv()
        for p in range(nprocs):
            assert parts[p][-1] == 'done', "%s: process %d still running when main checked" % (name, p)
    prog.__name__ = prog.__qualname__ = name
    prog.__doc__ = doc + '\n\n' + _splash2.__doc__
    return prog


barnes = _splash2('barnes', 3, "Splash2/barnes (Barnes-Hut n-body: tree build, forces, positions).")
fft = _splash2('fft', 2, "Splash2/fft (six-step FFT: transposes between barriers).")
lu = _splash2('lu', 4, "Splash2/lu (blocked LU factorization: a barrier per block step).")


# SCTBench kernels that fail in every schedule (a wrong assertion, an index
# past an array's end, a lock never released, a signal that cannot come):
# SCTBench keeps them; every strategy finds them at run 1.
ALWAYS_FAILS = {'arithmetic_prog_bad', 'fsbench_bad', 'phase01_bad', 'sync01_bad', 'sync02_bad'}


# budget: runs within which PCT (depth 2) or POS, the better of the two,
# finds it (from `schedule.explore` with its default seed; see
# tests/python/test_sctbench.py); 1 for the ALWAYS_FAILS kernels
KERNELS = [
    ('account_bad', account_bad, 20),
    ('arithmetic_prog_bad', arithmetic_prog_bad, 1),
    ('bluetooth_driver_bad', bluetooth_driver_bad, 20),
    ('carter01_bad', carter01_bad, 20),
    ('circular_buffer_bad', circular_buffer_bad, 20),
    ('deadlock01_bad', deadlock01_bad, 20),
    ('din_phil2_sat', din_phil2_sat, 20),
    ('din_phil3_sat', din_phil3_sat, 20),
    ('din_phil4_sat', din_phil4_sat, 20),
    ('din_phil5_sat', din_phil5_sat, 20),
    ('din_phil6_sat', din_phil6_sat, 20),
    ('din_phil7_sat', din_phil7_sat, 20),
    ('fsbench_bad', fsbench_bad, 1),
    ('lazy01_bad', lazy01_bad, 20),
    ('phase01_bad', phase01_bad, 1),
    ('queue_bad', queue_bad, 20),
    ('reorder_3_bad', reorder_3_bad, 20),
    ('reorder_4_bad', reorder_4_bad, 20),
    ('reorder_5_bad', reorder_5_bad, 20),
    ('reorder_10_bad', reorder_10_bad, 100),
    ('reorder_20_bad', reorder_20_bad, 100),
    ('stack_bad', stack_bad, 100),
    ('sync01_bad', sync01_bad, 1),
    ('sync02_bad', sync02_bad, 1),
    ('token_ring_bad', token_ring_bad, 30),
    ('twostage_bad', twostage_bad, 20),
    ('wronglock_3_bad', wronglock_3_bad, 20),
    ('wronglock_bad', wronglock_bad, 20),
    ('aget_bug2', aget_bug2, 20),
    ('pbzip2_0_9_4', pbzip2_0_9_4, 20),
    ('stringbuffer_jdk1_4', stringbuffer_jdk1_4, 20),
    ('WorkStealQueue', WorkStealQueue, 20),
    ('InterlockedWorkStealQueue', InterlockedWorkStealQueue, 20),
    ('StateWorkStealQueue', StateWorkStealQueue, 20),
    ('InterlockedWorkStealQueueWithState', InterlockedWorkStealQueueWithState, 20),
    ('ctrace_test', ctrace_test, 20),
    ('qsort_mt', qsort_mt, 50),
    ('radbench_bug1', radbench_bug1, 20),
    ('radbench_bug2', radbench_bug2, 20),
    ('radbench_bug6', radbench_bug6, 20),
    ('barnes', barnes, 20),
    ('fft', fft, 20),
    ('lu', lu, 20),
    ('safestack', safestack, 200),
]

# Kernels in tools/bench_schedules.py only: twostage_100_bad (100
# goroutines, ~800 steps a run). PCT misses it (after its change point the
# reader must have the top priority among 100 and the point must fall right
# after the first writer's first stage: about 1 in 100 x 800); POS finds it
# in most explorations of 1000 runs (README's table), from the test's seed
# after 625 runs, which is too long a test.
BENCH_ONLY = [
    ('twostage_100_bad', twostage_100_bad),
]
