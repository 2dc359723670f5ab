//! Go's `context` for goroutines and OS threads: cancellation, deadlines and
//! request-scoped values carried through a tree of contexts.
//!
//! A [`Context`] is a cheap clonable handle. [`background()`] is the root:
//! never cancelled, no deadline, no values, and its [`Context::done`] is the
//! nil channel. Children are made with [`with_cancel`], [`with_deadline`],
//! [`with_timeout`], [`with_value`] and [`merge`]; the first four follow Go,
//! `merge` follows Pygolang (done when either parent is).
//!
//! Rules (each has a test in `tests/`):
//! - A context is cancelled when any of its parents is, with that parent's
//!   error ([`ContextError::Canceled`] or [`ContextError::DeadlineExceeded`]);
//!   a context made from an already-cancelled parent is cancelled at once.
//! - [`Context::done`] returns the same channel on every call; it is closed
//!   on cancel. [`Context::err`] is set before `done()` is closed, so whoever
//!   sees `done()` closed sees `err()` non-`None`.
//! - A cancelled context is removed from its parents (O(1): the parent keeps
//!   its children in a slab and each child knows its key), and forgets its
//!   children after cancelling them, so many short-lived children leave no
//!   trace in a long-lived parent ([`Context::children_count`]).
//! - Deadlines are Unix seconds (`f64`, as Pygolang's) on the clock of the
//!   executor that made the context ([`golang_time::now`]): virtual under
//!   `Runtime::deterministic`. A context's deadline is the earliest of its
//!   own and its parents'. Only a context whose own deadline is earlier than
//!   its parents' arms a timer ([`golang_time::after_func`]); a deadline that
//!   has already passed (or is NaN) cancels the context at once with
//!   `DeadlineExceeded`, as Go does.
//! - Values are looked up by [`Key`], compared by identity: `Key::new()`
//!   makes a key different from every other, and its copies are the same
//!   key. A key is typed, so a lookup gives a `&T` without casting. Lookup
//!   walks up the tree; under a [`merge`] the first parent wins.
//!
//! As in Go, call the [`CancelFunc`] when the work is done: a child that is
//! neither cancelled nor has a cancelled parent stays registered in its
//! parent (and so alive) as long as the parent lives. A cancellable context
//! of which no handle is left ([`Context`] or [`CancelFunc`], its own or a
//! descendant's) and whose `done()` channel nobody else holds cannot be
//! observed any more: it is cancelled then, which unlinks it from its
//! parents. Without that, a child registered in its parent and holding that
//! parent would keep both alive for ever once dropped (reference counting
//! does not collect cycles; Go's garbage collector does).
//!
//! Cost: [`with_cancel`] is one allocation; `done()` makes its channel only
//! when first asked for it, and a context cancelled before that shares one
//! process-wide closed channel (Go's `closedchan`); no timer without a
//! deadline of its own.
//!
//! ```
//! use golang_context::{background, with_cancel, with_timeout, ContextError};
//! use golang_sched::{go, Runtime};
//! use std::time::Duration;
//!
//! Runtime::deterministic(1).block_on(async {
//!     let (ctx, cancel) = with_cancel(&background());
//!     let (tctx, _tcancel) = with_timeout(&ctx, Duration::from_secs(10));
//!     let t0 = golang_time::now();
//!     tctx.done().recv().await; // virtual time: returns at once, 10 s later
//!     assert_eq!(golang_time::now() - t0, 10.0);
//!     assert_eq!(tctx.err(), Some(ContextError::DeadlineExceeded));
//!     assert_eq!(ctx.err(), None); // a child's deadline does not touch its parent
//!
//!     let (child, _c) = with_cancel(&ctx);
//!     go(async move { cancel.cancel() });
//!     child.done().recv().await; // cancelled with its parent
//!     assert_eq!(child.err().unwrap().to_string(), "context canceled");
//! }).unwrap();
//! ```

#![forbid(unsafe_code)] // the spin lock and the counted node pointer are golang-prims' (audited there)
#![warn(missing_docs)]

