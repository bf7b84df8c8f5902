//! Dataframes from a CSV file: the serial starter. Read lessons/dataframes.md first.
//!
//!     cargo run --release --bin dataframes                     run it
//!     cargo run --release --bin workbook -- check dataframes    is my parallel version right?
//!
//! The source material reads surveys.csv with Dask (`dd.read_csv`), looks at `head()` and
//! `tail()`, and asks for `df.weight.max()`. This program does that, plus the mean weight
//! of each species and the number of rows each year, with the csv crate and serde. It reads
//! the whole file as one block of text, on one thread. Your task: cut the text into blocks,
//! read the blocks on several threads, and merge what each block adds up to, for exactly
//! the same answer.

use std::path::Path;

use dataframes_kit::{
    COLUMNS, Summary, Survey, Tally, body_after_header, tail_rows, why_unreadable,
};
use workbook::{Program, registry::DATAFRAMES};

/// Reads one block of survey rows (no header) and adds them up. Rows that cannot be read
/// are counted with their line numbers (1 is the block's first line), never dropped
/// silently.
fn tally_block(block: &[u8]) -> Tally {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        // Let rows with the wrong number of fields through, so that we can count them.
        .flexible(true)
        .from_reader(block);
    let mut tally = Tally::default();
    // One record, reused for every row: no allocation per row.
    let mut record = csv::ByteRecord::new();
    loop {
        let read = reader.read_byte_record(&mut record);
        // Where the row starts in the block, to give its line number if it is skipped.
        let start = record.position().map_or(0, |p| p.byte());
        match read {
            Ok(false) => break,
            Ok(true) if record.len() != COLUMNS => tally.skip(
                start,
                format!("expected {COLUMNS} fields, found {}", record.len()),
            ),
            // serde turns the fields into a typed row: an empty field becomes `None`.
            Ok(true) => match record.deserialize::<Survey>(None) {
                Ok(row) => tally.add(&row),
                Err(e) => tally.skip(start, why_unreadable(&e)),
            },
            Err(e) => tally.skip(start, why_unreadable(&e)),
        }
    }
    // Line endings in the block (a block after this one starts that many lines further
    // on), and the line numbers of the rows that could not be read.
    tally.count_lines(block);
    tally
}

/// Reads the whole file, checks its header, and adds up every row. `blocksize` (the
/// `--blocksize` flag) is how many bytes of text each block should hold once you cut the
/// text into blocks; the starter reads it all as one block, and does not use it yet.
fn read_surveys(path: &Path, _blocksize: usize) -> Result<Summary, String> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let body = body_after_header(&name, &text)?;

    // The whole body is one block.
    let tally = tally_block(body);

    // Line 1 is the header; `tail` reads the last rows back from the end of the text.
    let tail = tail_rows(body, tally.quoted);
    Ok(tally.into_summary(1, tail))
}

fn main() {
    Program::exercise(&DATAFRAMES)
        .finish(|params, summary: &Result<Summary, String>| {
            Ok(match summary {
                Ok(summary) if !params.switch("quiet") => summary.report(),
                _ => String::new(),
            })
        })
        .run(|params| read_surveys(&params.input("input"), params.count("blocksize") as usize))
}
