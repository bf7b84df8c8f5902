//! The one path from run records to results. Records are pooled into rows, one per
//! configuration (lesson, flags, machine, build, variant, threads), each against the serial
//! exercise's runs on the same machine with the same flags. `compare`, `sweep` and
//! `report` all go this way; speedup, efficiency and the Karp-Flatt fraction are computed
//! here (`Scaling`) and nowhere else.

use std::collections::BTreeSet;

use workbook::machine::Machine;
use workbook::params::parse_count;
use workbook::roofline::Work;
use workbook::stats::{Summary, efficiency, karp_flatt, speedup, summarize};
use workbook::{Agreement, Record, Side, Value};

/// The machine a run was timed on, as results tell machines apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineKey {
    pub host: String,
    pub cpu_model: String,
}

impl MachineKey {
    pub fn of(record: &Record) -> MachineKey {
        MachineKey {
            host: record.machine.host.clone(),
            cpu_model: record.machine.cpu_model.clone(),
        }
    }

    /// "host (CPU model)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.host, self.cpu_model)
    }
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

/// Speedup, efficiency and Karp-Flatt serial fraction: how a run on `workers` compares
/// with the serial run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaling {
    pub speedup: f64,
    pub efficiency: f64,
    /// Undefined on one worker.
    pub karp_flatt: Option<f64>,
}

impl Scaling {
    pub fn of(serial_seconds: f64, seconds: f64, workers: usize) -> Scaling {
        let speedup = speedup(serial_seconds, seconds);
        Scaling {
            speedup,
            efficiency: efficiency(speedup, workers),
            karp_flatt: karp_flatt(speedup, workers),
        }
    }
}

/// A solution's runs in one configuration, pooled across records (rounds, jobs, folders).
#[derive(Debug, Clone)]
pub struct Row {
    pub study: Study,
    pub machine: MachineKey,
    /// The machine as the first record describes it (CPUs, time, Slurm job).
    pub machine_details: Machine,
    pub variant: String,
    /// Flags only the solution takes (`--batch 10`), if any.
    pub solution_flags: String,
    /// The first record's lesson flags.
    pub params: Vec<(String, Value)>,
    /// Threads in each process. MPI ranks join this in the key through the solution's
    /// `--ranks` flag, one of its `solution_flags`.
    pub threads: usize,
    /// MPI ranks, each with `threads` threads, for a run that MPI started.
    pub ranks: Option<usize>,
    pub seconds: Vec<f64>,
    pub ideal_seconds: Option<f64>,
    /// The runs' work by the lesson's model, with the machine's limits if measured.
    pub work: Option<Work>,
    /// The exercise's runs on the same machine with the same flags, if any.
    pub serial_seconds: Option<Vec<f64>>,
    /// The largest peak memory of the pooled runs, and of the exercise's.
    pub peak_rss_bytes: Option<u64>,
    pub serial_peak_rss_bytes: Option<u64>,
    /// Where the runs came from: Slurm jobs ("job 1234", "job 1230_4" for an array task),
    /// "local" for runs outside Slurm.
    pub jobs: BTreeSet<String>,
    pub agreement: Result<(), String>,
    /// The first record's answer, and the exercise's, to check later records against.
    answer: Value,
    serial_answer: Option<Value>,
    /// Filled by `sweep`: against the same configuration's time on one thread.
    pub self_speedup: Option<f64>,
    /// Filled by `sweep` when it varies the lesson's task count: what one task costs.
    pub cost_per_task: Option<f64>,
    /// Filled by `sweep --weak`: one core's time on one core's share, over this time.
    pub weak_efficiency: Option<f64>,
}

