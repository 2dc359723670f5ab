"""The Cython/C++ API on the runtime's C ABI (docs/ARCHITECTURE.md, "C ABI"):
the demos under tests/pyx are built with golang.pyx.build against the
installed package and run under python (thread runtime) and gpython (gevent
runtime); each must print exactly its OK line. The C-level conformance checks
(tests/pyx/golang_capi_test) run through the same header.

The demos are built with the Cython of the venv (0.29, as Pygolang's own
build: Pygolang-style `cdef nogil: void f() except +topyexc:` needs it), and
the conformance module once more with Cython 3 when setup.sh put one in
.venv/cython3 (users may choose Cython 3 for code it accepts).

Builds are cached: a copy of tests/pyx built once in a temporary directory
keyed by a hash of every input (the demos, golang's headers, pxd files and
pyx/build.py, the package, Cython, setuptools_dso and Python versions), so
the gpython run of this suite reuses what the python run built. The
extensions do not link the native core (they reach it through the C ABI
capsule at run time), so these are all the inputs.
"""

import glob
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile

import pytest

import golang

HERE = os.path.dirname(os.path.abspath(__file__))
PYX = os.path.join(HERE, "..", "pyx")
BIN = os.path.dirname(sys.executable)
# sys.executable is gpython when this suite runs under gpython; builds and the
# thread-runtime runs use plain python (setuptools_dso's parallel compile
# hangs under gevent: its worker processes are forked from a gevent hub).
PYTHON = os.path.join(BIN, "python")
RUNNERS = {"python": [PYTHON], "gpython": [os.path.join(BIN, "gpython")]}
# Cython 3, installed by setup.sh with `pip install --target` (put first on
# PYTHONPATH, it shadows the venv's Cython 0.29 for one build).
CYTHON3 = os.path.join(BIN, "..", "cython3")


def _run(argv, cwd, timeout=240, pythonpath=None):
    env = dict(os.environ)
    env.pop("GPYTHON_RUNTIME", None)
    env["PYTHONPATH"] = os.pathsep.join(([pythonpath] if pythonpath else []) + [cwd])
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def _start(argv, cwd, pythonpath=None):
    env = dict(os.environ)
    env.pop("GPYTHON_RUNTIME", None)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check(p):
    assert p.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout.decode(), p.stderr.decode())
    return p


def _capitest(cmd, demos, prog, timeout=240):
    """Runs the program `prog` with the interpreter `cmd` beside the built
    golang_capi_test modules of `demos`; checks that it succeeded."""
    return _check(_run(cmd + ["-c", prog], cwd=demos["golang_capi_test"], timeout=timeout))


def _version(dist):
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _cython_version(pythonpath):
    p = _check(_run([PYTHON, "-c", "import Cython; print(Cython.__version__)"], cwd=HERE, pythonpath=pythonpath))
    return p.stdout.decode().strip()


def _is_output(dirpath, name):
    """Build output (not an input): build dirs, objects, and the .cpp that
    Cython generates next to its .pyx (dso.cpp is a source)."""
    if name in ("build", "__pycache__", ".ok") or name.endswith((".so", ".o", ".egg-info")):
        return True
    return name.endswith(".cpp") and os.path.exists(os.path.join(dirpath, name[:-4] + ".pyx"))


def _ignore(dirpath, names):
    return [n for n in names if _is_output(dirpath, n)]


def _inputs_hash(tag):
    """A hash of everything a build of tests/pyx depends on."""
    h = hashlib.sha256(tag.encode())
    # the building interpreter (gpython's sys.version names gpython and
    # gevent, but the builds always run under plain python)
    h.update(("%s;%r;%s;" % (PYTHON, tuple(sys.version_info), sysconfig.get_config_var("SOABI"))).encode())
    for dist in ("pygolang-rs", "setuptools_dso", "setuptools"):
        h.update(("%s=%s;" % (dist, _version(dist))).encode())
    gdir = os.path.dirname(os.path.abspath(golang.__file__))
    files = sorted(glob.glob(os.path.join(gdir, "*.h")) + glob.glob(os.path.join(gdir, "*.pxd")) +
                   glob.glob(os.path.join(gdir, "*", "*.h")) + glob.glob(os.path.join(gdir, "*", "*.pxd")) +
                   glob.glob(os.path.join(gdir, "*", "*", "*.h")) + glob.glob(os.path.join(gdir, "*", "*", "*.pxd")))
    files.append(os.path.join(gdir, "pyx", "build.py"))
    for root, dirs, names in os.walk(PYX):
        dirs[:] = sorted(d for d in dirs if not _is_output(root, d))
        files += [os.path.join(root, n) for n in sorted(names) if not _is_output(root, n)]
    for f in files:
        h.update(os.path.relpath(f, gdir if f.startswith(gdir) else PYX).encode())
        with open(f, "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:20]


def _cached_build(tag, build):
    """A built copy of tests/pyx: reused when a build with the same inputs
    exists (a `.ok` marker is written last), else `build(dst)` runs in a
    fresh copy that is then renamed into place (atomic: a concurrent run
    either sees the whole build or none)."""
    key = "pygolang-rs-pyx-%s-%s-%d" % (tag, _inputs_hash(tag), os.getuid())
    final = os.path.join(tempfile.gettempdir(), key)
    if os.path.exists(os.path.join(final, ".ok")):
        return final
    work = tempfile.mkdtemp(prefix=key + ".tmp-")
    try:
        dst = os.path.join(work, "pyx")
        shutil.copytree(PYX, dst, ignore=_ignore)
        build(dst)
        open(os.path.join(dst, ".ok"), "w").close()
        shutil.rmtree(final, ignore_errors=True)  # a half-built leftover without .ok
        try:
            os.rename(dst, final)
        except OSError:
            if not os.path.exists(os.path.join(final, ".ok")):
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return final


def _build_demos(dst):
    py = [PYTHON]
    # The two independent builds run alongside the DSO demo's two steps.
    bg = [_start(py + ["setup.py", "build_ext", "-i"], cwd=os.path.join(dst, n)) for n in ("golang_pyx_user", "golang_capi_test")]
    dso = os.path.join(dst, "golang_dso_user")
    _check(_run(py + ["setup.py", "build_dso", "-i"], cwd=dso))
    _check(_run(py + ["setup.py", "build_ext", "-i"], cwd=dso))
    for p in bg:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, out.decode(), err.decode())


