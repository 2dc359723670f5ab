# cython: language_level=3
# golang/os.pxd: `from golang cimport os` (see golang/_os.pxd).
from golang._os cimport *
