//! `workbook sweep`: the solution at several thread counts (and, with `--vary`, several
//! values of one lesson flag) against the serial exercise. Writes the raw records, a CSV,
//! a JSON summary, a markdown table and PNG plots into one folder under `results/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use workbook::Record;
use workbook::flags::MAX_THREADS;
use workbook::machine::{available_cpus, default_threads};
use workbook::params::parse_count;
use workbook::record::Side;
use workbook::registry::{Lesson, Variant};
use workbook::stats::{efficiency, format_seconds, karp_flatt, speedup};

use crate::binaries::{BuildOptions, workspace_root};
use crate::compare::{fail_on_disagreement, print_warnings};
use crate::failure::{Failure, Outcome};
use crate::options::{RunOptions, features_for, find_lesson, find_variants};
use crate::output::say;
use crate::plot::{Series, speedup_plot, time_plot};
use crate::runner::LessonRunner;
use crate::sayln;
use crate::table::{Table, threads_label};

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The lesson, e.g. pi (see `workbook list`)
    pub lesson: String,
    /// Thread counts for the solution, e.g. 1,2,4,8 [default: 1, 2, 4, ... up to
    /// SLURM_CPUS_PER_TASK in a Slurm job, else up to the CPUs]
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub threads: Vec<u64>,
    /// Also sweep one lesson flag, e.g. chunks=1,10,100,1000
    #[arg(long, value_name = "FLAG=V1,V2,...")]
    pub vary: Option<String>,
    /// The solution variant to sweep [default: the lesson's first]
    #[arg(long)]
    pub variant: Option<String>,
    /// Run the whole sweep this many times, taking turns, and pool each configuration's
    /// runs: slow spells of a shared machine then hit every configuration alike
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rounds: u32,
    /// Folder to write the results folder into [default: results/ in the workbook]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub build: BuildOptions,
}

/// One solution run and how it compares with the serial exercise at the same flags.
pub struct Row {
    /// The value of the `--vary` flag, if any.
    pub vary: Option<String>,
    pub threads: usize,
    pub solution: Record,
    pub serial_median: f64,
    pub speedup: f64,
    /// Against the solution's own one-thread time, when 1 is in the sweep.
    pub self_speedup: Option<f64>,
    pub efficiency: f64,
    pub karp_flatt: Option<f64>,
    /// Estimated cost of one task, when the varied flag is the lesson's task count.
    pub overhead_per_task: Option<f64>,
    pub agreement: Result<(), String>,
}

/// The sweep's plan: which flag to vary over which values.
#[derive(Debug)]
struct Vary {
    name: String,
    values: Vec<String>,
}

/// What a sweep runs: the lesson and its solution variant, the flag it varies (if any),
/// and how many rounds it takes in turn.
struct Plan {
    lesson: &'static Lesson,
    variant: &'static Variant,
    vary: Option<Vary>,
    rounds: usize,
}

/// What the sweep's flags ask for: the variant, the thread counts (1, 2, 4, ... up to
/// `most` unless given) and the flag to vary.
fn read_plan(
    lesson: &'static Lesson,
    args: &SweepArgs,
    most: usize,
) -> Outcome<(&'static Variant, Vec<usize>, Option<Vary>)> {
    let variant = find_variants(lesson, args.variant.as_deref())?;
    let [variant] = variant[..] else {
        return Err(Failure::usage("sweep runs one variant at a time"));
    };
    let vary = args
        .vary
        .as_deref()
        .map(|text| parse_vary(lesson, text))
        .transpose()?;
    Ok((variant, thread_counts(&args.threads, most), vary))
}

pub fn sweep(args: &SweepArgs) -> Outcome<()> {
    let lesson = find_lesson(&args.lesson)?;
    // Each thread count is checked against this machine with the configurations below.
    let most = default_threads().map_err(Failure::usage)?;
    let (variant, threads, vary) = read_plan(lesson, args, most)?;
    let rounds = args.rounds as usize;
    // On this machine: its thread limit, its memory, this folder's files.
    let here = |side, args: &[String]| workbook::flags::parse(lesson, side, args).map(drop);
    check_configurations(lesson, variant, &args.run, vary.as_ref(), &threads, &here)?;
    // The folder is made now, so that a bad --out is found before the first run, and
    // with a name no other sweep has (two sweeps started in the same second included).
    let folder = output_folder(args.out.as_deref(), lesson, variant, vary.as_ref())?;
    let outcome = run_and_write(args, lesson, variant, vary, &threads, rounds, &folder);
    if outcome.is_err() {
        // Made above, and still empty if the runs failed: nothing of anyone's is lost.
        let _ = std::fs::remove_dir(&folder);
    }
    outcome
}

