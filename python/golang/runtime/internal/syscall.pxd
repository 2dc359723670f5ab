# cython: language_level=3
# golang.runtime.internal.syscall: thin system calls for Cython nogil code
# (golang/runtime/internal/syscall.h; Pygolang 0.1's names). Each is the
# plain syscall and gives -errno on failure.

from posix.fcntl cimport mode_t
from posix.stat cimport struct_stat

cdef extern from "golang/runtime/internal/syscall.h" namespace "golang::internal::syscall" nogil:
    int Close(int fd)
    int Fcntl(int fd, int cmd, int arg)
    int Fstat(int fd, struct_stat *out_st)
    int Open(const char *path, int flags, mode_t mode)
    int Read(int fd, void *buf, size_t count)
    int Write(int fd, const void *buf, size_t count)
