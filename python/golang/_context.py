# SPDX-License-Identifier: MIT OR Apache-2.0
"""Internal names of golang.context that Pygolang's tests use.

- ``PyContext``: the type of every context (``golang.context.Context``).
- ``_tctxAssertChildren(ctx, children)``: asserts that the set of contexts
  that ctx currently propagates its cancellation to is exactly ``children``
  (a set of contexts); raises ``AssertionError("context children differ")``
  otherwise.
"""

from golang.context import PyContext

__all__ = ['PyContext']


def _tctxchildren(ctx):
    """the set of ctx's children (contexts that ctx's cancel propagates to)."""
    if not isinstance(ctx, PyContext):
        raise TypeError("context is not instance of golang.context.Context: %r" % (ctx,))
    return set(ctx._children)     # (the core's: the live ones)


def _tctxAssertChildren(ctx, childrenOK):
    if not isinstance(childrenOK, (set, frozenset)):
        raise TypeError("childrenOK must be a set of contexts, not %s" % type(childrenOK).__name__)
    for c in childrenOK:
        assert isinstance(c, PyContext), c
    children = _tctxchildren(ctx)
    if children != set(childrenOK):
        raise AssertionError("context children differ: have %r, want %r"
                             % (children, set(childrenOK)))
