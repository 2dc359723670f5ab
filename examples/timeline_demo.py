#!/usr/bin/env python
"""A Pygolang program, unchanged, run deterministically under
`golang.run(main, seed=42)`; it then draws its own run as a goroutine
timeline (one self-contained HTML page: open it in a browser).

Usage: python examples/timeline_demo.py [OUTDIR]   (default: build/)
"""

from __future__ import print_function

import os
import sys

import golang
from golang import chan, go, select, schedule, sync, time


def main():
    # A ping-pong over an unbuffered channel ...
    ping, pong = chan(), chan()

    def ponger():
        for _ in range(3):
            pong.send(ping.recv() + 1)
    go(ponger)
    v = 0
    for _ in range(3):
        ping.send(v)
        v = pong.recv()

    # ... three workers that sleep (on the virtual clock) under a mutex ...
    results = chan(3)
    mu = sync.Mutex()
    total = [0]

    def worker(i):
        time.sleep(0.01 * (3 - i))
        with mu:
            total[0] += i
        results.send(i)
    for i in range(3):
        go(worker, i)

    # ... and a select with a timeout.
    timeout = time.after(1.0)
    order = []
    while len(order) < 3:
        _, r = select(results.recv, timeout.recv)
        order.append(r)
    return v, order, total[0]


if __name__ == '__main__':
    out = sys.argv[1] if len(sys.argv) > 1 else 'build'
    sched = os.path.join(out, 'timeline-demo.schedule')
    print("result:", golang.run(main, seed=42, record=sched))
    page = schedule.timeline(sched, os.path.join(out, 'timeline-demo.html'))
    print("this run's goroutine timeline:", page)
