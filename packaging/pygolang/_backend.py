# SPDX-License-Identifier: MIT OR Apache-2.0
"""PEP 517 build backend of the `pygolang` shim distribution.

The shim is metadata only: a wheel with a .dist-info and no files. Its
version is Pygolang's API level with a local label, ``0.1+rs``:

- it satisfies ``pygolang>=0.1``, ``pygolang==0.1``, ``pygolang~=0.1`` (a
  specifier without a local label ignores the candidate's label), so pip
  reports such a requirement as already satisfied;
- it sorts above PyPI's ``pygolang 0.1`` (a local version is greater than
  its public one), so ``pip install -U`` and ``--upgrade-strategy eager``
  keep it rather than "upgrade" to the real Pygolang 0.1 and overwrite
  golang/;
- PyPI refuses local versions, so no real release can carry this version,
  and it does not claim a later Pygolang than the API pygolang-rs provides:
  an explicit ``pip install pygolang==0.1.1`` (or a future real release
  with ``-U pygolang``) still gets the real one, as asked.

It depends on pygolang-rs, which provides the files.
"""

import base64
import hashlib
import os
import zipfile

NAME = 'pygolang'
VERSION = '0.1+rs'
SUMMARY = ("Shim: Pygolang's API (0.1) is provided by pygolang-rs; "
           "this distribution only satisfies requirements on pygolang")
REQUIRES = ['pygolang-rs>=0.1']
# Pygolang 0.1's extras, so that a requirement like ``pygolang[pyx.build]``
# (the pyproject.toml of Cython code built on Pygolang) resolves: each
# gives what Pygolang's gives, through pygolang-rs's extras where they exist
# (pyx.build pins Cython<3 there, see README, "Cython and C++").
# pygolang-rs's extras are named in their normalized form (pyx-build): its
# metadata (written by maturin) has them so, and pip before 23.3 compares
# extra names without normalizing them.
EXTRAS = {
    'pyx.build': ['pygolang-rs[pyx-build]>=0.1'],
    'cmd.pybench': ['pytest'],
    'x.perf.benchlib': ['numpy'],
    'all': ['pygolang-rs[pyx-build]>=0.1', 'pytest', 'numpy'],
    'all_test': ['pygolang-rs[pyx-build]>=0.1', 'pytest', 'numpy', 'ipython'],
}
REQUIRES_PYTHON = '>=3.9'

_DISTINFO = '%s-%s.dist-info' % (NAME, VERSION)
_TAG = 'py3-none-any'


def _metadata():
    lines = ['Metadata-Version: 2.1',
             'Name: %s' % NAME,
             'Version: %s' % VERSION,
             'Summary: %s' % SUMMARY,
             'License: MIT OR Apache-2.0',
             'Requires-Python: %s' % REQUIRES_PYTHON]
    lines += ['Requires-Dist: %s' % r for r in REQUIRES]
    for extra in sorted(EXTRAS):
        lines.append('Provides-Extra: %s' % extra)
        lines += ['Requires-Dist: %s; extra == "%s"' % (r, extra) for r in EXTRAS[extra]]
    return '\n'.join(lines) + '\n'


def _wheel_info():
    return ('Wheel-Version: 1.0\n'
            'Generator: pygolang-rs packaging/pygolang/_backend.py\n'
            'Root-Is-Purelib: true\n'
            'Tag: %s\n' % _TAG)


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode('ascii')
    return '%s,sha256=%s,%d' % (path, digest, len(data))


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    d = os.path.join(metadata_directory, _DISTINFO)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'METADATA'), 'w') as f:
        f.write(_metadata())
    with open(os.path.join(d, 'WHEEL'), 'w') as f:
        f.write(_wheel_info())
    return _DISTINFO


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = '%s-%s-%s.whl' % (NAME, VERSION, _TAG)
    files = [(_DISTINFO + '/METADATA', _metadata().encode('utf-8')),
             (_DISTINFO + '/WHEEL', _wheel_info().encode('utf-8'))]
    record = ''.join(_record_line(p, data) + '\n' for p, data in files) + _DISTINFO + '/RECORD,,\n'
    files.append((_DISTINFO + '/RECORD', record.encode('utf-8')))
    with zipfile.ZipFile(os.path.join(wheel_directory, name), 'w', zipfile.ZIP_DEFLATED) as z:
        for path, data in files:
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            z.writestr(info, data, zipfile.ZIP_DEFLATED)
    return name


def build_sdist(sdist_directory, config_settings=None):
    import io
    import tarfile
    here = os.path.dirname(os.path.abspath(__file__))
    base = '%s-%s' % (NAME, VERSION)
    name = base + '.tar.gz'
    pkginfo = _metadata().encode('utf-8')
    with tarfile.open(os.path.join(sdist_directory, name), 'w:gz', format=tarfile.PAX_FORMAT) as t:
        for fname in ('pyproject.toml', '_backend.py'):
            t.add(os.path.join(here, fname), arcname='%s/%s' % (base, fname))
        info = tarfile.TarInfo('%s/PKG-INFO' % base)
        info.size = len(pkginfo)
        t.addfile(info, io.BytesIO(pkginfo))
    return name
