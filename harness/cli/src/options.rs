//! Options shared by the commands that run lessons.

use workbook::flags::override_flags;
use workbook::lesson;
use workbook::machine::{MAX_THREADS, check_threads, default_threads};
use workbook::registry::{Lesson, Variant};

use crate::failure::{Failure, Outcome};

/// The `--threads` of commands that run the solution at one thread count.
#[derive(Debug, Clone, clap::Args)]
pub struct ThreadsOption {
    /// Threads for the parallel runs [default: SLURM_CPUS_PER_TASK, else every CPU]
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=MAX_THREADS as u64))]
    pub threads: Option<u64>,
}

impl ThreadsOption {
    pub fn threads(&self) -> Outcome<usize> {
        match self.threads {
            Some(threads) => check_threads("--threads", threads as usize).map_err(Failure::usage),
            None => default_threads().map_err(Failure::usage),
        }
    }
}

/// How to run a lesson's binaries.
#[derive(Debug, Clone, clap::Args)]
pub struct RunOptions {
    /// Timed runs of each binary [default: the lesson's]
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: Option<u32>,
    /// Untimed runs before them [default: the lesson's]
    #[arg(long)]
    pub warmup: Option<u32>,
    /// Use the lesson's small test sizes: a functional check that takes a moment
    #[arg(long)]
    pub quick: bool,
    /// Run the solution as this many MPI ranks, each with the threads asked for (a list,
    /// e.g. 1,2, for compare and sweep): started by mpirun, or by srun in a Slurm job. Only
    /// for a lesson that runs on ranks (ranks), built with its `mpi` feature
    #[arg(long, value_delimiter = ',', value_parser = clap::value_parser!(u64).range(1..=MAX_RANKS))]
    pub ranks: Vec<u64>,
    /// The lesson's own flags, after `--`, e.g. `workbook compare pi -- --n 1e8`
    #[arg(last = true, value_name = "LESSON FLAGS")]
    pub lesson_flags: Vec<String>,
}

/// The most ranks `--ranks` accepts: the lesson's own limit.
const MAX_RANKS: u64 = 100_000;

/// The cargo feature that makes a lesson's packages MPI programs.
pub const MPI_FEATURE: &str = "mpi";

impl RunOptions {
    /// The ranks to run the solution on: `[None]` (no MPI) unless `--ranks` gives them.
    /// A lesson that does not run on ranks refuses them.
    pub fn ranks_runs(&self, lesson: &Lesson) -> Outcome<Vec<Option<usize>>> {
        if self.ranks.is_empty() {
            return Ok(vec![None]);
        }
        if lesson.param("ranks").is_none() {
            return Err(Failure::usage(format!(
                "lesson {} does not run on MPI ranks: drop --ranks (the ranks lesson does)",
                lesson.name
            )));
        }
        Ok(self.ranks.iter().map(|&r| Some(r as usize)).collect())
    }

    /// The cargo features ("package/feature") that MPI runs need: both of the lesson's
    /// packages with MPI, when `--ranks` is given here or among the lesson flags.
    pub fn mpi_features(&self, lesson: &Lesson) -> Vec<String> {
        let in_flags = flag_in(&self.lesson_flags, "ranks").is_some();
        if lesson.param("ranks").is_none() || (self.ranks.is_empty() && !in_flags) {
            return Vec::new();
        }
        [lesson.solution_binary(), lesson.exercise_binary()]
            .map(|package| format!("{package}/{MPI_FEATURE}"))
            .to_vec()
    }

    /// The flags passed to the lesson binaries: the quick sizes if asked for, except those
    /// the user sets, then the user's own.
    pub fn lesson_flags(&self, lesson: &Lesson) -> Vec<String> {
        let quick = if self.quick {
            lesson.quick_flags()
        } else {
            Vec::new()
        };
        override_flags(lesson, &quick, &self.lesson_flags)
    }
}

