//! `workbook compare`: the serial exercise against the parallel solution, with the answers
//! checked against each other under the lesson's rule.

use crate::binaries::BuildOptions;
use crate::columns::{Column, rate_columns, table};
use crate::failure::{Outcome, fail_on_disagreement};
use crate::options::{RunOptions, ThreadsOption, features_for, find_lesson, find_variants};
use crate::output::say;
use crate::records::print_warnings;
use crate::rows::{Row, disagreements, merge};
use crate::runner::LessonRunner;
use crate::sayln;

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
    let ranks = args.run.ranks_runs(lesson)?;
    let runs = 1 + variants.len() * ranks.len();
    let mut runner = LessonRunner::new(lesson, &args.run, &args.build, &features, runs)?;
    // The exercise is the serial baseline: one thread, whatever the machine has.
    let (exercise, _) = runner.exercise("exercise", 1, &[])?;
    let mut records = vec![exercise.clone()];
    for variant in &variants {
        for &ranks in &ranks {
            let (label, extra) = match ranks {
                Some(r) => (
                    format!("solution {}, {r} ranks", variant.name),
                    vec!["--ranks".to_string(), r.to_string()],
                ),
                None => (format!("solution {}", variant.name), Vec::new()),
            };
            records.push(runner.solution(&label, threads, variant.name, &extra)?.0);
        }
    }
    runner.finish();

    sayln!("{} · {}", lesson.title, exercise.describe_params());
    sayln!(
        "The serial exercise against the solution: median of {} runs after {} warm-up(s).\n",
        exercise.seconds.len(),
        exercise.warmup
    );
    let solutions = merge(&records);
    let rows: Vec<Row> = std::iter::once(Row::reference(&exercise))
        .chain(solutions.iter().cloned())
        .collect();
    let has_ideal = exercise.ideal_seconds.is_some();
    let mut columns = vec![Column::Run];
    columns.extend(ranks[0].is_some().then_some(Column::Ranks));
    columns.extend([Column::Threads, Column::Median, Column::Min, Column::Max]);
    columns.extend(has_ideal.then_some(Column::Ideal));
    columns.extend(rate_columns(&rows));
    columns.extend([Column::Speedup, Column::Verdict]);
    say(&table(&columns, &rows).render());
    if has_ideal {
        sayln!(
            "\nideal: the shortest time the lesson's model of the work allows on those threads."
        );
    }
    sayln!();
    sayln!("  answer   {}", exercise.describe_answer());
    for record in &records[1..] {
        if record.answer != exercise.answer {
            let rule = lesson.variant(&record.variant).map(|v| v.agreement);
            sayln!(
                "  {:<8} {} (must agree {})",
                record.variant,
                record.describe_answer(),
                rule.map_or(String::new(), |rule| rule.describe())
            );
        }
    }
    sayln!("  machine  {}", exercise.machine.describe());
    print_warnings(records.iter());
    fail_on_disagreement(&disagreements(&solutions, |row| row.variant.clone()))
}
