//! The `workbook` command end to end, on the real lesson binaries (built in the tests'
//! profile, so `--profile` is passed through).

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{assert_usage_error, bin_dir, lesson_binary, profile, run, workbook};

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("workbook-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn compare_runs_every_variant_and_reports_agreement() {
    let ran = run(workbook().args([
        "compare",
        "pi",
        "--variant",
        "all",
        "--quick",
        "--threads",
        "3",
        "--profile",
        profile(),
    ]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for variant in workbook::registry::PI.variants {
        let line = ran
            .stdout
            .lines()
            .find(|l| {
                l.trim_start()
                    .starts_with(&format!("solution {} ", variant.name))
            })
            .unwrap_or_else(|| panic!("no row for {}:\n{}", variant.name, ran.stdout));
        assert!(line.contains(" 3 "), "threads column: {line}");
        assert!(line.ends_with("agrees"), "{line}");
    }
    assert!(ran.stdout.contains("answer   pi = "), "{}", ran.stdout);
}

#[test]
fn compare_fails_loudly_when_the_answers_disagree() {
    // A solution that prints a wrong answer: the real one, with its digits altered.
    let dir = temp_dir("disagree");
    let real_solution = lesson_binary("pi-solution");
    std::os::unix::fs::symlink(lesson_binary("pi"), dir.join("pi")).expect("link");
    let wrong = dir.join("pi-solution");
    std::fs::write(
        &wrong,
        format!(
            "#!/bin/sh\n'{}' \"$@\" | sed 's/\"pi\":3[.0-9]*/\"pi\":3.14/'\n",
            real_solution.display()
        ),
    )
    .expect("script");
    std::fs::set_permissions(&wrong, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let ran = run(workbook()
        .args(["compare", "pi", "--quick", "--bin-dir"])
        .arg(&dir));
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    assert!(ran.stdout.contains("DISAGREES"), "{}", ran.stdout);
    let last = ran.stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("workbook: error: the answers disagree: rayon: pi: expected"),
        "{last}"
    );
}

#[test]
fn sweep_writes_one_row_per_thread_count_in_every_format() {
    let (folder, _) = sweep_into(
        "sweep",
        &["pi", "--quick", "--threads", "1,2,3", "--repeat", "2"],
    );

    let csv = std::fs::read_to_string(folder.join("sweep.csv")).expect("csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let threads_column = header
        .iter()
        .position(|h| *h == "threads")
        .expect("threads column");
    let speedup_column = header
        .iter()
        .position(|h| *h == "speedup")
        .expect("speedup column");
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == header.len()));
    let threads: Vec<&str> = rows.iter().map(|r| r[threads_column]).collect();
    assert_eq!(threads, ["1", "2", "3"]);
    assert!(
        rows.iter()
            .all(|r| r[speedup_column].parse::<f64>().is_ok_and(|s| s > 0.0))
    );

    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("sweep.json")).expect("json"))
            .expect("parses");
    let json_rows = json["rows"].as_array().expect("rows");
    assert_eq!(json_rows.len(), 3);
    assert!(json_rows.iter().all(|r| r["agrees"] == true));
    // One exercise run and three solution runs, each a full record.
    let records = std::fs::read_to_string(folder.join("records.jsonl")).expect("records");
    let records: Vec<_> = records
        .lines()
        .map(workbook_cli::records::parse_record)
        .collect();
    assert_eq!(records.len(), 4);
    assert!(records.iter().all(Result::is_ok));
    assert_eq!(json["records"].as_array().map(Vec::len), Some(4));

    let markdown = std::fs::read_to_string(folder.join("sweep.md")).expect("markdown");
    let table_rows = markdown
        .lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" yes |"))
        .count();
    assert_eq!(table_rows, 3, "{markdown}");
    assert_eq!(png_size(&folder.join("speedup.png")), (900, 600));
}

