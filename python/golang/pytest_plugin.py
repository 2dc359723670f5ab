# SPDX-License-Identifier: MIT OR Apache-2.0
"""pytest plugin of golang: deterministic async tests explored over seeds.

Mark an ``async def`` test with ``golang_seeds``::

    @pytest.mark.golang_seeds(100)
    async def test_no_lost_update(tmp_path):
        ...                             # go(...), await ch.arecv(), aselect(...)

A plain ``def`` test works too: its body and the goroutines it starts
with ``go(f)`` run as synchronous goroutines of the run (greenlets that the
seeded executor schedules: ``ch.recv()``, ``select``, ``time.sleep``,
``sync`` and ``context`` all block there on the run's virtual clock).

The plugin runs its body under ``golang.run(body, seed=s)`` once for each
seed s in 0, 1, ..., n-1, stopping at the first seed that fails. A seed fixes
the interleaving of the goroutines, the choices of select and the virtual
clock, so a failure found with a seed happens again with it. The failure
report names the seed and the command that reruns only it, in the
exception's notes, in a "golang seed" section of the report, and in the
one-line summary::

    FAILED t.py::test_no_lost_update - [golang seed 17] AssertionError: ...

Marker arguments: ``golang_seeds(n=10, clock='virtual')``; ``clock`` is passed
to ``golang.run`` (``'real'`` runs on the real clock: the seed then fixes the
scheduling choices, not the time).

Command line and environment:

- ``--golang-seed=N``, or ``GOLANG_SEED=N`` in the environment, runs every
  marked test with seed N only (to reproduce or debug a failure).
- ``--golang-seeds=N`` runs marked tests over seeds 0..N-1 instead of the n
  of their marker (to explore more interleavings, e.g. in a nightly run).
- ``--golang-explore=random:N``, ``pct:N:D``, ``pos:N`` or ``dfs:N`` runs
  marked tests N times under that exploration strategy
  (golang/schedule.py): random seeds, PCT with depth D, partial order
  sampling, or every schedule depth first (stopping early when all ran).
- ``--golang-replay=FILE``, or ``GOLANG_REPLAY=FILE`` in the environment,
  runs every marked test once, replaying the schedule in FILE.

Every run records its decisions; a failing run's schedule is written to a
file (under pytest's cache directory, ``.pytest_cache/d/golang-schedules``,
or ``.golang-schedules`` without the cache) and the report gives the command
that replays it: ``pytest --golang-replay=FILE test_id``; the run's
goroutine timeline (golang.schedule.timeline) is written beside it, as
FILE with ``.html``, and the report names it.

Fixtures work as usual; the fixture values are set up once per test and are
shared by all the seeds of that test. Tests that are not marked are left
alone (an unmarked ``async def`` test is not run by this plugin).

The plugin is registered as the ``pytest11`` entry point ``golang``; a
project can also load it with ``pytest_plugins = ["golang.pytest_plugin"]``
in its top-level conftest.py (not both: pytest refuses to register one module
under two names).
"""

import functools
import inspect
import os
import shlex

import pytest

MARKER = 'golang_seeds'
SEED_ENV = 'GOLANG_SEED'
REPLAY_ENV = 'GOLANG_REPLAY'
DEFAULT_NSEEDS = 10

_MAXSEED = 2**64 - 1

# (seed, index of the run, number of runs, the rerun hint) of a failed test
_failed_key = pytest.StashKey[tuple]()


def pytest_addoption(parser):
    group = parser.getgroup('golang', 'golang: deterministic async tests')
    group.addoption(
        '--golang-seed', dest='golang_seed', metavar='N', default=None,
        help="run every @pytest.mark.%s test with seed N only (default: $%s); "
             "use it to rerun the seed a failure reports" % (MARKER, SEED_ENV))
    group.addoption(
        '--golang-seeds', dest='golang_seeds', metavar='N', type=int, default=None,
        help="run @pytest.mark.%s tests over seeds 0..N-1 instead of the n of "
             "their marker" % MARKER)
    group.addoption(
        '--golang-explore', dest='golang_explore', metavar='SPEC', default=None,
        help="run @pytest.mark.%s tests under an exploration strategy: random:N, "
             "pct:N:D (PCT, depth D), pos:N (partial order sampling) or dfs:N "
             "(every schedule, depth first), N runs at most" % MARKER)
    group.addoption(
        '--golang-replay', dest='golang_replay', metavar='FILE', default=None,
        help="run @pytest.mark.%s tests once, replaying the schedule in FILE "
             "(default: $%s)" % (MARKER, REPLAY_ENV))


