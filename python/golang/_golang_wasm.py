"""The core of package golang under Pyodide: a thin shim over the
WebAssembly build of the runtime (targets/wasm), which the JavaScript
loader registers as the module `_golang_wasm_core` (or, installed from the
Pyodide wheel, golang/_wasm loads at import).

It gives the names of the native core (`golang._golang`) with the same
semantics and messages. Goroutines, channels, select and timers live in
Rust; Python is entered once per goroutine step. Python objects travel
through channels as handles into `_objs` (see `targets/wasm/src/value.rs`).

Nothing may block the JavaScript event loop, so the sync forms
(`ch.recv()`, `select(...)`, `time.sleep`) complete only when they can do so
at once and raise RuntimeError otherwise; the async forms
(`await ch.arecv()`, `aselect`, `time.asleep`) are the API to use here.
`golang.run(main, seed=N)` runs on the virtual clock inside one call;
`go(f)` outside a run starts a goroutine on the executor that the event loop
drives, and `await golang.arun(main)` waits for one from Pyodide's asyncio.
"""

import os as _os
import sys as _sys
import random as _random
import operator as _operator

try:
    import _golang_wasm_core as _core       # registered by loadGolang (golang.mjs)
except ImportError:                         # installed from the Pyodide wheel
    from golang._wasm import load_core as _load_core
    _core = _load_core()
from pyodide.ffi import create_proxy as _create_proxy

from golang._pyfunc import _PanicError

# The core's functions, looked up once: an attribute lookup on the module's
# JsProxy costs as much as a call into the core (about a microsecond).
_c_chan_cap = _core.chan_cap
_c_conv = _core.conv
_c_chan_close = _core.chan_close
_c_chan_free = _core.chan_free
_c_chans_free = _core.chans_free
_c_chan_key = _core.chan_key
_c_chan_len = _core.chan_len
_c_chan_new = _core.chan_new
_c_chan_nil = _core.chan_nil
_c_chan_recv = _core.chan_recv
_c_chan_arecv = _core.chan_arecv
_c_chan_recvq = _core.chan_recvq
_c_chan_send = _core.chan_send
_c_chan_asend = _core.chan_asend
_c_chan_sendq = _core.chan_sendq
_c_go = _core.go
_c_name_def = _core.name_def
_c_in_executor = _core.in_executor
_c_init = _core.init
_c_last_error = _core.last_error
_c_now = _core.now
_c_released = _core.released
_c_run = _core.run
_c_select = _core.select
_c_aselect = _core.aselect
_c_select_recv = _core.select_recv
_c_aselect_recv = _core.aselect_recv
_c_sleep_start = _core.sleep_start
_c_ticker_new = _core.ticker_new
_c_timer_chan = _core.timer_chan
_c_timer_free = _core.timer_free
_c_timer_new = _core.timer_new
_c_timer_reset = _core.timer_reset
_c_timer_stop = _core.timer_stop

# ---- the contract with the core, learned by name (targets/wasm/src/contract.rs) ----
# The states that cross the boundary, the dtypes, the messages (%-templates)
# and limits are the shared crate's (pycore/): nothing of them is written here.


def _load_contract():
    it = iter(_core.contract())
    return dict(zip(it, it))


_CONTRACT = _load_contract()


def _states(group):
    p = group + '.'
    return {k[len(p):]: int(v) for k, v in _CONTRACT.items() if k.startswith(p)}


_M = {k[4:]: v for k, v in _CONTRACT.items() if k.startswith('msg.')}
_CORE_NAMES = tuple(_CONTRACT['names'].split())
_CHAN_SIZE_MAX = int(_CONTRACT['limit.CHAN_SIZE_MAX'])

# How an operation ended (golang_pycore::Status). An operation answers in
# its one call into the core (targets/wasm/src/reply.rs): with what it gives
# when it completes (a value: a number, a bool or None; never a str), or
# else with the name of its status, a str. What does not fit the answer (a
# select's received value, a new context's done channel) is in the mailbox,
# read before the next call into the core.
_S = {k[7:]: v for k, v in _CONTRACT.items() if k.startswith('status.')}
_S_CLOSED, _S_WAIT, _S_PANIC, _S_BRIDGE, _S_OUT_OF_RANGE = (
    _S['CLOSED'], _S['WAIT'], _S['PANIC'], _S['BRIDGE'], _S['OUT_OF_RANGE'])
# what the driver is asked (Resume) and answers (Driven); how a run ended
_K = _states('resume')
_K_START, _K_VALUE, _K_VALUE_CLOSED, _K_PANIC, _K_RETRY, _K_CLOSE, _K_CALL = (
    _K['START'], _K['VALUE'], _K['VALUE_CLOSED'], _K['PANIC'], _K['RETRY'], _K['CLOSE'], _K['CALL'])
_D = _states('driven')
_ST_WAIT, _ST_DONE, _ST_FAIL = _D['WAIT'], _D['DONE'], _D['FAIL']
_R = _states('run')
_RUN_OK, _RUN_DEADLOCK = _R['OK'], _R['DEADLOCK']
# what a value is, for the core's conversion rules (golang_pycore::status::ValueKind)
_V = _states('kind')
_V_NONE, _V_BOOL, _V_INT, _V_BIG_INT, _V_FLOAT, _V_OTHER = (
    _V['NONE'], _V['BOOL'], _V['INT'], _V['BIG_INT'], _V['FLOAT'], _V['OTHER'])

# dtypes: name -> code (the ones this core has channels of), names and zero
# values by code
_DTYPES = _states('dtype')
_DNAMES = tuple(sorted(_DTYPES, key=_DTYPES.get))
_ZERO = tuple({'NONE': None, 'FALSE': False, 'INT': 0, 'FLOAT': 0.0}[_CONTRACT['zero.%d' % c]]
              for c in range(len(_DNAMES)))