impl Row {
    /// A new row from its first record, against the exercise's records `serial`.
    fn new(record: &Record, study: Study, solution_flags: String, serial: &[&Record]) -> Row {
        let serial_answer = serial.first().map(|r| r.answer_value());
        let mut row = Row {
            study,
            machine: MachineKey::of(record),
            machine_details: record.machine.clone(),
            variant: record.variant.clone(),
            solution_flags,
            params: record.params.clone(),
            threads: record.threads,
            ranks: record.ranks.as_ref().map(|ranks| ranks.ranks),
            seconds: Vec::new(),
            ideal_seconds: None,
            work: None,
            serial_seconds: (!serial.is_empty())
                .then(|| serial.iter().flat_map(|r| r.seconds.clone()).collect()),
            peak_rss_bytes: None,
            serial_peak_rss_bytes: serial.iter().filter_map(|r| r.peak_rss_bytes).max(),
            jobs: BTreeSet::new(),
            agreement: serial_agreement(serial),
            answer: record.answer_value(),
            serial_answer,
            self_speedup: None,
            cost_per_task: None,
            weak_efficiency: None,
        };
        row.pool(record);
        row
    }

    /// The exercise's own runs as a row: its speedup is 1, its answer the reference.
    pub fn reference(exercise: &Record) -> Row {
        let study = study_of(exercise).0;
        Row::new(exercise, study, String::new(), &[exercise])
    }

    /// Adds a record's runs, and checks its answers.
    fn pool(&mut self, record: &Record) {
        self.seconds.extend(&record.seconds);
        self.ideal_seconds = self.ideal_seconds.or(record.ideal_seconds);
        if self.work.is_none() {
            self.work.clone_from(&record.work);
        }
        self.peak_rss_bytes = self.peak_rss_bytes.max(record.peak_rss_bytes);
        self.jobs.insert(job_label(record));
        if self.agreement.is_ok() {
            self.agreement = self.check(record);
        }
    }

    fn check(&self, record: &Record) -> Result<(), String> {
        let answer = record.answer_value();
        let same_as_before = Agreement::Exact.check(&self.answer, &answer).is_ok();
        if !record.answers_identical || !same_as_before {
            return Err("its own runs gave different answers".to_string());
        }
        let rule = workbook::lesson(&record.lesson).and_then(|l| l.variant(&record.variant));
        match (&self.serial_answer, rule) {
            (Some(serial), Some(variant)) => variant.agreement.check(serial, &answer),
            _ => Ok(()),
        }
    }

    pub fn summary(&self) -> Summary {
        summarize(&self.seconds).expect("a row holds at least one run")
    }

    pub fn median(&self) -> f64 {
        self.summary().median
    }

    pub fn serial_median(&self) -> Option<f64> {
        self.serial_seconds
            .as_deref()
            .and_then(summarize)
            .map(|s| s.median)
    }

    /// Against the serial exercise, when there is one, on every rank's threads.
    pub fn scaling(&self) -> Option<Scaling> {
        let serial = self.serial_median()?;
        Some(Scaling::of(serial, self.median(), self.cores()))
    }

    /// The CPUs the row's runs asked for: ranks times threads.
    pub fn cores(&self) -> usize {
        self.ranks.unwrap_or(1) * self.threads
    }

    /// The value of a lesson flag in this row's runs, as text ("" if they had none).
    pub fn param(&self, name: &str) -> String {
        let value = self.params.iter().find(|(n, _)| n == name);
        value.map_or(String::new(), |(_, v)| v.to_string())
    }

    /// What the row's runs share but the thread count.
    fn configuration(&self) -> (&Study, &MachineKey, &str, &str) {
        let (variant, solution_flags) = (self.variant.as_str(), self.solution_flags.as_str());
        (&self.study, &self.machine, variant, solution_flags)
    }

    /// Whether `other` is the same configuration at another thread count.
    pub fn same_configuration(&self, other: &Row) -> bool {
        self.configuration() == other.configuration()
    }

    /// Whether `other` is the same configuration at other ranks and threads.
    pub fn same_configuration_but_ranks(&self, other: &Row) -> bool {
        let without_ranks = |row: &Row| {
            let flags = row.solution_flags.split(' ');
            let others: Vec<&str> = flags.filter(|f| !f.starts_with("ranks=")).collect();
            (
                row.study.clone(),
                row.machine.clone(),
                row.variant.clone(),
                others.join(" "),
            )
        };
        without_ranks(self) == without_ranks(other)
    }
}

