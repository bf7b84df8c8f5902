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

/// The exercise's answer, and every variant's at several thread counts and block sizes
/// (polars' when the tests are built with it: see `polars_is_in_the_tests_build`).
fn all_answers(path: &Path) -> (Value, Vec<(String, Value)>) {
    let reference = answer("dataframes", 1, None, &input(path, &[]));
    let mut found = Vec::new();
    for threads in [1, 3, 8] {
        for blocksize in ["1000", "1500", "1000000"] {
            let flags = input(path, &["--blocksize", blocksize]);
            for variant in ["blocks", "file"] {
                let label = format!("{variant}, {threads} threads, blocksize {blocksize}");
                let answer = answer("dataframes-solution", threads, Some(variant), &flags);
                found.push((label, answer));
            }
        }
        if common::POLARS {
            let flags = input(path, &[]);
            let polars = answer("dataframes-solution", threads, Some("polars"), &flags);
            found.push((format!("polars, {threads} threads"), polars));
        }
    }
    (reference, found)
}

/// The polars variant's share of these tests runs only in a build with polars: this test
/// shows as ignored when it did not.
#[test]
#[cfg_attr(
    not(feature = "polars"),
    ignore = "needs --features workbook-cli/polars (polars takes 10-19 min to build); CI turns it on"
)]
fn polars_is_in_the_tests_build() {
    let ran = run(lesson_command("dataframes-solution").args([
        "--variant",
        "polars",
        "--repeat",
        "1",
        "--quiet",
    ]));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
}

