// SPDX-License-Identifier: MIT OR Apache-2.0
//
// Runs Python under Pyodide in Node.js with the golang package on its
// WebAssembly core:
//
//     node run-node.mjs PY.zip -c "python code"
//     node run-node.mjs PY.zip file.py [args...]
//     node run-node.mjs PY.zip -m module [args...]     (e.g. -m pytest ...)
//
// PY.zip comes from targets/wasm/mkzip.py. The process exits with the
// program's exit status (SystemExit), after the event loop has run every
// goroutine that the program left (top-level go()).

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadPyodide } from "pyodide";
import { loadGolang } from "./golang.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const [zipPath, ...rest] = process.argv.slice(2);
const pyodide = await loadPyodide({ stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
await loadGolang(pyodide, {
  wasm: new Uint8Array(readFileSync(join(here, "..", "pkg", "golang_wasm_bg.wasm"))),
  python: new Uint8Array(readFileSync(zipPath)),
});
pyodide.globals.set("_argv", pyodide.toPy(rest));
for (const [k, v] of Object.entries(process.env)) {
  if (k.startsWith("GOLANG_")) pyodide.runPython(`import os; os.environ[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
}
let status = 0;
try {
  status = pyodide.runPython(`
import sys, runpy
argv = list(_argv)
status = 0
try:
    if argv[0] == '-c':
        sys.argv = ['-c'] + argv[2:]
        exec(compile(argv[1], '<string>', 'exec'), {'__name__': '__main__'})
    elif argv[0] == '-m':
        sys.argv = [argv[1]] + argv[2:]
        runpy.run_module(argv[1], run_name='__main__', alter_sys=True)
    else:
        sys.argv = argv
        import os
        sys.path.insert(0, os.path.dirname(os.path.abspath(argv[0])))
        runpy.run_path(argv[0], run_name='__main__')
except SystemExit as e:
    status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    if not isinstance(e.code, (int, type(None))):
        print(e.code, file=sys.stderr)
status
`);
} catch (e) {
  console.error(String(e));
  status = 1;
}
process.exitCode = status;
