//! Pi by the midpoint rule: a parallel solution. Compare it with exercises/pi/src/main.rs:
//!
//!     diff exercises/pi/src/main.rs solutions/pi/src/main.rs
//!
//! The chunks are computed on rayon's thread pool (the `Client.map` idea). The chunks do not
//! depend on the number of threads and their sums are added in chunk order, so the answer
//! has the same bits as the serial starter's, on any number of threads.
//!
//! Other ways to do the same, chosen with --variant: `spawn` (one task per chunk, like
//! Dask's client.submit), `threads` (std::thread::scope, no rayon) and `lanes` (eight
//! independent sums per chunk, which the compiler can vectorise).

mod lanes;
mod spawn;
mod threads;

use rayon::prelude::*;
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
    // One partial sum per chunk, computed in parallel; `collect` keeps chunk order.
    let partial_sums: Vec<f64> = bounds
        .par_iter()
        .map(|&(lower, upper)| pi_chunk(n, lower, upper))
        .collect();
    // Added in chunk order: the same order gives the same bits.
    partial_sums.iter().sum()
}

fn main() {
    // The harness reads the flags (--n, --chunks, --threads, --variant, --repeat, --warmup, --json,
    // --help), sizes rayon's thread pool, times `pi` and prints the answer with the timings.
    Program::solution(&PI)
        .variant("spawn", |params| {
            spawn::pi(params.count("n"), params.count("chunks"))
        })
        .variant("threads", |params| {
            threads::pi(params.count("n"), params.count("chunks"), params.threads())
        })
        .variant("lanes", |params| {
            lanes::pi(params.count("n"), params.count("chunks"))
        })
        .run(|params| pi(params.count("n"), params.count("chunks")));
}
