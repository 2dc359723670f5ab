# cython: language_level=3
# golang/errors.pxd: Go's errors package for Cython nogil code (Pygolang 0.1
# names), over the header-only golang/errors.h.
#
#  - `New(text)` makes a new error with that text.
#  - `Unwrap(err)` gives the error that err wraps, or nil.
#  - `Is(err, target)` tells whether target is err or in its Unwrap chain.

from golang cimport error, string, cbool

cdef extern from "golang/errors.h" namespace "golang::errors" nogil:
    error New(const string& text)
    error Unwrap(error err)
    cbool Is(error err, error target)
