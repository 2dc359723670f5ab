# cython: language_level=3
# golang/_time.pxd: the nogil time API (`from golang cimport time`) of
# Pygolang 0.1: the duration constants, sleep, now, tick, after, after_func,
# Ticker and Timer (golang/time.h).

from golang cimport chan, refptr, cbool

cdef extern from "golang/time.h" namespace "golang::time" nogil:
    const double second
    const double nanosecond
    const double microsecond
    const double millisecond
    const double minute
    const double hour

    void   sleep(double dt)
    double now()

    cppclass _Ticker:
        chan[double] c
        void stop()

    cppclass Ticker (refptr[_Ticker]):
        # Ticker.X = Ticker->X in C++
        chan[double] c  "_ptr()->c"
        void stop       "_ptr()->stop" ()

    Ticker new_ticker(double dt)

    cppclass _Timer:
        chan[double] c
        cbool stop()
        void reset(double dt)

    cppclass Timer (refptr[_Timer]):
        chan[double] c  "_ptr()->c"
        cbool stop      "_ptr()->stop" ()
        void reset      "_ptr()->reset" (double dt)

    Timer new_timer(double dt)

    chan[double] tick(double dt)
    chan[double] after(double dt)
    Timer after_func(double dt, ...)    # f: func<void()>
