//! The one small random generator the crate uses (generated test maps, the layout's seeded
//! choices): xorshift64*, deterministic for a seed, so the same seed gives the same map and the
//! same layout on every machine. Not for anything that must be unpredictable.

/// xorshift64* (Marsaglia; Vigna's multiplier).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; 0 is mapped to a valid state).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A number in `[0, 1)`, from the top 24 bits.
    pub fn next_f32(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// A position in `0..len`, for indexing a slice of `len` items (0 when `len` is 0). Draws
    /// what [`Rng::below`] draws.
    pub fn index(&mut self, len: usize) -> usize {
        // usize is at most 64 bits wide, so both conversions are exact.
        self.below(len as u64) as usize
    }

    /// A random item of `items` (`None` when it is empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.index(items.len()))
    }

    /// `true` with a chance of `percent` in 100 (never for 0, always from 100 up).
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers_and_in_range() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        for _ in 0..1000 {
            assert_eq!(a.next_u64(), b.next_u64());
            let f = a.next_f32();
            assert!((0.0..1.0).contains(&f));
            assert!(a.below(10) < 10);
            b.next_f32();
            b.below(10);
        }
        assert_eq!(Rng::new(0).below(0), 0);
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn index_pick_and_chance_follow_below_and_stay_in_range() {
        let items = [10, 20, 30];
        let (mut a, mut b) = (Rng::new(11), Rng::new(11));
        for _ in 0..1000 {
            assert_eq!(a.index(3) as u64, b.below(3));
            assert_eq!(a.pick(&items), items.get(b.below(3) as usize));
            assert_eq!(a.chance(30), b.below(100) < 30);
        }
        let mut rng = Rng::new(12);
        let mut seen = [false; 3];
        let mut hits = 0;
        for _ in 0..1000 {
            seen[rng.index(3)] = true;
            assert!(rng.pick(&items).is_some());
            hits += usize::from(rng.chance(30));
            assert!(!rng.chance(0) && rng.chance(100));
        }
        assert_eq!(seen, [true; 3], "every position comes up");
        assert!((200..400).contains(&hits), "about 30 % of 1000: {hits}");
        assert_eq!(rng.index(0), 0);
        assert_eq!(rng.pick::<u8>(&[]), None);
    }
}
