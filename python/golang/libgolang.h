// golang/libgolang.h: Go's channels, select, go and panic for C++ (and,
// through golang/_golang.pxd, for Cython nogil code), on the pygolang-rs
// runtime of the process.
//
// Header-only: every call goes through the C ABI table that the package's
// native core exports as the PyCapsule "golang._golang._capi" (see
// targets/native/src/capi.rs for the table's invariants). So every extension
// of the process shares one runtime; none links a copy of it.
//
// Invariants of this header:
// 1. `_capi_table` mirrors `CApi` of capi.rs field by field; the header
//    refuses a table with another ABI version or fewer features than it
//    uses, with a message naming both versions (at the first call: a
//    `golang::_CApiError`, which topyexc turns into ImportError).
// 2. The table is fetched once per shared object, with the GIL taken through
//    PyGILState_Ensure: at load time by a static initializer (an extension
//    is loaded by `import`, with the GIL held), else lazily at first use.
//    Importing the capsule imports golang._golang, so `import golang` first
//    is not required. The current Python exception is kept.
// 3. A call that fails returns a static Go panic message; the header throws
//    it as `golang::_PanicError` (panic), never letting it pass silently.
// 4. `chan<T>` holds one reference to its raw `_chan` (NULL is nil); copies
//    incref, destruction decrefs. T is trivially copyable; elemsize is
//    sizeof(T), or 0 for an empty T (structZ).

#ifndef GOLANG_LIBGOLANG_H
#define GOLANG_LIBGOLANG_H

#include <Python.h>

#ifdef __cplusplus
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <functional>
#include <initializer_list>
#include <memory>
#include <new>
#include <string>
#if defined(__GLIBCXX__)
#include <cxxabi.h>  // abi::__forced_unwind (gotrampoline)
#include <unistd.h>  // pause
#endif
#include <type_traits>
#include <utility>
#include <vector>
#else  // C: the C ABI part only (below)
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#endif

// The ABI this header is written for (capi.rs ABI_VERSION) and the features
// it uses. Tests override the ABI to check the mismatch error; users do not.
#ifndef GOLANG_CAPI_ABI_VERSION
#define GOLANG_CAPI_ABI_VERSION 1
#endif
#define GOLANG_CAPI_FEATURE_VERSION 4

// ---- the C ABI: its types and table, for C and C++ ----

struct _chan;      // opaque raw channel (a RawChan of the runtime)
struct _golang_sema;  // opaque binary semaphore
struct _golang_ctx;   // opaque context (golang/context.h's _Context)
struct _golang_cancel;  // opaque cancel function of a context
// Why a context was cancelled (capi's `CtxErr`).
enum _golang_ctxerr { _CTXERR_NONE = 0, _CTXERR_CANCELED = 1, _CTXERR_DEADLINE_EXCEEDED = 2 };

enum _chanop { _CHANSEND = 0, _CHANRECV = 1, _DEFAULT = 2 };
enum _selflags { _INPLACE_DATA = 1 };

#ifndef __cplusplus
typedef struct _chan _chan;
typedef struct _golang_sema _golang_sema;
typedef struct _golang_ctx _golang_ctx;
typedef struct _golang_cancel _golang_cancel;
typedef enum _chanop _chanop;
typedef struct _selcase _selcase;
#endif

#ifdef __cplusplus
namespace golang {
[[noreturn]] inline void panic(const char *arg);  // (below)
}
#endif

// _selcase: the 32-byte layout of Pygolang 0.1 (capi.rs SelCase).
struct _selcase {
    struct _chan *ch;
    enum _chanop op : 8;
    unsigned flags : 8;
    unsigned user : 8;
    union {
        void *ptxrx;
        uint64_t itxrx;
    };
    bool *rxok;
#ifdef __cplusplus
    const void *ptx() const {
        if (op != _CHANSEND)
            golang::panic("_selcase: ptx: op != send");
        return (flags & _INPLACE_DATA) ? (const void *)&itxrx : ptxrx;
    }
    void *prx() const {
        if (op != _CHANRECV)
            golang::panic("_selcase: prx: op != recv");
        if (flags & _INPLACE_DATA)
            golang::panic("_selcase: prx: recv with inplace data");
        return ptxrx;
    }
#endif
};
#ifdef __cplusplus
static_assert(sizeof(_selcase) == 32 || sizeof(void *) != 8, "_selcase must be 32 bytes on LP64");
#else
_Static_assert(sizeof(_selcase) == 32 || sizeof(void *) != 8, "_selcase must be 32 bytes on LP64");
#endif