_D_OBJ, _D_STRUCTZ, _D_BOOL, _D_INT, _D_DOUBLE = (
    _DTYPES['object'], _DTYPES['C.structZ'], _DTYPES['C.bool'], _DTYPES['C.int'], _DTYPES['C.double'])


def _accepted(dt):
    """{value kind: (lo, hi)}: the payloads of a kind that dtype dt accepts
    whatever they are (golang_pycore's ValueKind::accepted); the core's
    rules decide for every other value."""
    p = 'accept.%d.' % dt
    return {int(k[len(p):]): tuple(float(x) for x in v.split()) for k, v in _CONTRACT.items()
            if k.startswith(p)}


_ACCEPT = tuple(_accepted(d) for d in range(len(_DNAMES)))

# the mailbox (targets/wasm/src/reply.rs) and its slots
_MB = _core.mailbox()
_MB_VALUE, _MB_ERR, _MB_DEADLINE = (int(_CONTRACT['mailbox.' + k]) for k in ('VALUE', 'ERR', 'DEADLINE'))

_BRIDGE = _M['BRIDGE']
_IN_EXEC = _M['BLOCKING_IN_EXECUTOR']
_NO_BLOCK = _M['NO_BLOCK']
_FOREIGN = _M['FOREIGN_AWAIT']


# ---- slots freed in batches ----
# A channel that holds no Python object (every dtype but object: its values
# are numbers) and a context hold nothing whose release Python could see:
# their slots are freed _FREE_BATCH at a time, in one call into the core
# (each call costs about a microsecond), not one call each.

_FREE_BATCH = 64
_chans_freeq = []       # channel slots to free
_ctxs_freeq = []        # (context slot, done channel slot or -1) pairs, flat


def _free_now(q):
    """Frees the slots queued in q (_chans_freeq or _ctxs_freeq) in one call;
    the __del__ methods append to q and call this when it is full."""
    ids = q[:]
    del q[:]
    (_c_chans_free if q is _chans_freeq else _c_ctxs_free)(*ids)


# ---- Python objects in Rust: the handle table ----

_objs = {}
_next = 1
_sweep_at = 1024


def _put(obj):
    """A handle for obj; Rust owns it until a receiver takes the object."""
    global _next
    h = _next
    _next = h + 1
    _objs[h] = obj
    if len(_objs) >= _sweep_at:
        _sweep()
    return h


def _sweep():
    """Forgets the objects whose handles Rust dropped, and sets when to look
    again (when the table has doubled)."""
    global _sweep_at
    _release()
    _sweep_at = max(1024, 2 * len(_objs))


def _release():
    """Forgets at once the objects whose handles Rust just dropped (after a
    failed send, a select with object send cases, a freed object channel), so
    that they are released when Python would release them natively."""
    for h in _c_released():
        _objs.pop(int(h), None)


def _out(dt, r, with_ok):
    """A received value for Python (r is what Rust gave: a handle or a number)."""
    if dt == _D_OBJ:
        v = _objs.pop(r)
    elif dt == _D_STRUCTZ:
        v = None
    elif dt == _D_DOUBLE:
        v = float(r)
    else:
        v = r
    return (v, True) if with_ok else v


def _zero(dt, with_ok):
    """What a receive from a closed and drained channel gives."""
    v = _ZERO[dt]
    return (v, False) if with_ok else v


class _Closed(object):
    """What the driver sends for VALUE_CLOSED: the receive found the channel
    closed (i: a select's index)."""
    __slots__ = ('i',)

    def __init__(self, i):
        self.i = i


_SAFE = 2**53       # the ints a JS number carries exactly
# a value accepted by the rules, as Rust takes it, by dtype
_CAST = {_D_STRUCTZ: lambda o: 0, _D_BOOL: lambda o: 1 if o else 0, _D_INT: int, _D_DOUBLE: float}


def _conv(dt, obj):
    """obj as Rust takes it for a channel of dtype dt. The rules (and their
    TypeError/OverflowError) are the core's: this describes obj to it."""
    if dt == _D_OBJ:
        return _put(obj)
    if obj is None:
        k, v = _V_NONE, 0
    elif obj.__class__ is bool:
        k, v = _V_BOOL, (1 if obj else 0)
    elif isinstance(obj, int):
        k, v = (_V_INT, obj) if -_SAFE <= obj <= _SAFE else (_V_BIG_INT, 0)
    elif isinstance(obj, float):
        k, v = _V_FLOAT, obj
    else:
        k, v = _V_OTHER, 0
    r = _ACCEPT[dt].get(k)
    if r is not None and r[0] <= v <= r[1]:
        return _CAST[dt](obj)       # (accepted whatever its value: no need to ask)
    st = _c_conv(dt, k, v)
    if st is None:
        return _CAST[dt](obj)
    msg = _c_last_error() + repr(obj)
    raise OverflowError(msg) if st == _S_OUT_OF_RANGE else TypeError(msg)


_panic_when_blocked = False


def _set_panic_when_blocked(flag):
    global _panic_when_blocked
    prev, _panic_when_blocked = _panic_when_blocked, bool(flag)
    return prev


def _would_block():
    if _c_in_executor():
        raise RuntimeError(_IN_EXEC)
    if _panic_when_blocked:
        raise _PanicError(_M['BLOCKS_FOREVER'])
    raise RuntimeError(_NO_BLOCK)


def _can_block():
    """Whether a sync operation may wait here: outside goroutines, where
    JavaScript Promise Integration lets Pyodide suspend Python (Chromium has
    it; the code must have been started with runPythonAsync)."""
    try:
        from pyodide.ffi import can_run_sync
    except ImportError:
        return False
    return not _c_in_executor() and not _panic_when_blocked and can_run_sync()


