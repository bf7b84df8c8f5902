//! What a sweep will run: its variant, thread counts and the flag it varies, each
//! configuration checked before the first run (by `sweep` here, and by `slurm` for the
//! sweep a batch job will run on another node).

use std::path::PathBuf;

use workbook::Side;
use workbook::flags::{MAX_THREADS, exercise_flags, override_flags, split_words};
use workbook::registry::{Lesson, Variant};

use crate::binaries::BuildOptions;
use crate::failure::{Failure, Outcome};
use crate::options::{RunOptions, find_lesson, find_variants};

#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The lesson, e.g. pi (see `workbook list`)
    pub lesson: String,
    /// Thread counts for the solution, e.g. 1,2,4,8 [default: 1, 2, 4, ... up to
    /// SLURM_CPUS_PER_TASK in a Slurm job, else up to the CPUs]
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub threads: Vec<u64>,
    /// Also sweep one lesson flag, e.g. chunks=1,10,100,1000
    #[arg(long, value_name = "FLAG=V1,V2,...")]
    pub vary: Option<String>,
    /// The solution variants to sweep: one, several (mutex,atomic) or all [default: the
    /// lesson's first]
    #[arg(long)]
    pub variant: Option<String>,
    /// Run the whole sweep this many times, taking turns, and pool each configuration's
    /// runs: slow spells of a shared machine then hit every configuration alike
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub rounds: u32,
    /// Folder to write the results folder into [default: results/ in the workbook]
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub build: BuildOptions,
}

/// The sweep's plan: which flag to vary over which values.
#[derive(Debug)]
pub struct Vary {
    pub name: String,
    pub values: Vec<String>,
}

/// What a sweep runs: the lesson and its solution variant, its thread counts, the flag it
/// varies (if any), and how many rounds it takes in turn.
pub struct Plan {
    pub lesson: &'static Lesson,
    pub variants: Vec<&'static Variant>,
    pub threads: Vec<usize>,
    pub vary: Option<Vary>,
    pub rounds: usize,
}

impl Plan {
    /// What the sweep's flags ask for: the variant, the thread counts (1, 2, 4, ... up to
    /// `most` unless given) and the flag to vary.
    pub fn read(lesson: &'static Lesson, args: &SweepArgs, most: usize) -> Outcome<Plan> {
        let variants = find_variants(lesson, args.variant.as_deref())?;
        if variants.is_empty() {
            return Err(Failure::usage("--variant names no variant"));
        }
        let vary = args.vary.as_deref();
        Ok(Plan {
            lesson,
            variants,
            threads: thread_counts(&args.threads, most),
            vary: vary.map(|text| parse_vary(lesson, text)).transpose()?,
            rounds: args.rounds as usize,
        })
    }

    /// The plan of `args` here: thread counts up to this machine's CPUs (or the Slurm job's)
    /// unless given.
    pub fn for_this_machine(args: &SweepArgs) -> Outcome<Plan> {
        let lesson = find_lesson(&args.lesson)?;
        let most = workbook::machine::default_threads().map_err(Failure::usage)?;
        Plan::read(lesson, args, most)
    }

    /// `check` against this machine: its thread limit, its memory, this folder's files.
    pub fn check_here(&self, run: &RunOptions) -> Outcome<()> {
        let lesson = self.lesson;
        let here = |side, words: &[String]| workbook::flags::parse(lesson, side, words).map(drop);
        self.check(run, &here)
    }

    /// The values the varied flag takes, each with the flags that set it; one run of
    /// nothing extra when nothing is varied.
    pub fn values(&self) -> Vec<(Option<&str>, Vec<String>)> {
        match &self.vary {
            None => vec![(None, Vec::new())],
            Some(vary) => vary
                .values
                .iter()
                .map(|v| {
                    (
                        Some(v.as_str()),
                        vec![format!("--{}", vary.name), v.clone()],
                    )
                })
                .collect(),
        }
    }

    /// The variants' names, as a folder name or a title: "rayon", "mutex+atomic".
    pub fn variant_names(&self) -> String {
        let names: Vec<&str> = self.variants.iter().map(|v| v.name).collect();
        names.join("+")
    }

