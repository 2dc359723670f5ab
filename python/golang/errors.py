# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package errors mirrors Go's package errors (Pygolang 0.1's ``golang.errors``).

- ``New(text)`` returns an ``error`` (exact ``golang.error``) whose Error()
  is text; text is str or bytes (through ``b``), anything else raises
  ``TypeError("b: invalid type ...")``. Errors made from the same text are
  equal.
- ``Is(err, target)`` reports whether target is in err's error chain, which
  follows both ``.Unwrap()`` and ``.__cause__`` (see ``golang._errors``).
  err and target must be exceptions or None (else TypeError).

There is no public Unwrap in Python; see ``golang._errors._pyUnwrapIter``.
"""

from golang._errors import pyNew as New, pyIs as Is

__all__ = ['New', 'Is']