def _block(f, *args):
    """Waits for `await f(*args)` run as a goroutine of the background
    executor, suspending Python through JSPI (see _can_block) while the event
    loop runs the executor; raises the RuntimeError of _would_block where
    that is not possible."""
    if not _can_block():
        _would_block()
    from pyodide.ffi import run_sync
    return run_sync(arun(f, *args))


# ---- awaitables ----

_WAIT = object()        # what an awaitable yields to the driver
_RETRY = object()       # what the driver sends when the budget wait is over


class _Yield(object):
    """`await _yield` hands the goroutine to the driver; the driver's send is
    what it evaluates to."""
    __slots__ = ()

    def __await__(self):
        return (yield _WAIT)


_yield = _Yield()

# The awaitables are native coroutines: cheaper to make than objects with
# __await__, and a second `await` raises "cannot reuse already awaited
# coroutine" (RuntimeError), as awaiting a native AwaitOp twice does.


def _arecv_of(with_ok):
    """pychan.arecv (with_ok False) or arecv_ (True): the coroutine function
    itself, one Python call less per receive than a method returning
    _arecv(ch, with_ok)."""
    async def arecv(ch):
        while True:
            r = _c_chan_arecv(ch._id)
            if r.__class__ is not str:
                return _out(ch._dt, r, with_ok)
            if r == _S_CLOSED:
                v = _ZERO[ch._dt]
                return (v, False) if with_ok else v
            if r != _S_WAIT:
                raise RuntimeError(_BRIDGE)
            r = await _yield
            if r is _RETRY:
                continue
            if r.__class__ is _Closed:
                return _zero(ch._dt, with_ok)
            return _out(ch._dt, r, with_ok)
    arecv.__name__ = 'arecv_' if with_ok else 'arecv'
    arecv.__qualname__ = 'pychan.' + arecv.__name__
    arecv.__doc__ = ("await ch.arecv_(): receive (value, ok) from an async goroutine." if with_ok else
                     "await ch.arecv(): receive from an async goroutine.")
    return arecv


_ARECV = (_arecv_of(False), _arecv_of(True))


def _arecv(ch, with_ok):
    return _ARECV[with_ok](ch)


async def _asend(ch, v):
    while True:
        r = _c_chan_asend(ch._id, v)
        if r is None:
            return None
        if r == _S_WAIT:
            try:
                if (await _yield) is _RETRY:
                    continue
            except _PanicError:
                if ch._dt == _D_OBJ:
                    _release()
                raise
            return None
        if r == _S_PANIC:
            if ch._dt == _D_OBJ:
                _release()
            raise _PanicError(_c_last_error())
        raise RuntimeError(_BRIDGE)


async def _ashared(start, conv, *args):
    """Awaits an awaitable of the shared crate (golang_pycore::awaitable):
    start(*args) is its first step exported by the core (a Status), conv
    makes its value a Python object (None: the value is None)."""
    while True:
        st = start(*args)
        if st.__class__ is not str:
            v = st
        elif st == _S_WAIT:
            v = await _yield
            if v is _RETRY:
                continue
        elif st == _S_PANIC:
            raise _PanicError(_c_last_error())
        else:
            raise RuntimeError(_BRIDGE)
        return None if conv is None else conv(v)


def _asleep(dt):
    return _ashared(_c_sleep_start, None, dt)


# ---- chan ----

class _Default(object):
    __slots__ = ()

    def __repr__(self):
        return "default"


default = _Default()


def _parse_dtype(dtype):
    if dtype is object:
        return _D_OBJ
    if isinstance(dtype, str) and dtype in _DTYPES:
        return _DTYPES[dtype]
    # an object naming its dtype (golang.os.Signal: 'C.os::Signal', which
    # this core has no channels of: there are no signals under Pyodide)
    name = getattr(dtype, 'dtype', None) if not isinstance(dtype, (str, pychan)) else None
    if isinstance(name, str) and name in _DTYPES:
        return _DTYPES[name]
    raise TypeError(_M['INVALID_DTYPE'] % (repr(dtype),))