    /// How the variants' answers must agree with the exercise's: one rule, or each's.
    pub fn agreements(&self) -> String {
        let mut rules: Vec<String> = Vec::new();
        for variant in &self.variants {
            let rule = variant.agreement.describe();
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        match rules.as_slice() {
            [one] => one.clone(),
            _ => format!("each variant by its own rule ({})", rules.join("; ")),
        }
    }

    /// Whether the varied flag is the solution's alone (the exercise runs once a round).
    pub fn varies_solution_only(&self) -> bool {
        let param = self.vary.as_ref().and_then(|v| self.lesson.param(&v.name));
        param.is_some_and(|p| p.solution_only)
    }

    /// Checks every configuration the sweep will run, as the lesson binaries will check
    /// them, before the first run: a bad combination found halfway would waste every run
    /// before it.
    pub fn check(&self, run: &RunOptions, check_args: &Check) -> Outcome<()> {
        let lesson = self.lesson;
        let flags = run.lesson_flags(lesson);
        if let Some(vary) = &self.vary {
            let given = split_words(lesson, &run.lesson_flags);
            if given.iter().any(|flag| flag.name == vary.name) {
                return Err(Failure::usage(format!(
                    "--vary {} and the lesson flags after -- both set --{}: give it in one place",
                    vary.name, vary.name
                )));
            }
        }
        for (value, extra) in self.values() {
            let at = match (&self.vary, value) {
                (Some(vary), Some(value)) => format!(" (--vary {}={value})", vary.name),
                _ => String::new(),
            };
            let configured = override_flags(lesson, &flags, &extra);
            let check = |side: Side, threads: usize, words: Vec<String>| {
                let mut args = vec!["--threads".to_string(), threads.to_string()];
                args.extend(words);
                check_args(side, &args).map_err(|e| Failure::usage(format!("{e}{at}")))
            };
            check(Side::Exercise, 1, exercise_flags(lesson, &configured))?;
            for variant in &self.variants {
                for &p in &self.threads {
                    let mut words = vec!["--variant".to_string(), variant.name.to_string()];
                    words.extend(configured.iter().cloned());
                    check(Side::Solution, p, words)?;
                }
            }
        }
        Ok(())
    }
}

/// The check of one lesson binary's arguments: `flags::parse` for a run here,
/// `flags::check_portable` for a run elsewhere.
pub type Check<'a> = dyn Fn(Side, &[String]) -> Result<(), String> + 'a;

/// Checks the sweep a batch job will run, with `sweep_flags` after the lesson's name, on a
/// node with `cpus` CPUs: its own flags, and every configuration's lesson flags as far as
/// they can be checked away from that node. A mistake is one line now, not a failed job.
pub fn check_for_job(lesson: &'static Lesson, sweep_flags: &[String], cpus: usize) -> Outcome<()> {
    #[derive(clap::Parser)]
    #[command(name = "workbook sweep", no_binary_name = true)]
    struct Job {
        #[command(flatten)]
        args: SweepArgs,
    }
    // The job script adds these two itself.
    let mut words: Vec<String> = [lesson.name, "--bin-dir", "job", "--out", "job"]
        .map(String::from)
        .to_vec();
    words.extend(sweep_flags.iter().cloned());
    let job = <Job as clap::Parser>::try_parse_from(&words).map_err(|e| {
        let rendered = e.render().to_string();
        let first = rendered.lines().next().unwrap_or_default();
        Failure::usage(format!(
            "the sweep flags after --: {}",
            first.strip_prefix("error: ").unwrap_or(first)
        ))
    })?;
    let plan = Plan::read(lesson, &job.args, cpus)?;
    for &count in &plan.threads {
        workbook::machine::check_threads_for("--threads", count, cpus)
            .map_err(|e| Failure::usage(format!("{e} (a job of {cpus} CPUs)")))?;
    }
    let anywhere = |side, args: &[String]| workbook::flags::check_portable(lesson, side, args, 1);
    plan.check(&job.args.run, &anywhere)
}

/// The counts asked for, else 1, 2, 4, ... up to `most` (the CPUs this process may use,
/// or the job's), and `most` itself.
fn thread_counts(asked: &[u64], most: usize) -> Vec<usize> {
    if !asked.is_empty() {
        return asked.iter().map(|&t| t as usize).collect();
    }
    let mut counts: Vec<usize> = std::iter::successors(Some(1), |t| Some(t * 2))
        .take_while(|&t| t <= most)
        .collect();
    if counts.last() != Some(&most) {
        counts.push(most);
    }
    counts
}

fn parse_vary(lesson: &Lesson, text: &str) -> Outcome<Vary> {
    let usage = || {
        Failure::usage(format!(
            "--vary expects FLAG=V1,V2,... (e.g. chunks=1,10,100), got '{text}'"
        ))
    };
    let (name, list) = text.split_once('=').ok_or_else(usage)?;
    let name = name.trim_start_matches("--");
    if lesson.param(name).is_none() {
        let names: Vec<_> = lesson.params.iter().map(|p| p.name).collect();
        return Err(Failure::usage(format!(
            "--vary: lesson {} has no flag --{name} (its flags: {})",
            lesson.name,
            names.join(", ")
        )));
    }
    let values: Vec<String> = list
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    if values.is_empty() {
        return Err(usage());
    }
    Ok(Vary {
        name: name.to_string(),
        values,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_thread_counts_double_up_to_the_cpus() {
        assert_eq!(thread_counts(&[], 1), vec![1]);
        assert_eq!(thread_counts(&[], 8), vec![1, 2, 4, 8]);
        assert_eq!(thread_counts(&[], 12), vec![1, 2, 4, 8, 12]);
        assert_eq!(thread_counts(&[3, 1], 8), vec![3, 1]);
    }

    #[test]
    fn vary_names_a_lesson_flag() {
        let vary = parse_vary(&workbook::registry::PI, "chunks=1,10, 100").unwrap();
        assert_eq!((vary.name.as_str(), vary.values.len()), ("chunks", 3));
        assert_eq!(
            parse_vary(&workbook::registry::PI, "--chunks=5")
                .unwrap()
                .name,
            "chunks"
        );
        let error = parse_vary(&workbook::registry::PI, "size=1").unwrap_err();
        assert_eq!(error.code, 2);
        assert_eq!(
            error.message,
            "--vary: lesson pi has no flag --size (its flags: n, chunks)"
        );
        assert_eq!(
            parse_vary(&workbook::registry::PI, "chunks")
                .unwrap_err()
                .code,
            2
        );
        assert_eq!(
            parse_vary(&workbook::registry::PI, "chunks=")
                .unwrap_err()
                .code,
            2
        );
    }
}
