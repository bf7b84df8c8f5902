//! Sharing results between threads: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/sharing/src/main.rs solutions/sharing/src/main.rs
//!
//! Each of rayon's tasks counts its own numbers into its own table (`fold`), and the tables
//! are added together at the end (`reduce`). No table is ever shared while counting, so
//! there is nothing to lock and nothing to wait for. Whole numbers add up to the same total
//! in any order: the table is the starter's, bit for bit, on any number of threads.
//!
//! The other ways the lesson measures, chosen with --variant: `mutex` (one table behind a
//! lock), `atomic` (one table of atomic counters), and `interleaved` and `padded` (a table
//! per thread, side by side in memory or each on cache lines of its own); and the lesson's
//! challenges, `scoped` (threads that return their tables) and `batched` (atomics added to
//! once per chunk).

mod challenges;
mod mutex_and_atomic;
mod per_thread;

use rayon::prelude::*;
use sharing_kit::{BINS, Histogram, bin};
use workbook::{Program, registry::SHARING};

// ANCHOR: histogram
/// The first two digits of numbers `0..n`, counted.
fn histogram(n: u64) -> Histogram {
    // A table per task, counted in parallel, then the tables added up.
    let counts = (0..n)
        .into_par_iter()
        .fold(
            || vec![0u64; BINS],
            |mut counts, index| {
                counts[bin(index)] += 1;
                counts
            },
        )
        .reduce(|| vec![0u64; BINS], add_tables);
    Histogram(counts)
}
// ANCHOR_END: histogram

/// `a` plus `b`, bin by bin.
fn add_tables(mut a: Vec<u64>, b: Vec<u64>) -> Vec<u64> {
    a.iter_mut().zip(b).for_each(|(a, b)| *a += b);
    a
}

fn main() {
    // The harness reads the flags (--n, --threads, --variant, --repeat, --warmup, --json, --help),
    // sizes rayon's thread pool, times `histogram` and prints the answer with the timings.
    Program::solution(&SHARING)
        .variant("mutex", |params| {
            mutex_and_atomic::with_mutex(params.count("n"))
        })
        .variant("atomic", |params| {
            mutex_and_atomic::with_atomics(params.count("n"))
        })
        .variant("interleaved", |params| {
            per_thread::interleaved(params.count("n"), params.threads())
        })
        .variant("padded", |params| {
            per_thread::padded(params.count("n"), params.threads())
        })
        .variant("scoped", |params| {
            challenges::scoped(params.count("n"), params.threads())
        })
        .variant("batched", |params| challenges::batched(params.count("n")))
        .run(|params| histogram(params.count("n")));
}
