//! `workbook check`: for a learner who has edited an exercise. Is the answer still right,
//! on one thread and on many? Does it run in parallel yet?

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use workbook::registry::{Agreement, Lesson};
use workbook::stats::format_seconds;
use workbook::{Record, Side, Value};

use crate::binaries::BuildOptions;
use crate::failure::{Failure, Outcome};
use crate::options::{RunOptions, ThreadsOption, find_lesson};
use crate::output::say;
use crate::records::print_warnings;
use crate::rows::Scaling;
use crate::runner::LessonRunner;
use crate::table::{Table, threads_label, workers, workers_label};

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The lesson whose exercise you edited, e.g. pi
    pub lesson: String,
    #[command(flatten)]
    pub threads: ThreadsOption,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub build: BuildOptions,
}

/// How an answer compares with the reference.
#[derive(Debug, PartialEq)]
enum Verdict {
    Right,
    /// Equal to many digits but not to the bit, where the lesson asks for the bits.
    NotSameBits(String),
    Wrong(String),
}

/// Speedups below this are not told apart from noise.
const PARALLEL: f64 = 1.3;
const SLIGHTLY: f64 = 1.1;

/// The four runs a check makes, in the order they are made and recorded.
pub struct CheckRuns {
    /// The solution on the parallel thread count: the answer to match.
    pub reference: Record,
    /// The solution on one thread: the serial work, the time to beat.
    pub serial: Record,
    /// The learner's exercise on one thread, and on the parallel thread count.
    pub one: Record,
    pub many: Record,
}

impl CheckRuns {
    /// The records as run; `from_records` reads them back.
    pub fn records(&self) -> [&Record; 4] {
        [&self.reference, &self.serial, &self.one, &self.many]
    }

    pub fn from_records(records: Vec<Record>) -> Result<CheckRuns, String> {
        let [reference, serial, one, many] = <[Record; 4]>::try_from(records)
            .map_err(|records| format!("a check has 4 records, not {}", records.len()))?;
        if reference.side != Side::Solution || serial.side != Side::Solution {
            return Err("a check's first two records are the solution's".into());
        }
        Ok(CheckRuns {
            reference,
            serial,
            one,
            many,
        })
    }
}

pub fn check(args: &CheckArgs) -> Outcome<()> {
    let lesson = find_lesson(&args.lesson)?;
    let runs = check_runs(lesson, args, Side::Exercise)?;
    let (text, all_right) = check_text(lesson, &runs, args.run.quick);
    say(&text);
    print_warnings(runs.records().into_iter());
    if all_right {
        Ok(())
    } else {
        Err(Failure::failed("the exercise's answer is not right yet"))
    }
}

/// Runs the solution (on N threads, then on 1) and the exercise (on 1, then on N). With
/// `learner` the solution, the learner's runs are the solution's: what `check` says about
/// a finished exercise, for the lesson text to quote.
pub fn check_runs(lesson: &'static Lesson, args: &CheckArgs, learner: Side) -> Outcome<CheckRuns> {
    let threads = args.threads.threads()?;
    let ranks = match args.run.ranks_runs(lesson)?.as_slice() {
        [ranks] => *ranks,
        _ => return Err(Failure::usage("check takes one --ranks, e.g. --ranks 2")),
    };
    // With --ranks: the reference on that many ranks, the serial run on one, and the
    // learner's exercise started as that many ranks.
    let ranks_flags = |count: usize| match ranks {
        Some(_) => vec!["--ranks".to_string(), count.to_string()],
        None => Vec::new(),
    };
    let mut runner = LessonRunner::new(lesson, &args.run, &args.build, &[], 4)?;
    let reference_variant = lesson.default_variant().name;
    let many_ranks = ranks_flags(ranks.unwrap_or(1));
    let (reference, _) = runner.solution(
        "reference (solution)",
        threads,
        reference_variant,
        &many_ranks,
    )?;
    // The solution on one thread does the serial starter's work: the time to beat.
    let serial_start = Instant::now();
    let one_rank = ranks_flags(1);
    let (serial, _) = runner.solution(
        "reference (solution), 1 thread",
        1,
        reference_variant,
        &one_rank,
    )?;
    // An exercise that hangs is stopped, after long enough for one far slower than that.
    runner.limit_time(time_limit(serial_start.elapsed()));
    // With --ranks, the learner's exercise on 1 rank of 1 thread, then on the ranks asked.
    let mut learner_run = |label: &str, threads, ranks: Option<usize>| {
        if let Some(ranks) = ranks {
            runner.exercise_on_ranks(ranks);
        }
        match learner {
            Side::Exercise => runner.exercise(label, threads, &[]),
            Side::Solution => {
                let flags = ranks_flags(ranks.unwrap_or(1));
                runner.solution(label, threads, reference_variant, &flags)
            }
        }
    };
    let (one, _) = learner_run("your exercise, 1 thread", 1, ranks.map(|_| 1))?;
    let label = format!("your exercise, {threads} threads");
    let (many, _) = learner_run(&label, threads, ranks)?;
    runner.finish();
    Ok(CheckRuns {
        reference,
        serial,
        one,
        many,
    })
}