/// Several variants in one sweep: each at every thread count, against one exercise run, in
/// one table with a variant column (the lesson texts quote such tables).
#[test]
fn a_sweep_of_several_variants_runs_each_against_the_same_exercise() {
    let (folder, _) = sweep_into(
        "sweep-variants",
        &[
            "pi",
            "--quick",
            "--variant",
            "rayon,threads",
            "--threads",
            "1,2",
        ],
    );
    let records = std::fs::read_to_string(folder.join("records.jsonl")).expect("records");
    assert_eq!(
        records.lines().count(),
        5,
        "1 exercise run and 2 x 2 solution runs"
    );
    let markdown = std::fs::read_to_string(folder.join("sweep.md")).expect("markdown");
    assert!(
        markdown.contains("solution variants rayon, threads"),
        "{markdown}"
    );
    assert!(markdown.contains("| variant | threads |"), "{markdown}");
    for variant in ["rayon", "threads"] {
        let rows = markdown
            .lines()
            .filter(|l| l.starts_with(&format!("| {variant} |")) && l.ends_with(" yes |"))
            .count();
        assert_eq!(rows, 2, "{variant}: {markdown}");
    }
    let unknown = run(workbook().args(["sweep", "pi", "--quick", "--variant", "rayon,nosuch"]));
    common::assert_usage_error(&unknown, "no variant 'nosuch'");
}

#[test]
fn rounds_take_turns_and_pool_their_runs() {
    let (folder, _) = sweep_into(
        "rounds",
        &[
            "pi",
            "--quick",
            "--threads",
            "1,2",
            "--rounds",
            "3",
            "--repeat",
            "2",
            "--warmup",
            "0",
        ],
    );
    let csv = std::fs::read_to_string(folder.join("sweep.csv")).expect("csv");
    assert_eq!(
        csv.lines().count(),
        1 + 2,
        "one row per thread count: {csv}"
    );
    // Every run of every round is kept: 3 rounds of (exercise + 2 thread counts).
    let records = std::fs::read_to_string(folder.join("records.jsonl")).expect("records");
    assert_eq!(records.lines().count(), 9);
    let markdown = std::fs::read_to_string(folder.join("sweep.md")).expect("markdown");
    assert!(
        markdown.contains("median of 6 runs after 0 warm-up(s), pooled from 3 rounds"),
        "{markdown}"
    );
    // Rounds run in turn: exercise, 1, 2, exercise, 1, 2, ...
    let order: Vec<String> = records
        .lines()
        .map(|line| workbook_cli::records::parse_record(line).expect("record"))
        .map(|r| format!("{}{}", r.variant, r.threads))
        .collect();
    assert_eq!(order, ["exercise1", "rayon1", "rayon2"].repeat(3));
}

#[test]
fn sweeping_the_chunk_count_estimates_the_cost_of_a_task() {
    let (folder, ran) = sweep_into(
        "vary",
        &[
            "pi",
            "--threads",
            "1,2",
            "--variant",
            "spawn",
            "--vary",
            "chunks=1,1000,200000",
            "--repeat",
            "1",
            "--warmup",
            "0",
            "--",
            "--n",
            "200000",
        ],
    );
    let csv = std::fs::read_to_string(folder.join("sweep.csv")).expect("csv");
    assert_eq!(csv.lines().count(), 1 + 2 * 3, "{csv}");
    assert!(csv.lines().skip(1).all(|l| l.contains(",chunks,")), "{csv}");
    assert_eq!(png_size(&folder.join("chunks.png")), (900, 600));
    assert!(ran.stdout.contains("cost per task"), "{}", ran.stdout);
}

#[test]
fn check_says_the_untouched_starter_is_right() {
    let ran = run(workbook().args([
        "check",
        "pi",
        "--quick",
        "--threads",
        "2",
        "--profile",
        profile(),
    ]));
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    assert!(
        ran.stdout
            .contains("Right: the same answer as the solution"),
        "{}",
        ran.stdout
    );
    assert!(
        ran.stdout.contains("drop --quick for a fair measure"),
        "{}",
        ran.stdout
    );
}

#[test]
fn list_names_every_lesson() {
    let ran = run(workbook().arg("list"));
    assert_eq!(ran.code, 0);
    for lesson in workbook::LESSONS {
        assert!(ran.stdout.contains(&lesson.solution_binary()));
        assert!(ran.stdout.contains(lesson.text));
    }
}

