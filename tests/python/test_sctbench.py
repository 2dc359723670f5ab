"""Our versions of SCTBench's bug kernels (tests/python/_sctbench.py): PCT
(depth 2) or POS, the better of the two, finds each within its documented
budget of runs, the saved schedule replays the failure, and the shrunk
schedule still fails. Exploration is deterministic per seed: exact bounds,
not flaky ones."""

import sys

import pytest

import golang
from golang import schedule

import _sctbench
from _schedule_checks import assert_replays_and_shrinks

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="the kernels are plain def code: need greenlet and the native core")


def _explore(prog, strategy, runs, save):
    try:
        schedule.explore(prog, strategy=strategy, runs=runs, save=save)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        return e
    return None


@pytest.mark.parametrize('name,prog,budget', _sctbench.KERNELS, ids=[k[0] for k in _sctbench.KERNELS])
def test_pct_or_pos_finds_the_kernels_bug_within_its_budget_and_the_shrunk_schedule_still_fails(name, prog, budget, tmp_path):
    found = []
    for strategy in ('pct:2', 'pos'):
        save = tmp_path / ('%s-%s.schedule' % (name, strategy.replace(':', '')))
        e = _explore(prog, strategy, budget, save)
        if e is not None:
            assert e.golang_runs <= budget
            found.append((e, save))
    assert found, "neither PCT nor POS found %s in %d runs" % (name, budget)
    e, save = found[0]
    assert_replays_and_shrinks(prog, save, type(e), max_runs=100)


@pytest.mark.parametrize('name,prog,budget', _sctbench.KERNELS, ids=[k[0] for k in _sctbench.KERNELS])
def test_each_kernel_passes_for_some_schedule(name, prog, budget):
    if name in _sctbench.ALWAYS_FAILS:
        # (SCTBench's "trivial" kernels: the bug is in every schedule)
        for seed in range(10):
            with pytest.raises(BaseException):
                golang.run(prog, seed=seed)
        return
    for seed in range(100):
        try:
            golang.run(prog, seed=seed)
            return
        except BaseException:
            pass
    pytest.fail("%s failed for all of seeds 0..99" % name)
