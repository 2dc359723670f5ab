#!/usr/bin/env python
"""A Pygolang program, unchanged: the concurrent prime sieve with goroutines
and channels, then a select with a timeout. It runs on pygolang-rs's
`golang` package."""

from __future__ import print_function

from golang import go, chan, select, func, defer
from golang import time


def generate(ch):
    i = 2
    while True:
        ch.send(i)
        i += 1


def filter(inp, out, prime):
    while True:
        i = inp.recv()
        if i % prime != 0:
            out.send(i)


@func
def main():
    defer(lambda: print("main: done"))
    ch = chan()
    go(generate, ch)
    primes = []
    for _ in range(20):
        prime = ch.recv()
        primes.append(prime)
        ch1 = chan()
        go(filter, ch, ch1, prime)
        ch = ch1
    print("primes:", primes)

    answer = chan()
    def worker():
        time.sleep(0.01)
        answer.send("42")
    go(worker)
    timeout = time.after(1.0)
    _, _rx = select(
        answer.recv,    # 0
        timeout.recv,   # 1
    )
    print("answer:" if _ == 0 else "timeout", _rx if _ == 0 else "")


if __name__ == '__main__':
    main()
