//! Beyond one node: the solution. Compare it with the starter:
//!
//!     diff exercises/ranks/src/main.rs solutions/ranks/src/main.rs
//!
//! Built with `--features mpi` and started as R processes by `mpirun -n R` (or `srun -n R`
//! in a Slurm job), every process is an MPI rank with its own rayon pool. Each rank
//! computes its share of the chunks or rows on its threads; rank 0 gathers the shares and
//! puts them in chunk or row order, so the answer is the starter's, to the last bit, on any
//! number of ranks and threads. Only the main thread of a rank calls MPI (MPI's "funneled"
//! level): rayon's threads only compute.
//!
//! Without the feature the solution is one process (src/alone.rs), so that the workbook
//! builds where MPI is not installed: the lines marked `#[cfg(feature = "mpi")]` are left
//! out. Your own version need not keep such a path.

#[cfg(not(feature = "mpi"))]
mod alone;
#[cfg(feature = "mpi")]
mod nodes;
#[cfg(feature = "mpi")]
mod reduce;

use ranks_kit::{Grid, chunk_bounds, pi_chunk};
use rayon::prelude::*;

#[cfg(feature = "mpi")]
use mpi::{Count, Threading, datatype::PartitionMut, topology::SimpleCommunicator, traits::*};
#[cfg(feature = "mpi")]
use ranks_kit::Answer;
#[cfg(feature = "mpi")]
use workbook::{Params, Program, registry::RANKS};

/// How the chunks or rows are shared out among the ranks: the `--variant`.
#[derive(Clone, Copy, PartialEq)]
enum Split {
    /// One block of consecutive items per rank.
    Blocks,
    /// Dealt like cards: item i to rank i mod ranks, so that every rank gets some of the
    /// dear rows through the middle of the set.
    Cyclic,
}

/// The items (chunks or rows), out of `items`, that rank `rank` of `ranks` computes.
fn share(split: Split, items: usize, rank: usize, ranks: usize) -> Vec<usize> {
    match split {
        Split::Blocks => (items * rank / ranks..items * (rank + 1) / ranks).collect(),
        Split::Cyclic => (rank..items).step_by(ranks).collect(),
    }
}

/// The partial sum of each chunk in `mine`, on this rank's threads.
fn pi_partials(n: u64, chunks: u64, mine: &[usize]) -> Vec<f64> {
    let bounds = chunk_bounds(n, chunks);
    mine.par_iter()
        .map(|&chunk| {
            let (lower, upper) = bounds[chunk];
            pi_chunk(n, lower, upper)
        })
        .collect()
}

/// The divergence times of the rows in `mine`, row after row, on this rank's threads.
fn mandelbrot_rows(grid: &Grid, mine: &[usize]) -> Vec<u32> {
    let mut times = vec![0; mine.len() * grid.cols()];
    times
        .par_chunks_mut(grid.cols())
        .zip(mine)
        .for_each(|(row, &j)| grid.fill_row(j, row));
    times
}

/// The problem `--problem` names: this rank computes its share, and rank 0 gathers them
/// all and puts them together as the starter does. The other ranks return `OnRankZero`.
#[cfg(feature = "mpi")]
fn solve(world: &SimpleCommunicator, split: Split, params: &Params) -> Answer {
    let (rank, ranks) = (world.rank() as usize, world.size() as usize);
    match params.choice("problem") {
        "pi" => {
            let (n, chunks) = (params.count("n"), params.count("chunks"));
            let mine = share(split, chunks as usize, rank, ranks);
            let partial_sums = pi_partials(n, chunks, &mine);
            match gather_on_rank_zero(world, split, chunks as usize, 1, &partial_sums) {
                // Added in chunk order, as in the starter: the same bits.
                Some(partial_sums) => Answer::Pi(partial_sums.iter().sum()),
                None => Answer::OnRankZero,
            }
        }
        _ => {
            let grid = Grid::from_params(params);
            let mine = share(split, grid.rows(), rank, ranks);
            let times = mandelbrot_rows(&grid, &mine);
            match gather_on_rank_zero(world, split, grid.rows(), grid.cols(), &times) {
                Some(times) => Answer::picture(&grid, times),
                None => Answer::OnRankZero,
            }
        }
    }
}

