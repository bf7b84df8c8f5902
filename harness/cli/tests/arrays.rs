//! Facts about the Arrays lesson: stored and streamed give the same bits, the numbers look
//! uniform, memory follows the choice, and impossible sizes are refused.

mod common;

use common::{answer, assert_usage_error, flags, lesson_command, record, run};
use workbook::{Agreement, Value};

fn float(answer: &Value, name: &str) -> f64 {
    match answer {
        Value::Map(fields) => match fields.iter().find(|(n, _)| n == name) {
            Some((_, Value::Float(x))) => *x,
            other => panic!("{name}: {other:?}"),
        },
        other => panic!("unexpected answer {other}"),
    }
}

#[test]
fn stored_and_streamed_give_the_same_bits_on_any_threads_and_sizes() {
    for (n, chunk) in [("257", "64"), ("100", "100"), ("90", "7"), ("1", "1")] {
        let streamed = flags(&["--n", n, "--chunk", chunk]);
        let mut stored = streamed.clone();
        stored.push("--materialize".into());
        let reference = answer("arrays", 1, None, &streamed);
        for threads in [1, 3, 8] {
            let sides = [
                ("arrays", None),
                ("arrays-solution", Some("chunks")),
                ("arrays-solution", Some("bands")),
                ("arrays-solution", Some("fused")),
            ];
            for (binary, variant) in sides {
                for (how, flags) in [("stored", &stored), ("streamed", &streamed)] {
                    let found = answer(binary, threads, variant, flags);
                    assert_eq!(
                        Agreement::Exact.check(&reference, &found),
                        Ok(()),
                        "{binary} {variant:?} n={n} chunk={chunk} {how}, {threads} threads"
                    );
                }
            }
        }
    }
}

#[test]
fn the_numbers_look_uniform_and_the_seed_matters() {
    let size = flags(&["--n", "1000", "--chunk", "250"]);
    let found = answer("arrays-solution", 2, None, &size);
    // A mean of 10^6 uniform numbers: 0.5, give or take 0.0003 (one standard deviation).
    let mean = float(&found, "mean");
    assert!((mean - 0.5).abs() < 0.002, "mean {mean}");
    // Column means of 1000 numbers: 0.5, give or take 0.009.
    assert!(
        float(&found, "column_mean_min") > 0.45 && float(&found, "column_mean_max") < 0.55,
        "{found}"
    );
    let mut other_seed = size.clone();
    other_seed.extend(["--seed".into(), "7".into()]);
    assert_ne!(found, answer("arrays-solution", 2, None, &other_seed));
    // Chunks are part of the question: each has its own stream of numbers.
    let other_chunks = flags(&["--n", "1000", "--chunk", "500"]);
    assert_ne!(found, answer("arrays-solution", 2, None, &other_chunks));
}

#[test]
fn storing_the_array_costs_its_memory_and_streaming_does_not() {
    let args = [
        "--n", "3000", "--chunk", "500", "--repeat", "1", "--warmup", "0",
    ];
    let streamed = record("arrays-solution", &args);
    let mut stored_args = args.to_vec();
    stored_args.push("--materialize");
    let stored = record("arrays-solution", &stored_args);
    let array_bytes = 3000 * 3000 * 8;
    let (streamed, stored) = (
        streamed.peak_rss_bytes.expect("peak"),
        stored.peak_rss_bytes.expect("peak"),
    );
    assert!(stored > array_bytes, "stored peak {stored}");
    assert!(streamed < array_bytes / 4, "streamed peak {streamed}");
}

#[test]
fn impossible_sizes_are_refused_in_one_line() {
    for binary in ["arrays", "arrays-solution"] {
        let bad = |args: &[&str], expected: &str| {
            assert_usage_error(&run(lesson_command(binary).args(args)), expected);
        };
        bad(
            &["--n", "0"],
            "--n: expected a whole number from 1 to 100000, got '0'",
        );
        bad(&["--chunk", "0"], "--chunk: expected a whole number from 1");
        bad(
            &["--n", "100", "--chunk", "101"],
            "--chunk (101) must not exceed --n (100)",
        );
        bad(&["--seed", "-1"], "--seed: expected a whole number from 0");
        // Refused for want of memory under `ulimit -v` (it used to abort on allocation).
        let ran = run(common::under_ulimit_v(binary, 500_000).args(["--materialize"]));
        assert_usage_error(
            &ran,
            "--materialize of a 10000 x 10000 array needs 801 MB; this process may take",
        );
        assert!(ran.stderr.contains("(ulimit -v)"), "{}", ran.stderr);
        // So many chunks that their partial results alone cannot fit anywhere.
        bad(
            &["--n", "100000", "--chunk", "1"],
            "--n 100000 in 10000000000 chunks of --chunk 1 needs 640.0 GB",
        );
    }
}
