//! `flexmap apply` as a stream: no line is ever lost, whatever the input holds.

use std::io::Write;

use assert_cmd::Command;
use serde_json::Value;

const RULES: &str = r"flexmap: 1
target: task
conversations:
  ivr_path: ivr.digits | hierarchy
  conversation_measure_1: survey.csat | number
  content: notes
";

fn rules_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("rules.yaml");
    std::fs::write(&path, RULES).expect("write rules");
    path
}

/// Valid records, malformed JSON, invalid UTF-8, an over-long line, blank lines, non-objects.
fn messy_input() -> Vec<u8> {
    let mut input = Vec::new();
    for i in 0..5000 {
        match i % 10 {
            0 => input.extend_from_slice(
                b"{\"ivr\": {\"digits\": \"12\"}, \"survey\": {\"csat\": \"abc\"}}",
            ),
            1 => input.extend_from_slice(b"{not json"),
            2 => input.extend_from_slice(&[b'{', b'"', 0xff, 0xfe, b'"', b':', b'1', b'}']),
            3 if i % 1000 == 3 => {
                input.extend_from_slice(b"{\"notes\": \"");
                input.extend(std::iter::repeat_n(b'x', 3 * 1024 * 1024));
                input.extend_from_slice(b"\"}");
            }
            4 => input.extend_from_slice(b"   "),
            5 => input.extend_from_slice(b"[1, 2, 3]"),
            6 => input.extend_from_slice(b"{\"notes\": \"\xc3\xa9t\xc3\xa9\"}\r"),
            _ => write!(
                input,
                "{{\"ivr\": {{\"digits\": \"{i}\"}}, \"survey\": {{\"csat\": {}}}}}",
                i % 5
            )
            .expect("write"),
        }
        input.push(b'\n');
    }
    // No final newline on the last record.
    input.extend_from_slice(b"{\"ivr\": {\"digits\": \"9\"}}");
    input
}

fn run(jobs: &str, extra: &[&str]) -> (Vec<u8>, Vec<Value>, String, i32) {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_file(&dir);
    let dead = dir.path().join("dead.ndjson");
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args([
            "apply",
            rules.to_str().expect("utf8"),
            "-",
            "--errors",
            dead.to_str().expect("utf8"),
            "--jobs",
            jobs,
        ])
        .args(["--max-line-bytes", "1000000"])
        .args(extra)
        .write_stdin(messy_input())
        .output()
        .expect("runs");
    let errors: Vec<Value> = std::fs::read_to_string(&dead)
        .expect("dead letters written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("dead letter is JSON"))
        .collect();
    (
        output.stdout,
        errors,
        String::from_utf8_lossy(&output.stderr).into_owned(),
        output.status.code().unwrap_or(-1),
    )
}

#[test]
fn lines_in_equal_lines_out_plus_error_lines() {
    let (stdout, errors, stderr, code) = run("1", &[]);
    let out_lines = stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(out_lines + errors.len(), 5001, "{stderr}");
    assert_eq!(code, 1, "some lines could not be mapped");
    // Every kind of bad line is there with its reason and line number.
    let reasons: Vec<&str> = errors.iter().filter_map(|e| e["error"].as_str()).collect();
    assert!(reasons.iter().any(|r| r.starts_with("malformed JSON")));
    assert!(reasons.iter().any(|r| r.starts_with("invalid UTF-8")));
    assert!(reasons.iter().any(|r| r.contains("over --max-line-bytes")));
    assert!(reasons.contains(&"empty line"));
    assert!(reasons.contains(&"the record is not a JSON object"));
    assert_eq!(errors[0]["line"], 2);
    assert!(stderr.contains("5001 lines:"), "{stderr}");
    assert!(stderr.contains(&format!("{out_lines} mapped")), "{stderr}");
    // Warnings name the rule and position, never the value.
    assert!(
        stderr.contains("rules.yaml:5:41: conversations.conversation_measure_1: `number`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("abc"),
        "a value leaked into stderr: {stderr}"
    );
}

#[test]
fn parallel_output_keeps_input_order() {
    let (one, errors_one, _, _) = run("1", &[]);
    let (two, errors_two, _, _) = run("2", &[]);
    assert_eq!(one, two);
    assert_eq!(errors_one, errors_two);
}

#[test]
fn strict_turns_warnings_into_record_errors() {
    let (stdout, errors, _, _) = run("2", &["--strict"]);
    let out_lines = stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(out_lines + errors.len(), 5001);
    assert!(errors.iter().any(|e| {
        e["error"]
            .as_str()
            .is_some_and(|r| r.starts_with("--strict: ") && r.contains("filter-failed"))
    }));
}

#[test]
fn merge_writes_the_whole_attributes_object() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_file(&dir);
    let input = concat!(
        r#"{"ivr": {"digits": "1"}, "task": {"attributes": {"type": "inbound", "conversations": {"queue": "Sales"}}}}"#,
        "\n",
        r#"{"ivr": {"digits": "2"}, "task": {"attributes": "{\"skills\": [\"es\"]}"}}"#,
        "\n",
        r#"{"ivr": {"digits": "3"}}"#,
        "\n",
        r#"{"ivr": {"digits": "4"}, "task": {"attributes": 7}}"#,
        "\n"
    );
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args([
            "apply",
            rules.to_str().expect("utf8"),
            "--merge",
            "task.attributes",
        ])
        .write_stdin(input)
        .output()
        .expect("runs");
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(
        lines,
        vec![
            serde_json::json!({"type": "inbound", "conversations": {"queue": "Sales", "ivr_path": "1"}}),
            serde_json::json!({"skills": ["es"], "conversations": {"ivr_path": "2"}}),
            serde_json::json!({"conversations": {"ivr_path": "3"}}),
        ]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("line 4: --merge: the value at `task.attributes` is not an object"),
        "{stderr}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_ruleset_with_errors_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("bad.yaml");
    std::fs::write(
        &rules,
        "flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: x\n",
    )
    .expect("write");
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["apply", rules.to_str().expect("utf8"), "--format", "short"])
        .write_stdin("{}\n")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.yaml:4:3: error[FM101]"), "{stderr}");
    assert!(stderr.contains("nothing was applied"), "{stderr}");
}

/// A record over `TaskRouter`'s 4096-character cap goes to `--errors` with its line number
/// and reason; with `--merge` the merged object, the one that would be sent, is measured.
#[test]
fn a_payload_over_the_cap_is_an_error_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_file(&dir);
    let dead = dir.path().join("dead.ndjson");
    let long = "y".repeat(4100);
    let input = format!(
        "{{\"notes\": \"short\"}}\n{{\"notes\": \"short\", \"task\": {{\"attributes\": {{\"history\": \"{long}\"}}}}}}\n{{\"notes\": \"short\", \"task\": {{\"attributes\": {{\"type\": \"inbound\"}}}}}}\n"
    );
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args([
            "apply",
            rules.to_str().expect("utf8"),
            "--merge",
            "task.attributes",
        ])
        .args(["--errors", dead.to_str().expect("utf8")])
        .write_stdin(input)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let errors: Vec<Value> = std::fs::read_to_string(&dead)
        .expect("dead letters written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("dead letter is JSON"))
        .collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["line"], 2);
    assert_eq!(
        errors[0]["error"],
        "the attributes JSON is 4150 characters, over TaskRouter's 4096-character cap, so TaskRouter would reject the update (payload-too-large)"
    );
    assert_eq!(output.status.code(), Some(1));
}
