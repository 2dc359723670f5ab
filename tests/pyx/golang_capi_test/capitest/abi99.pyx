# cython: language_level=3
# distutils: language=c++
from golang cimport chan, makechan, topyexc

cdef extern from *:
    """
    static void _abi99_make() { golang::makechan<int>(); }
    """
    void _abi99_make() nogil except +topyexc


def make():
    with nogil:
        _abi99_make()
