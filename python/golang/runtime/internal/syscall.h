// golang/runtime/internal/syscall.h: thin system calls for C++ and Cython
// nogil code (golang/runtime/internal/syscall.pxd), as Pygolang 0.1 has
// them in golang::internal::syscall. Header-only.
//
// Each is the plain syscall, made by the calling thread: it blocks that
// thread (under gpython too, where the goroutines of the thread are
// greenlets: golang/os.h's os::File is what waits cooperatively there).
// A failure comes back as -errno (and errno is left as the caller had it);
// NewErrno makes the error of such a -errno, whose text is strerror's.
#ifndef GOLANG_RUNTIME_INTERNAL_SYSCALL_H
#define GOLANG_RUNTIME_INTERNAL_SYSCALL_H

#include "golang/libgolang.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

namespace golang {
namespace internal {
namespace syscall {

// A system error number (-errno, as the calls below return it).
typedef int __Errno;

namespace _detail {
// strerror_r is GNU's (a char* result) or XSI's (an int) depending on the
// libc and feature macros: either way, the text.
inline const char *_strerror_text(char *r, char *) { return r; }
inline const char *_strerror_text(int r, char *buf) { return r == 0 ? buf : nullptr; }
}  // namespace _detail

// The error of a failed system call: strerror's text of its number.
struct _Errno final : _error, object {
    __Errno syserr;  // -errno
    explicit _Errno(__Errno syserr) : syserr(syserr) {}
    string Error() override {
        int e = syserr < 0 ? -syserr : syserr;
        char buf[256];
        buf[0] = 0;
        const char *s = _detail::_strerror_text(::strerror_r(e, buf, sizeof buf), buf);
        if (s == nullptr || s[0] == 0)
            return "errno " + std::to_string(e);
        return string(s);
    }
    void incref() override { object::incref(); }
    void decref() override {
        if (__decref())
            delete this;
    }
};
typedef refptr<_Errno> Errno;

// NewErrno returns the error of syserr (-errno).
inline error NewErrno(__Errno syserr) { return adoptref(static_cast<_error *>(new _Errno(syserr))); }

namespace _detail {
// r, or -errno when r < 0; errno itself is put back.
template <typename F> inline auto _call(F f) -> decltype(f()) {
    int saved = errno;
    auto r = f();
    if (r < 0)
        r = -errno;
    errno = saved;
    return r;
}
}  // namespace _detail

// Read and Write give the count (>= 0) or -errno.
inline int Read(int fd, void *buf, size_t count) {
    return (int)_detail::_call([&] { return ::read(fd, buf, count); });
}
inline int Write(int fd, const void *buf, size_t count) {
    return (int)_detail::_call([&] { return ::write(fd, buf, count); });
}
// The others give 0 (Fcntl: fcntl's result; Open: the descriptor) or -errno.
inline __Errno Close(int fd) {
    return _detail::_call([&] { return ::close(fd); });
}
inline __Errno Fcntl(int fd, int cmd, int arg) {
    return _detail::_call([&] { return ::fcntl(fd, cmd, arg); });
}
inline __Errno Fstat(int fd, struct ::stat *out_st) {
    return _detail::_call([&] { return ::fstat(fd, out_st); });
}
inline int Open(const char *path, int flags, mode_t mode) {
    return _detail::_call([&] { return ::open(path, flags, mode); });
}
inline __Errno Pipe(int vfd[2]) {
    return _detail::_call([&] { return ::pipe(vfd); });
}
inline __Errno Sigaction(int signo, const struct ::sigaction *act, struct ::sigaction *oldact) {
    return _detail::_call([&] { return ::sigaction(signo, act, oldact); });
}

}  // namespace syscall
}  // namespace internal
}  // namespace golang

#endif  // GOLANG_RUNTIME_INTERNAL_SYSCALL_H
