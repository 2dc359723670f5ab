// SPDX-License-Identifier: MIT OR Apache-2.0
//
// The event-loop driver of the WebAssembly core, shared by its two loaders:
// golang/_wasm_load.py (a plain `import golang` from the Pyodide wheel) and
// targets/wasm/js/golang.mjs (`loadGolang` from JavaScript). A classic script
// whose value is one function: given the wasm-bindgen module (initialised),
// it starts driving the core's background executor and returns the object
// that Python imports as `_golang_wasm_core`.
//
// Event-loop driving: the core asks for a turn with schedule(ms). A turn
// with runnable goroutines runs in a new macrotask (setImmediate in Node.js,
// a MessageChannel message in browsers), never as a chain of microtasks, so
// that a page keeps rendering and handling input between turns; a turn
// waiting for a timer runs after setTimeout. The core's own timer wheel
// decides which timer fires first, so the order is the same everywhere.
(function setupGolangCore(core) {
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
  core.set_scheduler(schedule);

  // The module the Python shim imports. The selects take their cases as
  // numbers after the default's position; they cross into Rust as one
  // Float64Array.
  const m = {};
  for (const [k, v] of Object.entries(core)) {
    if (typeof v === "function" && k !== "default" && k !== "initSync") m[k] = v;
  }
  for (const k of ["select", "aselect", "select_recv", "aselect_recv"]) {
    const f = core[k];
    m[k] = (defaultAt, ...flat) => f(defaultAt, Float64Array.from(flat));
  }
  // The batched frees take their slots as arguments, likewise.
  for (const k of ["chans_free", "ctxs_free"]) {
    const f = core[k];
    m[k] = (...ids) => f(Float64Array.from(ids));
  }
  return m;
})