#[test]
fn mistakes_are_one_line_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["compare", "nosuchlesson", "--no-build"],
            "no lesson named 'nosuchlesson' (lessons: ",
        ),
        (&["check", "nosuchlesson"], "no lesson named 'nosuchlesson'"),
        (&["compare", "pi", "--threads", "0"], "--threads"),
        (
            &["compare", "pi", "--variant", "magic", "--no-build"],
            "lesson pi has no variant 'magic'",
        ),
        (
            &["sweep", "pi", "--vary", "size=1,2", "--no-build"],
            "lesson pi has no flag --size",
        ),
        (&["sweep", "pi", "--threads", "1,x"], "--threads"),
        (&["frobnicate"], "unrecognized subcommand 'frobnicate'"),
    ];
    for (args, expected) in cases {
        assert_usage_error(&run(workbook().args(*args)), expected);
    }
    // A bad lesson flag is the lesson binary's own one-line message, passed on.
    lesson_binary("pi");
    let ran = run(workbook()
        .args(["compare", "pi", "--bin-dir"])
        .arg(bin_dir())
        .args(["--", "--n", "0"]));
    assert_usage_error(&ran, "pi: --n: expected a whole number from 1");
}

#[test]
fn missing_binaries_are_named() {
    let empty = temp_dir("empty");
    let ran = run(workbook().args(["compare", "pi", "--bin-dir"]).arg(&empty));
    assert_eq!(ran.code, 1);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("pi is not built"), "{}", ran.stderr);
}

/// Runs `workbook sweep` with `args` (in the tests' profile) into a fresh folder, checks it
/// succeeded, and returns the results folder it wrote with what it printed.
fn sweep_into(name: &str, args: &[&str]) -> (std::path::PathBuf, common::Ran) {
    let out = temp_dir(name);
    // Our options first: anything after a `--` in `args` goes to the lesson binary.
    let ran = run(workbook()
        .args(["sweep", "--profile", profile(), "--out"])
        .arg(&out)
        .args(args));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    (only_folder(&out), ran)
}

fn only_folder(dir: &Path) -> std::path::PathBuf {
    let entries: Vec<_> = std::fs::read_dir(dir).expect("out dir").flatten().collect();
    assert_eq!(entries.len(), 1, "one results folder in {}", dir.display());
    entries[0].path()
}

fn png_size(path: &Path) -> (u32, u32) {
    let file = std::fs::File::open(path).expect("png exists");
    let reader = png::Decoder::new(std::io::BufReader::new(file))
        .read_info()
        .expect("a PNG");
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn two_sweeps_started_together_keep_both_results() {
    // Folder names are precise to the second: two sweeps in the same second used to
    // share one folder, and one sweep's records were lost.
    lesson_binary("pi");
    let out = temp_dir("two-sweeps");
    let start = || {
        workbook()
            .args(["sweep", "pi", "--quick", "--threads", "1", "--repeat", "1"])
            .args(["--warmup", "0", "--bin-dir"])
            .arg(bin_dir())
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts")
    };
    let children = [start(), start(), start()];
    for child in children {
        let output = child.wait_with_output().expect("ends");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let folders: Vec<_> = std::fs::read_dir(&out).expect("out").flatten().collect();
    assert_eq!(folders.len(), 3, "one folder per sweep");
    for folder in folders {
        let records = std::fs::read_to_string(folder.path().join("records.jsonl"))
            .expect("every sweep's records");
        assert_eq!(records.lines().count(), 2, "exercise and solution");
    }
}

#[test]
fn a_sweep_checks_every_configuration_and_its_folder_before_the_first_run() {
    lesson_binary("pi");
    let out = temp_dir("sweep-checks");
    let sweep = |args: &[&str]| {
        run(workbook()
            .args(["sweep", "pi", "--bin-dir"])
            .arg(bin_dir())
            .arg("--out")
            .arg(&out)
            .args(args))
    };
    // The second value breaks a cross-flag rule: found before any run (no progress lines).
    let ran = sweep(&["--vary", "n=100000,10", "--threads", "1"]);
    assert_usage_error(&ran, "--chunks (1000) must not exceed --n (10)");
    assert!(ran.stderr.contains("(--vary n=10)"), "{}", ran.stderr);
    let ran = sweep(&["--vary", "chunks=1,2", "--", "--chunks", "3"]);
    assert_usage_error(&ran, "both set --chunks");
    assert!(
        std::fs::read_dir(&out).expect("out").next().is_none(),
        "a refused sweep leaves no folder"
    );
    // An --out that is a file: one line before any run, and the file untouched.
    let file = out.join("a-file");
    std::fs::write(&file, "mine").expect("write");
    let ran = run(workbook()
        .args(["sweep", "pi", "--quick", "--bin-dir"])
        .arg(bin_dir())
        .arg("--out")
        .arg(&file));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("cannot create"), "{}", ran.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), "mine");
}

