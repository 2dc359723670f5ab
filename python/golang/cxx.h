// golang/cxx.h: C++ containers with Python's `in` (golang/cxx.pxd): dict and
// set over the standard unordered ones, with has(k). Header-only.
#ifndef GOLANG_CXX_H
#define GOLANG_CXX_H

#include <unordered_map>
#include <unordered_set>

namespace golang {
namespace cxx {

template <typename Key, typename Value> struct dict : std::unordered_map<Key, Value> {
    bool has(const Key &k) const { return this->find(k) != this->end(); }
};

template <typename Key> struct set : std::unordered_set<Key> {
    bool has(const Key &k) const { return this->find(k) != this->end(); }
};

}  // namespace cxx
}  // namespace golang

#endif  // GOLANG_CXX_H
