#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs the demo:
# - a Python virtualenv in .venv with the build and test tools (and gevent,
#   for gpython),
# - the native core built (release) and the package installed (editable),
#   with the `pygolang` shim (packaging/pygolang),
# - the Rust demo (seeded, deterministic), a Pygolang program on the package,
#   and one run deterministically that draws its run (build/timeline-demo.html).
# With --no-demo it only sets up (the test command uses that).
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
# Cython 0.29, as Pygolang builds with: Pygolang-style Cython code declares
# non-extern `cdef nogil: void f() except +topyexc:`, which Cython 3 rejects
# (0.29 supports Python up to 3.12: on later ones, Cython 3).
.venv/bin/python -m pip install -q maturin pytest hypothesis numpy decorator gevent "Cython<3; python_version<'3.13'" "Cython>=3; python_version>='3.13'" "setuptools_dso>=1.7" setuptools wheel
# Cython 3 on the side (not on the venv's path): the test suite builds the
# C ABI conformance module with it too, for users who choose Cython 3.
[ -d .venv/cython3/Cython ] || .venv/bin/python -m pip install -q --target .venv/cython3 "Cython>=3"
# A C++ compiler for the Cython/C++ demos (tests/pyx), only when missing.
if ! command -v g++ >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q g++ >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q g++ >/dev/null
    }
fi
VIRTUAL_ENV="$PWD/.venv" PATH="$PWD/.venv/bin:$PATH" .venv/bin/maturin develop --release -q
# The `pygolang` shim (metadata only, depends on pygolang-rs): a program that
# requires pygolang then finds it satisfied instead of pulling the real
# Pygolang over our golang/ (README: "Installing programs that require
# pygolang"). Built offline by its in-tree backend.
.venv/bin/python -m pip install -q --no-index ./packaging/pygolang

if [ "${1:-}" != "--no-demo" ]; then
    echo "== Rust demo (deterministic executor, seed 42: run it again, same output)"
    cargo run -q --release --example demo -- 42
    echo "== Python demo (a Pygolang program on the golang package)"
    .venv/bin/python examples/demo.py
    echo "== The same kind of program under golang.run(main, seed=42), drawing its own run"
    .venv/bin/python examples/timeline_demo.py
fi
