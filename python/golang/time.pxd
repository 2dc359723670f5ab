# cython: language_level=3
# golang/time.pxd: `from golang cimport time` (see golang/_time.pxd).
from golang._time cimport *