use golang_chan::Chan;
use golang_time::Timer;
use slab::Slab;
use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use golang_prims::{BitGuard, BitLock, Handle, Orphan, Raw};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Why a context was cancelled: Go's `context.Canceled` and
/// `context.DeadlineExceeded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// "context canceled": its cancel function (or a parent's) was called.
    Canceled,
    /// "deadline exceeded": its deadline (or a parent's) passed.
    DeadlineExceeded,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "deadline exceeded",
        })
    }
}

impl std::error::Error for ContextError {}

/// A context's `done()` channel was found closed by someone else when the
/// context was cancelled: Go's panic "close of closed channel".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DoneClosed;

impl fmt::Display for DoneClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("close of closed channel")
    }
}

impl std::error::Error for DoneClosed {}

// `CancelNode::state`'s user bits: the error in the low two bits (its lock
// bit is `golang_prims::LOCKED`).
const LIVE: u8 = 0;
const CANCELED: u8 = 1;
const DEADLINE: u8 = 2;
const ERR: u8 = 0b11;

// The size that lets `Arc::new` build a node without a call to memcpy.
const _: () = assert!(std::mem::size_of::<CancelNode>() <= 112);

fn decode_err(e: u8) -> Option<ContextError> {
    match e {
        LIVE => None,
        CANCELED => Some(ContextError::Canceled),
        _ => Some(ContextError::DeadlineExceeded),
    }
}

/// A key for [`with_value`], compared by identity: every `Key::new()` is a
/// new key, and copies of a key are that same key. The type parameter is
/// the type of the values stored under it.
pub struct Key<T> {
    id: u64,
    _t: PhantomData<fn() -> T>,
}

impl<T> Key<T> {
    /// A key different from every other key.
    pub fn new() -> Key<T> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Key { id: NEXT.fetch_add(1, Ordering::Relaxed), _t: PhantomData }
    }
}

impl<T> Default for Key<T> {
    fn default() -> Self {
        Key::new()
    }
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Key<T> {}

impl<T> PartialEq for Key<T> {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl<T> Eq for Key<T> {}

impl<T> fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.id)
    }
}

type AnyValue = dyn Any + Send + Sync;

/// A context made by [`with_value`]. `value` is last so that the node is
/// one allocation, `ValueNode<T>` coerced to `ValueNode<dyn Any>`.
struct ValueNode<V: ?Sized> {
    parent: Context,
    /// The nearest cancellable ancestor, which owns `done()` and `err()`.
    src: Option<NodeRef>,
    deadline: Option<f64>,
    key: u64,
    value: V,
}

/// A cancellable context: made by [`with_cancel`], [`with_deadline`],
/// [`with_timeout`] and [`merge`].
///
/// Invariants:
/// 1. `state` is a `BitLock` (golang-prims): the error (`ERR` bits) and a
///    lock bit in one byte, with the `Guarded` data under that lock. Only
///    the holder of the lock changes the bits, and it unlocks with one plain
///    store of the new value: so the error goes from `LIVE` to an error
///    once, under the lock, and never back, with no atomic read-modify-write
///    besides the lock's compare-and-swap. The error is published before
///    `done` is closed.
/// 2. `done`, once set, holds the channel that `done()` returns forever. It
///    is set under the lock; `cancel` closes it iff it was set before the
///    error. A context cancelled before anyone asked for `done()` never
///    sets it and `done()` then returns the shared closed channel.
/// 3. While live, the node is in the `children` slab of the cancellable
///    source of each parent (once if both parents share it) and `keys[i]`
///    is its key there; `NO_KEY` when that parent is not cancellable. After
///    cancel, it is in no slab. Only the node itself removes its entry from
///    a live parent; a parent being cancelled takes its whole slab (leaving
///    `None`) in the critical section that sets its error, and no child is
///    inserted after that, so a key is never reused while its owner still
///    holds it.
/// 4. `keys[0]` is written by `link` before the node can be cancelled by
///    anyone (it is unpublished but for the slab whose lock `link` holds),
///    so `cancel_one` reads it plainly. Only a merge's `keys[1]` can race:
///    `link` stores it and then reads the error, `cancel_one` stores the
///    error and then swaps it out, all `SeqCst`, so at least one sees the
///    other, and whichever swaps the key out unlinks it (exactly once).
/// 5. Locks are taken parent before child, never the other way round, and
///    nothing that can block or run user code runs under a node's lock (the
///    deadline timer is armed before the lock is taken).
struct CancelNode {
    /// `[parent, background]`, or the two parents of a merge.
    parents: [Context; 2],
    deadline: Deadline,
    /// The error bits, the lock, and what the lock guards (invariant 1).
    state: BitLock<Guarded>,
    done: OnceLock<Chan<()>>,
    /// This node's key in each parent's source slab (invariants 3, 4).
    keys: [AtomicUsize; 2],
}

