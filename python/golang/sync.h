// golang/sync.h: Sema, Mutex, Once and WaitGroup for C++ and Cython nogil
// code, on the runtime's semaphores and channels (libgolang.h).
//
// Invariants:
// 1. Sema is binary and starts available; Mutex is a Sema.
// 2. Once sets its done flag before running f, so a panicking f is never
//    run again (as in Pygolang).
// 3. WaitGroup: `_count >= 0` under `_mu`; `_done` is closed (and replaced
//    by a fresh channel) exactly when the count drops to 0, which wakes every
//    waiter of that round.
// 4. The last thing the Add that drops the count to 0 does is close that
//    round's channel, through its own reference, after `_mu` is released: a
//    waiter may return and free the WaitGroup as soon as it is closed (the
//    usual `wg.wait(); delete shared;`), so nothing of `*this` may be
//    touched after. (Closing before the unlock let a goroutine's unlock run
//    on freed memory.)

#ifndef GOLANG_SYNC_H
#define GOLANG_SYNC_H

#include <golang/libgolang.h>

namespace golang {
namespace sync {

class Sema {
    _sema *_s;
    Sema(const Sema &) = delete;
    Sema &operator=(const Sema &) = delete;

public:
    Sema() : _s(_makesema()) {}
    ~Sema() { _semafree(_s); }
    void acquire() { _semaacquire(_s); }
    void release() { _semarelease(_s); }
};

class Mutex {
    Sema _sema;

public:
    void lock() { _sema.acquire(); }
    void unlock() { _sema.release(); }
};

class Once {
    Mutex _mu;
    bool _done = false;

public:
    void do_(const std::function<void()> &f) {
        _mu.lock();
        defer([&]() { _mu.unlock(); });
        if (_done)
            return;
        _done = true;  // invariant 2
        f();
    }
};

class WaitGroup {
    Mutex _mu;
    int _count = 0;
    chan<structZ> _done = makechan<structZ>();

public:
    void add(int delta) {
        if (delta == 0)
            return;
        _mu.lock();
        if (_count + delta < 0) {
            _mu.unlock();
            panic("sync: negative WaitGroup counter");
        }
        _count += delta;
        if (_count != 0) {
            _mu.unlock();
            return;
        }
        chan<structZ> round = _done;  // invariant 3
        try {
            _done = makechan<structZ>();
        } catch (...) {
            _mu.unlock();
            throw;
        }
        _mu.unlock();
        round.close();  // invariant 4: last, without *this
    }
    void done() { add(-1); }
    void wait() {
        _mu.lock();
        if (_count == 0) {
            _mu.unlock();
            return;
        }
        chan<structZ> done = _done;
        _mu.unlock();
        done.recv();
    }
};

}  // namespace sync
}  // namespace golang

#endif  // GOLANG_SYNC_H
