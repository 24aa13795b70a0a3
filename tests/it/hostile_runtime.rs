//! Hostile records against the runtime cost model: a rule that would build gigabytes is a
//! record error at the rule's position, never an abort, and memory stays bounded.

use std::fmt::Write as _;
use std::io::Write;

use assert_cmd::Command;
use flexmap::runtime::{FastPath, MAX_RECORD_BYTES, MAX_VALUE_BYTES, Program};
use flexmap::{Ruleset, WarningKind};
use serde_json::{Value, json};

fn program(body: &str) -> Program {
    let text = format!("flexmap: 1\ntarget: task\n{body}");
    match Ruleset::from_str(&text, "hostile.yaml").compile() {
        Ok(program) => program,
        Err(e) => panic!("{:?}", e.diagnostics),
    }
}

/// The warnings of `record` through `Program::apply`, after checking that the fast path
/// writes the same bytes with the same warnings.
fn warnings_of(program: &Program, record: &Value) -> Vec<(WarningKind, String)> {
    let applied = program.apply(record);
    let mut expected = Vec::new();
    applied.attributes.write_json(&mut expected);
    let fast = FastPath::new(program);
    let text = record.to_string();
    let parsed = fast.parse(&text).expect("valid JSON");
    let (mut out, mut warnings) = (Vec::new(), Vec::new());
    fast.apply_json(&parsed, &mut out, &mut warnings);
    assert_eq!(out, expected, "fast path output");
    assert_eq!(warnings, applied.warnings, "fast path warnings");
    applied
        .warnings
        .iter()
        .map(|w| (w.kind, program.describe(w)))
        .collect()
}

fn too_large_at(program: &Program, record: &Value, position: &str) {
    let warnings = warnings_of(program, record);
    let too_large: Vec<_> = warnings
        .iter()
        .filter(|(kind, _)| *kind == WarningKind::ValueTooLarge)
        .collect();
    assert_eq!(too_large.len(), 1, "{warnings:?}");
    assert!(
        too_large[0].1.starts_with(position),
        "{} does not start with {position}",
        too_large[0].1
    );
    assert!(WarningKind::ValueTooLarge.is_record_error());
    assert!(program.apply(record).record_error().is_some());
}

fn text(bytes: usize) -> String {
    "ab".repeat(bytes / 2)
}

#[test]
fn growing_operations_stop_at_the_value_cap_with_the_position() {
    // Each record is as small as the case allows (the debug build's regex is slow).
    let small = json!({"r": {"s": text(16 << 10)}});
    let half = json!({"r": {"s": text(512 << 10)}});
    let whole = json!({"r": {"s": text(1 << 20)}});
    let digits = json!({"r": {"digits": "1".repeat(192 << 10)}});
    let cases = [
        // 16 Ki positions × 2000 bytes: 32 MiB.
        (
            format!(
                "extra:\n  x: r.s | replace(\"\", \"{}\") | len\n",
                "y".repeat(2000)
            ),
            &small,
            "hostile.yaml:4:12:",
        ),
        // 1 Ki matches of 1 KiB × 20 group references: 20 MiB.
        (
            format!(
                "extra:\n  x: r.s | replace(\"[ab]{{1024}}\", \"{}\") | len\n",
                "$0".repeat(20)
            ),
            &whole,
            "hostile.yaml:4:12:",
        ),
        // 512 Ki characters: 512 Ki elements of 32 bytes.
        (
            "extra:\n  x: r.s | split(\"\") | len\n".into(),
            &half,
            "hostile.yaml:4:12:",
        ),
        // 192 Ki levels × (100 + 1) bytes.
        (
            format!(
                "extra:\n  x: r.digits | hierarchy(sep=\"{}\") | len\n",
                "-".repeat(100)
            ),
            &digits,
            "hostile.yaml:4:17:",
        ),
        // `++` and the list literals copy `r.s` 17 times: 17 MiB, over the 16 MiB value cap.
        (
            format!("extra:\n  x: '({}) | len'\n", vec!["r.s"; 17].join(" ++ ")),
            &whole,
            "hostile.yaml:4:",
        ),
        (
            format!("extra:\n  x: '[{}] | len'\n", vec!["r.s"; 17].join(", ")),
            &whole,
            "hostile.yaml:4:3:",
        ),
        (
            format!(
                "extra:\n  x: '[{}] | join(\"\") | len'\n",
                vec!["r.s | lower"; 17].join(", ")
            ),
            &whole,
            "hostile.yaml:4:",
        ),
    ];
    for (body, record, position) in cases {
        too_large_at(&program(&body), record, position);
    }
}

#[test]
fn the_record_cap_adds_up_every_rule() {
    // Each rule builds 8 + 12 MiB (the intermediate `r.s ++ r.s` counts too), each value under
    // the value cap; the fourth rule passes the 64 MiB record cap.
    let mut body = String::from("extra:\n");
    for i in 0..8 {
        writeln!(body, "  x{i}: (r.s ++ r.s ++ r.s) | len").expect("write to a String");
    }
    let program = program(&body);
    let record = json!({"r": {"s": text(4 << 20)}});
    let warnings = warnings_of(&program, &record);
    assert_eq!(MAX_RECORD_BYTES / MAX_VALUE_BYTES, 4);
    assert_eq!(
        warnings.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
        [WarningKind::ValueTooLarge]
    );
    assert!(warnings[0].1.starts_with("hostile.yaml:7:"), "{warnings:?}");
    // The rules before the overflow ran; none after it did.
    let applied = program.apply(&record);
    let written = applied.attributes.to_value();
    assert_eq!(written.as_object().map(serde_json::Map::len), Some(3));
}

