//! The command line every lesson binary shares: the harness flags (`--threads`, `--repeat`,
//! `--warmup`, `--json`, and `--variant` on solutions) and the lesson's own flags from the
//! registry. Any mistake becomes one line of text; the caller prints it and exits with 2.

use crate::lesson::{Lesson, Side, Variant};
use crate::machine::{available_cpus, check_threads, default_threads};
use crate::params::{Kind, Params, parse_count};

pub use crate::machine::MAX_THREADS;
const MAX_REPEAT: u64 = 100_000;

/// A parsed command line.
#[derive(Debug)]
pub enum Command {
    Run(Invocation),
    /// `--help`: the text to print.
    Help(String),
}

/// What to run, how often, and how to report it.
#[derive(Debug)]
pub struct Invocation {
    pub params: Params,
    pub variant: &'static Variant,
    pub repeat: u32,
    pub warmup: u32,
    pub json: bool,
}

/// Parses the arguments after the program name, for a run on this machine: the thread
/// count must suit it, the work must fit in its memory, and the files the run writes must
/// be writable, all checked before any work starts.
pub fn parse(lesson: &'static Lesson, side: Side, args: &[String]) -> Result<Command, String> {
    let words = match read_words(lesson, side, args)? {
        Words::Help => return Ok(Command::Help(help(lesson, side))),
        Words::Run(words) => words,
    };
    let threads = match words.threads {
        Some(threads) => check_threads("--threads", threads)?,
        None => default_threads()?,
    };
    let invocation = words.into_invocation(lesson, side, threads)?;
    let params = &invocation.params;
    if let Some((bytes, what)) = (lesson.memory)(params) {
        crate::machine::check_memory(bytes, threads, &what)?;
    }
    // A file that cannot be written is found now, not after every timed run.
    for (name, path) in params.outputs() {
        crate::files::check_writable(&path).map_err(|e| format!("--{name}: {e}"))?;
    }
    Ok(Command::Run(invocation))
}

/// Checks the arguments as `parse` does, but only what holds on any machine: the flags,
/// their values and how they go together, at `threads` threads (or the arguments' own
/// `--threads`). What a batch job will run is checked this way on the login node.
pub fn check_portable(
    lesson: &'static Lesson,
    side: Side,
    args: &[String],
    threads: usize,
) -> Result<(), String> {
    match read_words(lesson, side, args)? {
        Words::Help => Ok(()),
        Words::Run(words) => {
            let threads = words.threads.unwrap_or(threads);
            words.into_invocation(lesson, side, threads).map(drop)
        }
    }
}

/// A command line read word by word, before anything is checked against the machine.
enum Words {
    Help,
    Run(RunWords),
}

struct RunWords {
    threads: Option<usize>,
    variant: &'static Variant,
    repeat: u32,
    warmup: u32,
    json: bool,
    lesson_flags: Vec<(String, String)>,
}

impl RunWords {
    fn into_invocation(
        self,
        lesson: &'static Lesson,
        side: Side,
        threads: usize,
    ) -> Result<Invocation, String> {
        let mut params = lesson.default_params(side, threads);
        for (name, value) in &self.lesson_flags {
            params.set(name, value)?;
        }
        (lesson.validate)(&params)?;
        Ok(Invocation {
            params,
            variant: self.variant,
            repeat: self.repeat,
            warmup: self.warmup,
            json: self.json,
        })
    }
}

