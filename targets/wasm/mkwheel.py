"""Builds the Pyodide wheel (py3-none-any): the `golang` package without the
native extension, plus the WebAssembly core in golang/_wasm (the module, its
classic-script glue from targets/wasm/pkg/no-modules, and driver.js, already
there). Its metadata (name, version, dependencies, extras, entry points) is
copied from the abi3 wheel that maturin built, so the two describe one
distribution.

    python targets/wasm/mkwheel.py ABI3_WHEEL OUT_DIR
"""

import base64
import hashlib
import os
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PKG = os.path.join(ROOT, 'targets', 'wasm', 'pkg', 'no-modules')
CORE = ['golang_wasm.js', 'golang_wasm_bg.wasm']
# Every zip entry gets this time, so that the same inputs give the same wheel.
EPOCH = (1980, 1, 1, 0, 0, 0)


def record_line(arc, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    return '%s,sha256=%s,%d' % (arc, digest, len(data))


def main():
    abi3, out = sys.argv[1], sys.argv[2]
    with zipfile.ZipFile(abi3) as src:
        distinfo = next(n.split('/')[0] for n in src.namelist() if n.split('/')[0].endswith('.dist-info'))
        meta = {n[len(distinfo) + 1:]: src.read(n) for n in src.namelist()
                if n.startswith(distinfo + '/') and not n.endswith(('/RECORD', '/WHEEL'))}
    name, version = distinfo[:-len('.dist-info')].split('-')
    files = []
    base = os.path.join(ROOT, 'python')
    for d, dirs, names in os.walk(os.path.join(base, 'golang')):
        dirs[:] = sorted(x for x in dirs if x != '__pycache__')
        for f in sorted(names):
            if f.endswith(('.so', '.pyd', '.pyc')):
                continue
            p = os.path.join(d, f)
            with open(p, 'rb') as fh:
                files.append((os.path.relpath(p, base).replace(os.sep, '/'), fh.read()))
    for f in CORE:
        with open(os.path.join(PKG, f), 'rb') as fh:
            files.append(('golang/_wasm/' + f, fh.read()))
    for k, v in sorted(meta.items()):
        files.append((distinfo + '/' + k, v))
    files.append((distinfo + '/WHEEL', (
        'Wheel-Version: 1.0\nGenerator: pygolang-rs targets/wasm/mkwheel.py\n'
        'Root-Is-Purelib: true\nTag: py3-none-any\n').encode()))
    record = [record_line(a, d) for a, d in files] + [distinfo + '/RECORD,,']
    files.append((distinfo + '/RECORD', ('\n'.join(record) + '\n').encode()))
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, '%s-%s-py3-none-any.whl' % (name, version))
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for arc, data in files:
            info = zipfile.ZipInfo(arc, EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    print(path)


if __name__ == '__main__':
    main()
