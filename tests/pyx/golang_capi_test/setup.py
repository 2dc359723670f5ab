# C-level conformance tests of the runtime's C ABI, through libgolang.h
# (tests/python/test_capi_pyx.py builds this with `setup.py build_ext -i`).
import Cython

from golang.pyx.build import setup, Extension

ext_modules = [
    Extension("capitest.conformance", ["capitest/conformance.pyx", "capitest/cabi.c"], include_dirs=["."],
              extra_compile_args=["-O1"]),  # quicker to build; checks, not speed
    # Built for an ABI the runtime does not provide: its first call must
    # raise ImportError naming both versions.
    Extension("capitest.cxxlib", ["capitest/cxxlib.pyx"], extra_compile_args=["-O1"]),
    Extension("capitest.pychanlib", ["capitest/pychanlib.pyx"], extra_compile_args=["-O1"]),
    Extension("capitest.pyerrlib", ["capitest/pyerrlib.pyx"], extra_compile_args=["-O1"]),
    Extension("capitest.pyctxlib", ["capitest/pyctxlib.pyx"], extra_compile_args=["-O1"]),
    Extension("capitest.ctxlib", ["capitest/ctxlib.pyx"], extra_compile_args=["-O1"]),
    Extension("capitest.timesync", ["capitest/timesync.pyx"], extra_compile_args=["-O1"]),
    # (`dsos` as a project built for Pygolang names its runtime libraries:
    # golang.pyx.build drops them, there is nothing to link)
    Extension("capitest.pyxrt", ["capitest/pyxrt.pyx"], include_dirs=["."], extra_compile_args=["-O1"],
              dsos=["golang.runtime.libgolang", "golang.runtime.libpyxruntime"]),
    Extension("capitest.osfile", ["capitest/osfile.pyx"], include_dirs=["."], extra_compile_args=["-O1"]),
    Extension("capitest.sigtest", ["capitest/sigtest.pyx"], include_dirs=["."], extra_compile_args=["-O1"]),
    Extension("capitest.nogilbench", ["capitest/nogilbench.pyx"]),  # -O3: benchmarks
    Extension("capitest.abi99", ["capitest/abi99.pyx"], define_macros=[("GOLANG_CAPI_ABI_VERSION", "99")]),
]
# Pygolang's `cdef nogil: void f() except +topyexc:` form compiles with
# Cython 0.29 only (the Cython 3 build of this project leaves it out).
if int(Cython.__version__.split(".")[0]) < 3:
    ext_modules.append(Extension("capitest.pyxpanic", ["capitest/pyxpanic.pyx"], extra_compile_args=["-O1"]))

setup(
    name="golang_capi_test",
    packages=["capitest"],
    ext_modules=ext_modules,
)
