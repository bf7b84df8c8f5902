//! Facts about the Pi lesson: the source material's reference answer, accuracy at the
//! default size, and awkward sizes.

mod common;

use common::{answer, assert_usage_error, flags, lesson_command, run};
use workbook::{Agreement, Value};

fn pi_of(answer: &Value) -> f64 {
    match answer {
        Value::Map(fields) => match fields.as_slice() {
            [(name, Value::Float(pi))] if name == "pi" => *pi,
            other => panic!("unexpected answer {other:?}"),
        },
        other => panic!("unexpected answer {other:?}"),
    }
}

/// The source material's serial loop over 0..n, run in Python, prints 3.141592653589731
/// (see the lesson text for its 1..n slip). One chunk is the same loop in the same order.
#[test]
fn one_chunk_reproduces_the_source_materials_answer_to_the_bit() {
    let one_chunk = flags(&["--n", "10000000", "--chunks", "1"]);
    for (binary, variant) in [
        ("pi", None),
        ("pi-solution", Some("rayon")),
        ("pi-solution", Some("threads")),
    ] {
        let found = pi_of(&answer(binary, 2, variant, &one_chunk));
        assert_eq!(
            found.to_bits(),
            3.141592653589731f64.to_bits(),
            "{binary} {variant:?}: {found:?}"
        );
    }
}

#[test]
fn the_default_size_is_within_1e_12_of_pi() {
    for variant in ["rayon", "lanes"] {
        let found = pi_of(&answer("pi-solution", 2, Some(variant), &[]));
        let error = (found - std::f64::consts::PI).abs();
        assert!(error < 1e-12, "{variant}: {found:?} is off by {error:e}");
    }
}

#[test]
fn awkward_sizes_agree_on_every_variant() {
    // One slice; one slice per chunk; more threads than chunks; chunks shorter than the
    // eight lanes; a prime n.
    let cases: [&[&str]; 5] = [
        &["--n", "1", "--chunks", "1"],
        &["--n", "7", "--chunks", "7"],
        &["--n", "5", "--chunks", "3"],
        &["--n", "100", "--chunks", "40"],
        &["--n", "1000003", "--chunks", "1000"],
    ];
    let lesson = &workbook::registry::PI;
    for case in cases {
        let case = flags(case);
        let reference = answer("pi", 1, None, &case);
        for threads in [1, 8] {
            for variant in lesson.variants {
                let found = answer("pi-solution", threads, Some(variant.name), &case);
                assert_eq!(
                    variant.agreement.check(&reference, &found),
                    Ok(()),
                    "{case:?} {} at {threads}",
                    variant.name
                );
            }
        }
    }
}

#[test]
fn lanes_change_the_last_digits_only() {
    let default = flags(&[]);
    let exercise = answer("pi", 1, None, &default);
    let lanes = answer("pi-solution", 2, Some("lanes"), &default);
    // Not the same bits: the additions happen in another order...
    assert!(Agreement::Exact.check(&exercise, &lanes).is_err());
    // ...but the same number to within 1e-12.
    let close = Agreement::Close {
        abs: 1e-12,
        rel: 0.0,
    };
    assert_eq!(close.check(&exercise, &lanes), Ok(()));
}

#[test]
fn more_chunks_than_slices_is_refused() {
    for binary in ["pi", "pi-solution"] {
        let ran = run(lesson_command(binary).args(["--n", "10", "--chunks", "11"]));
        assert_usage_error(&ran, "--chunks (11) must not exceed --n (10)");
    }
}
