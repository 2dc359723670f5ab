// golang/context.h: Go's context package for C++ and Cython nogil code
// (golang/context.pxd, Pygolang 0.1 names), header-only on libgolang.h,
// sync.h and time.h.
//
// The contexts are the runtime's (the golang-context crate, through the C
// ABI's feature 3; targets/native/src/ctxnode.rs), one tree for C++, Python
// and Rust: a `Context` of C++ may be a Python context's (`pyctx.ctx`), a
// child made here of a Python context is cancelled with it, and
// `PyContext.from_ctx(ctx)` gives Python a context made here.
//
// Invariants:
// 1. A `_Context*` is the ABI's opaque context: never made or freed by C++,
//    counted by `incref`/`decref` (so `Context`, a refptr, holds one count).
//    Two `Context`s are equal iff they are the same context node.
// 2. `canceled` and `deadlineExceeded` are one error object each per
//    process (as io::EOF_), so errors::Is works across extensions; `err()`
//    gives one of them, or nil.
// 3. A cancel function shares one cancel handle among its copies; the last
//    copy frees it. Calling it cancels the context, the first time only.
// 4. `with_value` hands the context one reference to the value, released
//    when the context goes; `value(key)` gives a new reference.

#ifndef GOLANG_CONTEXT_H
#define GOLANG_CONTEXT_H

#include <golang/libgolang.h>
#include <golang/cxx.h>
#include <golang/errors.h>
#include <golang/io.h>
#include <golang/sync.h>
#include <golang/time.h>

#include <cmath>
#include <memory>

namespace golang {
namespace context {

namespace _detail {
inline _error *_canceled() {
    static _error *e = io::_detail::_process_error("_cxx_context_canceled", "context canceled");
    return e;
}
inline _error *_deadline_exceeded() {
    static _error *e = io::_detail::_process_error("_cxx_context_deadlineExceeded", "deadline exceeded");
    return e;
}
inline const _capi_table *_t() { return _capi_detail::capi(); }
}  // namespace _detail

// The errors of a canceled context (invariant 2).
static const io::_detail::_ProcessError canceled = {&_detail::_canceled};
static const io::_detail::_ProcessError deadlineExceeded = {&_detail::_deadline_exceeded};

// A context (invariant 1): its methods ask the runtime.
struct _Context {
    // The deadline (seconds since the epoch); +inf when there is none.
    double deadline() const { return _detail::_t()->ctx_deadline(_raw()); }

    // The channel closed when the context is done; nil if it never is.
    chan<structZ> done() const {
        _chan *ch = _detail::_t()->ctx_done(_raw());
        chan<structZ> c = _wrapchan<structZ>(ch);
        _detail::_t()->chanxdecref(ch);  // (the wrap added its own count)
        return c;
    }

    // nil until done; then canceled or deadlineExceeded (invariant 2).
    error err() const {
        switch (_detail::_t()->ctx_err(_raw())) {
        case _CTXERR_CANCELED:
            return canceled;
        case _CTXERR_DEADLINE_EXCEEDED:
            return deadlineExceeded;
        default:
            return nil;
        }
    }

    // The value set under key by this context or an ancestor (with_value
    // of C++), or nil (invariant 4).
    interface value(const void *key) const {
        void *v = _detail::_t()->ctx_value(_raw(), key);
        return v != nullptr ? newref(static_cast<_interface *>(v)) : interface();
    }

    void incref() const { _detail::_t()->ctx_incref(_raw()); }
    void decref() const { _detail::_t()->ctx_decref(_raw()); }

    const _golang_ctx *_raw() const { return reinterpret_cast<const _golang_ctx *>(this); }
    static _Context *_of(const _golang_ctx *c) { return reinterpret_cast<_Context *>(const_cast<_golang_ctx *>(c)); }

