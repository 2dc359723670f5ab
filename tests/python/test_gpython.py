# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests for the gpython command (the top-level package gpython, as in
Pygolang 0.1).

Most tests run ``python -m golang.cmd.gpython ...`` (which re-executes on the
gpython command) in a subprocess, with the threads runtime, and compare what
the program sees with what a plain ``python`` run of the same program sees.
The gevent runtime's start-up is also tested with a fake gevent package first
in sys.path, which records when it patched.
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
import gpython

# The interpreter itself, also when this suite runs under gpython (whose
# sys.executable is the gpython command).
PY = getattr(sys, '_gpy_underlying_executable', sys.executable)
# The interpreter's own version string (without gpython's tags).
PYVERSION = sys.version.split(' [GPython ')[0]
GPY_M = [PY, '-m', 'golang.cmd.gpython']
SCRIPT = os.path.join(os.path.dirname(PY), 'gpython')
GPY_FILE = os.path.abspath(gpython.__file__)
PYDIR = os.path.dirname(os.path.dirname(GPY_FILE))
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


def test_pythonstartup_runs_before_prompt(tmp_path):
    startup = write(tmp_path / 'startup.py', 'started = 42\n')
    env = mkenv(PYTHONSTARTUP=str(startup))
    rc, out, err = run(GPY_M, ['-i'], stdin=b'print(started)\n', env=env)
    assert (rc, out) == (0, '42\n')
    # not for programs, as python
    rc, out, err = run(GPY_M, ['-c', 'print("started" in globals())'], env=env)
    assert out == 'False\n'


@pytest.mark.skipif(os.name != 'posix', reason='needs a pty')
def test_prompt_on_terminal_is_a_console_with_gpython_banner():
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


def test_runtime_is_in_sys_xoptions_only_when_given_with_X():
    prog = 'import sys; print(sorted(sys._xoptions.items()))'
    assert out_ok(gpy(['-X', 'gpython.runtime=threads', '-c', prog])) == \
        "[('gpython.runtime', 'threads')]\n"
    assert out_ok(gpy(['-Xgpython.runtime=threads', '-c', prog])) == \
        "[('gpython.runtime', 'threads')]\n"
    assert out_ok(gpy(['-c', prog])) == '[]\n'      # $GPYTHON_RUNTIME=threads


