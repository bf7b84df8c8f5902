//! Facts about the Dataframes lesson: real-file shapes (LF, CRLF, a byte-order mark, no final
//! line ending) give the same answers; every variant agrees at any block size and thread
//! count; blanks are missing values; malformed rows are counted with their line numbers;
//! a missing file or a wrong header is one line.

mod common;

use std::path::Path;

use common::{
    answer, assert_fails, field, input, lesson_command, run, scratch_dir, write_file as write,
};
use workbook::{Agreement, Value};

const HEADER: &str = dataframes_kit::HEADER;

fn surveys(rows: u64, crlf: bool) -> Vec<u8> {
    let mut bytes = Vec::new();
    dataframes_kit::write_surveys(&mut bytes, rows, 5, crlf).expect("generate");
    bytes
}

/// The exercise's answer, and every variant's at several thread counts and block sizes.
fn all_answers(path: &Path) -> (Value, Vec<(String, Value)>) {
    let reference = answer("dataframes", 1, None, &input(path, &[]));
    let mut found = Vec::new();
    for threads in [1, 3, 8] {
        for blocksize in ["5", "100", "1000000"] {
            let flags = input(path, &["--blocksize", blocksize]);
            let label = format!("blocks, {threads} threads, blocksize {blocksize}");
            found.push((label, answer("dataframes-solution", threads, None, &flags)));
        }
        let flags = input(path, &[]);
        let polars = answer("dataframes-solution", threads, Some("polars"), &flags);
        found.push((format!("polars, {threads} threads"), polars));
    }
    (reference, found)
}

#[test]
fn line_endings_and_byte_order_marks_do_not_change_the_answer() {
    let dir = scratch_dir("dataframes-shapes");
    let lf = surveys(400, false);
    let crlf = surveys(400, true);
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(&lf);
    let unterminated = &lf[..lf.len() - 1];
    let reference = answer(
        "dataframes",
        1,
        None,
        &input(&write(&dir, "lf.csv", &lf), &[]),
    );
    assert_eq!(field(&reference, "rows"), &Value::UInt(400));
    assert_eq!(field(&reference, "skipped"), &Value::UInt(0));
    for (name, bytes) in [
        ("crlf.csv", &crlf[..]),
        ("bom.csv", &bom[..]),
        ("unterminated.csv", unterminated),
    ] {
        let (exercise, variants) = all_answers(&write(&dir, name, bytes));
        assert_eq!(
            Agreement::Exact.check(&reference, &exercise),
            Ok(()),
            "{name}"
        );
        for (label, found) in variants {
            assert_eq!(
                Agreement::Exact.check(&reference, &found),
                Ok(()),
                "{name}: {label}"
            );
        }
    }
}

#[test]
fn blanks_are_missing_values_not_zeros() {
    let dir = scratch_dir("dataframes-blanks");
    let text = format!(
        "{HEADER}\n1,7,16,1977,2,DM,M,32,10\n2,7,16,1977,3,DM,F,33,\n3,7,16,1977,2,DM,F,,20\n\
         4,8,19,1978,1,,,,\n5,8,19,1978,1,NL,,,\n"
    );
    let path = write(&dir, "blanks.csv", text.as_bytes());
    let (exercise, variants) = all_answers(&path);
    assert_eq!(field(&exercise, "rows"), &Value::UInt(5));
    assert_eq!(field(&exercise, "weight_max"), &Value::UInt(20));
    // DM: (10 + 20) / 2, the blank weight left out; NL: nobody weighed; no-species rows in
    // no group, but in their year.
    let means = Value::Map(vec![
        ("DM".into(), Value::Float(15.0)),
        ("NL".into(), Value::Null),
    ]);
    assert_eq!(field(&exercise, "mean_weight_by_species"), &means);
    let years = Value::Map(vec![
        ("1977".into(), Value::UInt(3)),
        ("1978".into(), Value::UInt(2)),
    ]);
    assert_eq!(field(&exercise, "rows_by_year"), &years);
    let tail = field(&exercise, "tail").to_string();
    assert!(tail.contains("4,8,19,1978,1,,,,"), "{tail}");
    for (label, found) in variants {
        assert_eq!(Agreement::Exact.check(&exercise, &found), Ok(()), "{label}");
    }
}

