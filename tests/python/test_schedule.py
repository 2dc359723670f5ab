# SPDX-License-Identifier: MIT OR Apache-2.0
"""Schedules of deterministic runs as files (golang/schedule.py,
targets/native/src/schedule.rs, sched/src/{strategy,schedule,shrink}.rs):
record -> replay, GOLANG_REPLAY, divergence, PCT/POS, exploration, the
determinism self-check, the shrinker and the pytest options."""

import itertools
import sys
import warnings

import pytest

import golang
from golang import chan, go, schedule, select, sync, time

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="schedules need the native core (and greenlet for plain def)")

pytest_plugins = ["pytester"]


def threaded(trace):
    """A plain-def program: workers, a select loop, a mutex."""
    ch, done = chan(), chan()
    mu = sync.Mutex()

    def worker(i):
        for k in range(3):
            mu.lock()
            trace.append(('lock', i, k))
            mu.unlock()
            ch.send((i, k))
        done.send(i)

    for i in range(3):
        go(worker, i)
    n = 0
    while n < 3:
        idx, v = select(ch.recv, done.recv)
        trace.append(v)
        n += idx == 1
    return trace


async def asyncprog(trace):
    ch = chan(3)

    async def worker(i):
        for k in range(3):
            await ch.asend((i, k))
            await time.asleep(0)
    for i in range(3):
        go(worker, i)
    for _ in range(9):
        trace.append(await ch.arecv())
    return trace


@pytest.mark.parametrize('prog', [threaded, asyncprog])
def test_record_then_replay_gives_the_same_trace_and_the_same_schedule(prog, tmp_path):
    f = tmp_path / 'run.schedule'
    t1 = golang.run(prog, [], seed=5, record=f)
    text = f.read_text()
    assert text.startswith('golang-schedule 1\nstrategy random:5\n')
    assert '\nrun g' in text
    f2 = tmp_path / 'again.schedule'
    with warnings.catch_warnings():
        warnings.simplefilter('error')      # no divergence warning
        t2 = golang.run(prog, [], replay=f, record=f2)
    assert t2 == t1
    assert f2.read_text() == text
    # and the seed alone gives it too (random:5 is seed 5)
    assert golang.run(prog, [], seed=5) == t1


def test_seeds_give_different_traces():
    traces = {tuple(golang.run(threaded, [], seed=s)) for s in range(8)}
    assert len(traces) > 1


def test_golang_replay_env_replays_the_file(tmp_path, monkeypatch):
    f = tmp_path / 'run.schedule'
    t1 = golang.run(threaded, [], seed=11, record=f)
    monkeypatch.setenv('GOLANG_REPLAY', str(f))
    monkeypatch.delenv('GOLANG_SEED', raising=False)
    assert golang.run(threaded, []) == t1


def test_replay_of_a_changed_program_warns_where_it_diverged_and_finishes(tmp_path):
    f = tmp_path / 'run.schedule'
    golang.run(threaded, [], seed=3, record=f)

    def changed(trace):
        go(lambda: None)        # one more goroutine first
        time.sleep(0)
        return threaded(trace)
    with pytest.warns(schedule.ReplayDivergedWarning, match=r"diverged at decision \d+ \((run|rand) decision, goroutine \d+\)"):
        t = golang.run(changed, [], replay=f)
    assert sum(1 for x in t if isinstance(x, int)) == 3    # it ran to the end


def test_a_bad_schedule_file_is_a_clear_error(tmp_path):
    f = tmp_path / 'bad.schedule'
    f.write_text('golang-schedule 1\nstrategy random:1\nrun g9 #0 of g1 g2 after g1\n')
    with pytest.raises(ValueError, match="schedule line 3"):
        golang.run(threaded, [], replay=f)
    with pytest.raises(ValueError, match="cannot read"):
        golang.run(threaded, [], replay=tmp_path / 'missing')
    with pytest.raises(ValueError, match="bad strategy"):
        golang.run(threaded, [], seed=1, strategy='bogus')


