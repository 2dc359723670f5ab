# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Program gpython is Python with golang preactivated.

Usage::

    gpython [option] ... [-c cmd | -m mod | file | -] [arg] ...

gpython runs programs the way ``python`` does: ``gpython file.py a b``,
``gpython -c cmd a b``, ``gpython -m mod a b``, ``gpython < prog.py``, and
the interactive prompt when started without a program on a terminal. It
differs from ``python`` in that:

- every name of ``golang.__all__`` (go, chan, select, default, nilchan,
  defer, panic, recover, func, gimport) is a builtin;
- UTF-8 is the default encoding: Python runs in UTF-8 mode (``-X utf8``), so
  ``open()``, the standard streams and ``locale.getpreferredencoding()`` use
  UTF-8 whatever the locale (an explicit ``-X utf8=0`` is honoured);
- ``sys.version`` ends with ``" [GPython <golang.__version__>] [threads]"``
  (or ``"... [gevent <gevent.__version__>]"``), ``sys.executable`` is the
  gpython command (so that ``subprocess.run([sys.executable, ...])`` runs
  gpython again) and ``sys._gpy_underlying_executable`` the real
  interpreter;
- with the gevent runtime, gevent's ``monkey.patch_all()`` is applied before
  anything else is imported.

Runtimes
--------

``-X gpython.runtime=gevent|threads`` (or ``$GPYTHON_RUNTIME``; the option
wins) selects the runtime. ``threads``: goroutines of plain functions are OS
threads. ``gevent`` (the default, as in Pygolang): the standard library is
monkey-patched by gevent and goroutines are greenlets. gevent is an optional
dependency: ``pip install pygolang-rs[gpython]``. The selected runtime is
also in ``sys._xoptions['gpython.runtime']``.

**For now pygolang-rs runs the threads runtime only**: its native core parks
the OS thread on blocking channel operations, which under gevent would freeze
every greenlet. Until that integration lands, gpython with the gevent runtime
exits with status 2 and says so; run ``gpython -X gpython.runtime=threads``
or set ``GPYTHON_RUNTIME=threads``. The whole gevent start-up (import checks,
monkey-patching, sys.version) is written and tested; the switch is the single
function ``_gevent_runtime_supported()``.

With the gevent runtime gpython refuses to start (exit 2, with the list of
offending modules) when any of pkg_resources, golang, socket, select,
threading, thread, ssl or subprocess was imported before it could patch them
(e.g. by sitecustomize or a .pth file): gevent must patch them first.

Options
-------

Handled by gpython: ``-c cmd``, ``-m mod`` (both may be glued: ``-cprint(1)``,
``-mmod``; both end the options), ``file`` (a script, or a directory or zip
file with ``__main__.py``), ``-`` (program from standard input), ``--`` (end
of options), ``-i`` (inspect interactively after the program, or force the
prompt when standard input is not a terminal), ``-h``/``-?``/``--help``,
``-V``/``--version`` (prints e.g. ``GPython 0.0.5 [threads] / CPython
3.11.7`` to standard output, as python 3 prints its version there; ``-VV``
prints the full ``sys.version``), ``-X gpython.runtime=...``. -h and -V
only print, so they work whatever the runtime (-V names the selected one).

Passed unchanged to the underlying interpreter, which applies them exactly as
python does: ``-b -B -d -E -I -O -OO -P -q -R -s -u -v``, ``-W arg``,
``-X opt`` (e.g. ``-X dev``, ``-X faulthandler``, ``-X importtime``).
Options can be grouped (``-OOu``, ``-Werror``). Any other option (e.g.
``-S``, ``-x``, ``--check-hash-based-pycs``) prints "unknown option" and
exits with status 2, as Pygolang 0.0.5 did for every option.

Exit status: as python's. An uncaught exception prints its traceback (with
gpython's own frames left out) and exits with 1, ``SystemExit`` codes
propagate, an uncaught KeyboardInterrupt ends the process by SIGINT, errors
in gpython's command line or start-up exit with 2.

How it works
------------

