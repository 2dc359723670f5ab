# cython: language_level=3
# golang/os/_signal.pxd: Go's os/signal for Cython nogil code (Pygolang 0.1
# names), over the header-only golang/os/signal.h; `from golang.os cimport
# signal` gives it through golang/os/signal.pxd.
#
# Notify(ch, sigv) sends the signals of sigv (all signals if sigv is empty)
# to ch; Stop(ch) unsubscribes ch; Ignore(sigv) and Reset(sigv) ignore the
# signals, or give them back their original action (all if empty). Same
# semantics and panics as Python's golang.os.signal (one implementation
# serves both), so a chan[os.Signal] can be shared with Python
# (pychan._from_chan_osSignal(ch), pych._chan_osSignal()).
#
# What differs from Pygolang: a chan[os.Signal] that wraps a raw channel of
# other elements panics "pychan: channel type mismatch" (Pygolang cannot
# tell). As in Pygolang, subscribing SIGINT from nogil code does not turn
# off Python's KeyboardInterrupt (only Python's Notify does).

from golang cimport chan
from golang cimport os

from libcpp.vector cimport vector

cdef extern from "golang/os/signal.h" namespace "golang::os::signal" nogil:
    void Notify(chan[os.Signal] ch, vector[os.Signal] sigv)
    void Stop(chan[os.Signal] ch)
    void Ignore(vector[os.Signal] sigv)
    void Reset(vector[os.Signal] sigv)
