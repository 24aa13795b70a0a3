//! Properties: no input crashes the front end or the runtime, and every output satisfies
//! the catalog (`harness::check_output`: known keys, text within 128 characters, finite
//! measures, Yes/No flags, dates in range, no nulls or blanks, a payload within 4096
//! characters or a `payload-too-large` record error, and `flexmap audit` agrees).
//!
//! The programs are the examples plus rulesets that write every writable catalog field and
//! slot from `r.<field>` (`harness::every_field_rules`), over arbitrary JSON and over records
//! whose `r` holds those keys with hostile values: deep, Unicode, huge strings, numbers as
//! strings, NaN-like strings, dates at and beyond the range.

use flexmap::Ruleset;
use flexmap::catalog::{self, Section};
use proptest::prelude::*;
use serde_json::Value;

use crate::fuzz_regressions::harness;

/// JSON values whose keys often match the paths the example rules read.
fn json() -> impl Strategy<Value = Value> {
    json_with(false)
}

/// `json()`, and with `big`, integers beyond i64/u64 among the leaves (`runtime::number`:
/// written out with `number::to_json`, they are exact integer tokens of 20 to 46 digits).
fn json_with(big: bool) -> impl Strategy<Value = Value> {
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
    ]
    .boxed();
    let leaf = if big {
        prop_oneof![
            3 => leaf,
            1 => "-?[1-9][0-9]{19,45}".prop_map(|token| {
                flexmap::runtime::number::big_value(&token)
                    .unwrap_or_else(|| serde_json::from_str(&token).unwrap_or(Value::Null))
            }),
        ]
        .boxed()
    } else {
        leaf
    };
    leaf.prop_recursive(5, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Every field and slot name of every section, and `e` (the every-field rulesets' extra).
fn field_names() -> Vec<String> {
    let mut names = vec!["e".to_string()];
    for section in [Section::Conversations, Section::Customers, Section::Worker] {
        names.extend(catalog::section_fields(section).map(|f| f.name.to_string()));
        names.extend(catalog::slots(section).map(|s| s.name()));
    }
    names
}

/// Values that probe coercion: near-numbers, NaN-likes, dates at the edges, flags, links,
/// placeholders, blanks, long and multi-byte text.
fn hostile_leaf() -> impl Strategy<Value = Value> {
    let tricky = [
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "1e400",
        "-1e400",
        "1e-400",
        "-0",
        "0x1F",
        "1_000",
        " 12 ",
        "12abc",
        "+3",
        ".5",
        "5.",
        "1,5",
        "١٢٣",
        "",
        " ",
        "\t",
        "null",
        "undefined",
        "[object Object]",
        "true",
        "FALSE",
        "yes",
        "No",
        "1",
        "0",
        "Y",
        "on",
        "1900-12-31",
        "1901-01-01",
        "2049-12-31T23:59:59.999Z",
        "2050-01-01",
        "0000-00-00",
        "2024-02-30",
        "2024-05-01T10:00:00+14:00",
        "9999-99-99T99:99:99Z",
        "00:02:13",
        "-00:00:01",
        "99:99:99",
        "http://",
        "https://example.com/x?token=1",
        "ftp://x",
        "javascript:alert(1)",
        "Yes ▸ No",
        " ▸ ",
        "é",
        "😀",
        "\u{0}",
        "a\u{0}b",
        "\u{202e}",
        "\u{feff}x",
    ];
    prop_oneof![
        4 => prop::sample::select(tricky.to_vec()).prop_map(|s| Value::String(s.to_string())),
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => prop::sample::select(vec![
            -2_177_452_800_001_i64, -2_177_452_800_000, 2_524_607_999_999, 2_524_607_999_999 + 1,
            0, 1_714_557_600_000, 1_714_557_600, i64::MIN, i64::MAX,
        ]).prop_map(Value::from),
        1 => any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        2 => "\\PC{0,40}".prop_map(Value::String),
        1 => ("[a-zé😀 ]{1,3}", 100..6000usize).prop_map(|(unit, n)| Value::String(unit.repeat(n / unit.chars().count().max(1)))),
        1 => "[0-9 :.+eE-]{0,12}".prop_map(Value::String),
    ]
}

/// `{"r": {field: value, …}, "e": …}` with keys from the catalog and hostile values,
/// arrays and objects among them (lists, media items, deep nesting).
fn every_field_record() -> impl Strategy<Value = Value> {
    let names = field_names();
    let value = hostile_leaf().prop_recursive(6, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec(("[a-z_]{1,6}", inner), 0..5)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    });
    prop::collection::vec((prop::sample::select(names), value), 0..40)
        .prop_map(|pairs| serde_json::json!({"r": Value::Object(pairs.into_iter().collect())}))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn apply_never_panics_and_output_satisfies_the_catalog(record in json()) {
        for program in harness::fixed_programs() {
            harness::run(program, &record);
        }
    }

    #[test]
    fn any_text_as_a_rule_file_gets_diagnostics_not_a_panic(text in ".{0,300}") {
        harness::yaml_front_end(format!("flexmap: 1\ntarget: task\n{text}").as_bytes());
    }

    #[test]
    fn any_expression_gets_diagnostics_or_runs(expression in "[a-z.()\\[\\]|?+\\-*/%<>=!\"' 0-9,:{}]{0,60}") {
        harness::expression(expression.as_bytes());
    }
}

proptest! {
    // Fewer cases: each record holds up to 40 fields, some thousands of characters long.
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn every_field_gets_a_catalog_value_from_any_data(record in every_field_record()) {
        for program in harness::fixed_programs() {
            harness::run(program, &record);
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

/// The programs the fast path is checked against: every example, the every-field rulesets and
/// the benchmark ruleset.
fn fast_path_programs() -> Vec<flexmap::Program> {
    let mut programs = harness::fixed_programs().to_vec();
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
    (json_with(true), 0..4u8, any::<prop::sample::Index>()).prop_map(|(value, mode, at)| {
        let text = flexmap::runtime::number::to_json(&value);
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

    /// `FastPath` (pruned parse, direct write) against `number::parse_record` (serde_json
    /// keeping big integers exact) + `Program::apply`: same errors, same output bytes, same
    /// warnings in the same order; records hold integers of 20 to 46 digits too.
    #[test]
    fn fast_path_equals_program_apply(text in record_text()) {
        for program in fast_path_programs() {
            let fast = flexmap::runtime::FastPath::new(&program);
            let expected = flexmap::runtime::number::parse_record(&text);
            let actual = fast.parse(&text);
            match (expected, actual) {
                (Ok(expected), Ok(actual)) => {
                    prop_assert_eq!(flexmap::runtime::number::is_object(&expected), actual.is_object());
                    let applied = program.apply(&expected);
                    let mut want = Vec::new();
                    applied.attributes.write_json(&mut want);
                    let mut got = Vec::new();
                    let mut warnings = Vec::new();
                    fast.apply_json(&actual, &mut got, &mut warnings);
                    prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want), "{}", program.name());
                    // The payload cap is a record-level check `flexmap apply` makes on the
                    // bytes it writes; the fast path leaves it to the caller.
                    let expected_warnings: Vec<_> = applied
                        .warnings
                        .iter()
                        .copied()
                        .filter(|w| !w.kind.is_record_error())
                        .collect();
                    prop_assert_eq!(warnings, expected_warnings);
                }
                (Err(expected), Err(actual)) => prop_assert_eq!(actual.to_string(), expected.to_string()),
                (expected, actual) => prop_assert!(false, "serde_json: {:?}, fast path: {:?}", expected.map(|_| ()), actual.map(|_| ())),
            }
        }
    }
}
