# SPDX-License-Identifier: MIT OR Apache-2.0
"""A sequential model of Go's channel rules, for the model-checked fuzz
suite (test_fuzz_model.py); the same model as the Rust suite's
tests/fuzz/model.rs, written again in Python, and the text form of programs
of the shared golden file tests/fuzz/golden.txt.

A program: `caps` (capacities of data channels c0, c1, ...), `timers`
(`(stoppable, us)`: `time.Timer` or `time.after`, channels t0, t1, ...,
created by main first), `gors` (goroutine 0 is main; it spawns the others in
order before its first operation), each a list of operations:

    ('send', ch, v)  ('recv', ch)  ('recvok', ch)  ('close', ch)
    ('select', ((('recv', ch) | ('send', ch, v)), ...), has_default)
    ('sleep', us)  ('stop', timer_index)  ('drop', op)
    ('trysend', ch, v)  ('tryrecv', ch)  ('len', ch)

with `ch` one of 'c<i>', 't<i>' (received from only) or 'nil'; sent values
are unique. A drop-op polls a blocking operation once, yields, and drops it
if it did not complete.

The model is Go's runtime written plainly: per channel a FIFO buffer, a
closed flag and FIFO queues of blocked receivers and senders (a blocked
select has one entry per non-nil case, in case order). A goroutine's current
operation is begun (not tried yet), blocked (queued), done (completed, not yet
observed by the program), ... Internal steps (a goroutine trying its
operation; the virtual clock advancing to the next deadline when no
goroutine can run) are not observable, so a replay keeps the set of model
states consistent with the observations so far, closing it under internal
steps before each observation and keeping the states that allow it.

Invariants of a model state:
1. A goroutine has queue entries only while blocked; completing it removes
   all of them (a select's other cases included).
2. A receiver is queued only while the buffer is empty and no sender is
   queued; a sender only while the buffer is full and no receiver is queued;
   nothing is queued on a closed channel.
3. Every value is in exactly one place: a sender's operation, a buffer, or
   a receiver's result (observed, or done and not yet observed).
"""

PLAIN = -1          # case index of a plain (non-select) queue entry
SEND_CLOSED = ('panic', 'send on closed channel')

# phases of a goroutine's current operation
BEGUN, BLOCKED, SLEEPING, DONE, DROP_BLOCKED, DROP_DONE, FINISHED = (
    'begun', 'blocked', 'sleeping', 'done', 'drop-blocked', 'drop-done', 'finished')
# timer states: an int >= 0 is "armed, fires at that µs"
FIRED, STOPPED = -1, -2

MAX_STATES = 100000


# ---- programs: text form ----

def op_text(op):
    k = op[0]
    if k in ('send', 'trysend'):
        return '%s %s %d' % (k, op[1], op[2])
    if k in ('recv', 'recvok', 'close', 'tryrecv', 'len'):
        return '%s %s' % (k, op[1])
    if k in ('sleep', 'stop'):
        return '%s %d' % (k, op[1])
    if k == 'select':
        ws = ['recv:%s' % c[1] if c[0] == 'recv' else 'send:%s:%d' % (c[1], c[2]) for c in op[1]]
        if op[2]:
            ws.append('default')
        return 'select ' + ','.join(ws)
    if k == 'drop':
        return 'drop ' + op_text(op[1])
    raise ValueError(op)


def parse_op(s):
    ws = s.split(' ')
    k = ws[0]
    if k in ('send', 'trysend'):
        return (k, ws[1], int(ws[2]))
    if k in ('recv', 'recvok', 'close', 'tryrecv', 'len'):
        return (k, ws[1])
    if k in ('sleep', 'stop'):
        return (k, int(ws[1]))
    if k == 'select':
        cases, dflt = [], False
        for w in ws[1].split(','):
            p = w.split(':')
            if p == ['default']:
                dflt = True
            elif p[0] == 'recv':
                cases.append(('recv', p[1]))
            else:
                cases.append(('send', p[1], int(p[2])))
        return ('select', tuple(cases), dflt)
    if k == 'drop':
        return ('drop', parse_op(s[5:]))
    raise ValueError("bad op %r" % s)


