# cython: language_level=3
# distutils: language = c++
# context and sync.WorkGroup from nogil code (golang/context.h);
# tests/python/test_capi_pyx.py checks what the functions report.

from golang cimport chan, structZ, select, default, nil, error, interface, cbool, errors, sync, time
from golang cimport context
from libcpp.utility cimport pair


cdef cbool _is_done(context.Context ctx) noexcept nogil:
    return select([ctx.done().recvs(), default]) == 0


cdef struct _Out:
    cbool bg_inf
    cbool bg_done_nil
    cbool bg_err_nil
    cbool not_done_before
    cbool done_after
    cbool err_canceled
    cbool child_done
    cbool child_err_canceled
    int children_before
    int children_after
    cbool value_found
    cbool value_missing
    cbool value_through_cancel
    cbool timeout_done
    cbool timeout_err
    cbool past_deadline_done
    cbool deadline_min
    cbool merge_done_by_second
    cbool merge_value_second
    cbool cancel_again_harmless


cdef int _k1 = 1
cdef int _k2 = 2


cdef _Out _contexts() noexcept nogil:
    cdef _Out o
    bg = context.background()
    o.bg_inf = bg.deadline() > 1e300
    o.bg_done_nil = bg.done() == nil
    o.bg_err_nil = bg.err() == nil

    c = context.with_cancel(bg)
    ctx = c.first
    child = context.with_cancel(ctx)
    o.children_before = context._tctxchildren(ctx).size()
    o.not_done_before = not _is_done(ctx)
    c.second()
    o.done_after = _is_done(ctx)
    o.err_canceled = ctx.err().eq(context.canceled)
    o.child_done = _is_done(child.first)
    o.child_err_canceled = errors.Is(child.first.err(), context.canceled)
    c.second()   # again: nothing
    o.cancel_again_harmless = ctx.err().eq(context.canceled)

    p = context.with_cancel(bg)
    k = context.with_cancel(p.first)
    k.second()                                  # unregisters from p
    o.children_after = context._tctxchildren(p.first).size()

    e = errors.New(b"v1")
    vctx = context.with_value(bg, &_k1, <interface>e)
    o.value_found = vctx.value(&_k1).eq(<interface>e)
    o.value_missing = vctx.value(&_k2) == nil
    vc = context.with_cancel(vctx)
    o.value_through_cancel = vc.first.value(&_k1).eq(<interface>e)

    t = context.with_timeout(bg, 1 * time.millisecond)
    t.first.done().recv()
    o.timeout_done = True
    o.timeout_err = t.first.err().eq(context.deadlineExceeded)
    d = context.with_deadline(bg, time.now() - 1)
    o.past_deadline_done = _is_done(d.first)
    d2 = context.with_deadline(bg, time.now() + 3600)
    d3 = context.with_deadline(d2.first, time.now() + 7200)
    o.deadline_min = d3.first.deadline() == d2.first.deadline()

    a = context.with_cancel(bg)
    b = context.with_cancel(context.with_value(bg, &_k2, <interface>e))
    m = context.merge(a.first, b.first)
    b.second()
    o.merge_done_by_second = _is_done(m.first)
    o.merge_value_second = m.first.value(&_k2).eq(<interface>e)
    d.second(); d2.second(); d3.second(); a.second(); m.second(); vc.second(); p.second(); t.second()
    return o


def contexts():
    cdef _Out o
    with nogil:
        o = _contexts()
    return o


# WorkGroup: the first error cancels the group's context (the others see it
# done) and wait gives that error.
cdef error _fails(context.Context ctx) noexcept nogil:
    return errors.New(b"boom")

cdef error _waits(context.Context ctx) noexcept nogil:
    ctx.done().recv()
    return ctx.err()

cdef error _ok(context.Context ctx) noexcept nogil:
    cdef error none
    return none


def workgroup():
    cdef error err
    cdef error err2
    with nogil:
        wg = sync.NewWorkGroup(context.background())
        wg.go(_waits)
        wg.go(_fails)
        wg.go(_waits)
        err = wg.wait()
        wg2 = sync.NewWorkGroup(context.background())
        wg2.go(_ok)
        wg2.go(_ok)
        err2 = wg2.wait()
    return err.Error().decode(), err2 == nil
