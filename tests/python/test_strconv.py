# -*- coding: utf-8 -*-
# SPDX-License-Identifier: MIT OR Apache-2.0
"""Tests of golang.strconv (quote, unquote, unquote_next) and golang.gcompat.qq.

Each test is named by the property it checks.  The expected quoting is that
of Pygolang 0.0.5 and 0.1 (Go's strconv.Quote, except that control bytes other than
\\t \\n \\r and all non-printable runes are written as \\xNN byte escapes).
"""

import random

import pytest

from golang import strconv
from golang.gcompat import qq

quote, unquote, unquote_next = strconv.quote, strconv.unquote, strconv.unquote_next


def byterange(start, stop):
    return bytes(range(start, stop))


# (input, quoted without the surrounding ")
QUOTE_TABLE = [
    ('', r''),
    (byterange(0, 32),
     br'\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f'
     br'\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f'),
    (byterange(32, 127),
     br""" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"""),
    ('\'', r"'"),
    ('"', r'\"'),
    ('\\', r'\\'),
    ('ab c\ndef', r'ab c\ndef'),
    ('a\'c\ndef', r"a'c\ndef"),
    ('a"c\ndef', r'a\"c\ndef'),
    (b'a"c\ndef', br'a\"c\ndef'),
    ('привет\nмир', r'привет\nмир'),
    ('\x7f', r'\x7f'),
    # invalid UTF-8
    (b'\xd0a', br'\xd0a'),
    # non-printable UTF-8
    ('\u007f\u0080\u0081\u0082\u0083\u0084\u0085\u0086\u0087',
     r'\x7f\xc2\x80\xc2\x81\xc2\x82\xc2\x83\xc2\x84\xc2\x85\xc2\x86\xc2\x87'),
    # printable runes beyond ASCII: letters, numbers, punctuation, symbols
    ('日本語 ½ « » € 🙏 🚀 \ufffd', '日本語 ½ « » € 🙏 🚀 \ufffd'),
]


@pytest.mark.parametrize('tin, tquoted', QUOTE_TABLE)
def test_quote_table_and_its_inverse_for_str_and_bytes(tin, tquoted):
    for x, q in _both_types(tin, tquoted):
        assert quote(x) == q
        assert type(quote(x)) is type(x)
        assert unquote(q) == x
        tail = type(x)(b'123' if isinstance(x, bytes) else '123')
        assert unquote_next(q) == (x, type(x)())
        assert unquote_next(q + tail) == (x, tail)
        with pytest.raises(ValueError):
            unquote(q + tail)
        assert qq(x) == (q.decode('utf-8') if isinstance(q, bytes) else q)


def _both_types(tin, tquoted):
    # yields (input, quoted) for the given type and, when it can be
    # represented, for the other one (str <-> UTF-8 bytes).
    if isinstance(tquoted, str):
        tquoted = tquoted.encode('utf-8')
    if isinstance(tin, str):
        tin = tin.encode('utf-8')
    q = b'"' + tquoted + b'"'
    yield tin, q
    try:
        yield tin.decode('utf-8'), q.decode('utf-8')
    except UnicodeDecodeError:
        pass    # some inputs are not valid UTF-8


def test_quote_always_uses_double_quotes():
    assert quote("it's") == '"it\'s"'
    assert quote(b"it's") == b'"it\'s"'


def test_quote_escapes_only_tab_newline_cr_by_name_and_other_controls_as_hex():
    assert quote('\t\n\r') == r'"\t\n\r"'
    # \a \b \f \v and DEL go as \xNN (as Pygolang; Go would write \a \b \f \v)
    assert quote('\a\b\f\v\x7f') == r'"\x07\x08\x0c\x0b\x7f"'
    assert quote(b'\x00') == br'"\x00"'


def test_quote_uses_lowercase_hex():
    assert quote(b'\xab\xcd\xef') == br'"\xab\xcd\xef"'
    assert quote('\x1b') == r'"\x1b"'


