//! quote / unquote / unquote_next: Pygolang's rules and messages.

use golang_strconv::{
    is_print, quote, quote_str, unquote, unquote_bytes, unquote_next, unquote_next_bytes, UnquoteError,
};

/// A small seeded generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Bytes that exercise every rule: any byte, ASCII, escapes, valid runes
/// of every width, and broken sequences.
fn random_bytes(r: &mut Rng) -> Vec<u8> {
    let mut v = Vec::new();
    for _ in 0..r.below(24) {
        match r.below(5) {
            0 => v.push(r.below(256) as u8),
            1 => v.push(0x20 + r.below(0x5f) as u8),
            2 => v.push(b"\"\\\t\n\r\x00\x07\x7f"[r.below(8) as usize]),
            3 => {
                if let Some(c) = char::from_u32(0x80 + r.below(0x11_0000 - 0x80) as u32) {
                    v.extend_from_slice(c.to_string().as_bytes());
                }
            }
            _ => {
                let broken: [&[u8]; 5] =
                    [b"\xe2\x82", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xf0\x9f\x98"];
                v.extend_from_slice(broken[r.below(5) as usize]);
            }
        }
    }
    v
}

#[test]
fn unquote_inverts_quote_for_arbitrary_bytes() {
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..20_000 {
        let b = random_bytes(&mut r);
        let q = quote(&b);
        assert_eq!(unquote(&q).as_deref(), Ok(&b[..]), "input {b:x?}, quoted {q}");
        assert!(q.starts_with('"') && q.ends_with('"') && q.len() >= 2);
        assert!(!q.chars().any(|c| c.is_control()), "quote left a control char in {q:?}");
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn quote_and_unquote_next_match_pygolang_on_golden_inputs() {
    let golden = include_str!("golden.txt");
    let mut n = 0;
    for line in golden.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let input = hex(f[1]);
        match f[0] {
            "q" => {
                let want = String::from_utf8(hex(f[2])).unwrap();
                assert_eq!(quote(&input), want, "quote({input:x?})");
            }
            "n" => {
                let (u, tail) = unquote_next_bytes(&input).unwrap_or_else(|e| panic!("{input:x?}: {e}"));
                assert_eq!((u, tail.to_vec()), (hex(f[2]), hex(f[3])), "unquote_next({input:x?})");
            }
            "e" => {
                let want = String::from_utf8(hex(f[2])).unwrap();
                let got = unquote_next_bytes(&input).map(|(u, t)| (u, t.to_vec()));
                assert_eq!(got.map_err(|e| e.to_string()), Err(want), "unquote_next({input:x?})");
            }
            k => panic!("bad golden line kind {k}"),
        }
        n += 1;
    }
    assert!(n >= 700);
}

#[test]
fn quote_follows_pygolang_table() {
    let table: &[(&[u8], &str)] = &[
        (b"", ""),
        (b"'", "'"),
        (b"\"", r#"\""#),
        (b"\\", r"\\"),
        (b"ab c\ndef", r"ab c\ndef"),
        (b"a\"c\ndef", r#"a\"c\ndef"#),
        ("привет\nмир".as_bytes(), r"привет\nмир"),
        (b"\x7f", r"\x7f"),
        (b"\xd0a", r"\xd0a"),
        (b"\x07\x08\x0b\x0c\x1b", r"\x07\x08\x0b\x0c\x1b"),
        (
            "\u{80}\u{85}\u{a0}\u{ad}\u{200b}\u{2028}".as_bytes(),
            r"\xc2\x80\xc2\x85\xc2\xa0\xc2\xad\xe2\x80\x8b\xe2\x80\xa8",
        ),
        ("日本語 ½ « » € 🙏 🚀 \u{fffd}".as_bytes(), "日本語 ½ « » € 🙏 🚀 \u{fffd}"),
        ("e\u{301}".as_bytes(), r"e\xcc\x81"), // a combining mark (M) is not kept
        (b"\xed\xa0\x80", r"\xed\xa0\x80"),    // an encoded surrogate is invalid
        (b"\xc0\xaf", r"\xc0\xaf"),            // an overlong form is invalid
        (b"\xf0\x9f\x98", r"\xf0\x9f\x98"),    // a truncated sequence
    ];
    for &(input, inner) in table {
        let want = format!("\"{inner}\"");
        assert_eq!(quote(input), want);
        assert_eq!(unquote(&want).unwrap(), input);
        if let Ok(s) = std::str::from_utf8(input) {
            assert_eq!(quote_str(s), want);
        }
    }
    let all_controls: Vec<u8> = (0..32).collect();
    assert_eq!(
        quote(&all_controls),
        concat!(
            r#""\x00\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f"#,
            r#"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f""#
        )
    );
    let printable: Vec<u8> = (32..127).collect();
    assert_eq!(
        quote(&printable),
        r##"" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~""##
    );
}

#[test]
fn unquote_accepts_every_go_escape() {
    let q = r#""\a\b\f\n\r\t\v\\\"\x00\xFf\000\101\377\u00e9\U0001F680\u65e5""#;
    let want: Vec<u8> = [&b"\x07\x08\x0c\n\r\t\x0b\\\"\x00\xff\x00A\xff"[..], "é🚀日".as_bytes()].concat();
    assert_eq!(unquote(q).unwrap(), want);
    // raw newlines and invalid UTF-8 are taken as they are
    assert_eq!(unquote_bytes(b"\"a\nb\xff\"").unwrap(), b"a\nb\xff");
}

#[test]
fn unquote_next_returns_the_tail_and_unquote_rejects_one() {
    assert_eq!(unquote_next(r#""abc"def"#).unwrap(), (b"abc".to_vec(), "def"));
    assert_eq!(unquote_next(r#""" "x""#).unwrap(), (vec![], r#" "x""#));
    assert_eq!(unquote_next(r#""é"日本"#).unwrap(), ("é".as_bytes().to_vec(), "日本"));
    assert_eq!(unquote(r#""abc"def"#), Err(UnquoteError::NonEmptyTail));
    assert_eq!(unquote(r#""abc"""#), Err(UnquoteError::NonEmptyTail));
}

fn err(s: &[u8]) -> String {
    unquote_next_bytes(s).unwrap_err().to_string()
}

#[test]
fn unquote_errors_carry_pygolang_messages() {
    assert_eq!(err(b""), "no starting \"");
    assert_eq!(err(b"abc\""), "no starting \"");
    assert_eq!(err(b"'abc'"), "no starting \"");
    assert_eq!(err(b"\"abc"), "no closing \"");
    assert_eq!(err(b"\"abc\\\""), "no closing \"");
    assert_eq!(unquote("\"a\"b").unwrap_err().to_string(), "non-empty tail after closing \"");
    assert_eq!(err(b"\"\\"), r"unexpected EOL after \");
    assert_eq!(err(b"\"\\x1"), r"unexpected EOL after \x");
    assert_eq!(err(b"\"\\u123"), r"unexpected EOL after \u");
    assert_eq!(err(b"\"\\U0010FFF"), r"unexpected EOL after \U");
    assert_eq!(err(b"\"\\12"), r"unexpected EOL after \1");
    assert_eq!(err(b"\"\\z\""), r"invalid escape \z");
    assert_eq!(err(b"\"\\xzz\""), r"invalid escape \xzz");
    assert_eq!(err(b"\"\\x1g\""), r"invalid escape \x1g");
    assert_eq!(err(b"\"\\ud800\""), r"invalid escape \ud800");
    assert_eq!(err(b"\"\\uDFFF\""), r"invalid escape \uDFFF");
    assert_eq!(err(b"\"\\U00110000\""), r"invalid escape \U00110000");
    assert_eq!(err(b"\"\\400\""), r"invalid escape \400");
    assert_eq!(err(b"\"\\18a\""), r"invalid escape \18a");
    assert_eq!(err(b"\"\\8\""), r"invalid escape \8");
    assert_eq!(err("\"\\日\"".as_bytes()), "invalid escape \\日");
    assert_eq!(err(b"\"\\\xff\""), r"invalid escape \\xff");
    assert_eq!(err(b"\"\\x\xc3\xa9\""), r"invalid escape \xé");
    assert_eq!(err(b"\"\\x1\xc3\""), r"invalid escape \x1\xc3");
}

#[test]
fn printable_is_letters_numbers_punctuation_symbols_and_the_ascii_space() {
    for c in ['a', 'Z', '0', ' ', '~', 'é', 'Ж', '日', '½', '«', '€', '🚀', '\u{fffd}', '𝐀'] {
        assert!(is_print(c), "{c:?} should be printable");
    }
    for c in [
        '\0',
        '\n',
        '\u{7f}',
        '\u{85}',
        '\u{a0}',
        '\u{ad}',
        '\u{301}',
        '\u{200b}',
        '\u{3000}',
        '\u{e000}',
        '\u{ffff}',
        '\u{e0001}',
        '\u{10ffff}',
    ] {
        assert!(!is_print(c), "{c:?} should not be printable");
    }
    assert!(!golang_strconv::UNICODE_VERSION.is_empty());
}
