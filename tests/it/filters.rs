//! Every filter's documented examples run here, so the docs cannot drift.

use flexmap::Ruleset;
use flexmap::runtime::filters::FILTERS;
use serde_json::Value;

#[test]
fn every_filter_has_docs_and_passing_examples() {
    let mut examples = 0;
    for filter in FILTERS {
        assert!(!filter.doc.is_empty(), "{} has no doc line", filter.name);
        assert!(
            !filter.examples.is_empty(),
            "{} has no examples",
            filter.name
        );
        for (expression, expected) in filter.examples {
            let rules = format!(
                "flexmap: 1\ntarget: task\ntables:\n  languages: {{ en-US: English, es-MX: Spanish }}\nextra:\n  v: {}\n",
                serde_json::to_string(expression).expect("quote")
            );
            let program = match Ruleset::from_str(&rules, "example.yaml").compile() {
                Ok(program) => program,
                Err(e) => panic!("`{expression}` ({}): {:#?}", filter.name, e.diagnostics),
            };
            let out = program.apply(&serde_json::json!({}));
            let actual = out
                .attributes
                .to_value()
                .get("v")
                .cloned()
                .unwrap_or(Value::Null);
            let expected: Value = serde_json::from_str(expected).expect("expected is JSON");
            assert_eq!(actual, expected, "`{expression}`");
            examples += 1;
        }
    }
    assert_eq!(
        FILTERS.len(),
        28,
        "filter count changed: update docs/language.md"
    );
    assert!(examples >= 35);
}

#[test]
fn the_spec_filters_all_exist() {
    let spec = "lower upper trim title truncate replace matches split join slice len first last number int round \
                clamp seconds yes_no default lookup in hierarchy phone email sha256 date";
    for name in spec.split_whitespace() {
        assert!(
            flexmap::runtime::filters::find(name).is_some(),
            "missing filter {name}"
        );
    }
}
