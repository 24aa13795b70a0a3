//! The authoring loop from the command line: `lint --stdin-filename PATH -` checks a buffer
//! in its project, `--format json` carries each fix as edits that reproduce `--fix`, hook
//! mode honours `--select` / `--ignore` / `--statistics`, `eval` reads only regular files
//! (bounded), and `fmt` leaves an empty file empty.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::root;

/// Runs flexmap in `dir` with `stdin`; (exit code, stdout, stderr).
fn flexmap(dir: &Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flexmap runs");
    let mut input = child.stdin.take().expect("stdin");
    let text = stdin.to_string();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(text.as_bytes());
    });
    let output = child.wait_with_output().expect("flexmap runs");
    writer.join().expect("stdin writer");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("test setup");
    }
    std::fs::write(&path, text).expect("test setup");
    path
}

/// A project of two task rulesets; `other.yaml` writes `conversations.language`.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    write(
        dir.path(),
        "flexmap.toml",
        "rules = [\"rules/**/*.yaml\"]\n",
    );
    write(
        dir.path(),
        "rules/other.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.language\n",
    );
    write(
        dir.path(),
        "rules/mine.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  channel_label: chat.kind\n",
    );
    dir
}

const CLASHING: &str =
    "flexmap: 1\ntarget: task\nconversations:\n  language: chat.locale\n  wrapup_time: x\n";

#[test]
fn stdin_filename_checks_the_buffer_in_its_project() {
    let dir = project();
    let on_disk = std::fs::read_to_string(dir.path().join("rules/mine.yaml")).expect("read");
    // The saved file is clean; the buffer writes the target other.yaml writes (FM202 reported
    // on the buffer's side) and misspells a target (FM101).
    let (code, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--format",
            "short",
            "--stdin-filename",
            "rules/mine.yaml",
            "-",
        ],
        CLASHING,
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("rules/mine.yaml:4:3: error[FM202]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rules/mine.yaml:5:3: error[FM101]"),
        "{stdout}"
    );
    assert!(stdout.contains("rules/other.yaml:4:3"), "{stdout}");
    // Only the buffer's findings: nothing reported on other.yaml itself.
    assert!(!stdout.contains("\nrules/other.yaml"), "{stdout}");
    // No path but --stdin-filename reads stdin too; a new file under the `rules` globs is
    // planned with the project.
    let (code, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--format",
            "short",
            "--stdin-filename",
            "rules/new.yaml",
        ],
        CLASHING,
    );
    assert_eq!(code, 1);
    assert!(
        stdout.contains("rules/new.yaml:4:3: error[FM202]"),
        "{stdout}"
    );
    // Outside the globs: the project's settings, its own slots, no FM202.
    let (_, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--format",
            "short",
            "--stdin-filename",
            "draft.yaml",
            "-",
        ],
        CLASHING,
    );
    assert!(!stdout.contains("FM202"), "{stdout}");
    assert!(stdout.contains("draft.yaml:5:3: error[FM101]"), "{stdout}");

    // --fix: the fixed buffer on stdout, what remains on stderr, the file untouched.
    let (code, stdout, stderr) = flexmap(
        dir.path(),
        &[
            "lint",
            "--format",
            "short",
            "--fix",
            "--stdin-filename",
            "rules/mine.yaml",
            "-",
        ],
        CLASHING,
    );
    assert_eq!(code, 1, "FM202 remains: {stderr}");
    assert_eq!(
        stdout,
        "flexmap: 1\ntarget: task\nconversations:\n  language: chat.locale\n  wrap_up_time: x\n"
    );
    assert!(
        stderr.contains("fixed rules/mine.yaml: FM101 rename `wrapup_time` to `wrap_up_time`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rules/mine.yaml:4:3: error[FM202]"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("rules/mine.yaml")).expect("read"),
        on_disk
    );
    // --fix --diff: the diff on stdout.
    let (_, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--fix",
            "--diff",
            "--stdin-filename",
            "rules/mine.yaml",
            "-",
        ],
        CLASHING,
    );
    assert!(stdout.contains("+  wrap_up_time: x"), "{stdout}");
}

