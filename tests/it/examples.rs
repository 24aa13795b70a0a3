//! The bundled examples: they lint clean, map their sample input to the expected output,
//! and every broken example reports exactly the findings its header comment promises.

use flexmap::{Project, Ruleset};
use serde_json::Value;

use crate::{display, files, root, updating};

#[test]
fn examples_lint_clean() {
    let project = Project::load(&root().join("rules-examples")).expect("examples folder");
    assert!(project.diagnostics.is_empty(), "{:?}", project.diagnostics);
    assert_eq!(
        project.rulesets.len(),
        4,
        "four example rulesets, broken/ excluded by flexmap.toml"
    );
    assert!(
        project.plan.is_some(),
        "the examples folder is a project with a slot plan"
    );
    for ruleset in &project.rulesets {
        // With the project's settings and slots (the lock), as `flexmap lint` checks them.
        let diagnostics = ruleset.diagnostics_with(&project.config);
        assert!(
            diagnostics.is_empty(),
            "{}: {:#?}",
            ruleset.source().name(),
            diagnostics
        );
    }
}

#[test]
fn examples_map_their_sample_input_to_the_expected_output() {
    let inputs = files("rules-examples", ".input.ndjson");
    assert_eq!(inputs.len(), 4);
    for input in inputs {
        let stem = input
            .to_string_lossy()
            .trim_end_matches(".input.ndjson")
            .to_string();
        let rules = format!("{stem}.yaml");
        let expected_path = format!("{stem}.expected.ndjson");
        // Compiled as `flexmap apply` does: with the project's settings and locked slots.
        let program = flexmap::Project::compile_file(rules.as_ref()).expect("examples compile");
        let mut actual = String::new();
        for line in std::fs::read_to_string(&input)
            .expect("input readable")
            .lines()
        {
            let record: Value = serde_json::from_str(line).expect("sample input is valid JSON");
            let applied = program.apply(&record);
            let mut bytes = Vec::new();
            applied.attributes.write_json(&mut bytes);
            actual.push_str(&String::from_utf8(bytes).expect("UTF-8 output"));
            actual.push('\n');
        }
        if updating() {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).expect("expected output exists");
        for (number, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
            assert_eq!(a, e, "{} line {}", display(input.as_ref()), number + 1);
        }
        assert_eq!(
            actual.lines().count(),
            expected.lines().count(),
            "{}",
            display(input.as_ref())
        );
    }
}

/// `#   19:3  error FM101 …` lines in a broken file's header are its exact findings.
#[test]
fn broken_examples_report_exactly_their_documented_findings() {
    let broken = files("rules-examples/broken", ".yaml");
    assert!(broken.len() >= 10);
    let header =
        regex::Regex::new(r"(?m)^#\s+(\d+):(\d+)\s+(error|warning|info)\s+(FM\d+)").expect("regex");
    for path in broken {
        let text = std::fs::read_to_string(&path).expect("readable");
        let mut expected: Vec<String> = header
            .captures_iter(&text)
            .map(|c| format!("{}:{} {} {}", &c[1], &c[2], &c[3], &c[4]))
            .collect();
        expected.sort();
        assert!(
            !expected.is_empty(),
            "{} documents no findings",
            display(&path)
        );
        let mut actual: Vec<String> = Ruleset::from_str(&text, "x")
            .diagnostics()
            .iter()
            .map(|d| {
                let (line, column) = d.line_col();
                format!("{line}:{column} {} {}", d.severity.name(), d.code.as_str())
            })
            .collect();
        actual.sort();
        assert_eq!(actual, expected, "{}", display(&path));
    }
}
