# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for golang.x.perf.benchlib: parsing, units, grouping, statistics, benchstat and its CLI."""

from __future__ import print_function, absolute_import

import io
import os
import subprocess
import sys
from collections import OrderedDict

import pytest

from golang.x.perf import benchlib
from golang.x.perf.benchlib import Benchmark, BenchLine, Measure, Unit, Stats

MU = u'\u00b5'  # µ (MICRO SIGN), as Go and py.bench print it

PYDIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(benchlib.__file__))))


def load_str(text):
    return benchlib.load(io.StringIO(text))


def values(B):
    return [[m.value for m in bl.measurev] for bl in B]


# ---- parse_label ----

@pytest.mark.parametrize('line, kv', [
    ('goos: linux\n',           ('goos', 'linux')),
    ('cpu-speed:   3 GHz  \n',  ('cpu-speed', '3 GHz')),
    ('pymod: bench_x.py',       ('pymod', 'bench_x.py')),
    ('key:\n',                  ('key', '')),               # empty value (discards)
    ('url: http://x:80/\n',     ('url', 'http://x:80/')),   # first colon splits
    ('WARNING: cpu throttled',  ('WARNING', 'cpu throttled')),
])
def test_parse_label_splits_key_and_stripped_value(line, kv):
    assert benchlib.parse_label(line) == kv


@pytest.mark.parametrize('line', [
    'PASS\n',
    'no colon here',
    'two words: value',
    '\tindented: value',
    ': no key',
    '',
])
def test_parse_label_rejects_non_labels(line):
    assert benchlib.parse_label(line) == (None, None)


# ---- parse_benchline ----

def test_parse_benchline_strips_Benchmark_prefix_and_normalizes_time():
    bl = benchlib.parse_benchline(u'Benchmarkadd\t50000000\t0.020 %ss/op\n' % MU)
    assert bl.name == 'add'
    assert bl.niter == 50000000
    assert len(bl.measurev) == 1
    m = bl.measurev[0]
    assert m.unit == Unit('s/op')
    assert m.value == pytest.approx(0.020e-6)
    assert bl.labels == OrderedDict()


def test_parse_benchline_keeps_procs_suffix_and_parses_all_measures():
    bl = benchlib.parse_benchline('BenchmarkEncode/small-8   1000000   1234 ns/op   56.7 MB/s   16 B/op   1 allocs/op')
    assert bl.name == 'Encode/small-8'
    assert bl.niter == 1000000
    assert [str(m.unit) for m in bl.measurev] == ['s/op', 'MB/s', 'B/op', 'allocs/op']
    assert [m.value for m in bl.measurev] == pytest.approx([1234e-9, 56.7, 16, 1])


def test_parse_benchline_stops_at_tail_comment():
    bl = benchlib.parse_benchline('BenchmarkX 10 2 ms/op # a comment 3 ns/op')
    assert [(m.value, str(m.unit)) for m in bl.measurev] == [(pytest.approx(2e-3), 's/op')]


def test_parse_benchline_name_with_colon_is_a_benchmark_not_a_label():
    B, labels = load_str('BenchmarkX[a:b] 10 2 ns/op\n')
    assert [bl.name for bl in B] == ['X[a:b]']
    assert labels == OrderedDict()


@pytest.mark.parametrize('line', [
    'PASS',
    'Benchmark',
    'BenchmarkX 10 2',                  # value without unit
    'BenchmarkX 10 2 ns/op 3',          # dangling value
    'BenchmarkX ten 2 ns/op',           # niter not an int
    'BenchmarkX 10 two ns/op',          # value not a number
    'BenchmarkX\t[FAILED]',             # py.bench failure line
    'BenchmarkX 10 # 2 ns/op',          # no measurement
    'xBenchmarkX 10 2 ns/op',
])
def test_parse_benchline_rejects_malformed_lines(line):
    assert benchlib.parse_benchline(line) is None


# ---- Unit ----

@pytest.mark.parametrize('unit, base, scale', [
    ('ns/op',           's/op',         1e-9),
    (MU + 's/op',       's/op',         1e-6),
    (u'\u03bcs/op',     's/op',         1e-6),  # Greek mu accepted too
    ('us/op',           's/op',         1e-6),
    ('ms/op',           's/op',         1e-3),
    ('s/op',            's/op',         1),
    (MU + 's',          's',            1e-6),
    ('L1-miss-ns/op',   'L1-miss-s/op', 1e-9),
    ('user-s/op',       'user-s/op',    1),
    ('B/op',            'B/op',         1),
    ('MB/s',            'MB/s',         1),     # only the numerator is scaled
    ('allocs/op',       'allocs/op',    1),
])
def test_Unit_normalize_converts_time_units_to_seconds(unit, base, scale):
    u, s = Unit(unit).normalize()
    assert u == Unit(base)
    assert s == scale


