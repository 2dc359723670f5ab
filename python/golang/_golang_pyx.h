// golang/_golang_pyx.h: the Python boundary of libgolang.h for Cython code
// (`except +topyexc`). Included by golang/_golang.pxd only.

#ifndef GOLANG_GOLANG_PYX_H
#define GOLANG_GOLANG_PYX_H

#include <Python.h>

#include <new>
#include <stdexcept>

#include "golang/libgolang.h"

namespace golang {
namespace pyx {

// Sets exception class `cls` (a new reference, or NULL on failure) to msg.
inline void _raise_from(PyObject *cls, const char *msg) {
    if (cls == nullptr)
        return;  // the import error is set already
    PyObject *m = PyUnicode_DecodeUTF8(msg, (Py_ssize_t)std::strlen(msg), "surrogateescape");
    if (m != nullptr) {
        PyErr_SetObject(cls, m);
        Py_DECREF(m);
    }
    Py_DECREF(cls);
}

// golang._PanicError, as a new reference (NULL with an error set).
inline PyObject *_panic_error_class() {
    PyObject *mod = PyImport_ImportModule("golang._pyfunc");
    if (mod == nullptr)
        return nullptr;
    PyObject *cls = PyObject_GetAttrString(mod, "_PanicError");
    Py_DECREF(mod);
    return cls;
}

// Called by Cython inside a catch handler (`except +topyexc`): turns the C++
// exception being handled into a Python exception. A panic becomes
// _PanicError(msg); a failed C API load becomes ImportError; other C++
// exceptions get Cython's usual mapping.
inline void topyexc() {
    try {
        throw;
    } catch (_CApiError &e) {
        Py_INCREF(PyExc_ImportError);
        _raise_from(PyExc_ImportError, e.arg);
    } catch (_PanicError &e) {
        _raise_from(_panic_error_class(), e.arg);
    } catch (std::bad_alloc &e) {
        PyErr_SetString(PyExc_MemoryError, e.what());
    } catch (std::out_of_range &e) {
        PyErr_SetString(PyExc_IndexError, e.what());
    } catch (std::invalid_argument &e) {
        PyErr_SetString(PyExc_ValueError, e.what());
    } catch (std::exception &e) {
        PyErr_SetString(PyExc_RuntimeError, e.what());
    } catch (...) {
        PyErr_SetString(PyExc_RuntimeError, "BUG: topyexc: unknown C++ exception");
    }
}

// ---- pychan: a Python chan and its raw channel (rawchan.rs, invariant 3) ----

// Pygolang's DType numbers (the `dtype` field of pychan).
enum DType {
    DTYPE_PYOBJECT = 0,
    DTYPE_STRUCTZ = 1,
    DTYPE_BOOL = 2,
    DTYPE_INT = 3,
    DTYPE_DOUBLE = 4,
    DTYPE_OS_SIGNAL = 5,
    DTYPE_NTYPES = 6,
};

// pych.chan_X(): the raw channel of a pychan of dtype `have` as chan<T>,
// one reference added; nil for a nil pychan. Panics if `want` differs.
template <typename T> inline chan<T> _pychan_chan(_chan *ch, int have, int want) {
    if (have != want)
        panic("pychan: channel type mismatch");
    return _wrapchan<T>(ch);
}

// Calls the table's Python-object function f (GIL held); NULL with an
// exception set on failure, the C API's load error included.
template <typename F> inline PyObject *_pychan_call(F f) {
    try {
        return f(_capi_detail::capi());
    } catch (_CApiError &e) {
        PyErr_SetString(PyExc_ImportError, e.arg);
        return nullptr;
    }
}

// pychan.from_chan_X(ch): a new pychan of dtype over the raw channel ch.
inline PyObject *_pychan_from_raw(_chan *ch, int dtype) {
    return _pychan_call([&](const _capi_table *t) { return t->pychan_from_raw(ch, dtype); });
}

// pychan._nil(dtype): the cached nil pychan of dtype.
inline PyObject *_pychan_nil(int dtype) {
    return _pychan_call([&](const _capi_table *t) { return t->pychan_nil(dtype); });
}

}  // namespace pyx
}  // namespace golang

#endif  // GOLANG_GOLANG_PYX_H
