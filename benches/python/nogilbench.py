"""Nogil benchmarks over the C ABI, beside Pygolang 0.1's own, in one run.

    .venv/bin/python benches/python/nogilbench.py [--rounds 5]

Builds tests/pyx/golang_capi_test (its `capitest.nogilbench` module mirrors
the workloads of Pygolang's `bench_go_nogil`, `bench_chan_nogil` and
`bench_select_nogil`) into a temporary directory, then alternates, round by
round, between this package (in .venv) and Pygolang 0.1 (its own
`golang._golang_test`, in .venv-pygolang, which benches/python/
setup-pygolang.sh makes), each in its own process, and prints the best time
per operation of each and the ratio ours/Pygolang's.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OURS = os.path.join(ROOT, ".venv", "bin", "python")
PYGOLANG = os.path.join(ROOT, ".venv-pygolang", "bin", "python")
BENCHES = [("bench_go_nogil", 20000), ("bench_chan_nogil", 200000), ("bench_select_nogil", 200000)]

# One process per measurement: N operations, after a warm-up of N/10.
_PROG = r"""
import sys, time
mod, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = __import__(mod, fromlist=["x"])
f = getattr(m, name)
class B: pass
b = B()
b.N = max(1, n // 10); f(b)
b.N = n
t0 = time.perf_counter(); f(b); t = time.perf_counter() - t0
print(t / n * 1e9)
"""


def measure(python, mod, name, n, cwd):
    env = dict(os.environ, PYTHONPATH=cwd)
    out = subprocess.run([python, "-c", _PROG, mod, name, str(n)], cwd=cwd, env=env,
                         check=True, capture_output=True, text=True, timeout=600)
    return float(out.stdout.split()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(PYGOLANG):
        sys.exit("no %s: run benches/python/setup-pygolang.sh first" % PYGOLANG)
    tmp = tempfile.mkdtemp(prefix="nogilbench-")
    try:
        src = os.path.join(tmp, "capitest")
        shutil.copytree(os.path.join(ROOT, "tests", "pyx", "golang_capi_test"), src)
        subprocess.run([OURS, "setup.py", "build_ext", "-i"], cwd=src, check=True, capture_output=True, timeout=900)
        best = {}
        for _ in range(args.rounds):
            for name, n in BENCHES:
                for who, python, mod in (("ours", OURS, "capitest.nogilbench"),
                                         ("pygolang", PYGOLANG, "golang._golang_test")):
                    t = measure(python, mod, name, n, src)
                    best[who, name] = min(best.get((who, name), t), t)
        print("%-20s %14s %14s %8s" % ("benchmark", "ours ns/op", "Pygolang ns/op", "ratio"))
        for name, _ in BENCHES:
            o, p = best["ours", name], best["pygolang", name]
            print("%-20s %14.0f %14.0f %8.2f" % (name, o, p, o / p))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