const NO_KEY: usize = usize::MAX;

/// An `Option<f64>` in 8 bytes (so that a `CancelNode` is at most 128
/// bytes with its counts, and `Arc::new` copies it inline, not by memcpy):
/// `None` is one NaN bit pattern; every NaN deadline is stored as the
/// canonical NaN, which differs from it, so `Some(NaN)` stays `Some(NaN)`.
#[derive(Clone, Copy)]
struct Deadline(u64);

const NO_DEADLINE: u64 = 0x7ff4_0000_dead_0001;

impl Deadline {
    #[inline]
    fn new(d: Option<f64>) -> Deadline {
        Deadline(match d {
            None => NO_DEADLINE,
            Some(x) if x.is_nan() => f64::NAN.to_bits(),
            Some(x) => x.to_bits(),
        })
    }

    #[inline]
    fn get(self) -> Option<f64> {
        if self.0 == NO_DEADLINE {
            None
        } else {
            Some(f64::from_bits(self.0))
        }
    }
}

/// What a node keeps under its lock. Boxed slab: most nodes (leaves) never
/// have children, and a small node is built in place, without a memmove.
#[derive(Default)]
struct Guarded {
    /// Live children registered for cancellation; `None` until the first
    /// one, and again once the node is cancelled (it took them).
    children: Option<Box<Slab<NodeRef>>>,
    /// The deadline timer, when this node has a deadline of its own.
    timer: Option<Timer>,
}

/// A node's lock, held; unlocking stores `bits` (the error bits as they
/// were when locked, plus the error if `cancel_one` set one), with a
/// `SeqCst` store if `seqcst` (invariant 4).
type Guard<'a> = BitGuard<'a, Guarded>;

/// The node's view of its guard.
trait NodeGuard {
    /// The error bits.
    fn err(&self) -> u8;
    /// What the lock guards.
    fn g(&mut self) -> &mut Guarded;
}

impl NodeGuard for Guard<'_> {
    #[inline]
    fn err(&self) -> u8 {
        self.bits & ERR
    }

    #[inline]
    fn g(&mut self) -> &mut Guarded {
        self.get()
    }
}

/// A counted reference to a [`CancelNode`] (golang-prims' `Raw`: `Arc`'s
/// protocol, plus `pair`, which makes a node with its two first references
/// at once: `with_cancel` returns two handles to its node, and `Arc::new` +
/// `Arc::clone` would pay an atomic increment for it). The parents' slabs
/// and the deadline timer hold these; they do not count as handles.
type NodeRef = Raw<CancelNode>;

/// A user-visible reference to a node: `Context`s of the node (also those
/// held as a descendant's parent) and `CancelFunc`s. The last one to go
/// calls [`Orphan::orphaned`] on the node.
type NodeHandle = Handle<CancelNode>;

/// The process-wide closed channel that `done()` gives for a context
/// cancelled before its channel was made (Go's `closedchan`).
fn closed_chan() -> Chan<()> {
    static CLOSED: OnceLock<Chan<()>> = OnceLock::new();
    CLOSED
        .get_or_init(|| {
            let c = Chan::new(0);
            c.close();
            c
        })
        .clone()
}

