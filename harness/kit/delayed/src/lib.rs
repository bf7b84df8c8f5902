//! What the Delayed lesson's exercise and solution share: the simulated work each task
//! does, the task stream (who ran what, when), the task graph, and the pictures of both.
//!
//! The lesson's own code (the loop, and how it is run in parallel) is in
//! `exercises/delayed` and `solutions/delayed`.

mod gantt;
mod graph;

use std::fmt::{self, Display};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use workbook::machine::available_cpus;
use workbook::simulated::{SimulatedWork, WorkKind};
use workbook::stats::format_seconds;
use workbook::{Params, ToAnswer, Value};

pub use graph::{CriticalPath, Graph, Step, Task, seed_graph};

/// One call of the lesson's functions, as the task stream records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    Inc(u64),
    Double(u64),
    Add(u64, u64),
    /// The sum of this many values.
    Sum(usize),
}

impl Call {
    pub fn function(&self) -> &'static str {
        match self {
            Call::Inc(_) => "inc",
            Call::Double(_) => "double",
            Call::Add(..) => "add",
            Call::Sum(_) => "sum",
        }
    }

    /// The arguments, space-separated (for the sum: how many values it adds).
    pub fn arguments(&self) -> String {
        match self {
            Call::Inc(x) | Call::Double(x) => x.to_string(),
            Call::Add(a, b) => format!("{a} {b}"),
            Call::Sum(count) => count.to_string(),
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Call::Sum(count) => write!(f, "sum of {count}"),
            Call::Add(a, b) => write!(f, "add({a}, {b})"),
            other => write!(f, "{}({})", other.function(), other.arguments()),
        }
    }
}

/// One task in the task stream: what ran, on which thread, from when to when (seconds
/// since the run began).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub call: Call,
    /// rayon's number for the worker thread, or `None` for a thread outside the pool (the
    /// program's main thread).
    pub thread: Option<usize>,
    pub start: f64,
    pub end: f64,
}

/// The simulated work of one run, and the record of what ran.
///
/// Every call of `simulate` or `quick` is counted, so the answer shows that each task ran
/// exactly once. Start and end times are only taken when the flags ask for the task stream
/// (`--gantt` or `--trace`): otherwise a task costs one uncontended addition more than its
/// work.
pub struct Work {
    task: SimulatedWork,
    calls: Vec<Counter>,
    stream: Option<TaskStream>,
    model: Model,
}

/// A count on a cache line of its own: threads that counted into one shared counter would
/// pass its line back and forth, and tiny tasks would slow down more the more threads ran.
#[repr(align(128))]
#[derive(Default)]
struct Counter(AtomicU64);

struct TaskStream {
    origin: Instant,
    spans: Mutex<Vec<Span>>,
}

/// What the ideal time is worked out from.
#[derive(Debug, Clone)]
struct Model {
    n: u64,
    work_seconds: f64,
    kind: WorkKind,
    threads: usize,
}

impl Model {
    /// The CPUs spinning tasks can share, when there are fewer of them than threads.
    fn scarce_cpus(&self) -> Option<usize> {
        let cpus = available_cpus();
        (self.kind == WorkKind::Spin && cpus < self.threads).then_some(cpus)
    }

    /// The shortest time possible. Every thread runs one task at a time, so no run beats
    /// the graph's best schedule on that many threads. A sleeping task needs only its
    /// thread; a spinning task needs a core, and when threads outnumber the CPUs they
    /// share them, so no run beats the work divided by the CPUs either.
    fn ideal_seconds(&self) -> f64 {
        let graph = self.graph();
        let on_threads = graph.best_schedule(self.threads);
        match self.scarce_cpus() {
            Some(cpus) => on_threads.max(graph.work_seconds() / cpus as f64),
            None => on_threads,
        }
    }

    fn graph(&self) -> Graph<Step> {
        let data: Vec<u64> = (1..=self.n).collect();
        seed_graph(&data, self.work_seconds)
    }
}

