//! The same computation with the standard library only, to show what rayon does for you:
//! - the threads are started and joined here, on every call, not kept in a pool;
//! - the work is split here, up front: one block of chunks per thread. A thread that is
//!   slowed down (by another program, or a busy core) holds everyone up, because no
//!   thread can take work from another (rayon's work stealing);
//! - the results are kept in order here: each thread writes its own block of
//!   `partial_sums`.

use crate::{chunk_bounds, pi_chunk};

pub fn pi(n: u64, chunks: u64, threads: usize) -> f64 {
    let bounds = chunk_bounds(n, chunks);
    let mut partial_sums = vec![0.0; bounds.len()];
    let chunks_per_thread = bounds.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let blocks = partial_sums
            .chunks_mut(chunks_per_thread)
            .zip(bounds.chunks(chunks_per_thread));
        for (sums, block) in blocks {
            scope.spawn(move || {
                for (sum, &(lower, upper)) in sums.iter_mut().zip(block) {
                    *sum = pi_chunk(n, lower, upper);
                }
            });
        }
    });
    partial_sums.iter().sum()
}
