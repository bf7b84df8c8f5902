//! Beyond the challenges: the same partitions, with far less copying, near what the
//! machine allows, and the starter's exact answer.
//!
//! Two costs of the lesson's solution are not the parsing:
//! - the file is cut into lines before any thread starts (`bags_kit::lines`, a byte at a
//!   time): a serial part, a tenth of a run. Here the text is cut into one block of whole
//!   lines per partition, and each task finds its own lines (`memchr`, vector instructions);
//!   the line numbers of skipped records are shifted once the blocks' line counts are known.
//! - `Person` owns its text: every record makes a `String` for its name and one for its
//!   city, and every count looks a name up in a `BTreeMap<String, _>`. Here a record
//!   borrows its text from the line (`Cow<str>` copies only a name written with escapes),
//!   the city is checked but never kept, and each partition counts names in a hash table
//!   keyed by the borrowed name; the kit's `BTreeMap`s get one entry per name at the end.
//!
//! - serde_json reads any JSON: keys in any order, spaces, escapes, each key looked up by
//!   name. The records here are written one way, `{"id":1,"name":"Edith","age":25,...}`,
//!   so a line in exactly that layout is read by a parser of a few lines (`plain_record`)
//!   that compares the keys byte for byte and reads the numbers digit by digit.
//!
//! A line in any other layout goes to serde_json; one it refuses is parsed again as a
//! `Person`, counted if it is one, else skipped with the very reason the starter gives.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use bags_kit::{AmountSum, Partial, Person, Skipped, TAKE, Transaction};
use rayon::prelude::*;
use serde::Deserialize;

/// A `Person` that borrows its text from the line.
#[derive(Deserialize)]
struct Record<'a> {
    id: u64,
    #[serde(borrow)]
    name: Cow<'a, str>,
    age: Option<u32>,
    // Read to check it is text or null, as `Person` does, but never kept.
    #[serde(borrow)]
    #[allow(dead_code)]
    city: Option<Cow<'a, str>>,
    transactions: Option<Amounts>,
}

/// A list of transactions, added up as it is read instead of kept: the same list
/// `Vec<Transaction>` reads, with no allocation.
#[derive(Default)]
struct Amounts(AmountSum);

impl<'de> Deserialize<'de> for Amounts {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(AmountsVisitor)
    }
}

struct AmountsVisitor;

impl<'de> serde::de::Visitor<'de> for AmountsVisitor {
    type Value = Amounts;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Amounts, A::Error> {
        let mut sum = AmountSum::default();
        while let Some(transaction) = seq.next_element::<Transaction>()? {
            sum.count += 1;
            sum.total += i128::from(transaction.amount);
        }
        Ok(Amounts(sum))
    }
}

pub fn read_people(path: &Path, npartitions: usize) -> Result<Partial, String> {
    let text =
        read_in_parallel(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    // As `bags_kit::lines`: a final line ending does not start another line.
    if text.strip_suffix(b"\n").unwrap_or(&text).is_empty() {
        return Ok(Partial::default());
    }
    let blocksize = text.len().div_ceil(npartitions.max(1)).max(1);
    // Each block's partial, with line numbers from 1, and how many lines it holds.
    let partials: Vec<(Partial, u64)> = blocks(&text, blocksize)
        .into_par_iter()
        .map(|block| {
            let lines = lines_of(block);
            (process_partition(&lines, 1), lines.len() as u64)
        })
        .collect();
    let mut lines_before = 0;
    let mut whole = Partial::default();
    for (mut partial, lines) in partials {
        let skipped = std::mem::take(&mut partial.skipped);
        partial.skipped = skipped
            .into_iter()
            .map(|s| s.shifted(lines_before))
            .collect();
        whole = whole.merge(partial);
        lines_before += lines;
    }
    Ok(whole)
}

/// The whole file, read by all threads at once, each its own stretch of it: copying a
/// file from the page cache is work too, and one thread alone would spend a third of a
/// run on it while the others wait.
#[cfg(unix)]
fn read_in_parallel(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::os::unix::fs::FileExt;
    const STRETCH: usize = 4 << 20;
    let file = std::fs::File::open(path)?;
    let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
    // Zeroed memory this large comes from the kernel untouched: each thread's first write
    // to its stretch brings in the pages, in parallel too.
    let mut text = vec![0u8; len];
    text.par_chunks_mut(STRETCH)
        .enumerate()
        .try_for_each(|(index, stretch)| file.read_exact_at(stretch, (index * STRETCH) as u64))?;
    Ok(text)
}

#[cfg(not(unix))]
fn read_in_parallel(path: &Path) -> std::io::Result<Vec<u8>> {
    std::fs::read(path)
}

/// `text` cut into blocks of about `blocksize` bytes, each moved on to just after a line
/// ending, so that no line is split between two.
fn blocks(text: &[u8], blocksize: usize) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let end = match memchr::memchr(b'\n', &rest[(blocksize - 1).min(rest.len())..]) {
            Some(newline) => (blocksize - 1).min(rest.len()) + newline + 1,
            None => rest.len(),
        };
        let (block, after) = rest.split_at(end);
        blocks.push(block);
        rest = after;
    }
    blocks
}