impl Work {
    /// The work the flags ask for: `--work-ms` of `--work sleep|spin` in each task.
    pub fn from_params(params: &Params) -> Work {
        let work_seconds = params.real("work-ms") / 1000.0;
        let kind = WorkKind::parse(params.choice("work")).unwrap_or(WorkKind::Sleep);
        let wants_stream =
            params.optional_path("gantt").is_some() || params.optional_path("trace").is_some();
        Work {
            task: SimulatedWork::new(kind, Duration::from_secs_f64(work_seconds)),
            // One counter per rayon thread, and one for any thread outside the pool.
            calls: (0..=params.threads()).map(|_| Counter::default()).collect(),
            stream: wants_stream.then(|| TaskStream {
                origin: Instant::now(),
                spans: Mutex::new(Vec::new()),
            }),
            model: Model {
                n: params.count("n"),
                work_seconds,
                kind,
                threads: params.threads(),
            },
        }
    }

    /// The task `call`, taking `--work-ms` of sleeping or spinning.
    pub fn simulate(&self, call: Call) {
        self.record(call, || self.task.run());
    }

    /// The task `call`, which does no simulated work: it only runs `task`.
    pub fn quick<R>(&self, call: Call, task: impl FnOnce() -> R) -> R {
        self.record(call, task)
    }

    fn record<R>(&self, call: Call, task: impl FnOnce() -> R) -> R {
        let counter = rayon::current_thread_index().map_or(0, |thread| thread + 1);
        self.calls[counter.min(self.calls.len() - 1)]
            .0
            .fetch_add(1, Ordering::Relaxed);
        let Some(stream) = &self.stream else {
            return task();
        };
        let start = stream.origin.elapsed().as_secs_f64();
        let result = task();
        let end = stream.origin.elapsed().as_secs_f64();
        let span = Span {
            call,
            thread: rayon::current_thread_index(),
            start,
            end,
        };
        // A task that panicked elsewhere cannot leave the list half-written: keep going.
        stream
            .spans
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(span);
        result
    }

    /// The run's result: the total, how many tasks ran, and the task stream if one was kept.
    pub fn outcome(self, total: u64) -> Outcome {
        Outcome {
            total,
            tasks: self.calls.iter().map(|c| c.0.load(Ordering::Relaxed)).sum(),
            spans: self
                .stream
                .map(|s| s.spans.into_inner().unwrap_or_else(PoisonError::into_inner)),
            model: self.model,
        }
    }
}

/// What one run produced. Its answer is the total and the number of tasks that ran; its
/// ideal time is the task graph's best schedule on the run's threads.
pub struct Outcome {
    pub total: u64,
    pub tasks: u64,
    /// Every task's span, in the order they ended, when `--gantt` or `--trace` asked.
    pub spans: Option<Vec<Span>>,
    model: Model,
}

impl ToAnswer for Outcome {
    fn to_answer(&self) -> Result<Value, String> {
        Ok(Value::Map(vec![
            ("total".to_string(), self.total.into()),
            ("tasks".to_string(), self.tasks.into()),
        ]))
    }

    fn ideal_seconds(&self) -> Option<f64> {
        Some(self.model.ideal_seconds())
    }
}