impl CancelNode {
    /// A new node and its two first references (see [`NodeRef::pair`]).
    #[inline(always)]
    fn new_pair(parents: [Context; 2], deadline: Option<f64>) -> (NodeHandle, NodeHandle) {
        NodeRef::pair(CancelNode {
            parents,
            deadline: Deadline::new(deadline),
            state: BitLock::new(LIVE, Guarded::default()),
            done: OnceLock::new(),
            keys: [AtomicUsize::new(NO_KEY), AtomicUsize::new(NO_KEY)],
        })
    }

    /// Takes the node's lock (a spin lock with backoff: critical sections
    /// are a few dozen instructions).
    #[inline]
    fn lock(&self) -> Guard<'_> {
        self.state.lock()
    }

    #[inline]
    fn err_bits(&self) -> u8 {
        self.state.load(Ordering::Acquire) & ERR
    }

    #[inline]
    fn err(&self) -> Option<ContextError> {
        decode_err(self.err_bits())
    }

    fn done(&self) -> Chan<()> {
        if let Some(c) = self.done.get() {
            return c.clone();
        }
        // Read the error before done: if cancel happened, a channel made
        // before it is visible now (invariant 2).
        if self.err_bits() != LIVE {
            return self.done.get().cloned().unwrap_or_else(closed_chan);
        }
        let g = self.lock();
        let live = g.err() == LIVE;
        let c = self.done.get_or_init(|| if live { Chan::new(0) } else { closed_chan() }).clone();
        drop(g);
        c
    }

    /// Registers a new node with its parents' sources, or cancels it at
    /// once if a parent is already cancelled.
    fn link(&self, me: &NodeHandle) {
        let src0 = self.parents[0].src();
        for i in 0..2 {
            let Some(src) = self.parents[i].src() else { continue };
            if i == 1 && src0.is_some_and(|s0| NodeRef::ptr_eq(s0, src)) {
                continue; // both parents share one source: register once
            }
            let mut pg = src.lock();
            let perr = pg.err();
            if perr != LIVE {
                drop(pg);
                let _ = self.cancel(perr);
                return;
            }
            let key = pg.g().children.get_or_insert_with(Box::default).insert(me.raw());
            if i == 0 {
                self.keys[0].store(key, Ordering::Relaxed);
                continue;
            }
            self.keys[1].store(key, Ordering::SeqCst);
            // Cancelled meanwhile through the first parent of a merge?
            if self.state.load(Ordering::SeqCst) & ERR != LIVE && self.keys[1].swap(NO_KEY, Ordering::SeqCst) == key {
                let me = pg.g().children.as_mut().map(|c| c.remove(key));
                drop(pg);
                drop(me);
            }
        }
    }

    /// Cancels this node and, without recursion, all its descendants.
    /// Returns [`DoneClosed`] if this node's `done()` channel had been
    /// closed by someone else (the cancel is complete all the same).
    fn cancel(&self, err: u8) -> Result<(), DoneClosed> {
        let (children, res) = self.cancel_one(err);
        let Some(children) = children else { return res };
        if children.is_empty() {
            return res;
        }
        let mut stack: Vec<NodeRef> = children.into_iter().map(|(_, c)| c).collect();
        while let Some(n) = stack.pop() {
            if let (Some(grand), _) = n.cancel_one(err) {
                stack.extend(grand.into_iter().map(|(_, c)| c));
            }
        }
        res
    }

    /// Cancels this node alone: sets the error, closes `done`, stops the
    /// timer and unlinks it from its parents. Returns its children, to be
    /// cancelled next; `None` if it had none or was already cancelled.
    fn cancel_one(&self, err: u8) -> (Option<Box<Slab<NodeRef>>>, Result<(), DoneClosed>) {
        let merge = !self.parents[1].is_background();
        let mut g = self.lock();
        if g.err() != LIVE {
            return (None, Ok(()));
        }
        // Read under the lock: a `done()` after this point sees the error
        // and does not make a channel (invariant 2).
        let done = self.done.get();
        let Guarded { children, timer } = std::mem::take(g.g());
        g.bits |= err;
        g.seqcst = merge; // invariant 4
        drop(g); // publishes the error
        let keys = [
            self.keys[0].load(Ordering::Relaxed),
            if merge { self.keys[1].swap(NO_KEY, Ordering::SeqCst) } else { NO_KEY },
        ];
        // A channel closed by hand (its holder may close it: it is a plain
        // channel) is not closed twice: that would panic here, possibly on
        // the timer's thread.
        let res = match done {
            Some(d) => d.try_close().map_err(|_| DoneClosed),
            None => Ok(()),
        };
        if let Some(t) = timer {
            t.stop();
        }
        for (i, &key) in keys.iter().enumerate() {
            if key == NO_KEY {
                continue;
            }
            let src = self.parents[i].src().expect("a registered node has a cancellable parent");
            let mut pg = src.lock();
            // A cancelled parent has already taken its slab (invariant 3).
            let me = pg.g().children.as_mut().and_then(|c| c.try_remove(key));
            drop(pg);
            drop(me);
        }
        (children, res)
    }
}

