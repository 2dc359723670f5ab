//! The named states that cross the wasm boundary between the WebAssembly
//! core (`targets/wasm`) and its Python shim (`_golang_wasm.py`). The shim
//! learns them by name at import ([`Status::ALL`] and the like, exported by
//! the core as `contract()`), so a number means the same on both sides; a
//! [`Status`] crosses as its name itself (a string, which a value never
//! is: see `targets/wasm/src/reply.rs`).
//!
//! The native core has the same states as Rust types inside one process
//! (`ops::Step`, `coro::Next`); only their names are shared there.

/// A set of named states, as the wasm core hands them to its shim.
pub trait Named: Copy + 'static {
    /// Every state, in code order.
    fn all() -> &'static [Self];
    /// The state's name.
    fn state_name(self) -> &'static str;
    /// The state's code.
    fn state_code(self) -> u8;
}

/// Generates an enum of named states with `ALL`, `name()` and `from_code()`.
macro_rules! named_states {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $code:literal => $text:literal,)* }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum $name {
            $($(#[$vm])* $v = $code,)*
        }

        impl $name {
            /// Every state, in code order.
            pub const ALL: &'static [$name] = &[$($name::$v,)*];

            /// The state's name, as the shim spells it.
            pub const fn name(self) -> &'static str {
                match self {
                    $($name::$v => $text,)*
                }
            }

            /// The state's code on the wasm boundary.
            pub const fn code(self) -> u8 {
                self as u8
            }

            /// The state of a code.
            pub fn from_code(code: u8) -> Option<$name> {
                $name::ALL.iter().copied().find(|s| s.code() == code)
            }
        }

        impl Named for $name {
            fn all() -> &'static [$name] {
                $name::ALL
            }
            fn state_name(self) -> &'static str {
                self.name()
            }
            fn state_code(self) -> u8 {
                self.code()
            }
        }
    };
}

named_states! {
    /// How starting (or trying) an operation ended.
    Status {
        /// It completed. (The wasm core answers with what it gives
        /// instead of this status: `targets/wasm/src/reply.rs`.)
        Done = 0 => "DONE",
        /// A receive found the channel closed and drained: rx is the
        /// dtype's zero value, ok is False.
        Closed = 1 => "CLOSED",
        /// It must wait: the async form yields to the driver (its future is
        /// parked); the sync form would block.
        Wait = 2 => "WAIT",
        /// Go's panic; the message is in `last_error()`.
        Panic = 3 => "PANIC",
        /// It must wait, but the caller is not a golang goroutine.
        Bridge = 4 => "BRIDGE",
        /// TypeError from the conversion rules; `last_error()` is the
        /// message up to the value's repr.
        Mismatch = 5 => "MISMATCH",
        /// OverflowError from the conversion rules; likewise.
        OutOfRange = 6 => "OUT_OF_RANGE",
    }
}

named_states! {
    /// What the core asks the shim's driver `resume(handle, kind, value)`
    /// to do with a goroutine.
    Resume {
        /// Resume the coroutine for the first time.
        Start = 0 => "START",
        /// Resume it with the result of the operation it waited for.
        Value = 1 => "VALUE",
        /// Raise Go's panic (the value is the message) at its `await`.
        Panic = 2 => "PANIC",
        /// Its budget was spent: it waited one turn; retry the operation.
        Retry = 3 => "RETRY",
        /// Close it (its run ended while it waited); forget its handle.
        Close = 4 => "CLOSE",
        /// Call the plain function behind the handle once
        /// (`time.after_func`).
        Call = 5 => "CALL",
        /// Resume it: its receive found the channel closed and drained (rx
        /// is the dtype's zero value; for a select the value is the index).
        ValueClosed = 6 => "VALUE_CLOSED",
    }
}

named_states! {
    /// What the driver answers.
    Driven {
        /// The coroutine yielded on an operation (its future is parked).
        Wait = 0 => "WAIT",
        /// The goroutine is over.
        Done = 1 => "DONE",
        /// The goroutine raised inside `golang.run`: end the run.
        Fail = 2 => "FAIL",
    }
}

