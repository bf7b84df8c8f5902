//! Running a lesson's binaries with `--json` and reading their records.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use workbook::Record;
use workbook::flags::{exercise_flags, override_flags};
use workbook::registry::Lesson;
use workbook::stats::format_seconds;

use crate::binaries::{BuildOptions, locate};
use crate::failure::{Failure, Outcome};
use crate::options::RunOptions;
use crate::records::parse_record;

/// A lesson's exercise and solution, located (and built) once, run with the same repeats
/// and lesson flags, with progress shown as they go.
pub struct LessonRunner {
    lesson: &'static Lesson,
    exercise: PathBuf,
    solution: PathBuf,
    run: RunOptions,
    lesson_flags: Vec<String>,
    progress: Progress,
    /// Stop each run after this long, and say so (`workbook check`: an exercise that hangs).
    time_limit: Option<Duration>,
    /// Start the exercise as this many MPI ranks (`workbook check --ranks`); the solution's
    /// ranks are its `--ranks` flag.
    exercise_ranks: Option<usize>,
}

impl LessonRunner {
    /// Builds (unless told not to) and locates both binaries, with the cargo `features`
    /// the variants to run need; `runs` is how many runs will follow, for the progress bar.
    pub fn new(
        lesson: &'static Lesson,
        run: &RunOptions,
        build: &BuildOptions,
        features: &[String],
        runs: usize,
    ) -> Outcome<LessonRunner> {
        let (exercise, solution) = (lesson.exercise_binary(), lesson.solution_binary());
        let mut features = features.to_vec();
        features.extend(run.mpi_features(lesson));
        let mut found = locate(&[exercise.clone(), solution.clone()], &features, build)?;
        let mut path = |name| found.remove(&name).expect("locate finds every binary");
        Ok(LessonRunner {
            lesson,
            exercise: path(exercise),
            solution: path(solution),
            run: run.clone(),
            lesson_flags: run.lesson_flags(lesson),
            progress: Progress::new(runs),
            time_limit: None,
            exercise_ranks: None,
        })
    }

    /// The exercise on `threads` threads, with `extra` flags after the lesson flags; its
    /// record, and the record's line as the binary printed it.
    pub fn exercise(
        &mut self,
        label: &str,
        threads: usize,
        extra: &[String],
    ) -> Outcome<(Record, String)> {
        self.step(label, threads, None, extra)
    }

    /// The solution's `variant` on `threads` threads.
    pub fn solution(
        &mut self,
        label: &str,
        threads: usize,
        variant: &str,
        extra: &[String],
    ) -> Outcome<(Record, String)> {
        self.step(label, threads, Some(variant), extra)
    }

    /// Starts the exercise as `ranks` MPI ranks from now on: a learner's exercise that has
    /// become an MPI program.
    pub fn exercise_on_ranks(&mut self, ranks: usize) {
        self.exercise_ranks = Some(ranks);
    }

    /// Stops each later run after `limit`.
    pub fn limit_time(&mut self, limit: Duration) {
        self.time_limit = Some(limit);
    }

    /// Clears the progress bar once all runs are done.
    pub fn finish(self) {
        self.progress.finish();
    }

    fn step(
        &mut self,
        label: &str,
        threads: usize,
        variant: Option<&str>,
        extra: &[String],
    ) -> Outcome<(Record, String)> {
        let mut lesson_flags = override_flags(self.lesson, &self.lesson_flags, extra);
        let (binary, ranks) = match variant {
            Some(_) => (&self.solution, ranks_flag(&lesson_flags)),
            None => {
                // The exercise does not split its work: it takes no solution-only flags.
                lesson_flags = exercise_flags(self.lesson, &lesson_flags);
                (&self.exercise, self.exercise_ranks)
            }
        };
        let mut command = match ranks {
            Some(ranks) => crate::launcher::command(binary, ranks, threads)?,
            None => Command::new(binary),
        };
        command.args(["--json", "--threads", &threads.to_string()]);
        let counts = [("--repeat", self.run.repeat), ("--warmup", self.run.warmup)];
        for (flag, count) in counts {
            if let Some(count) = count {
                command.args([flag, &count.to_string()]);
            }
        }
        if let Some(variant) = variant {
            command.args(["--variant", variant]);
        }
        command.args(&lesson_flags);
        let name = binary
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().into());

