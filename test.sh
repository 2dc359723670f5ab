#!/usr/bin/env bash
# Runs every test: the Rust workspace (unit, conformance, doc tests) and the
# Python suite against the installed package.
set -euo pipefail
cd "$(dirname "$0")"

./setup.sh --no-demo

echo "== cargo test (workspace)"
cargo test --workspace --exclude golang-native 2>&1 | tail -n +1

echo "== pytest (python package)"
.venv/bin/python -m pytest -q tests/python
