//! The first challenge: a static split that balances. Like `strips`, the work is shared out
//! before it starts, one share per thread, and no thread can help another. But the rows are
//! dealt like cards, row j to thread j mod p, so that every thread gets rows from every part
//! of the picture: the dear rows through the set are spread evenly, as OpenMP's
//! `schedule(static, 1)` would spread them.

use ndarray::{Array2, ArrayViewMut1};
use num_complex::Complex64;

use crate::{axes, escape_time};

pub fn mandelbrot(h: usize, w: usize, maxit: u32, threads: usize) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    // One hand of rows per thread: row j goes to hand j % threads.
    let mut hands: Vec<Vec<(usize, ArrayViewMut1<u32>)>> =
        (0..threads).map(|_| Vec::new()).collect();
    for (j, row) in divtime.outer_iter_mut().enumerate() {
        hands[j % threads].push((j, row));
    }
    let (x, y) = (&x, &y);
    std::thread::scope(|scope| {
        for hand in hands {
            scope.spawn(move || {
                for (j, mut row) in hand {
                    for (k, time) in row.iter_mut().enumerate() {
                        *time = escape_time(Complex64::new(x[k], y[j]), maxit);
                    }
                }
            });
        }
    });
    divtime
}
