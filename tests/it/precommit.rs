//! The pre-commit hook (`.pre-commit-hooks.yaml`) under the real `pre-commit`: a temporary git
//! repository uses this crate's checkout as its hook repository, a commit with a broken rule
//! file is refused with the diagnostic, and the fixed one goes through; then, in a project,
//! a staged file that makes a cross-file FM202 with a committed one is refused, and so is a
//! rule file whose first key is not `flexmap:`.
//!
//! pre-commit builds flexmap with `cargo install` from the commit `HEAD` of this checkout (so
//! it tests what is committed, not the working tree). Its cache and the cargo target folder
//! live under `target/tmp/pre-commit/`, so a re-run at the same commit installs nothing and a
//! new commit rebuilds only flexmap itself. `.ci/setup` installs pre-commit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A rule file with one mistake: `wrapup_time` (line 5, column 3) is not an Insights field.
const BROKEN_RULES: &str = "flexmap: 1
target: task
conversations:
  ivr_path: ivr.digits | hierarchy
  wrapup_time: task.wrap_seconds | number
";

/// The same file, fixed.
const GOOD_RULES: &str = "flexmap: 1
target: task
conversations:
  ivr_path: ivr.digits | hierarchy
  wrap_up_time: task.wrap_seconds | number
";

/// YAML that is not a rule file, staged beside the rules: the hook must skip it.
const WORKFLOW: &str = "name: CI
on: push
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: cargo test
";

