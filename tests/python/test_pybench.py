# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for the py.bench command (golang.cmd.pybench).

They run the real command in a subprocess on benchmark files written to a
temporary directory: the installed ``py.bench`` console script when it sits
next to this interpreter, else ``python -m golang.cmd.pybench``. Timing is
never asserted tightly: most runs use --benchtime with fixed iterations or a
short target.
"""

from __future__ import print_function, absolute_import

import io
import os
import re
import subprocess
import sys
import textwrap

import pytest

from golang.cmd import pybench
from golang.x.perf import benchlib

MU = u'\u00b5'

PYDIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(pybench.__file__))))

# Benchmark<name> (padded) TAB <N> TAB <t.ttt> µs/op
BENCH_RE = re.compile(u'^(Benchmark\\S+) *\\t(\\d+)\\t(\\d+\\.\\d{3}) \u00b5s/op$')


def pybench_cmd():
    script = os.path.join(os.path.dirname(sys.executable), 'py.bench')
    if os.path.exists(script):
        return [script]
    return [sys.executable, '-m', 'golang.cmd.pybench']


def run(cwd, *args, **kw):
    """run runs py.bench in cwd and returns (returncode, stdout, stderr)."""
    cmd = kw.pop('cmd', None) or pybench_cmd()
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([PYDIR] + [x for x in [env.get('PYTHONPATH')] if x])
    env.pop('PYTEST_ADDOPTS', None)
    p = subprocess.run(cmd + list(args), cwd=str(cwd), env=env, timeout=300,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode('utf-8'), p.stderr.decode('utf-8', 'replace')


def write(path, text):
    path.write_text(textwrap.dedent(text), encoding='utf-8')


def benchlines(stdout):
    """benchlines returns [(name, N, µs/op)] of stdout's benchmark lines."""
    out = []
    for line in stdout.splitlines():
        m = BENCH_RE.match(line)
        if m:
            out.append((m.group(1), int(m.group(2)), float(m.group(3))))
    return out


BENCH_X = u'''\
    def bench_add(b):
        x, y = 1, 2
        for i in range(b.N):
            x + y

    def bench_once():
        sum(range(100))

    def helper():
        raise AssertionError('not a benchmark')

    class BenchFoo:
        def bench_m(self, b):
            for i in range(b.N):
                pass

        def other(self):
            raise AssertionError('not a benchmark')
'''


@pytest.fixture
def benchdir(tmp_path):
    write(tmp_path / 'bench_x.py', BENCH_X)
    return tmp_path


def test_pybench_prints_pymod_header_and_go_format_lines(benchdir):
    rc, out, err = run(benchdir, '--benchtime=0.02')
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == 'pymod: bench_x.py'
    assert len(lines) == 4
    for line in lines[1:]:
        assert BENCH_RE.match(line), line
    bl = benchlines(out)
    assert [name for name, _, _ in bl] == ['Benchmarkadd', 'Benchmarkonce', 'BenchmarkBenchFoo/m']
    # names are padded to the same width so that results line up
    assert len(set(line.index('\t') for line in lines[1:])) == 1
    assert bl[1][1] == 1                # without b: runs once


def test_pybench_output_loads_with_benchlib(benchdir):
    rc, out, err = run(benchdir, '--benchtime=0.02')
    assert rc == 0, err
    B, labels = benchlib.load(io.StringIO(out))
    assert [bl.name for bl in B] == ['add', 'once', 'BenchFoo/m']
    assert [bl.niter for bl in B] == [n for _, n, _ in benchlines(out)]
    for bl in B:
        assert [m.unit for m in bl.measurev] == [benchlib.Unit('s/op')]
        assert bl.measurev[0].value > 0
        assert dict(bl.labels) == {'pymod': 'bench_x.py'}
    assert list(B.byunit().keys()) == [benchlib.Unit('s/op')]
    assert list(B.byname().keys()) == ['add', 'once', 'BenchFoo/m']
    # and benchstat can digest it
    w = io.StringIO()
    benchlib.benchstat(w, B)
    assert w.getvalue().startswith('name\t\t\t\t')


def test_pybench_default_target_makes_runs_last_about_a_second(tmp_path):
    write(tmp_path / 'bench_sleep.py', u'''\
        import time
        def bench_sleep(b):
            for i in range(b.N):
                time.sleep(0.01)
    ''')
    rc, out, err = run(tmp_path)
    assert rc == 0, err
    [(name, n, usop)] = benchlines(out)
    assert name == 'Benchmarksleep'
    assert usop >= 10000 * 0.99         # sleep(10ms) takes at least ~10ms
    assert n * usop * 1e-6 >= 0.9 * 0.99     # a run lasts >= 0.9·1s


def test_pybench_count_repeats_each_benchmark(benchdir):
    rc, out, err = run(benchdir, '--count=3', '--benchtime=5x')
    assert rc == 0, err
    names = [name for name, _, _ in benchlines(out)]
    assert names == ['Benchmarkadd'] * 3 + ['Benchmarkonce'] * 3 + ['BenchmarkBenchFoo/m'] * 3


