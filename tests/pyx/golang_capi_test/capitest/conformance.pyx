# cython: language_level=3
# distutils: language=c++
from golang cimport topyexc

cdef extern from * nogil:
    """
    extern "C" void cabi_chan_select_roundtrip(void);
    extern "C" void cabi_taskgo_runs_a_c_function(void);
    extern "C" void cabi_close_of_closed_panics(void);
    extern "C" void cabi_sema_roundtrip(void);
    """
    void cabi_sema_roundtrip() except +topyexc
    void cabi_chan_select_roundtrip() except +topyexc
    void cabi_taskgo_runs_a_c_function() except +topyexc
    void cabi_close_of_closed_panics() except +topyexc

cdef extern from "capitest/conformance.h" nogil:
    void close_wakes_all_receivers() except +topyexc
    void close_wakes_all_senders() except +topyexc
    void select_on_nil_channels_never_ready() except +topyexc
    void select_exactly_once_under_concurrency() except +topyexc
    void select_recv_gives_value_and_ok() except +topyexc
    void select_inplace_send() except +topyexc
    void elements_of_any_size_roundtrip() except +topyexc
    void refcounts_reach_zero() except +topyexc
    void panic_recover_roundtrip() except +topyexc
    void close_of_closed_panics() except +topyexc
    void close_of_nil_panics() except +topyexc
    void send_on_closed_panics() except +topyexc
    void elemsize_mismatch_panics() except +topyexc
    void select_invalid_op_panics() except +topyexc
    void select_multiple_default_panics() except +topyexc
    void select_recv_into_inplace_panics() except +topyexc
    void cxx_dict_has_go_comma_ok_lookups() except +topyexc
    void global_holds_a_reference_it_never_gives_back() except +topyexc
    void func_is_a_function_value() except +topyexc
    void sema_freed_right_after_its_wakeup() except +topyexc
    void waiting_select_holds_its_channels() except +topyexc
    void tblockforever_makes_blocking_forever_panic() except +topyexc



def run(name):
    """Runs the check `name` without the GIL."""
    if name == "close_wakes_all_receivers":
        with nogil: close_wakes_all_receivers()
    elif name == "close_wakes_all_senders":
        with nogil: close_wakes_all_senders()
    elif name == "select_on_nil_channels_never_ready":
        with nogil: select_on_nil_channels_never_ready()
    elif name == "select_exactly_once_under_concurrency":
        with nogil: select_exactly_once_under_concurrency()
    elif name == "select_recv_gives_value_and_ok":
        with nogil: select_recv_gives_value_and_ok()
    elif name == "select_inplace_send":
        with nogil: select_inplace_send()
    elif name == "elements_of_any_size_roundtrip":
        with nogil: elements_of_any_size_roundtrip()
    elif name == "refcounts_reach_zero":
        with nogil: refcounts_reach_zero()
    elif name == "panic_recover_roundtrip":
        with nogil: panic_recover_roundtrip()
    elif name == "close_of_closed_panics":
        with nogil: close_of_closed_panics()
    elif name == "close_of_nil_panics":
        with nogil: close_of_nil_panics()
    elif name == "send_on_closed_panics":
        with nogil: send_on_closed_panics()
    elif name == "elemsize_mismatch_panics":
        with nogil: elemsize_mismatch_panics()
    elif name == "select_invalid_op_panics":
        with nogil: select_invalid_op_panics()
    elif name == "select_multiple_default_panics":
        with nogil: select_multiple_default_panics()
    elif name == "select_recv_into_inplace_panics":
        with nogil: select_recv_into_inplace_panics()
    elif name == "cxx_dict_has_go_comma_ok_lookups":
        with nogil: cxx_dict_has_go_comma_ok_lookups()
    elif name == "global_holds_a_reference_it_never_gives_back":
        with nogil: global_holds_a_reference_it_never_gives_back()
    elif name == "func_is_a_function_value":
        with nogil: func_is_a_function_value()
    elif name == "sema_freed_right_after_its_wakeup":
        with nogil: sema_freed_right_after_its_wakeup()
    elif name == "waiting_select_holds_its_channels":
        with nogil: waiting_select_holds_its_channels()
    elif name == "tblockforever_makes_blocking_forever_panic":
        with nogil: tblockforever_makes_blocking_forever_panic()
    elif name == "cabi_chan_select_roundtrip":
        with nogil: cabi_chan_select_roundtrip()
    elif name == "cabi_taskgo_runs_a_c_function":
        with nogil: cabi_taskgo_runs_a_c_function()
    elif name == "cabi_sema_roundtrip":
        with nogil: cabi_sema_roundtrip()
    elif name == "cabi_close_of_closed_panics":
        with nogil: cabi_close_of_closed_panics()
    else:
        raise KeyError(name)


# The sync and time pxds from Cython nogil code: 4 goroutines bump a counter
# under a Mutex and report through a WaitGroup; sleep advances now.
from golang cimport go, panic, sync, time

cdef cppclass _Shared:
    sync.Mutex mu
    sync.WaitGroup wg
    int n

cdef void _bump(_Shared *s) noexcept nogil:
    cdef int i
    for i in range(1000):
        s.mu.lock()
        s.n += 1
        s.mu.unlock()
    s.wg.done()

cdef void _sync_time_from_cython() except + nogil:
    cdef _Shared *s = new _Shared()
    cdef int g
    s.n = 0
    s.wg.add(4)
    for g in range(4):
        go(_bump, s)
    s.wg.wait()
    if s.n != 4000:
        panic("sync: lost increments")
    del s
    cdef double t0 = time.now()
    time.sleep(10 * time.millisecond)
    if time.now() - t0 < 5 * time.millisecond:
        panic("time: sleep did not sleep")
    if time.second != 1.0 or time.hour != 3600.0:
        panic("time: constants")


def sync_time_from_cython():
    with nogil:
        _sync_time_from_cython()


# The runtime's calls from C keep the caller's pending Python exception (gil.rs
# invariant 6): Cython code may call them between setting one and returning.
from cpython.exc cimport PyErr_SetString, PyErr_Occurred, PyErr_Clear
from cpython.ref cimport PyObject
from golang cimport chan, makechan, nil as _nil

cdef void _noop() noexcept nogil:
    pass

def runtime_calls_keep_a_pending_python_exception():
    """Sets an exception, calls the runtime, and returns the names of the calls
    after which the exception was no longer the one set (none expected)."""
    cdef PyObject *exc
    cdef chan[int] ch
    bad = []
    PyErr_SetString(RuntimeError, b"pending")
    exc = PyErr_Occurred()
    ch = makechan[int](1)
    if PyErr_Occurred() != exc: bad.append("makechan")
    ch.send(3)
    if PyErr_Occurred() != exc: bad.append("send")
    v = ch.recv()
    if PyErr_Occurred() != exc or v != 3: bad.append("recv")
    ch = _nil
    if PyErr_Occurred() != exc: bad.append("free")
    go(_noop)
    if PyErr_Occurred() != exc: bad.append("go")
    time.sleep(0.001)
    if PyErr_Occurred() != exc: bad.append("sleep")
    PyErr_Clear()
    return bad
