// golang/io.h: Go's io errors for C++ and Cython nogil code (golang/io.pxd):
// EOF (spelled EOF_ in C++: EOF is libc's macro) and ErrUnexpectedEOF.
// Header-only.
//
// Invariant: each is one error object per process, whichever extension
// asks (so `errors::Is(err, io::EOF_)` holds for an EOF made by another
// extension): the first to ask makes it and stores it, as a capsule, on the
// golang._golang module; the others find it there. It is never freed.
#ifndef GOLANG_IO_H
#define GOLANG_IO_H

#include "golang/errors.h"

namespace golang {
namespace io {

namespace _detail {

inline _error *_process_error(const char *attr, const char *text) {
    _error *e = nullptr;
    PyGILState_STATE gil = PyGILState_Ensure();
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);  // the caller's exception is kept
    PyObject *mod = PyImport_ImportModule("golang._golang");
    if (mod != nullptr) {
        PyObject *cap = PyObject_GetAttrString(mod, attr);
        if (cap != nullptr) {
            e = static_cast<_error *>(PyCapsule_GetPointer(cap, "golang::error"));
            Py_DECREF(cap);
        } else {
            PyErr_Clear();
            error made = errors::New(text);
            e = made._ptr();
            e->incref();  // the process's reference, never released
            PyObject *c = PyCapsule_New(e, "golang::error", nullptr);
            if (c != nullptr) {
                PyObject_SetAttrString(mod, attr, c);
                Py_DECREF(c);
            }
        }
        Py_DECREF(mod);
    }
    PyErr_Clear();
    PyErr_Restore(et, ev, etb);
    PyGILState_Release(gil);
    if (e == nullptr)
        panic("golang/io.h: cannot reach golang._golang for a process-wide error");
    return e;
}

// A process-wide error, usable wherever an `error` is.
struct _ProcessError {
    _error *(*get)();
    operator error() const { return newref(get()); }
    _error *_ptr() const { return get(); }
    bool operator==(const error &e) const { return get() == e._ptr(); }
    bool operator!=(const error &e) const { return get() != e._ptr(); }
};

inline _error *_eof() {
    static _error *e = _process_error("_cxx_io_EOF", "EOF");
    return e;
}
inline _error *_unexpected_eof() {
    static _error *e = _process_error("_cxx_io_ErrUnexpectedEOF", "unexpected EOF");
    return e;
}

}  // namespace _detail

static const _detail::_ProcessError EOF_ = {&_detail::_eof};
static const _detail::_ProcessError ErrUnexpectedEOF = {&_detail::_unexpected_eof};

}  // namespace io
}  // namespace golang

#endif  // GOLANG_IO_H
