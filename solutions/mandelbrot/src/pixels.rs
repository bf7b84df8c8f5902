//! Every point on its own: ndarray's parallel `Zip` lets rayon split the grid anywhere,
//! down to single points. Rayon splits only when a thread is idle, so this costs little
//! more than rows, however fine the grain.

use ndarray::{Array2, Zip};
use num_complex::Complex64;

use crate::{axes, escape_time};

pub fn mandelbrot(h: usize, w: usize, maxit: u32) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    Zip::indexed(&mut divtime).par_for_each(|(j, k), time| {
        *time = escape_time(Complex64::new(x[k], y[j]), maxit);
    });
    divtime
}
