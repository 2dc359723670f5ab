// golang/strings.h: a few functions of Go's strings package for C++ and
// Cython nogil code (golang/strings.pxd), header-only.
#ifndef GOLANG_STRINGS_H
#define GOLANG_STRINGS_H

#include <string>
#include <vector>

namespace golang {
namespace strings {

using std::string;

inline bool has_prefix(const string &s, const string &prefix) { return s.compare(0, prefix.size(), prefix) == 0; }
inline bool has_prefix(const string &s, char prefix) { return !s.empty() && s.front() == prefix; }
inline bool has_suffix(const string &s, const string &suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
inline bool has_suffix(const string &s, char suffix) { return !s.empty() && s.back() == suffix; }

inline string trim_prefix(const string &s, const string &prefix) {
    return has_prefix(s, prefix) ? s.substr(prefix.size()) : s;
}
inline string trim_prefix(const string &s, char prefix) { return has_prefix(s, prefix) ? s.substr(1) : s; }
inline string trim_suffix(const string &s, const string &suffix) {
    return has_suffix(s, suffix) ? s.substr(0, s.size() - suffix.size()) : s;
}
inline string trim_suffix(const string &s, char suffix) {
    return has_suffix(s, suffix) ? s.substr(0, s.size() - 1) : s;
}

// split splits s at every sep. As in Pygolang (not Go), an empty s gives
// no parts at all.
inline std::vector<string> split(const string &s, char sep) {
    std::vector<string> parts;
    if (s.empty())
        return parts;
    size_t start = 0;
    for (;;) {
        size_t at = s.find(sep, start);
        if (at == string::npos) {
            parts.push_back(s.substr(start));
            return parts;
        }
        parts.push_back(s.substr(start, at - start));
        start = at + 1;
    }
}

}  // namespace strings
}  // namespace golang

#endif  // GOLANG_STRINGS_H