// The cases of a select (C and C++; in C++ also golang::_selsend & co.).
static inline _selcase _selsend(_chan *ch, const void *ptx) {
    _selcase c;
    c.ch = ch; c.op = _CHANSEND; c.flags = 0; c.user = 0xff;
    c.ptxrx = (void *)ptx; c.rxok = NULL;
    return c;
}
static inline _selcase _selrecv_(_chan *ch, void *prx, bool *pok) {
    _selcase c;
    c.ch = ch; c.op = _CHANRECV; c.flags = 0; c.user = 0xff;
    c.ptxrx = prx; c.rxok = pok;
    return c;
}
static inline _selcase _selrecv(_chan *ch, void *prx) { return _selrecv_(ch, prx, NULL); }
__attribute__((unused)) static const _selcase _default = {NULL, _DEFAULT, 0, 0xff, {NULL}, NULL};

// How the runtime makes the C++ error of an error Python code makes (feature 3).
typedef void *(*_cxxerr_new_text)(const char *text, size_t n);
typedef void *(*_cxxerr_new_wrap)(const char *prefix, size_t n, void *inner);
typedef void (*_cxxerr_release)(void *err);

// The C ABI table (mirror of capi.rs `CApi`, invariant 1; golang::_capi_table in C++).
struct _golang_capi_table {
    uint32_t abi_version;
    uint32_t feature_version;
    uint32_t size;
    uint32_t _reserved;
    // feature 1
    const char *(*makechan)(unsigned elemsize, unsigned size, _chan **out);
    const char *(*chanxincref)(_chan *ch);
    const char *(*chanxdecref)(_chan *ch);
    int (*chanrefcnt)(const _chan *ch);
    unsigned (*chanelemsize)(const _chan *ch);
    const char *(*chansend)(_chan *ch, const void *ptx);
    const char *(*chanrecv_)(_chan *ch, void *prx, bool *ok);
    const char *(*chanclose)(_chan *ch);
    unsigned (*chanlen)(const _chan *ch);
    unsigned (*chancap)(const _chan *ch);
    const char *(*chanselect)(const struct _selcase *casev, int casec, int *out);
    const char *(*go)(void (*f)(void *), void *arg);
    const char *(*nanosleep)(uint64_t ns);
    uint64_t (*nanotime)();
    _golang_sema *(*makesema)();
    void (*semafree)(_golang_sema *);
    const char *(*semaacquire)(_golang_sema *);
    const char *(*semarelease)(_golang_sema *);
    int (*tchanrecvqlen)(const _chan *ch);
    int (*tchansendqlen)(const _chan *ch);
    // feature 2: channels shared with Python (capi.rs invariant 6)
    const char *(*makechan_dtype)(int dtype, unsigned size, _chan **out);
    PyObject *(*pychan_from_raw)(_chan *ch, int dtype);
    PyObject *(*pychan_nil)(int dtype);
    const char *(*pychan_rawchan)(PyObject *pych, int dtype, _chan **out);
    const char *(*sigdescr)(int signo);
    // feature 3: contexts shared by C++, Python and Rust (golang/context.h)
    void (*ctx_background)(const _golang_ctx **out);
    void (*ctx_incref)(const _golang_ctx *c);
    void (*ctx_decref)(const _golang_ctx *c);
    void (*ctx_with_cancel)(const _golang_ctx *p, const _golang_ctx **out, _golang_cancel **cancel);
    void (*ctx_with_deadline)(const _golang_ctx *p, double d, const _golang_ctx **out, _golang_cancel **cancel);
    void (*ctx_with_timeout)(const _golang_ctx *p, double dt, const _golang_ctx **out, _golang_cancel **cancel);
    void (*ctx_merge)(const _golang_ctx *p1, const _golang_ctx *p2, const _golang_ctx **out, _golang_cancel **cancel);
    void (*ctx_with_value)(const _golang_ctx *p, const void *key, void *v, void (*release)(void *), const _golang_ctx **out);
    void (*ctx_cancel)(_golang_cancel *c);
    void (*ctx_cancel_free)(_golang_cancel *c);
    double (*ctx_deadline)(const _golang_ctx *c);
    _chan *(*ctx_done)(const _golang_ctx *c);
    enum _golang_ctxerr (*ctx_err)(const _golang_ctx *c);
    void *(*ctx_value)(const _golang_ctx *c, const void *key);
    void (*ctx_children)(const _golang_ctx *c, void (*f)(void *user, const _golang_ctx *child), void *user);
    PyObject *(*pycontext_from_raw)(const _golang_ctx *c);
    // feature 3: os.signal (capi.rs invariant 8; golang/os/signal.h)
    const char *(*signal_notify)(_chan *ch, const int *signov, int n);
    const char *(*signal_stop)(_chan *ch);
    const char *(*signal_ignore)(const int *signov, int n);
    const char *(*signal_reset)(const int *signov, int n);
    void (*pyerror_cxx)(_cxxerr_new_text new_text_error, _cxxerr_new_wrap new_wrap_error, _cxxerr_release release);
    // feature 4: file I/O on descriptors (capi.rs invariant 11; golang/os.h's
    // os::File): a descriptor, a count or 0, or -errno
    int (*os_open)(const char *path, int flags, unsigned mode);
    int (*os_fdopen)(int fd);
    const char *(*os_read)(int fd, void *buf, size_t count, ptrdiff_t *out);
    const char *(*os_write)(int fd, const void *buf, size_t count, ptrdiff_t *out);
    int (*os_fstat)(int fd, void *st);
    int (*os_close)(int fd);
    int (*os_pipe)(int *vfd);
};

