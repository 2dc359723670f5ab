// Helpers of osfile.pyx: golang/os.h's files and
// golang/runtime/internal/syscall.h from C++, each check giving back what it
// saw as text for tests/python/test_capi_pyx.py to compare.
#ifndef CAPITEST_OSFILE_H
#define CAPITEST_OSFILE_H

#include <golang/errors.h>
#include <golang/io.h>
#include <golang/os.h>
#include <golang/runtime/internal/syscall.h>

#include <string>
#include <tuple>
#include <vector>

namespace capitest {
namespace osfile {

using namespace golang;
using std::string;
using std::tie;

inline string _text(error err) { return err == nil ? string("nil") : err->Error(); }

// Open of a missing file: "<f is nil> | <error>".
inline string open_missing(const string &path) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path);
    return string(f == nil ? "nil" : "file") + " | " + _text(err);
}

// Creates path and writes text, closes it twice: "<n> | <write err> |
// <close> | <close again> | <Is(ErrClosed)> | <Unwrap is ErrClosed> | <sysfd after>".
inline string write_close_twice(const string &path, const string &text) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    if (err != nil)
        return "open: " + _text(err);
    int n;
    tie(n, err) = f->Write(text.data(), text.size());
    string out = std::to_string(n) + " | " + _text(err);
    out += " | " + _text(f->Close());
    error again = f->Close();
    out += " | " + _text(again);
    out += string(" | ") + (errors::Is(again, os::ErrClosed) ? "Is" : "not Is");
    out += string(" | ") + (errors::Unwrap(again) == os::ErrClosed ? "wraps ErrClosed" : "wraps other");
    out += " | " + std::to_string(f->_sysfd());
    return out;
}

// Reads path in reads of `chunk` bytes until an error: "<data> | <n at
// the end> | <last error> | <is io::EOF_>".
inline string read_to_eof(const string &path, int chunk) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path);
    if (err != nil)
        return "open: " + _text(err);
    string data;
    std::vector<char> buf(chunk);
    int n;
    while (true) {
        tie(n, err) = f->Read(buf.data(), buf.size());
        if (err != nil)
            break;
        data.append(buf.data(), n);
    }
    string out = data + " | " + std::to_string(n) + " | " + _text(err) + " | " + (err == io::EOF_ ? "EOF_" : "other");
    f->Close();
    return out;
}

// Stat of an open file: its size, or the error.
inline string stat_size(const string &path) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path);
    if (err != nil)
        return "open: " + _text(err);
    struct stat st;
    err = f->Stat(&st);
    if (err != nil)
        return _text(err);
    return std::to_string((long long)st.st_size);
}

// ReadFile: "<data> | <error>".
inline string read_file(const string &path) {
    string data;
    error err;
    tie(data, err) = os::ReadFile(path);
    return data + " | " + _text(err);
}

// Read, Write and Stat of a closed file: their errors, and _sysfd.
inline string closed_file_ops(const string &path) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path);
    if (err != nil)
        return "open: " + _text(err);
    f->Close();
    char buf[4];
    int n;
    string out;
    tie(n, err) = f->Read(buf, sizeof buf);
    out += _text(err);
    tie(n, err) = f->Write("x", 1);
    out += " | " + _text(err);
    struct stat st;
    out += " | " + _text(f->Stat(&st));
    out += " | " + std::to_string(f->_sysfd());
    return out;
}

