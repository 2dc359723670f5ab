# SPDX-License-Identifier: MIT OR Apache-2.0
"""Test helpers of golang.errors with the names Pygolang 0.1's tests use.

- ``pyerror_mkchain(textv)``: the Go-level chain ``errors.New(textv[-1])``
  wrapped by ``fmt.Errorf("%s: %w", text, ...)`` for each preceding text
  (the first one outermost), as an exact ``golang.error``; None for ``[]``.
"""

from golang._pyerror import _TextError, _WrapError, _from_error

__all__ = ['pyerror_mkchain']


def pyerror_mkchain(textv):
    if len(textv) == 0:
        return None
    err = _TextError(textv[-1])
    for text in reversed(textv[:-1]):
        err = _WrapError(text, err)
    return _from_error(err)
