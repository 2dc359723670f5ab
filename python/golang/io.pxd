# cython: language_level=3
# golang/io.pxd: Go's io errors for Cython nogil code (Pygolang 0.1 names),
# over the header-only golang/io.h: one error object per process each.

from golang cimport error

cdef extern from "golang/io.h" namespace "golang::io" nogil:
    error   EOF "golang::io::EOF_"
    error   ErrUnexpectedEOF
