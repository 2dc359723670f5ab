# SPDX-License-Identifier: MIT OR Apache-2.0
"""Fuzzing against a model (the Python half of the model-checked fuzz suite;
the Rust half is tests/fuzz_model.rs).

Random programs of async goroutines — buffered and unbuffered channels,
`asend`, `arecv`, `arecv_`, `aselect` with and without default, `close` (and
Go's panics: close of closed / nil channel, send on closed channel),
`time.asleep`, timers and `Timer.stop`, non-blocking sends and receives,
`len` — run under `golang.run(main,
seed=N)`; what each goroutine observes is logged in the order the
deterministic executor runs them and replayed through a sequential model of
Go's channel rules (_fuzz_model.py), which rejects any step it does not
allow, and checks how the run ended: main returned, the panic that was due,
or deadlock exactly when the model has every goroutine blocked (with what
each waits on); virtual time exactly at the deadlines; every value sent
received once or still buffered.

The two suites share tests/fuzz/golden.txt: programs and every way a run of
each may end, computed by the Rust model; the Python model must compute the
same, and real runs here must end in one of them.

A checked subset runs on thread goroutines (blocking `send`, `recv`,
`recv_`, `select`, `close`; no timers, so no time is checked): programs that
the model says always finish (no deadlock, no panic, under every schedule),
run with each goroutine on its own thread (greenlet under gpython); the
interleaving is then the OS's, and the log is replayed the same way.

`GOLANG_FUZZ_EXAMPLES=n` sets the number of random programs (default 500;
a tenth of it for the thread subset);
a long run: `GOLANG_FUZZ_EXAMPLES=100000 .venv/bin/python -m pytest -q
tests/python/test_fuzz_model.py`. A failure prints the shrunk program (in
the golden file's text form) and the seed.
"""

import faulthandler
import os
import re
import sys

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st, HealthCheck  # noqa: E402

import golang  # noqa: E402
from golang import go, chan, aselect, default, nilchan, select, _PanicError  # noqa: E402
from golang import time  # noqa: E402

import _fuzz_model as model  # noqa: E402

T0 = 1700000000.0
EXAMPLES = int(os.environ.get("GOLANG_FUZZ_EXAMPLES", "500"))
GOLDEN = os.path.join(os.path.dirname(__file__), "..", "fuzz", "golden.txt")
GOLDEN_STATES = 1500        # tests/fuzz/golden.rs: STATES


@pytest.fixture(autouse=True)
def watchdog():
    """_golang_testutil's watchdog, with room for long runs (a second per
    example): a hung run dumps every thread's traceback and exits."""
    faulthandler.dump_traceback_later(max(120, EXAMPLES), exit=True, file=sys.__stderr__)
    yield
    faulthandler.cancel_dump_traceback_later()


def _us(t):
    return round((t - T0) * 1e6)


# Element types of the data channels (values are small positive ints): the
# typed ones are native channels of C values underneath; a closed channel
# gives their zero value.
DTYPES = {object: None, 'C.int': 0, 'C.double': 0.0}


def dtypes_of(p):
    return getattr(p, 'dtypes', None) or [object] * len(p.caps)


def drain(chans):
    """What is left in each channel at the end of a run, in order (as ints:
    typed channels give floats for C.double)."""
    bufs = []
    for c in chans:
        got = []
        while True:
            i, r = select(c.recv_, default)
            if i != 0 or not r[1]:
                break
            got.append(int(r[0]))
        bufs.append(got)
    return bufs


