//! A seeded generator of survey files shaped like Data Carpentry's surveys.csv: the same
//! columns and ranges, rows in date order numbered 1..N, and blank fields in the same
//! combinations and proportions. The same seed and row count always give the same bytes.

use std::io::{self, Write};

use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::HEADER;

/// Species codes, how often each is caught (rows in the real file, roughly), and a typical
/// weight (g) and hindfoot length (mm).
const SPECIES: [(&str, u64, f64, f64); 48] = [
    ("DM", 10596, 43.0, 36.0),
    ("PP", 3123, 17.0, 22.0),
    ("DO", 3027, 48.0, 35.0),
    ("PB", 2891, 32.0, 26.0),
    ("RM", 2609, 10.0, 16.0),
    ("DS", 2504, 120.0, 50.0),
    ("OT", 2249, 24.0, 20.0),
    ("PF", 1597, 8.0, 16.0),
    ("PE", 1299, 21.0, 20.0),
    ("NL", 1252, 159.0, 32.0),
    ("OL", 1006, 31.0, 20.0),
    ("PM", 899, 21.0, 20.0),
    ("AH", 437, 60.0, 33.0),
    ("AB", 303, 35.0, 25.0),
    ("OX", 12, 22.0, 19.0),
    ("SS", 248, 93.0, 40.0),
    ("SH", 147, 73.0, 29.0),
    ("SA", 75, 55.0, 30.0),
    ("RF", 75, 13.0, 17.0),
    ("CB", 50, 30.0, 24.0),
    ("BA", 46, 8.0, 13.0),
    ("SO", 43, 55.0, 25.0),
    ("SF", 43, 58.0, 27.0),
    ("DX", 40, 40.0, 34.0),
    ("PC", 39, 20.0, 21.0),
    ("PL", 36, 19.0, 20.0),
    ("PH", 32, 31.0, 26.0),
    ("CQ", 16, 25.0, 22.0),
    ("CM", 13, 28.0, 23.0),
    ("CV", 11, 26.0, 22.0),
    ("UR", 10, 15.0, 18.0),
    ("UP", 8, 18.0, 19.0),
    ("PI", 9, 19.0, 22.0),
    ("PG", 8, 15.0, 18.0),
    ("RO", 8, 11.0, 15.0),
    ("PX", 6, 20.0, 21.0),
    ("SU", 5, 70.0, 30.0),
    ("PU", 5, 21.0, 21.0),
    ("US", 4, 30.0, 24.0),
    ("UL", 4, 25.0, 22.0),
    ("AS", 2, 40.0, 28.0),
    ("RX", 2, 12.0, 16.0),
    ("ST", 1, 90.0, 38.0),
    ("SC", 1, 35.0, 24.0),
    ("CS", 1, 60.0, 30.0),
    ("CT", 1, 45.0, 27.0),
    ("CU", 1, 50.0, 28.0),
    ("ZL", 2, 30.0, 25.0),
];

/// Which fields are blank together, and in how many of the real file's 35,549 rows.
/// Fields: species_id, sex, hindfoot_length, weight.
const BLANKS: [([bool; 4], u64); 9] = [
    ([false, false, false, false], 30676),
    ([false, true, true, true], 1641),
    ([false, false, true, false], 1506),
    ([true, true, true, true], 763),
    ([false, false, false, true], 694),
    ([false, false, true, true], 162),
    ([false, true, false, false], 62),
    ([false, true, true, false], 39),
    ([false, true, false, true], 6),
];

/// Males and females among the rows that record a sex.
const MALES: u64 = 17348;
const FEMALES: u64 = 15690;

/// The survey ran monthly from July 1977 to December 2002: 306 months.
const FIRST_YEAR: u64 = 1977;
const FIRST_MONTH: u64 = 7;
const MONTHS: u64 = 306;

/// Writes a header and `rows` survey rows, with `\r\n` line endings if `crlf`.
pub fn write_surveys(out: &mut impl Write, rows: u64, seed: u64, crlf: bool) -> io::Result<()> {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    write!(out, "{HEADER}{end}")?;
    let month_ends = month_ends(&mut rng, rows);
    let mut month_number = 0;
    let mut month_start = 0;
    let mut first_night = None;
    for index in 0..rows {
        // Rows come in date order: move on to the month this row falls in.
        while index >= month_ends[month_number] {
            month_start = month_ends[month_number];
            month_number += 1;
            first_night = None;
        }
        // Each month's trapping takes two nights in a row, the first picked at random.
        let first = *first_night.get_or_insert_with(|| match month_number as u64 {
            0 => 16,
            m if m == MONTHS - 1 => 30,
            _ => 1 + below(&mut rng, 27),
        });
        let month_rows = month_ends[month_number] - month_start;
        let day = first + u64::from((index - month_start) * 2 >= month_rows);
        let month = (FIRST_MONTH - 1 + month_number as u64) % 12 + 1;
        let year = FIRST_YEAR + (FIRST_MONTH - 1 + month_number as u64) / 12;

        let plot = 1 + below(&mut rng, 24);
        let blanks = BLANKS[pick(&mut rng, BLANKS.iter().map(|b| b.1))].0;
        let (code, _, weight, hindfoot) = SPECIES[pick(&mut rng, SPECIES.iter().map(|s| s.1))];
        let species = if blanks[0] { "" } else { code };
        let sex = if blanks[1] {
            ""
        } else if below(&mut rng, MALES + FEMALES) < MALES {
            "M"
        } else {
            "F"
        };
        let hindfoot = measure(&mut rng, hindfoot, 0.3, 2, 70);
        let weight = measure(&mut rng, weight, 0.8, 4, 280);
        let hindfoot = if blanks[2] {
            String::new()
        } else {
            hindfoot.to_string()
        };
        let weight = if blanks[3] {
            String::new()
        } else {
            weight.to_string()
        };
        write!(
            out,
            "{},{month},{day},{year},{plot},{species},{sex},{hindfoot},{weight}{end}",
            index + 1
        )?;
    }
    out.flush()
}

