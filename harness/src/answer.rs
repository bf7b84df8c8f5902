//! Answers: what a lesson computes, how it prints, and how two answers are compared.

use std::fmt;

/// A value in an answer or in a run's parameters.
///
/// A lesson returns a number (`f64`, `u64`, ...) or, for several results, a
/// `Value::Map` of named values.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Nothing: a field that does not apply (JSON `null`).
    Null,
    UInt(u64),
    Int(i64),
    Float(f64),
    Bool(bool),
    Text(String),
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
}

macro_rules! value_from {
    ($($t:ty => $variant:ident as $as:ty),* $(,)?) => {
        $(impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::$variant(v as $as)
            }
        })*
    };
}

value_from!(
    u64 => UInt as u64, u32 => UInt as u64, usize => UInt as u64,
    i64 => Int as i64, i32 => Int as i64,
    f64 => Float as f64, f32 => Float as f64,
);

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::List(v.into_iter().map(Into::into).collect())
    }
}

/// What a lesson's computation returns: anything that yields an answer. Numbers and
/// `Value`s do; a `Result`'s error becomes the run's one-line error message; a lesson can
/// implement it for its own result type (say, a picture whose answer is its checksum).
///
/// The harness calls it after the timer has stopped, so summarising a big result into an
/// answer is not counted in the timings.
pub trait ToAnswer {
    fn to_answer(&self) -> Result<Value, String>;

    /// The shortest time this run could have taken, if the lesson has a model of its work
    /// (the Delayed lesson: the best schedule of its task graph on the run's threads). The
    /// harness prints it beside the measured time and `workbook sweep` tabulates it.
    fn ideal_seconds(&self) -> Option<f64> {
        None
    }

    /// Why the run's input ended before it was complete, if it did (a SWMR scan whose
    /// writer stopped without finishing). The run still prints its answer and record, with
    /// this as a warning, and exits with `EXIT_INCOMPLETE`, so that a script can tell it
    /// from a complete run without reading the record.
    fn incomplete(&self) -> Option<String> {
        None
    }
}

/// The exit code of a run that ended and printed its record, but whose input ended before
/// it was complete (see `ToAnswer::incomplete`).
pub const EXIT_INCOMPLETE: i32 = 3;

impl<T: Clone + Into<Value>> ToAnswer for T {
    fn to_answer(&self) -> Result<Value, String> {
        Ok(self.clone().into())
    }
}

impl<T: ToAnswer, E: fmt::Display> ToAnswer for Result<T, E> {
    fn to_answer(&self) -> Result<Value, String> {
        match self {
            Ok(value) => value.to_answer(),
            Err(e) => Err(e.to_string()),
        }
    }

    fn ideal_seconds(&self) -> Option<f64> {
        self.as_ref().ok().and_then(ToAnswer::ideal_seconds)
    }