The ``gpython`` console script (``golang.cmd.gpython:main``, also ``python
-m golang.cmd.gpython``) is only a launcher: importing this module imports
the ``golang`` package first, too late for gevent, and UTF-8 mode can only be
chosen when the interpreter starts. The launcher parses the command line and
replaces itself (``os.execv``; a child process on Windows) with::

    python [passed-through options] -X utf8 -X gpython.runtime=R \\
        -X gpython.executable=EXE [-i] .../golang/cmd/gpython.py [user's arguments]

where this very file runs as a plain script, so that nothing but ``sys`` and
``os`` is imported before the runtime is set up. There it drops its own
directory from ``sys.path``, sets ``sys.argv`` and ``sys.path[0]`` as python
would for the program, sets up the runtime (gevent patching first, then
``import golang``, builtins and ``sys.version``), and runs the program in a
fresh ``__main__`` module (``-m`` and ``__main__.py`` of directories and zips
through ``runpy``, like python). The interactive prompt is python's own: the
launcher adds ``-i`` when standard input is a terminal and there is no
program, and gpython prints python's banner (not with ``-q``) and runs
``$PYTHONSTARTUP`` before python's prompt starts in that ``__main__``; so
``sys.flags.interactive`` is 1 there, unlike in a bare ``python``.
``sys.orig_argv`` is ``[gpython] + arguments`` as the user gave them.

Running this file with a plain ``python path/to/gpython.py ...`` also works
(it launches itself the same way; ``sys.executable`` is then the
``gpython`` script next to the interpreter if there is one, else the
interpreter).
"""

# NOTE: only sys and os (both always imported by Python's start-up) may be
# imported at module level: when this file runs as gpython's bootstrap script,
# gevent must patch the standard library before anything else is imported.
import os
import sys

__all__ = ['main']

_RUNTIMES = ('gevent', 'threads')
_DEFAULT_RUNTIME = 'gevent'

# short options of python without argument that go to the underlying
# interpreter unchanged (-i is also looked at by gpython).
_PASS_FLAGS = 'bBdEiIOPqRsuv'

_GATE_MSG = ("gpython: the gevent runtime is not available yet in pygolang-rs; "
             "run with -X gpython.runtime=threads (or GPYTHON_RUNTIME=threads)")

_NO_GEVENT_MSG = ("gpython: the gevent runtime needs gevent, which cannot be imported (%s).\n"
                  "Get it with:  pip install pygolang-rs[gpython]\n"
                  "or run with -X gpython.runtime=threads (or GPYTHON_RUNTIME=threads).")

_USAGE = """\
usage: gpython [option] ... [-c cmd | -m mod | file | -] [arg] ...
Python with golang preactivated: go, chan, select, ... are builtins and UTF-8
is the default encoding.

Options handled by gpython:
-c cmd : program passed in as string (terminates option list)
-m mod : run library module as a script (terminates option list)
-i     : inspect interactively after running the program; forces a prompt
         even if stdin does not appear to be a terminal
-h, -?, --help : print this help message and exit
-V, --version  : print the GPython and Python versions and exit (-VV: more)
-X gpython.runtime=gevent|threads : runtime to use (default: gevent;
         also $GPYTHON_RUNTIME). For now only 'threads' is available in
         pygolang-rs: run with -X gpython.runtime=threads.
Passed to the underlying python unchanged (see `python -h`):
-b -B -d -E -I -O -OO -P -q -R -s -u -v, -W arg, -X opt
--     : end of options
file   : program read from script file (or directory/zip with __main__.py)
-      : program read from stdin (default; interactive mode if a tty)
arg ...: arguments passed to program in sys.argv[1:]
"""


class _StartupError(Exception):
    """_StartupError stops gpython before the program runs: its message goes
    to stderr and the process exits with .code."""

    def __init__(self, msg, code=2):
        Exception.__init__(self, msg)
        self.code = code


def _gevent_runtime_supported():
    """Whether the gevent runtime can run: the native core makes blocking
    channel operations switch to the gevent hub (golang._runtime_gevent)."""
    return True  # gevent-runtime-gate


# ---- command line ----

class _Cmdline(object):
    """_Cmdline is gpython's command line, parsed by _parse."""

    def __init__(self):
        self.interp = []        # options for the underlying interpreter
        self.runtime = None     # from -X gpython.runtime=
        self.utf8 = False       # whether -X utf8[=...] was given
        self.inspect = False    # -i
        self.help = False       # -h
        self.version = 0        # number of -V
        self.kind = None        # 'c', 'm', 'file' or None (stdin / prompt)
        self.target = None      # command, module or file
        self.argv = ['']        # sys.argv for the program


def _unknown(opt):
    return _StartupError("gpython: unknown option: %r\nTry 'gpython -h' for more information." % opt)


def _parse(argv):
    """_parse parses gpython's arguments (without the program name) like
    python parses its own: options stop at -c, -m, the first non-option,
    '-' or '--'."""
    cmd = _Cmdline()
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == '--':
            i += 1
            break
        if a == '-' or not a.startswith('-'):
            break
        i += 1
        if a.startswith('--'):
            if a == '--help':
                cmd.help = True
            elif a == '--version':
                cmd.version += 1
            else:
                raise _unknown(a)
            continue
        j = 1
        while j < len(a):
            ch = a[j]
            j += 1
            if ch in 'cmWX':
                if j < len(a):
                    arg = a[j:]
                elif i < len(argv):
                    arg = argv[i]
                    i += 1
                else:
                    raise _StartupError("gpython: argument expected for the -%s option\n"
                                        "Try 'gpython -h' for more information." % ch)
                if ch in 'cm':
                    cmd.kind = ch
                    cmd.target = arg
                    cmd.argv = ['-' + ch] + argv[i:]
                    return cmd
                if ch == 'X' and arg.startswith('gpython.'):
                    key, eq, val = arg.partition('=')
                    if key != 'gpython.runtime' or not eq:
                        raise _unknown('-X ' + arg)
                    cmd.runtime = val
                else:
                    if ch == 'X' and arg.partition('=')[0] == 'utf8':
                        cmd.utf8 = True
                    cmd.interp += ['-' + ch, arg]
                break   # the rest of this argument was the option's value
            elif ch in _PASS_FLAGS:
                cmd.interp.append('-' + ch)
                if ch == 'i':
                    cmd.inspect = True
            elif ch in 'h?':
                cmd.help = True
            elif ch == 'V':
                cmd.version += 1
            else:
                raise _unknown('-' + ch)

    rest = argv[i:]
    if rest and rest[0] != '-':
        cmd.kind = 'file'
        cmd.target = rest[0]
        cmd.argv = rest
    elif rest:
        cmd.argv = rest         # ['-', ...]
    return cmd


def _resolve_runtime(cmd, environ=None):
    """_resolve_runtime returns the runtime selected by -X gpython.runtime,
    else $GPYTHON_RUNTIME, else the default."""
    if environ is None:
        environ = os.environ
    if cmd.runtime is not None:
        runtime, where = cmd.runtime, '-X gpython.runtime'
    else:
        runtime, where = environ.get('GPYTHON_RUNTIME') or _DEFAULT_RUNTIME, '$GPYTHON_RUNTIME'
    if runtime not in _RUNTIMES:
        raise _StartupError("gpython: invalid runtime %r in %s: must be 'gevent' or 'threads'"
                            % (runtime, where))
    return runtime


# ---- launcher: the console script and `python -m golang.cmd.gpython` ----

def _this_file():
    f = __file__
    if f.endswith(('.pyc', '.pyo')):
        f = f[:-1]
    return os.path.abspath(f)


def _same_file(a, b):
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def _gpython_executable(argv0):
    """_gpython_executable returns what sys.executable is under gpython: the
    console script that was started, else (python -m golang.cmd.gpython) the
    gpython script next to the interpreter, else the interpreter itself."""
    if argv0 and not _same_file(argv0, _this_file()):
        exe = os.path.abspath(argv0)
        if exe.endswith('-script.py'):          # setuptools launchers on Windows
            exe = exe[:-len('-script.py')] + '.exe'
        elif os.name == 'nt' and not os.path.exists(exe) and os.path.exists(exe + '.exe'):
            exe += '.exe'
        return exe
    bindir = os.path.dirname(sys.executable or '')
    for name in ('gpython', 'gpython.exe'):
        p = os.path.join(bindir, name)
        if bindir and os.path.isfile(p):
            return p
    return sys.executable


def _version_text(runtime, level):
    import platform
    import golang
    if runtime == 'gevent':
        try:
            from importlib.metadata import version
            tag = 'gevent %s' % version('gevent')
        except Exception:
            tag = 'gevent: not installed'
    else:
        tag = 'threads'
    gpy = 'GPython %s [%s]' % (golang.__version__, tag)
    if level > 1:
        return '%s / Python %s' % (gpy, sys.version)
    impl = platform.python_implementation()
    if impl == 'PyPy':
        v = sys.pypy_version_info
        return '%s / PyPy %d.%d.%d / Python %s' % (gpy, v[0], v[1], v[2], platform.python_version())
    return '%s / %s %s' % (gpy, impl, platform.python_version())


def _isatty(fd):
    try:
        return os.isatty(fd)
    except Exception:
        return False


def main(argv=None):
    """main runs gpython with arguments argv (default sys.argv[1:]).

    It re-executes the interpreter on gpython's bootstrap (see the module
    documentation) and so does not return, except for -h, -V and command-line
    errors, for which it returns the exit code.
    """
    if argv is None:
        argv = sys.argv[1:]
    argv = list(argv)
    try:
        cmd = _parse(argv)
        if cmd.help:
            sys.stdout.write(_USAGE)
            sys.stdout.flush()
            return 0
        runtime = _resolve_runtime(cmd)
        if cmd.version:
            print(_version_text(runtime, cmd.version))
            sys.stdout.flush()
            return 0
        if not sys.executable:
            raise _StartupError('gpython: cannot find the Python interpreter (sys.executable is empty)')
    except _StartupError as e:
        sys.stderr.write('%s\n' % e)
        return e.code

    exe = _gpython_executable(sys.argv[0] if sys.argv else '')
    child = [sys.executable] + cmd.interp
    if not cmd.utf8:
        child += ['-X', 'utf8']
    child += ['-X', 'gpython.runtime=' + runtime, '-X', 'gpython.executable=' + exe]
    if cmd.kind is None and not cmd.inspect and _isatty(0):
        child.append('-i')      # python's own prompt, after the bootstrap
    child += [_this_file()] + argv

    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    if os.name == 'nt':
        import subprocess
        return subprocess.call(child)
    os.execv(child[0], child)


# ---- bootstrap: this file run as a script by the launcher ----

_PREIMPORT_HINT = ("gevent must patch them before they are imported: are they imported by "
                   "sitecustomize, usercustomize or a .pth file? "
                   "Or run with -X gpython.runtime=threads.")


def _must_be_patched_first(version_info=None, pypy=None):
    """_must_be_patched_first lists the modules that must not be imported
    before gevent patches the standard library."""
    if version_info is None:
        version_info = sys.version_info
    if pypy is None:
        pypy = 'PyPy' in sys.version
    mods = ['pkg_resources', 'golang', 'socket', 'select', 'threading',
            'thread', 'ssl', 'subprocess']
    # python >= 3.8 (and PyPy 7) import time at start-up, before any program.
    if not pypy and tuple(version_info) < (3, 8):
        mods.append('time')
    return mods


def _check_not_preimported(modules):
    """_check_not_preimported raises _StartupError if modules (a
    sys.modules-like mapping) holds a module that gevent must patch first."""
    bad = [m for m in _must_be_patched_first() if m in modules]
    if bad:
        raise _StartupError('gpython: cannot start the gevent runtime: these modules were '
                            'imported before gpython: %s.\n%s' % (', '.join(bad), _PREIMPORT_HINT))


def _import_gevent():
    """_import_gevent returns (gevent, gevent.monkey), or raises
    _StartupError saying how to get gevent."""
    try:
        import gevent
        from gevent import monkey
    except ImportError as e:
        raise _StartupError(_NO_GEVENT_MSG % e)
    return gevent, monkey


def _init_gevent(modules):
    """_init_gevent sets up the gevent runtime and returns its sys.version tag."""
    if not _gevent_runtime_supported():
        raise _StartupError(_GATE_MSG)
    _check_not_preimported(modules)
    gevent, monkey = _import_gevent()
    if monkey.patch_all() is False:
        raise _StartupError('gpython: gevent monkey-patching failed')
    return 'gevent %s' % gevent.__version__


def _init_runtime(runtime, modules=None):
    """_init_runtime sets up runtime ('gevent' or 'threads'), then imports
    golang, puts golang.__all__ into builtins and tags sys.version.

    modules is what is checked for modules imported too early (sys.modules
    by default). Returns the runtime tag ('threads' or 'gevent X')."""
    if runtime == 'gevent':
        tag = _init_gevent(sys.modules if modules is None else modules)
    elif runtime == 'threads':
        tag = 'threads'
    else:
        raise _StartupError("gpython: invalid runtime %r: must be 'gevent' or 'threads'" % (runtime,))
    sys._xoptions['gpython.runtime'] = runtime

    import builtins
    import golang
    for name in golang.__all__:
        setattr(builtins, name, getattr(golang, name))
    sys.version += ' [GPython %s] [%s]' % (golang.__version__, tag)
    return tag


_died_of_sigint = False


def _exit_by_sigint():
    # python >= 3.8 ends by SIGINT on an uncaught KeyboardInterrupt. This runs
    # at exit, after the program's own atexit functions (registered later).
    if not _died_of_sigint or os.name != 'posix':
        return
    import signal
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def _report(exc):
    """_report prints exc as python prints an uncaught exception, leaving out
    gpython's frames, and keeps it in sys.last_* for post-mortem debugging."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _report.__code__.co_filename:
        tb = tb.tb_next
    exc.__traceback__ = tb
    sys.last_type, sys.last_value, sys.last_traceback = type(exc), exc, tb
    if sys.version_info >= (3, 12):
        sys.last_exc = exc
    try:
        sys.excepthook(type(exc), exc, tb)
    except BaseException:
        sys.__excepthook__(type(exc), exc, tb)


def _exec_file(g, path, filename):
    """_exec_file runs file path in globals g as python runs a __main__
    file: with __file__ and __cached__ set while it runs."""
    with open(path, 'rb') as f:
        src = f.read()
    g['__file__'] = filename
    g['__cached__'] = None
    try:
        exec(compile(src, filename, 'exec', dont_inherit=True), g)
    finally:
        g.pop('__file__', None)
        g.pop('__cached__', None)


def _is_zip(path):
    import zipimport
    try:
        zipimport.zipimporter(path)
    except Exception:
        return False
    return True


def _run_main_module(name, alter_argv):
    import runpy
    run = getattr(runpy, '_run_module_as_main', None)
    if run is not None:
        return run(name, alter_argv)
    # fallback for pythons without the private helper python -m uses.
    mmain = sys.modules['__main__']
    if alter_argv:
        g = runpy.run_module(name, run_name='__main__', alter_sys=True)
    else:
        g = runpy.run_path(sys.path[0], run_name='__main__')
    mmain.__dict__.update(g)


def _interactive_prelude(g):
    """_interactive_prelude does what python does before its prompt when
    there is no program: banner and $PYTHONSTARTUP. The prompt itself is
    python's (-i), which starts once the bootstrap returns."""
    if not sys.flags.quiet:
        banner = 'Python %s on %s\n' % (sys.version, sys.platform)
        if not sys.flags.no_site:
            banner += 'Type "help", "copyright", "credits" or "license" for more information.\n'
        sys.stderr.write(banner)
        sys.stderr.flush()
    startup = None if sys.flags.ignore_environment else os.environ.get('PYTHONSTARTUP')
    if startup and os.path.isfile(startup):
        try:
            _exec_file(g, startup, startup)
        except SystemExit:
            raise
        except BaseException as e:
            _report(e)


def _boot():
    """_boot is gpython proper: it runs in the interpreter the launcher
    started, with this file as the script and the user's arguments."""
    global _died_of_sigint
    exe = sys._xoptions.pop('gpython.executable')
    runtime = sys._xoptions.get('gpython.runtime', _DEFAULT_RUNTIME)
    user_argv = sys.argv[1:]
    try:
        cmd = _parse(user_argv)
    except _StartupError as e:
        sys.stderr.write('%s\n' % e)
        sys.exit(e.code)

    sys._gpy_underlying_executable = sys.executable
    sys.executable = exe
    if hasattr(sys, 'orig_argv'):
        sys.orig_argv = [exe] + user_argv

    # python put this file's directory first in sys.path: put there what
    # python puts for the program instead.
    if sys.path and sys.path[0] == os.path.dirname(os.path.realpath(_this_file())):
        del sys.path[0]
    sys.argv = list(cmd.argv)
    cwd = os.getcwd()
    path = None
    if cmd.kind == 'file':
        path = cmd.target if os.path.isabs(cmd.target) else os.path.join(cwd, cmd.target)
        path0 = path if os.path.isdir(path) or _is_zip(path) else \
            os.path.dirname(os.path.realpath(path))
    elif cmd.kind == 'm':
        path0 = cwd
    else:
        path0 = ''
    if not getattr(sys.flags, 'safe_path', False):
        sys.path.insert(0, path0)

    # the runtime: nothing but sys and os is imported before this point.
    try:
        _init_runtime(runtime)
    except _StartupError as e:
        sys.stderr.write('%s\n' % e)
        sys.exit(e.code)

    import atexit
    atexit.register(_exit_by_sigint)

    # a fresh __main__ for the program, as python would have it.
    mmain = type(sys)('__main__')
    g = mmain.__dict__
    g['__builtins__'] = sys.modules['builtins']
    if sys.version_info < (3, 14):
        g['__annotations__'] = {}
    g['__loader__'] = sys.__loader__        # what python gives for -c and stdin
    sys.modules['__main__'] = mmain

    if cmd.kind == 'file' and not (os.path.isdir(path) or _is_zip(path)):
        try:
            open(path, 'rb').close()
        except OSError as e:
            sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (exe, path, e.errno, e.strerror))
            sys.exit(2)

    try:
        if cmd.kind == 'c':
            exec(compile(cmd.target, '<string>', 'exec', dont_inherit=True), g)
        elif cmd.kind == 'm':
            _run_main_module(cmd.target, True)
        elif cmd.kind == 'file':
            if os.path.isdir(path) or _is_zip(path):
                _run_main_module('__main__', False)
            else:
                from importlib.machinery import SourceFileLoader
                g['__loader__'] = SourceFileLoader('__main__', path)
                _exec_file(g, path, path)
        elif sys.flags.inspect:
            # the prompt (a terminal, or -i): python's, after we return.
            _interactive_prelude(g)
        elif sys.stdin is not None:
            src = sys.stdin.buffer.read() if hasattr(sys.stdin, 'buffer') else sys.stdin.read()
            g['__file__'] = '<stdin>'
            g['__cached__'] = None
            try:
                exec(compile(src, '<stdin>', 'exec', dont_inherit=True), g)
            finally:
                g.pop('__file__', None)
                g.pop('__cached__', None)
    except SystemExit:
        raise
    except BaseException as e:
        _report(e)
        inspect = sys.flags.inspect or \
            (not sys.flags.ignore_environment and os.environ.get('PYTHONINSPECT'))
        if inspect:
            return              # python's prompt follows, as after `python -i`
        if isinstance(e, KeyboardInterrupt):
            _died_of_sigint = True
        e = None
        sys.exit(1)


if __name__ == '__main__':
    if globals().get('__spec__') is None and 'gpython.executable' in getattr(sys, '_xoptions', {}):
        _boot()
    else:
        sys.exit(main())