/// Where each month's rows end. Some years were trapped far more than others (503 to 2,493
/// rows a year in the real file): each year gets a random level of effort, and its months
/// a share of the rows in proportion to it.
fn month_ends(rng: &mut impl Rng, rows: u64) -> Vec<u64> {
    let years = (FIRST_MONTH - 1 + MONTHS).div_ceil(12);
    let effort: Vec<u64> = (0..years).map(|_| 40 + below(rng, 150)).collect();
    let month_effort = |m: u64| effort[((FIRST_MONTH - 1 + m) / 12) as usize];
    let total: u64 = (0..MONTHS).map(month_effort).sum();
    let mut so_far = 0;
    (0..MONTHS)
        .map(|m| {
            so_far += month_effort(m);
            (u128::from(rows) * u128::from(so_far) / u128::from(total)) as u64
        })
        .collect()
}

/// A whole number in `0..n`, from the top bits of one draw (no loop, so the stream of
/// draws, and the file, depend only on the seed).
fn below(rng: &mut impl Rng, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// An index into a table of weights, picked in proportion to them.
fn pick(rng: &mut impl Rng, weights: impl Iterator<Item = u64> + Clone) -> usize {
    let mut ticket = below(rng, weights.clone().sum());
    for (index, weight) in weights.enumerate() {
        if ticket < weight {
            return index;
        }
        ticket -= weight;
    }
    unreachable!("the ticket is below the total")
}

/// A measurement near `typical`, spread by `spread` either way, rounded and kept in range.
fn measure(rng: &mut impl Rng, typical: f64, spread: f64, min: u64, max: u64) -> u64 {
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    let value = typical * (1.0 - spread / 2.0 + spread * unit);
    (value.round() as u64).clamp(min, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(rows: u64, seed: u64, crlf: bool) -> String {
        let mut out = Vec::new();
        write_surveys(&mut out, rows, seed, crlf).expect("writing to memory");
        String::from_utf8(out).expect("ASCII")
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        assert_eq!(generate(2000, 7, false), generate(2000, 7, false));
        assert_ne!(generate(2000, 7, false), generate(2000, 8, false));
    }

    #[test]
    fn crlf_changes_only_the_line_endings() {
        assert_eq!(
            generate(500, 3, true),
            generate(500, 3, false).replace('\n', "\r\n")
        );
    }

    #[test]
    fn rows_have_the_real_files_shape() {
        let text = generate(35549, 1, false);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(HEADER));
        let mut previous = (0, 0, 0);
        let mut blank_species = 0;
        let mut rows_by_year = std::collections::BTreeMap::new();
        for (index, line) in lines.enumerate() {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 9, "{line}");
            let number = |i: usize| fields[i].parse::<u64>().expect(line);
            assert_eq!(number(0), index as u64 + 1, "record_id runs 1..N");
            let date = (number(3), number(1), number(2));
            assert!(date >= previous, "dates in order: {line}");
            assert!(
                (1..=12).contains(&date.1) && (1..=31).contains(&date.2),
                "{line}"
            );
            previous = date;
            *rows_by_year.entry(date.0).or_insert(0) += 1;
            assert!((1..=24).contains(&number(4)), "{line}");
            if fields[5].is_empty() {
                blank_species += 1;
                assert!(fields[6..].iter().all(|f| f.is_empty()), "{line}");
            }
            if !fields[7].is_empty() {
                assert!((2..=70).contains(&number(7)), "{line}");
            }
            if !fields[8].is_empty() {
                assert!((4..=280).contains(&number(8)), "{line}");
            }
        }
        assert_eq!(previous, (2002, 12, 31), "ends on the last night");
        // The real file: 26 years, 503 to 2,493 rows each, and the effort varies.
        assert_eq!(rows_by_year.len(), 26);
        let (fewest, most) = (rows_by_year.values().min(), rows_by_year.values().max());
        assert!(
            fewest >= Some(&300) && most <= Some(&2700),
            "{rows_by_year:?}"
        );
        assert!(most >= Some(&1800), "{rows_by_year:?}");
        // 763 of the real file's rows have no species; a seeded draw comes close.
        assert!((650..=880).contains(&blank_species), "{blank_species}");
        assert!(
            text.lines()
                .nth(1)
                .expect("a row")
                .starts_with("1,7,16,1977,")
        );
    }
}
