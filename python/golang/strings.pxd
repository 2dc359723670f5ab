# cython: language_level=3
# golang/strings.pxd: a few functions of Go's strings package for Cython
# nogil code (Pygolang 0.1 names), over the header-only golang/strings.h.
#
#  - `has_prefix` / `has_suffix`: whether s starts / ends with the prefix / suffix.
#  - `trim_prefix` / `trim_suffix`: s without that prefix / suffix.
#  - `split(s, sep)`: the parts of s between the seps (none for an empty s).

from golang cimport string
from libcpp.vector cimport vector

cdef extern from *:
    ctypedef bint cbool "bool"

cdef extern from "golang/strings.h" namespace "golang::strings" nogil:
    cbool has_prefix(const string &s, const string &prefix)
    cbool has_prefix(const string &s, char prefix)
    cbool has_suffix(const string &s, const string &suffix)
    cbool has_suffix(const string &s, char suffix)
    string trim_prefix(const string &s, const string &prefix)
    string trim_prefix(const string &s, char prefix)
    string trim_suffix(const string &s, const string &suffix)
    string trim_suffix(const string &s, char suffix)
    vector[string] split(const string &s, char sep)
