//! The `scope` variant: the task graph as data, and a scheduler in a few lines, the way
//! `dask.delayed` works. The graph says which task needs which. A task becomes ready when
//! its last input is done, and goes into a queue of ready tasks; for each ready task one job
//! is spawned into a `rayon::scope`. rayon decides *when* a thread is free to run a job; the
//! job then runs the ready task that matters most *now*: the one with the longest chain of
//! work still ahead of it. So no task waits for more than its own inputs and a free thread,
//! whatever the shape of the graph, and the long chains start first.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use delayed_kit::{Graph, Step, Work, seed_graph};

use crate::{add, double, inc, sum};

pub fn total(data: &[u64], work: &Work) -> u64 {
    // Every task costs the same here, so any cost gives the same order.
    let graph = seed_graph(data, 1.0);
    let dependents = graph.dependents();
    let priorities = graph.priorities();
    let waiting: Vec<AtomicUsize> = graph
        .tasks()
        .iter()
        .map(|task| AtomicUsize::new(task.inputs.len()))
        .collect();
    let results: Vec<OnceLock<u64>> = (0..graph.len()).map(|_| OnceLock::new()).collect();
    let ready = Mutex::new(BinaryHeap::new());
    let scheduler = Scheduler {
        graph: &graph,
        dependents: &dependents,
        priorities: &priorities,
        waiting: &waiting,
        results: &results,
        ready: &ready,
        work,
    };
    // The scope ends when every job spawned in it, and every job those spawned, is done.
    rayon::scope(|scope| {
        for (id, task) in graph.tasks().iter().enumerate() {
            if task.inputs.is_empty() {
                scheduler.make_ready(id, scope);
            }
        }
    });
    // The sum is the graph's last task.
    *results
        .last()
        .and_then(OnceLock::get)
        .expect("every task ran, the sum last")
}

/// Ready tasks, first in critical-path-first order on top: (priority, task).
type ReadyQueue = Mutex<BinaryHeap<Reverse<(usize, usize)>>>;

/// What every job needs to run a task and make ready the tasks that wait for it.
#[derive(Clone, Copy)]
struct Scheduler<'a> {
    graph: &'a Graph<Step>,
    dependents: &'a [Vec<usize>],
    priorities: &'a [usize],
    /// For each task, how many of its inputs are not done yet.
    waiting: &'a [AtomicUsize],
    /// Each task's result, set once when it is done.
    results: &'a [OnceLock<u64>],
    ready: &'a ReadyQueue,
    work: &'a Work,
}

impl<'a> Scheduler<'a> {
    /// Queues task `id` and spawns one job to run a ready task: one job per queued task, so
    /// a job always finds one.
    fn make_ready<'s>(self, id: usize, scope: &rayon::Scope<'s>)
    where
        'a: 's,
    {
        self.queue().push(Reverse((self.priorities[id], id)));
        scope.spawn(move |scope| self.run_next(scope));
    }

    fn queue(&self) -> std::sync::MutexGuard<'a, BinaryHeap<Reverse<(usize, usize)>>> {
        // A panicking task ends the whole run anyway; the queue itself is never half-changed.
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn run_next<'s>(self, scope: &rayon::Scope<'s>)
    where
        'a: 's,
    {
        let Some(Reverse((_, id))) = self.queue().pop() else {
            unreachable!("a job is spawned only after its task is queued");
        };
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
        // The input that finishes last makes the task waiting for it ready.
        for &next in &self.dependents[id] {
            if self.waiting[next].fetch_sub(1, Ordering::AcqRel) == 1 {
                self.make_ready(next, scope);
            }
        }
    }
}