/// The exercise's runs must agree with each other: they are every row's reference.
fn serial_agreement(serial: &[&Record]) -> Result<(), String> {
    let Some(first) = serial.first() else {
        return Ok(());
    };
    let reference = first.answer_value();
    let same = |r: &&Record| {
        Agreement::Exact
            .check(&reference, &r.answer_value())
            .is_ok()
    };
    let differ = serial.iter().any(|r| !r.answers_identical || !same(r));
    match differ {
        true => Err("the exercise's runs gave different answers".to_string()),
        false => Ok(()),
    }
}

/// The record's study, and the flags only its solution takes (by the lesson's registry
/// entry; a lesson this workbook does not know has no solution-only flags).
fn study_of(record: &Record) -> (Study, String) {
    let lesson = workbook::lesson(&record.lesson);
    let solution_only = |name: &str| {
        let param = lesson.and_then(|l| l.param(name));
        param.is_some_and(|p| p.solution_only)
    };
    let (mut shared, mut own) = (Vec::new(), Vec::new());
    for (name, value) in &record.params {
        if matches!(value, Value::Text(text) if text.is_empty()) {
            continue;
        }
        let flag = format!("{name}={value}");
        match solution_only(name) {
            true => own.push(flag),
            false => shared.push(flag),
        }
    }
    let study = Study {
        lesson: record.lesson.clone(),
        flags: shared.join(" "),
        profile: record.machine.build.profile.clone(),
    };
    (study, own.join(" "))
}

/// "job 1234", "job 1230_4" for a task of a job array, or "local" outside Slurm.
pub fn job_label(record: &Record) -> String {
    match &record.machine.slurm {
        None => "local".to_string(),
        Some(slurm) => match (&slurm.array_job_id, &slurm.array_task_id) {
            (Some(array), Some(task)) => format!("job {array}_{task}"),
            _ => format!("job {}", slurm.job_id),
        },
    }
}

/// The machines in order of first appearance.
pub fn machines(records: &[Record]) -> Vec<MachineKey> {
    let mut machines: Vec<MachineKey> = Vec::new();
    for key in records.iter().map(MachineKey::of) {
        if !machines.contains(&key) {
            machines.push(key);
        }
    }
    machines
}

/// Pools the solutions' runs by machine, flags, variant and thread count, each against
/// the exercise's runs on the same machine with the same flags. Rows come in the
/// registry's order of lessons and variants, flags in natural order ("chunks=64" before
/// "chunks=1000"), machines as they first appear, thread counts rising.
pub fn merge(records: &[Record]) -> Vec<Row> {
    let keyed: Vec<(&Record, MachineKey, Study, String)> = records
        .iter()
        .map(|record| {
            let (study, solution_flags) = study_of(record);
            (record, MachineKey::of(record), study, solution_flags)
        })
        .collect();
    let mut rows: Vec<Row> = Vec::new();
    let solutions = keyed.iter().filter(|(r, ..)| r.side == Side::Solution);
    for (record, machine, study, solution_flags) in solutions {
        let configuration = (
            study,
            machine,
            record.variant.as_str(),
            solution_flags.as_str(),
        );
        let existing = rows
            .iter_mut()
            .find(|row| row.configuration() == configuration && row.threads == record.threads);
        match existing {
            Some(row) => row.pool(record),
            None => {
                let serial: Vec<&Record> = keyed
                    .iter()
                    .filter(|(r, m, s, _)| r.side == Side::Exercise && m == machine && s == study)
                    .map(|(r, ..)| *r)
                    .collect();
                let (study, flags) = (study.clone(), solution_flags.clone());
                rows.push(Row::new(record, study, flags, &serial));
            }
        }
    }
    let lesson_order = |row: &Row| {
        let name = &row.study.lesson;
        workbook::LESSONS.iter().position(|l| l.name == name)
    };
    let variant_order = |row: &Row| {
        let variants = workbook::lesson(&row.study.lesson)?.variants;
        variants.iter().position(|v| v.name == row.variant)
    };
    let machines = machines(records);
    let machine_order = |row: &Row| machines.iter().position(|m| *m == row.machine);
    rows.sort_by_cached_key(|row| {
        let (study, lesson) = (&row.study, lesson_order(row));
        let by_study = (lesson, study.lesson.clone(), natural(&study.flags));
        let by_machine = (machine_order(row), study.profile.clone());
        let by_variant = (variant_order(row), row.variant.clone());
        (
            by_study,
            by_machine,
            by_variant,
            natural(&row.solution_flags),
            row.threads,
        )
    });
    rows
}

