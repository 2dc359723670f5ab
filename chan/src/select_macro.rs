//! `select!`: Go's select statement as a macro over the stack-allocated
//! fast path of [`crate::select`].
//!
//! How an expansion keeps the rules of `select.rs`:
//! 1. The operands (each arm's channel, each send arm's value) are evaluated
//!    once, in source order, before anything is tried, as Go does.
//! 2. Each arm becomes a concrete [`RecvCase`] / [`SendCase`] on the
//!    caller's stack (in the `async` block's state), so nothing is boxed;
//!    the cases are handed to [`crate::select`] / [`crate::try_select`] as
//!    a slice, in arm order, so the committed case, its uniformly random
//!    choice among the ready ones and the seed that reproduces it are
//!    exactly the ones of `select.rs` (invariants 1-5 there).
//! 3. With a `default` arm, when no channel's readiness hint says "maybe
//!    ready" the default commits after one load per arm, before any case is
//!    built: sound because a clear hint is the channel's state at some
//!    moment during the call (see `try_select_tuple`).
//! 4. After the select, every case is consumed before the chosen body runs:
//!    a receive case yields its value, a send case that did not commit drops
//!    its value there (it was never sent, and it is dropped exactly once);
//!    a send case that committed holds nothing. If the select future is
//!    dropped while waiting, a send case takes its value back and drops it
//!    (invariant 5 of `select.rs`: nothing is both sent and dropped).
//! 5. Every run of the macro spends one unit of the goroutine's cooperative
//!    budget, as [`crate::SelectFuture`] does, so a loop around a select with
//!    a default arm still lets other goroutines run. With a default arm the
//!    budget is spent before the operands are evaluated: the select itself
//!    then never awaits. (Without a default arm, a select that has to wait
//!    spends a second unit in [`crate::SelectFuture`].)
//! 6. Without a default arm, when exactly one hint says "maybe ready", that
//!    case is tried alone, statically dispatched, before any select is
//!    built: it is what the try pass of `select.rs` does with one candidate
//!    (no random draw is needed to choose among one). If it turns out not
//!    ready, the full select runs from the start.

use crate::chan::Chan;
use crate::select::{Case, Fire, RecvCase, SendCase};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// A case turned into what its arm's body needs (point 4).
pub trait Finish {
    /// What the arm gets: a receive's result; nothing for a send.
    type Out;
    /// Consumes the case.
    fn finish(self) -> Self::Out;
}

impl<T> Finish for RecvCase<'_, T> {
    type Out = Option<Option<T>>;
    #[inline]
    fn finish(mut self) -> Option<Option<T>> {
        self.take()
    }
}

impl<T> Finish for SendCase<'_, T> {
    type Out = ();
    #[inline]
    fn finish(self) {
        // An unsent value is dropped here, before the chosen body runs.
        drop(self.into_value());
    }
}

/// `v = ch.recv()`: `Some(v)`, or `None` once closed and drained.
#[inline]
pub fn recv<T>(r: Option<Option<T>>) -> Option<T> {
    r.expect("select!: the committed receive case has its result")
}

/// `(v, ok) = ch.recv_()`: Go's `v, ok := <-ch`.
#[inline]
pub fn recv_ok<T: Default>(r: Option<Option<T>>) -> (T, bool) {
    match recv(r) {
        Some(v) => (v, true),
        None => (T::default(), false),
    }
}

/// Whether a receive on `ch` might proceed now (false: certainly not, or
/// nil), from its readiness hint, without locking.
#[inline]
pub fn recv_maybe<T>(ch: &Chan<T>) -> bool {
    ch.inner.as_ref().is_some_and(|i| i.recv_maybe())
}

/// Whether a send on `ch` might proceed now (see [`recv_maybe`]).
#[inline]
pub fn send_maybe<T>(ch: &Chan<T>) -> bool {
    ch.inner.as_ref().is_some_and(|i| i.send_maybe())
}

/// Tries case `i` alone (point 6): `Some` if it committed or panicked.
#[inline]
pub fn fire<C: Case>(case: &mut C, i: usize) -> Option<Result<usize, crate::ChanError>> {
    match case.try_fire() {
        Fire::Done => Some(Ok(i)),
        Fire::Panic(e) => Some(Err(e)),
        Fire::NotReady => None,
    }
}

/// The index of the committed case; a send on a closed channel panics with
/// Go's message, as [`crate::Chan::send`] does.
#[inline]
pub fn committed(r: Result<usize, crate::ChanError>) -> usize {
    match r {
        Ok(k) => k,
        Err(e) => panic!("{e}"),
    }
}

/// Spends one unit of the cooperative budget; yields once when it is spent
/// (point 5).
#[inline]
pub fn coop() -> Coop {
    Coop { yielded: false }
}

