"""Package os mirrors Go's package os: at Pygolang 0.1 that is `Signal`
(see also golang.syscall and golang.os.signal)."""

from golang._os import PySignal as Signal

__all__ = ['Signal']
