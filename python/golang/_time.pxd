# cython: language_level=3
# golang/_time.pxd: the nogil time API (`from golang cimport time`), the part
# of Pygolang 0.1's that is implemented: the duration constants, sleep and
# now. Timers, tickers, tick/after/after_func are not declared yet.

cdef extern from "golang/time.h" namespace "golang::time" nogil:
    const double second
    const double nanosecond
    const double microsecond
    const double millisecond
    const double minute
    const double hour

    void   sleep(double dt)
    double now()
