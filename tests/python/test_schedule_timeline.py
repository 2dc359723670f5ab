# SPDX-License-Identifier: MIT OR Apache-2.0
"""The picture of a run (golang/_timeline.py, golang.schedule.timeline,
sched/src/trace.rs): a recorded schedule's event trace drawn as a goroutine
timeline in one self-contained HTML page."""

import os
import re
import subprocess
import sys
import warnings

import pytest

import golang
from golang import chan, go, schedule, time

pytestmark = pytest.mark.skipif(sys.platform == 'emscripten' or not golang._syncrun.available(),
                                reason="schedules need the native core (and greenlet for plain def)")

pytest_plugins = ["pytester"]


def pingpong():
    """A plain-def program: main and `ponger` hand a ball over an
    unbuffered channel 3 times; then main sleeps (virtual) once."""
    ping, pong = chan(), chan()

    def ponger():
        for _ in range(3):
            v = ping.recv()
            pong.send(v + 1)
    go(ponger)
    v = 0
    for _ in range(3):
        ping.send(v)
        v = pong.recv()
    time.sleep(0.5)
    return v


async def apingpong():
    """The same program with async goroutines."""
    ping, pong = chan(), chan()

    async def ponger():
        for _ in range(3):
            v = await ping.arecv()
            await pong.asend(v + 1)
    go(ponger)
    v = 0
    for _ in range(3):
        await ping.asend(v)
        v = await pong.arecv()
    await time.asleep(0.5)
    return v


def _entry_point_installed():
    # (pytest refuses a plugin loaded twice: by its entry point and by -p)
    from importlib.metadata import entry_points
    try:
        eps = entry_points(group='pytest11')
    except TypeError:       # python < 3.10
        eps = entry_points().get('pytest11', [])
    return any(ep.value.strip() == 'golang.pytest_plugin' for ep in eps)


def _page(prog, d, seed=3, name='run'):
    d.mkdir(exist_ok=True)
    sched = d / (name + '.schedule')
    assert golang.run(prog, seed=seed, record=sched) == 3
    out = d / (name + '.html')
    assert schedule.timeline(sched, out) == out
    return sched, out.read_text()


def _lanes(page):
    """The lanes' labels of a page (`gN name`)."""
    return re.findall(r'<text x="4" y="\d+" class="name">(g\d+ [^<]*)</text>', page)


@pytest.mark.parametrize('prog', [pingpong, apingpong])
def test_the_page_has_one_lane_per_goroutine_named_as_the_run_names_them(prog, tmp_path):
    _, page = _page(prog, tmp_path)
    lanes = _lanes(page)
    assert len(lanes) == 2, lanes
    assert lanes[0] == 'g1 main'
    assert lanes[1].startswith('g2 ') and 'ponger' in lanes[1], lanes


@pytest.mark.parametrize('prog', [pingpong, apingpong])
def test_the_page_shows_the_waits_and_the_hand_offs_of_a_ping_pong(prog, tmp_path):
    _, page = _page(prog, tmp_path)
    # main's first send waits for the ponger (which then finds each value
    # waiting, and waits in its own send of the answer)
    assert 'g1 main waits on chan send' in page
    assert re.search(r'g2 \S*ponger waits on chan send', page), page
    # the sleep: waited on, then woken by a timer, with virtual time advanced
    assert 'waits on sleep' in page
    assert 'a timer wakes g1 (sleep)' in page
    assert '>500ms<' in page
    # hand-offs both ways: main's send wakes the ponger's receive and back
    assert re.search(r'g1 wakes g2 \(chan (receive|send)\)', page), page
    assert re.search(r'g2 wakes g1 \(chan (receive|send)\)', page), page
    assert 'g1 starts g2' in page
    if prog is pingpong:
        # a synchronous goroutine's wait says where in the source it waits
        line = [i for i, l in enumerate(open(__file__).read().split('\n'), 1)
                if 'pong.send(v + 1)' in l][0]
        assert re.search(r'g2 \S*ponger waits on chan send at \S*test_schedule_timeline\.py:%d ' % line,
                         page), page


@pytest.mark.parametrize('prog', [pingpong, apingpong])
def test_the_page_is_self_contained(prog, tmp_path):
    _, page = _page(prog, tmp_path)
    assert page.startswith('<!DOCTYPE html>')
    assert '<svg' in page and '</html>' in page
    # no network: no http(s) reference but the SVG namespace, no script or link
    refs = re.findall(r'https?://[^\s"\'<>]*', page)
    assert set(refs) <= {'http://www.w3.org/2000/svg'}, refs
    assert '<script' not in page and '<link' not in page and 'src=' not in page


@pytest.mark.parametrize('prog', [pingpong, apingpong])
def test_the_same_seed_gives_the_same_page(prog, tmp_path):
    # (the same file name in two directories: the page's title is the name)
    _, a = _page(prog, tmp_path / 'a', seed=7)
    _, b = _page(prog, tmp_path / 'b', seed=7)
    assert a == b


def test_the_trace_is_in_comment_lines_that_replay_skips(tmp_path):
    sched, _ = _page(pingpong, tmp_path)
    text = sched.read_text()
    assert text.startswith('golang-schedule 1\n')
    assert '#> run g1 at ' in text and '#> park g2 chan send' in text
    with warnings.catch_warnings():
        warnings.simplefilter('error')     # (no ReplayDivergedWarning)
        assert golang.run(pingpong, replay=sched) == 3
    # and the replay records the same trace again
    again = tmp_path / 'again.schedule'
    golang.run(pingpong, replay=sched, record=again)
    assert again.read_text() == text


