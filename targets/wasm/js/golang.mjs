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
// Event-loop driving: the core asks for a turn with schedule(ms). A turn
// with runnable goroutines runs in a new macrotask (setImmediate in Node.js,
// a MessageChannel message in browsers), never as a chain of microtasks, so
// that a page keeps rendering and handling input between turns; a turn
// waiting for a timer runs after setTimeout. The core's own timer wheel
// decides which timer fires first, so the order is the same everywhere.

import initWasm, * as core from "../pkg/golang_wasm.js";

let loaded = null;

function makeScheduler() {
  let macroPending = false;
  let timer = null;
  let timerDue = Infinity;
  let post;
  if (typeof setImmediate === "function") {
    post = () => setImmediate(runTurn);
  } else {
    const mc = new MessageChannel();
    mc.port1.onmessage = runTurn;
    post = () => mc.port2.postMessage(0);
  }
  function runTurn() {
    macroPending = false;
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
      timerDue = Infinity;
    }
    const next = core.turn();
    if (next >= 0) schedule(next);
  }
  function schedule(ms) {
    if (ms <= 0) {
      if (!macroPending) {
        macroPending = true;
        post();
      }
      return;
    }
    const due = performance.now() + ms;
    if (timer !== null && timerDue <= due) return;
    if (timer !== null) clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(() => {
      timer = null;
      timerDue = Infinity;
      runTurn();
    }, ms);
  }
  return schedule;
}

// The module the Python shim imports. select takes its cases as a flat list
// of numbers; they cross into Rust as one Float64Array.
function pythonModule() {
  const m = {};
  for (const [k, v] of Object.entries(core)) {
    if (typeof v === "function" && k !== "default" && k !== "initSync") m[k] = v;
  }
  m.select = (mode, defaultAt, ...flat) => core.select(mode, defaultAt, Float64Array.from(flat));
  return m;
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
      await initWasm({ module_or_path: wasm ?? new URL("../pkg/golang_wasm_bg.wasm", import.meta.url) });
      core.set_scheduler(makeScheduler());
    })();
  }
  await loaded;
  pyodide.registerJsModule("_golang_wasm_core", pythonModule());
  if (python) {
    pyodide.FS.mkdirTree(dir);
    pyodide.unpackArchive(python, "zip", { extractDir: dir });
    pyodide.runPython(`import sys\nif ${JSON.stringify(dir)} not in sys.path: sys.path.insert(0, ${JSON.stringify(dir)})`);
  }
}
