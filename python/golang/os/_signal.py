"""golang.os._signal: the Python side of golang.os.signal.

The handler, the pending mask and the delivery to channels are Rust's
(`golang-os`, bound in the native core as `_signal_*`). This module checks
the arguments in Pygolang's order (the channel's dtype first, then the
signals) and keeps Pygolang's SIGINT rule: importing it replaces Python's
default SIGINT handler (only if that one is installed) by one that raises
KeyboardInterrupt only while no channel is subscribed to SIGINT.
"""

import sys
import signal as _pysig

from golang import _golang
from golang._os import PySignal

_SIGINT = int(getattr(_pysig, 'SIGINT', 2))

# The channels subscribed to SIGINT (by Notify(ch, SIGINT) or Notify(ch)).
_int_notifying = set()


def _default_int_handler(signo, frame):
    """Python's default SIGINT handler, silent while a channel is subscribed."""
    if _int_notifying:
        return
    raise KeyboardInterrupt


if sys.platform == 'emscripten':
    _NOSIG = "golang.os.signal: there are no POSIX signals under Pyodide"

    def PyNotify(ch, *sigv):
        raise NotImplementedError(_NOSIG)

    def PyStop(ch):
        raise NotImplementedError(_NOSIG)

    def PyIgnore(*sigv):
        raise NotImplementedError(_NOSIG)

    def PyReset(*sigv):
        raise NotImplementedError(_NOSIG)

else:
    try:
        if _pysig.getsignal(_SIGINT) is _pysig.default_int_handler:
            _pysig.signal(_SIGINT, _default_int_handler)
            _pysig.default_int_handler = _default_int_handler
    except ValueError:  # imported first outside the main thread: left as is
        pass

    def _signos(sigv):
        """The numbers of sigv, and whether SIGINT is among them (no
        signals means all, SIGINT included)."""
        signos = []
        for sig in sigv:
            if not isinstance(sig, PySignal):
                raise TypeError("expect os.Signal, got %r" % (sig,))
            signos.append(sig.signo)
        return signos, (not signos or _SIGINT in signos)

    def PyNotify(ch, *sigv):
        """Notify(ch, *sigs): send sigs (all signals if none) to ch."""
        _golang._signal_check_chan(ch)
        signos, has_sigint = _signos(sigv)
        if has_sigint:
            _int_notifying.add(ch)
        _golang._signal_notify(ch, signos)

    def PyStop(ch):
        """Stop(ch): send nothing more to ch."""
        _golang._signal_check_chan(ch)
        _int_notifying.discard(ch)
        _golang._signal_stop(ch)

    def PyIgnore(*sigv):
        """Ignore(*sigs): ignore sigs (all signals if none)."""
        signos, has_sigint = _signos(sigv)
        if has_sigint:
            _int_notifying.clear()
        _golang._signal_ignore(signos)

    def PyReset(*sigv):
        """Reset(*sigs): give sigs (all signals if none) their original action."""
        signos, has_sigint = _signos(sigv)
        if has_sigint:
            _int_notifying.clear()
        _golang._signal_reset(signos)
