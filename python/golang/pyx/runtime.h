// golang/pyx/runtime.h: Python from nogil code (Pygolang 0.1's
// golang.pyx.runtime, through golang/pyx/runtime.pxd): ErrPyStopped,
// PyError (a Python exception as an `error`), PyErr_Fetch, PyErr_ReRaise,
// and PyFunc (a Python callable that nogil code calls). Header-only over
// the Python C API and libgolang.h: no table entry of the C ABI is needed.
//
// Invariants of this header:
// 1. One state per process (`_State`): the interpreter's "stopped" flag, the
//    count of threads taking the GIL, and the one ErrPyStopped error. The
//    first extension to ask makes it and keeps it as the capsule
//    `golang._golang._cxx_pyx_runtime`, where the others find it; it is
//    never freed. Its maker registers the atexit hook that sets `exited`.
//    The state is fetched with the GIL held: at load time by a static
//    initializer (an extension is loaded by `import`), else at first use.
// 2. The GIL is taken only through `_pygil_ensure`: it adds itself to
//    `taking`, then reads `exited` (both seq_cst) and takes the GIL only if
//    it is not set. The atexit hook sets `exited`, then waits with the GIL
//    released until `taking` is 0. So once the hook returns no thread starts
//    to take the GIL (PyGILState_Ensure during finalization would end or
//    hang the thread): calls report ErrPyStopped instead, and destructors
//    leak their references.
// 3. A thread that Python ends while it waits for the GIL in finalization
//    (pthread_exit, CPython < 3.14: a forced unwinding) hangs where it is,
//    holding nothing, rather than unwinding through nogil code that would
//    call std::terminate (as the native core's goroutine threads do,
//    gil.rs invariant 2).
// 4. `_PyError` holds one reference to each of its exception's type, value
//    and traceback (any may be NULL), taken by PyErr_Fetch; `PyFunc` holds
//    one reference to its callable. They are released with the GIL, or
//    leaked once the interpreter is stopped (invariant 2).
// 5. Nothing here disturbs the caller's current Python exception but
//    PyErr_Fetch (which takes it) and PyErr_ReRaise (which sets it).
#ifndef GOLANG_PYX_RUNTIME_H
#define GOLANG_PYX_RUNTIME_H

#include <Python.h>

#include <golang/libgolang.h>
#include <golang/errors.h>

#include <atomic>
#include <cstdint>
#include <thread>

#if defined(__GLIBCXX__)
#include <cxxabi.h>
#include <unistd.h>
// Invariant 3: a forced unwinding (pthread_exit) stops here for good.
#define _GOLANG_PYXRT_HANG_ON_FORCED_UNWIND \
    catch (abi::__forced_unwind &) {       \
        for (;;)                            \
            pause();                        \
    }
#else
#define _GOLANG_PYXRT_HANG_ON_FORCED_UNWIND
#endif

