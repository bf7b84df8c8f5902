//! `workbook report`: the records of many sweeps and Slurm jobs, from one machine or many,
//! merged into one table and one speedup plot. Runs are grouped by machine (host and CPU
//! model) and by the lesson's flags; a speedup is always against the serial exercise on
//! the same machine with the same flags.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use workbook::Record;

use crate::columns::{Column, csv, rate_columns, table};
use crate::failure::{Failure, Outcome};
use crate::output::{file_stamp, new_folder, say, write_file};
use crate::plot::{series, speedup_plot, workers_axis};
use crate::records::{load, print_warnings};
use crate::rows::{MachineKey, Row, job_label, machines, merge};
use crate::sayln;

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

pub fn report(args: &ReportArgs) -> Outcome<()> {
    let records = load(&args.folders)?;
    let rows = merge(&records);
    let machines = machines(&records);
    let markdown = report_markdown(&records, &machines, &rows, args.folders.len());

    // A folder named with --out is the user's to reuse: its report files are replaced
    // whole. The default is a new folder that no other report shares.
    let folder = match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::failed(format!("cannot create {}: {e}", dir.display())))?;
            dir.clone()
        }
        None => new_folder(None, &format!("report-{}", file_stamp(None)))?,
    };
    write_file(&folder, "report.md", &markdown)?;
    use Column::*;
    let csv_columns = [
        Lesson,
        Flags,
        SolutionFlags,
        Machine,
        CpuModel,
        LogicalCpus,
        Profile,
        Variant,
        Threads,
        Runs,
        Median,
        Min,
        Max,
        Ideal,
        Serial,
        Memory,
        SerialMemory,
        Speedup,
        Efficiency,
        From,
        Agrees,
    ];
    let mut csv_columns = csv_columns.to_vec();
    let after_ideal = csv_columns
        .iter()
        .position(|c| matches!(c, Ideal))
        .map_or(0, |i| i + 1);
    csv_columns.splice(after_ideal..after_ideal, rate_columns(&rows));
    if rows.iter().any(|row| row.ranks.is_some()) {
        let at = csv_columns
            .iter()
            .position(|c| matches!(c, Threads))
            .unwrap_or(0);
        csv_columns.splice(at..=at, [Ranks, Threads, Cores]);
    }
    write_file(&folder, "report.csv", &csv(&csv_columns, &rows))?;
    report_plot(&folder.join("speedup.png"), &machines, &rows)?;
    say(&markdown);
    sayln!("\nWritten to {}/", folder.display());
    print_warnings(records.iter());
    Ok(())
}

pub fn report_markdown(
    records: &[Record],
    machines: &[MachineKey],
    rows: &[Row],
    folders: usize,
) -> String {
    let mut text = format!(
        "# Report: {} records from {folders} folder{}\n\n",
        records.len(),
        if folders == 1 { "" } else { "s" }
    );
    text.push_str("Machines:\n");
    for key in machines {
        let on_machine: Vec<&Record> = records
            .iter()
            .filter(|r| MachineKey::of(r) == *key)
            .collect();
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

    let mut columns = vec![
        Column::Lesson,
        Column::Flags,
        Column::Machine,
        Column::Variant,
    ];
    let on_ranks = rows.iter().any(|row| row.ranks.is_some());
    columns.extend(on_ranks.then_some(Column::Ranks));
    columns.push(Column::Threads);
    columns.extend(on_ranks.then_some(Column::Cores));
    columns.extend([Column::Runs, Column::Median]);
    if rows.iter().any(|r| r.ideal_seconds.is_some()) {
        columns.push(Column::Ideal);
    }
    columns.extend(rate_columns(rows));
    columns.extend([
        Column::Serial,
        Column::Speedup,
        Column::Efficiency,
        Column::From,
        Column::Agrees,
    ]);
    text.push_str(&table(&columns, rows).markdown());
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
                row.machine.label()
            );
        }
    }
    if rows.is_empty() {
        text.push_str("No solution runs: nothing to compare the exercise with.\n");
    }
    text
}

/// One line per lesson, variant, flags and machine: speedup against threads.
pub fn report_plot(path: &Path, machines: &[MachineKey], rows: &[Row]) -> Outcome<()> {
    let Some(first) = rows.first() else {
        return Ok(());
    };
    let several_studies = rows
        .iter()
        .any(|r| (&r.study.lesson, &r.study.flags) != (&first.study.lesson, &first.study.flags));
    let lines = series(rows, |row| {
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
        Some((label, (row.cores() as f64, row.scaling()?.speedup)))
    });
    if lines.is_empty() {
        return Ok(());
    }
    let (caption, cpus) = match machines {
        [only] => (only.label(), Some(first.machine_details.logical_cpus)),
        _ => (format!("{} machines", machines.len()), None),
    };
    let title = "Speedup over the serial exercise";
    speedup_plot(path, title, &caption, &lines, cpus, workers_axis(rows))
        .map_err(|e| Failure::failed(format!("speedup plot: {e}")))
}
