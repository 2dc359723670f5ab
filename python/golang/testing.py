# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package testing mirrors Go's testing package for what Python lacks: benchmarks.

It is the engine behind ``py.bench`` (see golang.cmd.pybench) and follows the
API of Pygolang 0.0.5's ``golang.testing``:

- ``B`` is the benchmark timer/request passed to a benchmark function (the
  ``b`` fixture under py.bench), like Go's ``testing.B``: ``b.N`` is the number
  of iterations to do; ``b.reset_timer()``, ``b.start_timer()``,
  ``b.stop_timer()`` and ``b.total_time()`` control and read the timer.
- ``benchmark(benchf, ttarget=1.0)`` runs ``benchf(b)`` with growing ``b.N``
  until one run takes at least 0.9·ttarget seconds and returns
  ``BenchmarkResult(N, T)`` of that last run.
- ``_stopBenchmark``: when benchf returns it, benchmark() stops after that run
  (py.bench uses it for benchmark functions that do not take ``b`` and so run
  only once).

How N grows (as in Pygolang, and close to Go): the first run has N=1. After a
run that took t < 0.9·ttarget, the N that would reach ttarget is estimated as
n = N·ttarget/t, written as n = k·10^order with k in [1, 10), and the next N
is ceil(k)·10^order, i.e. one of 1..10 times a power of ten.

Deliberate differences from Pygolang 0.0.5 (documented choices):

- The clock is ``time.perf_counter`` (monotonic, high resolution) instead of
  ``time.time``; it is looked up through the module attribute ``_clock`` at
  every use, so tests can substitute a fake clock.
- ``reset_timer()`` on a running timer also restarts the current measurement
  (Go's ResetTimer semantics: time spent before the reset is not counted).
  Pygolang only zeroed the accumulated total, so setup time done before
  ``b.reset_timer()`` was still counted.
- ``total_time()`` on a running timer includes the current running period
  (as Go's ``B.Elapsed``); on a stopped timer it is the same as in Pygolang.
- A run measured as taking no time at all (t == 0, e.g. with a coarse or fake
  clock) grows N by 100x instead of dividing by zero, and N never grows past
  1e9 (Go's limit), so benchmark() always terminates.

This module is pure Python and does not use the native core.
"""

from __future__ import print_function, absolute_import

import time
from math import ceil, log10

__all__ = ['B', 'BenchmarkResult', 'benchmark']

# _clock returns current time in seconds as float. Benchmarks measure time
# intervals only, so a monotonic high-resolution clock is used. Tests may
# monkeypatch it.
_clock = time.perf_counter

# _maxN is the maximum number of iterations benchmark() will ask for (as in Go).
_maxN = 10**9


class B(object):
    """B is the benchmarking timer/request passed to benchmarks (like Go's testing.B).

    .N is the number of iterations the benchmarked function should do. It is
    preset to 1; benchmark() adjusts it between runs.

    The timer starts stopped with zero accumulated time. benchmark() resets
    and starts it right before calling the benchmarked function, so the
    function only needs the timer methods to exclude setup or cleanup work.
    """

    def __init__(self):
        self.N = 1              # number of iterations to do
        self._t_start = None    # when the timer was started; None if stopped
        self._t_total = 0.      # accumulated time of finished timer periods

    def reset_timer(self):
        """reset_timer zeroes the elapsed time.

        It does not change whether the timer is running: if it is running,
        measurement restarts from now.
        """
        self._t_total = 0.
        if self._t_start is not None:
            self._t_start = _clock()

    def start_timer(self):
        """start_timer starts timing. It does nothing if the timer is already running."""
        if self._t_start is not None:
            return
        self._t_start = _clock()

    def stop_timer(self):
        """stop_timer stops timing. It does nothing if the timer is already stopped."""
        if self._t_start is None:
            return
        t = _clock()
        self._t_total += t - self._t_start
        self._t_start = None

    def total_time(self):
        """total_time returns the measured time in seconds (float).

        If the timer is running, the current period up to now is included.
        """
        t = self._t_total
        if self._t_start is not None:
            t += _clock() - self._t_start
        return t

    def __repr__(self):
        return '<B N=%d total=%.9fs%s>' % (self.N, self.total_time(),
                                          '' if self._t_start is None else ' running')


class BenchmarkResult(object):
    """BenchmarkResult is the result of a benchmark run.

    .N is the number of iterations and .T the total time they took, in
    seconds. (Memory allocation statistics are not collected.)
    """

    def __init__(self, n, t):
        self.N, self.T = n, t

    def __repr__(self):
        return 'BenchmarkResult(%r, %r)' % (self.N, self.T)


# _stopBenchmark, when returned by the benchmarked function, tells benchmark()
# to stop after the current run. It is private: py.bench uses it for
# benchmark functions that do not take b as argument and so run only once.
_stopBenchmark = object()


def _nextN(N, t, ttarget):
    """_nextN returns the number of iterations for the run after N iterations took t seconds."""
    if t <= 0:
        n = N * 100.            # no measurable time: grow as fast as Go allows
    else:
        n = N * (ttarget / t)   # N that would exactly reach ttarget
    n = max(n, N + 1)           # always make progress (t < 0.9·ttarget anyway)
    order = int(log10(n))       # n = k·10^order, k ∈ [1,10)
    k = ceil(n / 10.**order)    # lift k up to the nearest integer
    return min(int(k) * 10**order, _maxN)


def benchmark(benchf, ttarget=1.):
    """benchmark runs benchf(b) auto-adjusting b.N so that one run takes about ttarget seconds.

    benchf is called as benchf(b) with b a fresh B whose timer is reset and
    started right before the call and stopped right after it. Runs repeat
    with growing b.N (see the module documentation) until one takes at least
    0.9·ttarget seconds, until benchf returns _stopBenchmark, or until b.N
    reaches 1e9. Exceptions from benchf propagate.

    Returns BenchmarkResult(N, T) of the last run.
    """
    b = B()
    b.N = 0
    t = 0.
    while t < (ttarget * 0.9):
        if b.N == 0:
            b.N = 1
        elif b.N >= _maxN:
            break
        else:
            b.N = _nextN(b.N, t, ttarget)

        b.reset_timer()
        b.start_timer()
        x = benchf(b)
        b.stop_timer()
        t = b.total_time()

        # stop trying to reach ttarget if benchf asks us so.
        if x is _stopBenchmark:
            break

    return BenchmarkResult(b.N, t)