// Fetches the table through the PyCapsule (invariant 2, for C and C++): NULL
// with err[0:n] set on failure. The current Python exception is kept.
static inline const struct _golang_capi_table *_golang_capi_fetch(char *err, size_t n) {
    if (!Py_IsInitialized()) {
        snprintf(err, n, "golang C API: the Python interpreter is not running");
        return NULL;
    }
    PyGILState_STATE gs = PyGILState_Ensure();
    PyObject *et, *ev, *etb;
    PyErr_Fetch(&et, &ev, &etb);
    const struct _golang_capi_table *t = (const struct _golang_capi_table *)PyCapsule_Import("golang._golang._capi", 0);
    if (t == NULL) {
        PyObject *e = NULL, *v = NULL, *tb = NULL;
        PyErr_Fetch(&e, &v, &tb);
        PyObject *s = v ? PyObject_Str(v) : NULL;
        const char *cs = s ? PyUnicode_AsUTF8(s) : NULL;
        snprintf(err, n, "golang C API: cannot import golang._golang._capi: %s", cs ? cs : "?");
        PyErr_Clear();
        Py_XDECREF(s); Py_XDECREF(e); Py_XDECREF(v); Py_XDECREF(tb);
    } else if (t->abi_version != GOLANG_CAPI_ABI_VERSION || t->feature_version < GOLANG_CAPI_FEATURE_VERSION) {
        snprintf(err, n,
                 "golang C API version mismatch: this extension was built for ABI %d (features >= %d), "
                 "the installed golang provides ABI %u (features %u); rebuild the extension",
                 GOLANG_CAPI_ABI_VERSION, GOLANG_CAPI_FEATURE_VERSION, t->abi_version, t->feature_version);
        t = NULL;
    }
    PyErr_Restore(et, ev, etb);
    PyGILState_Release(gs);
    return t;
}

#ifdef __cplusplus

