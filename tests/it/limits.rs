//! Every limit (docs/ARCHITECTURE.md, "Limits") is a diagnostic with a position and a help,
//! never a crash or a hang: one generated rule file per limit, just over it, checked for its
//! exact FM901 line. The run-time limits on records are here too: JSON nested past
//! `serde_json`'s recursion limit is an error line of `flexmap apply`, not a stack overflow.

use std::fmt::Write as _;
use std::sync::mpsc;
use std::time::Duration;

use flexmap::diagnostic::render;
use flexmap::rules_file::yaml::{MAX_DEPTH as MAX_YAML_DEPTH, MAX_FILE_BYTES, MAX_NODES};
use flexmap::syntax::{MAX_DEPTH, MAX_IFS, MAX_LENGTH, MAX_NESTING, MAX_PREFIX_RUN};
use flexmap::{Code, Ruleset};
use serde_json::Value;

const HEAD: &str = "flexmap: 1\ntarget: task\nconversations:\n";

/// Runs `work` on its own thread and fails if it takes longer than a hang would (the bound
/// only detects hangs: every case here takes milliseconds).
fn without_hanging<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    without_hanging_on(2 << 20, what, work)
}

/// `without_hanging` on a thread with `stack` bytes of stack.
fn without_hanging_on<T: Send + 'static>(
    stack: usize,
    what: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || send.send(work()))
        .expect("thread starts");
    receive
        .recv_timeout(Duration::from_secs(60))
        .unwrap_or_else(|_| panic!("{what}: hung or crashed"))
}

/// (case, rule file, the FM901 finding in short form).
fn cases() -> Vec<(&'static str, String, String)> {
    let rule = |value: &str| format!("{HEAD}  language: '{value}'\n");
    let nested = format!(
        "{}a{}",
        "(".repeat(MAX_NESTING + 1),
        ")".repeat(MAX_NESTING + 1)
    );
    let ifs = format!("{}2", "if a then 1 else ".repeat(MAX_IFS + 1));
    let prefixes = format!("{}a", "- ".repeat(MAX_PREFIX_RUN + 1));
    let deep_ast = vec!["a"; MAX_DEPTH + 2].join(" ++ ");
    let deep_filters = format!("a{}", " | trim".repeat(MAX_DEPTH + 1));
    let longest_chain = format!("{}a", "a+".repeat(MAX_LENGTH / 2 - 1));
    let long = format!("{}b", "a ++ ".repeat(MAX_LENGTH / 5 + 1));
    let nodes = format!(
        "{HEAD}  language: a\nextra:\n  big: {{const: [{}]}}\n",
        vec!["0"; MAX_NODES + 1].join(",")
    );
    let mut aliases = format!("{HEAD}  language: a\nx0: &a0 [1,1,1,1,1,1,1,1,1,1]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(",");
        let _ = writeln!(aliases, "x{i}: &a{i} [{refs}]");
    }
    let mut deep_yaml = format!("{HEAD}  language: a\nx:\n");
    for level in 1..=MAX_YAML_DEPTH + 2 {
        let _ = writeln!(deep_yaml, "{}a:", " ".repeat(level));
    }
    let flow = format!(
        "{HEAD}  language: a\nx: {}{}\n",
        "[".repeat(300),
        "]".repeat(300)
    );
    let big_file = format!(
        "{HEAD}  language: a\n{}",
        format!("#{}\n", "-".repeat(1023)).repeat(MAX_FILE_BYTES / 1024 + 1)
    );
    let e = "error[FM901]";
    vec![
        (
            "bracket nesting",
            rule(&nested),
            format!(
                "limits.yaml:4:46: {e} brackets nest deeper than 32 levels (help: drop redundant brackets, or split the computation into several rules)"
            ),
        ),
        (
            "`if`s in one expression",
            rule(&ifs),
            format!(
                "limits.yaml:4:1102: {e} expression has more than 64 `if`s (help: use a lookup table instead of a long `if` chain, or simplify the expression)"
            ),
        ),
        (
            "prefix operators in a row",
            format!("{HEAD}  conversation_measure_1: '{prefixes}'\n"),
            format!(
                "limits.yaml:4:60: {e} expression has more than 16 prefix operators in a row (help: remove the repeated `-` and `not`: two of them cancel out)"
            ),
        ),
        (
            "AST depth",
            rule(&deep_ast),
            format!(
                "limits.yaml:4:14: {e} expression nests deeper than 100 levels (help: split the computation into several rules or simplify it)"
            ),
        ),
        (
            "AST depth of a filter chain",
            rule(&deep_filters),
            format!(
                "limits.yaml:4:14: {e} expression nests deeper than 100 levels (help: split the computation into several rules or simplify it)"
            ),
        ),
        (
            "AST depth of the longest operator chain",
            rule(&longest_chain),
            format!(
                "limits.yaml:4:14: {e} expression nests deeper than 100 levels (help: split the computation into several rules or simplify it)"
            ),
        ),
        (
            "expression length",
            rule(&long),
            format!(
                "limits.yaml:4:14: {e} expression is 16386 bytes long; the limit is 16384 (help: split it into several rules, or move the data into a table)"
            ),
        ),
        (
            "regex size",
            rule("a | replace(\"(a{1000}){1000}\", \"\")"),
            format!(
                "limits.yaml:4:26: {e} invalid argument for `replace`: the regex compiles to more than 262144 bytes (help: simplify the regex; the size limit keeps matching fast and memory bounded)"
            ),
        ),
        (
            "YAML nodes",
            nodes,
            format!(
                "limits.yaml:6:99987: {e} the file expands to more than 50000 YAML nodes (alias expansion is bounded) (help: a rule file needs no deep alias expansion: write the values out, or split the file)"
            ),
        ),
        (
            "YAML alias expansion",
            aliases,
            format!(
                "limits.yaml:9:22: {e} the file expands to more than 50000 YAML nodes (alias expansion is bounded) (help: a rule file needs no deep alias expansion: write the values out, or split the file)"
            ),
        ),
        (
            "YAML nesting",
            deep_yaml,
            format!(
                "limits.yaml:37:33: {e} the YAML nests deeper than 32 levels (help: a rule file needs only a few levels (section, rule, `value:`): flatten the structure)"
            ),
        ),
        (
            "YAML flow nesting",
            flow,
            format!(
                "limits.yaml:5:259: {e} the YAML nests `[…]` or `{{…}}` too deeply for the parser (help: a rule file needs only a few levels (section, rule, `value:`): flatten the structure)"
            ),
        ),
        (
            "file size",
            big_file,
            format!(
                "limits.yaml:1:1: {e} the file is 4199478 bytes; rule files are limited to 4194304 bytes (help: split the rules into several files; a rule file is usually a few kilobytes)"
            ),
        ),
    ]
}

