//! The generated JavaScript against the Rust runtime: the same records through `flexmap apply`
//! and through the module `flexmap build --emit js` writes (under `node`, one process per
//! batch) give byte-identical output lines, the same `--errors` lines and the same warning
//! report.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::{files, root};

/// Output of one run: stdout, the dead-letter file, and stderr (the warning report).
#[derive(Debug, PartialEq, Eq)]
struct Run {
    out: String,
    errors: String,
    report: String,
}

fn flexmap() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
}

/// `flexmap build RULES --emit KIND -o OUT`, asserting success.
pub fn build(rules: &Path, emit: &str, out: &Path) {
    let output = flexmap()
        .args(["build"])
        .arg(rules)
        .args(["--emit", emit, "-o"])
        .arg(out)
        .output()
        .expect("flexmap runs");
    assert!(
        output.status.success(),
        "build {} failed: {}",
        rules.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

fn run(mut command: Command, input: &str, errors_path: &Path) -> Run {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the process starts (is node installed? .ci/setup)");
    let mut stdin = child.stdin.take().expect("stdin");
    let text = input.to_string();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(text.as_bytes());
    });
    let output = child.wait_with_output().expect("the process ends");
    writer.join().expect("writer thread");
    let errors_text = std::fs::read_to_string(errors_path).unwrap_or_default();
    // The detail of a malformed-JSON reason is serde_json's or the JavaScript parser's
    // wording; the reason itself must agree.
    let errors = errors_text
        .lines()
        .map(|line| {
            let mut value: Value = serde_json::from_str(line).expect("dead letters are JSON");
            if let Some(Value::String(error)) = value.get_mut("error")
                && error.starts_with("malformed JSON: ")
            {
                *error = "malformed JSON".into();
            }
            value.to_string() + "\n"
        })
        .collect();
    Run {
        out: String::from_utf8_lossy(&output.stdout).into_owned(),
        errors,
        report: String::from_utf8_lossy(&output.stderr)
            .replace(&errors_path.display().to_string(), "ERRORS"),
    }
}

/// Runs `records` through `flexmap apply RULES` and through the module, and compares.
pub fn differential(rules: &Path, records: &str, flags: &[&str]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let module = dir.path().join("module.js");
    build(rules, "js", &module);
    let rust_errors = dir.path().join("rust.err");
    let js_errors = dir.path().join("js.err");
    let mut apply = flexmap();
    apply
        .current_dir(root())
        .arg("apply")
        .arg(rules)
        .arg("--errors")
        .arg(&rust_errors)
        .args(flags);
    let rust = run(apply, records, &rust_errors);
    let mut node = Command::new("node");
    node.arg(root().join("tests/js/apply.js"))
        .arg(&module)
        .arg(&js_errors)
        .args(flags);
    let js = run(node, records, &js_errors);
    let rust_report = rust.report.replace(&root().display().to_string(), "");
    assert_eq!(
        rust.out,
        js.out,
        "output lines differ for {} {flags:?}",
        rules.display()
    );
    assert_eq!(
        rust.errors,
        js.errors,
        "error lines differ for {} {flags:?}",
        rules.display()
    );
    assert_eq!(
        rust_report,
        js.report,
        "warning reports differ for {} {flags:?}",
        rules.display()
    );
}

/// Lines that exercise the record policy and the JSON reader whatever the rules are.
const ODD_LINES: &str = concat!(
    "\n",
    "   \n",
    "[1, 2]\n",
    "\"text\"\n",
    "{\"a\": }\n",
    "{\"a\": 1} x\n",
    "{\"task\": {\"attributes\": \"{\\\"x\\\": 5.0, \\\"y\\\": -0, \\\"z\\\": 1e400}\"}}\n",
    "{\"task\": {\"attributes\": {\"k\": 18446744073709551615, \"m\": -9223372036854775809, \"f\": 2.50, \"e\": 1E2}}}\n",
    "{\"s\": \"\\ud83d\\ude00 \\u00e9\", \"t\": \"\\ud800\"}\r\n",
    "{\"n\": -0.0, \"o\": {\"é\": 1, \"z\": 2, \"\\uffff\": 3, \"😀\": 4, \"__proto__\": 5, \"10\": 6, \"9\": 7}}\n",
);

fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

#[test]
fn bundled_examples_agree() {
    for rules in files("rules-examples", ".yaml") {
        if rules.to_string_lossy().ends_with(".test.yaml") {
            continue;
        }
        let input = rules.with_extension("input.ndjson");
        let mut records = std::fs::read_to_string(&input).unwrap_or_default();
        records.push_str(ODD_LINES);
        let rules = relative(&rules);
        differential(&rules, &records, &[]);
        differential(&rules, &records, &["--strict"]);
        differential(&rules, &records, &["--merge", "task.attributes"]);
    }
}

#[test]
fn apply_cases_agree() {
    for rules in files("tests/cases/apply", ".yaml") {
        let cases = std::fs::read_to_string(rules.with_extension("ndjson")).unwrap_or_default();
        let mut records = String::new();
        for line in cases.lines().filter(|l| !l.trim().is_empty()) {
            let case: Value = serde_json::from_str(line).expect("a case is JSON");
            records.push_str(&case["input"].to_string());
            records.push('\n');
        }
        records.push_str(ODD_LINES);
        let rules = relative(&rules);
        differential(&rules, &records, &[]);
        differential(&rules, &records, &["--merge", "task.attributes"]);
    }
}
