//! The run record: everything one run of a lesson binary measured, with its machine.
//! `--json` prints it as one line; `workbook` reads it back to compare and plot.

use crate::answer::Value;
use crate::fields::{Field, Fields, find};
use crate::json;
use crate::lesson::Side;
use crate::machine::Machine;
use crate::roofline::Work;
use crate::stats::{Summary, format_megabytes, format_seconds, summarize};

/// Version of the record's JSON layout; readers refuse versions they do not know.
pub const RECORD_VERSION: u64 = 1;

crate::fields::record_type! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Record {
        pub lesson: String,
        pub side: Side,
        /// "exercise" for the exercise; the solution's variant name otherwise.
        pub variant: String,
        /// The lesson's flags for this run.
        pub params: Vec<(String, Value)>,
        /// Threads per process: with MPI ranks, the rayon pool of each rank.
        pub threads: usize,
        /// The MPI ranks the run was spread over, if it was started by MPI.
        pub ranks: Option<Ranks>,
        pub warmup: u32,
        /// Every timed run, in order.
        pub seconds: Vec<f64>,
        pub answer: Vec<(String, Value)>,
        /// False when warm-up or timed runs disagreed: a race, or a sum whose order changed.
        pub answers_identical: bool,
        /// The shortest time the lesson's model of its work allows on these threads, if it has
        /// one (see `ToAnswer::ideal_seconds`).
        pub ideal_seconds: Option<f64>,
        /// The run's work by the lesson's model, with this machine's limits if measured:
        /// the rate it reached and how close that came to the machine's roofline.
        pub work: Option<Work>,
        pub peak_rss_bytes: Option<u64>,
        pub warnings: Vec<String>,
        pub machine: Machine,
    }
}

crate::fields::record_type! {
    #[derive(Debug, Clone, PartialEq)]
    pub struct Ranks {
        /// How many ranks (MPI processes) ran the computation together.
        pub ranks: usize,
        /// The node each rank ran on, in rank order.
        pub nodes: Vec<String>,
    }
}

impl Ranks {
    /// "2 ranks on vm" or "4 ranks on n1 (2), n2 (2)".
    pub fn describe(&self) -> String {
        let mut nodes: Vec<(&str, usize)> = Vec::new();
        for node in &self.nodes {
            match nodes.iter_mut().find(|(name, _)| name == node) {
                Some((_, count)) => *count += 1,
                None => nodes.push((node, 1)),
            }
        }
        let on = match nodes.as_slice() {
            [(node, _)] => node.to_string(),
            _ => nodes
                .iter()
                .map(|(node, count)| format!("{node} ({count})"))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let plural = if self.ranks == 1 { "" } else { "s" };
        format!("{} rank{plural} on {on}", self.ranks)
    }
}

impl Record {
    /// The short block people read after a run.
    pub fn human_summary(&self) -> String {
        let summary = self.summary();
        let runs = self.seconds.len();
        let warmups = match self.warmup {
            0 => String::new(),
            1 => ", after 1 warm-up".to_string(),
            n => format!(", after {n} warm-ups"),
        };
        let mut text = format!(
            "{} · {} · {}\n",
            self.lesson,
            self.variant,
            self.describe_params()
        );
        text.push_str(&format!("  answer   {}\n", self.describe_answer()));
        match &self.ranks {
            Some(ranks) => {
                text.push_str(&format!("  ranks    {}\n", ranks.describe()));
                text.push_str(&format!("  threads  {} per rank\n", self.threads));
            }
            None => text.push_str(&format!("  threads  {}\n", self.threads)),
        }
        text.push_str(&format!(
            "  time     {} median of {runs} (min {}, max {}){warmups}\n",
            format_seconds(summary.median),
            format_seconds(summary.min),
            format_seconds(summary.max)
        ));
        if let Some(ideal) = self.ideal_seconds {
            text.push_str(&format!(
                "  ideal    {}, the best the lesson's model allows on {} thread(s) (median: {:.0}% of ideal speed)\n",
                format_seconds(ideal),
                self.threads,
                100.0 * ideal / summary.median
            ));
        }
        if let Some(work) = &self.work {
            text.push_str(&format!("  rate     {}\n", self.describe_rate(work)));
        }
        if let Some(bytes) = self.peak_rss_bytes {
            text.push_str(&format!("  memory   {} peak\n", format_megabytes(bytes)));
        }
        text.push_str(&format!("  machine  {}\n", self.machine.describe()));
        if !self.machine.build.is_release() {
            text.push_str("  !!! DEBUG BUILD: these timings mean nothing; add --release !!!\n");
        }
        text
    }

    /// "4.10 GFLOP/s, 6% of this machine's f64 peak", at the median time.
    fn describe_rate(&self, work: &Work) -> String {
        let median = self.summary().median;
        let rate = work.describe_rate(median);
        match work.describe_fraction(median) {
            Some(fraction) => format!("{rate}, {fraction}"),
            None => format!("{rate} (`workbook machine` measures the limits to compare it with)"),
        }
    }

    pub fn summary(&self) -> Summary {
        summarize(&self.seconds).unwrap_or(Summary {
            min: f64::NAN,
            median: f64::NAN,
            max: f64::NAN,
        })
    }

    /// The answer as one value, for comparison under an `Agreement`.
    pub fn answer_value(&self) -> Value {
        Value::Map(self.answer.clone())
    }

