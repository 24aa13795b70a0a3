//! Every front end of a project reaches the verdict `flexmap lint` reaches (issue 9): on
//! generated projects (several files, overlapping targets, custom fields with and without a
//! lock, a broken file, non-rule YAML, with and without `rules` globs), the error verdict of
//! lint, of hook mode for every subset of staged files, of serve's reload decision and of
//! apply's refusal agree. Plus the seen cases 1, 2, 4 and 6 through the binary.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use flexmap::Project;
use flexmap::serve::registry::{Registry, Status, reload};
use proptest::prelude::*;

/// The files a generated project may hold (each at most once).
const FILES: &[(&str, &str)] = &[
    (
        "voice.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.language\n",
    ),
    (
        "chat.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  channel: task.channel\n",
    ),
    // Writes `language` too: FM202 with voice.yaml.
    (
        "survey.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  language: survey.lang\n",
    ),
    (
        "custom.yaml",
        "flexmap: 1\ntarget: task\ncustom:\n  tier: { kind: attribute, value: crm.tier }\n  segment: { kind: attribute, value: crm.segment }\n",
    ),
    // FM101.
    (
        "broken.yaml",
        "flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: task.x\n",
    ),
    // A rule file whose first key is not `flexmap:`, with a typo.
    (
        "late.yaml",
        "target: task\nflexmap: 1\nconversations:\n  handling_team_nam: crm.team\n",
    ),
    // Not rules: skipped without globs, FM005 when the globs name it.
    (
        "workflow.yaml",
        "name: CI\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
    ),
    (
        "worker.yaml",
        "flexmap: 1\ntarget: worker\nworker:\n  full_name: hr.name\n",
    ),
];

/// How the lock is set up.
#[derive(Clone, Copy, Debug)]
enum Lock {
    None,
    Written,
    Empty,
}

fn build(dir: &Path, files: &[usize], globs: bool, lock: Lock) {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).expect("rules folder");
    let toml = if globs {
        "rules = [\"rules/**/*.yaml\"]\n"
    } else {
        ""
    };
    std::fs::write(dir.join("flexmap.toml"), toml).expect("toml");
    for &index in files {
        let (name, text) = FILES[index];
        std::fs::write(rules.join(name), text).expect("rule file");
    }
    match lock {
        Lock::None => {}
        Lock::Written => {
            let project = Project::load(dir).expect("loads");
            let (plan, _) = project.plan_with_lock();
            std::fs::write(dir.join("flexmap.lock"), plan.proposed_text()).expect("lock");
        }
        Lock::Empty => std::fs::write(dir.join("flexmap.lock"), "").expect("lock"),
    }
}

/// Runs the library front ends on the project in `dir` and checks they agree.
fn agree(dir: &Path) -> Result<(), TestCaseError> {
    let project = Project::load(dir).expect("loads");
    let check = project.check_all();
    let lint_fails = check.has_errors();
    let names: Vec<String> = project
        .rulesets
        .iter()
        .map(|r| r.source().name().to_string())
        .collect();
    let mut project_files: Vec<String> = names.clone();
    for extra in ["flexmap.toml", "flexmap.lock"] {
        let path = dir.join(extra);
        if path.exists() {
            project_files.push(path.display().to_string());
        }
    }
    // Hook mode, every subset of the rule files: refuses exactly when an error involves a
    // staged file; staging everything (with flexmap.toml and flexmap.lock) is `lint`.
    for mask in 0u32..(1 << names.len()) {
        let staged: Vec<String> = names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, n)| n.clone())
            .collect();
        let hook_fails = check
            .involving_any(&staged)
            .any(flexmap::Diagnostic::is_error);
        let expected = staged
            .iter()
            .any(|s| check.errors_involving(s).next().is_some());
        prop_assert_eq!(hook_fails, expected, "staged {:?}", staged);
    }
    let all_staged = check
        .involving_any(&project_files)
        .any(flexmap::Diagnostic::is_error);
    prop_assert_eq!(all_staged, lint_fails, "hook with every file vs lint");

    // serve: one reload from nothing, and one after a reload of another state.
    let (registry, summary) = reload(dir, &Registry::default());
    let serve_refuses =
        summary.failed.is_some() || registry.rulesets.values().any(|e| e.status != Status::Ok);
    prop_assert_eq!(serve_refuses, lint_fails, "serve vs lint: {:?}", summary);
    // apply: each rule file compiles exactly when serve serves it.
    for ruleset in &project.rulesets {
        let name = ruleset.source().name();
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let served =
            summary.failed.is_none() && registry.get(&stem).is_some_and(|e| e.status == Status::Ok);
        let applies = Project::compile_file(Path::new(name)).is_ok();
        prop_assert_eq!(applies, served, "apply vs serve for {}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn lint_hook_serve_and_apply_agree(
        files in proptest::sample::subsequence((0..FILES.len()).collect::<Vec<_>>(), 1..=5),
        globs in any::<bool>(),
        lock in prop_oneof![Just(Lock::None), Just(Lock::Written), Just(Lock::Empty)],
    ) {
        let dir = tempfile::tempdir().expect("temp dir");
        build(dir.path(), &files, globs, lock);
        agree(dir.path())?;
    }
}