namespace golang {

// The C ABI's types also in golang::, where Pygolang declares them (C code
// and our pxd see them at global scope).
using ::_chan;
using ::_chanop;
using ::_CHANSEND;
using ::_CHANRECV;
using ::_DEFAULT;
using ::_selflags;
using ::_INPLACE_DATA;
using ::_selcase;
using ::_selsend;
using ::_selrecv;
using ::_selrecv_;
using ::_default;
typedef ::_golang_capi_table _capi_table;

using Nil = std::nullptr_t;
constexpr Nil nil = nullptr;
using string = std::string;

// struct{}: the element of chan[structZ] (elemsize 0).
struct structZ {};

// A Go panic in C++ (invariant 3). It carries the pointer given to panic,
// which is not copied.
struct _PanicError : std::exception {
    const char *arg;
    explicit _PanicError(const char *arg) : arg(arg) {}
    const char *what() const noexcept override { return arg; }
};

// The table could not be fetched or has an incompatible version
// (invariant 1); topyexc makes it ImportError.
struct _CApiError : _PanicError {
    explicit _CApiError(const char *arg) : _PanicError(arg) {}
};

[[noreturn]] inline void panic(const char *arg) { throw _PanicError(arg); }

// Only inside a catch handler: the panic's argument; rethrows any other
// exception.
inline const char *recover() {
    try {
        throw;
    } catch (_PanicError &e) {
        return e.arg;
    }
}

namespace _capi_detail {

inline std::atomic<const _capi_table *> &slot() {
    static std::atomic<const _capi_table *> p(nullptr);
    return p;
}

inline char *errbuf() {
    static char buf[512];
    return buf;
}

// Fetches the table (invariant 2); NULL with errbuf() set on failure.
inline const _capi_table *load() {
    const _capi_table *t = _golang_capi_fetch(errbuf(), 512);
    if (t != nullptr)
        slot().store(t, std::memory_order_release);
    return t;
}

// The table; throws _CApiError if it cannot be had.
inline const _capi_table *capi() {
    const _capi_table *t = slot().load(std::memory_order_acquire);
    if (t == nullptr) {
        t = load();
        if (t == nullptr)
            throw _CApiError(errbuf());
    }
    return t;
}

// Throws a failed call's panic message (invariant 3).
inline void check(const char *msg) {
    if (msg != nullptr)
        panic(msg);
}

// At load time (invariant 2): the extension is being imported, so the GIL is
// held and a failure can be reported at the first call.
struct preload {
    preload() {
        if (Py_IsInitialized() && slot().load() == nullptr)
            load();
    }
};
static preload _preload;

}  // namespace _capi_detail
}  // namespace golang

// The table and a failed call's panic, as the C ABI wrappers below use them.
static inline const struct _golang_capi_table *_golang_capi(void) { return golang::_capi_detail::capi(); }
static inline void _golang_check(const char *msg) { golang::_capi_detail::check(msg); }

#else  // C

// A panic is the C++ exception golang::_PanicError, thrown by the function
// the C++ translation units of the extension define (C cannot throw or
// catch it: it unwinds through C frames to the Cython `except +topyexc`
// that called them). An extension without any C++ code has none: its
// panics print "panic: <message>" and abort, as an unrecovered panic does.
extern void _golang_throw_panic(const char *arg) __attribute__((weak, visibility("hidden")));

__attribute__((noreturn)) static inline void panic(const char *arg) {
    if (_golang_throw_panic)
        _golang_throw_panic(arg);
    fprintf(stderr, "panic: %s\n", arg);
    abort();
}

// The table of this translation unit (fetched once; a racing second fetch
// stores the same pointer).
static inline const struct _golang_capi_table *_golang_capi(void) {
    static const struct _golang_capi_table *table;
    static char err[512];
    const struct _golang_capi_table *t = __atomic_load_n(&table, __ATOMIC_ACQUIRE);
    if (t == NULL) {
        t = _golang_capi_fetch(err, sizeof err);
        if (t == NULL)
            panic(err);
        __atomic_store_n(&table, t, __ATOMIC_RELEASE);
    }
    return t;
}

static inline void _golang_check(const char *msg) {
    if (msg != NULL)
        panic(msg);
}

#endif  // __cplusplus

// ---- Pygolang's C ABI (C and C++; in C++ also golang::_makechan & co.) ----

static inline _chan *_makechan(unsigned elemsize, unsigned size) {
    _chan *ch = NULL;
    _golang_check(_golang_capi()->makechan(elemsize, size, &ch));
    return ch;
}
static inline void _chanxincref(_chan *ch) { if (ch) _golang_check(_golang_capi()->chanxincref(ch)); }
static inline void _chanxdecref(_chan *ch) { if (ch) _golang_check(_golang_capi()->chanxdecref(ch)); }
static inline int _chanrefcnt(_chan *ch) { return _golang_capi()->chanrefcnt(ch); }
static inline void _chansend(_chan *ch, const void *ptx) { _golang_check(_golang_capi()->chansend(ch, ptx)); }
static inline bool _chanrecv_(_chan *ch, void *prx) {
    bool ok = false;
    _golang_check(_golang_capi()->chanrecv_(ch, prx, &ok));
    return ok;
}
static inline void _chanrecv(_chan *ch, void *prx) { (void)_chanrecv_(ch, prx); }
static inline void _chanclose(_chan *ch) { _golang_check(_golang_capi()->chanclose(ch)); }
static inline unsigned _chanlen(_chan *ch) { return ch ? _golang_capi()->chanlen(ch) : 0; }
static inline unsigned _chancap(_chan *ch) { return ch ? _golang_capi()->chancap(ch) : 0; }
static inline int _tchanrecvqlen(_chan *ch) { return _golang_capi()->tchanrecvqlen(ch); }
static inline int _tchansendqlen(_chan *ch) { return _golang_capi()->tchansendqlen(ch); }