/// After the timed runs: the graph's numbers, and the files the flags asked for.
pub fn report(params: &Params, outcome: &Outcome) -> Result<String, String> {
    let model = &outcome.model;
    let graph = model.graph();
    let path = graph.critical_path();
    let steps: Vec<String> = path
        .tasks
        .iter()
        .map(|&t| graph.tasks()[t].op.to_string())
        .collect();
    let mut note = format!(
        "  graph    {} tasks ({n} inc, {n} double, {n} add, 1 sum): work {}, critical path {} \
         ({})\n",
        graph.len(),
        format_seconds(graph.work_seconds()),
        format_seconds(path.seconds),
        steps.join(" -> "),
        n = model.n,
    );
    if let Some(cpus) = model.scarce_cpus() {
        note.push_str(&format!(
            "           spinning tasks need a core each: {} threads share {cpus} CPUs, so the \
             ideal is at least the work / {cpus}\n",
            model.threads
        ));
    }
    if let Some(spans) = &outcome.spans {
        note.push_str(&describe_stream(spans, model));
        if let Some(file) = params.optional_path("trace") {
            write_file(&file, &trace_csv(spans))?;
            note.push_str(&format!(
                "           task stream written to {}\n",
                file.display()
            ));
        }
        if let Some(file) = params.optional_path("gantt") {
            let title = format!(
                "task stream: {} tasks of {} {}, {} threads",
                spans.len(),
                format_seconds(model.work_seconds),
                params.choice("work"),
                model.threads
            );
            gantt::draw(&file, &title, spans, model.threads)
                .map_err(|e| format!("Gantt chart: {e}"))?;
            note.push_str(&format!(
                "           Gantt chart drawn to {}\n",
                file.display()
            ));
        }
    }
    if let Some(file) = params.optional_path("dot") {
        write_file(&file, &graph.to_dot("delayed"))?;
        note.push_str(&format!(
            "  dot      task graph written to {} (draw it: dot -Tpng {} -o graph.png)\n",
            file.display(),
            file.display()
        ));
    }
    Ok(note)
}

/// "16 tasks on 2 of 2 threads; a task took 100.1 ms at the median (asked: 100 ms)".
fn describe_stream(spans: &[Span], model: &Model) -> String {
    let mut threads: Vec<Option<usize>> = spans.iter().map(|s| s.thread).collect();
    threads.sort();
    threads.dedup();
    let mut durations: Vec<f64> = spans
        .iter()
        .filter(|s| !matches!(s.call, Call::Sum(_)))
        .map(|s| s.end - s.start)
        .collect();
    durations.sort_by(f64::total_cmp);
    let took = match durations.get(durations.len() / 2) {
        Some(median) => format!(
            "; a task took {} at the median (asked: {})",
            format_seconds(*median),
            format_seconds(model.work_seconds)
        ),
        None => String::new(),
    };
    let lanes: Vec<String> = threads.iter().map(|t| lane_name(*t)).collect();
    format!(
        "  stream   {} tasks ran on {} ({}){took}\n",
        spans.len(),
        if lanes.len() == 1 {
            "1 thread".to_string()
        } else {
            format!("{} threads", lanes.len())
        },
        lanes.join(", ")
    )
}

/// "main" for the program's own thread, "thread 3" for rayon's worker 3.
pub fn lane_name(thread: Option<usize>) -> String {
    thread.map_or_else(|| "main".to_string(), |t| format!("thread {t}"))
}

/// The task stream as CSV, one task a line, in the order they started.
pub fn trace_csv(spans: &[Span]) -> String {
    let mut sorted: Vec<&Span> = spans.iter().collect();
    sorted.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut text = String::from("function,arguments,thread,start_s,end_s\n");
    for span in sorted {
        let thread = span.thread.map_or("main".to_string(), |t| t.to_string());
        text.push_str(&format!(
            "{},{},{thread},{:.6},{:.6}\n",
            span.call.function(),
            span.call.arguments(),
            span.start,
            span.end
        ));
    }
    text
}

fn write_file(path: &Path, text: &str) -> Result<(), String> {
    Ok(workbook::files::write(path, text)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_print_like_the_source_code() {
        assert_eq!(Call::Inc(3).to_string(), "inc(3)");
        assert_eq!(Call::Add(4, 6).to_string(), "add(4, 6)");
        assert_eq!(Call::Sum(5).to_string(), "sum of 5");
        assert_eq!(Call::Add(4, 6).arguments(), "4 6");
    }

    #[test]
    fn the_trace_lists_tasks_by_start() {
        let spans = [
            Span {
                call: Call::Double(1),
                thread: Some(1),
                start: 0.5,
                end: 1.0,
            },
            Span {
                call: Call::Inc(1),
                thread: None,
                start: 0.25,
                end: 1.0,
            },
        ];
        assert_eq!(
            trace_csv(&spans),
            "function,arguments,thread,start_s,end_s\n\
             inc,1,main,0.250000,1.000000\n\
             double,1,1,0.500000,1.000000\n"
        );
    }
}
