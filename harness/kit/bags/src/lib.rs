//! The Bags lesson's shared parts: the person record, splitting a bag into partitions, the
//! partial results a partition is reduced to, the answer, and the seeded generator of
//! JSON-lines files.

use std::collections::BTreeMap;
use std::ops::Range;

use serde::Deserialize;
use workbook::json::object;
use workbook::skipped;
pub use workbook::skipped::Skipped;
use workbook::{ToAnswer, Value};

mod generate;
pub use generate::write_people;

/// Records shown by `take`.
pub const TAKE: usize = 3;

/// Names listed by the frequencies (all are counted).
pub const TOP_NAMES: usize = 5;

/// One person, one line of the file. Fields that may be missing are `Option`s: a record
/// without `transactions` is not the same as one with an empty list.
#[derive(Debug, Clone, Deserialize)]
pub struct Person {
    pub id: u64,
    pub name: String,
    pub age: Option<u32>,
    pub city: Option<String>,
    pub transactions: Option<Vec<Transaction>>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Transaction {
    pub id: u64,
    /// In cents: whole numbers add up exactly, in any grouping.
    pub amount: i64,
}

/// The lines of a file, without their line endings (`\n` or `\r\n`). A final line ending
/// does not start another line.
pub fn lines(text: &[u8]) -> Vec<&[u8]> {
    let text = text.strip_suffix(b"\n").unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    text.split(|&b| b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .collect()
}

/// Dask's `from_sequence` rule for splitting `len` items into about `npartitions`
/// partitions: every partition but the last holds ceil(len / npartitions) items, so there
/// can be fewer partitions than asked for (5 items in 4 partitions: 2, 2, 1).
pub fn partitions(len: usize, npartitions: usize) -> Vec<Range<usize>> {
    let size = len.div_ceil(npartitions.max(1)).max(1);
    (0..len)
        .step_by(size)
        .map(|start| start..(start + size).min(len))
        .collect()
}

/// Number and total of amounts in cents; the mean comes from these exact integers at the
/// end, so that any partitioning gives the same mean to the last bit.
///
/// An amount is an `i64`, but two large ones already overflow an `i64` total. The total is
/// an `i128`: even 2^64 amounts of the largest `i64` fit, so no file can overflow it.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AmountSum {
    pub count: u64,
    pub total: i128,
}

impl AmountSum {
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.total as f64 / self.count as f64)
    }
}

/// What one partition of the bag reduces to. Partials of consecutive partitions merge, in
/// order, into the partial of both: Dask's `foldby` does the same (a fold per partition,
/// then a combine).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Partial {
    pub records: u64,
    pub skipped: Vec<Skipped>,
    /// `take`: the first records, as "id name".
    pub first: Vec<String>,
    /// `frequencies` of the names.
    pub name_counts: BTreeMap<String, u64>,
    /// Records with no `transactions` field at all.
    pub without_transactions: u64,
    /// Records that pass the filter (age known and at least 18).
    pub adults: u64,
    /// `foldby` name of the adults' transactions.
    pub amounts_by_name: BTreeMap<String, AmountSum>,
}

impl Partial {
    /// Merges `later`, the partial of the partition right after this one.
    pub fn merge(mut self, later: Partial) -> Partial {
        self.records += later.records;
        self.skipped.extend(later.skipped);
        let room = TAKE - self.first.len();
        self.first.extend(later.first.into_iter().take(room));
        for (name, count) in later.name_counts {
            *self.name_counts.entry(name).or_default() += count;
        }
        self.without_transactions += later.without_transactions;
        self.adults += later.adults;
        for (name, sum) in later.amounts_by_name {
            let mine = self.amounts_by_name.entry(name).or_default();
            mine.count += sum.count;
            mine.total += sum.total;
        }
        self
    }

    /// The most frequent names, most frequent first; ties in alphabetical order.
    pub fn top_names(&self) -> Vec<(&str, u64)> {
        let mut names: Vec<(&str, u64)> = self
            .name_counts
            .iter()
            .map(|(name, count)| (name.as_str(), *count))
            .collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        names.truncate(TOP_NAMES);
        names
    }

