#!/usr/bin/env bash
# Builds what users install, into dist/:
# - the CPython wheel: the native core on pyo3's stable ABI (abi3), one wheel
#   for CPython 3.9 and later, tagged by maturin's own auditwheel check:
#   manylinux_2_34 on this machine (Debian 12, glibc 2.36: the pthread
#   symbols the Rust standard library links are versioned 2.34). A lower tag
#   needs an older glibc to link against: zig (PyPI's `ziglang`, maturin
#   --zig) gives manylinux_2_17, but links LLVM's libunwind statically in
#   place of libgcc_s, and then the forced unwinding of `pthread_exit` (which
#   CPython before 3.14 does to threads at interpreter exit, see
#   targets/native/src/gil.rs) crashes the process: rejected; manylinux's
#   docker images cannot be fetched here;
# - the sdist (pip builds it with maturin and a Rust toolchain);
# - the `pygolang` shim's wheel (packaging/pygolang: no files, depends on
#   pygolang-rs), for programs that require `pygolang`;
# - dist/pyodide/: the Pyodide wheel (py3-none-any), the package with the
#   WebAssembly core (targets/wasm/mkwheel.py). It sits in a subdirectory so
#   that `pip install --find-links dist` never picks it for CPython.
# Prints each artefact's size.
set -euo pipefail
cd "$(dirname "$0")"

if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q maturin
export PATH="$PWD/.venv/bin:$PATH"

rm -rf dist
echo "== CPython wheel (abi3)"
maturin build -q --release --strip --features abi3 -i .venv/bin/python -o dist
echo "== sdist"
if ! out=$(maturin sdist -o dist 2>&1); then
    echo "$out"
    exit 1
fi

echo "== Pyodide wheel (WebAssembly core)"
targets/wasm/build.sh
.venv/bin/python targets/wasm/mkwheel.py dist/*-abi3-*.whl dist/pyodide >/dev/null

echo "== the pygolang shim (metadata only; see README, \"Installing programs that require pygolang\")"
.venv/bin/python -m pip wheel -q --no-index --no-deps -w dist ./packaging/pygolang

echo "== dist/"
find dist -type f -printf '%s\t%p\n' | sort -k2 | awk -F'\t' '{ printf "%8.1f KiB  %s\n", $1 / 1024, $2 }'
