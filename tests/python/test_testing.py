# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for golang.testing: the B timer and benchmark()'s choice of N.

Timing logic is checked with a fake clock (golang.testing._clock is
monkeypatched) so that results do not depend on machine load; the one test
on the real clock uses loose bounds only.
"""

from __future__ import print_function, absolute_import

import math
from fractions import Fraction

import pytest

from golang import testing


class FakeClock(object):
    """FakeClock is a manually advanced clock to substitute for testing._clock.

    It keeps exact time (Fraction of the decimal value of every advance), so
    a measured interval is the float nearest to the sum of the advances.
    """

    def __init__(self):
        self.t = Fraction(1000)

    def __call__(self):
        return self.t

    def advance(self, dt):
        self.t += Fraction(repr(float(dt)))


@pytest.fixture
def clock(monkeypatch):
    c = FakeClock()
    monkeypatch.setattr(testing, '_clock', c)
    return c


def is_k_times_pow10(n):
    """is_k_times_pow10 tells whether n = k·10^order with integer k in [1, 10]."""
    order = int(math.log10(n))
    return n % 10**order == 0 and 1 <= n // 10**order <= 10


# ---- B ----

def test_B_starts_with_N_1_and_stopped_timer_at_zero(clock):
    b = testing.B()
    assert b.N == 1
    clock.advance(5)
    assert b.total_time() == 0


def test_B_timer_accumulates_only_running_periods(clock):
    b = testing.B()
    b.start_timer()
    clock.advance(2)
    b.stop_timer()
    clock.advance(100)      # stopped: not counted
    b.start_timer()
    clock.advance(3)
    b.stop_timer()
    assert b.total_time() == 5


def test_B_start_and_stop_are_idempotent(clock):
    b = testing.B()
    b.start_timer()
    clock.advance(1)
    b.start_timer()         # already running: must not restart
    clock.advance(1)
    b.stop_timer()
    b.stop_timer()          # already stopped: no effect
    clock.advance(7)
    b.stop_timer()
    assert b.total_time() == 2


def test_B_reset_timer_zeroes_elapsed_time(clock):
    b = testing.B()
    b.start_timer()
    clock.advance(4)
    b.stop_timer()
    b.reset_timer()
    assert b.total_time() == 0


def test_B_reset_timer_while_running_keeps_running_and_drops_earlier_time(clock):
    # Go's ResetTimer: setup time before the reset is not counted.
    b = testing.B()
    b.start_timer()
    clock.advance(10)       # "setup"
    b.reset_timer()
    clock.advance(3)        # measured work
    b.stop_timer()
    assert b.total_time() == 3


def test_B_total_time_includes_current_running_period(clock):
    b = testing.B()
    b.start_timer()
    clock.advance(1.5)
    assert b.total_time() == 1.5
    clock.advance(1)
    assert b.total_time() == 2.5


# ---- benchmark ----

def test_BenchmarkResult_holds_N_and_T():
    r = testing.BenchmarkResult(100, 1.5)
    assert (r.N, r.T) == (100, 1.5)
    assert repr(r) == 'BenchmarkResult(100, 1.5)'


def test_benchmark_grows_N_as_ceil_k_times_power_of_ten(clock):
    Nv = []

    def benchf(b):
        Nv.append(b.N)
        clock.advance(b.N * 3e-4)   # 0.3ms per op

    r = testing.benchmark(benchf)
    # N=1 takes 0.3ms -> n = 3333.3 = 3.33·10^3 -> ceil(3.33)·10^3 = 4000
    assert Nv == [1, 4000]
    assert r.N == 4000
    assert r.T == pytest.approx(1.2)


def test_benchmark_stops_once_run_takes_90pct_of_target(clock):
    Nv = []
    costv = [1.6e-3, 8e-4, 8e-4]    # per-op cost gets lower after warm-up

    def benchf(b):
        Nv.append(b.N)
        clock.advance(b.N * costv[len(Nv) - 1])

    r = testing.benchmark(benchf)
    # 1 op: 1.6ms -> n=625 -> N=700; 700 ops: 0.56s < 0.9s -> n=1250 -> N=2000;
    # 2000 ops: 1.6s -> stop
    assert Nv == [1, 700, 2000]
    assert (r.N, r.T) == (2000, pytest.approx(1.6))


def test_benchmark_exactly_90pct_is_enough(clock):
    Nv = []

    def benchf(b):
        Nv.append(b.N)
        clock.advance(0.9 if b.N > 1 else 0.03)

    r = testing.benchmark(benchf)
    # 1 op: 30ms -> n=33.3 -> N=40; 40 ops: 0.9s = 0.9·ttarget -> stop
    assert Nv == [1, 40]
    assert (r.N, r.T) == (40, 0.9)


def test_benchmark_respects_ttarget(clock):
    Nv = []

    def benchf(b):
        Nv.append(b.N)
        clock.advance(b.N * 3e-6)

    r = testing.benchmark(benchf, ttarget=0.05)
    # 3us per op; target 50ms -> n = 16667 -> N=20000 (60ms >= 45ms)
    assert Nv == [1, 20000]
    assert r.T == pytest.approx(0.06)


def test_benchmark_N_is_always_k_times_power_of_ten(clock):
    for cost in (7.7e-7, 1.3e-5, 2.2e-4, 9.9e-3, 0.0123):
        Nv = []

        def benchf(b):
            Nv.append(b.N)
            clock.advance(b.N * cost)

        r = testing.benchmark(benchf)
        assert r.T >= 0.9
        for n in Nv:
            assert is_k_times_pow10(n), (cost, Nv)


def test_benchmark_stopBenchmark_stops_after_the_run(clock):
    Nv = []

    def benchf(b):
        Nv.append(b.N)
        clock.advance(0.001)
        return testing._stopBenchmark

    r = testing.benchmark(benchf)
    assert Nv == [1]
    assert (r.N, r.T) == (1, pytest.approx(0.001))


def test_benchmark_does_not_count_time_with_timer_stopped(clock):
    def benchf(b):
        b.stop_timer()
        clock.advance(5)        # setup: not measured
        b.start_timer()
        clock.advance(b.N * 3e-4)

    r = testing.benchmark(benchf)
    assert r.N == 4000
    assert r.T == pytest.approx(1.2)


def test_benchmark_terminates_when_runs_take_no_time(clock):
    Nv = []

    def benchf(b):
        Nv.append(b.N)      # the fake clock does not advance at all

    r = testing.benchmark(benchf)
    # N grows 100x per run (Go's cap) and stops at 1e9 (Go's limit)
    assert Nv == [1, 100, 10**4, 10**6, 10**8, 10**9]
    assert (r.N, r.T) == (10**9, 0)


def test_benchmark_propagates_exceptions(clock):
    def benchf(b):
        raise ZeroDivisionError('boom')

    with pytest.raises(ZeroDivisionError, match='boom'):
        testing.benchmark(benchf)


def test_benchmark_on_real_clock_reaches_target_loosely():
    # loose bounds only: the machine may be loaded.
    def benchf(b):
        x = 0
        for i in range(b.N):
            x += i

    r = testing.benchmark(benchf, ttarget=0.05)
    assert r.T >= 0.045
    assert is_k_times_pow10(r.N)
