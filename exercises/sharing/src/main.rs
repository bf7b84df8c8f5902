//! Sharing results between threads: the serial starter. Read lessons/sharing.md first.
//!
//!     cargo run --release --bin sharing                    run it
//!     cargo run --release --bin workbook -- check sharing  is my parallel version right and faster?
//!
//! Count the first two digits of n numbers: how many start with 10, with 11, ..., with 99.
//! Every number is independent of the others, so they can be looked at on many threads at
//! once. The hard part is the table of counts that every number adds to. Your task: count
//! in parallel, and get exactly the same table on any number of threads.

use sharing_kit::{BINS, Histogram, bin};
use workbook::{Program, registry::SHARING};

// ANCHOR: histogram
/// The first two digits of numbers `0..n`, counted.
fn histogram(n: u64) -> Histogram {
    let mut counts = vec![0u64; BINS];
    // One table, one count added for each number.
    (0..n).for_each(|index| counts[bin(index)] += 1);
    Histogram(counts)
}
// ANCHOR_END: histogram

fn main() {
    // The harness reads the flags (--n, --threads, --repeat, --warmup, --json, --help), sizes
    // rayon's thread pool, times `histogram` and prints the answer with the timings.
    Program::exercise(&SHARING).run(|params| histogram(params.count("n")));
}
