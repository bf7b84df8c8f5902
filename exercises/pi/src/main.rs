//! Pi by the midpoint rule: the serial starter. Read lessons/pi.md first.
//!
//!     cargo run --release --bin pi                   run it
//!     cargo run --release --bin workbook -- check pi  is my parallel version right and faster?
//!
//! pi is the area under 4 / (1 + x^2) for x from 0 to 1. Cut [0, 1] into n slices of width
//! 1/n and add up the area of each slice's midpoint rectangle. The slices are independent,
//! so the sum can be split into chunks that are computed at the same time. This program
//! already splits it into chunks; it computes them one after another. Your task: compute
//! the chunks in parallel, and get exactly the same answer.

use workbook::{Program, registry::PI};

/// The midpoint rule over slices `lower..upper` of `n`: the source material's `pi_chunk`.
/// Each slice's term is written exactly as there, so that its digits match.
fn pi_chunk(n: u64, lower: u64, upper: u64) -> f64 {
    let step = 1.0 / n as f64;
    let mut sum = 0.0;
    // The midpoint of slice i is i + 0.5, one slice further each time round. Whole numbers
    // plus a half are exact in an f64, so stepping it adds no rounding error.
    let mut mid = lower as f64 + 0.5;
    for _ in lower..upper {
        sum += 4.0 / (1.0 + mid * mid * step * step);
        mid += 1.0;
    }
    step * sum
}

/// Splits the slices `0..n` into `chunks` ranges of (nearly) equal length.
/// The split depends on n and chunks only, never on the number of threads.
/// (n * chunks stays below 2^64 within the limits the flags allow: n <= 10^12, chunks <= 10^6.)
fn chunk_bounds(n: u64, chunks: u64) -> Vec<(u64, u64)> {
    (0..chunks)
        .map(|c| (n * c / chunks, n * (c + 1) / chunks))
        .collect()
}

/// pi from `n` slices in `chunks` chunks.
fn pi(n: u64, chunks: u64) -> f64 {
    let bounds = chunk_bounds(n, chunks);
    // One partial sum per chunk, computed one after another.
    let partial_sums: Vec<f64> = bounds
        .iter()
        .map(|&(lower, upper)| pi_chunk(n, lower, upper))
        .collect();
    // Added in chunk order: the same order gives the same bits.
    partial_sums.iter().sum()
}

fn main() {
    // The harness reads the flags (--n, --chunks, --threads, --repeat, --warmup, --json, --help),
    // sizes rayon's thread pool, times `pi` and prints the answer with the timings.
    Program::exercise(&PI).run(|params| pi(params.count("n"), params.count("chunks")));
}
