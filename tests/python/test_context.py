# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.context against Pygolang 0.0.5's API as listed in
/work/shared/API.md ("golang.context"). Each test is named by the property it
checks; error messages are compared exactly and errors with `is`.

Goroutines synchronise through channels; nothing sleeps to make an
interleaving happen. The file runs under Pyodide too (the contexts there are
the wasm core's binding of the same crate); the tests that block a thread are
skipped there. Deadline tests use short real timeouts and wait on
done(), with loose bounds only.
"""

import gc
import time as pytime
import weakref

import pytest

from golang import go, chan, select, default, nilchan
from golang import context, _context
from golang._context import _tctxAssertChildren as tctxAssertChildren

from _golang_testutil import watchdog, spawn, join, needs_threads  # noqa: F401  (watchdog: autouse fixture)


bg = context.background()
Z = frozenset()             # no children
C = context.canceled
D = context.deadlineExceeded

dt = 0.05                   # a short real timeout for deadline tests


def ready(ch):
    """ready tells whether a receive from ch would not block."""
    n, _ = select(ch.recv, default)
    return n == 0


def assertCtx(ctx, children, deadline=None, err=None, done=False):
    """assertCtx checks the whole observable state of ctx, and its children."""
    assert isinstance(ctx, _context.PyContext)
    assert ctx.deadline() == deadline
    if err is None:
        assert ctx.err() is None
    else:
        assert ctx.err() == err     # a new golang.error on each call (0.1)
    d = ctx.done()
    assert ready(d) == done
    for _ in range(3):
        assert ctx.done() is d
    tctxAssertChildren(ctx, set(children))


class Key(object):
    """Key(x) == Key(x): a key type whose equal instances are distinct, to
    check that context keys are compared by identity."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, Key) and other.name == self.name

    def __ne__(self, other):
        return not (self == other)

    def __hash__(self):
        return hash(self.name)

    def __repr__(self):
        return "Key(%r)" % (self.name,)


# ---- background, Context type, errors ----

def test_background_is_never_canceled_has_nilchan_done_no_deadline_no_values():
    assert context.background() is bg
    assert bg.err() is None
    assert bg.done() is nilchan
    assert bg.deadline() is None
    assert bg.value(Key("a")) is None
    assert not ready(bg.done())
    assert isinstance(bg, context.Context)
    tctxAssertChildren(bg, set())


def test_context_cannot_be_instantiated_by_user():
    assert context.Context is _context.PyContext
    for argv in [(), (1,), (bg,)]:
        with pytest.raises(AssertionError) as exc:
            context.Context(*argv)
        assert exc.value.args == ("Context must not be instantiated by user",)


def test_every_kind_of_context_is_a_Context():
    ctx1, cancel1 = context.with_cancel(bg)
    ctxs = [bg, ctx1,
            context.with_value(bg, Key("a"), 1),
            context.with_value(ctx1, Key("a"), 1),
            context.with_deadline(bg, pytime.time() + 100)[0],
            context.with_timeout(ctx1, 100)[0],
            context.merge(ctx1, bg)[0]]
    for ctx in ctxs:
        assert isinstance(ctx, context.Context)
        assert isinstance(ctx, _context.PyContext)
    cancel1()


def test_canceled_and_deadlineExceeded_are_exact_golang_errors_with_go_messages():
    from golang import error
    assert type(context.canceled) is error
    assert type(context.deadlineExceeded) is error
    assert str(context.canceled) == "context canceled"
    assert str(context.deadlineExceeded) == "deadline exceeded"
    assert context.canceled != context.deadlineExceeded


def test_err_is_a_new_golang_error_on_each_call_equal_to_the_package_error():
    from golang import error, errors
    bg = context.background()
    ctx, cancel = context.with_cancel(bg)
    cancel()
    e1, e2 = ctx.err(), ctx.err()
    assert type(e1) is error
    assert e1 is not e2 and e1 is not context.canceled     # 0.1: a new wrapper each call
    assert e1 == e2 == context.canceled and hash(e1) == hash(context.canceled)
    assert errors.Is(e1, context.canceled)
    dctx, dcancel = context.with_deadline(bg, 0)           # in the past
    assert dctx.err() == context.deadlineExceeded and dctx.err() != context.canceled
    dcancel()


def test_parent_must_be_a_context():
    for bad in [None, 1, object(), chan()]:
        with pytest.raises(TypeError):
            context.with_cancel(bad)
        with pytest.raises(TypeError):
            context.with_value(bad, Key("a"), 1)
        with pytest.raises(TypeError):
            context.with_deadline(bad, pytime.time() + 10)
        with pytest.raises(TypeError):
            context.with_timeout(bad, 10)
        with pytest.raises(TypeError):
            context.merge(bad, bg)
        with pytest.raises(TypeError):
            context.merge(bg, bad)


# ---- with_cancel ----

def test_done_is_the_same_structZ_chan_on_every_call():
    ctx, cancel = context.with_cancel(bg)
    d = ctx.done()
    assert d is not nilchan
    assert d != bg.done()
    assert "C.structZ" in repr(d)
    for _ in range(10):
        assert ctx.done() is d
    cancel()
    for _ in range(10):
        assert ctx.done() is d
    assert d.recv() is None
    assert d.recv_() == (None, False)


def test_cancel_sets_err_canceled_and_closes_done():
    ctx, cancel = context.with_cancel(bg)
    assertCtx(ctx, Z)
    cancel()
    assertCtx(ctx, Z, err=C, done=True)


def test_cancel_takes_no_arguments_and_can_be_called_many_times():
    ctx, cancel = context.with_cancel(bg)
    with pytest.raises(TypeError):
        cancel(1)
    assert ctx.err() is None
    for _ in range(3):
        cancel()
        assertCtx(ctx, Z, err=C, done=True)


@needs_threads
def test_cancel_wakes_goroutines_blocked_on_done():
    ctx, cancel = context.with_cancel(bg)
    N = 5
    woken = chan(N)

    def waiter():
        ctx.done().recv()
        woken.send(ctx.err())
    for _ in range(N):
        go(waiter)
    assert len(woken) == 0
    cancel()
    for _ in range(N):
        assert woken.recv() == C


@needs_threads
def test_err_is_set_before_done_is_closed():
    # whoever sees done() closed must see err() != None, also through a
    # value context (which shares its parent's done).
    for _ in range(200):
        ctx, cancel = context.with_cancel(bg)
        vctx = context.with_value(ctx, Key("k"), 1)
        errs = chan(2)

        def _(c):
            c.done().recv()
            errs.send(c.err())
        go(_, ctx)
        go(_, vctx)
        cancel()
        assert errs.recv() == C
        assert errs.recv() == C


@needs_threads
def test_when_done_is_closed_the_subtree_is_canceled_and_unlinked():
    for _ in range(100):
        root, rcancel = context.with_cancel(bg)
        ctx, cancel = context.with_cancel(root)
        child, _c = context.with_cancel(ctx)
        vchild = context.with_value(child, Key("k"), 1)
        gchild, _g = context.with_cancel(vchild)
        seen = chan(1)

        def _():
            ctx.done().recv()
            seen.send((child.err(), vchild.err(), gchild.err(), ready(gchild.done()),
                       _context._tctxchildren(root)))
        go(_)
        cancel()
        assert seen.recv() == (C, C, C, True, set())


def test_child_is_canceled_with_its_parent_and_parent_forgets_it():
    ctx1, cancel1 = context.with_cancel(bg)
    ctx11, cancel11 = context.with_cancel(ctx1)
    ctx12, cancel12 = context.with_cancel(ctx1)
    ctx121, cancel121 = context.with_cancel(ctx12)
    assert ctx11.done() != ctx1.done()
    assertCtx(ctx1, {ctx11, ctx12})
    assertCtx(ctx11, Z)
    assertCtx(ctx12, {ctx121})
    assertCtx(ctx121, Z)

    for _ in range(2):
        cancel11()
        assertCtx(ctx1, {ctx12})                  # ctx11 left its parent
        assertCtx(ctx11, Z, err=C, done=True)
        assertCtx(ctx12, {ctx121})                # siblings are not affected
        assertCtx(ctx121, Z)

    for _ in range(2):
        cancel1()
        assertCtx(ctx1, Z, err=C, done=True)
        assertCtx(ctx11, Z, err=C, done=True)
        assertCtx(ctx12, Z, err=C, done=True)     # canceled with its parent
        assertCtx(ctx121, Z, err=C, done=True)    # and its grandparent


def test_canceling_a_child_does_not_cancel_its_parent():
    parent, pcancel = context.with_cancel(bg)
    child, ccancel = context.with_cancel(parent)
    ccancel()
    assertCtx(parent, Z)
    assertCtx(child, Z, err=C, done=True)
    pcancel()
    assertCtx(parent, Z, err=C, done=True)
    assertCtx(child, Z, err=C, done=True)


@needs_threads
def test_children_get_their_parents_error():
    # a deadline that passes cancels the children with deadlineExceeded
    ctx, cancel = context.with_timeout(bg, dt)
    child, ccancel = context.with_cancel(ctx)
    vchild = context.with_value(child, Key("k"), 1)
    gchild, gcancel = context.with_cancel(vchild)
    gchild.done().recv()
    assert ctx.err() == D
    assert child.err() == D
    assert vchild.err() == D
    assert gchild.err() == D
    cancel()
    ccancel()
    gcancel()
    assert gchild.err() == D                      # err does not change after cancel


def test_child_of_canceled_parent_is_canceled_at_once():
    k = Key("hello")
    for perr, mkparent in [(C, lambda: context.with_cancel(bg)),
                           (D, lambda: context.with_deadline(bg, pytime.time() - 1))]:
        parent, pcancel = mkparent()
        pcancel()
        assertCtx(parent, Z, deadline=parent.deadline(), err=perr, done=True)
        pd = parent.deadline()

        ctxC, _ = context.with_cancel(parent)
        assert ctxC.done() != parent.done()
        assertCtx(ctxC, Z, deadline=pd, err=perr, done=True)

        ctxT, _ = context.with_timeout(parent, 100)
        assertCtx(ctxT, Z, deadline=ctxT.deadline(), err=perr, done=True)

        d = pytime.time() + 100
        ctxD, _ = context.with_deadline(parent, d)
        assertCtx(ctxD, Z, deadline=pd if pd is not None else d, err=perr, done=True)

        ctxM1, _ = context.merge(parent, bg)
        assertCtx(ctxM1, Z, deadline=pd, err=perr, done=True)
        other, ocancel = context.with_cancel(bg)
        ctxM2, _ = context.merge(other, parent)
        assertCtx(ctxM2, Z, deadline=pd, err=perr, done=True)
        assertCtx(other, Z)                       # ctxM2 did not stay in other's children
        ocancel()

        ctxV = context.with_value(parent, k, "world")
        assert ctxV.done() is parent.done()
        assert ctxV.value(k) == "world"
        assertCtx(ctxV, Z, deadline=pd, err=perr, done=True)

        # grandchildren, through a value context too
        gchild, _ = context.with_cancel(ctxV)
        assertCtx(gchild, Z, deadline=pd, err=perr, done=True)

        assertCtx(parent, Z, deadline=pd, err=perr, done=True)  # no children kept


def test_many_short_lived_children_leave_the_parent_without_children():
    parent, pcancel = context.with_cancel(bg)
    other, ocancel = context.with_cancel(bg)
    for i in range(1000):
        ctx, cancel = context.with_cancel(parent)
        cancel()
        ctx, cancel = context.with_timeout(parent, 100)
        cancel()
        ctx, cancel = context.with_deadline(parent, pytime.time() + 100)
        cancel()
        ctx, cancel = context.merge(parent, other)
        cancel()
        ctx, cancel = context.merge(other, parent)
        cancel()
        vctx = context.with_value(parent, Key("k"), i)
        ctx, cancel = context.with_cancel(vctx)
        cancel()
    del ctx, cancel, vctx
    gc.collect()
    tctxAssertChildren(parent, set())
    tctxAssertChildren(other, set())
    assert len(parent._children) <= 1    # the internal "alive" mark only
    assert len(other._children) <= 1
    assertCtx(parent, Z)
    pcancel()
    ocancel()


def test_value_context_that_is_no_longer_used_leaves_its_parent():
    parent, pcancel = context.with_cancel(bg)
    vctx = context.with_value(parent, Key("k"), 1)
    tctxAssertChildren(parent, {vctx})
    child, ccancel = context.with_cancel(vctx)
    del vctx
    gc.collect()
    # still used by child: still linked, so that cancel reaches child
    assert len(_context._tctxchildren(parent)) == 1
    pcancel()
    assertCtx(child, Z, err=C, done=True)

    parent, pcancel = context.with_cancel(bg)
    vctx = context.with_value(parent, Key("k"), 1)
    del vctx
    gc.collect()
    tctxAssertChildren(parent, set())
    pcancel()


def test_tctxAssertChildren_raises_when_children_differ():
    parent, pcancel = context.with_cancel(bg)
    child, ccancel = context.with_cancel(parent)
    tctxAssertChildren(parent, {child})
    with pytest.raises(AssertionError) as exc:
        tctxAssertChildren(parent, set())
    assert str(exc.value).startswith("context children differ")
    with pytest.raises(AssertionError):
        tctxAssertChildren(child, {parent})
    pcancel()


def test_cancel_of_a_deep_chain_does_not_recurse():
    N = 5000
    root, rcancel = context.with_cancel(bg)
    ctx = root
    ctxs = []
    for i in range(N):
        if i % 2:
            ctx = context.with_value(ctx, Key(i), i)
        else:
            ctx, _ = context.with_cancel(ctx)
        ctxs.append(ctx)
    assert ctx.value(ctxs[1]._key) == 1     # lookups walk the chain without recursion
    assert ctx.value(Key(1)) is None
    rcancel()
    assert ctx.err() == C
    assert ready(ctx.done())
    for c in ctxs:
        tctxAssertChildren(c, set())


# ---- concurrency ----

@needs_threads
def test_concurrent_cancels_close_done_once():
    for _ in range(50):
        ctx, cancel = context.with_cancel(bg)
        child, ccancel = context.with_cancel(ctx)
        start = chan()
        N = 4

        def callf(f):
            start.recv()
            f()
        dones = [spawn(callf, cancel) for i in range(N)] + \
                [spawn(callf, ccancel) for i in range(N)]
        start.close()
        join(*dones)        # no "close of closed channel" panic
        assertCtx(ctx, Z, err=C, done=True)
        assertCtx(child, Z, err=C, done=True)


@needs_threads
def test_children_created_while_parent_is_canceled_are_all_canceled():
    for _ in range(30):
        parent, pcancel = context.with_cancel(bg)
        start = chan()
        made = chan(1000)

        def mk():
            start.recv()
            for i in range(50):
                ctx, _ = context.with_cancel(parent)
                made.send(ctx)
                made.send(context.with_value(parent, Key(i), i))
                made.send(context.merge(parent, bg)[0])

        dones = [spawn(mk) for _ in range(3)]
        start.close()
        pcancel()
        join(*dones)
        n = 0
        while len(made) > 0:
            ctx = made.recv()
            assert ctx.err() == C
            assert ready(ctx.done())
            tctxAssertChildren(ctx, set())
            n += 1
        assert n == 3*50*3
        assertCtx(parent, Z, err=C, done=True)


# ---- with_value ----

def test_with_value_keys_are_compared_by_identity():
    kHello, kHello2 = Key("hello"), Key("hello")
    assert kHello == kHello2 and kHello is not kHello2
    v = object()
    ctx = context.with_value(bg, kHello, v)
    assert ctx.value(kHello) is v           # the original object
    assert ctx.value(kHello2) is None       # equal, but another key
    assert ctx.value(Key("abc")) is None


def test_with_value_inherits_other_values_and_closest_value_wins():
    kA, kB, kC = Key("a"), Key("b"), Key("c")
    ctx1 = context.with_value(bg, kA, "a1")
    ctx2, cancel2 = context.with_cancel(ctx1)
    ctx3 = context.with_value(ctx2, kB, "b3")
    ctx4 = context.with_value(ctx3, kA, "a4")
    assert ctx4.value(kA) == "a4"
    assert ctx4.value(kB) == "b3"
    assert ctx4.value(kC) is None
    assert ctx3.value(kA) == "a1"
    assert ctx2.value(kA) == "a1"
    assert ctx2.value(kB) is None
    cancel2()
    assert ctx4.value(kA) == "a4"           # values stay after cancel


def test_with_value_shares_its_parents_done_err_and_deadline():
    parent, pcancel = context.with_timeout(bg, 100)
    vctx = context.with_value(parent, Key("k"), 1)
    vvctx = context.with_value(vctx, Key("k2"), 2)
    assert vctx.done() is parent.done()
    assert vvctx.done() is parent.done()
    assert vctx.deadline() == parent.deadline()
    assertCtx(parent, {vctx}, deadline=parent.deadline())
    assertCtx(vctx, {vvctx}, deadline=parent.deadline())
    pcancel()
    assertCtx(parent, Z, deadline=parent.deadline(), err=C, done=True)
    assertCtx(vctx, Z, deadline=parent.deadline(), err=C, done=True)
    assertCtx(vvctx, Z, deadline=parent.deadline(), err=C, done=True)

    v = context.with_value(bg, Key("k"), 1)
    assert v.done() is nilchan
    assert v.err() is None
    assert v.deadline() is None


def test_with_value_of_None_is_found_as_None():
    k = Key("k")
    ctx = context.with_value(context.with_value(bg, k, "x"), k, None)
    assert ctx.value(k) is None


# ---- merge ----

def test_merge_is_done_when_either_parent_is_done():
    for which in (0, 1):
        p1, cancel1 = context.with_cancel(bg)
        p2, cancel2 = context.with_cancel(bg)
        m, mcancel = context.merge(p1, p2)
        assert m.done() != p1.done() and m.done() != p2.done()
        assertCtx(p1, {m})
        assertCtx(p2, {m})
        assertCtx(m, Z)
        [cancel1, cancel2][which]()
        assertCtx(m, Z, err=C, done=True)
        # m left both parents' children
        assertCtx(p1, Z, err=C if which == 0 else None, done=which == 0)
        assertCtx(p2, Z, err=C if which == 1 else None, done=which == 1)
        cancel1()
        cancel2()


def test_merge_cancel_cancels_only_the_merged_context():
    p1, cancel1 = context.with_cancel(bg)
    p2, cancel2 = context.with_cancel(bg)
    m, mcancel = context.merge(p1, p2)
    mchild, _ = context.with_cancel(m)
    mcancel()
    assertCtx(m, Z, err=C, done=True)
    assertCtx(mchild, Z, err=C, done=True)
    assertCtx(p1, Z)
    assertCtx(p2, Z)
    cancel1()
    cancel2()


@needs_threads
def test_merge_gets_a_deadline_parents_error():
    p1, cancel1 = context.with_cancel(bg)
    p2, cancel2 = context.with_timeout(bg, dt)
    m, mcancel = context.merge(p1, p2)
    m.done().recv()
    assert m.err() == D
    assertCtx(p1, Z)
    cancel1()
    mcancel()
    assert m.err() == D


def test_merge_values_are_merged_with_first_parent_winning():
    kA, kB, kC, kD = Key("a"), Key("b"), Key("c"), Key("d")
    p1 = context.with_value(context.with_value(bg, kA, "a1"), kB, "b1")
    p2 = context.with_value(context.with_value(bg, kA, "a2"), kC, "c2")
    m, mcancel = context.merge(p1, p2)
    assert m.value(kA) == "a1"
    assert m.value(kB) == "b1"
    assert m.value(kC) == "c2"
    assert m.value(kD) is None
    m2, mcancel2 = context.merge(p2, p1)
    assert m2.value(kA) == "a2"
    mcancel()
    mcancel2()


def test_merge_deadline_is_the_earliest_one():
    t0 = pytime.time()
    pA, cA = context.with_deadline(bg, t0 + 100)
    pB, cB = context.with_deadline(bg, t0 + 200)
    for p1, p2, d in [(pA, pB, t0 + 100), (pB, pA, t0 + 100), (pA, bg, t0 + 100),
                      (bg, pB, t0 + 200), (bg, bg, None)]:
        m, mcancel = context.merge(p1, p2)
        assert m.deadline() == d
        mcancel()
    cA()
    cB()


def test_merge_of_background_with_itself_is_canceled_only_by_cancel():
    m, mcancel = context.merge(bg, bg)
    assertCtx(m, Z)
    mcancel()
    assertCtx(m, Z, err=C, done=True)


# ---- deadlines ----

def test_with_deadline_deadline_is_the_earliest_of_parents_and_given():
    t0 = pytime.time()
    d1, d2, d3 = t0 + 100, t0 + 200, t0 + 300
    ctx1, cancel1 = context.with_deadline(bg, d2)
    assertCtx(ctx1, Z, deadline=d2)
    assert isinstance(ctx1.deadline(), float)

    ctx11, cancel11 = context.with_deadline(ctx1, d3)   # later than the parent's
    assertCtx(ctx11, Z, deadline=d2)
    ctx12, cancel12 = context.with_deadline(ctx1, d1)   # earlier
    assertCtx(ctx12, Z, deadline=d1)
    ctx13, cancel13 = context.with_cancel(ctx1)
    assertCtx(ctx13, Z, deadline=d2)
    assertCtx(ctx1, {ctx11, ctx12, ctx13}, deadline=d2)

    cancel1()       # explicit cancel first: canceled, not deadlineExceeded
    for ctx, d in [(ctx1, d2), (ctx11, d2), (ctx12, d1), (ctx13, d2)]:
        assertCtx(ctx, Z, deadline=d, err=C, done=True)


def test_deadline_int_is_returned_as_float():
    d = int(pytime.time()) + 1000
    ctx, cancel = context.with_deadline(bg, d)
    assert ctx.deadline() == d
    assert type(ctx.deadline()) is float
    cancel()


@needs_threads
def test_with_deadline_expires_with_deadlineExceeded():
    t0 = pytime.time()
    ctx, cancel = context.with_deadline(bg, t0 + dt)
    child, ccancel = context.with_cancel(ctx)
    assertCtx(ctx, {child}, deadline=t0 + dt)
    ctx.done().recv()
    elapsed = pytime.time() - t0
    assert elapsed >= dt * 0.5          # loose: clocks and timers may differ a bit
    assertCtx(ctx, Z, deadline=t0 + dt, err=D, done=True)
    assertCtx(child, Z, deadline=t0 + dt, err=D, done=True)
    cancel()                            # cancel after expiry changes nothing
    assertCtx(ctx, Z, deadline=t0 + dt, err=D, done=True)


@needs_threads
def test_with_timeout_deadline_is_now_plus_timeout_and_it_expires():
    t0 = pytime.time()
    ctx, cancel = context.with_timeout(bg, dt)
    t1 = pytime.time()
    d = ctx.deadline()
    assert t0 + dt - 1 <= d <= t1 + dt + 1   # loose: golang.time.now may be another clock
    assertCtx(ctx, Z, deadline=d)
    ctx.done().recv()
    assertCtx(ctx, Z, deadline=d, err=D, done=True)
    cancel()


@needs_threads
def test_earlier_child_deadline_expires_before_parents():
    parent, pcancel = context.with_timeout(bg, 100)
    child, ccancel = context.with_timeout(parent, dt)
    child.done().recv()
    assert child.err() == D
    assertCtx(parent, Z, deadline=parent.deadline())     # child left its parent
    pcancel()
    assert child.err() == D


def test_with_deadline_in_the_past_is_canceled_at_once_with_deadlineExceeded():
    d = pytime.time() - 10
    ctx, cancel = context.with_deadline(bg, d)
    assertCtx(ctx, Z, deadline=d, err=D, done=True)
    cancel()
    assertCtx(ctx, Z, deadline=d, err=D, done=True)
    ctx, cancel = context.with_timeout(bg, -1)
    assert ctx.err() == D
    ctx, cancel = context.with_timeout(bg, 0)
    assert ctx.err() == D


@needs_threads
def test_cancel_before_deadline_gives_canceled_and_disarms_the_timer():
    ctx, cancel = context.with_timeout(bg, dt)
    cancel()
    assert ctx._timer is None
    # wait past the deadline (another timer): err stays canceled
    ctx2, cancel2 = context.with_timeout(bg, 2*dt)
    ctx2.done().recv()
    assert ctx.err() == C
    cancel2()


def test_canceled_deadline_context_is_not_kept_alive_by_its_timer():
    parent, pcancel = context.with_cancel(bg)
    for cancelby in ('cancel', 'parent'):
        ctx, cancel = context.with_timeout(parent, 100)
        r = weakref.ref(ctx)
        if cancelby == 'cancel':
            cancel()
        else:
            pcancel()
        del ctx, cancel
        gc.collect()
        assert r() is None


# ---- the core's contexts ----

def test_context_api_is_the_cores():
    from golang import _golang
    assert context.Context is _golang.PyContext
    assert context.with_cancel is _golang.ctx_with_cancel
    assert context.background() is _golang.ctx_background()


def test_reference_cycle_through_a_value_is_collected():
    class Holder(object):
        pass
    parent, pcancel = context.with_cancel(bg)
    h = Holder()
    vctx = context.with_value(parent, Key("k"), h)
    child, ccancel = context.with_cancel(vctx)
    h.ctx = child                   # value -> child -> vctx -> value
    r = weakref.ref(child)
    del h, vctx, child, ccancel
    gc.collect()
    assert r() is None
    tctxAssertChildren(parent, set())
    pcancel()


def test_dropping_a_deep_chain_of_contexts_does_not_recurse():
    N = 200000
    root, rcancel = context.with_cancel(bg)
    ctx = root
    for i in range(N):
        ctx = context.with_value(ctx, i, i)
    ctx, _ = context.with_cancel(ctx)
    r = weakref.ref(ctx)
    assert ctx.value(0) == 0
    del ctx, _
    gc.collect()
    assert r() is None              # and the process is still here
    rcancel()


def test_a_context_canceled_at_birth_gets_a_closed_done_of_its_own():
    parent, pcancel = context.with_cancel(bg)
    pcancel()
    kids = [context.with_cancel(parent)[0], context.with_timeout(parent, 100)[0],
            context.merge(parent, bg)[0], context.with_deadline(bg, pytime.time() - 1)[0],
            context.with_timeout(bg, 0)[0]]
    dones = [parent.done()] + [k.done() for k in kids]
    for i, d in enumerate(dones):
        assert ready(d)
        for e in dones[i+1:]:
            assert d != e