#[test]
fn a_dash_without_stdin_filename_is_a_usage_error() {
    let dir = project();
    let (code, stdout, stderr) = flexmap(dir.path(), &["lint", "-"], CLASHING);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("--stdin-filename PATH"), "{stderr}");
    let (code, _, stderr) = flexmap(
        dir.path(),
        &["lint", "--stdin-filename", "a.yaml", "-", "rules"],
        CLASHING,
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("no other paths"), "{stderr}");
}

/// Applies the edits of every fix in a `--format json` report (back to front), by byte
/// offsets and, separately, by line and column (Unicode scalar values); both must agree.
fn apply_json_edits(text: &str, report: &serde_json::Value) -> Option<String> {
    let mut edits: Vec<(usize, usize, usize, usize, usize, usize, String)> = Vec::new();
    for d in report["diagnostics"].as_array()? {
        if d["fix"].is_null() {
            continue;
        }
        assert_eq!(d["fix"]["applicability"], "safe");
        assert!(d["fix"]["message"].is_string());
        for e in d["fix"]["edits"].as_array()? {
            let n = |k: &str| usize::try_from(e[k].as_u64().expect(k)).expect(k);
            edits.push((
                n("start"),
                n("end"),
                n("line"),
                n("column"),
                n("end_line"),
                n("end_column"),
                e["content"].as_str()?.to_string(),
            ));
        }
    }
    edits.sort_by_key(|e| std::cmp::Reverse((e.0, e.1)));
    // Overlapping fixes wait for another round under --fix: not comparable in one pass.
    if edits.windows(2).any(|w| w[1].1 > w[0].0) {
        return None;
    }
    let offset_of = |line: usize, column: usize| -> usize {
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        start
            + text[start..]
                .chars()
                .take(column - 1)
                .map(char::len_utf8)
                .sum::<usize>()
    };
    let mut by_bytes = text.to_string();
    let mut by_position = text.to_string();
    for (start, end, line, column, end_line, end_column, content) in &edits {
        by_bytes.replace_range(start..end, content);
        let (a, b) = (offset_of(*line, *column), offset_of(*end_line, *end_column));
        assert_eq!((a, b), (*start, *end), "line/column agree with the offsets");
        by_position.replace_range(a..b, content);
    }
    assert_eq!(by_bytes, by_position);
    Some(by_bytes)
}

#[test]
fn json_fix_edits_give_the_bytes_fix_writes() {
    let mut files: Vec<PathBuf> = crate::files("rules-examples/broken", ".yaml");
    files.extend(crate::files("tests/cases/fix", ".yaml"));
    files.extend(crate::files("tests/cases/lint", ".yaml"));
    // Edits with multi-byte characters before them: offsets are bytes, columns characters.
    let dir = tempfile::tempdir().expect("temporary folder");
    files.push(write(
        dir.path(),
        "unicode.yaml",
        "flexmap: 1\ntarget: task\n# café ▸ menu\nconversations:\n  ivr_path: \"ivr.digits | hierarchy ++ 'é'\"   # ▸\n  wrapup_time: x\n  'conversaton_label_1': a\n  service_level: { valeu: z }\n",
    ));
    let mut compared = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("read");
        let name = path.display().to_string();
        let (_, stdout, stderr) = flexmap(
            &root(),
            &["lint", "--format", "json", "--stdin-filename", &name, "-"],
            &text,
        );
        let report: serde_json::Value = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("{name}: not JSON ({e}): {stdout}{stderr}"));
        let has_fix = report["diagnostics"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| !d["fix"].is_null()));
        if !has_fix {
            continue;
        }
        let Some(once) = apply_json_edits(&text, &report) else {
            continue;
        };
        // --fix runs rounds until nothing changes: compare where one round is all of it.
        let (_, again, _) = flexmap(
            &root(),
            &["lint", "--format", "json", "--stdin-filename", &name, "-"],
            &once,
        );
        let again: serde_json::Value = serde_json::from_str(&again).expect("JSON");
        if again["diagnostics"]
            .as_array()
            .is_some_and(|a| a.iter().any(|d| !d["fix"].is_null()))
        {
            continue;
        }
        let (_, fixed, _) = flexmap(
            &root(),
            &["lint", "--fix", "--stdin-filename", &name, "-"],
            &text,
        );
        assert_eq!(once, fixed, "{name}: JSON edits and --fix differ");
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} files with fixes compared");
}