impl Orphan for CancelNode {
    /// The last handle is gone: nothing can cancel
    /// the node any more but its parents and its timer, and nothing can see
    /// it but whoever holds its `done()` channel. It has no registered
    /// children either: a child's parent link is a handle. If nobody else
    /// holds `done()`, cancelling it now is invisible, and it unlinks the
    /// node from its parents and stops its timer, which breaks the cycle
    /// parent slab -> node -> parent. A `done()` held elsewhere keeps the
    /// node registered, as Go keeps it, so that a parent's cancel still
    /// closes it.
    fn orphaned(&self) {
        if self.err_bits() != LIVE {
            return; // cancelled: already unlinked, its timer stopped
        }
        if self.done.get().is_some_and(|d| d.handle_count() > 1) {
            return;
        }
        let _ = self.cancel(CANCELED); // (a done closed by hand: nobody to tell)
    }
}

/// Drops a chain of contexts without recursion: a node whose last handle
/// goes away hands its parents to the loop instead of dropping them inside
/// its own drop (a chain of many `with_value` would overflow the stack).
fn release(ctx: Context) {
    let mut cur = ctx;
    let mut pending: Vec<Context> = Vec::new();
    loop {
        let next = match std::mem::take(&mut cur.repr) {
            Repr::Background => None,
            Repr::Value(mut v) => Arc::get_mut(&mut v).map(|n| std::mem::take(&mut n.parent)),
            // `into_inner` is one decrement, where `get_mut` + drop are two
            // atomic read-modify-writes.
            Repr::Cancel(c) => NodeHandle::into_inner(c).map(|mut n| {
                let p1 = std::mem::take(&mut n.parents[1]);
                if !p1.is_background() {
                    pending.push(p1);
                }
                std::mem::take(&mut n.parents[0])
            }),
        }; // the node whose parents were taken out is dropped here: no recursion
        cur = match next.or_else(|| pending.pop()) {
            Some(c) => c,
            None => return,
        };
    }
}

impl<V: ?Sized> Drop for ValueNode<V> {
    fn drop(&mut self) {
        if !self.parent.is_background() {
            release(std::mem::take(&mut self.parent));
        }
    }
}

impl Drop for CancelNode {
    fn drop(&mut self) {
        for p in &mut self.parents {
            if !p.is_background() {
                release_parent(std::mem::take(p));
            }
        }
    }
}

/// `release` for a node's parent, with a fast path for a cancellable one
/// that other handles still hold (a short-lived child's parent): one
/// decrement, without `release`'s loop.
fn release_parent(p: Context) {
    match p.repr {
        Repr::Cancel(c) => {
            if let Some(mut n) = NodeHandle::into_inner(c) {
                // Its last handle: its own parents go through the loop, so
                // that dropping `n` here does not recurse.
                release(std::mem::take(&mut n.parents[0]));
                release(std::mem::take(&mut n.parents[1]));
            }
        }
        r => release(Context { repr: r }),
    }
}