class pychan(object):
    """Go's channel: chan(size=0, dtype=object)."""

    __slots__ = ('_id', '_dt', '_k', '__weakref__')

    def __new__(cls, *args, **kw):
        if len(args) > 2:
            raise TypeError(_M['CHAN_TOO_MANY_ARGS'] % len(args))
        size = args[0] if len(args) > 0 else None
        dtype = args[1] if len(args) > 1 else None
        have = [len(args) > 0, len(args) > 1]
        for k, v in kw.items():
            if k == 'size':
                i = 0
            elif k == 'dtype':
                i = 1
            else:
                raise TypeError(_M['CHAN_UNEXPECTED_KW'] % k)
            if have[i]:
                raise TypeError(_M['CHAN_MULTIPLE_VALUES'] % k)
            have[i] = True
            if i == 0:
                size = v
            else:
                dtype = v
        size = 0 if not have[0] else _operator.index(size)
        dt = _D_OBJ if not have[1] else _parse_dtype(dtype)
        if not 0 <= size <= _CHAN_SIZE_MAX:
            raise _PanicError(_M['MAKECHAN_SIZE'])
        return _wrap(_c_chan_new(size, dt), dt)

    @staticmethod
    def nil(dtype):
        """chan.nil(dtype): the nil channel of a dtype."""
        return _NILS[_parse_dtype(dtype)]

    def __del__(self):
        try:
            if self._dt == _D_OBJ:
                _c_chan_free(self._id)
                _release()      # (the objects it buffered, at once as natively)
            else:
                q = _chans_freeq
                q.append(self._id)
                if len(q) >= _FREE_BATCH:
                    _free_now(q)
        except Exception:
            pass

    def send(self, obj):
        r = _c_chan_send(self._id, _conv(self._dt, obj))
        if r is None:
            return
        if self._dt == _D_OBJ:
            _release()          # (the try dropped the first handle)
        if r == _S_PANIC:
            raise _PanicError(_c_last_error())
        if not _can_block():
            _would_block()
        _block(_asend, self, _conv(self._dt, obj))

    def recv(self):
        r = _c_chan_recv(self._id)
        if r.__class__ is not str:
            return _out(self._dt, r, False)
        if r == _S_CLOSED:
            return _ZERO[self._dt]
        return _block(_arecv, self, False)

    def recv_(self):
        r = _c_chan_recv(self._id)
        if r.__class__ is not str:
            return _out(self._dt, r, True)
        if r == _S_CLOSED:
            return (_ZERO[self._dt], False)
        return _block(_arecv, self, True)

    def asend(self, obj):
        """await ch.asend(obj): send from an async goroutine."""
        return _asend(self, _conv(self._dt, obj))

    arecv = _ARECV[False]
    arecv_ = _ARECV[True]

    def close(self):
        if _c_chan_close(self._id) == _S_PANIC:
            raise _PanicError(_c_last_error())

    def __len__(self):
        return int(_c_chan_len(self._id))

    @property
    def cap(self):
        return int(_c_chan_cap(self._id))

    @property
    def dtype(self):
        return _DNAMES[self._dt]

    def __repr__(self):
        if _key(self) == 0:
            return "nilchan" if self._dt == _D_OBJ else "chan.nil('%s')" % _DNAMES[self._dt]
        dt = "object" if self._dt == _D_OBJ else "'%s'" % _DNAMES[self._dt]
        return "<chan(%d, dtype=%s) object at %#x>" % (self.cap, dt, id(self))

    def __hash__(self):
        return _key(self)

    def __eq__(self, other):
        if not isinstance(other, pychan):
            return False
        if self is other:
            return True
        k = _key(self)
        if k != _key(other):
            return False
        return self._dt == other._dt or (k == 0 and (self._dt == _D_OBJ or other._dt == _D_OBJ))

    def __ne__(self, other):
        return not self.__eq__(other)

    def __reduce_ex__(self, protocol):
        # (a copy would share the registry slot and free it twice)
        raise TypeError(_M['CHAN_PICKLE'])


def _key(ch):
    """The channel's identity (0 for nil), asked of Rust on first use."""
    k = ch._k
    if k is None:
        k = ch._k = int(_c_chan_key(ch._id))
    return k


def _wrap(cid, dt):
    ch = object.__new__(pychan)
    ch._id = cid
    ch._dt = dt
    ch._k = None
    return ch


chan = pychan
_NILS = tuple(_wrap(_c_chan_nil(d), d) for d in range(len(_DNAMES)))
nilchan = _NILS[_D_OBJ]


def _len_recvq(ch):
    return int(_c_chan_recvq(ch._id))


def _len_sendq(ch):
    return int(_c_chan_sendq(ch._id))


# ---- select ----

def _chan_of(method, what):
    slf = method.__self__
    if not isinstance(slf, pychan):
        raise _PanicError(_M['SELECT_ON_NON_CHAN'] % (what, repr(slf.__class__)))
    return slf


def _parse(cases):
    """Select's cases as the core takes them (targets/wasm/src/select.rs):
    (default index or -1, flat, whether all are receives, whether a case
    sends an object). flat is the receive cases' channel ids when all are
    receives, else three numbers per case (sends, channel id, value)."""
    # Fast path: ch.recv / ch.recv_ of chans and at most one default, told
    # by the method's function (fewer attribute lookups than by name, which
    # costs in Pyodide's interpreter); anything else takes _parse_any.
    ids = []
    default_at = -1
    i = 0
    for case in cases:
        if case.__class__ is _MethodType:
            f = case.__func__
            ch = case.__self__
            if (f is _RECV or f is _RECV_) and ch.__class__ is pychan:
                ids.append(ch._id)
                i += 1
                continue
        elif case is default and default_at < 0:
            default_at = i
            i += 1
            continue
        return _parse_any(cases)
    return default_at, ids, True, False


def _parse_any(cases):
    """_parse for any cases, with select's panics for bad ones."""
    ids = []
    sends = None        # {position in ids: value} of the send cases
    default_at = -1
    handles = []
    try:
        for i, case in enumerate(cases):
            if case is default:
                if default_at >= 0:
                    raise _PanicError(_M['MULTIPLE_DEFAULT'])
                default_at = i
            elif case.__class__ is tuple:
                if len(case) != 2:
                    raise _PanicError(_M['SELECT_INVALID_CASE'] % len(case))
                send, v = case
                ch = _chan_of(send, "send")
                if getattr(send, '__name__', None) != 'send':
                    raise _PanicError(_M['SELECT_SEND_EXPECTED'] % (repr(send),))
                v = _conv(ch._dt, v)
                if ch._dt == _D_OBJ:
                    handles.append(v)
                if sends is None:
                    sends = {}
                sends[len(ids)] = v
                ids.append(ch._id)
            else:
                ch = case.__self__
                if ch.__class__ is not pychan:
                    ch = _chan_of(case, "recv")
                name = case.__name__
                if name != 'recv' and name != 'recv_':
                    raise _PanicError(_M['SELECT_RECV_EXPECTED'] % (repr(case),))
                ids.append(ch._id)
    except BaseException:
        for h in handles:           # never handed to Rust
            _objs.pop(h, None)
        raise
    if sends is None:
        return default_at, ids, True, False
    flat = []
    for k, cid in enumerate(ids):
        v = sends.get(k)
        flat += (0, cid, 0) if v is None else (1, cid, v)
    return default_at, flat, False, bool(handles)


_MethodType = type(nilchan.close)      # (types.MethodType)
_RECV, _RECV_ = pychan.recv, pychan.recv_


