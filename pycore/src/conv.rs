//! Which Python values a channel of each dtype accepts, and what they
//! become.
//!
//! | dtype          | Python values accepted                          |
//! |----------------|-------------------------------------------------|
//! | object         | anything                                        |
//! | 'C.structZ'    | None only                                       |
//! | 'C.bool'       | bool only                                       |
//! | 'C.int'        | int (not bool) in C.int's range, integral float |
//! | 'C.double'     | int or float (not bool)                         |
//! | 'C.os::Signal' | golang.os.Signal only                           |
//!
//! A binding describes the value as a [`PyKind`] (by its Python type,
//! subclasses of int and float included, bool excluded from int), calls
//! [`convert`], and makes a [`ConvError`] into TypeError or OverflowError
//! with [`ConvError::message`].

use crate::dtype::DType;

/// What a Python value is, as far as the conversion rules care.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PyKind {
    /// None.
    None,
    /// A bool.
    Bool(bool),
    /// An int (not a bool): its value if it fits an `i64`, else `None`.
    Int(Option<i64>),
    /// A float.
    Float(f64),
    /// A `golang.os.Signal`, by its number.
    Signal(i32),
    /// Anything else.
    Other,
}

/// What a value becomes on a channel of its dtype.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Conv {
    /// The object itself (dtype object).
    Object,
    /// `()`.
    StructZ,
    /// A bool.
    Bool(bool),
    /// An `i32`.
    Int(i32),
    /// An `f64`.
    Double(f64),
    /// The binding's int as a float, converted by Python's own rule
    /// (`float(int)`, whose OverflowError for a huge int stays Python's).
    DoubleOfInt,
    /// A signal number.
    Signal(i32),
}

/// Why a value is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConvError {
    /// TypeError: the dtype wants another kind of value.
    Mismatch {
        /// What it wants ("int", "float", ...).
        expect: &'static str,
    },
    /// OverflowError: an int outside C.int's range.
    OutOfRange(DType),
}

impl ConvError {
    /// The exception's message, given the value's repr.
    pub fn message(self, repr: &str) -> String {
        format!("{}{repr}", self.prefix())
    }

    /// The message up to the value's repr (which always ends it).
    pub fn prefix(self) -> String {
        match self {
            ConvError::Mismatch { expect } => format!("type mismatch: expect {expect}; got "),
            ConvError::OutOfRange(d) => format!("value out of range for {}: ", d.name()),
        }
    }

    /// Whether it is an OverflowError (else a TypeError).
    pub fn is_overflow(self) -> bool {
        matches!(self, ConvError::OutOfRange(_))
    }
}

/// What each dtype says it expects in a type mismatch.
pub const fn expect(dtype: DType) -> &'static str {
    match dtype {
        DType::Obj => "object",
        DType::StructZ => "structZ",
        DType::Bool => "bool",
        DType::Int => "int",
        DType::Double => "float",
        DType::Signal => "os.PySignal",
    }
}

/// The value `v` for a channel of `dtype`. (A binding handles dtype object
/// before describing the value: everything is accepted as itself.)
pub fn convert(dtype: DType, v: PyKind) -> Result<Conv, ConvError> {
    let mismatch = Err(ConvError::Mismatch { expect: expect(dtype) });
    match (dtype, v) {
        (DType::Obj, _) => Ok(Conv::Object),
        (DType::StructZ, PyKind::None) => Ok(Conv::StructZ),
        (DType::Bool, PyKind::Bool(b)) => Ok(Conv::Bool(b)),
        (DType::Int, PyKind::Int(i)) => i.and_then(|i| i32::try_from(i).ok()).map(Conv::Int).ok_or(ConvError::OutOfRange(dtype)),
        (DType::Int, PyKind::Float(f)) => {
            // integral floats only; then C.int's range
            if f.fract() != 0.0 || !f.is_finite() {
                return mismatch;
            }
            if f < i32::MIN as f64 || f > i32::MAX as f64 {
                return Err(ConvError::OutOfRange(dtype));
            }
            Ok(Conv::Int(f as i32))
        }
        (DType::Double, PyKind::Float(f)) => Ok(Conv::Double(f)),
        (DType::Double, PyKind::Int(_)) => Ok(Conv::DoubleOfInt),
        (DType::Signal, PyKind::Signal(s)) => Ok(Conv::Signal(s)),
        _ => mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bool_is_not_an_int_nor_a_float() {
        assert_eq!(convert(DType::Int, PyKind::Bool(true)), Err(ConvError::Mismatch { expect: "int" }));
        assert_eq!(convert(DType::Double, PyKind::Bool(false)), Err(ConvError::Mismatch { expect: "float" }));
        assert_eq!(convert(DType::Bool, PyKind::Int(Some(1))), Err(ConvError::Mismatch { expect: "bool" }));
        assert_eq!(convert(DType::Bool, PyKind::Bool(true)), Ok(Conv::Bool(true)));
    }

    #[test]
    fn c_int_takes_ints_in_range_and_integral_floats() {
        assert_eq!(convert(DType::Int, PyKind::Int(Some(-(1 << 31)))), Ok(Conv::Int(i32::MIN)));
        assert_eq!(convert(DType::Int, PyKind::Int(Some(1 << 31))), Err(ConvError::OutOfRange(DType::Int)));
        assert_eq!(convert(DType::Int, PyKind::Int(None)), Err(ConvError::OutOfRange(DType::Int)));
        assert_eq!(convert(DType::Int, PyKind::Float(3.0)), Ok(Conv::Int(3)));
        assert_eq!(convert(DType::Int, PyKind::Float(3.5)), Err(ConvError::Mismatch { expect: "int" }));
        assert_eq!(convert(DType::Int, PyKind::Float(f64::NAN)), Err(ConvError::Mismatch { expect: "int" }));
        assert_eq!(convert(DType::Int, PyKind::Float(f64::INFINITY)), Err(ConvError::Mismatch { expect: "int" }));
        assert_eq!(convert(DType::Int, PyKind::Float(2147483648.0)), Err(ConvError::OutOfRange(DType::Int)));
    }

    #[test]
    fn structz_takes_none_only_and_signal_signals_only() {
        assert_eq!(convert(DType::StructZ, PyKind::None), Ok(Conv::StructZ));
        assert_eq!(convert(DType::StructZ, PyKind::Int(Some(0))), Err(ConvError::Mismatch { expect: "structZ" }));
        assert_eq!(convert(DType::Signal, PyKind::Signal(2)), Ok(Conv::Signal(2)));
        assert_eq!(convert(DType::Signal, PyKind::Int(Some(2))), Err(ConvError::Mismatch { expect: "os.PySignal" }));
        assert_eq!(convert(DType::Double, PyKind::Int(None)), Ok(Conv::DoubleOfInt));
        assert_eq!(convert(DType::Double, PyKind::Other), Err(ConvError::Mismatch { expect: "float" }));
    }

    #[test]
    fn messages_end_with_the_repr() {
        assert_eq!(ConvError::Mismatch { expect: "int" }.message("'a'"), "type mismatch: expect int; got 'a'");
        assert_eq!(ConvError::OutOfRange(DType::Int).message("2147483648"), "value out of range for C.int: 2147483648");
        assert!(ConvError::OutOfRange(DType::Int).is_overflow());
    }
}
