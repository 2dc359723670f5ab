// golang/os/signal.h: Go's os/signal for C++ and Cython nogil code
// (golang/os/signal.pxd): Notify, Stop, Ignore, Reset. Header-only over the
// C ABI (feature 3, capi.rs invariant 8): the calls reach the one signal
// implementation of the process (golang-os), the same that Python's
// golang.os.signal uses, so a chan<os::Signal> shared with Python
// (pychan._from_chan_osSignal / pych._chan_osSignal()) is one subscription
// whichever side subscribes it.
//
// An empty list of signals means all signals. Panics are Pygolang's:
// "invalid signal", "sigaction failed", "sigaction failed for all signals",
// "collision detected wrt thirdparty sigaction usage"; a chan<os::Signal>
// that wraps a raw channel of other elements (_wrapchan) panics "pychan:
// channel type mismatch". A nil channel is accepted and never sent to, as
// in Python.
#ifndef GOLANG_OS_SIGNAL_H
#define GOLANG_OS_SIGNAL_H

#include <golang/os.h>

#include <initializer_list>
#include <vector>

namespace golang {
namespace os {
namespace signal {

namespace _detail {
inline std::vector<int> _signos(const std::vector<os::Signal> &sigv) {
    std::vector<int> v;
    v.reserve(sigv.size());
    for (const os::Signal &s : sigv)
        v.push_back(s.signo);
    return v;
}
}  // namespace _detail

// Notify arranges for the signals sigv (all signals if empty) to be sent to
// ch. Delivery never blocks: when ch is full the signal is dropped for it.
inline void Notify(chan<os::Signal> ch, const std::vector<os::Signal> &sigv) {
    std::vector<int> v = _detail::_signos(sigv);
    _capi_detail::check(_capi_detail::capi()->signal_notify(ch._rawchan(), v.data(), (int)v.size()));
}

// Stop unsubscribes ch from every signal: once it returns, nothing more is
// sent to ch.
inline void Stop(chan<os::Signal> ch) { _capi_detail::check(_capi_detail::capi()->signal_stop(ch._rawchan())); }

// Ignore makes the signals sigv (all if empty) ignored; their subscribers
// are dropped.
inline void Ignore(const std::vector<os::Signal> &sigv) {
    std::vector<int> v = _detail::_signos(sigv);
    _capi_detail::check(_capi_detail::capi()->signal_ignore(v.data(), (int)v.size()));
}

// Reset gives the signals sigv (all if empty) back the action they had
// before the first Notify or Ignore; their subscribers are dropped.
inline void Reset(const std::vector<os::Signal> &sigv) {
    std::vector<int> v = _detail::_signos(sigv);
    _capi_detail::check(_capi_detail::capi()->signal_reset(v.data(), (int)v.size()));
}

inline void Notify(chan<os::Signal> ch, const std::initializer_list<os::Signal> &sigv) {
    Notify(ch, std::vector<os::Signal>(sigv));
}
inline void Ignore(const std::initializer_list<os::Signal> &sigv) { Ignore(std::vector<os::Signal>(sigv)); }
inline void Reset(const std::initializer_list<os::Signal> &sigv) { Reset(std::vector<os::Signal>(sigv)); }

}  // namespace signal
}  // namespace os
}  // namespace golang

#endif  // GOLANG_OS_SIGNAL_H
