//! The buffer of a channel: a FIFO whose first element is stored inline.
//!
//! Invariant: `first` is `None` only when `rest` is empty; the queue is
//! `first` followed by `rest`. A channel of capacity 1 (timers, semaphores,
//! mutexes) therefore never allocates for its buffer, and larger ones
//! allocate `rest` once, on first use.

use golang_prims::Queue;

pub(crate) struct Buf<T> {
    first: Option<T>,
    rest: Queue<T>,
}

impl<T> Buf<T> {
    pub(crate) const fn new() -> Buf<T> {
        Buf { first: None, rest: Queue::new() }
    }

    /// The buffer holding just `v`: what `push_back(v)` leaves in an empty
    /// one (inline, no allocation).
    pub(crate) const fn with_first(v: T) -> Buf<T> {
        Buf { first: Some(v), rest: Queue::new() }
    }

    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.first.is_some() as usize + self.rest.len()
    }

    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.first.is_none()
    }

    #[inline]
    pub(crate) fn push_back(&mut self, v: T) {
        if self.first.is_none() {
            self.first = Some(v);
        } else {
            self.rest.push_back(v);
        }
    }

    #[inline]
    pub(crate) fn pop_front(&mut self) -> Option<T> {
        let v = self.first.take()?;
        self.first = self.rest.pop_front();
        Some(v)
    }

    /// The values, front first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.first.iter().chain(self.rest.iter())
    }

    pub(crate) fn push_front(&mut self, v: T) {
        if let Some(f) = self.first.replace(v) {
            self.rest.push_front(f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Buf;

    #[test]
    fn buf_is_a_fifo_with_push_front() {
        let mut b = Buf::new();
        assert!(b.is_empty());
        for i in 0..5 {
            b.push_back(i);
        }
        b.push_front(-1);
        assert_eq!(b.len(), 6);
        let got: Vec<i32> = std::iter::from_fn(|| b.pop_front()).collect();
        assert_eq!(got, vec![-1, 0, 1, 2, 3, 4]);
        assert!(b.is_empty() && b.len() == 0);
        b.push_front(9);
        assert_eq!(b.pop_front(), Some(9));
        assert_eq!(b.pop_front(), None);
    }
}
