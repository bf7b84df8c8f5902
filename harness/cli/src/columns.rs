//! The columns of results: what each shows of a row in a table (terminal or Markdown) and
//! what it exports to CSV. Each command picks its columns; the rows are the same.

use workbook::stats::{format_megabytes, format_seconds};

use crate::rows::Row;
use crate::table::Table;

#[derive(Debug, Clone)]
pub enum Column {
    Lesson,
    /// In a table: the flags of both sides, the solution's own, and a build that is not
    /// release. In CSV: the flags of both sides only.
    Flags,
    SolutionFlags,
    /// "host (CPU model)" in a table, the host in CSV.
    Machine,
    CpuModel,
    LogicalCpus,
    PhysicalCores,
    Profile,
    SlurmJob,
    Timestamp,
    /// "solution <variant>", or "exercise" for the reference row.
    Run,
    Variant,
    /// The flag a sweep varies, and its value in the row.
    VaryFlag(String),
    Vary(String),
    /// MPI ranks (1 without MPI), and ranks times threads.
    Ranks,
    Cores,
    Threads,
    Runs,
    Median,
    Min,
    Max,
    Ideal,
    /// The rate the median run reached by the lesson's model of its work (GFLOP/s or GB/s),
    /// and its fraction of the machine's roofline.
    Rate,
    Roof,
    Serial,
    /// Peak memory (resident set) of the solution's runs, and of the exercise's.
    Memory,
    SerialMemory,
    Speedup,
    SelfSpeedup,
    Efficiency,
    KarpFlatt,
    WeakEfficiency,
    CostPerTask,
    From,
    Agrees,
    /// "agrees", "DISAGREES", or "(reference)" for the exercise.
    Verdict,
}

/// A cell as a table shows it and as CSV exports it.
type Cell = (String, String);

fn text(value: impl ToString) -> Cell {
    let value = value.to_string();
    (value.clone(), value)
}

/// A number shown one way and exported another; "-" in a table and nothing in CSV when
/// there is none.
fn number(value: Option<f64>, shown: fn(f64) -> String, exported: fn(f64) -> String) -> Cell {
    match value {
        Some(value) => (shown(value), exported(value)),
        None => ("-".to_string(), String::new()),
    }
}

fn bytes(value: Option<u64>) -> Cell {
    match value {
        Some(bytes) => (format_megabytes(bytes), bytes.to_string()),
        None => ("-".to_string(), String::new()),
    }
}

fn seconds(value: Option<f64>) -> Cell {
    number(value, format_seconds, |s| format!("{s:e}"))
}

impl Column {
    /// The header in a table ('>' aligns the column right) and in CSV.
    fn names(&self) -> (String, &'static str) {
        use Column::*;
        let (header, csv) = match self {
            Lesson => ("lesson", "lesson"),
            Flags => ("flags", "flags"),
            SolutionFlags => ("solution flags", "solution_flags"),
            Machine => ("machine", "host"),
            CpuModel => ("CPU", "cpu_model"),
            LogicalCpus => (">CPUs", "logical_cpus"),
            PhysicalCores => (">cores", "physical_cores"),
            Profile => ("profile", "profile"),
            SlurmJob => ("job", "slurm_job_id"),
            Timestamp => ("time", "timestamp"),
            Run => ("run", "run"),
            Variant => ("variant", "variant"),
            VaryFlag(_) => ("varied", "vary_flag"),
            Vary(name) => return (format!(">{name}"), "vary_value"),
            Ranks => (">ranks", "ranks"),
            Cores => (">cores used", "cores_used"),
            Threads => (">threads", "threads"),
            Runs => (">runs", "runs"),
            Median => (">median", "median_s"),
            Min => (">min", "min_s"),
            Max => (">max", "max_s"),
            Ideal => (">ideal", "ideal_s"),
            Rate => (">rate", "rate"),
            Roof => (">of roof", "fraction_of_roof"),
            Serial => (">serial", "serial_median_s"),
            Memory => (">memory", "peak_rss_bytes"),
            SerialMemory => (">serial memory", "serial_peak_rss_bytes"),
            Speedup => (">speedup", "speedup"),
            SelfSpeedup => (">self-speedup", "self_speedup"),
            Efficiency => (">efficiency", "efficiency"),
            KarpFlatt => (">Karp-Flatt", "karp_flatt"),
            WeakEfficiency => (">weak efficiency", "weak_efficiency"),
            CostPerTask => (">cost per task", "cost_per_task_s"),
            From => ("from", "from"),
            Agrees => ("agrees", "agrees"),
            Verdict => ("answer", "agrees"),
        };
        (header.to_string(), csv)
    }

