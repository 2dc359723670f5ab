# cython: language_level=3
# golang/os/signal.pxd: `from golang.os cimport signal` (see
# golang/os/_signal.pxd), as in Pygolang.
from golang.os._signal cimport *
