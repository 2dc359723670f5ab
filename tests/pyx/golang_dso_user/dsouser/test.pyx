# cython: language_level=3
# distutils: language=c++
from golang cimport topyexc

cdef extern from *:
    """
    void dsotest();
    """
    void dsotest() nogil except +topyexc


def main():
    with nogil:
        dsotest()