#[test]
fn malformed_rows_are_counted_with_their_line_numbers() {
    let dir = scratch_dir("dataframes-malformed");
    let good = String::from_utf8(surveys(60, false)).expect("ASCII");
    let mut lines: Vec<String> = good.lines().map(String::from).collect();
    // All but the last field (the weight) of a line.
    let without_weight = |line: &str| line.rsplit_once(',').expect("a comma").0.to_string();
    lines[10].push_str(",extra"); // line 11: ten fields
    lines[20] = without_weight(&lines[20]); // line 21: eight fields
    lines[30] = format!("{},heavy", without_weight(&lines[30])); // line 31
    lines[40] = format!("{},-5", without_weight(&lines[40])); // line 41
    let path = write(&dir, "malformed.csv", (lines.join("\n") + "\n").as_bytes());

    let exercise = answer("dataframes", 1, None, &input(&path, &[]));
    assert_eq!(field(&exercise, "rows"), &Value::UInt(56));
    assert_eq!(field(&exercise, "skipped"), &Value::UInt(4));
    let lines_found = Value::List([11u64, 21, 31, 41].map(Value::UInt).to_vec());
    assert_eq!(field(&exercise, "skipped_lines"), &lines_found);
    for threads in [1, 3, 8] {
        for blocksize in ["5", "100", "1000"] {
            let found = answer(
                "dataframes-solution",
                threads,
                None,
                &input(&path, &["--blocksize", blocksize]),
            );
            assert_eq!(
                Agreement::Exact.check(&exercise, &found),
                Ok(()),
                "blocks, {threads} threads, blocksize {blocksize}"
            );
        }
    }

    // The tables name each skipped row and why.
    let ran = run(lesson_command("dataframes").args(input(&path, &["--repeat", "1"])));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for expected in [
        "skipped 4 malformed row(s)",
        "line 11: expected 9 fields, found 10",
        "line 21: expected 9 fields, found 8",
        "line 31: weight: invalid digit",
        "line 41: weight: invalid digit",
    ] {
        assert!(ran.stdout.contains(expected), "{expected}: {}", ran.stdout);
    }

    // polars cannot skip rows: it stops with one line that says why, never a wrong answer.
    // It reads numbers as 64-bit integers, so a negative weight or a year past 65535
    // parses, and must still be refused.
    let mut year_too_big: Vec<String> = good
        .lines()
        .nth(50)
        .expect("line 51")
        .split(',')
        .map(String::from)
        .collect();
    year_too_big[3] = "70000".to_string();
    let bad_lines = [
        (11, lines[10].clone(), "polars could not read"),
        (21, lines[20].clone(), "wrong number of fields"),
        (31, lines[30].clone(), "polars could not read"),
        (41, lines[40].clone(), "a weight of -5, out of range"),
        (51, year_too_big.join(","), "a year of 70000, out of range"),
    ];
    for (bad_line, text, expected) in bad_lines {
        let mut one_bad: Vec<String> = good.lines().map(String::from).collect();
        one_bad[bad_line - 1] = text;
        let path = write(&dir, "one-bad.csv", (one_bad.join("\n") + "\n").as_bytes());
        let ran = run(lesson_command("dataframes-solution")
            .args(input(&path, &["--variant", "polars", "--repeat", "1"])));
        assert_fails(&ran, 1, expected);
    }
}

#[test]
fn a_missing_file_or_a_wrong_header_is_one_line() {
    let dir = scratch_dir("dataframes-errors");
    let no_header = write(&dir, "no-header.csv", b"1,7,16,1977,2,DM,M,32,10\n");
    let empty = write(&dir, "empty.csv", b"");
    let cases = [
        (dir.join("absent.csv"), "cannot read"),
        (no_header, "does not start with the surveys header"),
        (empty, "is empty"),
    ];
    for (path, expected) in cases {
        for (binary, variant) in [
            ("dataframes", None),
            ("dataframes-solution", Some("blocks")),
            ("dataframes-solution", Some("polars")),
        ] {
            let mut command = lesson_command(binary);
            command.args(input(&path, &["--repeat", "1"]));
            if let Some(variant) = variant {
                command.args(["--variant", variant]);
            }
            assert_fails(&run(&mut command), 1, expected);
        }
    }
}

#[test]
fn a_file_with_only_the_header_has_no_rows() {
    let dir = scratch_dir("dataframes-header-only");
    let path = write(&dir, "header.csv", format!("{HEADER}\r\n").as_bytes());
    let (exercise, variants) = all_answers(&path);
    assert_eq!(field(&exercise, "rows"), &Value::UInt(0));
    assert_eq!(field(&exercise, "weight_max"), &Value::Null);
    for (label, found) in variants {
        assert_eq!(Agreement::Exact.check(&exercise, &found), Ok(()), "{label}");
    }
}
