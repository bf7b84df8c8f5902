//! Task graphs: a parallel solution. Compare it with the starter:
//!
//!     diff exercises/delayed/src/main.rs solutions/delayed/src/main.rs
//!
//! One change, in `total`: every x is handled at the same time (a parallel iterator), and
//! within each x, inc and double run side by side (rayon::join); add waits for both, as
//! join returns only when both are done; the sum waits for every add, as it starts only
//! once `collect` has them all. The total is the same on any number of threads: integers,
//! and the adds summed in data order.
//!
//! Other ways, chosen with --variant: `scope` (the task graph itself, each task spawned the
//! moment its inputs are ready, as Dask's scheduler does) and `loop` (a parallel loop over
//! x only, each x's three calls one after another: what is lost without join).

mod graph_scheduler;
mod parallel_loop;

use delayed_kit::{Call, Outcome, Work};
use rayon::prelude::*;
use workbook::{Params, Program, registry::DELAYED};

fn inc(x: u64, work: &Work) -> u64 {
    // The simulated work. Naming the call lets --gantt and --trace show who ran what.
    work.simulate(Call::Inc(x));
    x + 1
}

fn double(x: u64, work: &Work) -> u64 {
    work.simulate(Call::Double(x));
    x * 2
}

fn add(a: u64, b: u64, work: &Work) -> u64 {
    work.simulate(Call::Add(a, b));
    a + b
}

/// Python's built-in sum: quick, so no simulated work (the task stream still shows it).
fn sum(output: &[u64], work: &Work) -> u64 {
    work.quick(Call::Sum(output.len()), || output.iter().sum())
}

/// The source material's loop, with everything independent running at once.
fn total(data: &[u64], work: &Work) -> u64 {
    let output: Vec<u64> = data
        .par_iter()
        .map(|&x| {
            let (a, b) = rayon::join(|| inc(x, work), || double(x, work));
            add(a, b, work)
        })
        .collect();
    sum(&output, work)
}

/// Runs `total` on the data the flags give (1, 2, ..., n), and counts the tasks it ran.
fn run_with(params: &Params, total: impl Fn(&[u64], &Work) -> u64) -> Outcome {
    let work = Work::from_params(params);
    let data: Vec<u64> = (1..=params.count("n")).collect();
    let total = total(&data, &work);
    work.outcome(total)
}

fn main() {
    // The harness reads the flags (--n, --work-ms, --work, --gantt, --trace, --dot, --threads,
    // --variant, --repeat, --warmup, --json, --help), sizes rayon's thread pool and times `total`.
    // Then `report` prints the task graph's numbers and writes the files the flags asked for.
    Program::solution(&DELAYED)
        .variant("scope", |params| run_with(params, graph_scheduler::total))
        .variant("loop", |params| run_with(params, parallel_loop::total))
        .finish(delayed_kit::report)
        .run(|params| run_with(params, total));
}
