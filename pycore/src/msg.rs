//! The user-facing messages and limits of the Python cores (the dtype,
//! conversion and select messages are with their rules, in
//! [`crate::dtype`], [`crate::conv`] and [`crate::select`]). Tests compare
//! them byte for byte with Pygolang's; change them only here.
//!
//! A message with arguments is a function taking `impl Display`: the wasm
//! core hands the Python shim its `%`-template by calling it with `"%s"`
//! (see `targets/wasm/src/contract.rs`).

use std::fmt::Display;

/// The largest channel buffer `chan(size)` accepts.
pub const CHAN_SIZE_MAX: u64 = 1 << 40;
/// Go's panic of a `chan(size)` outside `0..=`[`CHAN_SIZE_MAX`].
pub const MAKECHAN_SIZE: &str = "makechan: size out of range";

/// `chan()` given more than two positional arguments.
pub fn chan_too_many_args(n: impl Display) -> String {
    format!("chan() takes at most 2 arguments ({n} given)")
}
/// `chan()` given an unknown keyword argument.
pub fn chan_unexpected_kw(name: impl Display) -> String {
    format!("chan() got an unexpected keyword argument '{name}'")
}
/// `chan()` given `size` or `dtype` twice.
pub fn chan_multiple_values(name: impl Display) -> String {
    format!("chan() got multiple values for argument '{name}'")
}

/// Awaiting an operation outside a golang goroutine (from asyncio).
pub const BRIDGE: &str = "golang: this operation must be awaited inside a golang goroutine \
(go(async_fn) or golang.run(async_fn)); from asyncio, use the blocking form in a thread, \
e.g. `await asyncio.to_thread(ch.recv)`";
/// A blocking operation inside an async goroutine.
pub const BLOCKING_IN_EXECUTOR: &str = "golang: a blocking channel operation in an async goroutine would block its \
executor; await the async form instead (await ch.arecv(), await ch.asend(x), await aselect(...))";
/// A blocking operation under Pyodide (the wasm core), where nothing may
/// block the JavaScript event loop.
pub const NO_BLOCK: &str = "golang: a blocking channel operation cannot wait under Pyodide, where nothing \
may block the JavaScript event loop; use the async form in a goroutine \
(await ch.arecv(), await ch.asend(x), await aselect(...))";
/// A golang goroutine awaiting something that is not one of golang's
/// awaitables; `%s` is the repr of what it awaited.
pub const FOREIGN_AWAIT: &str = "golang: a golang goroutine cannot await %s: only golang's awaitables \
(ch.arecv(), ch.asend(x), aselect(...), time.asleep(dt)) run on its executor";
/// An awaitable awaited a second time.
pub const AWAITED_TWICE: &str = "golang: this operation was already awaited";
/// The test hook `panicWhenBlocked`: Go's panic of an operation that would
/// block.
pub const BLOCKS_FOREVER: &str = "t: blocks forever";

/// `golang.run` inside a goroutine.
pub const RUN_NESTED: &str = "golang.run: called inside a running goroutine executor";
/// `golang.run(clock=...)` with another clock; `other` is its Rust-style
/// quoted form (`"x"`).
pub fn run_bad_clock(quoted: impl Display) -> String {
    format!("golang.run: clock must be 'virtual' or 'real', not {quoted}")
}
/// `golang.run(main)` where `main()` is not a coroutine.
pub fn run_not_async(main_repr: impl Display) -> String {
    format!("golang.run: main must be an async function (returning a coroutine), got {main_repr}")
}
/// The note added to an exception that escaped a goroutine of `golang.run`;
/// `quoted` is the goroutine's name in Rust's quoting (`"main"`).
pub fn run_raised_note(quoted: impl Display, seed: impl Display) -> String {
    format!("golang.run: raised in goroutine {quoted}; reproduce with seed={seed} (or GOLANG_SEED={seed})")
}

/// `Timer(dt, f)` / `after_func` with an `f` that is not callable.
pub fn not_callable(what: impl Display, type_name: impl Display) -> String {
    format!("{what}: f must be callable, not {type_name}")
}

/// `golang.context`: a parent that is not a context; `type_name` is its
/// type's name.
pub fn ctx_bad_parent(type_name: impl Display) -> String {
    format!("context: parent must be a Context, not {type_name}")
}
/// `golang.context.Context()` called by the user (an AssertionError).
pub const CTX_USER_NEW: &str = "Context must not be instantiated by user";

// ---- under Pyodide only (the wasm core), where nothing may block ----

/// `golang.time.sleep` inside an async goroutine.
pub const SLEEP_IN_EXECUTOR: &str = "golang.time.sleep: a blocking sleep in an async goroutine \
would block its executor; use `await time.asleep(dt)`";
/// `golang.time.sleep` where it cannot wait.
pub const SLEEP_NO_BLOCK: &str = "golang.time.sleep: cannot wait under Pyodide, where nothing may \
block the JavaScript event loop; use `await time.asleep(dt)` in a goroutine";
/// `golang.run(clock='real')`.
pub const RUN_REAL_CLOCK: &str = "golang.run: clock='real' would block the JavaScript event loop under \
Pyodide; use clock='virtual', or `await golang.arun(main)`";
/// Pickling a chan (its registry slot would be freed twice).
pub const CHAN_PICKLE: &str = "cannot pickle 'golang._golang.pychan' object";

// ---- natively only: signals, gevent, the test hooks of golang._golang_test ----

/// `os.Signal(...)` with arguments.
pub const SIGNAL_NO_ARGS: &str = "os.Signal() takes no arguments: use golang.syscall.SIG* (os.Signal() is os.Signal(0))";
/// `signal.notify` (and the hooks) given something that is not a chan;
/// `repr` is its repr.
pub fn expect_chan(repr: impl Display) -> String {
    format!("expect chan, got {repr}")
}
/// Go's panic of a chan of the wrong dtype given to `signal.notify` or a
/// test hook.
pub const CHAN_TYPE_MISMATCH: &str = "pychan: channel type mismatch";
/// `_gevent_setup` called twice.
pub const GEVENT_SETUP_TWICE: &str = "golang: gevent runtime already set up";
/// A Rust panic inside an awaitable's step (a bug), as a SystemError.
pub const AWAITOP_PANIC: &str = "golang: panic in AwaitOp";
/// The hooks' conversions, as Pygolang's Cython hooks word them (C's
/// conversions, not the dtype rules of `crate::conv`).
pub fn hook_not_structz(repr: impl Display) -> String {
    format!("cannot convert {repr} to structZ")
}
/// The int hook given neither an int nor a float.
pub const HOOK_INT_REQUIRED: &str = "an integer is required";
/// The int hook given an int outside C int.
pub const HOOK_INT_TOO_LARGE: &str = "value too large to convert to int";
/// The double hook given something that is not a real number.
pub fn hook_not_real(type_name: impl Display) -> String {
    format!("must be real number, not {type_name}")
}
