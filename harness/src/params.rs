//! A lesson's flags: what each accepts, and their values for one run.

use std::ops::RangeInclusive;
use std::path::PathBuf;

use crate::answer::Value;

/// A lesson flag, `--<name> <value>`.
#[derive(Debug)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub default: &'static str,
    pub about: &'static str,
    /// A flag of the solution only (how it splits the work, say): the exercise refuses it,
    /// and the `workbook` command passes it to the solution alone.
    pub solution_only: bool,
    /// How many dimensions the size spans: the work grows as the flag's value to this
    /// power (2 for the side of a square). Weak scaling grows the flag so that the work,
    /// not the flag, is proportional to the cores.
    pub dimensions: u32,
}

/// What a flag accepts. Bounds are part of the kind so that an impossible size is refused
/// with one line before any work starts.
#[derive(Debug)]
pub enum Kind {
    /// A whole number in `min..=max`; `10_000_000` and `1e7` are both accepted.
    Count { min: u64, max: u64 },
    /// A real number in `min..=max`.
    Real { min: f64, max: f64 },
    /// One of a fixed list of words.
    Choice(&'static [&'static str]),
    /// Any text that is not empty: a dataset's path in a file, say.
    Text,
    /// A file the lesson reads.
    Input,
    /// A file to read if the flag is given; its default is "" (not given).
    OptionalInput,
    /// A file the lesson writes: checked before any work starts, written whole or not at
    /// all (`workbook::files`).
    Output,
    /// A file to write if the flag is given; its default is "" (the file is not written).
    OptionalOutput,
    /// A flag without a value: present or not. Its default is "false".
    Switch,
}

/// Constructors that keep the registry a table: `Param::count("n", "1e7", 1..=MAX)`, then
/// `.about("…")` and, for a flag of the solution only, `.solution_only()`.
impl Param {
    const fn new(name: &'static str, kind: Kind, default: &'static str) -> Param {
        Param {
            name,
            kind,
            default,
            about: "",
            solution_only: false,
            dimensions: 1,
        }
    }

    pub const fn count(
        name: &'static str,
        default: &'static str,
        range: RangeInclusive<u64>,
    ) -> Param {
        let kind = Kind::Count {
            min: *range.start(),
            max: *range.end(),
        };
        Param::new(name, kind, default)
    }

    pub const fn real(name: &'static str, default: &'static str, min: f64, max: f64) -> Param {
        Param::new(name, Kind::Real { min, max }, default)
    }

    pub const fn choice(
        name: &'static str,
        default: &'static str,
        words: &'static [&'static str],
    ) -> Param {
        Param::new(name, Kind::Choice(words), default)
    }

    pub const fn text(name: &'static str, default: &'static str) -> Param {
        Param::new(name, Kind::Text, default)
    }

    pub const fn input(name: &'static str, default: &'static str) -> Param {
        Param::new(name, Kind::Input, default)
    }

    pub const fn output(name: &'static str, default: &'static str) -> Param {
        Param::new(name, Kind::Output, default)
    }

    /// A file read only when the flag is given.
    pub const fn optional_input(name: &'static str) -> Param {
        Param::new(name, Kind::OptionalInput, "")
    }

    /// A file written only when the flag is given.
    pub const fn optional_output(name: &'static str) -> Param {
        Param::new(name, Kind::OptionalOutput, "")
    }

    pub const fn switch(name: &'static str) -> Param {
        Param::new(name, Kind::Switch, "false")
    }

    pub const fn about(mut self, about: &'static str) -> Param {
        self.about = about;
        self
    }

    pub const fn solution_only(mut self) -> Param {
        self.solution_only = true;
        self
    }

    /// A size that is the side of a square: the work grows as its square.
    pub const fn side_of_square(mut self) -> Param {
        self.dimensions = 2;
        self
    }

    /// The value of this size flag that gives `factor` times the work of `base`.
    pub fn scaled(&self, base: u64, factor: u64) -> u64 {
        match self.dimensions {
            1 => base * factor,
            d => (base as f64 * (factor as f64).powf(1.0 / d as f64)).round() as u64,
        }
    }

    /// Whether the flag names a file.
    fn is_path(&self) -> bool {
        matches!(
            self.kind,
            Kind::Input | Kind::OptionalInput | Kind::Output | Kind::OptionalOutput
        )
    }
}

