# cython: language_level=3
# golang/context.pxd: Go's context for Cython nogil code (Pygolang 0.1
# names), over the header-only golang/context.h. The contexts here are C++
# ones: a Python `golang.context` object does not convert to one (there is
# no PyContext bridge yet).

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