/// Checks the sweep a batch job will run, with `sweep_flags` after the lesson's name, on a
/// node with `cpus` CPUs: its own flags, and every configuration's lesson flags as far as
/// they can be checked away from that node. A mistake is one line now, not a failed job.
pub fn check_for_job(lesson: &'static Lesson, sweep_flags: &[String], cpus: usize) -> Outcome<()> {
    #[derive(clap::Parser)]
    #[command(name = "workbook sweep", no_binary_name = true)]
    struct Job {
        #[command(flatten)]
        args: SweepArgs,
    }
    // The job script adds these two itself.
    let mut words = vec![
        lesson.name.to_string(),
        "--bin-dir".to_string(),
        "job".to_string(),
        "--out".to_string(),
        "job".to_string(),
    ];
    words.extend(sweep_flags.iter().cloned());
    let job = <Job as clap::Parser>::try_parse_from(&words).map_err(|e| {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        Failure::usage(format!(
            "the sweep flags after --: {}",
            first.strip_prefix("error: ").unwrap_or(first)
        ))
    })?;
    let args = job.args;
    let (variant, threads, vary) = read_plan(lesson, &args, cpus)?;
    for &count in &threads {
        workbook::machine::check_threads_for("--threads", count, cpus)
            .map_err(|e| Failure::usage(format!("{e} (a job of {cpus} CPUs)")))?;
    }
    let anywhere = |side, args: &[String]| workbook::flags::check_portable(lesson, side, args, 1);
    check_configurations(
        lesson,
        variant,
        &args.run,
        vary.as_ref(),
        &threads,
        &anywhere,
    )
}

/// The check of one lesson binary's arguments: `flags::parse` for a run here,
/// `flags::check_portable` for a run elsewhere.
type Check<'a> = dyn Fn(Side, &[String]) -> Result<(), String> + 'a;

/// Checks every configuration the sweep will run, as the lesson binaries will check them,
/// before the first run: a bad combination found halfway would waste every run before it.
fn check_configurations(
    lesson: &'static Lesson,
    variant: &'static Variant,
    run: &RunOptions,
    vary: Option<&Vary>,
    threads: &[usize],
    check_args: &Check,
) -> Outcome<()> {
    let flags = run.lesson_flags(lesson);
    if let Some(vary) = vary {
        let given = workbook::flags::split_words(lesson, &run.lesson_flags);
        if given.iter().any(|flag| flag.name == vary.name) {
            return Err(Failure::usage(format!(
                "--vary {} and the lesson flags after -- both set --{}: give it in one place",
                vary.name, vary.name
            )));
        }
    }
    let values: Vec<Option<&String>> = match vary {
        Some(vary) => vary.values.iter().map(Some).collect(),
        None => vec![None],
    };
    for value in values {
        let extra: Vec<String> = match (vary, value) {
            (Some(vary), Some(value)) => vec![format!("--{}", vary.name), value.clone()],
            _ => Vec::new(),
        };
        let at = match (vary, value) {
            (Some(vary), Some(value)) => format!(" (--vary {}={value})", vary.name),
            _ => String::new(),
        };
        let configured = lesson.override_flags(&flags, &extra);
        let check = |side: Side, threads: usize, words: Vec<String>| {
            let mut args = vec!["--threads".to_string(), threads.to_string()];
            args.extend(words);
            check_args(side, &args).map_err(|e| Failure::usage(format!("{e}{at}")))
        };
        check(Side::Exercise, 1, lesson.exercise_flags(&configured))?;
        for &p in threads {
            let mut words = vec!["--variant".to_string(), variant.name.to_string()];
            words.extend(configured.iter().cloned());
            check(Side::Solution, p, words)?;
        }
    }
    Ok(())
}

