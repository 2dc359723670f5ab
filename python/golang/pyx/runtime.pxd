# cython: language_level=3
# golang/pyx/runtime.pxd: `from golang.pyx cimport runtime`: Python from
# nogil code (Pygolang 0.1's names), over the header-only
# golang/pyx/runtime.h.
#
#  - `ErrPyStopped`: the error "Python interpreter is stopped".
#  - `PyError` (`_PyError`): a Python exception (type, value, traceback) as
#    an error, whose Error() is "<PyError>".
#  - `PyErr_Fetch()` takes and clears the current Python exception: a
#    PyError, nil when none is set, or ErrPyStopped once the interpreter is
#    stopped. It may be called without the GIL (it takes it).
#  - `PyErr_ReRaise(pyerr)` sets pyerr's exception again, with its original
#    traceback (declare the calling function `except *` so Cython raises it).
#  - `PyFunc(<PyObject*>f)`: a Python callable that nogil code can hold and
#    call: `pyf()` gives nil, a PyError with what f raised, or ErrPyStopped
#    when the interpreter is stopped (then nothing runs). It holds a
#    reference to f; it must be made while the interpreter runs.
#
# What differs from Pygolang: nothing is linked (no libpyxruntime DSO): the
# header keeps one state per process as a capsule on golang._golang and
# registers its own atexit hook. PyFunc also has a nil value `PyFunc()`
# (calling it panics "PyFunc: call of nil function") and a copy assignment
# that keeps the count of references right; PyFunc's call keeps the
# caller's current Python exception; PyErr_ReRaise of nil panics
# "PyErr_ReRaise: pyerr is nil".

from golang cimport error, _error, refptr, gobject, string
from cpython cimport PyObject


cdef extern from "golang/pyx/runtime.h" namespace "golang::pyx::runtime" nogil:
    const error ErrPyStopped

    cppclass _PyError (_error, gobject):
        string Error()

    cppclass PyError (refptr[_PyError]):
        # pyerr.Error() is pyerr->Error() in C++
        string Error "_ptr()->Error" ()

    error PyErr_Fetch()
    void  PyErr_ReRaise(PyError pyerr)

    cppclass PyFunc:
        __init__()
        __init__(PyObject *pyf)
        error operator() ()
