//! Facts about the Delayed lesson: every variant gives the exercise's total and runs every
//! task exactly once, at any thread count and for both kinds of work; the task stream shows
//! each task once and in dependency order; the ideal time is the task graph's best schedule;
//! bad flags and unwritable files are one line.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{answer, assert_usage_error, field, flags, lesson_command, record, run, scratch_dir};
use workbook::machine::available_cpus;
use workbook::{Agreement, Value};

const VARIANTS: [&str; 3] = ["join", "scope", "loop"];

#[test]
fn every_variant_gives_the_seeds_total_at_any_thread_count_for_both_kinds_of_work() {
    for work in ["sleep", "spin"] {
        let flags = flags(&["--work", work, "--work-ms", "2"]);
        let exercise = answer("delayed", 1, None, &flags);
        // The source material's answer: sum of (x + 1) + 2x over [1, 2, 3, 4, 5].
        assert_eq!(field(&exercise, "total"), &Value::UInt(50));
        // 5 inc, 5 double, 5 add and the sum, each exactly once.
        assert_eq!(field(&exercise, "tasks"), &Value::UInt(16));
        for variant in VARIANTS {
            for threads in [1, 2, 3, 8] {
                let found = answer("delayed-solution", threads, Some(variant), &flags);
                assert_eq!(
                    Agreement::Exact.check(&exercise, &found),
                    Ok(()),
                    "{work}, {variant}, {threads} threads"
                );
            }
        }
    }
}

#[test]
fn a_bigger_graph_gives_the_closed_form_total() {
    let n = 1000u64;
    let flags = flags(&["--n", "1000", "--work-ms", "0"]);
    let expected = Value::Map(vec![
        ("total".to_string(), Value::UInt(3 * n * (n + 1) / 2 + n)),
        ("tasks".to_string(), Value::UInt(3 * n + 1)),
    ]);
    assert_eq!(answer("delayed", 1, None, &flags), expected);
    for variant in VARIANTS {
        for threads in [2, 3] {
            let found = answer("delayed-solution", threads, Some(variant), &flags);
            assert_eq!(found, expected, "{variant}, {threads} threads");
        }
    }
}

/// One line of a `--trace` file.
#[derive(Debug)]
struct Traced {
    function: String,
    arguments: Vec<u64>,
    thread: String,
    start: f64,
    end: f64,
}

fn read_trace(path: &Path) -> Vec<Traced> {
    let text = std::fs::read_to_string(path).expect("the trace was written");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("function,arguments,thread,start_s,end_s")
    );
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 5, "{line}");
            Traced {
                function: fields[0].to_string(),
                arguments: fields[1]
                    .split(' ')
                    .map(|a| a.parse().expect("a number"))
                    .collect(),
                thread: fields[2].to_string(),
                start: fields[3].parse().expect("a time"),
                end: fields[4].parse().expect("a time"),
            }
        })
        .collect()
}

/// Every task of the graph for 1..=n once, and none before its inputs ended.
fn assert_one_entry_per_task_in_dependency_order(trace: &[Traced], n: u64) {
    assert_eq!(trace.len() as u64, 3 * n + 1, "{trace:?}");
    let mut seen: BTreeMap<(String, Vec<u64>), &Traced> = BTreeMap::new();
    for task in trace {
        assert!(task.start <= task.end, "{task:?}");
        let key = (task.function.clone(), task.arguments.clone());
        assert!(seen.insert(key, task).is_none(), "{task:?} ran twice");
    }
    let get = |function: &str, arguments: &[u64]| {
        *seen
            .get(&(function.to_string(), arguments.to_vec()))
            .unwrap_or_else(|| panic!("no {function}({arguments:?}) in {trace:?}"))
    };
    let mut last_add_end = 0.0_f64;
    for x in 1..=n {
        let (inc, double) = (get("inc", &[x]), get("double", &[x]));
        let add = get("add", &[x + 1, 2 * x]);
        assert!(add.start >= inc.end && add.start >= double.end, "{add:?}");
        last_add_end = last_add_end.max(add.end);
    }
    let sum = get("sum", &[n]);
    assert!(sum.start >= last_add_end, "{sum:?} before an add ended");
}

