#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, conformance, doc tests) and the
# Python suite against the installed package, under python (thread runtime)
# and under gpython (gevent runtime).
set -euo pipefail
cd "$(dirname "$0")"

./setup.sh --no-demo

echo "== cargo test (workspace)"
# The benchmark crate is left out: its peers (tokio, smol, flume, crossbeam)
# are its dev-dependencies and need not be compiled to test.
cargo test --workspace --exclude golang-native --exclude golang-bench

echo "== cargo check for WebAssembly (the runtime crates build for wasm32)"
if rustup target add wasm32-unknown-unknown >/dev/null 2>&1; then
    cargo check -q --target wasm32-unknown-unknown -p golang -p golang-sync -p golang-context -p golang-strconv
else
    echo "(the wasm32-unknown-unknown target cannot be installed here: skipped)"
fi

echo "== pytest (python package, thread runtime)"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/python < /dev/null

echo "== pytest under gpython (gevent runtime)"
.venv/bin/gpython -m pytest -q -p no:cacheprovider tests/python < /dev/null
