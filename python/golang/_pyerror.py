# SPDX-License-Identifier: MIT OR Apache-2.0
"""``golang.error`` (Pygolang 0.1's ``golang._golang.pyerror``) and the
Go-level errors it wraps.

Pygolang 0.1 has two layers of errors, and this module keeps both:

- **Go-level errors** (``_GoError``): what Pygolang's C++ ``golang::error``
  values are. Immutable, never None, each with a dynamic type named as C++'s
  ``typeid(*err).name()`` names it (Python code sees these mangled names in
  ``repr`` and compares them in ``==``). Two types exist, as in 0.1:
  ``_TextError`` (``errors.New``, ``N6golang6errors10_TextErrorE``) and
  ``_WrapError`` (``fmt.Errorf("...: %w")`` of a Go-level error,
  ``N6golang3fmt10_WrapErrorE``). The package-level errors (``io.EOF``,
  ``context.canceled`` ...) are module globals here.
- **``pyerror``**, a subclass of ``Exception``. An *exact* ``pyerror`` (type
  is pyerror itself) wraps one Go-level error (``_from_error``, or
  ``error(text)``); a new wrapper may be made for the same Go-level error
  any number of times, so exact errors compare by value: the same dynamic
  type and the same ``Error()`` text. A *subclass* instance is a
  Python-level error: its ``args`` are its constructor arguments, and it
  compares by type and args.

A third kind of Go-level error, ``_CxxError``, is a C++ error of Cython or
C++ code that ``pyerror.from_error(err)`` converted (golang/_golang_pyx.h):
its C++ type name and text are read once. Natively ``pyerror`` is the core's
class (targets/native/src/pyerror.rs), laid out for Cython, and its methods
are the functions here; under Pyodide it is the Python class at the end.

The native core reaches this module from Rust (``targets/native/src/context.rs``
maps the crate's ``Canceled`` / ``DeadlineExceeded`` to ``_from_error`` of
``CANCELED`` / ``DEADLINE_EXCEEDED``).
"""

from golang._pystr import pyb, pyu, pyqq

__all__ = ['pyerror']


# ---- Go-level errors ----

class _GoError(object):
    """A Go-level error value: immutable; Error() -> str; Unwrap() -> _GoError | None."""
    __slots__ = ()
    _typeid = None          # the mangled C++ type name (set by each subclass)

    def Unwrap(self):
        return None

    def __str__(self):
        return self.Error()

    def __repr__(self):
        return "<%s %s>" % (self._typeid, pyqq(self.Error()))


class _TextError(_GoError):
    """errors.New(text): an error that is its text."""
    __slots__ = ('_text',)
    _typeid = 'N6golang6errors10_TextErrorE'

    def __init__(self, text):
        self._text = text   # str (UTF-8 with surrogate escapes, as u() gives)

    def Error(self):
        return self._text


class _WrapError(_GoError):
    """fmt.Errorf("<prefix>: %w", err) of a Go-level err."""
    __slots__ = ('_prefix', '_err')
    _typeid = 'N6golang3fmt10_WrapErrorE'

    def __init__(self, prefix, err):
        self._prefix = prefix
        self._err = err

    def Error(self):
        return self._prefix + ": " + self._err.Error()

    def Unwrap(self):
        return self._err


def _errors_New(text):  # text: str or bytes -> _TextError
    return _TextError(pyu(pyb(text)))


# the package-level errors of Pygolang 0.1 (C++ globals there)
EOF = _TextError("EOF")                             # io.EOF
ERR_UNEXPECTED_EOF = _TextError("unexpected EOF")   # io.ErrUnexpectedEOF
CANCELED = _TextError("context canceled")           # context.canceled
DEADLINE_EXCEEDED = _TextError("deadline exceeded")  # context.deadlineExceeded


class _CxxError(_GoError):
    """A Go-level error made by C++ code, converted by ``pyerror.from_error``
    (golang/_golang_pyx.h): its C++ dynamic type, its text and what it wraps,
    read once at conversion (C++ errors are immutable), and the C++ error
    itself, which each ``pyerror`` made of it gives Cython code as ``.err``."""
    __slots__ = ('_typeid', '_text', '_inner', '_cxxref')

    def __init__(self, typeid, text, inner, cxxref):
        self._typeid = typeid   # typeid(*err).name()
        self._text = text
        self._inner = inner     # _GoError | None
        self._cxxref = cxxref   # a "golang._cxxerror" capsule holding the C++ error

    def Error(self):
        return self._text

    def Unwrap(self):
        return self._inner


# ---- error ----
#
# The methods of pyerror, one definition for both cores: natively the class
# is the core's (targets/native/src/pyerror.rs, laid out as Cython's
# `cdef class pyerror` of golang/_golang.pxd, so that Cython code reads
# `e.err` and calls `pyerror.from_error(err)`), whose methods call these;
# under Pyodide it is the Python class below. Either way an instance has
# ``args`` (the constructor's arguments, read-only) and ``_err`` (the
# Go-level error, None for Python-level subclasses).