class Program:
    def __init__(self, caps, timers, gors):
        self.caps = list(caps)
        self.timers = list(timers)          # [(stoppable, us)]
        self.gors = [list(ops) for ops in gors]

    def text(self):
        out = ['program', 'caps ' + ' '.join(map(str, self.caps)),
               'timers ' + '; '.join('%s %d' % ('timer' if st else 'after', us) for st, us in self.timers)]
        for g, ops in enumerate(self.gors):
            out.append(('main ' if g == 0 else 'go ') + '; '.join(op_text(o) for o in ops))
        return '\n'.join(out) + '\n'

    __str__ = text

    def __repr__(self):
        dt = getattr(self, 'dtypes', None)
        return 'Program("""\n%s"""%s)' % (self.text(), ', dtypes=%r' % (dt,) if dt else '')

    @staticmethod
    def parse(lines):
        caps, timers, gors = [], [], []
        for line in lines:
            head, _, rest = line.partition(' ')
            items = [x for x in rest.split('; ') if x]
            if head == 'caps':
                caps = [int(x) for x in rest.split(' ')]
            elif head == 'timers':
                for t in items:
                    kind, us = t.split(' ')
                    timers.append((kind == 'timer', int(us)))
            elif head in ('main', 'go'):
                gors.append([parse_op(x) for x in items])
            else:
                raise ValueError("bad line %r" % line)
        return Program(caps, timers, gors)


def parse_golden(text):
    """[(Program, set of outcome classes)] of a golden file."""
    out, block = [], []
    for line in text.splitlines():
        if line.startswith('#') or not line or line == 'program':
            continue
        if line.startswith('outcomes '):
            out.append((Program.parse(block), set(line[len('outcomes '):].split('; '))))
            block = []
        elif line != 'end':
            block.append(line)
    return out


def op_at(p, g, pc):
    op = p.gors[g][pc]
    return op[1] if op[0] == 'drop' else op


def recv_res(k, v):
    return ('recv', v) if k == PLAIN else ('sel', k, ('r', v))


def send_res(k):
    return ('sent',) if k == PLAIN else ('sel', k, None)


# ---- the model ----

