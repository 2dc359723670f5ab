//! Go-style string quoting, as Pygolang's `golang.strconv`: [`quote`],
//! [`unquote`] and [`unquote_next`].
//!
//! Strings are bytes: `quote` takes any bytes, valid UTF-8 or not, and
//! `unquote(quote(b)) == b` for every `b`.
//!
//! Quoting (Go's `strconv.Quote`, except that non-printable runes are written
//! as byte escapes, not `\u` escapes, as Pygolang does):
//! - the result is enclosed in `"`; `\` and `"` are backslash-escaped;
//!   `\t`, `\n`, `\r` use their escapes;
//! - every other ASCII control byte (`\a \b \f \v` and 0x7f included) is
//!   written `\xNN` (lowercase hex);
//! - bytes that are not part of a valid UTF-8 sequence (Go's
//!   `utf8.DecodeRune` gives `RuneError` with width 1: overlong forms,
//!   surrogates and values above U+10FFFF included) are written `\xNN` one
//!   byte at a time;
//! - printable runes (Unicode categories L, N, P, S, and the ASCII space)
//!   are kept as they are; any other rune is written as the `\xNN` escapes
//!   of its UTF-8 bytes. The category table is generated from Unicode
//!   [`UNICODE_VERSION`] by `gen_printable.py` (no dependency).
//!
//! Unquoting accepts Go's escapes in a `"` string: `\a \b \f \n \r \t \v \\
//! \"`, `\xNN`, octal `\NNN` (at most `\377`), `\uXXXX` and `\UXXXXXXXX`
//! (Unicode scalar values only, written as UTF-8). Other bytes (raw
//! newlines and invalid UTF-8 included) are taken as they are. Errors carry
//! Pygolang's messages (see [`UnquoteError`]).
//!
//! ```
//! use golang_strconv::{quote, quote_str, unquote, unquote_next};
//!
//! assert_eq!(quote_str("привет\n\"мир\""), r#""привет\n\"мир\"""#);
//! assert_eq!(quote(b"\xd0a\x00\x7f"), r#""\xd0a\x00\x7f""#);
//! assert_eq!(unquote(r#""\x41\u00e9\101""#).unwrap(), "Aé\x41".as_bytes());
//! assert_eq!(unquote_next(r#""a" tail"#).unwrap(), (b"a".to_vec(), " tail"));
//! assert_eq!(unquote(r#""a\z""#).unwrap_err().to_string(), r"invalid escape \z");
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod printable;

pub use printable::UNICODE_VERSION;

use std::fmt;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Whether `quote` keeps the rune `c` as it is: Unicode categories L, N,
/// P, S, or the ASCII space.
pub fn is_print(c: char) -> bool {
    let c = c as u32;
    if c < 0x80 {
        return (0x20..0x7f).contains(&c);
    }
    fn find<T: Ord + Copy>(table: &[(T, T)], c: T) -> bool {
        // the last range that starts at or before c
        let i = table.partition_point(|&(lo, _)| lo <= c);
        i > 0 && c <= table[i - 1].1
    }
    match u16::try_from(c) {
        Ok(c16) => find(printable::PRINT16, c16),
        Err(_) => find(printable::PRINT32, c),
    }
}

fn push_byte_escape(out: &mut String, b: u8) {
    out.push('\\');
    out.push('x');
    out.push(HEX[(b >> 4) as usize] as char);
    out.push(HEX[(b & 15) as usize] as char);
}

/// Quotes `s` with `"` and Go's escapes (see the crate docs).
pub fn quote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for chunk in s.utf8_chunks() {
        quote_valid(&mut out, chunk.valid());
        for &b in chunk.invalid() {
            push_byte_escape(&mut out, b);
        }
    }
    out.push('"');
    out
}

/// Quotes the UTF-8 bytes of `s` (see [`quote`]).
pub fn quote_str(s: &str) -> String {
    quote(s.as_bytes())
}

fn quote_valid(out: &mut String, s: &str) {
    let mut plain = 0; // start of the run of characters kept as they are
    for (i, c) in s.char_indices() {
        let esc: &str = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\t' => "\\t",
            '\n' => "\\n",
            '\r' => "\\r",
            ' '..='~' => continue,
            c if !c.is_ascii() && is_print(c) => continue,
            _ => "",
        };
        out.push_str(&s[plain..i]);
        plain = i + c.len_utf8();
        if esc.is_empty() {
            let mut buf = [0; 4];
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                push_byte_escape(out, b);
            }
        } else {
            out.push_str(esc);
        }
    }
    out.push_str(&s[plain..]);
}

/// Why [`unquote`] or [`unquote_next`] failed. `Display` gives Pygolang's
/// `ValueError` message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnquoteError {
    /// `no starting "`
    NoStartingQuote,
    /// `no closing "`
    NoClosingQuote,
    /// `non-empty tail after closing "` (only [`unquote`])
    NonEmptyTail,
    /// `unexpected EOL after \` followed by what came after the backslash:
    /// empty, `x`, `u`, `U` or the first octal digit.
    UnexpectedEol(String),
    /// `invalid escape \` followed by the escape as written (invalid UTF-8
    /// bytes shown as `\xNN`), e.g. `z`, `xzz`, `ud800`, `400`.
    InvalidEscape(String),
}

