// C-level conformance checks of the C ABI (capi.rs) through libgolang.h.
// Each check panics with a message on failure; checks named *_panics are
// expected to panic with Go's exact message (the Python side asserts it).

#include <golang/libgolang.h>
#include <golang/cxx.h>
#include <golang/sync.h>
#include <stdint.h>
#include <string.h>
#include <string>

using namespace golang;

#define ASSERT(cond) do { if (!(cond)) panic("assert failed: " #cond); } while (0)

// Waits (yielding) until n receivers (or senders) are queued on ch.
static void waitq(_chan *ch, int n, bool recv) {
    uint64_t t0 = _nanotime();
    while ((recv ? _tchanrecvqlen(ch) : _tchansendqlen(ch)) < n) {
        if (_nanotime() - t0 > 30ull * 1000000000ull)
            panic("deadlock: waiters never queued");
        _tasknanosleep(0);
    }
}

static void close_wakes_all_receivers() {
    const int N = 8;
    chan<int> ch = makechan<int>();
    chan<int> done = makechan<int>(N);
    for (int i = 0; i < N; i++) {
        go([](chan<int> ch, chan<int> done) {
            std::pair<int, bool> r = ch.recv_();
            done.send(r.first == 0 && !r.second ? 1 : 0);
        }, ch, done);
    }
    waitq(ch._rawchan(), N, true);
    ch.close();
    for (int i = 0; i < N; i++)
        ASSERT(done.recv() == 1);
}

static void close_wakes_all_senders() {
    const int N = 8;
    chan<int> ch = makechan<int>();
    chan<int> done = makechan<int>(N);
    for (int i = 0; i < N; i++) {
        go([](chan<int> ch, chan<int> done) {
            int got = 0;
            try {
                ch.send(1);
            } catch (...) {
                const char *arg = recover();
                got = strcmp(arg, "send on closed channel") == 0 ? 1 : 2;
            }
            done.send(got);
        }, ch, done);
    }
    waitq(ch._rawchan(), N, false);
    ch.close();
    for (int i = 0; i < N; i++)
        ASSERT(done.recv() == 1);
}

static void select_on_nil_channels_never_ready() {
    chan<int> nilch;
    int x = 1, y = 0;
    _selcase casev[3] = {nilch.sends(&x), nilch.recvs(&y), _default};
    ASSERT(select(casev) == 2);
    ASSERT(nilch.len() == 0 && nilch.cap() == 0);
}

static void select_exactly_once_under_concurrency() {
    const int M = 2000;
    chan<int> a = makechan<int>(), b = makechan<int>();
    chan<int> sum = makechan<int>(2);
    for (int k = 0; k < 2; k++) {
        go([](chan<int> ch, chan<int> sum) {
            int n = 0;
            for (;;) {
                std::pair<int, bool> r = ch.recv_();
                if (!r.second)
                    break;
                n += r.first;
            }
            sum.send(n);
        }, k == 0 ? a : b, sum);
    }
    chan<int> fin = makechan<int>(4);
    for (int g = 0; g < 4; g++) {
        go([](chan<int> a, chan<int> b, chan<int> fin, int M) {
            for (int i = 0; i < M / 4; i++) {
                int one = 1;
                _selcase casev[2] = {a.sends(&one), b.sends(&one)};
                select(casev);
            }
            fin.send(1);
        }, a, b, fin, M);
    }
    for (int g = 0; g < 4; g++)
        fin.recv();
    a.close();
    b.close();
    ASSERT(sum.recv() + sum.recv() == M);
}

static void select_recv_gives_value_and_ok() {
    chan<int64_t> ch = makechan<int64_t>(1);
    ch.send(42);
    int64_t v = 0;
    bool ok = false;
    _selcase casev[2] = {ch.recvs(&v, &ok), _default};
    ASSERT(select(casev) == 0);
    ASSERT(v == 42 && ok);
    ch.close();
    v = 7;
    ASSERT(select(casev) == 0);
    ASSERT(v == 0 && !ok);
}

static void select_inplace_send() {
    chan<int32_t> ch = makechan<int32_t>(1);
    _selcase c = _selsend(ch._rawchan(), nullptr);
    c.flags = _INPLACE_DATA;
    c.itxrx = 0;
    int32_t val = 123;
    memcpy(&c.itxrx, &val, sizeof val);
    _selcase casev[1] = {c};
    ASSERT(select(casev) == 0);
    ASSERT(ch.recv() == 123);
}

