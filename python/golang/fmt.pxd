# cython: language_level=3
# golang/fmt.pxd: Go's fmt for Cython nogil code (Pygolang 0.1 names), over
# the header-only golang/fmt.h.
#
#  - `sprintf(format, ...)` formats text into a string (libc's rules).
#  - `errorf(format, ...)` formats text into an error; a format ending with
#    ": %w" and an error as the last argument wraps that error.

from golang cimport string, error

cdef extern from "golang/fmt.h" namespace "golang::fmt" nogil:
    string sprintf(const string &format, ...)
    error  errorf (const string &format, ...)
    string sprintf(const char *format, ...)
    error  errorf (const char *format, ...)
