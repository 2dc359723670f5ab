# cython: language_level=3
# golang/_os.pxd: os.Signal for Cython nogil code (Pygolang 0.1 names), over
# golang/os.h; `from golang cimport os` gives it through golang/os.pxd.
# `PySignal` is the native core's class `golang._os.PySignal` (Python's
# os.Signal), laid out as this declaration says; `from_sig` is inline here.

cimport cython
from libcpp.string cimport string

cdef extern from "golang/os.h" namespace "golang::os" nogil:
    struct Signal:
        int signo
        string String()

    Signal _Signal_from_int(int signo)
    object _pysignal_from_int(int signo)


@cython.final
cdef class PySignal:
    cdef Signal sig

    # Python's os.Signal for a nogil Signal
    @staticmethod
    cdef inline PySignal from_sig(Signal sig):
        return _pysignal_from_int(sig.signo)
