//! The columns of results: what each shows of a row in a table (terminal or Markdown) and
//! what it exports to CSV. Each command picks its columns; the rows are the same.

use workbook::stats::format_seconds;

use crate::rows::Row;
use crate::table::Table;

#[derive(Debug, Clone)]
pub enum Column {
    Lesson,
    /// In a table, the flags of both sides, then the solution's own, then a build that is
    /// not release; in CSV, the flags of both sides only.
    Flags,
    SolutionFlags,
    /// "host (CPU model)" in a table.
    Machine,
    Host,
    CpuModel,
    LogicalCpus,
    PhysicalCores,
    Profile,
    SlurmJob,
    Timestamp,
    /// "solution <variant>", or "exercise" for the reference row.
    Run,
    Variant,
    /// The name of the flag a sweep varies, and its value in the row.
    VaryFlag(String),
    Vary(String),
    Threads,
    Runs,
    Median,
    Min,
    Max,
    Ideal,
    Serial,
    Speedup,
    SelfSpeedup,
    Efficiency,
    KarpFlatt,
    CostPerTask,
    From,
    Agrees,
    /// "agrees", "DISAGREES", or "(reference)" for the exercise.
    Verdict,
}

/// A missing value: "-" in a table, empty in CSV.
fn shown_or_dash(value: Option<String>) -> String {
    value.unwrap_or_else(|| "-".to_string())
}

fn exported(value: Option<f64>, format: fn(f64) -> String) -> String {
    value.map_or(String::new(), format)
}

fn scientific(value: f64) -> String {
    format!("{value:e}")
}

fn four_places(value: f64) -> String {
    format!("{value:.4}")
}

impl Column {
    /// The table header; '>' aligns the column right.
    pub fn header(&self) -> String {
        let right = |name: &str| format!(">{name}");
        match self {
            Column::Lesson => "lesson".into(),
            Column::Flags => "flags".into(),
            Column::Machine => "machine".into(),
            Column::Run => "run".into(),
            Column::Variant => "variant".into(),
            Column::Vary(name) => right(name),
            Column::From => "from".into(),
            Column::Agrees => "agrees".into(),
            Column::Verdict => "answer".into(),
            Column::SelfSpeedup => right("self-speedup"),
            Column::KarpFlatt => right("Karp-Flatt"),
            Column::CostPerTask => right("cost per task"),
            other => right(other.name()),
        }
    }

    /// The CSV header: times carry their unit.
    pub fn csv_name(&self) -> String {
        let unit = match self {
            Column::Median | Column::Min | Column::Max | Column::Ideal => "_s",
            Column::Serial => "_median_s",
            _ => "",
        };
        format!("{}{unit}", self.name())
    }

