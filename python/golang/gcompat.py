# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package gcompat provides Go-compatibility helpers: qq, a substitute for Go's %q.

``qq(obj)`` returns obj quoted by ``golang.strconv.quote`` as a str.  str and
bytes are quoted directly (bytes as bytes, so invalid UTF-8 becomes ``\\xNN``);
any other object goes through ``str()`` first.  For example::

    '%s' % qq('hello\\n')    ->  '"hello\\\\n"'
    '%s' % qq(b'\\xd0a')      ->  '"\\\\xd0a"'
"""

from golang import strconv

__all__ = ['qq']


def qq(obj):
    """qq returns obj quoted with ``"`` and Go escapes, always as str."""
    if not isinstance(obj, (bytes, str)):
        obj = str(obj)
    q = strconv.quote(obj)
    if isinstance(q, bytes):
        q = q.decode('utf-8')   # quote's output is always valid UTF-8
    return q
