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
//
// Then, where Chromium is (CHROMIUM, default /usr/bin/chromium), the same
// install from URLs in a page, and a goroutine program on the loaded core.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
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
    return sorted([await c.arecv() for _ in range(3)])   # (timer order on the real clock is not the point)

await golang.arun(main)
`);
  assert.deepEqual(r.toJs(), [0, 1, 2]);
});

const chromium = process.env.CHROMIUM || "/usr/bin/chromium";
if (existsSync(chromium)) {
  await check("in headless Chromium, micropip installs the wheel from a URL and `import golang` works", async () => {
    const files = new Map([[basename(micropipWheel), micropipWheel], ...[wheel, ...deps].map((p) => [basename(p), p])]);
    const pyodideDir = join(here, "node_modules", "pyodide");
    const page = `<!doctype html><title>running</title><script type="module">
import { loadPyodide } from "/pyodide/pyodide.mjs";
try {
  const py = await loadPyodide();
  py.unpackArchive(new Uint8Array(await (await fetch("/wheels/${basename(micropipWheel)}")).arrayBuffer()), "wheel");
  py.globals.set("_urls", py.toPy(${JSON.stringify([...deps, wheel].map((p) => "/wheels/" + basename(p)))}.map((u) => new URL(u, location.href).href)));
  const r = await py.runPythonAsync(\`
import micropip
for u in _urls:
    await micropip.install(u)
import golang
from golang import go, chan, time

async def main():
    c = chan()
    async def worker(i):
        await time.asleep(0.001 * (3 - i))
        await c.asend(i)
    for i in range(3):
        go(worker, i)
    return sorted([await c.arecv() for _ in range(3)])   # (timer order on the real clock is not the point)

async def seeded():
    await time.asleep(5)
    return time.now()

repr((await golang.arun(main), golang.run(seeded, seed=1) >= 5, golang.__file__))
\`);
  document.body.textContent = r;
  document.title = "done";
} catch (e) {
  document.body.textContent = String(e.stack || e);
  document.title = "failed";
}
</script>`;
    const server = createServer((req, res) => {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      try {
        if (path === "/") return res.writeHead(200, { "content-type": "text/html" }).end(page);
        if (path.startsWith("/wheels/") && files.has(path.slice(8)))
          return res.writeHead(200, { "content-type": "application/octet-stream" }).end(readFileSync(files.get(path.slice(8))));
        if (path.startsWith("/pyodide/") && !path.includes("..")) {
          const type = path.endsWith(".mjs") || path.endsWith(".js") ? "text/javascript" : path.endsWith(".wasm") ? "application/wasm" : "application/octet-stream";
          return res.writeHead(200, { "content-type": type }).end(readFileSync(join(pyodideDir, path.slice(9))));
        }
      } catch {}
      res.writeHead(404).end();
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { chromium: pw } = await import("playwright-core");
    const browser = await pw.launch({
      executablePath: chromium,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"],
    });
    try {
      const p = await browser.newPage();
      await p.goto(`http://127.0.0.1:${server.address().port}/`);
      await p.waitForFunction(() => document.title !== "running", null, { timeout: 180000 });
      const body = await p.textContent("body");
      assert.equal(await p.title(), "done", body);
      assert.match(body, /^\(\[0, 1, 2\], True, '.*site-packages\/golang\/__init__\.py'\)$/);
    } finally {
      await browser.close();
      server.close();
    }
  });
}

console.log(failed() ? `${failed()} FAILED` : "all passed");
process.exit(failed() ? 1 : 0);