def test_pybench_benchtime_Nx_runs_exactly_N_iterations(tmp_path):
    write(tmp_path / 'bench_n.py', u'''\
        def bench_count(b):
            with open('n.txt', 'a') as f:
                f.write('%d\\n' % b.N)
        def bench_once():
            with open('once.txt', 'a') as f:
                f.write('x\\n')
    ''')
    rc, out, err = run(tmp_path, '--benchtime=7x', '--count=2')
    assert rc == 0, err
    assert [(name, n) for name, n, _ in benchlines(out)] == [
        ('Benchmarkcount', 7), ('Benchmarkcount', 7), ('Benchmarkonce', 1), ('Benchmarkonce', 1)]
    assert (tmp_path / 'n.txt').read_text().split() == ['7', '7']
    assert (tmp_path / 'once.txt').read_text().split() == ['x', 'x']


def test_pybench_collects_only_bench_files_functions_and_classes(tmp_path):
    write(tmp_path / 'bench_x.py', BENCH_X + u'''
    class Other:
        def bench_no(self, b):
            raise AssertionError('not a Bench class')

    def test_no():
        raise AssertionError('not a benchmark')
    ''')
    write(tmp_path / 'test_y.py', u'''\
        def test_y():
            raise AssertionError('not a bench file')
        def bench_y(b):
            raise AssertionError('not a bench file')
    ''')
    rc, out, err = run(tmp_path, '--benchtime=1x')
    assert rc == 0, err
    assert [name for name, _, _ in benchlines(out)] == [
        'Benchmarkadd', 'Benchmarkonce', 'BenchmarkBenchFoo/m']


def test_pybench_collects_file_named_on_command_line(tmp_path):
    write(tmp_path / 'x.py', u'''\
        def bench_add(b):
            for i in range(b.N):
                pass
    ''')
    rc, out, err = run(tmp_path, '--benchtime=3x', 'x.py')
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == 'pymod: x.py'
    assert BENCH_RE.match(lines[1]) and lines[1].startswith('Benchmarkadd\t3\t')
    assert len(lines) == 2


def test_pybench_separates_files_with_blank_line_and_relative_paths(tmp_path):
    sub = tmp_path / 'sub'
    sub.mkdir()
    write(sub / 'bench_a.py', u'def bench_a():\n    pass\n')
    write(sub / 'bench_b.py', u'def bench_b():\n    pass\n')
    rc, out, err = run(tmp_path, '--benchtime=1x', 'sub')
    assert rc == 0, err
    lines = out.splitlines()
    assert lines[0] == 'pymod: ' + os.path.join('sub', 'bench_a.py')
    assert BENCH_RE.match(lines[1])
    assert lines[2] == ''
    assert lines[3] == 'pymod: ' + os.path.join('sub', 'bench_b.py')
    assert BENCH_RE.match(lines[4])
    assert len(lines) == 5


def test_pybench_stdout_has_only_benchmark_output(tmp_path):
    write(tmp_path / 'bench_p.py', u'''\
        import warnings
        def bench_print(b):
            print("chatter from the benchmark")
            warnings.warn("a warning")
    ''')
    for args in [(), ('-s',), ('-v',)]:
        rc, out, err = run(tmp_path, '--benchtime=2x', *args)
        assert rc == 0, (args, err)
        for line in out.splitlines():
            assert line == '' or line.startswith('pymod: ') or BENCH_RE.match(line), (args, line)
        assert len(benchlines(out)) == 1
        assert 'passed' in err      # pytest's summary goes to stderr


def test_pybench_b_fixture_works_with_other_fixtures_and_parametrize(tmp_path):
    write(tmp_path / 'bench_fix.py', u'''\
        import pytest
        from golang import testing

        @pytest.fixture
        def data():
            return list(range(10))

        @pytest.mark.parametrize('k', [1, 2])
        def bench_sum(b, data, k, tmp_path):
            assert isinstance(b, testing.B)
            assert tmp_path.is_dir()
            for i in range(b.N):
                sum(data) * k
    ''')
    # own basetemp: the child pytest must not clean up this test's tmp dirs
    rc, out, err = run(tmp_path, '--benchtime=4x', '--basetemp=%s' % (tmp_path / 'bt'))
    assert rc == 0, err
    assert [(name, n) for name, n, _ in benchlines(out)] == [
        ('Benchmarksum[1]', 4), ('Benchmarksum[2]', 4)]


def test_pybench_failing_benchmark_exits_nonzero(tmp_path):
    write(tmp_path / 'bench_f.py', u'''\
        import pytest
        def bench_ok(b):
            pass
        def bench_fail(b):
            1/0
        def bench_skip():
            pytest.skip('not today')
    ''')
    rc, out, err = run(tmp_path, '--benchtime=2x')
    assert rc == 1
    lines = out.splitlines()
    assert lines[0] == 'pymod: bench_f.py'
    assert BENCH_RE.match(lines[1]) and lines[1].startswith('Benchmarkok')
    assert re.match(r'^Benchmarkfail *\t\[FAILED\]$', lines[2]), lines[2]
    assert re.match(r'^Benchmarkskip *\t\[SKIPPED\]$', lines[3]), lines[3]
    assert 'ZeroDivisionError' in err
    # the failure lines do not disturb loading
    B, _ = benchlib.load(io.StringIO(out))
    assert [bl.name for bl in B] == ['ok']


