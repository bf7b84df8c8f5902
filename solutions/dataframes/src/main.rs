//! Dataframes from a CSV file: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/dataframes/src/main.rs solutions/dataframes/src/main.rs
//!
//! The file is cut into byte blocks (`--blocksize`, like Dask's `read_csv(blocksize=...)`).
//! Each rayon task reads its own block from the file, moved to whole lines, and adds it up;
//! the blocks' tallies are merged in file order. Sums and counts are whole numbers, so the
//! merged tally is exactly the starter's, for any block size and thread count.
//!
//! A field in quotes may hold a line ending. Blocks cut at line endings would then cut a
//! row in two, so a file with quotes gets its blocks' boundaries from the csv reader's own
//! rules, in one serial pass (quotes.rs): the same answer, at the cost of that pass.
//!
//! `--variant polars` hands the same questions to polars: a lazy CSV scan and a group-by,
//! run on polars' own thread pool.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use dataframes_kit::{COLUMNS, Summary, Survey, Tally, check_header, tail_of_file, why_unreadable};
use rayon::prelude::*;
use workbook::{Program, registry::DATAFRAMES};

mod quotes;
mod with_polars;

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

/// The byte ranges of the blocks: `blocksize` bytes each from `body_start` to `end`. A
/// block's rows are the lines that start inside its range; `read_block` finds them.
fn block_ranges(body_start: u64, end: u64, blocksize: u64) -> Vec<Range<u64>> {
    (body_start..end)
        .step_by(blocksize as usize)
        .map(|start| start..(start + blocksize).min(end))
        .collect()
}

/// Reads the lines that start inside `range` of the file, whole: from the first line start
/// at or after `range.start` (the byte after a line ending) to the end of the line that
/// holds the range's last byte. The next block starts exactly there, so every line is read
/// once. Each task opens the file itself: blocks are read in parallel too.
fn read_block(path: &Path, range: &Range<u64>, first: bool) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    // One byte early, to see whether the range starts right after a line ending.
    let from = if first { range.start } else { range.start - 1 };
    file.seek(SeekFrom::Start(from))?;
    let mut bytes = Vec::with_capacity((range.end - from) as usize + 256);
    (&mut file).take(range.end - from).read_to_end(&mut bytes)?;
    let start = if first {
        0
    } else {
        match bytes.iter().position(|&b| b == b'\n') {
            Some(i) => i + 1,
            // No line starts in this range: a long line from the block before covers it.
            None => return Ok(Vec::new()),
        }
    };
    // Read on, a little at a time, to the end of the last line.
    let mut more = [0; 4096];
    while bytes.last().is_some_and(|&b| b != b'\n') {
        let got = file.read(&mut more)?;
        if got == 0 {
            break;
        }
        match more[..got].iter().position(|&b| b == b'\n') {
            Some(i) => bytes.extend_from_slice(&more[..=i]),
            None => bytes.extend_from_slice(&more[..got]),
        }
    }
    bytes.drain(..start);
    Ok(bytes)
}

/// Checks the header, then reads and adds up the blocks in parallel.
fn read_surveys(path: &Path, blocksize: u64) -> Result<Summary, String> {
    let name = path.display().to_string();
    let body_start = check_header(path)?;
    let end = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {name}: {e}"))?
        .len();

    // Every block is read and added up by a rayon task; `collect` keeps them in file order.
    // Each notes its length, and its tally whether it holds a quote.
    let ranges = block_ranges(body_start, end, blocksize);
    let blocks = ranges
        .par_iter()
        .enumerate()
        .map(|(index, range)| {
            let block = read_block(path, range, index == 0)?;
            Ok((tally_block(&block), block.len() as u64))
        })
        .collect::<std::io::Result<Vec<(Tally, u64)>>>()
        .map_err(|e| format!("cannot read {name}: {e}"))?;
    let quoted = blocks.iter().any(|(tally, _)| tally.quoted);
    let (tallies, row_starts) = if quoted {
        // A quoted field may hold a line ending, and a cut there splits a row in two.
        quotes::tally_rows(path, body_start, end, &ranges, blocks, tally_block)?
    } else {
        let tallies = blocks.into_iter().map(|(tally, ..)| tally).collect();
        (tallies, vec![body_start])
    };
    let tally = tallies.into_iter().fold(Tally::default(), Tally::merge);

    // Line 1 is the header; `tail` reads the last rows back from the end of the file.
    let tail = tail_of_file(path, body_start, quoted, &row_starts)?;
    Ok(tally.into_summary(1, tail))
}

fn main() {
    Program::solution(&DATAFRAMES)
        .variant("polars", |params| {
            with_polars::read_surveys(&params.input("input"), params.threads())
        })
        .finish(|params, summary: &Result<Summary, String>| {
            Ok(match summary {
                Ok(summary) if !params.switch("quiet") => summary.report(),
                _ => String::new(),
            })
        })
        .run(|params| read_surveys(&params.input("input"), params.count("blocksize")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cover_the_body_once() {
        assert_eq!(block_ranges(10, 35, 10), vec![10..20, 20..30, 30..35]);
        assert_eq!(block_ranges(10, 10, 10), Vec::<Range<u64>>::new());
    }

    #[test]
    fn blocks_are_moved_to_whole_lines() {
        let dir = std::env::temp_dir().join(format!("dataframes-blocks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("lines.txt");
        let text = b"head\naa\nbbbb\nc\n\ndddddddddd\ne";
        std::fs::write(&path, text).expect("write");
        for blocksize in 1..=text.len() as u64 {
            let ranges = block_ranges(5, text.len() as u64, blocksize);
            let mut joined = Vec::new();
            for (index, range) in ranges.iter().enumerate() {
                let block = read_block(&path, range, index == 0).expect("read");
                assert!(
                    block.is_empty() || joined.is_empty() || joined.ends_with(b"\n"),
                    "blocksize {blocksize}: a block starts mid-line"
                );
                joined.extend(block);
            }
            assert_eq!(joined, &text[5..], "blocksize {blocksize}");
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}