#[test]
fn each_limit_is_a_positioned_fm901() {
    for (case, text, expected) in cases() {
        let findings = without_hanging(case, move || {
            let diagnostics = Ruleset::from_str(&text, "limits.yaml").diagnostics();
            diagnostics
                .iter()
                .filter(|d| d.code == Code::LimitExceeded)
                .map(render::short)
                .collect::<Vec<_>>()
        });
        assert_eq!(findings, vec![expected], "{case}");
    }
}

/// Rule files at each expression limit compile and run. Checking, linting and evaluating
/// recurse over the tree; debug frames are about ten times the release ones, so this runs on
/// an 8 MiB thread (the release build needs under 512 KiB at `MAX_DEPTH`).
#[test]
fn at_the_limits_compiles_and_runs() {
    let nested = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    let ifs = format!("{}2", "if a then 1 else ".repeat(MAX_IFS));
    let concat = vec!["a"; MAX_DEPTH].join(" ++ ");
    let filters = format!("a{}", " | trim".repeat(MAX_DEPTH - 1));
    let sum = vec!["1"; MAX_DEPTH].join(" + ");
    let text = format!(
        "{HEAD}  language: '{nested}'\n  conversation_attribute_1: '{ifs}'\n  content: '{concat}'\n  case: '{filters}'\n  conversation_measure_1: '{sum}'\n"
    );
    let (applied, diagnostics) = without_hanging_on(8 << 20, "at the limits", move || {
        let (program, diagnostics) = Ruleset::from_str(&text, "at.yaml").check();
        let applied = program.map(|p| p.apply(&serde_json::json!({"a": "x"})));
        (
            applied,
            diagnostics.iter().map(render::short).collect::<Vec<_>>(),
        )
    });
    assert!(
        diagnostics.iter().all(|d| !d.contains("error[")),
        "{diagnostics:#?}"
    );
    let output = applied.expect("a program").attributes.to_value();
    assert_eq!(output["conversations"]["language"], "x");
    assert_eq!(output["conversations"]["case"], "x");
    assert_eq!(output["conversations"]["conversation_measure_1"], 100);
}

fn nested_arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// JSON nested past `serde_json`'s recursion limit (128) is refused by the parser, before the
/// runtime sees it; up to the limit, a rule can copy it whole.
#[test]
fn deep_records_are_errors_not_stack_overflows() {
    let deep = format!("{{\"x\": {}}}", nested_arrays(100_000));
    assert!(serde_json::from_str::<Value>(&deep).is_err());
    let program = Ruleset::from_str(
        "flexmap: 1\ntarget: task\nconversations:\n  content: x\nextra:\n  copy: x\n",
        "deep.yaml",
    )
    .compile()
    .expect("compiles");
    let deepest = format!("{{\"x\": {}}}", nested_arrays(126));
    let record: Value = serde_json::from_str(&deepest).expect("within the limit");
    let applied = program.apply(&record);
    assert_eq!(applied.attributes.to_value()["copy"], record["x"]);
    assert_eq!(
        applied.warnings.len(),
        1,
        "content gets `dropped` for an array"
    );
}

#[test]
fn apply_turns_deep_json_into_an_error_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("rules.yaml");
    std::fs::write(
        &rules,
        "flexmap: 1\ntarget: task\nconversations:\n  content: x\n",
    )
    .expect("write rules");
    let objects = format!("{}1{}", "{\"a\": ".repeat(50_000), "}".repeat(50_000));
    let input = format!(
        "{}\n{{\"x\": {{\"y\": {objects}}}}}\n{{\"x\": \"ok\"}}\n",
        nested_arrays(100_000),
    );
    let output = without_hanging("apply", move || {
        assert_cmd::Command::cargo_bin("flexmap")
            .expect("binary")
            .arg("apply")
            .arg(&rules)
            .write_stdin(input)
            .output()
            .expect("runs")
    });
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "{\"conversations\":{\"content\":\"ok\"}}\n"
    );
    assert!(
        stderr.contains("flexmap: line 1: malformed JSON: recursion limit exceeded"),
        "{stderr}"
    );
    assert!(
        stderr.contains("flexmap: line 2: malformed JSON: recursion limit exceeded"),
        "{stderr}"
    );
    assert!(stderr.contains("3 lines: 1 mapped, 2 errors"), "{stderr}");
    assert_eq!(output.status.code(), Some(1));
}
