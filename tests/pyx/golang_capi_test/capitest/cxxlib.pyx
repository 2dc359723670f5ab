# cython: language_level=3
# distutils: language = c++
# The C++ packages of the Cython API (errors, fmt, io, strings, cxx; refptr
# and error of golang) used from nogil code; tests/python/test_capi_pyx.py
# checks what `run()` reports.

from golang cimport error, errorWrapper, nil, string, cbool
from golang cimport errors, fmt, io, strings, cxx
from libcpp.vector cimport vector


cdef struct _Out:
    cbool is_nil_nil
    cbool is_err_nil
    cbool is_nil_err
    cbool is_self
    cbool is_other
    cbool is_difftext
    cbool is_wrapped_eof
    cbool unwrap_text_nil


cdef _Out _errors_rules() nogil:
    cdef _Out o
    cdef error e1 = errors.New(b"boom")
    cdef error e2 = errors.New(b"boom")
    cdef error none
    o.is_nil_nil = errors.Is(none, none)
    o.is_err_nil = errors.Is(e1, none)
    o.is_nil_err = errors.Is(none, e1)
    o.is_self = errors.Is(e1, e1)
    o.is_other = errors.Is(e1, e2)    # same type and text, another object: a match
    o.is_difftext = errors.Is(e1, errors.New(b"bang"))
    o.is_wrapped_eof = errors.Is(fmt.errorf(b"read: %w", errors.New(b"EOF")), io.EOF)  # type and text
    o.unwrap_text_nil = errors.Unwrap(e1) == nil
    return o


def errors_rules():
    cdef _Out o
    with nogil:
        o = _errors_rules()
    return dict(is_nil_nil=o.is_nil_nil, is_err_nil=o.is_err_nil, is_nil_err=o.is_nil_err,
                is_self=o.is_self, is_other=o.is_other, is_difftext=o.is_difftext,
                is_wrapped_eof=o.is_wrapped_eof, unwrap_text_nil=o.unwrap_text_nil)


cdef string _pick(cbool c, const char *yes, const char *no) nogil:
    return string(yes) if c else string(no)


cdef vector[string] _texts() nogil:
    cdef vector[string] t
    cdef error base = errors.New(b"disk full")
    cdef error none
    t.push_back(errors.New(b"boom").Error())
    t.push_back(fmt.sprintf(b"%d-%s-%.1f", 3, <const char*>b"x", 2.5))
    t.push_back(fmt.errorf(b"plain %d", 7).Error())
    cdef error w = fmt.errorf(b"write %s: %w", <const char*>b"f.txt", base)
    t.push_back(w.Error())
    t.push_back(_pick(errors.Unwrap(w).eq(base), b"wraps", b"lost"))
    t.push_back(_pick(errors.Is(fmt.errorf(b"again: %w", w), base), b"is", b"is-not"))
    t.push_back(fmt.errorf(b"nothing: %w", none).Error())
    t.push_back(fmt.errorf(b"as text %s", base).Error())          # not %w: the text
    t.push_back(_pick(errors.Unwrap(fmt.errorf(b"as text %s", base)) == nil, b"not-wrapped", b"wrapped"))
    t.push_back(io.EOF.Error())
    t.push_back(io.ErrUnexpectedEOF.Error())
    t.push_back(_pick(errors.Is(fmt.errorf(b"read: %w", io.EOF), io.EOF), b"eof-same", b"eof-differs"))
    return t


def texts():
    cdef vector[string] t
    with nogil:
        t = _texts()
    return [s.decode() for s in t]


def strings_rules():
    cdef vector[string] parts
    cdef vector[string] empty
    with nogil:
        parts = strings.split(b"a,b,,c", b',')
        empty = strings.split(b"", b',')
    return dict(
        split=[p.decode() for p in parts], split_empty=[p.decode() for p in empty],
        has_prefix=(strings.has_prefix(b"golang", b"go"), strings.has_prefix(b"golang", b"lang"),
                    strings.has_prefix(b"golang", b'g'), strings.has_prefix(b"", b'g')),
        has_suffix=(strings.has_suffix(b"golang", b"lang"), strings.has_suffix(b"golang", b"go"),
                    strings.has_suffix(b"golang", b'g'), strings.has_suffix(b"", b'g')),
        trim=(strings.trim_prefix(b"golang", b"go").decode(), strings.trim_prefix(b"golang", b"xx").decode(),
              strings.trim_suffix(b"golang", b"lang").decode(), strings.trim_suffix(b"golang", b'g').decode(),
              strings.trim_prefix(b"golang", b'g').decode()),
    )


def cxx_rules():
    cdef cxx.dict[int, double] d
    cdef cxx.set[int] s
    d[1] = 2.5
    s.insert(3)
    return (d.has(1), d.has(2), s.has(3), s.has(4), d[1])


def eof_is_one_object():
    """The address of io.EOF's error object, as this extension sees it."""
    return <size_t>io.EOF._ptr()
