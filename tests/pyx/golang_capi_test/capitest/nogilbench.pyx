# cython: language_level=3
# distutils: language = c++
# The nogil workloads of Pygolang 0.1's own benchmarks (bench_go_nogil,
# bench_chan_nogil, bench_select_nogil in golang/_golang_test.pyx), written
# for this runtime: benches/python/nogilbench.py runs them beside
# Pygolang's in one run. `b` is anything with an int attribute N.

from golang cimport chan, makechan, structZ, select, go, cbool


def bench_go_nogil(b):
    cdef int N = b.N
    with nogil:
        _go(N)

cdef void _go(int N) noexcept nogil:
    cdef chan[int] done = makechan[int]()
    cdef int i
    for i in range(N):
        go(_go_child, done)
        done.recv()

cdef void _go_child(chan[int] done) noexcept nogil:
    done.send(1)


def bench_chan_nogil(b):
    cdef int N = b.N
    with nogil:
        _chan(N)

cdef void _chan(int N) noexcept nogil:
    cdef chan[int] ch = makechan[int]()
    cdef chan[structZ] done = makechan[structZ]()
    cdef int i
    go(_chan_child, ch, done)
    for i in range(N):
        ch.send(1)
    ch.close()
    done.recv()

cdef void _chan_child(chan[int] ch, chan[structZ] done) noexcept nogil:
    while True:
        r = ch.recv_()
        if not r.second:
            done.close()
            return


def bench_select_nogil(b):
    cdef int N = b.N
    with nogil:
        _select(N)

cdef void _select(int N) noexcept nogil:
    cdef chan[int] ch1 = makechan[int]()
    cdef chan[int] ch2 = makechan[int]()
    cdef chan[structZ] done = makechan[structZ]()
    cdef int i
    go(_select_child, ch1, ch2, done)
    for i in range(N):
        if i & 1:
            ch1.send(1)
        else:
            ch2.send(1)
    ch1.close()
    done.recv()

cdef void _select_child(chan[int] ch1, chan[int] ch2, chan[structZ] done) noexcept nogil:
    cdef int v
    cdef cbool ok
    cdef int k
    while True:
        k = select([ch1.recvs(&v, &ok), ch2.recvs(&v, &ok)])
        if k == 0 and not ok:
            done.close()
            return