#[test]
fn the_task_stream_has_each_task_once_in_dependency_order() {
    let dir = scratch_dir("delayed-trace");
    let trace = dir.join("trace.csv");
    let gantt = dir.join("gantt.png");
    let args = |threads: &'static str| {
        let mut args = vec!["--threads", threads, "--repeat", "1", "--n", "6"];
        args.extend(["--work-ms", "5"]);
        args.extend(["--trace", trace.to_str().expect("UTF-8 path")]);
        args.extend(["--gantt", gantt.to_str().expect("UTF-8 path")]);
        args
    };

    // The exercise: everything on the main thread, one task after another.
    record("delayed", &args("2"));
    let serial = read_trace(&trace);
    assert_one_entry_per_task_in_dependency_order(&serial, 6);
    assert!(serial.iter().all(|task| task.thread == "main"));
    assert!(serial.windows(2).all(|w| w[1].start >= w[0].end));

    for variant in VARIANTS {
        let mut args = args("3");
        args.extend(["--variant", variant]);
        std::fs::remove_file(&gantt).expect("the last run drew a chart");
        record("delayed-solution", &args);
        let parallel = read_trace(&trace);
        assert_one_entry_per_task_in_dependency_order(&parallel, 6);
        // Simulated tasks run on rayon's three threads; at least two of them overlap.
        for task in parallel.iter().filter(|t| t.function != "sum") {
            assert!(["0", "1", "2"].contains(&task.thread.as_str()), "{task:?}");
        }
        let overlap = parallel.iter().any(|a| {
            parallel
                .iter()
                .any(|b| a.start < b.start && b.start < a.end)
        });
        assert!(overlap, "{variant}: no two tasks overlapped: {parallel:?}");

        let picture = image::open(&gantt)
            .expect("the Gantt chart decodes")
            .to_rgb8();
        assert_eq!(picture.width(), 1000);
        // Bars of inc's colour are on it.
        let inc_colour = image::Rgb([0, 114, 178]);
        let inc_pixels = picture.pixels().filter(|&&p| p == inc_colour).count();
        assert!(
            inc_pixels > 1000,
            "{variant}: {inc_pixels} pixels of inc bars"
        );
    }
}

#[test]
fn the_dot_file_holds_the_graph() {
    let dir = scratch_dir("delayed-dot");
    let dot = dir.join("graph.dot");
    let path = dot.to_str().expect("UTF-8 path");
    for binary in ["delayed", "delayed-solution"] {
        let args = ["--repeat", "1", "--work-ms", "0", "--n", "4", "--dot", path];
        let ran = run(lesson_command(binary).args(args));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(
            ran.stdout.contains("task graph written to"),
            "{}",
            ran.stdout
        );
        let text = std::fs::read_to_string(&dot).expect("written");
        assert!(text.contains("digraph"), "{text}");
        // 4 x (inc, double, add) + sum; each add has 2 inputs and the sum has 4.
        assert_eq!(text.matches("[label=").count(), 13, "{text}");
        assert_eq!(text.matches(" -> ").count(), 12, "{text}");
        std::fs::remove_file(&dot).expect("remove");
    }
}

#[test]
fn the_ideal_time_is_the_best_schedule_of_the_graph() {
    // 15 tasks of w = 2 ms and a free sum (hand-worked in the kit's graph tests):
    // 1 thread 15w, 2 threads 8w, 3 threads 5w, 8 threads 3w, 16 threads 2w.
    let w = 0.002;
    let ideal = |binary: &str, work: &str, threads: &str| {
        let args = ["--threads", threads, "--repeat", "1", "--work-ms", "2"];
        record(binary, &[&args[..], &["--work", work]].concat())
            .ideal_seconds
            .expect("the lesson reports an ideal time")
    };
    let close = |found: f64, expected: f64| (found - expected).abs() < 1e-9;
    assert!(close(ideal("delayed", "sleep", "1"), 15.0 * w));
    for (threads, slots) in [("1", 15.0), ("2", 8.0), ("3", 5.0), ("8", 3.0), ("16", 2.0)] {
        let found = ideal("delayed-solution", "sleep", threads);
        assert!(close(found, slots * w), "sleep, {threads}: {found}");
    }
    // Spinning tasks share the CPUs: no run beats the work over the CPUs either.
    let cpus = available_cpus() as f64;
    let found = ideal("delayed-solution", "spin", "16");
    let expected = (2.0 * w).max(15.0 * w / cpus);
    assert!(close(found, expected), "spin, 16 threads: {found}");
}

#[test]
fn bad_flags_and_unwritable_files_are_one_line() {
    for binary in ["delayed", "delayed-solution"] {
        let usage = [
            (
                vec!["--work", "nap"],
                "expected one of sleep, spin, got 'nap'",
            ),
            (
                vec!["--work-ms", "-1"],
                "--work-ms: expected a number from 0",
            ),
            (vec!["--n", "0"], "--n: expected a whole number from 1"),
            (
                vec!["--n", "1e6", "--work-ms", "1000"],
                "hours of serial work",
            ),
            (vec!["--work-ms"], "--work-ms"),
        ];
        for (args, expected) in usage {
            let ran = run(lesson_command(binary).args(&args));
            assert_usage_error(&ran, expected);
        }
        let dir = scratch_dir("delayed-bad-files");
        let missing = dir.join("no-such-folder");
        for flag in ["--gantt", "--trace", "--dot"] {
            // Refused with the flags, before an hour of simulated work, not after it.
            let file = missing.join("out");
            let args = ["--repeat", "1", "--n", "1200", "--work-ms", "1000", flag];
            let ran = run(lesson_command(binary).args(args).arg(&file));
            assert_usage_error(&ran, &format!("{flag}: cannot write {}", file.display()));
        }
    }
}