def _paths(root):
    d = {name: os.path.join(root, name) for name in ("golang_pyx_user", "golang_dso_user", "golang_capi_test")}
    d["root"] = root
    return d


@pytest.fixture(scope="module")
def demos():
    return _paths(_cached_build("cy" + _cython_version(None), _build_demos))


@pytest.fixture(scope="module")
def demos_cython3():
    if not os.path.isdir(CYTHON3):
        pytest.skip("no Cython 3 in %s (setup.sh installs it)" % CYTHON3)
    cy = _cython_version(CYTHON3)
    assert cy.split(".")[0] == "3", cy

    def build(dst):
        _check(_run([PYTHON, "setup.py", "build_ext", "-i"], cwd=os.path.join(dst, "golang_capi_test"), pythonpath=CYTHON3))

    return _paths(_cached_build("cy" + cy, build))


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_pyx_user_prints_ok_with_goroutines_and_chan_int_in_nogil_code(demos, runner):
    p = _check(_run(RUNNERS[runner] + ["-c", "import golang; from pyxuser import test; test.main()"], cwd=demos["golang_pyx_user"]))
    assert p.stdout == b"test.pyx: OK\n"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_dso_user_prints_ok_from_plain_cpp_shared_library(demos, runner):
    p = _check(_run(RUNNERS[runner] + ["-c", "import golang; from dsouser import test; test.main()"], cwd=demos["golang_dso_user"]))
    assert p.stdout == b"dso.cpp: OK\n"


def test_pyx_build_keeps_custom_build_ext_cmdclass(demos):
    p = _check(_run([PYTHON, "cmdclass_custom.py", "build_ext"], cwd=demos["root"]))
    assert b"pyx.build:RUN_BUILD_EXT" in p.stdout


CHECKS = [
    "close_wakes_all_receivers",
    "close_wakes_all_senders",
    "select_on_nil_channels_never_ready",
    "select_exactly_once_under_concurrency",
    "select_recv_gives_value_and_ok",
    "select_inplace_send",
    "elements_of_any_size_roundtrip",
    "refcounts_reach_zero",
    "panic_recover_roundtrip",
    # the C++ API as Pygolang's own tests (libgolang_test.cpp, cxx_test.cpp,
    # _sync_test.pyx) use it, in checks of our own
    "cxx_dict_has_go_comma_ok_lookups",
    "global_holds_a_reference_it_never_gives_back",
    "func_is_a_function_value",
    "sema_freed_right_after_its_wakeup",
    "waiting_select_holds_its_channels",
    "tblockforever_makes_blocking_forever_panic",
    # golang/libgolang.h compiled as C (capitest/cabi.c)
    "cabi_chan_select_roundtrip",
    "cabi_taskgo_runs_a_c_function",
    "cabi_sema_roundtrip",
]

PANICS = {
    "close_of_closed_panics": "close of closed channel",
    "close_of_nil_panics": "close of nil channel",
    "send_on_closed_panics": "send on closed channel",
    "elemsize_mismatch_panics": "wrapchan: elemsize mismatch",
    "select_invalid_op_panics": "select: invalid op",
    "select_multiple_default_panics": "select: multiple default",
    "select_recv_into_inplace_panics": "select: recv into inplace data",
    "cabi_close_of_closed_panics": "close of closed channel",
}

