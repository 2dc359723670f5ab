# cython: language_level=3
# distutils: language = c++
# Python's contexts and nogil code on one context tree (`pyctx.ctx`,
# `PyContext.from_ctx`); tests/python/test_capi_pyx.py checks what these give.

from golang cimport select, default, nil, error, interface, errors, cbool, string
from golang cimport context
from libcpp.utility cimport pair

cdef extern from *:
    """
    // The text of an interface that is an error.
    static std::string _iface_text(golang::interface v) {
        golang::_error *e = dynamic_cast<golang::_error *>(v._ptr());
        return e != nullptr ? e->Error() : std::string("?");
    }
    """
    string _iface_text(interface v)

cdef context.cancelFunc _cancel    # the cancel function of child_of's last context
cdef int _key = 1


def is_done(context.PyContext pyctx):
    cdef cbool done
    with nogil:
        done = select([pyctx.ctx.done().recvs(), default]) == 0
    return done


def err_text(context.PyContext pyctx):
    cdef error err = pyctx.ctx.err()
    return None if err == nil else err.Error().decode()


def child_of(context.PyContext pyctx):
    """A context made by C++ under a Python one, given to Python."""
    global _cancel
    cdef pair[context.Context, context.cancelFunc] c = context.with_cancel(pyctx.ctx)
    _cancel = c.second
    return context.PyContext.from_ctx(c.first)


def cancel_child():
    _cancel()


def wait_done(context.PyContext pyctx):
    """Blocks without the GIL until the context is done."""
    with nogil:
        pyctx.ctx.done().recv()


def deadline_of(context.PyContext pyctx):
    return pyctx.ctx.deadline()


def background_of_cxx():
    return context.PyContext.from_ctx(context.background())


def children_count(context.PyContext pyctx):
    return context._tctxchildren(pyctx.ctx).size()


def value_ctx(context.PyContext pyctx):
    """with_value of C++ under a Python context (key &_key, an error "v")."""
    return context.PyContext.from_ctx(context.with_value(pyctx.ctx, &_key, <interface>errors.New(b"v")))


def value_text(context.PyContext pyctx):
    cdef interface v = pyctx.ctx.value(&_key)
    if v == nil:
        return None
    return _iface_text(v).decode()


def from_nil():
    cdef context.Context none
    return context.PyContext.from_ctx(none)


def same(context.PyContext a, context.PyContext b):
    return a.ctx.eq(b.ctx)
