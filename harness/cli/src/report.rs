//! `workbook report`: the records of many sweeps and Slurm jobs, from one machine or many,
//! merged into one table and one speedup plot. Runs are grouped by machine (host and CPU
//! model) and by the lesson's flags; a speedup is always against the serial exercise on
//! the same machine with the same flags.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use workbook::Record;
use workbook::record::Side;
use workbook::stats::{efficiency, format_seconds, speedup, summarize};

use crate::binaries::workspace_root;
use crate::compare::print_warnings;
use crate::failure::{Failure, Outcome};
use crate::output::say;
use crate::plot::{Series, speedup_plot};
use crate::records::parse_record;
use crate::sayln;
use crate::table::Table;

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Results folders (of `workbook sweep` runs or Slurm jobs, searched with their
    /// subfolders for records.jsonl) or records.jsonl files
    #[arg(required = true, value_name = "FOLDER")]
    pub folders: Vec<PathBuf>,
    /// Folder to write report.md, report.csv and speedup.png into [default:
    /// results/report-<time> in the workbook]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The machine a run was timed on, as the report tells machines apart.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct MachineKey {
    pub host: String,
    pub cpu_model: String,
}

/// What makes two runs of a lesson comparable: the flags both sides take, and the build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Study {
    pub lesson: String,
    /// The flags both sides take, "n=1000 chunks=10".
    pub flags: String,
    /// The build profile: debug timings are never pooled with release ones.
    pub profile: String,
}

/// One line of the report: a solution's runs at one thread count, pooled across records.
#[derive(Debug)]
pub struct Row {
    pub study: Study,
    pub machine: MachineKey,
    pub logical_cpus: usize,
    pub variant: String,
    /// Flags only the solution takes (`--batch 10`), if any.
    pub solution_flags: String,
    pub threads: usize,
    pub seconds: Vec<f64>,
    pub ideal_seconds: Option<f64>,
    pub serial_seconds: Option<Vec<f64>>,
    /// Where the runs came from: Slurm jobs ("job 1234", "job 1230_4" for an array
    /// task), "local" for runs outside Slurm.
    pub jobs: BTreeSet<String>,
    pub agreement: Result<(), String>,
}

impl Row {
    pub fn median(&self) -> f64 {
        summarize(&self.seconds).map_or(f64::NAN, |s| s.median)
    }

    pub fn serial_median(&self) -> Option<f64> {
        self.serial_seconds
            .as_deref()
            .and_then(summarize)
            .map(|s| s.median)
    }

    pub fn speedup(&self) -> Option<f64> {
        self.serial_median()
            .map(|serial| speedup(serial, self.median()))
    }
}

pub fn report(args: &ReportArgs) -> Outcome<()> {
    let records = load(&args.folders)?;
    let rows = merge(&records);
    let machines = machines(&records);
    let markdown = markdown(&records, &machines, &rows, args.folders.len());

    // A folder named with --out is the user's to reuse: its report files are replaced
    // whole. The default is a new folder that no other report shares.
    let folder = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::failed(format!("cannot create {}: {e}", dir.display())))?;
            dir.clone()
        }
        None => {
            let stamp = crate::output::file_stamp(None);
            workbook::files::create_unique_dir(
                &workspace_root().join("results"),
                &format!("report-{stamp}"),
            )
            .map_err(Failure::failed)?
        }
    };
    let write = |name: &str, text: &str| {
        workbook::files::write(&folder.join(name), text).map_err(|e| Failure::failed(e.to_string()))
    };
    write("report.md", &markdown)?;
    write("report.csv", &csv(&rows))?;
    plot(&folder.join("speedup.png"), &machines, &rows)?;
    say(&markdown);
    sayln!("\nWritten to {}/", folder.display());
    print_warnings(records.iter());
    Ok(())
}

