// golang/context.h: Go's context package for C++ and Cython nogil code
// (golang/context.pxd, Pygolang 0.1 names), header-only on libgolang.h,
// sync.h and time.h.
//
// Invariants:
// 1. A context made here is a `_BaseCtx`. Its state (`_err`, `_children`,
//    `_timer`) changes only under `_mu`; `_err` goes from nil to an error
//    once, and `_done` is closed exactly then.
// 2. Cancelation flows down: a canceled context cancels each child
//    registered with it (`_children`), outside its own lock. A child
//    registers with every parent that is a `_BaseCtx`; a parent of another
//    kind with a done channel is watched by a goroutine instead. A parent
//    already canceled when the child is made cancels it at once.
// 3. Parents and children hold references to each other until the child
//    is canceled (by its cancel function, its deadline, or a parent), which
//    unregisters it: call the cancel function, as in Go.
// 4. `canceled` and `deadlineExceeded` are one error object each per
//    process (as io::EOF_), so errors::Is works across extensions.
// 5. A context without a done channel of its own (a value context) uses its
//    parent's, so `done()` of a chain never allocates per call.

#ifndef GOLANG_CONTEXT_H
#define GOLANG_CONTEXT_H

#include <golang/libgolang.h>
#include <golang/cxx.h>
#include <golang/errors.h>
#include <golang/io.h>
#include <golang/sync.h>
#include <golang/time.h>

#include <algorithm>
#include <limits>
#include <vector>

namespace golang {
namespace context {

// The interface of a context.
struct _Context : _interface {
    virtual double deadline() = 0;             // +inf: none
    virtual chan<structZ> done() = 0;          // nil: never done
    virtual error err() = 0;                   // nil until done
    virtual interface value(const void *key) = 0;
};
typedef refptr<_Context> Context;
typedef std::function<void()> cancelFunc;

namespace _detail {
inline _error *_canceled() {
    static _error *e = io::_detail::_process_error("_cxx_context_canceled", "context canceled");
    return e;
}
inline _error *_deadline_exceeded() {
    static _error *e = io::_detail::_process_error("_cxx_context_deadlineExceeded", "deadline exceeded");
    return e;
}
}  // namespace _detail

// The errors of a canceled context (invariant 4).
static const io::_detail::_ProcessError canceled = {&_detail::_canceled};
static const io::_detail::_ProcessError deadlineExceeded = {&_detail::_deadline_exceeded};

class _BaseCtx;
typedef refptr<_BaseCtx> _BaseCtxRef;
cxx::set<Context> _tctxchildren(Context ctx);

// The contexts made by this package.
class _BaseCtx final : public _Context, public object {
    std::vector<Context> _parents;
    chan<structZ> _done;          // own (cancelable) or nil: invariant 5
    double _deadline = std::numeric_limits<double>::infinity();
    const void *_key = nullptr;   // a value context's key and value
    interface _value;
    bool _has_value = false;

    sync::Mutex _mu;              // invariant 1
    error _err;
    cxx::set<_BaseCtxRef> _children;
    time::Timer _timer;

    friend cxx::set<Context> _tctxchildren(Context ctx);

  public:
    _BaseCtx() {}

    void incref() override { object::incref(); }
    void decref() override {
        if (__decref())
            delete this;
    }

    double deadline() override { return _deadline; }

    chan<structZ> done() override {
        if (_done != nil || _parents.empty())
            return _done;
        return _parents[0]->done();  // invariant 5
    }

    error err() override {
        if (_done == nil)
            return _parents.empty() ? error() : _parents[0]->err();
        _mu.lock();
        error e = _err;
        _mu.unlock();
        return e;
    }

    interface value(const void *key) override {
        if (_has_value && _key == key)
            return _value;
        for (auto &p : _parents) {
            interface v = p->value(key);
            if (v != nil)
                return v;
        }
        return nil;
    }