// Runs the select over casev[0:casec]; the index of the case that ran.
static inline int _chanselect(const _selcase *casev, int casec) {
    int out = -1;
    _golang_check(_golang_capi()->chanselect(casev, casec, &out));
    return out;
}

static inline void _taskgo(void (*f)(void *), void *arg) { _golang_check(_golang_capi()->go(f, arg)); }
static inline void _tasknanosleep(uint64_t ns) { _golang_check(_golang_capi()->nanosleep(ns)); }
static inline uint64_t _nanotime(void) { return _golang_capi()->nanotime(); }

// The runtime's binary semaphore (Pygolang declares it in sync.h: there C
// calls it `_sema`, and C++ golang::sync::_sema).
static inline struct _golang_sema *_makesema(void) {
    struct _golang_sema *s = _golang_capi()->makesema();
    if (s == NULL)
        _golang_check("makesema: alloc failed");
    return s;
}
static inline void _semafree(struct _golang_sema *s) { _golang_capi()->semafree(s); }
static inline void _semaacquire(struct _golang_sema *s) { _golang_check(_golang_capi()->semaacquire(s)); }
static inline void _semarelease(struct _golang_sema *s) { _golang_check(_golang_capi()->semarelease(s)); }

#ifdef __cplusplus
namespace golang {

using ::_makechan;
using ::_chanxincref;
using ::_chanxdecref;
using ::_chanrefcnt;
using ::_chansend;
using ::_chanrecv_;
using ::_chanrecv;
using ::_chanclose;
using ::_chanlen;
using ::_chancap;
using ::_tchanrecvqlen;
using ::_tchansendqlen;
using ::_chanselect;
using ::_taskgo;
using ::_tasknanosleep;
using ::_nanotime;
typedef _golang_sema _sema;
using ::_makesema;
using ::_semafree;
using ::_semaacquire;
using ::_semarelease;

// ---- select cases ----

// Runs the select over casev[0:casec]; the index of the case that ran.
inline int select(const _selcase *casev, int casec) { return _chanselect(casev, casec); }
template <size_t N> inline int select(const _selcase (&casev)[N]) { return select(&casev[0], (int)N); }
inline int select(const std::initializer_list<const _selcase> &casev) { return select(casev.begin(), (int)casev.size()); }
inline int select(const std::vector<_selcase> &casev) { return select(casev.data(), (int)casev.size()); }

// ---- channels ----

template <typename T> inline unsigned _elemsize() { return std::is_empty<T>::value ? 0 : (unsigned)sizeof(T); }

// The dtype (Pygolang's DType number) of the channels makechan<T> makes, so
// that a Python chan of that dtype can share them (pychan.from_chan_int ...);
// -1: a channel of raw bytes. golang/os.h adds os::Signal (5).
template <typename T> struct _dtype_of { static const int value = -1; };
template <> struct _dtype_of<structZ> { static const int value = 1; };
template <> struct _dtype_of<bool> { static const int value = 2; };
template <> struct _dtype_of<int> { static const int value = 3; };
template <> struct _dtype_of<double> { static const int value = 4; };

// (the raw C-level operations, `_makechan` & co., are the C ABI part's,
// shared with C: above)
inline _chan *_makechan_dtype(int dtype, unsigned size) {
    _chan *ch = nullptr;
    _capi_detail::check(_capi_detail::capi()->makechan_dtype(dtype, size, &ch));
    return ch;
}

// Pygolang's test hook `_tblockforever` (a function called before blocking
// forever): assigning a function makes every operation that would block
// forever panic "t: blocks forever" instead, and assigning NULL restores
// blocking, through golang._golang._set_panic_when_blocked, which
// `golang._golang_test.pypanicWhenBlocked` uses too. The function itself is
// not called: the runtime panics with that message (a C++ exception cannot
// unwind through the Rust runtime). Read back, it gives what this
// translation unit last assigned.
struct _TBlockForever {
    void (*f)() = nullptr;