def _selected(cases, i, closed=False):
    """select's (index, rx) for case i that committed; a receive case's value
    is in the mailbox (None: its channel was closed and drained), unless
    closed says so."""
    case = cases[i]
    if case is default or case.__class__ is tuple:
        return (i, None)
    ch = case.__self__
    with_ok = case.__name__ == 'recv_'
    v = None if closed else _MB[_MB_VALUE]
    if v is None:
        return (i, _zero(ch._dt, with_ok))
    return (i, _out(ch._dt, v, with_ok))


def select(*cases):
    """Runs one ready case, or default; returns (index, rx). Under Pyodide a
    select that would have to wait raises RuntimeError: use aselect."""
    d, flat, recv_only, objsend = _parse(cases)
    r = (_c_select_recv if recv_only else _c_select)(d, *flat)
    if r.__class__ is not str:
        res = _selected(cases, r)
        if objsend:
            _release()          # (the values of the cases not sent)
        return res
    if objsend:
        _release()
    if r == _S_PANIC:
        raise _PanicError(_c_last_error())
    if not _can_block():
        _would_block()
    return _block(_aselect, cases, *_parse(cases))


async def _aselect(cases, d, flat, recv_only, objsend):
    # (cases keeps the channels alive while Rust uses their ids)
    start = _c_aselect_recv if recv_only else _c_aselect
    while True:
        r = start(d, *flat)
        if r.__class__ is not str:
            res = _selected(cases, r)
            if objsend:
                _release()      # (the values of the cases not sent)
            return res
        if r == _S_WAIT:
            res = None
            try:
                w = await _yield
                # (the mailbox is read before the release calls the core)
                if w.__class__ is _Closed:
                    res = _selected(cases, int(w.i), True)
                elif w is not _RETRY:
                    res = _selected(cases, int(w))
            finally:
                if objsend:
                    _release()  # (the values of the cases not sent)
            if w is _RETRY:
                if objsend:     # (the core dropped the values: hand them over anew)
                    d, flat, recv_only, objsend = _parse(cases)
                continue
            return res
        if objsend:
            _release()
        if r == _S_BRIDGE:
            raise RuntimeError(_BRIDGE)
        raise _PanicError(_c_last_error())


def aselect(*cases):
    """await aselect(*cases): select for async goroutines."""
    return _aselect(cases, *_parse(cases))


# ---- goroutines and runs ----

class DeadlockError(RuntimeError):
    """All goroutines are asleep: the run can never finish."""


DeadlockError.__module__ = 'golang'


class _Run(object):
    __slots__ = ('main', 'result', 'failure')

    def __init__(self, main):
        self.main = main
        self.result = None
        self.failure = None


_run = None         # the golang.run in progress


def _report(e, name, obj):
    """An exception escaped a goroutine outside golang.run: print it, as an
    unraisable exception natively is."""
    hook = _sys.unraisablehook
    if hook is not _sys.__unraisablehook__:
        import types
        hook(types.SimpleNamespace(exc_type=type(e), exc_value=e, exc_traceback=e.__traceback__,
                                   err_msg=None, object=obj))
        return
    import traceback
    print("Exception ignored in: %r" % (obj,), file=_sys.stderr)
    traceback.print_exception(type(e), e, e.__traceback__, file=_sys.stderr)


def _failed(e, name, obj, h):
    r = _run
    if r is None:
        _report(e, name, obj)
        return _ST_DONE
    if r.failure is None:
        r.failure = (e, name, h == r.main)
    return _ST_FAIL


def _resume(h, kind, a):
    """The driver: what Rust calls to step the goroutine behind handle h."""
    if kind == _K_CALL:
        f = _objs.get(h)
        try:
            f()
        except BaseException as e:
            return _failed(e, "time.after_func", f, -1)
        return _ST_DONE
    if kind == _K_CLOSE:
        coro = _objs.pop(h, None)
        try:
            coro.close()
        except BaseException:
            pass
        return _ST_DONE
    coro = _objs[h]
    try:
        if kind == _K_VALUE:
            y = coro.send(a)
        elif kind == _K_VALUE_CLOSED:
            y = coro.send(_Closed(a))
        elif kind == _K_START:
            y = coro.send(None)
        elif kind == _K_RETRY:
            y = coro.send(_RETRY)
        else:
            y = coro.throw(_PanicError(a))
        while y is not _WAIT:
            try:
                what = repr(y)
            except BaseException:
                what = ''
            y = coro.throw(RuntimeError(_FOREIGN % what))
        return _ST_WAIT
    except StopIteration as e:
        del _objs[h]
        r = _run
        if r is not None and h == r.main:
            r.result = e.value
        return _ST_DONE
    except BaseException as e:
        del _objs[h]
        return _failed(e, _name(coro), coro, h)


def _name(coro):
    try:
        return str(coro.__qualname__)
    except Exception:
        return "coroutine"


_name_ids = {}      # goroutine name -> its id in the core (see name_def)


def go_async(coro):
    """Spawns a coroutine as a goroutine: on the executor of the current
    run or goroutine, else on the one the event loop drives."""
    try:
        name = coro.__qualname__       # (a coroutine's is a str)
    except AttributeError:
        name = None
    if name.__class__ is not str:
        name = _name(coro)
    nid = _name_ids.get(name)
    if nid is None:
        nid = _name_ids[name] = int(_c_name_def(name))
    _c_go(_put(coro), nid)


def go_thread(f, argv, kw):
    """There are no threads under Pyodide: a goroutine of a plain function
    runs it as a step of the executor (it may not block)."""
    async def call():
        f(*argv, **(kw or {}))
    coro = call()
    coro.__qualname__ = getattr(f, '__qualname__', 'goroutine')
    go_async(coro)


def _in_executor():
    return bool(_c_in_executor())


def _env_seed():
    s = _os.environ.get('GOLANG_SEED')
    try:
        return int(s.strip()) if s is not None else None
    except ValueError:
        return None


