# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.pytest_plugin (@pytest.mark.golang_seeds, --golang-seed,
--golang-seeds, GOLANG_SEED), run on small test files with pytest's
pytester (in-process pytest runs in a temporary directory).

Each test is named by the property it checks. The test files record what
their bodies ran (seed runs, virtual times) in a file, and the outer test
reads it back.
"""

import re

import pytest

from _golang_testutil import watchdog  # noqa: F401  (watchdog: autouse fixture)

pytest_plugins = ["pytester"]


def _entry_point_installed():
    """whether the plugin is installed as the pytest11 entry point "golang"
    (pytest then loads it by itself; loading it again under its module name
    would be refused)."""
    try:
        from importlib.metadata import entry_points
        eps = entry_points(group='pytest11')
    except TypeError:       # python < 3.10
        from importlib.metadata import entry_points
        eps = entry_points().get('pytest11', [])
    return any(ep.value.strip() == 'golang.pytest_plugin' for ep in eps)


@pytest.fixture
def gt(pytester, monkeypatch):
    """pytester with GOLANG_SEED unset and a runner that loads the plugin."""
    monkeypatch.delenv('GOLANG_SEED', raising=False)
    load = [] if _entry_point_installed() else ['-p', 'golang.pytest_plugin']

    def runpytest(*args):
        return pytester.runpytest(*load, '-p', 'no:cacheprovider', *args)
    pytester.run_plugin = runpytest
    return pytester


HEADER = '''
import pytest
import golang
from golang import go, chan, aselect, time

LOG = %r

def log(*what):
    with open(LOG, 'a') as f:
        f.write(repr(what) + '\\n')
'''


def mkfile(pytester, body):
    logf = pytester.path / 'runs.log'
    pytester.makepyfile(test_it=HEADER % str(logf) + body)
    return logf


def runs(logf):
    if not logf.exists():
        return []
    import ast
    return [ast.literal_eval(l) for l in logf.read_text().splitlines()]


# a body that fails for some seeds only: whichever sender is first decides
RACY = '''
@pytest.mark.golang_seeds(%d)
async def test_racy():
    ch = chan()
    async def sender(x):
        await ch.asend(x)
    go(sender, 'good')
    go(sender, 'bad')
    await time.asleep(1)        # both wait to send, in an order set by the seed
    v = await ch.arecv()
    await ch.arecv()
    log('run', v)
    assert v == 'good'
'''


def test_marked_async_test_runs_its_body_under_golang_run_once_per_seed(gt):
    logf = mkfile(gt, '''
@pytest.mark.golang_seeds(5)
async def test_body():
    await time.asleep(2)
    log('run', time.now())
''')
    r = gt.run_plugin('-q')
    r.assert_outcomes(passed=1)
    assert runs(logf) == [('run', 1700000002.0)] * 5


def test_marker_default_is_ten_seeds_and_clock_can_be_real(gt):
    logf = mkfile(gt, '''
import time as pytime

@pytest.mark.golang_seeds
async def test_default():
    log('default')

@pytest.mark.golang_seeds(2, clock='real')
async def test_real():
    await time.asleep(0.001)
    log('real', abs(time.now() - pytime.time()) < 60)
''')
    r = gt.run_plugin('-q')
    r.assert_outcomes(passed=2)
    got = runs(logf)
    assert got.count(('default',)) == 10
    assert got.count(('real', True)) == 2


def test_failure_names_the_seed_and_the_command_that_reruns_it(gt):
    logf = mkfile(gt, RACY % 30)
    r = gt.run_plugin('-rf')
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    m = re.search(r"pytest --golang-seed=(\d+) test_it.py::test_racy", out)
    assert m, out
    seed = int(m.group(1))
    # it stopped at the first failing seed: seeds 0..seed ran
    got = runs(logf)
    assert len(got) == seed + 1
    assert got[-1] == ('run', 'bad')
    assert all(g == ('run', 'good') for g in got[:-1])
    # the report: a section, the exception's notes and the summary line
    assert "golang seed" in out
    assert "failed with seed %d (run %d of 30)" % (seed, seed + 1) in out
    assert "GOLANG_SEED=%d" % seed in out
    r.stdout.re_match_lines([r"FAILED test_it.py::test_racy - \[golang seed %d\] " % seed])

    # rerunning that seed fails the same way, and only that seed runs
    logf.unlink()
    r = gt.run_plugin('-rf', '--golang-seed=%d' % seed)
    r.assert_outcomes(failed=1)
    assert runs(logf) == [('run', 'bad')]
    assert "failed with seed %d (run 1 of 1)" % seed in r.stdout.str()


def test_golang_seed_option_and_env_run_that_seed_only_option_first(gt, monkeypatch):
    logf = mkfile(gt, RACY % 30)
    r = gt.run_plugin('-q')
    seed = int(re.search(r"--golang-seed=(\d+)", r.stdout.str()).group(1))
    # runs are seeds 0, 1, ... in order: those before the failing one passed
    passing = 0 if runs(logf)[0] == ('run', 'good') else None
    k = seed
    while passing is None:
        k += 1
        if gt.run_plugin('-q', '--golang-seed=%d' % k).ret == 0:
            passing = k

    logf.unlink()
    monkeypatch.setenv('GOLANG_SEED', str(seed))
    r = gt.run_plugin()
    r.assert_outcomes(failed=1)
    assert runs(logf) == [('run', 'bad')]
    assert "from GOLANG_SEED" in r.stdout.str()     # the report header says so

    logf.unlink()
    r = gt.run_plugin('--golang-seed=%d' % passing)     # wins over $GOLANG_SEED
    r.assert_outcomes(passed=1)
    assert runs(logf) == [('run', 'good')]
    assert "from --golang-seed" in r.stdout.str()


def test_golang_seeds_option_overrides_the_markers_count(gt):
    logf = mkfile(gt, '''
@pytest.mark.golang_seeds(3)
async def test_body():
    log('run')
''')
    r = gt.run_plugin('-q', '--golang-seeds=7')
    r.assert_outcomes(passed=1)
    assert len(runs(logf)) == 7


def test_exception_in_a_goroutine_of_the_test_is_reported_with_its_seed(gt):
    mkfile(gt, '''
@pytest.mark.golang_seeds(3)
async def test_goroutine_fails():
    async def failing():
        raise ValueError("in goroutine")
    go(failing)
    await chan().arecv()
''')
    r = gt.run_plugin('-rf')
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    assert "ValueError: in goroutine" in out
    assert "--golang-seed=0 test_it.py::test_goroutine_fails" in out


def test_deadlock_in_the_test_is_reported_with_its_seed(gt):
    mkfile(gt, '''
@pytest.mark.golang_seeds(2)
async def test_deadlocks():
    await chan().arecv()
''')
    r = gt.run_plugin('-rf')
    r.assert_outcomes(failed=1)
    out = r.stdout.str()
    assert "all goroutines are asleep - deadlock!" in out
    assert "--golang-seed=0 " in out
    r.stdout.re_match_lines([r"FAILED .*test_deadlocks - \[golang seed 0\] .*DeadlockError"])


def test_fixtures_are_passed_to_the_async_body(gt):
    logf = mkfile(gt, '''
@pytest.fixture
def answer():
    return 42

@pytest.mark.golang_seeds(2)
async def test_uses_fixtures(answer, tmp_path):
    log('fixtures', answer, tmp_path.is_dir())

class TestInClass:
    @pytest.mark.golang_seeds(2)
    async def test_method(self, answer):
        log('method', answer)
''')
    r = gt.run_plugin('-q')
    r.assert_outcomes(passed=2)
    assert runs(logf) == [('fixtures', 42, True)] * 2 + [('method', 42)] * 2


def test_skip_in_the_body_skips_the_test(gt):
    mkfile(gt, '''
@pytest.mark.golang_seeds(3)
async def test_skips():
    pytest.skip("not here")
''')
    r = gt.run_plugin('-q', '-rs')
    r.assert_outcomes(skipped=1)
    assert "golang seed" not in r.stdout.str()


def test_marker_on_a_plain_def_test_runs_it_as_a_synchronous_goroutine_per_seed(gt):
    mkfile(gt, '''
from golang import go, chan, time

RUNS = []

@pytest.mark.golang_seeds(3)
def test_sync():
    ch = chan()
    go(lambda: ch.send(time.now()))
    time.sleep(10)                      # virtual: the run's clock
    RUNS.append(time.now() - ch.recv())

def test_after():
    assert RUNS == [10.0, 10.0, 10.0], RUNS

@pytest.mark.golang_seeds(0)
async def test_zero():
    pass
''')
    r = gt.run_plugin('-q')
    r.assert_outcomes(passed=2, failed=1)
    assert "n must be an int >= 1, not 0" in r.stdout.str()


def test_bad_golang_seed_is_a_usage_error(gt, monkeypatch):
    mkfile(gt, '''
@pytest.mark.golang_seeds(3)
async def test_body():
    pass

def test_plain():
    pass
''')
    r = gt.run_plugin('-q', '--golang-seed=abc')
    assert r.ret == pytest.ExitCode.USAGE_ERROR
    assert "--golang-seed must be a seed" in r.stderr.str()
    # a bad $GOLANG_SEED fails the marked tests only
    monkeypatch.setenv('GOLANG_SEED', '-1')
    r = gt.run_plugin('-q')
    r.assert_outcomes(passed=1, failed=1)
    assert "GOLANG_SEED must be a seed" in r.stdout.str()


def test_unmarked_tests_are_left_alone_and_marker_is_registered(gt):
    logf = mkfile(gt, '''
def test_plain():
    log('plain')
''')
    r = gt.run_plugin('-q', '--strict-markers')
    r.assert_outcomes(passed=1)
    assert runs(logf) == [('plain',)]
    r = gt.run_plugin('--markers')
    assert "@pytest.mark.golang_seeds(n=10, clock='virtual')" in r.stdout.str()