/// Flags as a sort key that puts whole numbers in numeric order.
fn natural(flags: &str) -> Vec<(String, Option<u64>, String)> {
    flags
        .split(' ')
        .map(|flag| {
            let (name, value) = flag.split_once('=').unwrap_or((flag, ""));
            (name.to_string(), parse_count(value), value.to_string())
        })
        .collect()
}

/// The disagreements of `rows`, each named by `name`.
pub fn disagreements(rows: &[Row], name: impl Fn(&Row) -> String) -> Vec<String> {
    rows.iter()
        .filter_map(|row| {
            let reason = row.agreement.as_ref().err()?;
            Some(format!("{}: {reason}", name(row)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(side: Side, variant: &str, chunks: u64, threads: usize, seconds: f64) -> Record {
        Record {
            lesson: "pi".into(),
            side,
            variant: variant.into(),
            params: vec![
                ("n".into(), 100u64.into()),
                ("chunks".into(), chunks.into()),
            ],
            threads,
            ranks: None,
            warmup: 0,
            seconds: vec![seconds],
            answer: vec![("pi".into(), 3.0.into())],
            answers_identical: true,
            ideal_seconds: None,
            work: None,
            peak_rss_bytes: None,
            warnings: Vec::new(),
            machine: Machine::detect(),
        }
    }

    #[test]
    fn rounds_pool_and_rows_sort_naturally() {
        let (exercise, solution) = (Side::Exercise, Side::Solution);
        let records = [
            run(exercise, "exercise", 1000, 1, 4.0),
            run(solution, "spawn", 1000, 2, 2.0),
            run(exercise, "exercise", 64, 1, 4.0),
            run(solution, "spawn", 64, 2, 1.0),
            run(solution, "rayon", 64, 2, 1.0),
            // A second round of one configuration.
            run(solution, "spawn", 64, 2, 3.0),
        ];
        let rows = merge(&records);
        let order: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.param("chunks"), r.variant.clone()))
            .collect();
        let expected = [("64", "rayon"), ("64", "spawn"), ("1000", "spawn")];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(c, v)| (c.to_string(), v.to_string()))
            .collect();
        assert_eq!(order, expected);
        let pooled = &rows[1];
        assert_eq!(pooled.seconds, [1.0, 3.0]);
        let scaling = pooled.scaling().expect("a serial run");
        assert_eq!((scaling.speedup, scaling.efficiency), (2.0, 1.0));
        assert_eq!(scaling.karp_flatt, Some(0.0));
        assert!(rows.iter().all(|r| r.agreement.is_ok()));
    }

    #[test]
    fn a_round_with_another_answer_disagrees() {
        let mut other = run(Side::Solution, "rayon", 64, 2, 1.0);
        other.answer = vec![("pi".into(), 3.5.into())];
        let records = [
            run(Side::Exercise, "exercise", 64, 1, 4.0),
            run(Side::Solution, "rayon", 64, 2, 1.0),
            other,
        ];
        let rows = merge(&records);
        assert_eq!(rows.len(), 1);
        let found = disagreements(&rows, |row| row.variant.clone());
        assert_eq!(found, ["rayon: its own runs gave different answers"]);
    }
}
