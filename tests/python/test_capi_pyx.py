"""The Cython/C++ API on the runtime's C ABI (docs/ARCHITECTURE.md, "C ABI"):
the demos under tests/pyx are built with golang.pyx.build against the
installed package and run under python (thread runtime) and gpython (gevent
runtime); each must print exactly its OK line.

The builds happen once per test run, in a temporary copy of tests/pyx.
"""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYX = os.path.join(HERE, "..", "pyx")
BIN = os.path.dirname(sys.executable)
RUNNERS = {"python": [sys.executable], "gpython": [os.path.join(BIN, "gpython")]}


def _run(argv, cwd, timeout=240):
    env = dict(os.environ)
    env.pop("GPYTHON_RUNTIME", None)
    p = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    return p


def _check(p):
    assert p.returncode == 0, "rc=%d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout.decode(), p.stderr.decode())
    return p


@pytest.fixture(scope="module")
def demos(tmp_path_factory):
    d = tmp_path_factory.mktemp("pyx")
    dst = str(d / "pyx")
    shutil.copytree(PYX, dst, ignore=shutil.ignore_patterns("build", "*.so", "*.cpp.o", "__pycache__"))
    built = {}
    py = [sys.executable]
    _check(_run(py + ["setup.py", "build_ext", "-i"], cwd=os.path.join(dst, "golang_pyx_user")))
    built["pyx"] = os.path.join(dst, "golang_pyx_user")
    return built


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_pyx_user_prints_ok_with_goroutines_and_chan_int_in_nogil_code(demos, runner):
    p = _check(_run(RUNNERS[runner] + ["-c", "import golang; from pyxuser import test; test.main()"], cwd=demos["pyx"]))
    assert p.stdout == b"test.pyx: OK\n"
