//! A small seeded pseudo-random generator (wyrand).
//!
//! Every random decision of the runtime (which runnable goroutine runs next,
//! which ready select case commits) is drawn from the current executor's
//! `Rng`, so that one seed reproduces a whole run. wyrand is tiny, fast and
//! passes the usual statistical test batteries; it is not cryptographic.

/// Seeded generator state; one per executor (and one per OS thread outside
/// any executor).
#[derive(Clone, Copy, Debug)]
pub struct Rng {
    /// The generator's whole state: advanced by a fixed odd constant per draw.
    state: u64,
}

impl Rng {
    /// A generator that yields the same sequence for the same `seed`.
    pub const fn new(seed: u64) -> Rng {
        Rng { state: seed ^ 0x243F_6A88_85A3_08D3 }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xA076_1D64_78BD_642F);
        let t = (self.state as u128).wrapping_mul((self.state ^ 0xE703_7ED1_A0B4_28DB) as u128);
        ((t >> 64) as u64) ^ (t as u64)
    }

    /// A uniformly distributed number in `0..n` (`n > 0`), by Lemire's
    /// multiply-shift (the bias is below 2^-32 for the small `n` used here).
    #[inline]
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }
}

/// A seed from the OS clock and address-space randomness, for runs that did
/// not ask for a particular seed.
pub fn random_seed() -> u64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u128((crate::clock::wall_unix_s() * 1e9) as u128);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_gives_same_sequence() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
    }

    #[test]
    fn below_covers_every_value_roughly_uniformly() {
        let mut r = Rng::new(1);
        let mut hist = [0u32; 5];
        for _ in 0..50_000 {
            hist[r.below(5)] += 1;
        }
        for h in hist {
            assert!((9_000..11_000).contains(&h), "{hist:?}");
        }
    }
}
