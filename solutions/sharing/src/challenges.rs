//! The lesson's two challenges.
//!
//! `scoped`: no rayon and nothing shared. `std::thread::scope` starts one thread per block of
//! the numbers; each counts into a table it owns and *returns* it. Joining the threads in
//! order hands the tables back, and they are added up. A scoped thread may borrow from the
//! function that started it, because the scope waits for every thread before it returns.
//!
//! `batched`: the shared atomic table of step 4, fought over less. Each rayon task counts a
//! chunk of numbers into a small table of its own, then adds that table to the shared one:
//! one `fetch_add` per bin per chunk instead of one per number.

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use sharing_kit::{BINS, Histogram, bin};

/// Numbers a task counts locally before it adds them to the shared table.
const CHUNK: u64 = 1 << 16;

// ANCHOR: scoped
pub fn scoped(n: u64, threads: usize) -> Histogram {
    let threads = threads.max(1) as u64;
    let tables: Vec<Vec<u64>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    let mut counts = vec![0u64; BINS];
                    for index in n * t / threads..n * (t + 1) / threads {
                        counts[bin(index)] += 1;
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut total = vec![0u64; BINS];
    for table in tables {
        total.iter_mut().zip(table).for_each(|(a, b)| *a += b);
    }
    Histogram(total)
}
// ANCHOR_END: scoped

// ANCHOR: batched
pub fn batched(n: u64) -> Histogram {
    let counts: Vec<AtomicU64> = (0..BINS).map(|_| AtomicU64::new(0)).collect();
    (0..n.div_ceil(CHUNK)).into_par_iter().for_each(|chunk| {
        let mut local = [0u64; BINS];
        for index in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
            local[bin(index)] += 1;
        }
        for (shared, &mine) in counts.iter().zip(&local) {
            if mine > 0 {
                shared.fetch_add(mine, Ordering::Relaxed);
            }
        }
    });
    Histogram(counts.into_iter().map(AtomicU64::into_inner).collect())
}
// ANCHOR_END: batched
