//! A task graph: tasks, the tasks each one needs, and what each costs. From it come the
//! critical path, the best schedule on a number of workers, and a Graphviz picture.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fmt::{self, Display, Write as _};

/// One task: what it does, the tasks whose results it needs, and how long it takes.
#[derive(Debug, Clone)]
pub struct Task<Op> {
    pub op: Op,
    pub inputs: Vec<usize>,
    pub seconds: f64,
}

/// Tasks in an order where every task comes after its inputs, so one pass in index order
/// always has a task's inputs done before the task itself.
#[derive(Debug, Clone)]
pub struct Graph<Op> {
    tasks: Vec<Task<Op>>,
}

/// The longest chain of dependent tasks: no number of workers can finish sooner.
#[derive(Debug, Clone, PartialEq)]
pub struct CriticalPath {
    pub seconds: f64,
    /// The tasks on it, first to last.
    pub tasks: Vec<usize>,
}

impl<Op> Default for Graph<Op> {
    fn default() -> Self {
        Graph { tasks: Vec::new() }
    }
}

impl<Op> Graph<Op> {
    /// Adds a task that needs the results of `inputs` (tasks added before it) and returns
    /// its number.
    ///
    /// # Panics
    /// If an input is not an earlier task: the graph would not be a DAG in this order.
    pub fn add(&mut self, op: Op, inputs: &[usize], seconds: f64) -> usize {
        let id = self.tasks.len();
        assert!(
            inputs.iter().all(|&input| input < id),
            "task {id}'s inputs {inputs:?} must be tasks added before it"
        );
        self.tasks.push(Task {
            op,
            inputs: inputs.to_vec(),
            seconds,
        });
        id
    }

    pub fn tasks(&self) -> &[Task<Op>] {
        &self.tasks
    }

    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tasks.is_empty()
    }

    /// For every task, the tasks that need its result.
    pub fn dependents(&self) -> Vec<Vec<usize>> {
        let mut dependents = vec![Vec::new(); self.tasks.len()];
        for (id, task) in self.tasks.iter().enumerate() {
            for &input in &task.inputs {
                dependents[input].push(id);
            }
        }
        dependents
    }

    /// The sum of every task's time: the time on one worker.
    pub fn work_seconds(&self) -> f64 {
        self.tasks.iter().map(|task| task.seconds).sum()
    }

    /// The longest path through the graph, counting each task's time.
    pub fn critical_path(&self) -> CriticalPath {
        // finish[t]: the earliest task t can end with unlimited workers.
        let mut finish = vec![0.0_f64; self.tasks.len()];
        let mut via: Vec<Option<usize>> = vec![None; self.tasks.len()];
        for (id, task) in self.tasks.iter().enumerate() {
            let latest_input = latest(task.inputs.iter().copied(), &finish);
            let start = latest_input.map_or(0.0, |input| finish[input]);
            finish[id] = start + task.seconds;
            via[id] = latest_input;
        }
        // Of tasks that end together, the later one: a quick final task is still on the path.
        let Some(last) = latest((0..self.tasks.len()).rev(), &finish) else {
            return CriticalPath {
                seconds: 0.0,
                tasks: Vec::new(),
            };
        };
        let mut tasks = vec![last];
        while let Some(previous) = via[*tasks.last().expect("not empty")] {
            tasks.push(previous);
        }
        tasks.reverse();
        CriticalPath {
            seconds: finish[last],
            tasks,
        }
    }

    /// Each task's place in "critical path first" order (0 goes first): tasks with a
    /// longer chain of work still ahead of them (their own time included) come first, and
    /// of equals, the one added first.
    pub fn priorities(&self) -> Vec<usize> {
        let dependents = self.dependents();
        let mut ahead = vec![0.0_f64; self.tasks.len()];
        for id in (0..self.tasks.len()).rev() {
            let after = dependents[id].iter().map(|&d| ahead[d]).fold(0.0, f64::max);
            ahead[id] = self.tasks[id].seconds + after;
        }
        let mut order: Vec<usize> = (0..self.tasks.len()).collect();
        order.sort_by(|&a, &b| ahead[b].total_cmp(&ahead[a]).then(a.cmp(&b)));
        let mut priority = vec![0; self.tasks.len()];
        for (place, id) in order.into_iter().enumerate() {
            priority[id] = place;
        }
        priority
    }

    /// The time `workers` workers take when every free worker starts the ready task that
    /// comes first in `priorities` (critical path first, "highest level first"). For a
    /// tree of equal tasks, like the lesson's graph, no schedule is shorter (Hu, 1961); for
    /// other graphs it is a good schedule, and never more than twice the best.
    pub fn best_schedule(&self, workers: usize) -> f64 {
        let workers = workers.max(1);
        let dependents = self.dependents();
        let priority = self.priorities();
        let mut waiting_for: Vec<usize> = self.tasks.iter().map(|t| t.inputs.len()).collect();
        let mut ready: BinaryHeap<Reverse<(usize, usize)>> = waiting_for
            .iter()
            .enumerate()
            .filter(|(_, waiting)| **waiting == 0)
            .map(|(id, _)| Reverse((priority[id], id)))
            .collect();
        // Running tasks, soonest to end first.
        let mut running: BinaryHeap<Reverse<(Ordered, usize)>> = BinaryHeap::new();
        let mut now = 0.0;
        loop {
            while running.len() < workers {
                let Some(Reverse((_, id))) = ready.pop() else {
                    break;
                };
                running.push(Reverse((Ordered(now + self.tasks[id].seconds), id)));
            }
            let Some(&Reverse((Ordered(end), _))) = running.peek() else {
                return now;
            };
            now = end;
            // Every task that ends now frees its dependents before any worker picks again.
            while let Some(&Reverse((Ordered(next_end), id))) = running.peek()
                && next_end == end
            {
                running.pop();
                for &dependent in &dependents[id] {
                    waiting_for[dependent] -= 1;
                    if waiting_for[dependent] == 0 {
                        ready.push(Reverse((priority[dependent], dependent)));
                    }
                }
            }
        }
    }
}

