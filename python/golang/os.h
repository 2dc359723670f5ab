// golang/os.h: Go's os for C++ and Cython nogil code, header-only on
// libgolang.h: os.Signal (golang/_os.pxd; a chan<os::Signal> that makechan
// makes is a channel of dtype 'C.os::Signal', which Python shares: pychan),
// and files (C++ only, as in Pygolang 0.1): os::File, Open, NewFile, Pipe,
// ReadFile and ErrClosed.
//
// Invariants of os::File:
// 1. A File owns its descriptor: Close closes it once (a second Close, and
//    any later Read, Write or Stat, gives "<op> <path>: file already
//    closed", wrapping ErrClosed); the last reference's decref closes it if
//    still open. `_sysfd()` is -1 once closed.
// 2. Close waits until the Read, Write and Stat calls in progress on the
//    file have returned (`_inflight`), so the descriptor is not closed (and
//    its number reused) under them: a file closed while another goroutine
//    reads it waits for that read, as in Pygolang.
// 3. I/O goes through the runtime (the C ABI's feature 4, capi.rs invariant
//    11): under gpython a read or write that would block waits in the
//    gevent hub, so other goroutines (greenlets of the thread) run.
// 4. An error is "<op> <path>: <cause>" and wraps its cause (errors::Unwrap
//    gives it): a syscall::Errno (strerror's text), ErrClosed or, for
//    Pipe, "pipe: <cause>". ErrClosed is one error per process, whichever
//    extension asks (as io::EOF_).
#ifndef GOLANG_OS_H
#define GOLANG_OS_H

#include <golang/libgolang.h>
#include <golang/fmt.h>
#include <golang/io.h>
#include <golang/runtime/internal/syscall.h>

#include <atomic>
#include <climits>
#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <tuple>
#include <vector>

namespace golang {
namespace os {

namespace _detail {
inline _error *_err_closed() {
    static _error *e = io::_detail::_process_error("_cxx_os_ErrClosed", "file already closed");
    return e;
}
}  // namespace _detail

// ErrClosed: the cause of an operation on a closed file (invariant 4).
static const io::_detail::_ProcessError ErrClosed = {&_detail::_err_closed};

class _File;
typedef refptr<_File> File;

// An open file (invariant 1); made by Open, NewFile and Pipe.
class _File final : public object {
    int _fd;
    string _path;
    std::atomic<int> _inflight;  // Read/Write/Stat calls in progress (invariant 2)
    std::atomic<bool> _closed;

    _File(int fd, const string &path) : _fd(fd), _path(path), _inflight(0), _closed(false) {}
    ~_File() {}

    // Counts a call in progress for its lifetime (invariant 2).
    struct _Inflight {
        _File &f;
        explicit _Inflight(_File &f) : f(f) { f._inflight.fetch_add(1); }
        ~_Inflight() { f._inflight.fetch_sub(1); }
    };

    error _err(const char *op, error cause) const { return fmt::errorf("%s %s: %w", op, _path, cause); }

  public:
    // (File's own: Open, NewFile and Pipe make files through it)
    static File _new(int fd, const string &path) { return adoptref(new _File(fd, path)); }

    void incref() { object::incref(); }
    void decref() {
        if (__decref()) {
            if (!_closed.load())
                Close();  // the error is lost, as Go's finalizer loses it
            delete this;
        }
    }

    // Name is the path the file was opened with ("|0", "|1" for a pipe).
    string Name() const { return _path; }

    // Close closes the file; a second Close gives "close <path>: file
    // already closed" (invariants 1, 2).
    error Close() {
        bool open = false;
        if (!_closed.compare_exchange_strong(open, true))
            return _err("close", ErrClosed);
        while (_inflight.load() != 0)
            _tasknanosleep(1000);  // (a greenlet yields, a thread sleeps)
        int r = _capi_detail::capi()->os_close(_fd);
        if (r < 0)
            return _err("close", internal::syscall::NewErrno(r));
        return nil;
    }