/// The corpus: hand-picked projects that hit each front end's old blind spot.
#[test]
fn corpus_projects_agree() {
    let corpus: &[(&[usize], bool, Lock)] = &[
        (&[0, 2], true, Lock::None),       // FM202 across files
        (&[0, 1, 6], true, Lock::None),    // non-rule YAML named by the globs
        (&[0, 1, 6], false, Lock::None),   // the same YAML without globs: skipped
        (&[0, 5], false, Lock::None),      // `flexmap:` not first
        (&[3, 0], true, Lock::Written),    // custom fields, locked
        (&[3, 0], true, Lock::Empty),      // an empty lock
        (&[4, 7, 1], true, Lock::Written), // a broken file beside good ones
    ];
    for (files, globs, lock) in corpus {
        let dir = tempfile::tempdir().expect("temp dir");
        build(dir.path(), files, *globs, *lock);
        agree(dir.path()).unwrap_or_else(|e| panic!("{files:?} globs={globs} {lock:?}: {e}"));
    }
}

fn flexmap(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Issue 9, case 1: a file the globs name is linted even when its first key is not
/// `flexmap:`; a folder scan without globs that skips YAML says so.
#[test]
fn case_1_no_file_is_skipped_without_a_word() {
    let dir = tempfile::tempdir().expect("temp dir");
    build(dir.path(), &[0, 5, 6], true, Lock::None);
    let (code, stdout, _) = flexmap(dir.path(), &["lint", "--format", "short"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("rules/late.yaml:4:3: error[FM101]"),
        "{stdout}"
    );
    assert!(
        stdout.contains("rules/workflow.yaml"),
        "FM005 for the workflow: {stdout}"
    );
    let (code, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--only-rule-files",
            "--format",
            "short",
            "rules/late.yaml",
        ],
    );
    assert_eq!(code, 1, "the hook checks it too: {stdout}");

    let plain = tempfile::tempdir().expect("temp dir");
    build(plain.path(), &[0, 6], false, Lock::None);
    let (code, _, stderr) = flexmap(plain.path(), &["lint", "--show-files"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("rules/workflow.yaml: skipped: its first key is not `flexmap:`"),
        "{stderr}"
    );
    assert!(stderr.contains("rules/voice.yaml: rule file"), "{stderr}");
    assert!(stderr.contains("1 YAML file skipped"), "{stderr}");
}

/// Issue 9, case 2: the hook refuses a staged file whose cross-file FM202 `flexmap lint`
/// reports on the other file.
#[test]
fn case_2_the_hook_sees_cross_file_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    build(dir.path(), &[0, 2], true, Lock::None);
    let (code, stdout, _) = flexmap(dir.path(), &["lint", "--format", "short"]);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("rules/voice.yaml:4:3: error[FM202]"),
        "{stdout}"
    );
    let (code, stdout, _) = flexmap(
        dir.path(),
        &[
            "lint",
            "--only-rule-files",
            "--format",
            "short",
            "rules/survey.yaml",
        ],
    );
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stdout.contains("rules/survey.yaml:4:3: error[FM202]"),
        "{stdout}"
    );
}

/// Issue 9, case 6: an allowed FM204 stays allowed with `--sample`, and an allow of a
/// sample-only code is not told it "always blocks".
#[test]
fn case_6_suppressions_reach_sample_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let rules = "flexmap: 1
target: task
conversations:
  conversation_attribute_1:
    value: crm.account_id
    allow: [id-in-attribute, runtime-warnings]
