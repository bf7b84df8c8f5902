//! Facts about the Sharing lesson: every variant gives the starter's table exactly, at 1, 2, 3
//! and 8 threads and at awkward sizes, and the table follows Benford's law.

mod common;

use common::{answer, flags};
use workbook::{Agreement, Value};

fn counts_of(answer: &Value) -> Vec<u64> {
    let Value::Map(fields) = answer else {
        panic!("unexpected answer {answer:?}");
    };
    let Some((_, Value::List(counts))) = fields.iter().find(|(name, _)| name == "counts") else {
        panic!("no counts in {answer:?}");
    };
    counts
        .iter()
        .map(|count| match count {
            Value::UInt(count) => *count,
            other => panic!("a count of {other:?}"),
        })
        .collect()
}

#[test]
fn every_variant_counts_exactly_the_starters_table_at_any_thread_count() {
    // Sizes no thread count divides, one number, and fewer numbers than threads.
    for n in ["100003", "1", "5"] {
        let case = flags(&["--n", n]);
        let reference = answer("sharing", 1, None, &case);
        let counts = counts_of(&reference);
        assert_eq!(counts.len(), 90);
        assert_eq!(counts.iter().sum::<u64>(), n.parse::<u64>().expect("n"));
        for threads in [1, 2, 3, 8] {
            for variant in workbook::registry::SHARING.variants {
                let found = answer("sharing-solution", threads, Some(variant.name), &case);
                assert_eq!(
                    Agreement::Exact.check(&reference, &found),
                    Ok(()),
                    "n={n}: {} at {threads} threads",
                    variant.name
                );
            }
        }
    }
}

#[test]
fn ten_comes_first_ten_times_as_often_as_ninety_nine() {
    let counts = counts_of(&answer("sharing", 2, None, &flags(&["--n", "1000000"])));
    // Benford: log10(1 + 1/10) / log10(1 + 1/99) = 9.6.
    let ratio = counts[0] as f64 / counts[89] as f64;
    assert!((9.0..10.3).contains(&ratio), "{ratio}");
}
