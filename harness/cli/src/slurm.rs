//! `workbook slurm`: the batch script for a lesson's scaling study on a compute node (or
//! every lesson's, as a job array), printed for reading or submitted with sbatch.
//!
//! The script it writes is short: the `#SBATCH` lines and site setup, then it runs
//! `slurm/scaling.sbatch` or `slurm/all-lessons.sbatch`, the same scripts an instructor
//! can submit by hand. The work a job does lives in those two files only.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use workbook::flags::MAX_THREADS;
use workbook::registry::Lesson;

use crate::binaries::{BuildOptions, locate_lessons, on_path, profile_dir, workspace_root};
use crate::failure::{Failure, Outcome};
use crate::options::find_lesson;
use crate::sayln;

#[derive(Debug, clap::Args)]
pub struct SlurmArgs {
    /// The lesson to study, or `all` for every lesson as one job array
    pub lesson: String,
    /// CPUs for the job (--cpus-per-task): each task's; the sweep runs 1, 2, 4, ... threads
    /// up to it
    #[arg(long, alias = "cpus-per-task", value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub cpus: u64,
    /// Nodes for a job of MPI ranks (the ranks lesson)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub nodes: u64,
    /// MPI ranks on each node, each with --cpus CPUs for its threads (the ranks lesson)
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub ntasks_per_node: u64,
    /// Slurm partition [default: the site file's, else the cluster's default]
    #[arg(long)]
    pub partition: Option<String>,
    /// Account to charge [default: the site file's, else your default]
    #[arg(long)]
    pub account: Option<String>,
    /// Time limit as Slurm writes it: minutes, H:MM:SS or D-HH:MM:SS [default: the site
    /// file's, else 0:30:00]
    #[arg(long)]
    pub time: Option<String>,
    /// With `all`: only these lessons, e.g. pi,delayed
    #[arg(long, value_delimiter = ',', value_name = "LESSONS")]
    pub lessons: Vec<String>,
    /// The site settings file [default: slurm/site.toml in the workbook]
    #[arg(long, value_name = "FILE")]
    pub site: Option<PathBuf>,
    /// Folder for the jobs' results and logs [default: results/ in the workbook]
    #[arg(long, value_name = "DIR")]
    pub results: Option<PathBuf>,
    /// Submit the script with sbatch and print the job id (else print the script)
    #[arg(long)]
    pub submit: bool,
    #[command(flatten)]
    pub build: BuildOptions,
    /// Flags for `workbook sweep` in the job, after `--`, e.g. `-- --rounds 3`
    #[arg(last = true, value_name = "SWEEP FLAGS")]
    pub sweep_flags: Vec<String>,
}

/// What an instructor sets once for a site, in `slurm/site.toml`. Flags override it.
#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Site {
    pub partition: Option<String>,
    pub account: Option<String>,
    pub time: Option<String>,
    /// Environment modules the job loads (the ones the lessons were built with).
    #[serde(default)]
    pub modules: Vec<String>,
    /// Shell lines the job runs after loading the modules.
    #[serde(default)]
    pub setup: Vec<String>,
    /// More `#SBATCH` options, e.g. "--qos=short".
    #[serde(default)]
    pub sbatch: Vec<String>,
    /// srun's `--mpi=` for MPI ranks: the plugin the site's MPI was built for, e.g. "pmix"
    /// (`srun --mpi=list` shows them).
    pub mpi: Option<String>,
}

const DEFAULT_TIME: &str = "0:30:00";

impl Site {
    /// Reads a site file. The default file may be missing (no settings); one named with
    /// `--site` must exist.
    pub fn load(path: &Path, named: bool) -> Outcome<Site> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
                return Ok(Site::default());
            }
            Err(e) => {
                return Err(Failure::usage(format!(
                    "cannot read the site file {}: {e}",
                    path.display()
                )));
            }
        };
        Site::parse(&text).map_err(|e| Failure::usage(format!("{}: {e}", path.display())))
    }

    /// Parses a site file; the error is one line naming the line of the file.
    pub fn parse(text: &str) -> Result<Site, String> {
        let site: Site = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
            let message = e.message().replace('\n', " ");
            match line {
                Some(line) => format!("line {line}: {message}"),
                None => message,
            }
        })?;
        for (field, values) in [
            ("modules", &site.modules),
            ("setup", &site.setup),
            ("sbatch", &site.sbatch),
        ] {
            if let Some(value) = values.iter().find(|v| v.contains('\n')) {
                return Err(format!(
                    "{field}: '{value}' spans lines; give one per entry"
                ));
            }
        }
        if let Some(option) = site.sbatch.iter().find(|o| !o.starts_with('-')) {
            return Err(format!(
                "sbatch: '{option}' is not an option; write them as in an #SBATCH line, e.g. \"--qos=short\""
            ));
        }
        Ok(site)
    }
}