_PROG = r"""
import sys, golang
from capitest import conformance
for name in sys.argv[1:]:
    try:
        conformance.run(name)
        print(name, "OK")
    except golang._PanicError as e:
        print(name, "PANIC", e.args[0])
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_c_abi_conformance_through_the_header(demos, runner):
    p = _check(_run(RUNNERS[runner] + ["-c", _PROG] + CHECKS + sorted(PANICS), cwd=demos["golang_capi_test"]))
    want = ["%s OK" % n for n in CHECKS] + ["%s PANIC %s" % (n, PANICS[n]) for n in sorted(PANICS)]
    assert p.stdout.decode().splitlines() == want


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_c_abi_conformance_built_with_cython3(demos_cython3, runner):
    p = _check(_run(RUNNERS[runner] + ["-c", _PROG] + CHECKS + sorted(PANICS), cwd=demos_cython3["golang_capi_test"]))
    want = ["%s OK" % n for n in CHECKS] + ["%s PANIC %s" % (n, PANICS[n]) for n in sorted(PANICS)]
    assert p.stdout.decode().splitlines() == want


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_runtime_calls_from_c_keep_a_pending_python_exception(demos, runner):
    prog = "from capitest import conformance\nprint(conformance.runtime_calls_keep_a_pending_python_exception())\n"
    p = _capitest(RUNNERS[runner], demos, prog)
    assert p.stdout == b"[]\n"


_PANIC_PROG = r"""
import golang
from capitest import pyxpanic
try:
    pyxpanic.close_nil()
except golang._PanicError as e:
    print(type(e).__name__, e.args)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_panic_in_nogil_cdef_except_topyexc_is_PanicError_in_python(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _PANIC_PROG)
    assert p.stdout == b"_PanicError ('close of nil channel',)\n"


def test_abi_version_mismatch_is_import_error_naming_both_versions(demos):
    prog = "from capitest import abi99\ntry:\n    abi99.make()\nexcept ImportError as e:\n    print(e)\n"
    p = _capitest([PYTHON], demos, prog)
    out = p.stdout.decode()
    assert "built for ABI 99" in out and "provides ABI 1" in out, out


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_sync_and_time_pxds_from_cython_nogil_code(demos, runner):
    # Many rounds: each ends with `wg.wait(); del shared` while the last
    # goroutine may still be inside WaitGroup.done (sync.h invariant 4: a
    # use after free there crashed about 1 run in 30).
    prog = "from capitest import conformance\nfor _ in range(20): conformance.sync_time_from_cython()\nprint('ok')\n"
    p = _capitest(RUNNERS[runner], demos, prog)
    assert p.stdout == b"ok\n"


_CXXLIB_PROG = """
import ctypes, golang
from capitest import cxxlib
print(cxxlib.errors_rules())
print(cxxlib.texts())
print(cxxlib.strings_rules())
print(cxxlib.cxx_rules())
get = ctypes.pythonapi.PyCapsule_GetPointer
get.restype, get.argtypes = ctypes.c_void_p, [ctypes.py_object, ctypes.c_char_p]
print(get(golang._golang._cxx_io_EOF, b"golang::error") == cxxlib.eof_is_one_object())
"""


def _cxxlib_check(out):
    lines = out.decode().splitlines()
    assert eval(lines[0]) == dict(is_nil_nil=True, is_err_nil=False, is_nil_err=False, is_self=True,
                                  is_other=True, is_difftext=False, is_wrapped_eof=True,
                                  unwrap_text_nil=True)
    assert eval(lines[1]) == [
        "boom", "3-x-2.5", "plain 7",
        "write f.txt: disk full",   # errorf ": %w" wraps: prefix, ": ", the error's text
        "wraps", "is",              # Unwrap gives it back; Is sees through two wraps
        "nothing: %!w(<nil>)",      # %w of nil
        "as text disk full",        # an error for %s is its text, and is not wrapped
        "not-wrapped",
        "EOF", "unexpected EOF", "eof-same",
    ]
    assert eval(lines[2]) == dict(split=["a", "b", "", "c"], split_empty=[],
                                  has_prefix=(True, False, True, False), has_suffix=(True, False, True, False),
                                  trim=("lang", "golang", "go", "golan", "olang"))
    assert eval(lines[3]) == (True, False, True, False, 2.5)
    assert lines[4] == "True"       # io.EOF: one object per process, kept on golang._golang


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_errors_fmt_io_strings_cxx_pxds_from_cython_nogil_code(demos, runner):
    _cxxlib_check(_capitest(RUNNERS[runner], demos, _CXXLIB_PROG).stdout)


def test_errors_fmt_io_strings_cxx_pxds_built_with_cython3(demos_cython3):
    _cxxlib_check(_capitest([PYTHON], demos_cython3, _CXXLIB_PROG).stdout)


# C++ errors as golang.error (`pyerror.from_error`, `e.err`,
# capitest/pyerrlib.pyx): each line is one check.
_PYERR_PROG = r"""
import gc, warnings
warnings.simplefilter("error")      # a size-changed warning at cimport fails
import golang
from golang import errors, error, fmt
from capitest import pyerrlib as L
class MyErr(error):
    def Error(self): return "mine"
e = L.wrapped_chain()
print(type(e) is error, str(e), e.Error(), e.args)
print(repr(e))
print(e.Unwrap() == errors.New("disk full"), errors.Is(e, errors.New("disk full")), e.Unwrap().Unwrap())
print(L.err_text(e), L.err_text(e.Unwrap()), L.err_text(error("made by python")))
w = fmt.Errorf("ctx: %w", error("inner"))
print(L.err_text(w), L.err_text(w.Unwrap()), L.err_text(fmt.Errorf("of C++: %w", e)), L.err_text(MyErr()))
print(L.from_nil(), L.same_err(e, L.rewrap(e)), L.rewrap(e) == e, hash(L.rewrap(e)) == hash(e))
c = L.counted(); print(L.counted_live(), repr(c), L.err_text(c))
del c; gc.collect(); print(L.counted_live())
try:
    L.panicky()
except golang._PanicError as p:
    print("panic", p.args)
try:
    raise L.wrapped_chain()
except error as x:
    print("raised", x)
try:
    L.do_pypanic("zz")
except golang._PanicError as p:
    print("pypanic", p.args, L.pystr(b"\xd0\xb0") == "\u0430", L.pystr("x"))
"""


