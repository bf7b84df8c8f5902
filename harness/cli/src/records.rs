//! Run records: read back from the JSON lines lesson binaries print with `--json`, found
//! in results folders, and the warnings they carry.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value as Json;
use workbook::{Record, Value};

use crate::failure::{Failure, Outcome};

/// Parses one record; the error names the first field that is missing or malformed.
pub fn parse_record(line: &str) -> Result<Record, String> {
    let json: Json = serde_json::from_str(line).map_err(|e| format!("not a JSON record ({e})"))?;
    Record::from_value(&to_value(&json))
}

/// JSON to the harness's `Value`. Whole numbers stay whole; a number written with a point
/// or an exponent is a float, exactly as the lesson printed it (serde_json's
/// `float_roundtrip` parsing keeps every bit).
pub fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => Value::UInt(u),
            (None, Some(i)) => Value::Int(i),
            _ => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Value::Text(s.clone()),
        Json::Array(items) => Value::List(items.iter().map(to_value).collect()),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(key, value)| (key.clone(), to_value(value)))
                .collect(),
        ),
    }
}

/// Every record under the given folders (or in the given files). A folder that holds no
/// records, or a line that is not a record, is an error that names it.
pub fn load(paths: &[PathBuf]) -> Outcome<Vec<Record>> {
    let mut records = Vec::new();
    // A file reached twice (a job's folder and one of its sweeps) is read once.
    let mut read = BTreeSet::new();
    for path in paths {
        let files = record_files(path)?;
        if files.is_empty() {
            return Err(Failure::failed(format!(
                "{} holds no records.jsonl: give the folders that `workbook sweep` or a \
                 Slurm job wrote (a job that failed writes none: see its slurm-*.out)",
                path.display()
            )));
        }
        for file in files {
            if !read.insert(file.canonicalize().unwrap_or_else(|_| file.clone())) {
                continue;
            }
            let text = std::fs::read_to_string(&file)
                .map_err(|e| Failure::failed(format!("cannot read {}: {e}", file.display())))?;
            for (number, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                let record = parse_record(line).map_err(|e| {
                    Failure::failed(format!("{} line {}: {e}", file.display(), number + 1))
                })?;
                records.push(record);
            }
        }
    }
    if records.is_empty() {
        return Err(Failure::failed(
            "the records.jsonl files given are empty: no runs to report",
        ));
    }
    Ok(records)
}

/// records.jsonl files at or under `path`, in name order.
fn record_files(path: &Path) -> Outcome<Vec<PathBuf>> {
    let metadata = std::fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?;
    if metadata.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let mut folders = vec![path.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .map_err(|e| Failure::failed(format!("cannot read {}: {e}", folder.display())))?;
        for entry in entries.flatten() {
            let entry_path = entry.path();
            if entry_path.is_dir() {
                folders.push(entry_path);
            } else if entry.file_name() == "records.jsonl" {
                found.push(entry_path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Each distinct warning once, after the results.
pub fn print_warnings<'a>(records: impl Iterator<Item = &'a Record>) {
    let mut seen: Vec<&str> = Vec::new();
    for record in records {
        if !record.answers_identical {
            eprintln!(
                "warning: {} {} gave different answers on different runs: a race, or a \
                 sum whose order depends on the scheduling",
                record.lesson, record.variant
            );
        }
        for warning in &record.warnings {
            if !seen.contains(&warning.as_str()) {
                seen.push(warning);
                eprintln!("warning: {warning}");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use workbook::Side;
    use workbook::machine::Machine;

    fn sample(answer: f64) -> Record {
        Record {
            lesson: "pi".into(),
            side: Side::Solution,
            variant: "rayon".into(),
            params: vec![("n".into(), 10u64.into()), ("chunks".into(), 2u64.into())],
            threads: 3,
            ranks: None,
            warmup: 1,
            seconds: vec![0.25, 0.125, 0.5],
            answer: vec![("pi".into(), answer.into())],
            answers_identical: true,
            ideal_seconds: None,
            work: None,
            peak_rss_bytes: Some(4096),
            warnings: vec!["a \"quoted\" warning".into()],
            machine: Machine::detect(),
        }
    }

    #[test]
    fn records_read_back_as_written() {
        // Floats whose shortest decimal form is long, and a subnormal.
        for answer in [
            std::f64::consts::PI,
            3.1415926535897905,
            0.1 + 0.2,
            5e-324,
            1e300,
        ] {
            let record = sample(answer);
            assert_eq!(parse_record(&record.to_json()), Ok(record));
        }
    }

    #[test]
    fn broken_records_are_named() {
        assert!(
            parse_record("{")
                .unwrap_err()
                .starts_with("not a JSON record")
        );
        let json = sample(1.0)
            .to_json()
            .replace("\"record\":1", "\"record\":99");
        assert_eq!(
            parse_record(&json).unwrap_err(),
            "record version 99; this workbook reads version 1"
        );
        let json = sample(1.0)
            .to_json()
            .replace("\"threads\":3", "\"threads\":\"3\"");
        assert_eq!(
            parse_record(&json).unwrap_err(),
            "no whole-number field 'threads'"
        );
    }

    #[test]
    fn impossible_timings_are_refused() {
        let json = sample(1.0).to_json();
        let cases = [
            ("\"threads\":3", "\"threads\":0", "threads is 0"),
            (
                "\"seconds\":[0.25,0.125,0.5]",
                "\"seconds\":[]",
                "seconds is empty",
            ),
            (
                "\"seconds\":[0.25,0.125,0.5]",
                "\"seconds\":[0.25,0.0]",
                "seconds holds 0",
            ),
            (
                "\"seconds\":[0.25,0.125,0.5]",
                "\"seconds\":[-1.0]",
                "seconds holds -1",
            ),
        ];
        for (from, to, expected) in cases {
            assert!(json.contains(from), "{json}");
            let broken = json.replace(from, to);
            let error = parse_record(&broken).unwrap_err();
            assert!(error.starts_with(expected), "{to}: {error}");
        }
        // JSON has no infinity: a number too big for f64 is not a record at all.
        let huge = json.replace("\"seconds\":[0.25,0.125,0.5]", "\"seconds\":[1e999]");
        assert!(
            parse_record(&huge)
                .unwrap_err()
                .starts_with("not a JSON record")
        );
    }
}