    // Makes a context of `parents` (cancelable: with its own done channel),
    // registered with them (invariant 2).
    static _BaseCtxRef _make(const std::vector<Context> &parents, bool cancelable, double deadline) {
        _BaseCtxRef c = adoptref(new _BaseCtx());
        c->_parents = parents;
        c->_deadline = deadline;
        for (auto &p : parents)
            c->_deadline = std::min(c->_deadline, p->deadline());
        if (!cancelable)
            return c;
        c->_done = makechan<structZ>();
        for (auto &p : parents) {
            _attach(p, c);
            if (c->_err_set())
                return c;  // a parent was canceled already
        }
        return c;
    }

    // The context whose done channel `p` uses: `p` itself, or for a value
    // context the nearest cancelable (or root) ancestor (invariant 5);
    // nullptr when that is not a _BaseCtx.
    static _BaseCtx *_owner(const Context &p) {
        _BaseCtx *bp = dynamic_cast<_BaseCtx *>(p._ptr());
        while (bp != nullptr && bp->_done == nil && !bp->_parents.empty())
            bp = dynamic_cast<_BaseCtx *>(bp->_parents[0]._ptr());
        return bp;
    }

    bool _err_set() {
        _mu.lock();
        bool set = _err != nil;
        _mu.unlock();
        return set;
    }

    // Makes c follow the parent p (invariant 2): registered with p's owner
    // when that is a cancelable _BaseCtx (canceled at once if it is
    // canceled already); else, for a parent of another kind with a done
    // channel, watched by a goroutine; a parent never done needs nothing.
    static void _attach(const Context &p, _BaseCtxRef c) {
        _BaseCtx *bp = _owner(p);
        if (bp != nullptr && bp->_done != nil) {
            bp->_mu.lock();
            error e = bp->_err;
            if (e == nil)
                bp->_children.insert(c);
            bp->_mu.unlock();
            if (e != nil)
                c->_cancel(e);
            return;
        }
        if (bp != nullptr || p->done() == nil)
            return;  // a root: never done
        error perr = p->err();
        if (perr != nil) {
            c->_cancel(perr);
            return;
        }
        go([](Context p, _BaseCtxRef c) {
            chan<structZ> pd = p->done(), cd = c->_done;
            int k = select({pd.recvs(), cd.recvs()});
            if (k == 0)
                c->_cancel(p->err());
        }, p, c);
    }

    // Cancels this context and its children with err, once (invariants 1-2).
    void _cancel(error err) {
        _mu.lock();
        if (_err != nil) {
            _mu.unlock();
            return;
        }
        _err = err;
        cxx::set<_BaseCtxRef> children;
        children.swap(_children);
        time::Timer t = _timer;
        _timer = nil;
        _done.close();
        _mu.unlock();
        if (t != nil)
            t->stop();
        for (auto &ch : children)
            ch->_cancel(err);
    }

    // The cancel function: cancels with `canceled` and unregisters from the
    // parents (invariant 3).
    void _cancel_from_user() {
        _cancel(canceled);
        for (auto &p : _parents) {
            _BaseCtx *bp = _owner(p);
            if (bp != nullptr) {
                bp->_mu.lock();
                bp->_children.erase(newref(this));
                bp->_mu.unlock();
            }
        }
    }

    void _arm_deadline(_BaseCtxRef self) {
        double dt = _deadline - time::now();
        if (dt <= 0) {
            _cancel(deadlineExceeded);
            return;
        }
        time::Timer t = time::after_func(dt, [self]() { self->_cancel(deadlineExceeded); });
        _mu.lock();
        bool done = _err != nil;
        if (!done)
            _timer = t;
        _mu.unlock();
        if (done)
            t->stop();
    }

    static cancelFunc _cancel_func(_BaseCtxRef c) {
        return [c]() { c->_cancel_from_user(); };
    }

