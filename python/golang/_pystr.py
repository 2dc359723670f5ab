# SPDX-License-Identifier: MIT OR Apache-2.0
"""Pygolang 0.1's string helpers: ``b``, ``u`` and ``qq``'s result type.

``golang/__init__.py`` installs them into the core module as
``golang._golang.pyb``, ``pyu``, ``pyqq`` and ``_pyunicode`` (their 0.1
names) and exports ``b`` and ``u``; ``golang.gcompat.qq`` is ``pyqq``.

- ``b(s)``: bytes (or a bytes subclass) is returned as the same object; a
  str is encoded to UTF-8 with ``surrogateescape`` (U+DC80..U+DCFF go back to
  the raw bytes 0x80..0xFF; any other lone surrogate raises
  UnicodeEncodeError); anything else, bytearray included, raises
  ``TypeError("b: invalid type <class '...'>")``.
- ``u(s)``: the mirror image: str (or a subclass) is returned as is; bytes
  are decoded from UTF-8 with ``surrogateescape`` (each byte of an invalid
  sequence becomes U+DC00+byte); anything else raises
  ``TypeError("u: invalid type <class '...'>")``.
  So ``b(u(x)) == x`` for all bytes and ``u(b(x)) == x`` for every str b accepts.
- ``qq(obj)``: Go's ``%q``: ``strconv.quote`` of obj (of ``str(obj)`` when
  obj is neither str nor bytes), as a ``_pyunicode``: a str that also
  converts to UTF-8 bytes (``bytes(q)``, ``b'%s' % q``) and takes no new
  attributes.

Pure Python: the same on the native core and under Pyodide.
"""

__all__ = ['pyb', 'pyu', 'pyqq', '_pyunicode']


def pyb(s):  # -> bytes
    """b converts str or bytes s to UTF-8 encoded bytes; bytes are returned as is.

    The conversion never loses data: ``b(u(x)) == x`` for all bytes x.
    """
    if isinstance(s, bytes):
        return s            # identity, subclasses included (0.1's rule)
    if isinstance(s, str):
        return s.encode('utf-8', 'surrogateescape')
    raise TypeError("b: invalid type %s" % type(s))


def pyu(s):  # -> str
    """u converts str or bytes s to str; str is returned as is, bytes are
    decoded from UTF-8 with invalid bytes mapped to U+DC80..U+DCFF.

    The conversion never loses data: ``u(b(x)) == x`` for every str b accepts.
    """
    if isinstance(s, str):
        return s            # identity, subclasses included (0.1's rule)
    if isinstance(s, bytes):
        return s.decode('utf-8', 'surrogateescape')
    raise TypeError("u: invalid type %s" % type(s))


class _pyunicode(str):
    """A str that converts to bytes through UTF-8 (see b): the type of qq()."""
    __module__ = 'golang._golang'
    __slots__ = ()          # no attributes can be added

    def __bytes__(self):
        return pyb(self)

    def __str__(self):
        return self


def pyqq(obj):  # -> _pyunicode
    """qq is a substitute for Go's %q: obj quoted by strconv.quote.

    Objects that are neither str nor bytes go through str() first.
    """
    from golang import strconv     # at call time: strconv imports this module
    if not isinstance(obj, (str, bytes)):
        obj = str(obj)
    return _pyunicode(pyu(strconv.quote(obj)))
