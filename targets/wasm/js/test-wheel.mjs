// SPDX-License-Identifier: MIT OR Apache-2.0
//
// The Pyodide wheel under Pyodide in Node.js, the way a user installs it:
// micropip installs it from a local file, then a plain `import golang` (no
// loadGolang) loads the WebAssembly core from the wheel's own files; the
// async suites and the seeded trace program run against that installed
// package (the test zip is unpacked without its `golang`).
//
//     node test-wheel.mjs PYTHON WHEEL TESTS_ZIP DEP_WHEEL...
//
// PYTHON: a native interpreter with the package (for the trace comparison);
// TESTS_ZIP: from `mkzip.py --tests`; DEP_WHEEL: micropip's wheel (Pyodide's
// npm package does not carry it; offline it comes from PyPI) first, then the
// runtime dependencies (decorator).

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { loadPyodide } from "pyodide";
import { SUITES, check, failed } from "./suites.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const [python, wheel, testsZip, micropipWheel, ...deps] = process.argv.slice(2);
const guest = "/home/pyodide/golang-py";

let out = "";
const pyodide = await loadPyodide({ stdout: (s) => (out += s + "\n"), stderr: (s) => (out += s + "\n") });
const put = (path) => {
  const dest = `/tmp/wheels/${basename(path)}`;
  pyodide.FS.mkdirTree("/tmp/wheels");
  pyodide.FS.writeFile(dest, new Uint8Array(readFileSync(path)));
  return dest;
};
pyodide.unpackArchive(new Uint8Array(readFileSync(micropipWheel)), "wheel");
pyodide.FS.mkdirTree(guest);
pyodide.unpackArchive(new Uint8Array(readFileSync(testsZip)), "zip", { extractDir: guest });
pyodide.globals.set("_deps", pyodide.toPy(deps.map(put)));
pyodide.globals.set("_wheel", put(wheel));
pyodide.globals.set("_guest", guest);

await check("micropip installs the wheel from a local file; `import golang` loads the core by itself", async () => {
  const where = await pyodide.runPythonAsync(`
import shutil, sys, micropip
shutil.rmtree(_guest + "/golang")       # the suites must import the installed package
sys.path.insert(0, _guest)
for d in _deps:
    await micropip.install("emfs:" + d)
await micropip.install("emfs:" + _wheel)
import golang
import _golang_wasm_core     # registered by the wheel's own loader: nothing else did
golang.__file__
`);
  assert.match(where, /site-packages\/golang\/__init__\.py$/);
});

await check("pytest suites of the async API against the installed wheel", () => {
  out = "";
  const status = pyodide.runPython(`
import pytest
pytest.main(["-q", "-p", "no:cacheprovider", *[_guest + "/tests/" + s for s in ${JSON.stringify(SUITES)}]])
`);
  process.stdout.write(out.trim().split("\n").slice(-1)[0] + "\n");
  assert.equal(Number(status), 0, out);
});

await check("the seeded trace program prints the same trace as natively", () => {
  const seeds = Array.from({ length: 12 }, (_, i) => String(i * 7 + 1));
  const native = spawnSync(python, [join(root, "targets", "wasm", "tests", "trace_program.py"), ...seeds], { encoding: "utf8" });
  assert.equal(native.status, 0, native.stderr);
  out = "";
  pyodide.runPython(`
import runpy, sys
sys.argv = ["trace_program.py", *${JSON.stringify(seeds)}]
runpy.run_path(_guest + "/wasmtests/trace_program.py", run_name="__main__")
`);
  assert.deepEqual(out.trim().split("\n"), native.stdout.trim().split("\n"));
});

await check("top-level goroutines run on the event loop driven from the wheel's driver", async () => {
  const r = await pyodide.runPythonAsync(`
import golang
from golang import go, chan, time

async def main():
    c = chan()
    async def worker(i):
        await time.asleep(0.001 * (3 - i))
        await c.asend(i)
    for i in range(3):
        go(worker, i)
    return [await c.arecv() for _ in range(3)]

await golang.arun(main)
`);
  assert.deepEqual(r.toJs(), [2, 1, 0]);
});

console.log(failed() ? `${failed()} FAILED` : "all passed");
process.exit(failed() ? 1 : 0);