class State:
    __slots__ = ('now', 'chans', 'timers', 'gs')

    @staticmethod
    def initial(p, after0_at_once):
        """after0_at_once: time.after(0) puts its value in the channel at
        once (Rust's fast path) instead of firing like other timers."""
        s = State()
        s.now = 0
        s.chans = [[cap, [], False, [], []] for cap in p.caps]
        s.timers = []
        for stoppable, us in p.timers:
            c = [1, [], False, [], []]
            if us == 0 and not stoppable and after0_at_once:
                c[1].append(('t', 0))
                s.timers.append(FIRED)
            else:
                s.timers.append(us)
            s.chans.append(c)
        s.gs = [[0, (BEGUN,) if ops else (FINISHED,)] for ops in p.gors]
        return s

    def copy(self):
        s = State()
        s.now = self.now
        s.chans = [[c[0], list(c[1]), c[2], list(c[3]), list(c[4])] for c in self.chans]
        s.timers = list(self.timers)
        s.gs = [list(g) for g in self.gs]
        return s

    def key(self):
        return (self.now, tuple((c[0], tuple(c[1]), c[2], tuple(c[3]), tuple(c[4])) for c in self.chans),
                tuple(self.timers), tuple((g[0], g[1]) for g in self.gs))

    def __eq__(self, o):
        return self.key() == o.key()

    def __hash__(self):
        return hash(self.key())

    def chan_index(self, p, ch):
        if ch == 'nil':
            return None
        i = int(ch[1:])
        return i if ch[0] == 'c' else len(p.caps) + i

    def runnable(self, g):
        return self.gs[g][1][0] in (BEGUN, DONE, DROP_BLOCKED, DROP_DONE)

    def remove_entries(self, g):        # invariant 1
        for c in self.chans:
            c[3] = [e for e in c[3] if e[0] != g]
            c[4] = [e for e in c[4] if e[0] != g]

    def complete(self, g, res):
        self.remove_entries(g)
        ph = self.gs[g][1][0]
        assert ph in (BLOCKED, DROP_BLOCKED), ph
        self.gs[g][1] = (DONE if ph == BLOCKED else DROP_DONE, res)

    def send_value(self, p, g, k):
        op = op_at(p, g, self.gs[g][0])
        if k == PLAIN:
            return ('d', op[2])
        return ('d', op[1][k][2])

    def active_send(self, ci, k, v):
        c = self.chans[ci]
        if c[2]:
            return SEND_CLOSED
        if c[3]:
            rg, rk = c[3].pop(0)
            self.complete(rg, recv_res(rk, v))
            return send_res(k)
        if len(c[1]) < c[0]:
            c[1].append(v)
            return send_res(k)
        return None

    def active_recv(self, p, ci, k):
        c = self.chans[ci]
        if c[1]:
            v = c[1].pop(0)
            if len(c[1]) < c[0] and c[4]:
                sg, sk = c[4].pop(0)
                c[1].append(self.send_value(p, sg, sk))
                self.complete(sg, send_res(sk))
            return recv_res(k, v)
        if c[4]:
            sg, sk = c[4].pop(0)
            v = self.send_value(p, sg, sk)
            self.complete(sg, send_res(sk))
            return recv_res(k, v)
        if c[2]:
            return recv_res(k, None)
        return None

    def ready(self, ci, send):
        c = self.chans[ci]
        if send:
            return c[2] or len(c[1]) < c[0] or bool(c[3])
        return c[2] or bool(c[1]) or bool(c[4])

    def try_op(self, p, g):
        """goroutine g (begun) tries its operation: the possible results."""
        op = op_at(p, g, self.gs[g][0])
        s = self.copy()
        k = op[0]
        if k in ('send', 'recv', 'recvok'):
            ci = s.chan_index(p, op[1])
            if ci is None:
                s.gs[g][1] = (BLOCKED,)
            else:
                r = s.active_send(ci, PLAIN, ('d', op[2])) if k == 'send' else s.active_recv(p, ci, PLAIN)
                if r is not None:
                    s.gs[g][1] = (DONE, r)
                else:
                    s.chans[ci][4 if k == 'send' else 3].append((g, PLAIN))
                    s.gs[g][1] = (BLOCKED,)
        elif k == 'select':
            cases, dflt = op[1], op[2]
            idx = [s.chan_index(p, c[1]) for c in cases]
            ready = [i for i, c in enumerate(cases) if idx[i] is not None and s.ready(idx[i], c[0] == 'send')]
            if ready:
                out = []
                for i in ready:     # any ready case may be chosen
                    t = s.copy()
                    c = cases[i]
                    r = t.active_recv(p, idx[i], i) if c[0] == 'recv' else t.active_send(idx[i], i, ('d', c[2]))
                    assert r is not None
                    t.gs[g][1] = (DONE, r)
                    out.append(t)
                return out
            if dflt:
                s.gs[g][1] = (DONE, ('sel', len(cases), None))
            else:
                for i, c in enumerate(cases):
                    if idx[i] is not None:
                        s.chans[idx[i]][3 if c[0] == 'recv' else 4].append((g, i))
                s.gs[g][1] = (BLOCKED,)
        elif k == 'close':
            ci = s.chan_index(p, op[1])
            if ci is None:
                r = ('panic', 'close of nil channel')
            elif s.chans[ci][2]:
                r = ('panic', 'close of closed channel')
            else:
                c = s.chans[ci]
                c[2] = True
                while c[3]:
                    rg, rk = c[3].pop(0)
                    s.complete(rg, recv_res(rk, None))
                while c[4]:
                    sg, _ = c[4].pop(0)
                    s.complete(sg, SEND_CLOSED)
                r = ('closed',)
            s.gs[g][1] = (DONE, r)
        elif k == 'trysend':
            ci = s.chan_index(p, op[1])
            if ci is None:
                r = ('full',)
            elif s.chans[ci][2]:
                r = ('tryclosed',)
            else:
                r = s.active_send(ci, PLAIN, ('d', op[2])) or ('full',)
            s.gs[g][1] = (DONE, r)
        elif k == 'tryrecv':
            ci = s.chan_index(p, op[1])
            r = None if ci is None else s.active_recv(p, ci, PLAIN)
            s.gs[g][1] = (DONE, r or ('empty',))
        elif k == 'len':
            ci = s.chan_index(p, op[1])
            s.gs[g][1] = (DONE, ('len', 0 if ci is None else len(s.chans[ci][1])))
        elif k == 'sleep':
            s.gs[g][1] = (DONE, ('slept',)) if op[1] == 0 else (SLEEPING, s.now + op[1])
        elif k == 'stop':
            t = op[1]
            armed = s.timers[t] >= 0
            s.timers[t] = STOPPED
            s.chans[len(p.caps) + t][1] = []       # Stop drains the channel
            s.gs[g][1] = (DONE, ('stopped', armed))
        else:
            raise AssertionError(op)
        return [s]

    def next_deadline(self):
        ds = [t for t in self.timers if t >= 0] + [g[1][1] for g in self.gs if g[1][0] == SLEEPING]
        return min(ds) if ds else None

    def advance(self, p, d):
        s = self.copy()
        s.now = max(s.now, d)
        for g in s.gs:
            if g[1][0] == SLEEPING and g[1][1] <= s.now:
                g[1] = (DONE, ('slept',))
        for t, dl in enumerate(s.timers):
            if dl >= 0 and dl <= s.now:
                s.timers[t] = FIRED
                c = s.chans[len(p.caps) + t]
                v = ('t', s.now)
                if c[3]:                        # a non-blocking send
                    rg, rk = c[3].pop(0)
                    s.complete(rg, recv_res(rk, v))
                elif len(c[1]) < c[0]:
                    c[1].append(v)
        return s

    def successors(self, p):
        out = []
        for g in range(len(self.gs)):
            if self.gs[g][1][0] == BEGUN:
                out.extend(self.try_op(p, g))
        if not any(self.runnable(g) for g in range(len(self.gs))):
            d = self.next_deadline()
            if d is not None:
                out.append(self.advance(p, d))
        return out

    def next_op(self, p, g):
        pc = self.gs[g][0] + 1
        self.gs[g] = [pc, (BEGUN,) if pc < len(p.gors[g]) else (FINISHED,)]

    def observe(self, p, o):
        """the state after observation o, or None if o is not allowed here.
        o: ('done', g, res, now) | ('drop-pending', g) | ('dropped', g)"""
        s = self.copy()
        g = o[1]
        ph = s.gs[g][1]
        if o[0] == 'done':
            # (now None: a run on the real clock, without timers)
            if (o[3] is not None and s.now != o[3]) or ph != (DONE, o[2]):
                return None
            s.next_op(p, g)
        elif o[0] == 'drop-pending':
            if p.gors[g][s.gs[g][0]][0] != 'drop' or ph[0] != BLOCKED:
                return None
            s.gs[g][1] = (DROP_BLOCKED,)
        elif o[0] == 'dropped':
            if ph[0] == DROP_BLOCKED:
                s.remove_entries(g)
            elif ph[0] == DROP_DONE:
                # a receiver handed a value gives it back: to the next queued
                # receiver, else to the front of the buffer
                rv = s.recv_value_of(p, g, ph[1])
                if rv is not None:
                    ci, v = rv
                    c = s.chans[ci]
                    if c[3]:
                        rg, rk = c[3].pop(0)
                        s.complete(rg, recv_res(rk, v))
                    else:
                        c[1].insert(0, v)
            else:
                return None
            s.next_op(p, g)
        return s

    def recv_value_of(self, p, g, res):
        op = op_at(p, g, self.gs[g][0])
        if op[0] in ('recv', 'recvok', 'tryrecv') and res[0] == 'recv' and res[1] is not None:
            return self.chan_index(p, op[1]), res[1]
        if op[0] == 'select' and res[0] == 'sel' and res[2] is not None and res[2][1] is not None:
            return self.chan_index(p, op[1][res[1]][1]), res[2][1]
        return None

    def blocked_reason(self, p, g):
        if self.gs[g][1][0] != BLOCKED:
            return None
        op = op_at(p, g, self.gs[g][0])
        if op[0] == 'send':
            return 'chan send (nil chan)' if op[1] == 'nil' else 'chan send'
        if op[0] in ('recv', 'recvok'):
            return 'chan receive (nil chan)' if op[1] == 'nil' else 'chan receive'
        if op[0] == 'select':
            return 'select (no cases)' if all(c[1] == 'nil' for c in op[1]) else 'select'
        return None

    def buffers_match(self, p, real):
        """what the data channels hold after the run is the model's buffer,
        preceded (in any order) by the values given back by receivers that
        were handed one and never ran again."""
        for ci, got in enumerate(real):
            back = []
            for g in range(len(self.gs)):
                ph = self.gs[g][1]
                if ph[0] in (DONE, DROP_DONE):
                    rv = self.recv_value_of(p, g, ph[1])
                    if rv is not None and rv[0] == ci:
                        back.append(rv[1][1])
            model = [v[1] for v in self.chans[ci][1]]
            if len(got) != len(back) + len(model) or list(got[len(back):]) != model:
                return False
            if sorted(got[:len(back)]) != sorted(back):
                return False
        return True

    def describe(self):
        return 'now=%dus chans=%r gs=%r' % (self.now, self.chans, self.gs)

    # -- exhaustive exploration --

    def moves(self, p):
        out = self.successors(p)
        for g in range(len(self.gs)):
            pc, ph = self.gs[g]
            drop_op = pc < len(p.gors[g]) and p.gors[g][pc][0] == 'drop'
            if ph[0] == DONE and ph[1][0] != 'panic':
                o = ('done', g, ph[1], self.now)
            elif ph[0] == BLOCKED and drop_op:
                o = ('drop-pending', g)
            elif ph[0] in (DROP_BLOCKED, DROP_DONE):
                o = ('dropped', g)
            else:
                continue
            n = self.observe(p, o)
            if n is not None:
                out.append(n)
        return out

    def panic_due(self):
        return [g[1][1][1] for g in self.gs if g[1][0] == DONE and g[1][1][0] == 'panic']


