//! Beyond the lesson: the blocks read by a parser of our own, near the speed the memory
//! allows, with the starter's exact answer.
//!
//! The csv reader and serde are general: they handle quotes, check every field is UTF-8,
//! build a record and then a typed row. Here the lines are found with `memchr` (vector
//! instructions), a clean line is split at its commas, and only the fields the tally uses
//! are looked at: whole numbers read digit by digit, the two text fields checked for UTF-8.
//! The groups are counted in hash tables with a cheap hash, and put into the kit's `Tally`
//! once a block is done.
//!
//! Anything else, a quote, a stray carriage return, an empty line, a field that is not a
//! plain number, the wrong number of fields, and the block is read again by the lesson's
//! csv reader: the same rows skipped, with the same reasons, as the starter gives.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use dataframes_kit::{COLUMNS, SHOWN_ROWS, Summary, Survey, Tally};

/// Blocks of at least this many bytes: fewer, larger tasks, so that each one's tables are
/// worth their setting up. The answer does not depend on the blocks.
const MIN_BLOCK: u64 = 4 << 20;

/// Each task reads its own block from the file, as in the `file` variant (two threads
/// copy the file from the page cache at once), and adds it up with `tally_block`.
pub fn read_surveys(path: &Path, blocksize: u64) -> Result<Summary, String> {
    crate::from_file::read_surveys_with(path, blocksize.max(MIN_BLOCK), tally_block)
}

/// One block's tally: by the fast parser if every line is plain, else by the csv reader.
fn tally_block(block: &[u8]) -> Tally {
    if memchr::memchr(b'"', block).is_some() {
        return crate::tally_block(block);
    }
    let mut tally = Tally::default();
    let mut groups = Groups::default();
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block) {
        let line = &block[start..end];
        start = end + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(row) = parse(line) else {
            return crate::tally_block(block);
        };
        // The first rows are shown as lines: the kit's own `add` keeps them.
        if tally.head.len() < SHOWN_ROWS {
            tally.add(&row);
        } else {
            groups.add(&row);
        }
    }
    // A last line without a line ending.
    if start < block.len() {
        match parse(&block[start..]) {
            Some(row) if tally.head.len() < SHOWN_ROWS => tally.add(&row),
            Some(row) => groups.add(&row),
            None => return crate::tally_block(block),
        }
    }
    tally.count_lines(block);
    groups.add_to(&mut tally);
    tally
}

/// A plain line as a row: nine fields, no quotes, numbers of digits only, text that is
/// UTF-8 without a carriage return. `None` for anything the csv reader must judge.
fn parse(line: &[u8]) -> Option<Survey<'_>> {
    let mut fields = [&line[..0]; COLUMNS];
    let mut found = 0;
    let mut start = 0;
    // Eight bytes at a time: a word's commas as bits, then each bit in turn.
    let mut base = 0;
    while base < line.len() {
        let end = (base + 8).min(line.len());
        let word = match line[base..end].try_into() {
            Ok(whole_word) => u64::from_le_bytes(whole_word),
            // The line's last few bytes, padded with zeros.
            Err(_) => {
                let mut padded = [0u8; 8];
                padded[..end - base].copy_from_slice(&line[base..end]);
                u64::from_le_bytes(padded)
            }
        };
        let mut commas = comma_bits(word);
        while commas != 0 {
            let at = base + commas.trailing_zeros() as usize / 8;
            *fields.get_mut(found)? = &line[start..at];
            found += 1;
            start = at + 1;
            commas &= commas - 1;
        }
        base = end;
    }
    if found != COLUMNS - 1 {
        return None;
    }
    fields[COLUMNS - 1] = &line[start..];
    let [
        record_id,
        month,
        day,
        year,
        plot_id,
        species,
        sex,
        hindfoot,
        weight,
    ] = fields;
    Some(Survey {
        record_id: whole(record_id)?,
        month: whole(month)?.try_into().ok()?,
        day: whole(day)?.try_into().ok()?,
        year: whole(year)?.try_into().ok()?,
        plot_id: whole(plot_id)?.try_into().ok()?,
        species_id: optional(species, text)?,
        sex: optional(sex, text)?,
        hindfoot_length: optional(hindfoot, |f| whole(f)?.try_into().ok())?,
        weight: optional(weight, |f| whole(f)?.try_into().ok())?,
    })
}

