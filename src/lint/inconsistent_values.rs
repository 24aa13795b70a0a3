//! FM106 inconsistent-values: constant values of two fields that contradict each other.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::catalog::Section;
use crate::catalog::rules::{self, Known};
use crate::check::AnalyzedRule;
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;

/// FM106.
pub static LINT: Lint = Lint {
    code: Code::InconsistentValues,
    check: Some(check),
    explanation: r#"## What it does
Reports constant values of `conversations` fields that Insights documents as incompatible:

- `abandoned_phase` is `Callback Request` while `abandoned` is a constant other than
  `Follow-Up`, or is not written at all;
- `abandoned` is `Follow-Up` while `direction` is `Outbound`.

Values are compared as the runtime writes them (case-insensitively, like enum values).

## Why it matters
A Callback Request phase always means the conversation was a follow-up, and `Follow-Up`
(a callback or voicemail was left) exists only for inbound conversations; outbound ones are
`Yes` or `No` (docs/insights.md#dependencies-between-fields, https://www.twilio.com/docs/flex/end-user-guide/insights/abandoned-conversations). Contradicting
values put the conversation in the wrong bucket of the Abandoned Conversations metric, and
data already loaded cannot be corrected without a support case (docs/insights.md#limits).

## Example
```yaml
conversations:
  abandoned: { const: "Yes" }
  abandoned_phase: { const: Callback Request }   # needs abandoned: Follow-Up
```

## Fix
Make the values agree: `abandoned: { const: Follow-Up }` with a Callback Request phase, and
no `Follow-Up` on outbound conversations (derive the value from the record with `if` when
both kinds pass through the same ruleset).
"#,
};

/// A field's name, the rule that writes it (with its index) and its constant as text.
type Written<'a> = (
    &'static str,
    Option<(usize, &'a AnalyzedRule)>,
    Option<String>,
);

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let conversations = OutSection::Insights(Section::Conversations);
    let constants: Vec<Written<'_>> = ["abandoned", "abandoned_phase", "direction"]
        .into_iter()
        .map(|name| {
            let rule = context.rule_for(conversations, name);
            let text = rule.and_then(|(_, rule)| constant_text(rule));
            (name, rule, text)
        })
        .collect();
    let find = |name: &str| constants.iter().find(|(n, _, _)| *n == name);
    let conflicts = rules::conversation_conflicts(|name| match find(name) {
        Some((_, None, _)) | None => Known::Unset,
        Some((_, Some(_), Some(text))) => Known::Value(text),
        Some((_, Some(_), None)) => Known::Computed,
    });
    for conflict in conflicts {
        let Some((_, Some((index, rule)), _)) = find(conflict.field) else {
            continue;
        };
        match conflict.other.and_then(&find).and_then(|(_, r, _)| *r) {
            Some(other) => out.push(self::conflict(
                (*index, *rule),
                other,
                &conflict.message,
                conflict.help,
            )),
            None => out.push(Finding::on(
                *index,
                Diagnostic::new(
                    Code::InconsistentValues,
                    conflict.message,
                    rule.rule.value.span(),
                )
                .with_label(conflict.label)
                .with_help(conflict.help),
            )),
        }
    }
}

/// A finding on whichever of the two rules comes later in the file, pointing back at the other.
fn conflict(
    a: (usize, &AnalyzedRule),
    b: (usize, &AnalyzedRule),
    message: &str,
    help: &str,
) -> Finding {
    let (first, later) = if a.1.rule.name_span.start <= b.1.rule.name_span.start {
        (a, b)
    } else {
        (b, a)
    };
    Finding::on(
        later.0,
        Diagnostic::new(Code::InconsistentValues, message, later.1.rule.value.span())
            .with_label(format!("`{}` set here", later.1.target))
            .with_secondary(
                first.1.rule.value.span(),
                format!("contradicts this `{}`", first.1.target),
            )
            .with_help(help),
    )
}

/// The rule's constant value as text, when it has one.
fn constant_text(rule: &AnalyzedRule) -> Option<String> {
    match rule.facts.as_ref()?.constant.as_ref()? {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::findings;
    use crate::diagnostic::Code;

    fn check(body: &str) -> Vec<String> {
        let text = format!("flexmap: 1\ntarget: task\nconversations:\n{body}");
        findings(&text, Code::InconsistentValues)
    }

    #[test]
    fn callback_request_needs_follow_up() {
        assert_eq!(
            check(
                "  abandoned: { const: \"Yes\" }\n  abandoned_phase: { const: Callback Request }\n"
            ),
            ["5:29"]
        );
        // The later rule carries the finding, whichever of the two it is.
        assert_eq!(
            check("  abandoned_phase: '\"Callback Request\"'\n  abandoned: { const: \"No\" }\n"),
            ["5:23"]
        );
        // Not written at all: Insights never derives Follow-Up by itself.
        assert_eq!(
            check("  abandoned_phase: { const: Callback Request }\n"),
            ["4:29"]
        );
    }

    #[test]
    fn follow_up_is_inbound_only() {
        assert_eq!(
            check("  direction: { const: Outbound }\n  abandoned: { const: Follow-Up }\n"),
            ["5:23"]
        );
    }

    #[test]
    fn points_back_at_the_other_rule() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  direction: { const: Outbound }\n  abandoned: { const: Follow-Up }\n";
        let diagnostics = crate::Ruleset::from_str(text, "t.yaml").diagnostics();
        let found = diagnostics
            .iter()
            .find(|d| d.code == Code::InconsistentValues)
            .expect("a finding");
        let secondary: Vec<(usize, usize)> = found
            .labels
            .iter()
            .filter(|l| !l.primary)
            .filter_map(|l| found.source.as_ref().map(|s| s.line_col(l.span.start)))
            .collect();
        assert_eq!(secondary, [(4, 23)]);
        assert_eq!(
            found.message,
            "`abandoned` is `Follow-Up`, which only inbound conversations can be, but `direction` is `Outbound`"
        );
    }

    #[test]
    fn silent_on_consistent_or_unknown_values() {
        assert!(
            check(
                "  abandoned_phase: { const: Callback Request }\n  abandoned: { const: Follow-Up }\n  direction: { const: Inbound }\n"
            )
            .is_empty()
        );
        // Case does not matter: the runtime writes the canonical spelling.
        assert!(
            check("  abandoned_phase: { const: callback request }\n  abandoned: { const: follow-up }\n")
                .is_empty()
        );
        // Values from the record are unknown until run time.
        assert!(
            check("  abandoned_phase: { const: Callback Request }\n  abandoned: ivr.abandoned\n")
                .is_empty()
        );
        assert!(
            check("  abandoned: { const: Follow-Up }\n  direction: task.direction\n").is_empty()
        );
        assert!(
            check("  abandoned: { const: \"No\" }\n  direction: { const: Outbound }\n").is_empty()
        );
        assert!(
            check("  abandoned_phase: { const: Voicemail }\n  abandoned: { const: \"Yes\" }\n")
                .is_empty()
        );
    }
}
