"""Package time mirrors Go's time: now, sleep, Timer, Ticker, after,
after_func and tick, with times as float seconds.

Timers and tickers are native: they live in the runtime's timer wheel and
their channels are `chan(1, dtype='C.double')` carrying the fire time (Unix
seconds), on the clock of the executor they were made on (the real clock for
thread goroutines, the virtual clock inside `golang.run(..., clock='virtual')`).
"""

import time as _stdtime

from golang import _golang
from golang import _syncrun

second = 1.0
nanosecond = 1e-9 * second
microsecond = 1e-6 * second
millisecond = 1e-3 * second
minute = 60 * second
hour = 60 * minute

Timer = _golang.Timer
Ticker = _golang.Ticker
now = _golang.now
asleep = _golang.asleep


def sleep(dt):  # (under Pyodide replaced below by the core's)
    """sleep pauses the current goroutine for at least dt seconds.

    In an async goroutine use `await time.asleep(dt)`: a blocking sleep there
    would stop every goroutine of its executor (and not move a virtual
    clock), so it raises RuntimeError instead."""
    if _golang._in_executor():
        if _syncrun.active():
            return _syncrun.sleep(dt)
        raise RuntimeError("golang.time.sleep: a blocking sleep in an async goroutine "
                           "would block its executor; use `await time.asleep(dt)`")
    if dt != dt:    # NaN: refused on every runtime (gevent's sleep would never wake)
        raise ValueError("Invalid value NaN (not a number)")
    _stdtime.sleep(max(dt, 0))


if hasattr(_golang, 'sleep'):
    sleep = _golang.sleep      # noqa: F811


def tick(dt):
    """tick returns a channel that receives the time every dt seconds, or
    nilchan if dt <= 0."""
    if dt <= 0:
        return _golang.nilchan
    return Ticker(dt).c


def after(dt):
    """after returns a channel that receives the time once, after dt."""
    return Timer(dt).c


def after_func(dt, f):
    """after_func runs f in its own goroutine after dt; the Timer can stop it."""
    return Timer(dt, f)
