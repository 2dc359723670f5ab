#!/usr/bin/env python
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Compares the exploration strategies of golang.schedule on the bug corpus
(tests/python/_bug_corpus.py) and our versions of SCTBench's kernels
(tests/python/_sctbench.py, KERNELS and BENCH_ONLY): for each bug and strategy, over K
explorations with different base seeds of at most N runs each, how many
found the bug (found/K) and the mean number of runs to the first failure
(over those that found it); the runs of the (deterministic) exhaustive
search to the first failure; then the length of a failing schedule found by
random (else by PCT, depth 2) before and after the shrinker (decisions,
preemptions).

    python tools/bench_schedules.py [K] [N]     (default K=20, N=1000)
    python tools/bench_schedules.py 10 1000 --only stack_bad,safestack --strategies random,pos --quick

--only picks bugs by name, --strategies the strategies compared, --quick
leaves out the exhaustive search and the shrinker's columns.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests', 'python'))

import argparse                      # noqa: E402
import tempfile                      # noqa: E402

import golang                        # noqa: E402
from golang import schedule          # noqa: E402
import _bug_corpus                   # noqa: E402
import _sctbench                     # noqa: E402

STRATEGIES = ['random', 'pct:2', 'pct:3', 'pos']


def explore(prog, strategy, seed, n, save):
    try:
        schedule.explore(prog, strategy=strategy, runs=n, seed=seed, save=save)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:
        return e.golang_runs
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('k', nargs='?', type=int, default=20, help="explorations per bug and strategy")
    p.add_argument('n', nargs='?', type=int, default=1000, help="runs per exploration at most")
    p.add_argument('--only', default=None, help="comma-separated bug names")
    p.add_argument('--strategies', default=','.join(STRATEGIES), help="comma-separated strategies")
    p.add_argument('--quick', action='store_true', help="no exhaustive search, no shrinking")
    a = p.parse_args()
    k, n = a.k, a.n
    strategies = a.strategies.split(',')
    only = set(a.only.split(',')) if a.only else None
    tmp = tempfile.mkdtemp()
    save = os.path.join(tmp, 'found.schedule')
    print("K=%d explorations of at most N=%d runs per bug and strategy" % (k, n))
    print("%-36s %s%s" % ('bug', '  '.join('%-14s' % s for s in strategies), '' if a.quick else '  dfs    shrunk'))
    bench_only = [(name, prog, None) for name, prog in _sctbench.BENCH_ONLY]
    for name, prog, _ in _bug_corpus.BUGS + _sctbench.KERNELS + bench_only:
        if only is not None and name not in only:
            continue
        cells = []
        for st in strategies:
            found = [r for r in (explore(prog, st, i * 100003, n, save) for i in range(k)) if r is not None]
            mean = sum(found) / len(found) if found else float('nan')
            cells.append('%2d/%-2d %6.1f  ' % (len(found), k, mean))
        if a.quick:
            print("%-36s %s" % (name, ' '.join(cells)), flush=True)
            continue
        r = explore(prog, 'dfs', 0, n, save)
        cells.append('%-6s' % (r if r is not None else '-'))
        shrunk = '-'
        for st in ('random', 'pct:2'):
            if explore(prog, st, 0, n, save) is not None:
                _, before, after, _ = schedule.shrink(prog, save, max_runs=300)
                shrunk = '%d/%d -> %d/%d (%s)' % (before[0], before[1], after[0], after[1], st)
                break
        print("%-36s %s %s" % (name, ' '.join(cells), shrunk), flush=True)
    print("(cells: found/K, mean runs to the first failure; dfs: runs of the exhaustive search to the\n"
          " failure, '-' if not within N; shrunk: decisions/preemptions before -> after)")


if __name__ == '__main__':
    main()
