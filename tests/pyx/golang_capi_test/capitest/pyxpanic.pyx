# distutils: language=c++
# Pygolang's form of a nogil function whose panics reach Python: a NON-extern
# cdef function declared `except +topyexc` (Cython 0.29 only; Cython 3 takes
# a named C++ exception handler on extern functions only).

from golang cimport chan, topyexc

cdef nogil:

    void _close_nil() except +topyexc:
        cdef chan[int] ch    # nil
        ch.close()           # panics: close of nil channel


def close_nil():
    _close_nil()
