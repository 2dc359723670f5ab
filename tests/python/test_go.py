# SPDX-License-Identifier: MIT OR Apache-2.0
"""Conformance tests of golang's `go` (goroutines), of process-level
behaviour (exit with leaked goroutines, exceptions in goroutines, Ctrl-C in
a blocked main thread), of Python and Rust goroutines sharing a channel, and
of resource leaks over a goroutine-heavy workload. Facts are those of
/work/shared/API.md ("golang" table) for Pygolang 0.0.5.

Process-level behaviour runs in subprocesses; they synchronise with the
parent through their output ("ready") and with their goroutines through
channels and the waitBlocked hook, never through sleeps.
"""

import signal
import subprocess
import sys
import threading

import pytest

from golang import go, chan, select, nilchan, func, defer, recover, panic
from golang import _golang

from _golang_testutil import *  # noqa: F401,F403  (hooks, panics, spawn, join, watchdog, ...)
from _golang_testutil import _subprocess_env


# ---- go ----

def test_go_runs_f_with_positional_and_keyword_arguments():
    got = chan(1)

    def f(*argv, **kw):
        got.send((argv, kw))
    assert go(f, 1, 'two', x=3, y=None) is None
    assert got.recv() == ((1, 'two'), {'x': 3, 'y': None})
    go(f)
    assert got.recv() == ((), {})


def test_go_accepts_any_callable():
    got = chan(3)

    class C(object):
        def meth(self, x):
            got.send(('meth', x))

        def __call__(self, x):
            got.send(('call', x))
    go(C().meth, 1)
    go(C(), 2)
    go(got.send, ('bound builtin', 3))
    assert sorted([got.recv(), got.recv(), got.recv()]) == \
        [('bound builtin', 3), ('call', 2), ('meth', 1)]


def test_go_runs_f_in_another_thread():
    got = chan(1)
    go(lambda: got.send(threading.get_ident()))
    assert got.recv() != threading.get_ident()


def test_go_1000_goroutines_are_all_blocked_at_the_same_time():
    # Goroutines run concurrently: 1000 of them wait on one channel at once
    # (a pool that ran them one after the other would deadlock here).
    G = 1000
    start, done = chan(), chan(G)

    def g(i):
        start.recv()
        done.send(i)
    for i in range(G):
        go(g, i)
    wait_until(lambda: len_recvq(start) == G, "%d goroutines wait" % G)
    start.close()
    assert sorted(done.recv() for _ in range(G)) == list(range(G))


def test_go_many_short_goroutines_all_run():
    G = 3000
    done = chan()
    for i in range(G):
        go(done.send, i)
    assert sorted(done.recv() for _ in range(G)) == list(range(G))


def test_goroutines_can_start_goroutines():
    depth = 50
    out = chan()

    def g(n):
        if n == 0:
            out.send('bottom')
        else:
            go(g, n - 1)
    go(g, depth)
    assert out.recv() == 'bottom'


def test_goroutine_recovers_its_own_panic_with_func_defer_recover():
    out = chan(2)

    @func
    def g():
        defer(lambda: None)

        def catch():
            out.send(('recovered', recover()))
        defer(catch)
        ch = chan()
        ch.close()
        ch.close()              # panics "close of closed channel"
    go(g)

    @func
    def h():
        def catch():
            out.send(('recovered', recover()))
        defer(catch)
        panic('from goroutine')
    go(h)
    assert sorted([out.recv(), out.recv()]) == [
        ('recovered', 'close of closed channel'), ('recovered', 'from goroutine')]


# The child copies what is written to sys.stderr and closes a chan once a
# goroutine's traceback is complete; so it waits for the printing without
# sleeping (and the two tracebacks do not interleave).
GOEXC_PROG = r'''
import sys
from golang import go, chan, panic

class Tee(object):
    def __init__(self, f):
        self.f, self.text, self.waits = f, '', []
    def wait_for(self, text):
        ch = chan()
        self.waits.append((text, ch))
        return ch
    def write(self, s):
        self.f.write(s)
        self.text += s
        for w in self.waits[:]:
            if w[0] in self.text:
                self.waits.remove(w)
                w[1].close()
        return len(s)
    def flush(self):
        self.f.flush()
    def __getattr__(self, name):
        return getattr(self.f, name)

tee = sys.stderr = Tee(sys.stderr)

def faulty_goroutine(x, y=None):
    raise ValueError('boom-in-goroutine')

def panicking_goroutine():
    panic('panic-in-goroutine')

printed = tee.wait_for('ValueError: boom-in-goroutine\n')
go(faulty_goroutine, 1, y=2)
printed.recv()
printed = tee.wait_for('_PanicError: panic-in-goroutine\n')
go(panicking_goroutine)
printed.recv()

# the process goes on: goroutines and channels still work
done = chan()
for i in range(10):
    go(done.send, i)
print(sorted(done.recv() for i in range(10)) == list(range(10)))
print('alive')
'''


