//! The machine's limits end to end: `workbook machine` measures them into a file, lesson
//! records carry their work against them, and a sweep draws the roofline and, with
//! `--weak`, the weak-scaling plot.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_usage_error, lesson_command, profile, run, scratch_dir, workbook};
use workbook::roofline::Limits;

/// Measures this machine on one thread into `dir/machine.toml`.
fn measured_limits(dir: &Path) -> PathBuf {
    let file = dir.join("machine.toml");
    let ran = run(workbook()
        .args(["machine", "--threads", "1", "--output"])
        .arg(&file));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.contains("f64 peak"), "{}", ran.stdout);
    file
}

#[test]
fn machine_writes_limits_that_parse_and_keeps_other_files() {
    let dir = scratch_dir("machine");
    let file = measured_limits(&dir);
    let limits =
        Limits::parse(&std::fs::read_to_string(&file).expect("written")).expect("the file parses");
    assert!(limits.flops_one_core > 1e8, "{limits:?}");
    assert!(limits.flops_all_cores >= limits.flops_one_core * 0.5);
    assert_eq!(limits.triad.len(), 1);
    assert!(limits.triad[0] > 1e8, "{limits:?}");

    // Measuring again replaces its own file.
    let again = run(workbook()
        .args(["machine", "--threads", "1", "--output"])
        .arg(&file));
    assert_eq!(again.code, 0, "{}", again.stderr);

    // A file that is not a machine's limits is never overwritten.
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "my notes\n").expect("notes");
    let refused = run(workbook()
        .args(["machine", "--threads", "1", "--output"])
        .arg(&notes));
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(refused.stderr.lines().count(), 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("notes.txt"), "{}", refused.stderr);
    assert_eq!(std::fs::read_to_string(&notes).expect("kept"), "my notes\n");

    let too_many = run(workbook().args(["machine", "--print-only", "--threads", "0"]));
    assert_usage_error(&too_many, "--threads 0");
}