@pytest.mark.parametrize('raw, quoted', [
    (b'\x80', br'\x80'),                        # lone continuation byte
    (b'\xc0\x80', br'\xc0\x80'),                # overlong NUL
    (b'\xe0\x80\xaf', br'\xe0\x80\xaf'),        # overlong '/'
    (b'\xed\xa0\x80', br'\xed\xa0\x80'),        # surrogate U+D800
    (b'\xf4\x90\x80\x80', br'\xf4\x90\x80\x80'),  # > U+10FFFF
    (b'\xf8\xa1\xa1\xa1\xa1', br'\xf8\xa1\xa1\xa1\xa1'),  # 5-byte form
    (b'\xe2\x82', br'\xe2\x82'),                # truncated 3-byte sequence
    (b'\xe2\x28\xa1', br'\xe2(\xa1'),           # invalid 2nd byte: ( is kept
    (b'\xe2\x82\xa1', '₡'.encode('utf-8')),     # valid: kept
    (b'a\xffb\xfe', br'a\xffb\xfe'),
])
def test_quote_escapes_invalid_utf8_one_byte_at_a_time(raw, quoted):
    assert quote(raw) == b'"' + quoted + b'"'
    assert unquote(quote(raw)) == raw


@pytest.mark.parametrize('rune', [
    '\u0085',       # NEL (Cc)
    '\u00a0',       # no-break space (Zs): only the ASCII space is printable
    '\u2028',       # line separator (Zl)
    '\u200b',       # zero width space (Cf)
    '\u0301',       # combining acute accent (Mn): not L, N, P or S
    '\ue000',       # private use (Co)
    '\U000e0001',   # language tag (Cf)
])
def test_quote_writes_non_printable_runes_as_their_utf8_byte_escapes(rune):
    want = '"' + ''.join('\\x%02x' % b for b in rune.encode('utf-8')) + '"'
    assert quote(rune) == want
    assert quote(rune.encode('utf-8')) == want.encode('ascii')
    assert unquote(want) == rune


def test_quote_keeps_printable_runes_of_categories_l_n_p_s():
    import unicodedata
    for r in ['я', 'Ж', '中', 'ß', '٣', 'Ⅻ', '¿', '—', '«', '€', '©', '∑', '😀', '\ufffd']:
        assert unicodedata.category(r)[0] in 'LNPS'
        assert quote(r) == '"' + r + '"'


def test_quote_of_str_takes_surrogate_escapes_as_the_bytes_they_stand_for():
    # 0.1: str -> bytes is b(), UTF-8 with surrogateescape
    assert quote('a\udcd0b') == r'"a\xd0b"'
    assert unquote(quote('\udcff\udc80x')) == '\udcff\udc80x'
    # other lone surrogates cannot be encoded, as with b()
    with pytest.raises(UnicodeEncodeError):
        quote('\ud800')


def test_quote_output_is_printable_and_valid_utf8():
    rng = random.Random(7)
    for _ in range(300):
        b = bytes(rng.randrange(256) for _ in range(rng.randrange(20)))
        q = quote(b)
        text = q.decode('utf-8')    # does not raise
        assert all(c.isprintable() or c == ' ' for c in text)
        assert text.startswith('"') and text.endswith('"')


# ---- unquote ----

@pytest.mark.parametrize('quoted, want', [
    (r'"\a\b\f\n\r\t\v\\\""', b'\a\b\f\n\r\t\v\\"'),
    (r'"\x00\x7f\xff\xAb"', b'\x00\x7f\xff\xab'),
    (r'"\000\101\377"', b'\x00A\xff'),
    (r'"\u0416\u00e9"', 'Жé'.encode('utf-8')),
    (r'"\U0001F600\U00000041"', '😀A'.encode('utf-8')),
    (r'"\u20ac\U0010ffff"', '\u20ac\U0010ffff'.encode('utf-8')),
    ('"raw\nnewline and ∑ kept"', 'raw\nnewline and ∑ kept'.encode('utf-8')),
    ('"\'"', b"'"),
])
def test_unquote_accepts_go_escapes(quoted, want):
    assert unquote(quoted.encode('utf-8')) == want
    assert unquote(quoted) == want.decode('utf-8', 'surrogateescape')


