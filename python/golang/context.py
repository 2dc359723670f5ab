# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package context mirrors Go's package context: cancellation, deadlines and
request-scoped values carried through a tree of contexts.

API (that of Pygolang 0.1's ``golang.context``, see API.md and API-0.1.md):

- ``background()`` returns the root context: never canceled, no deadline, no
  values; its ``done()`` is ``nilchan``.
- ``with_cancel(parent)`` -> ``(ctx, cancel)``; ``cancel()`` takes no
  arguments and may be called any number of times.
- ``with_value(parent, key, value)`` -> ctx; keys are compared by identity.
  Its ``done()`` is its parent's ``done()``.
- ``with_deadline(parent, d)`` -> ``(ctx, cancel)``: the deadline is
  ``min(parent's deadline, d)``; ``with_timeout(parent, dt)`` is
  ``with_deadline(parent, now() + dt)``.
- ``merge(p1, p2)`` -> ``(ctx, cancel)``: done when either parent is done or
  cancel is called; deadline is the earliest one; values come from p1, then p2.
- ``Context`` (also ``golang._context.PyContext``) is the type of every
  context. Users cannot create contexts directly:
  ``AssertionError("Context must not be instantiated by user")``.
- Methods: ``done()`` (the same ``chan(dtype='C.structZ')`` every call, closed
  on cancel), ``err()`` (``None``, or an error equal to ``canceled`` or
  ``deadlineExceeded``: a new ``golang.error`` on every call, as in Pygolang
  0.1, so compare with ``==`` or ``errors.Is``, not ``is``),
  ``deadline()`` (float or None), ``value(key)``.
- ``canceled`` ("context canceled") and ``deadlineExceeded``
  ("deadline exceeded") are exact ``golang.error`` objects.

Rules kept by this implementation (each has a test):

- A context is canceled when any parent is canceled, with the parent's error.
  A context created from an already-canceled parent is canceled at once.
- A canceled context is removed from its parents' children, and forgets its
  own children, so that many short-lived children leave no trace in a
  long-lived parent. A value context (it cannot be canceled on its own) is
  held by its parent weakly: once unused, it leaves its parent's children.
- ``err()`` is set before ``done()`` is closed, and ``done()`` is closed
  after the context's whole subtree is canceled and the context is unlinked
  from its parents: whoever sees ``done()`` closed sees the cancellation
  complete. For a value context ``err()`` is read from the context that owns
  the shared ``done()`` chan, so that this holds there too.
- A deadline that has already passed when the context is created cancels it
  at once with ``deadlineExceeded`` (Go's rule; Pygolang 0.0.5 used
  ``canceled`` there).

Differences from Pygolang 0.0.5: parents must be contexts made by this
package (Pygolang >= 0.0.6 has the same rule; 0.0.5 also accepted foreign
duck-typed contexts); a non-context parent raises TypeError.

Implementation notes
--------------------
The tree is kept without locks: every step relies on single operations that
the GIL makes atomic (dict item set/pop/``in`` with identity-hashed keys,
``list(d)``, ``d.clear()``, attribute stores).  Each context's ``_children``
dict holds the sentinel key ``_ALIVE`` while the context is not canceled;
cancel claims the context by popping it (exactly one caller wins), then sets
``_err``, unlinks the context from its parents, snapshots and clears its
children, cancels them, and closes its ``done`` last.  A new child links
itself into its parent first and checks the parent's ``_ALIVE`` after, so
that a concurrent cancel of the parent either sees the child in its snapshot
or the child sees the parent canceled (and then its error, set before the
snapshot).  Value contexts are linked through a weakref whose callback
removes them from the parent's children (a single atomic pop too).

Deadlines use one timer per deadline context, made by ``_after_func(dt, f)``:
``golang.time.after_func`` when ``golang.time`` provides it, otherwise a
small internal timer thread (a heap and a condition variable).

Native contexts
---------------
When the core (``golang._golang``) provides contexts (the native extension
does, in ``targets/native/src/context.rs``: bound over the Rust crate
``golang-context``, which does the cancellation, deadlines and timers), the
public API of this module is the core's: ``Context``/``PyContext``,
``background``, ``with_*`` and ``merge`` are the native ones, with the same
rules (the same tests); ``canceled`` and ``deadlineExceeded`` are the same
``golang.error`` objects on both, and the native ``err()`` wraps the same
Go-level errors (from ``golang._pyerror``). The pure-Python
implementation above is what runs otherwise (under Pyodide the core is
``golang._golang_wasm``, which has no contexts).
"""

from golang import chan, nilchan
from golang import _golang as _core
from golang._pyerror import _from_error, CANCELED as _CANCELED, \
    DEADLINE_EXCEEDED as _DEADLINE_EXCEEDED

import sys as _sys
import heapq as _heapq
import itertools as _itertools
import threading as _threading
import time as _pytime
from functools import partial as _partial
from weakref import ref as _weakref

__all__ = ['Context', 'background', 'canceled', 'deadlineExceeded',
           'with_cancel', 'with_value', 'with_deadline', 'with_timeout',
           'merge']


# _native tells whether the core provides contexts (see "Native contexts").
_native = hasattr(_core, 'ctx_with_cancel')

# canceled is the error returned by Context.err when the context is canceled.
# deadlineExceeded is the error returned by Context.err when the time goes
# past the context's deadline. (Contexts keep the Go-level errors _CANCELED /
# _DEADLINE_EXCEEDED, and err() wraps them anew on each call.)
canceled = _from_error(_CANCELED)
deadlineExceeded = _from_error(_DEADLINE_EXCEEDED)


# _ALIVE is the key that a context's _children dict holds while the context
# is not canceled; popping it claims the cancellation.
_ALIVE = object()
# _MISS marks "not found" in internal look-ups.
_MISS = object()
# _NOKEY is the value-key of contexts that carry no value.
_NOKEY = object()
# _CLOSE marks a deferred close in _cancel's work list.
_CLOSE = object()

_new = object.__new__


class PyContext(object):
    """Context carries a deadline, a cancellation signal and immutable
    key -> value pairs across API boundaries and between goroutines.

    Contexts are made by background(), with_cancel(), with_value(),
    with_deadline(), with_timeout() and merge(); not by calling Context().
    """

    __slots__ = (
        '_parents',     # tuple of parent contexts; () for background
        '_children',    # {child: None} (+ _ALIVE while not canceled)
        '_err',         # None | _CANCELED | _DEADLINE_EXCEEDED (Go-level errors)
        '_done',        # chan(dtype='C.structZ'); nilchan for background
        '_deadline',    # float | None
        '__weakref__',
    )

    # defaults that subclasses override with slots
    _key = _NOKEY       # value-key (set by _ValueCtx)
    _timer = None       # deadline timer (set by _TimerCtx)
    _owndone = True     # whether _done belongs to this context (closed on cancel)

    def __new__(cls, *argv, **kw):
        raise AssertionError("Context must not be instantiated by user")

    def done(ctx):
        """done returns a channel that is closed when the context is canceled."""
        return ctx._done

    def err(ctx):
        """err returns None while done is not closed, or the error that tells
        why the context was canceled (== canceled or deadlineExceeded)."""
        return _from_error(ctx._err)

    def deadline(ctx):
        """deadline returns the context's deadline (float seconds, as
        time.now()) or None if it has none."""
        return ctx._deadline

    def value(ctx, key):
        """value returns the value associated with key, or None.

        Keys are compared by identity, not by equality.
        """
        v = _lookup(ctx, key)
        return None if v is _MISS else v

    # the cancel function returned by with_cancel & co.
    def _usercancel(ctx):
        _cancel(ctx, _CANCELED)

    # what the deadline timer runs.
    def _expire(ctx):
        _cancel(ctx, _DEADLINE_EXCEEDED)

    def __repr__(ctx):
        if ctx is _background:
            return "context.background()"
        state = "canceled: %s" % ctx._err if ctx._err is not None else "active"
        return "<%s.%s %s at 0x%x>" % (__name__, type(ctx).__name__, state, id(ctx))


class _ValueCtx(PyContext):
    # a context that adds key -> value to its parent.
    # It shares its parent's done chan; it is a node of the tree so that it
    # may have children of its own. It cannot be canceled on its own, so its
    # parent holds it by a weak reference (_wr): a value context that nobody
    # uses any more (it has no children either: they would hold it) leaves
    # its parent's children at once, instead of staying there until the
    # parent is canceled.
    __slots__ = ('_key', '_value',
                 '_esrc',       # the context that owns _done (whose err is ours)
                 '_wr')         # weakref to self, our key in the parent's _children
    _owndone = False

    def err(ctx):
        return _from_error(ctx._esrc._err)


class _TimerCtx(PyContext):
    # a context canceled with deadlineExceeded at its deadline.
    __slots__ = ('_timer',)


Context = PyContext


# _lookup returns the value of key in ctx (or _MISS); iterative along
# single-parent chains so that deep chains do not recurse.
def _lookup(ctx, key):
    c = ctx
    while True:
        if c._key is key:
            return c._value
        ps = c._parents
        if len(ps) == 1:
            c = ps[0]
            continue
        if not ps:
            return _MISS
        v = _lookup(ps[0], key)
        if v is not _MISS:
            return v
        c = ps[1]


# _cancel cancels ctx with err, then its descendants; a context already
# canceled is left as is. A context's done is closed after its whole subtree
# is canceled and it is unlinked from its parents: whoever sees done closed
# sees the cancellation complete. Iterative, so that deep trees do not recurse.
def _cancel(ctx, err):
    c = ctx
    src = None      # the parent whose cancel is the cause (None: ctx itself)
    todo = None     # [(ctx, its src)] to cancel; [(ctx, _CLOSE)]: done to close
    while True:
        if src is _CLOSE:
            c._done.close()
        else:
            kids = c._children
            if kids.pop(_ALIVE, _MISS) is not _MISS:    # claim: only one caller gets here
                c._err = err                            # before done is closed
                t = c._timer
                if t is not None:
                    c._timer = None
                    t.stop()
                # no need for the parents to cancel c any more
                key = c if c._owndone else c._wr
                for p in c._parents:
                    if p is not src:
                        p._children.pop(key, None)
                if kids:
                    kidv = list(kids)
                    kids.clear()
                    if todo is None:
                        todo = []
                    if c._owndone:
                        todo.append((c, _CLOSE))        # after the children
                    for k in kidv:
                        if type(k) is _weakref:
                            k = k()
                            if k is None:
                                continue
                        todo.append((k, c))
                elif c._owndone:
                    c._done.close()
        if not todo:
            return
        c, src = todo.pop()


# _link makes ctx a child of parent, so that canceling parent cancels ctx.
# key is how ctx is held in parent's _children: ctx itself, or its weakref.
def _link(ctx, parent, key):
    if parent._done is nilchan:
        return      # parent is never canceled (background or its values)
    pkids = parent._children
    pkids[key] = None
    if _ALIVE not in pkids:
        # parent is canceled, or being canceled. Its error is set before it
        # snapshots its children: if it is still None, the snapshot has ctx.
        err = parent._err
        if err is not None:
            _cancel(ctx, err)
    if _ALIVE not in ctx._children:
        pkids.pop(key, None)    # ctx was canceled meanwhile: do not stay linked


# _unlinkref is the callback of a value context's weakref: it removes the
# dead context from its parent's children.
def _unlinkref(pkids, wr):
    pkids.pop(wr, None)


def _badparent(parent):
    return TypeError("context: parent must be a Context, not %s" % type(parent).__name__)


def _mkdone():
    return chan(0, 'C.structZ')


# ---- public API ----

def background():
    """background returns the root context: never canceled, no deadline, no values."""
    return _background


_background = _new(PyContext)
_background._parents = ()
_background._children = {}      # no _ALIVE: cancel is a no-op; no children are linked
_background._err = None
_background._done = nilchan
_background._deadline = None


def with_cancel(parent):  # -> ctx, cancel
    """with_cancel returns a child of parent that is canceled when cancel()
    is called or when parent is canceled, whichever happens first.

    Call cancel as soon as the work under ctx is done, to release resources.
    """
    ctx = _new(PyContext)
    ctx._parents = (parent,)
    ctx._children = {_ALIVE: None}
    ctx._err = None
    ctx._done = chan(0, 'C.structZ')
    try:
        ctx._deadline = parent._deadline
        pdone = parent._done
    except AttributeError:
        raise _badparent(parent) from None
    if pdone is not nilchan:
        _link(ctx, parent, ctx)
    return ctx, ctx._usercancel


def with_value(parent, key, value):  # -> ctx
    """with_value returns a child of parent that carries key -> value (keys
    are compared by identity); other keys are looked up in parent."""
    ctx = _new(_ValueCtx)
    ctx._parents = (parent,)
    ctx._children = {_ALIVE: None}
    ctx._err = None
    try:
        ctx._done = pdone = parent._done
        ctx._deadline = parent._deadline
    except AttributeError:
        raise _badparent(parent) from None
    ctx._key = key
    ctx._value = value
    ctx._esrc = parent._esrc if type(parent) is _ValueCtx else parent
    if pdone is not nilchan:
        ctx._wr = wr = _weakref(ctx, _partial(_unlinkref, parent._children))
        _link(ctx, parent, wr)
    else:
        ctx._wr = None
    return ctx


def with_deadline(parent, deadline):  # -> ctx, cancel
    """with_deadline returns a child of parent whose deadline is the earliest
    of deadline and parent's deadline. It is canceled with deadlineExceeded
    when that time comes, or with canceled by cancel(), or with parent."""
    try:
        pdeadline = parent._deadline
    except AttributeError:
        raise _badparent(parent) from None
    deadline = float(deadline)
    if deadline != deadline:    # NaN: refused, as time.sleep refuses it
        raise ValueError("Invalid value NaN (not a number)")
    if pdeadline is not None and pdeadline <= deadline:
        return with_cancel(parent)     # parent expires first: no timer of our own

    ctx = _new(_TimerCtx)
    ctx._parents = (parent,)
    ctx._children = {_ALIVE: None}
    ctx._err = None
    ctx._done = chan(0, 'C.structZ')
    ctx._deadline = deadline
    ctx._timer = None
    _link(ctx, parent, ctx)
    if _ALIVE in ctx._children:
        dt = deadline - _now()
        if dt <= 0:
            _cancel(ctx, _DEADLINE_EXCEEDED)
        else:
            t = _after_func(dt, ctx._expire)
            ctx._timer = t
            if _ALIVE not in ctx._children:     # canceled while we armed the timer
                ctx._timer = None
                t.stop()
    return ctx, ctx._usercancel


def with_timeout(parent, timeout):  # -> ctx, cancel
    """with_timeout is with_deadline(parent, now() + timeout)."""
    return with_deadline(parent, _now() + timeout)


def merge(parent1, parent2):  # -> ctx, cancel
    """merge returns a context that

    - is done when parent1 or parent2 is done, or cancel() is called,
      whichever happens first;
    - has the earliest of the parents' deadlines;
    - has the values of both parents, parent1's taking precedence.

    (Go's stdlib has no merge; it follows lab.nexedi.com/kirr/go123/xcontext.)
    """
    try:
        d1 = parent1._deadline
        d2 = parent2._deadline
    except AttributeError:
        raise _badparent(parent2 if hasattr(parent1, '_deadline') else parent1) from None
    ctx = _new(PyContext)
    ctx._parents = (parent1, parent2)
    ctx._children = {_ALIVE: None}
    ctx._err = None
    ctx._done = chan(0, 'C.structZ')
    if d1 is None or (d2 is not None and d2 < d1):
        d1 = d2
    ctx._deadline = d1
    _link(ctx, parent1, ctx)
    _link(ctx, parent2, ctx)
    return ctx, ctx._usercancel


# ---- the core's contexts, when it has them ----

if _native:
    PyContext = Context = _core.PyContext
    background = _core.ctx_background
    with_cancel = _core.ctx_with_cancel
    with_value = _core.ctx_with_value
    with_deadline = _core.ctx_with_deadline
    with_timeout = _core.ctx_with_timeout
    merge = _core.ctx_merge
    _background = background()


# ---- time: now and timers ----
#
# golang.time is used when it exists (looked up on first use, so that the
# import order of golang.time / golang.context / golang.sync does not matter).

_gtime = _MISS


def _golang_time():
    global _gtime
    if _gtime is _MISS:
        try:
            from golang import time as gtime
            gtime.now               # noqa: B018  (check the module is usable)
        except (ImportError, AttributeError):
            gtime = None
        _gtime = gtime
    return _gtime


def _now():
    """the current time (float seconds, Unix epoch): golang.time.now() when
    available, else time.time()."""
    global _now
    gtime = _golang_time()
    _now = gtime.now if gtime is not None else _pytime.time
    return _now()


def _after_func(dt, f):
    """_after_func arranges for f() to be called after dt seconds; it returns
    a timer with .stop() (True if it stopped an armed timer).

    f must be quick and must not block: it may be called from the timer's own
    thread. This is the one place where context arms timers.
    """
    gtime = _golang_time()
    if gtime is not None and hasattr(gtime, 'after_func'):
        return gtime.after_func(dt, f)
    return _timers.after_func(dt, f)


class _Timer(object):
    __slots__ = ('_f', '_q')

    def stop(t):
        if t._f is None:
            return False
        return t._q._stop(t)


class _TimerQueue(object):
    """A fallback timer service: one daemon thread sleeping on a condition
    until the earliest armed timer; stopped timers are dropped lazily, and the
    heap is compacted when most entries are stopped ones."""

    def __init__(q):
        q._cond = _threading.Condition(_threading.Lock())
        q._heap = []        # [(when, seq, _Timer)]
        q._seq = _itertools.count()
        q._nstopped = 0     # stopped timers still in _heap
        q._thread = None

    def after_func(q, dt, f):
        t = _Timer()
        t._f = f
        t._q = q
        when = _pytime.monotonic() + dt
        with q._cond:
            _heapq.heappush(q._heap, (when, next(q._seq), t))
            if q._thread is None:
                q._thread = _threading.Thread(target=q._run, name="golang.context timers",
                                              daemon=True)
                q._thread.start()
            elif q._heap[0][2] is t:
                q._cond.notify()
        return t

    def _stop(q, t):
        with q._cond:
            if t._f is None:
                return False
            t._f = None     # drop the reference to f (and to its context) now
            q._nstopped += 1
            heap = q._heap
            if q._nstopped > 64 and 2*q._nstopped > len(heap):
                heap[:] = [e for e in heap if e[2]._f is not None]
                _heapq.heapify(heap)
                q._nstopped = 0
            return True

    def _run(q):
        heap = q._heap
        cond = q._cond
        with cond:
            while True:
                while heap and heap[0][2]._f is None:
                    _heapq.heappop(heap)
                    q._nstopped -= 1
                if not heap:
                    cond.wait()
                    continue
                dt = heap[0][0] - _pytime.monotonic()
                if dt > 0:
                    cond.wait(dt)
                    continue
                t = _heapq.heappop(heap)[2]
                f = t._f
                t._f = None
                cond.release()
                try:
                    f()
                except BaseException:
                    try:
                        _sys.excepthook(*_sys.exc_info())
                    except BaseException:
                        pass
                finally:
                    f = None
                    cond.acquire()


_timers = _TimerQueue()