@pytest.fixture(scope='module')
def latin1_env(tmp_path_factory):
    """latin1_env is an environment whose locale is not UTF-8 (generated
    with localedef), where python does not start in UTF-8 mode."""
    d = tmp_path_factory.mktemp('locale')
    try:
        subprocess.run(['localedef', '-i', 'en_US', '-f', 'ISO-8859-1', str(d / 'en_US.ISO-8859-1')],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        pass
    env = mkenv(LOCPATH=str(d), LC_ALL='en_US.ISO-8859-1', LANG=None, PYTHONUTF8=None,
                PYTHONIOENCODING=None)
    rc, out, err = run([PY], ['-c', 'import sys; print(sys.flags.utf8_mode)'], env=env)
    if out != '0\n':
        pytest.skip('cannot make a locale that is not UTF-8 (localedef)')
    return env


UTF8_PROG = textwrap.dedent('''\
    import locale, sys
    print(sys.flags.utf8_mode, locale.getpreferredencoding(False).lower(), sys.getdefaultencoding(),
          sys.stdout.encoding, sys.getfilesystemencoding(), sys._xoptions)
    with open('f.txt', 'w') as f:
        f.write('\\u00e9\\u4e16')
    with open('f.txt', 'rb') as f:
        print(f.read() == '\\u00e9\\u4e16'.encode('utf-8'))
    print('\\u00e9')
    ''')


def test_utf8_is_the_default_encoding(latin1_env, tmp_path):
    # gpython re-executes the interpreter in UTF-8 mode; its -X utf8 is not
    # left in sys._xoptions (python would pass it on to its children)
    rc, out, err = run(GPY_M, ['-c', UTF8_PROG], env=latin1_env, cwd=tmp_path)
    assert rc == 0, err
    assert out == '1 utf-8 utf-8 utf-8 utf-8 {}\nTrue\n\u00e9\n'
    rc, out, err = run(GPY_M, ['-X', 'gpython.runtime=threads', '-O', '-c', UTF8_PROG],
                       env=latin1_env, cwd=tmp_path)
    assert out.splitlines()[0] == "1 utf-8 utf-8 utf-8 utf-8 {'gpython.runtime': 'threads'}"


def test_explicit_PYTHONUTF8_0_is_honoured(latin1_env):
    env = dict(latin1_env, PYTHONUTF8='0')
    assert out_ok(run(GPY_M, ['-c', 'import sys; print(sys.flags.utf8_mode)'], env=env)) == '0\n'


# ---- the command line, as Pygolang 0.1's gpython ----

OPT_PROG = ('import sys; f = sys.flags; print(f.optimize, __debug__, sys.warnoptions, sys.argv, '
            'sys._xoptions.get("gpython.runtime"))')


def test_O_reexecutes_the_interpreter_with_it():
    assert out_ok(gpy(['-O', '-c', OPT_PROG, 'a'])) == "1 False [] ['-c', 'a'] None\n"
    assert out_ok(gpy(['-OO', '-c', OPT_PROG])) == "2 False [] ['-c'] None\n"
    assert out_ok(gpy(['-O', '-O', '-c', OPT_PROG])) == "2 False [] ['-c'] None\n"
    # the other options survive the re-execution
    out = out_ok(gpy(['-O', '-Wignore', '-X', 'gpython.runtime=threads', '-c', OPT_PROG], runtime='gevent'))
    assert out == "1 False ['ignore'] ['-c'] threads\n"


def test_O_program_sees_what_python_O_sees(progdir):
    write(progdir / 'opt.py', '''\
        import sys
        def f():
            """doc"""
        try:
            assert False
            a = False
        except AssertionError:
            a = True
        print(sys.flags.optimize, __debug__, a, f.__doc__, sys.argv)
        ''')
    for opts in (['-O'], ['-OO'], ['-O', '-O', '-O']):
        args = opts + ['opt.py', 'x']
        assert out_ok(gpy(args, cwd=progdir)) == out_ok(py(args, cwd=progdir))


@pytest.mark.parametrize("how", ["gpython", "python"])
def test_PYTHONWARNINGS_filters_stay_first_after_import_golang(how):
    # (golang's own filter for `python -m golang.schedule` goes last)
    prog = 'import golang, warnings; print(warnings.filters[:2])'
    env = mkenv(PYTHONWARNINGS='ignore,error::SyntaxWarning')
    out = out_ok((gpy if how == "gpython" else py)(['-c', prog], env=env))
    assert out.strip() == ("[('error', None, <class 'SyntaxWarning'>, None, 0), "
                           "('ignore', None, <class 'Warning'>, None, 0)]")


def test_W_sets_up_warnings_before_the_program():
    out = out_ok(gpy(['-Werror', '-W', 'ignore::DeprecationWarning', '-c',
                      'import sys, warnings; print(sys.warnoptions); print(warnings.filters[:2])']))
    warnoptions, filters = out.splitlines()
    assert warnoptions == "['error', 'ignore::DeprecationWarning']"
    assert filters.startswith("[('ignore', None, <class 'DeprecationWarning'>, None, 0), "
                              "('error', None, <class 'Warning'>, None, 0)]")
    rc, out, err = gpy(['-W', 'error::UserWarning', '-c', 'import warnings; warnings.warn("w")'])
    assert rc == 1 and 'UserWarning: w' in err


def test_short_options_combine():
    assert out_ok(gpy(['-Werror', '-cimport sys; print(sys.warnoptions, sys.argv)', 'z'])) == \
        "['error'] ['-c', 'z']\n"
    assert out_ok(gpy(['-OWignore', '-c', OPT_PROG])) == "1 False ['ignore'] ['-c'] None\n"


def test_unknown_short_option_raises_RuntimeError():
    for args, opt in [(['-u', '-c', 'pass'], '-u'), (['-R'], '-R'), (['-h'], '-h'), (['-S'], '-S'),
                      (['-E', '-c', 'pass'], '-E'), (['-I'], '-I'),
                      (['-Oxc', 'pass'], '-x'), (['-Bjc', 'pass'], '-j')]:
        rc, out, err = gpy(args)
        assert (rc, out) == (1, ''), args
        assert err.startswith('Traceback (most recent call last):\n'), err
        assert err.endswith("RuntimeError: unexpected option %s\n" % opt), err
    rc, out, err = gpy(['--help'])
    assert (rc, out) == (1, '') and err.endswith('RuntimeError: unexpected option --help\n')
    rc, out, err = gpy(['--version=1'])
    assert err.endswith('RuntimeError: option --version requires no argument\n')
    # after the program, options are the program's
    assert out_ok(gpy(['-c', 'import sys; print(sys.argv)', '-u', '-h'])) == "['-c', '-u', '-h']\n"


def test_options_python_gives_its_children_are_applied_by_the_interpreter():
    # (beyond Pygolang 0.1: multiprocessing children of gpython get them)
    import subprocess as sp
    prog = ('import sys; f = sys.flags; print(f.dont_write_bytecode, f.no_user_site, f.ignore_environment, '
            'f.verbose, f.dev_mode, f.optimize, sys.argv, "faulthandler" in sys._xoptions)')
    out = out_ok(gpy(['-B', '-s', '-X', 'dev', '-Xfaulthandler', '-O', '-c', prog, 'a'],
                     env=mkenv(PYTHONDONTWRITEBYTECODE=None)))
    assert out == "1 1 0 0 True 1 ['-c', 'a'] True\n"
    # what python passes on is accepted by gpython
    prog = ('import subprocess as sp, sys; '
            'print(sys.executable.endswith(("gpython", "__init__.py")), sp._args_from_interpreter_flags()); '
            'r = sp.run([sys.executable] + sp._args_from_interpreter_flags() + '
            '["-c", "import sys; print(sys.flags.isolated, sys.flags.dont_write_bytecode)"]); '
            'sys.exit(r.returncode)')
    out = out_ok(gpy(['-X', 'gpython.runtime=threads', '-c', prog]))
    assert out.endswith('\n0 1\n'), out       # (the environment has $PYTHONDONTWRITEBYTECODE)


def test_missing_option_argument_raises_RuntimeError():
    for opt in ('-c', '-m', '-W', '-X'):
        rc, out, err = gpy([opt])
        assert (rc, out) == (1, '')
        assert err.endswith('RuntimeError: option %s requires an argument\n' % opt), err


def test_X_other_than_gpython_is_an_unknown_option():
    for args in (['-X', 'pycache_prefix=/tmp', '-c', 'print(1)'], ['-Xfoo', '-c', 'print(1)'],
                 ['-X', 'int_max_str_digits=1000']):
        assert gpy(args) == (2, '', "unknown option: '-X'\n"), args


def test_X_gpython_other_than_runtime_raises_RuntimeError():
    for x in ('gpython.foo=1', 'gpython.runtim=threads', 'gpython.'):
        rc, out, err = gpy(['-X', x, '-c', 'print(1)'])
        assert (rc, out) == (1, '')
        assert err.endswith('RuntimeError: gpython: unknown -X option -X\n'), err


def test_version_goes_to_stderr_with_runtime_and_python():
    import platform
    for runtime, tag in (('threads', 'threads'), ('gevent', 'gevent ')):
        for opt in ('-V', '--version'):
            rc, out, err = gpy([opt], runtime=runtime)
            assert (rc, out) == (0, '')
            assert err.startswith('GPython %s [%s' % (VER, tag))
            assert err.endswith('] / CPython %s\n' % platform.python_version())
    rc, out, err = gpy(['-V'])
    assert err == 'GPython %s [threads] / CPython %s\n' % (VER, platform.python_version())
    assert gpython._version_info_str((3, 9, 2, 'final', 0)) == '3.9.2'
    assert gpython._version_info_str((3, 13, 0, 'beta', 1)) == '3.13.0.beta1'


def test_version_stops_option_parsing_and_runs_nothing():
    rc, out, err = gpy(['-V', '-c', 'print("ran")'])
    assert (rc, out) == (0, '') and err.startswith('GPython ')


# ---- runtime selection ----

def test_gevent_runtime_is_the_default_and_patches_the_standard_library():
    prog = ('import sys, socket, threading, time\n'
            'from gevent import monkey\n'
            'print(sys.version.split("[GPython")[1].split("] [")[1])\n'
            'print(all(monkey.is_module_patched(m) for m in ("socket", "threading", "time")))\n'
            'c = chan(); go(c.send, 42); print(c.recv())\n')
    for env in (mkenv(None), mkenv('gevent'), mkenv('')):
        rc, out, err = run(GPY_M, ['-c', prog], env=env)
        assert (rc, err) == (0, ''), err
        lines = out.splitlines()
        assert lines[0].startswith('gevent ') and lines[0].endswith(']')
        assert lines[1:] == ['True', '42']


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


def test_invalid_runtime_raises_RuntimeError():
    rc, out, err = gpy(['-X', 'gpython.runtime=fibers', '-c', 'print(1)'])
    assert (rc, out) == (1, '') and err.endswith('RuntimeError: gpython: invalid runtime fibers\n')
    rc, out, err = gpy(['-c', 'print(1)'], runtime='fibers')
    assert (rc, out) == (1, '') and err.endswith('RuntimeError: gpython: invalid runtime fibers\n')


CHILD_RUNTIME = textwrap.dedent('''\
    import os, subprocess, sys
    def runtime():
        tag = sys.version.split('] [')[-1].rstrip(']').split()[0]
        return '%s %s %s' % (os.environ.get('GPYTHON_RUNTIME'), tag, 'gevent' in sys.modules)
    def child(path):
        with open(path, 'w') as f:
            f.write(runtime())
    if __name__ == '__main__':
        print('parent', runtime())
        r = subprocess.run([sys.executable, '-c', 'import probe_rt; print("child", probe_rt.runtime())'],
                           stdout=subprocess.PIPE, universal_newlines=True)
        print(r.stdout.strip())
        # (a Process, not a Pool: Pool's threads do not mix with gevent's patching)
        import multiprocessing
        p = multiprocessing.get_context('spawn').Process(target=child, args=('spawned.txt',))
        p.start()
        p.join()
        with open('spawned.txt') as f:
            print('spawn', p.exitcode, f.read())
    ''')


def test_runtime_is_exported_to_children(progdir):
    write(progdir / 'probe_rt.py', CHILD_RUNTIME)
    env = mkenv(None)
    env['PYTHONPATH'] = os.pathsep.join([str(progdir), env['PYTHONPATH']])
    for args, rt in [(['-X', 'gpython.runtime=threads'], 'threads'), ([], 'gevent')]:
        rc, out, err = run(GPY_M, args + ['probe_rt.py'], env=env, cwd=progdir)
        assert rc == 0, err
        gev = rt == 'gevent'
        tag = rt if rt == 'threads' else 'gevent'
        assert out == ('parent {rt} {tag} {gev}\nchild {rt} {tag} {gev}\nspawn 0 {rt} {tag} {gev}\n'
                       .format(rt=rt, tag=tag, gev=gev)), out


# ---- sys.executable and the ways to start gpython ----

def pip_console_script(path):
    """pip_console_script writes at path what pip generates for the gpython
    console script."""
    path.parent.mkdir(exist_ok=True)
    path.write_text('#!%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\n'
                    'from gpython import main\n'
                    "if __name__ == '__main__':\n"
                    "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
                    '    sys.exit(main())\n' % PY)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_executable_is_the_console_script(tmp_path):
    script = pip_console_script(tmp_path / 'bin' / 'gpython')
    os.symlink(str(script), str(tmp_path / 'gpy-link'))
    prog = textwrap.dedent('''\
        import subprocess, sys
        print(sys.executable)
        print(sys._gpy_underlying_executable)
        print(sys.path[0])
        r = subprocess.run([sys.executable, '-c', 'import sys; print(sys.version)'],
                           stdout=subprocess.PIPE, universal_newlines=True)
        print(r.stdout.strip().endswith('[threads]'))
        ''')
    real = os.path.realpath(str(script))
    for cmd in (str(script), str(tmp_path / 'gpy-link')):
        out = out_ok(run([cmd], ['-c', prog]))
        assert out == '%s\n%s\n\nTrue\n' % (real, PY)


@pytest.mark.skipif(not os.path.exists(SCRIPT), reason='gpython console script not installed')
def test_installed_console_script_runs():
    out = out_ok(run([SCRIPT], ['-c', 'import sys; print(sys.executable); print(sys.version)']))
    assert out == '%s\n%s [GPython %s] [threads]\n' % (os.path.realpath(SCRIPT), PYVERSION, VER)


def test_executable_under_python_m():
    want = SCRIPT if os.path.isfile(SCRIPT) else GPY_FILE
    assert out_ok(gpy(['-c', 'import sys; print(sys.executable)'])) == os.path.realpath(want) + '\n'


def test_running_gpython_package_file_with_python_runs_gpython(tmp_path):
    # as Pygolang's `python ./__init__.py`, from the package's directory too
    prog = 'import sys; print(sys.argv, sys.version[-9:], chan, sys.executable)'
    want = "['-c', 'a'] [threads] %s %s\n" % (golang.chan, os.path.realpath(GPY_FILE))
    assert out_ok(run([PY, GPY_FILE], ['-c', prog, 'a'])) == want
    assert out_ok(run([PY, './__init__.py'], ['-c', prog, 'a'], cwd=os.path.dirname(GPY_FILE))) == want


# ---- import gpython: pymain and the option scanner ----

def test_import_gpython_gives_pymain_without_importing_golang():
    prog = textwrap.dedent('''\
        import sys, gpython
        print(callable(gpython.pymain), callable(gpython.main), 'golang' in sys.modules)
        ''')
    assert out_ok(py(['-c', prog])) == 'True True False\n'
    from golang.cmd import gpython as cmd_gpython
    assert cmd_gpython.pymain is gpython.pymain


def test_pymain_runs_a_program_as_python_with_init_first(tmp_path):
    prog = textwrap.dedent('''\
        import sys, gpython
        def init():
            print('init', sys.argv, sys.path[0] == '')
        gpython.pymain([%r, '-W', 'ignore', '-c',
                        'import sys; print("prog", sys.argv, sys.executable, sys.warnoptions, __name__)',
                        'a', 'b'], init=init)
        print('after', sys._gpy_underlying_executable == %r)
        ''' % (str(tmp_path / 'mygpy'), PY))
    out = out_ok(py(['-c', prog]))
    assert out == ("init ['-c', 'a', 'b'] True\n"
                   "prog ['-c', 'a', 'b'] %s ['ignore'] __main__\n"
                   "after True\n" % (tmp_path / 'mygpy'))
    # the program's exception reaches pymain's caller
    prog = ('import gpython\n'
            'try:\n'
            '    gpython.pymain(["x", "-c", "1/0"])\n'
            'except ZeroDivisionError:\n'
            '    print("caught")\n')
    assert out_ok(py(['-c', prog])) == 'caught\n'


def test_option_scanner_follows_python_rules():
    def scan(argv):
        s = gpython._OptScanner(argv)
        return list(s), s.argv, s.dashdash
    s = gpython._OptScanner(['-iOWd', '-X', 'a=b', '-cprint(1)', '-x', 'y'])
    got = []
    for opt, arg in s:
        got.append((opt, arg))
        if opt == '-c':
            break
    assert got == [('-i', None), ('-O', None), ('-W', 'd'), ('-X', 'a=b'), ('-c', 'print(1)')]
    assert s.argv == ['-x', 'y']
    assert scan(['f.py', '-O']) == ([], ['f.py', '-O'], False)
    assert scan(['-', 'a']) == ([], ['-', 'a'], False)
    assert scan(['-O', '--', '-f']) == ([('-O', None)], ['-f'], True)
    assert scan(['--version']) == ([('--version', None)], [], False)
    with pytest.raises(RuntimeError, match='^unexpected option -u$'):
        scan(['-Ou'])
    with pytest.raises(RuntimeError, match='^option -m requires an argument$'):
        scan(['-Om'])


# ---- the gevent runtime's start-up, with a fake gevent ----

def test_preimport_check_refuses_modules_gevent_must_patch():
    for mod in ('socket', 'threading', 'select', 'ssl', 'subprocess', 'golang', 'pkg_resources'):
        with pytest.raises(RuntimeError) as e:
            gpython._check_not_preimported({'sys': sys, 'os': os, mod: object()})
        assert 'pre-imported, but must be not: %s ' % mod in str(e.value)
    with pytest.raises(RuntimeError) as e:
        gpython._check_not_preimported({'threading': 1, 'socket': 2})
    assert 'socket, threading' in str(e.value)
    gpython._check_not_preimported({'sys': sys, 'os': os, 'time': 1, '_thread': 1})
    assert 'time' in gpython._must_be_patched_first((3, 7, 9), pypy=False)
    assert 'time' not in gpython._must_be_patched_first((3, 9, 0), pypy=False)


def test_missing_gevent_says_how_to_get_it(monkeypatch):
    monkeypatch.setitem(sys.modules, 'gevent', None)
    with pytest.raises(RuntimeError) as e:
        gpython._init_runtime('gevent')
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
def fake_gevent(tmp_path):
    """fake_gevent returns a runner of gpython (the package file run by
    python) with the gevent runtime and a fake gevent first in sys.path."""
    fake = tmp_path / 'fake'
    for name, text in FAKE_GEVENT.items():
        (fake / name).parent.mkdir(parents=True, exist_ok=True)
        (fake / name).write_text(text, encoding='utf-8')

    def rungpy(args, files=None):
        for name, text in (files or {}).items():
            (fake / name).write_text(text, encoding='utf-8')
        env = mkenv('gevent')
        env['PYTHONPATH'] = os.pathsep.join([str(fake), env['PYTHONPATH']])
        return run([PY, GPY_FILE], args, env=env)
    return rungpy


def test_gevent_start_patches_before_golang_and_tags_version(fake_gevent):
    prog = textwrap.dedent('''\
        import sys, builtins, golang
        print(sys.modules['gevent.monkey'].calls)
        print(sys.version)
        print(go is golang.go, sys._xoptions.get('gpython.runtime'))
        ''')
    out = out_ok(fake_gevent(['-c', prog]))
    assert out == '[[]]\n%s [GPython %s] [gevent 9.9.9-fake]\nTrue None\n' % (PYVERSION, VER)
    rc, out, err = fake_gevent(['-V'])
    assert (rc, out) == (0, '') and err.startswith('GPython %s [gevent 9.9.9-fake] / ' % VER)


def test_gevent_start_refuses_modules_imported_first(fake_gevent):
    rc, out, err = fake_gevent(['-c', 'print("ran")'], files={'sitecustomize.py': 'import threading\n'})
    assert (rc, out) == (1, '')
    assert 'RuntimeError: gpython: internal error: the following modules are pre-imported, ' \
           'but must be not: threading ' in err


def test_gevent_start_without_gevent_says_how_to_get_it(fake_gevent):
    rc, out, err = fake_gevent(['-c', 'print("ran")'],
                               files={'gevent/__init__.py': 'raise ImportError("no gevent here")\n'})
    assert (rc, out) == (1, '')
    assert 'no gevent here' in err and 'pip install pygolang-rs[gpython]' in err


def test_gevent_start_reports_failed_patching(fake_gevent):
    rc, out, err = fake_gevent(['-c', 'print("ran")'],
                               files={'gevent/monkey.py': 'def patch_all(**kw):\n    return False\n'})
    assert (rc, out) == (1, '') and err.endswith('RuntimeError: gevent monkey-patching failed\n')


def test_gpython_imports_nothing_gevent_must_patch_before_the_runtime():
    # the package imports only sys and os at module level
    src = open(GPY_FILE, encoding='utf-8').read()
    top = [l for l in src.splitlines() if re.match(r'(import|from) ', l)]
    assert top == ['import os', 'import sys']


# ---- under gpython itself ----

is_gpython = 'GPython' in sys.version
gpython_only = pytest.mark.skipif(not is_gpython, reason='runs only under gpython')


@gpython_only
def test_this_gpython_has_golang_builtins_version_tag_and_executable():
    import builtins
    for name in golang.__all__:
        assert getattr(builtins, name) is getattr(golang, name)
    tag = 'threads' if 'gevent' not in sys.modules else 'gevent %s' % sys.modules['gevent'].__version__
    assert sys.version.endswith(' [GPython %s] [%s]' % (VER, tag))
    assert os.path.basename(sys.executable).startswith('gpython')
    assert os.environ['GPYTHON_RUNTIME'] == ('gevent' if 'gevent' in sys.modules else 'threads')
