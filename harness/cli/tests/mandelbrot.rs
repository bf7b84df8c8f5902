//! Facts about the Mandelbrot lesson: the source material's checksums, the picture, and
//! sizes that must be refused.

mod common;

use common::{answer, assert_usage_error, flags, lesson_command, run, scratch_dir};
use workbook::Value;

fn field(answer: &Value, name: &str) -> Value {
    match answer {
        Value::Map(fields) => fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| panic!("no {name} in {answer}")),
        other => panic!("unexpected answer {other}"),
    }
}

/// The source material's NumPy code gives these at maxit = 20 (see the lesson text).
#[test]
fn the_source_materials_checksums_come_out_exactly() {
    let cases = [
        ("250", 751u64, 1001u64, 3_485_396u64, 108_332u64),
        ("500", 1501, 2001, 13_938_670, 432_887),
    ];
    for (size, rows, cols, checksum, never_diverged) in cases {
        let size_flags = flags(&["--h", size, "--w", size, "--output", "picture.png"]);
        for (binary, variant) in [("mandelbrot", None), ("mandelbrot-solution", Some("rows"))] {
            let found = answer(binary, 2, variant, &size_flags);
            let what = format!("{binary} at h = w = {size}");
            assert_eq!(field(&found, "rows"), Value::UInt(rows), "{what}");
            assert_eq!(field(&found, "cols"), Value::UInt(cols), "{what}");
            assert_eq!(field(&found, "checksum"), Value::UInt(checksum), "{what}");
            assert_eq!(
                field(&found, "never_diverged"),
                Value::UInt(never_diverged),
                "{what}"
            );
        }
    }
}

#[test]
fn every_variant_writes_the_same_png_bytes_at_every_thread_count() {
    let dir = scratch_dir("pictures");
    let size = [
        "--h", "60", "--w", "40", "--maxit", "50", "--repeat", "1", "--warmup", "0",
    ];
    let picture = |binary: &str, threads: &str, variant: Option<&str>| {
        let path = dir.join(format!(
            "{binary}-{}-{threads}.png",
            variant.unwrap_or("exercise")
        ));
        let mut command = lesson_command(binary);
        command
            .args(size)
            .args(["--threads", threads, "--output"])
            .arg(&path);
        if let Some(variant) = variant {
            command.args(["--variant", variant]);
        }
        let ran = run(&mut command);
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        std::fs::read(&path).expect("the picture was written")
    };
    let reference = picture("mandelbrot", "1", None);
    let decoded = image::load_from_memory(&reference)
        .expect("a PNG")
        .to_rgb8();
    // 3w + 1 rows and 4h + 1 columns.
    assert_eq!(decoded.dimensions(), (241, 121));
    for variant in workbook::registry::MANDELBROT.variants {
        for threads in ["1", "2", "3", "8"] {
            let bytes = picture("mandelbrot-solution", threads, Some(variant.name));
            assert!(
                bytes == reference,
                "{} on {threads} threads drew another picture",
                variant.name
            );
        }
    }
}

#[test]
fn impossible_sizes_are_refused_in_one_line() {
    for binary in ["mandelbrot", "mandelbrot-solution"] {
        let bad = |args: &[&str], expected: &str| {
            assert_usage_error(&run(lesson_command(binary).args(args)), expected);
        };
        bad(
            &["--h", "0"],
            "--h: expected a whole number from 1 to 8000, got '0'",
        );
        bad(
            &["--w", "100000"],
            "--w: expected a whole number from 1 to 8000, got '100000'",
        );
        bad(
            &["--maxit", "0"],
            "--maxit: expected a whole number from 1 to 1000000",
        );
        bad(&["--maxit", "-3"], "--maxit: expected a whole number");
        bad(&["--output", ""], "--output: expected a path, got nothing");
        bad(&["--costs=yes"], "--costs takes no value");
        // A grid that cannot fit in what `ulimit -v` allows used to abort on allocation.
        let ran =
            run(common::under_ulimit_v(binary, 2_000_000).args(["--h", "8000", "--w", "8000"]));
        assert_usage_error(
            &ran,
            "--h 8000 --w 8000 (24001 x 32001 points) needs 5.4 GB; this process may take",
        );
        assert!(ran.stderr.contains("(ulimit -v)"), "{}", ran.stderr);
    }
}

#[test]
fn an_unwritable_picture_is_refused_before_any_work() {
    // Found with the flags (exit code 2, no run summary), not after the timed runs.
    let ran = run(lesson_command("mandelbrot")
        .args(["--h", "10", "--w", "10", "--repeat", "1"])
        .args(["--output", "/no/such/folder/picture.png"]));
    assert_usage_error(
        &ran,
        "mandelbrot: error: --output: cannot write /no/such/folder/picture.png: No such file",
    );
    assert!(ran.stdout.is_empty(), "{}", ran.stdout);
}

#[test]
fn a_picture_that_does_not_fit_is_an_error_not_a_success() {
    // A link in the test's folder to /dev/full: the write fails at its last flush.
    let dir = scratch_dir("mandelbrot-full");
    let full = dir.join("full.png");
    std::os::unix::fs::symlink("/dev/full", &full).expect("a link");
    for binary in ["mandelbrot", "mandelbrot-solution"] {
        let ran = run(lesson_command(binary)
            .args(["--h", "5", "--w", "5", "--repeat", "1", "--output"])
            .arg(&full));
        assert_eq!(ran.code, 1, "{binary}: {}", ran.stdout);
        assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
        assert!(
            ran.stderr.contains("No space left on device"),
            "{}",
            ran.stderr
        );
        assert!(!ran.stdout.contains("picture"), "{}", ran.stdout);
        assert!(std::fs::symlink_metadata(&full).is_ok_and(|m| m.is_symlink()));
    }
}

#[test]
fn costs_show_where_the_work_is() {
    let ran = run(lesson_command("mandelbrot-solution").args([
        "--h", "100", "--w", "100", "--maxit", "200", "--costs", "--repeat", "1",
    ]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let shares = |label: &str| -> Vec<f64> {
        let line = ran
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label:?} in {}", ran.stdout));
        line[line.find(':').expect("a colon") + 1..]
            .split_whitespace()
            .map(|share| share.trim_end_matches('%').parse().expect("a share"))
            .collect()
    };
    // Rows: the set is symmetric about y = 0, so two bands share the work evenly.
    let rows = shares("2 bands of rows");
    assert!((rows[0] - rows[1]).abs() <= 3.0, "{rows:?}");
    // Columns: it is not symmetric along x.
    let columns = shares("2 strips of columns");
    assert!(columns[1] - columns[0] >= 20.0, "{columns:?}");
    assert!(ran.stdout.contains("picture  "), "{}", ran.stdout);
}

#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::process::Stdio;
    let mut child = lesson_command("mandelbrot")
        .args(["--h", "10", "--w", "10", "--repeat", "1", "--costs"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Close our end of its stdout before it writes: like `mandelbrot | head -0`.
    drop(child.stdout.take());
    let output = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}
