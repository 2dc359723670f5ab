#!/usr/bin/env bash
# Builds the WebAssembly core and what its tests and demo need:
# - the wasm32-unknown-unknown target (rustup) and wasm-bindgen-cli at the
#   exact version of the wasm-bindgen crate in Cargo.lock (cargo install,
#   a few minutes the first time);
# - targets/wasm/pkg: the module and its JS glue (wasm-bindgen --target web;
#   pkg/no-modules: the classic-script glue that the Pyodide wheel carries),
#   and the Python package zips (golang-py.zip; golang-py-tests.zip with the
#   test suites and pytest) that the loader unpacks into Pyodide;
# - targets/wasm/js/node_modules: Pyodide and playwright-core (npm ci).
# Uses the repo's .venv (made by ./setup.sh) for mkzip.py.
set -euo pipefail
cd "$(dirname "$0")/../.."

rustup target add wasm32-unknown-unknown >/dev/null 2>&1 || rustup target add wasm32-unknown-unknown
want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
if [ "$have" != "$want" ]; then
    echo "== installing wasm-bindgen-cli $want (once)"
    cargo install -q wasm-bindgen-cli --version "$want"
fi
cargo build -q --release -p golang-wasm --target wasm32-unknown-unknown
wasm-bindgen --target web --no-typescript --out-dir targets/wasm/pkg \
    "${CARGO_TARGET_DIR:-target}"/wasm32-unknown-unknown/release/golang_wasm.wasm
# The same module with a classic-script glue, for the Pyodide wheel (its
# Python side evaluates the glue synchronously at `import golang`).
wasm-bindgen --target no-modules --no-typescript --out-dir targets/wasm/pkg/no-modules \
    "${CARGO_TARGET_DIR:-target}"/wasm32-unknown-unknown/release/golang_wasm.wasm
.venv/bin/python targets/wasm/mkzip.py targets/wasm/pkg/golang-py.zip
.venv/bin/python targets/wasm/mkzip.py targets/wasm/pkg/golang-py-tests.zip --tests
(cd targets/wasm/js && npm ci --silent --no-audit --no-fund >/dev/null)
