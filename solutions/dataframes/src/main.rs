//! Dataframes from a CSV file: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/dataframes/src/main.rs solutions/dataframes/src/main.rs
//!
//! The text is cut into blocks of about `--blocksize` bytes (like Dask's
//! `read_csv(blocksize=...)`), each moved on to the end of a line; rayon tallies the blocks,
//! and their tallies are merged in file order. Sums and counts are whole numbers, so the
//! merged tally is exactly the starter's, for any block size and thread count.
//!
//! Variants, chosen with --variant: `file` (each task reads its own block from the file,
//! from_file.rs) and `polars` (polars' lazy CSV scan and group-by, on its own thread pool;
//! built only with `--features polars`, as polars takes many minutes to compile).

use std::path::Path;

use dataframes_kit::{
    COLUMNS, Summary, Survey, Tally, body_after_header, tail_rows, why_unreadable,
};
use rayon::prelude::*;
use workbook::{Program, registry::DATAFRAMES};

mod fast;
mod from_file;
mod quotes;
#[cfg(feature = "polars")]
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

/// Reads the whole file, checks its header, and adds up every row, block by block in
/// parallel. `blocksize` is how many bytes of text each block holds, give or take a line.
fn read_surveys(path: &Path, blocksize: usize) -> Result<Summary, String> {
    let name = path.display().to_string();
    let text = std::fs::read(path).map_err(|e| format!("cannot read {name}: {e}"))?;
    let body = body_after_header(&name, &text)?;

    // Every block is tallied by a rayon task; `collect` keeps the tallies in file order,
    // and they are merged in that order.
    let tallies: Vec<Tally> = blocks(body, blocksize)
        .par_iter()
        .map(|block| tally_block(block))
        .collect();
    let mut tally = tallies.into_iter().fold(Tally::default(), Tally::merge);
    // A quoted field may hold a line ending, and a cut there would split a row in two: a
    // file with quotes is read as one block, as the starter reads it.
    if tally.quoted {
        tally = tally_block(body);
    }

    // Line 1 is the header; `tail` reads the last rows back from the end of the text.
    let tail = tail_rows(body, tally.quoted);
    Ok(tally.into_summary(1, tail))
}

/// `body` cut into blocks of `blocksize` bytes, each cut moved on to just after the next
/// line ending, so that no row is split between two blocks.
fn blocks(body: &[u8], blocksize: usize) -> Vec<&[u8]> {
    let mut blocks = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let end = match rest.iter().skip(blocksize - 1).position(|&b| b == b'\n') {
            Some(newline) => blocksize + newline,
            None => rest.len(),
        };
        let (block, after) = rest.split_at(end);
        blocks.push(block);
        rest = after;
    }
    blocks
}

fn main() {
    let program = Program::solution(&DATAFRAMES)
        .variant("file", |params| {
            from_file::read_surveys(&params.input("input"), params.count("blocksize"))
        })
        .variant("fast", |params| {
            fast::read_surveys(&params.input("input"), params.count("blocksize"))
        });
    #[cfg(feature = "polars")]
    let program = program.variant("polars", |params| {
        with_polars::read_surveys(&params.input("input"), params.threads())
    });
    #[cfg(not(feature = "polars"))]
    let program = program.unbuilt_variant("polars");
    program
        .finish(|params, summary: &Result<Summary, String>| {
            Ok(match summary {
                Ok(summary) if !params.switch("quiet") => summary.report(),
                _ => String::new(),
            })
        })
        .run(|params| read_surveys(&params.input("input"), params.count("blocksize") as usize))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_at_line_endings_and_cover_the_body_once() {
        let body = b"aa\nbbbb\nc\n\ndddddddddd\ne";
        for blocksize in 1..=body.len() + 1 {
            let cut = blocks(body, blocksize);
            assert_eq!(cut.concat(), body, "blocksize {blocksize}");
            for block in &cut[..cut.len() - 1] {
                assert!(block.ends_with(b"\n"), "blocksize {blocksize}: {block:?}");
                assert!(block.len() >= blocksize, "blocksize {blocksize}: {block:?}");
            }
        }
        assert!(blocks(b"", 10).is_empty());
    }
}
