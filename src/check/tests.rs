//! Checker tests: a rule file in, the exact findings out (`line:col code`).

use crate::Ruleset;

fn findings(text: &str) -> Vec<String> {
    Ruleset::from_str(text, "t.yaml")
        .diagnostics()
        .iter()
        // The checker's own findings; lints have their own tests.
        .filter(|d| crate::lint::find(d.code).is_some_and(|l| l.check.is_none()))
        .map(|d| {
            let (line, col) = d.line_col();
            format!("{line}:{col} {}", d.code.as_str())
        })
        .collect()
}

fn check(body: &str, expected: &[&str]) {
    let text = format!("flexmap: 1\ntarget: task\n{body}");
    assert_eq!(findings(&text), expected, "for:\n{text}");
}

#[test]
fn clean_file_has_no_findings() {
    check(
        "conversations:\n  ivr_path: ivr.digits | hierarchy\n  abandoned: { const: \"No\" }\n",
        &[],
    );
}

#[test]
fn unknown_and_misplaced_targets() {
    check(
        "conversations:\n  wrapup_time: x\n  team_name: y\n  customer_label_1: z\n  conversation_attribute_11: w\n",
        &["4:3 FM101", "5:3 FM101", "6:3 FM102", "7:3 FM201"],
    );
}

#[test]
fn type_mismatches_point_at_the_offending_part() {
    check("conversations:\n  language: 5 | lower\n", &["4:13 FM303"]);
    check(
        "conversations:\n  conversation_measure_1: '\"abc\"'\n",
        &["4:28 FM303"],
    );
    check(
        "inputs:\n  a.b: { type: string }\nconversations:\n  conversation_measure_2: a.b + 1\n",
        &["6:27 FM303"],
    );
}

#[test]
fn unknown_filters_tables_and_arity() {
    check("conversations:\n  language: x | lowr\n", &["4:17 FM306"]);
    check(
        "conversations:\n  language: x | truncate\n",
        &["4:17 FM306"],
    );
    check(
        "tables:\n  languages: {a: b}\nconversations:\n  language: x | lookup(langs)\n",
        &["6:24 FM306"],
    );
}

#[test]
fn expression_syntax_errors_in_quoted_and_block_scalars() {
    check(
        "conversations:\n  language: \"x | lookup(\\\"t\\\") |\"\n",
        &["4:33 FM002"],
    );
    check(
        "conversations:\n  language: |\n    x ++\n      (y\n",
        &["6:9 FM002"],
    );
}

#[test]
fn one_bad_rule_does_not_hide_others() {
    check(
        "conversations:\n  language: x |\n  ivr_pth: y\n  queue: z | nope\n",
        &["4:16 FM002", "5:3 FM101", "6:14 FM306"],
    );
}