/// Every record under the given folders (or in the given files). A folder that holds no
/// records, or a line that is not a record, is an error that names it.
pub fn load(paths: &[PathBuf]) -> Outcome<Vec<Record>> {
    let mut records = Vec::new();
    // A file reached twice (a job's folder and one of its sweeps) is read once.
    let mut read = BTreeSet::new();
    for path in paths {
        let files = record_files(path)?;
        if files.is_empty() {
            return Err(Failure::failed(format!(
                "{} holds no records.jsonl: give the folders that `workbook sweep` or a \
                 Slurm job wrote (a job that failed writes none: see its slurm-*.out)",
                path.display()
            )));
        }
        for file in files {
            if !read.insert(file.canonicalize().unwrap_or_else(|_| file.clone())) {
                continue;
            }
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::failed(format!("cannot read {}: {e}", file.display())))?;
            for (number, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let record = parse_record(line).map_err(|e| {
                    Failure::failed(format!("{} line {}: {e}", file.display(), number + 1))
                })?;
                records.push(record);
            }
        }
    }
    if records.is_empty() {
        return Err(Failure::failed(
            "the records.jsonl files given are empty: no runs to report",
        ));
    }
    Ok(records)
}

/// records.jsonl files at or under `path`, in name order.
fn record_files(path: &Path) -> Outcome<Vec<PathBuf>> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if metadata.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| Failure::failed(format!("cannot read {}: {e}", folder.display())))?;
        for entry in entries.flatten() {
            let entry_path = entry.path();
            if entry_path.is_dir() {
                folders.push(entry_path);
            } else if entry.file_name() == "records.jsonl" {
                found.push(entry_path);
            }
        }
    }
    found.sort();
    Ok(found)
}

fn machine_of(record: &Record) -> MachineKey {
    MachineKey {
        host: record.machine.host.clone(),
        cpu_model: record.machine.cpu_model.clone(),
    }
}

/// The machines in order of first appearance.
fn machines(records: &[Record]) -> Vec<MachineKey> {
    let mut machines: Vec<MachineKey> = Vec::new();
    for record in records {
        let key = machine_of(record);
        if !machines.contains(&key) {
            machines.push(key);
        }
    }
    machines
}

/// The record's flags split into those both sides take and those only the solution
/// takes (by the lesson's registry entry; a lesson this workbook does not know has no
/// solution-only flags).
fn split_flags(record: &Record) -> (String, String) {
    let lesson = workbook::lesson(&record.lesson);
    let solution_only = |name: &str| {
        lesson
            .and_then(|l| l.param(name))
            .is_some_and(|p| p.solution_only)
    };
    let mut shared = Vec::new();
    let mut own = Vec::new();
    for (name, value) in &record.params {
        if matches!(value, workbook::Value::Text(text) if text.is_empty()) {
            continue;
        }
        let flag = format!("{name}={value}");
        if solution_only(name) {
            own.push(flag);
        } else {
            shared.push(flag);
        }
    }
    (shared.join(" "), own.join(" "))
}

/// The record's study, and the flags only its solution takes.
fn study_of(record: &Record) -> (Study, String) {
    let (shared, solution_only) = split_flags(record);
    let study = Study {
        lesson: record.lesson.clone(),
        flags: shared,
        profile: record.machine.build.profile.clone(),
    };
    (study, solution_only)
}

/// "job 1234", "job 1230_4" for a task of a job array, or "local" outside Slurm.
fn job_label(record: &Record) -> String {
    match &record.machine.slurm {
        None => "local".to_string(),
        Some(slurm) => match (&slurm.array_job_id, &slurm.array_task_id) {
            (Some(array), Some(task)) => format!("job {array}_{task}"),
            _ => format!("job {}", slurm.job_id),
        },
    }
}