pub fn find_lesson(name: &str) -> Outcome<&'static Lesson> {
    lesson(name).ok_or_else(|| {
        let names: Vec<_> = workbook::LESSONS.iter().map(|l| l.name).collect();
        Failure::usage(format!(
            "no lesson named '{name}' (lessons: {})",
            names.join(", ")
        ))
    })
}

/// The variants `--variant` names: one, several (`mutex,atomic`), "all", or the default
/// when not given.
pub fn find_variants(
    lesson: &'static Lesson,
    name: Option<&str>,
) -> Outcome<Vec<&'static Variant>> {
    match name {
        None => Ok(vec![lesson.default_variant()]),
        Some("all") => {
            // Variants behind a slow-to-build feature run only when named.
            for (variant, feature) in lesson.feature_variants {
                eprintln!(
                    "note: --variant all leaves out {variant}, which needs the solution's \
                     `{feature}` feature: run it with --variant {variant}"
                );
            }
            Ok(lesson
                .variants
                .iter()
                .filter(|v| lesson.variant_feature(v.name).is_none())
                .collect())
        }
        Some(list) if list.contains(',') => {
            let mut variants = Vec::new();
            for name in list.split(',').filter(|name| !name.is_empty()) {
                variants.extend(find_variants(lesson, Some(name))?);
            }
            Ok(variants)
        }
        Some(name) => lesson.variant(name).map(|v| vec![v]).ok_or_else(|| {
            let names: Vec<_> = lesson.variants.iter().map(|v| v.name).collect();
            Failure::usage(format!(
                "lesson {} has no variant '{name}' (variants: {}, or all)",
                lesson.name,
                names.join(", ")
            ))
        }),
    }
}

/// The cargo features ("package/feature") that running `variants` of `lesson` needs.
pub fn features_for(lesson: &Lesson, variants: &[&Variant]) -> Vec<String> {
    variants
        .iter()
        .filter_map(|variant| lesson.variant_feature(variant.name))
        .map(|feature| format!("{}/{feature}", lesson.solution_binary()))
        .collect()
}

/// The value `--<name>` has in `flags` (as `--name X` or `--name=X`); the last one given.
pub fn flag_in<'a>(flags: &'a [String], name: &str) -> Option<&'a str> {
    let (bare, attached) = (format!("--{name}"), format!("--{name}="));
    flags.iter().enumerate().rev().find_map(|(i, flag)| {
        if *flag == bare {
            flags.get(i + 1).map(String::as_str)
        } else {
            flag.strip_prefix(attached.as_str())
        }
    })
}

/// The variant that `--variant` names in `flags`.
pub fn variant_in(flags: &[String]) -> Option<&str> {
    flag_in(flags, "variant")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_variant_behind_a_feature_asks_for_its_package_feature() {
        let dataframes = lesson("dataframes").expect("registered");
        let polars = dataframes.variant("polars").expect("a variant");
        let file = dataframes.variant("file").expect("a variant");
        assert_eq!(
            features_for(dataframes, &[file, polars]),
            ["dataframes-solution/polars"]
        );
        assert!(features_for(dataframes, &[file]).is_empty());
        let all = find_variants(dataframes, Some("all")).expect("all");
        assert!(all.iter().all(|v| v.name != "polars"));
        assert!(find_variants(dataframes, Some("polars")).is_ok());
    }

    #[test]
    fn the_variant_is_found_in_sweep_flags() {
        let flags = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            variant_in(&flags(&["--rounds", "3", "--variant", "polars"])),
            Some("polars")
        );
        assert_eq!(variant_in(&flags(&["--variant=file"])), Some("file"));
        assert_eq!(variant_in(&flags(&["--rounds", "3"])), None);
        assert_eq!(variant_in(&flags(&["--variant"])), None);
        let ranks = flags(&["--ranks", "2", "--n", "5", "--ranks=4"]);
        assert_eq!(flag_in(&ranks, "ranks"), Some("4"), "the last one given");
        assert_eq!(flag_in(&ranks, "rank"), None);
    }
}