def _add_seed(e, note, seed, in_message):
    # (the exception's args stay as raised: the seed goes into a note only)
    if hasattr(e, 'add_note'):
        e.add_note(note)
    else:
        try:
            notes = e.__notes__
        except AttributeError:
            notes = e.__notes__ = []
        notes.append(note)
    try:
        e.golang_seed = str(seed)
    except Exception:
        pass


def run(main, *args, seed=None, clock='virtual'):
    """golang.run(main, *args, seed=N, clock='virtual'): runs main(*args) as
    goroutine 1 of a deterministic executor and returns its result."""
    global _run
    if seed is not None:
        if not isinstance(seed, int):
            raise TypeError("argument 'seed': '%s' object cannot be interpreted as an integer"
                            % type(seed).__name__)
        if seed < 0:
            raise OverflowError("can't convert negative int to unsigned")
        if seed >= 2**64:
            raise OverflowError("int too big to convert")
    if clock not in ('virtual', 'real'):
        raise ValueError(_M['RUN_BAD_CLOCK'] % _rust_str_repr(clock))
    if _c_in_executor():
        raise RuntimeError(_M['RUN_NESTED'])
    if clock == 'real':
        raise RuntimeError(_M['RUN_REAL_CLOCK'])
    coro = main(*args)
    if not (hasattr(coro, 'send') and hasattr(coro, 'throw')):
        raise ValueError(_M['RUN_NOT_ASYNC'] % (repr(main),))
    if seed is None:
        seed = _env_seed()
    if seed is None:
        seed = _random.getrandbits(64)

    h = _put(coro)
    prev, _run = _run, _Run(h)
    r = _run
    try:
        end = _c_run(h, str(seed), True)
    finally:
        _run = prev
    if r.failure is not None:
        e, name, from_main = r.failure
        r.failure = None
        note = _M['RUN_RAISED_NOTE'] % (_rust_str_repr(name), seed, seed)
        _add_seed(e, note, seed, not from_main)
        raise e
    if end == _RUN_OK:
        return r.result
    if end == _RUN_DEADLOCK:
        raise DeadlockError(_c_last_error())
    raise RuntimeError(_c_last_error())


def _rust_str_repr(s):
    if isinstance(s, str):
        return '"%s"' % s.replace('\\', '\\\\').replace('"', '\\"')
    return repr(s)


def arun(main, *args):
    """await golang.arun(main, *args): runs main(*args) as a goroutine of the
    executor that the event loop drives, and gives its result to asyncio
    (Pyodide's top-level await)."""
    import asyncio
    fut = asyncio.get_event_loop().create_future()

    async def wrapper():
        try:
            r = await main(*args)
        except BaseException as e:
            if not fut.done():
                fut.set_exception(e)
        else:
            if not fut.done():
                fut.set_result(r)
    go_async(wrapper())
    return fut


# ---- time ----

def _dt(dt):
    # (the native core's rule: a NaN duration is refused as time.sleep does)
    dt = float(dt)
    if dt != dt:
        raise ValueError(_M['NAN_DURATION'])
    return dt


class Timer(object):
    """Timer(dt, f=None): fires once after dt seconds; .c receives the time,
    or, with f, f() runs in its own goroutine (.c is then nil)."""

    __slots__ = ('_id', '_c', '__weakref__')

    def __init__(self, dt, f=None):
        dt = _dt(dt)
        if f is None:
            self._id = _c_timer_new(dt, 0)
            self._c = _wrap(_c_timer_chan(self._id), _D_DOUBLE)
        else:
            if not callable(f):
                raise TypeError(_M['NOT_CALLABLE'] % ('Timer', type(f).__name__))
            self._id = _c_timer_new(dt, _put(f))
            self._c = nilchan

    @property
    def c(self):
        return self._c

    def stop(self):
        return bool(_c_timer_stop(self._id))

    def reset(self, dt):
        if _c_timer_reset(self._id, _dt(dt)) is not None:
            raise _PanicError(_c_last_error())

    def __del__(self):
        try:
            _c_timer_free(self._id)
        except Exception:
            pass


Timer.__module__ = 'golang.time'


class Ticker(object):
    """Ticker(dt): .c receives the time every dt seconds; slow receivers
    skip ticks."""

    __slots__ = ('_id', '_c', '__weakref__')

    def __init__(self, dt):
        dt = _dt(dt)
        if not dt > 0:
            raise _PanicError(_M['TICKER_DT'])
        self._id = _c_ticker_new(dt)
        self._c = _wrap(_c_timer_chan(self._id), _D_DOUBLE)

    @property
    def c(self):
        return self._c

    def stop(self):
        _c_timer_stop(self._id)

    def __del__(self):
        try:
            _c_timer_free(self._id)
        except Exception:
            pass


Ticker.__module__ = 'golang.time'


def now():
    return float(_c_now())


def sleep(dt):
    """time.sleep under Pyodide: waits through JSPI where it can (see
    _can_block), else raises RuntimeError (nothing may block the event loop)."""
    if _c_in_executor():
        raise RuntimeError(_M['SLEEP_IN_EXECUTOR'])
    if not _can_block():
        raise RuntimeError(_M['SLEEP_NO_BLOCK'])
    _block(_asleep, _dt(dt))


def asleep(dt):
    """await time.asleep(dt): sleep in an async goroutine."""
    return _asleep(_dt(dt))


# ---- context: contexts of the golang-context crate (targets/wasm/src/context.rs) ----
#
# As natively (targets/native/src/context.rs): the crate cancels, propagates,
# unlinks and times out; values (keys compared by identity), the weak list of
# children for _children and the done() chan object stay here. So does what
# never changes once known, so that asking again does not cross into the
# core: the done channel's slot and the deadline (given by the call that
# makes a context, in the mailbox) and the error once set (an error is never
# unset; cancel() answers with it).

