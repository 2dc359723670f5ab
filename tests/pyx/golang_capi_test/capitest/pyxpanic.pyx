# distutils: language=c++
# Pygolang's form of a nogil function whose panics reach Python: a NON-extern
# cdef function declared `except +topyexc` (Cython 0.29 only; Cython 3 takes
# a named C++ exception handler on extern functions only).

from golang cimport chan, pychan, topyexc, sync, time

cdef nogil:

    void _close_nil() except +topyexc:
        cdef chan[int] ch    # nil
        ch.close()           # panics: close of nil channel

    void _chan_int_of(pychan pych) except +topyexc:
        pych.chan_int()      # panics for another dtype: pychan: channel type mismatch

    void _rw_misuse(int which) except +topyexc:
        cdef sync.RWMutex mu
        if which == 0:
            mu.Unlock()
        elif which == 1:
            mu.RUnlock()
        elif which == 2:
            mu.UnlockToRLock()
        else:
            time.new_ticker(0)


def close_nil():
    _close_nil()

def chan_int_of(pychan pych):
    with nogil:
        _chan_int_of(pych)


def rw_misuse(int which):
    with nogil:
        _rw_misuse(which)