    _TBlockForever &operator=(void (*fn)()) {
        f = fn;
        PyGILState_STATE gs = PyGILState_Ensure();
        PyObject *et, *ev, *etb;
        PyErr_Fetch(&et, &ev, &etb);
        PyObject *mod = PyImport_ImportModule("golang._golang");
        PyObject *r = mod ? PyObject_CallMethod(mod, "_set_panic_when_blocked", "O", fn ? Py_True : Py_False) : nullptr;
        bool ok = r != nullptr;
        Py_XDECREF(r);
        Py_XDECREF(mod);
        PyErr_Clear();
        PyErr_Restore(et, ev, etb);
        PyGILState_Release(gs);
        if (!ok)
            panic("_tblockforever: cannot reach golang._golang._set_panic_when_blocked");
        return *this;
    }
    operator decltype(f)() const { return f; }
    bool operator==(std::nullptr_t) const { return f == nullptr; }
    bool operator!=(std::nullptr_t) const { return f != nullptr; }
};
static _TBlockForever _tblockforever;

template <typename T> class chan;
template <typename T> chan<T> makechan(unsigned size = 0);
template <typename T> chan<T> _wrapchan(_chan *ch);

// chan<T>: a reference-counted handle of a channel of T (invariant 4).
template <typename T> class chan {
    static_assert(std::is_trivially_copyable<T>::value, "chan<T>: T must be trivially copyable");
    _chan *_ch;

    friend chan<T> makechan<T>(unsigned size);
    friend chan<T> _wrapchan<T>(_chan *ch);
    struct _adopt {};
    chan(_chan *ch, _adopt) : _ch(ch) {}

public:
    chan() : _ch(nullptr) {}
    chan(Nil) : _ch(nullptr) {}
    chan(const chan &from) : _ch(from._ch) { _chanxincref(_ch); }
    chan(chan &&from) noexcept : _ch(from._ch) { from._ch = nullptr; }
    ~chan() {
        _chan *ch = _ch;
        _ch = nullptr;
        if (ch) {
            const char *msg = _capi_detail::capi()->chanxdecref(ch);
            if (msg) {  // a destructor cannot throw: Go would crash as well
                std::fprintf(stderr, "panic: %s\n", msg);
                std::terminate();
            }
        }
    }
    chan &operator=(const chan &from) {
        if (this != &from) {
            _chanxincref(from._ch);
            _chan *old = _ch;
            _ch = from._ch;
            _chanxdecref(old);
        }
        return *this;
    }
    chan &operator=(chan &&from) noexcept {
        if (this != &from) {
            std::swap(_ch, from._ch);
        }
        return *this;
    }
    chan &operator=(Nil) {
        _chan *old = _ch;
        _ch = nullptr;
        _chanxdecref(old);
        return *this;
    }

    void send(const T &v) const { _chansend(_ch, &v); }
    T recv() const {
        T v;
        _chanrecv(_ch, &v);
        return v;
    }
    std::pair<T, bool> recv_() const {
        T v;
        bool ok = _chanrecv_(_ch, &v);
        return std::make_pair(v, ok);
    }
    void close() const { _chanclose(_ch); }
    unsigned len() const { return _chanlen(_ch); }
    unsigned cap() const { return _chancap(_ch); }

    _selcase sends(const T *ptx) const { return _selsend(_ch, ptx); }
    _selcase recvs(T *prx = nullptr, bool *pok = nullptr) const { return _selrecv_(_ch, prx, pok); }

    bool operator==(Nil) const { return _ch == nullptr; }
    bool operator!=(Nil) const { return _ch != nullptr; }
    bool operator==(const chan &b) const { return _ch == b._ch; }
    bool operator!=(const chan &b) const { return _ch != b._ch; }

    _chan *_rawchan() const { return _ch; }
};

// A new channel of T with room for size elements (0: synchronous).
template <typename T> inline chan<T> makechan(unsigned size) {
    const int dtype = _dtype_of<T>::value;
    _chan *ch = dtype < 0 ? _makechan(_elemsize<T>(), size) : _makechan_dtype(dtype, size);
    return chan<T>(ch, typename chan<T>::_adopt());
}

// A chan<T> sharing the raw channel ch (refcount +1; nil gives nil).
template <typename T> inline chan<T> _wrapchan(_chan *ch) {
    if (ch != nullptr) {
        if (_capi_detail::capi()->chanelemsize(ch) != _elemsize<T>())
            panic("wrapchan: elemsize mismatch");
        _chanxincref(ch);
    }
    return chan<T>(ch, typename chan<T>::_adopt());
}

// ---- goroutines ----

namespace _capi_detail {
// Runs one goroutine body; a panic that escapes it ends the process, as an
// unhandled panic does in Go (and in Pygolang's thread runtime).
//
// A forced unwinding is not a panic: CPython (before 3.14) ends a thread
// that takes the GIL while the interpreter finalizes with pthread_exit,
// and the body's `with gil` (or anything else taking the GIL) meets that
// when a goroutine outlives the program's main. Caught by `catch (...)`
// it called std::terminate ("FATAL: exception not rethrown": the process
// aborted at exit). The thread hangs where it is instead, holding
// nothing, until the process ends, as the native core's goroutine threads
// do (gil.rs, invariant 2) and golang/pyx/runtime.h's calls (invariant 3).
inline void gotrampoline(void *arg) {
    std::unique_ptr<std::function<void()>> f((std::function<void()> *)arg);
    try {
        (*f)();
    }
#if defined(__GLIBCXX__)
    catch (abi::__forced_unwind &) {
        for (;;)
            pause();
    }
#endif
    catch (_PanicError &e) {
        std::fprintf(stderr, "panic: %s\n", e.arg);
        std::terminate();
    } catch (...) {
        std::terminate();
    }
}
}  // namespace _capi_detail

// Runs f(argv...) in a new goroutine; the arguments are copied.
template <typename F, typename... Argv> inline void go(F &&f, Argv... argv) {
    auto *fn = new std::function<void()>(std::bind(std::forward<F>(f), argv...));
    const char *msg = _capi_detail::capi()->go(&_capi_detail::gotrampoline, fn);
    if (msg) {
        delete fn;
        panic(msg);
    }
}

// ---- defer ----

struct _deferred {
    std::function<void()> f;
    explicit _deferred(std::function<void()> f) : f(std::move(f)) {}
    ~_deferred() noexcept(false) { f(); }
};
#define _GOLANG_CONCAT2(a, b) a##b
#define _GOLANG_CONCAT(a, b) _GOLANG_CONCAT2(a, b)
// defer(f): runs f() at the end of the enclosing scope.
#define defer(f) ::golang::_deferred _GOLANG_CONCAT(_golang_defer_, __LINE__)(f)

// ---- memory management of C++ nogil classes: refptr, object ----
//
// Invariants of this part:
// 5. A `refptr<T>` owns one reference to its object (nullptr is nil): copies
//    incref, destruction and reassignment decref, moves transfer it. The
//    object is deleted by its own `decref` when the last reference goes
//    (`object::__decref` says when), so a refptr works across extensions of
//    the process (each calls the object's own virtual decref).
// 6. `object`'s count starts at 1 (the reference `adoptref` takes over) and
//    never goes below 0: decref past 0 or incref from 0 panics.

template <typename T> class refptr {
    T *_obj;

  public:
    refptr() : _obj(nullptr) {}
    refptr(Nil) : _obj(nullptr) {}
    ~refptr() { _reset(nullptr); }
    refptr(const refptr &o) : _obj(o._obj) {
        if (_obj)
            _obj->incref();
    }
    refptr(refptr &&o) noexcept : _obj(o._obj) { o._obj = nullptr; }
    // refptr<Derived> -> refptr<Base>
    template <typename U, typename = typename std::enable_if<std::is_convertible<U *, T *>::value>::type>
    refptr(const refptr<U> &o) : _obj(o._ptr()) {
        if (_obj)
            _obj->incref();
    }
    refptr &operator=(const refptr &o) {
        T *p = o._obj;
        if (p)
            p->incref();  // before the decref: self-assignment keeps it (invariant 5)
        _reset(p);
        return *this;
    }
    refptr &operator=(refptr &&o) noexcept {
        if (this != &o) {
            T *p = o._obj;
            o._obj = nullptr;
            _reset(p);
        }
        return *this;
    }
    refptr &operator=(Nil) {
        _reset(nullptr);
        return *this;
    }
    bool operator==(Nil) const { return _obj == nullptr; }
    bool operator!=(Nil) const { return _obj != nullptr; }
    bool operator==(const refptr &o) const { return _obj == o._obj; }
    bool operator!=(const refptr &o) const { return _obj != o._obj; }
    T *_ptr() const { return _obj; }
    T *operator->() const { return _obj; }
    T &operator*() const { return *_obj; }

    // Takes over the caller's reference to obj (adoptref).
    static refptr _adopt(T *obj) {
        refptr r;
        r._obj = obj;
        return r;
    }

  private:
    void _reset(T *p) {
        T *old = _obj;
        _obj = p;
        if (old)
            old->decref();
    }
};

// adoptref(obj) takes over the reference the caller holds; newref(obj)
// adds one.
template <typename T> inline refptr<T> adoptref(T *obj) { return refptr<T>::_adopt(obj); }
template <typename T> inline refptr<T> newref(T *obj) {
    if (obj)
        obj->incref();
    return refptr<T>::_adopt(obj);
}

// object: the reference count of a class managed by refptr. A class
// derives from it and deletes itself in its decref when __decref() says
// the last reference went (invariant 6).
class object {
    std::atomic<int> _refcnt;