def _exact_goerr(argv):    # pyerror(text): the Go-level error of exactly one argument
    # exactly one argument: Pygolang's (Cython's) unpacking errors
    if len(argv) != 1:
        raise ValueError("need more than 0 values to unpack" if not argv
                         else "too many values to unpack (expected 1)")
    return _errors_New(argv[0])


def _Error(self):
    """Error returns the text of the error."""
    if type(self) is not pyerror:
        return repr(self)       # subclasses are expected to override Error
    return self._err.Error()


def _Unwrap(self):
    """Unwrap returns the error this one wraps, or None."""
    if type(self) is not pyerror:
        return None
    return _from_error(self._err.Unwrap())


def _eq(a, b):
    if type(a) is not type(b):
        return False
    if type(a) is not pyerror:
        return a.args == b.args
    ea, eb = a._err, b._err
    return ea._typeid == eb._typeid and ea.Error() == eb.Error()


def _hash(self):
    if type(self) is not pyerror:
        return hash(type(self)) ^ hash(self.args)
    e = self._err
    return hash(e._typeid) ^ hash(e.Error())


def _str(self):
    return self.Error()


def _repr(self):
    typ = type(self)
    if typ is not pyerror:
        return "%s.%s%r" % (typ.__module__, typ.__name__, self.args)
    return "<%s.%s object ctype=%s error=%s>" % (
        typ.__module__, typ.__name__, self._err._typeid, pyqq(self.Error()))


import sys as _sys
if _sys.platform != 'emscripten':
    # the base that lays pyerror out for Cython (targets/native/src/pyerror.rs)
    from golang._golang import _pyerror_base as _Base, _pyerror_setcxx, _cxx_twin
else:
    _Base, _pyerror_setcxx, _cxx_twin = Exception, None, None
_new = _Base.__new__    # makes an instance without running pyerror.__new__


def _set_cxx(e, goerr):
    """Gives the exact error e the C++ error of goerr (Cython's ``e.err``):
    a _CxxError's own, or a new twin (see pyerror.rs, invariant 2)."""
    e._s3_cxxref = None
    if _pyerror_setcxx is None:
        return
    cxxref = goerr._cxxref if isinstance(goerr, _CxxError) else _cxx_twin(goerr)
    if cxxref is not None:
        e._s3_cxxref = cxxref
        _pyerror_setcxx(e, cxxref)


class _ReadonlyArgs(object):
    """pyerror's ``args``: read-only with Pygolang's message."""
    __slots__ = ()

    def __get__(self, obj, typ=None):
        if obj is None:
            return self
        return obj._s1_args

    def __set__(self, obj, value):
        raise AttributeError("attribute 'args' of 'golang._golang.pyerror' objects is not writable")

    def __delete__(self, obj):
        self.__set__(obj, None)


class pyerror(_Base):
    """error is the error type of package golang (Pygolang 0.1's ``golang.error``).

    ``error(text)`` (exactly one str or bytes argument) makes an error whose
    Error() is text, as ``errors.New(text)``. Python-level errors subclass
    it: ``class MyError(error)``, with any ``__init__``; they are expected to
    override ``Error()`` (the default is ``repr``), and ``Unwrap()`` to chain.
    """
    __module__ = 'golang._golang'
    # Cython's `args`, `_goerr` and `_cxxref` of golang/_golang.pxd, in
    # this order (CPython lays slots out sorted by name).
    __slots__ = ('_s1_args', '_s2_goerr', '_s3_cxxref')

    def __new__(cls, *argv, **kw):
        self = _new(cls, *argv)
        self._s1_args = argv        # set before __init__ runs (0.1's rule)
        if cls is pyerror:
            self._s2_goerr = goerr = _exact_goerr(argv)
            _set_cxx(self, goerr)
        else:
            self._s2_goerr = None
            self._s3_cxxref = None
        return self

    # the constructor arguments (``()`` for errors made by Go-level code); read-only
    args = _ReadonlyArgs()

    @property
    def _err(self):             # the Go-level error (None for subclasses)
        return self._s2_goerr

    Error = _Error
    Unwrap = _Unwrap
    __eq__ = _eq
    __hash__ = _hash
    __str__ = _str
    __repr__ = _repr

    def __ne__(a, b):
        return not (a == b)


if _pyerror_setcxx is not None:
    # Cython looks its vtable up in the class's own dict
    pyerror.__pyx_vtable__ = _Base.__pyx_vtable__


def _wrap(err):
    e = _new(pyerror)
    e._s1_args = ()
    e._s2_goerr = err
    _set_cxx(e, err)
    return e


def _from_error(err):   # _GoError | None -> exact pyerror | None
    """the exact pyerror wrapping the Go-level err (a new object each call), or None."""
    if err is None:
        return None
    return _wrap(err)
