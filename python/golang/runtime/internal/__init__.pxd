# golang.runtime.internal: C-level internals for Cython (syscall.pxd).
