"""Test hooks for channel tests, with the names Pygolang's tests use.

- `pylen_recvq(ch)` / `pylen_sendq(ch)`: how many receivers / senders wait
  on a channel;
- `pywaitBlocked(chanop)`: waits until some goroutine is blocked in the
  channel operation `chanop` (`ch.recv`, `ch.recv_` or `ch.send`);
- `pypanicWhenBlocked()`: a context manager under which an operation that
  would block panics "t: blocks forever" instead;
- `pychan_{structZ,bool,int,double}_{recv,send,close}(ch)`: the operation
  done from Rust on the typed channel, with the GIL released while it
  waits (Pygolang 0.1's checks of Python <-> C interoperation on one
  channel). `pychan_structZ_send` rejects anything but None with
  `TypeError("cannot convert %r to structZ")`. On a core without these
  hooks (the WebAssembly one) they are the channel's own methods.
"""

import time as _time

from golang import _golang, panic

_DTYPES = {'structZ': 'C.structZ', 'bool': 'C.bool', 'int': 'C.int', 'double': 'C.double'}


def _pychan_fallback(ctype, op):
    # the hook done with the channel's methods (same checks as the native hooks)
    dtype = _DTYPES[ctype]

    def hook(ch, *argv):
        if getattr(ch, "dtype", dtype) != dtype:
            panic("pychan: channel type mismatch")
        if op == 'send' and ctype == 'structZ' and argv[0] is not None:
            raise TypeError("cannot convert %r to structZ" % (argv[0],))
        return getattr(ch, op)(*argv)
    hook.__name__ = 'pychan_%s_%s' % (ctype, op)
    return hook


for _ctype in _DTYPES:
    for _op in ('recv', 'send', 'close'):
        _name = 'pychan_%s_%s' % (_ctype, _op)
        globals()[_name] = getattr(_golang, _name, None) or _pychan_fallback(_ctype, _op)
del _ctype, _op, _name


def pylen_recvq(ch):
    return _golang._len_recvq(ch)


def pylen_sendq(ch):
    return _golang._len_sendq(ch)


def pywaitBlocked(chanop, timeout=10.0):
    """Waits until a goroutine blocks in `chanop` (a bound recv/recv_/send)."""
    ch = chanop.__self__
    name = chanop.__name__
    if name in ('recv', 'recv_'):
        qlen = pylen_recvq
    elif name == 'send':
        qlen = pylen_sendq
    else:
        panic("wait blocked: unexpected chan method: %r" % (chanop,))
    deadline = _time.monotonic() + timeout
    while qlen(ch) == 0:
        if _time.monotonic() > deadline:
            panic("deadlock")
        _time.sleep(0)


class pypanicWhenBlocked(object):
    """with pypanicWhenBlocked(): blocking channel operations panic."""

    def __enter__(self):
        self._prev = _golang._set_panic_when_blocked(True)
        return self

    def __exit__(self, *exc):
        _golang._set_panic_when_blocked(self._prev)
        return False