/// The top bit of each byte of `word` that is a comma, and no other bit. (A zero byte
/// padding a short word is not a comma.)
fn comma_bits(word: u64) -> u64 {
    const COMMAS: u64 = u64::from_le_bytes([b','; 8]);
    const LOW_SEVEN: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zero_where_comma = word ^ COMMAS;
    // A byte's top bit ends up set unless the byte is zero, with no carry between bytes.
    let nonzero = ((zero_where_comma & LOW_SEVEN) + LOW_SEVEN) | zero_where_comma;
    !nonzero & !LOW_SEVEN
}

/// An empty field is no value; any other must read with `read`. The outer `None`: it
/// does not.
fn optional<'a, T>(field: &'a [u8], read: impl Fn(&'a [u8]) -> Option<T>) -> Option<Option<T>> {
    if field.is_empty() {
        Some(None)
    } else {
        read(field).map(Some)
    }
}

/// A whole number of 1 to 19 digits (so that it cannot overflow a u64).
fn whole(field: &[u8]) -> Option<u64> {
    if field.is_empty() || field.len() > 19 {
        return None;
    }
    let mut value = 0u64;
    for &byte in field {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value * 10 + u64::from(digit);
    }
    Some(value)
}

fn text(field: &[u8]) -> Option<&str> {
    if field.contains(&b'\r') {
        return None;
    }
    std::str::from_utf8(field).ok()
}

/// What the kit's `Tally::add` counts, in tables with a cheap hash: weights by species,
/// rows by year, the heaviest weight and the rows.
struct Groups<'a> {
    rows: u64,
    weight_max: Option<u32>,
    /// Keyed by the id's bytes packed into a word where it fits (ids are a few letters):
    /// one multiply to hash, one compare to find. Longer ids have a table of their own.
    species: HashMap<u64, (&'a str, u64, u64), Cheap>,
    long_species: HashMap<&'a str, (u64, u64), Cheap>,
    /// Rows by year, indexed by the year: a table of all 65,536, whose pages the kernel
    /// gives only to the years that occur.
    years: Vec<u64>,
}

impl Default for Groups<'_> {
    fn default() -> Self {
        Groups {
            rows: 0,
            weight_max: None,
            species: HashMap::default(),
            long_species: HashMap::default(),
            years: vec![0; 1 << 16],
        }
    }
}

impl<'a> Groups<'a> {
    fn add(&mut self, row: &Survey<'a>) {
        self.rows += 1;
        self.weight_max = self.weight_max.max(row.weight);
        // As in `Tally::add`: a species is a group even if none of its rows is weighed.
        if let Some(species) = row.species_id {
            let (total, count) = match packed(species) {
                Some(key) => {
                    let (_, total, count) = self.species.entry(key).or_insert((species, 0, 0));
                    (total, count)
                }
                None => {
                    let (total, count) = self.long_species.entry(species).or_default();
                    (total, count)
                }
            };
            if let Some(weight) = row.weight {
                *total += u64::from(weight);
                *count += 1;
            }
        }
        self.years[usize::from(row.year)] += 1;
    }

    fn add_to(self, tally: &mut Tally) {
        tally.rows += self.rows;
        tally.weight_max = tally.weight_max.max(self.weight_max);
        let short = self.species.into_values();
        let long = self.long_species.into_iter();
        let all = short.chain(long.map(|(species, (total, count))| (species, total, count)));
        for (species, total, count) in all {
            let sum = tally
                .weight_by_species
                .entry(species.to_string())
                .or_default();
            sum.total += total;
            sum.count += count;
        }
        for (year, &rows) in self.years.iter().enumerate().filter(|(_, rows)| **rows > 0) {
            *tally.rows_by_year.entry(year as u16).or_default() += rows;
        }
    }
}