    fn incomplete(&self) -> Option<String> {
        self.as_ref().ok().and_then(ToAnswer::incomplete)
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "-"),
            Value::UInt(v) => write!(f, "{v}"),
            Value::Int(v) => write!(f, "{v}"),
            // Debug prints the shortest text that reads back to the same bits.
            Value::Float(v) => write!(f, "{v:?}"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::Text(v) => write!(f, "{v}"),
            Value::List(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Map(fields) => {
                write!(f, "{{")?;
                for (i, (name, item)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{name}: {item}")?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// How two answers must compare.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Agreement {
    /// The same values, bit for bit.
    Exact,
    /// Numbers within `abs + rel * |expected|` of each other; everything else equal.
    Close { abs: f64, rel: f64 },
}

impl Agreement {
    /// Checks `found` against `expected`; on a mismatch, says where and by how much.
    pub fn check(&self, expected: &Value, found: &Value) -> Result<(), String> {
        compare(*self, "", expected, found)
    }

    pub fn describe(&self) -> String {
        match self {
            Agreement::Exact => "exact: the same bits".to_string(),
            Agreement::Close { abs, rel } if *rel == 0.0 => format!("within {abs:e}"),
            Agreement::Close { abs, rel } if *abs == 0.0 => format!("within {rel:e} relative"),
            Agreement::Close { abs, rel } => format!("within {abs:e} + {rel:e} relative"),
        }
    }
}

fn compare(rule: Agreement, path: &str, expected: &Value, found: &Value) -> Result<(), String> {
    let at = |path: &str| {
        if path.is_empty() {
            String::new()
        } else {
            format!("{path}: ")
        }
    };
    match (expected, found) {
        (Value::Float(e), Value::Float(f)) => {
            let agree = match rule {
                Agreement::Exact => e.to_bits() == f.to_bits(),
                Agreement::Close { abs, rel } => (e - f).abs() <= abs + rel * e.abs(),
            };
            if agree {
                Ok(())
            } else {
                Err(format!(
                    "{}expected {e:?}, found {f:?} (off by {:.3e})",
                    at(path),
                    (e - f).abs()
                ))
            }
        }
        (Value::List(e), Value::List(f)) => {
            if e.len() != f.len() {
                return Err(format!(
                    "{}expected {} items, found {}",
                    at(path),
                    e.len(),
                    f.len()
                ));
            }
            for (i, (e, f)) in e.iter().zip(f).enumerate() {
                compare(rule, &format!("{path}[{i}]"), e, f)?;
            }
            Ok(())
        }
        (Value::Map(e), Value::Map(f)) => {
            for (name, e_item) in e {
                let child = if path.is_empty() {
                    name.clone()
                } else {
                    format!("{path}.{name}")
                };
                match f.iter().find(|(n, _)| n == name) {
                    Some((_, f_item)) => compare(rule, &child, e_item, f_item)?,
                    None => return Err(format!("{child}: missing")),
                }
            }
            if let Some((name, _)) = f.iter().find(|(n, _)| !e.iter().any(|(m, _)| m == n)) {
                return Err(format!("{}unexpected field {name}", at(path)));
            }
            Ok(())
        }
        _ if expected == found => Ok(()),
        _ => Err(format!("{}expected {expected}, found {found}", at(path))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pi_map(pi: f64) -> Value {
        Value::Map(vec![("pi".into(), pi.into()), ("n".into(), 10u64.into())])
    }

    #[test]
    fn exact_means_the_same_bits() {
        let a = pi_map(std::f64::consts::PI);
        assert_eq!(Agreement::Exact.check(&a, &a.clone()), Ok(()));
        let nudged = pi_map(f64::from_bits(std::f64::consts::PI.to_bits() + 1));
        let message = Agreement::Exact.check(&a, &nudged).unwrap_err();
        assert!(message.starts_with("pi: expected 3.141592653589793, found 3.1415926535897936"));
        // 0.0 and -0.0 are equal numbers but not the same bits.
        assert!(Agreement::Exact.check(&0.0.into(), &(-0.0).into()).is_err());
    }

    #[test]
    fn close_allows_the_stated_tolerance_only() {
        let rule = Agreement::Close {
            abs: 1e-12,
            rel: 0.0,
        };
        assert!(rule.check(&pi_map(3.0), &pi_map(3.0 + 5e-13)).is_ok());
        assert!(rule.check(&pi_map(3.0), &pi_map(3.0 + 5e-12)).is_err());
        let relative = Agreement::Close {
            abs: 0.0,
            rel: 1e-3,
        };
        assert!(relative.check(&1000.0.into(), &1000.9.into()).is_ok());
        assert!(relative.check(&1000.0.into(), &1001.1.into()).is_err());
        // Whole numbers are compared exactly whatever the rule.
        assert!(
            rule.check(
                &pi_map(3.0),
                &Value::Map(vec![("pi".into(), 3.0.into()), ("n".into(), 11u64.into())])
            )
            .is_err()
        );
    }

    #[test]
    fn structure_must_match() {
        let rule = Agreement::Exact;
        let list: Value = vec![1u64, 2, 3].into();
        assert!(rule.check(&list, &vec![1u64, 2].into()).is_err());
        let extra = Value::Map(vec![
            ("pi".into(), 3.0.into()),
            ("n".into(), 10u64.into()),
            ("x".into(), true.into()),
        ]);
        assert_eq!(
            rule.check(&pi_map(3.0), &extra).unwrap_err(),
            "unexpected field x"
        );
        assert!(rule.check(&1u64.into(), &1.0.into()).is_err());
    }

    #[test]
    fn results_carry_their_error_message() {
        let failed: Result<f64, String> = Err("no such file".into());
        assert_eq!(failed.to_answer(), Err("no such file".to_string()));
        assert_eq!(2.5f64.to_answer(), Ok(Value::Float(2.5)));
    }
}