struct Big {
    char s[40];
    double d;
};

static void elements_of_any_size_roundtrip() {
    chan<structZ> z = makechan<structZ>(2);
    z.send(structZ());
    ASSERT(z.len() == 1 && z.cap() == 2);
    z.recv();
    chan<double> d = makechan<double>(1);
    d.send(2.5);
    ASSERT(d.recv() == 2.5);
    chan<Big> big = makechan<Big>(1);
    Big b1;
    memset(&b1, 0, sizeof b1);
    strcpy(b1.s, "a value larger than the inline buffer");
    b1.d = -1.5;
    big.send(b1);
    big.close();
    Big b2 = big.recv();
    ASSERT(strcmp(b2.s, b1.s) == 0 && b2.d == -1.5);
    std::pair<Big, bool> r = big.recv_();
    ASSERT(!r.second && r.first.s[0] == 0 && r.first.d == 0);
}

static void refcounts_reach_zero() {
    chan<int> ch = makechan<int>();
    _chan *raw = ch._rawchan();
    ASSERT(_chanrefcnt(raw) == 1);
    {
        chan<int> c2 = ch;
        ASSERT(_chanrefcnt(raw) == 2);
        chan<int> c3 = _wrapchan<int>(raw);
        ASSERT(_chanrefcnt(raw) == 3);
    }
    ASSERT(_chanrefcnt(raw) == 1);
    chan<int> done = makechan<int>();
    go([](chan<int> ch, chan<int> done) { done.send(1); }, ch, done);
    done.recv();
    // The goroutine's copies are gone once it returned: wait for it.
    uint64_t t0 = _nanotime();
    while (_chanrefcnt(raw) != 1) {
        if (_nanotime() - t0 > 30ull * 1000000000ull)
            panic("refcount never came back to 1");
        _tasknanosleep(0);
    }
    ch = nil;  // the last reference: the channel is freed
    ASSERT(ch == nil);
}

// Expected panics.
static void close_of_closed_panics() { chan<int> ch = makechan<int>(); ch.close(); ch.close(); }
static void close_of_nil_panics() { chan<int> ch; ch.close(); }
static void send_on_closed_panics() { chan<int> ch = makechan<int>(1); ch.close(); ch.send(1); }
static void elemsize_mismatch_panics() { chan<int> ch = makechan<int>(); _wrapchan<double>(ch._rawchan()); }
static void select_invalid_op_panics() {
    _selcase c = _default;
    c.op = (_chanop)7;
    _selcase casev[1] = {c};
    select(casev);
}
static void select_multiple_default_panics() {
    _selcase casev[2] = {_default, _default};
    select(casev);
}
static void select_recv_into_inplace_panics() {
    chan<int> ch = makechan<int>();
    _selcase c = ch.recvs();
    c.flags = _INPLACE_DATA;
    _selcase casev[1] = {c};
    select(casev);
}
static void panic_recover_roundtrip() {
    const char *got = nullptr;
    try {
        panic("boom");
    } catch (...) {
        got = recover();
    }
    ASSERT(got != nullptr && strcmp(got, "boom") == 0);
    int ran = 0;
    {
        defer([&]() { ran++; });
        ASSERT(ran == 0);
    }
    ASSERT(ran == 1);
}

// ---- the C++ API as Pygolang's own tests use it ----

static void cxx_dict_has_go_comma_ok_lookups() {
    cxx::dict<std::string, int> d;
    d["a"] = 1;
    d["b"] = 2;
    int v;
    bool ok;
    ASSERT(d.get("a") == 1 && d.get("zz") == 0);
    ASSERT(!d.has("zz"));  // get does not insert
    std::tie(v, ok) = d.get_("b");
    ASSERT(v == 2 && ok);
    std::tie(v, ok) = d.get_("zz");
    ASSERT(v == 0 && !ok);
    ASSERT(d.pop("b") == 2 && !d.has("b") && d.pop("b") == 0);
    std::tie(v, ok) = d.pop_("a");
    ASSERT(v == 1 && ok && !d.has("a"));
    std::tie(v, ok) = d.pop_("a");
    ASSERT(v == 0 && !ok && d.empty());
}

struct _Counted : object {
    int i = 0;
    void decref() {
        if (__decref())
            delete this;
    }
};

