# distutils: language=c++
# Goroutines and a chan[int] in nogil code, through `from golang cimport`:
# the source shape of Pygolang 0.1's golang_pyx_user demo, so that it builds
# unchanged (with Cython 0.29, as Pygolang's own build uses; Cython 3 accepts
# `except +topyexc` only on extern functions, see README, "Cython and C++").

from golang cimport go, chan, makechan, topyexc
from libc.stdio cimport printf

cdef nogil:

    # each worker sends one product to main
    void worker(chan[int] ch, int i, int j):
        ch.send(i * j)

    # a panic in here reaches Python as golang._PanicError (topyexc)
    void _main() except +topyexc:
        cdef chan[int] ch = makechan[int]()    # unbuffered
        cdef int i
        for i in range(3):
            go(worker, ch, i, 4)

        for i in range(3):
            ch.recv()

        ch.close()
        ch.recv_()    # closed: (0, false), without blocking

        printf("test.pyx: OK\n")


def main():
    _main()
