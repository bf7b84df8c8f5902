//! The solution built without MPI: one process, which computes every chunk or row itself
//! (the share of rank 0 of 1). Asked for more ranks, it says how to build them.

use ranks_kit::{Answer, Grid};
use workbook::{Params, Program, registry::RANKS};

use crate::{Split, mandelbrot_rows, pi_partials, share};

fn solve(split: Split, params: &Params) -> Answer {
    match params.choice("problem") {
        "pi" => {
            let (n, chunks) = (params.count("n"), params.count("chunks"));
            let all = share(split, chunks as usize, 0, 1);
            Answer::Pi(pi_partials(n, chunks, &all).iter().sum())
        }
        _ => {
            let grid = Grid::from_params(params);
            let all = share(split, grid.rows(), 0, 1);
            let times = mandelbrot_rows(&grid, &all);
            Answer::picture(&grid, times)
        }
    }
}

pub fn main() -> ! {
    refuse_to_run_under_mpi();
    Program::solution(&RANKS)
        .variant("cyclic", |params| solve(Split::Cyclic, params))
        // On one process a reduction has nothing to add: the blocks' answer.
        .variant("reduce", |params| solve(Split::Blocks, params))
        .finish(|params, answer: &Answer| answer.save_png(params))
        .run(|params| solve(Split::Blocks, params))
}

/// Started by mpirun or srun as several processes, this build would run the whole problem
/// in each, unaware of the others: say so once, and stop them all.
fn refuse_to_run_under_mpi() {
    let number = |names: &[&str]| {
        names
            .iter()
            .find_map(|name| std::env::var(name).ok()?.parse::<usize>().ok())
    };
    let size = number(&["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"]);
    if size.is_some_and(|size| size > 1) {
        let rank = number(&[
            "OMPI_COMM_WORLD_RANK",
            "PMI_RANK",
            "PMIX_RANK",
            "SLURM_PROCID",
        ]);
        if rank.unwrap_or(0) == 0 {
            eprintln!(
                "{}: error: started as {} processes, but this build leaves MPI out: build it \
                 with `--features mpi`",
                RANKS.solution_binary(),
                size.unwrap_or(0)
            );
        }
        std::process::exit(2);
    }
}
