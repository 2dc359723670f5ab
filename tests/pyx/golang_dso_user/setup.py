# A plain C++ shared library on <golang/libgolang.h> (x_dsos), used by a
# Cython extension: `setup.py build_dso -i`, then `setup.py build_ext -i`.
from golang.pyx.build import setup, DSO, Extension

setup(
    name="golang_dso_user",
    description="test project that uses libgolang from a DSO",
    packages=["dsouser"],
    x_dsos=[DSO("dsouser.dso", ["dsouser/dso.cpp"])],
    ext_modules=[Extension("dsouser.test", ["dsouser/test.pyx"], dsos=["dsouser.dso"])],
)
