# SPDX-License-Identifier: MIT OR Apache-2.0
"""golang.context from async goroutines, on the virtual clock of golang.run
(API.md: context). These run on both cores: natively and under Pyodide,
where the thread-based tests of test_context.py cannot run.

Every "when" is an exact virtual timestamp; goroutines synchronise through
channels and `await ctx.done().arecv()`.
"""

import golang
from golang import go, chan, aselect, default, context, time

from golang._context import _tctxAssertChildren

from _golang_testutil import watchdog  # noqa: F401  (autouse fixture)

T0 = 1700000000.0


def run(main, seed=1):
    return golang.run(main, seed=seed)


def test_cancel_closes_done_and_sets_err_to_canceled():
    async def main():
        ctx, cancel = context.with_cancel(context.background())
        assert ctx.err() is None
        assert await aselect(ctx.done().recv, default) == (1, None)
        cancel()
        await ctx.done().arecv()
        cancel()        # a second cancel does nothing
        return ctx.err()
    assert run(main) == context.canceled


def test_cancel_wakes_every_goroutine_waiting_on_done():
    async def main():
        ctx, cancel = context.with_cancel(context.background())
        woke = chan(3)

        async def waiter(i):
            await ctx.done().arecv()
            await woke.asend((i, time.now()))
        for i in range(3):
            go(waiter, i)
        await time.asleep(2)
        cancel()
        return sorted([await woke.arecv() for _ in range(3)])
    assert run(main) == [(0, T0 + 2), (1, T0 + 2), (2, T0 + 2)]


def test_timeout_cancels_at_its_deadline_with_deadline_exceeded():
    async def main():
        ctx, cancel = context.with_timeout(context.background(), 5)
        assert ctx.deadline() == T0 + 5
        await ctx.done().arecv()
        t = time.now()
        cancel()
        return t, ctx.err()
    t, err = run(main)
    assert t == T0 + 5
    assert err == context.deadlineExceeded


def test_child_is_canceled_with_parent_and_parent_not_with_child():
    async def main():
        parent, pcancel = context.with_cancel(context.background())
        child, ccancel = context.with_cancel(parent)
        assert child.done() != parent.done()
        ccancel()
        assert parent.err() is None
        child2, _ = context.with_timeout(parent, 100)
        await time.asleep(1)
        pcancel()
        await child2.done().arecv()
        return child.err(), child2.err(), time.now()
    assert run(main) == (context.canceled, context.canceled, T0 + 1)


def test_child_deadline_is_the_earlier_of_its_own_and_its_parents():
    async def main():
        parent, _ = context.with_timeout(context.background(), 3)
        child, _ = context.with_deadline(parent, time.now() + 10)
        await child.done().arecv()
        return child.deadline(), time.now(), child.err()
    d, t, err = run(main)
    assert d == T0 + 3
    assert t == T0 + 3
    assert err == context.deadlineExceeded


def test_value_is_found_by_key_identity_through_children():
    class Key:
        def __eq__(self, other):
            return True         # equal to everything: identity must be used

        def __hash__(self):
            return 0

    async def main():
        k1, k2 = Key(), Key()
        ctx = context.with_value(context.background(), k1, 'v1')
        ctx, cancel = context.with_cancel(ctx)
        ctx = context.with_value(ctx, k2, 'v2')
        r = (ctx.value(k1), ctx.value(k2), ctx.value(Key()))
        cancel()
        await ctx.done().arecv()
        return r, ctx.err()
    assert run(main) == (('v1', 'v2', None), context.canceled)


def test_merge_is_done_when_either_parent_is_and_takes_values_from_the_first():
    async def main():
        p1 = context.with_value(context.background(), 'k', 'from p1')
        p1, c1 = context.with_cancel(p1)
        p2 = context.with_value(context.background(), 'k', 'from p2')
        p2, c2 = context.with_timeout(p2, 4)
        m, mcancel = context.merge(p1, p2)
        v = m.value('k')
        await m.done().arecv()
        c1()
        return v, m.deadline(), time.now(), m.err()
    assert run(main) == ('from p1', T0 + 4, T0 + 4, context.deadlineExceeded)


def test_many_short_lived_children_leave_the_parent_without_children():
    async def main():
        parent, cancel = context.with_cancel(context.background())
        for i in range(1000):
            ctx, c = context.with_timeout(parent, 1 + i % 3)
            if i % 2:
                c()
            else:
                await ctx.done().arecv()
        _tctxAssertChildren(parent, set())
        cancel()
        return time.now() >= T0 + 1
    assert run(main)
