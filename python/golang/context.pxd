# cython: language_level=3
# golang/context.pxd: Go's context for Cython nogil code (Pygolang 0.1
# names), over the header-only golang/context.h. The contexts are the
# runtime's, one tree with Python's: `pyctx.ctx` is the Context of a Python
# context, and `PyContext.from_ctx(ctx)` the Python context of a Context.
#
# What differs from Pygolang 0.1: `PyContext` is the native core's class
# (targets/native/src/context.rs), laid out as declared below with one more
# private field (`_state`) and `__weakref__`; `_Context` is the runtime's
# context, not an interface that C++ code may implement.

from golang cimport chan, structZ, error, refptr, interface, Nil, topyexc
from golang cimport cxx
from libcpp.utility cimport pair

cdef extern from "golang/context.h" namespace "golang::context" nogil:
    cppclass _Context:
        double          deadline()
        chan[structZ]   done()
        error           err()
        interface       value(const void *key)

    cppclass Context (refptr[_Context]):
        # Context.X = Context->X in C++
        double          deadline    "_ptr()->deadline"  ()
        chan[structZ]   done        "_ptr()->done"      ()
        error           err         "_ptr()->err"       ()
        interface       value       "_ptr()->value"     (const void *key)

    # func<void()>
    cppclass cancelFunc:
        void operator() ()
        void operator= (Nil)

    Context background()
    error   canceled
    error   deadlineExceeded

    pair[Context, cancelFunc] with_cancel   (Context parent)
    Context                   with_value    (Context parent, const void *key, interface value)
    pair[Context, cancelFunc] with_deadline (Context parent, double deadline)
    pair[Context, cancelFunc] with_timeout  (Context parent, double timeout)
    pair[Context, cancelFunc] merge         (Context parent1, Context parent2)

    # for tests
    cxx.set[Context] _tctxchildren(Context ctx) except +topyexc

cdef extern from "golang/_context_pyx.h" namespace "golang::context::pyx":
    object _pycontext_from_ctx(Context ctx)


# ---- Python's contexts ----

from golang cimport pychan
cimport cython

# `golang.context.Context`: every Python context is one.
@cython.final
cdef class PyContext:
    cdef Context ctx            # the context, as nogil code uses it
    cdef pychan  _pydone        # ctx.done() as a Python chan
    cdef void   *_state         # (the core's)
    cdef object  __weakref__

    # the Python context of ctx (a nil ctx panics)
    @staticmethod
    cdef inline PyContext from_ctx(Context ctx):
        return _pycontext_from_ctx(ctx)
