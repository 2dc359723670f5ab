# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package io mirrors Go's package io (Pygolang 0.1's ``golang.io``): its errors.

- ``EOF``: the error ``"EOF"``;
- ``ErrUnexpectedEOF``: the error ``"unexpected EOF"``.

Both are exact ``golang.error`` objects.
"""

from golang._pyerror import _from_error, EOF as _EOF, ERR_UNEXPECTED_EOF as _ERR_UNEXPECTED_EOF

__all__ = ['EOF', 'ErrUnexpectedEOF']

EOF = _from_error(_EOF)
ErrUnexpectedEOF = _from_error(_ERR_UNEXPECTED_EOF)