#[test]
fn records_and_compare_say_the_rate_against_the_machine() {
    let dir = scratch_dir("rate");
    let file = measured_limits(&dir);
    let ran = run(lesson_command("mandelbrot-solution")
        .env("WORKBOOK_MACHINE_FILE", &file)
        .arg("--output")
        .arg(dir.join("picture.png"))
        .args(["--json", "--h", "60", "--w", "40", "--threads", "2"]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let record = workbook_cli::records::parse_record(ran.stdout.trim()).expect("a record");
    let work = record.work.expect("Mandelbrot has a work model");
    assert!(work.flops > 0.0 && work.bytes > 0.0, "{work:?}");
    assert!(
        work.peak_flops.is_some(),
        "the machine file's peak: {work:?}"
    );
    let median = workbook::stats::summarize(&record.seconds)
        .expect("timed")
        .median;
    let fraction = work.fraction_of_roof(median).expect("a roof");
    assert!(fraction > 0.0 && fraction < 1.5, "{fraction}");

    let compared = run(workbook().env("WORKBOOK_MACHINE_FILE", &file).args([
        "compare",
        "mandelbrot",
        "--quick",
        "--profile",
        profile(),
    ]));
    assert_eq!(compared.code, 0, "{}", compared.stderr);
    let header = compared
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("run "))
        .unwrap_or_default();
    assert!(
        header.contains("rate") && header.contains("of roof"),
        "{}",
        compared.stdout
    );
    assert!(compared.stdout.contains("FLOP/s"), "{}", compared.stdout);
}

#[test]
fn a_weak_sweep_grows_the_square_and_draws_both_plots() {
    let dir = scratch_dir("weak");
    let file = measured_limits(&dir);
    let out = dir.join("out");
    let ran = run(Command::new(env!("CARGO_BIN_EXE_workbook"))
        .env("WORKBOOK_MACHINE_FILE", &file)
        .args([
            "sweep",
            "arrays",
            "--quick",
            "--threads",
            "1,2",
            "--weak",
            "n",
        ])
        .args(["--profile", profile(), "--out"])
        .arg(&out));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let folder = std::fs::read_dir(&out)
        .expect("out")
        .flatten()
        .next()
        .expect("a results folder")
        .path();
    // Arrays is n x n: twice the work on two cores is n times the square root of 2.
    let records = std::fs::read_to_string(folder.join("records.jsonl")).expect("records");
    let sizes: Vec<String> = records
        .lines()
        .map(|line| {
            let record = workbook_cli::records::parse_record(line).expect("record");
            let n = record.params.iter().find(|(name, _)| name == "n");
            format!("{}:{}", record.threads, n.expect("n").1)
        })
        .collect();
    assert!(sizes.contains(&"1:300".to_string()), "{sizes:?}");
    assert!(sizes.contains(&"2:424".to_string()), "{sizes:?}");
    // The limits go with the records, and the table says what they were.
    let kept = std::fs::read_to_string(folder.join("machine.toml")).expect("machine.toml");
    assert_eq!(kept, std::fs::read_to_string(&file).expect("limits"));
    let table = std::fs::read_to_string(folder.join("sweep.md")).expect("sweep.md");
    assert!(
        table.contains("- limits (workbook machine, ") && table.contains("triad "),
        "{table}"
    );
    for plot in ["speedup.png", "roofline.png", "weak.png"] {
        let bytes = std::fs::read(folder.join(plot)).unwrap_or_default();
        assert!(
            bytes.starts_with(b"\x89PNG"),
            "{plot} in {}",
            folder.display()
        );
    }
}

/// A book of one page holding `page`, in `dir/book`; returns the page and the folder.
fn one_page_book(dir: &Path, page: &str) -> (PathBuf, String) {
    let book = dir.join("book");
    std::fs::create_dir_all(&book).expect("book folder");
    std::fs::write(book.join("page.md"), page).expect("page");
    (book.join("page.md"), book.to_string_lossy().to_string())
}

/// `workbook book --check` of `folder`, with `limits` as the host's machine file.
fn check_book(folder: &str, limits: &Path) -> common::Ran {
    run(workbook().env("WORKBOOK_MACHINE_FILE", limits).args([
        "book",
        "--check",
        "--lessons",
        folder,
    ]))
}

/// `book --record` of a sweep quote keeps the limits it ran against beside its records, and
/// the quote and its roofline are drawn from them: a machine without limits, or another
/// machine's, draws the same page.
#[test]
fn a_recorded_sweep_quote_keeps_its_limits_with_its_records() {
    let dir = scratch_dir("book-limits");
    let file = measured_limits(&dir);
    let (page, folder) = one_page_book(
        &dir,
        "<!-- quote tiny: sweep pi --quick --threads 1,2 -->\n<!-- end quote -->\n",
    );
    let ran = run(workbook()
        .env("WORKBOOK_MACHINE_FILE", &file)
        .args(["book", "--lessons", &folder, "--record", "tiny"])
        .args(["--profile", profile()]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let runs = dir.join("book").join("runs").join("tiny");
    let kept = std::fs::read_to_string(runs.join("machine.toml")).expect("limits kept");
    assert_eq!(
        Limits::parse(&kept),
        Limits::parse(&std::fs::read_to_string(&file).expect("limits"))
    );
    let text = std::fs::read_to_string(&page).expect("page");
    assert!(text.contains("- limits (workbook machine, "), "{text}");
    assert!(text.contains("runs/tiny/roofline.png"), "{text}");
    assert!(runs.join("roofline.png").is_file());

    // Checked with no limits of this host's at all: the kept ones still give the page.
    let check = check_book(&folder, &dir.join("no-such-machine.toml"));
    assert_eq!(check.code, 0, "{}", check.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A `machine` quote: recording measures the machine (into the host's file, here the one
/// WORKBOOK_MACHINE_FILE names) and keeps the limits; the page shows them; without them
/// the check names the quote and how to record it.
#[test]
fn a_machine_quote_is_measured_kept_and_shown() {
    let dir = scratch_dir("book-machine");
    let (page, folder) = one_page_book(&dir, "<!-- quote here: machine -->\n<!-- end quote -->\n");
    let host_file = dir.join("host.toml");
    common::assert_fails(
        &check_book(&folder, &host_file),
        1,
        "workbook book --record here",
    );

    let ran = run(workbook().env("WORKBOOK_MACHINE_FILE", &host_file).args([
        "book",
        "--lessons",
        &folder,
        "--record",
        "here",
    ]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let measured = std::fs::read_to_string(&host_file).expect("the host's limits");
    let kept = std::fs::read_to_string(dir.join("book/runs/here/machine.toml")).expect("kept");
    assert_eq!(Limits::parse(&kept), Limits::parse(&measured));
    let text = std::fs::read_to_string(&page).expect("page");
    assert!(
        text.contains("f64 peak") && text.contains("triad"),
        "{text}"
    );
    let check = check_book(&folder, &host_file);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