// Two pipes, a goroutine echoing what comes through one into the other,
// `rounds` round trips of one byte each, then EOF both ways: the number of
// round trips that came back right, then the end of the echo.
inline string pipe_echo(int rounds) {
    os::File r1, w2, r2, w1;  // r1 <- w2 (echo), w1 -> r2
    error err;
    tie(r1, w2, err) = os::Pipe();
    if (err != nil)
        return "pipe: " + _text(err);
    tie(r2, w1, err) = os::Pipe();
    if (err != nil)
        return "pipe: " + _text(err);
    string names = r1->Name() + " " + w2->Name();
    chan<int> done = makechan<int>(1);
    go([r2, w2, done]() {
        char buf[32];
        int echoed = 0;
        while (true) {
            int n, n2;
            error err;
            tie(n, err) = r2->Read(buf, sizeof buf);
            if (err == io::EOF_)
                break;
            if (err != nil)
                panic("echo: read failed");
            tie(n2, err) = w2->Write(buf, n);
            if (err != nil || n2 != n)
                panic("echo: write failed");
            echoed += n;
        }
        r2->Close();
        w2->Close();
        done.send(echoed);
    });
    int ok = 0;
    char buf[32];
    int n;
    for (int i = 0; i < rounds; i++) {
        buf[0] = (char)i;
        tie(n, err) = w1->Write(buf, 1);
        if (err != nil || n != 1)
            break;
        buf[0] = -1;
        tie(n, err) = r1->Read(buf, sizeof buf);
        if (err != nil || n != 1 || buf[0] != (char)i)
            break;
        ok++;
    }
    w1->Close();
    tie(n, err) = r1->Read(buf, sizeof buf);
    string end = std::to_string(n) + " " + _text(err);
    int echoed = done.recv();
    r1->Close();
    return names + " | " + std::to_string(ok) + " | " + end + " | echoed " + std::to_string(echoed);
}

// NewFile over a descriptor of this test: "<Name> | <sysfd is fd> | <what
// it reads> | <close>"; then NewFile(-1): its error.
inline string new_file(int fd) {
    os::File f;
    error err;
    tie(f, err) = os::NewFile(fd, "myfd");
    if (err != nil)
        return "newfile: " + _text(err);
    char buf[64];
    int n;
    tie(n, err) = f->Read(buf, sizeof buf);
    string out = f->Name() + " | " + (f->_sysfd() == fd ? "fd" : "other fd") + " | ";
    out += (err == nil ? string(buf, n) : _text(err));
    out += " | " + _text(f->Close());
    os::File bad;
    tie(bad, err) = os::NewFile(-1, "nofd");
    out += string(" | ") + (bad == nil ? "nil" : "file") + " | " + _text(err);
    return out;
}

// Everything that comes through the descriptor (a pipe's read end, which
// the File then owns) until end of file: "<data> | <close>".
inline string read_all_from(int fd) {
    os::File f;
    error err;
    tie(f, err) = os::NewFile(fd, "r");
    if (err != nil)
        return "newfile: " + _text(err);
    string data;
    char buf[16];
    int n;
    while (true) {
        tie(n, err) = f->Read(buf, sizeof buf);
        if (err != nil)
            break;
        data.append(buf, n);
    }
    if (err != io::EOF_)
        return "read: " + _text(err);
    return data + " | " + _text(f->Close());
}

// The cause an error of Open wraps: "<Unwrap's text> | <is a syscall
// Errno of -ENOENT>".
inline string open_error_cause(const string &path) {
    os::File f;
    error err;
    tie(f, err) = os::Open(path);
    error cause = errors::Unwrap(err);
    if (cause == nil)
        return "no cause";
    internal::syscall::_Errno *e = dynamic_cast<internal::syscall::_Errno *>(cause._ptr());
    return cause->Error() + " | " + (e != nullptr && e->syserr == -ENOENT ? "Errno -ENOENT" : "not Errno");
}

// golang::internal::syscall on bad input: -errno each (and errno kept).
inline string syscalls_give_minus_errno(const string &missing) {
    errno = 1234;
    char buf[4];
    struct stat st;
    std::vector<int> r = {
        internal::syscall::Open(missing.c_str(), O_RDONLY, 0) == -ENOENT,
        internal::syscall::Read(-1, buf, sizeof buf) == -EBADF,
        internal::syscall::Write(-1, buf, 1) == -EBADF,
        internal::syscall::Close(-1) == -EBADF,
        internal::syscall::Fstat(-1, &st) == -EBADF,
        internal::syscall::Fcntl(-1, F_GETFL, 0) == -EBADF,
        errno == 1234,
    };
    string out;
    for (int x : r)
        out += x ? "1" : "0";
    return out + " | " + internal::syscall::NewErrno(-EBADF)->Error();
}

}  // namespace osfile
}  // namespace capitest

#endif  // CAPITEST_OSFILE_H
