// golang/fmt.h: sprintf and errorf for C++ and Cython nogil code
// (golang/fmt.pxd). Header-only.
//
// Formatting is libc's printf, plus two rules of Pygolang 0.1's fmt:
// - an `error` argument is formatted as its text (`%s`), "(<nil>)" for nil;
// - errorf whose format ends with ": %w" and whose last argument is an
//   error wraps it: the result's Error() is the formatted prefix, ": ",
//   and the error's text ("%!w(<nil>)" for nil), and its Unwrap() gives
//   the error back (errors.Is and errors.Unwrap see through it).
// A std::string argument is passed as its C string.
#ifndef GOLANG_FMT_H
#define GOLANG_FMT_H

#include "golang/errors.h"
#include "golang/strings.h"

#include <cstdarg>
#include <deque>

namespace golang {
namespace fmt {

// The error that errorf("...: %w", ..., err) makes (golang::fmt::_WrapError,
// as in Pygolang: Python compares errors by this C++ type name).
struct _WrapError final : _errorWrapper, object {
    string _prefix;
    error _wrapped;
    _WrapError(const string &prefix, error wrapped) : _prefix(prefix), _wrapped(wrapped) {}
    string Error() override { return _prefix + ": " + (_wrapped != nil ? _wrapped->Error() : string("%!w(<nil>)")); }
    error Unwrap() override { return _wrapped; }
    void incref() override { object::incref(); }
    void decref() override {
        if (__decref())
            delete this;
    }
};

namespace _detail {

// The texts of the error and string arguments of one call, kept alive
// until the call has formatted them (deque: push_back keeps references).
typedef std::deque<string> _texts;

// Arguments go to printf as they are, but for errors (anything that
// converts to `error`, nil included), which go as their text, and strings,
// which go as their C string.
template <typename T>
inline typename std::enable_if<!std::is_convertible<T, error>::value, T>::type _arg(_texts &, T x) {
    return x;
}
template <typename T>
inline typename std::enable_if<std::is_convertible<T, error>::value, const char *>::type _arg(_texts &keep,
                                                                                             const T &x) {
    error e = x;
    keep.push_back(e != nil ? e->Error() : string("(<nil>)"));
    return keep.back().c_str();
}
inline const char *_arg(_texts &keep, const string &s) {
    keep.push_back(s);
    return keep.back().c_str();
}

inline string _vformat(const char *format, ...) {
    va_list ap, ap2;
    va_start(ap, format);
    va_copy(ap2, ap);
    int n = std::vsnprintf(nullptr, 0, format, ap2);
    va_end(ap2);
    string out;
    if (n > 0) {
        std::vector<char> buf(size_t(n) + 1);
        std::vsnprintf(buf.data(), buf.size(), format, ap);
        out.assign(buf.data(), size_t(n));
    }
    va_end(ap);
    return out;
}

// Whether the last of the arguments is an error (nil included).
template <typename... A> struct _last_is_error : std::false_type {};
template <typename A> struct _last_is_error<A> : std::is_convertible<A, error> {};
template <typename A, typename B, typename... R> struct _last_is_error<A, B, R...> : _last_is_error<B, R...> {};

template <typename... A> struct _last {};
template <typename A> struct _last<A> {
    static error get(const A &a) { return error(a); }
};
template <typename A, typename B, typename... R> struct _last<A, B, R...> {
    static error get(const A &, const B &b, const R &...r) { return _last<B, R...>::get(b, r...); }
};

template <typename... Argv> inline string _sprintf(const char *format, Argv... argv) {
    _texts keep;
    return _vformat(format, _arg(keep, argv)...);
}

template <typename... Argv> inline error _errorf(std::true_type, const string &format, Argv... argv) {
    if (strings::has_suffix(format, ": %w")) {
        // The error, passed last, is an extra argument that printf ignores.
        string prefix = _sprintf(strings::trim_suffix(format, ": %w").c_str(), argv...);
        return adoptref(static_cast<_error *>(new _WrapError(prefix, _last<Argv...>::get(argv...))));
    }
    return errors::New(_sprintf(format.c_str(), argv...));
}
template <typename... Argv> inline error _errorf(std::false_type, const string &format, Argv... argv) {
    return errors::New(_sprintf(format.c_str(), argv...));
}

}  // namespace _detail

// sprintf formats like printf and returns the text.
template <typename... Argv> inline string sprintf(const string &format, Argv... argv) {
    return _detail::_sprintf(format.c_str(), argv...);
}
template <typename... Argv> inline string sprintf(const char *format, Argv... argv) {
    return _detail::_sprintf(format, argv...);
}

// errorf formats like sprintf into a new error; with a trailing ": %w" and
// an error last, the new error wraps it (see the top of this file).
template <typename... Argv> inline error errorf(const string &format, Argv... argv) {
    return _detail::_errorf(std::integral_constant<bool, _detail::_last_is_error<Argv...>::value>(), format, argv...);
}
template <typename... Argv> inline error errorf(const char *format, Argv... argv) {
    return errorf(string(format), argv...);
}

}  // namespace fmt
}  // namespace golang

#endif  // GOLANG_FMT_H