        self.progress.start(label);
        let output = crate::children::output(&mut command, self.time_limit)
            .map_err(|e| Failure::failed(format!("cannot run {}: {e}", binary.display())))?;
        let Some(output) = output else {
            let limit = format_seconds(self.time_limit.unwrap_or_default().as_secs_f64());
            return Err(Failure::failed(format!(
                "{name} was stopped after {limit}, unfinished: it hangs (a channel whose last \
                 Sender is never dropped, say) or it is far slower than the solution on one \
                 thread (a lock taken for every element?)"
            )));
        };
        // An incomplete run (a SWMR scan whose writer stopped) still printed its record,
        // which carries the warning.
        let complete_enough = output.status.success()
            || output.status.code() == Some(workbook::answer::EXIT_INCOMPLETE);
        if !complete_enough {
            return Err(child_failure(&name, output.status.code(), &output.stderr));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let lines: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
        if let Some(ranks) = ranks {
            let records = lines.iter().filter(|l| parse_record(l).is_ok()).count();
            if records > 1 {
                return Err(Failure::failed(format!(
                    "{name} on {ranks} ranks printed {records} records: each process ran on \
                     its own and printed its own. Only rank 0 may print: tell the harness \
                     the ranks with Program::on_ranks (lessons/ranks.md)"
                )));
            }
        }
        let line = lines.last().copied().unwrap_or("").to_string();
        let record = parse_record(&line)
            .map_err(|e| Failure::failed(format!("{name} printed no usable record: {e}")))?;
        // One rank may be a program that knows nothing of MPI; more must say they were.
        let ranks_recorded = record.ranks.as_ref().map_or(1, |r| r.ranks);
        if let Some(ranks) = ranks
            && ranks_recorded != ranks
        {
            return Err(Failure::failed(format!(
                "{name} was started as {ranks} rank(s), but its record does not say so: tell \
                 the harness with Program::on_ranks (lessons/ranks.md)"
            )));
        }
        self.progress.finish_one(label, &record);
        Ok((record, line))
    }
}

/// The `--ranks` the solution's flags give, if any.
fn ranks_flag(flags: &[String]) -> Option<usize> {
    let value = crate::options::flag_in(flags, "ranks")?;
    workbook::params::parse_count(value).map(|ranks| ranks as usize)
}

/// The child's own one-line error, passed on; a bad flag stays a usage error (exit 2).
/// Under an MPI launcher, whose own report follows the rank's, the rank's line is found
/// among them, or else the launcher's line naming the rank that failed.
fn child_failure(name: &str, code: Option<i32>, stderr: &[u8]) -> Failure {
    let stderr = String::from_utf8_lossy(stderr);
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let panic = lines.iter().position(|line| line.contains(" panicked at "));
    let own_prefix = format!("{name}: error: ");
    let own_line = lines.iter().find(|line| line.starts_with(&own_prefix));
    let launcher_line = lines
        .iter()
        .find(|line| line.contains("noticed that process rank") || line.contains("error: task "));
    let last = own_line.or(launcher_line).or(lines.last());
    let message = match (panic, last) {
        // A panic prints where, then what: keep both, drop the backtrace.
        (Some(at), _) => {
            let what = lines.get(at + 1).map_or("", |line| line.trim());
            format!("{name} panicked: {what} ({})", lines[at].trim())
        }
        (None, Some(line)) => match line.strip_prefix(&own_prefix) {
            Some(rest) => format!("{name}: {rest}"),
            None => format!("{name} failed: {}", line.trim()),
        },
        (None, None) => format!("{name} failed with exit code {code:?} and no message"),
    };
    match code {
        Some(2) => Failure::usage(message),
        _ => Failure::failed(message),
    }
}

/// Progress through a series of runs: a bar on a terminal, a plain line per run in a
/// batch job or a pipe.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    pub fn new(total: usize) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total as u64);
            let style = ProgressStyle::with_template("{bar:30} {pos}/{len} {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
        }
    }

    pub fn start(&self, label: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(label.to_string());
        }
    }

    pub fn finish_one(&mut self, label: &str, record: &Record) {
        self.done += 1;
        let median = format_seconds(record.summary().median);
        match &self.bar {
            Some(bar) => bar.inc(1),
            None => eprintln!("[{}/{}] {label}: {median}", self.done, self.total),
        }
    }

    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn child_errors_are_passed_on_in_one_line() {
        let usage = child_failure("pi", Some(2), b"pi: error: --n: expected a number\n");
        assert_eq!(
            (usage.code, usage.message.as_str()),
            (2, "pi: --n: expected a number")
        );
        let crash = child_failure(
            "pi",
            Some(101),
            b"thread 'main' panicked at src/main.rs:5:9:\nindex out of bounds\nnote: run with RUST_BACKTRACE=1\n",
        );
        assert_eq!(
            (crash.code, crash.message.as_str()),
            (
                1,
                "pi panicked: index out of bounds (thread 'main' panicked at src/main.rs:5:9:)"
            )
        );
        let silent = child_failure("pi", None, b"");
        assert_eq!(silent.code, 1);
    }
}
