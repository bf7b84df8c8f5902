//! The values of a lesson's flags for one run, checked against the registry.

use std::path::PathBuf;

use crate::answer::Value;
use crate::record::Side;
use crate::registry::{Kind, Lesson};

/// The flags of one run: the lesson's own sizes and the thread count.
///
/// Lesson code asks for its values by name: `params.count("n")`. Asking for a name the
/// registry does not list is a bug in the lesson, not bad input, and panics.
#[derive(Debug, Clone)]
pub struct Params {
    lesson: &'static Lesson,
    values: Vec<(&'static str, ParamValue)>,
    threads: usize,
}

/// A parsed flag value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Count(u64),
    Real(f64),
    Text(String),
    Switch(bool),
}

impl Params {
    /// Every flag of `side` at its default.
    pub fn defaults(lesson: &'static Lesson, side: Side, threads: usize) -> Params {
        let values = lesson
            .params_for(side)
            .map(|param| {
                let value = parse_value(&param.kind, param.default)
                    .unwrap_or_else(|e| panic!("registry default of --{}: {e}", param.name));
                (param.name, value)
            })
            .collect();
        Params {
            lesson,
            values,
            threads,
        }
    }

    /// Sets a flag from its text on the command line.
    pub fn set(&mut self, name: &str, text: &str) -> Result<(), String> {
        let param = self
            .lesson
            .param(name)
            .ok_or_else(|| format!("unknown flag '--{name}'"))?;
        let given_empty_path =
            text.is_empty() && matches!(param.kind, Kind::OptionalInput | Kind::OptionalOutput);
        if given_empty_path {
            // An empty value would quietly mean "not given": say so instead.
            return Err(format!(
                "--{name}: expected a path, got nothing (leave the flag out for {})",
                match param.kind {
                    Kind::OptionalInput => "the default",
                    _ => "no file",
                }
            ));
        }
        let value = parse_value(&param.kind, text).map_err(|e| format!("--{name}: {e}"))?;
        match self.values.iter_mut().find(|(n, _)| *n == name) {
            Some((_, old)) => *old = value,
            None => return Err(format!("--{name} is not a flag of this program")),
        }
        Ok(())
    }

    /// The size of rayon's pool for this run (`--threads`).
    pub fn threads(&self) -> usize {
        self.threads
    }

    pub fn count(&self, name: &str) -> u64 {
        match self.get(name) {
            ParamValue::Count(v) => *v,
            other => self.wrong_kind(name, "count", other),
        }
    }

    pub fn real(&self, name: &str) -> f64 {
        match self.get(name) {
            ParamValue::Real(v) => *v,
            other => self.wrong_kind(name, "real", other),
        }
    }

    /// The chosen word of a `Choice` flag.
    pub fn choice(&self, name: &str) -> &str {
        match self.get(name) {
            ParamValue::Text(v) => v,
            other => self.wrong_kind(name, "choice", other),
        }
    }

    /// The text of a `Text` flag.
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            ParamValue::Text(v) => v,
            other => self.wrong_kind(name, "text", other),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        PathBuf::from(self.choice(name))
    }

    /// A file the lesson reads. A relative path is looked for in the current folder first,
    /// then in the workbook's own folder, so that `--input data/surveys.csv` works from
    /// anywhere in (or outside) the repository.
    pub fn input(&self, name: &str) -> PathBuf {
        let path = self.path(name);
        if path.is_relative() && !path.exists() {
            let in_workbook = workbook_root().join(&path);
            if in_workbook.exists() {
                return in_workbook;
            }
        }
        path
    }

    /// The path an optional file flag gives, or `None` when the flag was not given.
    pub fn optional_path(&self, name: &str) -> Option<PathBuf> {
        Some(self.path(name)).filter(|path| !path.as_os_str().is_empty())
    }

    /// The files this run will write (its `Output` flags, and the optional ones given), to
    /// check before any work starts.
    pub fn outputs(&self) -> Vec<(&'static str, PathBuf)> {
        self.lesson
            .params
            .iter()
            .filter(|param| matches!(param.kind, Kind::Output | Kind::OptionalOutput))
            .filter(|param| self.values.iter().any(|(name, _)| *name == param.name))
            .filter_map(|param| Some((param.name, self.optional_path(param.name)?)))
            .collect()
    }

    pub fn switch(&self, name: &str) -> bool {
        match self.get(name) {
            ParamValue::Switch(v) => *v,
            other => self.wrong_kind(name, "switch", other),
        }
    }

    /// Name and value of every lesson flag, in registry order, for the run record.
    pub fn to_values(&self) -> Vec<(String, Value)> {
        self.values
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    ParamValue::Count(v) => Value::UInt(*v),
                    ParamValue::Real(v) => Value::Float(*v),
                    ParamValue::Text(v) => Value::Text(v.clone()),
                    ParamValue::Switch(v) => Value::Bool(*v),
                };
                (name.to_string(), value)
            })
            .collect()
    }

    fn get(&self, name: &str) -> &ParamValue {
        match self.values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => value,
            None => panic!("lesson {} has no flag --{name}", self.lesson.name),
        }
    }

    fn wrong_kind(&self, name: &str, wanted: &str, found: &ParamValue) -> ! {
        panic!(
            "lesson {}: --{name} is not a {wanted} flag (it holds {found:?})",
            self.lesson.name
        )
    }
}

