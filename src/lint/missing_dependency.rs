//! FM103 missing-dependency: a name field written without the id field Insights needs to show it.

use super::{Finding, Lint, LintContext};
use crate::check::AnalyzedRule;
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::rules_file::RuleValue;

/// FM103.
pub static LINT: Lint = Lint {
    code: Code::MissingDependency,
    check: Some(check),
    explanation: r#"## What it does
Reports a name field written without the id field of the same section that Insights needs
to display it: `team_name` without `team_id`, `department_name` without `department_id`
(worker attributes), and `handling_team_name` / `handling_department_name` without
`handling_team_id` / `handling_department_id` (`conversations`).

## Why it matters
Insights shows a team or department name only together with its id: `team_name` sent
without `team_id`, or `department_name` without `department_id`, leaves the name blank in
every report (docs/insights.md#dependencies-between-fields, https://www.twilio.com/docs/flex/developer/insights/enhance-integration). The
conversation-level `handling_*` names follow the same rule (docs/insights.md#conversations-fields; applied by analogy). Nothing fails at load time, so the gap is found only when a report shows blanks.

## Example
```yaml
target: worker
worker:
  team_name: hr.team.name      # no team_id: Insights leaves Team Name blank
```

## Fix
Write the id too. When the source has no separate id, the common workaround is to use the
name as the id, as Twilio Professional Services' worker-details feature does (https://twilio-professional-services.github.io/flex-project-template/):

```yaml
worker:
  team_name: hr.team.name
  team_id: hr.team.name
```

`flexmap lint --fix` adds that line when the name rule is a single-line `key: value` rule.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let mut fixed: Vec<&str> = Vec::new();
    for (index, rule) in context.resolved() {
        let Some(id_field) = rule.field.and_then(|f| f.requires) else {
            continue;
        };
        if context.rule_for(rule.section, id_field).is_some() {
            continue;
        }
        let mut diagnostic = Diagnostic::new(
            Code::MissingDependency,
            format!(
                "`{}` is written without `{id_field}`, so Insights will not display it",
                rule.target
            ),
            rule.rule.name_span,
        )
        .with_label(format!("needs `{id_field}`"))
        .with_help(format!(
            "add a `{id_field}` rule; when the source has no separate id, use the name as the id (`{id_field}` = the same value)"
        ));
        // One fix per id field, so `--fix` never writes the same id twice.
        if !fixed.contains(&id_field)
            && let Some(edit) = insert_id_rule(context, rule, id_field)
        {
            fixed.push(id_field);
            diagnostic = diagnostic.with_fix(
                format!("add `{id_field}` with the same value as `{}`", rule.target),
                vec![edit],
            );
        }
        out.push(Finding::on(index, diagnostic));
    }
}

/// The line `<indent><id_field>: <value>` right after `rule`, when `rule` is a single-line
/// `key: value` entry of a block mapping (no `when`, `allow` or flow mapping to copy).
fn insert_id_rule(context: &LintContext<'_>, rule: &AnalyzedRule, id_field: &str) -> Option<Edit> {
    let source = &context.file.source;
    let text = source.text();
    let value_span = match &rule.rule.value {
        RuleValue::Expr(expr) => expr.span,
        RuleValue::Const { span, .. } => *span,
    };
    let name_span = rule.rule.name_span;
    let line_start = text
        .get(..name_span.start)?
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(name_span.start..)?
        .find('\n')
        .map_or(text.len(), |i| name_span.start + i);
    let indent = text.get(line_start..name_span.start)?;
    let between = text.get(name_span.end..value_span.start)?;
    let after = text.get(value_span.end..line_end)?;
    let single_line = value_span.end <= line_end
        && indent.chars().all(|c| c == ' ')
        && between
            .strip_prefix(':')
            .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c == ' ' || c == '\t'))
        && {
            let rest = after.trim_start();
            rest.is_empty() || rest.starts_with('#') && rest.len() < after.len()
        };
    if !single_line {
        return None;
    }
    let value = source.slice(value_span);
    let newline = if after.ends_with('\r') { "\r\n" } else { "\n" };
    Some(if line_end < text.len() {
        Edit::insert(
            line_end + 1,
            format!("{indent}{id_field}: {value}{newline}"),
        )
    } else {
        Edit::insert(line_end, format!("{newline}{indent}{id_field}: {value}"))
    })
}

#[cfg(test)]
mod tests {
    use super::super::{findings, fixed};
    use crate::diagnostic::Code;

    const WORKER: &str = "flexmap: 1\ntarget: worker\nworker:\n";
    const TASK: &str = "flexmap: 1\ntarget: task\nconversations:\n";

    fn worker(body: &str) -> String {
        format!("{WORKER}{body}")
    }

    #[test]
    fn fires_on_a_name_without_its_id() {
        let text = worker("  team_name: hr.team.name\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3 fix"]);
        let text = worker("  department_name: hr.dept\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3 fix"]);
        let text = format!("{TASK}  handling_team_name: task.queue\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3 fix"]);
        let text = format!("{TASK}  handling_department_name: crm.dept\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3 fix"]);
    }

    #[test]
    fn silent_with_the_id() {
        let text = worker("  team_name: hr.team.name\n  team_id: hr.team.code\n");
        assert!(findings(&text, Code::MissingDependency).is_empty());
        // The id written first, or equal to the name (the usual workaround), is fine too.
        let text = worker("  team_id: hr.team.name\n  team_name: hr.team.name\n");
        assert!(findings(&text, Code::MissingDependency).is_empty());
        let text = format!(
            "{TASK}  handling_team_name: task.queue\n  handling_team_id:\n    value: task.queue_sid\n    when: task.queue_sid != null\n"
        );
        assert!(findings(&text, Code::MissingDependency).is_empty());
        // An id field alone needs nothing.
        let text = worker("  team_id: hr.team.code\n");
        assert!(findings(&text, Code::MissingDependency).is_empty());
    }

    #[test]
    fn an_id_in_another_section_does_not_count() {
        // `team_id` is a worker field; conversations need `handling_team_id`.
        let text = format!(
            "{TASK}  handling_team_name: task.queue\nextra:\n  handling_team_id: task.queue_sid\n"
        );
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3 fix"]);
    }

    #[test]
    fn fix_inserts_the_id_line_with_the_same_value_and_indentation() {
        let text = worker("  team_name: hr.team.name   # from HR\n  email: hr.mail\n");
        let after = fixed(&text, Code::MissingDependency);
        assert_eq!(
            after,
            worker(
                "  team_name: hr.team.name   # from HR\n  team_id: hr.team.name\n  email: hr.mail\n"
            )
        );
        assert!(findings(&after, Code::MissingDependency).is_empty());
        // Quoted values are copied as written; a file without a final newline gets one line.
        let text = worker("    department_name: '\"Sales\"'");
        assert_eq!(
            fixed(&text, Code::MissingDependency),
            worker("    department_name: '\"Sales\"'\n    department_id: '\"Sales\"'")
        );
        let text = worker("  team_name: { const: Sales }\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3"]);
    }

    #[test]
    fn no_fix_for_rules_written_as_mappings_or_flow() {
        let text = worker("  team_name:\n    value: hr.team.name\n    when: hr.active\n");
        assert_eq!(findings(&text, Code::MissingDependency), ["4:3"]);
        let text = "flexmap: 1\ntarget: worker\nworker: { team_name: hr.team.name }\n";
        assert_eq!(findings(text, Code::MissingDependency), ["3:11"]);
    }
}