/// Which lessons a job runs.
#[derive(Debug)]
pub enum Target {
    Lesson(&'static Lesson),
    /// A job array, one task per lesson; `chosen` is true when `--lessons` picked them.
    All {
        lessons: Vec<&'static Lesson>,
        chosen: bool,
    },
}

/// Everything a batch script says.
#[derive(Debug)]
pub struct Job {
    pub target: Target,
    pub cpus: u64,
    pub nodes: u64,
    pub ntasks_per_node: u64,
    pub partition: Option<String>,
    pub account: Option<String>,
    pub time: String,
    pub site: Site,
    pub workbook_dir: PathBuf,
    pub bin_dir: PathBuf,
    pub results: PathBuf,
    pub sweep_flags: Vec<String>,
}

impl Job {
    /// The job described by the command line and the site file.
    pub fn from_args(args: &SlurmArgs) -> Outcome<Job> {
        let workbook_dir = workspace_root();
        let target = target(&args.lesson, &args.lessons)?;
        let (site_path, named) = match &args.site {
            Some(path) => (path.clone(), true),
            None => (workbook_dir.join("slurm").join("site.toml"), false),
        };
        let site = Site::load(&site_path, named)?;
        // A flag wins over the site file; a mistake names the one it came from.
        let pick = |name: &str, flag: &Option<String>, site: &Option<String>| match (flag, site) {
            (Some(value), _) => Some((value.clone(), format!("--{name}"))),
            (None, Some(value)) => {
                Some((value.clone(), format!("{}: {name}", site_path.display())))
            }
            (None, None) => None,
        };
        let time = match pick("time", &args.time, &site.time) {
            Some((time, from)) => {
                check_time(&time).map_err(|e| Failure::usage(format!("{from} '{time}': {e}")))?;
                time
            }
            None => DEFAULT_TIME.to_string(),
        };
        let partition = pick("partition", &args.partition, &site.partition);
        let account = pick("account", &args.account, &site.account);
        for (name, setting) in [("partition", &partition), ("account", &account)] {
            if let Some((value, from)) = setting
                && (value.is_empty() || value.contains(char::is_whitespace))
            {
                return Err(Failure::usage(format!(
                    "{from} '{value}' is not a Slurm {name} name"
                )));
            }
        }
        let (partition, account) = (partition.map(|(v, _)| v), account.map(|(v, _)| v));
        let bin_dir = match &args.build.bin_dir {
            Some(dir) => absolute(dir)?,
            None => profile_dir(&args.build.profile),
        };
        let results = match &args.results {
            Some(dir) => absolute(dir)?,
            None => workbook_dir.join("results"),
        };
        let hybrid = args.nodes > 1 || args.ntasks_per_node > 1;
        let on_ranks = match &target {
            Target::Lesson(lesson) => lesson.param("ranks").is_some(),
            Target::All { .. } => false,
        };
        if hybrid && !on_ranks {
            return Err(Failure::usage(format!(
                "--nodes and --ntasks-per-node start MPI ranks, and lesson {} runs in one \
                 process: they are for the ranks lesson",
                args.lesson
            )));
        }
        Ok(Job {
            target,
            cpus: args.cpus,
            nodes: args.nodes,
            ntasks_per_node: args.ntasks_per_node,
            partition,
            account,
            time,
            site,
            workbook_dir,
            bin_dir,
            results,
            sweep_flags: args.sweep_flags.clone(),
        })
    }

    /// A job of several MPI ranks: more than one node or task.
    pub fn is_hybrid(&self) -> bool {
        self.nodes > 1 || self.ntasks_per_node > 1
    }

