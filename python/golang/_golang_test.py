"""Test hooks for channel tests, with the names Pygolang's tests use.

- `pylen_recvq(ch)` / `pylen_sendq(ch)`: how many receivers / senders wait
  on a channel;
- `pywaitBlocked(chanop)`: waits until some goroutine is blocked in the
  channel operation `chanop` (`ch.recv`, `ch.recv_` or `ch.send`);
- `pypanicWhenBlocked()`: a context manager under which an operation that
  would block panics "t: blocks forever" instead.
"""

import time as _time

from golang import _golang, panic


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
