//! Beyond one node: the starter. Read lessons/ranks.md first.
//!
//!     cargo run --release --bin ranks                           Pi, on this node's threads
//!     cargo run --release --bin ranks -- --problem mandelbrot   Mandelbrot's rows
//!     cargo run --release --bin workbook -- check ranks --ranks 2   is my MPI version right?
//!
//! This is where the Pi and Mandelbrot lessons ended: chunks, or rows, computed on rayon's
//! thread pool and put together in a fixed order. A thread pool lives in one process, so it
//! never leaves the node it started on. Your task: run this program as several MPI ranks
//! (processes, on one node or on many), let each rank compute its share of the chunks or
//! rows on its own rayon pool, and bring the shares to rank 0, which puts them together in
//! the same order as here: the same answer, to the last bit.

use ranks_kit::{Answer, Grid, chunk_bounds, pi_chunk};
use rayon::prelude::*;
use workbook::{Params, Program, registry::RANKS};

/// pi from `n` slices in `chunks` chunks: a partial sum per chunk, added in chunk order.
fn pi(n: u64, chunks: u64) -> f64 {
    let bounds = chunk_bounds(n, chunks);
    let partial_sums: Vec<f64> = bounds
        .par_iter()
        .map(|&(lower, upper)| pi_chunk(n, lower, upper))
        .collect();
    partial_sums.iter().sum()
}

/// The divergence time of every point of the grid, row after row; a task per row.
fn mandelbrot(grid: &Grid) -> Vec<u32> {
    let mut times = vec![0; grid.rows() * grid.cols()];
    times
        .par_chunks_mut(grid.cols())
        .enumerate()
        .for_each(|(j, row)| grid.fill_row(j, row));
    times
}

/// The problem `--problem` names, on the sizes the flags give.
fn solve(params: &Params) -> Answer {
    match params.choice("problem") {
        "pi" => Answer::Pi(pi(params.count("n"), params.count("chunks"))),
        _ => {
            let grid = Grid::from_params(params);
            let times = mandelbrot(&grid);
            Answer::picture(&grid, times)
        }
    }
}

fn main() {
    // The harness reads the flags (--problem, --n, --chunks, --h, --w, --maxit, --output,
    // --threads, --repeat, --warmup, --json, --help), sizes rayon's pool and times `solve`.
    Program::exercise(&RANKS)
        .finish(|params, answer: &Answer| answer.save_png(params))
        .run(solve);
}
