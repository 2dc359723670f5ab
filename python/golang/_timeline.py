# SPDX-License-Identifier: MIT OR Apache-2.0
"""The picture of a run: a recorded schedule drawn as a goroutine timeline
in one self-contained HTML page (inline CSS and SVG; no script, no
network).

The schedule file holds, after its decisions, the run's event trace as
``#>`` lines (sched/src/trace.rs: who ran at each step and at what virtual
time, what it then waited on, whom it started or woke). From them:

- one lane per goroutine, named as the run names it (``main`` for g1);
- per step (the x axis: one column per scheduling step) the goroutine
  that ran; a goroutine waiting is drawn as a hatched span labelled with
  what it waits on ("chan receive", "select", "sleep", ...), a runnable one
  not running as a thin line;
- hand-offs as arrows: from the goroutine whose step woke another (a send
  completing a blocked receive, an unlock, a close) to the woken lane;
  ``go`` as a dashed arrow to the new lane; a timer's wake as an arrow from
  the time axis;
- virtual time above the axis where it changes (steps in between take no
  time).

The output depends on the schedule text alone (no wall-clock time in it):
the same run gives the same page.
"""

import html

__all__ = ['parse', 'render', 'page']


class Goroutine(object):
    __slots__ = ('goid', 'name', 'spans', 'end')

    def __init__(self, goid, name):
        self.goid, self.name = goid, name
        self.spans = []     # (x0, x1, state, reason, where): state 'run' | 'wait' | 'ready'
        self.end = None     # 'exit' | 'fail' | None (still alive when the trace ends)


class Run(object):
    """A parsed trace: goroutines by id, steps, hand-offs."""

    def __init__(self):
        self.strategy = None
        self.comments = []      # the header's comments (counts, divergence)
        self.goroutines = {}
        self.steps = []         # (goid, time_ns) per step
        self.arrows = []        # (kind 'wake'|'go'|'timer', from goid or None, to goid, x, label)
        self.failed = None      # goid that failed the run
        self.lines = []         # the trace lines, for the text view
        self.columns = 0        # the x axis: one column per step, one for the end
        self.choices = []       # (step, among how many, the goroutine preempted or None)


def _goid(tok):
    if not tok.startswith('g'):
        raise ValueError(tok)
    return int(tok[1:])


