# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for the gpython command (golang.cmd.gpython).

Most tests run ``python -m golang.cmd.gpython ...`` in a subprocess, with the
threads runtime, and compare what the program sees with what a plain
``python`` run of the same program sees. The gevent runtime is gated off for
now (see golang.cmd.gpython); its start-up is tested on a copy of gpython.py
with the gate open and a fake gevent package, which records when it patched.
"""

from __future__ import print_function, absolute_import

import os
import re
import stat
import subprocess
import sys
import textwrap
import zipfile

import pytest

import golang
from golang.cmd import gpython

# The interpreter itself, also when this suite runs under gpython (whose
# sys.executable is the gpython command).
PY = getattr(sys, '_gpy_underlying_executable', sys.executable)
# The interpreter's own version string (without gpython's tags).
PYVERSION = sys.version.split(' [GPython ')[0]
GPY_M = [PY, '-m', 'golang.cmd.gpython']
SCRIPT = os.path.join(os.path.dirname(PY), 'gpython')
GPY_FILE = gpython._this_file()
PYDIR = os.path.dirname(os.path.dirname(os.path.dirname(GPY_FILE)))
VER = golang.__version__


def mkenv(runtime='threads', **kw):
    env = dict(os.environ)
    for k in ('GPYTHON_RUNTIME', 'PYTHONSTARTUP', 'PYTHONINSPECT', 'PYTEST_ADDOPTS',
              'PYTHONWARNINGS', 'PYTHONUTF8'):
        env.pop(k, None)
    env['PYTHONPATH'] = os.pathsep.join([PYDIR] + [x for x in [env.get('PYTHONPATH')] if x])
    if runtime:
        env['GPYTHON_RUNTIME'] = runtime
    for k, v in kw.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def run(cmd, args, stdin=b'', cwd=None, env=None, runtime='threads'):
    """run runs cmd + args and returns (returncode, stdout, stderr) as text."""
    p = subprocess.run(list(cmd) + list(args), input=stdin, cwd=None if cwd is None else str(cwd),
                       env=env if env is not None else mkenv(runtime),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def gpy(args, **kw):
    return run(GPY_M, args, **kw)


def py(args, **kw):
    return run([PY], args, **kw)


def out_ok(r):
    rc, out, err = r
    assert rc == 0, (out, err)
    return out


def write(path, text):
    path.write_text(textwrap.dedent(text), encoding='utf-8')
    return path


# PROBE prints what a program sees of how it was started.
PROBE = '''\
import sys
g = dict(globals())
print('name', __name__)
print('argv', sys.argv)
print('path0', repr(sys.path[0]))
print('syspath', sys.path[1:])
print('file', g.get('__file__'), g.get('__cached__'))
print('loader', type(g.get('__loader__')).__name__, getattr(g.get('__loader__'), '__name__', ''))
print('spec', getattr(g.get('__spec__'), 'name', None), repr(g.get('__package__')))
print('doc', repr(g.get('__doc__')))
print('globals', sorted(g))
print('main', sys.modules['__main__'].__dict__ is globals())
'''


@pytest.fixture
def progdir(tmp_path):
    d = tmp_path / 'real'
    d.mkdir()
    write(d / 'probe.py', PROBE)
    pkg = d / 'pkg'
    pkg.mkdir()
    write(pkg / '__init__.py', '')
    write(pkg / '__main__.py', PROBE)
    write(d / 'boom.py', '''\
        def f():
            1/0
        f()
        ''')
    os.symlink(str(d), str(tmp_path / 'link'))
    return tmp_path


# ---- running programs like python ----

def test_file_runs_as_main_like_python(progdir):
    for cwd, script in [(progdir / 'real', 'probe.py'), (progdir, 'link/probe.py'),
                        (progdir, str(progdir / 'real' / 'probe.py'))]:
        args = [script, 'a', 'b c']
        want = out_ok(py(args, cwd=cwd))
        assert "argv ['%s', 'a', 'b c']" % script in want
        assert out_ok(gpy(args, cwd=cwd)) == want


def test_c_runs_command_like_python(progdir):
    args = ['-c', PROBE, 'a', '-b']
    want = out_ok(py(args, cwd=progdir))
    assert "argv ['-c', 'a', '-b']" in want and "path0 ''" in want
    assert out_ok(gpy(args, cwd=progdir)) == want
    # the command may be glued to -c
    assert out_ok(gpy(['-c' + PROBE, 'a', '-b'], cwd=progdir)) == want


def test_m_runs_module_like_python(progdir):
    for mod in ('probe', 'pkg'):
        args = ['-m', mod, 'x', '-y']
        want = out_ok(py(args, cwd=progdir / 'link'))
        assert 'name __main__' in want
        assert out_ok(gpy(args, cwd=progdir / 'link')) == want
        assert out_ok(gpy(['-m' + mod, 'x', '-y'], cwd=progdir / 'link')) == want


def test_directory_and_zip_with_main_run_like_python(progdir):
    z = progdir / 'app.zip'
    with zipfile.ZipFile(str(z), 'w') as f:
        f.writestr('__main__.py', PROBE)
    for target in ('real/pkg', './real/pkg/', 'app.zip'):
        args = [target, 'q']
        want = out_ok(py(args, cwd=progdir))
        assert out_ok(gpy(args, cwd=progdir)) == want


def test_stdin_program_runs_like_python(progdir):
    for args in ([], ['-'], ['-', 'zzz', '-q']):
        want = out_ok(py(args, stdin=PROBE.encode(), cwd=progdir))
        assert out_ok(gpy(args, stdin=PROBE.encode(), cwd=progdir)) == want


def test_options_end_at_double_dash(progdir):
    write(progdir / '-dash.py', 'import sys; print(sys.argv)\n')
    assert out_ok(gpy(['--', '-dash.py', '-c'], cwd=progdir)) == "['-dash.py', '-c']\n"


def test_exception_prints_python_traceback_and_exits_1(progdir):
    for args, cwd in [(['-c', 'def f():\n  1/0\nf()'], progdir),
                      (['boom.py'], progdir / 'real'),
                      (['-m', 'boom'], progdir / 'real'),
                      ([], progdir / 'real')]:
        stdin = b'def f():\n  1/0\nf()\n' if not args else b''
        rc, out, err = gpy(args, cwd=cwd, stdin=stdin)
        assert rc == 1
        assert 'ZeroDivisionError' in err and 'gpython' not in err
        assert (rc, out, err) == py(args, cwd=cwd, stdin=stdin)


def test_syntax_error_is_reported_like_python(progdir):
    write(progdir / 'bad.py', 'x = (\n')
    for args in (['bad.py'], ['-c', 'def']):
        r = gpy(args, cwd=progdir)
        assert r[0] == 1 and 'SyntaxError' in r[2]
        assert r == py(args, cwd=progdir)


def test_systemexit_code_propagates():
    assert gpy(['-c', 'raise SystemExit(3)']) == (3, '', '')
    assert gpy(['-c', 'import sys; sys.exit("bye")']) == (1, '', 'bye\n')
    assert gpy(['-c', 'import sys; print("x"); sys.exit()']) == (0, 'x\n', '')


def test_keyboard_interrupt_ends_process_like_python():
    args = ['-c', 'import atexit; atexit.register(print, "atexit ran"); raise KeyboardInterrupt']
    rc, out, err = gpy(args)
    assert 'KeyboardInterrupt' in err and out == 'atexit ran\n'
    assert rc == py(args)[0] != 0


def test_missing_file_and_module_fail_like_python(progdir):
    rc, out, err = gpy(['nosuch.py'], cwd=progdir)
    assert rc == 2
    assert err.endswith(": can't open file %r: [Errno 2] No such file or directory\n"
                        % str(progdir / 'nosuch.py'))
    rc, out, err = gpy(['-m', 'nosuchmod'], cwd=progdir)
    assert rc == 1 and err.endswith(': No module named nosuchmod\n')


def test_i_inspects_after_program_like_python(progdir):
    for args, stdin in [(['-i', '-c', 'x = 21'], b'print(x * 2)\n'),
                        (['-i', 'real/probe.py'], b'print(len(g))\n'),
                        (['-i', '-m', 'probe'], b'print(__name__, __file__)\n'),
                        (['-i', '-c', 'x = 1; 1/0'], b'print(x + 1)\n')]:
        cwd = progdir / 'real' if '-m' in args else progdir
        rc, out, err = gpy(args, stdin=stdin, cwd=cwd)
        prc, pout, perr = py(args, stdin=stdin, cwd=cwd)
        assert (rc, out) == (prc, pout)
        assert '>>> ' in err        # prompts go to stderr when stdin is no tty
    rc, out, err = gpy(['-i', '-c', 'x = 1; 1/0'], stdin=b'print(x + 1)\n')
    assert out == '2\n' and 'ZeroDivisionError' in err


def test_i_without_program_reads_stdin_interactively():
    rc, out, err = gpy(['-i'], stdin=b'1 + 1\nprint(go is __import__("golang").go)\n')
    assert (rc, out) == (0, '2\nTrue\n')
    assert 'Type "help"' in err and '[GPython %s] [threads]' % VER in err
    rc, out, err = gpy(['-i', '-q'], stdin=b'x = 5\nx\n')
    assert (rc, out) == (0, '5\n') and 'Type "help"' not in err


def test_pythonstartup_runs_before_prompt(tmp_path):
    startup = write(tmp_path / 'startup.py', 'started = 42\n')
    env = mkenv(PYTHONSTARTUP=str(startup))
    rc, out, err = run(GPY_M, ['-i'], stdin=b'print(started)\n', env=env)
    assert (rc, out) == (0, '42\n')
    # not for programs, as python
    rc, out, err = run(GPY_M, ['-c', 'print("started" in globals())'], env=env)
    assert out == 'False\n'


@pytest.mark.skipif(os.name != 'posix', reason='needs a pty')
def test_prompt_on_terminal_is_pythons_repl_with_gpython_banner():
    import pty
    import select
    import time
    m, s = pty.openpty()
    p = subprocess.Popen(GPY_M, stdin=s, stdout=s, stderr=s, env=mkenv(TERM='dumb'), close_fds=True)
    os.close(s)
    try:
        os.write(m, b'import sys; print("ok", go is __import__("golang").go, sys.argv)\n')
        os.write(m, b'exit(7)\n')
        buf = b''
        deadline = time.time() + 20
        while time.time() < deadline:
            r, _, _ = select.select([m], [], [], 0.2)
            if r:
                try:
                    d = os.read(m, 4096)
                except OSError:
                    break
                if not d:
                    break
                buf += d
            elif p.poll() is not None:
                break
        assert p.wait(timeout=20) == 7
    finally:
        if p.poll() is None:
            p.kill()
        os.close(m)
    text = buf.decode('utf-8', 'replace')
    assert 'Python %s [GPython %s] [threads] on %s' % (PYVERSION, VER, sys.platform) in text
    assert 'Type "help", "copyright", "credits" or "license" for more information.' in text
    assert '>>> ' in text
    assert "ok True ['']" in text


# ---- what gpython adds ----

def test_builtins_hold_golang_all():
    prog = textwrap.dedent('''\
        import builtins, golang
        print(sorted(golang.__all__))
        print(all(getattr(builtins, k) is getattr(golang, k) for k in golang.__all__))
        ch = chan(1)
        go(ch.send, 5)
        print(ch.recv())
        ''')
    out = out_ok(gpy(['-c', prog]))
    assert out == '%s\nTrue\n5\n' % sorted(golang.__all__)
    assert set(golang.__all__) >= {'go', 'chan', 'select', 'default', 'nilchan', 'defer',
                                   'panic', 'recover', 'func', 'gimport'}


def test_goroutines_channels_and_select_work_with_threads_runtime():
    prog = textwrap.dedent('''\
        import time
        ch, done = chan(), chan()
        def worker():
            for i in range(3):
                ch.send(i)
            done.close()
        go(worker)
        got = []
        while True:
            i, v = select(ch.recv, done.recv)
            if i == 1:
                break
            got.append(v)
        @func
        def f():
            defer(lambda: got.append('deferred'))
        f()
        print(got)
        ''')
    assert out_ok(gpy(['-c', prog])) == "[0, 1, 2, 'deferred']\n"


def test_sys_version_tagged_with_gpython_and_threads():
    out = out_ok(gpy(['-c', 'import sys; print(sys.version); print("gevent" in sys.modules)']))
    ver, gev = out.splitlines()
    assert ver == PYVERSION + ' [GPython %s] [threads]' % VER
    assert gev == 'False'       # the threads runtime never imports gevent


def test_runtime_is_in_sys_xoptions():
    prog = 'import sys; print(sorted(sys._xoptions.items()))'
    assert out_ok(gpy(['-c', prog])) == "[('gpython.runtime', 'threads'), ('utf8', True)]\n"


def test_utf8_is_the_default_encoding(tmp_path):
    prog = textwrap.dedent('''\
        import locale, sys
        print(sys.flags.utf8_mode, locale.getpreferredencoding(False).lower(), sys.getdefaultencoding(),
              sys.stdout.encoding, sys.getfilesystemencoding())
        with open('f.txt', 'w') as f:
            f.write('\\u00e9\\u4e16')
        with open('f.txt', 'rb') as f:
            print(f.read() == '\\u00e9\\u4e16'.encode('utf-8'))
        print('\\u00e9')
        ''')
    env = mkenv(LC_ALL='C', LANG='C', PYTHONUTF8='0', PYTHONIOENCODING=None)
    # plain python is not in UTF-8 mode there
    rc, out, err = run([PY], ['-c', 'import sys; print(sys.flags.utf8_mode)'], env=env)
    assert out == '0\n'
    rc, out, err = run(GPY_M, ['-c', prog], env=env, cwd=tmp_path)
    assert rc == 0, err
    assert out == '1 utf-8 utf-8 utf-8 utf-8\nTrue\n\u00e9\n'


def test_explicit_X_utf8_0_is_honoured():
    assert out_ok(gpy(['-X', 'utf8=0', '-c', 'import sys; print(sys.flags.utf8_mode)'])) == '0\n'


def test_interpreter_options_pass_through():
    prog = ('import sys; f = sys.flags; print(f.optimize, __debug__, f.dont_write_bytecode, '
            'f.no_user_site, f.ignore_environment, f.dev_mode, sys.warnoptions, sys.argv)')
    out = out_ok(gpy(['-O', '-B', '-s', '-E', '-X', 'dev', '-W', 'error', '-c', prog, 'a']))
    assert out == "1 False 1 1 1 True ['default', 'error'] ['-c', 'a']\n"
    # grouped, with the argument glued to the last one
    out = out_ok(gpy(['-OOBWignore', '-uqc', prog]))
    assert out == "2 False 1 0 0 False ['ignore'] ['-c']\n"
    # -W acts before the program runs, as in python
    rc, out, err = gpy(['-W', 'error::UserWarning', '-c', 'import warnings; warnings.warn("w")'])
    assert rc == 1 and 'UserWarning: w' in err


def test_orig_argv_is_gpython_command_line():
    args = ['-O', '-c', 'import sys; print(sys.orig_argv[1:])', 'x']
    assert out_ok(gpy(args)) == '%r\n' % (args,)


def test_unknown_option_exits_2():
    for args in (['-S', '-c', 'pass'], ['--foo'], ['-X', 'gpython.foo=1', '-c', 'pass'],
                 ['-Oxc', 'pass']):
        rc, out, err = gpy(args)
        assert rc == 2 and out == '' and 'unknown option' in err, args


def test_missing_option_argument_exits_2():
    for opt in ('-c', '-m', '-W', '-X'):
        rc, out, err = gpy([opt])
        assert rc == 2 and 'argument expected for the %s option' % opt in err


def test_version_prints_gpython_runtime_and_python():
    import platform
    want = 'GPython %s [threads] / CPython %s\n' % (VER, platform.python_version())
    assert gpy(['-V']) == (0, want, '')
    assert gpy(['--version']) == (0, want, '')
    rc, out, err = gpy(['-VV'])
    assert out == 'GPython %s [threads] / Python %s\n' % (VER, PYVERSION)
    rc, out, err = gpy(['-V'], runtime='gevent')    # informative: not gated
    assert rc == 0 and out.startswith('GPython %s [gevent ' % VER)


def test_help_prints_usage():
    for opt in ('-h', '--help', '-?'):
        rc, out, err = gpy([opt, '-c', 'print("not run")'])
        assert rc == 0 and out.startswith('usage: gpython ') and 'not run' not in out
        assert 'gpython.runtime=gevent|threads' in out


# ---- runtime selection ----

def test_gevent_runtime_is_the_default_and_patches_the_standard_library():
    prog = ('import sys, socket, threading, time\n'
            'from gevent import monkey\n'
            'print(sys.version.split("[GPython")[1].split("] [")[1])\n'
            'print(all(monkey.is_module_patched(m) for m in ("socket", "threading", "time")))\n'
            'c = chan(); go(c.send, 42); print(c.recv())\n')
    for env in (mkenv(None), mkenv('gevent')):
        rc, out, err = run(GPY_M, ['-c', prog], env=env)
        assert (rc, err) == (0, ''), err
        lines = out.splitlines()
        assert lines[0].startswith('gevent ') and lines[0].endswith(']')
        assert lines[1:] == ['True', '42']
    assert gpython._gevent_runtime_supported() is True


def test_gevent_runtime_runs_ten_thousand_goroutines_blocked_on_chans_and_sockets_in_one_os_thread():
    prog = (
        'import threading, socket\n'
        'n = 10000\n'
        'done = chan(n)\n'
        'chans = [chan() for _ in range(n)]\n'
        'def onchan(c):\n'
        '    done.send(c.recv())\n'
        'for c in chans:\n'
        '    go(onchan, c)\n'
        'pairs = [socket.socketpair() for _ in range(200)]\n'
        'def onsock(s):\n'
        '    done.send(len(s.recv(16)))\n'
        'for a, b in pairs:\n'
        '    go(onsock, b)\n'
        'import golang._golang_test as t\n'
        'for c in chans[:1]:\n'
        '    t.pywaitBlocked(c.recv)\n'
        'print(threading.active_count(), len(threading.enumerate()))\n'
        'for i, c in enumerate(chans):\n'
        '    c.send(1)\n'
        'for a, b in pairs:\n'
        '    a.send(b"xy")\n'
        'print(sum(done.recv() for _ in range(n + len(pairs))))\n')
    rc, out, err = run(GPY_M, ['-c', prog], env=mkenv('gevent'))
    assert (rc, err) == (0, ''), err
    nthreads, total = out.splitlines()
    assert nthreads.split()[0] == '1'         # one OS thread
    assert total == str(10000 + 2 * 200)


def test_runtime_option_wins_over_environment():
    args = ['-X', 'gpython.runtime=threads', '-c', 'import sys; print(sys.version[-9:])']
    assert run(GPY_M, args, env=mkenv('gevent')) == (0, '[threads]\n', '')
    assert run(GPY_M, args[2:], env=mkenv('threads')) == (0, '[threads]\n', '')


def test_invalid_runtime_exits_2():
    rc, out, err = gpy(['-X', 'gpython.runtime=fibers', '-c', 'pass'])
    assert rc == 2 and "invalid runtime 'fibers'" in err
    rc, out, err = gpy(['-c', 'pass'], runtime='fibers')
    assert rc == 2 and "invalid runtime 'fibers' in $GPYTHON_RUNTIME" in err


# ---- sys.executable and the ways to start gpython ----

def test_executable_is_the_console_script(tmp_path):
    # what pip generates for the console script
    script = tmp_path / 'bin' / 'gpython'
    script.parent.mkdir()
    script.write_text('#!%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n'
                      'from golang.cmd.gpython import main\n'
                      "if __name__ == '__main__':\n"
                      "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                      '    sys.exit(main())\n' % PY)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    prog = textwrap.dedent('''\
        import subprocess, sys
        print(sys.executable)
        print(sys._gpy_underlying_executable)
        r = subprocess.run([sys.executable, '-c', 'import sys; print(sys.version)'],
                           stdout=subprocess.PIPE, universal_newlines=True)
        print(r.stdout.strip().endswith('[threads]'))
        ''')
    out = out_ok(run([str(script)], ['-c', prog]))
    assert out == '%s\n%s\nTrue\n' % (script, PY)


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason='gpython console script not installed')
def test_installed_console_script_runs():
    out = out_ok(run([SCRIPT], ['-c', 'import sys; print(sys.executable); print(sys.version)']))
    assert out == '%s\n%s [GPython %s] [threads]\n' % (SCRIPT, PYVERSION, VER)


def test_executable_under_python_m():
    want = SCRIPT if os.path.isfile(SCRIPT) else PY
    assert out_ok(gpy(['-c', 'import sys; print(sys.executable)'])) == want + '\n'


def test_running_gpython_py_with_python_launches_gpython():
    out = out_ok(run([PY, GPY_FILE], ['-c', 'import sys; print(sys.argv, sys.version[-9:], chan)', 'a']))
    assert out == "['-c', 'a'] [threads] %s\n" % golang.chan


# ---- command-line parsing ----

def test_parse_follows_python_rules():
    c = gpython._parse(['-iOu', '-Wd', '-X', 'gpython.runtime=threads', '-Xutf8', '-cprint(1)', '-x', 'y'])
    assert (c.kind, c.target, c.argv) == ('c', 'print(1)', ['-c', '-x', 'y'])
    assert c.interp == ['-i', '-O', '-u', '-W', 'd', '-X', 'utf8']
    assert (c.runtime, c.inspect, c.utf8) == ('threads', True, True)
    c = gpython._parse(['-m', 'mod', '-c', 'z'])
    assert (c.kind, c.target, c.argv) == ('m', 'mod', ['-m', '-c', 'z'])
    c = gpython._parse(['f.py', '-O'])
    assert (c.kind, c.target, c.argv, c.interp) == ('file', 'f.py', ['f.py', '-O'], [])
    c = gpython._parse(['-q'])
    assert (c.kind, c.argv) == (None, [''])
    c = gpython._parse(['-', 'a'])
    assert (c.kind, c.argv) == (None, ['-', 'a'])
    c = gpython._parse(['-VV'])
    assert c.version == 2


def test_resolve_runtime_option_env_default():
    c = gpython._parse([])
    assert gpython._resolve_runtime(c, {}) == 'gevent'
    assert gpython._resolve_runtime(c, {'GPYTHON_RUNTIME': 'threads'}) == 'threads'
    c = gpython._parse(['-X', 'gpython.runtime=gevent'])
    assert gpython._resolve_runtime(c, {'GPYTHON_RUNTIME': 'threads'}) == 'gevent'


# ---- the gevent runtime's start-up, with a fake gevent ----

def test_preimport_check_refuses_modules_gevent_must_patch():
    for mod in ('socket', 'threading', 'select', 'ssl', 'subprocess', 'golang', 'pkg_resources'):
        with pytest.raises(gpython._StartupError) as e:
            gpython._check_not_preimported({'sys': sys, 'os': os, mod: object()})
        assert e.value.code == 2
        assert 'imported before gpython: %s.' % mod in str(e.value)
    with pytest.raises(gpython._StartupError) as e:
        gpython._check_not_preimported({'threading': 1, 'socket': 2})
    assert 'socket, threading' in str(e.value)
    gpython._check_not_preimported({'sys': sys, 'os': os, 'time': 1, '_thread': 1})
    assert 'time' in gpython._must_be_patched_first((3, 7, 9), pypy=False)
    assert 'time' not in gpython._must_be_patched_first((3, 9, 0), pypy=False)


def test_missing_gevent_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gevent', None)
    with pytest.raises(gpython._StartupError) as e:
        gpython._import_gevent()
    assert e.value.code == 2
    assert 'pip install pygolang-rs[gpython]' in str(e.value)


FAKE_GEVENT = {
    'gevent/__init__.py': "__version__ = '9.9.9-fake'\n",
    'gevent/monkey.py': textwrap.dedent('''\
        import sys
        calls = []
        def patch_all(**kw):
            calls.append(sorted(m for m in ('golang', 'socket', 'threading', 'subprocess')
                                if m in sys.modules))
            return RESULT
        RESULT = True
        '''),
}


@pytest.fixture
def gate_open(tmp_path):
    """gate_open returns a runner of a copy of gpython.py whose gevent gate
    is open, with a fake gevent first in sys.path."""
    src = open(GPY_FILE, encoding='utf-8').read()
    assert src.count('return True  # gevent-runtime-gate') == 1
    boot = tmp_path / 'boot' / 'gpython.py'
    boot.parent.mkdir()
    boot.write_text(src, encoding='utf-8')
    fake = tmp_path / 'fake'
    for name, text in FAKE_GEVENT.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text, encoding='utf-8')

    def runboot(args, files=None):
        for name, text in (files or {}).items():
            (fake / name).write_text(text, encoding='utf-8')
        env = mkenv(None)
        env['PYTHONPATH'] = os.pathsep.join([str(fake), env['PYTHONPATH']])
        cmd = [PY, '-X', 'utf8', '-X', 'gpython.runtime=gevent', '-X', 'gpython.executable=/x/gpython',
               str(boot)]
        return run(cmd, args, env=env)
    return runboot


def test_gevent_boot_patches_before_golang_and_tags_version(gate_open):
    prog = textwrap.dedent('''\
        import sys, builtins, golang
        print(sys.modules['gevent.monkey'].calls)
        print(sys.version)
        print(go is golang.go, sys._xoptions['gpython.runtime'], sys.executable)
        ''')
    out = out_ok(gate_open(['-c', prog]))
    assert out == '[[]]\n%s [GPython %s] [gevent 9.9.9-fake]\nTrue gevent /x/gpython\n' % (PYVERSION, VER)


def test_gevent_boot_refuses_modules_imported_first(gate_open):
    rc, out, err = gate_open(['-c', 'print("ran")'],
                             files={'sitecustomize.py': 'import threading\n'})
    assert (rc, out) == (2, '')
    assert 'cannot start the gevent runtime' in err and 'imported before gpython: threading.' in err


def test_gevent_boot_without_gevent_says_how_to_get_it(gate_open):
    rc, out, err = gate_open(['-c', 'print("ran")'],
                             files={'gevent/__init__.py': 'raise ImportError("no gevent here")\n'})
    assert (rc, out) == (2, '')
    assert 'no gevent here' in err and 'pip install pygolang-rs[gpython]' in err


def test_gevent_boot_reports_failed_patching(gate_open):
    rc, out, err = gate_open(['-c', 'print("ran")'],
                             files={'gevent/monkey.py': 'def patch_all(**kw):\n    return False\n'})
    assert (rc, out, err) == (2, '', 'gpython: gevent monkey-patching failed\n')


def test_launcher_imports_nothing_gevent_must_patch_before_boot():
    # the bootstrap file imports only sys and os at module level
    src = open(GPY_FILE, encoding='utf-8').read()
    top = [l for l in src.splitlines() if re.match(r'(import|from) ', l)]
    assert top == ['import os', 'import sys']
