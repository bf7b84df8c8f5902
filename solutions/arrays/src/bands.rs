//! The first challenge: partial results that stay small. The default keeps every chunk's
//! column sums until the end, chunk x chunk numbers per band of chunks: n² / chunk numbers in
//! all, 800 MB at n = 100,000 with chunks of 100. Here one task takes a whole band of
//! columns, top to bottom, and adds its chunks' column sums as it goes, so the partial
//! results are n numbers in all.
//!
//! Same bits: each column's sum is still added chunk after chunk from the top, as `combine`
//! adds it, and the chunks' own sums are kept (one number each) and added in chunk order.

use arrays_kit::{Summary, chunk_grid, sizes};
use rayon::prelude::*;

use workbook::Params;

use crate::reduce_chunk;

/// The variant: bands of columns when streaming; a stored array is reduced as by default.
pub fn run(params: &Params) -> Summary {
    let (n, size, seed) = sizes(params);
    if params.switch("materialize") {
        crate::materialize(n, size, seed)
    } else {
        stream(n, size, seed)
    }
}

fn stream(n: usize, size: usize, seed: u64) -> Summary {
    let chunks = chunk_grid(n, size);
    let bands = n.div_ceil(size);
    // Band b is the column of chunks b, b + bands, b + 2 bands, ... from the top.
    let results: Vec<(Vec<f64>, Vec<f64>)> = (0..bands)
        .into_par_iter()
        .map(|band| {
            let mut column_sums = Vec::new();
            let mut chunk_sums = Vec::with_capacity(bands);
            for chunk in chunks.iter().skip(band).step_by(bands) {
                let partial = reduce_chunk(seed, chunk);
                chunk_sums.push(partial.sum());
                column_sums.resize(partial.column_sums.len(), 0.0);
                for (total, part) in column_sums.iter_mut().zip(&partial.column_sums) {
                    *total += part;
                }
            }
            (column_sums, chunk_sums)
        })
        .collect();
    // The chunks' sums in chunk order: row of chunks by row, band by band within a row.
    let mut sum = 0.0;
    for row in 0..bands {
        for (_, chunk_sums) in &results {
            sum += chunk_sums[row];
        }
    }
    let column_means = results
        .iter()
        .flat_map(|(column_sums, _)| column_sums.iter().map(|total| total / n as f64))
        .collect();
    Summary {
        n,
        sum,
        column_means,
    }
}
