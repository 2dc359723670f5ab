# SPDX-License-Identifier: MIT OR Apache-2.0
"""The implementation of ``golang.errors`` (Pygolang 0.1's ``golang._errors``).

Error chains in Python follow two links: ``e.Unwrap()`` (Go's wrapping; any
exception may provide it, ``error`` does) and ``e.__cause__`` (``raise X
from Y``); ``__context__`` is not followed. The chain of e is

    U(None) = []
    U(e)    = [e] + U(unwrap(e)) + U(e.__cause__)

so the wrapped errors come before the cause: when code catches X and raises
a wrapping error "from X", X is the innermost cause and ends the chain.
``_pyUnwrapIter(err)`` iterates U(err) without err itself (Python has no
public ``errors.Unwrap``: one error cannot say where a walk of this tree
stands). ``Is(err, target)`` walks U(err) for an element of target's exact
type that equals target.
"""

from golang._pyerror import _errors_New, _from_error

__all__ = ['pyNew', 'pyIs', '_pyUnwrapIter']


def pyNew(text):  # -> error
    """New returns an error whose Error() is text (str or bytes)."""
    return _from_error(_errors_New(text))


_MISSING = object()


def _pyUnwrapIter(err):  # -> iter(error chain of err, without err)
    """_pyUnwrapIter iterates over err's error chain (see the module doc),
    err itself excluded."""
    if err is None:
        return
    if not isinstance(err, BaseException):
        raise TypeError("errors.UnwrapIter: err is not exception: type(err)=%r" % type(err))
    # pre-order walk of the tree e -> (unwrap(e), e.__cause__), without
    # recursion: todo holds (element, depth), the next one last; path holds
    # the ancestors of the element being expanded. An element that is its
    # own ancestor (a cycle, e.g. through __cause__) is yielded but not
    # followed again, so that the walk ends.
    todo = [(err, 0)]
    path = []
    while todo:
        e, depth = todo.pop()
        del path[depth:]
        if depth:
            yield e
            if not isinstance(e, BaseException):    # Unwrap() gave a non-exception
                raise TypeError("errors.UnwrapIter: err is not exception: type(err)=%r" % type(e))
            if any(a is e for a in path):
                continue
        path.append(e)
        unwrap = getattr(e, 'Unwrap', _MISSING)
        w = unwrap() if unwrap is not _MISSING else None
        cause = getattr(e, '__cause__', None)
        if cause is not None:
            todo.append((cause, depth + 1))     # after all of U(w)
        if w is not None:
            todo.append((w, depth + 1))


def pyIs(err, target):  # -> bool
    """Is reports whether an error in err's chain (err included) has the
    exact type of target and equals it. Is(err, None) is ``err is None``."""
    if not (isinstance(err, BaseException) or err is None):
        raise TypeError("errors.Is: err is not exception or None: type(err)=%r" % type(err))
    if not (isinstance(target, BaseException) or target is None):
        raise TypeError("errors.Is: target is not exception or None: type(target)=%r" % type(target))
    if target is None:
        return err is None
    if err is None:
        return False
    ttype = type(target)
    if type(err) is ttype and err == target:
        return True
    for e in _pyUnwrapIter(err):
        if type(e) is ttype and e == target:
            return True
    return False