def pytest_configure(config):
    config.addinivalue_line(
        'markers',
        "%s(n=%d, clock='virtual'): run this async def test under golang.run "
        "once per seed 0..n-1 (or only the seed of --golang-seed / $%s); a "
        "failure names its seed" % (MARKER, DEFAULT_NSEEDS, SEED_ENV))
    opt = config.getoption('golang_seed', None)
    if opt is not None:
        _parse_seed(opt, '--golang-seed')   # a bad seed is a usage error, at once
    n = config.getoption('golang_seeds', None)
    if n is not None and n < 1:
        raise pytest.UsageError("--golang-seeds must be at least 1, not %d" % n)
    spec = config.getoption('golang_explore', None)
    if spec is not None:
        from golang.schedule import parse_explore
        try:
            parse_explore(spec)
        except ValueError as e:
            raise pytest.UsageError("--golang-explore: %s" % e)


def _parse_seed(text, what):
    try:
        seed = int(str(text).strip(), 0)
    except ValueError:
        seed = -1
    if not 0 <= seed <= _MAXSEED:
        raise pytest.UsageError(
            "%s must be a seed: an integer in [0, 2**64), not %r" % (what, text))
    return seed


def _fixed_seed(config):
    """the seed to run every marked test with, and where it comes from; or
    (None, None) to run each over its seeds."""
    opt = config.getoption('golang_seed', None)
    if opt is not None:
        return _parse_seed(opt, '--golang-seed'), '--golang-seed'
    env = os.environ.get(SEED_ENV, '').strip()
    if env:
        return _parse_seed(env, SEED_ENV), SEED_ENV
    return None, None


def _replay_file(config):
    """the schedule file to replay in every marked test, and where it
    comes from; or (None, None)."""
    opt = config.getoption('golang_replay', None)
    if opt:
        return opt, '--golang-replay'
    env = os.environ.get(REPLAY_ENV, '').strip()
    if env:
        return env, REPLAY_ENV
    return None, None


def pytest_report_header(config):
    path, src = _replay_file(config)
    if path is not None:
        return "golang: %s tests replay %s (from %s)" % (MARKER, path, src)
    spec = config.getoption('golang_explore', None)
    if spec is not None:
        return "golang: %s tests explored with %s" % (MARKER, spec)
    try:
        seed, src = _fixed_seed(config)
    except pytest.UsageError as e:
        return "golang: %s" % e
    if seed is not None:
        return "golang: %s tests run with seed %d only (from %s)" % (MARKER, seed, src)
    n = config.getoption('golang_seeds', None)
    if n is not None:
        return "golang: %s tests run over seeds 0..%d" % (MARKER, n - 1)
    return None


