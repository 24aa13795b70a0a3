//! Properties: no input crashes the front end or the runtime, and every output satisfies
//! the catalog (known keys, text within 128 characters, numeric measures, Yes/No flags,
//! dates in range).

use flexmap::catalog::{self, Kind, Section};
use flexmap::{Program, Ruleset};
use proptest::prelude::*;
use serde_json::Value;

/// JSON values whose keys often match the paths the example rules read.
fn json() -> impl Strategy<Value = Value> {
    let keys = prop_oneof![
        Just("crm".to_string()),
        Just("ivr".to_string()),
        Just("task".to_string()),
        Just("account".to_string()),
        Just("contact".to_string()),
        Just("id".to_string()),
        Just("tier".to_string()),
        Just("language".to_string()),
        Just("menu_path".to_string()),
        Just("business_hours".to_string()),
        Just("duration_seconds".to_string()),
        Just("channel".to_string()),
        Just("sid".to_string()),
        "[a-z_]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,200}".prop_map(Value::String),
        "[0-9 :.+-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

fn example_programs() -> Vec<Program> {
    crate::files("rules-examples", ".yaml")
        .iter()
        .filter(|p| !flexmap::ruletest::is_test_file_name(p))
        .map(|p| {
            Ruleset::from_path(p)
                .expect("readable")
                .compile()
                .expect("examples compile")
        })
        .collect()
}

fn check_field(section: Section, key: &str, value: &Value) {
    let kind =
        catalog::kind_of(section, key).unwrap_or_else(|| panic!("unknown key {section}.{key}"));
    match kind {
        Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy | Kind::Enum => {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{key}: text field holds {value}"));
            assert!(
                !text.is_empty() && text.chars().count() <= 128,
                "{key}: {} characters",
                text.chars().count()
            );
        }
        Kind::YesNo => assert!(value == "Yes" || value == "No", "{key}: {value}"),
        Kind::Measure | Kind::Duration => {
            assert!(value.as_f64().is_some_and(f64::is_finite), "{key}: {value}");
        }
        Kind::Date => {
            let ms = value.as_i64().unwrap_or_else(|| panic!("{key}: {value}"));
            assert!(
                (flexmap::runtime::convert::DATE_MIN_MS..=flexmap::runtime::convert::DATE_MAX_MS)
                    .contains(&ms)
            );
        }
        Kind::Url => assert!(
            value
                .as_str()
                .is_some_and(flexmap::runtime::convert::is_http_url),
            "{key}: {value}"
        ),
        Kind::List => assert!(
            value
                .as_array()
                .is_some_and(|a| a.iter().all(Value::is_object)),
            "{key}: {value}"
        ),
    }
}

fn check_output(program: &Program, output: &Value) {
    let object = output.as_object().expect("attributes are an object");
    for (key, value) in object {
        assert!(!value.is_null(), "null written at {key}");
        match (program.target(), key.as_str()) {
            (catalog::Target::Task, "conversations") => {
                for (k, v) in value.as_object().expect("object") {
                    check_field(Section::Conversations, k, v);
                }
            }
            (catalog::Target::Task, "customers") => {
                for (k, v) in value.as_object().expect("object") {
                    check_field(Section::Customers, k, v);
                }
            }
            (catalog::Target::Worker, k) if catalog::kind_of(Section::Worker, k).is_some() => {
                check_field(Section::Worker, k, value);
            }
            _ => {} // extra
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn apply_never_panics_and_output_satisfies_the_catalog(record in json()) {
        for program in example_programs() {
            let applied = program.apply(&record);
            check_output(&program, &applied.attributes.to_value());
            for warning in &applied.warnings {
                let _ = program.describe(warning);
            }
        }
    }

    #[test]
    fn any_text_as_a_rule_file_gets_diagnostics_not_a_panic(text in ".{0,300}") {
        let source = format!("flexmap: 1\ntarget: task\n{text}");
        for d in Ruleset::from_str(&source, "fuzz.yaml").diagnostics() {
            prop_assert!(d.primary_span().end <= source.len());
            let _ = flexmap::diagnostic::render::human(&d, false, 80);
        }
    }

    #[test]
    fn any_expression_gets_diagnostics_or_runs(expression in "[a-z.()\\[\\]|?+\\-*/%<>=!\"' 0-9,:{}]{0,60}") {
        let source = format!("flexmap: 1\ntarget: task\nextra:\n  v: {}\n", serde_json::to_string(&expression).expect("quote"));
        let ruleset = Ruleset::from_str(&source, "fuzz.yaml");
        let (program, diagnostics) = ruleset.check();
        for d in &diagnostics {
            prop_assert!(d.primary_span().end <= source.len());
        }
        if let Some(program) = program {
            let _ = program.apply(&serde_json::json!({"a": {"b": [1, "x", null]}}));
        }
    }
}

#[test]
fn rule_file_mutations_never_panic() {
    // Every prefix of every example is a (mostly broken) rule file in its own right.
    for path in crate::files("rules-examples", ".yaml")
        .into_iter()
        .chain(crate::files("rules-examples/broken", ".yaml"))
    {
        let text = std::fs::read_to_string(&path).expect("readable");
        for cut in (0..text.len())
            .step_by(7)
            .filter(|i| text.is_char_boundary(*i))
        {
            let _ = Ruleset::from_str(&text[..cut], "prefix.yaml").diagnostics();
        }
    }
}

/// The programs the fast path is checked against: every example plus the benchmark ruleset.
fn fast_path_programs() -> Vec<Program> {
    let mut programs = example_programs();
    programs.push(
        Ruleset::from_path(std::path::Path::new("benches/compare.yaml"))
            .expect("readable")
            .compile()
            .expect("the benchmark ruleset compiles"),
    );
    programs
}

/// Record text: valid JSON, cut short, with a repeated key, or with a bad escape.
fn record_text() -> impl Strategy<Value = String> {
    (json(), 0..4u8, any::<prop::sample::Index>()).prop_map(|(value, mode, at)| {
        let text = value.to_string();
        match mode {
            1 => {
                let cut = at.index(text.len() + 1);
                let cut = (0..=cut)
                    .rev()
                    .find(|i| text.is_char_boundary(*i))
                    .unwrap_or(0);
                text[..cut].to_string()
            }
            2 if text.starts_with('{') && text.len() > 2 => {
                format!(
                    r#"{{"crm":{{"account":{{"tier":" Gold "}}}},{}"#,
                    &text[1..]
                )
            }
            3 => format!(r#"{{"note":"\ud800","crm":{text}}}"#),
            _ => text,
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// `FastPath` (pruned parse, direct write) against serde_json + `Program::apply`: same
    /// errors, same output bytes, same warnings in the same order.
    #[test]
    fn fast_path_equals_program_apply(text in record_text()) {
        for program in fast_path_programs() {
            let fast = flexmap::runtime::FastPath::new(&program);
            let expected = serde_json::from_str::<Value>(&text);
            let actual = fast.parse(&text);
            match (expected, actual) {
                (Ok(expected), Ok(actual)) => {
                    prop_assert_eq!(expected.is_object(), actual.is_object());
                    let applied = program.apply(&expected);
                    let mut want = Vec::new();
                    applied.attributes.write_json(&mut want);
                    let mut got = Vec::new();
                    let mut warnings = Vec::new();
                    fast.apply_json(&actual, &mut got, &mut warnings);
                    prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{}", program.name());
                    prop_assert_eq!(warnings, applied.warnings);
                }
                (Err(expected), Err(actual)) => prop_assert_eq!(actual.to_string(), expected.to_string()),
                (expected, actual) => prop_assert!(false, "serde_json: {:?}, fast path: {:?}", expected.map(|_| ()), actual.map(|_| ())),
            }
        }
    }
}
