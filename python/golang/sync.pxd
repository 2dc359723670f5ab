# cython: language_level=3
# golang/sync.pxd: `from golang cimport sync` (see golang/_sync.pxd).
from golang._sync cimport *