    /// The job's tasks in all: the most ranks a run in it can have.
    pub fn tasks(&self) -> u64 {
        self.nodes * self.ntasks_per_node
    }

    /// The sweep the job runs: the flags given, and for a job of ranks without `--ranks`,
    /// 1, 2, 4, ... ranks up to the job's tasks.
    pub fn sweep_flags(&self) -> Vec<String> {
        let mut flags = self.sweep_flags.clone();
        let given = crate::options::flag_in(&flags, "ranks").is_some();
        if self.is_hybrid() && !given {
            let tasks = self.tasks();
            let mut ranks: Vec<u64> = std::iter::successors(Some(1), |r| Some(r * 2))
                .take_while(|&r| r < tasks)
                .collect();
            ranks.push(tasks);
            let list: Vec<String> = ranks.iter().map(u64::to_string).collect();
            flags.extend(["--ranks".to_string(), list.join(",")]);
        }
        flags
    }

    /// No run of the job may start more ranks than it has tasks.
    fn check_ranks(&self) -> Outcome<()> {
        let flags = self.sweep_flags();
        let too_many = crate::options::flag_in(&flags, "ranks")
            .into_iter()
            .flat_map(|list| list.split(','))
            .filter_map(|ranks| ranks.trim().parse::<u64>().ok())
            .find(|&ranks| ranks > self.tasks());
        match too_many {
            Some(ranks) => Err(Failure::usage(format!(
                "--ranks {ranks} is more than the job's {} task(s): raise --nodes or \
                 --ntasks-per-node",
                self.tasks()
            ))),
            None => Ok(()),
        }
    }

    pub fn lessons(&self) -> Vec<&'static Lesson> {
        match &self.target {
            Target::Lesson(lesson) => vec![lesson],
            Target::All { lessons, .. } => lessons.clone(),
        }
    }

    /// "workbook-pi", or "workbook-lessons" for the job array.
    pub fn name(&self) -> String {
        match &self.target {
            Target::Lesson(lesson) => format!("workbook-{}", lesson.name),
            Target::All { .. } => "workbook-lessons".to_string(),
        }
    }

    /// The batch script, ready for sbatch.
    pub fn script(&self) -> String {
        let mut text = String::from("#!/bin/bash\n");
        let (what, runs) = match &self.target {
            Target::Lesson(lesson) => (
                format!("the scaling study of lesson {}", lesson.name),
                "scaling.sbatch",
            ),
            Target::All { lessons, .. } => (
                format!("{} lessons' scaling studies, as a job array", lessons.len()),
                "all-lessons.sbatch",
            ),
        };
        let _ = writeln!(
            text,
            "# Written by `workbook slurm`: {what}.\n\
             # It sets up the job and runs slurm/{runs}, which does the work."
        );
        let mut option = |line: String| {
            let _ = writeln!(text, "#SBATCH {line}");
        };
        option(format!("--job-name={}", self.name()));
        let log = match &self.target {
            Target::Lesson(_) => "slurm-%j.out",
            Target::All { lessons, .. } => {
                option(format!("--array=0-{}", lessons.len() - 1));
                "slurm-%A_%a.out"
            }
        };
        option(format!("--nodes={}", self.nodes));
        match self.is_hybrid() {
            true => option(format!("--ntasks-per-node={}", self.ntasks_per_node)),
            false => option("--ntasks=1".to_string()),
        }
        option(format!("--cpus-per-task={}", self.cpus));
        option(format!("--time={}", self.time));
        option(format!(
            "--output={}",
            self.results.join(log).to_string_lossy()
        ));
        if let Some(partition) = &self.partition {
            option(format!("--partition={partition}"));
        }
        if let Some(account) = &self.account {
            option(format!("--account={account}"));
        }
        for extra in &self.site.sbatch {
            option(extra.clone());
        }
        text.push_str("set -euo pipefail\n");

        if !self.site.modules.is_empty() || !self.site.setup.is_empty() {
            text.push_str("\n# Site setup (from the site file)\n");
            if !self.site.modules.is_empty() {
                let _ = writeln!(text, "module load {}", self.site.modules.join(" "));
            }
            for line in &self.site.setup {
                let _ = writeln!(text, "{line}");
            }
        }

        text.push_str("\n# The workbook's binaries (built before submission) and results\n");
        let mut export = |name: &str, value: &str| {
            let _ = writeln!(text, "export {name}={}", shell_word(value));
        };
        export("WORKBOOK_DIR", &self.workbook_dir.to_string_lossy());
        export("WORKBOOK_BIN_DIR", &self.bin_dir.to_string_lossy());
        export("WORKBOOK_RESULTS", &self.results.to_string_lossy());
        if let Some(mpi) = self.site.mpi.as_deref().filter(|_| self.is_hybrid()) {
            // srun's --mpi= for the ranks, from the site file.
            export(crate::launcher::SRUN_MPI, mpi);
        }
        let mut arguments: Vec<String> = Vec::new();
        match &self.target {
            Target::Lesson(lesson) => arguments.push(lesson.name.to_string()),
            Target::All { lessons, chosen } => {
                if *chosen {
                    let names: Vec<&str> = lessons.iter().map(|l| l.name).collect();
                    export("WORKBOOK_LESSONS", &names.join(" "));
                }
            }
        }
        arguments.extend(self.sweep_flags());
        let script = self.workbook_dir.join("slurm").join(runs);
        let mut command = format!("exec bash {}", shell_word(&script.to_string_lossy()));
        for argument in &arguments {
            command.push(' ');
            command.push_str(&shell_word(argument));
        }
        let _ = writeln!(text, "{command}");
        text
    }
}

