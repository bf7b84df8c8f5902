//! Blocks for a file with quoted fields. Inside quotes a line ending is part of a field,
//! not the end of a row, so the first line start of a block may be in the middle of a row.
//! Whether it is depends on every quote before it: one pass from the start of the file, with
//! the csv reader that reads the rows, finds the row that starts at or after each block's
//! first byte. (Dask's `read_csv` with a `blocksize` has the same problem, and no answer:
//! it cuts such rows in two.)

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::ops::Range;
use std::path::Path;

use dataframes_kit::Tally;
use rayon::prelude::*;

/// The tallies of the file's rows, in file order, with the blocks cut where rows start;
/// and those starts. `first_pass` holds each block (of `blocks`, moved to line starts) as
/// first tallied, with its length in bytes: a block whose ends turn out to be row starts
/// keeps its tally, and only the blocks around a quoted line ending are read again.
pub fn tally_rows(
    path: &Path,
    body_start: u64,
    end: u64,
    blocks: &[Range<u64>],
    first_pass: Vec<(Tally, u64)>,
    tally_block: fn(&[u8]) -> Tally,
) -> Result<(Vec<Tally>, Vec<u64>), String> {
    let mut tallied: HashMap<(u64, u64), Tally> = HashMap::new();
    let mut at = body_start;
    for (tally, length) in first_pass {
        tallied.insert((at, at + length), tally);
        at += length;
    }
    let rows = row_starts(path, body_start, end, blocks)?;
    let again: Vec<Option<Tally>> = rows
        .iter()
        .map(|range| tallied.remove(&(range.start, range.end)))
        .collect();
    let tallies = rows
        .par_iter()
        .zip(again)
        .map(|(range, kept)| match kept {
            Some(tally) => Ok(tally),
            None => read_range(path, range).map(|block| tally_block(&block)),
        })
        .collect::<std::io::Result<Vec<Tally>>>()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok((tallies, rows.iter().map(|range| range.start).collect()))
}

/// The blocks `blocks` (byte ranges of the body, in order) moved to where rows start, as the
/// csv reader reads the body from `body_start` on. Blocks that no row starts in are left
/// out: the row before runs on over them.
fn row_starts(
    path: &Path,
    body_start: u64,
    end: u64,
    blocks: &[Range<u64>],
) -> Result<Vec<Range<u64>>, String> {
    let name = path.display();
    let failed = |e: std::io::Error| format!("cannot read {name}: {e}");
    let mut file = File::open(path).map_err(failed)?;
    file.seek(SeekFrom::Start(body_start)).map_err(failed)?;
    let mut reader = dataframes_kit::rows_reader(BufReader::with_capacity(1 << 20, file));
    let mut record = csv::ByteRecord::new();
    let mut starts = vec![body_start];
    for block in blocks.iter().skip(1) {
        // The first row that starts at or after the block's first byte.
        loop {
            let at = body_start + reader.position().byte();
            if at >= block.start || at >= end {
                if at > *starts.last().unwrap_or(&body_start) && at < end {
                    starts.push(at);
                }
                break;
            }
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                // The rows are read again, and their errors counted, when the blocks are.
                Err(e) if e.is_io_error() => return Err(format!("cannot read {name}: {e}")),
                Err(_) => {}
            }
        }
    }
    let ends = starts.iter().skip(1).copied().chain([end]);
    Ok(starts
        .iter()
        .zip(ends)
        .map(|(&from, to)| from..to)
        .collect())
}

/// Reads exactly the bytes `range` of the file.
fn read_range(path: &Path, range: &Range<u64>) -> std::io::Result<Vec<u8>> {
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(range.start))?;
    let mut bytes = Vec::with_capacity((range.end - range.start) as usize);
    file.take(range.end - range.start).read_to_end(&mut bytes)?;
    Ok(bytes)
}
