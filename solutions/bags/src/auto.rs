//! The second challenge: the solution picks `--npartitions` itself, by the rule the lesson's
//! sweep suggests. Enough partitions for the threads to balance (four a thread), and no
//! fewer than one per megabyte of text, so that a big file's partitions stay small enough to
//! share out late in the run; never one per handful of records, whose `Partial`s would cost
//! more than the records.

use std::path::Path;

use bags_kit::Partial;

/// Bytes of text a partition should hold, at most, before the file gets more partitions.
const PARTITION_BYTES: u64 = 1 << 20;

/// The number of partitions for a file of `bytes` on `threads` threads.
pub fn npartitions(bytes: u64, threads: usize) -> usize {
    let for_balance = 4 * threads;
    let for_size = bytes.div_ceil(PARTITION_BYTES) as usize;
    for_balance.max(for_size)
}

pub fn read_people(path: &Path, threads: usize) -> Result<Partial, String> {
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?
        .len();
    crate::read_people(path, npartitions(bytes, threads))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_files_get_four_partitions_a_thread_and_big_ones_one_a_megabyte() {
        assert_eq!(npartitions(1_700_000, 2), 8);
        assert_eq!(npartitions(180_000_000, 2), 172);
        assert_eq!(npartitions(0, 1), 4);
    }
}
