# SPDX-License-Identifier: MIT OR Apache-2.0
"""Package context mirrors Go's package context: cancellation, deadlines and
request-scoped values carried through a tree of contexts.

API (that of Pygolang 0.1's ``golang.context``, see API.md and API-0.1.md):

- ``background()`` returns the root context: never canceled, no deadline, no
  values; its ``done()`` is ``nilchan``.
- ``with_cancel(parent)`` -> ``(ctx, cancel)``; ``cancel()`` takes no
  arguments and may be called any number of times.
- ``with_value(parent, key, value)`` -> ctx; keys are compared by identity.
  Its ``done()`` is its parent's ``done()``.
- ``with_deadline(parent, d)`` -> ``(ctx, cancel)``: the deadline is
  ``min(parent's deadline, d)``; ``with_timeout(parent, dt)`` is
  ``with_deadline(parent, now() + dt)``.
- ``merge(p1, p2)`` -> ``(ctx, cancel)``: done when either parent is done or
  cancel is called; deadline is the earliest one; values come from p1, then p2.
- ``Context`` (also ``golang._context.PyContext``) is the type of every
  context. Users cannot create contexts directly:
  ``AssertionError("Context must not be instantiated by user")``.
- Methods: ``done()`` (the same ``chan(dtype='C.structZ')`` every call, closed
  on cancel), ``err()`` (``None``, or an error equal to ``canceled`` or
  ``deadlineExceeded``: a new ``golang.error`` on every call, as in Pygolang
  0.1, so compare with ``==`` or ``errors.Is``, not ``is``),
  ``deadline()`` (float or None), ``value(key)``.
- ``canceled`` ("context canceled") and ``deadlineExceeded``
  ("deadline exceeded") are exact ``golang.error`` objects.

Rules kept by this implementation (each has a test):

- A context is canceled when any parent is canceled, with the parent's error.
  A context created from an already-canceled parent is canceled at once.
- A canceled context is removed from its parents' children, and forgets its
  own children, so that many short-lived children leave no trace in a
  long-lived parent. A value context (it cannot be canceled on its own) is
  held by its parent weakly: once unused, it leaves its parent's children.
- ``err()`` is set before ``done()`` is closed, and ``done()`` is closed
  after the context's whole subtree is canceled and the context is unlinked
  from its parents: whoever sees ``done()`` closed sees the cancellation
  complete. For a value context ``err()`` is read from the context that owns
  the shared ``done()`` chan, so that this holds there too.
- A deadline that has already passed when the context is created cancels it
  at once with ``deadlineExceeded`` (Go's rule; Pygolang 0.0.5 used
  ``canceled`` there).

Differences from Pygolang 0.0.5: parents must be contexts made by this
package (Pygolang >= 0.0.6 has the same rule; 0.0.5 also accepted foreign
duck-typed contexts); a non-context parent raises TypeError.

Implementation
--------------
The contexts are the core's, on both cores: bound over the Rust crate
``golang-context`` (``stdlib/context``), which does the cancellation,
propagation, unlinking, deadlines and timers (on the clock of the executor
that made the context: virtual inside ``golang.run``). Natively the binding
is ``targets/native/src/context.rs``; under Pyodide it is
``targets/wasm/src/context.rs`` with the shim's ``PyContext`` in
``golang/_golang_wasm.py``. Values (keys compared by identity) stay on the
Python side of each binding. ``canceled`` and ``deadlineExceeded`` are the
same ``golang.error`` objects on both, and ``err()`` wraps the same Go-level
errors (from ``golang._pyerror``).
"""

from golang import _golang as _core
from golang._pyerror import _from_error, CANCELED as _CANCELED, \
    DEADLINE_EXCEEDED as _DEADLINE_EXCEEDED

__all__ = ['Context', 'background', 'canceled', 'deadlineExceeded',
           'with_cancel', 'with_value', 'with_deadline', 'with_timeout',
           'merge']


# canceled is the error returned by Context.err when the context is canceled.
# deadlineExceeded is the error returned by Context.err when the time goes
# past the context's deadline. (Contexts keep the Go-level errors _CANCELED /
# _DEADLINE_EXCEEDED, and err() wraps them anew on each call.)
canceled = _from_error(_CANCELED)
deadlineExceeded = _from_error(_DEADLINE_EXCEEDED)

PyContext = Context = _core.PyContext
background = _core.ctx_background
with_cancel = _core.ctx_with_cancel
with_value = _core.ctx_with_value
with_deadline = _core.ctx_with_deadline
with_timeout = _core.ctx_with_timeout
merge = _core.ctx_merge
