# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""gpython is Python with golang preactivated, as Pygolang 0.1's gpython.

Usage::

    gpython [option] ... [-c cmd | -m mod | file | -] [arg] ...

gpython runs programs the way ``python`` does (``gpython file.py a b``,
``gpython -c cmd``, ``gpython -m mod``, a program on standard input, the
interactive prompt) and differs from it in that:

- with the gevent runtime (the default), gevent's ``monkey.patch_all()`` is
  applied before anything else is imported, so goroutines are greenlets;
  ``-X gpython.runtime=threads`` (or ``$GPYTHON_RUNTIME=threads``) selects
  the thread runtime, which imports no gevent. The option is kept in
  ``sys._xoptions['gpython.runtime']``; the chosen runtime is exported to
  child processes as ``$GPYTHON_RUNTIME`` (so a gpython subprocess, or a
  multiprocessing "spawn" child, runs on the same runtime);
- every name of ``golang.__all__`` is a builtin;
- ``sys.version`` ends with ``" [GPython <golang.__version__>] [gevent X]"``
  or ``"... [threads]"``;
- ``sys.executable`` is the gpython command (``realpath(argv[0])``) and
  ``sys._gpy_underlying_executable`` the real interpreter;
- UTF-8 is the default encoding: gpython runs the interpreter in UTF-8 mode
  (``-X utf8``; it re-executes itself once to get it, unless
  ``$PYTHONUTF8`` says otherwise).

Options, those of Pygolang 0.1: ``-c cmd``, ``-m mod``, ``-i``, ``-O``
(re-executes the interpreter with it), ``-V``/``--version`` (prints e.g.
``GPython 0.1 [gevent 24.2.1] / CPython 3.11.7`` to standard error), ``-W
arg``, ``-X gpython.runtime=gevent|threads``, ``-`` (program from standard
input) and ``--`` (end of options). Short options combine (``-OO``,
``-Werror``, ``-cCMD``). Beyond 0.1, the options python gives to the child
interpreters it starts (``-b -B -d -P -q -s -v`` and ``-X`` dev,
faulthandler, tracemalloc, importtime, frozen_modules, showrefcount, utf8)
are applied as ``-O`` is, so that e.g. multiprocessing's children, which
run ``sys.executable`` (gpython) with them, start. Any other short option
raises ``RuntimeError('unexpected option -u')``; any other ``-X`` prints
``unknown option: '-X'`` and exits with status 2; any other ``-X gpython.*``
raises ``RuntimeError('gpython: unknown -X option -X')``.

``pymain(argv, init=None)`` is the part that mimics ``python`` and can be
called by other programs: ``argv[0]`` is the program's own path (it becomes
``sys.executable``) and ``init``, if given, is called once the options are
parsed and ``sys.path`` is set up, before the program runs.

