//! The second challenge, for `--materialize`: one pass over memory instead of two. The
//! default fills the whole stored array, then reads it all back to reduce it: with an
//! 800 MB array, every number goes out to memory and comes back. Here each task fills its
//! chunk and reduces it straight away, while the chunk (8 MB at the default size) is still
//! in the caches as far as they reach. The same numbers are added in the same order: the
//! same bits.

use arrays_kit::{Summary, chunk_grid, chunk_views, sizes};
use ndarray::Array2;
use rayon::prelude::*;

use workbook::Params;

use crate::{Partial, combine, fill_chunk, reduce_stored};

/// The variant: one pass with `--materialize`; streaming is as by default.
pub fn run(params: &Params) -> Summary {
    let (n, size, seed) = sizes(params);
    if params.switch("materialize") {
        materialize(n, size, seed)
    } else {
        crate::stream(n, size, seed)
    }
}

fn materialize(n: usize, size: usize, seed: u64) -> Summary {
    let mut array = Array2::zeros((n, n));
    // chunk_views gives the chunks in chunk order, as chunk_grid does.
    let partials: Vec<Partial> = chunk_views(&mut array, size)
        .into_par_iter()
        .map(|(chunk, mut view)| {
            fill_chunk(seed, &chunk, view.view_mut());
            reduce_stored(view.view())
        })
        .collect();
    combine(n, &chunk_grid(n, size), &partials)
}
