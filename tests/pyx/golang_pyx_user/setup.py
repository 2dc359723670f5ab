# A third-party Cython extension on golang's nogil API, built the way
# Pygolang's demo is: `python setup.py build_ext -i` or `pip install .`.
from golang.pyx.build import setup, Extension

setup(
    name="golang_pyx_user",
    description="test project that uses the golang Cython/nogil API",
    packages=["pyxuser"],
    ext_modules=[Extension("pyxuser.test", ["pyxuser/test.pyx"])],
)