  private:
    _Context() = delete;  // only the runtime makes them (invariant 1)
    ~_Context() = delete;
};
typedef refptr<_Context> Context;
typedef std::function<void()> cancelFunc;

namespace _detail {
// A context the runtime gave, with its count (invariant 1).
inline Context _adopt(const _golang_ctx *c) { return adoptref(_Context::_of(c)); }

// The cancel handle of a cancel function and its copies (invariant 3).
struct _CancelHandle {
    _golang_cancel *c;
    explicit _CancelHandle(_golang_cancel *c) : c(c) {}
    ~_CancelHandle() { _t()->ctx_cancel_free(c); }
    _CancelHandle(const _CancelHandle &) = delete;
    _CancelHandle &operator=(const _CancelHandle &) = delete;
};

inline std::pair<Context, cancelFunc> _pair(const _golang_ctx *c, _golang_cancel *cancel) {
    std::shared_ptr<_CancelHandle> h = std::make_shared<_CancelHandle>(cancel);
    return std::make_pair(_adopt(c), cancelFunc([h]() { _t()->ctx_cancel(h->c); }));
}

inline const _golang_ctx *_parent(const Context &p, const char *nilmsg) {
    if (p == nil)
        panic(nilmsg);
    return p->_raw();
}

inline void _release_value(void *v) { static_cast<_interface *>(v)->decref(); }
inline void _release_nothing(void *) {}
}  // namespace _detail

// The root context: never done, no deadline, no values.
inline Context background() {
    const _golang_ctx *c;
    _detail::_t()->ctx_background(&c);
    return _detail::_adopt(c);
}

// A context done when cancel is called or the parent is done.
inline std::pair<Context, cancelFunc> with_cancel(Context parent) {
    const _golang_ctx *c;
    _golang_cancel *cancel;
    _detail::_t()->ctx_with_cancel(_detail::_parent(parent, "with_cancel: parent is nil"), &c, &cancel);
    return _detail::_pair(c, cancel);
}

// A context that carries value v under key (invariant 4).
inline Context with_value(Context parent, const void *key, interface v) {
    const _golang_ctx *c;
    const _golang_ctx *p = _detail::_parent(parent, "with_value: parent is nil");
    _interface *iv = v._ptr();
    if (iv != nullptr)
        iv->incref();  // the context's reference
    _detail::_t()->ctx_with_value(p, key, iv, iv != nullptr ? &_detail::_release_value : &_detail::_release_nothing, &c);
    return _detail::_adopt(c);
}

// A context done at the time d (seconds since the epoch) at the latest.
inline std::pair<Context, cancelFunc> with_deadline(Context parent, double d) {
    const _golang_ctx *c;
    _golang_cancel *cancel;
    _detail::_t()->ctx_with_deadline(_detail::_parent(parent, "with_deadline: parent is nil"), d, &c, &cancel);
    return _detail::_pair(c, cancel);
}

// A context done dt seconds from now at the latest.
inline std::pair<Context, cancelFunc> with_timeout(Context parent, double dt) {
    const _golang_ctx *c;
    _golang_cancel *cancel;
    _detail::_t()->ctx_with_timeout(_detail::_parent(parent, "with_timeout: parent is nil"), dt, &c, &cancel);
    return _detail::_pair(c, cancel);
}

// A context done when either parent is done; its values are looked up in
// parent1, then parent2; its deadline is the earlier one.
inline std::pair<Context, cancelFunc> merge(Context parent1, Context parent2) {
    const _golang_ctx *c;
    _golang_cancel *cancel;
    _detail::_t()->ctx_merge(_detail::_parent(parent1, "merge: parent1 is nil"),
                             _detail::_parent(parent2, "merge: parent2 is nil"), &c, &cancel);
    return _detail::_pair(c, cancel);
}

namespace _detail {
inline void _add_child(void *user, const _golang_ctx *child) {
    static_cast<cxx::set<Context> *>(user)->insert(_adopt(child));
}
}  // namespace _detail

// Test hook: the contexts registered as ctx's children (those cancelled
// with it), however they were made.
inline cxx::set<Context> _tctxchildren(Context ctx) {
    if (ctx == nil)
        panic("context is not instance of golang.context._BaseCtx");
    cxx::set<Context> s;
    _detail::_t()->ctx_children(ctx->_raw(), &_detail::_add_child, &s);
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
