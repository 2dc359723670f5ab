"""Synchronous goroutines of a deterministic run (golang.run(main, seed=N),
greenlets scheduled by the seeded executor) beside the gevent runtime
(gpython), in one run: an unbuffered ping-pong and a spawn-and-join, as
chanbench's ChanUnbufPingPong and GoSpawnJoin (issue 20's performance rule).

    .venv/bin/python benches/python/syncbench.py [--rounds 3]
"""

import argparse
import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.path.join(ROOT, ".venv", "bin")

_PROG = r"""
import sys, time
import golang
from golang import go, chan

def pingpong(n):
    a, b = chan(), chan()
    def partner():
        for i in range(n):
            b.send(a.recv())
    go(partner)
    t0 = time.perf_counter()
    for i in range(n):
        a.send(i); b.recv()
    return (time.perf_counter() - t0) / n * 1e9

def spawnjoin(n):
    t0 = time.perf_counter()
    for i in range(n):
        done = chan()
        go(done.close)
        done.recv()
    return (time.perf_counter() - t0) / n * 1e9

out = {}
def main():
    out['pp'] = pingpong(20000)
    out['sj'] = spawnjoin(10000)
if sys.argv[1] == 'run':
    golang.run(main, seed=1)
else:
    main()
print(out['pp'], out['sj'])
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    modes = [("golang.run (sync goroutines)", os.path.join(BIN, "python"), "run"),
             ("gevent (gpython)", os.path.join(BIN, "gpython"), "gevent")]
    best = {}
    for _ in range(a.rounds):
        for name, py, mode in modes:
            out = subprocess.run([py, "-c", _PROG, mode], check=True, capture_output=True, text=True, timeout=600)
            pp, sj = map(float, out.stdout.split())
            b = best.setdefault(name, [pp, sj])
            best[name] = [min(b[0], pp), min(b[1], sj)]
    print("%-30s %18s %18s" % ("", "ping-pong ns/rt", "spawn+join ns"))
    for name, _, _ in modes:
        print("%-30s %18.0f %18.0f" % (name, best[name][0], best[name][1]))


if __name__ == "__main__":
    main()