  protected:
    object() : _refcnt(1) {}
    ~object() {}

  public:
    // Drops a reference; true when it was the last (the caller then
    // deletes the object, as its decref does).
    bool __decref() {
        int n = --_refcnt;
        if (n < 0)
            panic("decref: refcnt was < 1");
        return n == 0;
    }
    void incref() {
        int n = _refcnt++;
        if (n < 1)
            panic("incref: refcnt was < 1");
    }
    int refcnt() const { return _refcnt.load(); }
};

// global<T>: a T for a global variable that is never destroyed (Pygolang's
// `global`, meant for global refptr<>s): a static destructor at exit must
// not free an object that a goroutine or another extension may still use.
// It reads like the T it holds: compared with nil, with a T and with
// another global; `->`, `*` and `_ptr()` as T has them; a T converts from
// and to it (a copy that holds its own reference).
template <typename T> class global {
    alignas(T) unsigned char _buf[sizeof(T)];
    T &_t() { return *reinterpret_cast<T *>(_buf); }
    const T &_t() const { return *reinterpret_cast<const T *>(_buf); }

  public:
    global() { new (_buf) T(); }
    global(Nil) { new (_buf) T(); }
    global(const T &o) { new (_buf) T(o); }
    global(const global &o) { new (_buf) T(o._t()); }
    // No destructor: the value is never destroyed, on purpose.

    global &operator=(const T &o) {
        _t() = o;
        return *this;
    }
    global &operator=(const global &o) {
        _t() = o._t();
        return *this;
    }
    global &operator=(Nil) {
        _t() = T();
        return *this;
    }
    operator const T &() const { return _t(); }

    bool operator==(Nil) const { return _t() == nullptr; }
    bool operator!=(Nil) const { return _t() != nullptr; }
    bool operator==(const T &o) const { return _t() == o; }
    bool operator!=(const T &o) const { return _t() != o; }
    bool operator==(const global &o) const { return _t() == o._t(); }
    bool operator!=(const global &o) const { return _t() != o._t(); }

    template <typename U = T> auto _ptr() const -> decltype(std::declval<const U &>()._ptr()) { return _t()._ptr(); }
    template <typename U = T> auto operator->() const -> decltype(std::declval<const U &>().operator->()) {
        return _t().operator->();
    }
    template <typename U = T> auto operator*() const -> decltype(*std::declval<const U &>()) { return *_t(); }
};
template <typename T> inline bool operator==(const T &a, const global<T> &b) { return b == a; }
template <typename T> inline bool operator!=(const T &a, const global<T> &b) { return b != a; }

// func<F>: a function value (Pygolang's `func`, std::function; nil when empty).
template <typename F> using func = std::function<F>;

// ---- interfaces: interface{}, error, an error that wraps another ----

struct _interface {
    virtual void incref() = 0;
    virtual void decref() = 0;

  protected:
    ~_interface() {}
};
typedef refptr<_interface> interface;

struct _error : _interface {
    virtual string Error() = 0;
};
typedef refptr<_error> error;

struct _errorWrapper : _error {
    virtual error Unwrap() = 0;
};
typedef refptr<_errorWrapper> errorWrapper;

}  // namespace golang

// How C code's panics are thrown (see the C part above): every C++
// translation unit that includes this header defines this function, weak
// and hidden, so that C code of the same extension can throw the C++
// exception it cannot write itself.
extern "C" __attribute__((weak, visibility("hidden"))) void _golang_throw_panic(const char *arg) {
    throw golang::_PanicError(arg);
}

namespace std {
template <typename T> struct hash<golang::refptr<T>> {
    size_t operator()(const golang::refptr<T> &p) const { return hash<T *>()(p._ptr()); }
};
template <typename T> struct hash<golang::chan<T>> {
    size_t operator()(const golang::chan<T> &ch) const { return hash<_chan *>()(ch._rawchan()); }
};
}  // namespace std

#endif  // __cplusplus

#endif  // GOLANG_LIBGOLANG_H
