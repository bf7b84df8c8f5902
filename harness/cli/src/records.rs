//! Reading run records (the JSON lines lesson binaries print with `--json`) back into the
//! harness's `Record`.

use serde_json::Value as Json;
use workbook::machine::{Build, Machine, Slurm};
use workbook::record::{RECORD_VERSION, Side};
use workbook::{Record, Value};

/// Parses one record; the error names the first field that is missing or malformed.
pub fn parse_record(line: &str) -> Result<Record, String> {
    let json: Json = serde_json::from_str(line).map_err(|e| format!("not a JSON record ({e})"))?;
    let version = json["record"].as_u64().ok_or("no record version")?;
    if version != RECORD_VERSION {
        return Err(format!(
            "record version {version}; this workbook reads version {RECORD_VERSION}"
        ));
    }
    let machine = &json["machine"];
    let record = Record {
        lesson: text(&json, "lesson")?,
        side: Side::parse(&text(&json, "side")?).ok_or("side is neither exercise nor solution")?,
        variant: text(&json, "variant")?,
        params: fields(&json, "params")?,
        threads: whole(&json, "threads")? as usize,
        warmup: whole(&json, "warmup")? as u32,
        seconds: json["seconds"]
            .as_array()
            .ok_or("no seconds")?
            .iter()
            .map(|s| s.as_f64().ok_or("seconds holds a non-number"))
            .collect::<Result<_, _>>()?,
        answer: fields(&json, "answer")?,
        answers_identical: json["answers_identical"]
            .as_bool()
            .ok_or("no answers_identical")?,
        // Absent from records written before the field existed.
        ideal_seconds: json["ideal_seconds"].as_f64(),
        peak_rss_bytes: json["peak_rss_bytes"].as_u64(),
        warnings: json["warnings"]
            .as_array()
            .ok_or("no warnings")?
            .iter()
            .filter_map(|w| w.as_str().map(str::to_string))
            .collect(),
        machine: Machine {
            host: text(machine, "host")?,
            cpu_model: text(machine, "cpu_model")?,
            logical_cpus: whole(machine, "logical_cpus")? as usize,
            available_cpus: whole(machine, "available_cpus")? as usize,
            physical_cores: machine["physical_cores"].as_u64().map(|n| n as usize),
            os: text(machine, "os")?,
            slurm: slurm(&machine["slurm"])?,
            build: Build {
                profile: text(machine, "profile")?,
                opt_level: text(machine, "opt_level")?,
                rustc: text(machine, "rustc")?,
                git_commit: text(machine, "git_commit")?,
                target: text(machine, "target")?,
            },
            timestamp: text(machine, "timestamp")?,
        },
    };
    check_timings(&record)?;
    Ok(record)
}

/// What no run can have measured: a report built on it would print NaN or inf.
fn check_timings(record: &Record) -> Result<(), String> {
    if record.threads == 0 {
        return Err("threads is 0: a run has at least one thread".to_string());
    }
    if record.seconds.is_empty() {
        return Err("seconds is empty: a record holds at least one timed run".to_string());
    }
    // A time of 0 would make every speedup against it infinite.
    let impossible = |s: &f64| !s.is_finite() || *s <= 0.0;
    if let Some(bad) = record.seconds.iter().find(|s| impossible(s)) {
        return Err(format!(
            "seconds holds {bad}: a time is a finite number above 0"
        ));
    }
    // An ideal of 0 is real: simulated work of 0 ms.
    if let Some(bad) = record.ideal_seconds.filter(|s| !s.is_finite() || *s < 0.0) {
        return Err(format!(
            "ideal_seconds is {bad}: an ideal time is a finite number, 0 or more"
        ));
    }
    Ok(())
}

fn slurm(json: &Json) -> Result<Option<Slurm>, String> {
    if json.is_null() {
        return Ok(None);
    }
    let optional = |name: &str| json[name].as_str().map(str::to_string);
    Ok(Some(Slurm {
        job_id: text(json, "job_id")?,
        array_job_id: optional("array_job_id"),
        array_task_id: optional("array_task_id"),
        cpus_per_task: optional("cpus_per_task"),
        node_list: optional("node_list"),
        node_name: optional("node_name"),
    }))
}

fn text(json: &Json, name: &str) -> Result<String, String> {
    json[name]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no text field '{name}'"))
}

fn whole(json: &Json, name: &str) -> Result<u64, String> {
    json[name]
        .as_u64()
        .ok_or_else(|| format!("no whole-number field '{name}'"))
}

fn fields(json: &Json, name: &str) -> Result<Vec<(String, Value)>, String> {
    let object = json[name]
        .as_object()
        .ok_or_else(|| format!("no object field '{name}'"))?;
    Ok(object
        .iter()
        .map(|(key, value)| (key.clone(), to_value(value)))
        .collect())
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

#[cfg(test)]
mod tests {
    use super::*;
    use workbook::machine::Machine;

    fn sample(answer: f64) -> Record {
        Record {
            lesson: "pi".into(),
            side: Side::Solution,
            variant: "rayon".into(),
            params: vec![("n".into(), 10u64.into()), ("chunks".into(), 2u64.into())],
            threads: 3,
            warmup: 1,
            seconds: vec![0.25, 0.125, 0.5],
            answer: vec![("pi".into(), answer.into())],
            answers_identical: true,
            ideal_seconds: None,
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
