#!/usr/bin/env bash
# Runs the WebAssembly target's tests: under Pyodide in Node.js (the async
# conformance suites, the cross-target trace comparison, the event-loop
# driving) and in headless Chromium (the suites again, and the demo page).
# Chromium comes from Debian's package, installed here when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

targets/wasm/build.sh
if [ ! -x /usr/bin/chromium ]; then
    echo "== installing Debian's chromium (for the browser tests)"
    SUDO=""
    [ "$(id -u)" = 0 ] || SUDO="sudo"
    $SUDO apt-get install -y -q chromium >/dev/null 2>&1 || {
        $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q chromium >/dev/null
    }
fi
cd targets/wasm/js
echo "== wasm: Pyodide in Node.js"
node test-node.mjs "$PWD/../../../.venv/bin/python" ../pkg/golang-py-tests.zip
echo "== wasm: Pyodide in headless Chromium"
node test-browser.mjs