fn read_words(lesson: &'static Lesson, side: Side, args: &[String]) -> Result<Words, String> {
    let mut threads = None;
    let mut repeat = lesson.repeat;
    let mut warmup = lesson.warmup;
    let mut json = false;
    let mut variant = lesson.default_variant();
    let mut lesson_flags = Vec::new();
    let mut given: Vec<(String, String)> = Vec::new();

    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Words::Help);
        }
        let Some(flag) = arg.strip_prefix("--") else {
            return Err(format!(
                "unexpected argument '{arg}': flags start with -- (see --help)"
            ));
        };
        let (name, inline_value) = match flag.split_once('=') {
            Some((name, value)) => (name, Some(value.to_string())),
            None => (flag, None),
        };
        if side == Side::Exercise {
            if name == "variant" {
                return Err(unknown_flag(lesson, side, name));
            }
            if lesson.param(name).is_some_and(|param| param.solution_only) {
                return Err(format!(
                    "--{name} is a flag of the solution ({}): the starter does not split its \
                     work yet",
                    lesson.solution_binary()
                ));
            }
        }
        let Some(takes_value) = takes_value(lesson, name) else {
            return Err(unknown_flag(lesson, side, name));
        };
        let value = match (takes_value, inline_value) {
            (true, Some(value)) => value,
            (true, None) => match rest.next() {
                Some(value) => value.clone(),
                None => return Err(format!("--{name} needs a value")),
            },
            (false, Some(value)) => {
                return Err(format!("--{name} takes no value, got '{value}'"));
            }
            (false, None) => "true".to_string(),
        };
        // The last of two values quietly winning hides a slip: refuse it, as the
        // `workbook` command does.
        if let Some((_, first)) = given.iter().find(|(seen, _)| seen == name) {
            return Err(if takes_value {
                format!("--{name} is given twice ('{first}' and '{value}'): give it once")
            } else {
                format!("--{name} is given twice: give it once")
            });
        }
        given.push((name.to_string(), value.clone()));
        match name {
            "json" => json = true,
            "threads" => threads = Some(count_flag(name, &value, 1, MAX_THREADS as u64)? as usize),
            "repeat" => repeat = count_flag(name, &value, 1, MAX_REPEAT)? as u32,
            "warmup" => warmup = count_flag(name, &value, 0, MAX_REPEAT)? as u32,
            "variant" => {
                variant = lesson.variant(&value).ok_or_else(|| {
                    format!(
                        "--variant: expected one of {}, got '{value}'",
                        variant_names(lesson)
                    )
                })?;
            }
            _ => lesson_flags.push((name.to_string(), value)),
        }
    }
    Ok(Words::Run(RunWords {
        threads,
        variant,
        repeat,
        warmup,
        json,
        lesson_flags,
    }))
}

/// One flag as written on a command line: its name (empty for a word that is not a
/// flag) and its words, `["--n", "10"]` or `["--n=10"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagWords {
    pub name: String,
    pub words: Vec<String>,
}

/// Splits `args` into flags, each with its value, by what the flags take. A flag neither
/// the harness nor the lesson knows is taken to have a value.
pub fn split_words(lesson: &Lesson, args: &[String]) -> Vec<FlagWords> {
    let mut flags = Vec::new();
    let mut rest = args.iter();
    while let Some(word) = rest.next() {
        let Some(flag) = word.strip_prefix("--") else {
            flags.push(FlagWords {
                name: String::new(),
                words: vec![word.clone()],
            });
            continue;
        };
        let (name, attached) = match flag.split_once('=') {
            Some((name, _)) => (name, true),
            None => (flag, false),
        };
        let mut words = vec![word.clone()];
        if !attached && takes_value(lesson, name).unwrap_or(true) {
            words.extend(rest.next().cloned());
        }
        flags.push(FlagWords {
            name: name.to_string(),
            words,
        });
    }
    flags
}

/// `flags` (as passed to the `workbook` command after `--`) without the solution-only
/// flags and their values: what the exercise is given.
pub fn exercise_flags(lesson: &Lesson, flags: &[String]) -> Vec<String> {
    split_words(lesson, flags)
        .into_iter()
        .filter(|flag| lesson.param(&flag.name).is_none_or(|p| !p.solution_only))
        .flat_map(|flag| flag.words)
        .collect()
}

