//! The second challenge: let MPI combine the results with a reduction (MPI_Reduce), as an
//! MPI program often does, instead of gathering every piece.
//!
//! Pi: each rank adds up its own chunks, and MPI adds the ranks' sums on rank 0. Few bytes
//! move, but MPI chooses the order of the additions, and that order changes with the
//! number of ranks: the last bits of pi change with it.
//!
//! Mandelbrot: a reduction combines whole buffers, so each rank fills a grid of its own,
//! zeros but for its rows, and MPI adds the grids up. The answer is exact (whole numbers),
//! but every rank sends the whole picture, where a gather sends each row once.

use mpi::collective::SystemOperation;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use ranks_kit::{Answer, Grid};
use workbook::Params;

use crate::{Split, mandelbrot_rows, pi_partials, share};

pub fn solve(world: &SimpleCommunicator, params: &Params) -> Answer {
    let (rank, ranks) = (world.rank() as usize, world.size() as usize);
    let root = world.process_at_rank(0);
    match params.choice("problem") {
        "pi" => {
            let (n, chunks) = (params.count("n"), params.count("chunks"));
            let mine = share(Split::Blocks, chunks as usize, rank, ranks);
            let my_sum: f64 = pi_partials(n, chunks, &mine).iter().sum();
            if rank != 0 {
                root.reduce_into(&my_sum, SystemOperation::sum());
                return Answer::OnRankZero;
            }
            let mut pi = 0.0;
            root.reduce_into_root(&my_sum, &mut pi, SystemOperation::sum());
            Answer::Pi(pi)
        }
        _ => {
            let grid = Grid::from_params(params);
            let mine = share(Split::Blocks, grid.rows(), rank, ranks);
            // This rank's rows in place, zeros everywhere else.
            let mut whole = vec![0u32; grid.rows() * grid.cols()];
            if let Some(&first) = mine.first() {
                let times = mandelbrot_rows(&grid, &mine);
                let at = first * grid.cols();
                whole[at..at + times.len()].copy_from_slice(&times);
            }
            if rank != 0 {
                root.reduce_into(&whole[..], SystemOperation::sum());
                return Answer::OnRankZero;
            }
            let mut sum = vec![0u32; whole.len()];
            root.reduce_into_root(&whole[..], &mut sum[..], SystemOperation::sum());
            Answer::picture(&grid, sum)
        }
    }
}
