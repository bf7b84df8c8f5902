//! `workbook sweep`: the solution at several thread counts (and, with `--vary`, several
//! values of one lesson flag) against the serial exercise. Its records are merged into
//! rows as `report` merges them, with the sweep's own columns added: the varied flag,
//! self-speedup and cost per task. Writes the raw records, a CSV, a JSON summary, a
//! markdown table and PNG plots into one folder under `results/`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::json;
use workbook::machine::Machine;
use workbook::params::parse_count;
use workbook::roofline::{Limits, Work};
use workbook::{Record, Side};

use crate::columns::{Column, csv, rate_columns, table};
use crate::failure::{Failure, Outcome, fail_on_disagreement};
use crate::options::features_for;
use crate::output::{file_stamp, new_folder, say, write_file};
use crate::plan::{Plan, SweepArgs};
use crate::plot::{
    RoofPoint, roofline_plot, series, speedup_plot, time_plot, weak_plot, workers_axis,
};
use crate::records::print_warnings;
use crate::rows::{Row, Scaling, disagreements, merge};
use crate::runner::LessonRunner;
use crate::sayln;
use crate::table::threads_label;

/// The machine's limits beside a sweep's records, as `workbook machine` wrote them.
pub const MACHINE_FILE: &str = "machine.toml";

pub fn sweep(args: &SweepArgs) -> Outcome<()> {
    let plan = Plan::for_this_machine(args)?;
    plan.check_here(&args.run)?;
    // The folder is made now, so that a bad --out is found before the first run, and
    // with a name no other sweep has (two sweeps started in the same second included).
    let folder = output_folder(args.out.as_deref(), &plan)?;
    let outcome = run_and_write(args, &plan, &folder);
    if outcome.is_err() {
        // Made above, and still empty if the runs failed: nothing of anyone's is lost.
        let _ = std::fs::remove_dir(&folder);
    }
    outcome
}

fn run_and_write(args: &SweepArgs, plan: &Plan, folder: &Path) -> Outcome<()> {
    let (records, lines) = sweep_runs(args, plan)?;
    let rows = sweep_rows(plan, &records);
    let write = |name: &str, text: &str| write_file(folder, name, text);
    write("records.jsonl", &(lines.join("\n") + "\n"))?;
    write("sweep.csv", &csv(&columns(plan, &rows, true), &rows))?;
    let summary = json_summary(plan, &rows, &lines);
    let summary = serde_json::to_string_pretty(&summary).unwrap_or_default();
    write("sweep.json", &(summary + "\n"))?;
    // The limits the roofline is drawn against go with the records, so that the plot can
    // be drawn again from the folder alone.
    let limits = Limits::for_host(&exercise_of(&records).machine.host)
        .ok()
        .flatten();
    if let Some(limits) = &limits {
        write(MACHINE_FILE, &limits.to_text())?;
    }
    let markdown = sweep_markdown(plan, &records, &rows, limits.as_ref());
    write("sweep.md", &markdown)?;
    draw_plots(plan, folder, &records, &rows, limits.as_ref())?;
    say(&markdown);
    sayln!("\nWritten to {}/", folder.display());
    print_warnings(records.iter());
    fail_on_disagreement(&disagreements(&rows, |row| threads_label(row.threads)))
}

