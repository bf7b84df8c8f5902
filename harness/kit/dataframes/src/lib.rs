//! The Dataframes lesson's shared parts: the survey row, the partial aggregates that blocks
//! of rows are reduced to, the answer, and the seeded generator of survey files.
//!
//! The exercise, both solution variants and `workbook data` use these, so that every way of
//! reading the file is held to the same answer.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use serde::Deserialize;
use workbook::json::object;
use workbook::skipped;
pub use workbook::skipped::Skipped;
use workbook::{ToAnswer, Value};

mod generate;
pub use generate::write_surveys;

/// The header every surveys file starts with.
pub const HEADER: &str = "record_id,month,day,year,plot_id,species_id,sex,hindfoot_length,weight";

/// The number of columns.
pub const COLUMNS: usize = 9;

/// Rows shown by `head` and `tail`, as in pandas and Dask.
pub const SHOWN_ROWS: usize = 5;

/// One row of the file. An empty field is a missing value (`None`), never a zero. Text
/// fields borrow from the record they were read from: no allocation per row.
#[derive(Debug, Clone, Deserialize)]
pub struct Survey<'a> {
    pub record_id: u64,
    pub month: u8,
    pub day: u8,
    pub year: u16,
    pub plot_id: u32,
    pub species_id: Option<&'a str>,
    pub sex: Option<&'a str>,
    pub hindfoot_length: Option<u32>,
    pub weight: Option<u32>,
}

impl Survey<'_> {
    /// The row as a line of the file (without its line ending): how `head` and `tail` show
    /// it, and the same whatever line endings the file had.
    pub fn to_line(&self) -> String {
        fn field<T: ToString>(value: Option<T>) -> String {
            value.map_or(String::new(), |v| v.to_string())
        }
        format!(
            "{},{},{},{},{},{},{},{},{}",
            self.record_id,
            self.month,
            self.day,
            self.year,
            self.plot_id,
            field(self.species_id),
            field(self.sex),
            field(self.hindfoot_length),
            field(self.weight)
        )
    }
}

/// The text after the header line, or a one-line error if the file does not start with
/// the surveys header. A byte-order mark and a CRLF line ending are accepted.
pub fn body_after_header<'a>(name: &str, text: &'a [u8]) -> Result<&'a [u8], String> {
    let text = text.strip_prefix(b"\xef\xbb\xbf").unwrap_or(text);
    if text.is_empty() {
        return Err(format!(
            "{name} is empty: expected the header line '{HEADER}'"
        ));
    }
    let end = text.iter().position(|&b| b == b'\n').unwrap_or(text.len());
    let header = &text[..end];
    let header = header.strip_suffix(b"\r").unwrap_or(header);
    if header != HEADER.as_bytes() {
        return Err(format!(
            "{name} does not start with the surveys header: found '{}', expected '{HEADER}'",
            workbook::text::excerpt(&String::from_utf8_lossy(header))
        ));
    }
    Ok(&text[(end + 1).min(text.len())..])
}

/// Checks the header of the file at `path` without reading the rest; returns where the
/// rows start (the byte after the header line).
pub fn check_header(path: &Path) -> Result<u64, String> {
    let name = path.display().to_string();
    let file = File::open(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let mut first_line = Vec::new();
    BufReader::new(file)
        .read_until(b'\n', &mut first_line)
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    let body = body_after_header(&name, &first_line)?;
    Ok((first_line.len() - body.len()) as u64)
}

/// The last rows of the file at `path`, whose rows start at byte `body_start`: read from
/// the end of the file, more of it only if the last bytes hold too few rows. `row_starts`
/// are bytes where rows are known to start, in order (`body_start` at least): in a file
/// with quoted fields a line is not always a row, and the last rows are read forward from
/// the last of them that leaves enough rows.
pub fn tail_of_file(
    path: &Path,
    body_start: u64,
    quoted: bool,
    row_starts: &[u64],
) -> Result<Vec<String>, String> {
    let name = path.display().to_string();
    let failed = |e: std::io::Error| format!("cannot read {name}: {e}");
    let mut file = File::open(path).map_err(failed)?;
    let end = file.metadata().map_err(failed)?.len();
    if quoted {
        for (index, &start) in row_starts.iter().enumerate().rev() {
            file.seek(SeekFrom::Start(start)).map_err(failed)?;
            let mut bytes = Vec::new();
            file.read_to_end(&mut bytes).map_err(failed)?;
            let rows = last_rows(&bytes);
            if rows.len() == SHOWN_ROWS || index == 0 {
                return Ok(rows);
            }
        }
    }
    let mut want = 64 * 1024;
    loop {
        let from = end.saturating_sub(want).max(body_start);
        file.seek(SeekFrom::Start(from)).map_err(failed)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(failed)?;
        // Unless this is the whole body, the first line may be cut: drop it.
        let whole = if from == body_start {
            &bytes[..]
        } else {
            let cut = bytes
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| i + 1);
            &bytes[cut..]
        };
        let rows = tail_rows(whole, false);
        if rows.len() == SHOWN_ROWS || from == body_start {
            return Ok(rows);
        }
        want *= 4;
    }
}

