//! FM307 hierarchy-separator: a hierarchy field whose levels are joined with something other than `" ▸ "`.

use serde_json::Value;

use super::{Finding, Lint, LintContext, concat_operands, outcomes};
use crate::catalog::Kind;
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::rules_file::{ExprSource, RuleValue};
use crate::syntax::{Expr, ExprKind};

/// FM307.
pub static LINT: Lint = Lint {
    code: Code::HierarchySeparator,
    check: Some(check),
    explanation: r#"## What it does
Checks the hierarchy fields (`ivr_path`, `handling_team_name_in_hierarchy`,
`handling_department_name_in_hierarchy`, worker `team_name_in_hierarchy` and
`department_name_in_hierarchy`) for levels joined with anything but `" ▸ "`:

- `| hierarchy(sep=",")`, or any separator other than the default;
- `| join(",")` (or `" > "`, `"/"`…) as the last step;
- a literal such as `"London, Sales"` or `"1/2"` that uses `,`, `>` or `/` between levels;
- a `++` chain that glues levels with `","`, `" > "` or `"/"`.

## Why it matters
Insights splits a hierarchy value into levels at `" ▸ "` (U+25B8 with a space on each side),
as in `London ▸ Sales ▸ Sales 2` or the IVR path `1 ▸ 2` (docs/insights.md#dependencies-between-fields). Any other separator gives one flat level that cannot be rolled
up. Twilio's own SSO page shows `London,Sales,VIP` for the same field, so the mistake is
common (https://www.twilio.com/docs/flex/admin-guide/setup/sso-configuration against https://www.twilio.com/docs/flex/developer/insights/enhance-integration), and loaded data cannot be fixed afterwards.

## Example
```yaml
conversations:
  ivr_path: ivr.digits | hierarchy(sep=",")
  handling_team_name_in_hierarchy: '[crm.site, crm.team] | join(" > ")'
```

## Fix
Use `hierarchy` with its default separator: `ivr.digits | hierarchy`,
`[crm.site, crm.team] | hierarchy`, and write literals as `"London ▸ Sales"`. `flexmap lint
--fix` makes each of these changes except for `++` chains, which are best rewritten as a
list: `[crm.site, crm.team] | hierarchy`.
"#,
};

/// Insights' level separator.
const SEPARATOR: &str = " ▸ ";

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        if rule.kind != Some(Kind::Hierarchy) {
            continue;
        }
        if let Some(facts) = &rule.facts {
            for (value, span) in &facts.literals {
                let Value::String(text) = value else { continue };
                let Some((separator, levels)) = flat_levels(text) else {
                    continue;
                };
                let rewritten = levels.join(SEPARATOR);
                let diagnostic = Diagnostic::new(
                    Code::HierarchySeparator,
                    format!("this `{}` value separates its levels with `{separator}` instead of `\"{SEPARATOR}\"`", rule.target),
                    *span,
                )
                .with_label("one flat level in Insights")
                .with_help(format!("write `{rewritten}`"));
                let diagnostic = match context.literal_edit(index, *span, &rewritten) {
                    Some(edit) => diagnostic.with_fix(format!("write `{rewritten}`"), vec![edit]),
                    None => diagnostic,
                };
                out.push(Finding::on(index, diagnostic));
            }
        }
        let (Some(ast), RuleValue::Expr(source)) = (&rule.ast, &rule.rule.value) else {
            continue;
        };
        for outcome in outcomes(ast, &["truncate", "trim"]) {
            if let Some(diagnostic) = filter_separator(context, index, outcome, source) {
                out.push(Finding::on(index, diagnostic));
            }
            out.extend(
                concat_separators(outcome, source)
                    .into_iter()
                    .map(|d| Finding::on(index, d)),
            );
        }
    }
}

