// Helpers of pyxrt.pyx that Cython cannot write itself (a cast, a catch).
#ifndef CAPITEST_PYXRT_H
#define CAPITEST_PYXRT_H

#include <golang/pyx/runtime.h>

namespace capitest {

// err as a PyError (nil when it is not one).
inline golang::pyx::runtime::PyError as_pyerror(golang::error err) {
    return golang::newref(dynamic_cast<golang::pyx::runtime::_PyError *>(err._ptr()));
}

// What kind of error err is: "nil", "PyError", "ErrPyStopped" or "other".
inline const char *kind(golang::error err) {
    if (err == golang::nil)
        return "nil";
    if (golang::pyx::runtime::ErrPyStopped == err)
        return "ErrPyStopped";
    if (as_pyerror(err) != golang::nil)
        return "PyError";
    return "other";
}

// The panic of calling f, or "" when it does not panic.
inline std::string call_panic(const golang::pyx::runtime::PyFunc &f) {
    try {
        f();
        return "";
    } catch (golang::_PanicError &e) {
        return e.arg;
    }
}

}  // namespace capitest

#endif
