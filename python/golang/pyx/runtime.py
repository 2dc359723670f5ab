"""golang.pyx.runtime: Python from nogil code, for Cython
(`from golang.pyx cimport runtime`; see golang/pyx/runtime.pxd).

Pygolang initializes its libpyxruntime here at `import golang`. This
package needs nothing at import: golang/pyx/runtime.h keeps its state in
the process itself (a capsule on golang._golang) and registers its atexit
hook when an extension that uses it is loaded. The module exists so that
`import golang.pyx.runtime` works as it does with Pygolang.
"""
