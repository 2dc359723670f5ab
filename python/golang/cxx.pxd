# cython: language_level=3
# golang/cxx.pxd: C++ containers for Cython nogil code (Pygolang 0.1 names):
# dict and set, the standard unordered ones with `has(k)`.

cimport libcpp.unordered_map
cimport libcpp.unordered_set

cdef extern from "<golang/cxx.h>" namespace "golang::cxx" nogil:
    cppclass dict[Key, Value] (libcpp.unordered_map.unordered_map[Key, Value]):
        bint has(Key k) const

    cppclass set[Key] (libcpp.unordered_set.unordered_set[Key]):
        bint has(Key k) const
