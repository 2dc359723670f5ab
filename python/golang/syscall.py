"""Package syscall mirrors Go's package syscall: at Pygolang 0.1, the
signals. For every `SIG*` name of Python's `signal` module (not `SIG_*`),
`syscall.<name>` is the `golang.os.Signal` of that number (aliases such as
SIGCLD and SIGCHLD are equal)."""

import signal as _pysig

from golang._os import _PySignal_from_int

for _name in dir(_pysig):
    if _name.startswith('SIG') and not _name.startswith('SIG_'):
        globals()[_name] = _PySignal_from_int(int(getattr(_pysig, _name)))
del _name