def test_go_exception_is_printed_with_traceback_and_process_goes_on():
    r = pyrun(GOEXC_PROG, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'True\nalive\n'
    assert 'Traceback (most recent call last):' in r.stderr
    assert 'faulty_goroutine' in r.stderr
    assert 'ValueError: boom-in-goroutine' in r.stderr
    assert 'panicking_goroutine' in r.stderr
    assert '_PanicError: panic-in-goroutine' in r.stderr
    assert 'Fatal Python error' not in r.stderr


# Goroutines outlive main: blocked on chans, in select, on nil chans and
# running Python code. Exit must neither wait for them nor print anything.
GOLEAKED_PROG = '''
import sys, time
from golang import go, chan, select, nilchan

NG = 100
started = chan()
mainexit = chan()
never = chan()

def blocked_after_main(i):
    started.send(i)
    mainexit.recv()
    if i % 4 == 0:
        never.recv()
    elif i % 4 == 1:
        select(never.recv, (never.send, i))
    elif i % 4 == 2:
        nilchan.send(i)
    else:
        while True:     # keeps running Python code
            time.sleep(0.001)
            sum(range(100))

for i in range(NG):
    go(blocked_after_main, i)
for i in range(NG):
    started.recv()
mainexit.close()
print('main exits')
sys.exit(0)
'''


def test_process_exit_does_not_wait_for_goroutines():
    # Run several times: an exit that races with goroutine threads must be
    # clean every time.
    for _ in range(5):
        r = pyrun(GOLEAKED_PROG, timeout=30)
        assert (r.returncode, r.stdout, r.stderr) == (0, 'main exits\n', '')


def test_process_exit_right_after_goroutines_finish_is_clean():
    prog = '''
    from golang import go, chan
    done = chan()
    for i in range(50):
        go(done.send, i)
    for i in range(50):
        done.recv()
    '''
    for _ in range(5):
        r = pyrun(prog, timeout=30)
        assert (r.returncode, r.stdout, r.stderr) == (0, '', '')


# ---- Ctrl-C ----

# The child's main thread blocks in BLOCK; a goroutine waits (waitBlocked)
# until main is queued on the channel, then prints "ready". The parent then
# sends SIGINT.
CTRLC_PROG = '''
import sys
from golang import go, chan, select, default
from golang._golang_test import pywaitBlocked, pylen_recvq, pylen_sendq

ch = chan()
ch2 = chan()

def notify():
    pywaitBlocked(WAITOP)
    print('ready', flush=True)
go(notify)

def main_blocked():
    BLOCK

if CATCH:
    try:
        main_blocked()
    except KeyboardInterrupt:
        print('interrupted', pylen_recvq(ch), pylen_sendq(ch), flush=True)
    # no waiter is left behind: the chan works normally
    assert select(ch.recv, (ch.send, 1), default) == (2, None)
    go(ch.send, 'after')
    print(ch.recv(), flush=True)
else:
    main_blocked()
    print('not interrupted')
'''

CTRLC_CASES = [
    # (blocking statement, op the goroutine waits on)
    ('ch.recv()', 'ch.recv'),
    ('ch.recv_()', 'ch.recv'),
    ('ch.send(1)', 'ch.send'),
    ('select(ch.recv, ch2.recv)', 'ch.recv'),
    ('select(ch.recv_, (ch2.send, 1))', 'ch.recv'),
    ('select((ch.send, 1), ch2.recv)', 'ch.send'),
]


def run_ctrlc(block, waitop, catch):
    return run_sigint(CTRLC_PROG.replace('WAITOP', waitop).replace('BLOCK', block)
                                .replace('CATCH', repr(catch)))


def run_sigint(prog):
    """Runs prog in a subprocess, waits until it prints "ready", sends it
    SIGINT and returns (returncode, rest of stdout, stderr).

    The child first installs Python's default SIGINT handler: a test runner
    started in the background by a non-interactive shell has SIGINT ignored,
    and children inherit that, which would hide what a user at a terminal
    gets."""
    prog = ('import signal as _s; _s.signal(_s.SIGINT, _s.default_int_handler)\n'
            + prog)
    p = subprocess.Popen([getattr(sys, '_gpy_underlying_executable', sys.executable), '-c', prog], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=_subprocess_env())
    try:
        line = p.stdout.readline()
        assert line == 'ready\n', (line, p.stderr.read() if p.poll() is not None else '')
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
            p.communicate()
    return p.returncode, out, err


@pytest.mark.parametrize('block,waitop', CTRLC_CASES)
def test_ctrl_c_interrupts_main_thread_blocked_on_a_chan(block, waitop):
    rc, out, err = run_ctrlc(block, waitop, catch=False)
    assert rc != 0
    assert 'not interrupted' not in out
    assert 'Traceback (most recent call last):' in err
    assert 'main_blocked' in err            # raised where main was blocked
    assert err.rstrip().splitlines()[-1] == 'KeyboardInterrupt'


@pytest.mark.parametrize('block,waitop', CTRLC_CASES)
def test_ctrl_c_in_blocked_main_thread_leaves_no_waiter_behind(block, waitop):
    rc, out, err = run_ctrlc(block, waitop, catch=True)
    assert (rc, out, err) == (0, 'interrupted 0 0\nafter\n', '')


SIGHANDLER_PROG = '''
import signal
from golang import go, chan, select
from golang._golang_test import pywaitBlocked

ch = chan()

def handler(sig, frame):
    print('handled', flush=True)
    go(ch.send, 'value')
signal.signal(signal.SIGINT, handler)

def notify():
    pywaitBlocked(ch.recv)
    print('ready', flush=True)
go(notify)
print(OP, flush=True)
'''


@pytest.mark.parametrize('op', ['ch.recv()', 'select(ch.recv)'])
def test_sigint_handler_that_returns_lets_the_blocked_main_thread_go_on(op):
    # A handler that does not raise runs while main is blocked, and main
    # stays in its channel operation (here: receiving what the handler sent).
    rc, out, err = run_sigint(SIGHANDLER_PROG.replace('OP', op))
    want = "value" if op == 'ch.recv()' else "(0, 'value')"
    assert (rc, out, err) == (0, 'handled\n%s\n' % want, '')


# ---- Python and Rust goroutines on one channel ----

def test_rust_goroutine_and_python_goroutines_exchange_ints_on_shared_chans():
    M = 5000
    inp, out = chan(dtype='C.int'), chan(dtype='C.int')
    _golang._rust_echo_int(inp, out, M)

    def feed():
        for i in range(M):
            if i % 2:
                inp.send(i)
            else:
                assert select((inp.send, i), nilchan.recv) == (0, None)
    g = spawn(feed)
    got = []
    while True:
        if len(got) % 3:
            rx, ok = out.recv_()
        else:
            _, (rx, ok) = select(out.recv_)
        if not ok:
            break
        assert type(rx) is int
        got.append(rx)
    join(g)
    assert got == [2 * i for i in range(M)]
    assert out.recv_() == (0, False)        # the Rust side closed out


def test_rust_goroutine_on_buffered_chans_with_python_on_both_ends():
    M = 5000
    inp, out = chan(7, dtype='C.int'), chan(3, dtype='C.int')
    _golang._rust_echo_int(inp, out, M)
    # feed and drain from two Python goroutines, check in the main thread
    drained = chan(1)

    def drain():
        got = []
        while True:
            rx, ok = out.recv_()
            if not ok:
                break
            got.append(rx)
        drained.send(got)
    gf = spawn(lambda: [inp.send(i - M // 2) for i in range(M)])
    gd = spawn(drain)
    join(gf, gd)
    assert drained.recv() == [2 * (i - M // 2) for i in range(M)]


def test_rust_goroutine_waits_on_a_python_chan_as_a_receiver():
    inp, out = chan(dtype='C.int'), chan(dtype='C.int')
    _golang._rust_echo_int(inp, out, 2)
    waitBlocked(inp.recv)                  # the Rust goroutine is queued
    assert len_recvq(inp) == 1
    inp.send(21)                           # handed over to Rust
    waitBlocked(out.send)                  # Rust waits for a Python receiver
    assert len_sendq(out) == 1
    assert out.recv() == 42
    inp.send(-1)
    assert out.recv_() == (-2, True)
    assert out.recv_() == (0, False)
    assert (len_recvq(inp), len_sendq(out)) == (0, 0)


def test_python_close_of_input_ends_the_rust_goroutine_which_closes_output():
    inp, out = chan(dtype='C.int'), chan(dtype='C.int')
    _golang._rust_echo_int(inp, out, 100)
    inp.send(5)
    assert out.recv() == 10
    inp.close()
    assert out.recv_() == (0, False)
    assert select(out.recv_) == (0, (0, False))
    with panics("send on closed channel"):
        out.send(1)


def test_python_main_thread_blocked_first_is_woken_by_the_rust_goroutine():
    inp, out = chan(dtype='C.int'), chan(dtype='C.int')
    _golang._rust_echo_int(inp, out, 1)

    def feed():
        waitBlocked(out.recv)              # main waits on out (in select)
        inp.send(8)
    g = spawn(feed)
    assert select(out.recv, nilchan.recv) == (0, 16)
    join(g)


# ---- leaks ----

# The workload runs in a fresh process: pool threads left idle by other tests
# would otherwise make RSS grow as each of them is first touched.
LEAK_PROG = r'''
import gc, os, sys, tracemalloc
from golang import go, chan, select, default, _PanicError

def rss():
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE')

def workload(sentinel, nping, ngo):
    # nping ping-pongs (send/recv/select with object sends), ngo goroutines,
    # buffered chans dropped with objects in them, panics and bad selects;
    # the sentinel travels everywhere.
    ping, pong, never, quit = chan(), chan(), chan(), chan()

    def player():
        k = 0
        while True:
            i, x = select(ping.recv, quit.recv)
            if i == 1:
                return
            k += 1
            if k % 2:
                pong.send(x)
            else:
                select((pong.send, x), (never.send, sentinel))
    go(player)
    for k in range(nping):
        if k % 2:
            ping.send(sentinel)
        else:
            assert select((ping.send, sentinel), never.recv, (never.send, sentinel)) == (0, None)
        if k % 3:
            x = pong.recv()
        else:
            _, x = select(pong.recv, (never.send, sentinel))
        assert x is sentinel
        del x
        assert select((never.send, sentinel), default) == (1, None)
    quit.close()

    done = chan(16)
    def g(a, b=None):
        done.send(a)
    for k in range(ngo):
        go(g, sentinel, b=sentinel)
        assert done.recv() is sentinel

    for k in range(10):
        buf = chan(8)
        for j in range(8):
            buf.send(sentinel)
        buf.close()
        for op in (lambda: buf.send(sentinel), lambda: select((buf.send, sentinel))):
            try:
                op()
            except _PanicError as e:
                assert e.args == ("send on closed channel",)
            else:
                raise AssertionError("send on closed chan did not panic")
        try:
            select((never.send, sentinel), 'zzz')
        except AttributeError:
            pass
        else:
            raise AssertionError("bad select case accepted")
        del buf, op
        ich = chan(2, dtype='C.int')
        ich.send(k)
        ich.recv()

sentinel = object()
nref0 = sys.getrefcount(sentinel)

def settle():
    # The last goroutines may still be returning (their arguments held)
    # after their final send: Go promises nothing about when a goroutine is
    # gone, and there is no channel to wait on for it. So wait, boundedly,
    # for the sentinel's count to come back; a real leak keeps it up.
    import time
    for _ in range(400):
        gc.collect()
        if sys.getrefcount(sentinel) <= nref0:
            return
        time.sleep(0.005)

tracemalloc.start()
workload(sentinel, 5000, 500)           # warm-up
settle()
mem0, rss0 = tracemalloc.get_traced_memory()[0], rss()
for _ in range(3):
    workload(sentinel, 5000, 500)
settle()
nref, mem, rss1 = sys.getrefcount(sentinel), tracemalloc.get_traced_memory()[0], rss()
print(nref - nref0, mem - mem0, rss1 - rss0)
'''


def test_goroutine_heavy_workload_leaks_neither_references_nor_memory():
    # 20k ping-pongs and 2k goroutines in all; metrics are compared between
    # the end of the warm-up round and the end of three more rounds.
    r = pyrun(LEAK_PROG, timeout=120)
    assert (r.returncode, r.stderr) == (0, '')
    dref, dmem, drss = map(int, r.stdout.split())
    assert dref == 0, "the sentinel gained %d references" % dref
    # 15k ping-pongs, 1.5k goroutines: even 4 bytes per operation would show
    assert dmem < 64 * 1024, "python heap grew by %d bytes" % dmem
    assert drss < 1024 * 1024, "RSS grew by %d bytes" % drss