def _pyerr_check(out):
    lines = out.decode().splitlines()
    assert lines[0] == "True read f: disk full read f: disk full ()"
    assert lines[1] == '<golang._golang.pyerror object ctype=N6golang3fmt10_WrapErrorE error="read f: disk full">'
    assert lines[2] == "True True None"
    assert lines[3] == "read f: disk full disk full made by python"   # Python's errors get C++ twins
    assert lines[4] == "ctx: inner inner of C++: read f: disk full None"  # (a subclass: none, as in Pygolang)
    assert lines[5] == "None True True True"
    assert lines[6] == '1 <golang._golang.pyerror object ctype=13_CountedError error="counted"> counted'
    assert lines[7] == "0"                                  # the C++ error is released with its pyerror
    assert lines[8] == "panic ('Error() panicked',)"
    assert lines[9] == "raised read f: disk full"
    assert lines[10] == "pypanic ('zz',) True x"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_cpp_errors_become_golang_errors_and_keep_their_cpp_error(demos, runner):
    _pyerr_check(_capitest(RUNNERS[runner], demos, _PYERR_PROG).stdout)


def test_cpp_errors_become_golang_errors_built_with_cython3(demos_cython3):
    _pyerr_check(_capitest([PYTHON], demos_cython3, _PYERR_PROG).stdout)


# Python's contexts and nogil code on one tree (`pyctx.ctx`,
# `PyContext.from_ctx`, capitest/pyctxlib.pyx): each line is one check.
_PYCTX_PROG = r"""
import warnings
warnings.simplefilter("error")      # a size-changed warning at cimport fails
import golang
from golang import context, go
from capitest import pyctxlib as L
bg = context.background()
ctx, cancel = context.with_cancel(bg)
print(L.is_done(ctx), L.err_text(ctx))
cancel()
print(L.is_done(ctx), L.err_text(ctx))
p, pcancel = context.with_cancel(bg)
k = L.child_of(p)
print(type(k) is context.Context, k.err(), L.children_count(p), L.same(k, k))
pcancel()
print(k.done().recv_(), k.err() == context.canceled, L.err_text(k))
q, qcancel = context.with_cancel(bg)
k2 = L.child_of(q)
L.cancel_child()
print(k2.err() == context.canceled, q.err(), L.is_done(q))
r, rcancel = context.with_cancel(bg)
go(rcancel)
L.wait_done(r)
print("woke", r.err() == context.canceled)
d, dcancel = context.with_deadline(bg, 4e9)
print(L.deadline_of(d) == d.deadline() == 4e9, L.deadline_of(bg))
print(L.background_of_cxx() is bg)
v = L.value_ctx(bg)
c2, c2cancel = context.with_cancel(v)
print(L.value_text(v), L.value_text(c2), L.value_text(bg))
try:
    L.from_nil()
except golang._PanicError as e:
    print("panic", e.args)
"""


def _pyctx_check(out):
    lines = out.decode().splitlines()
    assert lines[0] == "False None"
    assert lines[1] == "True context canceled"
    assert lines[2] == "True None 1 True"               # C++'s child is registered with Python's ctx
    assert lines[3] == "(None, False) True context canceled"   # Python's cancel reached it
    assert lines[4] == "True None False"                # C++'s cancel: the child only
    assert lines[5] == "woke True"                      # nogil code woken by Python's cancel
    assert lines[6] == "True inf"
    assert lines[7] == "True"                           # one background
    assert lines[8] == "v v None"                       # C++ values seen through Python's child
    assert lines[9] == "panic ('PyContext.from_ctx: ctx is nil',)"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_python_contexts_and_nogil_code_share_one_tree(demos, runner):
    _pyctx_check(_capitest(RUNNERS[runner], demos, _PYCTX_PROG).stdout)


def test_python_contexts_and_nogil_code_built_with_cython3(demos_cython3):
    _pyctx_check(_capitest([PYTHON], demos_cython3, _PYCTX_PROG).stdout)


