//! Chunked arrays: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/arrays/src/main.rs solutions/arrays/src/main.rs
//!
//! The chunks are drawn and reduced on rayon's thread pool, and stored chunks are filled in
//! parallel too. Each chunk has its own generator, so it draws the same numbers on any
//! thread, and the partial results are combined in chunk order, so the sum has the same
//! bits as the starter's on any number of threads.

mod bands;
mod fast;
mod fused;

use arrays_kit::{Chunk, Summary, chunk_grid, chunk_rng, chunk_views, sizes, uniform};
use ndarray::{Array2, ArrayView2, ArrayViewMut2, s};
use rayon::prelude::*;
use workbook::{Params, Program, registry::ARRAYS};

/// What one chunk contributes: the sum of each of its columns.
struct Partial {
    column_sums: Vec<f64>,
}

impl Partial {
    fn new(width: usize) -> Partial {
        Partial {
            column_sums: vec![0.0; width],
        }
    }

    /// Adds one row of the chunk, each number to its column's sum.
    fn add_row(&mut self, row: impl Iterator<Item = f64>) {
        for (column_sum, value) in self.column_sums.iter_mut().zip(row) {
            *column_sum += value;
        }
    }

    /// The chunk's sum: its column sums, added left to right. (One running total for the
    /// whole chunk would make every addition wait for the one before.)
    fn sum(&self) -> f64 {
        self.column_sums.iter().sum()
    }
}

/// Draws one chunk's numbers, row after row, and reduces them as they come: nothing is
/// stored.
fn reduce_chunk(seed: u64, chunk: &Chunk) -> Partial {
    let mut rng = chunk_rng(seed, chunk);
    let mut partial = Partial::new(chunk.cols.len());
    for _ in chunk.rows.clone() {
        partial.add_row(chunk.cols.clone().map(|_| uniform(&mut rng)));
    }
    partial
}

/// Reduces a chunk that is already in memory: the same numbers, added in the same order,
/// so the same partial result as `reduce_chunk`.
fn reduce_stored(view: ArrayView2<f64>) -> Partial {
    let mut partial = Partial::new(view.ncols());
    for row in view.rows() {
        partial.add_row(row.iter().copied());
    }
    partial
}

/// Fills one chunk of a stored array with that chunk's numbers.
fn fill_chunk(seed: u64, chunk: &Chunk, mut view: ArrayViewMut2<f64>) {
    let mut rng = chunk_rng(seed, chunk);
    for value in view.iter_mut() {
        *value = uniform(&mut rng);
    }
}

/// Combines the partial results in chunk order, so the answer has the same bits whatever
/// order the chunks were computed in.
fn combine(n: usize, chunks: &[Chunk], partials: &[Partial]) -> Summary {
    let mut sum = 0.0;
    let mut column_sums = vec![0.0; n];
    for (chunk, partial) in chunks.iter().zip(partials) {
        sum += partial.sum();
        for (total, part) in column_sums[chunk.cols.clone()]
            .iter_mut()
            .zip(&partial.column_sums)
        {
            *total += part;
        }
    }
    let column_means = column_sums.iter().map(|total| total / n as f64).collect();
    Summary {
        n,
        sum,
        column_means,
    }
}

/// Lazily, like Dask's `x.sum().compute()`: each chunk is drawn, reduced and forgotten.
fn stream(n: usize, size: usize, seed: u64) -> Summary {
    let chunks = chunk_grid(n, size);
    // Chunks in parallel; `collect` keeps them in chunk order.
    let partials: Vec<Partial> = chunks
        .par_iter()
        .map(|chunk| reduce_chunk(seed, chunk))
        .collect();
    combine(n, &chunks, &partials)
}

/// Eagerly, like Dask's `x.persist()`: the whole array is stored first (8 n² bytes), then
/// reduced chunk by chunk.
fn materialize(n: usize, size: usize, seed: u64) -> Summary {
    let mut array = Array2::zeros((n, n));
    // Chunks in parallel: the views do not overlap, so each is filled by one thread.
    chunk_views(&mut array, size)
        .into_par_iter()
        .for_each(|(chunk, view)| fill_chunk(seed, &chunk, view));
    let chunks = chunk_grid(n, size);
    let partials: Vec<Partial> = chunks
        .par_iter()
        .map(|chunk| reduce_stored(array.slice(s![chunk.rows.clone(), chunk.cols.clone()])))
        .collect();
    combine(n, &chunks, &partials)
}

/// The flags' sizes, then the lazy or the stored version, as `--materialize` says.
fn summary(params: &Params) -> Summary {
    let (n, size, seed) = sizes(params);
    if params.switch("materialize") {
        materialize(n, size, seed)
    } else {
        stream(n, size, seed)
    }
}

fn main() {
    // The harness reads the flags (--n, --chunk, --seed, --materialize, --threads, --variant,
    // --repeat, --warmup, --json, --help), sizes rayon's thread pool and times the reduction.
    Program::solution(&ARRAYS)
        .variant("bands", bands::run)
        .variant("fused", fused::run)
        .variant("fast", fast::run)
        .run(summary);
}