#[test]
fn values_under_the_caps_are_built_as_before() {
    let program = program(
        "extra:\n  a: r.s | replace(\"\", \"-\")\n  b: r.s | upper | len\n  c: r.s | split(\",\") | join(\"+\")\n  d: r.s | slice(1, 4)\n  e: '[r.s, r.s] | len'\n",
    );
    let record = json!({"r": {"s": "a,bc,d"}});
    assert_eq!(warnings_of(&program, &record), []);
    assert_eq!(
        program.apply(&record).attributes.to_value(),
        json!({"a": "-a-,-b-c-,-d-", "b": 6, "c": "a+bc+d", "d": ",bc", "e": 2})
    );
}

#[test]
fn a_miss_that_coalesce_or_default_handles_is_not_a_warning() {
    let program = program(
        "tables:\n  t: {a: A}\nextra:\n  handled: r.k | lookup(t) ?? \"Other\"\n  through: r.k | lookup(t) | lower ?? \"Other\"\n  defaulted: r.k | lookup(t) | default(\"Other\")\n  unhandled: r.k | lookup(t)\n  unused: (r.k | lookup(t) ?? \"x\") ++ (r.k | lookup(t))\n",
    );
    let warnings = warnings_of(&program, &json!({"r": {"k": "zz"}}));
    let lines: Vec<&str> = warnings
        .iter()
        .map(|(kind, at)| {
            assert_eq!(*kind, WarningKind::LookupMiss);
            at.split(": ").next().unwrap_or_default()
        })
        .collect();
    assert_eq!(lines, ["hostile.yaml:9:20", "hostile.yaml:10:46"]);
    assert_eq!(warnings_of(&program, &json!({"r": {"k": "a"}})), []);
}

#[test]
fn apply_strict_maps_the_misses_init_handles() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "flexmap: 1\ntarget: task\ntables:\n  languages: {en-US: English}\nconversations:\n  language: ivr.language | lookup(languages) ?? \"Other\"\n  content: ivr.topic | lookup(languages)\n",
    )
    .expect("write");
    let input =
        "{\"ivr\":{\"language\":\"fr-FR\"}}\n{\"ivr\":{\"topic\":\"x\",\"language\":\"en-US\"}}\n";
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["apply", "--strict"])
        .arg(&rules)
        .write_stdin(input)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stdout, "{\"conversations\":{\"language\":\"Other\"}}\n",
        "{stderr}"
    );
    assert!(
        stderr.contains("line 2: strict: 1 runtime warning"),
        "{stderr}"
    );
    assert!(stderr.contains("rules.yaml:7:"), "{stderr}");
    assert_eq!(output.status.code(), Some(1));
}

/// `flexmap apply` on the record from the hostile-input pass, under a 1 GiB address-space
/// limit: the record is an error line at the rule's position, the others are mapped.
#[test]
fn apply_under_an_address_space_limit_sends_the_amplifying_record_to_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("amp.yaml");
    std::fs::write(
        &rules,
        format!(
            "flexmap: 1\ntarget: task\nextra:\n  x: r.s | replace(\"\", \"{}\") | len\n",
            "y".repeat(2000)
        ),
    )
    .expect("write");
    let input = dir.path().join("in.ndjson");
    let mut file = std::fs::File::create(&input).expect("create");
    writeln!(file, "{{\"r\":{{\"s\":\"short\"}}}}").expect("write");
    writeln!(file, "{{\"r\":{{\"s\":\"{}\"}}}}", "a".repeat(4 << 20)).expect("write");
    writeln!(file, "{{\"r\":{{\"s\":\"ok\"}}}}").expect("write");
    drop(file);
    let out = dir.path().join("out.ndjson");
    let dead = dir.path().join("dead.ndjson");
    let binary = assert_cmd::cargo::cargo_bin("flexmap");
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" apply \"$1\" \"$2\" -o \"$3\" --errors \"$4\"")
        .arg(&binary)
        .arg(&rules)
        .arg(&input)
        .arg(&out)
        .arg(&dead)
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let mapped = std::fs::read_to_string(&out).expect("output");
    let errors = std::fs::read_to_string(&dead).expect("errors");
    assert_eq!(mapped.lines().count() + errors.lines().count(), 3);
    assert_eq!(mapped, "{\"x\":12005}\n{\"x\":6002}\n");
    let error: Value = serde_json::from_str(errors.trim_end()).expect("one error line");
    assert_eq!(error["line"], 2);
    let reason = error["error"].as_str().unwrap_or_default();
    assert!(
        reason.contains("amp.yaml:4:12: x: `replace` would build a value over the runtime caps")
            && reason.contains("(value-too-large)"),
        "{reason}"
    );
}