impl<Op: Display> Graph<Op> {
    /// The graph in Graphviz's DOT language, drawn bottom to top like `dask.visualize`:
    /// `dot -Tpng graph.dot -o graph.png`.
    pub fn to_dot(&self, name: &str) -> String {
        let mut dot = format!(
            "// {} tasks. Draw with: dot -Tpng <this file> -o graph.png\ndigraph \"{name}\" {{\n  \
             rankdir=BT;\n  node [shape=box, style=rounded, fontname=\"sans-serif\"];\n",
            self.tasks.len()
        );
        for (id, task) in self.tasks.iter().enumerate() {
            let _ = writeln!(dot, "  t{id} [label=\"{}\"];", task.op);
        }
        for (id, task) in self.tasks.iter().enumerate() {
            for input in &task.inputs {
                let _ = writeln!(dot, "  t{input} -> t{id};");
            }
        }
        dot.push_str("}\n");
        dot
    }
}

/// The task that finishes last; of several, the first met (so ties name the same path
/// every time).
fn latest(tasks: impl Iterator<Item = usize>, finish: &[f64]) -> Option<usize> {
    tasks.fold(None, |best, task| match best {
        Some(best) if finish[best] >= finish[task] => Some(best),
        _ => Some(task),
    })
}

/// An f64 that orders totally, for the heap of running tasks (times are never NaN).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Ordered(f64);

impl Eq for Ordered {}

impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// A step of the source material's loop, as a node of its graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Inc(u64),
    Double(u64),
    /// The add for data value x: add(inc(x), double(x)).
    Add(u64),
    /// The total of all adds.
    Sum,
}

impl Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Inc(x) => write!(f, "inc({x})"),
            Step::Double(x) => write!(f, "double({x})"),
            Step::Add(x) => write!(f, "add #{x}"),
            Step::Sum => write!(f, "sum"),
        }
    }
}

