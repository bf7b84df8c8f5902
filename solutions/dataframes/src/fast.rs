//! Beyond the lesson: the blocks read by a parser of our own, near the speed the memory
//! allows, with the starter's exact answer.
//!
//! The csv reader and serde are general: they handle quotes, check every field is UTF-8,
//! build a record and then a typed row. Here the lines are found with `memchr` (vector
//! instructions), and a plain line is read in one pass, a field at a time: whole numbers
//! digit by digit, the two text fields checked to be ASCII (so UTF-8) and kept as bytes.
//! Species are counted in a hash table with a cheap hash, years in a table indexed by the
//! year, and both put into the kit's `Tally` once a block is done.
//!
//! Anything else (a quote, a stray carriage return, an empty line, a field that is not a
//! plain number, text beyond ASCII, the wrong number of fields) and the block is read
//! again by the lesson's csv reader: the same rows skipped, with the same reasons, as the
//! starter gives.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use dataframes_kit::{SHOWN_ROWS, Summary, Survey, Tally};

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
        if add(line, &mut tally, &mut groups).is_none() {
            return crate::tally_block(block);
        }
    }
    // A last line without a line ending.
    if start < block.len() && add(&block[start..], &mut tally, &mut groups).is_none() {
        return crate::tally_block(block);
    }
    tally.count_lines(block);
    groups.add_to(&mut tally);
    tally
}

/// Counts one line, if it is plain. The first rows are shown as lines: the kit's own `add`
/// keeps them; the rest are counted in `groups`.
fn add<'a>(line: &'a [u8], tally: &mut Tally, groups: &mut Groups<'a>) -> Option<()> {
    let row = parse(line)?;
    if tally.head.len() < SHOWN_ROWS {
        tally.add(&row.survey()?);
    } else {
        groups.add(&row);
    }
    Some(())
}

/// A plain line's fields: the numbers read, the text fields checked but left as bytes.
struct Plain<'a> {
    record_id: u64,
    month: u8,
    day: u8,
    year: u16,
    plot_id: u32,
    species: &'a [u8],
    sex: &'a [u8],
    hindfoot_length: Option<u32>,
    weight: Option<u32>,
}

impl<'a> Plain<'a> {
    /// The row as the csv reader gives it (an empty text field is no value).
    fn survey(&self) -> Option<Survey<'a>> {
        let text = |field: &'a [u8]| match field.is_empty() {
            true => Some(None),
            false => std::str::from_utf8(field).ok().map(Some),
        };
        Some(Survey {
            record_id: self.record_id,
            month: self.month,
            day: self.day,
            year: self.year,
            plot_id: self.plot_id,
            species_id: text(self.species)?,
            sex: text(self.sex)?,
            hindfoot_length: self.hindfoot_length,
            weight: self.weight,
        })
    }
}

/// A plain line: nine fields, no quotes, numbers of digits only, text in ASCII without a
/// carriage return. `None` for anything the csv reader must judge.
///
/// One pass, a field at a time: a number's digits are added up until its comma, a text
/// field runs to its comma; each byte is looked at once. Text in ASCII is UTF-8 with no
/// further check.
fn parse(line: &[u8]) -> Option<Plain<'_>> {
    let mut fields = Fields { line, at: 0 };
    let row = Plain {
        record_id: fields.whole()?,
        month: fields.whole()?.try_into().ok()?,
        day: fields.whole()?.try_into().ok()?,
        year: fields.whole()?.try_into().ok()?,
        plot_id: fields.whole()?.try_into().ok()?,
        species: fields.text()?,
        sex: fields.text()?,
        hindfoot_length: fields
            .optional_whole()?
            .map(u32::try_from)
            .transpose()
            .ok()?,
        weight: fields
            .optional_whole()?
            .map(u32::try_from)
            .transpose()
            .ok()?,
    };
    // Nine fields and no tenth: the last one ended the line.
    (fields.at == line.len() + 1).then_some(row)
}

/// The fields of a line, read one after another; `at` is where the next one starts.
struct Fields<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Fields<'a> {
    /// The next field's bytes, up to its comma or the end of the line (stepping past it).
    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.line.get(self.at..)?;
        let length = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
        self.at += length + 1;
        Some(&rest[..length])
    }

    /// A whole number of 1 to 19 digits (so that it cannot overflow a u64).
    fn whole(&mut self) -> Option<u64> {
        self.optional_whole()?
    }

    /// An empty field, or a whole number. The outer `None`: neither.
    fn optional_whole(&mut self) -> Option<Option<u64>> {
        let rest = self.line.get(self.at..)?;
        let mut value = 0u64;
        let mut digits = 0;
        for &byte in rest {
            let digit = byte.wrapping_sub(b'0');
            if digit > 9 {
                break;
            }
            value = value * 10 + u64::from(digit);
            digits += 1;
        }
        // The field must end here, at a comma or the line's end.
        if digits > 19 || !matches!(rest.get(digits), None | Some(b',')) {
            return None;
        }
        self.at += digits + 1;
        Some((digits > 0).then_some(value))
    }

    /// A text field in ASCII, without a carriage return.
    fn text(&mut self) -> Option<&'a [u8]> {
        let field = self.next()?;
        field
            .iter()
            .all(|&byte| byte.is_ascii() && byte != b'\r')
            .then_some(field)
    }
}

/// What the kit's `Tally::add` counts, in tables with a cheap hash: weights by species,
/// rows by year, the heaviest weight and the rows.
struct Groups<'a> {
    rows: u64,
    weight_max: Option<u32>,
    /// Keyed by the id's bytes packed into a word where it fits (ids are a few letters):
    /// one multiply to hash, one compare to find. Longer ids have a table of their own.
    species: HashMap<u64, (&'a [u8], u64, u64), Cheap>,
    long_species: HashMap<&'a [u8], (u64, u64), Cheap>,
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
    fn add(&mut self, row: &Plain<'a>) {
        self.rows += 1;
        self.weight_max = self.weight_max.max(row.weight);
        // As in `Tally::add`: a species is a group even if none of its rows is weighed.
        let species = row.species;
        if !species.is_empty() {
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
            // ASCII, so as it reads as UTF-8.
            let species = String::from_utf8_lossy(species).into_owned();
            let sum = tally.weight_by_species.entry(species).or_default();
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
fn packed(bytes: &[u8]) -> Option<u64> {
    if bytes.len() > 7 {
        return None;
    }
    Some(little_endian(bytes) | (bytes.len() as u64) << 56)
}

/// Up to eight bytes as a word, the first the lowest, padded with zeros: a loop, not a
/// copy of a length known only at run time (which is a call to `memcpy`).
fn little_endian(bytes: &[u8]) -> u64 {
    let mut word = 0;
    for (at, &byte) in bytes.iter().enumerate().take(8) {
        word |= u64::from(byte) << (8 * at);
    }
    word
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
