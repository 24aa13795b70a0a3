//! The rule-file JSON Schema, `flexmap init` and `flexmap completions`.

use assert_cmd::Command;
use serde_json::{Value, json};

use crate::files;

/// The schema, compiled by the `jsonschema` crate (which also checks it is a valid schema).
fn validator() -> jsonschema::Validator {
    let schema = flexmap::schema::rule_file_schema();
    jsonschema::options()
        .build(&schema)
        .expect("the rule-file schema is a valid JSON Schema")
}

/// A YAML rule file as a JSON value.
fn yaml_to_json(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).expect("rule file is YAML")
}

fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn schema_declares_its_dialect_and_basics() {
    let schema = flexmap::schema::rule_file_schema();
    assert_eq!(schema["$schema"], flexmap::schema::SCHEMA_DIALECT);
    assert_eq!(schema["properties"]["flexmap"]["const"], 1);
    assert_eq!(schema["required"], json!(["flexmap", "target"]));
    let conversations = &schema["properties"]["conversations"];
    assert_eq!(conversations["additionalProperties"], false);
    assert!(conversations["properties"]["conversation_label_10"].is_object());
    assert!(conversations["properties"]["abandoned"]["description"].is_string());
    assert!(schema["properties"]["customers"]["properties"]["customer_attribute_3"].is_object());
    assert!(schema["properties"]["customers"]["properties"]["customer_attribute_4"].is_null());
}

/// Every property of every object in `schema` has a one-line description (editor hover text).
fn assert_described(schema: &Value, at: &str) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Object(properties)) = object.get("properties") {
                for (name, property) in properties {
                    let description = property.get("description").and_then(Value::as_str);
                    assert!(
                        description.is_some_and(|d| !d.is_empty() && !d.contains('\n')),
                        "{at}/properties/{name} needs a one-line description"
                    );
                }
            }
            // `if`/`then` only constrain properties described elsewhere.
            for (key, value) in object
                .iter()
                .filter(|(key, _)| !["if", "then"].contains(&key.as_str()))
            {
                assert_described(value, &format!("{at}/{key}"));
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                assert_described(item, &format!("{at}/{index}"));
            }
        }
        _ => {}
    }
}

#[test]
fn every_property_has_a_description() {
    assert_described(&flexmap::schema::rule_file_schema(), "#");
}

#[test]
fn schema_accepts_every_example() {
    let validator = validator();
    // Rule files only: `*.test.yaml` files are rule tests, with a format of their own.
    let examples: Vec<_> = files("rules-examples", ".yaml")
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".test.yaml"))
        .collect();
    assert_eq!(examples.len(), 4);
    for path in examples {
        let text = std::fs::read_to_string(&path).expect("example is readable");
        let found = errors(&validator, &yaml_to_json(&text));
        assert!(found.is_empty(), "{}: {found:#?}", path.display());
    }
}

#[test]
fn schema_rejects_the_broken_examples_of_unknown_targets() {
    let validator = validator();
    for (name, pointer) in [
        ("fm101-unknown-target.yaml", "/conversations"),
        ("fm102-wrong-section.yaml", "/conversations"),
        ("fm201-slot-overflow.yaml", "/customers"),
        ("fm201-slot-overflow-worker.yaml", "/worker"),
    ] {
        let path = crate::root().join("rules-examples/broken").join(name);
        let text = std::fs::read_to_string(&path).expect("example is readable");
        let found = errors(&validator, &yaml_to_json(&text));
        assert!(
            found.iter().any(|e| e.ends_with(&format!(" at {pointer}"))),
            "{name}: {found:#?}"
        );
    }
}