    fn name(&self) -> &'static str {
        match self {
            Column::Lesson => "lesson",
            Column::Flags => "flags",
            Column::SolutionFlags => "solution_flags",
            Column::Machine | Column::Host => "host",
            Column::CpuModel => "cpu_model",
            Column::LogicalCpus => "logical_cpus",
            Column::PhysicalCores => "physical_cores",
            Column::Profile => "profile",
            Column::SlurmJob => "slurm_job_id",
            Column::Timestamp => "timestamp",
            Column::Run => "run",
            Column::Variant => "variant",
            Column::VaryFlag(_) => "vary_flag",
            Column::Vary(_) => "vary_value",
            Column::Threads => "threads",
            Column::Runs => "runs",
            Column::Median => "median",
            Column::Min => "min",
            Column::Max => "max",
            Column::Ideal => "ideal",
            Column::Serial => "serial",
            Column::Speedup => "speedup",
            Column::SelfSpeedup => "self_speedup",
            Column::Efficiency => "efficiency",
            Column::KarpFlatt => "karp_flatt",
            Column::CostPerTask => "cost_per_task_s",
            Column::From => "from",
            Column::Agrees | Column::Verdict => "agrees",
        }
    }

    /// The cell in a table.
    pub fn shown(&self, row: &Row) -> String {
        let scaling = row.scaling();
        match self {
            Column::Flags => {
                let mut flags = format!("{} {}", row.study.flags, row.solution_flags);
                flags = flags.trim().to_string();
                if row.study.profile != "release" {
                    flags.push_str(&format!(" ({} build)", row.study.profile));
                }
                flags
            }
            Column::Machine => row.machine.label(),
            Column::Run if row.variant == "exercise" => "exercise".into(),
            Column::Run => format!("solution {}", row.variant),
            Column::Median => format_seconds(row.median()),
            Column::Min => format_seconds(row.summary().min),
            Column::Max => format_seconds(row.summary().max),
            Column::Ideal => shown_or_dash(row.ideal_seconds.map(format_seconds)),
            Column::Serial => shown_or_dash(row.serial_median().map(format_seconds)),
            Column::Speedup => shown_or_dash(scaling.map(|s| format!("{:.2}x", s.speedup))),
            Column::SelfSpeedup => shown_or_dash(row.self_speedup.map(|s| format!("{s:.2}x"))),
            Column::Efficiency => {
                shown_or_dash(scaling.map(|s| format!("{:.0}%", s.efficiency * 100.0)))
            }
            Column::KarpFlatt => shown_or_dash(
                scaling
                    .and_then(|s| s.karp_flatt)
                    .map(|e| format!("{e:.3}")),
            ),
            Column::CostPerTask => shown_or_dash(row.cost_per_task.map(format_seconds)),
            Column::From => row.jobs.iter().cloned().collect::<Vec<_>>().join(", "),
            Column::Agrees => match row.agreement {
                Ok(()) => "yes".into(),
                Err(_) => "NO".into(),
            },
            Column::Verdict => match (&row.agreement, row.variant.as_str()) {
                (_, "exercise") => "(reference)".into(),
                (Ok(()), _) => "agrees".into(),
                (Err(_), _) => "DISAGREES".into(),
            },
            other => other.exported(row),
        }
    }

    /// The cell in CSV: numbers in full, nothing where there is no value.
    pub fn exported(&self, row: &Row) -> String {
        let scaling = row.scaling();
        let details = &row.machine_details;
        match self {
            Column::Lesson => row.study.lesson.clone(),
            Column::Flags => row.study.flags.clone(),
            Column::SolutionFlags => row.solution_flags.clone(),
            Column::Machine | Column::Host => row.machine.host.clone(),
            Column::CpuModel => row.machine.cpu_model.clone(),
            Column::LogicalCpus => details.logical_cpus.to_string(),
            Column::PhysicalCores => details
                .physical_cores
                .map_or(String::new(), |c| c.to_string()),
            Column::Profile => row.study.profile.clone(),
            Column::SlurmJob => details
                .slurm
                .as_ref()
                .map_or(String::new(), |s| s.job_id.clone()),
            Column::Timestamp => details.timestamp.clone(),
            Column::Run | Column::Variant => row.variant.clone(),
            Column::VaryFlag(name) => name.clone(),
            Column::Vary(name) => row.param(name),
            Column::Threads => row.threads.to_string(),
            Column::Runs => row.seconds.len().to_string(),
            Column::Median => scientific(row.median()),
            Column::Min => scientific(row.summary().min),
            Column::Max => scientific(row.summary().max),
            Column::Ideal => exported(row.ideal_seconds, scientific),
            Column::Serial => exported(row.serial_median(), scientific),
            Column::Speedup => exported(scaling.map(|s| s.speedup), four_places),
            Column::SelfSpeedup => exported(row.self_speedup, scientific),
            Column::Efficiency => exported(scaling.map(|s| s.efficiency), four_places),
            Column::KarpFlatt => exported(scaling.and_then(|s| s.karp_flatt), scientific),
            Column::CostPerTask => exported(row.cost_per_task, scientific),
            Column::From => row.jobs.iter().cloned().collect::<Vec<_>>().join("; "),
            Column::Agrees | Column::Verdict => row.agreement.is_ok().to_string(),
        }
    }
}

/// The rows as a table of `columns`, for the terminal or Markdown.
pub fn table(columns: &[Column], rows: &[Row]) -> Table {
    let headers: Vec<String> = columns.iter().map(Column::header).collect();
    let mut table = Table::new(&headers.iter().map(String::as_str).collect::<Vec<_>>());
    for row in rows {
        table.row(columns.iter().map(|c| c.shown(row)).collect());
    }
    table
}

/// The rows as CSV, one line per row, with a header.
pub fn csv(columns: &[Column], rows: &[Row]) -> String {
    let line = |cells: Vec<String>| {
        let quoted: Vec<String> = cells.iter().map(|cell| csv_field(cell)).collect();
        quoted.join(",") + "\n"
    };
    let mut text = line(columns.iter().map(Column::csv_name).collect());
    for row in rows {
        text.push_str(&line(columns.iter().map(|c| c.exported(row)).collect()));
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