@pytest.mark.parametrize('strategy', ['pct:3', 'pos'])
def test_pct_and_pos_are_deterministic_per_seed_and_vary_across_seeds(strategy):
    a = golang.run(threaded, [], seed=4, strategy=strategy)
    assert golang.run(threaded, [], seed=4, strategy=strategy) == a
    assert len({tuple(golang.run(threaded, [], seed=s, strategy=strategy)) for s in range(10)}) > 1


# Two goroutines increment a counter without a lock, a yield between the
# read and the write (the corpus's: its message starts "lost update").
from _bug_corpus import lost_update  # noqa: E402


@pytest.mark.parametrize('strategy', ['random', 'pct:2', 'pos'])
def test_explore_finds_the_lost_update_and_its_saved_schedule_replays_it(strategy, tmp_path):
    save = tmp_path / 'found.schedule'
    with pytest.raises(AssertionError, match="lost update") as ei:
        schedule.explore(lost_update, strategy=strategy, runs=100, save=save)
    e = ei.value
    assert e.golang_schedule == save and save.exists()
    assert 1 <= e.golang_runs <= 100
    assert any('replay' in n for n in getattr(e, '__notes__', []))
    with pytest.raises(AssertionError, match="lost update"):
        golang.run(lost_update, replay=save)


def test_shrink_keeps_the_failure_and_does_not_grow_it(tmp_path):
    save = tmp_path / 'found.schedule'
    with pytest.raises(AssertionError):
        schedule.explore(lost_update, strategy='random', runs=100, save=save)
    out, before, after, runs = schedule.shrink(lost_update, save)
    assert out.endswith('found.shrunk.schedule')
    assert after[1] <= before[1] and runs >= 1
    with pytest.raises(AssertionError, match="lost update"):
        golang.run(lost_update, replay=out)


def test_shrink_refuses_a_schedule_that_passes(tmp_path):
    f = tmp_path / 'ok.schedule'
    golang.run(threaded, [], seed=1, record=f)
    with pytest.raises(ValueError, match="does not fail"):
        schedule.shrink(threaded, f, [])


def test_self_check_passes_a_deterministic_program():
    assert schedule.check_determinism(threaded, [], seed=2) is None


_runs = itertools.count()


def test_self_check_catches_state_leaking_between_runs_and_says_where():
    def planted():
        # planted: how many workers start depends on how often this ran
        # (as time.time() or a module-level cache would)
        ch = chan()
        nw = 2 + next(_runs) % 2
        for i in range(nw):
            go(ch.send, i)
        for _ in range(nw):
            ch.recv()
    with pytest.raises(schedule.NondeterminismError, match=r"two runs with seed 0 differ: diverged at decision \d+") as ei:
        schedule.check_determinism(planted, seed=0)
    e = ei.value
    assert e.kind in ('run', 'rand')
    assert any(w and 'test_schedule.py' in w for w in e.where), e.where


class Obj(object):
    """Objects hashed by a process-wide counter: iterating a set of them
    goes in an order that differs from one run to the next (as sets of
    objects hashed by id() do)."""
    _next = itertools.count()

    def __init__(self, i):
        self.i = i
        self.h = next(Obj._next) * 7919 % 64

    def __hash__(self):
        return self.h


def test_self_check_catches_set_iteration_order_deciding_the_start_order():
    def planted():
        ch = chan()
        done = chan()
        objs = {Obj(i) for i in range(4)}

        def worker(o):
            for _ in range(o.i + 1):       # workers differ in how much they do
                time.sleep(0)
            done.send(o.i)
        for o in objs:
            go(worker, o)
        for _ in range(4):
            done.recv()
    with pytest.raises(schedule.NondeterminismError):
        schedule.check_determinism(planted, seed=1)


INNER = '''
import pytest
from golang import go, sync, time

LOG = %r

@pytest.mark.golang_seeds(5)
def test_lost_update():
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
    with open(LOG, 'a') as f:
        f.write('%%d\\n' %% n[0])
    assert n[0] == 2, "lost update"
'''


