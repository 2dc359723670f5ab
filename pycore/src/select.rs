//! `select`'s Python cases: `ch.recv` (rx is the value), `ch.recv_` (rx is
//! `(value, ok)`), `(ch.send, obj)` (rx is None) and `default` (rx is None),
//! and Go's panics for cases that are none of these.
//!
//! A binding finds what a case is (a bound method of a chan, a tuple, the
//! `default` object) and asks this module what the method's name means and
//! what to say when it is wrong.

use golang_chan::{ChanError, DEFAULT};
use std::fmt::Display;

/// What a bound method of a chan does as a select case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Method {
    /// `ch.recv`: rx is the value.
    Recv = 0,
    /// `ch.recv_`: rx is `(value, ok)`.
    RecvOk = 1,
    /// `ch.send`, in a tuple `(ch.send, obj)`.
    Send = 2,
}

impl Method {
    /// The method named `name`, if it is one of a case's.
    pub fn from_name(name: &[u8]) -> Option<Method> {
        match name {
            b"recv" => Some(Method::Recv),
            b"recv_" => Some(Method::RecvOk),
            b"send" => Some(Method::Send),
            _ => None,
        }
    }

    /// Whether rx is `(value, ok)`.
    pub fn with_ok(self) -> bool {
        self == Method::RecvOk
    }
}

/// Where the `default` case is, and Go's panic for a second one.
#[derive(Default, Clone, Copy, Debug)]
pub struct Default(pub Option<usize>);

impl Default {
    /// The case at `index` is `default`.
    pub fn add(&mut self, index: usize) -> Result<(), &'static str> {
        if self.0.is_some() {
            return Err(MULTIPLE_DEFAULT);
        }
        self.0 = Some(index);
        Ok(())
    }
}

/// Go's panic of a select with two `default` cases.
pub const MULTIPLE_DEFAULT: &str = "select: multiple default";

/// A case that is a method of something that is not a chan; `cls` is the
/// repr of that thing's class, `what` "send" or "recv".
pub fn on_non_chan(what: impl Display, cls: impl Display) -> String {
    format!("pyselect: {what} on non-chan: {cls}")
}
/// A tuple case that is not a pair.
pub fn invalid_case(len: impl Display) -> String {
    format!("pyselect: invalid [{len}]() case")
}
/// A pair whose first item is a chan's method other than send.
pub fn send_expected(repr: impl Display) -> String {
    format!("pyselect: send expected: {repr}")
}
/// A chan's method other than recv or recv_ as a case.
pub fn recv_expected(repr: impl Display) -> String {
    format!("pyselect: recv expected: {repr}")
}

/// Which case a select committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Committed {
    /// The default case, at this index of select's arguments.
    Default(usize),
    /// The case at this position of the cases given to `golang_chan::Cases`.
    Case(usize),
}

/// What `Cases::try_select`/`wait` gave, named: `default_at` is where the
/// default case was.
pub fn committed(default_at: Option<usize>, r: Result<usize, ChanError>) -> Result<Committed, ChanError> {
    let k = r?;
    if k == DEFAULT {
        return Ok(Committed::Default(default_at.expect("default committed only when there is one")));
    }
    Ok(Committed::Case(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_default_is_go_panic() {
        let mut d = Default::default();
        assert_eq!(d.add(2), Ok(()));
        assert_eq!(d.add(3), Err("select: multiple default"));
        assert_eq!(d.0, Some(2));
    }

    #[test]
    fn methods_are_named_as_in_pygolang() {
        assert_eq!(Method::from_name(b"recv_"), Some(Method::RecvOk));
        assert!(Method::RecvOk.with_ok() && !Method::Recv.with_ok());
        assert_eq!(Method::from_name(b"close"), None);
    }

    #[test]
    fn committed_names_default_and_cases() {
        assert_eq!(committed(Some(4), Ok(DEFAULT)), Ok(Committed::Default(4)));
        assert_eq!(committed(None, Ok(1)), Ok(Committed::Case(1)));
        assert_eq!(committed(None, Err(ChanError::SendOnClosed)), Err(ChanError::SendOnClosed));
    }
}
