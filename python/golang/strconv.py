# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package strconv provides Go-style string quoting: quote, unquote, unquote_next.

The API is Pygolang 0.1's ``golang.strconv`` (that of 0.0.5, with 0.1's
surrogateescape conversions and TypeError message):

- ``quote(s)`` returns s quoted with ``"``; str gives str, bytes give bytes.
- ``unquote(s)`` decodes what quote produced; ValueError on bad syntax.
- ``unquote_next(s)`` decodes the quoted string at the start of s and returns
  ``(unquoted, tail)`` where tail is what follows the closing ``"``.

Any other input type raises ``TypeError("b: invalid type <class '...'>")``.

Quoting rules (those of Pygolang, which follow Go's ``strconv.Quote`` except
that non-printable runes are written as byte escapes, not ``\\u`` escapes):

- ``\\`` and ``"`` are backslash-escaped; ``\\t \\n \\r`` use their escapes;
- every other ASCII control byte (including ``\\a \\b \\f \\v`` and 0x7f) is
  written ``\\xNN`` (lowercase hex), as Pygolang does;
- bytes that are not valid UTF-8 are written ``\\xNN`` one byte at a time
  (a byte is invalid exactly when Go's ``utf8.DecodeRune`` returns RuneError
  with width 1: overlong forms, surrogates and values above U+10FFFF included);
- printable runes (Unicode categories L, N, P, S, and the ASCII space) are
  kept as they are; any other rune is written as the ``\\xNN`` escapes of its
  UTF-8 bytes.

Unquoting accepts all of Go's escapes in a ``"`` string: ``\\a \\b \\f \\n \\r
\\t \\v \\\\ \\"``, ``\\xNN``, octal ``\\NNN`` (at most ``\\377``), ``\\uXXXX`` and
``\\UXXXXXXXX`` (valid Unicode scalar values only, written as UTF-8).  As in
Pygolang, other bytes (raw newlines and invalid UTF-8 included) are taken as
they are.  Error messages: ``no starting "``, ``no closing "``,
``non-empty tail after closing "``, ``unexpected EOL after \\`` (and
``after \\x``, ``\\u``, ``\\U``, ``\\<octal digit>``), ``invalid escape \\c``
(c: what follows the backslash, e.g. ``\\z``, ``\\xzz``, ``\\ud800``, ``\\400``).

str is handled as its UTF-8 bytes, through ``golang.b`` and ``golang.u``
(``surrogateescape``, as in Pygolang 0.1): U+DC80..U+DCFF stand for the
invalid bytes 0x80..0xFF, so ``unquote(quote(s)) == s`` for every str that
``b`` accepts, and when unquote gives bytes that are not valid UTF-8 the str
result maps each invalid byte 0xNN to U+DCNN. Other lone surrogates raise
UnicodeEncodeError, as ``b`` does.
"""

import re
import unicodedata

from golang._pystr import pyb, pyu

__all__ = ['quote', 'unquote', 'unquote_next']


# ---- str <-> bytes ----
#
# As in Pygolang 0.1: str <-> bytes through b and u (UTF-8 with
# surrogateescape), so that quote/unquote round-trip surrogate-escaped text.

def _bstr(s):   # -> (bytes, wasstr)
    if isinstance(s, bytes):
        return bytes(s), False
    return pyb(s), True     # TypeError("b: invalid type ...") for other types


_ustr = pyu


# ---- quote ----

_PRINTABLE_CAT0 = frozenset('LNPS')     # letters, numbers, punctuation, symbols

# escapes for every ASCII character that is not kept as is
_ASCII_ESCAPE = {}
for _c in range(0x80):
    if _c < 0x20 or _c == 0x7f:
        _ASCII_ESCAPE[chr(_c)] = '\\x%02x' % _c
_ASCII_ESCAPE.update({'\t': '\\t', '\n': '\\n', '\r': '\\r', '"': '\\"', '\\': '\\\\'})
del _c

# characters that need a look: everything except printable ASCII without " and \ .
_NEEDS_ESCAPE = re.compile(r'[^\x20\x21\x23-\x5b\x5d-\x7e]')


def _escape(m):
    c = m.group()
    e = _ASCII_ESCAPE.get(c)
    if e is not None:
        return e
    o = ord(c)
    if 0xDC80 <= o <= 0xDCFF:   # invalid UTF-8 byte (from surrogateescape)
        return '\\x%02x' % (o - 0xDC00)
    if unicodedata.category(c)[0] in _PRINTABLE_CAT0:
        return c
    return ''.join(['\\x%02x' % x for x in c.encode('utf-8')])


def _quote(b):  # bytes -> str
    # with surrogateescape, each byte that is not part of a valid UTF-8
    # sequence becomes one U+DC80..U+DCFF; CPython's decoder marks the same
    # bytes invalid as Go's utf8.DecodeRune.
    return '"' + _NEEDS_ESCAPE.sub(_escape, b.decode('utf-8', 'surrogateescape')) + '"'


def quote(s):
    """quote returns s quoted with ``"`` and Go escapes; str -> str, bytes -> bytes."""
    b, wasstr = _bstr(s)
    q = _quote(b)
    return q if wasstr else q.encode('utf-8')


