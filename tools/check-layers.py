#!/usr/bin/env python3
"""Fails when the files of a Rust crate import each other in a cycle.

Usage: python3 tools/check-layers.py DIR [DIR ...]

Each DIR is a crate's `src/`. Every top-level module is a node: `a.rs`, or
`a/mod.rs` together with the files under `a/`. The crate root (`lib.rs` or
`main.rs`) is not a node: it only declares the modules and re-exports them.

A module `a` depends on `b` when its code (comments and string literals left
out) names `b` through the crate root:
  - `crate::b`, `$crate::b`, in a path or a `use` (`use crate::b::f`,
    `use crate::{b, c::x}`, `crate::b::f(...)`);
  - `super::b` where `super` is the crate root (from a top-level file, outside
    any inline `mod` block);
  - `crate::x` where the root re-exports `x` from `b` (`pub use b::x;`);
  - a macro defined (`macro_rules! m`) in `b` and used (`m!`) in `a`.

Prints every elementary cycle as `a -> b -> a`, then where each edge in a cycle
comes from (the first `file:line` that names it), and exits 1 if there is one.
"""

import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def strip(src):
    """`src` with comments and string/char literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(src)

    def blank(s):
        return "".join("\n" if c == "\n" else " " for c in s)

    while i < n:
        c = src[i]
        if src.startswith("//", i):
            j = src.find("\n", i)
            j = n if j < 0 else j
            out.append(blank(src[i:j]))
            i = j
        elif src.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if src.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif src.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(blank(src[i:j]))
            i = j
        elif (c == "r" or c == "b") and re.match(r"(br|r)#*\"", src[i:i + 40]) and not (
            i > 0 and (src[i - 1].isalnum() or src[i - 1] == "_")
        ):
            m = re.match(r"(br|r)(#*)\"", src[i:])
            close = '"' + m.group(2)
            j = src.find(close, i + len(m.group(0)))
            j = n if j < 0 else j + len(close)
            out.append(blank(src[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            j += 1
            out.append(blank(src[i:j]))
            i = j
        elif c == "'":
            # A char literal ('x', '\n', '\u{..}'), or a lifetime ('a).
            m = re.match(r"'(\\[^']*|[^\\'])'", src[i:i + 12])
            if m:
                out.append(blank(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def tokens(code):
    """(kind, text, line) for identifiers, `::` and single punctuation."""
    line = 1
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif c.isalpha() or c == "_":
            m = IDENT.match(code, i)
            yield ("id", m.group(0), line)
            i = m.end()
        elif code.startswith("::", i):
            yield ("p", "::", line)
            i += 2
        else:
            yield ("p", c, line)
            i += 1


def use_tree_heads(toks, k):
    """The first identifiers of the items of a `{...}` use tree at toks[k]."""
    heads, depth, expect = [], 0, True
    while k < len(toks):
        kind, text, line = toks[k]
        if text == "{":
            depth += 1
            expect = depth == 1
        elif text == "}":
            depth -= 1
            if depth == 0:
                break
        elif text == "," and depth == 1:
            expect = True
        elif expect and depth == 1 and kind == "id":
            heads.append((text, line))
            expect = False
        elif depth == 1:
            expect = False
        k += 1
    return heads


def module_files(src):
    """{node: [paths]} for the top-level modules of the crate at `src`."""
    nodes = {}
    for entry in sorted(os.listdir(src)):
        path = os.path.join(src, entry)
        if entry.endswith(".rs") and entry not in ("lib.rs", "main.rs"):
            nodes.setdefault(entry[:-3], []).append(path)
        elif os.path.isdir(path):
            for root, _, files in os.walk(path):
                for f in sorted(files):
                    if f.endswith(".rs"):
                        nodes.setdefault(entry, []).append(os.path.join(root, f))
    return nodes


def root_reexports(src, nodes):
    """{name: node} for `pub use b::name` / `pub use b::{x, y}` in the root."""
    names = {}
    for root in ("lib.rs", "main.rs"):
        path = os.path.join(src, root)
        if not os.path.exists(path):
            continue
        with open(path) as f:
            code = strip(f.read())
        for m in re.finditer(r"\buse\s+(?:crate::|self::)?(\w+)::([^;]*);", code):
            mod, rest = m.group(1), m.group(2)
            if mod not in nodes:
                continue
            for name in IDENT.findall(re.sub(r"\bas\s+", "", rest)):
                names.setdefault(name, mod)
            # `use m::x as y` exports y: both idents were added above.
    return names


def graph(src):
    """({node: {dep: (path, line)}}, nodes) of the crate at `src`."""
    nodes = module_files(src)
    reexp = root_reexports(src, nodes)
    texts = {}
    macros = {}  # macro name -> defining node
    for node, paths in nodes.items():
        for path in paths:
            with open(path) as f:
                code = strip(f.read())
            texts[path] = (node, code)
            for m in re.finditer(r"\bmacro_rules!\s*(\w+)", code):
                macros.setdefault(m.group(1), node)

    def target(name):
        if name in nodes:
            return name
        if name in macros:
            return macros[name]
        return reexp.get(name)

    edges = {node: {} for node in nodes}
    for path, (node, code) in texts.items():
        toks = list(tokens(code))
        depth_in_file = os.path.relpath(path, src).count(os.sep)
        if os.path.basename(path) == "mod.rs":
            depth_in_file -= 1
        inline = []  # brace depths at which inline `mod x {` blocks opened
        braces = 0

        def add(name, line):
            dep = target(name)
            if dep and dep != node and dep not in edges[node]:
                edges[node][dep] = (os.path.relpath(path), line)

        for k, (kind, text, line) in enumerate(toks):
            nxt = toks[k + 1][1] if k + 1 < len(toks) else None
            if text == "{":
                braces += 1
            elif text == "}":
                braces -= 1
                while inline and inline[-1] > braces:
                    inline.pop()
            elif text == "mod" and k + 2 < len(toks) and toks[k + 2][1] == "{":
                inline.append(braces + 1)
            elif text == "macro_rules" and nxt == "!":
                continue
            elif kind == "id" and nxt == "!" and text in macros:
                add(text, line)
            if kind != "id" or nxt != "::":
                continue
            if text == "crate":
                k2 = k + 2
            elif text == "super" and (k == 0 or toks[k - 1][1] != "::"):
                # Climb the chain of `super::`; the crate root is reached
                # after depth_in_file + len(inline) + 1 steps.
                ups, k2 = 0, k
                while k2 + 1 < len(toks) and toks[k2][1] == "super" and toks[k2 + 1][1] == "::":
                    ups, k2 = ups + 1, k2 + 2
                if ups != depth_in_file + len(inline) + 1:
                    continue
            else:
                continue
            if k2 >= len(toks):
                continue
            if toks[k2][1] == "{":
                for name, ln in use_tree_heads(toks, k2):
                    add(name, ln)
            elif toks[k2][0] == "id":
                add(toks[k2][1], toks[k2][2])
    return edges


def cycles(edges):
    """Every elementary cycle, each once, starting at its smallest node."""
    found = []
    order = sorted(edges)
    for s in order:
        # Cycles through s that use only nodes >= s.
        stack = [(s, iter(sorted(d for d in edges[s] if d >= s)))]
        path, on = [s], {s}
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                on.discard(path.pop())
            elif nxt == s:
                found.append(path + [s])
            elif nxt not in on:
                path.append(nxt)
                on.add(nxt)
                stack.append((nxt, iter(sorted(d for d in edges[nxt] if d >= s))))
    return found


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    bad = False
    for src in argv[1:]:
        edges = graph(src)
        found = cycles(edges)
        if not found:
            print(f"{src}: no import cycle between {len(edges)} files")
            continue
        bad = True
        print(f"{src}: {len(found)} import cycle(s):")
        used = set()
        for c in found:
            print("  " + " -> ".join(c))
            used.update(zip(c, c[1:]))
        print("  where the edges come from:")
        for a, b in sorted(used):
            path, line = edges[a][b]
            print(f"    {a} -> {b}: {path}:{line}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
