//! Task graphs: the serial starter. Read lessons/delayed.md first.
//!
//!     cargo run --release --bin delayed                     run it
//!     cargo run --release --bin workbook -- check delayed   is my parallel version right?
//!
//! The source material's loop: for every x in the data, inc(x) and double(x), then add the
//! two; at the end, the sum of all the adds. inc, double and add each take --work-ms of
//! simulated work: waiting (--work sleep, like reading a file) or computing (--work spin).
//! No x needs another x, and inc(x) does not need double(x): your task is to run at the
//! same time whatever can run at the same time, and still give the same total.

use delayed_kit::{Call, Outcome, Work};
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

/// The source material's loop, one call after another.
fn total(data: &[u64], work: &Work) -> u64 {
    let mut output = Vec::with_capacity(data.len());
    for &x in data {
        let a = inc(x, work);
        let b = double(x, work);
        let c = add(a, b, work);
        output.push(c);
    }
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
    // --repeat, --warmup, --json, --help), sizes rayon's thread pool and times `total`. Then
    // `report` prints the task graph's numbers and writes the files the flags asked for.
    Program::exercise(&DELAYED)
        .finish(delayed_kit::report)
        .run(|params| run_with(params, total));
}