/// `hierarchy(sep=X)` or `join(X)` with a literal X other than `" ▸ "`.
fn filter_separator(
    context: &LintContext<'_>,
    index: usize,
    expr: &Expr,
    source: &ExprSource,
) -> Option<Diagnostic> {
    let ExprKind::Filter {
        name,
        name_span,
        args,
        call_span,
        ..
    } = &expr.kind
    else {
        return None;
    };
    let target = &context.rules.get(index)?.target;
    let separator_arg = args
        .iter()
        .find(|a| a.name.as_ref().is_some_and(|(n, _)| n == "sep"))
        .or_else(|| args.iter().find(|a| a.name.is_none()))?;
    let ExprKind::String(separator) = &separator_arg.value.kind else {
        return None;
    };
    if separator == SEPARATOR {
        return None;
    }
    let (start, end) = separator_arg.value.span;
    let separator_span = source.file_span(start, end);
    match name.as_str() {
        "hierarchy" => {
            let diagnostic = Diagnostic::new(
                Code::HierarchySeparator,
                format!("`{target}` levels are joined with `\"{separator}\"` instead of `\"{SEPARATOR}\"`"),
                separator_span,
            )
            .with_label("Insights splits levels only at \" ▸ \"")
            .with_help("drop the `sep` argument: `hierarchy` joins with \" ▸ \"");
            Some(
                match context.literal_edit(index, separator_span, SEPARATOR) {
                    Some(edit) => diagnostic.with_fix("join with \" ▸ \"", vec![edit]),
                    None => diagnostic,
                },
            )
        }
        "join" => {
            let call = source.file_span(name_span.0, call_span.1);
            let raw = context.file.source.slice(call);
            let diagnostic = Diagnostic::new(
                Code::HierarchySeparator,
                format!("`{target}` levels are joined with `\"{separator}\"` instead of `\"{SEPARATOR}\"`"),
                call,
            )
            .with_label("Insights splits levels only at \" ▸ \"")
            .with_help("replace this `join` with `hierarchy`, which joins with \" ▸ \" and skips empty levels");
            // Only when the offset map located the call exactly.
            Some(if raw.starts_with("join") && raw.ends_with(')') {
                diagnostic.with_fix(
                    "replace with `hierarchy`",
                    vec![Edit::replace(call, "hierarchy")],
                )
            } else {
                diagnostic
            })
        }
        _ => None,
    }
}

/// Literal operands of a `++` chain that only hold a separator other than `▸`: `a ++ "," ++ b`.
fn concat_separators(expr: &Expr, source: &ExprSource) -> Vec<Diagnostic> {
    let operands = concat_operands(expr);
    if operands.len() < 2
        || operands
            .iter()
            .all(|o| matches!(o.kind, ExprKind::String(_)))
    {
        return Vec::new();
    }
    operands
        .iter()
        .filter_map(|operand| {
            let ExprKind::String(text) = &operand.kind else {
                return None;
            };
            let trimmed = text.trim();
            if trimmed.is_empty() || !trimmed.chars().all(|c| matches!(c, ',' | '>' | '/')) {
                return None;
            }
            Some(
                Diagnostic::new(
                    Code::HierarchySeparator,
                    format!("levels are glued with `\"{text}\"` instead of `\"{SEPARATOR}\"`"),
                    source.file_span(operand.span.0, operand.span.1),
                )
                .with_label("Insights splits levels only at \" ▸ \"")
                .with_help("list the levels and join them with `hierarchy`: `[a, b] | hierarchy`"),
            )
        })
        .collect()
}

/// For a literal with levels separated by `,`, `>` or `/` (and no `▸`): the first separator
/// used and the levels. `None` for one level, and for `N/A`.
pub(crate) fn flat_levels(text: &str) -> Option<(char, Vec<&str>)> {
    if text.contains('▸') || text.trim().eq_ignore_ascii_case("n/a") {
        return None;
    }
    let separator = text.chars().find(|c| matches!(c, ',' | '>' | '/'))?;
    let levels: Vec<&str> = text
        .split([',', '>', '/'])
        .map(str::trim)
        .filter(|level| !level.is_empty())
        .collect();
    (levels.len() >= 2).then_some((separator, levels))
}

#[cfg(test)]
mod tests {
    use super::super::{findings, fixed};
    use crate::diagnostic::Code;

    fn task(body: &str) -> String {
        format!("flexmap: 1\ntarget: task\nconversations:\n{body}")
    }

