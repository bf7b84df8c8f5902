//! The rows in parallel, as in `rows`, with the escape time given: for the variants that
//! change only how a point is computed (`full`, `modulus`).

use ndarray::Array2;
use ndarray::parallel::prelude::*;
use num_complex::Complex64;

use crate::axes;

pub fn rows_with(h: usize, w: usize, maxit: u32, escape: fn(Complex64, u32) -> u32) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    divtime
        .outer_iter_mut()
        .into_par_iter()
        .enumerate()
        .for_each(|(j, mut row)| {
            for (k, time) in row.iter_mut().enumerate() {
                *time = escape(Complex64::new(x[k], y[j]), maxit);
            }
        });
    divtime
}
