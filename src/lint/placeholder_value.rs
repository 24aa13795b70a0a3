//! FM309 placeholder-value: a literal that is, or holds as its own token, a leaked JavaScript placeholder.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};

/// FM309.
pub static LINT: Lint = Lint {
    code: Code::PlaceholderValue,
    check: Some(check),
    explanation: r#"## What it does
Reports a literal a rule can write (in any section, `extra` included) that is exactly
`"null"`, `"undefined"`, `"NaN"` or `"[object Object]"`, or that contains `undefined`,
`NaN` or `[object Object]` as a token of its own (`"Case undefined"`, but not `"NaNa"`).
Conditions are not checked: `x != "undefined"` is a guard, not a value.

## Why it matters
These are the texts JavaScript produces for a missing value, a failed number conversion and
an object used as a string. Copied from a hand-written Twilio Function into rules, they are
written to Insights as real text: every attribute value counts toward the workspace's
2-billion distinct-value budget and shows up as a category in reports (docs/insights.md#limits, https://www.twilio.com/docs/flex/developer/insights/labels), and data already loaded cannot be corrected without a
support case (docs/insights.md#limits). In flexmap a missing value simply writes
nothing.

## Example
```yaml
conversations:
  case: crm.case.number ?? "undefined"
  language: ivr.language | lookup(languages, "[object Object]")
```

## Fix
Remove the placeholder (`crm.case.number` alone writes nothing when the number is missing),
write `null` without quotes, or replace it with a real value such as `"Unknown"`.
"#,
};

/// Placeholders flagged when they are the whole value.
const EXACT: &[&str] = &["null", "undefined", "NaN", "[object Object]"];
/// Placeholders flagged anywhere in a value, as their own token.
const TOKENS: &[&str] = &["undefined", "NaN", "[object Object]"];

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.rules.iter().enumerate() {
        let Some(facts) = &rule.facts else { continue };
        for (value, span) in &facts.literals {
            let Value::String(text) = value else { continue };
            let Some(placeholder) = placeholder(text) else {
                continue;
            };
            let message = if text.trim() == placeholder {
                format!("`{placeholder}` is a leaked JavaScript placeholder, not a value")
            } else {
                format!("`{text}` contains the leaked JavaScript placeholder `{placeholder}`")
            };
            let help = if placeholder == "null" {
                "write `null` without quotes to write nothing, or replace it with a real value such as `\"Unknown\"`"
            } else {
                "remove the placeholder (a missing value writes nothing), or replace it with a real value such as `\"Unknown\"`"
            };
            out.push(Finding::on(
                index,
                Diagnostic::new(Code::PlaceholderValue, message, *span)
                    .with_label("written out as text")
                    .with_help(help),
            ));
        }
    }
}

/// The placeholder `text` is or contains, if any.
fn placeholder(text: &str) -> Option<&'static str> {
    let trimmed = text.trim();
    if let Some(exact) = EXACT.iter().find(|p| **p == trimmed) {
        return Some(exact);
    }
    TOKENS
        .iter()
        .copied()
        .find(|token| contains_token(text, token))
}

/// True when `token` occurs in `text` as a token of its own: a token that starts (ends) with
/// a letter or digit must not have a letter, digit or `_` right before (after) it, so
/// `NaN` is not found in `NaNa`, while `[object Object]` delimits itself.
fn contains_token(text: &str, token: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let check_before = token.starts_with(is_word);
    let check_after = token.ends_with(is_word);
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        !(check_before && before.is_some_and(is_word) || check_after && after.is_some_and(is_word))
    })
}

#[cfg(test)]
mod tests {
    use super::super::findings;
    use super::placeholder;
    use crate::diagnostic::Code;

    fn check(body: &str) -> Vec<String> {
        let text = format!("flexmap: 1\ntarget: task\n{body}");
        findings(&text, Code::PlaceholderValue)
    }

    #[test]
    fn fires_on_placeholders() {
        assert_eq!(
            check("conversations:\n  campaign: { const: \"undefined\" }\n"),
            ["4:22"]
        );
        assert_eq!(
            check("conversations:\n  case: crm.case.number ?? \"undefined\"\n"),
            ["4:28"]
        );
        // A constant built with `++` is judged as a whole.
        assert_eq!(
            check("conversations:\n  case: '\"Case \" ++ \"undefined\"'\n"),
            ["4:10"]
        );
        assert_eq!(
            check(
                "conversations:\n  language: x | lookup(languages, \"[object Object]\")\ntables:\n  languages: { en: English }\n"
            ),
            ["4:35"]
        );
        assert_eq!(
            check("customers:\n  name: crm.name ?? \"null\"\n"),
            ["4:21"]
        );
        // Extra keys too.
        assert_eq!(check("extra:\n  score: '\"NaN\"'\n"), ["4:11"]);
    }

    #[test]
    fn silent_on_real_values_conditions_and_paths() {
        for body in [
            "conversations:\n  campaign: { const: \"NaNa\" }\n",
            "conversations:\n  campaign: { const: \"undefinedness\" }\n",
            "conversations:\n  campaign: { const: \"null value\" }\n",
            "conversations:\n  campaign: { const: \"Null\" }\n",
            "conversations:\n  case: '\"Case #\" ++ crm.case.number'\n",
            "conversations:\n  external_contact: '\"+18001234567\"'\n",
            "conversations:\n  campaign: crm.undefined\n",
            "conversations:\n  campaign:\n    value: crm.campaign\n    when: crm.campaign != \"undefined\"\n",
            "conversations:\n  campaign: if crm.campaign == \"NaN\" then null else crm.campaign\n",
            "conversations:\n  campaign: crm.campaign | replace(\"undefined\", \"\")\n",
            "conversations:\n  campaign: crm.campaign ?? null\n",
        ] {
            assert!(check(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn tokens() {
        assert_eq!(placeholder("Total: NaN"), Some("NaN"));
        assert_eq!(placeholder("NaN%"), Some("NaN"));
        assert_eq!(placeholder("id=undefined&x=1"), Some("undefined"));
        assert_eq!(placeholder("x[object Object]y"), Some("[object Object]"));
        assert_eq!(placeholder(" null "), Some("null"));
        assert_eq!(placeholder("NaNa"), None);
        assert_eq!(placeholder("BaNaNa"), None);
        assert_eq!(placeholder("is_undefined"), None);
        assert_eq!(placeholder("null pointer"), None);
    }
}