def test_Unit_compares_and_hashes_by_string():
    assert Unit('s/op') == Unit('s/op')
    assert Unit('s/op') != Unit('ns/op')
    assert Unit('s/op') != 's/op'           # only equal to Units
    assert len({Unit('B/op'), Unit('B/op')}) == 1
    assert str(Unit('B/op')) == 'B/op'
    assert repr(Unit('B/op')) == "Unit('B/op')"


def test_reprs_of_BenchLine_and_Measure():
    bl = BenchLine('x', 10, [Measure(1.5, Unit('s/op'))])
    assert repr(bl) == "BenchLine('x', 10, [Measure(1.5, Unit('s/op'))])"


# ---- load ----

DATA = u"""\
goos: linux
pymod: a.py
PASS
BenchmarkA  100  1 ns/op
BenchmarkA  100  3 ns/op
pymod: b.py
WARNING: w1
BenchmarkB  200  2 %(mu)ss/op   8 B/op
WARNING: w2
goos:
BenchmarkC  300  5 ms/op
ok  	pkg	1.0s
""" % {'mu': MU}


def test_load_attaches_labels_in_effect_to_each_line():
    B, labels = load_str(DATA)
    assert isinstance(B, Benchmark)
    assert [(bl.name, bl.niter) for bl in B] == [('A', 100), ('A', 100), ('B', 200), ('C', 300)]
    assert values(B) == [[pytest.approx(1e-9)], [pytest.approx(3e-9)],
                         [pytest.approx(2e-6), 8], [pytest.approx(5e-3)]]
    assert [dict(bl.labels) for bl in B] == [
        {'goos': 'linux', 'pymod': 'a.py'},
        {'goos': 'linux', 'pymod': 'a.py'},
        {'goos': 'linux', 'pymod': 'b.py', 'WARNING': ('w1',)},
        {'pymod': 'b.py', 'WARNING': ('w1', 'w2')},     # empty goos: discarded
    ]
    # exit labels: state at end of input
    assert labels == OrderedDict([('pymod', 'b.py'), ('WARNING', ('w1', 'w2'))])


def test_load_label_changes_do_not_affect_earlier_lines():
    B, _ = load_str(DATA)
    assert B[0].labels is B[1].labels           # shared while unchanged
    assert B[1].labels is not B[2].labels


def test_load_accepts_bytes_and_iterables():
    B1, l1 = load_str(DATA)
    B2, l2 = benchlib.load(io.BytesIO(DATA.encode('utf-8')))
    B3, l3 = benchlib.load(DATA.splitlines(True))
    for B, l in [(B2, l2), (B3, l3)]:
        assert [bl.name for bl in B] == [bl.name for bl in B1]
        assert values(B) == values(B1)
        assert l == l1


def test_load_file_reads_utf8(tmp_path):
    p = tmp_path / 'data'
    p.write_bytes(DATA.encode('utf-8'))
    B, labels = benchlib.load_file(str(p))
    assert [bl.name for bl in B] == ['A', 'A', 'B', 'C']
    assert labels['pymod'] == 'b.py'


# ---- xload ----

XDATA = u"""\
*** neotest: node info
cpu: fast
kernel: 5.10

date: today
BenchmarkA 10 1 ns/op
*** neotest: another node
cpu: slow
BenchmarkB 20 2 ns/op
"""


def test_xload_splits_neotest_extension_blocks_off_labels():
    # "BenchmarkB" is inside the second block (no blank line) -> error below;
    # here use data where blocks are closed properly.
    data = XDATA.replace('cpu: slow\n', 'cpu: slow\n\n')
    B, labels, extv = benchlib.xload(io.StringIO(data))
    assert [bl.name for bl in B] == ['A', 'B']
    # block labels do not apply to the main stream
    assert [dict(bl.labels) for bl in B] == [{'date': 'today'}, {'date': 'today'}]
    assert labels == OrderedDict([('date', 'today')])
    assert extv == [OrderedDict([('cpu', 'fast'), ('kernel', '5.10')]),
                    OrderedDict([('cpu', 'slow')])]


def test_xload_block_ends_at_eof():
    B, labels, extv = benchlib.xload(io.StringIO(u'BenchmarkA 1 1 ns/op\n*** neotest: x\nk: v\n'))
    assert [bl.name for bl in B] == ['A']
    assert extv == [OrderedDict([('k', 'v')])]


def test_xload_rejects_benchmark_lines_inside_block():
    r = io.StringIO(XDATA)
    r.name = 'data.txt'
    with pytest.raises(RuntimeError) as exc:
        benchlib.xload(r)
    assert str(exc.value) == 'data.txt:7: neotest extension block contains benchmark line'


