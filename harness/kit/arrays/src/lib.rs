//! The Arrays lesson's shared parts: how an n x n array is cut into chunks, each chunk's
//! own random-number generator, mutable views of the chunks, and the answer.
//!
//! The exercise and the solution must draw the very same numbers, whatever order the
//! chunks are computed in, so these live here, once.

use std::ops::Range;

use ndarray::{Array2, ArrayViewMut2, Axis};
use rand_core::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use workbook::json::object;
use workbook::{Params, ToAnswer, Value};

use workbook::digest::Digest;

/// One chunk of the array: its place in the chunk order and the rows and columns it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    pub index: usize,
    pub rows: Range<usize>,
    pub cols: Range<usize>,
}

/// The sizes the flags give: `--n`, `--chunk` and `--seed`.
pub fn sizes(params: &Params) -> (usize, usize, u64) {
    (
        params.count("n") as usize,
        params.count("chunk") as usize,
        params.count("seed"),
    )
}

/// The chunks of an n x n array cut into `size` x `size` blocks (smaller at the right and
/// bottom edges when `size` does not divide n), row of blocks after row of blocks, as
/// Dask numbers them.
pub fn chunk_grid(n: usize, size: usize) -> Vec<Chunk> {
    let starts: Vec<usize> = (0..n).step_by(size).collect();
    let span = |start: usize| start..(start + size).min(n);
    let mut chunks = Vec::with_capacity(starts.len() * starts.len());
    for &row in &starts {
        for &col in &starts {
            chunks.push(Chunk {
                index: chunks.len(),
                rows: span(row),
                cols: span(col),
            });
        }
    }
    chunks
}

/// The generator of one chunk: a stream of its own, fixed by the run's seed and the chunk's
/// index alone, so it does not matter which thread draws it, or when.
pub fn chunk_rng(seed: u64, chunk: &Chunk) -> Xoshiro256PlusPlus {
    // Each (seed, index) gives a different starting point; `seed_from_u64` spreads it over
    // the generator's 256 bits of state with SplitMix64, as xoshiro's authors advise.
    let start = seed.wrapping_add((chunk.index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
    Xoshiro256PlusPlus::seed_from_u64(start)
}

/// A uniform random number in [0, 1): the top 53 bits of a 64-bit draw, the whole
/// precision of an f64.
pub fn uniform(rng: &mut impl Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Mutable views of every chunk of `array` at once, in chunk order. The views do not
/// overlap, so they can be filled by different threads.
pub fn chunk_views(array: &mut Array2<f64>, size: usize) -> Vec<(Chunk, ArrayViewMut2<'_, f64>)> {
    let n = array.nrows();
    let grid = chunk_grid(n, size);
    let mut views = Vec::with_capacity(grid.len());
    let mut chunks = grid.into_iter();
    for band in array.axis_chunks_iter_mut(Axis(0), size) {
        let mut rest = band;
        while rest.ncols() > 0 {
            let width = size.min(rest.ncols());
            let (view, right) = rest.split_at(Axis(1), width);
            views.push((chunks.next().expect("one chunk per view"), view));
            rest = right;
        }
    }
    views
}

/// The answer: the sum of all n² numbers and the mean of every column (NumPy's
/// `x.mean(axis=0)`).
pub struct Summary {
    pub n: usize,
    pub sum: f64,
    pub column_means: Vec<f64>,
}

impl ToAnswer for Summary {
    /// The sum and the mean; the smallest and largest column mean; and a digest of every
    /// column mean, so that two equal answers mean n + 1 equal floating-point numbers.
    fn to_answer(&self) -> Result<Value, String> {
        let mut digest = Digest::default();
        self.column_means.iter().for_each(|m| digest.add_f64(*m));
        let lowest = self
            .column_means
            .iter()
            .copied()
            .fold(f64::INFINITY, f64::min);
        let highest = self
            .column_means
            .iter()
            .copied()
            .fold(f64::NEG_INFINITY, f64::max);
        Ok(object([
            ("sum", self.sum.into()),
            ("mean", (self.sum / (self.n as f64 * self.n as f64)).into()),
            ("column_mean_min", lowest.into()),
            ("column_mean_max", highest.into()),
            ("column_means_digest", digest.hex().into()),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_array_once_in_dask_order() {
        let grid = chunk_grid(5, 2);
        assert_eq!(grid.len(), 9);
        assert_eq!(
            grid[0],
            Chunk {
                index: 0,
                rows: 0..2,
                cols: 0..2
            }
        );
        assert_eq!(
            grid[2],
            Chunk {
                index: 2,
                rows: 0..2,
                cols: 4..5
            }
        );
        assert_eq!(
            grid[3],
            Chunk {
                index: 3,
                rows: 2..4,
                cols: 0..2
            }
        );
        assert_eq!(
            grid[8],
            Chunk {
                index: 8,
                rows: 4..5,
                cols: 4..5
            }
        );
        let cells: usize = grid.iter().map(|c| c.rows.len() * c.cols.len()).sum();
        assert_eq!(cells, 25);
        assert_eq!(chunk_grid(4, 10).len(), 1);
    }

    #[test]
    fn every_chunk_has_its_own_repeatable_stream() {
        let grid = chunk_grid(4, 2);
        let first = |seed, chunk: &Chunk| chunk_rng(seed, chunk).next_u64();
        assert_eq!(first(7, &grid[1]), first(7, &grid[1]));
        assert_ne!(first(7, &grid[1]), first(7, &grid[2]));
        assert_ne!(first(7, &grid[1]), first(8, &grid[1]));
        // Values pinned so that a change of generator or seeding cannot go unnoticed.
        let mut rng = chunk_rng(42, &grid[0]);
        let draws: Vec<f64> = (0..3).map(|_| uniform(&mut rng)).collect();
        assert!(draws.iter().all(|x| (0.0..1.0).contains(x)));
        assert_eq!(draws, PINNED_DRAWS);
    }

    /// The first three draws of chunk 0 at seed 42, worked out in Python from the published
    /// SplitMix64 and xoshiro256++ algorithms.
    const PINNED_DRAWS: [f64; 3] = [0.8143051451229099, 0.3188210400616611, 0.9838941681774888];

    #[test]
    fn views_match_the_grid() {
        let mut array = Array2::zeros((5, 5));
        for (chunk, mut view) in chunk_views(&mut array, 2) {
            assert_eq!(view.dim(), (chunk.rows.len(), chunk.cols.len()));
            view.fill(chunk.index as f64);
        }
        assert_eq!(array[[0, 0]], 0.0);
        assert_eq!(array[[0, 4]], 2.0);
        assert_eq!(array[[3, 1]], 3.0);
        assert_eq!(array[[4, 4]], 8.0);
    }

    #[test]
    fn the_answer_holds_the_sum_the_mean_and_every_column() {
        let summary = Summary {
            n: 2,
            sum: 2.0,
            column_means: vec![0.25, 0.75],
        };
        let Ok(Value::Map(fields)) = summary.to_answer() else {
            panic!("an answer");
        };
        assert_eq!(fields[1], ("mean".to_string(), Value::Float(0.5)));
        assert_eq!(
            fields[2],
            ("column_mean_min".to_string(), Value::Float(0.25))
        );
        let other = Summary {
            column_means: vec![0.75, 0.25],
            ..summary
        };
        assert_ne!(
            other.to_answer(),
            Summary {
                n: 2,
                sum: 2.0,
                column_means: vec![0.25, 0.75]
            }
            .to_answer()
        );
    }
}
