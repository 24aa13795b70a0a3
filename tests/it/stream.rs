//! `flexmap apply` as a stream: no line is ever lost, whatever the input holds.

use std::io::Write;
use std::path::Path;

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

/// Runs `apply` on `messy_input()` with `--jobs jobs` (the default when `None`).
fn run(jobs: Option<&str>, extra: &[&str]) -> (Vec<u8>, Vec<Value>, String, i32) {
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
        ])
        .args(jobs.map(|jobs| ["--jobs", jobs]).iter().flatten())
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
    let (stdout, errors, stderr, code) = run(Some("1"), &[]);
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
    assert!(reasons.contains(&"the record is an array, not a JSON object"));
    assert_eq!(errors[0]["line"], 2);
    assert!(stderr.contains("5,001 lines:"), "{stderr}");
    assert!(
        stderr.contains(&format!("{} mapped", grouped(out_lines))),
        "{stderr}"
    );
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

/// `1234` → `1,234`, as the summary writes counts.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Output and error lines are the same bytes, in the same order, whatever `--jobs` is, the
/// default (all available cores) included.
#[test]
fn parallel_output_keeps_input_order() {
    let (one, errors_one, _, _) = run(Some("1"), &[]);
    for jobs in [Some("2"), Some("3"), None] {
        let (other, errors_other, _, _) = run(jobs, &[]);
        assert!(one == other, "output differs with --jobs {jobs:?}");
        assert_eq!(errors_one, errors_other, "--jobs {jobs:?}");
    }
}

