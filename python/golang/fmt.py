# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package fmt mirrors Go's package fmt (Pygolang 0.1's ``golang.fmt``): Errorf.

``Errorf(format, *argv)`` returns an ``error`` with text ``format % argv``
(Python's formatting). With a trailing ``": %w"`` the last argument (an
exception or None) is wrapped: Error() is ``"<prefix>: <err>"`` and Unwrap()
gives err back (an error equal to err when err is an exact ``golang.error``;
otherwise the result is a ``golang._fmt._PyWrapError`` and Unwrap() returns
err itself).
"""

from golang._fmt import pyErrorf as Errorf

__all__ = ['Errorf']
