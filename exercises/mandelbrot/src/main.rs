//! The Mandelbrot set: the serial starter. Read lessons/mandelbrot.md first.
//!
//!     cargo run --release --bin mandelbrot                    run it (writes mandelbrot.png)
//!     cargo run --release --bin workbook -- check mandelbrot  is my parallel version right?
//!
//! A point c of the complex plane is in the Mandelbrot set when z -> z * z + c, starting
//! from z = 0, stays small for ever. For every point of a grid this program counts the
//! steps z takes to leave the circle |z| = 2 (its divergence time), exactly as the source
//! material's NumPy code does, and draws the counts as a picture. No point depends on any
//! other: your task is to compute them in parallel.

use mandelbrot_kit::Divtime;
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
    // One row after another.
    for (j, mut row) in divtime.outer_iter_mut().enumerate() {
        for (k, time) in row.iter_mut().enumerate() {
            *time = escape_time(Complex64::new(x[k], y[j]), maxit);
        }
    }
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
    // The harness reads the flags (--h, --w, --maxit, --output, --costs, --threads, --repeat,
    // --warmup, --json, --help), sizes rayon's thread pool and times `mandelbrot`. Once the timed
    // runs are done, `finish` writes the last picture.
    Program::exercise(&MANDELBROT)
        .finish(|params, divtime: &Divtime| {
            let mut note = divtime.save_png(&params.path("output"))?;
            if params.switch("costs") {
                note.push_str(&divtime.costs());
            }
            Ok(note)
        })
        .run(|params| run_with(params, mandelbrot));
}