#[test]
fn schema_rejects_unknown_targets_and_keys() {
    let validator = validator();
    let cases = [
        "flexmap: 1\ntarget: task\nconversations:\n  lanugage: ivr.language\n",
        "flexmap: 2\ntarget: task\n",
        "flexmap: 1\ntarget: agent\n",
        "flexmap: 1\ntarget: task\nrules: {}\n",
        "flexmap: 1\ntarget: task\nconversations:\n  language: { value: x, const: y }\n",
        "flexmap: 1\ntarget: task\nconversations:\n  language: { value: x, allow: [no-such-lint] }\n",
        "flexmap: 1\ntarget: worker\nconversations:\n  language: x\n",
        "flexmap: 1\ntarget: task\ncustom:\n  tier: { value: x }\n",
    ];
    for case in cases {
        assert!(
            !errors(&validator, &yaml_to_json(case)).is_empty(),
            "accepted:\n{case}"
        );
    }
    let fine = "flexmap: 1\ntarget: task\nconversations:\n  language: { value: x, allow: [FM104, id-in-attribute] }\nextra:\n  anything: { const: [1, 2] }\n";
    let found = errors(&validator, &yaml_to_json(fine));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn init_scaffolds_a_project_that_lints_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let project = dir.path().join("project");
    Command::cargo_bin("flexmap")
        .expect("binary is built")
        .args(["init"])
        .arg(&project)
        .assert()
        .success();
    let example =
        std::fs::read_to_string(project.join("rules/example.yaml")).expect("example written");
    assert!(example.starts_with("# yaml-language-server: $schema=../flexmap.schema.json\n"));
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("flexmap.schema.json")).expect("schema written"),
    )
    .expect("schema is JSON");
    assert_eq!(written, flexmap::schema::rule_file_schema());
    assert!(errors(&validator(), &yaml_to_json(&example)).is_empty());

    // The example test file points at the test-file schema, validates against it, and passes.
    let example_test =
        std::fs::read_to_string(project.join("rules/example.test.yaml")).expect("test written");
    assert!(
        example_test.starts_with("# yaml-language-server: $schema=../flexmap.test.schema.json\n")
    );
    let written_test: Value = serde_json::from_str(
        &std::fs::read_to_string(project.join("flexmap.test.schema.json"))
            .expect("test schema written"),
    )
    .expect("test schema is JSON");
    assert_eq!(written_test, flexmap::schema::test_file_schema());
    assert!(errors(&test_validator(), &yaml_to_json(&example_test)).is_empty());
    Command::cargo_bin("flexmap")
        .expect("binary is built")
        .arg("test")
        .arg(&project)
        .assert()
        .success();

    let loaded = flexmap::Project::load(&project).expect("project loads");
    assert_eq!(loaded.rulesets.len(), 1);
    let diagnostics = loaded.all_diagnostics();
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");

    // A second run refuses to overwrite; --force does.
    Command::cargo_bin("flexmap")
        .expect("binary is built")
        .arg("init")
        .arg(&project)
        .assert()
        .code(2);
    Command::cargo_bin("flexmap")
        .expect("binary is built")
        .args(["init", "--force"])
        .arg(&project)
        .assert()
        .success();
}

/// The test-file schema, compiled by the `jsonschema` crate.
fn test_validator() -> jsonschema::Validator {
    jsonschema::options()
        .build(&flexmap::schema::test_file_schema())
        .expect("the test-file schema is a valid JSON Schema")
}

#[test]
fn every_test_file_validates_against_the_test_file_schema_and_no_rule_file_does() {
    let validator = test_validator();
    let mut checked = 0;
    for dir in ["rules-examples", "tests/cases/ruletest"] {
        for path in files(dir, ".test.yaml") {
            let text = std::fs::read_to_string(&path).expect("test file");
            let Ok(instance) = serde_saphyr::from_str::<Value>(&text) else {
                continue; // a fixture that is broken YAML on purpose
            };
            if path.to_string_lossy().contains("invalid") {
                continue; // fixtures that show the loader's diagnostics
            }
            let found = errors(&validator, &instance);
            assert!(found.is_empty(), "{}: {found:#?}", path.display());
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} test files checked");
    // A rule file is not a test file, and a misspelt case key is flagged.
    let rule_file = yaml_to_json("flexmap: 1\ntarget: task\nconversations:\n  channel: x\n");
    assert!(!errors(&validator, &rule_file).is_empty());
    let misspelt = yaml_to_json(
        "rules: a.yaml\ncases:\n  - name: x\n    input: {}\n    expct: {}\n    warnings: [lookup-mis]\n",
    );
    let found = errors(&validator, &misspelt);
    assert!(found.len() >= 2, "{found:#?}");
}

#[test]
fn completions_for_bash_are_not_empty() {
    let output = Command::cargo_bin("flexmap")
        .expect("binary is built")
        .args(["completions", "bash"])
        .output()
        .expect("flexmap runs");
    assert!(output.status.success());
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("_flexmap()"), "{text}");
    assert!(text.contains("init"));
}