This package is kept out of ``golang/`` on purpose: importing anything under
``golang`` imports the ``golang`` package, and gevent must patch the standard
library before that. So only ``sys`` and ``os`` (both imported by python's
own start-up) are imported here at module level.
"""

import os
import sys

__all__ = ['main', 'pymain']

_DEFAULT_RUNTIME = 'gevent'

# The options gpython knows: short option -> whether it takes an argument.
_SHORTOPTS = {'c': True, 'i': False, 'm': True, 'O': False, 'V': False, 'W': True, 'X': True}
_LONGOPTS = {'--version': False}

# Beyond Pygolang 0.1: the interpreter options that python itself gives to
# the child interpreters it starts (subprocess._args_from_interpreter_flags:
# multiprocessing's spawn and forkserver children, resource tracker, ...).
# With sys.executable being gpython, those children are gpython, which
# must accept them: the interpreter applies them, as -O, when gpython
# re-executes it with them. (E.g. $PYTHONDONTWRITEBYTECODE in the parent
# gives children -B.) Not -S: without site, the re-executed gpython could
# not import itself, so no gpython runs with it to pass it on. Not -E nor -I:
# they stay unexpected options as in 0.1 (`gpython -E` raises), and only a
# parent started with them passes them on, which no gpython is.
_INTERP_FLAGS = 'bBdPqsv'
_INTERP_XOPTS = ('dev', 'faulthandler', 'tracemalloc', 'importtime', 'frozen_modules',
                 'showrefcount', 'utf8')
for _ in _INTERP_FLAGS:
    _SHORTOPTS[_] = False
del _


class _OptScanner(object):
    """_OptScanner yields (option, argument) from the front of argv as
    python's command line is parsed: '-abc' is -a -b -c, an option that takes
    an argument takes the rest of its word or the next word, and scanning
    stops at the first non-option, at '-' or after '--' (.dashdash tells).
    .argv is what is left."""

    def __init__(self, argv):
        self.argv = list(argv)
        self.dashdash = False
        self._tail = ''         # rest of the current '-abc' word

    def __iter__(self):
        return self

    def __next__(self):
        if self._tail:
            opt = '-' + self._tail[0]
            self._tail = self._tail[1:]
            if opt[1] not in _SHORTOPTS:
                raise RuntimeError('unexpected option %s' % opt)
            arg = None
            if _SHORTOPTS[opt[1]]:
                if self._tail:
                    arg, self._tail = self._tail, ''
                elif self.argv:
                    arg = self.argv.pop(0)
                else:
                    raise RuntimeError('option %s requires an argument' % opt)
            return opt, arg

        if not self.argv:
            raise StopIteration
        word = self.argv[0]
        if word == '-' or not word.startswith('-'):
            raise StopIteration
        self.argv.pop(0)
        if word == '--':
            self.dashdash = True
            raise StopIteration
        if not word.startswith('--'):
            self._tail = word[1:]
            return self.__next__()
        opt, eq, arg = word.partition('=')
        if opt not in _LONGOPTS:
            raise RuntimeError('unexpected option %s' % opt)
        if eq:
            raise RuntimeError('option %s requires no argument' % opt)
        return opt, None

    next = __next__


# ---- pymain: python's command line and program start ----

def pymain(argv, init=None):
    """pymain runs a program the way ``python argv[1:]...`` would.

    argv[0] is the path of the running program itself; it becomes
    sys.executable. init, if not None, is called after the options are
    parsed and sys.path is set up, and before the program runs (or -V
    prints). Exceptions of the program propagate to the caller.
    """
    _pymain(argv, init)


def _pymain(argv, init, reexec_with=(), reexec_opts=(), report=False):
    """_pymain is pymain. main() adds: reexec_with, interpreter options to
    re-execute with even without -O (e.g. -X utf8); reexec_opts, gpython
    options to give the re-executed gpython (e.g. -X gpython.runtime=...);
    report, to print a failing program's traceback as python does (without
    gpython's frames) and exit 1 instead of raising."""
    exe = os.path.realpath(argv[0])
    argv = list(argv[1:])
    if exe.endswith('-script.py'):      # setuptools launchers on Windows
        exe = exe[:-len('-script.py')] + '.exe'
    underlying = getattr(sys, '_gpy_underlying_executable', None) or sys.executable
    sys._gpy_underlying_executable = underlying
    sys.executable = exe

    # `python /path/to/gpython` put /path/to first in sys.path: the program
    # gets what python would put there instead (buildout scripts insert their
    # eggs in front of it).
    exedir = os.path.dirname(exe)
    if sys.path and sys.path[0] == exedir:
        del sys.path[0]
    elif exedir in sys.path and _is_buildout_script(exe):
        sys.path.remove(exedir)

    kind = None             # 'c', 'm', 'file' or None (standard input / console)
    target = None           # the command, module or file
    version = False
    inspect = False
    warnoptions = []
    reexec = list(reexec_with)      # interpreter options to re-execute with (-O)
    reexec_argv = list(reexec_opts)  # gpython's arguments for the re-executed gpython

    scan = _OptScanner(argv)
    for opt, arg in scan:
        if opt == '-O' or opt[1:] in _INTERP_FLAGS or \
                (opt == '-X' and arg.partition('=')[0] in _INTERP_XOPTS):
            # only the interpreter can apply these: re-execute with them.
            reexec += [opt] if arg is None else [opt, arg]
            continue
        reexec_argv += [opt] if arg is None else [opt, arg]
        if opt in ('-V', '--version'):
            version = True
            break
        elif opt in ('-c', '-m'):
            kind, target = opt[1], arg
            break
        elif opt == '-W':
            warnoptions.append(arg)
        elif opt == '-i':
            inspect = True
        else:               # -X other than gpython.*
            sys.stderr.write("unknown option: '%s'\n" % opt)
            sys.stderr.flush()
            sys.exit(2)
    rest = scan.argv
    if scan.dashdash:
        reexec_argv.append('--')
    reexec_argv += rest

    cwd = os.getcwd()
    path = None
    if kind == 'c':
        sys.argv = ['-c'] + rest
        path0 = ''
    elif kind == 'm':
        sys.argv = [target] + rest
        path0 = os.path.realpath(cwd)
    elif rest and rest[0] != '-':
        kind, target = 'file', rest[0]
        sys.argv = rest
        path = target if os.path.isabs(target) else os.path.join(cwd, target)
        path0 = path if os.path.isdir(path) or _is_zip(path) else \
            os.path.dirname(os.path.realpath(path))
    else:
        sys.argv = rest or ['']
        path0 = ''
    if not getattr(sys.flags, 'safe_path', False):
        sys.path.insert(0, path0)

    if reexec:
        _reexec([underlying] + reexec + [exe] + reexec_argv)

    if init is not None:
        init()

    if version:
        sys.stderr.write(_version_text() + '\n')
        sys.stderr.flush()
        return

    if warnoptions:
        # the warnings module may be set up already by whoever called us:
        # amend its setup instead of reloading it. ($PYTHONWARNINGS is the
        # underlying python's.)
        import warnings
        sys.warnoptions += warnoptions
        warnings._processoptions(warnoptions)

    # a fresh __main__ for the program, as python would have it.
    mmain = type(sys)('__main__')
    g = mmain.__dict__
    g['__builtins__'] = sys.modules['builtins']
    if sys.version_info < (3, 14):
        g['__annotations__'] = {}
    g['__loader__'] = sys.__loader__        # what python gives for -c and stdin
    sys.modules['__main__'] = mmain

    if report:
        # (registered before the program's own atexit functions, so that it
        # runs after them)
        import atexit
        atexit.register(_exit_by_sigint_if_interrupted)

    console = False
    if kind == 'file' and not (os.path.isdir(path) or _is_zip(path)):
        try:
            open(path, 'rb').close()
        except OSError as e:
            sys.stderr.write("%s: can't open file %r: [Errno %d] %s\n" % (exe, path, e.errno, e.strerror))
            sys.exit(2)
    elif kind is None:
        console = inspect or _isatty(sys.stdin)
        inspect = False     # (no second console after the console)

    try:
        if kind == 'c':
            exec(compile(target, '<string>', 'exec', dont_inherit=True), g)
        elif kind == 'm':
            _run_main_module(target, True)
        elif kind == 'file':
            if os.path.isdir(path) or _is_zip(path):
                _run_main_module('__main__', False)
            else:
                from importlib.machinery import SourceFileLoader
                g['__loader__'] = SourceFileLoader('__main__', path)
                _exec_file(g, path, path)
        elif console:
            _console_prelude(g)
            _interact(g, _banner())
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
        if not (report or inspect):
            raise
        _report(e)
        if not inspect:
            if isinstance(e, KeyboardInterrupt):
                _exit_by_sigint[0] = True
            e = None
            sys.exit(1)
        e = None
    if inspect:
        _interact(g, '')


