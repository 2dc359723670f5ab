#!/usr/bin/env python3
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Writes golden.txt: what Pygolang's golang.strconv (python/golang/strconv.py)
gives for seeded random inputs, so that the Rust crate is checked against it.

    python3 stdlib/strconv/tests/gen_golden.py > stdlib/strconv/tests/golden.txt

Lines (fields separated by a tab, byte strings in hex):
    q  <input>  <quote(input)>
    n  <input>  <unquoted>  <tail>          unquote_next(input) succeeded
    e  <input>  <message as UTF-8>          unquote_next(input) raised ValueError
"""

import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', '..', '..', 'python', 'golang'))
import strconv  # noqa: E402  (the pure-Python module, without the package)

rng = random.Random(20240611)

# code points from all over Unicode: letters, marks, spaces, format
# characters, unassigned, private use, noncharacters, astral planes.
POINTS = [0xa0, 0xad, 0x300, 0x378, 0x5d0, 0x600, 0x61c, 0x85f, 0x200b, 0x2028,
          0x2029, 0x2060, 0x20ac, 0x3000, 0x4e16, 0xd7a3, 0xe000, 0xfdd0, 0xfeff,
          0xfffd, 0xffff, 0x1f64f, 0x1f680, 0x1d400, 0x20000, 0x2fa1d, 0xe0001,
          0xf0000, 0x10ffff, 0x1fbf9, 0x31350]


def random_input():
    out = bytearray()
    for _ in range(rng.randrange(0, 12)):
        k = rng.randrange(6)
        if k == 0:
            out += bytes([rng.randrange(256)])                 # any byte
        elif k == 1:
            out += bytes([rng.randrange(0x20, 0x7f)])          # printable ASCII
        elif k == 2:
            out += bytes([rng.choice(b'"\\\t\n\r\x00\x07\x1b\x7f')])
        elif k == 3:
            out += chr(rng.choice(POINTS)).encode('utf-8')
        elif k == 4:
            c = rng.randrange(0x80, 0x110000)
            if not 0xd800 <= c <= 0xdfff:
                out += chr(c).encode('utf-8')
        else:   # truncated, overlong or surrogate sequences
            out += rng.choice([b'\xe2\x82', b'\xc0\xaf', b'\xed\xa0\x80', b'\xf4\x90\x80\x80', b'\xf0\x9f\x98'])
    return bytes(out)


PIECES = ['\\', '\\', 'x', 'u', 'U', '0', '1', '3', '4', '7', '8', 'a', 'n', 'z', 'F', 'd8', 'DFFF',
          '00', '10FFFF', '110000', '"', 'é', '日', ' ', '\'', '\n']


def random_quoted():
    s = '"' + ''.join(rng.choice(PIECES) for _ in range(rng.randrange(0, 8)))
    b = s.encode('utf-8')
    if rng.randrange(8) == 0:
        b += b'\xff'
    if rng.randrange(4) != 0:
        b += b'"' + b'tail'[:rng.randrange(5)]
    if rng.randrange(16) == 0:
        b = b[1:]
    return b


w = sys.stdout.write
for _ in range(300):
    x = random_input()
    w('q\t%s\t%s\n' % (x.hex(), strconv.quote(x).hex()))
for _ in range(400):
    x = random_quoted()
    try:
        u, tail = strconv.unquote_next(x)
    except ValueError as e:
        w('e\t%s\t%s\n' % (x.hex(), str(e).encode('utf-8').hex()))
    else:
        w('n\t%s\t%s\t%s\n' % (x.hex(), u.hex(), tail.hex()))