";
    std::fs::write(dir.path().join("r.yaml"), rules).expect("rules");
    let mut records = String::new();
    for i in 0..40 {
        let _ = writeln!(
            records,
            "{{\"crm\":{{\"account_id\":\"0015g00000ABC{i:03}\"}}}}"
        );
    }
    std::fs::write(dir.path().join("s.ndjson"), records).expect("sample");
    let (_, plain, _) = flexmap(dir.path(), &["lint", "--format", "short", "r.yaml"]);
    assert!(!plain.contains("FM204"), "{plain}");
    assert!(!plain.contains("always blocks"), "{plain}");
    let (_, sampled, stderr) = flexmap(
        dir.path(),
        &[
            "lint", "--format", "short", "--sample", "s.ndjson", "r.yaml",
        ],
    );
    assert!(stderr.contains("40 records measured"), "{stderr}");
    assert!(
        !sampled.contains("FM204"),
        "the allow holds with --sample: {sampled}"
    );
    assert!(!sampled.contains("always blocks"), "{sampled}");
}

/// One project, one verdict, on the file that does not report a cross-file FM202: hook mode
/// (`--only-rule-files`), `lint --stdin-filename` and the language server (its own findings
/// plus `Project::mirrored`, on the project loaded from its canonical root as
/// `ProjectCache` loads it) show the same findings there: code, severity, message, span,
/// help and labels.
#[test]
fn hook_stdin_and_language_server_show_the_same_cross_file_copy() {
    let dir = tempfile::tempdir().expect("temp dir");
    // voice.yaml and survey.yaml both write `conversations.language`; `flexmap lint`
    // reports FM202 on rules/voice.yaml only.
    build(dir.path(), &[0, 2], true, Lock::None);
    let root = std::fs::canonicalize(dir.path()).expect("root");
    let survey = root.join("rules/survey.yaml");

    let project = Project::load(&root).expect("loads");
    let name = survey.display().to_string();
    let index = project.index_of(&name).expect("a rule file of the project");
    let mut server = project.check(&project.rulesets[index]).1;
    server.extend(project.mirrored(&name));
    let server = seen(&root, &flexmap::diagnostic::render::json(&server, 1));

    let (code, stdout, stderr) = flexmap(
        dir.path(),
        &[
            "lint",
            "--only-rule-files",
            "--format",
            "json",
            "rules/survey.yaml",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    let hook: Vec<Seen> = seen(&root, &stdout)
        .into_iter()
        .filter(|s| s.file == survey)
        .collect();

    let text = std::fs::read_to_string(&survey).expect("survey");
    let output = Command::new(assert_cmd::cargo::cargo_bin!("flexmap"))
        .args([
            "lint",
            "--format",
            "json",
            "--stdin-filename",
            "rules/survey.yaml",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    let stdin = seen(&root, &String::from_utf8_lossy(&output.stdout));

    let fm202: Vec<&Seen> = server.iter().filter(|s| s.code == "FM202").collect();
    assert_eq!(fm202.len(), 1, "{server:#?}");
    assert_eq!((fm202[0].span.0, fm202[0].span.1), (4, 3));
    assert_eq!(fm202[0].labels[1].0, root.join("rules/voice.yaml"));
    assert_eq!(hook, server, "hook mode vs the language server");
    assert_eq!(stdin, server, "--stdin-filename vs the language server");
}

/// One finding as a front end shows it, with file paths resolved under `root`.
#[derive(Debug, PartialEq)]
struct Seen {
    file: std::path::PathBuf,
    code: String,
    severity: String,
    message: String,
    span: (u64, u64, u64, u64),
    help: Option<String>,
    /// File, line, column, message and primary of each label.
    labels: Vec<(std::path::PathBuf, u64, u64, Option<String>, bool)>,
}

/// The findings of a `--format json` report.
fn seen(root: &Path, json: &str) -> Vec<Seen> {
    let report: serde_json::Value = serde_json::from_str(json).expect("JSON report");
    let text = |v: &serde_json::Value, key: &str| v[key].as_str().map(str::to_string);
    let number = |v: &serde_json::Value, key: &str| v[key].as_u64().expect(key);
    let path = |v: &serde_json::Value| {
        let file = root.join(v["file"].as_str().expect("file"));
        std::fs::canonicalize(&file).unwrap_or(file)
    };
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| Seen {
            file: path(d),
            code: text(d, "code").expect("code"),
            severity: text(d, "severity").expect("severity"),
            message: text(d, "message").expect("message"),
            span: (
                number(d, "line"),
                number(d, "column"),
                number(d, "end_line"),
                number(d, "end_column"),
            ),
            help: text(d, "help"),
            labels: d["labels"]
                .as_array()
                .expect("labels")
                .iter()
                .map(|l| {
                    (
                        path(l),
                        number(l, "line"),
                        number(l, "column"),
                        text(l, "message"),
                        l["primary"].as_bool().expect("primary"),
                    )
                })
                .collect(),
        })
        .collect()
}
