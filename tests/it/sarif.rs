//! SARIF output is valid SARIF 2.1.0 (checked against the OASIS schema) and carries rule
//! metadata, regions, related locations and fixes.

use flexmap::Ruleset;
use flexmap::diagnostic::render;
use serde_json::Value;

use crate::{display, files, root};

fn broken_diagnostics() -> Vec<flexmap::Diagnostic> {
    let mut all = Vec::new();
    for path in files("rules-examples/broken", ".yaml") {
        let text = std::fs::read_to_string(&path).expect("readable");
        all.extend(Ruleset::from_str(&text, &display(&path)).diagnostics());
    }
    all
}

#[test]
fn sarif_of_the_broken_examples_is_valid_2_1_0() {
    // The official schema's `language` pattern has a stray `]` that strict regex checking
    // rejects; it is patched to its evident intent (flexmap never writes `language`).
    let schema_text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json"))
        .expect("schema")
        .replace(
            "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
            "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
        );
    let schema: Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles");
    let diagnostics = broken_diagnostics();
    assert!(diagnostics.len() >= 30, "{} diagnostics", diagnostics.len());
    let log: Value = serde_json::from_str(&render::sarif(&diagnostics)).expect("SARIF is JSON");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    assert_eq!(rules.len(), flexmap::lint::LINTS.len());
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), diagnostics.len());
    for result in results {
        let index =
            usize::try_from(result["ruleIndex"].as_u64().expect("ruleIndex")).expect("index");
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            rules[index]["help"]["markdown"]
                .as_str()
                .is_some_and(|h| h.contains("## Why it matters"))
        );
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().is_some_and(|l| l >= 1));
    }
    // The duplicate key points back at the first one; the typo carries its fix.
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "FM004" && r["relatedLocations"].is_array())
    );
    assert!(
        results
            .iter()
            .any(|r| r["ruleId"] == "FM101" && r["fixes"][0]["artifactChanges"].is_array())
    );
}

#[test]
fn help_uris_follow_the_docs_url() {
    // SAFETY of the test: the variable is read by `docs_url` only; tests in this binary
    // that render SARIF do not depend on it.
    let with = render::docs_url();
    assert_eq!(
        with.is_some(),
        std::env::var_os("FLEXMAP_DOCS_URL").is_some() || !env!("CARGO_PKG_REPOSITORY").is_empty()
    );
}

#[test]
fn github_annotations_escape_newlines_and_separators() {
    let text = "flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: x\n";
    let out = render::github(&Ruleset::from_str(text, "dir,with:odd.yaml").diagnostics());
    assert_eq!(
        out.lines().next(),
        Some(
            "::error file=dir%2Cwith%3Aodd.yaml,line=4,col=3,endLine=4,endColumn=14,title=FM101 unknown-target::`wrapup_time` is not a `conversations` field Insights knows%0Ahelp: did you mean `wrap_up_time`? Insights spells it `wrap_up_time`; `wrapup_time` is silently ignored"
        )
    );
}