def test_load_without_x_treats_neotest_blocks_as_labels():
    B, labels = load_str(XDATA.replace('cpu: slow\n', 'cpu: slow\n\n'))
    assert B[0].labels['cpu'] == 'fast'


def test_xload_file(tmp_path):
    p = tmp_path / 'data'
    p.write_text(XDATA.replace('cpu: slow\n', 'cpu: slow\n\n'), encoding='utf-8')
    B, labels, extv = benchlib.xload_file(str(p))
    assert len(B) == 2 and len(extv) == 2


# ---- grouping ----

GDATA = u"""\
host: a
BenchmarkX 1 1 ns/op 10 B/op
BenchmarkY 1 2 ns/op
host: b
BenchmarkX 1 3 ns/op 30 B/op 31 B/op
BenchmarkY 1 4 ns/op
"""


def test_bylabel_groups_by_label_values_in_order():
    B, _ = load_str(GDATA)
    g = B.bylabel(['host'])
    assert list(g.keys()) == [(('host', 'a'),), (('host', 'b'),)]
    assert all(isinstance(v, Benchmark) for v in g.values())
    assert [bl.name for bl in g[(('host', 'b'),)]] == ['X', 'Y']
    # labels a line lacks are left out of the key
    g = B.bylabel(['nosuch', 'host'])
    assert list(g.keys()) == [(('host', 'a'),), (('host', 'b'),)]
    assert list(B.bylabel([]).keys()) == [()]


def test_byname_groups_by_name_in_order():
    B, _ = load_str(GDATA)
    g = B.byname()
    assert list(g.keys()) == ['X', 'Y']
    assert [bl.labels['host'] for bl in g['Y']] == ['a', 'b']


def test_byunit_splits_measurements_by_unit():
    B, _ = load_str(GDATA)
    g = B.byunit()
    assert list(g.keys()) == [Unit('s/op'), Unit('B/op')]
    assert [bl.name for bl in g[Unit('s/op')]] == ['X', 'Y', 'X', 'Y']
    # several values of one unit in a line stay together
    assert values(g[Unit('B/op')]) == [[10], [30, 31]]
    assert g[Unit('B/op')][1].labels['host'] == 'b'


def test_convert_unit_rescales_values():
    B, _ = load_str(u'BenchmarkX 1 1500 ns/op\nBenchmarkY 1 2 ms/op\n')
    C = B.convert_unit(MU + 's/op')
    assert values(C) == [[pytest.approx(1.5)], [pytest.approx(2000)]]
    assert all(m.unit == Unit(MU + 's/op') for bl in C for m in bl.measurev)
    assert [bl.name for bl in C] == ['X', 'Y']
    assert values(B) == [[pytest.approx(1.5e-6)], [pytest.approx(2e-3)]]  # B unchanged


def test_convert_unit_rejects_incompatible_units():
    B, _ = load_str(u'BenchmarkX 1 8 B/op\n')
    with pytest.raises(ValueError) as exc:
        B.convert_unit('ns/op')
    assert str(exc.value) == 'convert unit: units are not convertible: (ns/op, B/op)'


# ---- stats ----

def bench_of(name, vals, unit='s/op'):
    return Benchmark([BenchLine(name, 1, [Measure(v, Unit(unit))]) for v in vals])


def test_stats_without_outliers():
    s = bench_of('x', [1., 2., 3., 4.]).stats()
    assert isinstance(s, Stats)
    assert s.unit == Unit('s/op')
    assert (s.avg, s.min, s.max) == (2.5, 1., 4.)
    assert s.std == pytest.approx(1.118033988749895)
    assert (s.ninliers, s.noutliers, s.nsamples) == (4, 0, 4)


def test_stats_rejects_outliers_by_iqr():
    # Q1=10, Q3=11, IQR=1 -> keep [8.5, 12.5]
    s = bench_of('x', [10., 10., 11., 11., 10.5, 100., 1.]).stats()
    assert (s.ninliers, s.noutliers, s.nsamples) == (5, 2, 7)
    assert (s.min, s.max) == (10., 11.)
    assert s.avg == pytest.approx(10.5)


def test_stats_requires_one_unit():
    B = Benchmark([BenchLine('x', 1, [Measure(1, Unit('s/op')), Measure(2, Unit('B/op'))])])
    with pytest.raises(ValueError) as exc:
        B.stats()
    assert str(exc.value) == 'stats: different units: (s/op, B/op)'
    with pytest.raises(ValueError):
        Benchmark().stats()