static void global_holds_a_reference_it_never_gives_back() {
    _Counted *obj = new _Counted();
    refptr<_Counted> p = adoptref(obj);
    global<refptr<_Counted>> g;
    ASSERT(g == nil && g != p && p != g);
    g = p;
    ASSERT(obj->refcnt() == 2 && g == p && p == g && g._ptr() == obj);
    g->i = 7;
    ASSERT((*g).i == 7);
    {
        global<refptr<_Counted>> h(p);  // never destroyed: its reference stays
        ASSERT(obj->refcnt() == 3 && h == g);
    }
    ASSERT(obj->refcnt() == 3);
    {
        refptr<_Counted> q(g);  // a refptr copied out of a global holds its own
        ASSERT(obj->refcnt() == 4);
        refptr<_Counted> r;
        r = g;
        ASSERT(obj->refcnt() == 5);
    }
    ASSERT(obj->refcnt() == 3);
    g = nil;
    ASSERT(obj->refcnt() == 2 && g == nil);
}

static void func_is_a_function_value() {
    func<int(int)> inc = [](int x) { return x + 1; };
    ASSERT(inc(1) == 2);
    func<void()> none;
    ASSERT(none == nullptr);
}

// A semaphore freed by the acquirer that a release just woke, over and over
// (bpo-38106's pattern: the release must not touch the semaphore once the
// acquirer can run): Pygolang's spelling through golang::sync.
struct _SemaHandoff {
    sync::Mutex mu;
    sync::_sema *sema = nullptr;  // published by the acquirer, popped by the releaser
    bool stop = false;
    chan<structZ> done = makechan<structZ>();
};

static void sema_freed_right_after_its_wakeup() {
    _SemaHandoff *st = new _SemaHandoff();
    go([st]() {
        for (;;) {
            st->mu.lock();
            sync::_sema *s = st->sema;
            st->sema = nullptr;
            bool stop = st->stop;
            st->mu.unlock();
            if (stop) {
                st->done.close();
                return;
            }
            if (s == nullptr) {
                _tasknanosleep(0);
                continue;
            }
            sync::_semarelease(s);
        }
    });
    for (int i = 0; i < 20000; i++) {
        sync::_sema *s = sync::_makesema();
        sync::_semaacquire(s);
        st->mu.lock();
        st->sema = s;
        st->mu.unlock();
        sync::_semaacquire(s);  // woken by the release above
        sync::_semafree(s);     // at once: the release may still be returning
    }
    st->mu.lock();
    st->stop = true;
    st->mu.unlock();
    st->done.recv();
    delete st;
}

// While a select waits it holds a count on its channels (capi.rs invariant
// 10), so the owner may drop the last other count as soon as it is woken.
static void waiting_select_holds_its_channels() {
    const int N = 16;
    chan<int> ch = makechan<int>();
    _chan *raw = ch._rawchan();
    chan<structZ> done = makechan<structZ>(N + 1);
    go([ch, done]() mutable {  // owns ch and drops it right after its wakeup
        ch.recv();
        ch = nil;
        done.send(structZ{});
    });
    waitq(raw, 1, true);
    ch = nil;  // only the owner's count is left
    ASSERT(_chanrefcnt(raw) == 1);
    for (int i = 0; i < N; i++) {
        go([raw, done]() {
            int rx;
            _selcase casev[1] = {_selrecv(raw, &rx)};
            select(casev);
            done.send(structZ{});
        });
    }
    waitq(raw, 1 + N, true);
    ASSERT(_chanrefcnt(raw) == 1 + N);
    _chanclose(raw);
    for (int i = 0; i < 1 + N; i++)
        done.recv();
}

static void tblockforever_makes_blocking_forever_panic() {
    struct Hook { static void f() {} };
    _tblockforever = &Hook::f;
    ASSERT(_tblockforever == &Hook::f);
    const char *got = nullptr;
    try {
        chan<int> nilch;
        nilch.recv();
    } catch (_PanicError &e) {
        got = e.arg;
    }
    try {
        _selcase casev[1] = {_selrecv(nullptr, nullptr)};
        select(casev);
    } catch (_PanicError &e) {
        ASSERT(strcmp(e.arg, "t: blocks forever") == 0);
    }
    _tblockforever = nullptr;
    ASSERT(got != nullptr && strcmp(got, "t: blocks forever") == 0);
    ASSERT(_tblockforever == nullptr);
}