def _reexec(argv):
    """_reexec replaces the process with argv (a child on Windows)."""
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    if os.name == 'nt':
        import subprocess
        sys.exit(subprocess.call(argv))
    os.execv(argv[0], argv)


def _version_info_str(vi):
    """_version_info_str formats a version_info as -V prints it: 'a.b.c',
    plus '.<level><serial>' for a release that is not final."""
    major, minor, micro, level, serial = tuple(vi)[:5]
    v = '%d.%d.%d' % (major, minor, micro)
    if (level, serial) != ('final', 0):
        v += '.%s%s' % (level, serial)
    return v


def _version_text():
    """_version_text is what -V prints: 'GPython X [runtime] / CPython a.b.c'
    (PyPy: '... / PyPy a.b.c / Python x.y.z'); the GPython part only once
    gpython's init ran."""
    import platform
    ver = []
    if 'GPython' in sys.version:
        golang = sys.modules['golang']
        gevent = sys.modules.get('gevent')
        tag = 'gevent %s' % gevent.__version__ if gevent is not None else 'threads'
        ver.append('GPython %s [%s]' % (golang.__version__, tag))
    impl = platform.python_implementation()
    if impl == 'CPython':
        ver.append('CPython %s' % _version_info_str(sys.version_info))
    elif impl == 'PyPy':
        ver.append('PyPy %s' % _version_info_str(sys.pypy_version_info))
        ver.append('Python %s' % _version_info_str(sys.version_info))
    else:
        return sys.version
    return ' / '.join(ver)


