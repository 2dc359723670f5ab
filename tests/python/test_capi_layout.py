"""The C ABI table is defined once in Rust (capi/src/lib.rs, `CApi`, which
the native core fills) and mirrored in C and C++ (python/golang/libgolang.h,
`_golang_capi_table`, `golang::_capi_table` in C++): the two must list the
same fields in the same order, and the versions must agree (docs/ARCHITECTURE.md, "The C ABI")."""

import os
import re

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def _read(*p):
    with open(os.path.join(ROOT, *p)) as f:
        return f.read()


def _rust_fields():
    src = _read("capi", "src", "lib.rs")
    body = re.search(r"pub struct CApi \{(.*?)\n\}", src, re.S).group(1)
    return re.findall(r"^\s*pub (\w+):", body, re.M)


def _cxx_fields():
    src = _read("python", "golang", "libgolang.h")
    body = re.search(r"struct _golang_capi_table \{(.*?)\n\};", src, re.S).group(1)
    fields = []
    for line in body.splitlines():
        line = line.split("//")[0].strip()
        if not line:
            continue
        m = re.search(r"\(\*(\w+)\)\(", line) or re.search(r"(\w+);$", line)
        assert m, line
        fields.append(m.group(1))
    return fields


def test_the_cxx_table_mirrors_the_rust_table_field_by_field():
    rust, cxx = _rust_fields(), _cxx_fields()
    assert len(rust) > 20
    assert cxx == rust


def test_the_header_asks_for_the_features_the_runtime_provides():
    rust = _read("capi", "src", "lib.rs")
    hdr = _read("python", "golang", "libgolang.h")
    abi = re.search(r"pub const ABI_VERSION: u32 = (\d+);", rust).group(1)
    feat = re.search(r"pub const FEATURE_VERSION: u32 = (\d+);", rust).group(1)
    assert re.search(r"#define GOLANG_CAPI_ABI_VERSION %s\b" % abi, hdr)
    assert re.search(r"#define GOLANG_CAPI_FEATURE_VERSION %s\b" % feat, hdr)
    import golang._golang as core
    assert core._capi_version == (int(abi), int(feat))


def test_the_cxx_dtype_numbers_are_the_shared_crates():
    # pycore/src/dtype.rs numbers the dtypes; _golang_pyx.h's DType (what
    # Cython reads from a chan's `dtype` field) must say the same.
    rust = _read("pycore", "src", "dtype.rs")
    body = re.search(r"pub enum DType \{(.*?)\n\}", rust, re.S).group(1)
    rs = dict((n, int(v)) for n, v in re.findall(r"^\s*(\w+) = (\d+),", body, re.M))
    hdr = _read("python", "golang", "_golang_pyx.h")
    cx = dict((n, int(v)) for n, v in re.findall(r"DTYPE_(\w+) = (\d+),", hdr))
    names = {"Obj": "PYOBJECT", "StructZ": "STRUCTZ", "Bool": "BOOL", "Int": "INT", "Double": "DOUBLE", "Signal": "OS_SIGNAL"}
    assert {names[n]: v for n, v in rs.items()} == {n: v for n, v in cx.items() if n != "NTYPES"}
    assert cx["NTYPES"] == len(rs)
