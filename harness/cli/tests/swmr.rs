//! Facts about the SWMR lesson's binaries: the solution gives the starter's sums in key
//! order at any thread count and batch size; a crashed acquisition is followed to its last
//! complete frame and reported as unfinished; a scan written whole before the first look is
//! still followed; the ideal counts whole batches; bad input is one line.

mod common;

use std::process::Command;

use common::{answer, field, flags, lesson_binary, lesson_command, record, run, scratch_dir};
use workbook::{Agreement, Value};
use workbook_cli::records::parse_record;

#[test]
fn the_solution_gives_the_starters_sums_at_any_thread_count_and_batch() {
    let live = flags(&["--frames", "7", "--work-ms", "5", "--interval-ms", "1"]);
    let exercise = answer("swmr", 1, None, &live);
    assert_eq!(field(&exercise, "frames"), &Value::UInt(7));
    assert_eq!(
        field(&exercise, "end"),
        &Value::Text("finished".to_string())
    );
    for threads in [1, 2, 3, 8] {
        for variant in ["pool", "bridge"] {
            let found = answer("swmr-solution", threads, Some(variant), &live);
            assert_eq!(
                Agreement::Exact.check(&exercise, &found),
                Ok(()),
                "{variant}, {threads} threads"
            );
        }
        for batch in ["1", "2", "7", "100"] {
            let mut with_batch = live.clone();
            with_batch.extend(flags(&["--batch", batch]));
            let found = answer("swmr-solution", threads, Some("batches"), &with_batch);
            assert_eq!(
                Agreement::Exact.check(&exercise, &found),
                Ok(()),
                "batches, {threads} threads, batch {batch}"
            );
        }
    }
}

#[test]
fn a_crashed_acquisition_is_followed_to_its_last_complete_frame() {
    let dir = scratch_dir("swmr-crash");
    let file = dir.join("crashed.h5");
    // The lesson binary is also the simulated detector; this one dies after 3 frames.
    let status = Command::new(lesson_binary("swmr"))
        .args(["--as-swmr-writer", "--out"])
        .arg(&file)
        .args(["--frames", "10", "--interval-ms", "0", "--crash-after", "3"])
        .status()
        .expect("the writer starts");
    assert!(!status.success(), "the writer was meant to crash");
    let input = file.to_str().expect("UTF-8 path");
    let follow = flags(&["--input", input, "--work-ms", "0", "--timeout-ms", "300"]);
    // An unfinished scan prints its record and exits 3: a script can tell it from a
    // finished one (it used to exit 0).
    let incomplete = |binary: &str, threads: &str| {
        let ran = run(lesson_command(binary)
            .args(["--json", "--repeat", "1", "--threads", threads])
            .args(&follow));
        assert_eq!(
            ran.code,
            workbook::answer::EXIT_INCOMPLETE,
            "{}",
            ran.stderr
        );
        let record = parse_record(ran.stdout.trim()).expect("a record all the same");
        assert!(
            record.warnings.iter().any(|w| w.starts_with(
                "INCOMPLETE: the scan ended without its finished flag after 3 frame(s)"
            )),
            "{:?}",
            record.warnings
        );
        record.answer_value()
    };
    let exercise = incomplete("swmr", "1");
    assert_eq!(field(&exercise, "frames"), &Value::UInt(3));
    assert_eq!(
        field(&exercise, "end"),
        &Value::Text("timed out".to_string())
    );
    let solution = incomplete("swmr-solution", "2");
    assert_eq!(Agreement::Exact.check(&exercise, &solution), Ok(()));
    let ran = run(lesson_command("swmr").args(&follow).args(["--repeat", "1"]));
    assert_eq!(ran.code, 3, "{}", ran.stderr);
    assert!(
        ran.stdout
            .contains("the writer stopped WITHOUT finishing the scan"),
        "{}",
        ran.stdout
    );
    // The workbook command takes such runs as they are, and says so.
    let ran = run(common::workbook()
        .args(["compare", "swmr", "--repeat", "1", "--bin-dir"])
        .arg(common::bin_dir())
        .arg("--")
        .args(&follow));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("warning: INCOMPLETE"), "{}", ran.stderr);
}