/// Parses a flag's text according to its kind, with a message fit for one error line.
pub fn parse_value(kind: &Kind, text: &str) -> Result<ParamValue, String> {
    match kind {
        Kind::Count { min, max } => {
            let expected = || format!("expected a whole number from {min} to {max}, got '{text}'");
            let value = parse_count(text).ok_or_else(expected)?;
            if value < *min || value > *max {
                return Err(expected());
            }
            Ok(ParamValue::Count(value))
        }
        Kind::Real { min, max } => {
            let expected = || format!("expected a number from {min} to {max}, got '{text}'");
            let value: f64 = text.trim().parse().map_err(|_| expected())?;
            if !(value >= *min && value <= *max) {
                return Err(expected());
            }
            Ok(ParamValue::Real(value))
        }
        Kind::Choice(words) => {
            if words.contains(&text) {
                Ok(ParamValue::Text(text.to_string()))
            } else {
                Err(format!(
                    "expected one of {}, got '{text}'",
                    words.join(", ")
                ))
            }
        }
        Kind::Text => {
            if text.trim().is_empty() {
                Err("expected some text, got nothing".to_string())
            } else {
                Ok(ParamValue::Text(text.to_string()))
            }
        }
        Kind::Input | Kind::Output => {
            if text.is_empty() {
                Err("expected a path, got nothing".to_string())
            } else {
                Ok(ParamValue::Text(text.to_string()))
            }
        }
        // "" is the default: not given.
        Kind::OptionalInput | Kind::OptionalOutput => Ok(ParamValue::Text(text.to_string())),
        Kind::Switch => match text {
            "true" => Ok(ParamValue::Switch(true)),
            "false" => Ok(ParamValue::Switch(false)),
            _ => Err(format!("is a switch and takes no value, got '{text}'")),
        },
    }
}

/// A whole number written as `10000000`, `10_000_000` or `1e7`.
pub fn parse_count(text: &str) -> Option<u64> {
    let digits: String = text.trim().chars().filter(|c| *c != '_').collect();
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match digits.split_once(['e', 'E']) {
        None if all_digits(&digits) => digits.parse().ok(),
        Some((mantissa, exponent)) if all_digits(mantissa) && all_digits(exponent) => {
            let mantissa: u64 = mantissa.parse().ok()?;
            let exponent: u32 = exponent.parse().ok()?;
            mantissa.checked_mul(10u64.checked_pow(exponent)?)
        }
        _ => None,
    }
}

/// The repository's top folder, as it was when the harness was built.
pub fn workbook_root() -> PathBuf {
    let harness = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    harness.parent().map_or(harness.clone(), PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_separators_and_powers_of_ten() {
        assert_eq!(parse_count("10000000"), Some(10_000_000));
        assert_eq!(parse_count("10_000_000"), Some(10_000_000));
        assert_eq!(parse_count("1e7"), Some(10_000_000));
        assert_eq!(parse_count("25E2"), Some(2_500));
        for bad in [
            "",
            "-5",
            "1.5",
            "ten",
            "1e",
            "e7",
            "1e-3",
            "99999999999999999999",
            "1e30",
        ] {
            assert_eq!(parse_count(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn bounds_are_enforced_with_a_readable_message() {
        let kind = Kind::Count { min: 1, max: 100 };
        assert_eq!(parse_value(&kind, "100"), Ok(ParamValue::Count(100)));
        let message = parse_value(&kind, "0").unwrap_err();
        assert_eq!(message, "expected a whole number from 1 to 100, got '0'");
        assert!(parse_value(&kind, "101").is_err());
        let real = Kind::Real { min: 0.0, max: 1.0 };
        assert_eq!(parse_value(&real, "0.5"), Ok(ParamValue::Real(0.5)));
        assert!(parse_value(&real, "NaN").is_err());
        assert!(parse_value(&real, "2").is_err());
        let choice = Kind::Choice(&["sleep", "spin"]);
        assert!(parse_value(&choice, "spin").is_ok());
        assert_eq!(
            parse_value(&choice, "nap").unwrap_err(),
            "expected one of sleep, spin, got 'nap'"
        );
    }
}