    // Read reads up to count bytes into buf, as Go's io.Reader: (n > 0,
    // nil), or (0, io::EOF_) at end of file, or (0, error).
    std::tuple<int, error> Read(void *buf, size_t count) {
        _Inflight in(*this);
        if (_closed.load())
            return std::make_tuple(0, _err("read", ErrClosed));
        if (count == 0)
            return std::make_tuple(0, error(nil));  // (Go's: no EOF for an empty read)
        if (count > INT_MAX)
            count = INT_MAX;
        ptrdiff_t n = 0;
        _capi_detail::check(_capi_detail::capi()->os_read(_fd, buf, count, &n));
        if (n == 0)
            return std::make_tuple(0, error(io::EOF_));
        if (n < 0)
            return std::make_tuple(0, _err("read", internal::syscall::NewErrno((int)n)));
        return std::make_tuple((int)n, error(nil));
    }

    // Write writes all count bytes of buf, as Go's io.Writer: (count, nil),
    // or the count written and the error that stopped it.
    std::tuple<int, error> Write(const void *buf, size_t count) {
        _Inflight in(*this);
        if (_closed.load())
            return std::make_tuple(0, _err("write", ErrClosed));
        if (count > INT_MAX)
            count = INT_MAX;
        const char *p = static_cast<const char *>(buf);
        int wrote = 0;
        while (count != 0) {
            ptrdiff_t n = 0;
            _capi_detail::check(_capi_detail::capi()->os_write(_fd, p, count, &n));
            if (n < 0)
                return std::make_tuple(wrote, _err("write", internal::syscall::NewErrno((int)n)));
            wrote += (int)n;
            p += n;
            count -= (size_t)n;
        }
        return std::make_tuple(wrote, error(nil));
    }

    // Stat fills st with the file's information (fstat).
    error Stat(struct stat *st) {
        _Inflight in(*this);
        if (_closed.load())
            return _err("stat", ErrClosed);
        int r = _capi_detail::capi()->os_fstat(_fd, st);
        if (r < 0)
            return _err("stat", internal::syscall::NewErrno(r));
        return nil;
    }

    // _sysfd is the descriptor, valid while the file is open; -1 once closed.
    int _sysfd() {
        _Inflight in(*this);
        return _closed.load() ? -1 : _fd;
    }
};

// Open opens path (flags and mode as open(2)): (file, nil), or (nil,
// "open <path>: <cause>").
inline std::tuple<File, error> Open(const string &path, int flags = O_RDONLY,
                                    mode_t mode = S_IRWXU | S_IRWXG | S_IRWXO) {
    int fd = _capi_detail::capi()->os_open(path.c_str(), flags, (unsigned)mode);
    if (fd < 0)
        return std::make_tuple(File(nil), fmt::errorf("%s %s: %w", "open", path, internal::syscall::NewErrno(fd)));
    return std::make_tuple(_File::_new(fd, path), error(nil));
}

// NewFile makes a File of the open descriptor sysfd, which it then owns:
// (file, nil), or (nil, "fdopen <name>: <cause>") for a bad descriptor.
inline std::tuple<File, error> NewFile(int sysfd, const string &name) {
    int r = _capi_detail::capi()->os_fdopen(sysfd);
    if (r < 0)
        return std::make_tuple(File(nil), fmt::errorf("%s %s: %w", "fdopen", name, internal::syscall::NewErrno(r)));
    return std::make_tuple(_File::_new(sysfd, name), error(nil));
}

// Pipe makes a pipe: (r "|0", w "|1", nil), or (nil, nil, "pipe: <cause>").
inline std::tuple<File, File, error> Pipe() {
    int vfd[2];
    int r = _capi_detail::capi()->os_pipe(vfd);
    if (r < 0)
        return std::make_tuple(File(nil), File(nil), fmt::errorf("pipe: %w", internal::syscall::NewErrno(r)));
    return std::make_tuple(_File::_new(vfd[0], "|0"), _File::_new(vfd[1], "|1"), error(nil));
}

// ReadFile gives the whole content of path: (data, nil), or ("", error).
inline std::tuple<string, error> ReadFile(const string &path) {
    File f;
    error err;
    std::tie(f, err) = Open(path);
    if (err != nil)
        return std::make_tuple(string(), err);
    string data;
    std::vector<char> buf(4096);
    while (true) {
        int n;
        std::tie(n, err) = f->Read(buf.data(), buf.size());
        data.append(buf.data(), (size_t)n);
        if (err != nil) {
            if (err == io::EOF_)
                err = nil;
            break;
        }
    }
    error err2 = f->Close();
    if (err == nil)
        err = err2;
    if (err != nil)
        data.clear();
    return std::make_tuple(data, err);
}

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