/// Runs the sweep's rounds: each round the exercise (once per value of the varied flag),
/// then the solution at each thread count. The records, and their lines as printed.
pub fn sweep_runs(args: &SweepArgs, plan: &Plan) -> Outcome<(Vec<Record>, Vec<String>)> {
    let lesson = plan.lesson;
    let values = plan.values();
    let solution_only = plan.varies_solution_only();
    let layouts = plan.layouts();
    // Weak scaling gives every number of cores its own size, and the exercise runs at each.
    let mut sizes: Vec<usize> = Vec::new();
    for layout in &layouts {
        let cores = if plan.weak.is_some() {
            layout.cores()
        } else {
            1
        };
        if !sizes.contains(&cores) {
            sizes.push(cores);
        }
    }
    let exercises = sizes.len() * if solution_only { 1 } else { values.len() };
    let mut runner = LessonRunner::new(
        lesson,
        &args.run,
        &args.build,
        &features_for(lesson, &plan.variants),
        plan.rounds * (values.len() * plan.variants.len() * layouts.len() + exercises),
    )?;
    let mut records = Vec::new();
    let mut lines = Vec::new();
    for _round in 0..plan.rounds {
        for (index, (value, extra)) in values.iter().enumerate() {
            let at = match (&plan.vary, value) {
                (Some(vary), Some(value)) => format!(" {}={value}", vary.name),
                _ => String::new(),
            };
            // A solution-only flag does not change the exercise: run it once a round.
            if index == 0 || !solution_only {
                let label = if solution_only { "" } else { &at };
                for &cores in &sizes {
                    let mut flags = extra.clone();
                    flags.extend(plan.weak_flags(cores));
                    let size = match plan.weak_size(cores) {
                        Some((name, size)) => format!(" {name}={size}"),
                        None => String::new(),
                    };
                    let run = runner.exercise(&format!("exercise{label}{size}"), 1, &flags)?;
                    records.push(run.0);
                    lines.push(run.1);
                }
            }
            for variant in &plan.variants {
                for &layout in &layouts {
                    let label = format!("{} {}{at}", variant.name, layout.label());
                    let mut flags = extra.clone();
                    flags.extend(plan.layout_flags(layout));
                    let run = runner.solution(&label, layout.threads, variant.name, &flags)?;
                    records.push(run.0);
                    lines.push(run.1);
                }
            }
        }
    }
    runner.finish();
    Ok((records, lines))
}

/// The sweep's records merged into rows, with the sweep's own columns.
pub fn sweep_rows(plan: &Plan, records: &[Record]) -> Vec<Row> {
    let mut rows = merge(records);
    add_sweep_columns(plan, &mut rows);
    rows
}

/// Self-speedup against the same configuration on one thread, and, when the varied flag is
/// the lesson's task count, the cost of one task.
fn add_sweep_columns(plan: &Plan, rows: &mut [Row]) {
    let tasks_flag = plan
        .vary
        .as_ref()
        .filter(|vary| plan.lesson.tasks == Some(vary.name.as_str()));
    let measured: Vec<Row> = rows.to_vec();
    for row in rows.iter_mut() {
        // The CPUs of the machine that ran it, which need not be this one.
        let cpus = row.machine_details.available_cpus;
        // On MPI ranks: against one rank of one thread, the same run on one core.
        let one_thread = measured.iter().find(|r| match row.ranks {
            None => r.threads == 1 && r.same_configuration(row),
            Some(_) => r.cores() == 1 && r.same_configuration_but_ranks(row),
        });
        row.self_speedup = one_thread.map(|r| Scaling::of(r.median(), row.median(), 1).speedup);
        if plan.weak.is_some() {
            // Weak scaling: against one core's time on one core's share.
            let one_core = measured
                .iter()
                .find(|r| r.cores() == 1 && r.variant == row.variant && r.machine == row.machine);
            row.weak_efficiency = one_core.map(|r| r.median() / row.median());
        }
        if let Some(vary) = tasks_flag {
            row.cost_per_task = task_overhead(row, &vary.name, cpus, &measured);
        }
    }
}

/// With c tasks on p busy threads, each task's fixed cost adds c * cost / p to the time.
/// Against the fastest task count c0 at the same thread count, a run with more tasks
/// therefore estimates cost = (T(c) - T(c0)) * p / (c - c0). Only where the extra time
/// stands well clear of timing noise (20%) is the estimate given.
/// Threads beyond the CPUs take turns, so only min(threads, CPUs) count as busy.
fn task_overhead(row: &Row, flag: &str, cpus: usize, rows: &[Row]) -> Option<f64> {
    let busy = row.threads.min(cpus);
    let tasks = |r: &Row| parse_count(&r.param(flag));
    let same_threads = rows.iter().filter(|r| r.threads == row.threads);
    let (best_tasks, best_time) = same_threads
        .filter_map(|r| Some((tasks(r)?, r.median())))
        .min_by(|a, b| a.1.total_cmp(&b.1))?;
    let (tasks_here, time_here) = (tasks(row)?, row.median());
    (tasks_here > best_tasks && time_here > 1.2 * best_time)
        .then(|| (time_here - best_time) * busy as f64 / (tasks_here - best_tasks) as f64)
}

