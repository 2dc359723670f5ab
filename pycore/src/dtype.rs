//! The element types of Python channels.
//!
//! | dtype          | Rust element         | zero value     |
//! |----------------|----------------------|----------------|
//! | object         | the object handle    | None           |
//! | 'C.structZ'    | `()`                 | None           |
//! | 'C.bool'       | `bool`               | False          |
//! | 'C.int'        | `i32`                | 0              |
//! | 'C.double'     | `f64`                | 0.0            |
//! | 'C.os::Signal' | `golang_os::Signal`  | os.Signal(0)   |
//!
//! Which Python values each accepts: see [`crate::conv`].

/// The element type of a channel. Its discriminant is the code the wasm
/// core and its Python shim use for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum DType {
    /// Any Python object.
    Obj = 0,
    /// `()`: only None is sent.
    StructZ = 1,
    /// `bool`.
    Bool = 2,
    /// `i32`.
    Int = 3,
    /// `f64`.
    Double = 4,
    /// An operating-system signal (`golang.os.Signal`).
    Signal = 5,
}

/// A dtype's zero value (what a receive gives once the channel is closed
/// and drained), for the binding to make into its own object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Zero {
    /// None.
    None,
    /// False.
    False,
    /// The int 0.
    Int,
    /// The float 0.0.
    Float,
    /// `os.Signal(0)`.
    Signal,
}

impl DType {
    /// Every dtype, in code order.
    pub const ALL: [DType; 6] = [DType::Obj, DType::StructZ, DType::Bool, DType::Int, DType::Double, DType::Signal];

    /// Pygolang's name of the dtype.
    pub const fn name(self) -> &'static str {
        match self {
            DType::Obj => "object",
            DType::StructZ => "C.structZ",
            DType::Bool => "C.bool",
            DType::Int => "C.int",
            DType::Double => "C.double",
            DType::Signal => "C.os::Signal",
        }
    }

    /// The dtype named `name` (one of the names of [`DType::name`]).
    pub fn from_name(name: &str) -> Option<DType> {
        DType::ALL.into_iter().find(|d| d.name() == name)
    }

    /// The dtype's code (see the type's docs).
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The dtype of a code.
    pub fn from_code(code: u8) -> Option<DType> {
        DType::ALL.get(code as usize).copied()
    }

    /// The dtype as an index (0..6), for tables per dtype.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The zero value.
    pub const fn zero(self) -> Zero {
        match self {
            DType::Obj | DType::StructZ => Zero::None,
            DType::Bool => Zero::False,
            DType::Int => Zero::Int,
            DType::Double => Zero::Float,
            DType::Signal => Zero::Signal,
        }
    }

    /// How `repr(chan)` names the dtype: `object`, or the quoted name.
    pub fn repr_arg(self) -> String {
        match self {
            DType::Obj => "object".to_string(),
            d => format!("'{}'", d.name()),
        }
    }
}

/// A dtype argument (`chan(dtype=...)`, `chan.nil(...)`) as the binding
/// sees it.
pub enum DTypeArg<'a, F: FnOnce() -> Option<String>> {
    /// The type `object`.
    ObjectType,
    /// A str.
    Str(&'a str),
    /// A chan (it names its dtype too, but is not one: Pygolang's chan has
    /// no `.dtype`).
    Chan,
    /// Anything else: its `.dtype` attribute, if that is a str, looked up
    /// only if needed.
    Other(F),
}

/// Parses a dtype argument: `object`, one of the names, or an object whose
/// `.dtype` is one of the names. `supported` says which dtypes the core has
/// channels of (the wasm core has no signal channels). `None`: the binding
/// raises `TypeError(`[`invalid_dtype`]`(repr(arg)))`.
pub fn parse<F: FnOnce() -> Option<String>>(arg: DTypeArg<'_, F>, supported: impl Fn(DType) -> bool) -> Option<DType> {
    let d = match arg {
        DTypeArg::ObjectType => Some(DType::Obj),
        DTypeArg::Str(s) => DType::from_name(s),
        DTypeArg::Chan => None,
        DTypeArg::Other(attr) => attr().as_deref().and_then(DType::from_name),
    };
    d.filter(|d| supported(*d))
}

/// The TypeError of an invalid dtype argument whose repr is `repr`.
pub fn invalid_dtype(repr: &str) -> String {
    format!("{INVALID_DTYPE}{repr}")
}

/// The start of [`invalid_dtype`]'s message (the repr follows).
pub const INVALID_DTYPE: &str = "pychan: invalid dtype: ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_codes_round_trip() {
        for d in DType::ALL {
            assert_eq!(DType::from_name(d.name()), Some(d));
            assert_eq!(DType::from_code(d.code()), Some(d));
            assert_eq!(DType::ALL[d.index()], d);
        }
        assert_eq!(DType::from_name("int"), None);
        assert_eq!(DType::from_code(6), None);
    }

    #[test]
    fn parse_accepts_object_names_and_dtype_attributes_only() {
        type NoAttr = fn() -> Option<String>;
        let all = |_| true;
        let none = || -> Option<String> { None };
        assert_eq!(parse(DTypeArg::<NoAttr>::ObjectType, all), Some(DType::Obj));
        assert_eq!(parse(DTypeArg::<NoAttr>::Str("C.int"), all), Some(DType::Int));
        assert_eq!(parse(DTypeArg::<NoAttr>::Str("int"), all), None);
        assert_eq!(parse(DTypeArg::<NoAttr>::Chan, all), None);
        assert_eq!(parse(DTypeArg::Other(none), all), None);
        assert_eq!(parse(DTypeArg::Other(|| Some("C.os::Signal".into())), all), Some(DType::Signal));
        assert_eq!(parse(DTypeArg::Other(|| Some("C.os::Signal".into())), |d| d != DType::Signal), None);
    }

    #[test]
    fn repr_names_object_bare_and_others_quoted() {
        assert_eq!(DType::Obj.repr_arg(), "object");
        assert_eq!(DType::Double.repr_arg(), "'C.double'");
        assert_eq!(invalid_dtype("None"), "pychan: invalid dtype: None");
    }
}
