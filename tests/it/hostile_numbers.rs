//! Exact numbers (issue 10 item 6, SPEC "Numbers are exact"): integers beyond i64/u64 in
//! records are copied and rendered as written, never rounded through a float, by `apply`
//! (both paths: `FastPath` and `--merge`), `apply --trace` and `eval`. Every case here failed
//! before `runtime::number` (the digits came out as `1.2345678901234568e23`).

use assert_cmd::Command;
use flexmap::Ruleset;
use flexmap::runtime::{FastPath, Program, number};
use serde_json::Value;

/// 20, 25 and 40 digits, and negative ones.
const D20: &str = "98765432109876543210";
const D25: &str = "1234567890123456789012345";
const D40: &str = "1234567890123456789012345678901234567890";
const N25: &str = "-1234567890123456789012345";

const RULES: &str = "flexmap: 1
target: task
conversations:
  conversation_id: r.id
  conversation_label_1: r.id | string
  conversation_label_2: \"'#' ++ r.deep.list[1]\"
  conversation_label_3: r.neg
  conversation_label_4: \"[r.id, r.neg, 7] | join('/')\"
  conversation_label_5: r.id | sha256
  conversation_measure_1: r.id
  conversation_measure_2: r.neg
  conversation_measure_3: r.id + 1
extra:
  copied: r.deep
  equal: r.id == r.same
  unequal: r.id == r.other
  below: r.neg < 0
";

fn program() -> Program {
    match Ruleset::from_str(RULES, "numbers.yaml").compile() {
        Ok(program) => program,
        Err(e) => panic!("{:?}", e.diagnostics),
    }
}

fn record() -> String {
    format!(
        r#"{{"r":{{"id":{D25},"same":{D25},"other":1234567890123456789012346,"neg":{N25},"deep":{{"list":[1,{D40},{D20},5.0,1e2,-0],"n":{{"x":{N25}}}}}}}}}"#
    )
}

fn expected() -> String {
    let sha = flexmap::runtime::convert::sha256_hex(D25);
    format!(
        concat!(
            r#"{{"conversations":{{"conversation_id":"{d25}","conversation_label_1":"{d25}","#,
            r##""conversation_label_2":"#{d40}","conversation_label_3":"{n25}","##,
            r#""conversation_label_4":"{d25}/{n25}/7","conversation_label_5":"{sha}","#,
            r#""conversation_measure_1":{d25},"conversation_measure_2":{n25},"#,
            r#""conversation_measure_3":1.2345678901234568e+24}},"#,
            r#""copied":{{"list":[1,{d40},{d20},5.0,100.0,-0.0],"n":{{"x":{n25}}}}},"#,
            r#""equal":true,"unequal":false,"below":true}}"#
        ),
        d20 = D20,
        d25 = D25,
        d40 = D40,
        n25 = N25,
        sha = sha,
    )
}

#[test]
fn program_apply_and_the_fast_path_keep_big_integers_exact() {
    let program = program();
    let text = record();
    let record = number::parse_record(&text).expect("valid JSON");
    let applied = program.apply(&record);
    let mut want = Vec::new();
    applied.attributes.write_json(&mut want);
    assert_eq!(String::from_utf8_lossy(&want), expected());
    assert_eq!(applied.warnings, vec![]);

    let fast = FastPath::new(&program);
    let parsed = fast.parse(&text).expect("valid JSON");
    let (mut got, mut warnings) = (Vec::new(), Vec::new());
    fast.apply_json(&parsed, &mut got, &mut warnings);
    assert_eq!(String::from_utf8_lossy(&got), expected());
    assert_eq!(warnings, vec![]);
}

fn rules_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let path = dir.path().join("numbers.yaml");
    std::fs::write(&path, RULES).expect("write rules");
    path
}

#[test]
fn apply_writes_big_integers_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_file(&dir);
    let input = format!("{}\n{D40}\n", record());
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .arg("apply")
        .arg(&rules)
        .write_stdin(input)
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stdout, format!("{}\n", expected()), "{stderr}");
    // A big integer is a number, never an object, even at the top.
    assert!(
        stderr.contains("line 2: the record is a number, not a JSON object"),
        "{stderr}"
    );
}

#[test]
fn apply_merge_keeps_big_integers_of_the_existing_attributes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = dir.path().join("merge.yaml");
    std::fs::write(
        &rules,
        "flexmap: 1\ntarget: task\nconversations:\n  conversation_id: r.id\n",
    )
    .expect("write rules");
    let input = format!(
        r#"{{"r":{{"id":{N25}}},"task":{{"attributes":{{"account":{D40},"conversations":{{"conversation_label_1":"x","n":{D20}}}}}}}}}"#
    );
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .args(["apply", "--merge", "task.attributes"])
        .arg(&rules)
        .write_stdin(input)
        .output()
        .expect("run");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        format!(
            r#"{{"account":{D40},"conversations":{{"conversation_id":"{N25}","conversation_label_1":"x","n":{D20}}}}}"#
        ) + "\n",
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn apply_trace_and_eval_show_big_integers_exactly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let rules = rules_file(&dir);
    let trace = dir.path().join("trace.ndjson");
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .arg("apply")
        .arg(&rules)
        .arg(format!("--trace={}", trace.display()))
        .write_stdin(record())
        .output()
        .expect("run");
    assert!(output.status.success(), "{output:?}");
    let trace = std::fs::read_to_string(&trace).expect("trace written");
    let first: Value = trace
        .lines()
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .expect("a trace line");
    assert_eq!(first["rule"], "conversations.conversation_id", "{trace}");
    assert!(
        trace
            .lines()
            .next()
            .is_some_and(|l| l.contains(&format!(r#""value":{D25}"#))
                && l.contains(&format!(r#""output":"{D25}""#))),
        "{trace}"
    );

    let record_file = dir.path().join("record.json");
    std::fs::write(&record_file, record()).expect("write record");
    for (expression, value) in [
        ("r.id", D25.to_string()),
        ("r.deep.list[1] | string", format!("\"{D40}\"")),
        ("r.neg ++ ''", format!("\"{N25}\"")),
        (
            "r.deep",
            format!(r#"{{"list":[1,{D40},{D20},5.0,100.0,-0.0],"n":{{"x":{N25}}}}}"#),
        ),
    ] {
        let output = Command::cargo_bin("flexmap")
            .expect("binary")
            .args(["eval", "--json", "--steps", expression])
            .arg(&record_file)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(&format!(r#""value":{value}"#)),
            "{expression}: {stdout}"
        );
        let output = Command::cargo_bin("flexmap")
            .expect("binary")
            .args(["eval", expression])
            .arg(&record_file)
            .output()
            .expect("run");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains(&format!("value: {value}\n")),
            "{expression}: {stdout}"
        );
    }
}