    /// Every adult transaction: their number and total.
    pub fn all_amounts(&self) -> AmountSum {
        self.amounts_by_name
            .values()
            .fold(AmountSum::default(), |all, sum| AmountSum {
                count: all.count + sum.count,
                total: all.total + sum.total,
            })
    }

    /// The tables a learner reads after a run.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let mut say = |line: String| {
            out.push_str(&line);
            out.push('\n');
        };
        say(format!("take({TAKE})  {}", self.first.join("; ")));
        let top: Vec<String> = self
            .top_names()
            .iter()
            .map(|(name, count)| format!("{name} {count}"))
            .collect();
        say(format!("most frequent names  {}", top.join(", ")));
        say(format!(
            "{} records, {} adults, {} without a transactions field",
            self.records, self.adults, self.without_transactions
        ));
        say("adults' transactions by name: count, mean amount (cents)".to_string());
        for (name, sum) in &self.amounts_by_name {
            let mean = sum.mean().map_or("-".into(), |m| format!("{m:.2}"));
            say(format!("  {name:<10}{:>8}{mean:>12}", sum.count));
        }
        out.push_str(&skipped::report(
            &self.skipped,
            "line(s) that are not records",
        ));
        out
    }
}

impl ToAnswer for Partial {
    fn to_answer(&self) -> Result<Value, String> {
        let top: Vec<String> = self
            .top_names()
            .iter()
            .map(|(name, count)| format!("{name}: {count}"))
            .collect();
        let means = self
            .amounts_by_name
            .iter()
            .map(|(name, sum)| (name.clone(), sum.mean().map_or(Value::Null, Value::from)))
            .collect();
        let all = self.all_amounts();
        Ok(object([
            ("records", self.records.into()),
            ("skipped", self.skipped.len().into()),
            ("skipped_lines", skipped::listed_lines(&self.skipped)),
            ("take", self.first.clone().into()),
            ("top_names", top.into()),
            ("adults", self.adults.into()),
            ("without_transactions", self.without_transactions.into()),
            ("transactions", all.count.into()),
            ("total_amount", wide_integer(all.total)),
            ("mean_amount_by_name", Value::Map(means)),
        ]))
    }
}

/// A whole number in an answer: a JSON number while it fits in 64 bits, else its digits
/// as text (a JSON reader would turn a bigger number into an inexact float).
fn wide_integer(value: i128) -> Value {
    match (i64::try_from(value), u64::try_from(value)) {
        (Ok(small), _) => Value::Int(small),
        (_, Ok(big)) => Value::UInt(big),
        _ => Value::Text(value.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_dasks_rule() {
        assert_eq!(partitions(5, 2), vec![0..3, 3..5]);
        assert_eq!(partitions(5, 4), vec![0..2, 2..4, 4..5]);
        assert_eq!(partitions(3, 8), vec![0..1, 1..2, 2..3]);
        assert_eq!(partitions(0, 3), Vec::<Range<usize>>::new());
    }

    #[test]
    fn totals_past_64_bits_stay_exact() {
        let mut sum = AmountSum::default();
        for amount in [i64::MAX, i64::MAX, 1] {
            sum.total += i128::from(amount);
        }
        assert_eq!(sum.total, 2 * i128::from(i64::MAX) + 1);
        assert_eq!(wide_integer(sum.total), Value::UInt(u64::MAX));
        assert_eq!(wide_integer(-5), Value::Int(-5));
        assert_eq!(wide_integer(i128::from(i64::MAX) + 1), Value::UInt(1 << 63));
        assert_eq!(
            wide_integer(i128::from(u64::MAX) + 1),
            Value::Text("18446744073709551616".to_string())
        );
    }

    #[test]
    fn lines_drop_their_endings() {
        assert_eq!(lines(b"a\r\nb\nc"), vec![&b"a"[..], b"b", b"c"]);
        assert_eq!(lines(b"a\n\nb\n"), vec![&b"a"[..], b"", b"b"]);
        assert!(lines(b"").is_empty());
    }
}
