# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.b, golang.u and gcompat.qq against Pygolang 0.1's API
(API-0.1.md 1.1 "b(s) and u(s)", "gcompat.qq"). Pure Python."""

import pytest

import golang
from golang import b, u
from golang.gcompat import qq

# bytes <-> str pairs, invalid UTF-8 escaped one byte at a time
PAIRS = [
    (b'', ''),
    (b'hello', 'hello'),
    ('привет'.encode(), 'привет'),
    (b'\xd0', '\udcd0'),
    (b'a\xffb', 'a\udcffb'),
    (b'\xe2\x28\xa1', '\udce2(\udca1'),
    (b'\xf0\x90\x28\xbc', '\udcf0\udc90(\udcbc'),
    (b'\xed\xa0\x80', '\udced\udca0\udc80'),       # an encoded surrogate is invalid
    (b'\xf8\x88\x80\x80\x80', '\udcf8\udc88\udc80\udc80\udc80'),  # 5-byte form
    ('\U0001f64f'.encode(), '\U0001f64f'),
] + [(bytes([i]), chr(i)) for i in range(32)]


@pytest.mark.parametrize('bs, us', PAIRS)
def test_b_and_u_convert_losslessly_with_surrogateescape(bs, us):
    assert u(bs) == us
    assert b(us) == bs
    assert b(u(bs)) == bs
    assert u(b(us)) == us


def test_b_and_u_return_their_own_type_unchanged_subclasses_included():
    class B(bytes):
        pass

    class S(str):
        pass
    for x in [b'abc', B(b'abc')]:
        assert b(x) is x
    for x in ['abc', S('abc')]:
        assert u(x) is x


@pytest.mark.parametrize('bad', [1, None, 1.5, bytearray(b'x'), object(), [b'x']])
def test_b_and_u_reject_other_types_with_typeerror(bad):
    with pytest.raises(TypeError) as exci:
        b(bad)
    assert exci.value.args == ("b: invalid type %s" % type(bad),)
    with pytest.raises(TypeError) as exci:
        u(bad)
    assert exci.value.args == ("u: invalid type %s" % type(bad),)


def test_b_rejects_lone_surrogates_that_are_not_escapes():
    with pytest.raises(UnicodeEncodeError):
        b('\ud800')


def test_b_and_u_are_the_core_modules_pyb_and_pyu():
    assert golang._golang.pyb is b
    assert golang._golang.pyu is u
    assert golang._golang.pyqq is qq


def test_qq_is_a_str_subclass_that_converts_to_utf8_bytes_and_takes_no_attributes():
    q = qq(b("привет b"))
    assert type(q) is golang._golang._pyunicode
    assert isinstance(q, str)
    assert q == '"привет b"'
    assert bytes(q) == '"привет b"'.encode()
    assert b'hi %s' % q == 'hi "привет b"'.encode()
    assert 'hi %s' % q == 'hi "привет b"'
    assert str(q) == '"привет b"'
    with pytest.raises(AttributeError):
        q.x = 1
    assert qq(123) == '"123"'
    assert qq(b'\xd0a') == r'"\xd0a"'
