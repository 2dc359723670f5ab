// golang/errors.h: Go's errors package for C++ and Cython nogil code
// (golang/errors.pxd): New, Unwrap, Is. Header-only, like libgolang.h.
#ifndef GOLANG_ERRORS_H
#define GOLANG_ERRORS_H

#include "golang/libgolang.h"

#include <typeinfo>

namespace golang {
namespace errors {

// The error that New makes: its text, nothing else.
struct _TextError final : _error, object {
    string _text;
    explicit _TextError(const string &text) : _text(text) {}
    string Error() override { return _text; }
    void incref() override { object::incref(); }
    void decref() override {
        if (__decref())
            delete this;
    }
};

// New returns a new error with the given text; every call a distinct one.
inline error New(const string &text) { return adoptref(static_cast<_error *>(new _TextError(text))); }

// Unwrap returns the error that err wraps, or nil when it wraps none.
inline error Unwrap(error err) {
    if (err == nil)
        return nil;
    _errorWrapper *w = dynamic_cast<_errorWrapper *>(err._ptr());
    if (w == nullptr)
        return nil;
    return w->Unwrap();
}

// Is tells whether err, or an error it wraps (Unwrap, repeatedly), matches
// target: the same dynamic type and the same Error() text, as in Pygolang
// (so two errors.New("x") match). Is(err, nil) is err == nil, as in Go.
inline bool Is(error err, error target) {
    if (target == nil)
        return err == nil;
    for (; err != nil; err = Unwrap(err)) {
        if (err == target)
            return true;
        if (typeid(*err._ptr()) == typeid(*target._ptr()) && err->Error() == target->Error())
            return true;
    }
    return false;
}

}  // namespace errors
}  // namespace golang

#endif  // GOLANG_ERRORS_H
