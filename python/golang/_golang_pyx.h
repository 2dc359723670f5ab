// golang/_golang_pyx.h: the Python boundary of libgolang.h for Cython code
// (`except +topyexc`). Included by golang/_golang.pxd only.

#ifndef GOLANG_GOLANG_PYX_H
#define GOLANG_GOLANG_PYX_H

#include <Python.h>

#include <new>
#include <stdexcept>

#include "golang/libgolang.h"
#include "golang/errors.h"
#include "golang/fmt.h"

#include <typeinfo>

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

// The attribute `name` of module `mod`, a new reference (NULL with an error).
inline PyObject *_pyattr(const char *mod, const char *name) {
    PyObject *m = PyImport_ImportModule(mod);
    if (m == nullptr)
        return nullptr;
    PyObject *a = PyObject_GetAttrString(m, name);
    Py_DECREF(m);
    return a;
}

// golang._PanicError, as a new reference (NULL with an error set).
inline PyObject *_panic_error_class() { return _pyattr("golang._pyfunc", "_PanicError"); }

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


// ---- pyerror: C++ errors in Python (targets/native/src/pyerror.rs) ----


// pypanic(arg): raises golang._PanicError(arg); returns NULL.
inline PyObject *_pypanic(PyObject *arg) {
    PyObject *cls = _panic_error_class();
    if (cls != nullptr) {
        PyErr_SetObject(cls, arg);
        Py_DECREF(cls);
    }
    return nullptr;
}

// __pystr(obj): golang.u(obj), a new reference (NULL with an exception set).
inline PyObject *_pystr(PyObject *obj) {
    PyObject *u = _pyattr("golang._pystr", "pyu");
    if (u == nullptr)
        return nullptr;
    PyObject *r = PyObject_CallFunctionObjArgs(u, obj, nullptr);
    Py_DECREF(u);
    return r;
}

// The destructor of a "golang._cxxerror" capsule: releases the C++ error's
// reference that the capsule holds (pyerror.rs, invariant 2).
inline void _cxxerror_free(PyObject *cap) {
    _error *e = static_cast<_error *>(PyCapsule_GetPointer(cap, "golang._cxxerror"));
    if (e != nullptr)
        e->decref();
}

// The Go-level error of Python (golang._pyerror._CxxError) for the C++ err:
// its dynamic type's name, its text, recursively what it wraps, and a
// capsule holding a reference to err; None for nil. A new reference, or
// NULL with an exception set (a panic in Error() included).
inline PyObject *_goerror_of(error err) {
    if (err == nil) {
        Py_INCREF(Py_None);
        return Py_None;
    }
    string text;
    error inner;
    try {
        text = err->Error();
        inner = errors::Unwrap(err);
    } catch (...) {
        topyexc();
        return nullptr;
    }
    PyObject *pyinner = _goerror_of(inner);
    if (pyinner == nullptr)
        return nullptr;
    PyObject *r = nullptr;
    err->incref();  // the capsule's reference
    PyObject *cap = PyCapsule_New(static_cast<void *>(err._ptr()), "golang._cxxerror", _cxxerror_free);
    if (cap == nullptr)
        err->decref();
    PyObject *cls = cap != nullptr ? _pyattr("golang._pyerror", "_CxxError") : nullptr;
    PyObject *pytext = cls != nullptr ? PyUnicode_DecodeUTF8(text.data(), (Py_ssize_t)text.size(), "surrogateescape") : nullptr;
    if (pytext != nullptr)
        r = PyObject_CallFunction(cls, "sOOO", typeid(*err._ptr()).name(), pytext, pyinner, cap);
    Py_XDECREF(pytext);
    Py_XDECREF(cls);
    Py_XDECREF(cap);
    Py_DECREF(pyinner);
    return r;
}

// The C++ errors of errors that Python code makes (`e.err` of
// golang.error("x"), of fmt.Errorf("...: %w", e)): the runtime makes them
// with these, which the first extension to load registers.
inline void *_cxxerr_new_text(const char *text, size_t n) {
    error e = errors::New(string(text, n));
    e->incref();  // the caller's reference
    return static_cast<void *>(e._ptr());
}
inline void *_cxxerr_new_wrap(const char *prefix, size_t n, void *inner) {
    error in = newref(static_cast<_error *>(inner));
    _error *e = new fmt::_WrapError(string(prefix, n), in);  // one reference: the caller's
    return static_cast<void *>(e);
}
inline void _cxxerr_release(void *e) { static_cast<_error *>(e)->decref(); }

// At load (the GIL is held: libgolang.h, invariant 2), after the table.
struct _cxxerr_register {
    _cxxerr_register() {
        const _capi_table *t = _capi_detail::slot().load(std::memory_order_acquire);
        if (t != nullptr)
            t->pyerror_cxx(&_cxxerr_new_text, &_cxxerr_new_wrap, &_cxxerr_release);
    }
};
static _cxxerr_register _cxxerr_registered;

// pyerror.from_error(err): a new exact golang.error for the C++ err whose
// `.err` is err (as are those of its Unwrap() chain), or None for nil.
inline PyObject *_pyerror_from_error(error err) {
    PyObject *goerr = _goerror_of(err);
    if (goerr == nullptr || goerr == Py_None)
        return goerr;
    PyObject *r = nullptr;
    PyObject *f = _pyattr("golang._pyerror", "_from_error");
    if (f != nullptr) {
        r = PyObject_CallFunctionObjArgs(f, goerr, nullptr);
        Py_DECREF(f);
    }
    Py_DECREF(goerr);
    return r;
}

}  // namespace pyx
}  // namespace golang

#endif  // GOLANG_GOLANG_PYX_H
