# SPDX-License-Identifier: MIT OR Apache-2.0
"""The bug corpus (tests/python/_bug_corpus.py): PCT (depth 2) and POS find
each bug within its documented budget of runs, the saved schedule replays
the failure, and the shrunk schedule still fails with no more preemptions.
Exploration is deterministic per seed: these are exact, not flaky, bounds."""

import sys

import pytest

import golang
from golang import schedule

import _bug_corpus
from _schedule_checks import assert_replays_and_shrinks

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="the corpus is plain def code: needs greenlet and the native core")


@pytest.mark.parametrize('strategy', ['pct:2', 'pos'])
@pytest.mark.parametrize('name,prog,budget', _bug_corpus.BUGS, ids=[b[0] for b in _bug_corpus.BUGS])
def test_strategy_finds_the_bug_within_its_budget_and_the_shrunk_schedule_still_fails(name, prog, budget, strategy, tmp_path):
    save = tmp_path / (name + '.schedule')
    with pytest.raises(BaseException) as ei:
        schedule.explore(prog, strategy=strategy, runs=budget, save=save)
    e = ei.value
    assert not isinstance(e, (KeyboardInterrupt, SystemExit))
    assert e.golang_runs <= budget
    assert_replays_and_shrinks(prog, save, type(e), max_runs=200)


@pytest.mark.parametrize('name,prog,budget', _bug_corpus.BUGS, ids=[b[0] for b in _bug_corpus.BUGS])
def test_each_bug_passes_for_some_schedule(name, prog, budget):
    # (a bug that always fails would not be a race)
    for seed in range(50):
        try:
            golang.run(prog, seed=seed)
            return
        except BaseException:
            pass
    pytest.fail("%s failed for all of seeds 0..49" % name)
