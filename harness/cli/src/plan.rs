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
    /// Only the layouts of --ranks x --threads that use this many cores, e.g. 2 for 1x2
    /// against 2x1
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub cores: Option<u64>,
    /// Weak scaling: this lesson flag (a size) grows with ranks x threads, so that each core
    /// keeps the same work, e.g. --weak n
    #[arg(long, value_name = "FLAG")]
    pub weak: Option<String>,
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
    /// MPI ranks: `[None]` without `--ranks`.
    pub ranks: Vec<Option<usize>>,
    /// Only layouts of this many cores (`--cores`).
    pub cores: Option<usize>,
    /// The size flag that grows with the cores (`--weak`), and its value on one core.
    pub weak: Option<(String, u64)>,
    pub vary: Option<Vary>,
    pub rounds: usize,
}

/// One way to lay a run out on the cores: MPI ranks (if any) and threads in each.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Layout {
    pub ranks: Option<usize>,
    pub threads: usize,
}

impl Layout {
    pub fn cores(&self) -> usize {
        self.ranks.unwrap_or(1) * self.threads
    }

    /// "threads=2", or "ranks=2 threads=1".
    pub fn label(&self) -> String {
        match self.ranks {
            Some(ranks) => format!("ranks={ranks} threads={}", self.threads),
            None => format!("threads={}", self.threads),
        }
    }
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
        let plan = Plan {
            lesson,
            variants,
            threads: thread_counts(&args.threads, most),
            ranks: args.run.ranks_runs(lesson)?,
            cores: args.cores.map(|cores| cores as usize),
            weak: args
                .weak
                .as_deref()
                .map(|name| weak_size(lesson, name, &args.run))
                .transpose()?,
            vary: vary.map(|text| parse_vary(lesson, text)).transpose()?,
            rounds: args.rounds as usize,
        };
        if plan.layouts().is_empty() {
            return Err(Failure::usage(format!(
                "no layout of --ranks x --threads uses --cores {} cores",
                plan.cores.unwrap_or(0)
            )));
        }
        if let (Some((weak, _)), Some(vary)) = (&plan.weak, &plan.vary)
            && *weak == vary.name
        {
            return Err(Failure::usage(format!(
                "--weak {weak} and --vary {weak}=... both set --{weak}: choose one"
            )));
        }
        Ok(plan)
    }

    /// Every ranks x threads layout the sweep runs, ranks first: those of `--cores` cores
    /// only, when it is given.
    pub fn layouts(&self) -> Vec<Layout> {
        let mut layouts = Vec::new();
        for &ranks in &self.ranks {
            for &threads in &self.threads {
                let layout = Layout { ranks, threads };
                if self.cores.is_none_or(|cores| layout.cores() == cores) {
                    layouts.push(layout);
                }
            }
        }
        layouts
    }

    /// The lesson flags a layout adds: its ranks, and the size weak scaling gives it.
    pub fn layout_flags(&self, layout: Layout) -> Vec<String> {
        let mut flags = Vec::new();
        if let Some(ranks) = layout.ranks {
            flags.extend(["--ranks".to_string(), ranks.to_string()]);
        }
        flags.extend(self.weak_flags(layout.cores()));
        flags
    }

    /// The weak-scaling size for `cores` cores, as flags (none without `--weak`).
    pub fn weak_flags(&self, cores: usize) -> Vec<String> {
        match self.weak_size(cores) {
            Some((name, size)) => vec![format!("--{name}"), size.to_string()],
            None => Vec::new(),
        }
    }

    /// The size flag of `--weak` and its value for `cores` cores: `cores` times the work of
    /// one core's size (the side of a square grows by the square root).
    pub fn weak_size(&self, cores: usize) -> Option<(&str, u64)> {
        let (name, base) = self.weak.as_ref()?;
        let size = match self.lesson.param(name) {
            Some(param) => param.scaled(*base, cores as u64),
            None => base * cores as u64,
        };
        Some((name, size))
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
                for layout in self.layouts() {
                    let mut words = vec!["--variant".to_string(), variant.name.to_string()];
                    words.extend(override_flags(
                        lesson,
                        &configured,
                        &self.layout_flags(layout),
                    ));
                    check(Side::Solution, layout.threads, words)?;
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

/// The size flag of `--weak`, and its value on one core (the lesson flags' or its default).
fn weak_size(lesson: &Lesson, name: &str, run: &RunOptions) -> Outcome<(String, u64)> {
    let name = name.trim_start_matches("--");
    let param = lesson
        .param(name)
        .filter(|p| matches!(p.kind, workbook::params::Kind::Count { .. }) && !p.solution_only);
    let Some(param) = param else {
        let counts: Vec<_> = lesson
            .params
            .iter()
            .filter(|p| matches!(p.kind, workbook::params::Kind::Count { .. }))
            .filter(|p| !p.solution_only)
            .map(|p| p.name)
            .collect();
        return Err(Failure::usage(format!(
            "--weak: lesson {} has no size flag --{name} (its sizes: {})",
            lesson.name,
            counts.join(", ")
        )));
    };
    let given = split_words(lesson, &run.lesson_flags(lesson));
    let value = |flag: &workbook::flags::FlagWords| {
        let word = flag.words.last().map_or("", String::as_str);
        word.split_once('=')
            .map_or(word, |(_, value)| value)
            .to_string()
    };
    let text = given
        .iter()
        .rev()
        .find(|flag| flag.name == name)
        .map_or(param.default.to_string(), value);
    let base = workbook::params::parse_count(&text)
        .ok_or_else(|| Failure::usage(format!("--weak {name}: --{name} {text} is not a count")))?;
    Ok((name.to_string(), base))
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