#[derive(Clone, Default)]
enum Repr {
    #[default]
    Background,
    Cancel(NodeHandle),
    Value(Arc<ValueNode<AnyValue>>),
}

/// A context: a cheap clonable handle (`Send + Sync`) to a node of the
/// context tree. `Context::default()` is [`background()`].
#[derive(Clone, Default)]
pub struct Context {
    repr: Repr,
}

/// The root context: never cancelled, no deadline, no values; its `done()`
/// is the nil channel.
pub fn background() -> Context {
    Context::default()
}

impl Context {
    /// The root context (same as [`background()`]).
    pub fn background() -> Context {
        Context::default()
    }

    /// Whether this is the background context.
    pub fn is_background(&self) -> bool {
        matches!(self.repr, Repr::Background)
    }

    /// The cancellable node that owns this context's `done()` and `err()`.
    #[inline]
    fn src(&self) -> Option<&NodeRef> {
        match &self.repr {
            Repr::Background => None,
            Repr::Cancel(n) => Some(n.as_raw()),
            Repr::Value(v) => v.src.as_ref(),
        }
    }

    /// The channel closed when the context is cancelled: the same channel on
    /// every call. A value context shares its parent's. Background's is the
    /// nil channel (never ready).
    pub fn done(&self) -> Chan<()> {
        match self.src() {
            None => Chan::nil(),
            Some(n) => n.done(),
        }
    }

    /// `None` while the context is live; afterwards why it was cancelled.
    pub fn err(&self) -> Option<ContextError> {
        self.src().and_then(|n| n.err())
    }

    /// The deadline (Unix seconds on the executor's clock, see
    /// [`golang_time::now`]): the earliest of its own and its ancestors'.
    pub fn deadline(&self) -> Option<f64> {
        match &self.repr {
            Repr::Background => None,
            Repr::Cancel(n) => n.deadline.get(),
            Repr::Value(v) => v.deadline,
        }
    }

    /// The value stored under `key` by this context or its nearest ancestor
    /// that has one (under a merge, the first parent's side first).
    pub fn value<T: 'static>(&self, key: &Key<T>) -> Option<&T> {
        self.lookup(key.id, |_| true).and_then(|v| v.downcast_ref::<T>())
    }

    /// As [`value`](Context::value), for the nearest value under `key` that
    /// `pred` accepts: the others are looked past. (Several values under one
    /// key: a binding whose keys are not Rust `Key`s, C's `const void *`
    /// keys say, stores them all under one `Key` and tells them apart here.)
    pub fn value_where<T: 'static>(&self, key: &Key<T>, pred: impl Fn(&T) -> bool + Copy) -> Option<&T> {
        self.lookup(key.id, move |v| v.downcast_ref::<T>().is_some_and(pred)).and_then(|v| v.downcast_ref::<T>())
    }

    fn lookup(&self, id: u64, ok: impl Fn(&AnyValue) -> bool + Copy) -> Option<&AnyValue> {
        let mut cur = self;
        loop {
            match &cur.repr {
                Repr::Background => return None,
                Repr::Value(v) => {
                    if v.key == id && ok(&v.value) {
                        return Some(&v.value);
                    }
                    cur = &v.parent;
                }
                Repr::Cancel(n) => {
                    if n.parents[1].is_background() {
                        cur = &n.parents[0];
                    } else {
                        if let Some(v) = n.parents[0].lookup(id, ok) {
                            return Some(v);
                        }
                        cur = &n.parents[1];
                    }
                }
            }
        }
    }

    /// An identity of the context's node, equal for two handles of one
    /// context while either lives (0 for background). A value context has
    /// its own node.
    pub fn id(&self) -> usize {
        match &self.repr {
            Repr::Background => 0,
            Repr::Cancel(n) => n.as_raw().addr(),
            Repr::Value(v) => Arc::as_ptr(v) as *const () as usize,
        }
    }

    /// The [`id`](Context::id)s of the live contexts registered for
    /// cancellation with this context's cancellable node (see
    /// [`children_count`](Context::children_count)), for introspection.
    pub fn children_ids(&self) -> Vec<usize> {
        self.src().map_or_else(Vec::new, |n| {
            n.lock().g().children.as_ref().map_or_else(Vec::new, |c| c.iter().map(|(_, r)| r.addr()).collect())
        })
    }

    /// How many live contexts are registered for cancellation with this
    /// context's cancellable node (itself, or for a value context its
    /// nearest cancellable ancestor); 0 for background, whose children are
    /// never tracked. Cancelled children are removed at once.
    pub fn children_count(&self) -> usize {
        self.src().map_or(0, |n| n.lock().g().children.as_ref().map_or(0, |c| c.len()))
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.repr {
            Repr::Background => return f.write_str("Context(background)"),
            Repr::Cancel(_) => "cancel",
            Repr::Value(_) => "value",
        };
        f.debug_struct("Context")
            .field("kind", &kind)
            .field("err", &self.err())
            .field("deadline", &self.deadline())
            .finish()
    }
}

