//! Request limits that need more than a number: the JSON nesting depth, checked on the raw
//! bytes before parsing, so a deeply nested body never reaches `serde_json`'s recursion.

/// Where a JSON text first nests deeper than allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line of the bracket that went over the limit.
    pub line: usize,
    /// 1-based column (in bytes) of that bracket.
    pub column: usize,
}

/// Scans `bytes` and reports the first `[` or `{` that opens level `max_depth + 1`.
/// Brackets inside strings do not count; the text need not be valid JSON (the parser
/// reports what else is wrong).
///
/// # Errors
/// `TooDeep` with the position of the first bracket over the limit.
pub fn check_depth(bytes: &[u8], max_depth: usize) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 1usize;
    let mut line_start = 0usize;
    for (offset, &byte) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max_depth {
                    return Err(TooDeep {
                        line,
                        column: offset - line_start + 1,
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b'\n' => {
                line += 1;
                line_start = offset + 1;
            }
            _ => {}
        }
    }
    Ok(())
}

/// Compares two secrets in time that depends on neither's content nor length: both are
/// hashed first, then every byte of the digests is compared.
pub fn same_secret(given: &[u8], expected: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let a = Sha256::digest(given);
    let b = Sha256::digest(expected);
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_counts_brackets_outside_strings_only() {
        type Case = (&'static str, usize, Option<(usize, usize)>);
        let cases: &[Case] = &[
            (r#"{"a": 1}"#, 1, None),
            (r#"{"a": {"b": 1}}"#, 1, Some((1, 7))),
            (r#"{"a": "[[[[{{{{"}"#, 1, None),
            (r#"{"a": "\"[[["}"#, 1, None),
            ("[[1], [2], [3]]", 2, None),
            ("{\n  \"a\": [\n    [1]\n  ]\n}", 2, Some((3, 5))),
            ("1", 0, None),
            ("[", 0, Some((1, 1))),
        ];
        for &(text, max, expected) in cases {
            let got = check_depth(text.as_bytes(), max)
                .err()
                .map(|e| (e.line, e.column));
            assert_eq!(got, expected, "{text:?} with max {max}");
        }
    }

    #[test]
    fn deep_input_is_stopped_without_recursion() {
        let text = "[".repeat(1_000_000);
        assert_eq!(
            check_depth(text.as_bytes(), 64),
            Err(TooDeep {
                line: 1,
                column: 65
            })
        );
    }

    #[test]
    fn secrets_compare_by_content() {
        assert!(same_secret(b"s3cret", b"s3cret"));
        assert!(!same_secret(b"s3cret", b"s3cre"));
        assert!(!same_secret(b"", b"s3cret"));
        assert!(!same_secret(b"s3creT", b"s3cret"));
    }
}
