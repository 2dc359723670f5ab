# cython: language_level=3
# distutils: language = c++
# golang.pyx.runtime from nogil code (golang/pyx/runtime.h): PyErr_Fetch,
# PyErr_ReRaise, PyFunc, ErrPyStopped; tests/python/test_capi_pyx.py drives
# it. Compiles with Cython 0.29 and 3.

from golang cimport chan, makechan, structZ, go, nil, error, string, cbool
from golang.pyx cimport runtime
from cpython cimport PyObject
from libc.stdio cimport printf, fflush, stdout
from libcpp.vector cimport vector

cdef extern from "capitest/pyxrt.h" namespace "capitest" nogil:
    runtime.PyError as_pyerror(error err)
    const char *kind(error err)
    string call_panic(const runtime.PyFunc &f)

cdef extern from "Python.h":
    # no `except`: the exception f raises stays the current one
    PyObject *PyObject_CallObject(object callable, PyObject *args)
    void Py_XDECREF(PyObject *o)


cdef void _reraise(runtime.PyError pyerr) except *:
    with nogil:
        runtime.PyErr_ReRaise(pyerr)


def fetch_and_reraise(f):
    """Calls f through the C API (what it raises stays the current
    exception), takes that exception from nogil code with PyErr_Fetch,
    then raises it again with PyErr_ReRaise. What nogil code saw is left in
    `last_fetch`."""
    cdef error err, again
    with nogil:
        again = runtime.PyErr_Fetch()   # nothing set yet: nil
    Py_XDECREF(PyObject_CallObject(f, NULL))
    with nogil:
        err = runtime.PyErr_Fetch()
    cdef error after
    with nogil:
        after = runtime.PyErr_Fetch()   # taken: nothing left
    global last_fetch
    last_fetch = (kind(again).decode(), kind(err).decode(), kind(after).decode(),
                  err.Error().decode() if err != nil else None)
    if err != nil:
        _reraise(as_pyerror(err))


last_fetch = None


# ---- PyFunc from nogil goroutines ----

cdef void _call(runtime.PyFunc f, vector[error] *out, chan[structZ] done) noexcept nogil:
    out.push_back(f())
    done.close()


def call_in_goroutine(f):
    """Calls f from a nogil goroutine through PyFunc; gives the kind and the
    text of the error the call returned, and re-raises a PyError."""
    cdef vector[error] out
    cdef chan[structZ] done = makechan[structZ]()
    cdef runtime.PyFunc pyf = runtime.PyFunc(<PyObject *>f)
    with nogil:
        go(_call, pyf, &out, done)
        done.recv()
    cdef error err = out[0]
    info = (kind(err).decode(), err.Error().decode() if err != nil else None)
    if kind(err) == b"PyError":
        try:
            _reraise(as_pyerror(err))
        except BaseException as e:
            return info + (e,)
    return info + (None,)


def err_py_stopped_text():
    cdef error e = runtime.ErrPyStopped
    return e.Error().decode(), kind(e).decode()


def nil_pyfunc_panics():
    cdef runtime.PyFunc nilf
    return call_panic(nilf).decode()


# The deadlock Pygolang guards against: PyFunc called with the GIL already
# held (runGM) while others call it without (runMG). Ends, or hangs (the
# test runs it in a subprocess under a timeout).
cdef void _runGM(int n, runtime.PyFunc f, chan[structZ] start, chan[structZ] done) noexcept nogil:
    start.recv()
    for i in range(n):
        with gil:
            f()
    done.send(structZ())

cdef void _runMG(int n, runtime.PyFunc f, chan[structZ] start, chan[structZ] done) noexcept nogil:
    start.recv()
    for i in range(n):
        f()
    done.send(structZ())


def pyfunc_with_and_without_gil(f, int n):
    cdef runtime.PyFunc pyf = runtime.PyFunc(<PyObject *>f)
    cdef chan[structZ] start = makechan[structZ]()
    cdef chan[structZ] done = makechan[structZ]()
    with nogil:
        go(_runGM, n, pyf, start, done)
        go(_runMG, n, pyf, start, done)
        start.close()
        done.recv()
        done.recv()


# ---- after the interpreter stopped: a nogil goroutine calls PyFunc and
# PyErr_Fetch when told to (from an atexit function that runs after
# runtime.h's hook), and prints what it got with C stdio ----

cdef chan[structZ] _go_now
cdef chan[structZ] _went

cdef void _late(runtime.PyFunc f, chan[structZ] go_now, chan[structZ] went) noexcept nogil:
    go_now.recv()
    cdef error e1 = f()
    cdef error e2 = runtime.PyErr_Fetch()
    cdef runtime.PyFunc g = f     # a copy, and its destruction: no GIL taken
    cdef error e3 = g()
    cdef string text = e1.Error() if e1 != nil else string(b"-")
    printf("late: %s %s %s %s\n", kind(e1), kind(e2), kind(e3), text.c_str())
    fflush(stdout)
    went.close()


def arm_late_call(f):
    global _go_now, _went
    _go_now = makechan[structZ]()
    _went = makechan[structZ]()
    cdef runtime.PyFunc pyf = runtime.PyFunc(<PyObject *>f)
    with nogil:
        go(_late, pyf, _go_now, _went)


def fire_late_call():
    with nogil:
        _go_now.close()
        _went.recv()


def err_py_stopped_addr():
    return <size_t>runtime.ErrPyStopped._ptr()


# ---- a nogil goroutine that outlives main and takes the GIL (`with gil`)
# while the interpreter finalizes: CPython ends it with pthread_exit, a
# forced unwinding that libgolang.h's goroutine trampoline lets hang the
# thread (it aborted the process: "FATAL: exception not rethrown") ----

cdef void _gil_forever(chan[structZ] started) noexcept nogil:
    started.close()
    while True:
        with gil:
            pass


def goroutine_taking_the_gil_forever():
    """Starts a nogil goroutine that takes and releases the GIL in a loop
    until the process ends."""
    cdef chan[structZ] started = makechan[structZ]()
    with nogil:
        go(_gil_forever, started)
        started.recv()