/// A new folder under `out` (or results/), named after the lesson, the variant, the flag
/// varied, the host and the time: `pi-rayon-chunks-node12-20261202T101500Z`.
fn output_folder(out: Option<&Path>, plan: &Plan) -> Outcome<PathBuf> {
    let vary = plan
        .vary
        .as_ref()
        .map_or(String::new(), |v| format!("-{}", v.name));
    let (lesson, variant) = (plan.lesson.name, plan.variant_names());
    let (host, stamp) = (Machine::detect().host, file_stamp(None));
    new_folder(out, &format!("{lesson}-{variant}{vary}-{host}-{stamp}"))
}

/// The columns of the sweep's table and CSV.
fn columns(plan: &Plan, rows: &[Row], for_csv: bool) -> Vec<Column> {
    let vary = plan.vary.as_ref().map_or(String::new(), |v| v.name.clone());
    let has_ideal = rows.iter().any(|r| r.ideal_seconds.is_some());
    let has_cost = rows.iter().any(|r| r.cost_per_task.is_some());
    let on_ranks = plan.ranks.iter().any(Option::is_some);
    if for_csv {
        use Column::*;
        let mut columns = vec![Lesson, Variant, VaryFlag(vary.clone()), Vary(vary)];
        match on_ranks {
            true => columns.extend([Ranks, Threads, Cores]),
            false => columns.push(Threads),
        }
        columns.extend([Median, Min, Max, Ideal]);
        columns.extend(rate_columns(rows));
        columns.extend([
            Serial,
            Memory,
            SerialMemory,
            Speedup,
            SelfSpeedup,
            Efficiency,
            KarpFlatt,
        ]);
        columns.extend(plan.weak.is_some().then_some(WeakEfficiency));
        columns.extend([
            CostPerTask,
            Agrees,
            Machine,
            CpuModel,
            LogicalCpus,
            PhysicalCores,
            SlurmJob,
            Timestamp,
        ]);
        return columns;
    }
    let mut columns = Vec::new();
    columns.extend((plan.variants.len() > 1).then_some(Column::Variant));
    columns.extend(on_ranks.then_some(Column::Ranks));
    columns.push(Column::Threads);
    columns.extend(on_ranks.then_some(Column::Cores));
    if let Some((name, _)) = &plan.weak {
        columns.push(Column::Vary(name.clone()));
    }
    columns.extend(plan.vary.is_some().then_some(Column::Vary(vary)));
    columns.push(Column::Median);
    columns.extend(has_ideal.then_some(Column::Ideal));
    columns.extend(rate_columns(rows));
    columns.extend([
        Column::Memory,
        Column::Serial,
        Column::SerialMemory,
        Column::Speedup,
        Column::SelfSpeedup,
        Column::Efficiency,
        Column::KarpFlatt,
    ]);
    columns.extend(plan.weak.is_some().then_some(Column::WeakEfficiency));
    columns.extend(has_cost.then_some(Column::CostPerTask));
    columns.push(Column::Agrees);
    columns
}

