//! Writing reports to stdout. When the reader has gone (`workbook list | head -1`) there
//! is nothing more to say, and the command carries on quietly instead of panicking.

use std::io::Write;

/// Writes `text` to stdout as it is.
pub fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe is the only failure a report meets in practice; it is not an error.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// `println!` for reports: formats one line and hands it to `say`.
#[macro_export]
macro_rules! sayln {
    () => {
        $crate::output::say("\n")
    };
    ($($arg:tt)*) => {
        $crate::output::say(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// A time stamp fit for a file name: "2026-11-22T09:30:00Z" becomes "20261122T093000Z".
/// Without one, now.
pub fn file_stamp(timestamp: Option<&str>) -> String {
    let now;
    let timestamp = match timestamp {
        Some(timestamp) => timestamp,
        None => {
            now = workbook::machine::utc_timestamp(std::time::SystemTime::now());
            &now
        }
    };
    timestamp
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}
