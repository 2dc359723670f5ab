// SPDX-License-Identifier: MIT OR Apache-2.0
// What the WebAssembly target's test runners share: the Python test files that
// run under Pyodide (in Node.js and in Chromium; tests inside them that need
// OS threads or asyncio.run are marked and skipped there), and check().
export const SUITES = ["test_async.py", "test_async_sync.py", "test_async_context.py", "test_context.py", "test_chan.py", "test_select.py", "test_func_defer.py", "test_strconv.py", "test_testing.py", "test_errors.py", "test_fmt.py", "test_io.py", "test_strings.py", "test_os_signal.py", "test_core_contract.py"];

let failures = 0;

/** Runs one named check, prints `ok` or `FAIL` with the error, and counts failures. */
export async function check(name, f) {
  const t0 = performance.now();
  try {
    await f();
    console.log(`ok   ${name} (${Math.round(performance.now() - t0)} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}\n${e.stack || e}`);
  }
}

/** How many checks failed so far. */
export function failed() {
  return failures;
}
