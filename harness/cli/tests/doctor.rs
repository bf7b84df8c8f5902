//! `workbook doctor`: ready on a machine that has what the lessons need; one line naming the
//! install command where something is missing.

mod common;

use common::{lesson_binary, profile, run, workbook};

/// The doctor in the tests' profile, on the binaries the tests built.
fn doctor(args: &[&str]) -> std::process::Command {
    lesson_binary("pi");
    let mut command = workbook();
    command
        .args(["doctor", "--no-build", "--profile", profile()])
        .args(args);
    command
}

/// Whether a line of the table starts with these words (its columns' widths vary).
fn says(stdout: &str, words: &[&str]) -> bool {
    stdout.lines().any(|line| {
        line.split_whitespace()
            .collect::<Vec<_>>()
            .starts_with(words)
    })
}

#[test]
fn a_machine_with_rust_is_ready_for_every_lesson() {
    let ran = run(&mut doctor(&[]));
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    for check in [
        &["ok", "Rust"][..],
        &["ok", "release", "build"],
        &["ok", "CPUs"],
    ] {
        assert!(
            says(&ran.stdout, check),
            "no '{check:?}' in:\n{}",
            ran.stdout
        );
    }
    let names: Vec<&str> = workbook::LESSONS.iter().map(|l| l.name).collect();
    let ready = format!("Ready for every lesson: {}.", names.join(", "));
    assert!(ran.stdout.contains(&ready), "{}", ran.stdout);
}

#[test]
fn without_hdf5_the_hdf5_extra_fails_in_one_line_with_its_install_command() {
    // pkg-config finds nothing: as on a machine without libhdf5-dev.
    let mut command = doctor(&["--with", "hdf5-c"]);
    command
        .env("PKG_CONFIG_LIBDIR", "/nonexistent")
        .env("PKG_CONFIG_PATH", "");
    let ran = run(&mut command);
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let last = ran.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("workbook: error: not ready: HDF5 C library: ")
            && last.contains("install: "),
        "{last}"
    );
    let debian = std::fs::read_to_string("/etc/os-release").is_ok_and(|t| t.contains("debian"));
    if debian {
        assert!(
            last.contains("apt-get install libhdf5-dev pkg-config"),
            "{last}"
        );
    }
    // What every lesson needs is still there, and the other lines say so.
    assert!(
        ran.stdout.contains("Ready for every lesson"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("MISSING  HDF5 C library"),
        "{}",
        ran.stdout
    );
    // Without --with, the same machine is ready: the extra is optional.
    let mut command = doctor(&[]);
    command
        .env("PKG_CONFIG_LIBDIR", "/nonexistent")
        .env("PKG_CONFIG_PATH", "");
    assert_eq!(run(&mut command).code, 0);
}

#[test]
fn a_missing_rust_fails_in_one_line() {
    let mut command = doctor(&[]);
    command.env("RUSTC", "/nonexistent/rustc");
    let ran = run(&mut command);
    assert_eq!(ran.code, 1, "{}", ran.stdout);
    let errors: Vec<&str> = ran
        .stderr
        .lines()
        .filter(|l| l.starts_with("workbook:"))
        .collect();
    assert_eq!(errors.len(), 1, "{}", ran.stderr);
    assert!(
        errors[0].contains("Rust: /nonexistent/rustc does not run"),
        "{}",
        errors[0]
    );
    assert!(!ran.stdout.contains("Ready for"), "{}", ran.stdout);
}

#[test]
fn an_unknown_extra_is_a_usage_error() {
    let ran = run(workbook().args(["doctor", "--with", "gpu"]));
    assert_eq!(ran.code, 2);
    assert_eq!(
        ran.stderr.trim(),
        "workbook: error: --with: no extra named 'gpu' (extras: hdf5-c, polars, mpi, slurm, or all)"
    );
}