/// Pools the solutions' runs by machine, flags, variant and thread count, each against
/// the exercise's runs on the same machine with the same flags.
pub fn merge(records: &[Record]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    // Each record's machine and study, worked out once.
    let keyed: Vec<(&Record, MachineKey, (Study, String))> = records
        .iter()
        .map(|record| (record, machine_of(record), study_of(record)))
        .collect();
    let solutions = keyed.iter().filter(|(r, ..)| r.side == Side::Solution);
    for (record, machine, (study, solution_flags)) in solutions {
        let serial: Vec<&Record> = keyed
            .iter()
            .filter(|(r, m, (s, _))| r.side == Side::Exercise && m == machine && s == study)
            .map(|(r, ..)| *r)
            .collect();
        let agreement = agreement(record, serial.first().copied());
        let existing = rows.iter_mut().find(|row| {
            row.study == *study
                && row.machine == *machine
                && row.variant == record.variant
                && row.solution_flags == *solution_flags
                && row.threads == record.threads
        });
        let row = match existing {
            Some(row) => row,
            None => {
                let serial_seconds = (!serial.is_empty()).then(|| {
                    serial
                        .iter()
                        .flat_map(|r| r.seconds.iter().copied())
                        .collect()
                });
                rows.push(Row {
                    study: study.clone(),
                    machine: machine.clone(),
                    logical_cpus: record.machine.logical_cpus,
                    variant: record.variant.clone(),
                    solution_flags: solution_flags.clone(),
                    threads: record.threads,
                    seconds: Vec::new(),
                    ideal_seconds: None,
                    serial_seconds,
                    jobs: BTreeSet::new(),
                    agreement: Ok(()),
                });
                rows.last_mut().expect("just pushed")
            }
        };
        row.seconds.extend(record.seconds.iter().copied());
        row.ideal_seconds = row.ideal_seconds.or(record.ideal_seconds);
        row.jobs.insert(job_label(record));
        if row.agreement.is_ok() {
            row.agreement = agreement;
        }
    }
    let lesson_order = |name: &str| {
        workbook::LESSONS
            .iter()
            .position(|l| l.name == name)
            .unwrap_or(usize::MAX)
    };
    let machine_order = machines(records);
    let machine_index = |key: &MachineKey| machine_order.iter().position(|m| m == key);
    rows.sort_by_cached_key(|row| {
        (
            lesson_order(&row.study.lesson),
            row.study.lesson.clone(),
            row.study.flags.clone(),
            machine_index(&row.machine),
            row.study.profile.clone(),
            row.variant.clone(),
            row.solution_flags.clone(),
            row.threads,
        )
    });
    rows
}

/// The solution's answer against the exercise's, as the lesson says they must agree.
fn agreement(solution: &Record, serial: Option<&Record>) -> Result<(), String> {
    if !solution.answers_identical {
        return Err("its own runs gave different answers".to_string());
    }
    let (Some(serial), Some(lesson)) = (serial, workbook::lesson(&solution.lesson)) else {
        return Ok(());
    };
    let Some(variant) = lesson.variant(&solution.variant) else {
        return Ok(());
    };
    variant
        .agreement
        .check(&serial.answer_value(), &solution.answer_value())
}

fn machine_label(key: &MachineKey) -> String {
    format!("{} ({})", key.host, key.cpu_model)
}

fn markdown(records: &[Record], machines: &[MachineKey], rows: &[Row], folders: usize) -> String {
    let mut text = format!(
        "# Report: {} records from {folders} folder{}\n\n",
        records.len(),
        if folders == 1 { "" } else { "s" }
    );
    text.push_str("Machines:\n");
    for key in machines {
        let on_machine: Vec<&Record> = records.iter().filter(|r| machine_of(r) == *key).collect();
        let first = &on_machine[0].machine;
        let cores = first
            .physical_cores
            .map_or(String::new(), |cores| format!(" ({cores} cores)"));
        let jobs: BTreeSet<String> = on_machine.iter().map(|r| job_label(r)).collect();
        let _ = writeln!(
            text,
            "- {} · {} · {} CPUs{cores} · runs from: {}",
            key.host,
            key.cpu_model,
            first.logical_cpus,
            jobs.into_iter().collect::<Vec<_>>().join(", ")
        );
    }
    text.push('\n');

    let has_ideal = rows.iter().any(|r| r.ideal_seconds.is_some());
    let mut headers = vec![
        "lesson", "flags", "machine", "variant", ">threads", ">runs", ">median",
    ];
    if has_ideal {
        headers.push(">ideal");
    }
    headers.extend([">serial", ">speedup", ">efficiency", "from", "agrees"]);
    let mut table = Table::new(&headers);
    for row in rows {
        let mut flags = row.study.flags.clone();
        if !row.solution_flags.is_empty() {
            flags = format!("{flags} {}", row.solution_flags).trim().to_string();
        }
        if row.study.profile != "release" {
            flags.push_str(&format!(" ({} build)", row.study.profile));
        }
        let mut cells = vec![
            row.study.lesson.clone(),
            flags,
            machine_label(&row.machine),
            row.variant.clone(),
            row.threads.to_string(),
            row.seconds.len().to_string(),
            format_seconds(row.median()),
        ];
        if has_ideal {
            cells.push(row.ideal_seconds.map_or("-".into(), format_seconds));
        }
        cells.extend([
            row.serial_median().map_or("-".into(), format_seconds),
            row.speedup().map_or("-".into(), |s| format!("{s:.2}x")),
            row.speedup().map_or("-".into(), |s| {
                format!("{:.0}%", efficiency(s, row.threads) * 100.0)
            }),
            row.jobs.iter().cloned().collect::<Vec<_>>().join(", "),
            match &row.agreement {
                Ok(()) => "yes".to_string(),
                Err(_) => "NO".to_string(),
            },
        ]);
        table.row(cells);
    }
    text.push_str(&table.markdown());
    text.push_str(
        "\nSpeedup: the serial exercise's median over the solution's, both on the same machine \
         with the same flags; runs: timed runs pooled from every record.\n",
    );
    if rows.iter().any(|r| r.serial_seconds.is_none()) {
        text.push_str("A speedup of '-': no serial run on that machine with those flags.\n");
    }
    for row in rows {
        if let Err(reason) = &row.agreement {
            let _ = writeln!(
                text,
                "DISAGREES: {} {} on {} threads, {}: {reason}",
                row.study.lesson,
                row.variant,
                row.threads,
                machine_label(&row.machine)
            );
        }
    }
    if rows.is_empty() {
        text.push_str("No solution runs: nothing to compare the exercise with.\n");
    }
    text
}