/// What `check` says about its runs, and whether both answers are right.
pub fn check_text(lesson: &Lesson, runs: &CheckRuns, quick: bool) -> (String, bool) {
    let CheckRuns {
        reference,
        serial,
        one,
        many,
    } = runs;
    let rule = lesson.default_variant().agreement;
    let verdicts = [
        verdict(rule, &reference.answer_value(), &one.answer_value()),
        verdict(rule, &reference.answer_value(), &many.answer_value()),
    ];
    let mut text = format!(
        "Checking your {} exercise (exercises/{}/src/main.rs) · {}\n\n",
        lesson.name,
        lesson.name,
        one.describe_params()
    );
    let mut table = Table::new(&["run", "verdict", ">median"]);
    table.row(vec![
        "reference".into(),
        format!(
            "{} on {}",
            lesson.solution_binary(),
            workers_label(reference)
        ),
        format_seconds(reference.summary().median),
    ]);
    table.row(vec![
        "serial".into(),
        format!("{} on 1 thread", lesson.solution_binary()),
        format_seconds(serial.summary().median),
    ]);
    for (record, verdict) in [one, many].into_iter().zip(&verdicts) {
        table.row(vec![
            workers_label(record),
            match verdict {
                Verdict::Right => "right",
                Verdict::NotSameBits(_) => "close, not the same bits",
                Verdict::Wrong(_) => "WRONG",
            }
            .to_string(),
            format_seconds(record.summary().median),
        ]);
    }
    text.push_str(&table.render());
    let _ = writeln!(text, "\n  answer   {}\n", reference.describe_answer());
    let all_right = verdicts.iter().all(|v| *v == Verdict::Right);
    let _ = writeln!(
        text,
        "{}",
        explain_answers(lesson, rule, &verdicts, &[one, many])
    );
    let _ = writeln!(text, "{}", explain_speed(lesson, serial, one, many, quick));
    (text, all_right)
}

fn verdict(rule: Agreement, reference: &Value, answer: &Value) -> Verdict {
    match rule.check(reference, answer) {
        Ok(()) => Verdict::Right,
        Err(difference) => {
            // Close to a billionth is a summation-order slip, not a wrong formula.
            let loose = Agreement::Close {
                abs: 0.0,
                rel: 1e-9,
            };
            if rule == Agreement::Exact && loose.check(reference, answer).is_ok() {
                Verdict::NotSameBits(difference)
            } else {
                Verdict::Wrong(difference)
            }
        }
    }
}

fn explain_answers(
    lesson: &Lesson,
    rule: Agreement,
    verdicts: &[Verdict],
    runs: &[&Record],
) -> String {
    let mut lines = Vec::new();
    if verdicts.iter().all(|v| *v == Verdict::Right) {
        let (one, many) = match runs[1].ranks {
            // "on 1 and on 2 threads", as without ranks.
            None => ("1".to_string(), threads_label(runs[1].threads)),
            Some(_) => (workers_label(runs[0]), workers_label(runs[1])),
        };
        lines.push(format!(
            "Right: the same answer as the solution ({}) on {one} and on {many}.",
            rule.describe()
        ));
    }
    for (verdict, record) in verdicts.iter().zip(runs) {
        let on = workers_label(record);
        match verdict {
            Verdict::Right => {}
            Verdict::NotSameBits(difference) => lines.push(format!("On {on}: {difference}.")),
            Verdict::Wrong(difference) => lines.push(format!("On {on}: wrong, {difference}.")),
        }
    }
    if verdicts
        .iter()
        .any(|v| matches!(v, Verdict::NotSameBits(_)))
    {
        lines.push(
            "Nearly right, but this lesson asks for the same bits. Floating-point addition \
             depends on its order: add the partial results in a fixed order (collect them, \
             then add them in order), not in whatever order the threads finish."
                .to_string(),
        );
    }
    if verdicts.iter().any(|v| matches!(v, Verdict::Wrong(_))) {
        lines.push(format!(
            "Compare your changes with the starter (git diff exercises/{}/) and read the \
             hints in {}.",
            lesson.name, lesson.text
        ));
    }
    if runs.iter().any(|r| !r.answers_identical) {
        lines.push(
            "Your answer changed from one run to the next: a race condition, a result \
             that depends on which thread gets there first (safe Rust refuses data races, \
             not these)."
                .to_string(),
        );
    }
    lines.join("\n")
}

/// How long an exercise may run before it counts as hanging: twenty times as long as the
/// solution's own run on one thread took (the same runs, the serial work), and at least
/// 30 s.
fn time_limit(serial_run: Duration) -> Duration {
    (serial_run * 20).max(Duration::from_secs(30))
}

