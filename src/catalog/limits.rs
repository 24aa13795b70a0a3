//! Insights' and `TaskRouter`'s limits and spellings: each fact once, with the source that says
//! it (the evidence tags name [`super::SOURCES`]).
//!
//! Code uses the constants ([`TEXT_CHARS`], [`PAYLOAD_CHARS`], [`DATE_MIN_MS`], …). Static text
//! that must stay a `&'static str` (lint explanations, code summaries) spells a number with the
//! macros below inside `concat!`, so no copy of a number lives outside this file; a test in
//! this module fails when a bare `128`, `4096`, `1901` or `2049` comes back in `src/`.

/// Expands to the literal text limit (for `concat!` in static text); code uses [`TEXT_CHARS`].
macro_rules! text_chars {
    () => {
        128
    };
}
/// Expands to the literal payload cap (for `concat!`); code uses [`PAYLOAD_CHARS`].
macro_rules! payload_chars {
    () => {
        4096
    };
}
/// Expands to the literal date range `1901–2049` (for `concat!`); code uses [`DATE_RANGE`].
macro_rules! date_range {
    () => {
        "1901–2049"
    };
}
pub(crate) use {date_range, payload_chars, text_chars};

/// Insights keeps the first 128 characters of a text value and cuts the rest on load, without
/// an error (D:S1, `reference/insights.md` § Limits).
pub const TEXT_CHARS: usize = text_chars!();

/// `TaskRouter` rejects a task or worker update whose attributes JSON is longer than 4096
/// characters (Unicode scalar values), whitespace included, so none of it reaches Insights (D:S17).
pub const PAYLOAD_CHARS: usize = payload_chars!();

/// The first year Insights accepts a date or time in (D:S1).
pub const DATE_MIN_YEAR: i32 = 1901;

/// The last year Insights accepts a date or time in, inclusive (D:S1).
pub const DATE_MAX_YEAR: i32 = 2049;

/// The accepted years as messages show them: `1901–2049`.
pub const DATE_RANGE: &str = date_range!();

/// Earliest instant Insights accepts: 1901-01-01T00:00:00Z as epoch milliseconds (D:S1).
pub const DATE_MIN_MS: i64 = -2_177_452_800_000;

/// Latest instant Insights accepts: 2049-12-31T23:59:59.999Z as epoch milliseconds (D:S1).
pub const DATE_MAX_MS: i64 = 2_524_607_999_999;

/// One limit with its evidence, as `docs/insights.md` and tests list them.
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub struct Limit {
    /// What is limited, in a few words.
    pub what: &'static str,
    /// The limit as users read it.
    pub value: String,
    /// Evidence tags naming [`super::SOURCES`] (`D:S1`).
    pub evidence: &'static str,
}

/// Every limit of this module with its evidence.
#[must_use]
pub fn limits() -> Vec<Limit> {
    vec![
        Limit {
            what: "characters Insights keeps of a text value",
            value: TEXT_CHARS.to_string(),
            evidence: "D:S1",
        },
        Limit {
            what: "characters of TaskRouter's attributes JSON (task or worker)",
            value: PAYLOAD_CHARS.to_string(),
            evidence: "D:S17",
        },
        Limit {
            what: "years a date or time must fall in (inclusive)",
            value: DATE_RANGE.to_string(),
            evidence: "D:S1",
        },
    ]
}

/// How Insights spells a flag (`abandoned`, `in_business_hours`, `yes_no` kinds): `Yes` or `No`
/// (D:S1 examples, D:S5).
#[must_use]
pub fn yes_no_spelling(flag: bool) -> &'static str {
    if flag { YES } else { NO }
}

/// The spelling of a true flag (D:S1).
pub const YES: &str = "Yes";
/// The spelling of a false flag (D:S1).
pub const NO: &str = "No";

/// The inputs read as a true flag (trimmed, any ASCII case); flexmap's convention, not Insights'.
pub const YES_WORDS: &[&str] = &["yes", "y", "true", "1", "on"];
/// The inputs read as a false flag (trimmed, any ASCII case); flexmap's convention.
pub const NO_WORDS: &[&str] = &["no", "n", "false", "0", "off"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_the_years_edges() {
        use chrono::{TimeZone, Utc};
        let min = Utc.with_ymd_and_hms(DATE_MIN_YEAR, 1, 1, 0, 0, 0).unwrap();
        let max = Utc
            .with_ymd_and_hms(DATE_MAX_YEAR + 1, 1, 1, 0, 0, 0)
            .unwrap();
        assert_eq!(min.timestamp_millis(), DATE_MIN_MS);
        assert_eq!(max.timestamp_millis() - 1, DATE_MAX_MS);
        assert_eq!(DATE_RANGE, format!("{DATE_MIN_YEAR}–{DATE_MAX_YEAR}"));
    }

    #[test]
    fn every_limit_cites_a_known_source() {
        for limit in limits() {
            let ids: Vec<&str> = super::super::evidence_sources(limit.evidence).collect();
            assert!(!ids.is_empty(), "{limit:?}");
            for id in ids {
                assert!(super::super::source(id).is_some(), "{id} in {limit:?}");
            }
        }
    }

    /// Strips `//` comments, `r#"…"#` raw strings (lint explanations, prose) and everything
    /// from the first `#[cfg(test)]` on.
    fn code_of(text: &str) -> Vec<(usize, String)> {
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let mut out = Vec::new();
        let mut in_raw = false;
        for (index, line) in text.lines().enumerate() {
            let mut code = String::new();
            let mut rest = line;
            loop {
                if in_raw {
                    match rest.find("\"#") {
                        Some(end) => {
                            rest = &rest[end + 2..];
                            in_raw = false;
                        }
                        None => break,
                    }
                } else {
                    let comment = rest.find("//").unwrap_or(rest.len());
                    match rest[..comment].find("r#\"") {
                        Some(start) => {
                            code.push_str(&rest[..start]);
                            rest = &rest[start + 3..];
                            in_raw = true;
                        }
                        None => {
                            code.push_str(&rest[..comment]);
                            break;
                        }
                    }
                }
            }
            out.push((index + 1, code));
        }
        out
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                rust_files(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The guard: the Insights numbers live here alone. A line that uses one of them for an
    /// unrelated reason says so with `// not an Insights fact` on it or on the line above.
    #[test]
    fn no_bare_insights_numbers_outside_the_catalog() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        let pattern = regex::Regex::new(
            r"(^|[^\w.])(128|4096|1901|2049|2_?177_?452_?800_?000|2_?524_?607_?999_?999)($|[^\w])",
        )
        .expect("a valid pattern");
        let mut found = Vec::new();
        for path in files {
            let relative = path.strip_prefix(&src).expect("under src/");
            if relative.starts_with("catalog") || relative.ends_with("tests.rs") {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("a source file");
            let lines: Vec<&str> = text.lines().collect();
            for (number, code) in code_of(&text) {
                let marked = |n: usize| {
                    lines
                        .get(n)
                        .is_some_and(|l| l.contains("not an Insights fact"))
                };
                if pattern.is_match(&code) && !marked(number - 1) && !marked(number.wrapping_sub(2))
                {
                    found.push(format!(
                        "src/{}:{number}: {}",
                        relative.display(),
                        code.trim()
                    ));
                }
            }
        }
        assert!(
            found.is_empty(),
            "Insights facts belong in src/catalog (use catalog::limits):\n{}",
            found.join("\n")
        );
    }
}
