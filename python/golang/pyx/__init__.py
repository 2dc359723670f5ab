"""Package golang.pyx: building native extensions on golang's C ABI
(`golang.pyx.build`). See README, "Cython and C++"."""
