//! FM502 constant-condition: a `when` or `if` that is always true or always false.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};

/// FM502.
pub static LINT: Lint = Lint {
    code: Code::ConstantCondition,
    check: Some(check),
    explanation: r#"## What it does
Reports a `when:` or an `if` condition that does not depend on the record: a literal
(`when: true`), or a comparison of literals (`"voice" == "voice"`).

## Why it matters
A condition that is always true is noise; one that is always false silently disables a rule
or a branch, usually after a variable was replaced by a literal while debugging.

## Example
```yaml
conversations:
  service_level:
    value: if true then "OK" else "Missed"
    when: '"voice" == "voice"'
```

## Fix
Compare against the record (`task.channel == "voice"`), or remove the condition (and the
dead branch).
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.rules.iter().enumerate() {
        if let Some((_, facts)) = &rule.when
            && let Some(value) = &facts.constant
        {
            let span = rule
                .rule
                .when
                .as_ref()
                .map_or(rule.rule.name_span, |w| w.span);
            out.push(Finding::on(index, diagnostic("`when`", value, span)));
        }
        for (span, value) in rule.facts.iter().flat_map(|f| f.conditions.iter()) {
            if let Some(value) = value {
                out.push(Finding::on(index, diagnostic("this `if`", value, *span)));
            }
        }
    }
}

fn diagnostic(what: &str, value: &Value, span: crate::source::Span) -> Diagnostic {
    let always = match value {
        Value::Bool(true) => "always true",
        Value::Bool(false) => "always false",
        _ => "never true (not a boolean)",
    };
    let help = match value {
        Value::Bool(true) => "compare against the record, or remove the condition",
        _ => "compare against the record, or remove the rule or branch it disables",
    };
    Diagnostic::new(Code::ConstantCondition, format!("{what} is {always}"), span)
        .with_label("does not depend on the record")
        .with_help(help)
}
