//! What the Sharing lesson's exercise and solution share: the numbers whose first two digits
//! are counted, and the answer.
//!
//! Number `i` of a run is spread evenly over many orders of magnitude (log-uniform), so its
//! first two digits follow Benford's law: 10 comes first ten times as often as 99. Nine of
//! the 90 bins (10 to 18) hold a third of all the numbers: a few hot bins, as real
//! histograms have.

pub mod refused;

use workbook::{ToAnswer, Value};

/// The bins: first two digits 10, 11, ..., 99.
pub const BINS: usize = 90;

/// A fixed 64-bit mix of `index` (SplitMix64's): number `i` is the same on every thread,
/// in every order, on every machine.
fn mix(index: u64) -> u64 {
    let mut z = index.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The bin of number `index`: its first two digits, less 10.
///
/// A log-uniform number's mantissa is 10 to the power of a uniform fraction, so the first
/// two digits are the whole part of `10^(1 + u)` for `u` uniform in [0, 1).
pub fn bin(index: u64) -> usize {
    // The top 53 bits as a fraction in [0, 1): exact in an f64.
    let u = (mix(index) >> 11) as f64 / (1u64 << 53) as f64;
    let two_digits = 10f64.powf(1.0 + u) as usize;
    // 10^(1 + u) < 100 for u < 1, though rounding could reach it: keep it in the table.
    two_digits.clamp(10, 99) - 10
}

/// How many of the numbers have each pair of first digits: `counts[d - 10]` for digits `d`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Histogram(pub Vec<u64>);

impl ToAnswer for Histogram {
    /// The total, the fullest and emptiest bins, and every count.
    fn to_answer(&self) -> Result<Value, String> {
        let counts = &self.0;
        let total: u64 = counts.iter().sum();
        let fullest = counts.first().copied().unwrap_or(0);
        let emptiest = counts.last().copied().unwrap_or(0);
        Ok(Value::Map(vec![
            ("numbers".to_string(), total.into()),
            ("first_digits_10".to_string(), fullest.into()),
            ("first_digits_99".to_string(), emptiest.into()),
            ("counts".to_string(), counts.clone().into()),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::{BINS, bin};

    #[test]
    fn bins_follow_benfords_law() {
        let n = 1_000_000;
        let mut counts = vec![0u64; BINS];
        (0..n).for_each(|i| counts[bin(i)] += 1);
        // Benford: the share of first digits d is log10(1 + 1/d).
        for (digits, &count) in (10..100).zip(&counts) {
            let expected = n as f64 * (1.0 + 1.0 / digits as f64).log10();
            // Within four standard deviations of a count that random.
            let off = (count as f64 - expected).abs();
            assert!(
                off < 4.0 * expected.sqrt(),
                "{digits}: {count} against {expected:.0}"
            );
        }
    }
}