# The bridges leak nothing: C++ contexts made under Python ones and given to
# Python, their cancel functions, C++ values, C++ errors converted both ways
# and Python errors' C++ twins, over a bounded loop, by the process's memory.
_BRIDGE_LEAK_PROG = r"""
import gc
from golang import context, error, fmt
from capitest import pyctxlib as C, pyerrlib as E
bg = context.background()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096
def rounds(n):
    for _ in range(n):
        p, pcancel = context.with_cancel(bg)
        k = C.child_of(p)
        C.cancel_child()
        C.value_text(C.value_ctx(k))
        pcancel()
        e = E.wrapped_chain()
        E.err_text(E.rewrap(e))
        E.err_text(fmt.Errorf("w: %w", error("x")))
        E.counted()
rounds(3000); gc.collect()
r0 = rss()
rounds(50000); gc.collect()
grow = rss() - r0
print("ok" if grow < (2 << 20) else "grew %d bytes" % grow, E.counted_live())
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_context_and_error_bridges_leak_no_memory(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _BRIDGE_LEAK_PROG, timeout=300)
    assert p.stdout.decode().split() == ["ok", "0"]


# Python chans and nogil code sharing one channel (pychan.chan_X() /
# pychan.from_chan_X(ch), capitest/pychanlib.pyx): each line is one check.
_PYCHAN_PROG = r"""
import warnings
warnings.simplefilter("error")      # a size-changed warning at cimport fails
from golang import chan, nilchan
from capitest import pychanlib as L
c = chan(1, dtype='C.int'); L.int_send(c, 7); print(c.recv())
c.send(8); print(L.int_recv_(c))
L.int_close(c); print(c.recv_(), L.int_recv_(c))
d = chan(1, dtype='C.double'); L.double_send(d, 1.5); print(d.recv()); d.send(-2.0); print(L.double_recv(d))
b = chan(1, dtype='C.bool'); L.bool_send(b, True); print(b.recv()); b.send(False); print(L.bool_recv(b))
z = chan(1, dtype='C.structZ'); L.structZ_send(z); print(z.recv()); z.send(None); L.structZ_recv(z); print(len(z))
p = L.from_c_int(3); print([p.recv() for _ in range(3)], p.dtype, p.cap)
print(L.from_c_double().recv(), L.from_c_structZ_closed().recv_())
n = L.from_c_nil_int(); print(repr(n), n == nilchan, n is chan.nil('C.int'), L.nil_cached(3) is chan.nil('C.int'))
print(L.same_raw_chan(chan(dtype='C.int')), L.nil_of_nil_pychan(chan.nil('C.int')))
i, o = chan(dtype='C.int'), chan(dtype='C.int')
L.start_echo(i, o)
got = []
for k in range(100):
    i.send(k); got.append(o.recv())
i.close()
print(got == [2*k for k in range(100)], o.recv_())
"""

_PYCHAN_WANT = [
    "7", "(8, True)", "(0, False) (0, False)", "1.5", "-2.0", "True", "False", "None", "0",
    "[0, 10, 20] C.int 3", "2.5 (None, False)",
    "chan.nil('C.int') True False True",
    # chan_int() twice and through from_chan_int: one raw channel, the
    # count of a pychan added and dropped; a nil pychan gives a nil chan
    "(True, True, True, 1) True",
    "True (0, False)",
]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_python_chan_and_nogil_code_share_one_channel(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _PYCHAN_PROG)
    assert p.stdout.decode().splitlines() == _PYCHAN_WANT


def test_python_chan_and_nogil_code_share_one_channel_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _PYCHAN_PROG)
    assert p.stdout.decode().splitlines() == _PYCHAN_WANT


_MISMATCH_PROG = r"""
import golang
from capitest import pyxpanic
for bad in (golang.chan(), golang.chan(dtype='C.double'), golang.chan.nil('C.bool')):
    try:
        pyxpanic.chan_int_of(bad)
    except golang._PanicError as e:
        print(e.args)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_chan_int_of_a_chan_of_another_dtype_panics(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _MISMATCH_PROG)
    assert p.stdout.decode().splitlines() == ["('pychan: channel type mismatch',)"] * 3


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_nogil_goroutines_are_threads_or_greenlets_of_the_runtime(demos, runner):
    # As in Pygolang: OS threads under the thread runtime, greenlets of the
    # caller's thread under gevent (gpython).
    prog = "from capitest import pychanlib as L\nprint(L.goroutine_runs_on_callers_thread())\n"
    p = _capitest(RUNNERS[runner], demos, prog)
    assert p.stdout.decode().split() == [str(runner == "gpython")]


_TIMESYNC_PROG = r"""
from capitest import timesync as T
print(sorted(T.timers().items()))
print(T.rwmutex())
"""

_TIMESYNC_WANT = [
    str(sorted(dict(after_fired=True, timer_fired=True, stop_armed=True, stop_again=False, stopped_empty=True,
                    reset_fired=True, after_func_ran=True, stopped_func_ran=False, ticks=3,
                    ticker_empty_after_stop=True, tick_nil=True).items())),
    # readers share; the writer gets in only after the last reader
    "[1, 2, 3, 4]",
]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_timers_tickers_and_rwmutex_from_cython_nogil_code(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _TIMESYNC_PROG)
    assert p.stdout.decode().splitlines() == _TIMESYNC_WANT


def test_timers_tickers_and_rwmutex_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _TIMESYNC_PROG)
    assert p.stdout.decode().splitlines() == _TIMESYNC_WANT


