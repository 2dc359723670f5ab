# cython: language_level=3
# golang/_golang.pxd: the Cython/nogil API of golang (Pygolang 0.1 names),
# over golang/libgolang.h and the runtime's C ABI. `from golang cimport ...`
# resolves here through golang/__init__.pxd.
#
# Compiles with Cython 0.29 and 3 (README, "Cython and C++").
#
# What differs from Pygolang 0.1 (see docs/ARCHITECTURE.md, "C ABI"):
# everything here is an extern declaration over header-only C++, so cimporting
# it does not import a Cython module at run time: `topyexc` is declared
# `except *` on an inline C++ function instead of a cdef function exported
# through `__pyx_capi__`. `pychan` is the native core's class itself: its
# C methods are `cdef inline` here (compiled into the cimporting module), and
# the native core lays its objects out as this declaration says
# (targets/native/src/rawchan.rs, invariant 3), `__weakref__` included.
# `pyerror` is the native core's class too (targets/native/src/pyerror.rs),
# laid out as declared below; `e.err` is the C++ error of an error that
# `pyerror.from_error` made, and nil for errors made by Python code. refptr/object/error/errorWrapper are
# header-only C++ (libgolang.h);
# errors, fmt, io, strings and cxx have their own pxd and header.

cimport cython
from cython cimport final
from libcpp cimport nullptr_t as Nil, nullptr as nil
from golang._os cimport Signal as _osSignal
from libcpp.utility cimport pair
from libcpp.string cimport string
from libc.stdint cimport uint64_t

cdef extern from *:
    ctypedef bint cbool "bool"

# the raw channel (a C struct at global scope)
cdef extern from "golang/libgolang.h" nogil:
    struct _chan

cdef extern from "golang/libgolang.h" namespace "golang" nogil:
    void panic(const char *)
    const char *recover()
    void go(...)    # checked by the C++ compiler

    cppclass chan[T]:
        chan()
        void send(const T&)                 const
        T recv()                            const
        pair[T, cbool] recv_()              const
        void close()                        const
        _selcase sends(const T *ptx)        const
        _selcase recvs()                    const
        _selcase recvs(T *prx)              const
        _selcase recvs(T *prx, cbool *pok)  const
        unsigned len()                      const
        unsigned cap()                      const
        cbool operator==(Nil)               const
        cbool operator!=(Nil)               const
        void operator=(Nil)
        _chan *_rawchan()                   const

    chan[T] makechan[T]()
    chan[T] makechan[T](unsigned size)

    struct structZ:
        pass

    enum _chanop:
        _CHANSEND
        _CHANRECV
        _DEFAULT

    enum _selflags:
        _INPLACE_DATA

    cppclass _selcase:
        _chan       *ch
        _chanop     op
        unsigned    flags
        unsigned    user
        void        *ptxrx
        uint64_t    itxrx
        cbool       *rxok
        const void *ptx() const
        void *prx() const

    const _selcase default "golang::_default"
    int select(_selcase casev[])

    # memory management of C++ nogil classes
    cppclass refptr[T]:
        # compare with nil; = nil
        cbool operator== (Nil)          const
        cbool operator!= (Nil)          const
        void  operator=  (Nil)
        # compare with another refptr: .eq() / .ne() (Cython cannot declare
        # both operator== overloads)
        cbool eq "operator==" (refptr)  const
        cbool ne "operator!=" (refptr)  const
        # the raw pointer
        T* _ptr()                       const

    refptr[T] adoptref[T](T *_obj)
    refptr[T] newref  [T](T *_obj)

    cppclass gobject "golang::object":
        cbool __decref()
        void  incref()
        int   refcnt() const

    # interface{}
    cppclass _interface:
        void incref()
        void decref()

    cppclass interface (refptr[_interface]):
        void incref "_ptr()->incref" ()
        void decref "_ptr()->decref" ()

    # error
    cppclass _error (_interface):
        string Error()

    cppclass error (refptr[_error]):
        string Error    "_ptr()->Error" ()

    # an error that wraps another
    cppclass _errorWrapper (_error):
        error Unwrap()

    cppclass errorWrapper (refptr[_errorWrapper]):
        error Unwrap    "_ptr()->Unwrap" ()