# ---- unquote ----

_SIMPLE_UNESCAPE = {
    ord('a'): b'\a', ord('b'): b'\b', ord('f'): b'\f', ord('n'): b'\n',
    ord('r'): b'\r', ord('t'): b'\t', ord('v'): b'\v',
    ord('\\'): b'\\', ord('"'): b'"',
}
_HEXDIGITS = frozenset(b'0123456789abcdefABCDEF')
_OCTDIGITS = frozenset(b'01234567')
_QUOTE_OR_BACKSLASH = re.compile(b'["\\\\]')


def _show(b):   # bytes of an escape -> text for an error message
    return b.decode('utf-8', 'backslashreplace')


def _first_rune(b):     # text of the first UTF-8 character of b (non-empty)
    for k in range(1, min(len(b), 4) + 1):
        try:
            return b[:k].decode('utf-8')
        except UnicodeDecodeError:
            pass
    return '\\x%02x' % b[0]


def _unquote_next(s):   # bytes -> (bytes, bytes)
    if s[:1] != b'"':
        raise ValueError('no starting "')
    n = len(s)
    outv = []
    emit = outv.append
    i = 1
    while 1:
        m = _QUOTE_OR_BACKSLASH.search(s, i)
        if m is None:
            raise ValueError('no closing "')
        j = m.start()
        emit(s[i:j])
        if s[j] == 0x22:    # "
            return b''.join(outv), s[j+1:]

        # escape: s[j] is \ .
        if j + 1 >= n:
            raise ValueError('unexpected EOL after \\')
        c = s[j+1]
        simple = _SIMPLE_UNESCAPE.get(c)
        if simple is not None:
            emit(simple)
            i = j + 2
            continue

        if c in b'xuU':
            ndigit = {0x78: 2, 0x75: 4, 0x55: 8}[c]
            digits = s[j+2:j+2+ndigit]
            if len(digits) < ndigit:
                raise ValueError('unexpected EOL after \\%s' % chr(c))
            if not all(d in _HEXDIGITS for d in digits):
                raise ValueError('invalid escape \\%s' % _show(s[j+1:j+2+ndigit]))
            v = int(digits, 16)
            if c == 0x78:   # x: one byte
                emit(bytes((v,)))
            else:           # u, U: a rune, written as UTF-8
                if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
                    raise ValueError('invalid escape \\%s' % _show(s[j+1:j+2+ndigit]))
                emit(chr(v).encode('utf-8'))
            i = j + 2 + ndigit
            continue

        if c in _OCTDIGITS:     # \NNN: exactly 3 octal digits, value <= 255
            digits = s[j+1:j+4]
            if len(digits) < 3:
                raise ValueError('unexpected EOL after \\%s' % chr(c))
            if not all(d in _OCTDIGITS for d in digits):
                raise ValueError('invalid escape \\%s' % _show(digits))
            v = int(digits, 8)
            if v > 0xFF:
                raise ValueError('invalid escape \\%s' % _show(digits))
            emit(bytes((v,)))
            i = j + 4
            continue

        raise ValueError('invalid escape \\%s' % _first_rune(s[j+1:j+5]))


def unquote_next(s):
    """unquote_next decodes the quoted string at the start of s.

    It returns ``(unquoted, tail)``, tail being the rest of s after the
    closing ``"``; both are of the type of s.  ValueError on bad syntax.
    """
    b, wasstr = _bstr(s)
    u, tail = _unquote_next(b)
    if wasstr:
        return _ustr(u), _ustr(tail)
    return u, tail


def unquote(s):
    """unquote decodes a string produced by quote; str -> str, bytes -> bytes.

    ValueError is raised on bad syntax, including anything after the closing ``"``.
    """
    u, tail = unquote_next(s)
    if len(tail) != 0:
        raise ValueError('non-empty tail after closing "')
    return u
