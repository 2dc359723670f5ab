// golang/time.h: sleep and now for C++ and Cython nogil code (the Part 2
// subset that does not need timers), on the runtime's C ABI (libgolang.h).
// Durations are seconds, as doubles.

#ifndef GOLANG_TIME_H
#define GOLANG_TIME_H

#include <golang/libgolang.h>

namespace golang {
namespace time {

const double second = 1.0;
const double nanosecond = 1e-9 * second;
const double microsecond = 1e-6 * second;
const double millisecond = 1e-3 * second;
const double minute = 60 * second;
const double hour = 60 * minute;

// Pauses the current goroutine for dt seconds; dt <= 0 yields.
inline void sleep(double dt) {
    if (!(dt > 0)) {
        _tasknanosleep(0);
        return;
    }
    double ns = dt * 1e9;
    if (ns >= 18446744073709551615.0)
        panic("sleep: dt overflow");
    _tasknanosleep((uint64_t)ns);
}

// The current time, in seconds since the epoch.
inline double now() { return (double)_nanotime() * 1e-9; }

}  // namespace time
}  // namespace golang

#endif  // GOLANG_TIME_H
