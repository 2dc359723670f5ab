# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""golang.cmd.gpython starts gpython: ``python -m golang.cmd.gpython ...``.

gpython itself is the top-level package ``gpython`` (as in Pygolang), kept
out of ``golang/`` because gevent must patch the standard library before
``golang`` is imported, and importing this module has imported ``golang``
already. So main() here re-executes the interpreter on the gpython command
(the console script next to the interpreter, or ``gpython/__init__.py`` run
as a script), and ``sys.executable`` in the program is that command.
"""

import os
import sys

import gpython
from gpython import pymain  # noqa: F401  (Pygolang's gpython.pymain, for convenience)

__all__ = ['main', 'pymain']


def _entry():
    """_entry returns the file to run gpython from: the gpython console
    script next to the interpreter if it is ours, else gpython/__init__.py."""
    pkg = os.path.abspath(gpython.__file__)
    if pkg.endswith(('.pyc', '.pyo')):
        pkg = pkg[:-1]
    bindir = os.path.dirname(sys.executable or '')
    script = os.path.join(bindir, 'gpython')
    if bindir and os.path.isfile(script):
        try:
            with open(script, 'rb') as f:
                src = f.read(4096)
        except OSError:
            src = b''
        # (an older console script would start this module again)
        if b'from gpython import' in src:
            return script
    return pkg


def main(argv=None):
    """main runs gpython with arguments argv (default sys.argv[1:]); it
    replaces the process (a child process on Windows)."""
    if argv is None:
        argv = sys.argv[1:]
    gpython._reexec([sys.executable, _entry()] + list(argv))


if __name__ == '__main__':
    sys.exit(main())
