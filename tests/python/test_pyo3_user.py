"""A separate pyo3 extension on the package's runtime (tests/pyo3_user,
through the golang-capi crate): it takes Python chans, uses them without the
GIL, selects over them and starts goroutines on the shared runtime. Built
with cargo here, run under python and gpython."""

import json
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.dirname(sys.executable)
RUNNERS = {"python": [os.path.join(BIN, "python")], "gpython": [os.path.join(BIN, "gpython")]}

pytestmark = pytest.mark.skipif(shutil.which("cargo") is None, reason="needs cargo (a source checkout)")


@pytest.fixture(scope="module")
def ext_dir():
    env = dict(os.environ, PYO3_PYTHON=os.path.join(BIN, "python"))
    p = subprocess.run(["cargo", "build", "--release", "-p", "pyo3-user", "--message-format=json"],
                       cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=900)
    assert p.returncode == 0, p.stderr.decode()[-3000:]
    so = None
    for line in p.stdout.decode().splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg["target"]["name"] == "pyo3_user":
            so = [f for f in msg["filenames"] if f.endswith(".so")][0]
    assert so, "no pyo3_user artifact"
    d = tempfile.mkdtemp(prefix="pyo3-user-")
    shutil.copy(so, os.path.join(d, "pyo3_user.so"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


_PROG = r"""
import golang
from golang import chan
import pyo3_user as U
i, o = chan(dtype='C.int'), chan(dtype='C.int')
U.echo_doubled(i, o, 50)
got = []
for k in range(50):
    i.send(k); got.append(o.recv())
print(got == [2*k for k in range(50)], o.recv_())
c = U.counter(5); print([c.recv() for _ in range(5)], c.recv_(), c.dtype)
a, b = chan(1, dtype='C.int'), chan(1, dtype='C.int')
print(U.select_recv(a, b, nowait=True))
b.send(7); print(U.select_recv(a, b))
a.close(); print(U.select_recv(a, b))
try:
    U.echo_doubled(chan(), o, 1)
except golang._PanicError as e:
    print("panic", e)
"""


@pytest.mark.parametrize("runner", sorted(RUNNERS))
def test_a_pyo3_extension_shares_chans_and_goroutines_with_the_package(ext_dir, runner):
    env = dict(os.environ, PYTHONPATH=ext_dir)
    env.pop("GPYTHON_RUNTIME", None)
    p = subprocess.run(RUNNERS[runner] + ["-c", _PROG], cwd=ext_dir, env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode().splitlines() == [
        "True (0, False)",                        # a goroutine of the extension doubles what Python sends
        "[0, 1, 2, 3, 4] (0, False) C.int",       # a chan made in Rust, read from Python
        "(2, 0, False)",                          # select with default, nothing ready
        "(1, 7, True)",                           # select receives from the ready one
        "(0, 0, False)",                          # a closed chan is ready: zero, not ok
        "panic pychan: channel type mismatch",    # a chan of another dtype
    ]