// ANCHOR: gather
/// Every rank sends its items' values (`per_item` values an item) to rank 0, which returns
/// all `items` in item order; the other ranks return `None`. One collective call: MPI's
/// gather with a count per rank (MPI_Gatherv).
#[cfg(feature = "mpi")]
fn gather_on_rank_zero<T: Equivalence + Copy + Default>(
    world: &SimpleCommunicator,
    split: Split,
    items: usize,
    per_item: usize,
    mine: &[T],
) -> Option<Vec<T>> {
    let root = world.process_at_rank(0);
    if world.rank() != 0 {
        root.gather_varcount_into(mine);
        return None;
    }
    let ranks = world.size() as usize;
    let shares: Vec<Vec<usize>> = (0..ranks)
        .map(|rank| share(split, items, rank, ranks))
        .collect();
    // MPI counts are C ints: the largest grid the flags allow (24,001 x 32,001) fits.
    let counts: Vec<Count> = shares
        .iter()
        .map(|share| (share.len() * per_item) as Count)
        .collect();
    let offsets: Vec<Count> = counts
        .iter()
        .scan(0, |at, &count| {
            let offset = *at;
            *at += count;
            Some(offset)
        })
        .collect();
    let mut by_rank = vec![T::default(); items * per_item];
    let mut partition = PartitionMut::new(&mut by_rank[..], counts, offsets);
    root.gather_varcount_into_root(mine, &mut partition);
    if split == Split::Blocks {
        // Rank 0's block, then rank 1's, ...: already in item order.
        return Some(by_rank);
    }
    // Rank 0's items, then rank 1's, ...: put each item back in its place.
    let mut in_order = vec![T::default(); items * per_item];
    for (slot, &item) in shares.iter().flatten().enumerate() {
        in_order[item * per_item..(item + 1) * per_item]
            .copy_from_slice(&by_rank[slot * per_item..(slot + 1) * per_item]);
    }
    Some(in_order)
}
// ANCHOR_END: gather

// ANCHOR: start
/// Starts MPI for a rank that runs a rayon pool. Funneled: only this thread calls MPI,
/// while rayon's threads compute. (A bare `mpi::initialize()` asks for the single-threaded
/// level, wrong for a rank with a pool.)
#[cfg(feature = "mpi")]
fn start_mpi() -> Result<mpi::environment::Universe, String> {
    let (universe, granted) =
        mpi::initialize_with_threading(Threading::Funneled).ok_or("MPI could not be started")?;
    if granted < Threading::Funneled {
        return Err(format!(
            "this MPI grants {granted:?}; ranks with threads need Funneled"
        ));
    }
    Ok(universe)
}
// ANCHOR_END: start

#[cfg(feature = "mpi")]
fn main() {
    let universe = start_mpi().unwrap_or_else(|message| {
        eprintln!("{}: error: {message}", RANKS.solution_binary());
        std::process::exit(1)
    });
    let world = universe.world();
    let (rank, ranks) = (world.rank() as usize, world.size() as usize);
    let nodes = nodes::of_every_rank(&world);
    let (cyclic_world, reduce_world) = (universe.world(), universe.world());
    // The harness times `solve` on every rank; rank 0 prints the record.
    let code = Program::solution(&RANKS)
        .on_ranks(rank, ranks, nodes)
        .variant("cyclic", move |params| {
            solve(&cyclic_world, Split::Cyclic, params)
        })
        .variant("reduce", move |params| reduce::solve(&reduce_world, params))
        .finish(|params, answer: &Answer| answer.save_png(params))
        .exit_code(move |params| solve(&world, Split::Blocks, params));
    if code != 0 && code != 2 {
        // This rank failed, perhaps while others wait for its share: end them all, now.
        // (A flag error, exit code 2, is every rank's, found before any message is sent.)
        universe.world().abort(code);
    }
    // The universe's end is MPI's end (MPI_Finalize): a rank that exits without it counts
    // as failed.
    drop(universe);
    std::process::exit(code);
}

#[cfg(not(feature = "mpi"))]
fn main() {
    alone::main()
}
