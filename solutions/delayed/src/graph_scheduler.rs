//! The `scope` variant: the task graph as data, and a scheduler in a few lines, the way
//! `dask.delayed` works. The graph says which task needs which; each task is spawned into
//! a `rayon::scope` the moment its last input is done, so no task waits for more than its
//! own inputs, whatever the shape of the graph.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use delayed_kit::{Graph, Step, Work, seed_graph};

use crate::{add, double, inc, sum};

pub fn total(data: &[u64], work: &Work) -> u64 {
    // The costs in the graph are for the lesson's model only; the scheduler does not use them.
    let graph = seed_graph(data, 0.0);
    let dependents = graph.dependents();
    let waiting: Vec<AtomicUsize> = graph
        .tasks()
        .iter()
        .map(|task| AtomicUsize::new(task.inputs.len()))
        .collect();
    let results: Vec<OnceLock<u64>> = (0..graph.len()).map(|_| OnceLock::new()).collect();
    let scheduler = Scheduler {
        graph: &graph,
        dependents: &dependents,
        waiting: &waiting,
        results: &results,
        work,
    };
    // The scope ends when every task spawned in it, and every task those spawned, is done.
    rayon::scope(|scope| {
        for (id, task) in graph.tasks().iter().enumerate() {
            if task.inputs.is_empty() {
                scope.spawn(move |scope| scheduler.run(id, scope));
            }
        }
    });
    // The sum is the graph's last task.
    *results
        .last()
        .and_then(OnceLock::get)
        .expect("every task ran, the sum last")
}

/// What every task needs to run itself and start the tasks that wait for it.
#[derive(Clone, Copy)]
struct Scheduler<'a> {
    graph: &'a Graph<Step>,
    dependents: &'a [Vec<usize>],
    /// For each task, how many of its inputs are not done yet.
    waiting: &'a [AtomicUsize],
    /// Each task's result, set once when it is done.
    results: &'a [OnceLock<u64>],
    work: &'a Work,
}

impl<'a> Scheduler<'a> {
    fn run<'s>(self, id: usize, scope: &rayon::Scope<'s>)
    where
        'a: 's,
    {
        let task = &self.graph.tasks()[id];
        let input = |i: usize| {
            *self.results[task.inputs[i]]
                .get()
                .expect("a task runs only after its inputs")
        };
        let value = match task.op {
            Step::Inc(x) => inc(x, self.work),
            Step::Double(x) => double(x, self.work),
            Step::Add(_) => add(input(0), input(1), self.work),
            Step::Sum => {
                // The adds in data order, as the exercise sums them.
                let output: Vec<u64> = (0..task.inputs.len()).map(input).collect();
                sum(&output, self.work)
            }
        };
        self.results[id]
            .set(value)
            .expect("each task runs exactly once");
        // The input that finishes last starts the task waiting for it.
        for &next in &self.dependents[id] {
            if self.waiting[next].fetch_sub(1, Ordering::AcqRel) == 1 {
                scope.spawn(move |scope| self.run(next, scope));
            }
        }
    }
}
