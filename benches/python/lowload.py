"""CPU cost at low load: two goroutines (threads) doing one channel round
trip per millisecond for a while; prints CPU time over wall time for this
package and for Pygolang 0.1 (.venv-pygolang), each in its own process, in
one run, and the ChanUnbufPingPong throughput beside it (issue 21, item 4).

    .venv/bin/python benches/python/lowload.py [--seconds 2] [--rounds 3] [--also NAME=DIR ...]

`--also before=DIR` adds a row for another build of this package: DIR is
an unpacked wheel (its `golang` package is imported from there, with this
venv's Python), e.g. a wheel of an older commit, to see a change's effect
in the same run.
"""

import argparse
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OURS = os.path.join(ROOT, ".venv", "bin", "python")
PYGOLANG = os.path.join(ROOT, ".venv-pygolang", "bin", "python")

_PROG = r"""
import sys, time, resource
from golang import go, chan
mode, secs = sys.argv[1], float(sys.argv[2])
ping, pong, done = chan(), chan(), chan()
def partner():
    while True:
        v = ping.recv()
        if v is None:
            break
        pong.send(v)
    done.close()
go(partner)
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
if mode == "lowload":
    t0, c0 = time.monotonic(), cpu()
    n = 0
    while time.monotonic() - t0 < secs:
        ping.send(n); pong.recv(); n += 1
        time.sleep(0.001)
    wall, used = time.monotonic() - t0, cpu() - c0
    print(used / wall)
else:
    n, out = 20000, []
    for r in range(8 if mode == "pingpong8" else 1):
        t0 = time.perf_counter()
        for i in range(n):
            ping.send(i); pong.recv()
        out.append((time.perf_counter() - t0) / n * 1e9)
    print(" ".join("%.0f" % x for x in out))
ping.send(None); done.recv()
"""


def run(python, mode, secs, path=None):
    env = dict(os.environ)
    if path:
        env["PYTHONPATH"] = path
    out = subprocess.run([python, "-c", _PROG, mode, str(secs)], check=True, capture_output=True, text=True,
                         timeout=300, env=env)
    got = [float(x) for x in out.stdout.split()]
    return got if mode == "pingpong8" else got[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--also", action="append", default=[], metavar="NAME=DIR",
                    help="another build of this package: an unpacked wheel's directory")
    ap.add_argument("--pingpong-spread", action="store_true",
                    help="also: the busy ping-pong's median and quartiles over 8 rounds of each run")
    a = ap.parse_args()
    peers = [("ours", OURS, None)]
    for spec in a.also:
        name, _, path = spec.partition("=")
        if not os.path.isdir(os.path.join(path, "golang")):
            ap.error("--also %s: no golang package in %s" % (spec, path))
        peers.append((name, OURS, os.path.abspath(path)))
    if os.path.exists(PYGOLANG):
        peers.append(("pygolang", PYGOLANG, None))
    cpu, pp, spread = {}, {}, {}
    for _ in range(a.rounds):
        for who, py, path in peers:
            cpu.setdefault(who, []).append(run(py, "lowload", a.seconds, path))
            pp.setdefault(who, []).append(run(py, "pingpong", a.seconds, path))
            if a.pingpong_spread and who != "pygolang":
                spread.setdefault(who, []).extend(run(py, "pingpong8", a.seconds, path))
    print("%-10s %22s %26s" % ("", "CPU/wall at 1 kHz (med)", "unbuf ping-pong ns/rt (best)"))
    for who, _, _ in peers:
        c = sorted(cpu[who])[len(cpu[who]) // 2]
        print("%-10s %21.1f%% %26.0f" % (who, c * 100, min(pp[who])))
    for who, v in spread.items():
        v = sorted(v)
        print("%-10s busy ping-pong over %d rounds: median %.0f, quartiles %.0f / %.0f ns"
              % (who, len(v), v[len(v) // 2], v[len(v) // 4], v[3 * len(v) // 4]))


if __name__ == "__main__":
    main()
