//! [`Queue<T>`]: a `VecDeque` whose drop costs one test while it never
//! allocated. A channel holds three (its buffer's overflow and its two
//! waiter queues) and most channels never use them (`after(0)`'s, a
//! context's `done()`), yet `VecDeque`'s own drop computes its two slices
//! and tests its buffer, ~12 instructions each: a third of dropping such a
//! channel.
//!
//! Invariant: the inner `VecDeque` is live until `drop`, which drops it
//! exactly once, unless its capacity is 0: then it holds no element (its
//! length is at most its capacity) and owns no allocation, so there is
//! nothing to drop (for a zero-size `T` the capacity is never 0).

use std::collections::VecDeque;
use std::mem::ManuallyDrop;
use std::ops::{Deref, DerefMut};

/// A `VecDeque` with a cheap drop while unallocated (see the module doc);
/// everything else is the `VecDeque`'s, through `Deref`.
pub struct Queue<T>(ManuallyDrop<VecDeque<T>>);

impl<T> Queue<T> {
    /// An empty queue (allocates nothing).
    pub const fn new() -> Queue<T> {
        Queue(ManuallyDrop::new(VecDeque::new()))
    }
}

impl<T> Default for Queue<T> {
    fn default() -> Queue<T> {
        Queue::new()
    }
}

impl<T> Deref for Queue<T> {
    type Target = VecDeque<T>;
    #[inline]
    fn deref(&self) -> &VecDeque<T> {
        &self.0
    }
}

impl<T> DerefMut for Queue<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut VecDeque<T> {
        &mut self.0
    }
}

impl<T> Drop for Queue<T> {
    #[inline]
    fn drop(&mut self) {
        if self.0.capacity() != 0 {
            // SAFETY: the deque is live and dropped only here, once (the
            // module's invariant); a capacity of 0 holds nothing to drop.
            unsafe { ManuallyDrop::drop(&mut self.0) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Queue;
    use std::rc::Rc;

    #[test]
    fn a_queue_drops_its_elements_once_and_an_unused_one_nothing() {
        let v = Rc::new(());
        let mut q = Queue::new();
        q.push_back(v.clone());
        q.push_back(v.clone());
        assert_eq!(Rc::strong_count(&v), 3);
        drop(q);
        assert_eq!(Rc::strong_count(&v), 1);
        let q: Queue<Rc<()>> = Queue::default();
        drop(q);
        let mut z = Queue::new(); // zero-size elements: dropped too
        z.push_back(());
        assert_eq!(z.len(), 1);
    }
}