/// A block's lines without their line endings (`\n` or `\r\n`); the block's final line
/// ending does not start another line.
fn lines_of(block: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::with_capacity(block.len() / 128);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', block) {
        lines.push(&block[start..end]);
        start = end + 1;
    }
    if start < block.len() {
        lines.push(&block[start..]);
    }
    for line in &mut lines {
        *line = line.strip_suffix(b"\r").unwrap_or(line);
    }
    lines
}

/// Per name in one partition: how often it occurs, and its adults' amounts.
#[derive(Default)]
struct ByName {
    count: u64,
    amounts: Option<AmountSum>,
}

fn process_partition(lines: &[&[u8]], first_line: u64) -> Partial {
    let mut partial = Partial::default();
    let mut names: HashMap<Cow<str>, ByName, Cheap> = HashMap::default();
    for (line, number) in lines.iter().zip(first_line..) {
        let parsed = plain_record(line)
            .ok_or(())
            .or_else(|()| serde_json::from_slice(line));
        let record = match parsed {
            Ok(record) => record,
            Err(_) => match serde_json::from_slice::<Person>(line) {
                Ok(person) => Record::from(person),
                Err(e) => {
                    let reason = e.to_string().replace(" at line 1 column", " at column");
                    partial.skipped.push(Skipped::at(number, reason));
                    continue;
                }
            },
        };
        partial.records += 1;
        if partial.first.len() < TAKE {
            partial.first.push(format!("{} {}", record.id, record.name));
        }
        partial.without_transactions += u64::from(record.transactions.is_none());
        let adult = record.age.is_some_and(|age| age >= 18);
        let by_name = names.entry(record.name).or_default();
        by_name.count += 1;
        if adult {
            partial.adults += 1;
            // As the starter's foldby: a name has a sum once it has an amount.
            if let Some(Amounts(amounts)) = record.transactions.filter(|a| a.0.count > 0) {
                let sum = by_name.amounts.get_or_insert_with(AmountSum::default);
                sum.count += amounts.count;
                sum.total += amounts.total;
            }
        }
    }
    for (name, by_name) in names {
        let name = name.into_owned();
        if let Some(amounts) = by_name.amounts {
            partial.amounts_by_name.insert(name.clone(), amounts);
        }
        partial.name_counts.insert(name, by_name.count);
    }
    partial
}

