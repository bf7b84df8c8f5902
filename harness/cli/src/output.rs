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