/// The speedup plot, with a varied flag the plot of time against it, with `--weak` the
/// weak-scaling plot, and with the machine's limits the roofline, into `folder`.
pub fn draw_plots(
    plan: &Plan,
    folder: &Path,
    records: &[Record],
    rows: &[Row],
    limits: Option<&Limits>,
) -> Outcome<()> {
    let exercise = exercise_of(records);
    let variant = plan.variant_names();
    let vary_name = plan.vary.as_ref().map(|v| v.name.as_str());
    let speedups = series(rows, |row| {
        let label = match vary_name {
            Some(name) => format!("{} {name}={}", row.variant, row.param(name)),
            None => format!("solution {}", row.variant),
        };
        let label = match row.ranks {
            Some(ranks) => format!("{label}, ranks {ranks}"),
            None => label,
        };
        Some((label, (row.cores() as f64, row.scaling()?.speedup)))
    });
    let machine = &exercise.machine;
    let caption = format!("{}, {}", machine.host, machine.cpu_model);
    let title = format!("{}: speedup of the {variant} solution", plan.lesson.name);
    let cpus = Some(machine.available_cpus);
    speedup_plot(
        &folder.join("speedup.png"),
        &title,
        &caption,
        &speedups,
        cpus,
        workers_axis(rows),
    )
    .map_err(|e| Failure::failed(format!("speedup plot: {e}")))?;
    if let Some(limits) = limits {
        draw_roofline(plan, folder, exercise, rows, limits)?;
    }
    if let Some((name, base)) = &plan.weak {
        let efficiency = series(rows, |row| {
            let label = format!("{}, {name} = {base} on one core", row.variant);
            // On ranks, a line per rank's threads: more ranks of the same threads.
            let label = match row.ranks {
                Some(_) => format!("{label}, {} a rank", threads_label(row.threads)),
                None => label,
            };
            Some((label, (row.cores() as f64, row.weak_efficiency?)))
        });
        let title = format!(
            "{}: weak scaling of the {variant} solution",
            plan.lesson.name
        );
        weak_plot(
            &folder.join("weak.png"),
            &title,
            &caption,
            &efficiency,
            cpus,
        )
        .map_err(|e| Failure::failed(format!("weak-scaling plot: {e}")))?;
    }

    if let Some(name) = vary_name {
        let x = |row: &Row| {
            let value = row.param(name);
            let count = parse_count(&value).map(|v| v as f64);
            count.or_else(|| value.parse().ok())
        };
        // The exercise's time once per value: from the rows of the fewest threads.
        let fewest = rows.iter().map(|r| r.threads).min();
        let serial = rows.iter().filter(|r| Some(r.threads) == fewest);
        let serial = series(serial, |row| {
            Some(("exercise (serial)".into(), (x(row)?, row.serial_median()?)))
        });
        let solution = series(rows, |row| {
            let label = format!("{}, {}", row.variant, threads_label(row.threads));
            Some((label, (x(row)?, row.median())))
        });
        let times: Vec<_> = serial.into_iter().chain(solution).collect();
        if !times.is_empty() && times.iter().all(|s| !s.points.is_empty()) {
            let title = format!("{}: time against --{name}", plan.lesson.name);
            let path = folder.join(format!("{name}.png"));
            time_plot(&path, &title, &format!("--{name}"), &times)
                .map_err(|e| Failure::failed(format!("time plot: {e}")))?;
        }
    }
    Ok(())
}

/// roofline.png: the runs against the machine's limits, if the lesson has a model of its
/// work.
fn draw_roofline(
    plan: &Plan,
    folder: &Path,
    exercise: &Record,
    rows: &[Row],
    limits: &Limits,
) -> Outcome<()> {
    let point = |label: String, threads: usize, work: &Work, seconds: f64| RoofPoint {
        label,
        threads,
        intensity: if work.flops > 0.0 {
            work.intensity()
        } else {
            0.0
        },
        flops: work.flops / seconds,
        bytes: work.bytes / seconds,
    };
    let serial = exercise.work.as_ref().map(|work| {
        point(
            "exercise (serial)".to_string(),
            1,
            work,
            exercise.summary().median,
        )
    });
    let points: Vec<RoofPoint> = serial
        .into_iter()
        .chain(rows.iter().filter_map(|row| {
            let label = format!("solution {}", row.variant);
            Some(point(label, row.cores(), row.work.as_ref()?, row.median()))
        }))
        .collect();
    if points.len() < 2 {
        return Ok(());
    }
    let title = format!(
        "{}: roofline of the {} solution",
        plan.lesson.name,
        plan.variant_names()
    );
    roofline_plot(&folder.join("roofline.png"), &title, limits, &points)
        .map_err(|e| Failure::failed(format!("roofline plot: {e}")))
}

