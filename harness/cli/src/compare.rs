//! `workbook compare`: the serial exercise against the parallel solution, with the answers
//! checked against each other under the lesson's rule.

use workbook::Record;
use workbook::stats::{format_seconds, speedup};

use crate::binaries::BuildOptions;
use crate::failure::{Failure, Outcome};
use crate::options::{RunOptions, ThreadsOption, features_for, find_lesson, find_variants};
use crate::output::say;
use crate::runner::LessonRunner;
use crate::sayln;
use crate::table::Table;

#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The lesson, e.g. pi (see `workbook list`)
    pub lesson: String,
    /// The solution variant to run, or "all" [default: the lesson's first]
    #[arg(long)]
    pub variant: Option<String>,
    #[command(flatten)]
    pub threads: ThreadsOption,
    #[command(flatten)]
    pub run: RunOptions,
    #[command(flatten)]
    pub build: BuildOptions,
}

pub fn compare(args: &CompareArgs) -> Outcome<()> {
    let lesson = find_lesson(&args.lesson)?;
    let variants = find_variants(lesson, args.variant.as_deref())?;
    let threads = args.threads.threads()?;
    let features = features_for(lesson, &variants);
    let mut runner = LessonRunner::new(
        lesson,
        &args.run,
        &args.build,
        &features,
        1 + variants.len(),
    )?;
    // The exercise is the serial baseline: one thread, whatever the machine has.
    let (exercise, _) = runner.exercise("exercise", 1, &[])?;
    let mut solutions = Vec::new();
    for variant in &variants {
        let label = format!("solution {}", variant.name);
        let (record, _) = runner.solution(&label, threads, variant.name, &[])?;
        solutions.push((*variant, record));
    }
    runner.finish();

    sayln!("{} · {}", lesson.title, exercise.describe_params());
    sayln!(
        "The serial exercise against the solution: median of {} runs after {} warm-up(s).\n",
        exercise.seconds.len(),
        exercise.warmup
    );
    let has_ideal = exercise.ideal_seconds.is_some();
    let mut headers = vec!["run", ">threads", ">median", ">min", ">max"];
    if has_ideal {
        headers.push(">ideal");
    }
    headers.extend([">speedup", "answer"]);
    let mut table = Table::new(&headers);
    table.row(row("exercise", &exercise, &exercise, "(reference)"));
    let mut disagreements = Vec::new();
    for (variant, record) in &solutions {
        let verdict = match variant
            .agreement
            .check(&exercise.answer_value(), &record.answer_value())
        {
            Ok(()) => "agrees".to_string(),
            Err(difference) => {
                disagreements.push(format!("{}: {difference}", variant.name));
                "DISAGREES".to_string()
            }
        };
        table.row(row(
            &format!("solution {}", variant.name),
            record,
            &exercise,
            &verdict,
        ));
    }
    say(&table.render());
    if has_ideal {
        sayln!(
            "\nideal: the shortest time the lesson's model of the work allows on those threads."
        );
    }
    sayln!();
    sayln!("  answer   {}", exercise.describe_answer());
    for (variant, record) in &solutions {
        if record.answer != exercise.answer {
            sayln!(
                "  {:<8} {} (must agree {})",
                variant.name,
                record.describe_answer(),
                variant.agreement.describe()
            );
        }
    }
    sayln!("  machine  {}", exercise.machine.describe());
    print_warnings(std::iter::once(&exercise).chain(solutions.iter().map(|(_, r)| r)));

    fail_on_disagreement(&disagreements)
}

/// A command whose answers disagree fails, naming each disagreement.
pub fn fail_on_disagreement(disagreements: &[String]) -> Outcome<()> {
    if disagreements.is_empty() {
        Ok(())
    } else {
        Err(Failure::failed(format!(
            "the answers disagree: {}",
            disagreements.join("; ")
        )))
    }
}

fn row(label: &str, record: &Record, serial: &Record, verdict: &str) -> Vec<String> {
    let summary = record.summary();
    let mut cells = vec![
        label.to_string(),
        record.threads.to_string(),
        format_seconds(summary.median),
        format_seconds(summary.min),
        format_seconds(summary.max),
    ];
    if let Some(ideal) = record.ideal_seconds {
        cells.push(format_seconds(ideal));
    }
    cells.extend([
        format!("{:.2}x", speedup(serial.summary().median, summary.median)),
        verdict.to_string(),
    ]);
    cells
}

/// Each distinct warning once, after the results.
pub fn print_warnings<'a>(records: impl Iterator<Item = &'a Record>) {
    let mut seen: Vec<&str> = Vec::new();
    for record in records {
        if !record.answers_identical {
            eprintln!(
                "warning: {} {} gave different answers on different runs: a race, or a \
                 sum whose order depends on the scheduling",
                record.lesson, record.variant
            );
        }
        for warning in &record.warnings {
            if !seen.contains(&warning.as_str()) {
                seen.push(warning);
                eprintln!("warning: {warning}");
            }
        }
    }
}