impl fmt::Display for UnquoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnquoteError::NoStartingQuote => f.write_str("no starting \""),
            UnquoteError::NoClosingQuote => f.write_str("no closing \""),
            UnquoteError::NonEmptyTail => f.write_str("non-empty tail after closing \""),
            UnquoteError::UnexpectedEol(s) => write!(f, "unexpected EOL after \\{s}"),
            UnquoteError::InvalidEscape(s) => write!(f, "invalid escape \\{s}"),
        }
    }
}

impl std::error::Error for UnquoteError {}

/// Decodes a string made by [`quote`] (or any Go `"` string literal).
/// Anything after the closing `"` is an error.
pub fn unquote(s: &str) -> Result<Vec<u8>, UnquoteError> {
    unquote_bytes(s.as_bytes())
}

/// [`unquote`] of bytes, which need not be UTF-8.
pub fn unquote_bytes(s: &[u8]) -> Result<Vec<u8>, UnquoteError> {
    let (v, tail) = unquote_next_bytes(s)?;
    if !tail.is_empty() {
        return Err(UnquoteError::NonEmptyTail);
    }
    Ok(v)
}

/// Decodes the quoted string at the start of `s`: returns it and the rest
/// of `s` after its closing `"`.
pub fn unquote_next(s: &str) -> Result<(Vec<u8>, &str), UnquoteError> {
    let (v, tail) = unquote_next_bytes(s.as_bytes())?;
    // The closing quote is ASCII, so the tail starts on a char boundary.
    Ok((v, &s[s.len() - tail.len()..]))
}

/// Text of escape bytes for an error message: UTF-8 as is, other bytes as
/// `\xNN` (Python's `backslashreplace`).
fn show(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for &x in chunk.invalid() {
            push_byte_escape(&mut out, x);
        }
    }
    out
}

/// Text of the first character of `b` (non-empty), or `\xNN` of its first
/// byte when that does not start a valid UTF-8 character.
fn first_rune(b: &[u8]) -> String {
    let b = &b[..b.len().min(4)];
    match b.utf8_chunks().next() {
        Some(chunk) if !chunk.valid().is_empty() => chunk.valid().chars().next().unwrap().to_string(),
        _ => {
            let mut out = String::new();
            push_byte_escape(&mut out, b[0]);
            out
        }
    }
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    digits.iter().try_fold(0u32, |v, &d| Some(v << 4 | (d as char).to_digit(16)?))
}

/// [`unquote_next`] of bytes, which need not be UTF-8.
pub fn unquote_next_bytes(s: &[u8]) -> Result<(Vec<u8>, &[u8]), UnquoteError> {
    if s.first() != Some(&b'"') {
        return Err(UnquoteError::NoStartingQuote);
    }
    let n = s.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 1;
    loop {
        let Some(k) = s[i..].iter().position(|&b| b == b'"' || b == b'\\') else {
            return Err(UnquoteError::NoClosingQuote);
        };
        let j = i + k;
        out.extend_from_slice(&s[i..j]);
        if s[j] == b'"' {
            return Ok((out, &s[j + 1..]));
        }
        // s[j] is a backslash
        let Some(&c) = s.get(j + 1) else {
            return Err(UnquoteError::UnexpectedEol(String::new()));
        };
        let simple = match c {
            b'a' => Some(0x07),
            b'b' => Some(0x08),
            b'f' => Some(0x0c),
            b'n' => Some(b'\n'),
            b'r' => Some(b'\r'),
            b't' => Some(b'\t'),
            b'v' => Some(0x0b),
            b'\\' | b'"' => Some(c),
            _ => None,
        };
        if let Some(b) = simple {
            out.push(b);
            i = j + 2;
            continue;
        }
        match c {
            b'x' | b'u' | b'U' => {
                let ndigit = match c {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let Some(digits) = s.get(j + 2..j + 2 + ndigit) else {
                    return Err(UnquoteError::UnexpectedEol((c as char).to_string()));
                };
                let invalid = || UnquoteError::InvalidEscape(show(&s[j + 1..j + 2 + ndigit]));
                let v = hex_value(digits).ok_or_else(invalid)?;
                if c == b'x' {
                    out.push(v as u8);
                } else {
                    let r = char::from_u32(v).ok_or_else(invalid)?; // no surrogates, <= U+10FFFF
                    out.extend_from_slice(r.encode_utf8(&mut [0; 4]).as_bytes());
                }
                i = j + 2 + ndigit;
            }
            b'0'..=b'7' => {
                // \NNN: exactly three octal digits, value <= 0o377
                let Some(digits) = s.get(j + 1..j + 4) else {
                    return Err(UnquoteError::UnexpectedEol((c as char).to_string()));
                };
                let v = digits.iter().try_fold(0u32, |v, &d| match d {
                    b'0'..=b'7' => Some(v << 3 | (d - b'0') as u32),
                    _ => None,
                });
                match v {
                    Some(v) if v <= 0xff => out.push(v as u8),
                    _ => return Err(UnquoteError::InvalidEscape(show(digits))),
                }
                i = j + 4;
            }
            _ => return Err(UnquoteError::InvalidEscape(first_rune(&s[j + 1..]))),
        }
    }
}