    fn cell(&self, row: &Row) -> Cell {
        use Column::*;
        // Worked out only for the columns that show them: both sort the row's timings.
        let scaling = || row.scaling();
        let details = &row.machine_details;
        let summary = || row.summary();
        let times = |s: f64| format!("{s:.2}x");
        let scientific = |s: f64| format!("{s:e}");
        let four_places = |s: f64| format!("{s:.4}");
        match self {
            Lesson => text(&row.study.lesson),
            Flags => {
                let mut shown = format!("{} {}", row.study.flags, row.solution_flags);
                shown = shown.trim().to_string();
                if row.study.profile != "release" {
                    shown.push_str(&format!(" ({} build)", row.study.profile));
                }
                (shown, row.study.flags.clone())
            }
            SolutionFlags => text(&row.solution_flags),
            Machine => (row.machine.label(), row.machine.host.clone()),
            CpuModel => text(&row.machine.cpu_model),
            LogicalCpus => text(details.logical_cpus),
            PhysicalCores => text(
                details
                    .physical_cores
                    .map_or(String::new(), |c| c.to_string()),
            ),
            Profile => text(&row.study.profile),
            SlurmJob => text(details.slurm.as_ref().map_or("", |s| s.job_id.as_str())),
            Timestamp => text(&details.timestamp),
            Run if row.variant == "exercise" => text("exercise"),
            Run => (format!("solution {}", row.variant), row.variant.clone()),
            Variant => text(&row.variant),
            VaryFlag(name) => text(name),
            Vary(name) => text(row.param(name)),
            Ranks => text(row.ranks.unwrap_or(1)),
            Cores => text(row.cores()),
            Threads => text(row.threads),
            Runs => text(row.seconds.len()),
            Median => seconds(Some(summary().median)),
            Min => seconds(Some(summary().min)),
            Max => seconds(Some(summary().max)),
            Ideal => seconds(row.ideal_seconds),
            Rate => match &row.work {
                Some(work) => {
                    let median = summary().median;
                    let (rate, unit) = work.rate(median);
                    (work.describe_rate(median), format!("{rate:e} {unit}"))
                }
                None => ("-".to_string(), String::new()),
            },
            Roof => number(
                row.work
                    .as_ref()
                    .and_then(|work| work.fraction_of_roof(summary().median)),
                workbook::roofline::percent,
                four_places,
            ),
            Serial => seconds(row.serial_median()),
            Memory => bytes(row.peak_rss_bytes),
            SerialMemory => bytes(row.serial_peak_rss_bytes),
            Speedup => number(scaling().map(|s| s.speedup), times, four_places),
            SelfSpeedup => number(row.self_speedup, times, scientific),
            Efficiency => number(
                scaling().map(|s| s.efficiency),
                |e| format!("{:.0}%", e * 100.0),
                four_places,
            ),
            KarpFlatt => number(
                scaling().and_then(|s| s.karp_flatt),
                |e| format!("{e:.3}"),
                scientific,
            ),
            WeakEfficiency => number(
                row.weak_efficiency,
                |e| format!("{:.0}%", e * 100.0),
                four_places,
            ),
            CostPerTask => seconds(row.cost_per_task),
            From => {
                let jobs: Vec<&str> = row.jobs.iter().map(String::as_str).collect();
                (jobs.join(", "), jobs.join("; "))
            }
            Agrees | Verdict => {
                let agrees = row.agreement.is_ok();
                let shown = match (self, row.variant.as_str(), agrees) {
                    (Verdict, "exercise", _) => "(reference)",
                    (Verdict, _, true) => "agrees",
                    (Verdict, _, false) => "DISAGREES",
                    (_, _, true) => "yes",
                    (_, _, false) => "NO",
                };
                (shown.to_string(), agrees.to_string())
            }
        }
    }
}

/// The rate columns, for rows whose lesson has a model of its work: the rate, and its
/// fraction of the roofline where the machine's limits were measured.
pub fn rate_columns(rows: &[Row]) -> Vec<Column> {
    let mut columns = Vec::new();
    if rows.iter().any(|row| row.work.is_some()) {
        columns.push(Column::Rate);
    }
    if rows
        .iter()
        .any(|row| row.work.as_ref().is_some_and(|w| w.peak_flops.is_some()))
    {
        columns.push(Column::Roof);
    }
    columns
}

/// The rows as a table of `columns`, for the terminal or Markdown.
pub fn table(columns: &[Column], rows: &[Row]) -> Table {
    let headers: Vec<String> = columns.iter().map(|c| c.names().0).collect();
    let mut table = Table::new(&headers.iter().map(String::as_str).collect::<Vec<_>>());
    for row in rows {
        table.row(columns.iter().map(|c| c.cell(row).0).collect());
    }
    table
}

/// The rows as CSV, one line per row, with a header.
pub fn csv(columns: &[Column], rows: &[Row]) -> String {
    let line = |cells: Vec<String>| {
        let quoted: Vec<String> = cells.iter().map(|cell| csv_field(cell)).collect();
        quoted.join(",") + "\n"
    };
    let mut text = line(columns.iter().map(|c| c.names().1.to_string()).collect());
    for row in rows {
        text.push_str(&line(columns.iter().map(|c| c.cell(row).1).collect()));
    }
    text
}

/// A CSV field, quoted when it holds a comma, a quote or a line ending.
pub fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}
