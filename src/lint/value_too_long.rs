//! FM301 value-too-long: there is evidence a text value can exceed Insights' 128 characters.

use super::{Finding, Lint, LintContext};
use crate::catalog::Kind;
use crate::check::facts::LengthEvidence;
use crate::diagnostic::{Code, Diagnostic, Edit, Severity};
use crate::rules_file::RuleValue;
use crate::syntax::ExprKind;

/// FM301.
pub static LINT: Lint = Lint {
    code: Code::ValueTooLong,
    check: Some(check),
    explanation: r#"## What it does
Reports a text value (text, label, id, hierarchy and enum fields, attribute and label slots)
when there is evidence that it can be longer than 128 characters:

- a literal over 128 characters (an **error**: it is always cut);
- a known bound over 128: an input declared with `max_length: 255`, a `++` of bounded parts
  that add up to more, a lookup table with a long value, `truncate(200)`;
- a `join` of a list from the record, which can be of any length;
- a free-text source (`subject`, `description`, `notes`, `comment`, `body`, `message`,
  `summary`, `transcript`) with no `truncate`.

A plain path of unknown length is not evidence: most values are short, and the runtime cuts
and counts the rare long one (a `truncated` warning).

## Why it matters
Insights keeps at most 128 characters of an attribute value and silently drops the rest
when it loads the data (docs/insights.md#limits, https://www.twilio.com/docs/flex/developer/insights/enhance-integration). Data already
loaded cannot be fixed without a support case. Cutting on purpose keeps the start of the
value and makes the limit visible in the rule.

## Example
```yaml
inputs:
  crm.case.subject: { type: string, max_length: 255 }
conversations:
  content: crm.case.subject
```

## Fix
Add `| truncate(128)` (or a shorter limit) to the expression; `flexmap lint --fix` appends
it, with parentheses when the expression is an operator or an `if`. Shorten a long literal.
If the value can never be that long, declare a smaller `max_length` under `inputs:`.
"#,
};

use crate::catalog::TEXT_CHARS as LIMIT;

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        if !rule.kind.is_some_and(Kind::can_reach_text_limit) {
            continue;
        }
        let Some(evidence) = rule.facts.as_ref().and_then(|f| f.long.as_ref()) else {
            continue;
        };
        let why = match evidence {
            LengthEvidence::Literal(chars) => format!("this literal is {chars} characters long"),
            LengthEvidence::Bound { reason, .. } => reason.clone(),
            LengthEvidence::Join => "a `join` of a list can be of any length".to_string(),
            LengthEvidence::FreeText(path) => format!("`{path}` is free text"),
        };
        let verb = match evidence {
            LengthEvidence::Literal(_) => "is",
            _ => "can be",
        };
        let mut diagnostic = Diagnostic::new(
            Code::ValueTooLong,
            format!(
                "`{}` {verb} longer than {LIMIT} characters: {why}",
                rule.rule.name
            ),
            rule.rule.value.span(),
        )
        .with_label(format!("Insights keeps only the first {LIMIT} characters"));
        if let LengthEvidence::Literal(_) = evidence {
            diagnostic = diagnostic.with_severity(Severity::Error).with_help(format!(
                "shorten it to {LIMIT} characters or fewer: Insights would always cut it"
            ));
        } else if let Some(edit) = lower_truncate_edit(rule) {
            diagnostic = diagnostic
                .with_help(format!(
                    "lower the bound to `truncate({LIMIT})`: Insights keeps no more"
                ))
                .with_fix(
                    format!("lower the bound to `truncate({LIMIT})`"),
                    vec![edit],
                );
        } else {
            diagnostic = diagnostic.with_help(format!(
                "add `| truncate({LIMIT})` so the cut is explicit and the rule shows the limit"
            ));
            if let Some(edits) = truncate_edits(rule) {
                diagnostic = diagnostic.with_fix(format!("add `| truncate({LIMIT})`"), edits);
            }
        }
        out.push(Finding::on(index, diagnostic));
    }
}