def test_unquote_of_str_maps_invalid_bytes_to_surrogateescape():
    assert unquote(r'"\xd0"') == '\udcd0'
    assert unquote(r'"a\xffb"') == 'a\udcffb'
    # valid byte escapes combine into the character they encode
    assert unquote(r'"\xd0\xb6"') == 'ж'
    # an encoded surrogate is invalid UTF-8: one escape per byte (as u() does)
    assert unquote(r'"\xed\xa0\x80"') == '\udced\udca0\udc80'


@pytest.mark.parametrize('tin, err', [
    ('', 'no starting "'),
    ('x"zzz"', 'no starting "'),
    (' "zzz"', 'no starting "'),
    ('"zzz', 'no closing "'),
    ('"', 'no closing "'),
    ('"\\"', 'no closing "'),
    ('"zzz"t', 'non-empty tail after closing "'),
    ('"\\', 'unexpected EOL after \\'),
    ('"\\x', 'unexpected EOL after \\x'),
    ('"\\x0', 'unexpected EOL after \\x'),
    ('"\\x"', 'unexpected EOL after \\x'),
    ('"\\u12', 'unexpected EOL after \\u'),
    ('"\\U0001F60', 'unexpected EOL after \\U'),
    ('"\\1', 'unexpected EOL after \\1'),
    ('"\\12', 'unexpected EOL after \\1'),
    ('"\\z"', 'invalid escape \\z'),
    ('"\\\'"', "invalid escape \\'"),
    ('"\\ж"', 'invalid escape \\ж'),
    ('"\\xzz"', 'invalid escape \\xzz'),
    ('"\\x0"', 'invalid escape \\x0"'),
    ('"\\u12zz"', 'invalid escape \\u12zz'),
    ('"\\ud800"', 'invalid escape \\ud800'),
    ('"\\U00110000"', 'invalid escape \\U00110000'),
    ('"\\400"', 'invalid escape \\400'),
    ('"\\08"', 'invalid escape \\08"'),
    ('"\\8"', 'invalid escape \\8'),
])
def test_unquote_bad_syntax_raises_valueerror_with_message(tin, err):
    for x in (tin, tin.encode('utf-8')):
        with pytest.raises(ValueError) as exci:
            unquote(x)
        assert exci.value.args == (err,)


def test_unquote_next_returns_value_and_tail_of_the_input_type():
    assert unquote_next('"a\\tb" rest "x"') == ('a\tb', ' rest "x"')
    assert unquote_next(b'"a\\tb" rest') == (b'a\tb', b' rest')
    assert unquote_next('"мир"мир') == ('мир', 'мир')
    assert unquote_next('""') == ('', '')
    assert unquote_next(b'""') == (b'', b'')
    # it can be used to walk a sequence of quoted strings
    s = quote('one') + quote(b'two\xff'.decode('utf-8', 'surrogateescape')) + quote('3')
    out = []
    while s:
        x, s = unquote_next(s)
        out.append(x)
    assert out == ['one', 'two\udcff', '3']


@pytest.mark.parametrize('f', [quote, unquote, unquote_next])
@pytest.mark.parametrize('bad', [None, 1, 1.5, bytearray(b'"x"'), ['"x"'], memoryview(b'"x"')])
def test_other_types_raise_typeerror_b_invalid_type(f, bad):
    with pytest.raises(TypeError) as exci:
        f(bad)
    assert exci.value.args == ("b: invalid type %s" % type(bad),)


def test_bytes_and_str_subclasses_are_accepted():
    class B(bytes):
        pass

    class S(str):
        pass
    assert quote(B(b'a\n')) == b'"a\\n"'
    assert quote(S('a\n')) == '"a\\n"'
    assert unquote(S('"a"')) == 'a'


# ---- roundtrip properties ----

