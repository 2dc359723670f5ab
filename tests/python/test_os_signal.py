# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for golang.os.Signal, golang.syscall, chan(dtype='C.os::Signal')
and golang.os.signal (Notify, Stop, Ignore, Reset) with Pygolang 0.1's rules.

Signals are raised with `signal.raise_signal` (the handler runs in the
calling thread before it returns) or `os.kill`; the tests wait for deliveries
on channels, never by sleeping. What could kill or wedge the test process
(SIGTERM, SIGINT, all signals, a storm) runs in a subprocess under a timeout,
with both runtimes (python: threads; gpython: gevent).
"""

import os
import signal as pysig
import subprocess
import sys
import textwrap

import pytest

from golang import chan, go, select, default
from golang import os as gos, syscall
from golang.os import signal
from golang._os import PySignal, _PySignal_from_int

from _golang_testutil import panics, PYODIDE

# Under Pyodide there are no POSIX signals: golang.os.Signal and
# golang.syscall exist, the golang.os.signal functions raise
# NotImplementedError, and there are no channels of dtype 'C.os::Signal'.
needs_signals = pytest.mark.skipif(PYODIDE, reason="no POSIX signals under Pyodide")

SIG1 = syscall.SIGUSR1
SIG2 = syscall.SIGUSR2

PY = getattr(sys, '_gpy_underlying_executable', sys.executable)
RUNTIMES = {'threads': [PY], 'gevent': [PY, '-m', 'golang.cmd.gpython']}


def run_prog(runtime, code, timeout=120):
    """Runs code in a subprocess under `runtime`; returns the CompletedProcess."""
    env = dict(os.environ, PYTHONUNBUFFERED='1')
    env.pop('PYTHONWARNINGS', None)
    return subprocess.run(RUNTIMES[runtime] + ['-c', textwrap.dedent(code)],
                          capture_output=True, text=True, timeout=timeout, env=env)


@pytest.fixture
def clean_usr():
    """Leaves SIGUSR1/2 as the test found them: untouched by the package and
    SIG_DFL in Python."""
    yield
    signal.Reset(SIG1, SIG2)
    pysig.signal(SIG1.signo, pysig.SIG_DFL)
    pysig.signal(SIG2.signo, pysig.SIG_DFL)


# ---- golang.os.Signal and golang.syscall ----

def test_signal_str_repr_hash_and_equality():
    assert gos.Signal is PySignal
    assert gos.Signal.dtype == "C.os::Signal"
    assert str(syscall.SIGINT) == "Interrupt"
    assert str(syscall.SIGTERM) == "Terminated"
    assert str(SIG1) == "User defined signal 1"
    assert str(syscall.SIGRTMIN) == "signal%d" % pysig.SIGRTMIN
    assert str(_PySignal_from_int(0)) == "signal0"
    assert repr(syscall.SIGINT) == "os.Signal(2)"
    assert hash(syscall.SIGTERM) == pysig.SIGTERM
    assert syscall.SIGINT.signo == 2
    assert syscall.SIGINT == _PySignal_from_int(2)
    assert not (syscall.SIGINT != _PySignal_from_int(2))
    assert syscall.SIGINT != syscall.SIGTERM
    assert syscall.SIGINT != 2 and not (syscall.SIGINT == 2)
    assert {syscall.SIGINT: 1}[_PySignal_from_int(2)] == 1


def test_signal_is_read_only_and_not_built_by_users():
    with pytest.raises(AttributeError):
        syscall.SIGINT.signo = 3
    assert gos.Signal() == _PySignal_from_int(0)    # the zero value, as in Pygolang
    with pytest.raises(TypeError):
        gos.Signal(3)       # (Pygolang ignores the 3; refused here)
    with pytest.raises(TypeError):
        type('Sub', (gos.Signal,), {})


def test_syscall_has_every_SIG_name_of_the_signal_module():
    names = [n for n in dir(pysig) if n.startswith('SIG') and not n.startswith('SIG_')]
    assert 'SIGINT' in names and 'SIGRTMIN' in names
    for n in names:
        sig = getattr(syscall, n)
        assert type(sig) is gos.Signal
        assert sig.signo == int(getattr(pysig, n))
    assert not hasattr(syscall, 'SIG_IGN')
    if hasattr(syscall, 'SIGCLD'):
        assert syscall.SIGCHLD == syscall.SIGCLD    # aliases are equal


# ---- chan(dtype='C.os::Signal') ----

def test_chan_dtype_given_as_an_object_with_dtype():
    assert chan(dtype=type('T', (), {'dtype': 'C.int'})()).dtype == 'C.int'
    for bad in [type('T', (), {'dtype': 'zzz'})(), type('T', (), {})(), 'os.Signal', None,
                chan(1, dtype='C.int')]:
        with pytest.raises(TypeError) as exc:
            chan(1, dtype=bad)
        assert exc.value.args == ("pychan: invalid dtype: %r" % (bad,),)


@needs_signals
def test_chan_of_signals_by_name_or_by_class():
    assert chan(1, dtype=gos.Signal).dtype == 'C.os::Signal'
    assert chan(1, dtype='C.os::Signal').dtype == 'C.os::Signal'


@needs_signals
def test_signal_chan_elements_zero_value_and_nil_repr():
    ch = chan(2, dtype=gos.Signal)
    ch.send(SIG1)
    v = ch.recv()
    assert type(v) is gos.Signal and v == SIG1
    ch.send(SIG2)
    assert ch.recv_() == (SIG2, True)
    for bad in [10, None, 'SIGUSR1', SIG1.signo]:
        with pytest.raises(TypeError) as exc:
            ch.send(bad)
        assert exc.value.args == ("type mismatch: expect os.PySignal; got %r" % (bad,),)
    ch.close()
    assert ch.recv() == _PySignal_from_int(0)
    assert ch.recv_() == (_PySignal_from_int(0), False)
    assert repr(chan.nil('C.os::Signal')) == "chan.nil('C.os::Signal')"
    assert repr(chan.nil(gos.Signal)) == "chan.nil('C.os::Signal')"


@needs_signals
def test_signal_chan_in_select():
    ch = chan(1, dtype=gos.Signal)
    assert select((ch.send, SIG1), default) == (0, None)
    assert select(ch.recv, default) == (0, SIG1)
    assert select(ch.recv_, default) == (1, None)
    with pytest.raises(TypeError):
        select((ch.send, 1))


# ---- argument checks ----

@needs_signals
def test_notify_and_stop_panic_on_a_chan_of_another_dtype_before_checking_signals():
    for ch in [chan(2), chan(2, dtype='C.int'), chan(2, dtype='C.structZ')]:
        with panics("pychan: channel type mismatch"):
            signal.Notify(ch, SIG1)
        with panics("pychan: channel type mismatch"):
            signal.Notify(ch, None)     # the dtype is checked first
        with panics("pychan: channel type mismatch"):
            signal.Stop(ch)


@needs_signals
def test_non_signals_are_a_TypeError():
    ch = chan(1, dtype=gos.Signal)
    for bad in [None, 1, 'SIGUSR1']:
        msg = ("expect os.Signal, got %r" % (bad,),)
        with pytest.raises(TypeError) as exc:
            signal.Notify(ch, SIG1, bad)
        assert exc.value.args == msg
        with pytest.raises(TypeError) as exc:
            signal.Ignore(bad)
        assert exc.value.args == msg
        with pytest.raises(TypeError) as exc:
            signal.Reset(bad)
        assert exc.value.args == msg


@needs_signals
def test_invalid_signal_numbers_panic():
    ch = chan(1, dtype=gos.Signal)
    for signo in [0, -1, 65, 1000]:
        bad = _PySignal_from_int(signo)
        with panics("invalid signal"):
            signal.Notify(ch, bad)
        with panics("invalid signal"):
            signal.Ignore(bad)
        with panics("invalid signal"):
            signal.Reset(bad)


@needs_signals
def test_sigaction_refusing_an_explicit_signal_panics():
    ch = chan(1, dtype=gos.Signal)
    with panics("sigaction failed"):
        signal.Notify(ch, syscall.SIGKILL)
    with panics("sigaction failed"):
        signal.Ignore(syscall.SIGSTOP)
    signal.Stop(ch)     # never subscribed: a no-op


# ---- delivery ----

@needs_signals
def test_notify_delivers_to_thread_goroutines_and_async_goroutines(clean_usr):
    ch = chan(1, dtype=gos.Signal)
    signal.Notify(ch, SIG1)
    os.kill(os.getpid(), SIG1.signo)
    assert ch.recv() == SIG1        # the main thread

    got = chan(1, dtype=gos.Signal)
    def recv_goroutine():           # a thread (a greenlet under gpython)
        got.send(ch.recv())
    go(recv_goroutine)
    os.kill(os.getpid(), SIG1.signo)
    assert got.recv() == SIG1

    async def recv_async():         # a coroutine on the Rust executor
        await got.asend(await ch.arecv())
    go(recv_async)
    os.kill(os.getpid(), SIG1.signo)
    assert got.recv() == SIG1
    signal.Stop(ch)


@needs_signals
def test_subscriptions_add_up(clean_usr):
    ch1 = chan(2, dtype=gos.Signal)
    ch12 = chan(2, dtype=gos.Signal)
    signal.Notify(ch1, SIG1)
    signal.Notify(ch12, SIG1)
    signal.Notify(ch12, SIG2)
    pysig.raise_signal(SIG2.signo)
    assert ch12.recv() == SIG2
    pysig.raise_signal(SIG1.signo)
    assert ch1.recv() == SIG1
    assert ch12.recv() == SIG1
    assert len(ch1) == 0 and len(ch12) == 0     # SIG2 never went to ch1


@needs_signals
def test_a_full_channel_drops_the_signal(clean_usr):
    full = chan(1, dtype=gos.Signal)
    roomy = chan(10, dtype=gos.Signal)
    signal.Notify(full, SIG1)
    signal.Notify(roomy, SIG1)
    pysig.raise_signal(SIG1.signo)
    assert roomy.recv() == SIG1     # this delivery pass filled `full`
    pysig.raise_signal(SIG1.signo)
    assert roomy.recv() == SIG1     # and this one found it full
    assert len(full) == 1
    assert full.recv() == SIG1
    signal.Stop(full)
    signal.Stop(roomy)


@needs_signals
def test_previous_python_handler_is_chained(clean_usr):
    calls = []
    pysig.signal(SIG1.signo, lambda signo, frame: calls.append(signo))
    ch = chan(1, dtype=gos.Signal)
    signal.Notify(ch, SIG1)
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1
    assert calls == [SIG1.signo]    # Python's handler ran too


@needs_signals
def test_stop_delivers_nothing_more_and_restores_the_python_handler(clean_usr):
    calls = []
    pysig.signal(SIG1.signo, lambda signo, frame: calls.append(signo))
    ch = chan(1, dtype=gos.Signal)
    signal.Notify(ch, SIG1)
    signal.Stop(ch)
    signal.Stop(ch)                 # again: a no-op
    pysig.raise_signal(SIG1.signo)
    assert calls == [SIG1.signo]
    # Whatever was caught before Stop was delivered by the time it returned,
    # and nothing is sent after: ch stays empty for good.
    assert len(ch) == 0
    # The Python handler is installed again (not ours): replacing it is no
    # collision for the next Notify.
    pysig.signal(SIG1.signo, pysig.SIG_DFL)
    signal.Notify(ch, SIG1)
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1        # and SIG_DFL did not kill us


@needs_signals
def test_a_thousand_notify_stop_rounds(clean_usr):
    ch = chan(10, dtype=gos.Signal)
    for _ in range(1000):
        signal.Stop(ch)
        signal.Notify(ch, SIG1)
    assert len(ch) == 0
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1
    signal.Stop(ch)


@needs_signals
def test_ignore_silences_and_reset_restores(clean_usr):
    calls = []
    pysig.signal(SIG1.signo, lambda signo, frame: calls.append(signo))
    ch = chan(2, dtype=gos.Signal)
    marker = chan(2, dtype=gos.Signal)
    signal.Notify(ch, SIG1)
    signal.Notify(marker, SIG2)
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1 and calls == [SIG1.signo]

    signal.Ignore(SIG1)
    pysig.raise_signal(SIG1.signo)
    pysig.raise_signal(SIG2.signo)
    assert marker.recv() == SIG2    # the pass that would have carried SIG1
    assert len(ch) == 0
    assert calls == [SIG1.signo]    # the previous handler is not called either

    signal.Reset(SIG1)
    pysig.raise_signal(SIG1.signo)
    assert calls == [SIG1.signo] * 2    # Python's handler is back
    pysig.raise_signal(SIG2.signo)
    assert marker.recv() == SIG2
    assert len(ch) == 0             # Reset dropped the subscribers

    signal.Notify(ch, SIG1)         # Notify after Ignore and Reset works
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1
    signal.Reset(SIG2)
    signal.Reset(SIG2)              # a second Reset is a no-op
    signal.Reset(syscall.SIGWINCH)  # never touched: a no-op


@needs_signals
def test_replacing_the_handler_while_notified_is_a_collision(clean_usr):
    ch = chan(1, dtype=gos.Signal)
    signal.Notify(ch, SIG1)
    pysig.signal(SIG1.signo, lambda signo, frame: None)
    msg = "collision detected wrt thirdparty sigaction usage"
    with panics(msg):
        signal.Notify(ch, SIG1)
    with panics(msg):
        signal.Reset(SIG1)
    # After Reset, a third party may change the handler: the next Notify
    # takes it as the previous one.
    calls = []
    pysig.signal(SIG1.signo, lambda signo, frame: calls.append(signo))
    signal.Notify(ch, SIG1)
    pysig.raise_signal(SIG1.signo)
    assert ch.recv() == SIG1 and calls == [SIG1.signo]
    pysig.signal(SIG1.signo, pysig.SIG_DFL)
    with panics(msg):
        signal.Stop(ch)


# ---- what could end the process: in subprocesses, under both runtimes ----

@needs_signals
@pytest.mark.parametrize('runtime', sorted(RUNTIMES))
def test_notify_keeps_sigterm_from_killing_and_stop_gives_it_back(runtime):
    r = run_prog(runtime, """
        import os
        from golang import chan, os as gos, syscall
        from golang.os import signal
        ch = chan(1, dtype=gos.Signal)
        signal.Notify(ch, syscall.SIGTERM)
        os.kill(os.getpid(), syscall.SIGTERM.signo)
        assert ch.recv() == syscall.SIGTERM
        print("survived", flush=True)
        signal.Stop(ch)
        os.kill(os.getpid(), syscall.SIGTERM.signo)
        print("not killed")
    """)
    assert r.stdout == "survived\n", r.stderr
    assert r.returncode == -pysig.SIGTERM


@needs_signals
@pytest.mark.parametrize('runtime', sorted(RUNTIMES))
def test_keyboard_interrupt_only_while_no_sigint_subscriber(runtime):
    r = run_prog(runtime, """
        import signal as pysig
        from golang import chan, os as gos, syscall
        from golang.os import signal

        def interrupted():
            try:
                pysig.raise_signal(pysig.SIGINT)
            except KeyboardInterrupt:
                return True
            return False

        assert pysig.default_int_handler is pysig.getsignal(pysig.SIGINT)
        assert interrupted()
        ch1 = chan(2, dtype=gos.Signal)
        ch2 = chan(2, dtype=gos.Signal)
        signal.Notify(ch1, syscall.SIGINT)
        assert not interrupted()
        assert ch1.recv() == syscall.SIGINT
        signal.Notify(ch2, syscall.SIGINT)
        assert not interrupted()
        assert ch1.recv() == syscall.SIGINT and ch2.recv() == syscall.SIGINT
        signal.Stop(ch1)
        assert not interrupted()    # ch2 is still subscribed
        assert ch2.recv() == syscall.SIGINT
        signal.Stop(ch2)
        assert interrupted()        # after the last Stop
        signal.Ignore(syscall.SIGINT)
        assert not interrupted()
        signal.Reset(syscall.SIGINT)
        assert interrupted()
        signal.Notify(ch1)          # all signals: SIGINT included
        assert not interrupted()
        assert ch1.recv() == syscall.SIGINT
        signal.Reset()
        assert interrupted()
        print("ok")
    """)
    assert r.stdout == "ok\n", r.stderr
    assert r.returncode == 0


@needs_signals
def test_sigint_handler_is_left_alone_when_not_python_default():
    r = run_prog('threads', """
        import signal as pysig
        def mine(signo, frame): pass
        pysig.signal(pysig.SIGINT, mine)
        orig_default = pysig.default_int_handler
        import golang.os.signal
        assert pysig.getsignal(pysig.SIGINT) is mine
        assert pysig.default_int_handler is orig_default
        print("ok")
    """)
    assert r.stdout == "ok\n", r.stderr


@needs_signals
@pytest.mark.parametrize('runtime', sorted(RUNTIMES))
def test_notify_ignore_reset_all_signals(runtime):
    r = run_prog(runtime, """
        import signal as pysig
        from golang import chan, os as gos, syscall
        from golang.os import signal
        # the catchable signals that raise_signal can deliver and get back
        # (faults and the ones sigaction refuses are left out)
        skip = {'SIGKILL', 'SIGSTOP', 'SIGSEGV', 'SIGBUS', 'SIGFPE', 'SIGILL', 'SIGABRT'}
        sigs = sorted({getattr(syscall, n) for n in dir(syscall)
                       if n.startswith('SIG') and '_' not in n and n not in skip},
                      key=lambda s: s.signo)
        ch = chan(10, dtype=gos.Signal)
        signal.Notify(ch)
        for sig in sigs:
            pysig.raise_signal(sig.signo)
            got = ch.recv()
            assert got == sig, (got, sig)
        print("notify ok", flush=True)
        marker = chan(1, dtype=gos.Signal)
        signal.Ignore()
        for sig in sigs:
            pysig.raise_signal(sig.signo)
        signal.Notify(marker, syscall.SIGUSR1)
        pysig.raise_signal(syscall.SIGUSR1.signo)
        assert marker.recv() == syscall.SIGUSR1
        assert len(ch) == 0
        print("ignore ok", flush=True)
        signal.Reset()
        print("terminating", flush=True)
        pysig.raise_signal(syscall.SIGTERM.signo)
        print("not terminated")
    """)
    assert r.stdout == "notify ok\nignore ok\nterminating\n", r.stderr
    assert r.returncode == -pysig.SIGTERM


@needs_signals
def test_forked_child_can_stop_and_notify():
    # The child has no delivery thread of its parent's: Stop must not wait
    # for one, and its own Notify starts one.
    r = run_prog('threads', """
        import os, signal as pysig
        from golang import chan, os as gos, syscall
        from golang.os import signal
        ch = chan(1, dtype=gos.Signal)
        signal.Notify(ch, syscall.SIGUSR1)
        pid = os.fork()
        if pid == 0:
            signal.Stop(ch)
            ch2 = chan(1, dtype=gos.Signal)
            signal.Notify(ch2, syscall.SIGUSR2)
            pysig.raise_signal(pysig.SIGUSR2)
            assert ch2.recv() == syscall.SIGUSR2
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        assert status == 0, status
        pysig.raise_signal(pysig.SIGUSR1)
        assert ch.recv() == syscall.SIGUSR1
        print("ok")
    """, timeout=60)
    assert r.stdout == "ok\n", r.stderr


@needs_signals
def test_closing_every_descriptor_does_not_wedge_stop():
    # A program that closes all its descriptors closes the wake-up pipe too:
    # Stop must not wait for the delivery thread then, and the next Notify
    # starts a new one.
    r = run_prog('threads', """
        import os, signal as pysig
        from golang import chan, os as gos, syscall
        from golang.os import signal
        ch = chan(1, dtype=gos.Signal)
        signal.Notify(ch, syscall.SIGUSR1)
        os.closerange(3, 65536)
        signal.Stop(ch)
        signal.Notify(ch, syscall.SIGUSR1)
        pysig.raise_signal(pysig.SIGUSR1)
        assert ch.recv() == syscall.SIGUSR1
        signal.Stop(ch)
        print("ok")
    """, timeout=60)
    assert r.stdout == "ok\n", r.stderr


@needs_signals
@pytest.mark.parametrize('runtime', sorted(RUNTIMES))
def test_signal_storm_during_channel_traffic(runtime):
    # Thousands of SIGUSR1 from another process and from a thread while
    # goroutines pass values around: the process lives, nothing hangs, every
    # value arrives once, and the Python handler and the channel both see
    # the signal.
    r = run_prog(runtime, """
        import os, signal as pysig, subprocess, sys, threading
        from golang import chan, go, os as gos, syscall
        from golang.os import signal

        calls = [0]
        def handler(signo, frame):
            calls[0] += 1
        pysig.signal(pysig.SIGUSR1, handler)
        sigch = chan(1, dtype=gos.Signal)
        signal.Notify(sigch, syscall.SIGUSR1)

        N = 20000
        pipe, out = chan(), chan()
        def producer():
            for i in range(N):
                pipe.send(i)
            pipe.close()
        def consumer():
            total = 0
            while True:
                v, ok = pipe.recv_()
                if not ok:
                    break
                total += v
            out.send(total)
        go(producer)
        go(consumer)
        async def relay():          # async goroutines keep running too
            for i in range(1000):
                await out2.asend(i)
        out2 = chan(10)
        go(relay)

        killer = subprocess.Popen([sys.executable, '-c',
            'import os, sys\\npid = int(sys.argv[1])\\n'
            'for _ in range(5000): os.kill(pid, %d)' % pysig.SIGUSR1, str(os.getpid())])
        def selfkill():
            for _ in range(3000):
                os.kill(os.getpid(), pysig.SIGUSR1)
        t = threading.Thread(target=selfkill)
        t.start()

        assert sum(out2.recv() for _ in range(1000)) == sum(range(1000))
        assert out.recv() == N * (N - 1) // 2
        assert killer.wait() == 0
        t.join()
        # every caught signal is delivered (or dropped) once Stop returns
        signal.Stop(sigch)
        assert len(sigch) == 1 and sigch.recv() == syscall.SIGUSR1
        assert calls[0] > 0
        print("ok", flush=True)
    """, timeout=300)
    assert r.stdout == "ok\n", r.stderr
    assert r.returncode == 0


# ---- what exists under Pyodide (no POSIX signals there) ----

def _load_copy(name, path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_pyodide_signal_class_is_pure_python_with_the_same_behaviour(monkeypatch):
    # A core without PySignal (the WebAssembly one): golang._os falls back to
    # its own class. Loaded as a copy, so the real golang._os is untouched.
    import types, golang, golang._os
    monkeypatch.setattr(golang, '_golang', types.ModuleType('core_without_signals'))
    o = _load_copy('_os_pyodide_copy', golang._os.__file__)
    assert o.PySignal is not PySignal
    s2, s15 = o._PySignal_from_int(2), o._PySignal_from_int(15)
    assert o.PySignal.dtype == "C.os::Signal"
    assert (str(s2), repr(s2), hash(s2), s2.signo) == ("Interrupt", "os.Signal(2)", 2, 2)
    assert str(o._PySignal_from_int(pysig.SIGRTMIN)) == "signal%d" % pysig.SIGRTMIN
    assert str(s15) == "Terminated"
    assert s2 == o._PySignal_from_int(2) and s2 != s15 and s2 != 2
    with pytest.raises(AttributeError):
        s2.signo = 3
    assert o.PySignal() == o._PySignal_from_int(0)
    with pytest.raises(TypeError):
        o.PySignal(2)
    with pytest.raises(TypeError):
        type('Sub', (o.PySignal,), {})


def test_pyodide_signal_functions_raise_a_clear_error(monkeypatch):
    import golang.os._signal as real
    monkeypatch.setattr(sys, 'platform', 'emscripten')
    monkeypatch.setattr(pysig, 'signal', None)     # must not be touched there
    s = _load_copy('_signal_pyodide_copy', real.__file__)
    for call in [lambda: s.PyNotify(chan(1), SIG1), lambda: s.PyStop(chan(1)),
                 lambda: s.PyIgnore(), lambda: s.PyReset(SIG1)]:
        with pytest.raises(NotImplementedError) as exc:
            call()
        assert exc.value.args == ("golang.os.signal: there are no POSIX signals under Pyodide",)


@pytest.mark.skipif(not PYODIDE, reason="Pyodide only")
def test_under_pyodide_signal_functions_raise_and_signal_chans_do_not_exist():
    for call in [lambda: signal.Notify(chan(1), SIG1), lambda: signal.Stop(chan(1)),
                 lambda: signal.Ignore(), lambda: signal.Reset(SIG1)]:
        with pytest.raises(NotImplementedError):
            call()
    with pytest.raises(TypeError):
        chan(1, dtype=gos.Signal)
