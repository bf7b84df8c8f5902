//! `workbook data`: the shipped files are exactly what the generators write, the same seed
//! and size give the same bytes, and bad requests are one line.

mod common;

use common::{assert_usage_error, run, workbook};
use workbook_cli::binaries::workspace_root;

#[test]
fn the_shipped_files_are_what_the_generators_write() {
    let mut surveys = Vec::new();
    dataframes_kit::write_surveys(&mut surveys, 35_549, 1977, false).expect("generate");
    let shipped =
        std::fs::read(workspace_root().join("data/surveys.csv")).expect("data/surveys.csv");
    assert!(
        shipped == surveys,
        "data/surveys.csv differs: regenerate it with `workbook data surveys --out data/surveys.csv`"
    );

    let mut people = Vec::new();
    bags_kit::write_people(&mut people, 10_000, 2024).expect("generate");
    let shipped =
        std::fs::read(workspace_root().join("data/people.jsonl")).expect("data/people.jsonl");
    assert!(
        shipped == people,
        "data/people.jsonl differs: regenerate it with `workbook data people --out data/people.jsonl`"
    );
}

#[test]
fn the_command_writes_the_same_bytes_for_the_same_seed() {
    let dir = common::scratch_dir("data-command");
    let write = |name: &str, args: &[&str]| {
        let out = dir.join(name);
        let ran = run(workbook().args(["data"]).args(args).arg("--out").arg(&out));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        assert!(ran.stdout.contains("wrote"), "{}", ran.stdout);
        std::fs::read(out).expect("written")
    };
    let a = write("a.csv", &["surveys", "--rows", "1000", "--seed", "3"]);
    let b = write("b.csv", &["surveys", "--rows", "1000", "--seed", "3"]);
    let crlf = write(
        "c.csv",
        &["surveys", "--rows", "1000", "--seed", "3", "--crlf"],
    );
    assert!(a == b);
    assert_eq!(
        String::from_utf8_lossy(&a).replace('\n', "\r\n"),
        String::from_utf8_lossy(&crlf)
    );
    let people = write("p.jsonl", &["people", "--rows", "50"]);
    assert_eq!(people.iter().filter(|&&b| b == b'\n').count(), 50);
}

#[test]
fn bad_requests_are_one_line() {
    assert_usage_error(
        &run(workbook().args(["data", "mice"])),
        "invalid value 'mice'",
    );
    assert_usage_error(
        &run(workbook().args(["data", "surveys", "--rows", "-3"])),
        "unexpected argument '-3'",
    );
    assert_usage_error(
        &run(workbook().args(["data", "people", "--crlf"])),
        "--crlf applies to surveys only",
    );
    let ran = run(workbook().args(["data", "people", "--out", "/no/such/folder/p.jsonl"]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
    assert!(
        ran.stderr.contains("cannot write /no/such/folder/p.jsonl"),
        "{}",
        ran.stderr
    );
}
