#!/usr/bin/env bash
# Builds what users install, into dist/:
# - the CPython wheel: the native core on pyo3's stable ABI (abi3), one wheel
#   for CPython 3.9 and later; linked with zig (the `ziglang` package from
#   PyPI) against glibc 2.17 and checked by maturin's auditwheel rules, so it
#   is tagged manylinux_2_17 (without zig maturin's check tags it with this
#   machine's glibc, manylinux_2_34 here);
# - the sdist (pip builds it with maturin and a Rust toolchain);
# - dist/pyodide/: the Pyodide wheel (py3-none-any), the package with the
#   WebAssembly core (targets/wasm/mkwheel.py). It sits in a subdirectory so
#   that `pip install --find-links dist` never picks it for CPython.
# Prints each artefact's size.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q maturin ziglang
export PATH="$PWD/.venv/bin:$PATH"   # maturin finds zig as `python -m ziglang`

rm -rf dist
echo "== CPython wheel (abi3, manylinux_2_17 via zig)"
if ! maturin build -q --release --strip --features abi3 --zig --compatibility manylinux_2_17 \
        -i .venv/bin/python -o dist; then
    echo "== zig build failed: building with this machine's toolchain (maturin's check picks the tag)"
    maturin build -q --release --strip --features abi3 -i .venv/bin/python -o dist
fi
echo "== sdist"
if ! out=$(maturin sdist -o dist 2>&1); then
    echo "$out"
    exit 1
fi

echo "== Pyodide wheel (WebAssembly core)"
targets/wasm/build.sh
.venv/bin/python targets/wasm/mkwheel.py dist/*-abi3-*.whl dist/pyodide >/dev/null

# (The metadata-only `pygolang` distribution, for programs that require
# `pygolang`, is built here too once it exists: see its own directory.)

echo "== dist/"
find dist -type f -printf '%s\t%p\n' | sort -k2 | awk -F'\t' '{ printf "%8.1f KiB  %s\n", $1 / 1024, $2 }'
