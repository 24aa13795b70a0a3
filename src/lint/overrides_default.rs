//! FM104 overrides-default: a rule replaces a value Insights already fills in from `TaskRouter`.

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};

/// FM104.
pub static LINT: Lint = Lint {
    code: Code::OverridesDefault,
    check: Some(check),
    explanation: r#"## What it does
Notes (info) a rule that writes a field Insights already fills in by itself from TaskRouter
or Flex: `workflow` (WorkflowName), `handling_team_id`/`handling_team_name` (TaskQueue),
`queue`, `outcome` (task reason), `channel` (TaskChannelUniqueName), `direction`,
`external_contact`, `activity`, `customers.phone`, `country`, `state`, `zip`, worker
`full_name` (WorkerName) and others (docs/insights.md#taskrouter-defaults).

## Why it matters
Overriding is often the point, but it replaces a value every existing report already uses;
done by accident it changes historical comparisons.

## Example
```yaml
conversations:
  channel: '"Web Chat"'   # Insights would otherwise take TaskChannelUniqueName
```

## Fix
Nothing, if the override is intended: add `allow: [overrides-default]` to the rule to record
the intent. Otherwise remove the rule and keep the default.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let Some(field) = rule.field else { continue };
        let Some(default) = field.taskrouter_default else {
            continue;
        };
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::OverridesDefault,
                format!("`{}` overrides the value Insights takes from {default}", rule.target),
                rule.rule.name_span,
            )
            .with_label("replaces a default")
            .with_help(format!(
                "if the override is intended, add `allow: [overrides-default]` to `{}`; otherwise remove the rule",
                rule.target
            )),
        ));
    }
}
