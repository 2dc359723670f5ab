# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Program py.bench benchmarks Python code via pytest.

Usage::

    py.bench [--count=N] [--forked] [--benchtime=D] [pytest options and paths...]

py.bench, similarly to pytest, discovers benchmarks: ``bench_*.py`` files
(any file named explicitly on the command line is collected too), ``bench_*``
functions and ``bench_*`` methods of ``Bench*`` classes. It runs each
benchmark via golang.testing.benchmark and, like ``go test -bench``, prints
the results in Go benchmark format. For example, for bench_add.py::

    def bench_add(b):
        x, y = 1, 2
        for i in range(b.N):
            x + y

``py.bench --count=3`` prints something like::

    pymod: bench_add.py
    Benchmarkadd	50000000	0.020 µs/op
    Benchmarkadd	50000000	0.020 µs/op
    Benchmarkadd	50000000	0.020 µs/op

Output format (standard output carries only this, so it can be piped to
``benchstat`` or loaded with golang.x.perf.benchlib):

- ``pymod: <file>`` before the first benchmark of every file (file relative
  to the current directory, as pytest shows it); files are separated by a
  blank line. It is a label line of the Go benchmark format.
- ``Benchmark<name>\\t<N>\\t<time per op> µs/op`` per run, the time with 3
  decimals; names are padded with spaces to the longest collected name.
  <name> is the function name without ``bench_``; a method gives
  ``<Class>/<method without bench_>`` (Pygolang 0.0.5 printed
  ``<Class>::bench_<method>``, which loads as a label line, not as a
  benchmark); whitespace in names (e.g. from parameter ids) becomes ``_``.
- a benchmark that fails, errors or is skipped prints
  ``Benchmark<name>\\t[FAILED]`` (or ``[ERROR]``, ``[SKIPPED]``, ``[XFAIL]``...)
  instead of a result.

A benchmark function that takes the ``b`` fixture (a golang.testing.B) must
do ``b.N`` iterations; N is adjusted until a run takes about one second. A
benchmark function that does not take ``b`` runs once per count (N=1). Other
pytest fixtures work as usual and are set up once per benchmark, not per run.

Options (besides all of pytest's):

--count=N       run each benchmark N times, printing N lines (default 1).
--forked        run each benchmark run in a separate process made with
                os.fork (POSIX only; a usage error elsewhere). Results come
                back to the parent through a pipe; an exception in the child
                fails the benchmark with the child's traceback.
--benchtime=D   target time of one run: seconds ("2", "0.5"), a Go-style
                duration ("100ms", "2s", "1m"), or "<N>x" for exactly N
                iterations (Go's -benchtime syntax; an extension over
                Pygolang 0.0.5, whose target is fixed at 1s).

pytest's own reporting (header, failures with tracebacks, warnings, final
summary) goes to standard error and is quiet by default (``-q``; add ``-v``
for more). Output printed by benchmarks with ``-s`` goes to standard error
too. With -h/--help, --version, --fixtures, --markers or --collect-only
pytest's output stays on standard output.

Exit code: that of pytest: 0 if all benchmarks succeeded, 1 if some failed,
2 if interrupted or on collection errors, 4 on usage errors, 5 if no
benchmarks were found.

