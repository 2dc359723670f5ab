// SPDX-License-Identifier: MIT OR Apache-2.0
//
// The WebAssembly target's tests under Pyodide in Node.js:
//
//   1. the Python conformance suites of the async API (pytest, inside Pyodide);
//   2. the same seed gives the same event trace natively and under Pyodide;
//   3. the background executor runs on the JavaScript event loop: goroutines
//      started by top-level go() run in macrotask turns (timers and I/O of
//      the page get their turns in between), real-time timers fire in order,
//      `await golang.arun(main)` gives main's result to Pyodide's asyncio, and
//      an exception in a background goroutine is reported as unraisable.
//
//     node test-node.mjs PYTHON ZIP
//
// PYTHON is the native interpreter with the package installed (for the trace
// comparison); ZIP comes from `mkzip.py ZIP --tests`.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { loadPyodide } from "pyodide";
import { loadGolang } from "./golang.mjs";
import { SUITES, check, failed } from "./suites.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const [python, zip] = process.argv.slice(2);
const guest = "/home/pyodide/golang-py";


function runNode(...args) {
  return spawnSync(process.execPath, [join(here, "run-node.mjs"), zip, ...args], { encoding: "utf8", maxBuffer: 1 << 26 });
}

await check("pytest suites of the async API under Pyodide", () => {
  const r = runNode("-m", "pytest", "-q", "-p", "no:cacheprovider", ...SUITES.map((s) => `${guest}/tests/${s}`));
  process.stdout.write(r.stdout.split("\n").slice(-3).join("\n"));
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

await check("the same seed gives the same event trace natively and under Pyodide", () => {
  const seeds = Array.from({ length: 12 }, (_, i) => String(i * 7 + 1));
  const prog = join(root, "targets", "wasm", "tests", "trace_program.py");
  const native = spawnSync(python, [prog, ...seeds], { encoding: "utf8" });
  assert.equal(native.status, 0, native.stderr);
  const wasm = runNode(`${guest}/wasmtests/trace_program.py`, ...seeds);
  assert.equal(wasm.status, 0, wasm.stderr);
  const a = native.stdout.trim().split("\n");
  const b = wasm.stdout.trim().split("\n");
  assert.equal(a.length, seeds.length);
  assert.deepEqual(b, a);
  // and the seeds do steer the run: the traces are not all alike
  const distinct = new Set(a.map((l) => l.slice(l.indexOf(" "))));
  assert.ok(distinct.size >= seeds.length / 2, `only ${distinct.size} distinct traces`);
});

const pyodide = await loadPyodide();
await loadGolang(pyodide, {
  wasm: new Uint8Array(readFileSync(join(here, "..", "pkg", "golang_wasm_bg.wasm"))),
  python: new Uint8Array(readFileSync(zip)),
});

await check("top-level goroutines run in macrotask turns, so the event loop keeps running", async () => {
  let ticks = 0;
  const iv = setInterval(() => ticks++, 1);
  pyodide.globals.set("ticks", () => ticks);
  const [sum, during] = (
    await pyodide.runPythonAsync(`
import golang
from golang import go, chan

async def producer(ch, n):
    for i in range(n):
        await ch.asend(i)
    ch.close()

async def main():
    ch = chan()
    go(producer, ch, 20000)
    t0 = ticks()
    s = 0
    while True:
        v, ok = await ch.arecv_()
        if not ok:
            break
        s += v
    return s, ticks() - t0

await golang.arun(main)
`)
  ).toJs();
  clearInterval(iv);
  assert.equal(sum, (20000 * 19999) / 2);
  // 40000 goroutine switches take far longer than one 8 ms turn: the JS
  // interval must have fired in between the turns.
  assert.ok(during >= 3, `the event loop ran only ${during} interval ticks during the run`);
});

await check("real-time timers of background goroutines fire in deadline order, not before their time", async () => {
  const out = (
    await pyodide.runPythonAsync(`
import golang
from golang import go, chan, time

async def main():
    done = chan()
    log = []
    async def sleeper(dt):
        await time.asleep(dt)
        log.append(dt)
        await done.asend(None)
    t0 = time.now()
    for dt in (0.03, 0.01, 0.05, 0.02, 0.04):
        go(sleeper, dt)
    tk = time.Ticker(0.012)
    ticks = 0
    for _ in range(5):
        await done.arecv()
    tk.stop()
    return log, time.now() - t0

await golang.arun(main)
`)
  ).toJs();
  const [log, elapsed] = out;
  assert.deepEqual(log, [0.01, 0.02, 0.03, 0.04, 0.05]);
  assert.ok(elapsed >= 0.05 && elapsed < 2, `elapsed ${elapsed}`);
});

await check("an exception in a background goroutine is reported as unraisable", async () => {
  const got = await pyodide.runPythonAsync(`
import sys, golang
from golang import go, chan

got = chan(1)
def hook(u):
    got.send((type(u.exc_value).__name__, str(u.exc_value)))
sys.unraisablehook = hook

async def failing():
    raise ValueError("in background")
go(failing)

async def main():
    return await got.arecv()
try:
    r = await golang.arun(main)
finally:
    sys.unraisablehook = sys.__unraisablehook__
list(r)
`);
  assert.deepEqual(got.toJs(), ["ValueError", "in background"]);
});

await check("sync operations that would block raise a clear error at the top level", () => {
  const msg = pyodide.runPython(`
from golang import chan
try:
    chan().recv()
except RuntimeError as e:
    r = str(e)
r
`);
  assert.match(msg, /cannot wait under Pyodide/);
});

console.log(failed() ? `${failed()} FAILED` : "all passed");
process.exit(failed() ? 1 : 0);