/// `base` with every flag that `later` also sets taken out, then `later`: the quick
/// sizes give way to the user's own, and both to the flag a sweep varies.
pub fn override_flags(lesson: &Lesson, base: &[String], later: &[String]) -> Vec<String> {
    let later_names: Vec<String> = split_words(lesson, later)
        .into_iter()
        .map(|flag| flag.name)
        .collect();
    split_words(lesson, base)
        .into_iter()
        .filter(|flag| flag.name.is_empty() || !later_names.contains(&flag.name))
        .flat_map(|flag| flag.words)
        .chain(later.iter().cloned())
        .collect()
}

/// Whether the flag `name` takes a value; `None` if neither the harness nor the lesson
/// has it.
fn takes_value(lesson: &Lesson, name: &str) -> Option<bool> {
    match name {
        "json" | "help" => Some(false),
        "threads" | "repeat" | "warmup" | "variant" => Some(true),
        _ => lesson
            .param(name)
            .map(|param| !matches!(param.kind, Kind::Switch)),
    }
}

fn count_flag(name: &str, text: &str, min: u64, max: u64) -> Result<u64, String> {
    match parse_count(text) {
        Some(value) if (min..=max).contains(&value) => Ok(value),
        _ => Err(format!(
            "--{name}: expected a whole number from {min} to {max}, got '{text}'"
        )),
    }
}

fn variant_names(lesson: &Lesson) -> String {
    let names: Vec<_> = lesson.variants.iter().map(|v| v.name).collect();
    names.join(", ")
}

/// "unknown flag '--thread' (did you mean --threads?)".
fn unknown_flag(lesson: &Lesson, side: Side, name: &str) -> String {
    let mut known = vec!["threads", "repeat", "warmup", "json", "help"];
    if side == Side::Solution {
        known.push("variant");
    }
    known.extend(lesson.params_for(side).map(|p| p.name));
    let nearest = known
        .iter()
        .map(|candidate| (edit_distance(name, candidate), candidate))
        .min();
    match nearest {
        Some((distance, candidate)) if distance <= 2 => {
            format!("unknown flag '--{name}' (did you mean --{candidate}?)")
        }
        _ => format!("unknown flag '--{name}' (see --help)"),
    }
}

/// Levenshtein distance: the fewest one-character edits that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// The `--help` text, built from the registry so it always matches what is accepted.
pub fn help(lesson: &Lesson, side: Side) -> String {
    let binary = match side {
        Side::Exercise => lesson.exercise_binary(),
        Side::Solution => lesson.solution_binary(),
    };
    let role = match side {
        Side::Exercise => "the serial starter you parallelise",
        Side::Solution => "a parallel solution",
    };
    let mut text = format!(
        "{binary}: {} — {role} ({})\n\nUsage: cargo run --release --bin {binary} -- [flags]\n\nLesson flags:\n",
        lesson.title, lesson.text
    );
    for param in lesson.params_for(side) {
        let value = match param.kind {
            Kind::Switch => String::new(),
            Kind::Choice(words) => format!(" <{}>", words.join("|")),
            Kind::Count { .. } => " <count>".to_string(),
            Kind::Real { .. } => " <number>".to_string(),
            Kind::Text => " <text>".to_string(),
            Kind::Input | Kind::OptionalInput | Kind::Output | Kind::OptionalOutput => {
                " <path>".to_string()
            }
        };
        let default = match param.kind {
            Kind::Switch => String::new(),
            Kind::OptionalOutput => " (default: not written)".to_string(),
            Kind::OptionalInput => " (default: not given)".to_string(),
            _ => format!(" (default {})", param.default),
        };
        text.push_str(&flag_line(
            &format!("--{}{value}", param.name),
            &format!("{}{default}", param.about),
        ));
    }
    text.push_str("\nHarness flags (the same on every lesson binary):\n");
    let threads_default = match std::env::var("SLURM_CPUS_PER_TASK") {
        Ok(cpus) => format!("SLURM_CPUS_PER_TASK, {cpus}"),
        Err(_) => format!("every CPU, {}", available_cpus()),
    };
    text.push_str(&flag_line(
        "--threads <count>",
        &format!("size of rayon's thread pool (default: {threads_default})"),
    ));
    if side == Side::Solution {
        text.push_str(&flag_line(
            "--variant <name>",
            &format!(
                "{} (default {})",
                variant_names(lesson),
                lesson.default_variant().name
            ),
        ));
    }
    text.push_str(&flag_line(
        "--repeat <count>",
        &format!("timed runs (default {})", lesson.repeat),
    ));
    text.push_str(&flag_line(
        "--warmup <count>",
        &format!("untimed runs before them (default {})", lesson.warmup),
    ));
    text.push_str(&flag_line(
        "--json",
        "print one JSON record instead of the summary",
    ));
    text.push_str(&flag_line("-h, --help", "print this help"));
    if side == Side::Solution {
        text.push_str("\nVariants:\n");
        for variant in lesson.variants {
            text.push_str(&flag_line(variant.name, variant.about));
        }
    }
    text
}