def test_rwmutex_misuse_and_ticker_dt_panic_as_in_pygolang(demos):
    prog = ("import golang\nfrom capitest import pyxpanic\nfor w in range(4):\n    try:\n        pyxpanic.rw_misuse(w)\n"
            "    except golang._PanicError as e:\n        print(e.args[0])\n")
    p = _capitest([PYTHON], demos, prog)
    assert p.stdout.decode().splitlines() == [
        "sync: Unlock of unlocked RWMutex", "sync: RUnlock of unlocked RWMutex",
        "sync: UnlockToRLock of unlocked RWMutex", "ticker: dt <= 0"]


_CTX_PROG = r"""
from capitest import ctxlib as C
print(sorted(k for k, v in C.contexts().items() if v is not True))
print(C.contexts()["children_before"], C.contexts()["children_after"])
print(C.workgroup())
"""

# every check of contexts() is True but the two counts: a child registered
# with its parent, and unregistered by its cancel
_CTX_WANT = ["['children_after', 'children_before']", "1 0", "('boom', True)"]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_context_and_workgroup_from_cython_nogil_code(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _CTX_PROG)
    assert p.stdout.decode().splitlines() == _CTX_WANT


def test_context_and_workgroup_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _CTX_PROG)
    assert p.stdout.decode().splitlines() == _CTX_WANT


_SIGNAL_PROG = r"""
import warnings
warnings.simplefilter("error")
from golang import chan, os
from capitest import pychanlib as L
c = chan(1, dtype=os.Signal)
s, rt, pys, p = L.signals(c)
print(s, rt, repr(pys), type(pys).__name__, c.recv(), p.recv(), p.dtype)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_signal_in_nogil_code_and_its_channels_shared_with_python(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _SIGNAL_PROG)
    assert p.stdout.decode().splitlines() == ["Interrupt signal34 os.Signal(2) PySignal Interrupt Terminated C.os::Signal"]


def test_os_signal_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _SIGNAL_PROG)
    assert p.stdout.decode().splitlines() == ["Interrupt signal34 os.Signal(2) PySignal Interrupt Terminated C.os::Signal"]


# golang/os.h's files from nogil code (capitest/osfile.pyx, osfile.h): each
# program runs a check in a subprocess (a hang fails its timeout) under the
# thread runtime and the gevent one, and prints what the check saw.
def _osfile(runner, demos, tmp_path, call):
    prog = "import sys\nfrom capitest import osfile as F\nd = sys.argv[1]\nprint(%s)\n" % call
    p = _check(_run(RUNNERS[runner] + ["-c", prog, str(tmp_path)], cwd=demos["golang_capi_test"], timeout=120))
    return p.stdout.decode().rstrip("\n")


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_open_of_a_missing_file_is_nil_and_names_op_path_and_strerror(demos, runner, tmp_path):
    out = _osfile(runner, demos, tmp_path, "F.open_missing(d + '/1')")
    assert out == "nil | open %s/1: No such file or directory" % tmp_path


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_file_write_writes_all_and_a_second_close_is_file_already_closed(demos, runner, tmp_path):
    out = _osfile(runner, demos, tmp_path, "F.write_close_twice(d + '/1', 'hello world\\n')")
    assert out == "12 | nil | nil | close %s/1: file already closed | Is | wraps ErrClosed | -1" % tmp_path
    assert (tmp_path / "1").read_bytes() == b"hello world\n"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_file_read_gives_the_data_then_zero_and_io_EOF(demos, runner, tmp_path):
    (tmp_path / "1").write_bytes(b"hello world\n")
    out = _osfile(runner, demos, tmp_path, "F.read_to_eof(d + '/1', 5)")
    assert out == "hello world\n | 0 | EOF | EOF_"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_file_stat_gives_the_size(demos, runner, tmp_path):
    (tmp_path / "1").write_bytes(b"x" * 12345)
    assert _osfile(runner, demos, tmp_path, "F.stat_size(d + '/1')") == "12345"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_readfile_gives_the_whole_file_or_the_open_error(demos, runner, tmp_path):
    data = "".join("line %d\n" % i for i in range(2000))  # > one 4096-byte read
    (tmp_path / "1").write_text(data)
    out = _osfile(runner, demos, tmp_path, "(F.read_file(d + '/1'), F.read_file(d + '/2'))")
    assert out == repr((data + " | nil", " | open %s/2: No such file or directory" % tmp_path))


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_file_read_write_stat_after_close_are_file_already_closed(demos, runner, tmp_path):
    (tmp_path / "1").write_bytes(b"abc")
    out = _osfile(runner, demos, tmp_path, "F.closed_file_ops(d + '/1')")
    p = "%s/1" % tmp_path
    assert out == "read %s: file already closed | write %s: file already closed | stat %s: file already closed | -1" % (p, p, p)


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_pipe_echo_between_two_goroutines_100_round_trips(demos, runner, tmp_path):
    # (under gpython both goroutines are greenlets of one thread: a read on
    # the empty pipe must wait in the hub, or this hangs until the timeout)
    out = _osfile(runner, demos, tmp_path, "F.pipe_echo(100)")
    assert out == "|0 |1 | 100 | 0 EOF | echoed 100"


_PY_WRITER = r"""
import os, time, golang
r, w = os.pipe()
def writer():
    for i in range(5):
        time.sleep(0.001)   # (a greenlet switch under gpython)
        os.write(w, b"%d" % i)
    os.close(w)