def _is_buildout_script(path):
    """_is_buildout_script tells whether the file at path is a script made by
    zc.buildout, which puts its eggs first in sys.path."""
    try:
        with open(path, 'r') as f:
            src = f.read()
    except (OSError, UnicodeDecodeError):
        return False
    return '\nsys.path[0:0] = [\n' in src


def _isatty(f):
    try:
        return f is not None and f.isatty()
    except Exception:
        return False


def _is_zip(path):
    import zipimport
    try:
        zipimport.zipimporter(path)
    except Exception:
        return False
    return True


def _exec_file(g, path, filename):
    """_exec_file runs file path in globals g as python runs a __main__
    file: with __file__ and __cached__ set while it runs, compiled without
    gpython's own __future__ flags."""
    with open(path, 'rb') as f:
        src = f.read()
    g['__file__'] = filename
    g['__cached__'] = None
    try:
        exec(compile(src, filename, 'exec', dont_inherit=True), g)
    finally:
        g.pop('__file__', None)
        g.pop('__cached__', None)


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


_exit_by_sigint = [False]     # set when the program died of KeyboardInterrupt


def _exit_by_sigint_if_interrupted():
    """After an uncaught KeyboardInterrupt python >= 3.8 ends by SIGINT; so
    does gpython, at exit, after the program's atexit functions."""
    if not _exit_by_sigint[0] or os.name != 'posix':
        return
    import signal
    for f in (sys.stdout, sys.stderr):
        try:
            f.flush()
        except Exception:
            pass
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGINT)


def _banner():
    banner = 'Python %s on %s\n' % (sys.version, sys.platform)
    if not sys.flags.no_site:
        banner += 'Type "help", "copyright", "credits" or "license" for more information.'
    return banner


def _console_prelude(g):
    """_console_prelude runs $PYTHONSTARTUP, as python does before its
    prompt when there is no program."""
    startup = None if sys.flags.ignore_environment else os.environ.get('PYTHONSTARTUP')
    if startup and os.path.isfile(startup):
        try:
            _exec_file(g, startup, startup)
        except SystemExit:
            raise
        except BaseException as e:
            _report(e)


def _interact(g, banner):
    """_interact runs the interactive console in globals g. As python's,
    its prompts go to stdout on a terminal and to stderr when stdin or stdout
    is not one."""
    import code
    try:
        import readline     # noqa: F401  (line editing for input())
    except ImportError:
        pass
    console = code.InteractiveConsole(g)

    def raw_input(prompt=''):
        if _isatty(sys.stdin) and _isatty(sys.stdout):
            return input(prompt)
        sys.stderr.write(prompt)
        sys.stderr.flush()
        return input('')
    console.raw_input = raw_input
    console.interact(banner=banner, exitmsg='')


