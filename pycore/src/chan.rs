//! A channel of any dtype, generic over the binding's object handle `O`
//! and signal type `S`: the variant is the dtype.
//!
//! The wasm core uses it (`AnyChan<PyRef, NoSignal>`); the native core keeps
//! its own `value::AnyChan` for now (its storage is being shared with the C
//! ABI) and is meant to become `AnyChan<Py<PyAny>, golang_os::Signal>`.

use crate::dtype::DType;
use golang_chan::{Chan, ChanError};

/// The signal type of a core without signals (under Pyodide): no value of
/// it exists, so its channels are only ever nil.
#[derive(Debug)]
pub enum NoSignal {}

/// A channel of any dtype.
pub enum AnyChan<O, S> {
    /// dtype object.
    Obj(Chan<O>),
    /// 'C.structZ'.
    StructZ(Chan<()>),
    /// 'C.bool'.
    Bool(Chan<bool>),
    /// 'C.int'.
    Int(Chan<i32>),
    /// 'C.double'.
    Double(Chan<f64>),
    /// 'C.os::Signal'.
    Signal(Chan<S>),
}

impl<O, S> Clone for AnyChan<O, S> {
    fn clone(&self) -> Self {
        match self {
            AnyChan::Obj(c) => AnyChan::Obj(c.clone()),
            AnyChan::StructZ(c) => AnyChan::StructZ(c.clone()),
            AnyChan::Bool(c) => AnyChan::Bool(c.clone()),
            AnyChan::Int(c) => AnyChan::Int(c.clone()),
            AnyChan::Double(c) => AnyChan::Double(c.clone()),
            AnyChan::Signal(c) => AnyChan::Signal(c.clone()),
        }
    }
}

/// Runs `$body` with `$c` bound to the typed channel inside an
/// [`AnyChan`] (`$body` is generic code: it compiles once per dtype).
#[macro_export]
macro_rules! each_chan {
    ($ch:expr, $c:ident => $body:expr) => {
        match $ch {
            $crate::chan::AnyChan::Obj($c) => $body,
            $crate::chan::AnyChan::StructZ($c) => $body,
            $crate::chan::AnyChan::Bool($c) => $body,
            $crate::chan::AnyChan::Int($c) => $body,
            $crate::chan::AnyChan::Double($c) => $body,
            $crate::chan::AnyChan::Signal($c) => $body,
        }
    };
}
pub use each_chan;

impl<O, S> AnyChan<O, S> {
    /// A new channel of `dtype` with `size` buffer slots (`None`: the nil
    /// channel).
    pub fn make(dtype: DType, size: Option<usize>) -> Self {
        fn chan<T>(size: Option<usize>) -> Chan<T> {
            size.map_or_else(Chan::nil, Chan::new)
        }
        match dtype {
            DType::Obj => AnyChan::Obj(chan(size)),
            DType::StructZ => AnyChan::StructZ(chan(size)),
            DType::Bool => AnyChan::Bool(chan(size)),
            DType::Int => AnyChan::Int(chan(size)),
            DType::Double => AnyChan::Double(chan(size)),
            DType::Signal => AnyChan::Signal(chan(size)),
        }
    }

    /// The channel's dtype.
    pub fn dtype(&self) -> DType {
        match self {
            AnyChan::Obj(_) => DType::Obj,
            AnyChan::StructZ(_) => DType::StructZ,
            AnyChan::Bool(_) => DType::Bool,
            AnyChan::Int(_) => DType::Int,
            AnyChan::Double(_) => DType::Double,
            AnyChan::Signal(_) => DType::Signal,
        }
    }

    /// The channel's identity (0 for nil channels).
    pub fn id(&self) -> usize {
        each_chan!(self, c => c.id())
    }

    /// Values in the buffer.
    pub fn len(&self) -> usize {
        each_chan!(self, c => c.len())
    }

    /// Whether the buffer is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Buffer capacity.
    pub fn cap(&self) -> usize {
        each_chan!(self, c => c.cap())
    }

    /// Goroutines waiting to receive.
    pub fn waiting_receivers(&self) -> usize {
        each_chan!(self, c => c.waiting_receivers())
    }

    /// Goroutines waiting to send.
    pub fn waiting_senders(&self) -> usize {
        each_chan!(self, c => c.waiting_senders())
    }

    /// Closes the channel (Go's panic for a closed or nil one).
    pub fn try_close(&self) -> Result<(), ChanError> {
        each_chan!(self, c => c.try_close())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Any = AnyChan<String, NoSignal>;

    #[test]
    fn make_gives_the_dtype_and_nil_channels() {
        for d in DType::ALL {
            let c = Any::make(d, Some(2));
            assert_eq!(c.dtype(), d);
            assert_eq!(c.cap(), 2);
            assert_ne!(c.id(), 0);
            let n = Any::make(d, None);
            assert_eq!((n.dtype(), n.id()), (d, 0));
            assert!(n.try_close().is_err());
        }
        let c = Any::make(DType::Int, Some(1));
        assert_eq!(c.clone().id(), c.id());
        assert!(c.is_empty());
    }
}
