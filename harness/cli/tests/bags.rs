//! Facts about the Bags lesson: the pipeline's answers on a bag small enough to work out by
//! hand; any partitioning and thread count gives the starter's answer; lines that are not
//! records are counted with their line numbers.

mod common;

use std::path::Path;

use common::{answer, field, input, lesson_command, run, scratch_dir, write_file as write};
use workbook::{Agreement, Value};

/// Every partitioning, at several thread counts, must give the starter's answer.
fn assert_partitions_agree(path: &Path) -> Value {
    let reference = answer("bags", 1, None, &input(path, &[]));
    for threads in [1, 2, 3, 8] {
        for npartitions in ["1", "2", "7", "100000"] {
            let flags = input(path, &["--npartitions", npartitions]);
            for variant in ["partitions", "reduce"] {
                let found = answer("bags-solution", threads, Some(variant), &flags);
                assert_eq!(
                    Agreement::Exact.check(&reference, &found),
                    Ok(()),
                    "{variant}, {threads} threads, {npartitions} partitions"
                );
            }
        }
        let found = answer("bags-solution", threads, Some("auto"), &input(path, &[]));
        assert_eq!(
            Agreement::Exact.check(&reference, &found),
            Ok(()),
            "auto, {threads} threads"
        );
    }
    reference
}

#[test]
fn a_small_bag_gives_the_answers_worked_out_by_hand() {
    let dir = scratch_dir("bags-small");
    let text = concat!(
        r#"{"id":1,"name":"Alice","age":30,"transactions":[{"id":1,"amount":100},{"id":2,"amount":-40}]}"#,
        "\n",
        r#"{"id":2,"name":"Bob","age":12,"transactions":[{"id":3,"amount":500}]}"#,
        "\r\n",
        r#"{"id":3,"name":"Alice","city":"York","transactions":[{"id":4,"amount":7}]}"#,
        "\n",
        r#"{"id":4,"name":"Alice","age":18,"transactions":[]}"#,
        "\n",
        r#"{"id":5,"name":"Carol","age":70}"#,
        "\n",
        r#"{"id":6,"name":"Bob","age":40,"transactions":[{"id":5,"amount":1},{"id":6,"amount":2}]}"#,
        "\n",
    );
    let found = assert_partitions_agree(&write(&dir, "small.jsonl", text));
    let expect = |name: &str, value: Value| assert_eq!(field(&found, name), &value, "{name}");
    expect("records", Value::UInt(6));
    expect("skipped", Value::UInt(0));
    expect("take", vec!["1 Alice", "2 Bob", "3 Alice"].into());
    expect("top_names", vec!["Alice: 3", "Bob: 2", "Carol: 1"].into());
    // Adults: Alice 30, Alice 18, Carol 70, Bob 40 (Bob 12 is not; record 3 has no age).
    expect("adults", Value::UInt(4));
    expect("without_transactions", Value::UInt(1));
    // Their transactions: Alice 100 and -40; Bob 1 and 2.
    expect("transactions", Value::UInt(4));
    expect("total_amount", Value::UInt(63));
    expect(
        "mean_amount_by_name",
        Value::Map(vec![
            ("Alice".into(), Value::Float(30.0)),
            ("Bob".into(), Value::Float(1.5)),
        ]),
    );
}

#[test]
fn lines_that_are_not_records_are_counted_with_their_numbers() {
    let dir = scratch_dir("bags-malformed");
    let mut generated = Vec::new();
    bags_kit::write_people(&mut generated, 300, 9).expect("generate");
    let mut lines: Vec<String> = String::from_utf8(generated)
        .expect("ASCII")
        .lines()
        .map(String::from)
        .collect();
    lines[4] = String::new(); // line 5: blank
    lines[49] = r#"{"id":50,"name":"Cut"#.into(); // line 50: cut short
    lines[99] = r#"{"id":100,"age":3}"#.into(); // line 100: no name
    lines[199] = r#"{"id":200,"name":"Dan","transactions":[{"id":1,"amount":"lots"}]}"#.into();
    let path = write(&dir, "malformed.jsonl", &(lines.join("\n") + "\n"));
    let found = assert_partitions_agree(&path);
    assert_eq!(field(&found, "records"), &Value::UInt(296));
    assert_eq!(field(&found, "skipped"), &Value::UInt(4));
    let numbers = Value::List([5u64, 50, 100, 200].map(Value::UInt).to_vec());
    assert_eq!(field(&found, "skipped_lines"), &numbers);

    let ran = run(lesson_command("bags").args(input(&path, &["--repeat", "1"])));
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    for expected in [
        "skipped 4 line(s)",
        "line 5: EOF while parsing",
        "line 100: missing field `name`",
    ] {
        assert!(ran.stdout.contains(expected), "{expected}: {}", ran.stdout);
    }
}

#[test]
fn the_shipped_bag_agrees_and_a_missing_file_is_one_line() {
    let found = assert_partitions_agree(Path::new("data/people.jsonl"));
    assert_eq!(field(&found, "records"), &Value::UInt(10_000));
    for binary in ["bags", "bags-solution"] {
        let ran = run(lesson_command(binary).args(["--input", "no/such.jsonl"]));
        assert_eq!(ran.code, 1, "{}", ran.stderr);
        assert_eq!(ran.stderr.lines().count(), 1, "{}", ran.stderr);
        assert!(
            ran.stderr.contains("cannot read no/such.jsonl"),
            "{}",
            ran.stderr
        );
    }
}

#[test]
fn totals_past_64_bits_are_exact_not_a_panic_or_a_wrap() {
    // Two amounts of i64::MAX and one of 1 used to panic in a debug build and wrap to a
    // wrong total in a release build.
    let dir = scratch_dir("bags-overflow");
    let max = i64::MAX;
    let text = format!(
        "{{\"id\":1,\"name\":\"Ann\",\"age\":30,\"transactions\":[{{\"id\":1,\"amount\":{max}}}]}}\n\
         {{\"id\":2,\"name\":\"Bo\",\"age\":40,\"transactions\":[{{\"id\":2,\"amount\":{max}}},{{\"id\":3,\"amount\":1}}]}}\n\
         {{\"id\":3,\"name\":\"Cy\",\"age\":50,\"transactions\":[{{\"id\":4,\"amount\":{max}}}]}}\n"
    );
    let path = write(&dir, "rich.jsonl", text);
    let found = assert_partitions_agree(&path);
    let exact = 3 * i128::from(max) + 1;
    assert_eq!(
        field(&found, "total_amount"),
        &Value::Text(exact.to_string())
    );
    assert_eq!(field(&found, "transactions"), &Value::UInt(4));
}
