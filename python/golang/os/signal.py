"""Package signal mirrors Go's package os/signal: `Notify`, `Stop`,
`Ignore`, `Reset` deliver OS signals to channels of dtype 'C.os::Signal'
(`chan(n, dtype=golang.os.Signal)`).

Delivery never blocks: a channel that is full misses the signal. The
handler that was installed before (e.g. one from the stdlib `signal`
module) keeps being called; SIG_IGN and SIG_DFL are not, so a notified
SIGTERM does not end the process. While a channel is subscribed to SIGINT,
Python's default SIGINT handler does not raise KeyboardInterrupt.
"""

from golang.os._signal import PyNotify as Notify, PyStop as Stop, PyIgnore as Ignore, PyReset as Reset

__all__ = ['Notify', 'Stop', 'Ignore', 'Reset']
