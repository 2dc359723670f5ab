# cython: language_level=3
# distutils: language=c++
# Goroutines and a chan[int] in nogil code, through `from golang cimport`.

from golang cimport go, chan, makechan
from libc.stdio cimport printf


def main():
    _main()


# Pygolang 0.1 declares `_main() except +topyexc`; Cython 3 accepts a named
# C++ exception handler only on extern functions, so the closest form is
# `except +` (a panic reaches Python as RuntimeError(msg) instead of
# _PanicError(msg)); see README, "Cython and C++".
cdef void _main() except + nogil:
    cdef chan[int] ch = makechan[int]()    # unbuffered
    cdef int i
    for i in range(3):
        go(worker, ch, i, 4)
    for i in range(3):
        ch.recv()
    ch.close()
    _ = ch.recv_()    # closed: (0, false)
    printf("test.pyx: OK\n")


cdef void worker(chan[int] ch, int i, int size) noexcept nogil:
    ch.send(i * size)