def _random_bytes(rng):
    # a mix of uniform bytes, ASCII, specials and UTF-8 fragments
    pieces = []
    for _ in range(rng.randrange(12)):
        kind = rng.randrange(5)
        if kind == 0:
            pieces.append(bytes(rng.randrange(256) for _ in range(rng.randrange(8))))
        elif kind == 1:
            pieces.append(bytes(rng.randrange(32, 127) for _ in range(rng.randrange(8))))
        elif kind == 2:
            pieces.append(rng.choice([b'"', b'\\', b'\\x', b'\\u', b'\n', b'\t', b'\x7f', b'\r']))
        elif kind == 3:
            r = chr(rng.choice([rng.randrange(0x80, 0x800), rng.randrange(0x800, 0xd800),
                                rng.randrange(0xe000, 0x10000), rng.randrange(0x10000, 0x110000)]))
            pieces.append(r.encode('utf-8'))
        else:
            enc = chr(rng.randrange(0x80, 0x110000)).encode('utf-8', 'surrogatepass')
            pieces.append(enc[:rng.randrange(1, len(enc) + 1)])  # maybe truncated
    return b''.join(pieces)


def test_unquote_inverts_quote_for_many_random_byte_strings():
    rng = random.Random(20240501)
    for _ in range(5000):
        b = _random_bytes(rng)
        q = quote(b)
        assert unquote(q) == b, (b, q)
        assert unquote_next(q + b'tail') == (b, b'tail')


def test_unquote_inverts_quote_for_many_random_strings():
    rng = random.Random(424242)
    for _ in range(3000):
        n = rng.randrange(16)
        s = ''.join(chr(rng.choice([rng.randrange(0x80), rng.randrange(0x80, 0x800),
                                    # escapes of bytes never valid in UTF-8
                                    # (escapes of other bytes may combine)
                                    0xdc00 + rng.choice([0xc0, 0xc1, 0xf5, 0xfe, 0xff]),
                                    rng.randrange(0x800, 0xd800), rng.randrange(0xe000, 0x10000),
                                    rng.randrange(0x10000, 0x110000)]))
                    for _ in range(n))
        q = quote(s)
        assert type(q) is str
        assert unquote(q) == s, (s, q)
        assert unquote_next(q + 'хвост') == (s, 'хвост')


def test_quote_of_str_equals_quote_of_its_utf8_bytes():
    rng = random.Random(99)
    for _ in range(1000):
        s = ''.join(chr(rng.randrange(0x30000)) for _ in range(rng.randrange(10)))
        if any(0xd800 <= ord(c) < 0xe000 for c in s):
            continue
        assert quote(s).encode('utf-8') == quote(s.encode('utf-8'))


def test_quote_is_stable_under_quote_of_unquote():
    # quote(unquote(q)) == q for every q that quote produced
    rng = random.Random(5)
    for _ in range(1000):
        q = quote(_random_bytes(rng))
        assert quote(unquote(q)) == q


# ---- gcompat.qq ----

def test_qq_returns_str_for_str_and_bytes():
    assert qq('мир') == '"мир"'
    assert qq(b'\xd0\xbc\xd0\xb8\xd1\x80') == '"мир"'
    assert isinstance(qq(b'x'), str)     # 0.1: a str subclass (_pyunicode)
    assert qq(b'\xd0a') == r'"\xd0a"'
    assert qq('a"b\n') == r'"a\"b\n"'


def test_qq_formats_other_objects_through_str_first():
    assert qq(123) == '"123"'
    assert qq(None) == '"None"'
    assert qq(1.5) == '"1.5"'
    assert qq(['a', "b'"]) == '"[\'a\', \\"b\'\\"]"'

    class Obj(object):
        def __str__(self):
            return 'line1\nline2 «x»'
    assert qq(Obj()) == r'"line1\nline2 «x»"'
    assert qq(bytearray(b'a')) == '"bytearray(b\'a\')"'


def test_qq_can_be_used_in_percent_formatting():
    assert 'hello %s !' % qq('мир') == 'hello "мир" !'
    assert 'hello %s !' % qq(b'\xd0\xbc\xd0\xb8\xd1\x80') == 'hello "мир" !'
