//! The program output the lessons quote is what `workbook book` makes from the committed
//! records in lessons/runs/: run summaries, `check` verdicts, sweep tables and their plots.
//! A change to what the workbook prints, or to a record, leaves a quote stale and fails here.

mod common;

use std::path::Path;

use common::{run, scratch_dir, workbook};
use workbook_cli::binaries::workspace_root;

#[test]
fn every_quoted_output_is_what_its_records_give() {
    let ran = run(workbook().args(["book", "--check"]));
    assert_eq!(
        ran.code, 0,
        "{}{}\nWrite the quotes again with `cargo run --bin workbook -- book` (or record them \
         again with `-- book --record NAME`).",
        ran.stdout, ran.stderr
    );
    assert!(
        ran.stdout
            .contains("quotes, every one as its records give it")
    );
}

/// Copies the book's pages and records into `into`.
fn copy_book(into: &Path) {
    let lessons = workspace_root().join("lessons");
    let mut stack = vec![(lessons.clone(), into.to_path_buf())];
    while let Some((from, to)) = stack.pop() {
        std::fs::create_dir_all(&to).expect("folder");
        for entry in std::fs::read_dir(&from).expect("readable").flatten() {
            let path = entry.path();
            let target = to.join(entry.file_name());
            if path.is_dir() {
                stack.push((path, target));
            } else {
                std::fs::copy(&path, &target).expect("copied");
            }
        }
    }
}

#[test]
fn a_stale_quote_or_plot_is_named_and_written_again() {
    let book = scratch_dir("book");
    copy_book(&book);
    let page = book.join("pi.md");
    let text = std::fs::read_to_string(&page).expect("pi.md");
    let edited = text.replacen("  threads  2\n", "  threads  7\n", 1);
    assert_ne!(edited, text, "pi.md quotes a run summary");
    std::fs::write(&page, &edited).expect("edited");
    let plot = book.join("runs/pi-threads/speedup.png");
    std::fs::write(&plot, b"not a plot").expect("plot replaced");

    let folder = book.to_string_lossy().to_string();
    let check = run(workbook().args(["book", "--check", "--lessons", &folder]));
    assert_eq!(check.code, 1, "{check:?}");
    assert!(check.stderr.contains("quote pi-run"), "{}", check.stderr);
    assert!(check.stderr.contains("speedup.png"), "{}", check.stderr);
    assert_eq!(check.stderr.lines().count(), 1, "{}", check.stderr);
    // --check changes nothing.
    assert_eq!(std::fs::read_to_string(&page).expect("pi.md"), edited);

    let write = run(workbook().args(["book", "--lessons", &folder]));
    assert_eq!(write.code, 0, "{write:?}");
    assert_eq!(std::fs::read_to_string(&page).expect("pi.md"), text);
    let again = run(workbook().args(["book", "--check", "--lessons", &folder]));
    assert_eq!(again.code, 0, "{again:?}");

    // A plot its quote no longer draws (Pi's chunk sweep has one thread count: no speedup).
    let left = book.join("runs/pi-chunks/speedup.png");
    std::fs::copy(&plot, &left).expect("a plot left behind");
    let ran = run(workbook().args(["book", "--check", "--lessons", &folder]));
    common::assert_fails(&ran, 1, "speedup.png is drawn by no quote");
    let _ = std::fs::remove_dir_all(&book);
}

#[test]
fn missing_records_and_unknown_quotes_fail_in_one_line() {
    let book = scratch_dir("book-missing");
    std::fs::write(
        book.join("page.md"),
        "<!-- quote lost: run pi -->\n<!-- end quote -->\n",
    )
    .expect("page");
    let folder = book.to_string_lossy().to_string();
    let ran = run(workbook().args(["book", "--check", "--lessons", &folder]));
    common::assert_fails(&ran, 1, "workbook book --record lost");

    let ran = run(workbook().args(["book", "--lessons", &folder, "--record", "nosuch"]));
    common::assert_usage_error(&ran, "no quote named nosuch");

    std::fs::write(
        book.join("page.md"),
        "<!-- quote odd: plot pi -->\n<!-- end quote -->\n",
    )
    .expect("page");
    let ran = run(workbook().args(["book", "--check", "--lessons", &folder]));
    common::assert_fails(&ran, 1, "quote odd");

    // Records that no quote reads any more: a quote renamed or removed.
    std::fs::write(book.join("page.md"), "No quotes.\n").expect("page");
    std::fs::create_dir_all(book.join("runs/left-behind")).expect("folder");
    let ran = run(workbook().args(["book", "--check", "--lessons", &folder]));
    common::assert_fails(&ran, 1, "left-behind is read by no quote");
    let _ = std::fs::remove_dir_all(book.join("runs/left-behind"));
    let _ = std::fs::remove_dir_all(&book);
}