#[test]
fn strict_turns_warnings_into_record_errors() {
    let (stdout, errors, _, _) = run(Some("2"), &["--strict"]);
    let out_lines = stdout
        .split(|b| *b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    assert_eq!(out_lines + errors.len(), 5001);
    assert!(errors.iter().any(|e| {
        e["error"].as_str().is_some_and(|r| {
            r.starts_with("strict: 1 runtime warning: ") && r.contains("filter-failed")
        })
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
        ]
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    // A record without the path is an error line, never an empty object that would replace
    // the task's attributes with the mapped fields alone.
    assert!(
        stderr.contains("line 3: --merge: the record has no `task.attributes`"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("line 4: --merge: the value at `task.attributes` is a number, not an object"),
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
        "{{\"notes\": \"short\", \"task\": {{\"attributes\": {{}}}}}}\n{{\"notes\": \"short\", \"task\": {{\"attributes\": {{\"history\": \"{long}\"}}}}}}\n{{\"notes\": \"short\", \"task\": {{\"attributes\": {{\"type\": \"inbound\"}}}}}}\n"
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

/// `flexmap apply RULES ARGS…` with `stdin`, in `dir`.
fn apply_in(dir: &Path, args: &[&str], stdin: &[u8]) -> std::process::Output {
    Command::cargo_bin("flexmap")
        .expect("binary")
        .current_dir(dir)
        .arg("apply")
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .expect("runs")
}

/// A folder with `rules.yaml` and `in.ndjson` (`lines` records).
fn workdir(lines: usize) -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().expect("tempdir");
    rules_file(&dir);
    let mut input = Vec::new();
    for i in 0..lines {
        writeln!(input, "{{\"ivr\": {{\"digits\": \"{}\"}}}}", i % 7).expect("write");
    }
    std::fs::write(dir.path().join("in.ndjson"), &input).expect("write input");
    (dir, input)
}

/// Seen: `-o in.ndjson` truncated its own input (60,000 records gone, exit 0), and
/// `-o X --errors X` interleaved both into one corrupt file. An output or errors path that is
/// the input, the rules or the other output (by name, symbolic link or hard link) is refused
/// with exit 2 before anything is written.
#[test]
fn an_output_that_is_an_input_or_the_other_output_is_refused() {
    let (dir, input) = workdir(3000);
    let path = dir.path();
    std::os::unix::fs::symlink("in.ndjson", path.join("link.ndjson")).expect("symlink");
    std::fs::hard_link(path.join("in.ndjson"), path.join("hard.ndjson")).expect("hard link");
    std::os::unix::fs::symlink("new.ndjson", path.join("dangling.ndjson")).expect("symlink");
    let cases: &[&[&str]] = &[
        &["rules.yaml", "in.ndjson", "-o", "in.ndjson"],
        &["rules.yaml", "in.ndjson", "-o", "./in.ndjson"],
        &["rules.yaml", "in.ndjson", "-o", "link.ndjson"],
        &["rules.yaml", "link.ndjson", "-o", "hard.ndjson"],
        &["rules.yaml", "in.ndjson", "--errors", "hard.ndjson"],
        &["rules.yaml", "in.ndjson", "--errors", "rules.yaml"],
        &[
            "rules.yaml",
            "in.ndjson",
            "-o",
            "x.ndjson",
            "--errors",
            "x.ndjson",
        ],
        &[
            "rules.yaml",
            "in.ndjson",
            "-o",
            "new.ndjson",
            "--errors",
            "dangling.ndjson",
        ],
    ];
    for args in cases {
        let output = apply_in(path, args, b"");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("are the same file"), "{args:?}: {stderr}");
        assert!(stderr.contains("Nothing was written"), "{args:?}: {stderr}");
        assert_eq!(std::fs::read(path.join("in.ndjson")).expect("input"), input);
        assert!(!path.join("x.ndjson").exists() && !path.join("new.ndjson").exists());
    }
    assert!(
        std::fs::read_to_string(path.join("rules.yaml"))
            .expect("rules")
            .starts_with("flexmap: 1")
    );
    // Standard input read from the output file, and standard output sent to the errors file.
    let file = |name: &str| std::fs::File::open(path.join(name)).expect("open");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_flexmap"))
        .current_dir(path)
        .args(["apply", "rules.yaml", "-o", "in.ndjson"])
        .stdin(file("in.ndjson"))
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(2));
    assert_eq!(std::fs::read(path.join("in.ndjson")).expect("input"), input);
    std::fs::write(path.join("out.ndjson"), "kept\n").expect("write");
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(path.join("out.ndjson"))
        .expect("open");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_flexmap"))
        .current_dir(path)
        .args(["apply", "rules.yaml", "in.ndjson", "--errors", "out.ndjson"])
        .stdout(appended)
        .status()
        .expect("runs");
    assert_eq!(status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(path.join("out.ndjson")).expect("read"),
        "kept\n"
    );
    // Devices are not files to protect: /dev/null twice is fine.
    let output = apply_in(
        path,
        &[
            "rules.yaml",
            "in.ndjson",
            "-o",
            "/dev/null",
            "--errors",
            "/dev/null",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(0));
}

/// Seen: `apply … | head -c100` exited 0 with no summary and an empty `--errors` file. Now
/// the error lines so far are flushed, the summary so far printed, and the exit status is 1.
#[test]
fn a_closed_output_keeps_the_errors_and_prints_the_summary() {
    let (dir, _) = workdir(0);
    let mut input = Vec::new();
    for i in 0..60_000 {
        if i % 100 == 1 {
            input.extend_from_slice(b"{oops\n");
        } else {
            writeln!(input, "{{\"ivr\": {{\"digits\": \"{i}\"}}}}").expect("write");
        }
    }
    std::fs::write(dir.path().join("in.ndjson"), &input).expect("write");
    for jobs in ["1", "2"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flexmap"))
            .current_dir(dir.path())
            .args([
                "apply",
                "rules.yaml",
                "in.ndjson",
                "--errors",
                "dead.ndjson",
            ])
            .args(["--jobs", jobs])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns");
        let mut stdout = child.stdout.take().expect("piped");
        let mut first = [0u8; 100];
        std::io::Read::read_exact(&mut stdout, &mut first).expect("some output");
        drop(stdout);
        let output = child.wait_with_output().expect("exits");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("flexmap apply: "), "no summary: {stderr}");
        assert!(stderr.contains("the output was closed"), "{stderr}");
        let dead = std::fs::read_to_string(dir.path().join("dead.ndjson")).expect("errors file");
        assert!(!dead.is_empty(), "the errors so far were not flushed");
        for line in dead.lines() {
            let entry: Value = serde_json::from_str(line).expect("whole JSON lines");
            assert_eq!(entry["record"], "{oops");
        }
    }
}

/// `--merge ""` or `--merge .` named no attributes and replaced every record's with the
/// mapped fields alone (exit 0): now a usage error before anything is read.
#[test]
fn a_merge_path_that_names_nothing_is_refused() {
    let (dir, _) = workdir(3);
    for path in ["", ".", "task..attributes", "task."] {
        let output = apply_in(
            dir.path(),
            &["rules.yaml", "in.ndjson", "--merge", path],
            b"",
        );
        assert_eq!(output.status.code(), Some(2), "{path:?}");
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("--merge"), "{stderr}");
    }
}

/// `--errors` keeps each failed record exactly: text as a JSON string, a line that is not
/// UTF-8 (a binary field) as `record_base64` of its bytes (it was stored with U+FFFD).
#[test]
fn the_errors_file_keeps_records_byte_for_byte() {
    use base64::Engine as _;
    let (dir, _) = workdir(0);
    let binary: &[u8] = b"{\"notes\": \"\xff\xfe\x00 caf\xe9\"}";
    let text = "{\"notes\": \"\u{1F600} \\u00e9\\\"\", oops}";
    let mut input = Vec::new();
    input.extend_from_slice(binary);
    input.push(b'\n');
    input.extend_from_slice(text.as_bytes());
    input.push(b'\n');
    let output = apply_in(
        dir.path(),
        &["rules.yaml", "-", "--errors", "dead.ndjson"],
        &input,
    );
    assert_eq!(output.status.code(), Some(1));
    let dead: Vec<Value> = std::fs::read_to_string(dir.path().join("dead.ndjson"))
        .expect("errors file")
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(dead[0]["record_base64"].as_str().expect("base64"))
        .expect("decodes");
    assert_eq!(bytes, binary);
    assert_eq!(dead[1]["record"], text);
}

/// A UTF-8 byte order mark before the first record is not part of it (it made line 1 an
/// error), and the too-long-line message gives the line's own length (it counted the `\n`).
#[test]
fn a_bom_is_accepted_and_line_lengths_exclude_the_terminator() {
    let (dir, _) = workdir(0);
    let output = apply_in(
        dir.path(),
        &["rules.yaml", "-", "--max-line-bytes", "30"],
        b"\xEF\xBB\xBF{\"ivr\": {\"digits\": \"1\"}}\n{\"notes\": \"0123456789012345678901\"}\r\n",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "{\"conversations\":{\"ivr_path\":\"1\"}}\n",
        "{stderr}"
    );
    assert!(
        stderr.contains("line 2: line is 35 bytes, over --max-line-bytes 30"),
        "{stderr}"
    );
}

/// Without `--show-values` (and without `--errors`) no record value reaches stderr; with it
/// the record follows its reason.
#[test]
fn record_values_reach_stderr_only_with_show_values() {
    let (dir, _) = workdir(0);
    let input = b"[\"ann@example.com\"]\n{\"ivr\": \"ann@example.com\", \"survey\": {\"csat\": \"ann@example.com\"}}\n";
    let quiet = apply_in(dir.path(), &["rules.yaml", "-", "--strict"], input);
    let stderr = String::from_utf8_lossy(&quiet.stderr);
    assert!(
        stderr.contains("line 1: the record is an array"),
        "{stderr}"
    );
    assert!(stderr.contains("line 2: strict:"), "{stderr}");
    assert!(!stderr.contains("ann@"), "a value leaked: {stderr}");
    let shown = apply_in(
        dir.path(),
        &["rules.yaml", "-", "--strict", "--show-values"],
        input,
    );
    let stderr = String::from_utf8_lossy(&shown.stderr);
    assert!(
        stderr.contains(
            "line 1: the record is an array, not a JSON object\n  record: [\\\"ann@example.com\\\"]"
        ),
        "{stderr}"
    );
}

/// Issue 9: a record over `TaskRouter`'s cap was an error line in `apply` but a 200 "mapped"
/// answer in `serve`. One record policy: an error in both, with the same code and message.
#[test]
fn an_over_cap_record_is_an_error_in_apply_and_in_serve() {
    use std::io::BufRead as _;
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(
        rules.join("notes.yaml"),
        "flexmap: 1\ntarget: task\nconversations:\n  ivr_path: ivr.digits\nextra:\n  notes: notes\n",
    )
    .expect("write");
    let record = format!(
        "{{\"notes\": \"{}\", \"ivr\": {{\"digits\": \"1\"}}}}",
        "é".repeat(4100)
    );
    // apply
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args([
            "apply",
            rules.join("notes.yaml").to_str().expect("utf8"),
            "-",
        ])
        .write_stdin(format!("{record}\n"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let message = stderr
        .lines()
        .find_map(|l| l.strip_prefix("flexmap: line 1: "))
        .expect("an error line")
        .to_owned();
    assert!(message.contains("(payload-too-large)"), "{message}");
    // serve
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_flexmap"))
        .args([
            "serve",
            "--rules",
            rules.to_str().expect("utf8"),
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("FLEXMAP_TOKEN")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("serve starts");
    let stderr = child.stderr.take().expect("piped");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(rest) = line.strip_prefix("flexmap serve: listening on http://") {
                let _ = tx.send(
                    rest.split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned(),
                );
            }
        }
    });
    let addr = rx.recv_timeout(std::time::Duration::from_secs(20));
    let answer = addr.as_ref().map(|addr| {
        crate::http_client::send(
            addr,
            "POST",
            "/v1/rulesets/notes/apply",
            &[],
            record.as_bytes(),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    let answer = answer.expect("serve listened").expect("serve answered");
    let body = answer.json();
    assert_eq!(answer.status, 422, "{body}");
    assert_eq!(body["error"]["code"], "payload-too-large", "{body}");
    assert_eq!(body["error"]["message"], message.as_str());
}

/// What `flexmap apply ARGS` (a shell command line, run in `dir`) draws on a pseudo-terminal
/// 160 columns wide, through `script(1)`.
fn on_a_terminal(dir: &Path, args: &str) -> String {
    let command = format!(
        "stty cols 160; {} apply {args}",
        env!("CARGO_BIN_EXE_flexmap")
    );
    let output = std::process::Command::new("script")
        .current_dir(dir)
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) runs (installed by .ci/setup)");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Issue 14: on a terminal, a file input shows a bar with the bytes read of the file size,
/// a percentage, elapsed and time left, records per second as a whole number with thousands
/// separators, and the running errors and warnings; standard input shows a spinner with the
/// same figures; `--quiet` shows none; the summary line stays.
#[test]
fn a_terminal_shows_a_bar_with_a_percentage_and_a_whole_number_rate() {
    let (dir, _) = workdir(0);
    let mut input = Vec::new();
    for i in 0..40_000 {
        writeln!(
            input,
            "{{\"ivr\": {{\"digits\": \"{}\"}}, \"survey\": {{\"csat\": \"{}\"}}}}",
            i % 7,
            if i % 1000 == 0 { "n/a" } else { "4" }
        )
        .expect("write");
    }
    std::fs::write(dir.path().join("in.ndjson"), &input).expect("write");
    let rate = regex::Regex::new(r"(^|[^\d.,])\d{1,3}(,\d{3})* records \d{1,3}(,\d{3})*/s")
        .expect("regex");
    let decimals = regex::Regex::new(r"\d\.\d+/s").expect("regex");
    let bar = on_a_terminal(dir.path(), "rules.yaml in.ndjson -o out.ndjson --jobs 1");
    assert!(
        regex::Regex::new(r"\d{1,3}% [\d.]+ [KM]iB/[\d.]+ [KM]iB · \d+s elapsed, \d+s left")
            .expect("regex")
            .is_match(&bar),
        "no bar with bytes, percentage and times: {bar:?}"
    );
    assert!(rate.is_match(&bar), "no whole-number rate: {bar:?}");
    assert!(!decimals.is_match(&bar), "a rate with decimals: {bar:?}");
    assert!(bar.contains(" errors · "), "{bar:?}");
    assert!(bar.contains(" warnings"), "{bar:?}");
    assert!(
        bar.contains("flexmap apply: 40,000 lines: 40,000 mapped, 0 errors, 40 warnings"),
        "{bar:?}"
    );
    let spinner = on_a_terminal(dir.path(), "rules.yaml - -o out.ndjson < in.ndjson");
    assert!(spinner.contains(" read · "), "no spinner: {spinner:?}");
    assert!(rate.is_match(&spinner), "no whole-number rate: {spinner:?}");
    assert!(
        !spinner.contains('%'),
        "a percentage without a size: {spinner:?}"
    );
    let quiet = on_a_terminal(dir.path(), "rules.yaml in.ndjson -o out.ndjson --quiet");
    assert!(!quiet.contains('%') && !quiet.contains("/s"), "{quiet:?}");
    assert!(quiet.contains("flexmap apply: 40,000 lines"), "{quiet:?}");
}