fn run_and_write(
    args: &SweepArgs,
    lesson: &'static Lesson,
    variant: &'static Variant,
    vary: Option<Vary>,
    threads: &[usize],
    rounds: usize,
    folder: &Path,
) -> Outcome<()> {
    let values: Vec<Option<&str>> = match &vary {
        Some(vary) => vary.values.iter().map(|v| Some(v.as_str())).collect(),
        None => vec![None],
    };
    let solution_only = vary
        .as_ref()
        .and_then(|vary| lesson.param(&vary.name))
        .is_some_and(|param| param.solution_only);
    let mut runner = LessonRunner::new(
        lesson,
        &args.run,
        &args.build,
        &features_for(lesson, &[variant]),
        rounds * (values.len() * threads.len() + if solution_only { 1 } else { values.len() }),
    )?;
    let mut baselines: Vec<(Option<String>, Record)> = Vec::new();
    let mut runs: Vec<(Option<String>, Record)> = Vec::new();
    let mut raw_lines = Vec::new();
    for round in 0..rounds {
        let mut round_baseline: Option<Record> = None;
        for value in &values {
            let (extra, at) = match (&vary, value) {
                (Some(vary), Some(value)) => (
                    vec![format!("--{}", vary.name), value.to_string()],
                    format!(" {}={value}", vary.name),
                ),
                _ => (Vec::new(), String::new()),
            };
            let key = value.map(str::to_string);
            // A solution-only flag does not change the exercise: run it once a round.
            let shared = match (&round_baseline, solution_only) {
                (Some(baseline), true) => Some(baseline.clone()),
                _ => None,
            };
            let baseline = match shared {
                Some(baseline) => baseline,
                None => {
                    // The exercise's label names the varied flag only if it takes it.
                    let label = if solution_only {
                        String::new()
                    } else {
                        at.clone()
                    };
                    let (baseline, line) =
                        runner.exercise(&format!("exercise{label}"), 1, &extra)?;
                    raw_lines.push(line);
                    round_baseline = Some(baseline.clone());
                    baseline
                }
            };
            add_run(&mut baselines, round, key.clone(), baseline);
            for &p in threads {
                let label = format!("{} threads={p}{at}", variant.name);
                let (record, line) = runner.solution(&label, p, variant.name, &extra)?;
                raw_lines.push(line);
                add_run(&mut runs, round, key.clone(), record);
            }
        }
    }
    runner.finish();

    let plan = Plan {
        lesson,
        variant,
        vary,
        rounds,
    };
    let rows = analyse(&plan, &baselines, runs);
    let markdown = write_outputs(&plan, folder, &baselines, &rows, &raw_lines)?;
    say(&markdown);
    sayln!("\nWritten to {}/", folder.display());
    print_warnings(
        baselines
            .iter()
            .map(|(_, r)| r)
            .chain(rows.iter().map(|r| &r.solution)),
    );

    let disagreements: Vec<String> = rows
        .iter()
        .filter_map(|row| {
            row.agreement
                .as_ref()
                .err()
                .map(|e| format!("{} threads: {e}", row.threads))
        })
        .collect();
    fail_on_disagreement(&disagreements)
}

/// Files a run under its configuration. The first round opens the entry; later rounds
/// pool their timings into it (in the same order, so entry i of round r is entry i).
fn add_run(
    entries: &mut Vec<(Option<String>, Record)>,
    round: usize,
    key: Option<String>,
    record: Record,
) {
    if round == 0 {
        entries.push((key, record));
        return;
    }
    let slot = entries
        .iter_mut()
        .find(|(k, r)| *k == key && r.threads == record.threads && r.variant == record.variant)
        .map(|(_, r)| r)
        .expect("every configuration ran in the first round");
    let same_answer = workbook::Agreement::Exact
        .check(&slot.answer_value(), &record.answer_value())
        .is_ok();
    slot.answers_identical &= record.answers_identical && same_answer;
    slot.seconds.extend(record.seconds);
    slot.peak_rss_bytes = slot.peak_rss_bytes.max(record.peak_rss_bytes);
    for warning in record.warnings {
        if !slot.warnings.contains(&warning) {
            slot.warnings.push(warning);
        }
    }
}

