# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""The `pygolang` shim (packaging/pygolang): with it installed next to
pygolang-rs, pip finds a program's `pygolang>=0.1` requirement satisfied and
does not install the real Pygolang over our golang/ package.

The test works offline in a fresh virtualenv made in a temporary directory:
pip (the one running this suite, through ``pip --python``) installs there

- pygolang-rs, as a wheel assembled from the package this suite imports (so
  the native extension already built is reused; its Requires-Dist is left
  out, the resolution of pygolang-rs's own dependencies is not what is
  tested here), and decorator, which golang imports, the same way;
- the shim, built by pip from packaging/pygolang;
- a program, a wheel that requires ``pygolang>=0.1``, from a find-links
  directory that also holds a stand-in for the real ``pygolang 0.1`` (a
  wheel whose golang/__init__.py says REAL_PYGOLANG), which is what pip
  would take from PyPI.

It runs once, under python (not again under gpython).
"""

import base64
import hashlib
import importlib.metadata
import os
import re
import subprocess
import sys
import zipfile

import pytest

import golang
import gpython

PY = getattr(sys, '_gpy_underlying_executable', sys.executable)
SHIM = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packaging', 'pygolang')

pytestmark = [
    pytest.mark.skipif('GPython' in sys.version, reason='runs once, under python'),
    pytest.mark.skipif(sys.platform == 'emscripten', reason='needs pip and subprocesses'),
    pytest.mark.skipif(not os.path.isfile(os.path.join(SHIM, '_backend.py')),
                       reason='needs the checkout (packaging/pygolang)'),
]


def pip_version():
    try:
        v = importlib.metadata.version('pip')
    except importlib.metadata.PackageNotFoundError:
        return (0,)
    return tuple(int(x) for x in re.findall(r'\d+', v)[:2])


def make_wheel(wheeldir, name, version, files, requires=()):
    """make_wheel writes a wheel of distribution name==version holding files
    (archive path -> bytes) and returns its path."""
    norm = re.sub(r'[-_.]+', '_', name)
    distinfo = '%s-%s.dist-info' % (norm, version)
    meta = 'Metadata-Version: 2.1\nName: %s\nVersion: %s\n' % (name, version)
    meta += ''.join('Requires-Dist: %s\n' % r for r in requires)
    entries = dict(files)
    entries[distinfo + '/METADATA'] = meta.encode()
    entries[distinfo + '/WHEEL'] = (b'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n'
                                    b'Tag: py3-none-any\n')
    record = ''
    for path, data in sorted(entries.items()):
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
        record += '%s,sha256=%s,%d\n' % (path, digest, len(data))
    entries[distinfo + '/RECORD'] = (record + distinfo + '/RECORD,,\n').encode()
    path = os.path.join(str(wheeldir), '%s-%s-py3-none-any.whl' % (norm, version))
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as z:
        for p, data in sorted(entries.items()):
            z.writestr(p, data)
    return path


def tree_files(pkgdir):
    """tree_files returns {archive path: bytes} of the package at pkgdir."""
    out = {}
    top = os.path.dirname(pkgdir)
    for dirpath, dirnames, filenames in os.walk(pkgdir):
        dirnames[:] = [d for d in dirnames if d != '__pycache__']
        for f in filenames:
            if f.endswith(('.pyc', '.pyo')):
                continue
            p = os.path.join(dirpath, f)
            with open(p, 'rb') as fd:
                out[os.path.relpath(p, top).replace(os.sep, '/')] = fd.read()
    return out


def installed_files(dist):
    """installed_files returns {archive path: bytes} of an installed
    distribution's own files (not its .dist-info)."""
    d = importlib.metadata.distribution(dist)
    out = {}
    for f in d.files or ():
        if '.dist-info/' in str(f) or str(f).endswith(('.pyc', '.pyo')) or str(f).startswith('..'):
            continue
        p = d.locate_file(f)
        if os.path.isfile(str(p)):
            with open(str(p), 'rb') as fd:
                out[str(f).replace(os.sep, '/')] = fd.read()
    return out


