//! A table per thread, in one block of memory: false sharing (lessons/sharing.md, step 6).
//!
//! Each thread counts a contiguous block of the numbers into its own table, so every counter
//! has one writer. Two layouts of the same tables:
//! - `interleaved`: bin by bin, the threads' counters side by side (bin 0 of thread 0, bin 0
//!   of thread 1, ...). Counters of different threads share cache lines, and each write by
//!   one thread takes the line away from the others.
//! - `padded`: each thread's table on cache lines of its own.
//!
//! The counters are atomics only so that threads may hold them at once without `unsafe`:
//! with one writer each, a plain load and store (no locked add) is right, and it is the
//! same work in both layouts.

use std::sync::atomic::{AtomicU64, Ordering};

use sharing_kit::{BINS, Histogram, bin};

/// Adds one to a counter that only this thread writes.
fn bump(counter: &AtomicU64) {
    counter.store(counter.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
}

/// Numbers `0..n` in `threads` contiguous blocks: block `t`'s range.
fn block(n: u64, threads: usize, t: usize) -> std::ops::Range<u64> {
    let threads = threads as u64;
    let t = t as u64;
    n * t / threads..n * (t + 1) / threads
}

pub fn interleaved(n: u64, threads: usize) -> Histogram {
    let threads = threads.max(1);
    // Counter of bin b for thread t at b * threads + t.
    let counters: Vec<AtomicU64> = (0..BINS * threads).map(|_| AtomicU64::new(0)).collect();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let counters = &counters;
            scope.spawn(move || {
                for index in block(n, threads, t) {
                    bump(&counters[bin(index) * threads + t]);
                }
            });
        }
    });
    let counts = (0..BINS)
        .map(|b| {
            (0..threads)
                .map(|t| counters[b * threads + t].load(Ordering::Relaxed))
                .sum()
        })
        .collect();
    Histogram(counts)
}

/// One thread's table, starting on a cache line (64 bytes on x86-64 and most Arm cores) and
/// padded to a whole number of them, so that no two threads' counters share a line.
#[repr(align(64))]
struct Table([AtomicU64; BINS]);

pub fn padded(n: u64, threads: usize) -> Histogram {
    let threads = threads.max(1);
    let tables: Vec<Table> = (0..threads)
        .map(|_| Table(std::array::from_fn(|_| AtomicU64::new(0))))
        .collect();
    std::thread::scope(|scope| {
        for (t, table) in tables.iter().enumerate() {
            scope.spawn(move || {
                for index in block(n, threads, t) {
                    bump(&table.0[bin(index)]);
                }
            });
        }
    });
    let counts = (0..BINS)
        .map(|b| {
            tables
                .iter()
                .map(|table| table.0[b].load(Ordering::Relaxed))
                .sum()
        })
        .collect();
    Histogram(counts)
}
