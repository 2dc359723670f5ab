# SPDX-License-Identifier: MIT OR Apache-2.0
"""gimport: import Python modules by their full path in a Go workspace.

``golang.gimport`` is ``golang._gopath.gimport`` (as in Pygolang).
``gimport(name)`` loads ``$GOPATH/src/<name>.py`` or
``$GOPATH/src/<name>/__init__.py`` (GOPATH entries in order; GOPATH defaults
to ``~/go``) and caches it in ``sys.modules`` under
``'golang._gopath.' + name.replace('.', '_')`` (slashes stay in the key), so
the next gimport of the same name returns the same module.
"""

import importlib.util
import os
import sys
import threading

__all__ = ['gimport']


# ---- gimport ----

_gimport_lock = threading.RLock()


def _gopathv():
    """$GOPATH entries; GOPATH defaults to ~/go (as since Go 1.8)."""
    gopath = os.environ.get('GOPATH')
    if not gopath:
        gopath = os.path.join(os.path.expanduser('~'), 'go')
    return [g for g in gopath.split(os.pathsep) if g]


def gimport(name):
    """gimport imports a module or package by its full path in a Go workspace.

    For example ``gimport('lab.nexedi.com/kirr/go123/xnet/lonet')`` loads
    ``$GOPATH/src/lab.nexedi.com/kirr/go123/xnet/lonet.py`` or
    ``.../lonet/__init__.py`` (the first found, GOPATH entries in order).
    The module is cached as ``sys.modules['golang._gopath.' + name.replace('.', '_')]``;
    the next gimport of the same name returns it without reloading.
    """
    # dots in the name would make Python look for parent packages.
    modname = 'golang._gopath.' + name.replace('.', '_')
    with _gimport_lock:
        mod = sys.modules.get(modname)
        if mod is not None:
            return mod

        for g in _gopathv():
            base = os.path.join(g, 'src', name)
            modpath = base + '.py'
            if os.path.isfile(modpath):
                spec = importlib.util.spec_from_file_location(modname, modpath)
                break
            modpath = os.path.join(base, '__init__.py')
            if os.path.isfile(modpath):
                spec = importlib.util.spec_from_file_location(
                    modname, modpath, submodule_search_locations=[base])
                break
        else:
            raise ImportError('gopath: no module named %s' % name)

        mod = importlib.util.module_from_spec(spec)
        # registered before it runs (circular gimport sees it), removed if it fails.
        sys.modules[modname] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            sys.modules.pop(modname, None)
            raise
        return sys.modules.get(modname, mod)