py.bench drives pytest through its public plugin API only: ini overrides
(``-o python_files=bench_*.py -o python_classes=Bench -o
python_functions=bench_``) for collection, a ``pytest_pyfunc_call`` hook
that runs the benchmark (the test function is called by py.bench, not by
pytest), ``user_properties`` to carry results to the report, and
``pytest_report_teststatus`` plus redirected terminal output to keep
standard output clean. It is tested with pytest 9; plugins ``cacheprovider``,
``doctest``, ``terminalprogress`` and ``repeat`` (whose --count would clash)
are disabled.
"""

from __future__ import print_function, absolute_import

import inspect
import os
import pickle
import re
import signal
import sys
import traceback

try:
    import pytest
except ImportError:     # pragma: no cover - pytest is a dependency
    pytest = None

from golang import testing

__all__ = ['main']


# arguments py.bench always passes to pytest before the user's ones.
_pytest_args = [
    '-q',
    '-p', 'no:cacheprovider',
    '-p', 'no:doctest',
    '-p', 'no:terminalprogress',
    '-p', 'no:repeat',
    '-o', 'python_files=bench_*.py',
    '-o', 'python_classes=Bench',
    '-o', 'python_functions=bench_',
    '-o', 'console_output_style=classic',
]

# pytest options that only print information: their output stays on stdout.
_info_opts = {'-h', '--help', '--version', '-V', '--fixtures', '--funcargs',
              '--fixtures-per-test', '--markers', '--collect-only', '--co'}


def benchname(nodeid):
    """benchname returns the name of the benchmark for a pytest nodeid.

    "bench_x.py::bench_add" -> "Benchmarkadd";
    "bench_x.py::BenchFoo::bench_m" -> "BenchmarkBenchFoo/m".
    """
    parts = nodeid.split('::')[1:]
    if parts and parts[-1].startswith('bench_'):
        parts[-1] = parts[-1][len('bench_'):]
    return 'Benchmark' + re.sub(r'\s', '_', '/'.join(parts))


def _positive_int(s):
    import argparse
    try:
        n = int(s)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError('invalid count %r: must be a positive integer' % (s,))
    return n


_durUnit = {'ns': 1e-9, 'us': 1e-6, u'\u00b5s': 1e-6, u'\u03bcs': 1e-6,
            'ms': 1e-3, 's': 1., 'm': 60., 'h': 3600.}
_dur_re = re.compile(r'^([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)([a-zµμ]*)$')


def _benchtime(s):
    """_benchtime parses --benchtime value into ('t', seconds) or ('x', N)."""
    import argparse
    s = s.strip()
    if s.endswith('x'):
        try:
            n = int(s[:-1])
        except ValueError:
            n = 0
        if n < 1:
            raise argparse.ArgumentTypeError('invalid benchtime %r: N in <N>x must be >= 1' % (s,))
        return ('x', n)
    m = _dur_re.match(s)
    if m is None or m.group(2) not in _durUnit and m.group(2) != '':
        raise argparse.ArgumentTypeError('invalid benchtime %r: want seconds, a duration '
                                         'like 100ms, or <N>x' % (s,))
    t = float(m.group(1)) * _durUnit.get(m.group(2), 1.)
    if t <= 0:
        raise argparse.ArgumentTypeError('invalid benchtime %r: must be > 0' % (s,))
    return ('t', t)


class ForkedBenchmarkError(Exception):
    """ForkedBenchmarkError reports a benchmark that failed in a --forked child process."""


def _argnames(item):
    """_argnames returns names of the arguments item's function takes as fixtures."""
    fi = getattr(item, '_fixtureinfo', None)
    if fi is not None:
        return list(fi.argnames)
    params = inspect.signature(item.obj).parameters
    return [a for a in item.funcargs if a in params]


def _run_once(f, kw, takes_b, benchtime):
    """_run_once benchmarks f once, as one line of output, and returns (N, T)."""
    __tracebackhide__ = True    # pytest: show the benchmark's frames, not ours
    kind, v = benchtime
    if takes_b:
        def benchf(b):
            __tracebackhide__ = True
            f(b=b, **kw)
    else:
        def benchf(b):
            __tracebackhide__ = True
            f(**kw)
            return testing._stopBenchmark   # runs only once

    if kind == 't':
        r = testing.benchmark(benchf, v)
        return (r.N, r.T)

    # exactly v iterations ("<N>x")
    b = testing.B()
    b.N = v if takes_b else 1
    b.reset_timer()
    b.start_timer()
    benchf(b)
    b.stop_timer()
    return (b.N, b.total_time())


def _outcome_msg(e):
    """_outcome_msg returns picklable ('outcome', kind, msg, extra) for a pytest outcome exception, or None.

    pytest's outcome exceptions (skip, xfail, fail, exit) do not survive
    pickling, so they are sent by kind and re-raised in the parent.
    """
    for kind, extra in (('xfail', None), ('skip', 'allow_module_level'),
                        ('fail', 'pytrace'), ('exit', 'returncode')):
        if isinstance(e, getattr(pytest, kind).Exception):   # xfail's is a fail's subclass
            return ('outcome', kind, getattr(e, 'msg', str(e)),
                    getattr(e, extra, None) if extra else None)
    return None


