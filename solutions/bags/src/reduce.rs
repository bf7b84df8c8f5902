//! The first challenge: merge the partials as they come, with rayon's `reduce`, instead of
//! collecting them all first. `reduce` only ever merges a piece with the piece right after
//! it, so it needs a merge that is associative ((a + b) + c = a + (b + c)), not one that is
//! commutative: `Partial::merge` keeps `take(3)` and the skipped lines in order, and the
//! answer is still exactly the starter's.

use std::path::Path;

use bags_kit::{Partial, lines, partitions};
use rayon::prelude::*;

use crate::process_partition;

// ANCHOR: reduce
pub fn read_people(path: &Path, npartitions: usize) -> Result<Partial, String> {
    let text = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let lines = lines(&text);
    Ok(partitions(lines.len(), npartitions)
        .into_par_iter()
        .map(|range| process_partition(&lines[range.clone()], range.start as u64 + 1))
        .reduce(Partial::default, Partial::merge))
}
// ANCHOR_END: reduce