/// Without polars, asking for it says how to build it, in one line. (Built with polars,
/// there is nothing to test: the variant runs.)
#[test]
#[cfg(not(feature = "polars"))]
fn polars_left_out_of_the_build_says_how_to_get_it() {
    let ran = run(lesson_command("dataframes-solution").args(["--variant", "polars"]));
    common::assert_fails(&ran, 2, "--features polars");
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
        for blocksize in ["1000", "1200", "100000"] {
            for variant in ["blocks", "file"] {
                let found = answer(
                    "dataframes-solution",
                    threads,
                    Some(variant),
                    &input(&path, &["--blocksize", blocksize]),
                );
                assert_eq!(
                    Agreement::Exact.check(&exercise, &found),
                    Ok(()),
                    "{variant}, {threads} threads, blocksize {blocksize}"
                );
            }
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
}

#[test]
#[cfg_attr(
    not(feature = "polars"),
    ignore = "needs --features workbook-cli/polars (polars takes 10-19 min to build); CI turns it on"
)]
fn polars_stops_at_a_malformed_row_with_one_line() {
    // polars cannot skip rows: it stops with one line that says why, never a wrong answer.
    // It reads numbers as 64-bit integers, so a negative weight or a year past 65535
    // parses, and must still be refused.
    let dir = scratch_dir("dataframes-polars-malformed");
    let good = String::from_utf8(surveys(60, false)).expect("ASCII");
    let lines: Vec<String> = good.lines().map(String::from).collect();
    let without_weight = |line: &str| line.rsplit_once(',').expect("a comma").0.to_string();
    let mut year_too_big: Vec<String> = good
        .lines()
        .nth(50)
        .expect("line 51")
        .split(',')
        .map(String::from)
        .collect();
    year_too_big[3] = "70000".to_string();
    let bad_lines = [
        (11, format!("{},extra", lines[10]), "polars could not read"),
        (21, without_weight(&lines[20]), "wrong number of fields"),
        (
            31,
            format!("{},heavy", without_weight(&lines[30])),
            "polars could not read",
        ),
        (
            41,
            format!("{},-5", without_weight(&lines[40])),
            "a weight of -5, out of range",
        ),
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
        let mut sides = vec![
            ("dataframes", None),
            ("dataframes-solution", Some("blocks")),
            ("dataframes-solution", Some("file")),
        ];
        if common::POLARS {
            sides.push(("dataframes-solution", Some("polars")));
        }
        for (binary, variant) in sides {
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

/// The surveys file with `change` made to the fields of some rows.
fn edited(rows: u64, crlf: bool, change: impl Fn(usize, &mut Vec<String>)) -> Vec<u8> {
    let ending = if crlf { "\r\n" } else { "\n" };
    let text = String::from_utf8(surveys(rows, crlf)).expect("ASCII");
    let mut lines: Vec<String> = text.split(ending).map(String::from).collect();
    for (index, line) in lines.iter_mut().enumerate().skip(1) {
        if line.is_empty() {
            continue;
        }
        let mut fields: Vec<String> = line.split(',').map(String::from).collect();
        change(index + 1, &mut fields);
        *line = fields.join(",");
    }
    lines.join(ending).into_bytes()
}

#[test]
fn quoted_line_endings_give_the_same_answer_at_any_block_size() {
    // A valid CSV file whose species is "N\nL" on some rows: blocks cut at line endings
    // used to split those rows, count 2 rows fewer and invent malformed lines.
    let dir = scratch_dir("dataframes-quoted");
    let bytes = edited(4000, false, |line, fields| {
        if line % 997 == 0 || line == 3999 {
            fields[5] = "\"N\nL\"".to_string();
        }
    });
    let path = write(&dir, "quoted.csv", &bytes);
    let (reference, variants) = all_answers(&path);
    assert_eq!(field(&reference, "rows"), &Value::UInt(4000));
    assert_eq!(field(&reference, "skipped"), &Value::UInt(0));
    for (label, found) in variants {
        assert_eq!(
            Agreement::Exact.check(&reference, &found),
            Ok(()),
            "{label}"
        );
    }
}

#[test]
fn a_quote_left_open_is_reported_with_every_line_it_swallows() {
    // A quote opened on line 3 of a 12-row file and never closed: the rest of the file is
    // one field. The lines after line 3 used to vanish without a word.
    let dir = scratch_dir("dataframes-open-quote");
    let bytes = edited(12, false, |line, fields| {
        if line == 3 {
            fields[5] = format!("\"{}", fields[5]);
        }
    });
    let path = write(&dir, "open.csv", &bytes);
    let exercise = answer("dataframes", 1, None, &input(&path, &[]));
    assert_eq!(field(&exercise, "rows"), &Value::UInt(1));
    assert_eq!(field(&exercise, "skipped"), &Value::UInt(1));
    let span = Value::List(vec![Value::Text("3-13".to_string())]);
    assert_eq!(field(&exercise, "skipped_lines"), &span);
    // tail() shows rows, not lines inside the open quote.
    let Value::List(tail) = field(&exercise, "tail") else {
        panic!("a list")
    };
    assert_eq!(tail.len(), 1, "{tail:?}");
    for threads in [1, 3] {
        for blocksize in ["1000", "100000"] {
            let flags = input(&path, &["--blocksize", blocksize]);
            let found = answer("dataframes-solution", threads, None, &flags);
            assert_eq!(
                Agreement::Exact.check(&exercise, &found),
                Ok(()),
                "{blocksize}"
            );
        }
    }
    let ran = run(lesson_command("dataframes").args(input(&path, &["--repeat", "1"])));
    assert!(
        ran.stdout.contains("lines 3-13: expected 9 fields, found 6 (a quoted field runs on over 11 lines: is a quote left open?)"),
        "{}",
        ran.stdout
    );
}

#[test]
fn line_numbers_are_the_same_with_crlf_endings_and_any_block_size() {
    // Bad rows on lines 500 and 800 of a file with \r\n endings were reported on 499
    // and 799.
    let dir = scratch_dir("dataframes-crlf-lines");
    let bytes = edited(1000, true, |line, fields| {
        if line == 500 || line == 800 {
            fields[8] = "heavy".to_string();
        }
    });
    let path = write(&dir, "crlf.csv", &bytes);
    let expected = Value::List(vec![Value::UInt(500), Value::UInt(800)]);
    let exercise = answer("dataframes", 1, None, &input(&path, &[]));
    assert_eq!(field(&exercise, "skipped_lines"), &expected);
    for blocksize in ["1000", "3333", "100000"] {
        let flags = input(&path, &["--blocksize", blocksize]);
        for variant in ["blocks", "file"] {
            let found = answer("dataframes-solution", 2, Some(variant), &flags);
            assert_eq!(
                field(&found, "skipped_lines"),
                &expected,
                "{variant} {blocksize}"
            );
        }
    }
}

#[test]
#[cfg_attr(
    not(feature = "polars"),
    ignore = "needs --features workbook-cli/polars (polars takes 10-19 min to build); CI turns it on"
)]
fn a_huge_or_strange_field_makes_a_short_error_line() {
    // polars quotes the field it cannot parse: 5 MB of digits and a NUL used to come out
    // as a 5 MB "one-line" message.
    let dir = scratch_dir("dataframes-huge-field");
    let bytes = edited(20, false, |line, fields| {
        if line == 5 {
            fields[8] = "9".repeat(5_000_000);
        }
    });
    let path = write(&dir, "huge.csv", &bytes);
    let ran = run(lesson_command("dataframes-solution")
        .args(input(&path, &["--variant", "polars", "--repeat", "1"])));
    assert_eq!(ran.code, 1, "{}", ran.stderr.len());
    assert_eq!(ran.stderr.lines().count(), 1);
    assert!(ran.stderr.len() < 400, "{} bytes", ran.stderr.len());
    assert!(ran.stderr.contains("more bytes)"), "{}", ran.stderr);
}

#[test]
fn a_strange_header_is_shown_escaped() {
    let dir = scratch_dir("dataframes-strange-header");
    let header = write(&dir, "nul.csv", "record_id\0,\rmonth\n1\n");
    let ran = run(lesson_command("dataframes").args(input(&header, &["--repeat", "1"])));
    common::assert_fails(&ran, 1, "found 'record_id\\0,\\rmonth'");
}

#[test]
fn tiny_blocks_are_refused() {
    // One task per byte opened the file a million times: a hang, not a lesson.
    common::assert_usage_error(
        &run(lesson_command("dataframes-solution").args(["--blocksize", "1"])),
        "--blocksize: expected a whole number from 1000",
    );
}