/// The flags of one run: the lesson's own sizes and the thread count.
///
/// Lesson code asks for its values by name: `params.count("n")`. Asking for a name the
/// lesson does not have, or with the wrong kind, is a bug in the lesson, not bad input,
/// and panics.
#[derive(Debug, Clone)]
pub struct Params {
    lesson: &'static str,
    /// Every flag of the lesson, including those of the other side.
    flags: &'static [Param],
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
    /// The flags `taken` (one side's, of the lesson's `flags`) at their defaults.
    pub fn defaults(
        lesson: &'static str,
        flags: &'static [Param],
        taken: impl Iterator<Item = &'static Param>,
        threads: usize,
    ) -> Params {
        let values = taken
            .map(|param| {
                let value = parse_value(&param.kind, param.default)
                    .unwrap_or_else(|e| panic!("registry default of --{}: {e}", param.name));
                (param.name, value)
            })
            .collect();
        Params {
            lesson,
            flags,
            values,
            threads,
        }
    }

    /// Sets a flag from its text on the command line.
    pub fn set(&mut self, name: &str, text: &str) -> Result<(), String> {
        let param = self
            .flag(name)
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
        self.text_of(name, "choice", |p| matches!(p.kind, Kind::Choice(_)))
    }

    /// The text of a `Text` flag.
    pub fn text(&self, name: &str) -> &str {
        self.text_of(name, "text", |p| matches!(p.kind, Kind::Text))
    }

    /// The path a file flag gives, as written.
    pub fn path(&self, name: &str) -> PathBuf {
        PathBuf::from(self.text_of(name, "path", Param::is_path))
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
        self.flags
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

    fn flag(&self, name: &str) -> Option<&'static Param> {
        self.flags.iter().find(|param| param.name == name)
    }

    fn get(&self, name: &str) -> &ParamValue {
        match self.values.iter().find(|(n, _)| *n == name) {
            Some((_, value)) => value,
            None => panic!("lesson {} has no flag --{name}", self.lesson),
        }
    }

    /// The text a flag holds, if it is a flag that `fits` accepts.
    fn text_of(&self, name: &str, wanted: &str, fits: fn(&Param) -> bool) -> &str {
        let value = self.get(name);
        match (value, self.flag(name)) {
            (ParamValue::Text(text), Some(param)) if fits(param) => text,
            _ => self.wrong_kind(name, wanted, value),
        }
    }

    fn wrong_kind(&self, name: &str, wanted: &str, found: &ParamValue) -> ! {
        panic!(
            "lesson {}: --{name} is not a {wanted} flag (it holds {found:?})",
            self.lesson
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

    static FLAGS: &[Param] = &[
        Param::choice("work", "sleep", &["sleep", "spin"]),
        Param::input("input", "data/x.csv"),
        Param::text("keys", "keys/key_1"),
    ];

    fn params() -> Params {
        Params::defaults("test", FLAGS, FLAGS.iter(), 1)
    }

    #[test]
    fn text_flags_are_read_by_their_kind() {
        let params = params();
        assert_eq!(params.choice("work"), "sleep");
        assert_eq!(params.path("input"), PathBuf::from("data/x.csv"));
        assert_eq!(params.text("keys"), "keys/key_1");
    }

    #[test]
    #[should_panic(expected = "--input is not a choice flag")]
    fn a_path_is_not_a_choice() {
        params().choice("input");
    }

    #[test]
    #[should_panic(expected = "--work is not a path flag")]
    fn a_choice_is_not_a_path() {
        params().path("work");
    }
}