def _entry_point_installed():
    """whether the plugin is installed as the pytest11 entry point (pytest
    then loads it by itself)."""
    from importlib.metadata import entry_points
    try:
        eps = entry_points(group='pytest11')
    except TypeError:       # python < 3.10
        eps = entry_points().get('pytest11', [])
    return any(ep.value.strip() == 'golang.pytest_plugin' for ep in eps)


@pytest.fixture
def gt(pytester, monkeypatch):
    monkeypatch.delenv('GOLANG_SEED', raising=False)
    monkeypatch.delenv('GOLANG_REPLAY', raising=False)
    load = [] if _entry_point_installed() else ['-p', 'golang.pytest_plugin']

    def runpytest(*args):
        return pytester.runpytest_subprocess(*load, '-p', 'no:cacheprovider', *args, timeout=120)
    pytester.run_plugin = runpytest
    return pytester


def test_pytest_explore_finds_the_bug_and_prints_the_replay_command_that_reproduces_it(gt, monkeypatch):
    logf = gt.path / 'runs.log'
    gt.makepyfile(test_inner=INNER % str(logf))
    r = gt.run_plugin('-rf', '--golang-explore=pct:50:2')
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    assert "strategy pct:" in out
    import re
    m = re.search(r"pytest --golang-replay=(\S+) test_inner.py::test_lost_update", out)
    assert m, out
    path = m.group(1)
    assert '.golang-schedules' in path
    nruns = len(logf.read_text().split())
    logf.unlink()
    # the replay runs once and fails the same way
    r = gt.run_plugin('-rf', '--golang-replay=' + path)
    r.assert_outcomes(failed=1)
    assert logf.read_text().split() == ['1']
    assert "replay of" in r.stdout.str()
    logf.unlink()
    # and so does GOLANG_REPLAY
    monkeypatch.setenv('GOLANG_REPLAY', path)
    r = gt.run_plugin('-rf')
    r.assert_outcomes(failed=1)
    assert logf.read_text().split() == ['1']
    assert nruns >= 1


def test_pytest_rejects_a_bad_exploration(gt):
    gt.makepyfile(test_inner=INNER % str(gt.path / 'runs.log'))
    r = gt.run_plugin('--golang-explore=pct:10')
    assert r.ret != 0
    assert "--golang-explore: bad exploration" in r.stderr.str()


def test_exhaustive_search_runs_every_schedule_once_then_stops():
    orders = []

    def three():
        log = []
        wg = sync.WaitGroup()

        def w(i):
            log.append(i)
            wg.done()
        for i in range(3):
            wg.add(1)
            go(w, i)
        wg.wait()
        orders.append(tuple(log))
    n = schedule.explore(three, strategy='dfs', runs=100)
    assert n == len(orders) < 100
    assert len(set(orders)) == 6, orders


def test_exhaustive_search_finds_the_lost_update(tmp_path):
    save = tmp_path / 'dfs.schedule'
    with pytest.raises(AssertionError, match="lost update"):
        schedule.explore(lost_update, strategy='dfs', runs=100, save=save)
    assert save.read_text().split('\n')[1].startswith('strategy dfs')
    with pytest.raises(AssertionError, match="lost update"):
        golang.run(lost_update, replay=save)


_aruns = itertools.count()


def test_self_check_works_on_async_programs_too():
    async def deterministic():
        ch = chan()

        async def w(i):
            await ch.asend(i)
        for i in range(3):
            go(w, i)
        return [await ch.arecv() for _ in range(3)]
    assert schedule.check_determinism(deterministic, seed=5) is None

    async def planted():
        ch = chan()

        async def w(i):
            await ch.asend(i)
        n = 2 + next(_aruns) % 2       # leaks between runs
        for i in range(n):
            go(w, i)
        for _ in range(n):
            await ch.arecv()
    with pytest.raises(schedule.NondeterminismError):
        schedule.check_determinism(planted, seed=5)
