//! FM312 inexact-number: a number literal that a number cannot hold exactly.

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::{ExprSource, RuleValue};
use crate::syntax::{Expr, ExprKind};

/// FM312.
pub static LINT: Lint = Lint {
    code: Code::InexactNumber,
    check: Some(check),
    explanation: r#"## What it does
Checks number literals in expressions and `const:` values that a 64-bit float cannot hold
exactly: most integers beyond ±2^53 (9007199254740992), and literals with more significant
digits than a float keeps (`0.1000000000000000000001`, `123456789012345678901234567890`).

## Why it matters
Insights measures, TaskRouter attributes and every JavaScript reader hold numbers as 64-bit
floats. Such a literal is rounded silently: `123456789012345678901234567890123456789` is
written as `1.2345678901234568e+38`, and `9007199254740993` as `9007199254740992`. An
identifier written as a number loses its last digits, and two different IDs become equal.

## Example
```yaml
extra:
  account: { const: 123456789012345678901234 }
conversations:
  conversation_measure_1: crm.score * 1.00000000000000000001
```

## Fix
Write identifiers as text (`"123456789012345678901234"`), and numbers with at most 15–17
significant digits (`1.0`).
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        match &rule.rule.value {
            RuleValue::Const { value, span } => {
                if value.is_number() {
                    let raw = context.file.source.slice(*span).trim();
                    if let Some(diagnostic) = inexact(raw, *span) {
                        out.push(Finding::on(index, diagnostic));
                    }
                }
            }
            RuleValue::Expr(source) => {
                let mut trees: Vec<&Expr> = rule.ast.iter().collect();
                if let Some((when, _)) = &rule.when {
                    trees.push(when);
                }
                for tree in trees {
                    numbers(tree, source, &mut |diagnostic| {
                        out.push(Finding::on(index, diagnostic));
                    });
                }
            }
        }
    }
    // `when:` of a constant rule is an expression too, but holds conditions, not values:
    // its numbers are compared, and a comparison of floats is what the author wrote.
}

/// Reports every inexact number literal below `expr`.
fn numbers(expr: &Expr, source: &ExprSource, report: &mut dyn FnMut(Diagnostic)) {
    match &expr.kind {
        ExprKind::Number(_) => {
            let (start, end) = expr.span;
            let raw = source.text.get(start..end).unwrap_or_default();
            if let Some(diagnostic) = inexact(raw, source.file_span(start, end)) {
                report(diagnostic);
            }
        }
        ExprKind::Access { base, .. } => numbers(base, source, report),
        ExprKind::Array(items) => items.iter().for_each(|i| numbers(i, source, report)),
        ExprKind::Object(pairs) => pairs.iter().for_each(|(_, v)| numbers(v, source, report)),
        ExprKind::Unary { operand, .. } => numbers(operand, source, report),
        ExprKind::Binary { left, right, .. } => {
            numbers(left, source, report);
            numbers(right, source, report);
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            numbers(condition, source, report);
            numbers(then, source, report);
            numbers(otherwise, source, report);
        }
        ExprKind::Filter { input, args, .. } => {
            numbers(input, source, report);
            for arg in args {
                numbers(&arg.value, source, report);
            }
        }
        _ => {}
    }
}

/// The finding for a literal `raw` whose value no 64-bit float holds, or `None`.
fn inexact(raw: &str, span: crate::Span) -> Option<Diagnostic> {
    let written = Decimal::parse(raw)?;
    let float: f64 = raw.parse().ok()?;
    if !float.is_finite() {
        // Out of range entirely: the checker or the YAML reader reports it.
        return None;
    }
    let held = Decimal::parse(&format!("{float:e}"))?;
    if written == held {
        return None;
    }
    let shown = crate::runtime::convert::render_scalar(&serde_json::Value::from(float))
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_default();
    Some(
        Diagnostic::new(
            Code::InexactNumber,
            format!("the number `{raw}` cannot be held exactly: it is written as `{shown}`"),
            span,
        )
        .with_label(format!("becomes {shown}"))
        .with_help(if written.is_integer() {
            format!("write an identifier as text: `\"{raw}\"`")
        } else {
            "keep at most 15 significant digits".to_string()
        }),
    )
}

/// A decimal number as sign, significant digits (no leading or trailing zeros) and the
/// exponent of the last digit: `-1.50e3` is `(true, "15", 2)`. Zero is `(false, "", 0)`.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    digits: String,
    exponent: i64,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, rest) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(at) => (&rest[..at], rest[at + 1..].parse::<i64>().ok()?),
            None => (rest, 0),
        };
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let all: String = whole.chars().chain(fraction.chars()).collect();
        let trimmed_end = all.trim_end_matches('0');
        let dropped = i64::try_from(all.len() - trimmed_end.len()).ok()?;
        let digits = trimmed_end.trim_start_matches('0').to_string();
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exponent: 0,
            });
        }
        let fraction_len = i64::try_from(fraction.len()).ok()?;
        Some(Decimal {
            negative,
            digits,
            exponent: exponent.checked_sub(fraction_len)?.checked_add(dropped)?,
        })
    }

    fn is_integer(&self) -> bool {
        self.exponent >= 0
    }
}

#[cfg(test)]
mod tests {
    use super::super::findings;
    use super::Decimal;
    use crate::diagnostic::Code;

    fn check(body: &str) -> Vec<String> {
        findings(
            &format!("flexmap: 1\ntarget: task\nextra:\n{body}"),
            Code::InexactNumber,
        )
    }

    #[test]
    fn decimals_compare_by_value() {
        assert_eq!(Decimal::parse("1.50e3"), Decimal::parse("1500"));
        assert_eq!(Decimal::parse("-0.0"), Decimal::parse("0"));
        assert_ne!(Decimal::parse("1.5"), Decimal::parse("15"));
        assert_eq!(Decimal::parse("x1"), None);
    }

    #[test]
    fn fires_on_literals_a_double_cannot_hold() {
        assert_eq!(
            check("  a: '{\"id\": 123456789012345678901234567890123456789}'\n"),
            ["4:14"]
        );
        assert_eq!(check("  a: '9007199254740993 + 1'\n"), ["4:7"]);
        assert_eq!(check("  a: 'r.x * 1.00000000000000000001'\n"), ["4:13"]);
        assert_eq!(
            check("  a: { const: 123456789012345678901234 }\n"),
            ["4:15"]
        );
    }

    #[test]
    fn stays_quiet_on_numbers_a_double_holds() {
        for body in [
            "  a: '9007199254740992 + 0.1 + 1e300 + 2.5e-7 + 100'\n",
            "  a: '-9007199254740992'\n",
            "  a: { const: 12.75 }\n",
            "  a: r.x | round(2)\n",
        ] {
            assert_eq!(check(body), Vec::<String>::new(), "{body}");
        }
    }
}
