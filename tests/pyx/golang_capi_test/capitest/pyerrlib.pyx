# cython: language_level=3
# distutils: language = c++
# C++ errors and Python's golang.error (`pyerror.from_error(err)`, `e.err`);
# tests/python/test_capi_pyx.py checks what these give.

from golang cimport error, nil, pyerror, string
from golang cimport errors, fmt

cdef extern from *:
    """
    #include <atomic>
    // A user's C++ error type that counts its live objects.
    static std::atomic<int> _counted_live_n(0);
    struct _CountedError final : golang::_error, golang::object {
        _CountedError() { _counted_live_n++; }
        ~_CountedError() { _counted_live_n--; }
        golang::string Error() override { return "counted"; }
        void incref() override { object::incref(); }
        void decref() override { if (__decref()) delete this; }
    };
    static golang::error _new_counted() { return golang::adoptref(static_cast<golang::_error *>(new _CountedError())); }
    static int _counted_live() { return _counted_live_n.load(); }

    // An error whose Error() panics.
    struct _PanickyError final : golang::_error, golang::object {
        golang::string Error() override { golang::panic("Error() panicked"); }
        void incref() override { object::incref(); }
        void decref() override { if (__decref()) delete this; }
    };
    static golang::error _new_panicky() { return golang::adoptref(static_cast<golang::_error *>(new _PanickyError())); }
    """
    error _new_counted() nogil
    int _counted_live() nogil
    error _new_panicky() nogil


def wrapped_chain():
    """fmt.errorf("read f: %w", errors.New("disk full")) as golang.error."""
    cdef error err
    with nogil:
        err = fmt.errorf(b"read f: %w", errors.New(b"disk full"))
    return pyerror.from_error(err)


def from_nil():
    cdef error none
    return pyerror.from_error(none)


def counted():
    return pyerror.from_error(_new_counted())


def counted_live():
    return _counted_live()


def panicky():
    return pyerror.from_error(_new_panicky())


def err_text(pyerror e):
    """e.err.Error() read by C++ (None for a nil e.err)."""
    cdef string s
    if e.err == nil:
        return None
    with nogil:
        s = e.err.Error()
    return s.decode()


def same_err(pyerror a, pyerror b):
    """Whether two golang.errors hold the same C++ error object."""
    return a.err.eq(b.err)


def rewrap(pyerror e):
    """from_error(e.err): a new golang.error over the same C++ error."""
    return pyerror.from_error(e.err)


from golang cimport pypanic, __pystr, gobject


def do_pypanic(arg):
    pypanic(arg)


def pystr(obj):
    return __pystr(obj)