# ---- main: the gpython command ----

def _must_be_patched_first(version_info=None, pypy=None):
    """_must_be_patched_first lists the modules that must not be imported
    before gpython sets the runtime up (gevent must patch them first)."""
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
    """_check_not_preimported raises RuntimeError if modules (a
    sys.modules-like mapping) holds a module that must be imported only
    after gpython set the runtime up."""
    bad = [m for m in _must_be_patched_first() if m in modules]
    if bad:
        raise RuntimeError('gpython: internal error: the following modules are pre-imported, '
                           'but must be not: %s (imported by sitecustomize, usercustomize '
                           'or a .pth file?)' % ', '.join(bad))


def _init_runtime(runtime):
    """_init_runtime sets up runtime ('gevent' or 'threads'), then imports
    golang, puts golang.__all__ into builtins and tags sys.version."""
    if runtime == 'gevent':
        try:
            import gevent
            from gevent import monkey
        except ImportError as e:
            raise RuntimeError('gpython: the gevent runtime needs gevent, which cannot be '
                               'imported (%s): pip install pygolang-rs[gpython], or run with '
                               '-X gpython.runtime=threads' % e)
        if monkey.patch_all() not in (True, None):
            raise RuntimeError('gevent monkey-patching failed')
        tag = 'gevent %s' % gevent.__version__
    elif runtime == 'threads':
        tag = 'threads'
    else:
        raise RuntimeError('gpython: invalid runtime %s' % runtime)

    import builtins
    import golang
    for name in golang.__all__:
        setattr(builtins, name, getattr(golang, name))
    sys.version += ' [GPython %s] [%s]' % (golang.__version__, tag)


def main():
    """main is the gpython command: it takes the -X gpython.* options out of
    sys.argv, chooses the runtime and runs pymain with an init that sets the
    runtime up."""
    _check_not_preimported(sys.modules)

    xruntime = None
    pyargv = []
    scan = _OptScanner(sys.argv[1:])
    for opt, arg in scan:
        if opt == '-X' and arg.startswith('gpython.'):
            if not arg.startswith('gpython.runtime='):
                raise RuntimeError('gpython: unknown -X option %s' % opt)
            xruntime = arg[len('gpython.runtime='):]
            continue
        pyargv += [opt] if arg is None else [opt, arg]
        if opt in ('-c', '-m'):     # what follows is the program's
            break
    if scan.dashdash:
        pyargv.append('--')
    argv = [sys.argv[0]] + pyargv + scan.argv

    reexec_opts = []
    if xruntime is not None:
        runtime = xruntime
        sys._xoptions['gpython.runtime'] = xruntime
        reexec_opts = ['-X', 'gpython.runtime=' + xruntime]
    else:
        runtime = os.environ.get('GPYTHON_RUNTIME') or _DEFAULT_RUNTIME
    # children (a gpython subprocess, a multiprocessing spawn child) run on
    # the same runtime.
    os.environ['GPYTHON_RUNTIME'] = runtime

    # UTF-8 mode can only be chosen when the interpreter starts: re-execute
    # once with -X utf8, unless the interpreter was told about it already.
    reexec_with = []
    if 'utf8' not in sys._xoptions and 'PYTHONUTF8' not in os.environ and not sys.flags.utf8_mode:
        reexec_with = ['-X', 'utf8']
    # (a -X utf8 we gave would be passed on by subprocess's
    # _args_from_interpreter_flags, e.g. to multiprocessing children, and
    # gpython accepts no -X utf8: the mode is in sys.flags.utf8_mode anyway.)
    if sys._xoptions.get('utf8') is True:
        del sys._xoptions['utf8']

    _pymain(argv, lambda: _init_runtime(runtime), reexec_with, reexec_opts, report=True)


if __name__ == '__main__':
    main()
