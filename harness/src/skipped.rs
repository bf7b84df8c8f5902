//! Input that a lesson could not use: counted and reported with line numbers, never dropped
//! silently. The Dataframes and Bags lessons share these.

use crate::answer::Value;

/// Line numbers of skipped input kept in an answer and listed in a report (all are counted).
pub const LISTED: usize = 10;

/// A line that was not used, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub line: u64,
    pub reason: String,
}

/// The first `LISTED` line numbers, for an answer: two programs that skip different lines
/// do not agree.
pub fn listed_lines(skipped: &[Skipped]) -> Value {
    let lines: Vec<u64> = skipped.iter().take(LISTED).map(|s| s.line).collect();
    lines.into()
}

/// "skipped 3 <what>, not counted above:" and a line for each, for a report; empty if
/// nothing was skipped.
pub fn report(skipped: &[Skipped], what: &str) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut text = format!("skipped {} {what}, not counted above:\n", skipped.len());
    for skip in skipped.iter().take(LISTED) {
        text.push_str(&format!("  line {}: {}\n", skip.line, skip.reason));
    }
    if skipped.len() > LISTED {
        text.push_str(&format!("  ... and {} more\n", skipped.len() - LISTED));
    }
    text
}