namespace golang {
namespace pyx {
namespace runtime {

namespace _detail {

// The process-wide state (invariant 1). Its layout is fixed: extensions
// built from other versions of this header share it (`version` grows when
// fields are appended).
struct _State {
    uint32_t version;          // 1
    std::atomic<int> exited;   // set by the atexit hook (invariant 2)
    std::atomic<int> taking;   // threads inside _pygil_ensure (invariant 2)
    _error *err_py_stopped;    // ErrPyStopped; the process's reference
};

static const char *const _CAPSULE = "golang::pyx::runtime::_State";

// The atexit hook (invariant 2): after it, no thread takes the GIL.
inline PyObject *_atexit_hook(PyObject *capsule, PyObject *) {
    _State *st = (_State *)PyCapsule_GetPointer(capsule, _CAPSULE);
    if (st == nullptr)
        return nullptr;
    st->exited.store(1);
    Py_BEGIN_ALLOW_THREADS
    // Only threads already past the check wait here, and they wait for the
    // GIL, which this thread has just released: a short wait.
    while (st->taking.load() != 0)
        std::this_thread::yield();
    Py_END_ALLOW_THREADS
    Py_RETURN_NONE;
}

inline PyMethodDef *_atexit_def() {
    static PyMethodDef def = {"_cxx_pyx_runtime_atexit", (PyCFunction)_atexit_hook, METH_NOARGS,
                              "golang/pyx/runtime.h: no GIL is taken from nogil code after this"};
    return &def;
}

// Finds or makes the process's state; the GIL is held. NULL when
// golang._golang cannot be imported (the error is cleared).
inline _State *_find_or_make() {
    _State *st = nullptr;
    PyObject *mod = PyImport_ImportModule("golang._golang");
    if (mod == nullptr)
        return nullptr;
    PyObject *cap = PyObject_GetAttrString(mod, "_cxx_pyx_runtime");
    if (cap != nullptr) {
        st = (_State *)PyCapsule_GetPointer(cap, _CAPSULE);
        Py_DECREF(cap);
    } else {
        PyErr_Clear();
        st = new _State();  // never freed (invariant 1)
        st->version = 1;
        st->exited.store(0);
        st->taking.store(0);
        error e = errors::New("Python interpreter is stopped");
        st->err_py_stopped = e._ptr();
        st->err_py_stopped->incref();  // the process's reference
        PyObject *c = PyCapsule_New(st, _CAPSULE, nullptr);
        bool stored = c != nullptr && PyObject_SetAttrString(mod, "_cxx_pyx_runtime", c) == 0;
        PyObject *fn = stored ? PyCFunction_New(_atexit_def(), c) : nullptr;
        PyObject *atexit = fn ? PyImport_ImportModule("atexit") : nullptr;
        PyObject *r = atexit ? PyObject_CallMethod(atexit, "register", "O", fn) : nullptr;
        if (r == nullptr) {
            // Without its hook the state must not be used: stay stopped.
            st->exited.store(1);
        }
        Py_XDECREF(r);
        Py_XDECREF(atexit);
        Py_XDECREF(fn);
        Py_XDECREF(c);
    }
    Py_DECREF(mod);
    PyErr_Clear();
    return st;
}

inline std::atomic<_State *> &_slot() {
    static std::atomic<_State *> p(nullptr);
    return p;
}

// Fetches the state into this extension's slot (invariant 1): the GIL is
// taken through PyGILState_Ensure, and the caller's exception is kept.
inline _State *_load() {
    if (!Py_IsInitialized())
        return nullptr;
    PyGILState_STATE gs = PyGILState_Ensure();
    PyObject *et, *ev, *etb;
    ::PyErr_Fetch(&et, &ev, &etb);
    _State *st = _find_or_make();
    if (st != nullptr)
        _slot().store(st);
    ::PyErr_Restore(et, ev, etb);
    PyGILState_Release(gs);
    return st;
}

// The state; NULL when there is no interpreter (nothing Python can run).
inline _State *_state() {
    _State *st = _slot().load();
    // (fast path: loaded at import by the static initializer below)
    return st != nullptr ? st : _load();
}

struct _preload {
    _preload() {
        if (Py_IsInitialized() && _slot().load() == nullptr)
            _load();
    }
};
static _preload _preload_state;

// Takes the GIL unless the interpreter is stopped (invariant 2): true with
// the GIL held (release it with PyGILState_Release(*gs)), false with
// nothing taken.
inline bool _pygil_ensure(PyGILState_STATE *gs) {
    _State *st = _state();
    if (st == nullptr)
        return false;
    st->taking.fetch_add(1);
    if (st->exited.load() != 0) {
        st->taking.fetch_sub(1);
        return false;
    }
    try {
        *gs = PyGILState_Ensure();
    }
    _GOLANG_PYXRT_HANG_ON_FORCED_UNWIND
    st->taking.fetch_sub(1);
    return true;
}

inline void _pygil_release(PyGILState_STATE gs) {
    try {
        PyGILState_Release(gs);
    }
    _GOLANG_PYXRT_HANG_ON_FORCED_UNWIND
}

// ErrPyStopped of the process (invariant 1); one of this extension when no
// interpreter was ever reached.
inline _error *_err_py_stopped() {
    _State *st = _state();
    if (st != nullptr)
        return st->err_py_stopped;
    static _error *local = [] {
        error e = errors::New("Python interpreter is stopped");
        e->incref();
        return e._ptr();
    }();
    return local;
}

// An error object of the process, usable wherever an `error` is (as
// io.h's EOF_).
struct _ProcessError {
    operator error() const { return newref(_err_py_stopped()); }
    _error *_ptr() const { return _err_py_stopped(); }
    string Error() const { return _err_py_stopped()->Error(); }
    bool operator==(const error &e) const { return _err_py_stopped() == e._ptr(); }
    bool operator!=(const error &e) const { return _err_py_stopped() != e._ptr(); }
};

}  // namespace _detail

// ErrPyStopped: the Python interpreter is stopped (its text is "Python
// interpreter is stopped"). One error object per process.
static const _detail::_ProcessError ErrPyStopped = {};

class _PyError;
class PyFunc;
typedef refptr<_PyError> PyError;
error PyErr_Fetch();
void PyErr_ReRaise(PyError pyerr);

// _PyError: a Python exception (type, value, traceback) as an error, for
// nogil code (invariant 4). Made only by PyErr_Fetch. Error() is
// "<PyError>".
class _PyError final : public _error, public object {
    PyObject *_pyexc_type;
    PyObject *_pyexc_value;
    PyObject *_pyexc_tb;

    _PyError(PyObject *t, PyObject *v, PyObject *tb) : _pyexc_type(t), _pyexc_value(v), _pyexc_tb(tb) {}
    ~_PyError() {
        PyGILState_STATE gs;
        if (!_detail::_pygil_ensure(&gs))
            return;  // the interpreter is stopped: leaked (invariant 4)
        Py_XDECREF(_pyexc_type);
        Py_XDECREF(_pyexc_value);
        Py_XDECREF(_pyexc_tb);
        _detail::_pygil_release(gs);
    }
    _PyError(const _PyError &) = delete;
    _PyError &operator=(const _PyError &) = delete;