    fn worker(body: &str) -> String {
        format!("flexmap: 1\ntarget: worker\nworker:\n{body}")
    }

    fn check(text: &str) -> Vec<String> {
        findings(text, Code::HierarchySeparator)
    }

    #[test]
    fn fires_on_other_separators() {
        assert_eq!(
            check(&task("  ivr_path: ivr.digits | hierarchy(sep=\",\")\n")),
            ["4:40 fix"]
        );
        assert_eq!(
            check(&task(
                "  ivr_path: ivr.digits | hierarchy(\"/\") | truncate(128)\n"
            )),
            ["4:36 fix"]
        );
        assert_eq!(
            check(&worker(
                "  team_name_in_hierarchy: '[hr.site, hr.team] | join(\",\")'\n"
            )),
            ["4:49 fix"]
        );
        assert_eq!(
            check(&worker(
                "  department_name_in_hierarchy: { const: \"London, Sales\" }\n"
            )),
            ["4:42 fix"]
        );
        assert_eq!(
            check(&task("  ivr_path: ivr.path ?? '1/2'\n")),
            ["4:25 fix"]
        );
        assert_eq!(
            check(&task(
                "  handling_team_name_in_hierarchy: crm.site ++ \" > \" ++ crm.team\n"
            )),
            ["4:48"]
        );
    }

    #[test]
    fn silent_on_the_insights_separator_and_unknown_content() {
        for text in [
            task("  ivr_path: ivr.digits | hierarchy\n"),
            task("  ivr_path: ivr.digits | hierarchy(sep=\" ▸ \")\n"),
            task("  ivr_path: '[ivr.a, ivr.b] | join(\" ▸ \")'\n"),
            task("  ivr_path: ivr.path\n"),
            task("  ivr_path: ivr.path | truncate(128)\n"),
            task("  ivr_path: '[ivr.a, ivr.b] | join(\",\") | hierarchy'\n"),
            task("  ivr_path: ivr.digits | hierarchy(sep=ivr.sep)\n"),
            task("  handling_team_name_in_hierarchy: { const: \"London ▸ Sales\" }\n"),
            task("  handling_team_name_in_hierarchy: crm.path ?? \"N/A\"\n"),
            task("  handling_team_name_in_hierarchy: { const: Sales }\n"),
            task("  handling_team_name_in_hierarchy: '[crm.site, \",\", crm.team] | hierarchy'\n"),
            // Not hierarchy fields.
            task("  campaign: '[crm.a, crm.b] | join(\",\")'\n"),
            task("  campaign: { const: \"London, Sales\" }\n"),
        ] {
            assert!(check(&text).is_empty(), "{text}");
        }
    }

    #[test]
    fn fixes() {
        let cases = [
            (
                task("  ivr_path: ivr.digits | hierarchy(sep=\",\")\n"),
                task("  ivr_path: ivr.digits | hierarchy(sep=\" ▸ \")\n"),
            ),
            (
                task("  ivr_path: \"ivr.digits | hierarchy(sep=\\\"-\\\")\"\n"),
                task("  ivr_path: \"ivr.digits | hierarchy(sep=\\\" ▸ \\\")\"\n"),
            ),
            (
                worker(
                    "  team_name_in_hierarchy: '[hr.site, hr.team] | join(\" > \") | truncate(128)'\n",
                ),
                worker(
                    "  team_name_in_hierarchy: '[hr.site, hr.team] | hierarchy | truncate(128)'\n",
                ),
            ),
            (
                worker("  department_name_in_hierarchy: { const: \"London, Sales,VIP\" }\n"),
                worker("  department_name_in_hierarchy: { const: \"London ▸ Sales ▸ VIP\" }\n"),
            ),
            (
                task("  ivr_path: if ivr.main then '1/2' else '1 > 3'\n"),
                task("  ivr_path: if ivr.main then '1 ▸ 2' else '1 ▸ 3'\n"),
            ),
        ];
        for (before, after) in cases {
            let result = fixed(&before, Code::HierarchySeparator);
            assert_eq!(result, after);
            assert!(check(&result).is_empty(), "{result}");
        }
    }
}