def _raise_outcome(kind, msg, extra):
    __tracebackhide__ = True
    if kind == 'xfail':
        pytest.xfail(msg)
    elif kind == 'skip':
        pytest.skip(msg)
    elif kind == 'fail':
        pytest.fail(msg, pytrace=bool(extra))
    else:
        pytest.exit(msg, returncode=extra)


def _run_forked(run):
    """_run_forked calls run() in a child process made by os.fork and returns its result.

    An exception in the child is re-raised in the parent: pytest outcomes
    (skip, xfail, fail, exit) as the same outcome, others as
    ForkedBenchmarkError carrying the child's traceback.
    """
    __tracebackhide__ = True
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass

    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        # child: never return into pytest; always leave via os._exit.
        code = 0
        try:
            os.close(rfd)
            try:
                payload = pickle.dumps(('ok', run()))
            except BaseException as e:
                msg = _outcome_msg(e) or ('exc', _format_exc(e))
                payload = pickle.dumps(msg)
            view = memoryview(payload)
            while view:
                n = os.write(wfd, view)
                view = view[n:]
            os.close(wfd)
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    pass
        except BaseException:
            code = 3
        finally:
            os._exit(code)

    # parent
    os.close(wfd)
    chunks = []
    try:
        while True:
            chunk = os.read(rfd, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        _, status = os.waitpid(pid, 0)
    except BaseException:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:
            pass
        raise
    finally:
        os.close(rfd)

    data = b''.join(chunks)
    if not data:
        if os.WIFSIGNALED(status):
            why = 'was killed by signal %d' % os.WTERMSIG(status)
        else:
            why = 'exited with status %d' % os.WEXITSTATUS(status)
        raise ForkedBenchmarkError('forked benchmark process %s without reporting a result' % why)

    msg = pickle.loads(data)
    if msg[0] == 'ok':
        return msg[1]
    if msg[0] == 'outcome':
        _raise_outcome(*msg[1:])
    raise ForkedBenchmarkError('benchmark failed in forked process:\n' + msg[1].rstrip('\n'))


def _format_exc(e):
    """_format_exc formats exception e with its traceback, leaving out py.bench's own frames."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _thisfile:
        tb = tb.tb_next
    return ''.join(traceback.format_exception(type(e), e, tb))


_thisfile = __file__[:-1] if __file__.endswith('.pyc') else __file__


def _word(res):
    """_word returns the status word of a pytest_report_teststatus result."""
    if not res:
        return ''
    word = res[2]
    if isinstance(word, tuple):
        word = word[0]
    return word


if pytest is not None:
    _fixture = pytest.fixture
    _hookimpl = pytest.hookimpl
else:   # pragma: no cover
    _fixture = lambda f: f
    _hookimpl = lambda **kw: (lambda f: f)


class BenchPlugin(object):
    """BenchPlugin is the pytest plugin that runs and reports benchmarks.

    out is the stream benchmark results are printed to.
    """

    def __init__(self, out):
        self._out = out
        self._config = None
        self._namelen = 0       # longest benchmark name, to align results
        self._curfile = None    # file of the last printed "pymod:" header

    def pytest_addoption(self, parser):
        try:
            parser.prog = 'py.bench'    # for usage messages (settable in pytest >= 7)
        except Exception:
            pass
        g = parser.getgroup('benchmarking', 'py.bench benchmarking')
        g.addoption('--count', action='store', type=_positive_int, dest='benchcount',
                    default=1, metavar='N',
                    help='number of times to run each benchmark (default 1)')
        g.addoption('--forked', action='store_true', dest='benchforked', default=False,
                    help='run each benchmark run in a separate process (os.fork)')
        g.addoption('--benchtime', action='store', type=_benchtime, dest='benchtime',
                    default=('t', 1.), metavar='D',
                    help='target time of one run: seconds, a duration such as 100ms, '
                         'or <N>x for exactly N iterations (default 1s)')

    def pytest_configure(self, config):
        self._config = config
        if config.getoption('benchforked') and not hasattr(os, 'fork'):
            raise pytest.UsageError('py.bench: --forked is not supported on this platform '
                                    '(no os.fork)')

    # b fixture makes the benchmarking timer available as `b` function argument.
    @_fixture
    def b(self):
        """Benchmark timer and iteration count (golang.testing.B); py.bench gives every run a fresh one."""
        return testing.B()

    # keep only plain python function items: other plugins' items (e.g. from
    # doctest-like collectors) are not benchmarks.
    def pytest_collection_modifyitems(self, session, config, items):
        keep = [it for it in items if isinstance(it, pytest.Function)]
        if len(keep) != len(items):
            config.hook.pytest_deselected(items=[it for it in items if it not in keep])
            items[:] = keep

    def pytest_collection_finish(self, session):
        self._namelen = max([len(benchname(it.nodeid)) for it in session.items] or [0])

    # run the benchmark instead of calling the test function once.
    @_hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        __tracebackhide__ = True
        f = pyfuncitem.obj
        if inspect.iscoroutinefunction(f) or inspect.isasyncgenfunction(f):
            pytest.fail('py.bench: async benchmark functions are not supported', pytrace=False)

        argnames = _argnames(pyfuncitem)
        takes_b = 'b' in argnames
        kw = dict((a, pyfuncitem.funcargs[a]) for a in argnames if a != 'b')
        config = pyfuncitem.config
        benchtime = config.getoption('benchtime')

        def run():
            return _run_once(f, kw, takes_b, benchtime)

        results = []
        for _ in range(config.getoption('benchcount')):
            if config.getoption('benchforked'):
                results.append(_run_forked(run))
            else:
                results.append(run())
        pyfuncitem.user_properties.append(('pybench', results))
        return True

    # no progress letters ("." "F" ...) from pytest's terminal reporter: our
    # output is the benchmark lines. The category and word stay for summaries.
    @_hookimpl(hookwrapper=True)
    def pytest_report_teststatus(self, report, config):
        outcome = yield
        res = outcome.get_result()
        if res:
            outcome.force_result((res[0], '', res[2]))

    def _print(self, line):
        self._out.write(line + '\n')
        self._out.flush()

    # print "pymod: <file>" header before the first benchmark of every file.
    def pytest_runtest_logstart(self, nodeid, location):
        config = self._config
        fspath = nodeid.split('::')[0]
        if fspath == self._curfile:
            return
        first = self._curfile is None
        self._curfile = fspath
        path = os.path.join(str(config.rootpath), *fspath.split('/'))
        try:
            path = os.path.relpath(path, str(config.invocation_params.dir))
        except ValueError:      # e.g. another drive on Windows
            pass
        if not first:
            self._print('')
        self._print('pymod: %s' % path)

    def pytest_runtest_logreport(self, report):
        name = '%-*s\t' % (self._namelen, benchname(report.nodeid))
        if report.when == 'call' and report.passed:
            for k, v in report.user_properties:
                if k == 'pybench':
                    for niter, t in v:
                        self._print(u'%s%d\t%.3f \u00b5s/op' % (name, niter, t * 1e6 / niter))
            return
        if report.passed:
            return      # passed setup/teardown
        res = self._config.hook.pytest_report_teststatus(report=report, config=self._config)
        word = _word(res) or report.outcome
        self._print('%s[%s]' % (name, word))


def _utf8(out):
    """_utf8 makes sure stream out can print "µ" and returns it."""
    enc = (getattr(out, 'encoding', None) or '').lower().replace('_', '-')
    if enc not in ('utf-8', 'utf8') and hasattr(out, 'reconfigure'):
        try:
            out.reconfigure(encoding='utf-8')
        except Exception:
            pass
    return out


def main(argv=None):
    """main runs py.bench with command-line arguments argv (default sys.argv[1:]).

    Returns the exit code (see the module documentation).
    """
    if pytest is None:
        print('E: py.bench: cannot work: pytest not found - please install pytest',
              file=sys.stderr)
        return 1
    if argv is None:
        argv = sys.argv[1:]
    argv = list(argv)

    out = _utf8(sys.stdout)
    plugin = BenchPlugin(out)
    info = any(a.split('=', 1)[0] in _info_opts for a in argv)

    # pytest's terminal reporter writes to sys.stdout as it is when pytest
    # configures: point it to stderr so that stdout carries only results.
    saved = sys.stdout
    if not info:
        sys.stdout = sys.stderr
    try:
        rc = pytest.main(_pytest_args + argv, plugins=[plugin])
    finally:
        sys.stdout = saved
    try:
        out.flush()
    except Exception:
        pass
    return int(rc)


if __name__ == '__main__':
    sys.exit(main())
