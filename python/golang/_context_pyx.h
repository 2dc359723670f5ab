// golang/_context_pyx.h: the Python boundary of golang/context.h for Cython
// code (`PyContext.from_ctx`). Included by golang/context.pxd only.

#ifndef GOLANG_CONTEXT_PYX_H
#define GOLANG_CONTEXT_PYX_H

#include "golang/_golang_pyx.h"
#include "golang/context.h"

namespace golang {
namespace context {
namespace pyx {

// PyContext.from_ctx(ctx): the Python context (golang.context.Context) of
// ctx, sharing it; NULL with an exception set on failure (a nil ctx is the
// panic "PyContext.from_ctx: ctx is nil").
inline PyObject *_pycontext_from_ctx(Context ctx) {
    if (ctx == nil) {
        golang::pyx::_raise_from(golang::pyx::_panic_error_class(), "PyContext.from_ctx: ctx is nil");
        return nullptr;
    }
    return golang::pyx::_pychan_call([&](const _capi_table *t) { return t->pycontext_from_raw(ctx->_raw()); });
}

}  // namespace pyx
}  // namespace context
}  // namespace golang

#endif  // GOLANG_CONTEXT_PYX_H
