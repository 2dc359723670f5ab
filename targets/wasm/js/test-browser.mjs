// SPDX-License-Identifier: MIT OR Apache-2.0
//
// The WebAssembly target's tests in headless Chromium (Debian's chromium,
// driven by playwright-core), on pages served from localhost:
//
//   1. the Python conformance suites of the async API (tests.html runs
//      pytest inside Pyodide in the page);
//   2. the demo page (demo.html) runs its goroutine program and shows what
//      it printed.
//
//     node test-browser.mjs            (after the package zips are built into ../pkg)
//     node test-browser.mjs --serve    (only serve the demo: http://127.0.0.1:8123/targets/wasm/js/demo.html)

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { SUITES, check, failed } from "./suites.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = normalize(join(here, "..", "..", ".."));
const TYPES = { ".html": "text/html", ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm",
  ".zip": "application/zip", ".json": "application/json", ".map": "application/json" };

/** Serves the repository (read-only) on 127.0.0.1. */
export function serve(port = 0) {
  const server = createServer(async (req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url, "http://x").pathname)));
    if (!path.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(path);
      res.writeHead(200, { "content-type": TYPES[extname(path)] || "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv.includes("--serve")) {
  const server = await serve(8123);
  console.log(`http://127.0.0.1:${server.address().port}/targets/wasm/js/demo.html`);
} else {
  const { chromium } = await import("playwright-core");
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/targets/wasm/js`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    await check("pytest suites of the async API in headless Chromium; sync operations block through JSPI there", async () => {
      const page = await browser.newPage();
      const q = SUITES.map((s) => `suite=${encodeURIComponent(s)}`).join("&");
      await page.goto(`${base}/tests.html?${q}`);
      await page.waitForFunction(() => document.title !== "running", null, { timeout: 300000 });
      const log = await page.textContent("#log");
      console.log(log.trim().split("\n").slice(-2).join("\n"));
      assert.equal(await page.title(), "PASS", log);
      // With JavaScript Promise Integration (Chromium has it), sync
      // operations at the top level wait through Pyodide's run_sync while
      // the event loop runs the goroutines.
      const got = await page.evaluate(() => window.pyodide.runPythonAsync(`
from pyodide.ffi import can_run_sync
from golang import go, chan, select, time
ch = chan()
async def sender():
    await time.asleep(0.02)
    await ch.asend('hello')
    await ch.asend('world')
go(sender)
t0 = time.now()
a = ch.recv()
_, b = select(ch.recv)
time.sleep(0.01)
repr((can_run_sync(), a, b, time.now() - t0 >= 0.03))
`));
      assert.equal(got, "(True, 'hello', 'world', True)");
    });
    await check("the demo page runs its goroutine program and shows the output", async () => {
      const page = await browser.newPage();
      await page.goto(`${base}/demo.html`);
      await page.waitForFunction(() => /finished|failed/.test(document.getElementById("status").textContent), null, { timeout: 120000 });
      const status = await page.textContent("#status");
      const out = await page.textContent("#out");
      assert.equal(status, "finished", out);
      assert.match(out, /^primes: 2 3 5 7 11 13 17 19 23 29 31 37 41 43 47 53 59 61 67 71 73 79 83 89 97$/m);
      assert.match(out, /^tick 1$/m);
      assert.match(out, /^timeout after [1-5] ticks$/m); // (a slow page skips ticks, as in Go)
      assert.match(out, /^done: 25 primes$/m);
    });
  } finally {
    await browser.close();
    server.close();
  }
  console.log(failed() ? `${failed()} FAILED` : "all passed");
  process.exit(failed() ? 1 : 0);
}