#[test]
fn hook_mode_honours_select_ignore_and_statistics() {
    let dir = project();
    write(dir.path(), "rules/mine.yaml", CLASHING);
    let hook = |extra: &[&str]| {
        let mut args = vec![
            "lint",
            "--only-rule-files",
            "--format",
            "short",
            "rules/mine.yaml",
        ];
        args.extend_from_slice(extra);
        flexmap(dir.path(), &args, "")
    };
    let (code, stdout, _) = hook(&[]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("FM101") && stdout.contains("FM202"),
        "{stdout}"
    );
    let (code, stdout, _) = hook(&["--select", "FM101"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("FM101") && !stdout.contains("FM202"),
        "{stdout}"
    );
    // Ignoring every error passes the commit.
    let (code, stdout, _) = hook(&["--ignore", "unknown-target,FM202"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        !stdout.contains("FM101") && !stdout.contains("FM202"),
        "{stdout}"
    );
    let (code, stdout, _) = hook(&["--statistics"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("FM101  unknown-target (1 fixable)"),
        "{stdout}"
    );
    assert!(stdout.contains("FM202  duplicate-target"), "{stdout}");
    assert!(!stdout.contains("rules/mine.yaml:"), "{stdout}");
    let (code, _, stderr) = hook(&["--select", "FM999"]);
    assert_eq!(code, 2, "{stderr}");
}

/// Runs flexmap with a deadline: a read that blocks on a FIFO fails the test, not hangs it.
fn flexmap_within(dir: &Path, args: &[&str], limit: Duration) -> (i32, String, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("flexmap runs");
    let started = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("flexmap {args:?} blocked for {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().expect("output");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[cfg(unix)]
#[test]
fn eval_refuses_a_fifo_with_fm902() {
    let dir = tempfile::tempdir().expect("temporary folder");
    for name in ["rules.yaml", "record.json"] {
        let status = Command::new("mkfifo")
            .arg(dir.path().join(name))
            .status()
            .expect("mkfifo runs");
        assert!(status.success());
    }
    let limit = Duration::from_secs(20);
    let (code, stdout, stderr) = flexmap_within(
        dir.path(),
        &["eval", "--format", "short", "--rules", "rules.yaml", "1"],
        limit,
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("error[FM902] cannot read rules.yaml: not a regular file (a FIFO)"),
        "{stderr}"
    );
    let (code, stdout, stderr) = flexmap_within(
        dir.path(),
        &["eval", "--format", "short", "a", "record.json"],
        limit,
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stderr.contains("error[FM902] cannot read record.json: not a regular file (a FIFO)"),
        "{stderr}"
    );
    // A missing file stays a usage error.
    let (code, _, stderr) = flexmap_within(dir.path(), &["eval", "a", "missing.json"], limit);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("missing.json"), "{stderr}");
}

#[test]
fn fmt_leaves_an_empty_file_empty() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = write(dir.path(), "empty.yaml", "");
    let (code, _, stderr) = flexmap(dir.path(), &["fmt", "empty.yaml"], "");
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(std::fs::read(&path).expect("read"), b"");
    let (code, _, stderr) = flexmap(dir.path(), &["fmt", "--check", "empty.yaml"], "");
    assert_eq!(code, 0, "{stderr}");
}