def parse(text):
    """The Run of a schedule text with a trace; ValueError when it has none."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith('golang-schedule '):
        raise ValueError("not a schedule file (its first line is not 'golang-schedule N')")
    r = Run()
    state = {}          # goid -> [state, since column, reason, where] of its open span
    pending = {}        # goid -> reason it waited on (for the wake's label)
    where = {}          # goid -> file:line noted in its step (for its next wait)
    x = 0               # the column of the step read last
    traced = False

    def g(goid):
        gr = r.goroutines.get(goid)
        if gr is None:
            gr = r.goroutines[goid] = Goroutine(goid, 'main' if goid == 1 else 'goroutine %d' % goid)
        return gr

    def close(goid, at):
        st = state.pop(goid, None)
        if st is not None and at > st[1]:
            g(goid).spans.append((st[1], at, st[0], st[2], st[3]))

    for n, line in enumerate(lines[1:], 2):
        line = line.rstrip()
        if line.startswith('strategy '):
            r.strategy = line.split(None, 1)[1]
            continue
        if not line.startswith('#> '):
            if line.startswith('# ') and not line.startswith('# g'):
                r.comments.append(line[2:])
            continue
        traced = True
        body = line[3:]
        r.lines.append(body)
        t = body.split(' ')
        try:
            kind = t[0]
            if kind == 'run':
                # run gN at T [of K] [preempting gP]
                goid, time_ns = _goid(t[1]), int(t[3])
                among = int(t[t.index('of') + 1]) if 'of' in t else 1
                preempted = _goid(t[t.index('preempting') + 1]) if 'preempting' in t else None
                x = len(r.steps)
                r.steps.append((goid, time_ns))
                if among > 1:
                    r.choices.append((x, among, preempted))
                close(goid, x)
                state[goid] = ['run', x, None, None]
            elif kind in ('park', 'exit', 'fail'):
                goid = _goid(t[1])
                close(goid, x + 1)
                if kind == 'park':
                    reason = ' '.join(t[2:])
                    state[goid] = ['wait', x + 1, reason, where.pop(goid, None)]
                    pending[goid] = reason
                else:
                    g(goid).end = kind
                    if kind == 'fail':
                        r.failed = goid
            elif kind in ('go', 'wake'):
                goid, by = _goid(t[1]), t[3]
                if by.startswith('g'):
                    # (during the step in column x: effective when it ends)
                    src, akind, at, rest = _goid(by), kind, x + 1, t[4:]
                else:
                    # (between steps: effective at the next step's column)
                    src, at = None, len(r.steps)
                    akind, rest = ('timer', t[6:]) if by == 'timer' else ('outside', t[4:])
                if kind == 'go':
                    g(goid).name = ' '.join(rest) or g(goid).name
                    label = 'go'
                else:
                    label = pending.pop(goid, '')
                close(goid, at)
                state[goid] = ['ready', at, None, None]
                if src == goid:
                    continue        # (a goroutine that yields wakes itself: no hand-off)
                if src is not None or kind == 'wake':
                    r.arrows.append((akind, src, goid, at, label))
            elif kind == 'where':
                where[_goid(t[1])] = ' '.join(t[2:])
            else:
                raise ValueError(kind)
        except (ValueError, IndexError):
            raise ValueError("schedule line %d: not a trace event: %r" % (n, line)) from None
    if not traced:
        raise ValueError("the schedule has no event trace (#> lines): record the run with "
                         "golang.run(..., record=FILE) of pygolang-rs with timelines")
    # (one more column: what each goroutine still alive is doing at the end)
    r.columns = len(r.steps) + 1
    for goid in list(state):
        close(goid, r.columns)
    return r


# Geometry (px).
_LABEL_W = 190
_LANE_H = 30
_TOP = 46


def _fmt_ns(ns):
    if ns == 0:
        return '0'
    for unit, div in (('s', 10**9), ('ms', 10**6), ('\u00b5s', 10**3)):
        if ns >= div:
            v = ns / div
            return ('%.3f' % v).rstrip('0').rstrip('.') + unit
    return '%dns' % ns


def _color(goid):
    return 'hsl(%d,62%%,48%%)' % ((goid * 137) % 360)


def render(r, title, uid=0):
    """The SVG (and its caption) of a parsed run, as an HTML fragment
    (`uid` tells apart the ids of the SVGs of one page)."""
    n = max(r.columns, 1)
    col = 26 if n <= 400 else max(3, 10400 // n)
    lanes = sorted(r.goroutines)
    lane_y = {goid: _TOP + i * _LANE_H for i, goid in enumerate(lanes)}
    width = _LABEL_W + n * col + 40
    height = _TOP + len(lanes) * _LANE_H + 16
    e = html.escape
    out = []
    a = out.append
    a('<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" class="tl">' % (width, height))
    a('<defs><pattern id="hatch%d" width="6" height="6" patternUnits="userSpaceOnUse" '
      'patternTransform="rotate(45)"><rect width="6" height="6" fill="#eceff3"/>'
      '<line x1="0" y1="0" x2="0" y2="6" stroke="#c5ccd6" stroke-width="2"/></pattern>'
      '<marker id="ah%d" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
      'orient="auto-start-reverse"><path d="M0,0 L8,4 L0,8 z" fill="context-stroke"/></marker></defs>'
      % (uid, uid))

    def X(step):
        return _LABEL_W + step * col

    # The axis: steps, and virtual time where it changes.
    a('<text x="4" y="14" class="ax">virtual time</text><text x="4" y="32" class="ax">step</text>')
    last_t = None
    last_label_x = -1e9
    every = max(1, int(40 // col) + 1)
    for i, (goid, t) in enumerate(r.steps):
        if t != last_t:
            a('<line x1="%d" y1="18" x2="%d" y2="%d" class="tick"/>' % (X(i), X(i), height - 8))
            if X(i) - last_label_x >= 48:
                a('<text x="%d" y="14" class="ax">%s</text>' % (X(i) + 2, e(_fmt_ns(t - r.steps[0][1]))))
                last_label_x = X(i)
            last_t = t
        if i % every == 0:
            a('<text x="%d" y="32" class="ax">%d</text>' % (X(i) + 2, i))
    # The steps that were decisions (a choice among runnable goroutines):
    # a mark under the step number; a preemption also on the lane of the
    # goroutine that could have gone on.
    for x, among, preempted in r.choices:
        a('<circle cx="%d" cy="38" r="2.5" class="%s"><title>step %d: g%d chosen among %d runnable%s'
          '</title></circle>' % (X(x) + col // 2, 'pre' if preempted else 'choice', x, r.steps[x][0], among,
                                 ' (preempting g%d)' % preempted if preempted else ''))
    # Lanes.
    for goid in lanes:
        gr = r.goroutines[goid]
        y = lane_y[goid]
        a('<g class="lane"><title>g%d %s</title>' % (goid, e(gr.name)))
        a('<rect x="0" y="%d" width="%d" height="%d" class="bg%d"/>' % (y, width, _LANE_H, lanes.index(goid) % 2))
        a('<text x="4" y="%d" class="name">g%d %s</text></g>' % (y + 19, goid, e(gr.name[:26])))
        for x0, x1, st, reason, at in gr.spans:
            at = (' at ' + at) if at else ''
            w = (x1 - x0) * col
            if st == 'run':
                a('<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="%s"><title>g%d %s runs '
                  '(step %d, t=%s)</title></rect>'
                  % (X(x0) + 1, y + 5, max(w - 2, 1), _LANE_H - 10, _color(goid), goid, e(gr.name), x0,
                     e(_fmt_ns(r.steps[x0][1] - r.steps[0][1]))))
            elif st == 'wait':
                steps = ('steps %d-%d' % (x0, x1 - 1)) if x1 <= len(r.steps) else (
                    'from step %d to the end' % x0)
                a('<rect x="%d" y="%d" width="%d" height="%d" fill="url(#hatch%d)" class="wait">'
                  '<title>g%d %s waits on %s%s (%s)</title></rect>'
                  % (X(x0), y + 8, w, _LANE_H - 16, uid, goid, e(gr.name), e(reason or '?'), e(at), steps))
                if w >= 7 * len(reason or '') + 6:
                    a('<text x="%d" y="%d" class="why">%s</text>' % (X(x0) + 3, y + 19, e(reason)))
            else:
                a('<line x1="%d" y1="%d" x2="%d" y2="%d" class="ready"><title>g%d %s runnable</title></line>'
                  % (X(x0), y + _LANE_H // 2, X(x1), y + _LANE_H // 2, goid, e(gr.name)))
        for x, among, preempted in r.choices:
            if preempted == goid:
                a('<path d="M%d,%d l5,-7 l-10,0 z" class="pre"><title>g%d could go on but was preempted: '
                  'g%d chosen among %d (step %d)</title></path>'
                  % (X(x) + col // 2, y + 10, goid, r.steps[x][0], among, x))
        if gr.end is not None:
            last = gr.spans[-1][1] if gr.spans else 0
            a('<text x="%d" y="%d" class="%s">%s</text>'
              % (X(last) + 3, y + 19, gr.end, 'exit' if gr.end == 'exit' else 'FAILED'))
    # Hand-offs.
    for kind, src, dst, at, label in r.arrows:
        y1 = lane_y[dst] + _LANE_H // 2
        x = X(at)
        if src is not None and src in lane_y:
            y0 = lane_y[src] + _LANE_H // 2
            x0 = x - col // 2
            a('<path d="M%d,%d C%d,%d %d,%d %d,%d" class="%s" marker-end="url(#ah%d)"><title>g%d %s g%d%s'
              '</title></path>'
              % (x0, y0, x0 + col, y0, x - col, y1, x, y1, 'go' if kind == 'go' else 'wake', uid, src,
                 'starts' if kind == 'go' else 'wakes', dst, (' (' + e(label) + ')') if label and kind != 'go' else ''))
        else:
            a('<path d="M%d,%d L%d,%d" class="%s" marker-end="url(#ah%d)"><title>%s wakes g%d%s</title></path>'
              % (x, 20, x, y1 - 6, 'timer', uid, 'a timer' if kind == 'timer' else 'outside code', dst,
                 (' (' + e(label) + ')') if label else ''))
    a('</svg>')
    svg = ''.join(out)

    cap = ['<h2>%s</h2><p class="meta">' % e(title)]
    if r.strategy:
        cap.append('strategy %s; ' % e(r.strategy))
    cap.append('%d steps drawn (every poll of a goroutine; %d of them chosen among several, %d '
               'preempting), %d goroutines, virtual time %s' % (
                   len(r.steps), len(r.choices), sum(1 for c in r.choices if c[2] is not None),
                   len(lanes), e(_fmt_ns(r.steps[-1][1] - r.steps[0][1]) if r.steps else '0')))
    for c in r.comments:
        cap.append('<br>%s' % e(c))
    if r.failed is not None:
        cap.append('<br><b class="fail">g%d %s failed the run</b>'
                   % (r.failed, e(r.goroutines[r.failed].name)))
    else:
        waiting = [gr for gr in r.goroutines.values() if gr.end is None and gr.spans
                   and gr.spans[-1][2] == 'wait']
        main = r.goroutines.get(1)
        if main is not None and main.end is None and waiting and len(waiting) == len(
                [gr for gr in r.goroutines.values() if gr.end is None]):
            cap.append('<br><b class="fail">every goroutine waits at the end (a deadlock)</b>')
    cap.append('</p>')
    text = '<details><summary>the trace as text</summary><pre>%s</pre></details>' % e('\n'.join(r.lines))
    return ''.join(cap) + '<div class="scroll">' + svg + '</div>' + text


_CSS = """
body{font:13px/1.4 system-ui,sans-serif;margin:12px;color:#1d2430}
h1{font-size:17px;margin:0 0 6px}h2{font-size:15px;margin:10px 0 2px}
.meta{margin:0 0 6px;color:#4a5565}.fail{color:#b3261e}
.cols{display:flex;gap:14px;align-items:flex-start}.cols>div{flex:1;min-width:0}
.scroll{overflow-x:auto;border:1px solid #d5dae1;background:#fff}
.legend span{margin-right:14px}
svg.tl text{font:11px system-ui,sans-serif}
svg.tl .name{font-weight:600;fill:#1d2430}
svg.tl .ax{fill:#5b6675}
svg.tl .why{fill:#3a4350;font-size:10px}
svg.tl .exit{fill:#5b6675;font-size:10px}
svg.tl .fail{fill:#b3261e;font-weight:700;font-size:10px}
svg.tl .bg0{fill:#fafbfc}svg.tl .bg1{fill:#f2f4f7}
svg.tl .tick{stroke:#9aa5b4;stroke-dasharray:2 3}
svg.tl .wait{stroke:#aab3bf;stroke-width:.5}
svg.tl .ready{stroke:#8c96a3;stroke-width:1.5;stroke-dasharray:3 2}
svg.tl .wake{fill:none;stroke:#1f5fbf;stroke-width:1.4}
svg.tl .go{fill:none;stroke:#2e8b57;stroke-width:1.2;stroke-dasharray:4 2}
svg.tl .choice{fill:#5b6675}svg.tl .pre{fill:#b3261e}
svg.tl .timer{fill:none;stroke:#d07a00;stroke-width:1.2;stroke-dasharray:1 2}
pre{font-size:11px;max-height:24em;overflow:auto;background:#f6f8fa;padding:6px}
"""

_LEGEND = ('<p class="legend"><span>&#9646; running (one column per scheduling step)</span>'
           '<span>&#9617; waiting, on what is written in it</span><span>- - runnable</span>'
           '<span style="color:#1f5fbf">&#8594; woke (a hand-off)</span>'
           '<span style="color:#2e8b57">&#8674; go</span>'
           '<span style="color:#d07a00">&#8595; a timer fired</span>'
           '<span>dashed vertical line: virtual time advanced</span>'
           '<span>&#8226; a step chosen among several runnable goroutines</span>'
           '<span style="color:#b3261e">&#9660; preempted there (could have gone on)</span></p>')


def page(panels, title):
    """The HTML page of [(schedule text, its title)]: one panel, or two
    side by side."""
    e = html.escape
    body = [render(parse(text), t, i) for i, (text, t) in enumerate(panels)]
    if len(body) > 1:
        inner = '<div class="cols">' + ''.join('<div>%s</div>' % b for b in body) + '</div>'
    else:
        inner = body[0]
    return ('<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>%s</title><style>%s</style>'
            '</head><body><h1>%s</h1>%s%s</body></html>\n' % (e(title), _CSS, e(title), _LEGEND, inner))