def test_Stats_str_shows_avg_and_max_deviation_percent():
    assert str(Stats(Unit('s'), 2., 1.9, 2.1, 0., 3, 0)) == u'2.00 \u00b1 5%'
    assert str(Stats(Unit('s'), 44.656, 44.42, 44.829, 0., 5, 0)) == u'44.66 \u00b1 1%'
    assert str(Stats(Unit('s'), 0., 0., 0., 0., 1, 0)) == u'0.00 \u00b1 0%'


# ---- benchstat ----

SDATA = u"""\
Benchmarkdef      20000000  0.061 %(mu)ss/op
Benchmarkdef      20000000  0.061 %(mu)ss/op
Benchmarkdef      20000000  0.062 %(mu)ss/op
Benchmarkcall     1000000   2.010 %(mu)ss/op
Benchmarkcall     1000000   2.030 %(mu)ss/op
Benchmarkcall     1000000   2.020 %(mu)ss/op
Benchmarkcall     1000000   2.020 %(mu)ss/op
Benchmarkcall     1000000   2.500 %(mu)ss/op
Benchmarkfunc_def 30000     33.100 %(mu)ss/op
Benchmarkfunc_def 30000     33.300 %(mu)ss/op
""" % {'mu': MU}

SDATA_OUT = (
    u'name\t\t\t\t%(mu)ss/op\n'
    u'\n'
    u'def                           \t           0.06 \u00b1 1%%\n'
    u'call                          \t           2.02 \u00b1 0%%\t(4/5)\n'
    u'func_def                      \t          33.20 \u00b1 0%%\n'
) % {'mu': MU}


def test_benchstat_prints_table_in_readable_time_unit_with_outliers():
    B, _ = load_str(SDATA)
    w = io.StringIO()
    benchlib.benchstat(w, B)
    assert w.getvalue() == SDATA_OUT


def test_benchstat_chooses_time_unit_by_largest_average():
    for text, unit, val in [
        ('BenchmarkX 1 5 ns/op\n',      'ns/op',        '5.00'),
        ('BenchmarkX 1 1500 ns/op\n',   MU + 's/op',    '1.50'),
        ('BenchmarkX 1 2500 us/op\n',   'ms/op',        '2.50'),
        ('BenchmarkX 1 3000 ms/op\n',   's/op',         '3.00'),
        ('BenchmarkX 1 7 L1-miss-us/op\n', 'L1-miss-' + MU + 's/op', '7.00'),
        ('BenchmarkX 1 7 B/op\n',       'B/op',         '7.00'),
    ]:
        B, _ = load_str(text)
        w = io.StringIO()
        benchlib.benchstat(w, B)
        lines = w.getvalue().splitlines()
        assert lines[0] == 'name\t\t\t\t' + unit, text
        assert lines[2].split('\t')[1].strip().startswith(val), text


def test_benchstat_splits_by_labels_and_separates_units():
    B, _ = load_str(GDATA)
    w = io.StringIO()
    benchlib.benchstat(w, B, split=['host'])
    assert w.getvalue() == (
        u'name\t\t\t\tns/op\n'
        u'host:a\n'
        u'X                             \t           1.00 \u00b1 0%\n'
        u'Y                             \t           2.00 \u00b1 0%\n'
        u'host:b\n'
        u'X                             \t           3.00 \u00b1 0%\n'
        u'Y                             \t           4.00 \u00b1 0%\n'
        u'\n'
        u'name\t\t\t\tB/op\n'
        u'host:a\n'
        u'X                             \t          10.00 \u00b1 0%\n'
        u'host:b\n'
        u'X                             \t          30.50 \u00b1 2%\n'
    )


# ---- main (benchstat command) ----

def test_main_prints_benchstat_of_file(tmp_path, capsys):
    p = tmp_path / 'data'
    p.write_text(SDATA, encoding='utf-8')
    assert benchlib.main([str(p)]) == 0
    assert capsys.readouterr().out == SDATA_OUT


def test_main_split_option(tmp_path, capsys):
    p = tmp_path / 'data'
    p.write_text(GDATA, encoding='utf-8')
    assert benchlib.main(['--split', 'host', str(p)]) == 0
    out = capsys.readouterr().out
    assert 'host:a\n' in out and 'host:b\n' in out


def test_main_missing_file_fails(tmp_path, capsys):
    assert benchlib.main([str(tmp_path / 'nosuch')]) == 1
    assert 'benchstat:' in capsys.readouterr().err


def test_main_runs_as_module_reading_stdin():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([PYDIR] + [x for x in [env.get('PYTHONPATH')] if x])
    env['PYTHONIOENCODING'] = 'utf-8'
    p = subprocess.run([sys.executable, '-m', 'golang.x.perf.benchlib', '-'],
                       input=SDATA.encode('utf-8'), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout.decode('utf-8') == SDATA_OUT
