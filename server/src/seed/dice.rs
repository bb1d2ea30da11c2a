//! A small deterministic generator, so every seed run produces the same data.

/// xorshift64*: plenty for seed data, and no dependency.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n`.
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `percent`%.
    pub(super) fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// Roughly normal, mean 0, SD 1 (sum of uniforms).
    pub(super) fn gauss(&mut self) -> f64 {
        (0..12)
            .map(|_| self.below(10_000) as f64 / 10_000.0)
            .sum::<f64>()
            - 6.0
    }
}