_CE = _states('ctxerr')
_CE_NONE, _CE_CANCELED = _CE['NONE'], _CE['CANCELED']
_CK = _states('ctxkind')
_CK_BACKGROUND, _CK_CANCEL, _CK_DEADLINE, _CK_VALUE = (
    _CK['BACKGROUND'], _CK['CANCEL'], _CK['DEADLINE'], _CK['VALUE'])
_CTX_ERRTEXT = {_CE_CANCELED: _M['CTX_CANCELED'], _CE['DEADLINE_EXCEEDED']: _M['CTX_DEADLINE_EXCEEDED']}

_c_ctx_cancel = _core.ctx_cancel
_c_ctx_cancel_repr = _core.ctx_cancel_repr
_c_ctx_err = _core.ctx_err
_c_ctxs_free = _core.ctxs_free
_c_ctx_merge = _core.ctx_merge
_c_ctx_with_cancel = _core.ctx_with_cancel
_c_ctx_with_deadline = _core.ctx_with_deadline
_c_ctx_with_timeout = _core.ctx_with_timeout

_goerrs = None      # golang._pyerror's (_from_error, {CtxErr code: Go-level error})


def _ctx_pyerr(code):
    """A new golang.error for a CtxErr code (golang._pyerror is imported at
    first use: it imports golang, which imports this module)."""
    global _goerrs
    if _goerrs is None:
        from golang import _pyerror
        _goerrs = (_pyerror._from_error, {_CE_CANCELED: _pyerror.CANCELED,
                                          _CE['DEADLINE_EXCEEDED']: _pyerror.DEADLINE_EXCEEDED})
    return _goerrs[0](_goerrs[1][code])


def _ctx_errc(ctx):
    """The CtxErr code of ctx: asked of the core until it is set, then kept."""
    e = ctx._err
    if e == _CE_NONE and ctx._id is not None:      # (background is never done)
        e = _c_ctx_err(ctx._id)
        if e != _CE_NONE:
            ctx._err = e
    return e


class PyContext(object):
    """A context (golang.context.Context): made by background(),
    with_cancel(), with_value(), with_deadline(), with_timeout() and
    merge(), never by calling the type."""

    __slots__ = ('_id',         # the slot of its crate context (a value context: its parent's;
                                # background: None, which the core takes for background)
                 '_kind',       # a CtxKind code
                 '_parents',    # the Python parents (background is not kept)
                 '_kv',         # (key, value) of a value context, else None
                 '_done',       # the done() chan, made at the first done()
                 '_did',        # the done channel's slot until then (-1: none)
                 '_err',        # the CtxErr code once set (CANCELED...), else NONE
                 '_deadline',   # the deadline (it never changes), or None
                 '_kids',       # weakrefs to the contexts made from it (for _children)
                 '_klimit',     # prune _kids when it gets this long
                 '__weakref__')

    def __new__(cls, *args, **kw):
        raise AssertionError(_M['CTX_USER_NEW'])

    def done(self):
        """done returns a channel that is closed when the context is canceled
        (the same channel on every call)."""
        d = self._done
        if d is None:
            d = self._done = _wrap(self._did, _D_STRUCTZ)
            self._did = -1          # (the chan object frees the slot now)
        return d

    def err(self):
        """err returns None while done is not closed, or the error that tells
        why the context was canceled (canceled or deadlineExceeded)."""
        e = _ctx_errc(self)
        return None if e == _CE_NONE else _ctx_pyerr(e)

    def deadline(self):
        """deadline returns the context's deadline (float seconds, as
        time.now()) or None if it has none."""
        return self._deadline

    def value(self, key):
        """value returns the value associated with key, or None. Keys are
        compared by identity, not by equality."""
        v = _ctx_lookup(self, key)
        return None if v is _CTX_MISS else v

    @property
    def _children(self):
        """The live contexts this context's cancellation propagates to:
        children that are neither canceled nor garbage; none once canceled."""
        kids = self._kids
        if _ctx_errc(self) != _CE_NONE:
            del kids[:]
            return []
        live = [c for c in (r() for r in kids) if c is not None and _ctx_errc(c) == _CE_NONE]
        kids[:] = [_weakref(c) for c in live]
        self._klimit = 2 * len(kids)
        return live

    def _usercancel(self):
        """Cancels the context as its cancel function does (a no-op for
        background and value contexts)."""
        if self._kind == _CK_CANCEL or self._kind == _CK_DEADLINE:
            _ctx_cancel(self)

    @property
    def _key(self):
        kv = self._kv
        return kv[0] if kv is not None else None

    @property
    def _timer(self):
        return True if self._kind == _CK_DEADLINE and _ctx_errc(self) == _CE_NONE else None

    def __repr__(self):
        if self._kind == _CK_BACKGROUND:
            return "context.background()"
        e = _ctx_errc(self)
        state = "active" if e == _CE_NONE else "canceled: %s" % _CTX_ERRTEXT[e]
        return "<golang.context.PyContext %s at %#x>" % (state, id(self))

    def __del__(self):
        global _ctx_releasing
        try:
            if self._kind != _CK_VALUE and self._kind != _CK_BACKGROUND:
                # (with the done channel's slot if done() never made its chan)
                q = _ctxs_freeq
                q += (self._id, self._did)
                if len(q) >= _FREE_BATCH:
                    _free_now(q)
            # The parents are released without recursion, as natively:
            # dropping the last reference to a long chain of contexts would
            # otherwise nest one __del__ per context (and under Pyodide each
            # goes through a JavaScript trampoline: the stack overflows).
            ps = self._parents
            if not ps:
                return
            self._parents = ()
            _ctx_release.extend(ps)
            del ps
            if _ctx_releasing:
                return      # the loop below this frame releases them
            _ctx_releasing = True
            try:
                while _ctx_release:
                    _ctx_release.pop()      # (its __del__ only queues)
            finally:
                _ctx_releasing = False
        except Exception:
            pass