/// A record in the generator's own layout: the keys in its order, no spaces, no escapes,
/// plain whole numbers. `None` for any other line, which serde_json then reads: so this
/// must accept only what serde_json reads, and read it to the same values.
fn plain_record(line: &[u8]) -> Option<Record<'_>> {
    let mut cursor = Cursor { line, at: 0 };
    cursor.expect(br#"{"id":"#)?;
    let id = cursor.whole()?;
    cursor.expect(br#","name":"#)?;
    let name = cursor.text()?;
    let age = match cursor.eat(br#","age":"#) {
        true => Some(u32::try_from(cursor.whole()?).ok()?),
        false => None,
    };
    let city = match cursor.eat(br#","city":"#) {
        true => Some(Cow::Borrowed(cursor.text()?)),
        false => None,
    };
    let transactions = match cursor.eat(br#","transactions":["#) {
        true => Some(Amounts(cursor.transactions()?)),
        false => None,
    };
    cursor.expect(b"}")?;
    (cursor.at == line.len()).then_some(Record {
        id,
        name: Cow::Borrowed(name),
        age,
        city,
        transactions,
    })
}

/// Where `plain_record` is in its line.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// Steps over `bytes` if the line goes on with them.
    fn eat(&mut self, bytes: &[u8]) -> bool {
        let found = self.line[self.at..].starts_with(bytes);
        if found {
            self.at += bytes.len();
        }
        found
    }

    fn expect(&mut self, bytes: &[u8]) -> Option<()> {
        self.eat(bytes).then_some(())
    }

    /// A whole number as JSON writes it (digits, no leading zero) that fits a u64.
    fn whole(&mut self) -> Option<u64> {
        let digits = self.line[self.at..]
            .iter()
            .take_while(|byte| byte.is_ascii_digit())
            .count();
        let text = &self.line[self.at..self.at + digits];
        if digits == 0 || (digits > 1 && text[0] == b'0') {
            return None;
        }
        self.at += digits;
        text.iter().try_fold(0u64, |value, digit| {
            value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
        })
    }

    /// A whole number that may be negative, within an i64.
    fn integer(&mut self) -> Option<i64> {
        let negative = self.eat(b"-");
        let size = self.whole()?;
        match negative {
            true => 0i64.checked_sub_unsigned(size),
            false => i64::try_from(size).ok(),
        }
    }

    /// A string without escapes or control characters, in UTF-8.
    fn text(&mut self) -> Option<&'a str> {
        self.expect(b"\"")?;
        let length = self.line[self.at..].iter().position(|&byte| byte == b'"')?;
        let bytes = &self.line[self.at..self.at + length];
        if bytes.iter().any(|&byte| byte == b'\\' || byte < 0x20) {
            return None;
        }
        self.at += length + 1;
        std::str::from_utf8(bytes).ok()
    }

    /// The list after its `[`, to its `]`: `{"id":N,"amount":N}` items, added up.
    fn transactions(&mut self) -> Option<AmountSum> {
        let mut sum = AmountSum::default();
        if self.eat(b"]") {
            return Some(sum);
        }
        loop {
            self.expect(br#"{"id":"#)?;
            self.whole()?;
            self.expect(br#","amount":"#)?;
            let amount = self.integer()?;
            self.expect(b"}")?;
            sum.count += 1;
            sum.total += i128::from(amount);
            if !self.eat(b",") {
                self.expect(b"]")?;
                return Some(sum);
            }
        }
    }
}

/// A person the borrowing parse refused but `Person` accepted (none is known: the two
/// read the same lines), counted all the same.
impl From<Person> for Record<'_> {
    #[cold]
    fn from(person: Person) -> Self {
        Record {
            id: person.id,
            name: Cow::Owned(person.name),
            age: person.age,
            city: person.city.map(Cow::Owned),
            transactions: person.transactions.map(|list| {
                let mut sum = AmountSum::default();
                for transaction in list {
                    sum.count += 1;
                    sum.total += i128::from(transaction.amount);
                }
                Amounts(sum)
            }),
        }
    }
}

/// Names are short and a partition's table is its own: a hash of a multiply and a rotate a
/// word is enough, and far cheaper than the default, which resists chosen keys.
type Cheap = BuildHasherDefault<CheapHasher>;

#[derive(Default)]
struct CheapHasher(u64);