/// Runs the swmr-writer (the lesson binary as the detector) with `args`, into `file`.
fn start_writer(file: &std::path::Path, args: &[&str]) -> std::process::Child {
    Command::new(lesson_binary("swmr"))
        .args(["--as-swmr-writer", "--quiet", "--out"])
        .arg(file)
        .args(args)
        .spawn()
        .expect("the writer starts")
}

#[test]
fn a_follower_started_before_the_detector_waits_for_the_file_and_swmr_mode() {
    // A beamline starts its processing before the detector. The follower used to stop at
    // once ("does not exist"), or on a file still being set up ("unable to lock file").
    let dir = scratch_dir("swmr-first");
    let file = dir.join("scan.h5");
    for binary in ["swmr", "swmr-solution"] {
        let _ = std::fs::remove_file(&file);
        let follower = lesson_command(binary)
            .args([
                "--json",
                "--repeat",
                "1",
                "--work-ms",
                "1",
                "--timeout-ms",
                "5000",
            ])
            .arg("--input")
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the follower starts");
        std::thread::sleep(std::time::Duration::from_millis(300));
        // Created in place, then half a second before SWMR mode starts.
        let writer = start_writer(
            &file,
            &[
                "--frames",
                "8",
                "--interval-ms",
                "20",
                "--in-place-pause-ms",
                "500",
            ],
        );
        let written = writer.wait_with_output().expect("the writer ends");
        assert!(written.status.success(), "the writer must never fail");
        let followed = follower.wait_with_output().expect("the follower ends");
        let stderr = String::from_utf8_lossy(&followed.stderr);
        assert_eq!(followed.status.code(), Some(0), "{binary}: {stderr}");
        let record =
            parse_record(String::from_utf8_lossy(&followed.stdout).trim()).expect("a record");
        let answer = record.answer_value();
        assert_eq!(field(&answer, "frames"), &Value::UInt(8), "{binary}");
        assert_eq!(field(&answer, "end"), &Value::Text("finished".to_string()));
    }
    // Nothing comes: one line once the timeout has passed.
    let ran = run(lesson_command("swmr")
        .args(["--repeat", "1", "--timeout-ms", "200", "--input"])
        .arg(dir.join("never.h5")));
    common::assert_fails(&ran, 1, "never.h5 does not exist (waited 0.2 s)");
}

#[test]
fn datasets_are_named_with_keys_data_and_finished() {
    let dir = scratch_dir("swmr-layouts");
    // The source material's layout, a NeXus detector's with keys in a group (the finished
    // flag among them), and two key datasets named one by one.
    let layouts: [(&str, &[&str], &[&str]); 3] = [
        (
            "source.h5",
            &["--data", "data/data_1", "--keys", "keys/key_1"],
            &["--data", "data/data_1"],
        ),
        (
            "nexus.h5",
            &[
                "--data",
                "/entry/instrument/detector/data",
                "--keys",
                "/entry/solstice_scan/keys/uid,/entry/solstice_scan/keys/frame",
                "--finished",
                "/entry/solstice_scan/keys/finished",
            ],
            &[
                "--data",
                "/entry/instrument/detector/data",
                "--keys",
                "/entry/solstice_scan/keys",
                "--finished",
                "/entry/solstice_scan/keys/finished",
            ],
        ),
        (
            "two-keys.h5",
            &["--keys", "keys/a,keys/b", "--finished", "done"],
            &["--keys", "keys/a, keys/b", "--finished", "done"],
        ),
    ];
    for (name, written_with, followed_with) in layouts {
        let file = dir.join(name);
        let mut args = vec!["--frames", "5", "--interval-ms", "0"];
        args.extend(written_with);
        assert!(
            start_writer(&file, &args).wait().expect("ends").success(),
            "{name}"
        );
        let mut follow = vec!["--input", file.to_str().expect("UTF-8"), "--work-ms", "0"];
        follow.extend(followed_with);
        let follow = flags(&follow);
        let exercise = answer("swmr", 1, None, &follow);
        assert_eq!(field(&exercise, "frames"), &Value::UInt(5), "{name}");
        assert_eq!(
            field(&exercise, "end"),
            &Value::Text("finished".to_string()),
            "{name}"
        );
        let solution = answer("swmr-solution", 2, None, &follow);
        assert_eq!(
            Agreement::Exact.check(&exercise, &solution),
            Ok(()),
            "{name}"
        );
    }
    // The defaults do not fit the source material's layout: the missing dataset is named.
    let source = dir.join("source.h5");
    let ran = run(lesson_command("swmr")
        .args(["--repeat", "1", "--input"])
        .arg(&source));
    common::assert_fails(&ran, 1, "no dataset data/data in");
    let ran = run(lesson_command("swmr")
        .args(["--repeat", "1", "--keys", "nothing", "--input"])
        .arg(&source));
    common::assert_fails(&ran, 1, "no dataset or group nothing in");
    // Without --input the simulated detector writes its own layout.
    common::assert_usage_error(
        &run(lesson_command("swmr").args(["--keys", "a/b"])),
        "--keys names datasets in the file given with --input",
    );
}