/// The last `SHOWN_ROWS` well-formed rows of `text`, which starts at a row, read forward
/// with the csv reader: right whatever the quotes, at the cost of reading it all. Only
/// where the last rows of nine fields are is kept on the way; they are turned into rows at
/// the end (every row's place is kept, and tried, only if too few of those were
/// well-formed).
fn last_rows(text: &[u8]) -> Vec<String> {
    let well_formed = |span: &Range<usize>| {
        let mut record = csv::ByteRecord::new();
        match rows_reader(&text[span.clone()]).read_byte_record(&mut record) {
            Ok(true) => record.deserialize::<Survey>(None).ok().map(|r| r.to_line()),
            _ => None,
        }
    };
    let last = |spans: &VecDeque<Range<usize>>| -> Vec<String> {
        let mut rows: Vec<String> = spans
            .iter()
            .rev()
            .filter_map(well_formed)
            .take(SHOWN_ROWS)
            .collect();
        rows.reverse();
        rows
    };
    let (kept, rows_seen) = row_spans(text, 64);
    let rows = last(&kept);
    if rows.len() == SHOWN_ROWS || rows_seen == kept.len() {
        return rows;
    }
    last(&row_spans(text, usize::MAX).0)
}

/// Where the last `keep` rows of nine fields in `text` are, and how many there are.
fn row_spans(text: &[u8], keep: usize) -> (VecDeque<Range<usize>>, usize) {
    let mut reader = rows_reader(text);
    let mut record = csv::ByteRecord::new();
    let mut spans = VecDeque::new();
    let mut seen = 0;
    loop {
        let start = reader.position().byte() as usize;
        match reader.read_byte_record(&mut record) {
            Ok(true) if record.len() == COLUMNS => {
                seen += 1;
                spans.push_back(start..reader.position().byte() as usize);
                if spans.len() > keep {
                    spans.pop_front();
                }
            }
            Ok(true) => {}
            _ => return (spans, seen),
        }
    }
}

/// A csv reader of survey rows as the starter reads them: no header, and rows with the
/// wrong number of fields let through to be counted.
pub fn rows_reader<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(input)
}

/// Why a row could not be read, in words that do not depend on where the block started:
/// "weight: invalid digit found in string".
pub fn why_unreadable(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Deserialize { err, .. } => {
            let column = err
                .field()
                .and_then(|i| HEADER.split(',').nth(i as usize))
                .unwrap_or("a field");
            format!("{column}: {}", err.kind())
        }
        _ => error.to_string(),
    }
}

/// Where rows are, in lines: the csv reader says at which byte a row starts and where the
/// next one does, and this counts the line endings before them. (The reader's own line
/// numbers run one short in a file with `\r\n` endings, and depend on where a block
/// starts.)
struct LineNumbers<'a> {
    text: &'a [u8],
    /// Line endings in `text[..counted_to]`.
    counted_to: usize,
    endings: u64,
}

impl<'a> LineNumbers<'a> {
    fn new(text: &'a [u8]) -> LineNumbers<'a> {
        LineNumbers {
            text,
            counted_to: 0,
            endings: 0,
        }
    }

    /// The first and last line of the bytes from `start` to `end`, which hold one row.
    fn span(&mut self, start: u64, end: u64) -> (u64, u64) {
        let end = (end as usize).min(self.text.len());
        let row = &self.text[(start as usize).min(end)..end];
        let is_ending = |b: &u8| *b == b'\r' || *b == b'\n';
        // A row's bytes may begin with the end of the line before it, and end with its own.
        let leading = row.iter().take_while(|b| is_ending(b)).count();
        let trailing = row[leading..]
            .iter()
            .rev()
            .take_while(|b| is_ending(b))
            .count();
        let first = end - row.len() + leading;
        let last = end - trailing;
        let first_line = self.line_at(first);
        let last_line = first_line + count_endings(&self.text[first..last.max(first)]);
        (first_line, last_line)
    }

    fn line_at(&mut self, byte: usize) -> u64 {
        let byte = byte.max(self.counted_to);
        self.endings += count_endings(&self.text[self.counted_to..byte]);
        self.counted_to = byte;
        self.endings + 1
    }
}

/// Line endings and quotes in `text`. Counted in pieces of 255 bytes with 8-bit counters,
/// which the compiler turns into SIMD compares: several times faster than one byte at a
/// time into 64-bit counters (8 instructions a byte, 8% of the whole starter).
fn count_endings_and_quotes(text: &[u8]) -> (u64, u64) {
    let (mut lines, mut quotes) = (0u64, 0u64);
    for piece in text.chunks(255) {
        let (mut piece_lines, mut piece_quotes) = (0u8, 0u8);
        for &byte in piece {
            piece_lines += u8::from(byte == b'\n');
            piece_quotes += u8::from(byte == b'"');
        }
        lines += u64::from(piece_lines);
        quotes += u64::from(piece_quotes);
    }
    (lines, quotes)
}

fn count_endings(text: &[u8]) -> u64 {
    text.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Total weight and number of weighed animals: the mean comes from these exact integers at
/// the end, so every way of adding the rows up gives the same mean to the last bit.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct WeightSum {
    pub total: u64,
    pub count: u64,
}

/// What a run of consecutive lines adds up to. Two tallies of neighbouring blocks merge
/// into the tally of both: this is what makes reading in blocks parallel.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Line endings in the text tallied, so that a later block's line numbers can be shifted.
    pub lines: u64,
    /// Whether the text holds a quote: then a line is not always a row.
    pub quoted: bool,
    /// Where the rows not yet given line numbers start, in bytes of the text.
    pub skipped_at: Vec<u64>,
    pub rows: u64,
    pub skipped: Vec<Skipped>,
    /// The first rows, as lines (at most `SHOWN_ROWS`).
    pub head: Vec<String>,
    pub weight_max: Option<u32>,
    pub weight_by_species: BTreeMap<String, WeightSum>,
    pub rows_by_year: BTreeMap<u16, u64>,
}