@pytest.fixture(scope='module')
def venv(tmp_path_factory):
    if pip_version() < (22, 3):
        pytest.skip('needs pip >= 22.3 (pip --python)')
    tmp = tmp_path_factory.mktemp('shim')
    subprocess.run([PY, '-m', 'venv', '--without-pip', str(tmp / 'venv')], check=True)
    vpy = str(tmp / 'venv' / 'bin' / 'python')
    ours = tmp / 'ours'             # what we install directly
    index = tmp / 'index'           # what "PyPI" offers
    ours.mkdir()
    index.mkdir()

    files = tree_files(os.path.dirname(os.path.abspath(golang.__file__)))
    files.update(tree_files(os.path.dirname(os.path.abspath(gpython.__file__))))
    assert any(re.match(r'golang/_golang\..*(so|pyd)$', p) for p in files)   # the native core
    make_wheel(ours, 'pygolang-rs', importlib.metadata.version('pygolang-rs'), files)
    make_wheel(ours, 'decorator', importlib.metadata.version('decorator'), installed_files('decorator'))

    make_wheel(index, 'pygolang', '0.1', {
        'golang/__init__.py': b'REAL_PYGOLANG = True\n',
        'gpython/__init__.py': b'REAL_PYGOLANG = True\n',
    })
    make_wheel(index, 'myprog', '1.0', {'myprog.py': b'import golang\n'}, requires=['pygolang>=0.1'])

    def pip(*args):
        p = subprocess.run([PY, '-m', 'pip', '--python', vpy, '--disable-pip-version-check',
                            '--no-input'] + list(args),
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=300,
                           env=dict(os.environ, PIP_FIND_LINKS='', PIP_NO_INDEX='1'))
        out = p.stdout.decode('utf-8', 'replace')
        assert p.returncode == 0, out
        return out

    def probe():
        """probe returns what the venv's golang is: (golang.__file__, whether
        it is the real Pygolang, whether it has pygolang-rs's golang.run,
        the version of the pygolang distribution)."""
        prog = ('import golang, importlib.metadata as m\n'
                'print(golang.__file__)\n'
                'print(getattr(golang, "REAL_PYGOLANG", False), hasattr(golang, "run"))\n'
                'print(m.version("pygolang"))\n')
        r = subprocess.run([vpy, '-c', prog], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True, timeout=120)
        assert r.returncode == 0, r.stdout
        f, flags, ver = r.stdout.splitlines()
        return f, flags, ver

    pip('install', '--no-deps', *[str(ours / w) for w in sorted(os.listdir(str(ours)))])
    out = pip('install', os.path.abspath(SHIM))
    assert 'Successfully installed pygolang-0.1+rs' in out, out

    class V:
        pass
    v = V()
    v.pip, v.probe, v.index, v.python = pip, probe, str(index), vpy
    v.site = os.path.dirname(os.path.dirname(probe()[0]))
    return v


def assert_golang_is_ours(v):
    f, flags, ver = v.probe()
    assert f == os.path.join(v.site, 'golang', '__init__.py')
    assert flags == 'False True'        # not the real Pygolang; pygolang-rs's golang.run
    assert ver == '0.1+rs'


def test_shim_is_metadata_only_and_depends_on_pygolang_rs(venv):
    prog = ('import importlib.metadata as m\n'
            'd = m.distribution("pygolang")\n'
            'base = [r for r in d.requires if "extra ==" not in r]\n'
            'print(d.version, base, sorted(set(str(f).split("/")[0] for f in d.files)))\n'
            'print(sorted(d.metadata.get_all("Provides-Extra")))\n'
            'print([r for r in d.requires if r.endswith(\'extra == "pyx.build"\')])\n')
    out = subprocess.run([venv.python, '-c', prog], stdout=subprocess.PIPE,
                         universal_newlines=True, check=True).stdout
    assert out.splitlines() == [
        "0.1+rs ['pygolang-rs>=0.1'] ['pygolang-0.1+rs.dist-info']",
        # Pygolang 0.1's extras: `pygolang[pyx.build]` (the build requirement
        # of Cython code written for Pygolang) resolves to pygolang-rs's
        "['all', 'all_test', 'cmd.pybench', 'pyx.build', 'x.perf.benchlib']",
        "['pygolang-rs[pyx-build]>=0.1; extra == \"pyx.build\"']",
    ]
    assert_golang_is_ours(venv)


def test_program_requiring_pygolang_finds_it_satisfied(venv):
    out = venv.pip('install', '--find-links', venv.index, 'myprog')
    assert re.search(r'Requirement already satisfied: pygolang>=0\.1 .*\(0\.1\+rs\)', out), out
    assert 'Successfully installed myprog-1.0' in out
    assert 'pygolang-0.1 ' not in out and 'Downloading' not in out
    assert_golang_is_ours(venv)
    assert 'No broken requirements found' in venv.pip('check')


def test_upgrades_keep_the_shim(venv):
    out = venv.pip('install', '--find-links', venv.index, '--upgrade', '--upgrade-strategy', 'eager',
                   'myprog')
    assert 'pygolang-0.1 ' not in out, out
    assert_golang_is_ours(venv)
    out = venv.pip('install', '--find-links', venv.index, '--upgrade', 'pygolang')
    assert 'Requirement already satisfied: pygolang' in out, out
    assert_golang_is_ours(venv)
    # (--force-reinstall would take pygolang from the index: README says --no-deps)
    venv.pip('install', '--find-links', venv.index, '--force-reinstall', '--no-deps', 'myprog')
    assert_golang_is_ours(venv)


def test_without_the_shim_the_real_pygolang_overwrites_golang(venv):
    # what the shim prevents (last: it leaves the venv broken)
    venv.pip('uninstall', '-y', 'pygolang')
    out = venv.pip('install', '--find-links', venv.index, 'myprog')
    assert 'Successfully installed pygolang-0.1' in out, out
    r = subprocess.run([venv.python, '-c', 'import golang; print(golang.REAL_PYGOLANG)'],
                       stdout=subprocess.PIPE, universal_newlines=True)
    assert r.stdout == 'True\n'