def run_real(p, seed):
    """Runs p under golang.run(seed=seed): (log, outcome, bufs)."""
    log = []
    dtypes = dtypes_of(p)
    data = [chan(c, dtype=dt) for c, dt in zip(p.caps, dtypes)]

    async def main():
        timers = [time.Timer(us * 1e-6) if stoppable else time.after(us * 1e-6)
                  for stoppable, us in p.timers]

        def ch(name):
            if name == 'nil':
                return nilchan
            i = int(name[1:])
            if name[0] == 'c':
                return data[i]
            t = timers[i]
            return t.c if p.timers[i][0] else t

        def val(name, v):
            if name[0] == 't':
                return ('t', _us(v))
            if name[0] == 'c' and v == DTYPES[dtypes[int(name[1:])]] and type(v) is type(DTYPES[dtypes[int(name[1:])]]):
                return None         # closed and drained (the zero value)
            return ('d', int(v))

        async def exec_op(op):
            k = op[0]
            if k == 'send':
                await ch(op[1]).asend(op[2])
                return ('sent',)
            if k == 'recv':
                return ('recv', val(op[1], await ch(op[1]).arecv()))
            if k == 'recvok':
                v, ok = await ch(op[1]).arecv_()
                if ok:
                    return ('recv', val(op[1], v))
                if op[1][0] == 'c' and v != DTYPES[dtypes[int(op[1][1:])]] or op[1][0] == 't' and v != 0.0:
                    return ('bad', 'v, ok := <-ch gave (%r, False)' % (v,))
                return ('recv', None)
            if k == 'select':
                cases, dflt = op[1], op[2]
                args = [ch(c[1]).recv if c[0] == 'recv' else (ch(c[1]).send, c[2]) for c in cases]
                if dflt:
                    args.append(default)
                i, v = await aselect(*args)
                if i == len(cases):
                    return ('sel', i, None)
                if cases[i][0] == 'recv':
                    return ('sel', i, ('r', val(cases[i][1], v)))
                return ('sel', i, None)
            if k == 'close':
                ch(op[1]).close()
                return ('closed',)
            if k == 'sleep':
                await time.asleep(op[1] * 1e-6)
                return ('slept',)
            if k == 'stop':
                return ('stopped', timers[op[1]].stop())
            if k == 'trysend':
                try:
                    i, _ = await aselect((ch(op[1]).send, op[2]), default)
                except _PanicError:
                    return ('tryclosed',)
                return ('sent',) if i == 0 else ('full',)
            if k == 'tryrecv':
                i, v = await aselect(ch(op[1]).recv, default)
                return ('recv', val(op[1], v)) if i == 0 else ('empty',)
            if k == 'len':
                return ('len', len(ch(op[1])))
            raise AssertionError("not run on the Python side: %r" % (op,))

        def goroutine(g):
            async def body():
                for op in p.gors[g]:
                    res = await exec_op(op)
                    log.append(('done', g, res, _us(time.now())))
            body.__name__ = body.__qualname__ = 'fuzzg%d' % g
            return body

        for g in range(1, len(p.gors)):
            go(goroutine(g))
        await goroutine(0)()

    try:
        golang.run(main, seed=seed)
        outcome = ('ok',)
    except _PanicError as e:
        msg = str(e.args[0])
        # the goroutine is named in the note golang.run adds (the args stay as raised)
        m = re.search(r'raised in goroutine "fuzzg(\d+)"', ' '.join(getattr(e, '__notes__', ())))
        outcome = ('panic', int(m.group(1)) if m else 0, msg)
    except golang.DeadlockError as e:
        blocked = [(int(i) - 1, r) for i, r in re.findall(r'goroutine (\d+) \[(.*?)\]', str(e))]
        outcome = ('deadlock', sorted(blocked))
    return log, outcome, drain(data)


def check_run(p, seed):
    log, outcome, bufs = run_real(p, seed)
    try:
        why = model.check(p, log, outcome, bufs, after0_at_once=False)
    except model.TooBig:
        return None, outcome
    assert why is None, "seed %d, program:\n%s\n%s" % (seed, p.text(), why)
    return True, outcome


# ---- program generation (as tests/fuzz/program.rs) ----

