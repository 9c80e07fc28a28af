//! The deterministic pseudo-random source (SplitMix64): every case is a pure function of the
//! seed, so a run is reproducible from its command line.

/// SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5eed_d1ff_7e57_0001)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// The next 32 random bits.
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    /// True with probability `1/n`.
    pub fn one_in(&mut self, n: u64) -> bool {
        self.below(n) == 0
    }

    /// A uniformly chosen element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A 64-bit value biased towards edge cases (0, ±1, sign bits, small numbers, 32-bit
    /// boundaries) half of the time.
    pub fn interesting_u64(&mut self) -> u64 {
        const EDGES: &[u64] = &[
            0,
            1,
            2,
            u64::MAX,
            0x7fff_ffff_ffff_ffff,
            0x8000_0000_0000_0000,
            0x7fff_ffff,
            0x8000_0000,
            0xffff_ffff,
            0xffff_ffff_8000_0000,
            0x1_0000_0000,
            0xff,
            0x80,
            0xffff,
            0x8000,
            63,
            64,
            31,
            32,
        ];
        match self.below(6) {
            0 => *self.pick(EDGES),
            1 => self.below(256),
            2 => (self.below(256) as i64 - 128) as u64,
            _ => self.next_u64(),
        }
    }
}