fn exercise_of(records: &[Record]) -> &Record {
    records
        .iter()
        .find(|r| r.side == Side::Exercise)
        .expect("a sweep runs the exercise")
}

/// sweep.md: what ran where, and the table.
pub fn sweep_markdown(
    plan: &Plan,
    records: &[Record],
    rows: &[Row],
    limits: Option<&Limits>,
) -> String {
    let exercise = exercise_of(records);
    let (lesson, vary) = (plan.lesson, plan.vary.as_ref());
    let mut text = match plan.variants.as_slice() {
        [one] => format!(
            "# Sweep: {}, solution variant {}\n\n",
            lesson.name, one.name
        ),
        several => format!(
            "# Sweep: {}, solution variants {}\n\n",
            lesson.name,
            several
                .iter()
                .map(|v| v.name)
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let _ = writeln!(text, "- machine: {}", exercise.machine.describe());
    let flags: Vec<String> = exercise
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
        exercise.seconds.len() * plan.rounds,
        exercise.warmup,
        match plan.rounds {
            1 => String::new(),
            n => format!(", pooled from {n} rounds taken in turn"),
        },
        plan.agreements()
    );
    if let Some(limits) = limits {
        let _ = writeln!(text, "- {}", crate::limits::one_line(limits));
    }
    let build = &exercise.machine.build;
    let commit: String = build.git_commit.chars().take(12).collect();
    let _ = writeln!(
        text,
        "- commit {commit}, {}, {}\n",
        build.rustc, exercise.machine.timestamp
    );
    text.push_str(&table(&columns(plan, rows, false), rows).markdown());
    let faster_alone = rows
        .iter()
        .filter(|r| r.cores() == 1)
        .find_map(|r| r.scaling().filter(|s| s.speedup > 1.2));
    if let Some(alone) = faster_alone {
        let _ = writeln!(
            text,
            "\nOn one thread this solution is already {:.2}x faster than the exercise: it does the \
             work differently, not only in parallel. Efficiencies above 100% and negative \
             Karp-Flatt fractions come from that; the self-speedup shows the parallel gain alone.",
            alone.speedup
        );
    }
    if rows.iter().any(|r| r.ideal_seconds.is_some()) {
        text.push_str(
            "\nIdeal: the shortest time the lesson's model of the work allows at that thread count \
             (for a task graph, its best schedule).\n",
        );
    }
    if rows.iter().any(|r| r.cost_per_task.is_some()) {
        text.push_str(
            "\nCost per task: (T(c) - T(c0)) x threads / (c - c0), against the fastest task count c0 \
             at the same thread count.\n",
        );
    }
    text
}

fn json_summary(plan: &Plan, rows: &[Row], lines: &[String]) -> serde_json::Value {
    let vary = plan.vary.as_ref().map(|v| v.name.as_str());
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|row| {
            let summary = row.summary();
            let scaling = row.scaling();
            json!({
                "variant": row.variant,
                "ranks": row.ranks,
                "threads": row.threads,
                "vary_value": vary.map(|name| row.param(name)),
                "median_s": summary.median,
                "min_s": summary.min,
                "max_s": summary.max,
                "ideal_s": row.ideal_seconds,
                "serial_median_s": row.serial_median(),
                "speedup": scaling.map(|s| s.speedup),
                "self_speedup": row.self_speedup,
                "efficiency": scaling.map(|s| s.efficiency),
                "karp_flatt": scaling.and_then(|s| s.karp_flatt),
                "weak_efficiency": row.weak_efficiency,
                "cost_per_task_s": row.cost_per_task,
                "agrees": row.agreement.is_ok(),
                "disagreement": row.agreement.as_ref().err(),
            })
        })
        .collect();
    let records: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    json!({
        "lesson": plan.lesson.name,
        "variant": plan.variant_names(),
        "agreement": plan.agreements(),
        "vary_flag": vary,
        "rows": rows,
        "records": records,
    })
}