golang.go(writer)
print(F.read_all_from(r))
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_file_read_in_nogil_code_lets_a_python_goroutine_write_the_pipe(demos, runner, tmp_path):
    # (under gpython the writer is a greenlet of the reader's thread: the
    # nogil read must wait in the hub for it to run)
    prog = "from capitest import osfile as F\n" + _PY_WRITER
    p = _check(_run(RUNNERS[runner] + ["-c", prog], cwd=demos["golang_capi_test"], timeout=120))
    assert p.stdout.decode().splitlines() == ["01234 | nil"]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_newfile_owns_the_descriptor_and_a_bad_one_is_an_fdopen_error(demos, runner, tmp_path):
    (tmp_path / "1").write_bytes(b"via fd")
    call = "F.new_file(__import__('os').open(d + '/1', __import__('os').O_RDONLY))"
    out = _osfile(runner, demos, tmp_path, call)
    assert out == "myfd | fd | via fd | nil | nil | fdopen nofd: Bad file descriptor"


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_errors_wrap_their_cause_a_syscall_errno(demos, runner, tmp_path):
    out = _osfile(runner, demos, tmp_path, "F.open_error_cause(d + '/1')")
    assert out == "No such file or directory | Errno -ENOENT"


def test_syscall_functions_give_minus_errno_and_keep_errno(demos, tmp_path):
    out = _osfile("python", demos, tmp_path, "F.syscalls_give_minus_errno(d + '/1')")
    assert out == "1111111 | Bad file descriptor"


def test_os_files_built_with_cython3(demos_cython3, tmp_path):
    out = _osfile("python", demos_cython3, tmp_path, "(F.pipe_echo(10), F.open_missing(d + '/1'))")
    assert out == repr(("|0 |1 | 10 | 0 EOF | echoed 10", "nil | open %s/1: No such file or directory" % tmp_path))


# golang.pyx.runtime from nogil code (capitest/pyxrt.pyx): PyErr_Fetch takes
# the current exception and PyErr_ReRaise raises the same object again with
# its traceback; PyFunc called from a nogil goroutine gives nil, or a
# PyError holding what the function raised; PyFunc called with and without
# the GIL at once does not deadlock (a hang fails the run's timeout).
_PYXRT_PROG = r"""
import traceback, golang
import golang.pyx.runtime       # Python-visible, as in Pygolang
from capitest import pyxrt as R
raised = []
def boom_inner():
    raised.append(ValueError("boom"))
    raise raised[-1]
R.fetch_and_reraise(lambda: 1); print(R.last_fetch)
try:
    R.fetch_and_reraise(boom_inner)
except ValueError as e:
    print(R.last_fetch, e is raised[-1], traceback.extract_tb(e.__traceback__)[-1].name)
print(R.call_in_goroutine(lambda: 1))
k, text, e = R.call_in_goroutine(boom_inner)
print(k, text, e is raised[-1], traceback.extract_tb(e.__traceback__)[-1].name)
print(R.err_py_stopped_text())
print(R.nil_pyfunc_panics())
R.pyfunc_with_and_without_gil(lambda: None, 100)
print("no deadlock")
from capitest import sigtest     # another extension with runtime.h: one ErrPyStopped per process
print(R.err_py_stopped_addr() == sigtest.err_py_stopped_addr() != 0)
"""

_PYXRT_WANT = [
    "('nil', 'nil', 'nil', None)",                          # nothing set: nil
    "('nil', 'PyError', 'nil', '<PyError>') True boom_inner",  # taken (none left), the same exception, its traceback
    "('nil', None, None)",
    "PyError <PyError> True boom_inner",
    "('Python interpreter is stopped', 'ErrPyStopped')",
    "PyFunc: call of nil function",
    "no deadlock",
    "True",
]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_pyx_runtime_pyerror_and_pyfunc_from_nogil_code(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _PYXRT_PROG, timeout=120)
    assert p.stdout.decode().splitlines() == _PYXRT_WANT


# A nogil goroutine still taking the GIL when the program ends: CPython ends
# it with pthread_exit, which libgolang.h's goroutine trampoline must not take
# for a C++ exception (it called std::terminate and the process aborted).
_GIL_AT_EXIT_PROG = r"""
import golang
from capitest import pyxrt
pyxrt.goroutine_taking_the_gil_forever()
print("main returns", flush=True)
"""


def test_a_goroutine_taking_the_gil_as_the_interpreter_exits_does_not_abort_it(demos):
    # (threads only: under gevent a goroutine that never blocks keeps the
    # others, main included, from running, so this program cannot end there)
    for _ in range(5):  # (where the goroutine is at exit varies: several tries)
        p = _capitest(RUNNERS["python"], demos, _GIL_AT_EXIT_PROG, timeout=120)
        assert p.stdout.decode().splitlines() == ["main returns"]


def test_pyx_runtime_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _PYXRT_PROG, timeout=120)
    assert p.stdout.decode().splitlines() == _PYXRT_WANT