/// The counts asked for, else 1, 2, 4, ... up to `most` (the CPUs this process may use,
/// or the job's), and `most` itself.
fn thread_counts(asked: &[u64], most: usize) -> Vec<usize> {
    if !asked.is_empty() {
        return asked.iter().map(|&t| t as usize).collect();
    }
    let mut counts: Vec<usize> = std::iter::successors(Some(1), |t| Some(t * 2))
        .take_while(|&t| t <= most)
        .collect();
    if counts.last() != Some(&most) {
        counts.push(most);
    }
    counts
}

fn parse_vary(lesson: &Lesson, text: &str) -> Outcome<Vary> {
    let usage = || {
        Failure::usage(format!(
            "--vary expects FLAG=V1,V2,... (e.g. chunks=1,10,100), got '{text}'"
        ))
    };
    let (name, list) = text.split_once('=').ok_or_else(usage)?;
    let name = name.trim_start_matches("--");
    if lesson.param(name).is_none() {
        let names: Vec<_> = lesson.params.iter().map(|p| p.name).collect();
        return Err(Failure::usage(format!(
            "--vary: lesson {} has no flag --{name} (its flags: {})",
            lesson.name,
            names.join(", ")
        )));
    }
    let values: Vec<String> = list
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(usage());
    }
    Ok(Vary {
        name: name.to_string(),
        values,
    })
}

/// Speedups, efficiencies, serial fractions and task overheads for every run.
fn analyse(
    plan: &Plan,
    baselines: &[(Option<String>, Record)],
    runs: Vec<(Option<String>, Record)>,
) -> Vec<Row> {
    let (lesson, variant) = (plan.lesson, plan.variant);
    let vary_name = plan.vary.as_ref().map(|v| v.name.as_str());
    let cpus = available_cpus();
    let varies_tasks = vary_name.is_some() && vary_name == lesson.tasks;
    let serial_of = |value: &Option<String>| {
        &baselines
            .iter()
            .find(|(v, _)| v == value)
            .expect("a baseline per value")
            .1
    };
    let one_thread_of = |value: &Option<String>, runs: &[(Option<String>, Record)]| {
        runs.iter()
            .find(|(v, r)| v == value && r.threads == 1)
            .map(|(_, r)| r.summary().median)
    };
    let mut rows = Vec::new();
    for (value, record) in &runs {
        let serial = serial_of(value);
        let median = record.summary().median;
        let s = speedup(serial.summary().median, median);
        let overhead_per_task = if varies_tasks {
            task_overhead(value, record.threads, cpus, &runs)
        } else {
            None
        };
        rows.push(Row {
            vary: value.clone(),
            threads: record.threads,
            solution: record.clone(),
            serial_median: serial.summary().median,
            speedup: s,
            self_speedup: one_thread_of(value, &runs).map(|t1| speedup(t1, median)),
            efficiency: efficiency(s, record.threads),
            karp_flatt: karp_flatt(s, record.threads),
            overhead_per_task,
            agreement: variant
                .agreement
                .check(&serial.answer_value(), &record.answer_value()),
        });
    }
    rows
}

/// With c tasks on p busy threads, each task's fixed cost adds c * cost / p to the time.
/// Against the fastest task count c0 at the same thread count, a run with more tasks
/// therefore estimates cost = (T(c) - T(c0)) * p / (c - c0). Only where the extra time
/// stands well clear of timing noise (20%) is the estimate given.
/// Threads beyond the CPUs take turns, so only min(threads, CPUs) count as busy.
fn task_overhead(
    value: &Option<String>,
    threads: usize,
    cpus: usize,
    runs: &[(Option<String>, Record)],
) -> Option<f64> {
    let busy = threads.min(cpus);
    let tasks = |v: &Option<String>| v.as_deref().and_then(parse_count);
    let same_threads: Vec<(u64, f64)> = runs
        .iter()
        .filter(|(_, r)| r.threads == threads)
        .filter_map(|(v, r)| Some((tasks(v)?, r.summary().median)))
        .collect();
    let (best_tasks, best_time) = same_threads
        .iter()
        .copied()
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let (tasks_here, time_here) = same_threads
        .iter()
        .copied()
        .find(|(c, _)| Some(*c) == tasks(value))?;
    (tasks_here > best_tasks && time_here > 1.2 * best_time)
        .then(|| (time_here - best_time) * busy as f64 / (tasks_here - best_tasks) as f64)
}

