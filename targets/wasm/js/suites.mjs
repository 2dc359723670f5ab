// SPDX-License-Identifier: MIT OR Apache-2.0
// The Python test files that run under Pyodide (in Node.js and in Chromium);
// tests inside them that need OS threads or asyncio.run are marked and skipped there.
export const SUITES = ["test_async.py", "test_async_sync.py", "test_async_context.py", "test_func_defer.py", "test_strconv.py", "test_testing.py"];
