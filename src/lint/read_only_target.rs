//! FM105 read-only-target: a field that must not be set by hand.

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};

/// FM105.
pub static LINT: Lint = Lint {
    code: Code::ReadOnlyTarget,
    check: Some(check),
    explanation: r#"## What it does
Reports a rule that writes a field Insights computes itself and that must not be set by
hand: `conversations.kind`.

## Why it matters
Twilio warns that changing a segment's Kind can break recording playback (Conversation Segment Kinds, https://www.twilio.com/docs/flex/end-user-guide/insights/segments); the segment kinds drive Insights' own metrics.

## Example
```yaml
conversations:
  kind: '"Conversation"'
```

## Fix
Remove the rule; to tag segments, use a custom attribute (`custom:` or
`conversation_attribute_N`).
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        if !rule.field.is_some_and(|f| f.read_only) {
            continue;
        }
        let help = match context.first_free_slot(
            crate::catalog::Section::Conversations,
            crate::catalog::SlotKind::Attribute,
        ) {
            Some(slot) => format!(
                "remove the rule; to tag segments, write the value to a custom attribute such as `{slot}`"
            ),
            None => "remove the rule; to tag segments, use a custom attribute".to_string(),
        };
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::ReadOnlyTarget,
                format!("`{}` must not be set by hand", rule.target),
                rule.rule.name_span,
            )
            .with_label("Insights sets this itself; changing it can break playback")
            .with_help(help),
        ));
    }
}