named_states! {
    /// How `golang.run` ended (the message, if any, in `last_error()`).
    RunEnd {
        /// main returned.
        Ok = 0 => "OK",
        /// All goroutines are asleep: DeadlockError.
        Deadlock = 1 => "DEADLOCK",
        /// A goroutine raised (the shim holds the exception).
        Failed = 2 => "FAILED",
        /// Another panic: RuntimeError.
        Panic = 3 => "PANIC",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_positions_and_names_unique() {
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(s.code() as usize, i);
            assert_eq!(Status::from_code(s.code()), Some(*s));
        }
        let mut names: Vec<_> = Status::ALL.iter().map(|s| s.name()).collect();
        names.dedup();
        assert_eq!(names.len(), Status::ALL.len());
        assert_eq!(Resume::from_code(5), Some(Resume::Call));
        assert_eq!(Driven::from_code(3), None);
        assert_eq!(RunEnd::Deadlock.name(), "DEADLOCK");
        assert_eq!(ValueKind::Int.with(3.0), crate::PyKind::Int(Some(3)));
        assert_eq!(ValueKind::from_code(5), Some(ValueKind::Other));
    }

    #[test]
    fn accepted_ranges_are_accepted_by_the_rules() {
        use crate::{convert, DType};
        for d in DType::ALL {
            for k in ValueKind::ALL {
                let Some((lo, hi)) = k.accepted(d) else { continue };
                let mid = if lo == hi { lo } else { ((lo / 2.0 + hi / 2.0) as i64) as f64 };
                for v in [lo, hi, mid, lo.max(-1.0).min(hi), lo.max(1.0).min(hi), lo.max(0.5).min(hi)] {
                    // (a fractional payload only means something for a float)
                    let v = if *k == ValueKind::Float { v } else { v.trunc() };
                    assert!(convert(d, k.with(v)).is_ok(), "{d:?} refuses {k:?} {v}");
                }
            }
        }
        assert_eq!(ValueKind::Int.accepted(DType::Bool), None);
        assert_eq!(ValueKind::Float.accepted(DType::Int), None);
    }
}

named_states! {
    /// What a Python value is, as the shim tells the core's conversion
    /// rules (`conv(dtype, kind, v)`): a [`crate::PyKind`] whose payload
    /// travels as the number `v`.
    ValueKind {
        /// None.
        None = 0 => "NONE",
        /// A bool (`v` is 1 or 0).
        Bool = 1 => "BOOL",
        /// An int that a JS number carries exactly (`v`, |v| <= 2**53).
        Int = 2 => "INT",
        /// A larger int.
        BigInt = 3 => "BIG_INT",
        /// A float (`v`).
        Float = 4 => "FLOAT",
        /// Anything else.
        Other = 5 => "OTHER",
    }
}

named_states! {
    /// Why a context is done (`ctx_err(id)` of the wasm core).
    CtxErr {
        /// It is not: `err()` is None.
        None = 0 => "NONE",
        /// `canceled`.
        Canceled = 1 => "CANCELED",
        /// `deadlineExceeded`.
        DeadlineExceeded = 2 => "DEADLINE_EXCEEDED",
    }
}

named_states! {
    /// What made a context (the wasm core's `ctx_*` functions and the
    /// shim's `PyContext`).
    CtxKind {
        /// `background()`.
        Background = 0 => "BACKGROUND",
        /// `with_cancel`, `merge`, or a deadline no earlier than the parent's.
        Cancel = 1 => "CANCEL",
        /// `with_deadline` / `with_timeout` with a deadline (a timer) of its own.
        Deadline = 2 => "DEADLINE",
        /// `with_value`: shares its parent's node.
        Value = 3 => "VALUE",
    }
}

impl ValueKind {
    /// The payloads `v` for which every value of this kind is accepted on a
    /// channel of `dtype` (inclusive bounds), for a binding's fast path: it
    /// may skip asking [`crate::convert`] for a value in the range, and asks
    /// for every other one (`None`: always ask). Conservative by design: a
    /// value outside the range may still be accepted (NaN and infinities on
    /// 'C.double', integral floats on 'C.int'), the rules decide.
    pub fn accepted(self, dtype: crate::DType) -> Option<(f64, f64)> {
        use crate::DType;
        const EXACT: f64 = 9007199254740992.0; // 2**53: what ValueKind::Int carries
        match (dtype, self) {
            (DType::StructZ, ValueKind::None) => Some((0.0, 0.0)),
            (DType::Bool, ValueKind::Bool) => Some((0.0, 1.0)),
            (DType::Int, ValueKind::Int) => Some((i32::MIN as f64, i32::MAX as f64)),
            (DType::Double, ValueKind::Int) => Some((-EXACT, EXACT)),
            (DType::Double, ValueKind::Float) => Some((f64::MIN, f64::MAX)),
            _ => None,
        }
    }

    /// The value as the conversion rules take it.
    pub fn with(self, v: f64) -> crate::PyKind {
        use crate::PyKind;
        match self {
            ValueKind::None => PyKind::None,
            ValueKind::Bool => PyKind::Bool(v != 0.0),
            ValueKind::Int => PyKind::Int(Some(v as i64)),
            ValueKind::BigInt => PyKind::Int(None),
            ValueKind::Float => PyKind::Float(v),
            ValueKind::Other => PyKind::Other,
        }
    }
}
