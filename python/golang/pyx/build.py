"""golang.pyx.build: setup, Extension, DSO and build_ext for extensions that
use golang's Cython/nogil API (`from golang cimport ...`) or its C++ header
(`#include <golang/libgolang.h>`).

Like Pygolang's: the directory that holds the installed golang package goes on
the include path (so that the pxd files and headers resolve), sources are
compiled as C++ (`-std=c++11 -fno-strict-aliasing`), and setuptools_dso
builds the DSOs given as `x_dsos`. Unlike Pygolang, nothing is linked to a
libgolang DSO: the header reaches the runtime already loaded in the process
through its C ABI capsule (docs/ARCHITECTURE.md, "C ABI"), so there is no
rpath to get right and no copy of the runtime per extension.

Requires Cython (0.29 for Pygolang-style code; 3 works for code it accepts,
see README, "Cython and C++"), setuptools_dso (>= 1.7) and a C++11 compiler
(`pip install pygolang-rs[pyx.build]`).
"""

import importlib.util
import os
import sysconfig

import setuptools_dso
from setuptools_dso import build_ext as _dso_build_ext

__all__ = ["setup", "Extension", "DSO", "build_ext"]


def _golang_root():
    """The directory that holds the golang package (goes on -I)."""
    spec = importlib.util.find_spec("golang")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("golang.pyx.build: cannot find the golang package")
    return os.path.dirname(os.path.abspath(list(spec.submodule_search_locations)[0]))


def _without_cxx_std(args):
    """args without the C++-only -std flags (a C compiler refuses them)."""
    return [a for a in args if not (a.startswith("-std=c++") or a.startswith("-std=gnu++"))]


class build_ext(_dso_build_ext):
    """build_ext that keeps C++-only flags off C sources."""

    def build_extension(self, ext):
        if getattr(ext, "language", None) == "c++":
            # A C source among C++ ones (Pygolang's libgolang_test_c.c, C
            # code on golang/libgolang.h's C part): compiled without the
            # C++-only -std flag, which C compilers refuse or warn about.
            compile_one = self.compiler._compile

            def _compile(obj, src, ext_, cc_args, extra_postargs, pp_opts):
                if src.endswith(".c"):
                    extra_postargs = _without_cxx_std(extra_postargs)
                return compile_one(obj, src, ext_, cc_args, extra_postargs, pp_opts)
            self.compiler._compile = _compile
            try:
                return super().build_extension(ext)
            finally:
                del self.compiler._compile
        # A C extension: -std=c++* would fail with some compilers (clang).
        saved = ext.extra_compile_args
        ext.extra_compile_args = _without_cxx_std(saved)
        try:
            return super().build_extension(ext)
        finally:
            ext.extra_compile_args = saved


# Pygolang's runtime libraries, which Pygolang's own setup.py and projects
# built for it name in `dsos`: here the headers reach the runtime already
# loaded in the process, so there is nothing to link and the names are
# dropped (other DSOs of `dsos` are kept).
_RUNTIME_DSOS = ("golang.runtime.libgolang", "golang.runtime.libpyxruntime")


def _with_defaults(kw):
    kw = dict(kw)
    if "dsos" in kw:
        kw["dsos"] = [d for d in kw["dsos"] if d not in _RUNTIME_DSOS]
    inc = list(kw.get("include_dirs", []))
    for d in (_golang_root(), sysconfig.get_paths()["include"]):
        if d not in inc:
            inc.append(d)
    kw["include_dirs"] = inc
    kw.setdefault("language", "c++")
    if kw["language"] == "c++":
        args = list(kw.get("extra_compile_args", []))
        if not any(a.startswith("-std=") for a in args):
            args.insert(0, "-std=c++11")
        if "-fno-strict-aliasing" not in args:
            args.append("-fno-strict-aliasing")
        kw["extra_compile_args"] = args
    return kw


def Extension(name, sources, **kw):
    """An extension module built against golang (setuptools_dso.Extension)."""
    return setuptools_dso.Extension(name, sources, **_with_defaults(kw))


def DSO(name, sources, **kw):
    """A shared library built against golang (setuptools_dso.DSO), for
    `setup(x_dsos=[...])`."""
    return setuptools_dso.DSO(name, sources, **_with_defaults(kw))


def setup(**kw):
    """setuptools_dso.setup with golang's build_ext as the default
    build_ext (a custom one must subclass golang.pyx.build.build_ext)."""
    kw = dict(kw)
    # Nothing to build or install declared (a setup.py that only adds a
    # command, like Pygolang's cmdclass_custom.py): declare no packages
    # rather than let setuptools guess them from the current directory,
    # which fails when it holds several (Pygolang's testprog/).
    if not any(k in kw for k in ("packages", "py_modules", "ext_modules", "x_dsos")):
        kw["packages"] = []
    cmdclass = dict(kw.get("cmdclass", {}))
    cmdclass.setdefault("build_ext", build_ext)
    kw["cmdclass"] = cmdclass
    return setuptools_dso.setup(**kw)