#[test]
fn a_scan_written_whole_before_the_first_look_is_followed() {
    // A writer this quick can finish, or be closing its file, while the follower first looks.
    // Runs overlap three at a time so that the moments vary; a race failed one run in ten.
    let quick = [
        "--frames",
        "2",
        "--work-ms",
        "0",
        "--interval-ms",
        "0",
        "--repeat",
        "1",
    ];
    for round in 0..8 {
        let runs: Vec<_> = (0..3)
            .map(|_| {
                std::thread::spawn(move || {
                    run(lesson_command("swmr-solution").arg("--json").args(quick))
                })
            })
            .collect();
        for ran in runs {
            let ran = ran.join().expect("the thread ends");
            assert_eq!(ran.code, 0, "round {round}: {}", ran.stderr);
            let record = parse_record(ran.stdout.trim()).expect("a record");
            assert_eq!(field(&record.answer_value(), "frames"), &Value::UInt(2));
        }
    }
}

#[test]
fn bad_input_is_one_line() {
    let dir = scratch_dir("swmr-bad");
    let text = dir.join("notes.txt");
    std::fs::write(&text, "not HDF5\n").expect("write");
    let cases = [
        (dir.join("absent.h5"), "does not exist"),
        (text, "is not an HDF5 file"),
    ];
    for binary in ["swmr", "swmr-solution"] {
        for (path, expected) in &cases {
            let ran = run(lesson_command(binary).arg("--input").arg(path).args([
                "--repeat",
                "1",
                "--timeout-ms",
                "100",
            ]));
            assert_eq!(ran.code, 1, "{binary}: {}", ran.stderr);
            assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
            assert!(ran.stderr.contains(expected), "{}", ran.stderr);
        }
    }
}

#[test]
fn the_ideal_counts_whole_batches_of_frames() {
    // 10 frames of 20 ms arriving at once: one thread takes 200 ms; two threads take 5
    // rounds of one frame (100 ms), or 2 rounds of 3-frame batches (4 batches: 120 ms).
    let flags = [
        "--frames",
        "10",
        "--work-ms",
        "20",
        "--interval-ms",
        "0",
        "--repeat",
        "1",
    ];
    let ideal = |binary: &str, extra: &[&str]| {
        let mut args = flags.to_vec();
        args.extend(extra);
        let seconds = record(binary, &args).ideal_seconds.expect("an ideal");
        (seconds * 1000.0).round()
    };
    assert_eq!(ideal("swmr", &["--threads", "1"]), 200.0);
    assert_eq!(ideal("swmr-solution", &["--threads", "2"]), 100.0);
    let batches = ["--threads", "2", "--variant", "batches", "--batch"];
    assert_eq!(
        ideal("swmr-solution", &[&batches[..], &["1"]].concat()),
        100.0
    );
    assert_eq!(
        ideal("swmr-solution", &[&batches[..], &["3"]].concat()),
        120.0
    );
    // Batches of 4, 4 and 2 frames: 4 + 2 on one thread, 4 on the other.
    assert_eq!(
        ideal("swmr-solution", &[&batches[..], &["4"]].concat()),
        120.0
    );
}
