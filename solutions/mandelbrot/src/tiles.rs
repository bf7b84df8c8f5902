//! 64 x 64 tiles, shared out by rayon's work stealing: a middle granularity between rows
//! and single points. A tile is small enough to balance well, and its points are close
//! together in memory and in cost.

use ndarray::parallel::prelude::*;
use ndarray::{Array2, ArrayViewMut2, Axis};
use num_complex::Complex64;

use crate::{axes, escape_time};

const TILE: usize = 64;

pub fn mandelbrot(h: usize, w: usize, maxit: u32) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    // The tiles, each with the row and column of its top left point.
    let tiles: Vec<(usize, usize, ArrayViewMut2<u32>)> = divtime
        .axis_chunks_iter_mut(Axis(0), TILE)
        .enumerate()
        .flat_map(|(band, rows)| {
            split_columns(rows, TILE)
                .into_iter()
                .enumerate()
                .map(move |(column, tile)| (band * TILE, column * TILE, tile))
        })
        .collect();
    tiles.into_par_iter().for_each(|(top, left, mut tile)| {
        for ((j, k), time) in tile.indexed_iter_mut() {
            *time = escape_time(Complex64::new(x[left + k], y[top + j]), maxit);
        }
    });
    divtime
}

/// Cuts a band of rows into pieces `width` columns wide (the last may be narrower).
fn split_columns(mut band: ArrayViewMut2<'_, u32>, width: usize) -> Vec<ArrayViewMut2<'_, u32>> {
    let mut pieces = Vec::new();
    while band.ncols() > width {
        let (piece, rest) = band.split_at(Axis(1), width);
        pieces.push(piece);
        band = rest;
    }
    pieces.push(band);
    pieces
}
