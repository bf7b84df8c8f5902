//! A 64-bit fingerprint of a sequence of numbers: equal sequences give equal digests, and
//! different ones differ except with odds of about one in 2^64. An answer can then vouch
//! for millions of values, bit for bit, in one number.
//!
//! Each value is mixed in whole (xor, multiply by a large odd constant, then fold the high
//! bits down), a few cycles a value, so that summarising a big array stays cheap next to
//! computing it. It guards against accidents, not against an adversary.

#[derive(Debug, Clone, Copy)]
pub struct Digest(u64);

impl Default for Digest {
    fn default() -> Digest {
        Digest(0x243f_6a88_85a3_08d3)
    }
}

impl Digest {
    /// Mixes in one 64-bit word.
    pub fn add_u64(&mut self, value: u64) {
        let mixed = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = mixed ^ (mixed >> 29);
    }

    pub fn add_u32(&mut self, value: u32) {
        self.add_u64(u64::from(value));
    }

    /// The bits of the float, so that 0.0 and -0.0 (or any two roundings) differ.
    pub fn add_f64(&mut self, value: f64) {
        self.add_u64(value.to_bits());
    }

    /// As text, for an answer: "0x" and 16 hex digits.
    pub fn hex(&self) -> String {
        format!("{:#018x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(values: &[u64]) -> String {
        let mut digest = Digest::default();
        values.iter().for_each(|v| digest.add_u64(*v));
        digest.hex()
    }

    #[test]
    fn stays_the_same_from_version_to_version() {
        // Answers recorded today must compare equal with answers computed tomorrow.
        assert_eq!(of(&[]), "0x243f6a8885a308d3");
        assert_eq!(of(&[1, 2, 3]), "0x9aed0e985da3b9d2");
    }

    #[test]
    fn order_bits_and_high_bits_matter() {
        assert_ne!(of(&[1, 2]), of(&[2, 1]));
        assert_ne!(of(&[1 << 63, 0]), of(&[0, 0]));
        assert_ne!(of(&[0]), of(&[0, 0]));
        let floats = |values: &[f64]| {
            let mut digest = Digest::default();
            values.iter().for_each(|v| digest.add_f64(*v));
            digest.hex()
        };
        assert_ne!(floats(&[0.0]), floats(&[-0.0]));
        assert_eq!(floats(&[0.1 + 0.2]), floats(&[0.30000000000000004]));
    }
}