    // with_value's context: a key and its value over the parent.
    static Context _with_value(Context parent, const void *key, interface v) {
        _BaseCtxRef c = _make({parent}, false, std::numeric_limits<double>::infinity());
        c->_key = key;
        c->_value = v;
        c->_has_value = true;
        return c;
    }
};

// The root context: never done, no deadline, no values.
inline Context background() {
    static _BaseCtx *bg = [] {
        _BaseCtxRef c = adoptref(new _BaseCtx());
        c->incref();  // the process's reference, never released
        return c._ptr();
    }();
    return newref(static_cast<_Context *>(bg));
}

// A context done when cancel is called or the parent is done.
inline std::pair<Context, cancelFunc> with_cancel(Context parent) {
    _BaseCtxRef c = _BaseCtx::_make({parent}, true, std::numeric_limits<double>::infinity());
    return std::make_pair(Context(c), _BaseCtx::_cancel_func(c));
}

// A context that carries value v under key.
inline Context with_value(Context parent, const void *key, interface v) { return _BaseCtx::_with_value(parent, key, v); }

// A context done at the time d (seconds since the epoch) at the latest.
inline std::pair<Context, cancelFunc> with_deadline(Context parent, double d) {
    if (parent->deadline() <= d)
        return with_cancel(parent);  // the parent's deadline comes first
    _BaseCtxRef c = _BaseCtx::_make({parent}, true, d);
    c->_arm_deadline(c);
    return std::make_pair(Context(c), _BaseCtx::_cancel_func(c));
}

// A context done dt seconds from now at the latest.
inline std::pair<Context, cancelFunc> with_timeout(Context parent, double dt) {
    return with_deadline(parent, time::now() + dt);
}

// A context done when either parent is done; its values are looked up in
// parent1, then parent2; its deadline is the earlier one.
inline std::pair<Context, cancelFunc> merge(Context parent1, Context parent2) {
    // (no timer of its own: a parent with a deadline cancels itself, and
    // that reaches this context)
    _BaseCtxRef c = _BaseCtx::_make({parent1, parent2}, true, std::numeric_limits<double>::infinity());
    return std::make_pair(Context(c), _BaseCtx::_cancel_func(c));
}

// Test hook: the contexts registered as ctx's children.
inline cxx::set<Context> _tctxchildren(Context ctx) {
    _BaseCtx *c = dynamic_cast<_BaseCtx *>(ctx._ptr());
    if (c == nullptr)
        panic("context is not instance of golang.context._BaseCtx");
    cxx::set<Context> s;
    c->_mu.lock();
    for (auto &ch : c->_children)
        s.insert(Context(ch));
    c->_mu.unlock();
    return s;
}

}  // namespace context

namespace sync {

class _WorkGroup;
typedef refptr<_WorkGroup> WorkGroup;
WorkGroup NewWorkGroup(context::Context ctx);

// A group of goroutines working on one task: the first error cancels the
// group's context; wait waits for all and gives that error. (sync's, here
// because it needs context.) Invariant: `_err` is set once, under `_mu`.
class _WorkGroup final : public object {
    context::Context _ctx;
    context::cancelFunc _cancel;
    WaitGroup _wg;
    Mutex _mu;
    error _err;

    friend WorkGroup NewWorkGroup(context::Context ctx);
    _WorkGroup() {}

  public:
    void decref() {
        if (__decref())
            delete this;
    }

    // Runs f(ctx) in a goroutine of the group. A panic in f ends that
    // goroutine and is not passed on to wait (as in Pygolang).
    void go(std::function<error(context::Context)> f) {
        _wg.add(1);
        ::golang::go([](WorkGroup g, std::function<error(context::Context)> f) {
            defer([&]() { g->_wg.done(); });
            error err = f(g->_ctx);
            if (err == nil)
                return;
            g->_mu.lock();
            bool first = g->_err == nil;
            if (first)
                g->_err = err;
            g->_mu.unlock();
            if (first)
                g->_cancel();
        }, newref(this), f);
    }

    // Waits for every goroutine of the group, cancels its context, and
    // gives the first error.
    error wait() {
        _wg.wait();
        _cancel();
        _mu.lock();
        error e = _err;
        _mu.unlock();
        return e;
    }
};

// A WorkGroup whose context is a child of ctx.
inline WorkGroup NewWorkGroup(context::Context ctx) {
    WorkGroup g = adoptref(new _WorkGroup());
    std::pair<context::Context, context::cancelFunc> cc = context::with_cancel(ctx);
    g->_ctx = cc.first;
    g->_cancel = cc.second;
    return g;
}

}  // namespace sync
}  // namespace golang

#endif  // GOLANG_CONTEXT_H