fn target(name: &str, chosen: &[String]) -> Outcome<Target> {
    if name != "all" {
        if !chosen.is_empty() {
            return Err(Failure::usage(
                "--lessons picks lessons for `workbook slurm all`; name one lesson or all",
            ));
        }
        return find_lesson(name).map(Target::Lesson);
    }
    if chosen.is_empty() {
        return Ok(Target::All {
            lessons: workbook::LESSONS.to_vec(),
            chosen: false,
        });
    }
    let mut lessons = Vec::new();
    for name in chosen {
        let lesson = find_lesson(name)?;
        if !lessons.iter().any(|l: &&Lesson| l.name == lesson.name) {
            lessons.push(lesson);
        }
    }
    Ok(Target::All {
        lessons,
        chosen: true,
    })
}

/// Slurm's time formats: minutes, M:S, H:M:S, D-H, D-H:M, D-H:M:S. Checked here so that
/// a typo is one line now, not a refusal from sbatch later.
fn check_time(time: &str) -> Result<(), &'static str> {
    let (days, clock) = match time.split_once('-') {
        Some((days, clock)) => (Some(days), clock),
        None => (None, time),
    };
    let whole = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = clock.split(':').collect();
    let fits = days.is_none_or(whole) && parts.len() <= 3 && parts.iter().all(|part| whole(part));
    if fits {
        Ok(())
    } else {
        Err("Slurm writes a time limit as minutes, H:MM:SS or D-HH:MM:SS")
    }
}

fn absolute(path: &Path) -> Outcome<PathBuf> {
    std::path::absolute(path)
        .map_err(|e| Failure::usage(format!("cannot resolve {}: {e}", path.display())))
}

/// A word the shell reads back as itself: left bare when it is plainly safe, else in
/// single quotes.
pub fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

