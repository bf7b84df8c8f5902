//! One rayon task per chunk: the nearest Rust relative of submitting every chunk to Dask
//! with `client.submit`. Each task costs an allocation and a trip through a work queue,
//! however small its chunk; `--chunks 1000000` makes that cost visible.
//!
//! The parallel iterator in main.rs does not make a task per chunk: it splits the list of
//! chunks only as often as idle threads ask for work, so a million tiny chunks cost it
//! little more than a thousand.

use crate::{chunk_bounds, pi_chunk};

// ANCHOR: spawn
pub fn pi(n: u64, chunks: u64) -> f64 {
    let bounds = chunk_bounds(n, chunks);
    let mut partial_sums = vec![0.0; bounds.len()];
    rayon::scope(|scope| {
        for (sum, &(lower, upper)) in partial_sums.iter_mut().zip(&bounds) {
            // Each task writes its own slot, so the sums stay in chunk order.
            scope.spawn(move |_| *sum = pi_chunk(n, lower, upper));
        }
    });
    partial_sums.iter().sum()
}
// ANCHOR_END: spawn
