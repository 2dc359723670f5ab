# golang.runtime: C-level parts for Cython (internal/syscall.pxd).
