// Helpers of sigtest.pyx that Cython cannot write itself (a catch).
#ifndef CAPITEST_SIGTEST_H
#define CAPITEST_SIGTEST_H

#include <golang/os/signal.h>

#include <string>
#include <vector>

namespace capitest {

// The panic of Notify(ch, sigv), or "" when it does not panic.
inline std::string notify_panic(golang::chan<golang::os::Signal> ch, std::vector<golang::os::Signal> sigv) {
    try {
        golang::os::signal::Notify(ch, sigv);
        return "";
    } catch (golang::_PanicError &e) {
        return e.arg;
    }
}

// A chan<os::Signal> over a raw channel of ints (elements of the same size).
inline golang::chan<golang::os::Signal> signal_chan_over_ints() {
    golang::chan<int> c = golang::makechan<int>(1);
    return golang::_wrapchan<golang::os::Signal>(c._rawchan());
}

}  // namespace capitest

#endif