/// Up to seven bytes and the length in one word: two ids give the same word only if
/// they are the same id.
fn packed(species: &str) -> Option<u64> {
    let bytes = species.as_bytes();
    if bytes.len() > 7 {
        return None;
    }
    let mut word = [0u8; 8];
    word[..bytes.len()].copy_from_slice(bytes);
    word[7] = bytes.len() as u8;
    Some(u64::from_le_bytes(word))
}

/// A multiply-and-rotate hash of a few instructions a word: species ids are short, and these tables are a block's own, so no attacker picks their keys.
type Cheap = BuildHasherDefault<CheapHasher>;

#[derive(Default)]
struct CheapHasher(u64);

impl Hasher for CheapHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.add(value);
    }

    fn write_u16(&mut self, value: u16) {
        self.add(u64::from(value));
    }

    fn write_u8(&mut self, value: u8) {
        self.add(u64::from(value));
    }

    fn write_usize(&mut self, value: usize) {
        self.add(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl CheapHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comma_bits_mark_commas_only() {
        let word = |bytes: &[u8; 8]| u64::from_le_bytes(*bytes);
        assert_eq!(
            comma_bits(word(b",a,\xac\x2d\x2b\0,")),
            0x8000_0000_0080_0080
        );
        assert_eq!(comma_bits(word(b"12345678")), 0);
        assert_eq!(comma_bits(word(b",,,,,,,,")), 0x8080_8080_8080_8080);
    }

    /// Clean blocks and blocks the csv reader must judge give the lesson's tally.
    #[test]
    fn every_block_tallies_as_the_csv_reader_does() {
        let blocks: &[&[u8]] = &[
            b"1,7,16,1977,2,NL,M,32,\n2,7,16,1977,3,NL,M,33,\n3,7,16,1977,2,DM,F,37,41\n",
            b"1,7,16,1977,2,NL,M,32,12\r\n2,7,16,1977,3,,,,\r\n",
            b"1,7,16,1977,2,NL,M,32,12\n2,7,16,1977,3,NL,M,33,7",
            b"1,7,16,1977,2,NL,M,32,12\n2,7,x,1977,3,NL,M,33,7\n",
            b"1,7,16,1977,2,NL,M,32,12\n2,7,16,1977,3,NL,M,33\n",
            b"1,7,16,1977,2,NL,M,32,12\n\n2,7,16,1977,3,NL,M,33,7\n",
            b"1,7,16,1977,2,\"NL\",M,32,12\n",
            b"1,7,16,1977,2,N\rL,M,32,12\n",
            b"1,7,999,1977,2,NL,M,32,12\n1,+7,16,1977,2,NL,M,32,12\n",
            b"1,7,16,1977,2,\xff,M,32,12\n",
        ];
        for block in blocks {
            let (fast, csv) = (tally_block(block), crate::tally_block(block));
            let shown = String::from_utf8_lossy(block);
            assert_eq!(format!("{fast:?}"), format!("{csv:?}"), "{shown}");
        }
    }

    /// More rows than the head shows, over many species and years.
    #[test]
    fn rows_past_the_head_count_the_same() {
        let mut block = Vec::new();
        for i in 0..500u32 {
            let species = ["NL", "DM", "", "PE", "a longer id"][i as usize % 5];
            let weight = if i % 7 == 0 {
                String::new()
            } else {
                (i % 90).to_string()
            };
            let line = format!("{i},7,16,{},2,{species},M,32,{weight}\n", 1977 + i % 26);
            block.extend_from_slice(line.as_bytes());
        }
        let (fast, csv) = (tally_block(&block), crate::tally_block(&block));
        assert_eq!(format!("{fast:?}"), format!("{csv:?}"));
    }
}
