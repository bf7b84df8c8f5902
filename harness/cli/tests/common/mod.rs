//! Helpers for the integration tests: the lesson binaries (built once per test process, in
//! the tests' own profile) and the `workbook` command.

#![allow(dead_code)] // each test file uses its own share of these

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use workbook::{LESSONS, Record, Value};
use workbook_cli::binaries::workspace_root;
use workbook_cli::records::parse_record;

/// Whether the tests build the Dataframes solution with polars (`--features
/// workbook-cli/polars`): the tests of its polars variant are ignored without it.
pub const POLARS: bool = cfg!(feature = "polars");

/// Flags as the owned strings the helpers take: `flags(&["--n", "5"])`.
pub fn flags(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// The `workbook` command built for this test run, in a scratch folder of its own.
pub fn workbook() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_workbook"));
    command.current_dir(scratch_dir("workbook"));
    command
}

/// The folder cargo built this test's binaries into (target/debug for `cargo test`).
pub fn bin_dir() -> PathBuf {
    let workbook = Path::new(env!("CARGO_BIN_EXE_workbook"));
    workbook
        .parent()
        .expect("workbook is in a folder")
        .to_path_buf()
}

/// The target folder the tests were built in (target/, or CARGO_TARGET_DIR).
pub fn target_dir() -> PathBuf {
    let bin_dir = bin_dir();
    bin_dir.parent().expect("a target folder").to_path_buf()
}

/// The cargo profile of that folder.
pub fn profile() -> &'static str {
    match bin_dir().file_name().and_then(|n| n.to_str()) {
        Some("debug") => "dev",
        Some("release") => "release",
        other => panic!("unexpected binary folder {other:?}"),
    }
}

/// A lesson binary, after building every lesson's binaries once in this test's profile.
pub fn lesson_binary(name: &str) -> PathBuf {
    static BUILT: OnceLock<()> = OnceLock::new();
    BUILT.get_or_init(|| {
        let mut command = cargo_build();
        for lesson in LESSONS {
            command.args(["--bin", &lesson.exercise_binary()]);
            command.args(["--bin", &lesson.solution_binary()]);
        }
        if POLARS {
            command.args(["--features", "dataframes-solution/polars"]);
        }
        let status = command.status().expect("cargo runs");
        assert!(status.success(), "building the lesson binaries failed");
    });
    bin_dir().join(name)
}

/// `cargo build` of this workspace, quietly, in the tests' own profile.
fn cargo_build() -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
    command
        .args([
            "build",
            "--quiet",
            "--profile",
            profile(),
            "--manifest-path",
        ])
        .arg(workspace_root().join("Cargo.toml"));
    command
}

/// A lesson binary to run, in a fresh scratch folder of its own, so that files a lesson
/// writes by default (a picture, say) land there and not in the repository.
pub fn lesson_command(binary: &str) -> Command {
    let mut command = Command::new(lesson_binary(binary));
    command.current_dir(scratch_dir(binary));
    command
}

/// A lesson binary run under `ulimit -v <kib>` (by the shell, which then becomes it),
/// in a scratch folder: a machine with little memory, on any machine.
pub fn under_ulimit_v(binary: &str, kib: u64) -> Command {
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(lesson_binary(binary))
        .current_dir(scratch_dir(binary));
    command
}

/// A new empty folder under the system's temporary folder.
pub fn scratch_dir(label: &str) -> PathBuf {
    static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir =
        std::env::temp_dir().join(format!("workbook-test-{}-{label}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch folder");
    dir
}

/// What a finished process said.
#[derive(Debug)]
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(command: &mut Command) -> Ran {
    let output = command.output().expect("the program starts");
    Ran {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).to_string(),
        stderr: String::from_utf8_lossy(&output.stderr).to_string(),
    }
}

/// Runs a lesson binary with `--json` and returns its record.
pub fn record(binary: &str, args: &[&str]) -> Record {
    let ran = run(lesson_command(binary).arg("--json").args(args));
    assert_eq!(ran.code, 0, "{binary} {args:?} failed: {}", ran.stderr);
    parse_record(ran.stdout.trim()).unwrap_or_else(|e| panic!("{binary}: {e}\n{}", ran.stdout))
}

/// The answer of one quick run of a lesson binary.
pub fn answer(binary: &str, threads: usize, variant: Option<&str>, flags: &[String]) -> Value {
    let threads = threads.to_string();
    let mut args = vec![
        "--threads",
        threads.as_str(),
        "--repeat",
        "2",
        "--warmup",
        "1",
    ];
    if let Some(variant) = variant {
        args.extend(["--variant", variant]);
    }
    args.extend(flags.iter().map(String::as_str));
    let record = record(binary, &args);
    assert!(
        record.answers_identical,
        "{binary} {args:?}: runs disagreed"
    );
    record.answer_value()
}

/// Asserts that a run failed with exit code 2 (a usage error) and one line on stderr.
pub fn assert_usage_error(ran: &Ran, expected: &str) {
    assert_fails(ran, 2, expected);
}

/// Asserts that a run failed with exit code `code`, one line on stderr that contains
/// `expected`, and no panic.
pub fn assert_fails(ran: &Ran, code: i32, expected: &str) {
    assert_eq!(
        ran.code, code,
        "exit code; stdout: {}\nstderr: {}",
        ran.stdout, ran.stderr
    );
    assert_eq!(ran.stderr.lines().count(), 1, "one line: {}", ran.stderr);
    assert!(!ran.stderr.contains("panicked"), "{}", ran.stderr);
    assert!(
        ran.stderr.contains(expected),
        "expected {expected:?} in {:?}",
        ran.stderr
    );
}

/// Writes a test input file into `dir`.
pub fn write_file(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// `--input <path>` and more flags.
pub fn input(path: &Path, extra: &[&str]) -> Vec<String> {
    let mut flags = vec!["--input".to_string(), path.display().to_string()];
    flags.extend(extra.iter().map(|s| s.to_string()));
    flags
}

/// One named field of a map answer.
pub fn field<'a>(answer: &'a Value, name: &str) -> &'a Value {
    match answer {
        Value::Map(fields) => &fields.iter().find(|(n, _)| n == name).expect(name).1,
        other => panic!("unexpected answer {other}"),
    }
}

/// The folder of the Ranks lesson's binaries built with MPI (and the `workbook` command
/// beside them, for jobs), in this test's profile. They get a target folder of their own,
/// target/mpi: built into the usual one they would replace, under the other tests' feet,
/// the binaries those tests run without MPI.
pub fn mpi_bin_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let target = target_dir().join("mpi");
            let status = cargo_build()
                .arg("--target-dir")
                .arg(&target)
                .args([
                    "--bin",
                    "ranks",
                    "--bin",
                    "ranks-solution",
                    "--bin",
                    "workbook",
                ])
                .args(["--features", "ranks/mpi,ranks-solution/mpi"])
                .status()
                .expect("cargo runs");
            assert!(
                status.success(),
                "building the Ranks lesson with MPI failed"
            );
            target.join(bin_dir().file_name().expect("a profile folder"))
        })
        .clone()
}

/// `binary` of the MPI build started as `ranks` ranks by mpirun, as `workbook` starts it,
/// in a scratch folder.
pub fn mpirun(binary: &str, ranks: usize, threads: usize) -> Command {
    let path = mpi_bin_dir().join(binary);
    let mut command = match workbook_cli::launcher::command(&path, ranks, threads) {
        Ok(command) => command,
        Err(failure) => panic!("{}", failure.message),
    };
    command
        .args(["--threads", &threads.to_string()])
        .current_dir(scratch_dir(binary));
    command
}
