# cython: language_level=3
# distutils: language = c++
# time's timers and tickers and sync.RWMutex from nogil code
# (golang/time.h, golang/sync.h); tests/python/test_capi_pyx.py checks what
# `run()` reports. Timing is checked loosely (the machine may be loaded):
# only order and "did not fire" / "fired".

from golang cimport chan, makechan, select, default, go, nil, cbool, structZ, sync, time


cdef chan[int] _fired

cdef void _on_timer() noexcept nogil:
    _fired.send(1)


cdef struct _Out:
    cbool after_fired
    cbool timer_fired
    cbool stop_armed
    cbool stop_again
    cbool stopped_empty
    cbool reset_fired
    cbool after_func_ran
    cbool stopped_func_ran
    int ticks
    cbool ticker_empty_after_stop
    cbool tick_nil


cdef _Out _timers() noexcept nogil:
    global _fired
    cdef _Out o
    cdef double v
    cdef int x
    o.after_fired = time.after(1 * time.millisecond).recv() > 0

    t = time.new_timer(1 * time.millisecond)
    o.timer_fired = t.c.recv() > 0
    t.reset(1 * time.hour)
    o.stop_armed = t.stop()          # armed: True
    o.stop_again = t.stop()          # already stopped: False
    o.stopped_empty = select([t.c.recvs(&v), default]) == 1
    t.reset(1 * time.millisecond)
    o.reset_fired = t.c.recv() > 0

    _fired = makechan[int](2)
    f = time.after_func(1 * time.millisecond, _on_timer)
    o.after_func_ran = _fired.recv() == 1
    g = time.after_func(1 * time.hour, _on_timer)
    g.stop()
    o.stopped_func_ran = select([_fired.recvs(&x), default]) == 0

    tx = time.new_ticker(1 * time.millisecond)
    o.ticks = 0
    while o.ticks < 3:
        tx.c.recv()
        o.ticks += 1
    tx.stop()
    o.ticker_empty_after_stop = tx.c.len() == 0
    o.tick_nil = time.tick(0) == nil
    return o


def timers():
    cdef _Out o
    with nogil:
        o = _timers()
    return o


# RWMutex: readers share, a writer excludes readers and writers; the steps
# are reported in order on a channel.
cdef cppclass _RW:
    sync.RWMutex mu
    chan[int] log


cdef void _reader(_RW *s) noexcept nogil:
    s.mu.RLock()
    s.log.send(2)           # a second reader gets in beside the first
    s.mu.RUnlock()


cdef void _writer(_RW *s) noexcept nogil:
    s.mu.Lock()             # waits for the reader
    s.log.send(4)
    s.mu.Unlock()


def rwmutex():
    cdef _RW *s = new _RW()
    cdef int a, b, c, d
    s.log = makechan[int](8)
    with nogil:
        s.mu.RLock()
        s.log.send(1)
        go(_reader, s)
        a = s.log.recv()        # 1
        b = s.log.recv()        # 2: shared read
        go(_writer, s)
        time.sleep(5 * time.millisecond)
        s.log.send(3)           # the writer is still out: the first reader holds
        s.mu.RUnlock()
        c = s.log.recv()        # 3
        d = s.log.recv()        # 4: the writer, after the last reader
        s.mu.Lock()
        s.mu.UnlockToRLock()    # write lock -> read lock
        s.mu.RUnlock()
    del s
    return [a, b, c, d]