/// Slower than this times the serial time counts as slower than the serial program.
const SLOWER: f64 = 1.1;

fn explain_speed(
    lesson: &Lesson,
    serial: &Record,
    one: &Record,
    many: &Record,
    quick: bool,
) -> String {
    let (ts, tn) = (serial.summary().median, many.summary().median);
    if !slower_than_serial(ts, tn, workers(many), quick) {
        return explain_threads(lesson, one, many, quick);
    }
    // Parallel or not on its own terms, it loses to one thread: that is what to say.
    let mut text = format!(
        "Slower than the serial program: {} on {} against {} for the same work on one \
         thread (the solution on 1 thread; your exercise on 1 thread: {}). The threads wait \
         for each other more than they share the work: a lock taken, or an atomic fought \
         over, for every element? Give each task results of its own and combine them at the \
         end (lessons/sharing.md).",
        format_seconds(tn),
        workers_label(many),
        format_seconds(ts),
        format_seconds(one.summary().median)
    );
    if !many.machine.build.is_release() {
        text.push_str(" This was a debug build: its timings mean nothing.");
    }
    text
}

/// Whether `threads` threads took clearly longer (`tn`) than the serial work (`ts`), in runs
/// long enough to tell.
fn slower_than_serial(ts: f64, tn: f64, threads: usize, quick: bool) -> bool {
    threads > 1 && !quick && ts >= 1e-3 && tn > ts * SLOWER
}

fn explain_threads(lesson: &Lesson, one: &Record, many: &Record, quick: bool) -> String {
    let (t1, tn) = (one.summary().median, many.summary().median);
    let n = workers(many);
    if n < 2 {
        return "Only one thread: whether your code runs in parallel cannot be told. \
                Try --threads 2 or more."
            .to_string();
    }
    let scaling = Scaling::of(t1, tn, n);
    let s = scaling.speedup;
    let times = format!(
        "{} on {} against {} on {}",
        format_seconds(tn),
        workers_label(many),
        format_seconds(t1),
        workers_label(one)
    );
    let mut text = if s >= PARALLEL {
        format!(
            "Parallel: {times}, {s:.2}x ({:.0}% of the ideal {n}x).",
            100.0 * scaling.efficiency
        )
    } else if s >= SLIGHTLY {
        format!(
            "A little faster ({times}, {s:.2}x), far from the ideal {n}x: is most of the work \
             still done on one thread?"
        )
    } else {
        format!(
            "Not parallel yet: {times}, {s:.2}x. The task is in {}.",
            lesson.text
        )
    };
    if n > many.machine.available_cpus {
        text.push_str(&format!(
            " (This machine lets you use {} CPUs, so no more than {}x is possible.)",
            many.machine.available_cpus, many.machine.available_cpus
        ));
    }
    if quick || tn < 1e-3 {
        text.push_str(" Runs this short are mostly overhead: drop --quick for a fair measure.");
    }
    if !many.machine.build.is_release() {
        text.push_str(" This was a debug build: its timings mean nothing.");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slower_than_the_serial_work_is_told_only_when_it_can_be() {
        // The Sharing lesson's lock on 2 threads: 7.7 s against 0.72 s.
        assert!(slower_than_serial(0.72, 7.7, 2, false));
        // Parallel and faster; or a hair slower, within noise.
        assert!(!slower_than_serial(0.72, 0.38, 2, false));
        assert!(!slower_than_serial(0.72, 0.75, 2, false));
        // One thread, --quick, or runs too short to time.
        assert!(!slower_than_serial(0.72, 7.7, 1, false));
        assert!(!slower_than_serial(0.72, 7.7, 2, true));
        assert!(!slower_than_serial(1e-4, 1e-2, 2, false));
        // An exercise that hangs gets 20 times the serial run, and at least 30 s.
        assert_eq!(time_limit(Duration::from_secs(4)), Duration::from_secs(80));
        assert_eq!(
            time_limit(Duration::from_millis(50)),
            Duration::from_secs(30)
        );
    }

    #[test]
    fn verdicts_tell_order_slips_from_wrong_answers() {
        let answer = |v: f64| Value::Map(vec![("x".into(), v.into())]);
        let reference = answer(2.5);
        let next_float = answer(f64::from_bits(2.5f64.to_bits() + 1));
        let exact = Agreement::Exact;
        assert_eq!(verdict(exact, &reference, &reference), Verdict::Right);
        let slip = verdict(exact, &reference, &next_float);
        assert!(matches!(slip, Verdict::NotSameBits(_)), "{slip:?}");
        // Off by 4e-7 relative, like the source material's skipped slice: wrong.
        let wrong = verdict(exact, &reference, &answer(2.5 - 1e-6));
        assert!(matches!(wrong, Verdict::Wrong(_)), "{wrong:?}");
        let close = Agreement::Close {
            abs: 1e-12,
            rel: 0.0,
        };
        assert_eq!(verdict(close, &reference, &next_float), Verdict::Right);
    }
}