impl Tally {
    /// Counts one well-formed row.
    pub fn add(&mut self, row: &Survey) {
        self.rows += 1;
        if self.head.len() < SHOWN_ROWS {
            self.head.push(row.to_line());
        }
        if let Some(weight) = row.weight {
            self.weight_max = self.weight_max.max(Some(weight));
        }
        // Like pandas' groupby, rows without a species belong to no group.
        if let Some(species) = row.species_id {
            // Look the species up by &str first: a new String only for a new species.
            let sum = match self.weight_by_species.get_mut(species) {
                Some(sum) => sum,
                None => self
                    .weight_by_species
                    .entry(species.to_string())
                    .or_default(),
            };
            if let Some(weight) = row.weight {
                sum.total += u64::from(weight);
                sum.count += 1;
            }
        }
        *self.rows_by_year.entry(row.year).or_default() += 1;
    }

    /// Counts the line endings of the text tallied (`lines`) and notes whether it holds a
    /// quote (`quoted`), in one pass; then gives the rows that could not be read their
    /// line numbers. Call it once the whole text is tallied.
    pub fn count_lines(&mut self, text: &[u8]) {
        let (lines, quotes) = count_endings_and_quotes(text);
        self.lines = lines;
        self.quoted = quotes > 0;
        let mut numbers = LineNumbers::new(text);
        let waiting = self.skipped.len() - self.skipped_at.len();
        for (skip, start) in self.skipped[waiting..]
            .iter_mut()
            .zip(self.skipped_at.drain(..))
        {
            // Where the row ends: read it once more, from where it starts.
            let from = (start as usize).min(text.len());
            let mut reader = rows_reader(&text[from..]);
            let _ = reader.read_byte_record(&mut csv::ByteRecord::new());
            let (line, last_line) = numbers.span(start, start + reader.position().byte());
            if last_line > line {
                // Only a quoted field runs over a line ending: say so, or the lines after
                // the first would seem to vanish.
                skip.reason.push_str(&format!(
                    " (a quoted field runs on over {} lines: is a quote left open?)",
                    last_line - line + 1
                ));
            }
            (skip.line, skip.last_line) = (line, last_line);
        }
    }

    /// Records a row that could not be read, and why: the row that starts at byte `start`
    /// of the text. `count_lines` works out the lines it spans at the end. (Only the byte is
    /// taken here: the reading loop is faster when the rare path does little.)
    #[cold]
    pub fn skip(&mut self, start: u64, reason: impl Into<String>) {
        self.skipped_at.push(start);
        self.skipped.push(Skipped::at(0, reason));
    }

    /// The tally of this text followed by `later`, the text right after it. Merging tallies
    /// in file order gives exactly the tally of the whole file.
    pub fn merge(mut self, later: Tally) -> Tally {
        let shift = self.lines;
        self.skipped
            .extend(later.skipped.into_iter().map(|s| s.shifted(shift)));
        self.lines += later.lines;
        self.quoted |= later.quoted;
        self.rows += later.rows;
        let room = SHOWN_ROWS - self.head.len();
        self.head.extend(later.head.into_iter().take(room));
        self.weight_max = self.weight_max.max(later.weight_max);
        for (species, sum) in later.weight_by_species {
            let mine = self.weight_by_species.entry(species).or_default();
            mine.total += sum.total;
            mine.count += sum.count;
        }
        for (year, rows) in later.rows_by_year {
            *self.rows_by_year.entry(year).or_default() += rows;
        }
        self
    }