def test_pybench_forked_runs_every_run_in_a_child_process(tmp_path):
    write(tmp_path / 'bench_pid.py', u'''\
        import os
        def bench_pid(b):
            with open('pids.txt', 'a') as f:
                f.write('%d %d\\n' % (os.getpid(), os.getppid()))
    ''')
    if not hasattr(os, 'fork'):
        pytest.skip('no os.fork')

    rc, out, err = run(tmp_path, '--benchtime=1x', '--count=2')
    assert rc == 0, err
    pids = [tuple(map(int, l.split())) for l in (tmp_path / 'pids.txt').read_text().splitlines()]
    assert len(set(pids)) == 1 and pids[0][1] == os.getpid()   # py.bench itself ran them

    (tmp_path / 'pids.txt').unlink()
    rc, out, err = run(tmp_path, '--benchtime=1x', '--count=2', '--forked')
    assert rc == 0, err
    assert [name for name, _, _ in benchlines(out)] == ['Benchmarkpid'] * 2
    pids = [tuple(map(int, l.split())) for l in (tmp_path / 'pids.txt').read_text().splitlines()]
    assert len(pids) == 2
    assert pids[0][0] != pids[1][0]                 # a new process per run
    assert pids[0][1] == pids[1][1] != os.getpid()  # children of py.bench


def test_pybench_forked_failure_reports_child_traceback(tmp_path):
    if not hasattr(os, 'fork'):
        pytest.skip('no os.fork')
    write(tmp_path / 'bench_ff.py', u'''\
        import os, pytest
        def bench_raise():
            raise ValueError('boom in child')
        def bench_exit():
            os._exit(7)
        def bench_skip():
            pytest.skip('skipped in child')
    ''')
    rc, out, err = run(tmp_path, '--benchtime=1x', '--forked')
    assert rc == 1
    assert re.search(r'^Benchmarkraise *\t\[FAILED\]$', out, re.M), out
    assert re.search(r'^Benchmarkexit *\t\[FAILED\]$', out, re.M), out
    assert re.search(r'^Benchmarkskip *\t\[SKIPPED\]$', out, re.M), out
    assert 'ValueError: boom in child' in err
    assert 'bench_ff.py' in err
    assert 'exited with status 7' in err


def test_pybench_exit_codes_for_usage_errors_and_no_benchmarks(tmp_path):
    rc, out, err = run(tmp_path, '--count=0')
    assert rc == 4
    assert 'count' in err
    rc, out, err = run(tmp_path, '--benchtime=soon')
    assert rc == 4
    rc, out, err = run(tmp_path)        # empty directory
    assert rc == 5
    assert out == ''


def test_pybench_help_documents_options_on_stdout(tmp_path):
    rc, out, err = run(tmp_path, '--help')
    assert rc == 0, err
    for opt in ('--count', '--forked', '--benchtime'):
        assert opt in out


def test_pybench_runs_as_python_module(benchdir):
    rc, out, err = run(benchdir, '--benchtime=1x',
                       cmd=[sys.executable, '-m', 'golang.cmd.pybench'])
    assert rc == 0, err
    assert [name for name, _, _ in benchlines(out)] == [
        'Benchmarkadd', 'Benchmarkonce', 'BenchmarkBenchFoo/m']


# ---- helpers, in process ----

@pytest.mark.parametrize('nodeid, name', [
    ('bench_x.py::bench_add', 'Benchmarkadd'),
    ('bench_x.py::BenchFoo::bench_m', 'BenchmarkBenchFoo/m'),
    ('sub/bench_x.py::bench_p[a b]', 'Benchmarkp[a_b]'),
    ('x.py::add', 'Benchmarkadd'),
])
def test_benchname_maps_nodeid_to_go_benchmark_name(nodeid, name):
    assert pybench.benchname(nodeid) == name


@pytest.mark.parametrize('text, val', [
    ('1', ('t', 1.)), ('0.5', ('t', 0.5)), ('100ms', ('t', 0.1)), ('2s', ('t', 2.)),
    ('1m', ('t', 60.)), ('250us', ('t', 250e-6)), ('10x', ('x', 10)),
])
def test_benchtime_accepts_seconds_durations_and_iterations(text, val):
    kind, v = pybench._benchtime(text)
    assert kind == val[0]
    assert v == pytest.approx(val[1])


@pytest.mark.parametrize('text', ['', 'abc', '0', '-1s', '0x', '5parsecs', '1.5x'])
def test_benchtime_rejects_bad_values(text):
    import argparse
    with pytest.raises(argparse.ArgumentTypeError):
        pybench._benchtime(text)
