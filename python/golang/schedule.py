# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package golang.schedule: schedules of deterministic runs as files;
replay, exploration, a determinism self-check and a shrinker.

A deterministic run (``golang.run(main, seed=N)``) makes every decision
through the Rust executor's strategy (sched/src/strategy.rs): which runnable
goroutine runs next, and every random choice (the order in which ``select``
tries its ready cases). ``golang.run`` takes these options:

- ``strategy='random'`` (the default), ``'pct:D'`` (PCT with depth D: d-1
  priority change points) or ``'pos'`` (partial order sampling); the seed
  (``seed=``) seeds it. The full forms ``'random:SEED'``,
  ``'pct:SEED:D'``, ``'pos:SEED'`` carry their own seed.
- ``record=path`` writes the run's decisions to a schedule file, whether the
  run passes or fails (on failure the exception's notes name the file).
- ``replay=path`` replays a schedule file: the same decisions, so the same
  run. When the program changed and the schedule no longer fits (or runs
  out), the run goes on with the schedule's seed and a
  ``ReplayDivergedWarning`` says where it left the schedule (decision index,
  goroutine, kind).
- ``GOLANG_REPLAY=path`` in the environment replays that file in every
  ``golang.run`` that gives neither ``seed=``, ``strategy=`` nor ``replay=``.

The file format is text, one decision per line (see docs/ARCHITECTURE.md)::

    golang-schedule 1
    strategy random:7
    # 2 decisions, 2 steps, 0 preemptions
    run g2 #1 of g1 g2 after g1
    rand 0 of 2 in g2
    #> go g1 by outside main
    #> run g1 at 0
    ...

Recording keeps every decision in memory until the run ends (for a ``run``
decision, the ids of the runnable goroutines): a long run with many
goroutines runnable at once takes memory in proportion.

After the decisions, a recorded file holds the run's event trace as ``#>``
lines (who ran at each step and when on the virtual clock, what it then
waited on, whom it started or woke; sched/src/trace.rs), which replays
skip. `timeline` draws it as a goroutine timeline in one self-contained
HTML page (golang/_timeline.py); two schedules (a failing run's and its
shrunk one's) side by side show the race::

    python -m golang.schedule timeline bug.schedule -o bug.html
    python -m golang.schedule timeline bug.schedule bug.shrunk.schedule -o race.html

The functions below build on it: `explore` (many runs under a strategy, the
first failure saved), `check_determinism` (run twice, compare the decision
logs), `shrink` (a smaller failing schedule). The pytest plugin
(golang.pytest_plugin) gives them as ``--golang-replay`` and
``--golang-explore``; a failing marked test's schedule and timeline page
are saved side by side.
"""

import os
import warnings

from golang import _golang

__all__ = ['run', 'explore', 'check_determinism', 'shrink', 'last_schedule', 'timeline',
           'ReplayDivergedWarning', 'NondeterminismError', 'REPLAY_ENV',
           'parse_explore']

REPLAY_ENV = 'GOLANG_REPLAY'


class ReplayDivergedWarning(UserWarning):
    """A replayed schedule no longer fit the program: the seed decided from
    the decision named in the message on."""


class NondeterminismError(AssertionError):
    """Two runs with the same seed made different decisions.

    Attributes: ``index`` (the first decision that differs), ``goroutine``
    (the goroutine that ran last before it, or that drew it), ``kind``
    ('run' or 'rand'), ``where`` (the Python file:line where that goroutine
    last waited in each run, when it is a synchronous goroutine; else None).
    """


def _runner():
    # golang.run of the plain/async dispatch (golang/_syncrun.py), else the core's.
    from golang import _syncrun
    return _syncrun.run if _syncrun.available() else _golang.run


def _strategy_text(strategy, seed):
    """The core's form (random:SEED, pct:SEED:D, pos:SEED) of `strategy`."""
    if strategy is None:
        return None
    s = str(strategy).strip()
    parts = s.split(':')
    if seed is None:
        seed = 0
    if parts[0] == 'random' and len(parts) == 1:
        return 'random:%d' % seed
    if parts[0] == 'pos' and len(parts) == 1:
        return 'pos:%d' % seed
    if parts[0] == 'dfs':
        return s        # (exhaustive search: no seed)
    if parts[0] == 'pct' and len(parts) == 2:
        return 'pct:%d:%s' % (seed, parts[1])
    return s        # full form, or an error the core reports


def _read(path):
    with open(os.fspath(path)) as f:
        return f.read()


def _write(path, text):
    path = os.fspath(path)
    d = os.path.dirname(path)
    if d:
        os.makedirs(d, exist_ok=True)
    with open(path, 'w') as f:
        f.write(text)


def _native():
    """Whether the core has strategies and schedules (not the WebAssembly
    core yet)."""
    return hasattr(_golang, '_last_schedule')


def _last():
    return _golang._last_schedule() if _native() else (None, None, 0)


# The schedule text the last run() recorded (None when it recorded none, or
# failed before its run started: a bad file, a bad strategy).
_last_text = None


def last_schedule():
    """The schedule text the last ``golang.run`` recorded (with
    ``record=``), or None."""
    return _last_text


def _note(e, msg):
    if hasattr(e, 'add_note'):
        e.add_note(msg)
    else:
        notes = getattr(e, '__notes__', None)
        if isinstance(notes, list):
            notes.append(msg)
        else:
            try:
                e.__notes__ = [msg]
            except (AttributeError, TypeError):
                pass


def run(main, *args, seed=None, clock='virtual', strategy=None, record=None,
        replay=None, _lenient=False, _record_text=False):
    """golang.run(main, *args, seed=None, clock='virtual', strategy=None,
    record=None, replay=None) runs main(*args) as goroutine 1 of a
    deterministic executor and returns its result.

    seed fixes every decision (default: $GOLANG_SEED, else random); clock
    'virtual' jumps time to the next timer when every goroutine waits.
    strategy: 'random' (default), 'pct:D' or 'pos', seeded by seed (or the
    full 'pct:SEED:D' form). record=path writes the run's schedule there;
    replay=path replays a schedule file (a ReplayDivergedWarning says where
    a changed program left it); with neither seed, strategy nor replay,
    $GOLANG_REPLAY names a file to replay. See golang.schedule's doc.
    """
    global _last_text
    _last_text = None
    kw = {}
    src = None
    if replay is None and seed is None and strategy is None:
        env = os.environ.get(REPLAY_ENV, '').strip()
        if env:
            replay, src = env, REPLAY_ENV
    if replay is not None:
        if isinstance(replay, str) and replay.startswith('golang-schedule '):
            kw['replay'] = replay            # (the text itself: the shrinker)
            src = src or 'the schedule'
        else:
            try:
                kw['replay'] = _read(replay)
            except OSError as e:
                raise ValueError("golang.run: replay: cannot read %s: %s" % (replay, e)) from None
            src = src and '%s=%s' % (src, replay) or str(os.fspath(replay))
        if _lenient:
            kw['lenient'] = True
    elif strategy is not None:
        kw['strategy'] = _strategy_text(strategy, seed)
    if record is not None or (_record_text and _native()):
        kw['record'] = True
    if kw and not _native():
        raise NotImplementedError("golang.run: strategy=, replay=, record= and %s need the "
                                  "native core (not in the WebAssembly one yet)" % REPLAY_ENV)
    runner = _runner()
    from golang import _syncrun
    trace_before = _syncrun._trace          # (a nested run is refused: restored below)
    _syncrun._trace = 'record' in kw        # (where synchronous goroutines wait, in the trace)
    try:
        out = runner(main, *args, seed=seed, clock=clock, **kw)
    except BaseException as e:
        text, div, _ = _last()
        _last_text = text
        if record is not None and text is not None:
            _write(record, text)
            _note(e, "golang: the failing run's schedule is in %s; replay it with "
                     "golang.run(..., replay=%r) or %s=%s"
                  % (os.fspath(record), os.fspath(record), REPLAY_ENV, os.fspath(record)))
        if div is not None:
            _note(e, "golang: the replay of %s %s; the seed decided from there" % (src, div))
        raise
    finally:
        _syncrun._trace = trace_before
    text, div, _ = _last()
    _last_text = text
    if record is not None and text is not None:
        _write(record, text)
    if div is not None:
        warnings.warn("golang.run: the replay of %s %s; the seed decided from there" % (src, div),
                      ReplayDivergedWarning, stacklevel=2)
    return out


def parse_explore(spec):
    """``random:N``, ``pct:N:D``, ``pos:N``, ``dfs:N`` -> (strategy without
    seed, N)."""
    parts = str(spec).strip().split(':')
    try:
        if parts[0] in ('random', 'pos', 'dfs') and len(parts) == 2:
            n = int(parts[1])
            strategy = parts[0]
        elif parts[0] == 'pct' and len(parts) == 3:
            n, d = int(parts[1]), int(parts[2])
            if not 1 <= d <= 1000:
                raise ValueError
            strategy = 'pct:%d' % d
        else:
            raise ValueError
    except ValueError:
        raise ValueError("bad exploration %r: want random:RUNS, pct:RUNS:DEPTH (depth 1..1000), "
                         "pos:RUNS or dfs:RUNS" % (spec,)) from None
    if n < 1:
        raise ValueError("bad exploration %r: at least one run" % (spec,))
    return strategy, n


class _Explorer(object):
    """The strategies of an exploration's runs: seeds seed, seed+1, ...;
    for PCT, the estimate of a run's steps (over which its change points
    are drawn) is the longest run seen so far; for 'dfs' (bounded
    exhaustive search) each run's choices follow from the one before
    (`done` when every schedule ran; the runs must record)."""

    def __init__(self, strategy, seed):
        self.strategy, self.seed, self.longest = strategy, seed, 0
        self.dfs = str(strategy).startswith('dfs')
        self.next = 'dfs'
        self.done = False

    def strategy_of(self, i):
        if self.dfs:
            return self.next
        s = _strategy_text(self.strategy, self.seed + i)
        if s.startswith('pct:') and s.count(':') == 2 and self.longest:
            s += ':%d' % self.longest
        return s

    def learn(self):
        """Takes in the run just made."""
        text, _, steps = _last()
        self.longest = max(self.longest, steps)
        if self.dfs:
            nxt = _golang._dfs_next(text) if text is not None else None
            if nxt is None:
                self.done = True
            else:
                self.next = nxt



def explore(main, *args, strategy='random', runs=100, seed=0, clock='virtual', save=None):
    """Runs ``main(*args)`` under `strategy` ('random', 'pct:D', 'pos') with
    seeds seed, seed+1, ... for `runs` runs, or ('dfs') under every
    schedule in depth-first order, at most `runs`. Returns the number of
    runs made when all pass. The first failure is re-raised with its schedule saved to
    `save` (default: .golang-schedules/<main>-<strategy>.schedule) and a
    note with the replay command; the exception gets ``golang_schedule``
    (the file) and ``golang_runs`` (runs made, the failing one included)."""
    name = getattr(main, '__qualname__', None) or getattr(main, '__name__', 'main')
    ex = _Explorer(strategy, seed)
    for i in range(runs):
        st = ex.strategy_of(i)
        try:
            # (every run records: the failing one's schedule is saved as it
            # happened, without running it again)
            run(main, *args, clock=clock, strategy=st, _record_text=True)
        except BaseException as e:
            if isinstance(e, (KeyboardInterrupt, SystemExit)):
                raise
            text = last_schedule()
            path = save or os.path.join('.golang-schedules', '%s-%s.schedule' % (
                name.replace('<', '').replace('>', ''), st.replace(':', '-')))
            if text is not None:
                _write(path, text)
                page = _timeline_beside(path)
                _note(e, "golang: %s failed with strategy %s (run %d of %d); its schedule is in %s%s; "
                         "replay it with golang.run(..., replay=%r) or %s=%s"
                      % (name, st, i + 1, runs, path,
                         ' (its timeline: %s)' % page if page else '', path, REPLAY_ENV, path))
                e.golang_schedule = path
            e.golang_runs = i + 1
            raise
        ex.learn()
        if ex.done:
            return i + 1
    return runs


def check_determinism(main, *args, seed=0, strategy=None, clock='virtual'):
    """Runs ``main(*args)`` twice with the same seed (and strategy),
    recording, and compares the decision logs. Raises NondeterminismError
    at the first decision where they differ: something outside the run's
    control decided (the OS clock, ``random``, iteration over a set of
    objects ordered by ``id()``, an OS thread). A failure of `main` itself
    does not count: both runs must fail the same way to agree."""
    from golang import _syncrun
    texts, wheres = [], []
    for _ in range(2):
        _syncrun._where_log = log = []
        try:
            try:
                run(main, *args, seed=seed, clock=clock, strategy=strategy, _record_text=True)
            except Exception:
                pass
        finally:
            _syncrun._where_log = None
        texts.append(last_schedule())
        wheres.append(log)
    d = _golang._first_difference(texts[0], texts[1])
    if d is None:
        return None
    index, goid, kind, msg = d
    where = tuple(_where_before(log, goid, index) for log in wheres)
    detail = ''
    if any(where):
        detail = '; goroutine %d last waited at %s in the first run, at %s in the second' % (
            goid, where[0] or '?', where[1] or '?')
    e = NondeterminismError("golang: two runs with seed %d differ: %s%s" % (seed, msg, detail))
    e.index, e.goroutine, e.kind, e.where = index, goid, kind, where
    raise e


def _where_before(log, goid, index):
    """Where goroutine goid last handed over to the run at or before
    decision `index` (from _syncrun's log of (goroutine, decisions made,
    file:line))."""
    best = None
    for g, n, where in log:
        if g == goid and n <= index:
            best = where
    return best


def shrink(main, path, *args, out=None, max_runs=500, clock='virtual', quiet=False):
    """Given the failing schedule in `path` of ``main(*args)``, finds a
    smaller schedule that still fails (fewer preemptions, then fewer
    non-default choices, then fewer decisions: sched/src/shrink.rs), writes
    it to `out` (default: `path` with ``.shrunk`` before the extension) and
    returns ``(out, (decisions, preemptions) before, after, runs)``; prints
    both lengths on stderr unless `quiet`. Raises ValueError if the
    schedule does not fail."""
    text = _read(path)

    def fails(candidate):
        try:
            run(main, *args, clock=clock, replay=candidate, _lenient=True, _record_text=True)
        except Exception:
            return last_schedule()
        return None

    r = _golang._shrink(text, fails, max_runs)
    if r is None:
        raise ValueError("golang.schedule.shrink: the schedule in %s does not fail" % (path,))
    stext, before, after, nruns = r
    # Once more, replayed exactly, for the shrunk run's event trace (its
    # timeline); kept only if that run made the same decisions.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', ReplayDivergedWarning)
        try:
            run(main, *args, clock=clock, replay=stext, _record_text=True)
        except Exception:
            pass
    traced = last_schedule()
    if traced is not None and _golang._first_difference(stext, traced) is None:
        stext = traced
    if out is None:
        root, ext = os.path.splitext(os.fspath(path))
        out = root + '.shrunk' + (ext or '.schedule')
    _write(out, stext)
    if not quiet:
        import sys
        sys.stderr.write("golang: shrunk %s (%d decisions, %d preemptions) to %s (%d decisions, "
                         "%d preemptions) in %d runs\n"
                         % (os.fspath(path), before[0], before[1], out, after[0], after[1], nruns))
    return out, before, after, nruns


def timeline(schedule_path, html_path, compare=None, title=None):
    """Draws the run recorded in `schedule_path` as a goroutine timeline in
    the self-contained HTML page `html_path` (golang/_timeline.py): one lane
    per goroutine, the steps where each runs, the spans where it waits and
    on what, the hand-offs (which goroutine woke which), virtual time on
    the axis. With `compare` (another schedule file: e.g. the shrunk
    schedule of the same failure) the two runs are side by side. The
    schedule must hold an event trace (files recorded with ``record=``,
    by `explore`, `shrink` or the pytest plugin do). Returns `html_path`."""
    from golang import _timeline
    paths = [schedule_path] + ([compare] if compare is not None else [])
    panels = [(_read(p), os.path.basename(os.fspath(p))) for p in paths]
    if title is None:
        title = 'goroutine timeline: ' + ' vs '.join(t for _, t in panels)
    try:
        text = _timeline.page(panels, title)
    except ValueError as e:
        raise ValueError("golang.schedule.timeline: %s" % e) from None
    _write(html_path, text)
    return html_path


def _timeline_beside(path):
    """Writes the timeline page of the schedule file `path` next to it
    (``x.schedule`` -> ``x.html``); its path, or None when it cannot."""
    root, ext = os.path.splitext(os.fspath(path))
    out = root + '.html'
    try:
        return timeline(path, out)
    except (ValueError, OSError):
        return None


def main(argv=None):
    """``python -m golang.schedule timeline FILE [FILE2] -o OUT.html``."""
    import argparse
    p = argparse.ArgumentParser(prog='python -m golang.schedule',
                                description="Tools for the schedule files of golang.run.")
    sub = p.add_subparsers(dest='cmd')
    t = sub.add_parser('timeline', help="draw a recorded run as a goroutine timeline (HTML)")
    t.add_argument('schedule', help="the schedule file (recorded with record=, explore, shrink, pytest)")
    t.add_argument('other', nargs='?', default=None,
                   help="a second schedule to show beside it (e.g. the shrunk one)")
    t.add_argument('--compare', dest='compare', default=None, metavar='FILE2',
                   help="the same as giving FILE2 as the second argument")
    t.add_argument('-o', '--output', default=None,
                   help="the HTML file to write (default: the schedule's name with .html)")
    a = p.parse_args(argv)
    if a.cmd != 'timeline':
        p.print_help()
        return 2
    other = a.other if a.other is not None else a.compare
    out = a.output or os.path.splitext(a.schedule)[0] + '.html'
    try:
        timeline(a.schedule, out, compare=other)
    except (ValueError, OSError) as e:
        import sys
        sys.stderr.write("%s\n" % e)
        return 1
    print(out)
    return 0


if __name__ == '__main__':
    import sys
    sys.exit(main())