/// The future of [`coop`].
pub struct Coop {
    yielded: bool,
}

impl Future for Coop {
    type Output = ();
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded || golang_sched::coop_proceed() {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Go's `select` statement, for goroutines (`async` code): the arms are
/// tried in a uniformly random order among the ready ones (drawn from the
/// executor's RNG, so a seed reproduces every choice), exactly one commits,
/// and its body runs. The expansion contains `.await`, like `tokio::select!`,
/// and no allocation unless it has to wait.
///
/// ```text
/// select! {
///     v = rx.recv() => body,          // v: Option<T>, None once rx is closed and drained
///     (v, ok) = rx.recv_() => body,   // v: T (T::default() when closed), ok: bool
///     tx.send(x) => body,             // panics "send on closed channel" if tx is closed
///     default => body,                // taken only when no other arm is ready
/// }
/// ```
///
/// - The left side of a receive arm is an irrefutable pattern.
/// - A body is a block (comma optional) or an expression followed by a
///   comma; `break`, `continue`, `return`, `?` and `.await` in it act on the
///   code around the macro. The macro's value is the chosen body's value.
/// - Every channel expression and send value is evaluated once, in source
///   order, before the select tries anything (as in Go).
/// - A send arm's value moves into the select. If another arm (or default)
///   commits, that value is dropped before the chosen body runs; it is
///   never both sent and dropped. To keep it, send a clone, or use
///   [`SendCase`] and [`crate::select`] directly ([`SendCase::into_value`]
///   gives the value back).
/// - A nil channel's arm is never ready; `select! {}` blocks forever; with
///   no `default` and only nil channels the goroutine blocks forever.
/// - At most one `default`; at most 64 arms.
///
/// ```
/// use golang_chan::{select, Chan};
/// use golang_sched::{go, Runtime};
///
/// let out = Runtime::deterministic(1).block_on(async {
///     let (nums, quit): (Chan<i32>, Chan<()>) = (Chan::new(0), Chan::new(0));
///     let (n, q) = (nums.clone(), quit.clone());
///     go(async move {
///         for i in 0..3 {
///             n.send(i).await.unwrap();
///         }
///         q.close();
///     });
///     let mut got = Vec::new();
///     loop {
///         select! {
///             v = nums.recv() => got.push(v.unwrap()),
///             (_, ok) = quit.recv_() => {
///                 assert!(!ok);
///                 break;
///             }
///         }
///     }
///     // With default: non-blocking.
///     let idle = select! {
///         v = nums.recv() => Some(v),
///         default => None,
///     };
///     (got, idle)
/// });
/// assert_eq!(out.unwrap(), (vec![0, 1, 2], None));
/// ```
#[macro_export]
macro_rules! select {
    ($($arms:tt)*) => {
        $crate::__select_parse!(
            @arm [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31
                  32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63]
            [] [] $($arms)*
        )
    };
}

/// The parser of [`select!`]: one arm per step. State: `[free indices]
/// [parsed arms] [default body]`; each step introduces its case's and
/// channel's identifiers, which hygiene keeps apart from every other step's.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    // All arms parsed.
    (@arm $idx:tt $arms:tt $def:tt) => {
        $crate::__select_emit!($arms $def)
    };
    // default (block body, then expression bodies).
    (@arm $idx:tt $arms:tt [] default => { $($b:tt)* } , $($rest:tt)*) => {
        $crate::__select_parse!(@arm $idx $arms [{ $($b)* }] $($rest)*)
    };
    (@arm $idx:tt $arms:tt [] default => { $($b:tt)* } $($rest:tt)*) => {
        $crate::__select_parse!(@arm $idx $arms [{ $($b)* }] $($rest)*)
    };
    (@arm $idx:tt $arms:tt [] default => $b:expr $(, $($rest:tt)*)?) => {
        $crate::__select_parse!(@arm $idx $arms [{ $b }] $($($rest)*)?)
    };
    (@arm $idx:tt $arms:tt [$($d:tt)+] default => $($rest:tt)*) => {
        ::core::compile_error!("select!: multiple default")
    };
    (@arm [] $($rest:tt)*) => {
        ::core::compile_error!("select!: more than 64 arms")
    };
    // Any other arm: gather its head, up to `=>`.
    (@arm $idx:tt $arms:tt $def:tt $($rest:tt)+) => {
        $crate::__select_parse!(@head $idx $arms $def [] $($rest)+)
    };
    (@head $idx:tt $arms:tt $def:tt [$($h:tt)*] => { $($b:tt)* } , $($rest:tt)*) => {
        $crate::__select_parse!(@lhs $idx $arms $def { $($b)* } [] [$($h)*] $($rest)*)
    };
    (@head $idx:tt $arms:tt $def:tt [$($h:tt)*] => { $($b:tt)* } $($rest:tt)*) => {
        $crate::__select_parse!(@lhs $idx $arms $def { $($b)* } [] [$($h)*] $($rest)*)
    };
    (@head $idx:tt $arms:tt $def:tt [$($h:tt)*] => $b:expr $(, $($rest:tt)*)?) => {
        $crate::__select_parse!(@lhs $idx $arms $def { $b } [] [$($h)*] $($($rest)*)?)
    };
    (@head $idx:tt $arms:tt $def:tt [$($h:tt)*]) => {
        ::core::compile_error!("select!: an arm needs `=> body`")
    };
    (@head $idx:tt $arms:tt $def:tt [$($h:tt)*] $t:tt $($rest:tt)*) => {
        $crate::__select_parse!(@head $idx $arms $def [$($h)* $t] $($rest)*)
    };
    // Split the head at a top-level `=`: a receive arm; none: a send arm.
    (@lhs $idx:tt $arms:tt $def:tt $body:tt [$($l:tt)*] [= $($r:tt)*] $($rest:tt)*) => {
        $crate::__select_parse!(@recv $idx $arms $def $body [$($l)*] [] [$($r)*] $($rest)*)
    };
    (@lhs $idx:tt $arms:tt $def:tt $body:tt [$($l:tt)*] [$t:tt $($r:tt)*] $($rest:tt)*) => {
        $crate::__select_parse!(@lhs $idx $arms $def $body [$($l)* $t] [$($r)*] $($rest)*)
    };
    (@lhs $idx:tt $arms:tt $def:tt $body:tt [$($l:tt)*] [] $($rest:tt)*) => {
        $crate::__select_parse!(@send $idx $arms $def $body [] [$($l)*] $($rest)*)
    };
    // Receive arm: `pat = ch.recv()` or `pat = ch.recv_()`.
    (@recv [$i:tt $($idx:tt)*] [$($arms:tt)*] $def:tt $body:tt $pat:tt [$($c:tt)+] [. recv ()] $($rest:tt)*) => {
        $crate::__select_parse!(@arm [$($idx)*] [$($arms)* (recv $i __case __chan __val [$($c)+] $pat [] $body)] $def $($rest)*)
    };
    (@recv [$i:tt $($idx:tt)*] [$($arms:tt)*] $def:tt $body:tt $pat:tt [$($c:tt)+] [. recv_ ()] $($rest:tt)*) => {
        $crate::__select_parse!(@arm [$($idx)*] [$($arms)* (recv_ $i __case __chan __val [$($c)+] $pat [] $body)] $def $($rest)*)
    };
    (@recv $idx:tt $arms:tt $def:tt $body:tt $pat:tt [$($c:tt)*] [$t:tt $($r:tt)*] $($rest:tt)*) => {
        $crate::__select_parse!(@recv $idx $arms $def $body $pat [$($c)* $t] [$($r)*] $($rest)*)
    };
    (@recv $idx:tt $arms:tt $def:tt $body:tt $pat:tt [$($c:tt)*] [] $($rest:tt)*) => {
        ::core::compile_error!("select!: a receive arm is `pat = ch.recv() => ...` or `(v, ok) = ch.recv_() => ...`")
    };
    // Send arm: `ch.send(v)`.
    (@send [$i:tt $($idx:tt)*] [$($arms:tt)*] $def:tt $body:tt [$($c:tt)+] [. send ($($v:tt)+)] $($rest:tt)*) => {
        $crate::__select_parse!(@arm [$($idx)*] [$($arms)* (send $i __case __chan __val [$($c)+] [] [$($v)+] $body)] $def $($rest)*)
    };
    (@send $idx:tt $arms:tt $def:tt $body:tt [$($c:tt)*] [$t:tt $($r:tt)*] $($rest:tt)*) => {
        $crate::__select_parse!(@send $idx $arms $def $body [$($c)* $t] [$($r)*] $($rest)*)
    };
    (@send $idx:tt $arms:tt $def:tt $body:tt [$($c:tt)*] [] $($rest:tt)*) => {
        ::core::compile_error!("select!: an arm is `pat = ch.recv()`, `(v, ok) = ch.recv_()`, `ch.send(v)` or `default`")
    };
}

/// The code of [`select!`] once its arms are parsed. Per arm: `$ch` holds
/// the channel operand, `$val` a send's value and then the case, `$case`
/// what the body gets (see `Finish`).
#[doc(hidden)]
#[macro_export]
macro_rules! __select_emit {
    // `select! {}`: blocks forever, as in Go.
    ([] []) => {{
        let _ = $crate::select(&mut [], false).await;
        ::core::unreachable!("select! with no arms returned")
    }};
    // Only a default.
    ([] [$def:block]) => {{
        $crate::__macro::coop().await;
        $def
    }};
    // Cases, no default.
    ([$(($kind:ident $i:tt $case:ident $ch:ident $val:ident [$($c:tt)+] [$($pat:tt)*] [$($v:tt)*] $body:block))+] []) => {{
        $crate::__macro::coop().await;
        $( $crate::__select_step!(operand $kind $ch $val [$($c)+] [$($v)*]); )+
        $( $crate::__select_step!(case $kind $ch $val); )+
        // Point 6: exactly one hint says "maybe ready": try that case alone.
        let mut __n = 0usize;
        let mut __first = 0usize;
        $(
            if $crate::Case::maybe_ready(&$val) {
                if __n == 0 {
                    __first = $i;
                }
                __n += 1;
            }
        )+
        let __fast = if __n == 1 {
            match __first {
                $( $i => $crate::__macro::fire(&mut $val, $i), )+
                _ => ::core::option::Option::None,
            }
        } else {
            ::core::option::Option::None
        };
        let __k = $crate::__macro::committed(match __fast {
            ::core::option::Option::Some(r) => r,
            ::core::option::Option::None => $crate::select(&mut [$(&mut $val as &mut dyn $crate::Case),+], false).await,
        });
        $( let $case = $crate::__macro::Finish::finish($val); )+
        match __k {
            $( $i => $crate::__select_step!(body $kind $case [$($pat)*] $body), )+
            _ => ::core::unreachable!("select!: no such case"),
        }
    }};
    // Cases and a default.
    ([$(($kind:ident $i:tt $case:ident $ch:ident $val:ident [$($c:tt)+] [$($pat:tt)*] [$($v:tt)*] $body:block))+] [$def:block]) => {{
        // Before the operands, so that nothing of the select lives across an
        // await: the cases stay in registers, not in the future's state.
        $crate::__macro::coop().await;
        $( $crate::__select_step!(operand $kind $ch $val [$($c)+] [$($v)*]); )+
        let __k;
        $( let $case; )+
        // Point 3: no hint says "maybe ready", so nothing is ready; the
        // cases are not even built.
        if false $(|| $crate::__select_step!(hint $kind $ch))+ {
            $( $crate::__select_step!(case $kind $ch $val); )+
            __k = match $crate::try_select(&mut [$(&mut $val as &mut dyn $crate::Case),+], true) {
                ::core::option::Option::Some(r) => $crate::__macro::committed(r),
                ::core::option::Option::None => ::core::unreachable!("select! with default blocked"),
            };
            $( $case = $crate::__macro::Finish::finish($val); )+
        } else {
            __k = $crate::DEFAULT;
            $( $case = $crate::__select_step!(unready $kind $val); )+
        }
        match __k {
            $( $i => $crate::__select_step!(body $kind $case [$($pat)*] $body), )+
            _ => $def,
        }
    }};
}

/// The per-arm pieces of [`select!`]'s code.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_step {
    // The operands, evaluated once in source order (point 1); the channel
    // is borrowed for the whole select.
    (operand send $ch:ident $val:ident [$($c:tt)+] [$($v:tt)+]) => {
        let $ch = &$($c)+;
        let $val = $($v)+;
    };
    (operand $kind:ident $ch:ident $val:ident [$($c:tt)+] []) => {
        let $ch = &$($c)+;
    };
    // The case on the stack (point 2).
    (case send $ch:ident $val:ident) => {
        let mut $val = $crate::SendCase::new($ch, $val);
    };
    (case $kind:ident $ch:ident $val:ident) => {
        let mut $val = $crate::RecvCase::new($ch);
    };
    // The readiness hint (point 3).
    (hint send $ch:ident) => {
        $crate::__macro::send_maybe($ch)
    };
    (hint $kind:ident $ch:ident) => {
        $crate::__macro::recv_maybe($ch)
    };
    // What the body gets when the default committed: nothing was received,
    // and a send's value is dropped here (point 4).
    (unready send $val:ident) => {
        ::core::mem::drop($val)
    };
    (unready $kind:ident $val:ident) => {
        ::core::option::Option::None
    };
    // The body of the committed arm, with its bindings.
    (body recv $case:ident [$($pat:tt)+] $body:block) => {{
        let $($pat)+ = $crate::__macro::recv($case);
        $body
    }};
    (body recv_ $case:ident [$($pat:tt)+] $body:block) => {{
        let $($pat)+ = $crate::__macro::recv_ok($case);
        $body
    }};
    (body send $case:ident [] $body:block) => {{
        let () = $case;
        $body
    }};
}