/// The graph of the source material's loop over `data`: for each x, inc(x) and double(x)
/// need nothing, add needs both, and the sum needs every add. inc, double and add each take
/// `work_seconds`; the sum is quick (taken as free).
pub fn seed_graph(data: &[u64], work_seconds: f64) -> Graph<Step> {
    let mut graph = Graph::default();
    let adds: Vec<usize> = data
        .iter()
        .map(|&x| {
            let a = graph.add(Step::Inc(x), &[], work_seconds);
            let b = graph.add(Step::Double(x), &[], work_seconds);
            graph.add(Step::Add(x), &[a, b], work_seconds)
        })
        .collect();
    graph.add(Step::Sum, &adds, 0.0);
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small graph worked out by hand:
    ///
    ///   a (1) ─┬─> c (5) ─┐
    ///          └─> d (1) ─┼─> f (1)
    ///   b (2) ───> e (1) ─┘
    ///
    /// Paths: a-c-f = 7, a-d-f = 3, b-e-f = 4. Work = 11.
    fn known() -> Graph<&'static str> {
        let mut graph = Graph::default();
        let a = graph.add("a", &[], 1.0);
        let b = graph.add("b", &[], 2.0);
        let c = graph.add("c", &[a], 5.0);
        let d = graph.add("d", &[a], 1.0);
        let e = graph.add("e", &[b], 1.0);
        graph.add("f", &[c, d, e], 1.0);
        graph
    }

    #[test]
    fn the_critical_path_of_a_known_graph() {
        let graph = known();
        assert_eq!(graph.work_seconds(), 11.0);
        let path = graph.critical_path();
        assert_eq!(path.seconds, 7.0);
        let names: Vec<&str> = path.tasks.iter().map(|&t| graph.tasks()[t].op).collect();
        assert_eq!(names, ["a", "c", "f"]);
    }

    #[test]
    fn priorities_put_the_longest_chains_first() {
        // Chains ahead: a 7, b 4, c 6, d 2, e 2, f 1; d and e tie, d was added first.
        assert_eq!(known().priorities(), [0, 2, 1, 3, 4, 5]);
    }

    #[test]
    fn schedules_of_a_known_graph() {
        let graph = known();
        // One worker does all the work; enough workers take the critical path.
        assert_eq!(graph.best_schedule(1), 11.0);
        assert_eq!(graph.best_schedule(3), 7.0);
        assert_eq!(graph.best_schedule(100), 7.0);
        // Two workers: a then c on one (0-1, 1-6); b, d, e on the other (0-2, 2-3, 3-4);
        // f after c, 6-7.
        assert_eq!(graph.best_schedule(2), 7.0);
    }

    #[test]
    fn the_seed_graph_in_numbers() {
        let data = [1, 2, 3, 4, 5];
        let graph = seed_graph(&data, 1.0);
        assert_eq!(graph.len(), 16);
        assert_eq!(graph.work_seconds(), 15.0);
        let path = graph.critical_path();
        assert_eq!(path.seconds, 2.0);
        let steps: Vec<Step> = path.tasks.iter().map(|&t| graph.tasks()[t].op).collect();
        assert_eq!(steps, [Step::Inc(1), Step::Add(1), Step::Sum]);
        // 15 unit tasks: 10 leaves, then 5 adds.
        //  1 worker: 15.  2: ceil(15/2) = 8.  3: 5.  4: leaves in 3 slots (4, 4, 2), adds
        //  become ready two at a time: 4.  8: 8 leaves, then 2 leaves + 4 adds, then 1 add: 3.
        //  10 or more: every leaf at once, every add at once: 2.
        let expected = [
            (1, 15.0),
            (2, 8.0),
            (3, 5.0),
            (4, 4.0),
            (8, 3.0),
            (10, 2.0),
            (16, 2.0),
        ];
        for (workers, seconds) in expected {
            assert_eq!(graph.best_schedule(workers), seconds, "{workers} workers");
        }
    }

    #[test]
    fn no_schedule_beats_the_work_or_the_critical_path() {
        let data: Vec<u64> = (1..=37).collect();
        let graph = seed_graph(&data, 0.25);
        let path = graph.critical_path().seconds;
        for workers in 1..=40 {
            let time = graph.best_schedule(workers);
            let bound = path.max(graph.work_seconds() / workers as f64);
            assert!(time >= bound - 1e-12, "{workers}: {time} < {bound}");
            // A greedy schedule is never worse than work / p + critical path (Graham).
            assert!(time <= graph.work_seconds() / workers as f64 + path + 1e-12);
        }
    }

    #[test]
    fn the_dot_file_has_every_task_and_edge() {
        let graph = seed_graph(&[1, 2], 1.0);
        let dot = graph.to_dot("delayed");
        assert!(dot.contains("digraph \"delayed\" {"));
        assert_eq!(dot.matches("[label=").count(), 7);
        // Each add has two inputs, the sum one per add.
        assert_eq!(dot.matches(" -> ").count(), 6);
        assert!(dot.contains("t0 [label=\"inc(1)\"]"));
        assert!(dot.contains("t2 -> t6;"));
        assert!(dot.trim_end().ends_with('}'));
    }

    #[test]
    fn an_empty_graph_takes_no_time() {
        let graph: Graph<&str> = Graph::default();
        assert_eq!(graph.critical_path().seconds, 0.0);
        assert_eq!(graph.best_schedule(4), 0.0);
    }

    #[test]
    #[should_panic(expected = "must be tasks added before it")]
    fn inputs_must_come_first() {
        let mut graph = Graph::default();
        graph.add("a", &[0], 1.0);
    }
}
