//! FM206 constant-label: a label slot gets a constant while its attribute slot varies.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::catalog::{Slot, SlotKind};
use crate::diagnostic::{Code, Diagnostic};

/// FM206.
pub static LINT: Lint = Lint {
    code: Code::ConstantLabel,
    check: Some(check),
    explanation: r#"## What it does
Reports a label slot (`conversation_label_N`, `customer_label_N`, `agent_label_N`) that is
given a constant while the attribute slot with the same number is written with a value that
varies from record to record.

## Why it matters
In Flex Insights a label is not a column title: it is the display text of each attribute
value. With both set, Insights shows the label in place of the attribute's value; with the
attribute only, the value is its own label (docs/insights.md#labels-and-attributes, https://www.twilio.com/docs/flex/developer/insights/labels).
A constant label therefore makes every value of the attribute show the same text, and
because segmentation still follows the attribute, that one label shows up again and again
in report filters, once per attribute value.

## Example
```yaml
conversations:
  conversation_attribute_2: crm.case.priority | lower
  conversation_label_2: { const: "Case priority" }   # every priority would read "Case priority"
```

## Fix
Remove the label rule: the attribute's values then show as they are. To name the column in
reports, rename it in the report, or describe the slot with `description:` (shown by
`flexmap docs`). If each value needs a display text, map one that varies with the attribute,
such as the name that goes with a code (`crm.case.priority_name`).
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let Some(slot) = rule.slot.filter(|s| s.kind == SlotKind::Label) else {
            continue;
        };
        let Some(constant) = rule.facts.as_ref().and_then(|f| f.constant.as_ref()) else {
            continue;
        };
        // `null` and "" write nothing: no label at all.
        if matches!(constant, Value::Null) || constant.as_str() == Some("") {
            continue;
        }
        let attribute = Slot {
            kind: SlotKind::Attribute,
            ..slot
        }
        .name();
        let Some((_, attribute_rule)) = context.rule_for(rule.section, &attribute) else {
            continue;
        };
        // The attribute varies when it is not a constant (and its value parsed).
        let varies = attribute_rule
            .facts
            .as_ref()
            .is_some_and(|f| f.constant.is_none());
        if !varies {
            continue;
        }
        let shown = match constant {
            Value::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        };
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::ConstantLabel,
                format!(
                    "`{}` is always {shown}, but `{attribute}` varies: every value of the attribute would show the same label",
                    rule.target
                ),
                rule.rule.value.span(),
            )
            .with_label("the same label for every attribute value")
            .with_secondary(attribute_rule.rule.name_span, "varies from record to record")
            .with_help(format!(
                "a label is the display text of each attribute value, not a column title: remove `{}` so the values show as they are, or give it a value that varies with `{attribute}`",
                rule.target
            )),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;

    fn findings(body: &str) -> Vec<String> {
        super::super::findings(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::ConstantLabel,
        )
    }

    #[test]
    fn fires_on_a_constant_label_over_a_varying_attribute() {
        assert_eq!(
            findings(
                "conversations:\n  conversation_attribute_2: crm.case.priority | lower\n  conversation_label_2: { const: \"Case priority\" }\n"
            ),
            ["5:34"]
        );
        assert_eq!(
            findings(
                "customers:\n  customer_label_1: '\"Tier\"'\n  customer_attribute_1: crm.account.tier\n"
            ),
            ["4:21"]
        );
    }

    #[test]
    fn stays_silent_on_the_varying_label_twin() {
        assert!(
            findings(
                "conversations:\n  conversation_attribute_2: crm.case.priority | lower\n  conversation_label_2: crm.case.priority_name\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn silent_without_a_varying_attribute_of_the_same_number() {
        // Label only; attribute of another number; both constant; a label that writes nothing.
        let body = "conversations:\n  conversation_label_1: { const: \"Tag\" }\n  conversation_attribute_3: x.y\n  conversation_label_2: { const: A }\n  conversation_attribute_2: { const: B }\n  conversation_label_3: { const: \"\" }\n";
        assert!(findings(body).is_empty(), "{:?}", findings(body));
    }

    #[test]
    fn custom_fields_and_worker_slots() {
        let worker = "flexmap: 1\ntarget: worker\nworker:\n  agent_attribute_1: hr.cost_center\n  agent_label_1: 5\n";
        assert_eq!(
            super::super::findings(worker, Code::ConstantLabel),
            ["5:18"]
        );
        // A custom attribute is given a number whose label is free (slot 2 here), so it is
        // not paired with the constant label of slot 1.
        let body = "custom:\n  tier: { kind: attribute, value: crm.account.tier }\nconversations:\n  conversation_label_1: { const: Tier }\n";
        assert!(findings(body).is_empty());
    }
}