/// When the expression already ends in `truncate(n)` with `n` over the limit, the edit that
/// lowers `n` (appending a second `truncate` would leave the first one's bound misleading).
fn lower_truncate_edit(rule: &crate::check::AnalyzedRule) -> Option<Edit> {
    let (RuleValue::Expr(source), Some(ast)) = (&rule.rule.value, &rule.ast) else {
        return None;
    };
    let ExprKind::Filter { name, args, .. } = &ast.kind else {
        return None;
    };
    let [bound] = args.as_slice() else {
        return None;
    };
    if name != "truncate" || bound.name.is_some() {
        return None;
    }
    let ExprKind::Number(n) = &bound.value.kind else {
        return None;
    };
    if n.as_f64().is_none_or(|n| n <= LIMIT as f64) {
        return None;
    }
    let (start, end) = bound.value.span;
    Some(Edit::replace(
        source.file_span(start, end),
        LIMIT.to_string(),
    ))
}

/// Edits that append `| truncate(128)` to the rule's expression, wrapping it in parentheses
/// when its top level is an operator or an `if` (a filter binds tighter than both).
fn truncate_edits(rule: &crate::check::AnalyzedRule) -> Option<Vec<Edit>> {
    let (RuleValue::Expr(source), Some(ast)) = (&rule.rule.value, &rule.ast) else {
        return None;
    };
    let (start, end) = ast.span;
    let file_start = source.file_span(start, start).start;
    let file_end = source.file_span(end, end).start;
    let suffix = format!(" | truncate({LIMIT})");
    match ast.kind {
        ExprKind::Path { .. } | ExprKind::Filter { .. } | ExprKind::Access { .. } => {
            Some(vec![Edit::insert(file_end, suffix)])
        }
        ExprKind::Binary { .. } | ExprKind::If { .. } | ExprKind::Unary { .. } => Some(vec![
            Edit::insert(file_start, "("),
            Edit::insert(file_end, format!("){suffix}")),
        ]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, Level};
    use crate::diagnostic::{Code, Severity};

    const HEAD: &str = "flexmap: 1\ntarget: task\ninputs:\n  crm.case.subject: { type: string, max_length: 255 }\n";

    fn findings(body: &str) -> Vec<String> {
        super::super::findings(&format!("{HEAD}{body}"), Code::ValueTooLong)
    }

    fn fixed(body: &str) -> String {
        let text = super::super::fixed(&format!("{HEAD}{body}"), Code::ValueTooLong);
        text.strip_prefix(HEAD).unwrap_or(&text).to_string()
    }

    fn message(body: &str) -> String {
        crate::Ruleset::from_str(&format!("{HEAD}{body}"), "t.yaml")
            .diagnostics()
            .into_iter()
            .find(|d| d.code == Code::ValueTooLong)
            .map(|d| format!("{} {}", d.severity.name(), d.message))
            .unwrap_or_default()
    }

    #[test]
    fn fires_on_a_declared_bound_and_stays_silent_when_truncated() {
        assert_eq!(
            findings("conversations:\n  content: crm.case.subject\n"),
            ["6:12 fix"]
        );
        assert!(
            findings("conversations:\n  content: crm.case.subject | truncate(128)\n").is_empty()
        );
    }

    #[test]
    fn a_plain_path_of_unknown_length_is_not_evidence() {
        assert!(findings("conversations:\n  content: crm.case.reason | trim\n").is_empty());
        // Not a text kind: no 128-character cut.
        assert!(
            findings("conversations:\n  conversation_measure_1: crm.case.notes | len\n").is_empty()
        );
    }

    #[test]
    fn messages_state_the_evidence() {
        assert_eq!(
            message("conversations:\n  content: crm.case.subject\n"),
            "warning `content` can be longer than 128 characters: `crm.case.subject` is declared `max_length: 255`"
        );
        assert_eq!(
            message("conversations:\n  conversation_attribute_1: crm.tags | join(\", \")\n"),
            "warning `conversation_attribute_1` can be longer than 128 characters: a `join` of a list can be of any length"
        );
        assert_eq!(
            message("conversations:\n  conversation_label_1: crm.case.description\n"),
            "warning `conversation_label_1` can be longer than 128 characters: `crm.case.description` is free text"
        );
        assert_eq!(
            message("conversations:\n  content: '\"Case: \" ++ crm.case.subject'\n"),
            "warning `content` can be longer than 128 characters: `crm.case.subject` is declared `max_length: 255`"
        );
    }

    #[test]
    fn literals_are_errors_without_a_fix() {
        let long = "x".repeat(130);
        let body = format!("conversations:\n  content: {{ const: {long} }}\n");
        assert_eq!(findings(&body), ["6:21"]);
        assert_eq!(
            message(&body),
            "error `content` is longer than 128 characters: this literal is 130 characters long"
        );
        let body = format!("conversations:\n  outcome: if x then '\"{long}\"' else '\"b\"'\n");
        assert_eq!(findings(&body), ["6:12"]);
        // A configured level still wins.
        let mut config = Config::default();
        config
            .levels
            .insert(Code::ValueTooLong, Level::Report(Severity::Warning));
        let text = format!("{HEAD}conversations:\n  content: {{ const: {long} }}\n");
        let diagnostics = crate::Ruleset::from_str(&text, "t.yaml").diagnostics_with(&config);
        assert!(
            diagnostics
                .iter()
                .any(|d| d.code == Code::ValueTooLong && d.severity == Severity::Warning)
        );
    }

    #[test]
    fn fix_appends_to_paths_and_filter_chains() {
        assert_eq!(
            fixed("conversations:\n  content: crm.case.subject\n"),
            "conversations:\n  content: crm.case.subject | truncate(128)\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: crm.case.notes | trim   # why\n"),
            "conversations:\n  content: crm.case.notes | trim | truncate(128)   # why\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: 'crm.tags | join(\", \")'\n"),
            "conversations:\n  content: 'crm.tags | join(\", \") | truncate(128)'\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: \"crm.tags | join(\\\", \\\")\"\n"),
            "conversations:\n  content: \"crm.tags | join(\\\", \\\") | truncate(128)\"\n"
        );
        assert_eq!(
            fixed("conversations:\n  content:\n    value: crm.case.body\n    when: x\n"),
            "conversations:\n  content:\n    value: crm.case.body | truncate(128)\n    when: x\n"
        );
    }

    #[test]
    fn fix_lowers_a_truncate_over_the_limit() {
        assert_eq!(
            findings("conversations:\n  content: crm.case.subject | truncate(130)\n"),
            ["6:12 fix"]
        );
        assert_eq!(
            fixed("conversations:\n  content: crm.case.subject | truncate(130)\n"),
            "conversations:\n  content: crm.case.subject | truncate(128)\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: 'crm.x | trim | truncate( 4000 )'  # c\n"),
            "conversations:\n  content: 'crm.x | trim | truncate( 128 )'  # c\n"
        );
    }

    #[test]
    fn fix_wraps_operators_and_ifs() {
        assert_eq!(
            fixed("conversations:\n  content: '\"Case: \" ++ crm.case.subject'\n"),
            "conversations:\n  content: '(\"Case: \" ++ crm.case.subject) | truncate(128)'\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: \"x ?? crm.case.summary\"\n"),
            "conversations:\n  content: \"(x ?? crm.case.summary) | truncate(128)\"\n"
        );
        assert_eq!(
            fixed("conversations:\n  content: if a then crm.case.subject else b\n"),
            "conversations:\n  content: (if a then crm.case.subject else b) | truncate(128)\n"
        );
    }

    #[test]
    fn fix_inside_block_scalars() {
        assert_eq!(
            fixed("conversations:\n  content: |\n    crm.case.subject\n"),
            "conversations:\n  content: |\n    crm.case.subject | truncate(128)\n"
        );
        assert_eq!(
            fixed(
                "conversations:\n  content: >\n    crm.case.subject\n      ++ crm.case.notes\ncustomers:\n  category: x\n"
            ),
            "conversations:\n  content: >\n    (crm.case.subject\n      ++ crm.case.notes) | truncate(128)\ncustomers:\n  category: x\n"
        );
        // The fixed file lints clean.
        let text = format!(
            "{HEAD}{}",
            fixed("conversations:\n  content: |\n    crm.case.subject\n      ++ crm.case.notes\n")
        );
        assert!(super::super::findings(&text, Code::ValueTooLong).is_empty());
        assert!(
            crate::Ruleset::from_str(&text, "t.yaml")
                .diagnostics()
                .iter()
                .all(|d| !d.is_error())
        );
    }
}