/// Cancels the context it was returned with (and its descendants) with
/// [`ContextError::Canceled`]. Calling it again, or after the context was
/// cancelled another way, does nothing. Clonable and `Send + Sync`.
#[derive(Clone)]
pub struct CancelFunc {
    node: NodeHandle,
}

impl CancelFunc {
    /// Cancels the context.
    pub fn cancel(&self) {
        let _ = self.node.cancel(CANCELED);
    }

    /// Cancels the context; [`DoneClosed`] if its `done()` channel had been
    /// closed by hand (Go's "close of closed channel"; the context is
    /// cancelled all the same).
    pub fn try_cancel(&self) -> Result<(), DoneClosed> {
        self.node.cancel(CANCELED)
    }
}

impl fmt::Debug for CancelFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CancelFunc(err: {:?})", self.node.err())
    }
}

#[inline(always)]
fn cancel_ctx(parents: [Context; 2], deadline: Option<f64>) -> (Context, CancelFunc) {
    let (node, me) = CancelNode::new_pair(parents, deadline);
    // Children of background are tracked by nobody: nothing to link.
    if !(node.parents[0].is_background() && node.parents[1].is_background()) {
        node.link(&me);
    }
    (Context { repr: Repr::Cancel(node) }, CancelFunc { node: me })
}

/// A child of `parent` that is cancelled when `cancel` is called or when
/// `parent` is cancelled, whichever comes first.
pub fn with_cancel(parent: &Context) -> (Context, CancelFunc) {
    cancel_ctx([parent.clone(), Context::default()], parent.deadline())
}

/// A child of `parent` that stores `value` under `key`. It shares its
/// parent's `done()`, `err()` and deadline.
pub fn with_value<T: Send + Sync + 'static>(parent: &Context, key: &Key<T>, value: T) -> Context {
    let node: Arc<ValueNode<AnyValue>> = Arc::new(ValueNode {
        parent: parent.clone(),
        src: parent.src().cloned(),
        deadline: parent.deadline(),
        key: key.id,
        value,
    });
    Context { repr: Repr::Value(node) }
}

/// A child of `parent` cancelled at Unix time `deadline` (seconds on the
/// executor's clock, [`golang_time::now`]) with
/// [`ContextError::DeadlineExceeded`], or by `cancel`, or with `parent`. Its
/// deadline is the earlier of `deadline` and the parent's; a deadline that
/// has passed (or is NaN) cancels it at once.
pub fn with_deadline(parent: &Context, deadline: f64) -> (Context, CancelFunc) {
    deadline_ctx(parent, deadline, None)
}

/// [`with_deadline`] at `now() + timeout`; the timer is armed for exactly
/// `timeout` on the executor's clock.
pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFunc) {
    deadline_ctx(parent, golang_time::now() + timeout.as_secs_f64(), Some(timeout))
}

