"""The Cython/C++ API on the runtime's C ABI (docs/ARCHITECTURE.md, "C ABI"):
the demos under tests/pyx are built with golang.pyx.build against the
installed package and run under python (thread runtime) and gpython (gevent
runtime); each must print exactly its OK line. The C-level conformance checks
(tests/pyx/golang_capi_test) run through the same header.

The builds happen once per test module run, in a temporary copy of tests/pyx.
"""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYX = os.path.join(HERE, "..", "pyx")
BIN = os.path.dirname(sys.executable)
# sys.executable is gpython when this suite runs under gpython; builds and the
# thread-runtime runs use plain python (setuptools_dso's parallel compile
# hangs under gevent: its worker processes are forked from a gevent hub).
PYTHON = os.path.join(BIN, "python")
RUNNERS = {"python": [PYTHON], "gpython": [os.path.join(BIN, "gpython")]}


def _run(argv, cwd, timeout=240):
    env = dict(os.environ)
    env.pop("GPYTHON_RUNTIME", None)
    env["PYTHONPATH"] = cwd
    return subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def _start(argv, cwd):
    env = dict(os.environ)
    env.pop("GPYTHON_RUNTIME", None)
    return subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _check(p):
    assert p.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout.decode(), p.stderr.decode())
    return p


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    dst = str(tmp_path_factory.mktemp("pyx") / "pyx")
    shutil.copytree(PYX, dst, ignore=shutil.ignore_patterns("build", "*.so", "*.cpp.o", "__pycache__"))
    py = [PYTHON]
    d = {name: os.path.join(dst, name) for name in ("golang_pyx_user", "golang_dso_user", "golang_capi_test")}
    d["root"] = dst
    # The two independent builds run alongside the DSO demo's two steps.
    bg = [_start(py + ["setup.py", "build_ext", "-i"], cwd=d[name]) for name in ("golang_pyx_user", "golang_capi_test")]
    _check(_run(py + ["setup.py", "build_dso", "-i"], cwd=d["golang_dso_user"]))
    _check(_run(py + ["setup.py", "build_ext", "-i"], cwd=d["golang_dso_user"]))
    for p in bg:
        out, err = p.communicate(timeout=240)
        assert p.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, out.decode(), err.decode())
    return d


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
]

PANICS = {
    "close_of_closed_panics": "close of closed channel",
    "close_of_nil_panics": "close of nil channel",
    "send_on_closed_panics": "send on closed channel",
    "elemsize_mismatch_panics": "wrapchan: elemsize mismatch",
    "select_invalid_op_panics": "select: invalid op",
    "select_multiple_default_panics": "select: multiple default",
    "select_recv_into_inplace_panics": "select: recv into inplace data",
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


def test_abi_version_mismatch_is_import_error_naming_both_versions(demos):
    prog = "from capitest import abi99\ntry:\n    abi99.make()\nexcept ImportError as e:\n    print(e)\n"
    p = _check(_run([PYTHON, "-c", prog], cwd=demos["golang_capi_test"]))
    out = p.stdout.decode()
    assert "built for ABI 99" in out and "provides ABI 1" in out, out


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_sync_and_time_pxds_from_cython_nogil_code(demos, runner):
    prog = "from capitest import conformance\nconformance.sync_time_from_cython()\nprint('ok')\n"
    p = _check(_run(RUNNERS[runner] + ["-c", prog], cwd=demos["golang_capi_test"]))
    assert p.stdout == b"ok\n"