    /// The lesson's answer from the tally of a file's body, `lines_before` lines into the
    /// file (1: the header), and its last rows.
    pub fn into_summary(self, lines_before: u64, tail: Vec<String>) -> Summary {
        Summary {
            rows: self.rows,
            skipped: self
                .skipped
                .into_iter()
                .map(|s| s.shifted(lines_before))
                .collect(),
            head: self.head,
            tail,
            weight_max: self.weight_max,
            weight_by_species: self.weight_by_species,
            rows_by_year: self.rows_by_year,
        }
    }
}

/// The last `SHOWN_ROWS` well-formed rows of `body`, like `df.tail()`: read from the end,
/// a line at a time, so it costs the same for any file size. Rows that do not parse are
/// passed over here; the full pass counts them. A quoted field may hold a line ending,
/// and then a line is not a row: a body with quotes (`quoted`, as the tally found) is read
/// forward instead.
pub fn tail_rows(body: &[u8], quoted: bool) -> Vec<String> {
    if quoted {
        return last_rows(body);
    }
    let mut rows = Vec::new();
    let mut end = body.len();
    while rows.len() < SHOWN_ROWS && end > 0 {
        let start = body[..end - 1]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        if let Some(row) = parse_line(&body[start..end]) {
            rows.push(row);
        }
        end = start;
    }
    rows.reverse();
    rows
}

/// One line as a row, shown as `Survey::to_line` shows it; `None` if it is not a
/// well-formed row (or is blank).
fn parse_line(line: &[u8]) -> Option<String> {
    let mut reader = rows_reader(line);
    let mut record = csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) if record.len() == COLUMNS => {
            record.deserialize::<Survey>(None).ok().map(|r| r.to_line())
        }
        _ => None,
    }
}

/// The lesson's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub rows: u64,
    /// Rows not counted, with line numbers in the file (the header is line 1).
    pub skipped: Vec<Skipped>,
    pub head: Vec<String>,
    pub tail: Vec<String>,
    /// `df.weight.max()`.
    pub weight_max: Option<u32>,
    pub weight_by_species: BTreeMap<String, WeightSum>,
    pub rows_by_year: BTreeMap<u16, u64>,
}

impl WeightSum {
    /// The mean weight, `None` when no animal of the species was weighed (pandas: NaN).
    pub fn mean(&self) -> Option<f64> {
        (self.count > 0).then(|| self.total as f64 / self.count as f64)
    }
}

impl ToAnswer for Summary {
    fn to_answer(&self) -> Result<Value, String> {
        let optional = |v: Option<f64>| v.map_or(Value::Null, Value::from);
        let means = self
            .weight_by_species
            .iter()
            .map(|(species, sum)| (species.clone(), optional(sum.mean())))
            .collect();
        let years = self
            .rows_by_year
            .iter()
            .map(|(year, rows)| (year.to_string(), Value::from(*rows)))
            .collect();
        Ok(object([
            ("rows", self.rows.into()),
            ("skipped", self.skipped.len().into()),
            ("skipped_lines", skipped::listed_lines(&self.skipped)),
            (
                "weight_max",
                self.weight_max.map_or(Value::Null, Value::from),
            ),
            ("mean_weight_by_species", Value::Map(means)),
            ("rows_by_year", Value::Map(years)),
            ("head", self.head.clone().into()),
            ("tail", self.tail.clone().into()),
        ]))
    }
}

impl Summary {
    /// The tables a learner reads after a run: head, tail, the maximum weight, mean weight
    /// per species, rows per year, and every skipped row with its reason.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let mut say = |line: String| {
            out.push_str(&line);
            out.push('\n');
        };
        say(format!("head\n  {HEADER}"));
        self.head.iter().for_each(|row| say(format!("  {row}")));
        say("tail".to_string());
        self.tail.iter().for_each(|row| say(format!("  {row}")));
        let max = self
            .weight_max
            .map_or("- (no weights)".into(), |w| w.to_string());
        say(format!("weight.max()  {max}"));
        say("mean weight by species (animals weighed)".to_string());
        for (species, sum) in &self.weight_by_species {
            let mean = sum.mean().map_or("-".into(), |m| format!("{m:.2}"));
            say(format!("  {species:<4}{mean:>8}  ({})", sum.count));
        }
        say("rows by year".to_string());
        let years: Vec<String> = self
            .rows_by_year
            .iter()
            .map(|(year, rows)| format!("{year}: {rows}"))
            .collect();
        for line in years.chunks(6) {
            say(format!("  {}", line.join("  ")));
        }
        out.push_str(&skipped::report(&self.skipped, "malformed row(s)"));
        out
    }
}