fn deadline_ctx(parent: &Context, deadline: f64, timeout: Option<Duration>) -> (Context, CancelFunc) {
    if parent.deadline().is_some_and(|pd| pd <= deadline) {
        // The parent's deadline comes first: it will cancel the child.
        return with_cancel(parent);
    }
    let (ctx, cancel) = cancel_ctx([parent.clone(), Context::default()], Some(deadline));
    let node = &cancel.node;
    let left = match timeout {
        Some(t) => Some(t).filter(|t| !t.is_zero()),
        None => {
            let secs = deadline - golang_time::now();
            // NaN and past deadlines count as passed; an overflowing one
            // never fires.
            if secs > 0.0 {
                Some(Duration::try_from_secs_f64(secs).unwrap_or(Duration::MAX))
            } else {
                None
            }
        }
    };
    match left {
        None => {
            let _ = node.cancel(DEADLINE);
        }
        Some(Duration::MAX) => {}
        Some(left) => {
            // Armed before the lock is taken (invariant 5): a cancel that
            // comes first makes the timer's call a no-op, and is seen here.
            // A plain reference: a pending timer alone does not keep the
            // context from being orphaned (`CancelNode::orphaned`).
            let n = node.raw();
            let t = golang_time::after_func(left, move || {
                let _ = n.cancel(DEADLINE);
            });
            let mut g = node.lock();
            if g.err() == LIVE {
                g.g().timer = Some(t);
            } else {
                drop(g);
                t.stop();
            }
        }
    }
    (ctx, cancel)
}

/// A context done when either parent is done or `cancel` is called (with the
/// error of whichever came first). Its deadline is the earlier of the
/// parents'; its values are those of `a`, then those of `b`.
pub fn merge(a: &Context, b: &Context) -> (Context, CancelFunc) {
    let deadline = match (a.deadline(), b.deadline()) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    };
    cancel_ctx([a.clone(), b.clone()], deadline)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_shareable<T: Send + Sync>() {}

    #[test]
    fn handles_are_send_and_sync() {
        assert_shareable::<Context>();
        assert_shareable::<CancelFunc>();
    }

    #[test]
    fn deadline_encoding_keeps_none_and_every_nan_apart() {
        assert_eq!(Deadline::new(None).get(), None);
        assert_eq!(Deadline::new(Some(1.5)).get(), Some(1.5));
        assert!(Deadline::new(Some(f64::NAN)).get().is_some_and(f64::is_nan));
        // A NaN with the sentinel's own bits is still a deadline.
        assert!(Deadline::new(Some(f64::from_bits(NO_DEADLINE))).get().is_some_and(f64::is_nan));
    }

    #[test]
    fn an_orphaned_node_is_cancelled_and_only_the_last_reference_gets_it() {
        // (the counts themselves are golang-prims' tests)
        let (a, b) = CancelNode::new_pair([background(), background()], None);
        let c = b.raw();
        assert!(NodeRef::ptr_eq(a.as_raw(), &c));
        assert!(NodeHandle::into_inner(a).is_none());
        assert_eq!(c.err(), None);
        assert!(NodeHandle::into_inner(b).is_none()); // c still holds it
        assert_eq!(c.err(), Some(ContextError::Canceled)); // orphaned: nobody could see it
        assert!(NodeRef::into_inner(c).is_some());
    }

    #[test]
    fn timeouts_made_while_their_parent_is_cancelled_by_another_thread_end_cancelled_and_unlinked() {
        for _ in 0..200 {
            let (parent, pcancel) = with_cancel(&background());
            let t = std::thread::spawn(move || pcancel.cancel());
            let made: Vec<_> = (0..20).map(|_| with_timeout(&parent, Duration::from_secs(3600))).collect();
            t.join().unwrap();
            assert_eq!(parent.children_count(), 0);
            for (ctx, _cancel) in made {
                assert_eq!(ctx.err(), Some(ContextError::Canceled));
            }
        }
    }
}
