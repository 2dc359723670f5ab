# cython: language_level=3
# golang/__init__.pxd: `from golang cimport ...` gives the names of
# golang/_golang.pxd, as in Pygolang.
from golang._golang cimport *