# A C goroutine parked in a greenlet (gpython) leaves pyo3's per-thread
# attach count raised while main runs; main's `with nogil` then wakes it:
# the runtime must take the GIL itself, not trust that count (gil.rs,
# attach, invariant 4). It crashed the interpreter before.
_WAKE_PROG = r"""
import golang
from capitest import pyxrt
ran = []
pyxrt.arm_late_call(lambda: ran.append(1))
pyxrt.fire_late_call()
print("ran", ran, flush=True)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_nogil_code_waking_a_parked_c_goroutine_takes_the_gil_itself(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _WAKE_PROG, timeout=120)
    assert sorted(p.stdout.decode().splitlines()) == ["late: nil nil nil -", "ran [1, 1]"]


# After runtime.h's atexit hook (the function below is registered before the
# extension loads, so it runs after the hook): a nogil goroutine's PyFunc
# call, PyErr_Fetch and a copied PyFunc give ErrPyStopped, run nothing, and
# the process exits cleanly, under python and gpython (where waking a C
# goroutine's greenlet from an atexit function used to abort the process:
# gil.rs, invariant 5).
_LATE_PROG = r"""
import atexit, golang
def fire():
    from capitest import pyxrt
    pyxrt.fire_late_call()
atexit.register(fire)
from capitest import pyxrt
pyxrt.arm_late_call(lambda: print("must not run"))
print("main done", flush=True)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_pyfunc_after_the_interpreter_stopped_gives_ErrPyStopped(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _LATE_PROG, timeout=120)
    assert p.stdout.decode().splitlines() == [
        "main done", "late: ErrPyStopped ErrPyStopped ErrPyStopped Python interpreter is stopped"]


# os.signal from nogil code (capitest/sigtest.pyx) on the one implementation
# Python's golang.os.signal uses: signals sent to this process with kill
# arrive on nogil chan[os.Signal]s; Stop, Ignore and Reset behave as
# Python's; the channel is shared with Python both ways (a subscription
# made in nogil code is stopped by Python's Stop, and the other way round).
# Every wait is a channel receive; a second subscriber serves as the barrier
# that shows what a stopped or ignored channel did not get.
_SIGTEST_PROG = r"""
import os, signal as pysig, golang
from golang import chan, os as gos, syscall
from golang.os import signal
from capitest import sigtest as S
print(S.notify_and_receive())
print(S.ignore_drops_subscribers())
print(S.panics())
c = chan(1, dtype=gos.Signal); bar = chan(1, dtype=gos.Signal)
S.notify(c, syscall.SIGUSR1.signo)
signal.Notify(bar, syscall.SIGUSR1)
os.kill(os.getpid(), pysig.SIGUSR1)
print(c.recv(), bar.recv())
signal.Stop(c)
os.kill(os.getpid(), pysig.SIGUSR1)
print(bar.recv(), len(c))
S.stop(bar)
p = S.made_in_c_received_in_python(pysig.SIGUSR2)
os.kill(os.getpid(), pysig.SIGUSR2)
print(repr(p.recv()), p.dtype)
S.stop(p)
got = []
pysig.signal(pysig.SIGUSR2, lambda *a: got.append("py"))
c2 = chan(1, dtype=gos.Signal)
S.notify(c2, pysig.SIGUSR2)
os.kill(os.getpid(), pysig.SIGUSR2)
print(c2.recv(), got)
S.ignore(pysig.SIGUSR2)
os.kill(os.getpid(), pysig.SIGUSR2)
print(got, len(c2))
S.reset(pysig.SIGUSR2)
os.kill(os.getpid(), pysig.SIGUSR2)
print(got, len(c2))
"""

_SIGTEST_WANT = [
    "(10, 10, 0)",      # received in nogil code; after Stop(a) only b gets SIGUSR1
    "0",                # Ignore dropped the subscriber, and SIGUSR2 did not end the process
    # Notify's panics: invalid signals, sigaction refusing SIGKILL, a
    # chan[os.Signal] over a raw chan of ints; a nil chan is accepted (as
    # by Python's Notify), then stopped
    "('invalid signal', 'invalid signal', 'sigaction failed', 'pychan: channel type mismatch', '', True)",
    "User defined signal 1 User defined signal 1",
    "User defined signal 1 0",      # Python's Stop ended the nogil subscription
    "os.Signal(12) C.os::Signal",   # a chan made and notified in nogil code, received in Python
    "User defined signal 2 ['py']", # notified: delivered, and Python's own handler still runs
    "['py'] 0",                     # ignored: neither
    "['py', 'py'] 0",               # reset: Python's handler again, no delivery
]


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_os_signal_notify_stop_ignore_reset_from_nogil_code(demos, runner):
    p = _capitest(RUNNERS[runner], demos, _SIGTEST_PROG, timeout=120)
    assert p.stdout.decode().splitlines() == _SIGTEST_WANT


def test_os_signal_from_nogil_code_built_with_cython3(demos_cython3):
    p = _capitest([PYTHON], demos_cython3, _SIGTEST_PROG, timeout=120)
    assert p.stdout.decode().splitlines() == _SIGTEST_WANT