fn flag_line(flag: &str, about: &str) -> String {
    format!("  {flag:<24} {about}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry::PI;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn run(list: &[&str]) -> Result<Invocation, String> {
        match parse(&PI, Side::Solution, &args(list))? {
            Command::Run(invocation) => Ok(invocation),
            Command::Help(_) => panic!("unexpected help"),
        }
    }

    #[test]
    fn defaults_come_from_the_registry() {
        let run = run(&["--threads", "3"]).unwrap();
        assert_eq!(run.params.count("n"), 10_000_000);
        assert_eq!(run.params.threads(), 3);
        assert_eq!(run.variant.name, "rayon");
        assert_eq!(
            (run.repeat, run.warmup, run.json),
            (PI.repeat, PI.warmup, false)
        );
    }

    #[test]
    fn values_may_follow_or_be_attached() {
        let run = run(&["--n=1e6", "--chunks", "10", "--variant=threads", "--json"]).unwrap();
        assert_eq!(run.params.count("n"), 1_000_000);
        assert_eq!(run.params.count("chunks"), 10);
        assert_eq!(run.variant.name, "threads");
        assert!(run.json);
    }

    #[test]
    fn mistakes_are_one_readable_line() {
        let cases: &[(&[&str], &str)] = &[
            (
                &["--threads", "0"],
                "--threads: expected a whole number from 1 to 4096, got '0'",
            ),
            (
                &["--n", "-5"],
                "--n: expected a whole number from 1 to 1000000000000, got '-5'",
            ),
            (
                &["--n", "many"],
                "--n: expected a whole number from 1 to 1000000000000, got 'many'",
            ),
            (
                &["--thread", "2"],
                "unknown flag '--thread' (did you mean --threads?)",
            ),
            (
                &["--frobnicate"],
                "unknown flag '--frobnicate' (see --help)",
            ),
            (&["--n"], "--n needs a value"),
            (&["--json=yes"], "--json takes no value, got 'yes'"),
            (
                &["10"],
                "unexpected argument '10': flags start with -- (see --help)",
            ),
            (
                &["--variant", "magic"],
                "--variant: expected one of rayon, spawn, threads, lanes, got 'magic'",
            ),
            (
                &["--n", "10", "--chunks", "11"],
                "--chunks (11) must not exceed --n (10): a chunk needs a slice",
            ),
        ];
        for (list, message) in cases {
            let error = run(list).unwrap_err();
            assert_eq!(&error, message, "for {list:?}");
            assert!(!error.contains('\n'));
        }
    }

    #[test]
    fn exercises_have_no_variant_flag() {
        let error = parse(&PI, Side::Exercise, &args(&["--variant", "rayon"])).unwrap_err();
        assert_eq!(error, "unknown flag '--variant' (see --help)");
    }

    #[test]
    fn help_lists_every_flag() {
        let Ok(Command::Help(text)) = parse(&PI, Side::Solution, &args(&["--help"])) else {
            panic!("no help");
        };
        for flag in [
            "--n",
            "--chunks",
            "--threads",
            "--repeat",
            "--warmup",
            "--json",
            "--variant",
        ] {
            assert!(text.contains(flag), "{flag} missing from:\n{text}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("thread", "threads"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