cdef extern from "golang/_golang_pyx.h" namespace "golang::pyx":
    void topyexc() except *

    enum DType:
        DTYPE_PYOBJECT
        DTYPE_STRUCTZ
        DTYPE_BOOL
        DTYPE_INT
        DTYPE_DOUBLE
        DTYPE_OS_SIGNAL
        DTYPE_NTYPES

    chan[T] _pychan_chan[T](_chan *ch, DType have, DType want) nogil
    object _pychan_from_raw(_chan *ch, DType dtype)
    object _pychan_nil(DType dtype)
    object _pyerror_from_error(error err)
    object _pypanic(object arg)
    object _pystr(object obj)

# pypanic(arg) raises golang._PanicError(arg), as panic(arg) in Python.
cdef inline pypanic(arg):
    return _pypanic(arg)

# __pystr(obj) is u(obj): the str of obj (bytes decoded as UTF-8).
cdef inline object __pystr(object obj):
    return _pystr(obj)

# Python's chan: `golang.chan` is `golang._golang.pychan`.
@cython.final
cdef class pychan:
    cdef _chan *_ch
    cdef DType dtype
    cdef object __weakref__

    # the cached nil chan of a dtype
    @staticmethod
    cdef inline pychan _nil(DType dtype):
        return _pychan_nil(dtype)

    # the raw channel as chan[X], refcount +1 (nil for a nil pychan); panics
    # "pychan: channel type mismatch" for another dtype
    cdef inline chan[structZ] chan_structZ(pychan pych) noexcept nogil:
        return _pychan_chan[structZ](pych._ch, pych.dtype, DTYPE_STRUCTZ)
    cdef inline chan[cbool] chan_bool(pychan pych) noexcept nogil:
        return _pychan_chan[cbool](pych._ch, pych.dtype, DTYPE_BOOL)
    cdef inline chan[int] chan_int(pychan pych) noexcept nogil:
        return _pychan_chan[int](pych._ch, pych.dtype, DTYPE_INT)
    cdef inline chan[double] chan_double(pychan pych) noexcept nogil:
        return _pychan_chan[double](pych._ch, pych.dtype, DTYPE_DOUBLE)
    cdef inline chan[_osSignal] _chan_osSignal(pychan pych) noexcept nogil:
        return _pychan_chan[_osSignal](pych._ch, pych.dtype, DTYPE_OS_SIGNAL)

    # a new pychan over a chan[X] (refcount +1); nil gives a new nil pychan
    @staticmethod
    cdef inline pychan from_chan_structZ(chan[structZ] ch):
        return _pychan_from_raw(ch._rawchan(), DTYPE_STRUCTZ)
    @staticmethod
    cdef inline pychan from_chan_bool(chan[cbool] ch):
        return _pychan_from_raw(ch._rawchan(), DTYPE_BOOL)
    @staticmethod
    cdef inline pychan from_chan_int(chan[int] ch):
        return _pychan_from_raw(ch._rawchan(), DTYPE_INT)
    @staticmethod
    cdef inline pychan from_chan_double(chan[double] ch):
        return _pychan_from_raw(ch._rawchan(), DTYPE_DOUBLE)
    @staticmethod
    cdef inline pychan _from_chan_osSignal(chan[_osSignal] ch):
        return _pychan_from_raw(ch._rawchan(), DTYPE_OS_SIGNAL)

# Python's error: `golang.error` is `golang._golang.pyerror`.
cdef class pyerror(Exception):
    cdef error err          # the C++ error; nil for errors made by Python code
    cdef readonly args      # the constructor's arguments
    cdef object _goerr      # (the Go-level error of golang/_pyerror.py)
    cdef object _cxxref     # (the capsule holding err's reference)

    # a new exact pyerror for err (None for nil); `.err` is err
    @staticmethod
    cdef inline object from_error(error err):
        return _pyerror_from_error(err)