#[test]
fn a_report_refuses_a_record_no_run_could_have_written() {
    lesson_binary("pi");
    let dir = temp_dir("report-impossible");
    let good = run(std::process::Command::new(bin_dir().join("pi")).args([
        "--json",
        "--threads",
        "1",
        "--n",
        "1000",
        "--chunks",
        "10",
        "--repeat",
        "1",
    ]));
    assert_eq!(good.code, 0, "{}", good.stderr);
    let good = good.stdout.trim().to_string();
    let cases = [
        ("\"threads\":1", "\"threads\":0", "threads is 0"),
        ("\"seconds\":[", "\"seconds\":[0.0,", "seconds holds 0"),
    ];
    for (from, to, expected) in cases {
        let records = dir.join("records.jsonl");
        let broken = good.replacen(from, to, 1);
        assert_ne!(broken, good, "{from} is in the record");
        std::fs::write(&records, format!("{good}\n{broken}\n")).expect("write");
        let ran = run(workbook()
            .arg("report")
            .arg(&records)
            .arg("--out")
            .arg(dir.join("report")));
        common::assert_fails(
            &ran,
            1,
            &format!("{} line 2: {expected}", records.display()),
        );
    }
}

/// The processes whose parent is `pid`, from /proc.
fn children_of(pid: u32) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (name) state ppid ...": the name may hold spaces, so start after ')'.
        let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
        let parent = after_name.split_whitespace().nth(1);
        if parent == Some(pid.to_string().as_str()) {
            found.push(child);
        }
    }
    found
}

fn is_alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        !stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn a_signal_to_the_command_stops_the_lesson_it_runs() {
    lesson_binary("delayed");
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        // A run of a minute of simulated work, stopped a moment after it starts.
        let workbook_process = workbook()
            .args(["compare", "delayed", "--repeat", "1", "--bin-dir"])
            .arg(bin_dir())
            .args(["--", "--work-ms", "20000"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let pid = workbook_process.id();
        let give_up = std::time::Instant::now() + std::time::Duration::from_secs(30);
        let lesson = loop {
            if let Some(&child) = children_of(pid).first() {
                break child;
            }
            assert!(std::time::Instant::now() < give_up, "no lesson started");
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        let sent = std::process::Command::new("kill")
            .args([&format!("-{signal}"), &pid.to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let output = workbook_process.wait_with_output().expect("ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "{stderr}");
        assert!(
            stderr.contains(&format!("workbook: stopped by SIG{signal}")),
            "{stderr}"
        );
        assert!(
            !is_alive(lesson),
            "the lesson (pid {lesson}) is still running"
        );
    }
}

#[test]
fn all_leaves_out_a_variant_behind_a_feature_and_says_how_to_run_it() {
    lesson_binary("dataframes-solution");
    let ran = run(workbook()
        .args([
            "compare",
            "dataframes",
            "--quick",
            "--variant",
            "all",
            "--bin-dir",
        ])
        .arg(bin_dir()));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(
        ran.stderr.contains(
            "--variant all leaves out polars, which needs the solution's `polars` feature"
        ),
        "{}",
        ran.stderr
    );
    assert!(ran.stdout.contains("solution file "), "{}", ran.stdout);
    assert!(!ran.stdout.contains("solution polars"), "{}", ran.stdout);
}
