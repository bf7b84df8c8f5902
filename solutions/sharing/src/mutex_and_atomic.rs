//! One table that every thread adds to: right answers, at a cost (lessons/sharing.md, steps
//! 3 and 4).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use sharing_kit::{BINS, Histogram, bin};

// ANCHOR: mutex
/// One table behind a lock: a thread holds it for every count it adds, and the others wait.
pub fn with_mutex(n: u64) -> Histogram {
    let counts = Mutex::new(vec![0u64; BINS]);
    (0..n).into_par_iter().for_each(|index| {
        let bin = bin(index);
        // A thread that panicked while holding the lock cannot have left a count half-added.
        let mut counts = counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        counts[bin] += 1;
    });
    Histogram(
        counts
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner()),
    )
}
// ANCHOR_END: mutex

/// One table of atomic counters: each count is one indivisible add, with no lock.
pub fn with_atomics(n: u64) -> Histogram {
    let counts: Vec<AtomicU64> = (0..BINS).map(|_| AtomicU64::new(0)).collect();
    (0..n).into_par_iter().for_each(|index| {
        // Relaxed: each add is whole, and nothing else is read or written in step with
        // it. The totals are read after rayon's join, which orders everything before it.
        counts[bin(index)].fetch_add(1, Ordering::Relaxed);
    });
    Histogram(counts.into_iter().map(AtomicU64::into_inner).collect())
}