DATA = st.sampled_from(['c0', 'c1', 'c2'] * 5 + ['nil'])
RECV_FROM = st.sampled_from(['c0', 'c1', 'c2'] * 5 + ['t0', 't1'] * 2 + ['nil'])
CASE = st.one_of(st.tuples(st.just('recv'), RECV_FROM), st.tuples(st.just('send'), DATA, st.just(0)))
OP = st.one_of(
    st.tuples(st.just('send'), DATA, st.just(0)),
    st.tuples(st.just('recv'), RECV_FROM),
    st.tuples(st.just('recvok'), RECV_FROM),
    st.tuples(st.just('select'), st.lists(CASE, min_size=1, max_size=3).map(tuple), st.booleans()),
    st.tuples(st.just('close'), DATA),
    st.tuples(st.just('sleep'), st.sampled_from([0, 500, 1000, 1500, 3000])),
    st.tuples(st.just('stop'), st.integers(0, 1)),
    st.tuples(st.just('trysend'), DATA, st.just(0)),
    st.tuples(st.just('tryrecv'), RECV_FROM),
    st.tuples(st.just('len'), RECV_FROM),
)


def normalized(caps, timers, gors, dtypes=None):
    """unique sent values 1, 2, ... in program order; Stop names stoppable
    timers only (dropped when there are none)."""
    n = [0]

    def fresh():
        n[0] += 1
        return n[0]
    stoppable = [i for i, t in enumerate(timers) if t[0]]
    out = []
    for ops in gors:
        new = []
        for op in ops:
            if op[0] in ('send', 'trysend'):
                op = (op[0], op[1], fresh())
            elif op[0] == 'select':
                op = ('select', tuple(c if c[0] == 'recv' else ('send', c[1], fresh()) for c in op[1]), op[2])
            elif op[0] == 'stop':
                if not stoppable:
                    continue
                op = ('stop', stoppable[op[1] % len(stoppable)])
            new.append(op)
        out.append(new)
    p = model.Program(caps, timers, out)
    p.dtypes = dtypes
    return p


PROGRAM = st.builds(
    normalized,
    st.lists(st.integers(0, 2), min_size=3, max_size=3),
    st.lists(st.tuples(st.booleans(), st.sampled_from([0, 1000, 2000, 2500, 4000])), min_size=2, max_size=2),
    st.lists(st.lists(OP, max_size=6), min_size=1, max_size=4),
    st.lists(st.sampled_from(list(DTYPES)), min_size=3, max_size=3),
)


# ---- the tests ----

@settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(PROGRAM, st.integers(0, 2**63 - 1))
def test_random_programs_follow_gos_channel_rules(p, seed):
    check_run(p, seed)


# ---- the thread subset ----

SYNC_CASES = st.lists(st.one_of(st.tuples(st.just('recv'), DATA), st.tuples(st.just('send'), DATA, st.just(0))),
                      min_size=1, max_size=3).map(tuple)
# (selects with default never block: more of them, more programs that
# always finish)
SYNC_OP = st.one_of(
    st.tuples(st.just('send'), DATA, st.just(0)),
    st.tuples(st.just('recv'), DATA),
    st.tuples(st.just('select'), SYNC_CASES, st.just(True)),
    st.tuples(st.just('recvok'), DATA),
    st.tuples(st.just('select'), SYNC_CASES, st.just(True)),
    st.tuples(st.just('select'), SYNC_CASES, st.booleans()),
    st.tuples(st.just('close'), DATA),
)
SYNC_PROGRAM = st.builds(
    normalized,
    st.lists(st.integers(0, 2), min_size=3, max_size=3),
    st.just([]),
    st.lists(st.lists(SYNC_OP, max_size=5), min_size=1, max_size=4),
)


def run_threads(p, timeout=60):
    """Runs p with each goroutine on its own thread goroutine (main's too);
    waits until all have finished: (log, bufs)."""
    import threading
    log = []
    lock = threading.Lock()
    data = [chan(c) for c in p.caps]

    def ch(name):
        return nilchan if name == 'nil' else data[int(name[1:])]

    def exec_op(op):
        k = op[0]
        if k == 'send':
            ch(op[1]).send(op[2])
            return ('sent',)
        if k == 'recv':
            v = ch(op[1]).recv()
            return ('recv', None if v is None else ('d', v))
        if k == 'recvok':
            v, ok = ch(op[1]).recv_()
            return ('recv', ('d', v)) if ok else ('recv', None) if v is None else ('bad', repr(v))
        if k == 'select':
            cases, dflt = op[1], op[2]
            args = [ch(c[1]).recv if c[0] == 'recv' else (ch(c[1]).send, c[2]) for c in cases]
            if dflt:
                args.append(default)
            i, v = select(*args)
            if i == len(cases) or cases[i][0] == 'send':
                return ('sel', i, None)
            return ('sel', i, ('r', None if v is None else ('d', v)))
        if k == 'close':
            ch(op[1]).close()
            return ('closed',)
        raise AssertionError(op)

    done = chan(len(p.gors))

    def goroutine(g):
        try:
            for op in p.gors[g]:
                res = exec_op(op)
                with lock:
                    log.append(('done', g, res, None))
        finally:
            done.send(g)
    for g in range(len(p.gors)):
        go(goroutine, g)
    for _ in p.gors:
        i, _ = select(done.recv, time.after(timeout).recv)
        assert i == 0, "the program did not finish in %ds:\n%s\nlog: %r" % (timeout, p.text(), log)
    return log, drain(data)


