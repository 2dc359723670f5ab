"""golang._os: the implementation behind `golang.os`.

`PySignal` is `golang.os.Signal`. The native core defines it (it is the
element type of channels of dtype 'C.os::Signal'); under Pyodide, where
there are no POSIX signals, a pure-Python class with the same behaviour
stands in, so that `golang.os` and `golang.syscall` import.
"""

from golang import _golang

try:
    PySignal = _golang.PySignal
    _PySignal_from_int = _golang._PySignal_from_int
except AttributeError:  # the WebAssembly core
    import signal as _pysig

    def _describe(signo):
        try:
            d = _pysig.strsignal(signo)
        except (AttributeError, ValueError):
            d = None
        if d is None or d.startswith(("Unknown signal", "Real-time signal", "RT")):
            return None
        return d

    class PySignal(object):
        """golang.os.Signal: an operating-system signal (use golang.syscall.SIG*)."""
        __slots__ = ('_signo',)
        dtype = "C.os::Signal"

        def __new__(cls, *argv, **kw):
            if argv or kw:
                raise TypeError("os.Signal() takes no arguments: use golang.syscall.SIG* "
                                "(os.Signal() is os.Signal(0))")
            return _PySignal_from_int(0)

        def __init_subclass__(cls, **kw):
            raise TypeError("type 'golang._os.PySignal' is not an acceptable base type")

        def __setattr__(self, name, value):
            raise AttributeError("readonly attribute")

        @property
        def signo(self):
            return self._signo

        def __str__(self):
            d = _describe(self._signo)
            return d if d is not None else "signal%d" % self._signo

        def __repr__(self):
            return "os.Signal(%d)" % self._signo

        def __hash__(self):
            return self._signo

        def __eq__(self, other):
            return type(other) is PySignal and other._signo == self._signo

        def __ne__(self, other):
            return not self.__eq__(other)

    PySignal.__module__ = 'golang._os'

    def _PySignal_from_int(signo):
        sig = object.__new__(PySignal)
        object.__setattr__(sig, '_signo', int(signo))
        return sig
