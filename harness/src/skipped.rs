//! Input that a lesson could not use: counted and reported with line numbers, never dropped
//! silently. The Dataframes and Bags lessons share these.

use crate::answer::Value;

/// Line numbers of skipped input kept in an answer and listed in a report (all are counted).
pub const LISTED: usize = 10;

/// Input that was not used, and why: one line, or several when a quoted field ran on
/// over line endings.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    /// The line it starts on.
    pub line: u64,
    /// The line it ends on: `line` unless it runs over several.
    pub last_line: u64,
    pub reason: String,
}

impl Skipped {
    /// One line, not used.
    pub fn at(line: u64, reason: impl Into<String>) -> Skipped {
        Skipped {
            line,
            last_line: line,
            reason: reason.into(),
        }
    }

    /// The same lines, counted `lines` further on in the file.
    pub fn shifted(self, lines: u64) -> Skipped {
        Skipped {
            line: self.line + lines,
            last_line: self.last_line + lines,
            ..self
        }
    }

    /// "line 7" or "lines 3-14".
    pub fn where_(&self) -> String {
        if self.last_line > self.line {
            format!("lines {}-{}", self.line, self.last_line)
        } else {
            format!("line {}", self.line)
        }
    }
}

/// The first `LISTED` skips, for an answer: a line number, or "3-14" for several lines.
/// Two programs that skip different lines do not agree.
pub fn listed_lines(skipped: &[Skipped]) -> Value {
    let lines: Vec<Value> = skipped
        .iter()
        .take(LISTED)
        .map(|s| match s.last_line > s.line {
            true => Value::Text(format!("{}-{}", s.line, s.last_line)),
            false => Value::UInt(s.line),
        })
        .collect();
    Value::List(lines)
}

/// "skipped 3 <what>, not counted above:" and a line for each, for a report; empty if
/// nothing was skipped.
pub fn report(skipped: &[Skipped], what: &str) -> String {
    if skipped.is_empty() {
        return String::new();
    }
    let mut text = format!("skipped {} {what}, not counted above:\n", skipped.len());
    for skip in skipped.iter().take(LISTED) {
        text.push_str(&format!("  {}: {}\n", skip.where_(), skip.reason));
    }
    if skipped.len() > LISTED {
        text.push_str(&format!("  ... and {} more\n", skipped.len() - LISTED));
    }
    text
}
