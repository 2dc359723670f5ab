/* The C ABI from plain C (golang/libgolang.h compiled as C): channels,
 * select, goroutines and panics, as C extensions use them. Each check
 * panics with a message on failure; the panic is a C++ exception that
 * unwinds through these C frames to the Cython caller's `except +topyexc`. */
#include <golang/libgolang.h>
#include <golang/sync.h>
#include <string.h>

#define CHECK(cond) do { if (!(cond)) panic("cabi: check failed: " #cond); } while (0)

void cabi_chan_select_roundtrip(void) {
    _chan *ch = _makechan(sizeof(int), 1);
    _chan *nilch = NULL;
    int x = 7, y = 0;
    bool ok = false;
    _chansend(ch, &x);
    CHECK(_chanlen(ch) == 1 && _chancap(ch) == 1);
    _chanrecv(ch, &y);
    CHECK(y == 7);

    /* the send case is the only ready one (the buffer has room) */
    x = 8;
    _selcase casev[4];
    casev[0] = _selrecv(nilch, &y);
    casev[1] = _selsend(ch, &x);
    casev[2] = _selrecv_(ch, &y, &ok);
    casev[3] = _default;
    /* (ch is empty: its receive case is not ready; the send is) */
    CHECK(_chanselect(casev, 4) == 1);
    /* now the receive is ready, and the send is not (full) */
    CHECK(_chanselect(casev, 4) == 2 && y == 8 && ok);
    /* neither: the default */
    casev[1] = _selrecv(nilch, NULL);
    CHECK(_chanselect(casev, 4) == 3);

    _chanclose(ch);
    y = -1;
    ok = _chanrecv_(ch, &y);
    CHECK(y == 0 && !ok);
    CHECK(_chanrefcnt(ch) == 1);
    _chanxdecref(ch);
    _chanxdecref(nilch);    /* NULL: nothing */
}

struct _cabi_arg { int v; _chan *done; };

static void _cabi_worker(void *p) {
    struct _cabi_arg *a = (struct _cabi_arg *)p;
    int r = a->v * 2;
    _chansend(a->done, &r);
}

void cabi_taskgo_runs_a_c_function(void) {
    struct _cabi_arg a;
    int r = 0;
    a.v = 21;
    a.done = _makechan(sizeof(int), 0);
    _taskgo(_cabi_worker, &a);
    _chanrecv(a.done, &r);
    CHECK(r == 42);
    _chanxdecref(a.done);
    uint64_t t0 = _nanotime();
    _tasknanosleep(1000);
    CHECK(_nanotime() >= t0);
}

/* the semaphore's C API (golang/sync.h): binary, starts available; a
 * goroutine's release wakes the acquirer waiting on it */
static void _cabi_release(void *p) { _semarelease((_sema *)p); }

void cabi_sema_roundtrip(void) {
    _sema *s = _makesema();
    _semaacquire(s);
    _taskgo(_cabi_release, s);
    _semaacquire(s);
    _semarelease(s);
    _semafree(s);
}

/* a Go panic raised in C: Python sees _PanicError("close of closed channel") */
void cabi_close_of_closed_panics(void) {
    _chan *ch = _makechan(0, 0);
    _chanclose(ch);
    _chanclose(ch);
}
