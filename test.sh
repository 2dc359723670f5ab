#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, conformance, doc tests), the
# Python suite against the installed package, under python (thread runtime)
# and under gpython (gevent runtime), and the WebAssembly target under
# Pyodide in Node.js and in headless Chromium, and the artefacts users
# install (./build-wheels.sh, tested as installed: tests/wheels).
set -euo pipefail
cd "$(dirname "$0")"

./setup.sh --no-demo

echo "== layers (no import cycle between files)"
python3 tools/check-layers.py targets/native/src targets/wasm/src sched/src

echo "== cargo test (workspace)"
# The benchmark crate is left out: its peers (tokio, smol, flume, crossbeam)
# are its dev-dependencies and need not be compiled to test.
cargo test --workspace --exclude golang-native --exclude golang-bench --exclude pyo3-user

echo "== golang-capi against the installed package (embedded interpreter)"
cargo test -q -p golang-capi --features embed

echo "== cargo check for WebAssembly (the runtime crates build for wasm32)"
rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
cargo check -q --target wasm32-unknown-unknown -p golang -p golang-sync -p golang-context -p golang-strconv

echo "== pytest (python package, thread runtime)"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/python < /dev/null

echo "== pytest under gpython (gevent runtime)"
.venv/bin/gpython -m pytest -q -p no:cacheprovider tests/python < /dev/null

echo "== WebAssembly target (Pyodide in Node.js and in headless Chromium)"
targets/wasm/test.sh

echo "== wheels (build-wheels.sh; the abi3 wheel in a venv without cargo, the Pyodide wheel with micropip)"
./build-wheels.sh
tests/wheels/test-wheels.sh
