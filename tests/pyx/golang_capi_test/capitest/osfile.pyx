# cython: language_level=3
# distutils: language = c++
# golang/os.h's files (os::File, Open, NewFile, Pipe, ReadFile, ErrClosed)
# and golang/runtime/internal/syscall.h from nogil code: the checks are C++
# (capitest/osfile.h), run here without the GIL;
# tests/python/test_capi_pyx.py compares what they saw. Compiles with
# Cython 0.29 and 3.

from golang cimport topyexc
from libcpp.string cimport string

cdef extern from "capitest/osfile.h" namespace "capitest::osfile" nogil:
    string c_open_missing "capitest::osfile::open_missing" (string) except +topyexc
    string c_write_close_twice "capitest::osfile::write_close_twice" (string, string) except +topyexc
    string c_read_to_eof "capitest::osfile::read_to_eof" (string, int) except +topyexc
    string c_stat_size "capitest::osfile::stat_size" (string) except +topyexc
    string c_read_file "capitest::osfile::read_file" (string) except +topyexc
    string c_closed_file_ops "capitest::osfile::closed_file_ops" (string) except +topyexc
    string c_pipe_echo "capitest::osfile::pipe_echo" (int) except +topyexc
    string c_new_file "capitest::osfile::new_file" (int) except +topyexc
    string c_read_all_from "capitest::osfile::read_all_from" (int) except +topyexc
    string c_open_error_cause "capitest::osfile::open_error_cause" (string) except +topyexc
    string c_syscalls_give_minus_errno "capitest::osfile::syscalls_give_minus_errno" (string) except +topyexc


def _s(string s):
    return s.decode()


def open_missing(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_open_missing(p)
    return _s(r)


def write_close_twice(path, text):
    cdef string p = path.encode(), t = text.encode()
    cdef string r
    with nogil:
        r = c_write_close_twice(p, t)
    return _s(r)


def read_to_eof(path, int chunk):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_read_to_eof(p, chunk)
    return _s(r)


def stat_size(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_stat_size(p)
    return _s(r)


def read_file(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_read_file(p)
    return _s(r)


def closed_file_ops(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_closed_file_ops(p)
    return _s(r)


def pipe_echo(int rounds):
    cdef string r
    with nogil:
        r = c_pipe_echo(rounds)
    return _s(r)


def new_file(int fd):
    cdef string r
    with nogil:
        r = c_new_file(fd)
    return _s(r)


def open_error_cause(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_open_error_cause(p)
    return _s(r)


def syscalls_give_minus_errno(path):
    cdef string p = path.encode()
    cdef string r
    with nogil:
        r = c_syscalls_give_minus_errno(p)
    return _s(r)


def read_all_from(int fd):
    cdef string r
    with nogil:
        r = c_read_all_from(fd)
    return _s(r)
