//! Quoting input in a one-line message: a field of a broken file can be megabytes long or
//! hold control bytes (a line ending, a NUL, a bare carriage return) that would break the
//! line or the terminal.

/// Characters of quoted input kept in a message.
pub const EXCERPT_CHARS: usize = 120;

/// `text` fit for one line of a message: control characters written as escapes (`\n`,
/// `\r`, `\0`, `\u{1b}`), and cut after `EXCERPT_CHARS` characters with a note of how much
/// more there was.
pub fn excerpt(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    for c in chars.by_ref().take(EXCERPT_CHARS) {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    let rest = chars.as_str().len();
    if rest > 0 {
        out.push_str(&format!("... ({rest} more bytes)"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_are_escaped_and_long_text_is_cut() {
        assert_eq!(excerpt("plain"), "plain");
        assert_eq!(excerpt("a\nb\rc\0d\u{1b}"), "a\\nb\\rc\\0d\\u{1b}");
        let long = "x".repeat(50_000_000);
        let cut = excerpt(&long);
        assert_eq!(cut, format!("{}... (49999880 more bytes)", "x".repeat(120)));
    }
}
