// golang/time.h: sleep, now, timers and tickers for C++ and Cython nogil
// code, on the runtime's C ABI (libgolang.h) and golang/sync.h. Durations
// are seconds, as doubles.
//
// Invariants (timers and tickers):
// 1. A Timer or Ticker is armed by one goroutine that sleeps dt and then
//    fires; `_ver`, under `_mu`, numbers the arming, and a goroutine whose
//    number is no longer current does nothing (stop and reset just bump it).
// 2. `c` has room for one value and is emptied under `_mu` by stop (and by
//    a timer's fire never needing to block): a fire sends without blocking
//    while holding `_mu`; a ticker drops a tick its receiver has not taken.
// 3. The arming goroutine holds a reference to its timer, so a timer lives
//    until it fires or its goroutine sees it stopped.

#ifndef GOLANG_TIME_H
#define GOLANG_TIME_H

#include <golang/libgolang.h>
#include <golang/sync.h>

#include <limits>

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

class _Timer;
class _Ticker;
typedef refptr<_Timer> Timer;
typedef refptr<_Ticker> Ticker;
Timer new_timer(double dt);
Timer after_func(double dt, std::function<void()> f);

// A Timer: sends the time on c once, dt after it is armed (or runs f in its
// own goroutine, for after_func); stop cancels it.
class _Timer : public object {
    sync::Mutex _mu;
    std::function<void()> _f;
    bool _armed = false;
    uint64_t _ver = 0;  // invariant 1

    friend Timer new_timer(double dt);
    friend Timer after_func(double dt, std::function<void()> f);
    _Timer() {}

    static void _fire(Timer t, double dt, uint64_t ver) {
        sleep(dt);
        t->_mu.lock();
        if (t->_ver != ver) {  // stopped or re-armed: invariant 1
            t->_mu.unlock();
            return;
        }
        t->_armed = false;
        if (t->_f) {
            std::function<void()> f = t->_f;
            t->_mu.unlock();
            f();
            return;
        }
        double v = now();
        _selcase casev[2] = {t->c.sends(&v), _default};
        select(casev);  // never blocks: invariant 2
        t->_mu.unlock();
    }

  public:
    chan<double> c;  // nil for after_func

    void decref() {
        if (__decref())
            delete this;
    }

    // Cancels the timer: true if it was armed; c is empty after.
    bool stop() {
        _mu.lock();
        bool canceled = _armed;
        _armed = false;
        _ver++;
        if (c != nil) {
            while (c.len() > 0)
                c.recv();  // invariant 2
        }
        _mu.unlock();
        return canceled;
    }

    // Arms a stopped or expired timer to fire dt from now.
    void reset(double dt) {
        _mu.lock();
        if (_armed) {
            _mu.unlock();
            panic("Timer.reset: the timer is armed; must be stopped or expired");
        }
        _armed = true;
        uint64_t ver = ++_ver;
        _mu.unlock();
        go(_fire, newref(this), dt, ver);  // invariant 3
    }
};

inline Timer new_timer(double dt) {
    Timer t = adoptref(new _Timer());
    t->c = makechan<double>(1);
    t->reset(dt);
    return t;
}

inline Timer after_func(double dt, std::function<void()> f) {
    Timer t = adoptref(new _Timer());
    t->_f = f;
    t->reset(dt);
    return t;
}

// The time on a channel, once, dt from now.
inline chan<double> after(double dt) { return new_timer(dt)->c; }

// A Ticker: sends the time on c every dt; a slow receiver skips ticks.
class _Ticker : public object {
    sync::Mutex _mu;
    bool _stopped = false;
    double _dt;

    friend Ticker new_ticker(double dt);
    explicit _Ticker(double dt) : _dt(dt) {}

    static void _tick(Ticker tx) {
        for (;;) {
            sleep(tx->_dt);
            tx->_mu.lock();
            if (tx->_stopped) {
                tx->_mu.unlock();
                return;
            }
            double v = now();
            _selcase casev[2] = {tx->c.sends(&v), _default};
            select(casev);  // a tick not yet taken: this one is dropped
            tx->_mu.unlock();
        }
    }

  public:
    chan<double> c;

    void decref() {
        if (__decref())
            delete this;
    }

    // Stops the ticks; c is empty after.
    void stop() {
        _mu.lock();
        _stopped = true;
        while (c.len() > 0)
            c.recv();
        _mu.unlock();
    }
};

inline Ticker new_ticker(double dt) {
    if (!(dt > 0))
        panic("ticker: dt <= 0");
    Ticker tx = adoptref(new _Ticker(dt));
    tx->c = makechan<double>(1);
    go(_Ticker::_tick, tx);  // invariant 3
    return tx;
}

// The channel of a new ticker; nil for dt <= 0.
inline chan<double> tick(double dt) {
    if (!(dt > 0))
        return chan<double>();
    return new_ticker(dt)->c;
}

}  // namespace time
}  // namespace golang

#endif  // GOLANG_TIME_H