    /// "n=10000000 chunks=1000"; optional files not asked for are left out.
    pub fn describe_params(&self) -> String {
        let given: Vec<(String, Value)> = self
            .params
            .iter()
            .filter(|(_, value)| !matches!(value, Value::Text(text) if text.is_empty()))
            .cloned()
            .collect();
        describe_fields(&given, "=", " ")
    }

    /// "pi = 3.141592653589731".
    /// The answer on one line; long lists and tables are shown by their size only (the
    /// `--json` record has them whole).
    pub fn describe_answer(&self) -> String {
        let short: Vec<(String, Value)> = self
            .answer
            .iter()
            .map(|(name, value)| {
                let size = match value {
                    Value::List(items) => items.len(),
                    Value::Map(fields) => fields.len(),
                    _ => 0,
                };
                let value = if value.to_string().len() > 48 {
                    Value::Text(format!("({size} values)"))
                } else {
                    value.clone()
                };
                (name.clone(), value)
            })
            .collect();
        describe_fields(&short, " = ", ", ")
    }

    /// The record as one line of JSON: its version first, and the timings' summary
    /// beside them for readers of the file.
    pub fn to_json(&self) -> String {
        let mut fields = self.to_fields();
        fields.insert(0, ("record".to_string(), RECORD_VERSION.into()));
        let summary = self.summary();
        let after_seconds = fields.iter().position(|(name, _)| name == "seconds");
        let at = after_seconds.map_or(fields.len(), |i| i + 1);
        for (offset, (name, value)) in [
            ("min", summary.min),
            ("median", summary.median),
            ("max", summary.max),
        ]
        .into_iter()
        .enumerate()
        {
            fields.insert(at + offset, (name.to_string(), value.into()));
        }
        let mut out = String::new();
        json::write(&mut out, &Value::Map(fields));
        out
    }

    /// Reads a record back from the JSON value `to_json` wrote; the error names the first
    /// field that is missing or malformed, or a timing no run can have measured.
    pub fn from_value(value: &Value) -> Result<Record, String> {
        let Value::Map(fields) = value else {
            return Err("not a JSON object".to_string());
        };
        let version = u64::from_field(find(fields, "record"), "record")
            .map_err(|_| "no record version".to_string())?;
        if version != RECORD_VERSION {
            return Err(format!(
                "record version {version}; this workbook reads version {RECORD_VERSION}"
            ));
        }
        let record = Record::from_fields(fields)?;
        record.check_timings()?;
        Ok(record)
    }

    /// What no run can have measured: a report built on it would print NaN or inf.
    fn check_timings(&self) -> Result<(), String> {
        if self.threads == 0 {
            return Err("threads is 0: a run has at least one thread".to_string());
        }
        if self.seconds.is_empty() {
            return Err("seconds is empty: a record holds at least one timed run".to_string());
        }
        // A time of 0 would make every speedup against it infinite.
        if let Some(bad) = self.seconds.iter().find(|s| !s.is_finite() || **s <= 0.0) {
            return Err(format!(
                "seconds holds {bad}: a time is a finite number above 0"
            ));
        }
        // An ideal of 0 is real: simulated work of 0 ms.
        if let Some(bad) = self.ideal_seconds.filter(|s| !s.is_finite() || *s < 0.0) {
            return Err(format!(
                "ideal_seconds is {bad}: an ideal time is a finite number, 0 or more"
            ));
        }
        Ok(())
    }
}

/// A side is written as its name.
impl Field for Side {
    fn to_field(&self) -> Value {
        Value::Text(self.as_str().to_string())
    }

    fn from_field(value: Option<&Value>, name: &str) -> Result<Side, String> {
        let text = String::from_field(value, name)?;
        Side::parse(&text).ok_or_else(|| format!("{name} is neither exercise nor solution"))
    }
}

fn describe_fields(fields: &[(String, Value)], equals: &str, separator: &str) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}{equals}{value}"))
        .collect::<Vec<_>>()
        .join(separator)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Version 1's layout, as older records (and Slurm jobs' results) hold it: a change here
    /// needs a new RECORD_VERSION.
    #[test]
    fn the_layout_is_version_ones() {
        let record = Record {
            lesson: "pi".into(),
            side: Side::Solution,
            variant: "rayon".into(),
            params: vec![("n".into(), 10u64.into())],
            threads: 2,
            ranks: None,
            warmup: 1,
            seconds: vec![0.5],
            answer: vec![("pi".into(), 3.0.into())],
            answers_identical: true,
            ideal_seconds: None,
            work: Some(Work::new(7.0, 8.0)),
            peak_rss_bytes: Some(1),
            warnings: Vec::new(),
            machine: Machine::detect(),
        };
        let json = record.to_json();
        let keys = [
            "record",
            "lesson",
            "side",
            "variant",
            "params",
            "threads",
            "ranks",
            "warmup",
            "seconds",
            "min",
            "median",
            "max",
            "answer",
            "answers_identical",
            "ideal_seconds",
            "work",
            "flops",
            "bytes",
            "peak_flops",
            "bandwidth",
            "peak_rss_bytes",
            "warnings",
            "machine",
            "host",
            "cpu_model",
            "logical_cpus",
            "available_cpus",
            "physical_cores",
            "os",
            "slurm",
            "profile",
            "opt_level",
            "rustc",
            "git_commit",
            "target",
            "timestamp",
        ];
        let mut at = 0;
        for key in keys {
            let found = json[at..].find(&format!("\"{key}\":"));
            at += found.unwrap_or_else(|| panic!("{key} missing or out of order in {json}"));
        }
        assert!(json.starts_with("{\"record\":1,\"lesson\":\"pi\",\"side\":\"solution\""));
    }
}
