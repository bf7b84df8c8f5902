//! A static split: the grid is cut into one vertical strip of equal width per thread
//! before any work starts, and each thread computes its own strip, as `#pragma omp
//! parallel for schedule(static)` would in C. No thread can help another.
//!
//! Strips of equal width are not strips of equal work. The points inside the set cost
//! `maxit` iterations each and most points outside cost a few, and the set is not spread
//! evenly along x: the strip holding the main cardioid does most of the work while the
//! others wait. Rows would not show it on two threads: the set is symmetric about y = 0,
//! so the top and bottom halves cost the same.

use ndarray::{Array2, Axis};
use num_complex::Complex64;

use crate::{axes, escape_time};

pub fn mandelbrot(h: usize, w: usize, maxit: u32, threads: usize) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    let width = x.len().div_ceil(threads);
    let (x, y) = (&x, &y);
    std::thread::scope(|scope| {
        for (s, mut strip) in divtime.axis_chunks_iter_mut(Axis(1), width).enumerate() {
            scope.spawn(move || {
                let first = s * width;
                for ((j, k), time) in strip.indexed_iter_mut() {
                    *time = escape_time(Complex64::new(x[first + k], y[j]), maxit);
                }
            });
        }
    });
    divtime
}
