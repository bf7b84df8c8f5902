//! The Mandelbrot set: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/mandelbrot/src/main.rs solutions/mandelbrot/src/main.rs
//!
//! One change: the rows are computed in parallel, handed out by rayon's work stealing, so a
//! thread that finishes its cheap rows takes more while others are still on expensive ones.
//! The picture is the same, bit for bit, on any number of threads.
//!
//! Other ways to share out the work, chosen with --variant: `strips` (a static split, one
//! vertical strip per thread), `dealt` (rows dealt out like cards, the lesson's first
//! challenge), `tiles` (64 x 64 tiles), `pixels` (every point on its own) and `full` (no
//! early exit: every point runs all maxit iterations, as in NumPy). `modulus` (the second
//! challenge) is `rows` with a cheaper test that gives the same verdict.

mod dealt;
mod fast;
mod full;
mod modulus;
mod pixels;
mod rows;
mod strips;
mod tiles;

use mandelbrot_kit::Divtime;
use ndarray::parallel::prelude::*;
use ndarray::{Array1, Array2};
use num_complex::Complex64;
use workbook::{Params, Program, registry::MANDELBROT};

/// Once |z| is past this radius, z runs off to infinity.
const R: f64 = 2.0;

/// `num` evenly spaced numbers from `start` to `stop`, worked out as NumPy's `linspace`
/// does (i * step + start, and the last one exactly `stop`), so that the grid is the
/// source material's to the last bit.
fn linspace(start: f64, stop: f64, num: usize) -> Array1<f64> {
    let step = (stop - start) / (num - 1) as f64;
    Array1::from_shape_fn(num, |i| {
        if i == num - 1 {
            stop
        } else {
            i as f64 * step + start
        }
    })
}

/// The grid's coordinates: 4h+1 values of x from -2.5 to 1.5, and 3w+1 values of y from
/// -1.5 to 1.5. (The source material calls the result an image of size (h, w); it is
/// (3w+1) x (4h+1).)
fn axes(h: usize, w: usize) -> (Array1<f64>, Array1<f64>) {
    (
        linspace(-2.5, 1.5, 4 * h + 1),
        linspace(-1.5, 1.5, 3 * w + 1),
    )
}

/// The first iteration at which |z| > R, or `maxit` if z stays inside the circle.
fn escape_time(c: Complex64, maxit: u32) -> u32 {
    let mut z = Complex64::new(0.0, 0.0);
    for i in 0..maxit {
        z = z * z + c;
        // norm() is |z|, worked out by hypot(re, im) just as NumPy's abs(z) is.
        if z.norm() > R {
            return i;
        }
    }
    maxit
}

/// The source material's `mandelbrot(h, w, maxit)`: the divergence time of every point.
/// Row j holds the points whose imaginary part is y[j]; column k those whose real part
/// is x[k].
fn mandelbrot(h: usize, w: usize, maxit: u32) -> Array2<u32> {
    let (x, y) = axes(h, w);
    let mut divtime = Array2::zeros((y.len(), x.len()));
    // Rows in parallel: each row is written by one thread only.
    divtime
        .outer_iter_mut()
        .into_par_iter()
        .enumerate()
        .for_each(|(j, mut row)| {
            for (k, time) in row.iter_mut().enumerate() {
                *time = escape_time(Complex64::new(x[k], y[j]), maxit);
            }
        });
    divtime
}

/// Runs `compute` on the sizes the flags give, and wraps the result for the harness.
fn run_with(params: &Params, compute: impl Fn(usize, usize, u32) -> Array2<u32>) -> Divtime {
    let maxit = params.count("maxit") as u32;
    let (h, w) = (params.count("h") as usize, params.count("w") as usize);
    Divtime {
        times: compute(h, w, maxit),
        maxit,
    }
}

fn main() {
    // The harness reads the flags (--h, --w, --maxit, --output, --costs, --threads, --variant,
    // --repeat, --warmup, --json, --help), sizes rayon's thread pool and times `mandelbrot`. Once
    // the timed runs are done, `finish` writes the last picture.
    Program::solution(&MANDELBROT)
        .variant("strips", |params| {
            run_with(params, |h, w, maxit| {
                strips::mandelbrot(h, w, maxit, params.threads())
            })
        })
        .variant("dealt", |params| {
            run_with(params, |h, w, maxit| {
                dealt::mandelbrot(h, w, maxit, params.threads())
            })
        })
        .variant("tiles", |params| run_with(params, tiles::mandelbrot))
        .variant("pixels", |params| run_with(params, pixels::mandelbrot))
        .variant("full", |params| run_with(params, full::mandelbrot))
        .variant("modulus", |params| run_with(params, modulus::mandelbrot))
        .variant("fast", |params| run_with(params, fast::mandelbrot))
        .finish(|params, divtime: &Divtime| {
            let mut note = divtime.save_png(&params.path("output"))?;
            if params.switch("costs") {
                note.push_str(&divtime.costs());
            }
            Ok(note)
        })
        .run(|params| run_with(params, mandelbrot));
}