/// A new folder under `out` (or results/), named after the lesson, the variant, the flag
/// varied, the host and the time: `pi-rayon-chunks-node12-20261202T101500Z`.
fn output_folder(
    out: Option<&Path>,
    lesson: &Lesson,
    variant: &Variant,
    vary: Option<&Vary>,
) -> Outcome<PathBuf> {
    let base = out.map_or_else(|| workspace_root().join("results"), Path::to_path_buf);
    let stamp = crate::output::file_stamp(None);
    let vary = vary.map_or(String::new(), |v| format!("-{}", v.name));
    let host = workbook::machine::Machine::detect().host;
    let name = format!("{}-{}{vary}-{host}-{stamp}", lesson.name, variant.name);
    workbook::files::create_unique_dir(&base, &name).map_err(Failure::failed)
}

/// Writes records.jsonl, sweep.csv, sweep.json, sweep.md and the plots; returns the markdown.
fn write_outputs(
    plan: &Plan,
    folder: &Path,
    baselines: &[(Option<String>, Record)],
    rows: &[Row],
    raw_lines: &[String],
) -> Outcome<String> {
    let (lesson, variant, vary) = (plan.lesson, plan.variant, plan.vary.as_ref());
    let write = |name: &str, text: &str| {
        workbook::files::write(&folder.join(name), text).map_err(|e| Failure::failed(e.to_string()))
    };
    write("records.jsonl", &(raw_lines.join("\n") + "\n"))?;
    write("sweep.csv", &csv(plan, rows))?;
    let summary = json_summary(plan, rows, raw_lines);
    write(
        "sweep.json",
        &(serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n"),
    )?;
    let markdown = markdown(plan, baselines, rows);
    write("sweep.md", &markdown)?;

    let first = &baselines[0].1;
    let caption = format!("{}, {}", first.machine.host, first.machine.cpu_model);
    let group = |row: &Row| row.vary.clone().unwrap_or_default();
    let mut speedups: Vec<Series> = Vec::new();
    for row in rows {
        let label = match (&vary, &row.vary) {
            (Some(vary), Some(value)) => format!("{} {}={value}", variant.name, vary.name),
            _ => format!("solution {}", variant.name),
        };
        match speedups.iter_mut().find(|s| s.label == label) {
            Some(series) => series.points.push((row.threads as f64, row.speedup)),
            None => speedups.push(Series {
                label,
                points: vec![(row.threads as f64, row.speedup)],
            }),
        }
    }
    let title = format!("{}: speedup of the {} solution", lesson.name, variant.name);
    speedup_plot(
        &folder.join("speedup.png"),
        &title,
        &caption,
        &speedups,
        Some(first.machine.available_cpus),
    )
    .map_err(|e| Failure::failed(format!("speedup plot: {e}")))?;

    if let Some(vary) = vary {
        let numeric = |value: &str| {
            parse_count(value)
                .map(|v| v as f64)
                .or_else(|| value.parse().ok())
        };
        let mut times = vec![Series {
            label: "exercise (serial)".to_string(),
            points: baselines
                .iter()
                .filter_map(|(v, r)| Some((numeric(v.as_deref()?)?, r.summary().median)))
                .collect(),
        }];
        for row in rows {
            let label = format!("{}, {}", variant.name, threads_label(row.threads));
            let Some(x) = numeric(&group(row)) else {
                continue;
            };
            let point = (x, row.solution.summary().median);
            match times.iter_mut().find(|s| s.label == label) {
                Some(series) => series.points.push(point),
                None => times.push(Series {
                    label,
                    points: vec![point],
                }),
            }
        }
        if times.iter().all(|s| !s.points.is_empty()) {
            let title = format!("{}: time against --{}", lesson.name, vary.name);
            time_plot(
                &folder.join(format!("{}.png", vary.name)),
                &title,
                &format!("--{}", vary.name),
                &times,
            )
            .map_err(|e| Failure::failed(format!("time plot: {e}")))?;
        }
    }
    Ok(markdown)
}

fn optional(value: Option<f64>, format: impl Fn(f64) -> String) -> String {
    value.map_or_else(|| "-".to_string(), format)
}

fn markdown(plan: &Plan, baselines: &[(Option<String>, Record)], rows: &[Row]) -> String {
    let (lesson, variant, vary, rounds) =
        (plan.lesson, plan.variant, plan.vary.as_ref(), plan.rounds);
    let first = &baselines[0].1;
    let mut text = format!(
        "# Sweep: {}, solution variant {}\n\n",
        lesson.name, variant.name
    );
    let _ = writeln!(text, "- machine: {}", first.machine.describe());
    let flags: Vec<String> = first
        .params
        .iter()
        .map(|(name, value)| match vary {
            Some(vary) if vary.name == *name => {
                format!("{name} varied: {}", vary.values.join(", "))
            }
            _ => format!("{name}={value}"),
        })
        .collect();
    let _ = writeln!(text, "- flags: {}", flags.join(" "));
    let _ = writeln!(
        text,
        "- median of {} runs after {} warm-up(s){}; serial = the exercise on one thread; answers must agree {}",
        first.seconds.len(),
        first.warmup,
        match rounds {
            1 => String::new(),
            n => format!(", pooled from {n} rounds taken in turn"),
        },
        variant.agreement.describe()
    );
    let commit: String = first.machine.build.git_commit.chars().take(12).collect();
    let _ = writeln!(
        text,
        "- commit {commit}, {}, {}\n",
        first.machine.build.rustc, first.machine.timestamp
    );

    let varies_tasks = rows.iter().any(|r| r.overhead_per_task.is_some());
    let has_ideal = rows.iter().any(|r| r.solution.ideal_seconds.is_some());
    let mut headers = vec![">threads"];
    let vary_header = vary.map(|v| format!(">{}", v.name));
    if let Some(header) = &vary_header {
        headers.push(header);
    }
    headers.push(">median");
    if has_ideal {
        headers.push(">ideal");
    }
    headers.extend([
        ">serial",
        ">speedup",
        ">self-speedup",
        ">efficiency",
        ">Karp-Flatt",
    ]);
    if varies_tasks {
        headers.push(">cost per task");
    }
    headers.push("agrees");
    let mut table = Table::new(&headers);
    for row in rows {
        let mut cells = vec![row.threads.to_string()];
        if vary.is_some() {
            cells.push(row.vary.clone().unwrap_or_default());
        }
        cells.push(format_seconds(row.solution.summary().median));
        if has_ideal {
            cells.push(optional(row.solution.ideal_seconds, format_seconds));
        }
        cells.extend([
            format_seconds(row.serial_median),
            format!("{:.2}x", row.speedup),
            optional(row.self_speedup, |s| format!("{s:.2}x")),
            format!("{:.0}%", row.efficiency * 100.0),
            optional(row.karp_flatt, |e| format!("{e:.3}")),
        ]);
        if varies_tasks {
            cells.push(optional(row.overhead_per_task, format_seconds));
        }
        cells.push(if row.agreement.is_ok() { "yes" } else { "NO" }.to_string());
        table.row(cells);
    }
    text.push_str(&table.markdown());
    let faster_alone = rows.iter().find(|r| r.threads == 1 && r.speedup > 1.2);
    if let Some(row) = faster_alone {
        let _ = writeln!(
            text,
            "\nOn one thread this solution is already {:.2}x faster than the exercise: it does the \
             work differently, not only in parallel. Efficiencies above 100% and negative \
             Karp-Flatt fractions come from that; the self-speedup shows the parallel gain alone.",
            row.speedup
        );
    }
    if has_ideal {
        text.push_str(
            "\nIdeal: the shortest time the lesson's model of the work allows at that thread count \
             (for a task graph, its best schedule).\n",
        );
    }
    if varies_tasks {
        text.push_str(
            "\nCost per task: (T(c) - T(c0)) x threads / (c - c0), against the fastest task count c0 \
             at the same thread count.\n",
        );
    }
    text
}

fn csv(plan: &Plan, rows: &[Row]) -> String {
    let (lesson, variant, vary) = (plan.lesson, plan.variant, plan.vary.as_ref());
    let vary_name = vary.map_or("", |v| v.name.as_str());
    let mut text = String::from(
        "lesson,variant,vary_flag,vary_value,threads,median_s,min_s,max_s,ideal_s,serial_median_s,speedup,self_speedup,\
         efficiency,karp_flatt,cost_per_task_s,agrees,host,cpu_model,logical_cpus,physical_cores,slurm_job_id,timestamp\n",
    );
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for row in rows {
        let summary = row.solution.summary();
        let machine = &row.solution.machine;
        let fields = [
            lesson.name.to_string(),
            variant.name.to_string(),
            vary_name.to_string(),
            row.vary.clone().unwrap_or_default(),
            row.threads.to_string(),
            format!("{:e}", summary.median),
            format!("{:e}", summary.min),
            format!("{:e}", summary.max),
            number(row.solution.ideal_seconds),
            format!("{:e}", row.serial_median),
            format!("{:.4}", row.speedup),
            number(row.self_speedup),
            format!("{:.4}", row.efficiency),
            number(row.karp_flatt),
            number(row.overhead_per_task),
            row.agreement.is_ok().to_string(),
            machine.host.clone(),
            machine.cpu_model.clone(),
            machine.logical_cpus.to_string(),
            machine
                .physical_cores
                .map_or(String::new(), |c| c.to_string()),
            machine
                .slurm
                .as_ref()
                .map_or(String::new(), |s| s.job_id.clone()),
            machine.timestamp.clone(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        text.push_str(&quoted.join(","));
        text.push('\n');
    }
    text
}

pub(crate) fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

fn json_summary(plan: &Plan, rows: &[Row], raw_lines: &[String]) -> serde_json::Value {
    let (lesson, variant, vary) = (plan.lesson, plan.variant, plan.vary.as_ref());
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let summary = row.solution.summary();
            json!({
                "threads": row.threads,
                "vary_value": row.vary,
                "median_s": summary.median,
                "min_s": summary.min,
                "max_s": summary.max,
                "ideal_s": row.solution.ideal_seconds,
                "serial_median_s": row.serial_median,
                "speedup": row.speedup,
                "self_speedup": row.self_speedup,
                "efficiency": row.efficiency,
                "karp_flatt": row.karp_flatt,
                "cost_per_task_s": row.overhead_per_task,
                "agrees": row.agreement.is_ok(),
                "disagreement": row.agreement.as_ref().err(),
            })
        })
        .collect();
    let records: Vec<serde_json::Value> = raw_lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    json!({
        "lesson": lesson.name,
        "variant": variant.name,
        "agreement": variant.agreement.describe(),
        "vary_flag": vary.map(|v| v.name.as_str()),
        "rows": rows,
        "records": records,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_thread_counts_double_up_to_the_cpus() {
        assert_eq!(thread_counts(&[], 1), vec![1]);
        assert_eq!(thread_counts(&[], 8), vec![1, 2, 4, 8]);
        assert_eq!(thread_counts(&[], 12), vec![1, 2, 4, 8, 12]);
        assert_eq!(thread_counts(&[3, 1], 8), vec![3, 1]);
    }

    #[test]
    fn vary_names_a_lesson_flag() {
        let vary = parse_vary(&workbook::registry::PI, "chunks=1,10, 100").unwrap();
        assert_eq!((vary.name.as_str(), vary.values.len()), ("chunks", 3));
        assert_eq!(
            parse_vary(&workbook::registry::PI, "--chunks=5")
                .unwrap()
                .name,
            "chunks"
        );
        let error = parse_vary(&workbook::registry::PI, "size=1").unwrap_err();
        assert_eq!(error.code, 2);
        assert_eq!(
            error.message,
            "--vary: lesson pi has no flag --size (its flags: n, chunks)"
        );
        assert_eq!(
            parse_vary(&workbook::registry::PI, "chunks")
                .unwrap_err()
                .code,
            2
        );
        assert_eq!(
            parse_vary(&workbook::registry::PI, "chunks=")
                .unwrap_err()
                .code,
            2
        );
    }

    #[test]
    fn csv_fields_with_commas_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("Intel, Inc \"x\""), "\"Intel, Inc \"\"x\"\"\"");
    }
}
