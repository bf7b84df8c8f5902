//! Writing reports to stdout. When the reader has gone (`workbook list | head -1`) there
//! is nothing more to say, and the command carries on quietly instead of panicking.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::failure::{Failure, Outcome};

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

/// A new folder named `name` (made unique with a suffix if taken) under `out`, or under
/// results/ in the workbook: nothing of anyone's is written over.
pub fn new_folder(out: Option<&Path>, name: &str) -> Outcome<PathBuf> {
    let results = crate::binaries::workspace_root().join("results");
    let base = out.unwrap_or(&results);
    workbook::files::create_unique_dir(base, name).map_err(Failure::failed)
}

/// Writes `text` whole to `name` in `folder` (or leaves the old file as it was).
pub fn write_file(folder: &Path, name: &str, text: &str) -> Outcome<()> {
    workbook::files::write(&folder.join(name), text).map_err(|e| Failure::failed(e.to_string()))
}