def closure(p, frontier):
    seen = set(frontier)
    stack = list(frontier)
    while stack:
        s = stack.pop()
        for n in s.successors(p):
            if n not in seen:
                seen.add(n)
                if len(seen) > MAX_STATES:
                    return None
                stack.append(n)
    return seen


class TooBig(Exception):
    pass


def check(p, log, outcome, bufs, after0_at_once=False, join=False):
    """Replays a real run through the model. outcome: ('ok',),
    ('panic', g, msg) or ('deadlock', sorted [(g, reason)]); join: the run
    ends when every goroutine has finished (not when main returns). Returns
    None if allowed, else why not; raises TooBig if there are too many
    states."""
    frontier = {State.initial(p, after0_at_once)}
    for i, o in enumerate(log):
        allc = closure(p, frontier)
        if allc is None:
            raise TooBig()
        nxt = {n for n in (s.observe(p, o) for s in allc) if n is not None}
        if not nxt:
            return 'observation #%d %r is not allowed by the model\nlog:\n%s\nsome model states there:\n  %s' % (
                i, o, '\n'.join('  #%d %r' % (j, x) for j, x in enumerate(log[:i + 1])),
                '\n  '.join(s.describe() for s in list(allc)[:3]))
        frontier = nxt
    allc = closure(p, frontier)
    if allc is None:
        raise TooBig()
    for s in allc:
        if not s.buffers_match(p, bufs):
            continue
        if outcome[0] == 'ok' and all(g[1] == (FINISHED,) for g in (s.gs if join else s.gs[:1])):
            return None
        if outcome[0] == 'panic' and s.gs[outcome[1]][1] == (DONE, ('panic', outcome[2])):
            return None
        if outcome[0] == 'deadlock':
            quiet = not any(s.runnable(g) for g in range(len(s.gs))) and s.next_deadline() is None
            model = sorted((g, s.blocked_reason(p, g)) for g in range(len(s.gs)) if s.blocked_reason(p, g))
            if quiet and s.gs[0][1] != (FINISHED,) and model == outcome[1]:
                return None
    return 'the run ended with %r (buffers after it: %r), which the model does not allow after\n%s' % (
        outcome, bufs, '\n'.join('  #%d %r' % (j, x) for j, x in enumerate(log)))


def outcome_class(outcome):
    return {'ok': 'ok', 'deadlock': 'deadlock'}.get(outcome[0]) or 'panic: ' + outcome[2]


def outcome_classes(p, after0_at_once, limit, join=False):
    """every way a run of p may end under Go's rules, or None if there are
    more than limit states (join: the run ends when every goroutine has
    finished, not when main returns)."""
    classes = set()
    init = State.initial(p, after0_at_once)
    seen = {init}
    stack = [init]
    while stack:
        s = stack.pop()
        due = s.panic_due()
        for m in due:
            classes.add('panic: ' + m)
        if all(g[1] == (FINISHED,) for g in (s.gs if join else s.gs[:1])):
            classes.add('ok')
            continue
        nxt = s.moves(p)
        if not nxt and not due:
            classes.add('deadlock')
        for n in nxt:
            if n not in seen:
                seen.add(n)
                if len(seen) > limit:
                    return None
                stack.append(n)
    return classes
