//! FM302 date-out-of-range: a literal date outside the 1901–2049 range Insights accepts.

use serde_json::Value;

use super::{Finding, Lint, LintContext};
use crate::catalog::{DATE_RANGE, Kind};
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::ExprSource;
use crate::runtime::convert::{DateError, parse_date};
use crate::source::Span;
use crate::syntax::{Expr, ExprKind};

/// FM302.
pub static LINT: Lint = Lint {
    code: Code::DateOutOfRange,
    check: Some(check),
    explanation: r#"## What it does
Reports a literal date outside 1901-01-01 – 2049-12-31: a string or number literal that a
date field (`conversations.date`, `customers.acquisition_date`) can be given (a `const:`, a
branch of an `if`, a `??` fallback, a `default`), and a string or number literal fed straight
into `| date`. Dates are read as `| date` reads them: ISO 8601 and RFC 2822 strings,
`YYYYMMDD`, epoch seconds below 100,000,000,000 and epoch milliseconds above.

## Why it matters
Every date and time Insights loads must fall in 1901–2049 inclusive (docs/insights.md#limits, https://www.twilio.com/docs/flex/developer/insights/enhance-integration). flexmap's runtime drops such a date with a warning rather
than send it; either way the value never reaches reports, on every record. A literal outside
the range is almost always a typo (`1024` for `2024`) or a placeholder such as `1900-01-01`
or `9999-12-31` meant as "unknown".

## Example
```yaml
customers:
  acquisition_date: crm.account.created | date ?? "1900-01-01"
```

## Fix
Correct the literal. For an unknown date write nothing: drop the fallback (a missing value
stays missing and writes nothing).
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let mut reported: Vec<Span> = Vec::new();
        let mut report = |value: &Value,
                          span: Span,
                          format: Option<&str>,
                          out: &mut Vec<Finding>| {
            if reported.contains(&span) || parse_date(value, format) != Err(DateError::OutOfRange) {
                return;
            }
            reported.push(span);
            out.push(Finding::on(index, diagnostic(value, span)));
        };
        if rule.kind == Some(Kind::Date)
            && let Some(facts) = &rule.facts
        {
            for (value, span) in &facts.literals {
                if matches!(value, Value::String(_) | Value::Number(_)) {
                    report(value, *span, None, out);
                }
            }
        }
        let mut feeds = Vec::new();
        if let (crate::rules_file::RuleValue::Expr(source), Some(ast)) =
            (&rule.rule.value, &rule.ast)
        {
            literals_into_date(ast, source, &mut feeds);
        }
        if let (Some(source), Some((ast, _))) = (&rule.rule.when, &rule.when) {
            literals_into_date(ast, source, &mut feeds);
        }
        for (value, span, format) in feeds {
            report(&value, span, format.as_deref(), out);
        }
    }
}

/// Every string or number literal that is the direct input of `| date`, with its file span
/// and the filter's format argument (when it is a literal).
fn literals_into_date(
    expr: &Expr,
    source: &ExprSource,
    out: &mut Vec<(Value, Span, Option<String>)>,
) {
    match &expr.kind {
        ExprKind::Filter {
            input, name, args, ..
        } => {
            if name == "date" {
                let literal = match &input.kind {
                    ExprKind::String(s) => Some(Value::String(s.clone())),
                    ExprKind::Number(n) => Some(Value::Number(n.clone())),
                    _ => None,
                };
                let format = args
                    .iter()
                    .find(|a| a.name.as_ref().is_none_or(|(n, _)| n == "format"))
                    .and_then(|a| match &a.value.kind {
                        ExprKind::String(s) => Some(s.clone()),
                        _ => None,
                    });
                let has_dynamic_format = !args.is_empty() && format.is_none();
                if let Some(value) = literal
                    && !has_dynamic_format
                {
                    out.push((value, source.file_span(input.span.0, input.span.1), format));
                }
            }
            literals_into_date(input, source, out);
            for arg in args {
                literals_into_date(&arg.value, source, out);
            }
        }
        ExprKind::Access { base, .. } => literals_into_date(base, source, out),
        ExprKind::Array(items) => {
            for item in items {
                literals_into_date(item, source, out);
            }
        }
        ExprKind::Object(pairs) => {
            for (_, value) in pairs {
                literals_into_date(value, source, out);
            }
        }
        ExprKind::Unary { operand, .. } => literals_into_date(operand, source, out),
        ExprKind::Binary { left, right, .. } => {
            literals_into_date(left, source, out);
            literals_into_date(right, source, out);
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            literals_into_date(condition, source, out);
            literals_into_date(then, source, out);
            literals_into_date(otherwise, source, out);
        }
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Path { .. } => {}
    }
}