@settings(max_examples=max(EXAMPLES // 10, 10), deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(SYNC_PROGRAM)
def test_thread_goroutines_follow_gos_channel_rules(p):
    hypothesis.assume(model.outcome_classes(p, False, 5000, join=True) == {'ok'})
    log, bufs = run_threads(p)
    try:
        why = model.check(p, log, ('ok',), bufs, join=True)
    except model.TooBig:
        return
    assert why is None, "program:\n%s\n%s" % (p.text(), why)


def golden():
    with open(GOLDEN) as f:
        return model.parse_golden(f.read())


def test_python_model_gives_the_golden_files_outcomes():
    # With Rust's time.after(0) (its value at once): the same model as Rust's.
    programs = golden()
    assert len(programs) >= 100
    for p, classes in programs:
        assert model.outcome_classes(p, True, GOLDEN_STATES) == classes, p.text()


def test_golden_programs_end_as_the_model_says():
    n = 0
    for p, _ in golden():
        if any(op[0] == 'drop' for ops in p.gors for op in ops):
            continue    # (no way to poll an awaitable once from Python)
        # Here time.after(0) fires like any timer.
        classes = model.outcome_classes(p, False, model.MAX_STATES)
        for seed in range(3):
            ok, outcome = check_run(p, seed)
            assert model.outcome_class(outcome) in classes, (seed, outcome, classes, p.text())
        n += 1
    assert n >= 30


def test_the_model_rejects_altered_runs():
    """the checker is not vacuous: a value never sent or received twice, a
    time off its deadline, a buffer left with a value never sent or already
    received, another ending: each rejected."""
    tried = 0
    for p, _ in golden():
        if any(op[0] == 'drop' for ops in p.gors for op in ops):
            continue
        log, outcome, bufs = run_real(p, 1)
        assert model.check(p, log, outcome, bufs) is None
        for i, o in enumerate(log):
            if o[0] != 'done':
                continue
            res, now = o[2], o[3]
            if res[0] == 'recv' and res[1] and res[1][0] == 'd':
                alt = ('done', o[1], ('recv', ('d', res[1][1] + 1000)), now)
            else:
                alt = ('done', o[1], res, now + 1)
            assert model.check(p, log[:i] + [alt] + log[i + 1:], outcome, bufs) is not None
            tried += 1
        received = [(i, o[2][1]) for i, o in enumerate(log)
                    if o[0] == 'done' and o[2][0] == 'recv' and o[2][1] and o[2][1][0] == 'd']
        for (_, v), (j, _) in zip(received, received[1:]):
            o = log[j]      # a value delivered twice
            alt = log[:j] + [(o[0], o[1], ('recv', v), o[3])] + log[j + 1:]
            assert model.check(p, alt, outcome, bufs) is not None
        for c in range(len(bufs)):     # a value never sent, or one received, left in a buffer
            for v in [999999] + [v[1] for _, v in received[:1]]:
                alt = [list(b) for b in bufs]
                alt[c].append(v)
                assert model.check(p, log, outcome, alt) is not None
        other = ('deadlock', [(0, 'chan receive')]) if outcome[0] == 'ok' else ('ok',)
        if not (other[0] == 'ok' and not p.gors[0]):
            assert model.check(p, log, other, bufs) is not None
    assert tried > 50
