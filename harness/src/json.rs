//! A small JSON writer for run records, so that lesson binaries need no serde.

use crate::answer::Value;

/// Writes `value` as compact JSON. Floats are written in their shortest form that reads
/// back to the same bits; NaN and infinities, which JSON cannot hold, become `null`.
pub fn write(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::UInt(v) => out.push_str(&v.to_string()),
        Value::Int(v) => out.push_str(&v.to_string()),
        Value::Float(v) if v.is_finite() => {
            // `{:?}` keeps a ".0" or an exponent, so the number reads back as a float.
            out.push_str(&format!("{v:?}"));
        }
        Value::Float(_) => out.push_str("null"),
        Value::Bool(v) => out.push_str(if *v { "true" } else { "false" }),
        Value::Text(v) => write_string(out, v),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Map(fields) => {
            out.push('{');
            for (i, (name, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, name);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Shorthand for building a JSON object field by field.
pub fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Map(
        fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_json(value: &Value) -> String {
        let mut out = String::new();
        write(&mut out, value);
        out
    }

    #[test]
    fn writes_every_kind_of_value() {
        let value = object([
            ("pi", std::f64::consts::PI.into()),
            ("whole", 3.0.into()),
            ("tiny", 1e-300.into()),
            ("nan", f64::NAN.into()),
            ("n", 10_000_000u64.into()),
            ("neg", (-4i64).into()),
            ("ok", true.into()),
            ("list", vec![1u64, 2].into()),
            ("text", "a \"quoted\"\\ line\n\u{1}é".into()),
        ]);
        assert_eq!(
            to_json(&value),
            r#"{"pi":3.141592653589793,"whole":3.0,"tiny":1e-300,"nan":null,"n":10000000,"neg":-4,"ok":true,"list":[1,2],"text":"a \"quoted\"\\ line\n\u0001é"}"#
        );
    }
}