pub fn slurm(args: &SlurmArgs) -> Outcome<()> {
    let job = Job::from_args(args)?;
    // The sweep a job runs is checked here: a typo after -- is one line now, not a job
    // that fails once it starts.
    for lesson in job.lessons() {
        crate::plan::check_for_job(lesson, &job.sweep_flags(), job.cpus as usize).map_err(|e| {
            Failure::usage(format!(
                "{} (lesson {}, run by the job)",
                e.message, lesson.name
            ))
        })?;
    }
    job.check_ranks()?;
    let script = job.script();
    if !args.submit {
        crate::output::say(&script);
        return Ok(());
    }
    // Before any build: there is no point building for ten minutes to find no sbatch.
    let sbatch = on_path("sbatch").ok_or_else(|| {
        Failure::failed(
            "sbatch is not on PATH: submit from a cluster's login node (to try the scripts \
             here, start a one-node cluster with `slurm/local-cluster start`)",
        )
    })?;
    build_for(&job, &args.build)?;
    let stamp = crate::output::file_stamp(None);
    let script_path = workbook::files::create_unique_file(
        &job.results,
        &format!("{}-{stamp}", job.name()),
        "sbatch",
    )
    .and_then(|path| {
        workbook::files::write(&path, &script).map_err(|e| e.to_string())?;
        Ok(path)
    })
    .map_err(Failure::failed)?;

    let output = Command::new(&sbatch)
        .arg("--parsable")
        .arg(&script_path)
        .output()
        .map_err(|e| Failure::failed(format!("cannot run {}: {e}", sbatch.display())))?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        let reason = stderr
            .lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .unwrap_or("no message");
        let reason = reason.strip_prefix("sbatch: error: ").unwrap_or(reason);
        return Err(Failure::failed(format!("sbatch refused the job: {reason}")));
    }
    // --parsable prints "id" or "id;cluster".
    let stdout = String::from_utf8_lossy(&output.stdout);
    let id = stdout.trim().split(';').next().unwrap_or("").to_string();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::failed(format!(
            "sbatch printed '{}', not a job id",
            stdout.trim()
        )));
    }
    let folder = job.results.join(format!("job-{id}"));
    sayln!("Submitted batch job {id}");
    sayln!("  script   {}", script_path.display());
    sayln!(
        "  log      {}",
        job.results
            .join(match job.target {
                Target::Lesson(_) => format!("slurm-{id}.out"),
                Target::All { .. } => format!("slurm-{id}_*.out"),
            })
            .display()
    );
    sayln!("  results  {}/", folder.display());
    sayln!(
        "Follow it with `squeue -j {id}`; when it is done: workbook report {}",
        folder.display()
    );
    Ok(())
}

