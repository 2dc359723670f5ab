// golang/cxx.h: C++ containers with Python's `in` (golang/cxx.pxd): dict and
// set over the standard unordered ones, with has(k); dict also has Go's
// comma-ok lookups: get(k) (the zero value when k is missing), get_(k) ->
// (v, ok), and pop(k) / pop_(k), which also remove k. Header-only.
#ifndef GOLANG_CXX_H
#define GOLANG_CXX_H

#include <unordered_map>
#include <unordered_set>
#include <tuple>
#include <utility>

namespace golang {
namespace cxx {

template <typename Key, typename Value> struct dict : std::unordered_map<Key, Value> {
    bool has(const Key &k) const { return this->find(k) != this->end(); }

    // get returns d[k], or Value() when k is not there (without inserting it).
    Value get(const Key &k) const {
        Value v; bool ok;
        std::tie(v, ok) = get_(k);
        return v;
    }

    // get_ returns (d[k], true), or (Value(), false) when k is not there.
    std::tuple<Value, bool> get_(const Key &k) const {
        auto it = this->find(k);
        if (it == this->end())
            return std::make_tuple(Value(), false);
        return std::make_tuple(it->second, true);
    }

    // pop removes k and returns its value, or Value() when k was not there.
    Value pop(const Key &k) {
        Value v; bool ok;
        std::tie(v, ok) = pop_(k);
        return v;
    }

    // pop_ removes k and returns (its value, true), or (Value(), false).
    std::tuple<Value, bool> pop_(const Key &k) {
        auto it = this->find(k);
        if (it == this->end())
            return std::make_tuple(Value(), false);
        Value v = std::move(it->second);
        this->erase(it);
        return std::make_tuple(std::move(v), true);
    }
};

template <typename Key> struct set : std::unordered_set<Key> {
    bool has(const Key &k) const { return this->find(k) != this->end(); }
};

}  // namespace cxx
}  // namespace golang

#endif  // GOLANG_CXX_H
