#!/usr/bin/env bash
# Tests the artefacts of ./build-wheels.sh (run it first), as a user gets them:
# 1. a fresh venv, with no cargo on PATH, installs the abi3 wheel from dist/
#    (its runtime dependency and pytest come from PyPI or pip's cache), and
#    the Python suites and the demo run against the installed package, from a
#    directory where the checkout's `golang` is not importable, and
#    Pygolang's demo extensions build against it and run;
# 2. Pyodide in Node.js installs the Pyodide wheel with micropip from a local
#    file and runs the async suites and the trace program against it;
# 3. prints the wheels' sizes and the time of `import golang` beside
#    Pygolang 0.1's (PYGOLANG_PYTHON, default .venv-pygolang/bin/python, made
#    by benches/python/setup-pygolang.sh; skipped when absent).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

abi3=$(ls dist/*-abi3-*.whl)
pyodide_whl=$(ls dist/pyodide/*-py3-none-any.whl)

echo "== abi3 wheel in a fresh venv without cargo: $(basename "$abi3")"
python3 -m venv "$tmp/venv"
clean_path="$tmp/venv/bin:/usr/local/bin:/usr/bin:/bin"
if PATH="$clean_path" command -v cargo >/dev/null; then
    echo "cargo is on the clean PATH" >&2
    exit 1
fi
run() { env -i HOME="$HOME" PATH="$clean_path" "$@"; }
run "$tmp/venv/bin/python" -m pip install -q --upgrade pip >/dev/null
run "$tmp/venv/bin/python" -m pip install -q decorator pytest
run "$tmp/venv/bin/python" -m pip install -q --no-index --find-links dist pygolang-rs
cp -r tests/python "$tmp/tests"
cd "$tmp"
run "$tmp/venv/bin/python" -c "
import golang, sys
assert golang.__file__.startswith(sys.prefix), golang.__file__
assert golang._golang.__file__.endswith('.abi3.so'), golang._golang.__file__
print('golang from', golang.__file__)"
run "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider \
    tests/test_chan.py tests/test_select.py tests/test_go.py tests/test_context.py \
    tests/test_sync.py tests/test_func_defer.py tests/test_async.py < /dev/null
run "$tmp/venv/bin/python" "$root/examples/demo.py" > "$tmp/demo.out"
tail -1 "$tmp/demo.out"
# Pygolang's demo extensions built against the installed wheel (its pxds and
# headers), with the pyx.build extra's tools, as a user builds them.
run "$tmp/venv/bin/python" -m pip install -q "Cython<3" "setuptools_dso>=1.7" setuptools wheel
cp -r "$root/tests/pyx/golang_pyx_user" "$root/tests/pyx/golang_dso_user" "$tmp/"
# demo DIR IMPORT WANT STEP...: builds DIR with setup.py STEPs, runs IMPORT's main().
demo() {
    local dir=$1 mod=$2 want=$3 out
    shift 3
    for step in "$@"; do
        (cd "$tmp/$dir" && run "$tmp/venv/bin/python" setup.py -q "$step" -i > "$tmp/$dir.log" 2>&1) ||
            { cat "$tmp/$dir.log"; echo "$dir: setup.py $step failed" >&2; exit 1; }
    done
    out=$(cd "$tmp/$dir" && run "$tmp/venv/bin/python" -c "import golang; from $mod import test; test.main()")
    [ "$out" = "$want" ] || { echo "$dir printed '$out', want '$want'" >&2; exit 1; }
    echo "$dir: $out"
}
demo golang_pyx_user pyxuser "test.pyx: OK" build_ext
demo golang_dso_user dsouser "dso.cpp: OK" build_dso build_ext
cd "$root"

echo "== Pyodide wheel with micropip in Node.js: $(basename "$pyodide_whl")"
# micropip at the version Pyodide's lock file names (Pyodide's npm package
# does not carry it) and the runtime dependency, as wheels from PyPI.
lock=targets/wasm/js/node_modules/pyodide/pyodide-lock.json
mp=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['packages']['micropip']['version'])" "$lock")
pyv=$(python3 -c "import json,sys; print('.'.join(json.load(open(sys.argv[1]))['info']['python'].split('.')[:2]))" "$lock")
.venv/bin/python -m pip download -q --no-deps --only-binary :all: --python-version "$pyv" \
    -d "$tmp/pyodide-deps" "micropip==$mp" decorator
(cd targets/wasm/js && node test-wheel.mjs "$tmp/venv/bin/python" "$root/$pyodide_whl" ../pkg/golang-py-tests.zip \
    "$tmp"/pyodide-deps/micropip-*.whl "$tmp"/pyodide-deps/decorator-*.whl)

echo "== sizes and import time"
for f in "$abi3" "$pyodide_whl"; do
    printf '%8.1f KiB  %s\n' "$(($(stat -c %s "$f") * 10 / 1024))e-1" "$(basename "$f")"
done
pygolang=${PYGOLANG_PYTHON:-$root/.venv-pygolang/bin/python}
others=()
[ -x "$pygolang" ] && others=("Pygolang 0.1=$pygolang")
cd "$tmp"
"$tmp/venv/bin/python" "$root/tests/wheels/importtime.py" "pygolang-rs wheel=$tmp/venv/bin/python" "${others[@]}"