fn csv(rows: &[Row]) -> String {
    let mut text = String::from(
        "lesson,flags,solution_flags,host,cpu_model,logical_cpus,profile,variant,threads,runs,\
         median_s,min_s,max_s,ideal_s,serial_median_s,speedup,efficiency,from,agrees\n",
    );
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:e}"));
    for row in rows {
        let summary = summarize(&row.seconds);
        let fields = [
            row.study.lesson.clone(),
            row.study.flags.clone(),
            row.solution_flags.clone(),
            row.machine.host.clone(),
            row.machine.cpu_model.clone(),
            row.logical_cpus.to_string(),
            row.study.profile.clone(),
            row.variant.clone(),
            row.threads.to_string(),
            row.seconds.len().to_string(),
            number(summary.map(|s| s.median)),
            number(summary.map(|s| s.min)),
            number(summary.map(|s| s.max)),
            number(row.ideal_seconds),
            number(row.serial_median()),
            row.speedup().map_or(String::new(), |s| format!("{s:.4}")),
            row.speedup().map_or(String::new(), |s| {
                format!("{:.4}", efficiency(s, row.threads))
            }),
            row.jobs.iter().cloned().collect::<Vec<_>>().join("; "),
            row.agreement.is_ok().to_string(),
        ];
        let quoted: Vec<String> = fields.iter().map(|f| crate::sweep::csv_field(f)).collect();
        text.push_str(&quoted.join(","));
        text.push('\n');
    }
    text
}

/// One line per lesson, variant, flags and machine: speedup against threads.
fn plot(path: &Path, machines: &[MachineKey], rows: &[Row]) -> Outcome<()> {
    let mut series: Vec<Series> = Vec::new();
    let several_studies = rows.iter().any(|r| {
        (&r.study.lesson, &r.study.flags) != (&rows[0].study.lesson, &rows[0].study.flags)
    });
    for row in rows {
        let Some(speedup) = row.speedup() else {
            continue;
        };
        let mut label = format!("{} {}", row.study.lesson, row.variant);
        if several_studies && !row.study.flags.is_empty() {
            label.push_str(&format!(" [{}]", row.study.flags));
        }
        if !row.solution_flags.is_empty() {
            label.push_str(&format!(" {}", row.solution_flags));
        }
        if row.study.profile != "release" {
            label.push_str(&format!(" ({} build)", row.study.profile));
        }
        if machines.len() > 1 {
            label.push_str(&format!(" · {}", row.machine.host));
        }
        let point = (row.threads as f64, speedup);
        match series.iter_mut().find(|s| s.label == label) {
            Some(line) => line.points.push(point),
            None => series.push(Series {
                label,
                points: vec![point],
            }),
        }
    }
    if series.is_empty() {
        return Ok(());
    }
    let caption = match machines {
        [only] => machine_label(only),
        _ => format!("{} machines", machines.len()),
    };
    let cpus = match machines {
        [_] => rows.first().map(|r| r.logical_cpus),
        _ => None,
    };
    speedup_plot(
        path,
        "Speedup over the serial exercise",
        &caption,
        &series,
        cpus,
    )
    .map_err(|e| Failure::failed(format!("speedup plot: {e}")))
}