/// Builds (unless told not to) or finds every binary the job runs, in the folder the
/// script names: the `workbook` command and each lesson's exercise and solution.
fn build_for(job: &Job, build: &BuildOptions) -> Outcome<()> {
    // A sweep of a variant behind a feature (polars) needs the solution built with it.
    let features = match (&job.target, crate::options::variant_in(&job.sweep_flags)) {
        (Target::Lesson(lesson), Some(names)) => {
            match crate::options::find_variants(lesson, Some(names)) {
                Ok(variants) => crate::options::features_for(lesson, &variants),
                Err(_) => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    let mut features = features;
    if let Target::Lesson(lesson) = &job.target {
        // Ranks need both of the lesson's packages built with MPI.
        let run = crate::options::RunOptions {
            repeat: None,
            warmup: None,
            quick: false,
            ranks: Vec::new(),
            lesson_flags: job.sweep_flags(),
        };
        features.extend(run.mpi_features(lesson));
    }
    for (name, path) in locate_lessons(&job.lessons(), &features, build)? {
        let expected = job
            .bin_dir
            .join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
        let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if !same(&path, &expected) {
            return Err(Failure::failed(format!(
                "{name} was built at {}, not in {}",
                path.display(),
                job.bin_dir.display()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_files_are_read_and_mistakes_named_by_line() {
        let site = Site::parse(
            "partition = \"short\"\n# a comment\nmodules = [\"hdf5/1.14\", \"gcc\"]\nsbatch = [\"--qos=debug\"]\n",
        )
        .unwrap();
        assert_eq!(site.partition.as_deref(), Some("short"));
        assert_eq!(site.modules, ["hdf5/1.14", "gcc"]);
        assert_eq!(Site::parse("# nothing set\n").unwrap(), Site::default());
        let typo = Site::parse("partition = \"a\"\npartiton = \"b\"\n").unwrap_err();
        assert!(
            typo.starts_with("line 2: unknown field `partiton`"),
            "{typo}"
        );
        assert!(!typo.contains('\n'));
        let bad = Site::parse("sbatch = [\"qos=short\"]").unwrap_err();
        assert!(bad.contains("is not an option"), "{bad}");
        assert!(
            Site::parse("modules = \"hdf5\"")
                .unwrap_err()
                .starts_with("line 1")
        );
    }

    #[test]
    fn the_example_site_file_reads_as_it_is_and_uncommented() {
        let example = include_str!("../../../slurm/site.example.toml");
        assert_eq!(Site::parse(example).unwrap(), Site::default());
        let uncommented: String = example
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(setting) if setting.contains(" = ") => setting,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n");
        let site = Site::parse(&uncommented).unwrap();
        assert_eq!(site.partition.as_deref(), Some("compute"));
        assert_eq!(site.time.as_deref(), Some("0:30:00"));
        assert_eq!(site.modules, ["hdf5"]);
        assert_eq!(site.sbatch.len(), 3);
        assert!(check_time(site.time.as_deref().unwrap()).is_ok());
    }

    #[test]
    fn times_follow_slurm() {
        for good in ["30", "0:30:00", "10:00", "1-00:00:00", "2-12", "1-6:30"] {
            assert!(check_time(good).is_ok(), "{good}");
        }
        for bad in ["", "half an hour", "1:2:3:4", "-5", "1-", "1h", "1:-2"] {
            assert!(check_time(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shell_words_read_back_as_themselves() {
        assert_eq!(shell_word("/work/target/release"), "/work/target/release");
        assert_eq!(shell_word("--rounds"), "--rounds");
        assert_eq!(shell_word("my results"), "'my results'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("$HOME"), "'$HOME'");
    }

    fn job(target: Target, site: Site) -> Job {
        Job {
            target,
            cpus: 16,
            nodes: 1,
            ntasks_per_node: 1,
            partition: Some("compute".into()),
            account: None,
            time: "1:00:00".into(),
            site,
            workbook_dir: "/home/me/workbook".into(),
            bin_dir: "/home/me/workbook/target/release".into(),
            results: "/scratch/me/results".into(),
            sweep_flags: vec!["--rounds".into(), "3".into()],
        }
    }

    #[test]
    fn a_lesson_script_asks_for_its_cpus_and_runs_the_scaling_script() {
        let site = Site {
            modules: vec!["hdf5".into()],
            sbatch: vec!["--qos=short".into()],
            ..Site::default()
        };
        let script = job(Target::Lesson(&workbook::registry::PI), site).script();
        for line in [
            "#SBATCH --job-name=workbook-pi",
            "#SBATCH --cpus-per-task=16",
            "#SBATCH --time=1:00:00",
            "#SBATCH --output=/scratch/me/results/slurm-%j.out",
            "#SBATCH --partition=compute",
            "#SBATCH --qos=short",
            "module load hdf5",
            "export WORKBOOK_BIN_DIR=/home/me/workbook/target/release",
            "exec bash /home/me/workbook/slurm/scaling.sbatch pi --rounds 3",
        ] {
            assert!(
                script.lines().any(|l| l == line),
                "no '{line}' in:\n{script}"
            );
        }
        assert!(!script.contains("--account"));
        assert!(!script.contains("--array"));
        // sbatch reads #SBATCH lines only before the first command.
        let lines: Vec<&str> = script.lines().collect();
        let first_command = lines
            .iter()
            .position(|l| !l.is_empty() && !l.starts_with('#'))
            .unwrap();
        let last_option = lines
            .iter()
            .rposition(|l| l.starts_with("#SBATCH"))
            .unwrap();
        assert!(last_option < first_command);
    }

    #[test]
    fn the_array_script_has_one_task_per_lesson() {
        let all = target("all", &[]).unwrap();
        let script = job(all, Site::default()).script();
        let last = workbook::LESSONS.len() - 1;
        assert!(script.contains(&format!("#SBATCH --array=0-{last}\n")));
        assert!(script.contains("slurm-%A_%a.out"));
        assert!(!script.contains("WORKBOOK_LESSONS"));
        assert!(script.contains("all-lessons.sbatch --rounds 3\n"));

        let chosen = target("all", &["pi".into(), "delayed".into(), "pi".into()]).unwrap();
        let script = job(chosen, Site::default()).script();
        assert!(script.contains("#SBATCH --array=0-1\n"));
        assert!(script.contains("export WORKBOOK_LESSONS='pi delayed'\n"));

        assert_eq!(target("all", &["nope".into()]).unwrap_err().code, 2);
        assert_eq!(target("pi", &["pi".into()]).unwrap_err().code, 2);
    }
}