impl Hasher for CheapHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Good records, escapes, and every kind of bad line: the lesson's own partial.
    #[test]
    fn partitions_add_up_as_the_lessons_do() {
        let text = concat!(
            r#"{"id":1,"name":"Edith","age":25,"city":"Cardiff","transactions":[{"id":1,"amount":1844}]}"#,
            "\n",
            r#"{"id":2,"name":"Bob","age":35,"transactions":[{"id":9,"amount":-2042},{"id":10,"amount":2116}]}"#,
            "\n",
            r#"{"id":3,"name":"Bob","age":5,"city":null}"#,
            "\n",
            r#"{"id":4,"name":"Zo\u00eb \"Z\"","age":40,"transactions":[]}"#,
            "\n",
            r#"{"id":5,"name":"Edith","transactions":[{"id":11,"amount":7}]}"#,
            "\n",
            r#"{"id":6,"name":"Ann","age":18,"city":7}"#,
            "\n",
            r#"{"id":7,"name":"Ann","age":-1}"#,
            "\n",
            "not json\n",
            r#"{"id":8,"name":"Ann","age":30,"transactions":[{"id":12}]}"#,
            "\n",
            r#"{"id":9,"name":"Ann","name":"Ben"}"#,
            "\n",
            r#"{"id":10,"name":"Cy","age":20,"transactions":[{"id":13,"amount":5}],"extra":[1,2]}"#,
            "\n",
        );
        let lines = bags_kit::lines(text.as_bytes());
        let fast = process_partition(&lines, 1);
        let lesson = crate::process_partition(&lines, 1);
        assert_eq!(format!("{fast:?}"), format!("{lesson:?}"));
        assert_eq!(fast.skipped.len(), 5, "{:?}", fast.skipped);
    }

    /// Lines in the generator's layout, each changed at one place in many ways: whatever
    /// `plain_record` reads, serde_json reads as a `Person` with the same values.
    #[test]
    fn plain_records_are_read_as_serde_json_reads_them() {
        let lines: [&[u8]; 4] = [
            br#"{"id":1,"name":"Edith","age":25,"city":"Cardiff","transactions":[{"id":1,"amount":1844},{"id":2,"amount":-3380}]}"#,
            br#"{"id":2,"name":"Bob","transactions":[]}"#,
            b"{\"id\":30,\"name\":\"Zo\xc3\xab\",\"age\":0,\"city\":\"Oxford\"}",
            br#"{"id":18446744073709551615,"name":"Max","transactions":[{"id":0,"amount":-9223372036854775808}]}"#,
        ];
        let replacements: &[u8] = b"0123456789-+.eE\"{}[],: \\\x00\x1f\x7f\xc3\xab\xffnul";
        let mut accepted = 0;
        let mut tried = 0;
        for line in lines {
            assert!(
                plain_record(line).is_some(),
                "{}",
                String::from_utf8_lossy(line)
            );
            for at in 0..=line.len() {
                let mut changed: Vec<Vec<u8>> = Vec::new();
                if at < line.len() {
                    let mut removed = line.to_vec();
                    removed.remove(at);
                    changed.push(removed);
                }
                for &byte in replacements {
                    let mut inserted = line.to_vec();
                    inserted.insert(at, byte);
                    changed.push(inserted);
                    if at < line.len() {
                        let mut replaced = line.to_vec();
                        replaced[at] = byte;
                        changed.push(replaced);
                    }
                }
                for line in changed {
                    tried += 1;
                    let Some(record) = plain_record(&line) else {
                        continue;
                    };
                    accepted += 1;
                    let shown = String::from_utf8_lossy(&line);
                    let person: Person = serde_json::from_slice(&line)
                        .unwrap_or_else(|e| panic!("plain but not JSON: {shown}: {e}"));
                    assert_eq!(record.id, person.id, "{shown}");
                    assert_eq!(record.name, person.name, "{shown}");
                    assert_eq!(record.age, person.age, "{shown}");
                    assert_eq!(record.city.map(Cow::into_owned), person.city, "{shown}");
                    let amounts = person.transactions.map(|list| {
                        let total = list.iter().map(|t| i128::from(t.amount)).sum::<i128>();
                        (list.len() as u64, total)
                    });
                    let read = record
                        .transactions
                        .map(|Amounts(sum)| (sum.count, sum.total));
                    assert_eq!(read, amounts, "{shown}");
                }
            }
        }
        // Many changes keep a line plain (a digit for a digit), most do not.
        assert!(
            accepted > 500 && accepted < tried / 2,
            "{accepted} of {tried}"
        );
    }

    /// Blocks of every size give the kit's lines, empty and carriage-return ones included.
    #[test]
    fn blocks_of_lines_are_the_kits_lines() {
        let texts: [&[u8]; 5] = [
            b"a\nbb\r\n\nccc\n\n",
            b"a\nb",
            b"a\n",
            b"\n\nx",
            b"a\r\n\r\n",
        ];
        for text in texts {
            for blocksize in 1..=text.len() + 1 {
                let lines: Vec<&[u8]> = blocks(text, blocksize)
                    .into_iter()
                    .flat_map(lines_of)
                    .collect();
                assert_eq!(
                    lines,
                    bags_kit::lines(text),
                    "{text:?} in blocks of {blocksize}"
                );
            }
        }
    }
}
