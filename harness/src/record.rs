//! The run record: everything one run of a lesson binary measured, with its machine.
//! `--json` prints it as one line; `workbook` reads it back to compare and plot.

use crate::answer::Value;
use crate::json;
use crate::machine::Machine;
use crate::stats::{Summary, summarize};

/// Version of the record's JSON layout; readers refuse versions they do not know.
pub const RECORD_VERSION: u64 = 1;

/// Which side of a lesson produced a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Exercise,
    Solution,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Exercise => "exercise",
            Side::Solution => "solution",
        }
    }

    pub fn parse(text: &str) -> Option<Side> {
        match text {
            "exercise" => Some(Side::Exercise),
            "solution" => Some(Side::Solution),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub lesson: String,
    pub side: Side,
    /// "exercise" for the exercise; the solution's variant name otherwise.
    pub variant: String,
    /// The lesson's flags for this run.
    pub params: Vec<(String, Value)>,
    pub threads: usize,
    pub warmup: u32,
    /// Every timed run, in order.
    pub seconds: Vec<f64>,
    pub answer: Vec<(String, Value)>,
    /// False when warm-up or timed runs disagreed: a race, or a sum whose order changed.
    pub answers_identical: bool,
    /// The shortest time the lesson's model of its work allows on these threads, if it has
    /// one (see `IntoAnswer::ideal_seconds`).
    pub ideal_seconds: Option<f64>,
    pub peak_rss_bytes: Option<u64>,
    pub warnings: Vec<String>,
    pub machine: Machine,
}

impl Record {
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

    pub fn to_json(&self) -> String {
        let summary = self.summary();
        let value = json::object([
            ("record", RECORD_VERSION.into()),
            ("lesson", self.lesson.as_str().into()),
            ("side", self.side.as_str().into()),
            ("variant", self.variant.as_str().into()),
            ("params", Value::Map(self.params.clone())),
            ("threads", self.threads.into()),
            ("warmup", self.warmup.into()),
            ("seconds", self.seconds.clone().into()),
            ("min", summary.min.into()),
            ("median", summary.median.into()),
            ("max", summary.max.into()),
            ("answer", Value::Map(self.answer.clone())),
            ("answers_identical", self.answers_identical.into()),
            (
                "ideal_seconds",
                self.ideal_seconds.map_or(Value::Null, Value::from),
            ),
            (
                "peak_rss_bytes",
                self.peak_rss_bytes.map_or(Value::Null, Value::from),
            ),
            ("warnings", self.warnings.clone().into()),
            ("machine", self.machine.to_value()),
        ]);
        let mut out = String::new();
        json::write(&mut out, &value);
        out
    }
}

fn describe_fields(fields: &[(String, Value)], equals: &str, separator: &str) -> String {
    fields
        .iter()
        .map(|(name, value)| format!("{name}{equals}{value}"))
        .collect::<Vec<_>>()
        .join(separator)
}
