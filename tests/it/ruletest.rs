//! Rule tests: the bundled `rules-examples/*.test.yaml` all pass, and the fixtures under
//! `tests/cases/ruletest/` fail the way they should (with the diff `flexmap test` prints).

use assert_cmd::Command;
use flexmap::Code;
use flexmap::ruletest::{self, CaseResult, Outcome};

use crate::{display, files, root};

#[test]
fn bundled_example_tests_pass() {
    let tests = files("rules-examples", ".test.yaml");
    assert_eq!(tests.len(), 4, "one test file per bundled example");
    for path in tests {
        let report = ruletest::run_file(&path);
        assert!(
            report.diagnostics.is_empty(),
            "{}: {:?}",
            display(&path),
            report.diagnostics
        );
        assert!(
            (3..=5).contains(&report.cases.len()),
            "{}: 3 to 5 cases",
            display(&path)
        );
        for case in &report.cases {
            assert!(
                case.passed(),
                "{}::{} failed: {:?}",
                display(&path),
                case.name,
                case.outcome
            );
        }
    }
}

#[test]
fn broken_expectations_fail_with_both_values() {
    let report =
        ruletest::run_file(&root().join("tests/cases/ruletest/broken-expectation.test.yaml"));
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
    let passed: Vec<bool> = report.cases.iter().map(CaseResult::passed).collect();
    assert_eq!(passed, [false, true, false]);
    match &report.cases[2].outcome {
        Outcome::Fail {
            expected_warnings,
            actual_warnings,
            ..
        } => {
            assert!(expected_warnings.is_empty());
            assert_eq!(actual_warnings, &["filter-failed"]);
        }
        Outcome::Pass => panic!("the warning case should fail"),
    }
}

#[test]
fn broken_expectations_print_a_diff() {
    let output = Command::cargo_bin("flexmap")
        .expect("binary")
        .current_dir(root())
        .args([
            "test",
            "tests/cases/ruletest/broken-expectation.test.yaml",
            "--color",
            "never",
        ])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        r#"FAIL tests/cases/ruletest/broken-expectation.test.yaml::team code is upper-cased
--- expected
+++ actual
@@ -1,5 +1,5 @@
 {
   "agent_id": "E1",
-  "team_id": "bil-2"
+  "team_id": "BIL-2"
 }
 warnings: []
PASS tests/cases/ruletest/broken-expectation.test.yaml::email is lower-cased
FAIL tests/cases/ruletest/broken-expectation.test.yaml::an invalid email warns
--- expected
+++ actual
@@ -1,4 +1,4 @@
 {
   "agent_id": "E3"
 }
-warnings: []
+warnings: [filter-failed]
1 passed, 2 failed
"#
    );
}

#[test]
fn invalid_test_files_report_positions() {
    let report = ruletest::run_file(&root().join("tests/cases/ruletest/invalid-keys.test.yaml"));
    assert!(report.cases.is_empty());
    let found: Vec<(Code, (usize, usize))> = report
        .diagnostics
        .iter()
        .map(|d| (d.code, d.line_col()))
        .collect();
    assert_eq!(
        found,
        [
            (Code::UnknownKey, (5, 5)),
            (Code::InvalidValue, (7, 16)),
            (Code::InvalidValue, (4, 5)),
        ]
    );
}
