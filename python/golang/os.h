// golang/os.h: os.Signal for C++ and Cython nogil code (golang/_os.pxd),
// header-only on libgolang.h. A chan<os::Signal> that makechan makes is a
// channel of dtype 'C.os::Signal', which Python shares (pychan).
#ifndef GOLANG_OS_H
#define GOLANG_OS_H

#include <golang/libgolang.h>

#include <cstdio>

namespace golang {
namespace os {

// An operating-system signal (the layout of Python's os.Signal elements).
struct Signal {
    int signo;

    // libc's description ("Interrupt", ...), or "signal%d": what Python's
    // str(os.Signal) gives, from the same table.
    string String() const {
        const char *d = _capi_detail::capi()->sigdescr(signo);
        if (d != nullptr)
            return string(d);
        char buf[32];
        std::snprintf(buf, sizeof buf, "signal%d", signo);
        return string(buf);
    }
    bool operator==(const Signal &o) const { return signo == o.signo; }
    bool operator!=(const Signal &o) const { return signo != o.signo; }
};

inline Signal _Signal_from_int(int signo) {
    Signal s;
    s.signo = signo;
    return s;
}

// PySignal.from_sig: Python's os.Signal for signo (the GIL held); NULL with
// an exception set on failure.
inline PyObject *_pysignal_from_int(int signo) {
    PyObject *mod = PyImport_ImportModule("golang._os");
    if (mod == nullptr)
        return nullptr;
    PyObject *r = PyObject_CallMethod(mod, "_PySignal_from_int", "i", signo);
    Py_DECREF(mod);
    return r;
}

}  // namespace os

// chan<os::Signal> is a channel of dtype 'C.os::Signal' (libgolang.h).
template <> struct _dtype_of<os::Signal> { static const int value = 5; };

}  // namespace golang

#endif  // GOLANG_OS_H