def _marker_args(n=DEFAULT_NSEEDS, clock='virtual'):
    return n, clock


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    marker = pyfuncitem.get_closest_marker(MARKER)
    if marker is None:
        return None
    import golang
    __tracebackhide__ = True

    item = pyfuncitem
    f = item.obj
    from golang import _syncrun
    if not inspect.iscoroutinefunction(f) and not _syncrun.available():
        pytest.fail("@pytest.mark.%s on a plain def test needs the greenlet package "
                    "(pip install greenlet); %s is not async def" % (MARKER, item.name),
                    pytrace=False)
    try:
        n, clock = _marker_args(*marker.args, **marker.kwargs)
    except TypeError as e:
        pytest.fail("@pytest.mark.%s: bad arguments: %s" % (MARKER, e), pytrace=False)
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        pytest.fail("@pytest.mark.%s(n): n must be an int >= 1, not %r" % (MARKER, n),
                    pytrace=False)

    config = item.config
    from golang import schedule
    strategy = None
    replay, _ = _replay_file(config)
    spec = config.getoption('golang_explore', None)
    if replay is not None:
        seeds = [None]
    elif spec is not None:
        strategy, nruns = schedule.parse_explore(spec)
        seeds = range(nruns)
    else:
        try:
            seed, _ = _fixed_seed(config)
        except pytest.UsageError as e:
            # (a bad $GOLANG_SEED fails the marked tests only)
            pytest.fail(str(e), pytrace=False)
        if seed is not None:
            seeds = [seed]
        else:
            seeds = range(config.getoption('golang_seeds', None) or n)

    funcargs = item.funcargs
    kw = {arg: funcargs[arg] for arg in item._fixtureinfo.argnames}
    body = functools.wraps(f)(functools.partial(f, **kw)) if kw else f
    explorer = schedule._Explorer(strategy, 0) if strategy is not None else None
    for i, s in enumerate(seeds):
        if explorer is not None and explorer.done:
            break           # (dfs: every schedule ran)
        if replay is not None:
            how = dict(replay=replay)
        elif explorer is not None:
            how = dict(strategy=explorer.strategy_of(i))
        else:
            how = dict(seed=s)
        try:
            # (every run records, so that a failure's schedule is saved as it
            # happened: the body is not run again)
            schedule.run(body, clock=clock, _record_text=True, **how)
            if explorer is not None:
                explorer.learn()
        except (KeyboardInterrupt, SystemExit, pytest.skip.Exception,
                pytest.xfail.Exception):
            raise
        except BaseException as e:
            path = _save_schedule(item, s, how.get('strategy'), replay, schedule.last_schedule())
            hint = _hint(item, s, strategy, replay, path)
            label = ('replay of %s' % replay) if replay is not None else (
                'seed %d' % s if strategy is None else
                'strategy %s' % explorer.strategy_of(i))
            item.stash[_failed_key] = (label, i, len(seeds), hint)
            if hasattr(e, 'add_note'):
                e.add_note("golang %s failed (run %d of %d); %s"
                           % (label, i + 1, len(seeds), hint))
            raise
    return True


def _schedule_dir(config):
    cache = getattr(config, 'cache', None)
    if cache is not None:
        return str(cache.mkdir('golang-schedules'))
    return os.path.join(str(config.rootpath), '.golang-schedules')


def _save_schedule(item, seed, strategy, replay, text):
    """writes the failing run's schedule; its path, or None."""
    from golang import schedule
    if text is None:
        return None
    import re
    what = 'replay' if replay is not None else (
        (strategy or 'random:%d' % seed).replace(':', '-'))
    name = re.sub(r'[^A-Za-z0-9_.-]+', '_', item.nodeid) + '-' + what + '.schedule'
    path = os.path.join(_schedule_dir(item.config), name)
    try:
        schedule._write(path, text)
    except OSError:
        return None
    rel = os.path.relpath(path)
    return path if rel.startswith('..') else rel


def _hint(item, seed, strategy, replay, path):
    node = shlex.quote(item.nodeid)
    if path is not None:
        h = "replay it with: pytest --golang-replay=%s %s  (or %s=%s)" % (
            shlex.quote(path), node, REPLAY_ENV, shlex.quote(path))
        from golang import schedule
        page = schedule._timeline_beside(path)
        if page is not None:
            h += "\nthe run's goroutine timeline: %s" % page
    else:
        h = ""
    if replay is None and strategy is None:
        seed_hint = "rerun only this seed with: pytest --golang-seed=%d %s  (or %s=%d)" % (
            seed, node, SEED_ENV, seed)
        h = seed_hint + ("; " + h if h else "")
    return h


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when != 'call':
        return
    failed = item.stash.get(_failed_key, None)
    if failed is None:
        return
    rep = outcome.get_result()
    if not rep.failed:
        return
    label, i, nrun, hint = failed
    rep.sections.append(('golang seed', "failed with %s (run %d of %d)\n%s"
                         % (label, i + 1, nrun, hint)))
    crash = getattr(rep.longrepr, 'reprcrash', None)
    if crash is not None and isinstance(getattr(crash, 'message', None), str):
        try:
            crash.message = "[golang %s] %s" % (label, crash.message)
        except (AttributeError, TypeError):
            pass
