# SPDX-License-Identifier: MIT OR Apache-2.0
"""Checks shared by the bug-corpus and SCTBench tests (test_bug_corpus.py,
test_sctbench.py): what a found failure's saved schedule must do."""

import pytest

import golang
from golang import schedule


def assert_replays_and_shrinks(prog, save, kind, max_runs):
    """The schedule saved at `save` replays the failure (an exception of
    `kind`), and the schedule the shrinker makes of it, in at most
    `max_runs` runs, has no more preemptions and still fails."""
    with pytest.raises(kind):
        golang.run(prog, replay=save)
    out, before, after, runs = schedule.shrink(prog, save, max_runs=max_runs)
    assert after[1] <= before[1], (before, after)
    with pytest.raises(kind):
        golang.run(prog, replay=out)
