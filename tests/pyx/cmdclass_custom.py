# setup.py with a custom build_ext (a subclass of golang.pyx.build's): its
# run() only prints a marker, so `python cmdclass_custom.py build_ext` shows
# that golang.pyx.build.setup keeps the user's cmdclass.
from golang.pyx.build import setup, build_ext


class mybuild_ext(build_ext):
    def run(self):
        print("pyx.build:RUN_BUILD_EXT")


# As Pygolang's: no name, no packages (golang.pyx.build.setup then declares
# none instead of letting setuptools guess them from this directory).
setup(cmdclass={"build_ext": mybuild_ext})
