//! What the Ranks lesson's starter and solution share: the two problems of the earlier
//! lessons, cut into pieces a rank can compute on its own (Pi's chunks, Mandelbrot's rows),
//! and the answer. The code of each piece is the Pi and Mandelbrot starters' own, so that
//! the answers are theirs to the last bit (tests/ranks.rs compares them).

use mandelbrot_kit::Divtime;
use ndarray::Array2;
use num_complex::Complex64;
use workbook::json::object;
use workbook::{Params, ToAnswer, Value};

/// The midpoint rule over slices `lower..upper` of `n`, as in exercises/pi.
pub fn pi_chunk(n: u64, lower: u64, upper: u64) -> f64 {
    let step = 1.0 / n as f64;
    let mut sum = 0.0;
    let mut mid = lower as f64 + 0.5;
    for _ in lower..upper {
        sum += 4.0 / (1.0 + mid * mid * step * step);
        mid += 1.0;
    }
    step * sum
}

/// Splits the slices `0..n` into `chunks` ranges of (nearly) equal length, as in
/// exercises/pi: the split depends on n and chunks only.
pub fn chunk_bounds(n: u64, chunks: u64) -> Vec<(u64, u64)> {
    (0..chunks)
        .map(|c| (n * c / chunks, n * (c + 1) / chunks))
        .collect()
}

/// The Mandelbrot lesson's grid: 3w+1 rows of 4h+1 points, and the iteration limit.
pub struct Grid {
    x: Vec<f64>,
    y: Vec<f64>,
    maxit: u32,
}

impl Grid {
    pub fn new(h: usize, w: usize, maxit: u32) -> Grid {
        Grid {
            x: linspace(-2.5, 1.5, 4 * h + 1),
            y: linspace(-1.5, 1.5, 3 * w + 1),
            maxit,
        }
    }

    /// The grid of `--h`, `--w` and `--maxit`.
    pub fn from_params(params: &Params) -> Grid {
        let (h, w) = (params.count("h") as usize, params.count("w") as usize);
        Grid::new(h, w, params.count("maxit") as u32)
    }

    pub fn rows(&self) -> usize {
        self.y.len()
    }

    pub fn cols(&self) -> usize {
        self.x.len()
    }

    /// Writes the divergence times of row `j`, left to right, into `row` (`cols()` long).
    pub fn fill_row(&self, j: usize, row: &mut [u32]) {
        let y = self.y[j];
        for (time, &x) in row.iter_mut().zip(&self.x) {
            *time = escape_time(Complex64::new(x, y), self.maxit);
        }
    }
}

/// `num` evenly spaced numbers as NumPy's `linspace` works them out (exercises/mandelbrot).
fn linspace(start: f64, stop: f64, num: usize) -> Vec<f64> {
    let step = (stop - start) / (num - 1) as f64;
    (0..num)
        .map(|i| {
            if i == num - 1 {
                stop
            } else {
                i as f64 * step + start
            }
        })
        .collect()
}

/// The first iteration at which |z| > 2, or `maxit` (exercises/mandelbrot).
fn escape_time(c: Complex64, maxit: u32) -> u32 {
    let mut z = Complex64::new(0.0, 0.0);
    for i in 0..maxit {
        z = z * z + c;
        if z.norm() > 2.0 {
            return i;
        }
    }
    maxit
}

/// A run's result: on rank 0, the answer; on every other rank, nothing, because the
/// partial results went to rank 0.
pub enum Answer {
    Pi(f64),
    Picture(Divtime),
    OnRankZero,
}

impl Answer {
    /// The picture from every row's times, row after row.
    pub fn picture(grid: &Grid, times: Vec<u32>) -> Answer {
        let times = Array2::from_shape_vec((grid.rows(), grid.cols()), times)
            .expect("one time for every point of the grid");
        Answer::Picture(Divtime {
            times,
            maxit: grid.maxit,
        })
    }

    /// Writes the picture if `--output` asks for it (rank 0 only holds one).
    pub fn save_png(&self, params: &Params) -> Result<String, String> {
        match (self, params.optional_path("output")) {
            (Answer::Picture(divtime), Some(path)) => divtime.save_png(&path),
            _ => Ok(String::new()),
        }
    }
}

impl ToAnswer for Answer {
    /// Pi's answer is the Pi lesson's, the picture's the Mandelbrot lesson's.
    fn to_answer(&self) -> Result<Value, String> {
        match self {
            Answer::Pi(pi) => Ok(object([("pi", (*pi).into())])),
            Answer::Picture(divtime) => divtime.to_answer(),
            Answer::OnRankZero => Ok(Value::Text("on rank 0".to_string())),
        }
    }
}
