# cython: language_level=3
# distutils: language = c++
# Go's os/signal from nogil code (golang/os/signal.h: `from golang.os cimport
# signal`), on the one signal implementation Python's golang.os.signal
# uses; tests/python/test_capi_pyx.py drives it (signals are sent with
# kill to this process; every wait is a channel receive). Compiles with
# Cython 0.29 and 3.

from golang cimport chan, makechan, pychan, nil, cbool
from golang cimport os
from golang.os cimport signal
from libcpp.vector cimport vector
from libcpp.string cimport string

cdef extern from "<signal.h>" nogil:
    enum:
        SIGUSR1
        SIGUSR2
        SIGKILL
    int kill(int pid, int sig)

cdef extern from "<unistd.h>" nogil:
    int getpid()

cdef extern from "capitest/sigtest.h" namespace "capitest" nogil:
    string notify_panic(chan[os.Signal] ch, vector[os.Signal] sigv)
    chan[os.Signal] signal_chan_over_ints()


cdef vector[os.Signal] _sigs(int a, int b=0) noexcept nogil:
    cdef vector[os.Signal] v
    v.push_back(os._Signal_from_int(a))
    if b != 0:
        v.push_back(os._Signal_from_int(b))
    return v


def notify_and_receive():
    """Notify(ch, SIGUSR1) in nogil code; kill SIGUSR1 to this process; the
    nogil receive gets it. Then Stop(a) with b still subscribed: the next
    SIGUSR1 reaches b and not a (one delivery pass sends to every
    subscriber). Gives the numbers seen and a's length after."""
    cdef chan[os.Signal] a = makechan[os.Signal](1)
    cdef chan[os.Signal] b = makechan[os.Signal](1)
    cdef int first, second
    cdef unsigned alen
    with nogil:
        signal.Notify(a, _sigs(SIGUSR1))
        signal.Notify(b, _sigs(SIGUSR1))
        kill(getpid(), SIGUSR1)
        first = a.recv().signo
        b.recv()
        signal.Stop(a)
        kill(getpid(), SIGUSR1)
        second = b.recv().signo
        alen = a.len()
        signal.Stop(b)
    return first, second, alen


def ignore_drops_subscribers():
    """Notify(ch, SIGUSR2), then Ignore([SIGUSR2]) in nogil code: SIGUSR2
    does not end the process and reaches nobody. A SIGUSR1 subscription
    sent after it serves as the barrier. Gives ch's length."""
    cdef chan[os.Signal] ch = makechan[os.Signal](1)
    cdef chan[os.Signal] bar = makechan[os.Signal](1)
    cdef unsigned n
    with nogil:
        signal.Notify(ch, _sigs(SIGUSR2))
        signal.Ignore(_sigs(SIGUSR2))
        signal.Notify(bar, _sigs(SIGUSR1))
        kill(getpid(), SIGUSR2)
        kill(getpid(), SIGUSR1)
        bar.recv()
        n = ch.len()
        signal.Stop(bar)
    return n


def notify(pychan pych, int signo):
    """Notify(pych's channel, [signo]) from nogil code."""
    cdef chan[os.Signal] ch = pych._chan_osSignal()
    with nogil:
        signal.Notify(ch, _sigs(signo))


def stop(pychan pych):
    cdef chan[os.Signal] ch = pych._chan_osSignal()
    with nogil:
        signal.Stop(ch)


def reset(int signo):
    with nogil:
        signal.Reset(_sigs(signo))


def ignore(int signo):
    with nogil:
        signal.Ignore(_sigs(signo))


def made_in_c_received_in_python(int signo):
    """A chan[os.Signal] made in nogil code and notified there, handed to
    Python (pychan._from_chan_osSignal)."""
    cdef chan[os.Signal] ch = makechan[os.Signal](1)
    with nogil:
        signal.Notify(ch, _sigs(signo))
    return pychan._from_chan_osSignal(ch)


def panics():
    """The panics of Notify from nogil code, and the nil channel (accepted,
    as by Python's Notify)."""
    cdef chan[os.Signal] ch = makechan[os.Signal](1)
    cdef chan[os.Signal] nilch
    return (notify_panic(ch, _sigs(0)).decode(),
            notify_panic(ch, _sigs(65)).decode(),
            notify_panic(ch, _sigs(SIGKILL)).decode(),
            notify_panic(signal_chan_over_ints(), _sigs(SIGUSR1)).decode(),
            notify_panic(nilch, _sigs(SIGUSR2)).decode(),
            _stop_nil(nilch))


cdef bint _stop_nil(chan[os.Signal] nilch):
    with nogil:
        signal.Stop(nilch)
    return True


# ---- golang/pyx/runtime.h's state is one per process: this extension and
# pyxrt see the same ErrPyStopped object ----

from golang.pyx cimport runtime

def err_py_stopped_addr():
    return <size_t>runtime.ErrPyStopped._ptr()
