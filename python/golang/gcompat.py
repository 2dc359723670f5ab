# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package gcompat provides Go-compatibility helpers: qq, a substitute for Go's %q.

``qq(obj)`` returns obj quoted by ``golang.strconv.quote``; str and bytes
are quoted directly (bytes as bytes, so invalid UTF-8 becomes ``\\xNN``);
any other object goes through ``str()`` first. The result is a str
(``golang._golang._pyunicode``, as in Pygolang 0.1) that also converts to
UTF-8 bytes, so both ``'%s' % qq(x)`` and ``b'%s' % qq(x)`` work::

    '%s' % qq('hello\\n')    ->  '"hello\\\\n"'
    '%s' % qq(b'\\xd0a')      ->  '"\\\\xd0a"'
"""

from golang._pystr import pyqq as qq

__all__ = ['qq']
