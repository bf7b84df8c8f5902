//! The `file` variant, the lesson's first challenge: each rayon task reads its own block
//! from the file, so the reading is parallel too and the whole file is never in memory at
//! once. A block's byte range is moved to whole lines as it is read; the blocks' tallies are
//! merged in file order.
//!
//! A field in quotes may hold a line ending. Blocks cut at line endings would then cut a
//! row in two, so a file with quotes gets its blocks' boundaries from the csv reader's own
//! rules, in one serial pass (quotes.rs): the same answer, at the cost of that pass.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use dataframes_kit::{Summary, Tally, check_header, tail_of_file};
use rayon::prelude::*;

use crate::{quotes, tally_block};

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
pub fn read_surveys(path: &Path, blocksize: u64) -> Result<Summary, String> {
    read_surveys_with(path, blocksize, tally_block)
}

/// `read_surveys`, with each block added up by `tally_block` (the `fast` variant's parser).
pub fn read_surveys_with(
    path: &Path,
    blocksize: u64,
    tally_block: fn(&[u8]) -> Tally,
) -> Result<Summary, String> {
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