_ctx_release = []       # parents of dropped contexts, to release
_ctx_releasing = False  # whether a __del__ below runs the release loop

PyContext.__module__ = 'golang.context'


class CancelFunc(object):
    """The cancel function returned with a context: cancel() takes no
    arguments and may be called any number of times."""

    __slots__ = ('_ctx',)

    def __call__(self):
        _ctx_cancel(self._ctx)

    def __repr__(self):
        return "<golang.context cancel func: %s>" % _c_ctx_cancel_repr(self._ctx._id)


CancelFunc.__module__ = 'golang.context'


def _ctx_cancel(ctx):
    e = _c_ctx_cancel(ctx._id)
    if e.__class__ is str:          # PANIC (after the cancel)
        raise _PanicError(_c_last_error())
    if e != _CE_NONE:
        ctx._err = e


from weakref import ref as _weakref     # noqa: E402


def _ctx_new(cid, kind, parents, kv, done, did, err, deadline):
    ctx = object.__new__(PyContext)
    ctx._id = cid
    ctx._kind = kind
    # (background is not kept: it has no values)
    ctx._parents = parents
    ctx._kv = kv
    ctx._done = done
    ctx._did = did
    ctx._err = err
    ctx._deadline = deadline
    ctx._kids = []
    ctx._klimit = 8
    return ctx


def _ctx_link(ctx, parents):
    """Records ctx in its live cancellable parents' children (introspection
    only: cancellation never goes through it)."""
    for p in parents:
        kids = p._kids
        if len(kids) >= p._klimit:      # (amortised: twice the live ones)
            kids[:] = [r for r in kids if r() is not None and _ctx_errc(r()) == _CE_NONE]
            p._klimit = max(8, 2 * len(kids))
        kids.append(_weakref(ctx))


def _ctx_born(cid, kind, parents, deadline):
    """The context the core just made in slot cid, with its cancel function;
    its done channel's slot, error at birth and deadline (unless given:
    _CTX_MISS) are in the mailbox of that call (read here, before any other
    call into the core)."""
    did = _MB[_MB_VALUE]
    if len(parents) == 1:
        ps = () if parents[0]._kind == _CK_BACKGROUND else parents
    else:
        ps = tuple(p for p in parents if p._kind != _CK_BACKGROUND)
    # (the error at birth matters only for linking to parents; without
    # any, err() asks the core until it is set)
    err = _MB[_MB_ERR] if ps else _CE_NONE
    if deadline is _CTX_MISS:
        deadline = _MB[_MB_DEADLINE]
        if deadline is not None:
            deadline = float(deadline)      # (an integral JS number comes as an int)
    if kind == _CK_DEADLINE and deadline == parents[0]._deadline:
        kind = _CK_CANCEL       # the crate arms a timer only for a deadline earlier than the parent's
    ctx = _ctx_new(cid, kind, ps, None, None, did, err, deadline)
    if err == _CE_NONE:
        _ctx_link(ctx, ps)
    f = object.__new__(CancelFunc)
    f._ctx = ctx
    return ctx, f


def _as_ctx(parent):
    if not isinstance(parent, PyContext):
        raise TypeError(_M['CTX_BAD_PARENT'] % type(parent).__name__)
    return parent


_CTX_MISS = object()


def _ctx_lookup(ctx, key):
    """The value of key in ctx or its ancestors (a merge's first parent
    first), or _CTX_MISS; iterative along single-parent chains."""
    c = ctx
    while True:
        kv = c._kv
        if kv is not None and kv[0] is key:
            return kv[1]
        ps = c._parents
        if not ps:
            return _CTX_MISS
        if len(ps) == 2:
            v = _ctx_lookup(ps[0], key)
            if v is not _CTX_MISS:
                return v
            c = ps[1]
        else:
            c = ps[0]


_ctx_bg = _ctx_new(None, _CK_BACKGROUND, (), None, nilchan, -1, _CE_NONE, None)


def ctx_background():
    """background returns the root context: never canceled, no deadline, no
    values; its done() is nilchan."""
    return _ctx_bg


def ctx_with_cancel(parent):
    """with_cancel(parent) -> (ctx, cancel)."""
    p = parent if parent.__class__ is PyContext else _as_ctx(parent)
    return _ctx_born(_c_ctx_with_cancel(p._id), _CK_CANCEL, (p,), p._deadline)


def ctx_with_value(parent, key, value):
    """with_value(parent, key, value) -> ctx: shares parent's done(), err()
    and deadline."""
    p = _as_ctx(parent)
    ps = (p,) if p._kind != _CK_BACKGROUND else ()
    ctx = _ctx_new(p._id, _CK_VALUE, ps, (key, value), p.done(), -1, p._err, p._deadline)
    if ps and _ctx_errc(ctx) == _CE_NONE:
        _ctx_link(ctx, ps)
    return ctx


def ctx_with_deadline(parent, deadline):
    """with_deadline(parent, deadline) -> (ctx, cancel)."""
    p = _as_ctx(parent)
    deadline = _dt(deadline)
    return _ctx_born(_c_ctx_with_deadline(p._id, deadline), _CK_DEADLINE, (p,), _CTX_MISS)


def ctx_with_timeout(parent, timeout):
    """with_timeout(parent, timeout) -> (ctx, cancel): with_deadline(parent,
    now() + timeout)."""
    p = _as_ctx(parent)
    timeout = _dt(timeout)
    return _ctx_born(_c_ctx_with_timeout(p._id, timeout), _CK_DEADLINE, (p,), _CTX_MISS)


def ctx_merge(parent1, parent2):
    """merge(parent1, parent2) -> (ctx, cancel)."""
    p1 = _as_ctx(parent1)
    p2 = _as_ctx(parent2)
    return _ctx_born(_c_ctx_merge(p1._id, p2._id), _CK_CANCEL, (p1, p2), _CTX_MISS)


_c_init(_create_proxy(_resume))
