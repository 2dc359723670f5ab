"""Packs what Pyodide imports into one zip: the `golang` package (without
the native extension), and, with --tests, the Python test suite and the
pure-Python packages pytest needs (taken from the repo's virtualenv, since
Pyodide cannot fetch packages offline).

    python targets/wasm/mkzip.py OUT.zip [--tests]
"""

import os
import sys
import sysconfig
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# golang's own dependency (pure Python; Pyodide ships it only as an optional
# package, which cannot be fetched offline).
DEPS = ['decorator.py', 'decorator']
PYTEST_PKGS = ['pytest', '_pytest', 'pluggy', 'iniconfig', 'packaging', 'pygments', 'py.py']


def add_tree(z, src, arc):
    if os.path.isfile(src):
        z.write(src, arc)
        return
    for d, dirs, files in os.walk(src):
        dirs[:] = [x for x in dirs if x != '__pycache__']
        for f in files:
            if f.endswith(('.so', '.pyc', '.pyd')):
                continue
            p = os.path.join(d, f)
            z.write(p, os.path.join(arc, os.path.relpath(p, src)))


def main():
    out = sys.argv[1]
    tests = '--tests' in sys.argv[2:]
    with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
        add_tree(z, os.path.join(ROOT, 'python', 'golang'), 'golang')
        site = sysconfig.get_paths()['purelib']
        names = list(DEPS)
        if tests:
            add_tree(z, os.path.join(ROOT, 'tests', 'python'), 'tests')
            add_tree(z, os.path.join(ROOT, 'targets', 'wasm', 'tests'), 'wasmtests')
            add_tree(z, os.path.join(ROOT, 'benches', 'python'), 'benches')
            names += PYTEST_PKGS
        seen = set()
        if True:
            for name in names:
                p = os.path.join(site, name)
                if os.path.exists(p):
                    add_tree(z, p, name)
                for d in os.listdir(site):
                    if d.endswith('.dist-info') and d.split('-')[0].lower() == name.split('.')[0].lower() and d not in seen:
                        seen.add(d)
                        add_tree(z, os.path.join(site, d), d)


if __name__ == '__main__':
    main()
