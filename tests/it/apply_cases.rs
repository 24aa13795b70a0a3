//! Data-driven runtime cases: `tests/cases/apply/NAME.yaml` (rules) with `NAME.ndjson`,
//! one case per line: `{"name": …, "input": {…}, "expect": {…}, "warnings": [names]}`.

use flexmap::Ruleset;
use serde_json::Value;

use crate::{display, files};

#[test]
fn apply_cases() {
    let rule_files = files("tests/cases/apply", ".yaml");
    assert!(!rule_files.is_empty());
    let mut count = 0;
    for rules in rule_files {
        let program = match Ruleset::from_path(&rules).expect("readable").compile() {
            Ok(program) => program,
            Err(e) => panic!("{} does not compile: {:#?}", display(&rules), e.diagnostics),
        };
        let cases = rules.with_extension("ndjson");
        for (number, line) in std::fs::read_to_string(&cases)
            .expect("cases file")
            .lines()
            .enumerate()
        {
            if line.trim().is_empty() {
                continue;
            }
            let case: Value = serde_json::from_str(line).expect("case is JSON");
            let name = case["name"].as_str().unwrap_or("?");
            let applied = program.apply(&case["input"]);
            let place = format!("{}:{} ({name})", display(&cases), number + 1);
            assert_eq!(applied.attributes.to_value(), case["expect"], "{place}");
            let mut warnings: Vec<&str> = applied.warnings.iter().map(|w| w.kind.name()).collect();
            warnings.sort_unstable();
            let mut expected: Vec<&str> = case["warnings"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            expected.sort_unstable();
            assert_eq!(warnings, expected, "{place}: warnings");
            count += 1;
        }
    }
    assert!(count >= 20, "only {count} apply cases");
}
