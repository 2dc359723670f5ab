# cython: language_level=3
# distutils: language = c++
# Python chans and nogil code sharing one channel (Pygolang's pychan API:
# pych.chan_X() and pychan.from_chan_X(ch)); tests/python/test_capi_pyx.py
# drives it. Compiles with Cython 0.29 and 3.

from golang cimport chan, makechan, pychan, structZ, nil, cbool, go, DType, _chan

cdef extern from "golang/libgolang.h" namespace "golang" nogil:
    int _chanrefcnt(_chan *ch)


# ---- one operation through nogil code, per dtype (Pygolang's
# pychan_X_{send,recv,close} test hooks) ----

def structZ_send(pychan pych):
    cdef structZ z
    with nogil:
        pych.chan_structZ().send(z)

def structZ_recv(pychan pych):
    with nogil:
        pych.chan_structZ().recv()

def bool_send(pychan pych, cbool v):
    with nogil:
        pych.chan_bool().send(v)

def bool_recv(pychan pych):
    cdef cbool v
    with nogil:
        v = pych.chan_bool().recv()
    return v

def int_send(pychan pych, int v):
    with nogil:
        pych.chan_int().send(v)

def int_recv_(pychan pych):
    cdef int v
    cdef cbool ok
    with nogil:
        c = pych.chan_int()
        r = c.recv_()
    return r.first, r.second

def int_close(pychan pych):
    with nogil:
        pych.chan_int().close()

def double_send(pychan pych, double v):
    with nogil:
        pych.chan_double().send(v)

def double_recv(pychan pych):
    cdef double v
    with nogil:
        v = pych.chan_double().recv()
    return v


# ---- C-made channels handed to Python ----

def from_c_int(int n):
    """A chan[int] made in C++ with n values buffered, as a Python chan."""
    cdef chan[int] ch = makechan[int](n)
    cdef int i
    with nogil:
        for i in range(n):
            ch.send(i * 10)
    return pychan.from_chan_int(ch)

def from_c_double():
    cdef chan[double] ch = makechan[double](1)
    with nogil:
        ch.send(2.5)
    return pychan.from_chan_double(ch)

def from_c_structZ_closed():
    cdef chan[structZ] ch = makechan[structZ](0)
    ch.close()
    return pychan.from_chan_structZ(ch)

def from_c_nil_int():
    cdef chan[int] ch     # nil
    return pychan.from_chan_int(ch)

def nil_cached(int dtype):
    return pychan._nil(<DType>dtype)

def same_raw_chan(pychan pych):
    """pych.chan_int() twice, and through from_chan_int: the same raw
    channel each time, and the reference counts add up."""
    cdef chan[int] a = pych.chan_int()
    cdef chan[int] b = pych.chan_int()
    p2 = pychan.from_chan_int(a)
    cdef chan[int] c = (<pychan>p2).chan_int()
    n_with = _chanrefcnt(a._rawchan())
    del p2
    n_without = _chanrefcnt(a._rawchan())
    return a._rawchan() == b._rawchan(), a._rawchan() == c._rawchan(), a._rawchan() == pych._ch, n_with - n_without

def nil_of_nil_pychan(pychan pych):
    """pych.chan_int() of a nil pychan is a nil chan[int]."""
    cdef chan[int] c = pych.chan_int()
    return c == nil


# ---- both sides at once: a nogil goroutine echoes what Python sends ----

cdef void _echo(chan[int] inp, chan[int] out) nogil:
    cdef int v
    cdef cbool ok
    while True:
        r = inp.recv_()
        if not r.second:
            break
        out.send(r.first * 2)
    out.close()

def start_echo(pychan inp, pychan out):
    """A nogil goroutine: doubles each int from `inp` to `out` until `inp`
    is closed, then closes `out`."""
    cdef chan[int] i = inp.chan_int()
    cdef chan[int] o = out.chan_int()
    with nogil:
        go(_echo, i, o)


# ---- where nogil goroutines run: OS threads (thread runtime), or greenlets
# of the caller's thread (gevent runtime), as in Pygolang ----

cdef extern from "<pthread.h>" nogil:
    ctypedef unsigned long pthread_t
    pthread_t pthread_self()

cdef void _report_thread(chan[pthread_t] out) noexcept nogil:
    out.send(pthread_self())

def goroutine_runs_on_callers_thread():
    cdef chan[pthread_t] out = makechan[pthread_t](1)
    cdef pthread_t t
    with nogil:
        go(_report_thread, out)
        t = out.recv()
    return t == pthread_self()


# ---- os.Signal: the nogil struct, Python's os.Signal, and channels of
# dtype 'C.os::Signal' shared both ways ----

from golang cimport os

def signals(pychan pych):
    """Sends SIGINT on pych (a Python chan of os.Signal) from nogil code;
    gives what nogil code sees of signals."""
    cdef os.Signal s = os._Signal_from_int(2)
    with nogil:
        pych._chan_osSignal().send(s)
    cdef chan[os.Signal] ch = makechan[os.Signal](1)
    ch.send(os._Signal_from_int(15))
    p = pychan._from_chan_osSignal(ch)
    return (s.String().decode(), os._Signal_from_int(34).String().decode(),
            os.PySignal.from_sig(s), p)
