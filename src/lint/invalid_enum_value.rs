//! FM304 invalid-enum-value: a literal outside the documented values of an enum or Yes/No field.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::catalog::{Field, Kind};
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::convert::parse_yes_no;
use crate::suggest::did_you_mean;

/// FM304.
pub static LINT: Lint = Lint {
    code: Code::InvalidEnumValue,
    check: Some(check),
    explanation: r#"## What it does
Checks every literal a rule can write (a constant, the branches of `if`, the operands of
`??`, `default` and `lookup` defaults) into a field with documented values:

- enum fields: `abandoned` (`Yes`, `No`, `Follow-Up`), `abandoned_phase` (`Short Queue`,
  `Queue`, `Ringing`, `Voicemail`, `Callback Request`), `direction` (`Inbound`, `Outbound`);
- Yes/No flags: `in_business_hours`, `productive`, `virtual`.

A value that differs from a documented one only in case or spacing (`no`, `inbound`, and
for flags `yes`, `true` or `1` written as text) gets a fix to the documented spelling. Any
other value gets a did-you-mean or the list of values. YAML and expression booleans (and
`0`/`1` numbers) in a Yes/No flag are fine: the runtime converts them.

## Why it matters
Insights text values are case-sensitive categories: `Customer` and `customer`, `Inbound`
and `inbound` show up as separate rows (docs/insights.md#mistakes-seen-in-practice). An undocumented value, such as
`abandoned_phase: IVR` seen in a public Studio function, becomes a bucket of its own that the
built-in metrics ignore: Abandoned Conversations counts `Abandoned = Yes` by phase
(docs/insights.md#mistakes-seen-in-practice, https://www.twilio.com/docs/flex/end-user-guide/insights/abandoned-conversations). flexmap writes the documented spelling of a
case-only difference at run time, but the rule should say what Insights gets; a Yes/No flag
that is not a yes/no value is dropped.

## Example
```yaml
conversations:
  direction: '"inbound"'                 # documented: Inbound
  abandoned_phase: { const: IVR }        # not a documented phase
  in_business_hours: if ivr.open then "Y" else "Closed"
```

## Fix
Write a documented value exactly (`flexmap lint --fix` corrects case-only differences), or
map your own values with a table: `ivr.phase | lookup(phases, "Queue")`.
"#,
};

/// What is wrong with one literal.
enum Problem {
    /// A documented value written with another case or spacing (or a yes/no word).
    Spelling(&'static str),
    /// Not a documented value; the closest one, if any.
    Unknown(Option<&'static str>),
}

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let Some(field) = rule.field else { continue };
        // Fields that must not be written at all are FM105's business.
        if field.read_only
            || field.values.is_empty()
            || !matches!(field.kind, Kind::Enum | Kind::YesNo)
        {
            continue;
        }
        let Some(facts) = &rule.facts else { continue };
        for (value, span) in &facts.literals {
            let Some(problem) = judge(field, value) else {
                continue;
            };
            let written = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let diagnostic = match problem {
                Problem::Spelling(canonical) => {
                    let d = Diagnostic::new(
                        Code::InvalidEnumValue,
                        format!("`{}` takes `{canonical}`, not `{written}`", field.name),
                        *span,
                    )
                    .with_label(format!("written as `{canonical}` at run time"))
                    .with_help(format!("write `{canonical}`"));
                    match context.literal_edit(index, *span, canonical) {
                        Some(edit) => d.with_fix(format!("write `{canonical}`"), vec![edit]),
                        None => d,
                    }
                }
                Problem::Unknown(suggestion) => {
                    let values = field
                        .values
                        .iter()
                        .map(|v| format!("`{v}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let label = if field.kind == Kind::YesNo {
                        "not a yes/no value: dropped at run time"
                    } else {
                        "kept as written: a bucket of its own in reports"
                    };
                    let help = match suggestion {
                        Some(best) => {
                            format!("did you mean `{best}`? `{}` takes {values}", field.name)
                        }
                        None => format!("use one of {values}"),
                    };
                    Diagnostic::new(
                        Code::InvalidEnumValue,
                        format!("`{written}` is not a documented value of `{}`", field.name),
                        *span,
                    )
                    .with_label(label)
                    .with_help(help)
                }
            };
            out.push(Finding::on(index, diagnostic));
        }
    }
}

/// The problem with writing `value` into `field`, if any.
fn judge(field: &Field, value: &Value) -> Option<Problem> {
    let exact = |s: &str| field.values.contains(&s);
    let yes_no = crate::catalog::yes_no_spelling;
    match value {
        // Nothing is written for null or a blank string; lists and objects are FM303's.
        Value::Null | Value::Array(_) | Value::Object(_) => None,
        Value::String(s) if s.trim().is_empty() || exact(s) => None,
        Value::String(s) if field.kind == Kind::YesNo => Some(match parse_yes_no(value) {
            Some(flag) => Problem::Spelling(yes_no(flag)),
            None => Problem::Unknown(did_you_mean(s, field.values.iter().copied())),
        }),
        Value::String(s) => Some(
            match field
                .values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(s.trim()))
            {
                Some(canonical) => Problem::Spelling(canonical),
                None => Problem::Unknown(did_you_mean(s, field.values.iter().copied())),
            },
        ),
        // The runtime converts booleans and 0/1 for Yes/No flags.
        Value::Bool(_) | Value::Number(_) if field.kind == Kind::YesNo => parse_yes_no(value)
            .is_none()
            .then_some(Problem::Unknown(None)),
        // An enum gets the rendered text: `true` is not `Yes`.
        Value::Bool(_) | Value::Number(_) => Some(Problem::Unknown(
            parse_yes_no(value)
                .map(yes_no)
                .filter(|v| field.values.contains(v)),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, fixed};
    use crate::diagnostic::Code;

    fn task(body: &str) -> String {
        format!("flexmap: 1\ntarget: task\nconversations:\n{body}")
    }

    fn check(body: &str) -> Vec<String> {
        findings(&task(body), Code::InvalidEnumValue)
    }

    #[test]
    fn fires_on_undocumented_values() {
        assert_eq!(check("  abandoned_phase: { const: IVR }\n"), ["4:29"]);
        assert_eq!(check("  abandoned: '\"Maybe\"'\n"), ["4:15"]);
        // Every literal the value can take is judged, each at its own span.
        assert_eq!(
            check("  in_business_hours: if ivr.open then \"Yes\" else \"Closed\"\n"),
            ["4:50"]
        );
        assert_eq!(
            check(
                "  direction: task.direction | lookup(directions, \"Unknown\")\ntables:\n  directions: { in: Inbound }\n"
            ),
            ["4:50"]
        );
        // A boolean is rendered as `true` for an enum field.
        assert_eq!(check("  abandoned: true\n"), ["4:14"]);
        // Numbers other than 0 and 1 are not flags.
        assert_eq!(check("  virtual: 2\n"), ["4:12"]);
    }

    #[test]
    fn case_only_differences_get_a_fix() {
        assert_eq!(check("  direction: '\"inbound\"'\n"), ["4:15 fix"]);
        assert_eq!(check("  in_business_hours: '\"yes\"'\n"), ["4:23 fix"]);
        assert_eq!(check("  productive: { const: \"TRUE\" }\n"), ["4:24 fix"]);
    }

    #[test]
    fn silent_on_documented_values_booleans_and_paths() {
        for body in [
            "  abandoned: { const: \"No\" }\n",
            "  abandoned_phase: { const: Callback Request }\n  abandoned: { const: Follow-Up }\n",
            "  direction: if task.outbound then \"Outbound\" else \"Inbound\"\n",
            "  in_business_hours: true\n",
            "  virtual: { const: false }\n",
            "  productive: 1\n",
            "  in_business_hours: ivr.open | yes_no\n",
            "  in_business_hours: if ivr.open then true else false\n",
            "  direction: task.direction\n",
            "  abandoned: ivr.abandoned ?? \"No\"\n",
            "  abandoned: if ivr.left then \"Yes\" else null\n",
            "  direction: task.direction | lookup(directions)\ntables:\n  directions: { in: inbound }\n",
            // Free-text fields have no documented values.
            "  outcome: '\"whatever\"'\n",
        ] {
            assert!(check(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn fix_keeps_the_quotes_of_the_expression_and_the_yaml_scalar() {
        let cases = [
            ("  abandoned: '\"no\"'\n", "  abandoned: '\"No\"'\n"),
            (
                "  abandoned: \"\\\"no\\\"\"\n",
                "  abandoned: \"\\\"No\\\"\"\n",
            ),
            (
                "  abandoned: ivr.x ?? 'no'\n",
                "  abandoned: ivr.x ?? 'No'\n",
            ),
            (
                "  abandoned: 'ivr.x ?? ''follow-up'''\n",
                "  abandoned: 'ivr.x ?? ''Follow-Up'''\n",
            ),
            (
                "  direction: { const: outbound }\n",
                "  direction: { const: Outbound }\n",
            ),
            (
                "  direction: { const: 'outbound' }\n",
                "  direction: { const: 'Outbound' }\n",
            ),
            // `No` unquoted is a boolean to YAML 1.1 tools, so the plain scalar gets quotes.
            (
                "  abandoned: { const: no }\n",
                "  abandoned: { const: \"No\" }\n",
            ),
            (
                "  virtual: { const: y }\n",
                "  virtual: { const: \"Yes\" }\n",
            ),
            (
                "  in_business_hours: if ivr.open then \"yes\" else \"NO\"\n",
                "  in_business_hours: if ivr.open then \"Yes\" else \"No\"\n",
            ),
        ];
        for (before, after) in cases {
            let text = task(before);
            let result = fixed(&text, Code::InvalidEnumValue);
            assert_eq!(result, task(after), "{before}");
            assert!(
                findings(&result, Code::InvalidEnumValue).is_empty(),
                "{result}"
            );
        }
    }

    #[test]
    fn no_fix_for_a_joined_constant() {
        assert_eq!(check("  direction: '\"in\" ++ \"bound\"'\n"), ["4:15"]);
    }

    #[test]
    fn suggests_the_closest_value() {
        let text = task("  abandoned_phase: { const: Voicemal }\n");
        let diagnostics = crate::Ruleset::from_str(&text, "t.yaml").diagnostics();
        let found = diagnostics
            .iter()
            .find(|d| d.code == Code::InvalidEnumValue)
            .expect("a finding");
        assert_eq!(
            found.help.as_deref(),
            Some(
                "did you mean `Voicemail`? `abandoned_phase` takes `Short Queue`, `Queue`, `Ringing`, `Voicemail`, `Callback Request`"
            )
        );
    }
}