/// A rule test (`*.test.yaml`): also YAML the hook must skip.
const RULE_TEST: &str = "rules: voice.yaml
cases:
  - name: menu path
    input: { ivr: { digits: \"12\" } }
    expect: { conversations: { ivr_path: \"1 ▸ 2\" } }
";

#[test]
fn pre_commit_refuses_a_broken_rule_file_and_passes_a_fixed_one() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("pre-commit");
    let pre_commit = pre_commit_command();
    let head = stdout_of(
        git(crate_dir).args(["rev-parse", "HEAD"]),
        "git rev-parse HEAD",
    )
    .trim()
    .to_string();

    let repo = tempfile::tempdir().expect("temporary folder");
    let repo = repo.path();
    run_ok(git(repo).args(["init", "--quiet", "--initial-branch=main"]));
    for (key, value) in [
        ("user.name", "flexmap test"),
        ("user.email", "test@example.com"),
        ("commit.gpgsign", "false"),
    ] {
        run_ok(git(repo).args(["config", key, value]));
    }
    write(
        repo,
        ".pre-commit-config.yaml",
        &format!(
            "repos:\n  - repo: {}\n    rev: {head}\n    hooks:\n      - id: flexmap-lint\n",
            crate_dir.display()
        ),
    );
    run_ok(
        hook_env(&mut Command::new(&pre_commit[0]), &cache)
            .args(&pre_commit[1..])
            .arg("install")
            .current_dir(repo),
    );

    // A broken rule file, staged with YAML that is not rules: the commit is refused, and the
    // output holds the diagnostic (code, file:line:col) and nothing about the other files.
    write(repo, "rules/voice.yaml", BROKEN_RULES);
    write(repo, "rules/voice.test.yaml", RULE_TEST);
    write(repo, ".github/workflows/ci.yaml", WORKFLOW);
    run_ok(git(repo).args(["add", "--all"]));
    let refused = commit(repo, &cache, "broken rules");
    let text = transcript(&refused);
    assert!(
        !refused.status.success(),
        "the commit should be refused:\n{text}"
    );
    for expected in [
        "flexmap lint",
        "Failed",
        "FM101",
        "rules/voice.yaml:5:3",
        "`wrapup_time` is not a `conversations` field Insights knows",
        "did you mean `wrap_up_time`?",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    for unexpected in ["ci.yaml", "voice.test.yaml", "FM003", "FM005"] {
        assert!(
            !text.contains(unexpected),
            "the hook reported a file it should skip ({unexpected:?}):\n{text}"
        );
    }
    assert!(
        !git(repo)
            .args(["rev-parse", "--verify", "--quiet", "HEAD"])
            .output()
            .expect("git runs")
            .status
            .success(),
        "a refused commit must not exist"
    );

    // Fixed: the same commit goes through.
    write(repo, "rules/voice.yaml", GOOD_RULES);
    run_ok(git(repo).args(["add", "--all"]));
    let passed = commit(repo, &cache, "fixed rules");
    let text = transcript(&passed);
    assert!(passed.status.success(), "the commit should pass:\n{text}");
    assert!(
        text.contains("flexmap lint") && text.contains("Passed"),
        "the hook should run and pass:\n{text}"
    );
    let count = stdout_of(
        git(repo).args(["rev-list", "--count", "HEAD"]),
        "git rev-list",
    );
    assert_eq!(count.trim(), "1", "exactly the fixed commit exists");

    // A project (`rules` globs) whose survey ruleset writes `conversations.content`.
    write(repo, "flexmap.toml", "rules = [\"rules/**/*.yaml\"]\n");
    write(repo, "rules/survey.yaml", SURVEY_RULES);
    run_ok(git(repo).args(["add", "--all"]));
    let passed = commit(repo, &cache, "survey rules");
    assert!(passed.status.success(), "{}", transcript(&passed));

    // Staging only chat.yaml, which writes the same target: `flexmap lint` of the project
    // fails with FM202 on survey.yaml, so the hook refuses, and says so on chat.yaml too.
    write(repo, "rules/chat.yaml", CHAT_RULES);
    run_ok(git(repo).args(["add", "rules/chat.yaml"]));
    let refused = commit(repo, &cache, "chat rules");
    let text = transcript(&refused);
    assert!(
        !refused.status.success(),
        "cross-file FM202 must refuse:\n{text}"
    );
    for expected in ["FM202", "rules/chat.yaml:4:3", "rules/survey.yaml"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    run_ok(git(repo).args(["rm", "--cached", "--quiet", "rules/chat.yaml"]));
    std::fs::remove_file(repo.join("rules/chat.yaml")).expect("remove chat.yaml");

    // A rule file whose first key is not `flexmap:` is still a rule file of the project
    // (its globs name it): its typo is found.
    write(repo, "rules/late.yaml", NOT_FLEXMAP_FIRST);
    run_ok(git(repo).args(["add", "rules/late.yaml"]));
    let refused = commit(repo, &cache, "late rules");
    let text = transcript(&refused);
    assert!(!refused.status.success(), "the typo must refuse:\n{text}");
    for expected in ["FM101", "rules/late.yaml:4:3", "wrapup_time"] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
}

/// A survey ruleset writing `conversations.content`.
const SURVEY_RULES: &str = "flexmap: 1
target: task
conversations:
  content: survey.comment
";

/// A chat ruleset writing `conversations.content` as well: FM202 across files.
const CHAT_RULES: &str = "flexmap: 1
target: task
conversations:
  content: chat.transcript
";

/// A rule file whose first key is `target:`, with a typo.
const NOT_FLEXMAP_FIRST: &str = "target: task
flexmap: 1
conversations:
  wrapup_time: task.wrap_seconds | number
";

/// How to run pre-commit: `pre-commit` on PATH, else `python3 -m pre_commit` (a `--user`
/// install whose scripts folder is not on PATH); a failure saying how to install it when
/// neither works (never a silent skip).
fn pre_commit_command() -> Vec<String> {
    let candidates = [
        vec!["pre-commit".to_string()],
        vec![
            "python3".to_string(),
            "-m".to_string(),
            "pre_commit".to_string(),
        ],
    ];
    for candidate in candidates {
        let works = Command::new(&candidate[0])
            .args(&candidate[1..])
            .arg("--version")
            .output()
            .is_ok_and(|output| output.status.success());
        if works {
            return candidate;
        }
    }
    panic!(
        "this test needs the `pre-commit` tool: run `bash .ci/setup` \
         (or `python3 -m pip install pre-commit`), then re-run `cargo test`"
    )
}

/// Git that reads no global or system configuration (no signing, no hooks path, no
/// template of the machine it runs on), and ignores any repository a caller's hook exported.
fn git(dir: &Path) -> Command {
    let mut command = Command::new("git");
    command.current_dir(dir);
    isolate_git(&mut command);
    command
}

fn isolate_git(command: &mut Command) {
    for var in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_OBJECT_DIRECTORY",
    ] {
        command.env_remove(var);
    }
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        // The checkout may belong to another user (a CI container): let git read it.
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "safe.directory")
        .env("GIT_CONFIG_VALUE_0", "*");
}

/// The environment pre-commit and the `cargo install` it runs see: caches under `target/`,
/// and a release profile that builds quickly (this is a test, not a shipped binary).
fn hook_env<'c>(command: &'c mut Command, cache: &Path) -> &'c mut Command {
    isolate_git(command);
    command
        .env("PRE_COMMIT_HOME", cache.join("home"))
        .env("CARGO_TARGET_DIR", cache.join("cargo-target"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "256")
        .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
        .env("PRE_COMMIT_COLOR", "never")
        .env("NO_COLOR", "1")
}

/// `git commit` in `repo`, which runs the installed pre-commit hook.
fn commit(repo: &Path, cache: &Path, message: &str) -> Output {
    let mut command = Command::new("git");
    command.current_dir(repo);
    hook_env(&mut command, cache)
        .args(["commit", "--quiet", "-m", message])
        .output()
        .expect("git runs")
}

fn write(repo: &Path, relative: &str, text: &str) {
    let path = repo.join(relative);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create folder");
    }
    std::fs::write(path, text).expect("write file");
}

fn transcript(output: &Output) -> String {
    format!(
        "status: {}\n--- stdout\n{}--- stderr\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn run_ok(command: &mut Command) {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        transcript(&output)
    );
}

fn stdout_of(command: &mut Command, what: &str) -> String {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{what} failed (is this crate a git checkout?):\n{}",
        transcript(&output)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
