# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""benchlib - load and work with data in Go benchmark format.

The format is https://golang.org/design/14313-benchmark-format (what
``go test -bench`` and ``py.bench`` print):

- a benchmark line is ``Benchmark<name> <niter> <value> <unit> [<value> <unit>...]``
  with fields separated by whitespace; a field starting with ``#`` begins a
  trailing comment. ``Benchmark`` is stripped from the name; anything else in
  the name (e.g. Go's ``-P`` GOMAXPROCS suffix, or ``/sub`` parts) is kept.
- a label (configuration) line is ``key: value``. It applies to all following
  benchmark lines until the key is set again; an empty value removes the key.
  Values of the key ``WARNING`` accumulate (a tuple) instead of replacing.
- every other line is ignored.

API (that of Pygolang 0.0.5's golang.x.perf.benchlib):

- ``Benchmark`` (a list of ``BenchLine``) with ``.bylabel(keys)``,
  ``.byname()``, ``.byunit()``, ``.convert_unit(unit)`` and ``.stats()``;
- ``BenchLine(name, niter, measurev, labels)``, ``Measure(value, unit)``,
  ``Unit(str)`` with ``.normalize()`` → ``(Unit, scale)``;
- ``Stats(unit, avg, min, max, std, ninliers, noutliers)`` with ``.nsamples``;
- ``parse_label(line)`` → ``(key, value)`` or ``(None, None)``;
  ``parse_benchline(line)`` → ``BenchLine`` or ``None``;
- ``load(r)`` / ``load_file(path)`` → ``(Benchmark, labels)``;
  ``xload(r)`` / ``xload_file(path)`` → ``(Benchmark, labels, extv)`` with
  neotest extension blocks (see xload);
- ``benchstat(w, B, split=[])`` prints statistics like Go's benchstat, and
  ``main()`` is the ``benchstat`` command: ``benchstat [--split k1,k2] FILE``.

Units are normalized when lines are parsed: time numerators ns, µs, us and
ms become s and values are scaled accordingly (``0.5 µs/op`` loads as
``5e-07 s/op``). benchstat() prints time statistics back in a readable unit:
per unit table, the largest of s, ms, µs and ns in which the largest average
is at least 1.

Deliberate differences from Pygolang 0.0.5 (documented choices):

- A line is tried as a benchmark line before it is tried as a label, so a
  benchmark name containing ``:`` (e.g. a pytest parameter id) is not taken
  for a label; a label key must be non-empty (and, as in Pygolang, contain no
  whitespace).
- load() also accepts readers or iterables yielding bytes (decoded as UTF-8).
- ``Unit.normalize`` also accepts the Greek small letter mu (U+03BC) as well
  as the micro sign (U+00B5) for microseconds.
- ``Benchmark.stats()`` of an empty Benchmark raises ValueError.
- The ``benchstat`` command accepts ``-`` for standard input.

Statistics reject outliers as Go's benchstat does: values outside
[Q1 - 1.5·IQR, Q3 + 1.5·IQR] are dropped (quartiles by numpy's default linear
interpolation).

This module is pure Python (plus numpy) and does not use the native core.
"""

from __future__ import print_function, absolute_import

import io
import re
import sys
from collections import OrderedDict

import numpy as np

__all__ = ['Benchmark', 'BenchLine', 'Measure', 'Unit', 'Stats',
           'parse_label', 'parse_benchline', 'load', 'load_file',
           'xload', 'xload_file', 'benchstat', 'main']


class Benchmark(list):
    """Benchmark is a collection of benchmark lines (BenchLine)."""

    def bylabel(self, label_list):
        """bylabel splits the Benchmark into groups whose lines have equal values of the given labels.

        Returns an ordered {} labelkey -> Benchmark, where labelkey is a tuple of
        (k, v) for each k from label_list that the line has (missing labels are
        left out of the key). Groups are in order of first appearance.
        """
        bylabel = OrderedDict()     # labelkey -> Benchmark
        for bench in self:
            labelkey = ()
            for k in label_list:
                v = bench.labels.get(k)
                if v is not None:
                    labelkey += ((k, v),)
            bb = bylabel.get(labelkey)
            if bb is None:
                bylabel[labelkey] = bb = Benchmark()
            bb.append(bench)
        return bylabel

    def byname(self):
        """byname splits the Benchmark into groups of lines with the same name.

        Returns an ordered {} name -> Benchmark (in order of first appearance).
        """
        byname = OrderedDict()      # name -> Benchmark
        for bench in self:
            bb = byname.get(bench.name)
            if bb is None:
                byname[bench.name] = bb = Benchmark()
            bb.append(bench)
        return byname

    def byunit(self):
        """byunit splits the Benchmark into groups of lines measured in the same unit.

        A line with measurements in several units contributes a line to each
        unit's group with only that unit's measurements (a line may hold
        several measurements in one unit: they are kept together).

        Returns an ordered {} Unit -> Benchmark (in order of first appearance).
        """
        byunit = OrderedDict()      # unit -> Benchmark
        for bench in self:
            units = OrderedDict()   # ordered set of this line's units
            for m in bench.measurev:
                units[m.unit] = True
            for u in units:
                bb = byunit.get(u)
                if bb is None:
                    byunit[u] = bb = Benchmark()
                mv = [m for m in bench.measurev if m.unit == u]
                bb.append(BenchLine(bench.name, bench.niter, mv, bench.labels))
        return byunit

    def convert_unit(self, unit):
        """convert_unit returns a new Benchmark with all values converted to unit.

        unit is a Unit or a str such as "µs/op". All values must have units
        convertible to it (the same after normalization), or ValueError is
        raised.
        """
        U = unit if isinstance(unit, Unit) else Unit(unit)
        u, uscale = U.normalize()
        B = Benchmark()
        for b in self:
            measurev = []
            for m in b.measurev:
                mu, muscale = m.unit.normalize()
                if mu != u:
                    raise ValueError('convert unit: units are not convertible: (%s, %s)'
                                     % (U, m.unit))
                measurev.append(Measure(m.value * muscale / uscale, U))
            B.append(BenchLine(b.name, b.niter, measurev, b.labels))
        return B

    def stats(self):
        """stats returns statistics (Stats) about all values in the Benchmark.

        All values must be in the same unit (use .byunit() to prepare), or
        ValueError is raised. Outliers are rejected as Go's benchstat does.
        """
        unit = None
        vv = []
        for b in self:
            for m in b.measurev:
                if unit is None:
                    unit = m.unit
                if m.unit != unit:
                    raise ValueError('stats: different units: (%s, %s)' % (unit, m.unit))
                vv.append(m.value)
        if not vv:
            raise ValueError('stats: no values')

        inliers, nout = _reject_outliers(vv)
        return Stats(unit, avg=float(np.mean(inliers)), min=float(np.amin(inliers)),
                     max=float(np.amax(inliers)), std=float(np.std(inliers)),
                     ninliers=len(inliers), noutliers=nout)


class BenchLine(object):
    """BenchLine is one benchmark line: name, niter, measurements and labels.

    name has the "Benchmark" prefix stripped; measurev is a list of Measure
    (at least one when parsed); labels is the ordered {} of labels in effect
    for the line.
    """

    def __init__(self, name, niter, measurev, labels=None):
        self.name = name
        self.niter = niter
        self.measurev = measurev
        if labels is None:
            labels = OrderedDict()
        self.labels = labels

    def set_labels(self, labels):
        self.labels = labels

    def __repr__(self):
        return 'BenchLine(%r, %d, %r)' % (self.name, self.niter, self.measurev)


class Measure(object):
    """Measure is a value with a unit (Unit)."""

    def __init__(self, value, unit):
        self.value = value
        self.unit = unit

    def __repr__(self):
        return 'Measure(%r, %r)' % (self.value, self.unit)


# {} time unit -> (base unit, scale to it)
_unitTab = {
    'ns':       ('s', 1e-9),
    u'\u00b5s': ('s', 1e-6),    # µ = MICRO SIGN (what Go and py.bench print)
    u'\u03bcs': ('s', 1e-6),    # μ = GREEK SMALL LETTER MU
    'us':       ('s', 1e-6),
    'ms':       ('s', 1e-3),
}


class Unit(object):
    """Unit is a symbolic unit such as "ns/op", "µs/object" or "L1-miss-ns/op".

    Units compare equal (and hash) by their string; str(unit) is that string.
    """

    def __init__(self, unit):
        self.unit = unit

    # eq, hash - so that Unit can be used as key in dict or set
    def __eq__(self, other):
        return isinstance(other, Unit) and self.unit == other.unit

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self.unit)

    def __repr__(self):
        return 'Unit(%r)' % (self.unit,)

    def __str__(self):
        return self.unit

    def normalize(self):
        """normalize returns (base Unit, scale) converting values of this unit to base.

        Only the numerator of the last "-"-separated part is rescaled:

            "µs"          -> Unit("s"),          1e-6
            "ms/op"       -> Unit("s/op"),       1e-3
            "L1-miss-ns/op" -> Unit("L1-miss-s/op"), 1e-9
            "user-s/op"   -> Unit("user-s/op"),  1
            "B/op"        -> Unit("B/op"),       1
        """
        prefix, sep, unit = self.unit.rpartition('-')
        num, slash, denom = unit.partition('/')
        scale = 1
        base = _unitTab.get(num)
        if base is not None:
            num, scale = base
        return Unit(prefix + sep + num + slash + denom), scale

    def _time_parts(self):
        """_time_parts returns (prefix, rest) if the unit is seconds-based ("<prefix>s<rest>"), else None.

        The unit must be normalized; e.g. "user-s/op" -> ("user-", "/op").
        """
        prefix, sep, unit = self.unit.rpartition('-')
        num, slash, denom = unit.partition('/')
        if num != 's':
            return None
        return prefix + sep, slash + denom


class Stats(object):
    """Stats is basic statistics about a Benchmark's values (in unit).

    avg, min, max and std are over inliers; ninliers and noutliers count the
    kept and rejected values; nsamples is their sum.
    """

    def __init__(self, unit, avg, min, max, std, ninliers, noutliers):
        self.unit = unit
        self.avg = avg
        self.min = min
        self.max = max
        self.std = std
        self.ninliers = ninliers
        self.noutliers = noutliers

    @property
    def nsamples(self):
        return self.ninliers + self.noutliers

    def __str__(self):
        # "<avg> ±<max deviation from avg in %>"
        delta = max(self.max - self.avg, self.avg - self.min)
        if self.avg != 0:
            pct = 100. * delta / abs(self.avg)
        else:
            pct = 0. if delta == 0 else float('inf')
        return u'%.2f \u00b1%2.0f%%' % (self.avg, pct)

    def __repr__(self):
        return ('Stats(%r, avg=%r, min=%r, max=%r, std=%r, ninliers=%r, noutliers=%r)'
                % (self.unit, self.avg, self.min, self.max, self.std,
                   self.ninliers, self.noutliers))


# ----------------------------------------

_sp_re = re.compile(r'\s')


def parse_label(line):
    """parse_label tries to parse line as a label line "key: value".

    Returns (key, value) with value stripped of surrounding whitespace (it may
    be empty), or (None, None) if line is not a label: no colon, or a key
    that is empty or contains whitespace.
    """
    key, colon, value = line.partition(':')
    if not colon or not key or _sp_re.search(key):
        return None, None
    return key, value.strip()


def parse_benchline(line):
    """parse_benchline tries to parse line as a benchmark line.

    Returns BenchLine (name without "Benchmark", niter, normalized measurements,
    empty labels), or None if line does not match the format.
    """
    if not line.startswith('Benchmark'):
        return None
    linev = line[len('Benchmark'):].split()
    if len(linev) < 4:
        return None

    name = linev[0]
    try:
        niter = int(linev[1])
    except ValueError:
        return None

    # "<value> <unit>" pairs up to the end or to a tail comment.
    tailv = linev[2:]
    measurev = []
    while tailv:
        if tailv[0].startswith('#'):    # tail comment
            break
        if len(tailv) < 2:              # <value> without <unit>
            return None
        value, unit = tailv[:2]
        tailv = tailv[2:]
        try:
            value = float(value)
        except ValueError:
            return None
        unit, scale = Unit(unit).normalize()
        measurev.append(Measure(value * scale, unit))

    if not measurev:
        return None
    return BenchLine(name, niter, measurev)


def _lines(r):
    """_lines yields text lines of reader r (anything with readlines() or an iterable)."""
    it = r.readlines() if hasattr(r, 'readlines') else r
    for line in it:
        if isinstance(line, bytes):
            line = line.decode('utf-8')
        yield line


def load(r):
    """load loads benchmark data from reader r.

    r must implement .readlines() or be an iterable of lines.

    Returns (Benchmark, exit_labels): exit_labels is the ordered {} of labels
    in effect at the end of input. Each BenchLine gets the labels in effect
    when it was read (label changes copy the dict, so lines are unaffected by
    later labels).
    """
    labels = OrderedDict()
    benchv = Benchmark()    # of BenchLine

    for line in _lines(r):
        bl = parse_benchline(line)
        if bl is not None:
            bl.set_labels(labels)
            benchv.append(bl)
            continue

        key, value = parse_label(line)
        if key is not None:
            labels = labels.copy()
            if value:
                if key == 'WARNING':
                    # warnings accumulate, not replace previous ones
                    labels[key] = labels.get(key, ()) + (value,)
                else:
                    labels[key] = value
            else:
                labels.pop(key, None)   # empty value discards the label
            continue

    return benchv, labels


def load_file(path):
    """load_file loads benchmark data from the file at path (UTF-8).

    Returns (Benchmark, exit_labels) as load does.
    """
    with io.open(path, 'r', encoding='utf-8') as f:
        return load(f)


def xload(r):
    """xload loads benchmark data from reader r handling neotest extensions.

    neotest extension: a line starting with "*** neotest:" opens an extension
    block that lasts up to the next blank line (or end of input). The block
    holds labels describing e.g. a node's hardware and software. Its lines are
    not part of the main stream: its labels do not apply to benchmark lines.
    A block must not contain benchmark lines (RuntimeError
    "<name>:<lineno>: neotest extension block contains benchmark line").

    r must implement .readline() (or .readlines(), or be an iterable of lines).

    Returns (Benchmark, exit_labels, extv), extv being the list of ordered {}
    with the labels of each extension block, in order.
    """
    xr = _neotestExtReader(r)
    B, labels = load(xr)

    extv = []
    for lineno, text in xr.extblockv:
        bext, lext = load(io.StringIO(text))
        if len(bext) != 0:
            raise RuntimeError('%s:%d: neotest extension block contains benchmark line'
                               % (getattr(r, 'name', '?'), lineno))
        extv.append(lext)

    return B, labels, extv


class _neotestExtReader(object):
    """_neotestExtReader splits neotest extension blocks off a data stream.

    Reading from it gives the original lines without extension blocks; the
    blocks found are in .extblockv as (lineno of "*** neotest:" line, text).
    """

    def __init__(self, r):
        if hasattr(r, 'readline'):
            self._next = r.readline
        else:
            it = iter(_lines(r))
            self._next = lambda: next(it, '')
        self.extblockv = []     # of (lineno, text)
        self._lineno = 0

    def _readline(self):
        l = self._next()
        if isinstance(l, bytes):
            l = l.decode('utf-8')
        if l:
            self._lineno += 1
        return l

    def readline(self):
        l = self._readline()
        if not l.startswith('*** neotest:'):
            return l    # also EOF = ''

        # new extension block - read up to a blank line or EOF
        lineno, ext = self._lineno, [l]
        while 1:
            l = self._readline()
            if l.strip() == '':
                break
            ext.append(l)
        self.extblockv.append((lineno, ''.join(ext)))
        return l        # the blank line (or EOF) closing the block

    def readlines(self):
        while 1:
            l = self.readline()
            if not l:
                break   # EOF
            yield l


def xload_file(path):
    """xload_file loads benchmark data with neotest extensions from the file at path.

    Returns (Benchmark, exit_labels, extv) as xload does.
    """
    with io.open(path, 'r', encoding='utf-8') as f:
        return xload(f)


# ----------------------------------------

# time display units, largest first: (scale from seconds, prefix)
_timeDisplay = [(1., 's'), (1e-3, 'ms'), (1e-6, u'\u00b5s'), (1e-9, 'ns')]


def _display_scale(unit, statv):
    """_display_scale returns (display unit str, divisor) for printing statv in unit.

    Time units (normalized "...s/..." units) are shown in the largest of
    s/ms/µs/ns in which the largest |avg| is >= 1; other units as they are.
    """
    u, scale = unit.normalize()
    parts = u._time_parts()
    if parts is None:
        return str(unit), 1.
    prefix, rest = parts
    vmax = max(abs(s.avg) for s in statv) * scale     # in seconds
    for dscale, dname in _timeDisplay:
        if vmax >= dscale:
            break
    return prefix + dname + rest, dscale / scale


def benchstat(w, B, split=[]):
    """benchstat prints statistics about Benchmark B to writer w, like Go's benchstat for one input.

    For every unit: a header line "name<TAB><TAB><TAB><TAB><unit>", then for
    every group of lines having the same values of the labels in split: a
    line with those "key:value" pairs (empty if split is empty) followed by a
    line per benchmark name: "<name padded to 30><TAB><avg ±dev% right-aligned
    to 20>", plus "<TAB>(<ninliers>/<nsamples>)" when outliers were rejected.
    Unit tables are separated by a blank line. Time values are shown in a
    readable unit (see the module documentation).
    """
    def emit(text):
        print(text, file=w)

    split = [k for k in split if k]
    Bu = B.byunit()
    for i, unit in enumerate(Bu):
        # statistics of the whole table first, to choose the display unit
        table = []      # of (labkey, [(name, Stats)])
        for labkey, Bl in Bu[unit].bylabel(split).items():
            rows = [(name, Bn.stats()) for name, Bn in Bl.byname().items()]
            table.append((labkey, rows))
        dunit, div = _display_scale(unit, [s for _, rows in table for _, s in rows])

        if i != 0:      # not first
            emit('')
        emit('name\t\t\t\t%s' % dunit)
        for labkey, rows in table:
            emit(' '.join(['%s:%s' % (k, v) for k, v in labkey]))
            for name, s in rows:
                if div != 1:
                    s = Stats(Unit(dunit), s.avg / div, s.min / div, s.max / div,
                              s.std / div, s.ninliers, s.noutliers)
                text = u'%-30s\t%20s' % (name, s)
                if s.noutliers != 0:
                    text += '\t(%d/%d)' % (s.ninliers, s.nsamples)
                emit(text)


# ----------------------------------------

def _reject_outliers(data):
    """_reject_outliers filters outliers out of data.

    Returns (inliers ndarray, number of outliers). Uses the same rule as Go's
    benchstat: keep values within [Q1 - 1.5·IQR, Q3 + 1.5·IQR].
    """
    data = np.asarray(data, dtype=float)
    q1, q3 = np.percentile(data, 25), np.percentile(data, 75)
    iqr = q3 - q1
    lo, hi = q1 - 1.5 * iqr, q3 + 1.5 * iqr
    inliers = data[np.logical_and(lo <= data, data <= hi)]
    return inliers, len(data) - len(inliers)


def _utf8_stdout():
    """_utf8_stdout makes sure sys.stdout can print "µ" and returns it."""
    out = sys.stdout
    enc = (getattr(out, 'encoding', None) or '').lower().replace('_', '-')
    if enc not in ('utf-8', 'utf8') and hasattr(out, 'reconfigure'):
        try:
            out.reconfigure(encoding='utf-8')
        except Exception:   # e.g. a stream that cannot change encoding
            pass
    return out


def main(argv=None):
    """main is the benchstat command: print statistics about a file in Go benchmark format.

    Usage: benchstat [--split KEY1,KEY2...] FILE   (FILE "-" = stdin).
    Returns the exit code.
    """
    import argparse
    p = argparse.ArgumentParser(prog='benchstat', description='Print benchmark statistics.')
    p.add_argument('file', help='input file with benchmark data ("-" for stdin)')
    p.add_argument('--split', default='',
                   help='split benchmarks by labels, comma-separated (default: no split)')
    args = p.parse_args(argv)

    if args.file == '-':
        stdin = sys.stdin
        if hasattr(stdin, 'buffer'):
            stdin = io.TextIOWrapper(stdin.buffer, encoding='utf-8')
        B, _ = load(stdin)
    else:
        try:
            B, _ = load_file(args.file)
        except (IOError, OSError, UnicodeDecodeError) as e:
            print('benchstat: %s' % e, file=sys.stderr)
            return 1

    out = _utf8_stdout()
    benchstat(out, B, split=args.split.split(','))
    out.flush()
    return 0


if __name__ == '__main__':
    sys.exit(main())
