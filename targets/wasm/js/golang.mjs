// SPDX-License-Identifier: MIT OR Apache-2.0
//
// The loader of the WebAssembly core of the Python package `golang`, for
// Pyodide in Node.js and in browsers.
//
//     import { loadPyodide } from "pyodide";
//     import { loadGolang } from "./golang.mjs";
//     const pyodide = await loadPyodide();
//     await loadGolang(pyodide, { wasm: bytesOrUrl, python: zipBytes });
//     pyodide.runPython("import golang; ...");
//
// It instantiates the wasm module (targets/wasm/pkg, made by wasm-bindgen),
// drives its background executor from the event loop, registers it with
// Pyodide as the module `_golang_wasm_core` (which `golang/_golang_wasm.py`
// wraps), and unpacks the Python package (a zip of python/golang) into
// Pyodide's file system.
//
// Event-loop driving and the module object Python imports come from
// python/golang/_wasm/driver.js, which the wheel's own loader uses too.

import initWasm, * as core from "../pkg/golang_wasm.js";

let loaded = null;

// driver.js is a classic script (so that Python can evaluate it through
// Pyodide without an ES module import); its value is the setup function.
async function loadDriver() {
  const url = new URL("../../../python/golang/_wasm/driver.js", import.meta.url);
  const text = url.protocol === "file:"
    ? (await import("node:fs")).readFileSync(url, "utf8")
    : await (await fetch(url)).text();
  return (0, eval)(text);
}

/**
 * Loads the core into `pyodide`.
 * - wasm: the bytes (Node.js) or URL (browser) of golang_wasm_bg.wasm;
 *   by default the file next to the glue module.
 * - python: the bytes of a zip whose top level holds the `golang` package
 *   (and anything else to import); unpacked into `dir`, which goes on sys.path.
 */
export async function loadGolang(pyodide, { wasm, python, dir = "/home/pyodide/golang-py" } = {}) {
  if (!loaded) {
    loaded = (async () => {
      const [setup] = await Promise.all([
        loadDriver(),
        initWasm({ module_or_path: wasm ?? new URL("../pkg/golang_wasm_bg.wasm", import.meta.url) }),
      ]);
      return setup(core);
    })();
  }
  pyodide.registerJsModule("_golang_wasm_core", await loaded);
  if (python) {
    pyodide.FS.mkdirTree(dir);
    pyodide.unpackArchive(python, "zip", { extractDir: dir });
    pyodide.runPython(`import sys\nif ${JSON.stringify(dir)} not in sys.path: sys.path.insert(0, ${JSON.stringify(dir)})`);
  }
}
