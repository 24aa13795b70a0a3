//! `flexmap test`: run `*.test.yaml` rule tests, print a result per case (with a diff for
//! failures) or a `JUnit` XML report, and set the exit status.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use flexmap::ruletest::{self, FileReport, Outcome};
use serde_json::Value;

use super::{Color, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, OutputArgs};

/// Arguments of `flexmap test`.
#[derive(clap::Args, Debug)]
pub struct TestArgs {
    /// Test files or folders (folders are scanned for `*.test.yaml`, skipping hidden
    /// folders and `target/`). Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Colour in diagnostics of invalid test files.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Output format of `flexmap test`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// One line per case, a unified diff for failures, a summary.
    Human,
    /// `JUnit` XML on standard output (for CI test reporters).
    Junit,
}

/// Runs `flexmap test`.
pub fn run(args: &TestArgs) -> u8 {
    let mut files = Vec::new();
    for path in super::paths_or_cwd(&args.paths) {
        match ruletest::discover(&path) {
            Ok(found) => files.extend(found),
            Err(e) => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        }
    }
    // A file named both directly and through its folder runs once.
    let mut seen = std::collections::HashSet::new();
    files.retain(|file| seen.insert(file.clone()));
    let reports: Vec<FileReport> = files.iter().map(|f| ruletest::run_file(f)).collect();
    let text = match args.format {
        TestFormat::Human => human(&reports),
        TestFormat::Junit => junit(&reports),
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    let invalid: Vec<_> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().cloned())
        .collect();
    if !invalid.is_empty() {
        let output = OutputArgs {
            format: Format::Human,
            color: args.color,
        };
        super::print_diagnostics(&invalid, reports.len(), &output, true);
    }
    if files.is_empty() {
        // Nothing ran: a CI job that lost its tests must not pass.
        eprintln!(
            "flexmap: no *.test.yaml files found (give a test file or a folder that holds some)"
        );
        return EXIT_USAGE;
    }
    if reports.iter().all(FileReport::passed) {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    }
}

/// The file name shown for a report: its path with `/` separators.
fn shown(report: &FileReport) -> String {
    report.path.display().to_string().replace('\\', "/")
}

/// The human report: `PASS file::case` / `FAIL file::case` plus diff, then the summary.
fn human(reports: &[FileReport]) -> String {
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for report in reports {
        let file = shown(report);
        if !report.diagnostics.is_empty() {
            let _ = writeln!(out, "FAIL {file} (invalid test file or ruleset)");
            failed += 1;
            continue;
        }
        for case in &report.cases {
            match &case.outcome {
                Outcome::Pass => {
                    passed += 1;
                    let _ = writeln!(out, "PASS {file}::{}", case.name);
                }
                outcome @ Outcome::Fail { .. } => {
                    failed += 1;
                    let _ = writeln!(out, "FAIL {file}::{}", case.name);
                    out.push_str(&diff(outcome));
                }
            }
        }
    }
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

/// A unified diff of expected against actual: pretty JSON, then warning names.
fn diff(outcome: &Outcome) -> String {
    let Outcome::Fail {
        expected,
        actual,
        expected_warnings,
        actual_warnings,
    } = outcome
    else {
        return String::new();
    };
    let before = comparable(expected, expected_warnings);
    let after = comparable(actual, actual_warnings);
    similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string()
}

/// The text both sides of a diff are written as.
fn comparable(value: &Value, warnings: &[String]) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    let _ = writeln!(text, "warnings: [{}]", warnings.join(", "));
    text
}

/// A `JUnit` XML report: one `testsuite` per file, one `testcase` per case.
fn junit(reports: &[FileReport]) -> String {
    let mut suites = String::new();
    let (mut total, mut total_failures) = (0usize, 0usize);
    for report in reports {
        let file = xml_escape(&shown(report));
        let mut cases = String::new();
        let (mut tests, mut failures) = (0usize, 0usize);
        if report.diagnostics.is_empty() {
            for case in &report.cases {
                tests += 1;
                let name = xml_escape(&case.name);
                match &case.outcome {
                    Outcome::Pass => {
                        let _ = writeln!(
                            cases,
                            "    <testcase name=\"{name}\" classname=\"{file}\"/>"
                        );
                    }
                    outcome @ Outcome::Fail { .. } => {
                        failures += 1;
                        let _ = writeln!(
                            cases,
                            "    <testcase name=\"{name}\" classname=\"{file}\">\n      <failure message=\"output differs from expect\" type=\"mismatch\">{}</failure>\n    </testcase>",
                            xml_text(&diff(outcome))
                        );
                    }
                }
            }
        } else {
            tests += 1;
            failures += 1;
            let text: Vec<String> = report
                .diagnostics
                .iter()
                .map(flexmap::diagnostic::render::short)
                .collect();
            let _ = writeln!(
                cases,
                "    <testcase name=\"(load)\" classname=\"{file}\">\n      <failure message=\"invalid test file or ruleset\" type=\"invalid\">{}</failure>\n    </testcase>",
                xml_text(&text.join("\n"))
            );
        }
        total += tests;
        total_failures += failures;
        let _ = write!(
            suites,
            "  <testsuite name=\"{file}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n{cases}  </testsuite>\n"
        );
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"flexmap test\" tests=\"{total}\" failures=\"{total_failures}\" errors=\"0\">\n{suites}</testsuites>\n"
    )
}

/// Escapes text for an XML attribute value.
fn xml_escape(text: &str) -> String {
    xml_text(text)
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// Escapes text for XML element content; replaces characters XML 1.0 cannot hold.
fn xml_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if u32::from(c) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.push('\u{FFFD}');
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_handles_markup_and_control_characters() {
        assert_eq!(xml_text("\"a\" < b"), "\"a\" &lt; b");
        assert_eq!(
            xml_escape("a<b>&\"c'\u{1}\n"),
            "a&lt;b&gt;&amp;&quot;c&apos;\u{FFFD}\n"
        );
    }
}
