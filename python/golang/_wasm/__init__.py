"""Loads the WebAssembly core from the files of the Pyodide wheel, so that a
plain `import golang` works after `micropip.install(...)`.

The wheel carries, next to this file, the wasm module (golang_wasm_bg.wasm),
its wasm-bindgen glue built with `--target no-modules` (golang_wasm.js: a
classic script, which Pyodide can evaluate synchronously, unlike an ES
module, whose import is always asynchronous) and driver.js (the event-loop
driver that targets/wasm/js/golang.mjs uses too). The module is instantiated
synchronously (`initSync`; it is small, so browsers allow that on the main
thread) and registered as `_golang_wasm_core`, as the JavaScript loader
`loadGolang` does. When that loader ran first, its instance is used instead
(see golang/_golang_wasm.py).
"""

import os

_DIR = os.path.dirname(os.path.abspath(__file__))

# Evaluates the glue (its value: the wasm_bindgen object), instantiates the
# module from the bytes, and hands it to the driver.
_BOOT = """(function (glue, bytes, setup) {
    const bindgen = (0, eval)(glue + "\\n;wasm_bindgen");
    bindgen.initSync({ module: bytes });
    return setup(bindgen);
})"""


def _read(name, mode='r'):
    with open(os.path.join(_DIR, name), mode) as f:
        return f.read()


def load_core():
    """Instantiates the core and registers it as the module `_golang_wasm_core`."""
    from pyodide.code import run_js
    from pyodide.ffi import register_js_module, to_js

    try:
        glue = _read('golang_wasm.js')
        wasm = _read('golang_wasm_bg.wasm', 'rb')
    except OSError:
        raise ImportError(
            "golang: the WebAssembly core is not loaded: install the Pyodide wheel "
            "(micropip.install), or call loadGolang (targets/wasm/js/golang.mjs) "
            "before importing golang") from None
    setup = run_js(_read('driver.js'))
    core = run_js(_BOOT)(glue, to_js(wasm), setup)
    register_js_module('_golang_wasm_core', core)
    return core