    friend error PyErr_Fetch();
    friend void PyErr_ReRaise(PyError pyerr);
    friend class PyFunc;

  public:
    void incref() override { object::incref(); }
    void decref() override {
        if (__decref())
            delete this;
    }
    string Error() override { return "<PyError>"; }
};

// PyErr_Fetch takes and clears the current Python exception: a PyError, nil
// when none is set, or ErrPyStopped when the interpreter is stopped. It may
// be called without the GIL (it takes it).
inline error PyErr_Fetch() {
    PyGILState_STATE gs;
    if (!_detail::_pygil_ensure(&gs))
        return ErrPyStopped;
    PyObject *t, *v, *tb;
    ::PyErr_Fetch(&t, &v, &tb);  // our references now (invariant 4)
    _detail::_pygil_release(gs);
    if (t == nullptr && v == nullptr && tb == nullptr)
        return nil;
    return adoptref(static_cast<_error *>(new _PyError(t, v, tb)));
}

// PyErr_ReRaise sets pyerr's exception, with its original traceback, as
// the current Python exception; pyerr stays valid. It may be called without
// the GIL; it does nothing once the interpreter is stopped.
inline void PyErr_ReRaise(PyError pyerr) {
    if (pyerr == nil)
        panic("PyErr_ReRaise: pyerr is nil");
    PyGILState_STATE gs;
    if (!_detail::_pygil_ensure(&gs))
        return;
    Py_XINCREF(pyerr->_pyexc_type);
    Py_XINCREF(pyerr->_pyexc_value);
    Py_XINCREF(pyerr->_pyexc_tb);
    ::PyErr_Restore(pyerr->_pyexc_type, pyerr->_pyexc_value, pyerr->_pyexc_tb);
    _detail::_pygil_release(gs);
}

// PyFunc: a Python callable that nogil code can hold, copy and call, also
// after the interpreter stopped (then a call gives ErrPyStopped). It holds
// one reference to the callable (invariant 4). It is meant to be made while
// the interpreter runs.
class PyFunc {
    PyObject *_pyf;

    // Swaps in f (a new reference, or NULL), releasing the old one.
    void _reset(PyObject *f) {
        PyObject *old = _pyf;
        _pyf = f;
        if (old == nullptr)
            return;
        PyGILState_STATE gs;
        if (!_detail::_pygil_ensure(&gs))
            return;  // stopped: leaked (invariant 4)
        Py_DECREF(old);
        _detail::_pygil_release(gs);
    }
    // A new reference to _pyf (NULL if nil or stopped).
    PyObject *_newref() const {
        if (_pyf == nullptr)
            return nullptr;
        PyGILState_STATE gs;
        if (!_detail::_pygil_ensure(&gs))
            return nullptr;
        Py_INCREF(_pyf);
        _detail::_pygil_release(gs);
        return _pyf;
    }

  public:
    // A nil PyFunc (calling it panics "PyFunc: call of nil function" while
    // the interpreter runs).
    PyFunc() : _pyf(nullptr) {}
    // (made once the interpreter stopped, it is nil: calls give ErrPyStopped)
    explicit PyFunc(PyObject *pyf) : _pyf(nullptr) {
        PyGILState_STATE gs;
        if (!_detail::_pygil_ensure(&gs))
            return;
        Py_XINCREF(pyf);
        _pyf = pyf;
        _detail::_pygil_release(gs);
    }
    PyFunc(const PyFunc &from) : _pyf(from._newref()) {}
    PyFunc(PyFunc &&from) noexcept : _pyf(from._pyf) { from._pyf = nullptr; }
    PyFunc &operator=(const PyFunc &from) {
        if (this != &from)
            _reset(from._newref());
        return *this;
    }
    PyFunc &operator=(PyFunc &&from) noexcept {
        std::swap(_pyf, from._pyf);
        return *this;
    }
    ~PyFunc() { _reset(nullptr); }

    // Calls the function with no arguments: nil, a PyError with what it
    // raised, or ErrPyStopped. The caller's current exception is kept
    // (invariant 5).
    error operator()() const {
        PyGILState_STATE gs;
        if (!_detail::_pygil_ensure(&gs))
            return ErrPyStopped;
        if (_pyf == nullptr) {
            _detail::_pygil_release(gs);
            panic("PyFunc: call of nil function");
        }
        error err;
        try {
            PyObject *t, *v, *tb;
            ::PyErr_Fetch(&t, &v, &tb);  // the caller's, put back below
            PyObject *ret = PyObject_CallObject(_pyf, nullptr);
            if (ret == nullptr) {
                PyObject *et, *ev, *etb;
                ::PyErr_Fetch(&et, &ev, &etb);
                err = adoptref(static_cast<_error *>(new _PyError(et, ev, etb)));
            }
            Py_XDECREF(ret);
            ::PyErr_Restore(t, v, tb);
        }
        _GOLANG_PYXRT_HANG_ON_FORCED_UNWIND
        _detail::_pygil_release(gs);
        return err;
    }
};

}  // namespace runtime
}  // namespace pyx
}  // namespace golang

#endif  // GOLANG_PYX_RUNTIME_H