def test_a_deadlock_shows_every_goroutine_waiting(tmp_path):
    def stuck():
        ch = chan()

        def sender():
            ch.send(1)
            ch.send(2)
        go(sender)
        ch.recv()
        ch.recv()
        ch.recv()
    sched = tmp_path / 'd.schedule'
    with pytest.raises(golang.DeadlockError):
        golang.run(stuck, seed=1, record=sched)
    page = schedule.timeline(sched, tmp_path / 'd.html').read_text()
    assert 'a deadlock' in page
    assert 'g1 main waits on chan receive' in page


def test_a_failing_run_and_its_shrunk_schedule_side_by_side(tmp_path):
    def lost_update():
        n = [0]
        done = chan()

        def inc():
            v = n[0]
            time.sleep(0)
            n[0] = v + 1
            done.send(1)
        for _ in range(2):
            go(inc)
        done.recv()
        done.recv()
        assert n[0] == 2, "lost update"
    save = tmp_path / 'bug.schedule'
    with pytest.raises(AssertionError, match="lost update") as e:
        schedule.explore(lost_update, strategy='random', runs=200, save=save)
    # explore writes the failing run's page beside its schedule
    assert (tmp_path / 'bug.html').exists()
    assert 'bug.html' in '\n'.join(getattr(e.value, '__notes__', []))
    shrunk, _, _, _ = schedule.shrink(lost_update, save, quiet=True)
    assert '#> run ' in open(shrunk).read()       # the shrunk file is traced too
    out = tmp_path / 'cmp.html'
    r = subprocess.run([sys.executable, '-m', 'golang.schedule', 'timeline', str(save), str(shrunk),
                        '-o', str(out)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    assert r.stderr == ''       # (no warning from runpy either)
    page = out.read_text()
    assert page.count('<svg') == 2 and 'class="cols"' in page
    assert 'bug.schedule' in page and os.path.basename(shrunk) in page
    assert page.count('FAILED') == 2
    # each preemption of the schedule is marked on the preempted lane,
    for f in (save, shrunk):
        text = open(f).read()
        m = re.search(r'^# \d+ decisions, (\d+) steps, (\d+) preemptions$', text, re.M)
        steps, n = int(m.group(1)), int(m.group(2))
        # (the traced steps chosen among several are the schedule's run decisions)
        assert len(re.findall(r'^#> run g\d+ at \d+ of \d+', text, re.M)) == steps, text
        one = schedule.timeline(f, tmp_path / 'one.html').read_text()
        assert one.count('could go on but was preempted') == n, (n, text)
    # time.sleep(0) yields: a step that parks and wakes itself, drawn as
    # runnable (not as a wait, not as a hand-off)
    assert re.search(r'#> park g\d+ yield\n#> wake (g\d+) by \1\n', save.read_text())
    assert 'waits on yield' not in page and 'wakes g2 (yield)' not in page


def test_the_command_refuses_a_schedule_without_a_trace(tmp_path):
    old = tmp_path / 'old.schedule'
    old.write_text("golang-schedule 1\nstrategy random:1\nrun g2 #1 of g1 g2 after g1\n")
    r = subprocess.run([sys.executable, '-m', 'golang.schedule', 'timeline', str(old)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "no event trace" in r.stderr
    assert not (tmp_path / 'old.html').exists()


def test_a_failing_marked_test_writes_its_timeline_beside_its_schedule(pytester, monkeypatch):
    monkeypatch.delenv('GOLANG_SEED', raising=False)
    monkeypatch.delenv('GOLANG_REPLAY', raising=False)
    pytester.makepyfile(test_inner='''
import pytest
from golang import chan, go

@pytest.mark.golang_seeds(3)
def test_fails():
    ch = chan()
    go(lambda: ch.send(1))
    assert ch.recv() == 2
''')
    load = [] if _entry_point_installed() else ['-p', 'golang.pytest_plugin']
    r = pytester.runpytest_subprocess(*load, '-p', 'no:cacheprovider', timeout=120)
    r.assert_outcomes(failed=1)
    m = re.search(r"the run's goroutine timeline: (\S+\.html)", r.stdout.str())
    assert m, r.stdout.str()
    page = (pytester.path / m.group(1)).read_text()
    assert 'g1 main' in page and 'waits on chan receive' in page


def test_the_demo_draws_its_own_run(tmp_path):
    demo = os.path.join(os.path.dirname(__file__), '..', '..', 'examples', 'timeline_demo.py')
    r = subprocess.run([sys.executable, demo, str(tmp_path)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "result: (3, [2, 1, 0], 3)" in r.stdout
    page = (tmp_path / 'timeline-demo.html').read_text()
    assert len(_lanes(page)) == 5
    assert 'waits on select' in page and 'waits on sleep' in page


def test_two_panels_of_one_page_have_distinct_svg_ids(tmp_path):
    a, _ = _page(pingpong, tmp_path / 'a')
    b, _ = _page(apingpong, tmp_path / 'b')
    page = schedule.timeline(a, tmp_path / 'ab.html', compare=b).read_text()
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == 4 and len(set(ids)) == 4, ids
    for i in ids:
        assert 'url(#%s)' % i in page
