// golang/sync.h: Sema, Mutex, RWMutex, Once and WaitGroup for C++ and Cython nogil
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

#ifdef __cplusplus
namespace golang {
namespace sync {

// The semaphore's raw API as Pygolang spells it in sync.h: a struct
// golang::sync::_sema and _makesema & co. in this namespace (its tests
// cimport them from "golang/sync.h" with namespace "golang::sync", so Cython
// writes `struct golang::sync::_sema *`). It is the runtime's semaphore
// (golang::_sema, libgolang.h) under a struct name of its own: the pointers
// are converted, never dereferenced here.
struct _sema;
inline _sema *_makesema() { return reinterpret_cast<_sema *>(golang::_makesema()); }
inline void _semafree(_sema *s) { golang::_semafree(reinterpret_cast<golang::_sema *>(s)); }
inline void _semaacquire(_sema *s) { golang::_semaacquire(reinterpret_cast<golang::_sema *>(s)); }
inline void _semarelease(_sema *s) { golang::_semarelease(reinterpret_cast<golang::_sema *>(s)); }

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

// RWMutex: one writer or many readers; writers have priority (a new RLock
// waits while a writer holds the lock or waits for it). Invariant 5: the
// state (`_writing`, `_nread`, `_nwwait`) changes only under `_g`, and every
// change that may let a waiter in closes `_wake` (and replaces it), which
// wakes every waiter to check again.
class RWMutex {
    Mutex _g;
    bool _writing = false;
    int _nread = 0;
    int _nwwait = 0;
    chan<structZ> _wake = makechan<structZ>();

    // Waits for the next change of the state: called and returns with _g held.
    void _wait() {
        chan<structZ> w = _wake;
        _g.unlock();
        w.recv();
        _g.lock();
    }
    void _broadcast() {
        _wake.close();
        _wake = makechan<structZ>();
    }

  public:
    void Lock() {
        _g.lock();
        _nwwait++;
        while (_writing || _nread > 0)
            _wait();
        _nwwait--;
        _writing = true;
        _g.unlock();
    }
    void Unlock() {
        _g.lock();
        if (!_writing) {
            _g.unlock();
            panic("sync: Unlock of unlocked RWMutex");
        }
        _writing = false;
        _broadcast();
        _g.unlock();
    }
    void RLock() {
        _g.lock();
        while (_writing || _nwwait > 0)
            _wait();
        _nread++;
        _g.unlock();
    }
    void RUnlock() {
        _g.lock();
        if (_nread <= 0) {
            _g.unlock();
            panic("sync: RUnlock of unlocked RWMutex");
        }
        _nread--;
        if (_nread == 0)
            _broadcast();
        _g.unlock();
    }
    // Turns the write lock into a read lock, with no writer in between.
    void UnlockToRLock() {
        _g.lock();
        if (!_writing) {
            _g.unlock();
            panic("sync: UnlockToRLock of unlocked RWMutex");
        }
        _writing = false;
        _nread++;
        _broadcast();
        _g.unlock();
    }
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

#else  // C: Pygolang's C-level semaphore API, under its C name (the
       // functions, _makesema & co., are libgolang.h's C ABI part)

typedef struct _golang_sema _sema;

#endif  // __cplusplus

#endif  // GOLANG_SYNC_H
