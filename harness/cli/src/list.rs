//! `workbook list`: the lessons, their binaries and texts, or the README's lesson table.

use workbook::{Agreement, LESSONS};

use crate::output::say;
use crate::sayln;
use crate::table::Table;

pub fn list(markdown: bool, names: bool) {
    if markdown {
        say(&markdown_table());
    } else if names {
        LESSONS.iter().for_each(|lesson| sayln!("{}", lesson.name));
    } else {
        let mut table = Table::new(&["lesson", "starter", "solution", "variants", "text"]);
        for lesson in LESSONS {
            let variants: Vec<_> = lesson.variants.iter().map(|v| v.name).collect();
            table.row(vec![
                lesson.name.to_string(),
                lesson.exercise_binary(),
                lesson.solution_binary(),
                variants.join(", "),
                lesson.text.to_string(),
            ]);
        }
        say(&table.render());
        sayln!("\nRun one with: cargo run --release --bin workbook -- compare <lesson>");
    }
}

/// The lesson table of the README, generated from the registry (a test keeps the README
/// in step: `cargo run --bin workbook -- list --markdown` prints it).
pub fn markdown_table() -> String {
    let mut text = String::from(
        "| Lesson | Serial starter | Parallel solution | Answers must agree | What it teaches |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    for lesson in LESSONS {
        // "exact", then the variants held to a looser rule, if any.
        let mut agreements = vec!["exact".to_string()];
        agreements.extend(
            lesson
                .variants
                .iter()
                .filter(|v| v.agreement != Agreement::Exact)
                .map(|v| format!("{}: {}", v.name, v.agreement.describe())),
        );
        text.push_str(&format!(
            "| [{}]({}) | `--bin {}` | `--bin {}` | {} | {} |\n",
            lesson.title,
            lesson.text,
            lesson.exercise_binary(),
            lesson.solution_binary(),
            agreements.join("; "),
            lesson.summary
        ));
    }
    text
}