fn diagnostic(value: &Value, span: Span) -> Diagnostic {
    let (shown, help) = match value {
        Value::String(s) => (
            s.clone(),
            "correct the date (a typo in the year?); for an unknown date write nothing instead of a placeholder",
        ),
        other => (
            other.to_string(),
            "correct the number: numbers are epoch seconds below 100000000000 and epoch milliseconds above; for an unknown date write nothing",
        ),
    };
    Diagnostic::new(
        Code::DateOutOfRange,
        format!("the date `{shown}` is outside {DATE_RANGE}, the range Insights accepts"),
        span,
    )
    .with_label("Insights rejects it; flexmap drops it at run time")
    .with_help(help)
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;

    fn findings(body: &str) -> Vec<String> {
        super::super::findings(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::DateOutOfRange,
        )
    }

    #[test]
    fn fires_on_a_literal_date_out_of_range_and_not_on_its_twin() {
        assert_eq!(
            findings("customers:\n  acquisition_date: crm.created | date ?? \"1900-01-01\"\n"),
            ["4:43"]
        );
        assert!(
            findings("customers:\n  acquisition_date: crm.created | date ?? \"1901-01-01\"\n")
                .is_empty()
        );
    }

    #[test]
    fn constants_numbers_and_branches_of_date_fields() {
        assert_eq!(
            findings("conversations:\n  date: { const: \"2050-01-01\" }\n"),
            ["4:18"]
        );
        // 99999999999 is below 1e11: epoch seconds, year 5138.
        assert_eq!(findings("conversations:\n  date: 99999999999\n"), ["4:9"]);
        assert_eq!(
            findings("conversations:\n  date: if x then \"2049-12-31\" else \"1899-06-01\"\n"),
            ["4:37"]
        );
        assert!(findings("conversations:\n  date: { const: 1709649000000 }\n").is_empty());
    }

    #[test]
    fn literals_fed_into_date_anywhere() {
        // Not a date field, but the literal goes straight into `| date`.
        assert_eq!(
            findings(
                "conversations:\n  conversation_measure_1: '\"1800-02-03\" | date'\n  service_level:\n    value: '\"x\"'\n    when: task.created | date > \"3000-01-01\" | date\n"
            ),
            ["4:28", "7:33"]
        );
        // A format is applied when it is a literal.
        assert_eq!(
            findings(
                "conversations:\n  conversation_measure_1: '\"01/02/1850\" | date(\"%d/%m/%Y\")'\n"
            ),
            ["4:28"]
        );
        assert!(
            findings(
                "conversations:\n  conversation_measure_1: '\"01/02/1950\" | date(\"%d/%m/%Y\")'\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn unparsable_or_non_literal_dates_are_not_this_lint() {
        assert!(
            findings("conversations:\n  date: { const: \"next tuesday\" }\n  conversation_measure_1: crm.created | date\n")
                .is_empty()
        );
        // A literal that is compared, not written, is no date of the field.
        assert!(
            findings("conversations:\n  date:\n    value: crm.created | date\n    when: crm.year != \"1800-01-01\"\n")
                .is_empty()
        );
    }
}
