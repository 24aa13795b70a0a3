//! FM311 amplification: a `replace` that can only grow its input by a large factor (an
//! empty-matching pattern) or grows text that an earlier `replace` already grew.

use regex_syntax::hir::Look;

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::{ExprSource, RuleValue};
use crate::syntax::{Expr, ExprKind};

/// FM311.
pub static LINT: Lint = Lint {
    code: Code::Amplification,
    check: Some(check),
    explanation: r#"## What it does
Checks `replace` calls whose output can only be much larger than their input:

- a pattern that matches the empty string between characters (`""`, `"x*"`, `"\\b"`,
  `"(a|)"`) with a non-empty replacement: the replacement is inserted at every position, so
  a value of N characters becomes about N × (replacement + 1) characters;
- nested growth: a `replace` whose replacement is longer than the shortest text its pattern
  matches, applied to the output of another such `replace`: the growth factors multiply.

Patterns anchored to the start or end of the text (`"^"`, `"$"`, `"^\\s*"`) match the empty
string at most once and are not reported.

## Why it matters
Every value a rule builds at run time is bounded (16 MiB per value, 64 MiB per record; see
"Runtime limits" in docs/language.md). A rule that amplifies its input reaches the bound on
ordinary records: `r.s | replace("", "--")` on a 6 MB description is 18 MB. Such a record is
not mapped (`value-too-large`, a record error: `flexmap apply` sends it to `--errors`, serve
answers it as an error), where the intent was almost always a small edit.

## Example
```yaml
extra:
  spaced: crm.code | replace("", " ")
  escaped: crm.note | replace("a", "aaaa") | replace("a", "aaaa")
```

## Fix
Make the pattern match at least one character (`"x+"` rather than `"x*"`), or anchor it
(`"^"` to prepend once). For nested growth, do the edit in one `replace`, or cut the text
first with `truncate(n)`: an attribute keeps 128 characters anyway.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        let RuleValue::Expr(source) = &rule.rule.value else {
            continue;
        };
        let mut trees: Vec<&Expr> = rule.ast.iter().collect();
        if let Some((when, _)) = &rule.when {
            trees.push(when);
        }
        for tree in trees {
            let mut found = Vec::new();
            walk(tree, source, &mut found);
            out.extend(found.into_iter().map(|d| Finding::on(index, d)));
        }
    }
}

/// What a `replace` call does to the size of its input.
enum Growth {
    /// No growth worth reporting (or a pattern that does not parse).
    None,
    /// The replacement is longer than the shortest match: the text can grow.
    Grows,
    /// The pattern matches the empty string between characters.
    EveryPosition,
}

/// Reports each amplifying `replace` below `expr`; returns true when `expr`'s value may
/// already have been grown by a `replace`.
fn walk(expr: &Expr, source: &ExprSource, out: &mut Vec<Diagnostic>) -> bool {
    match &expr.kind {
        ExprKind::Filter {
            input,
            name,
            name_span,
            args,
            ..
        } => {
            let grown = walk(input, source, out);
            for arg in args {
                walk(&arg.value, source, out);
            }
            if name != "replace" {
                // Filters that shorten or measure text end the chain.
                return grown && !matches!(name.as_str(), "truncate" | "len" | "slice");
            }
            let argument = |position: usize, wanted: &str| {
                args.iter()
                    .find(|a| a.name.as_ref().is_some_and(|(n, _)| n == wanted))
                    .or_else(|| args.get(position).filter(|a| a.name.is_none()))
                    .map(|a| &a.value)
            };
            let (Some(pattern), Some(with)) = (argument(0, "regex"), argument(1, "with")) else {
                return grown;
            };
            let (ExprKind::String(regex), ExprKind::String(replacement)) =
                (&pattern.kind, &with.kind)
            else {
                return grown;
            };
            match growth(regex, replacement) {
                Growth::EveryPosition => {
                    out.push(
                        Diagnostic::new(
                            Code::Amplification,
                            format!(
                                "the pattern `{regex}` matches the empty string between characters, so `replace` inserts its replacement at every position"
                            ),
                            source.file_span(pattern.span.0, pattern.span.1),
                        )
                        .with_label("matches the empty string")
                        .with_help("make the pattern match at least one character (`\"x+\"` rather than `\"x*\"`), or anchor it (`\"^\"` to prepend once)"),
                    );
                    true
                }
                Growth::Grows if grown => {
                    out.push(
                        Diagnostic::new(
                            Code::Amplification,
                            "this `replace` grows text that an earlier `replace` already grew, so the growth multiplies".to_string(),
                            source.file_span(name_span.0, name_span.1),
                        )
                        .with_label("nested growth")
                        .with_help(format!("do the edit in one `replace`, or cut the text first with `truncate({})`", crate::catalog::TEXT_CHARS)),
                    );
                    true
                }
                Growth::Grows => true,
                Growth::None => grown,
            }
        }
        ExprKind::Binary { left, right, .. } => {
            let l = walk(left, source, out);
            let r = walk(right, source, out);
            l || r
        }
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            walk(condition, source, out);
            let a = walk(then, source, out);
            let b = walk(otherwise, source, out);
            a || b
        }
        ExprKind::Unary { operand, .. } => walk(operand, source, out),
        ExprKind::Array(items) => {
            let mut grown = false;
            for item in items {
                grown |= walk(item, source, out);
            }
            grown
        }
        ExprKind::Object(pairs) => {
            let mut grown = false;
            for (_, value) in pairs {
                grown |= walk(value, source, out);
            }
            grown
        }
        ExprKind::Access { base, .. } => walk(base, source, out),
        _ => false,
    }
}

/// How `replace(regex, replacement)` changes the size of its input.
fn growth(regex: &str, replacement: &str) -> Growth {
    let Ok(hir) = regex_syntax::parse(regex) else {
        return Growth::None;
    };
    let properties = hir.properties();
    let Some(shortest) = properties.minimum_len() else {
        // A pattern that can never match.
        return Growth::None;
    };
    if shortest == 0 {
        let anchored = [Look::Start, Look::End, Look::StartLF, Look::EndLF]
            .into_iter()
            .any(|look| {
                properties.look_set_prefix().contains(look)
                    || properties.look_set_suffix().contains(look)
            });
        if replacement.is_empty() || anchored {
            return Growth::None;
        }
        return Growth::EveryPosition;
    }
    let references = replacement.matches('$').count();
    if replacement.len() > shortest || references >= 2 {
        Growth::Grows
    } else {
        Growth::None
    }
}

#[cfg(test)]
mod tests {
    use super::super::findings;
    use crate::diagnostic::Code;

    fn check(value: &str) -> Vec<String> {
        findings(
            &format!("flexmap: 1\ntarget: task\nextra:\n  x: {value}\n"),
            Code::Amplification,
        )
    }

    #[test]
    fn fires_on_patterns_that_match_the_empty_string_between_characters() {
        assert_eq!(check(r#"r.s | replace("", "yy")"#), ["4:20"]);
        assert_eq!(check(r#"r.s | replace("x*", "y")"#), ["4:20"]);
        assert_eq!(
            check(r#"r.s | lower | replace("\\b", "|") | len"#),
            ["4:28"]
        );
        assert_eq!(check(r#"r.s | replace("(a|)", "b")"#), ["4:20"]);
    }

    #[test]
    fn fires_on_nested_growth() {
        assert_eq!(
            check(r#"r.s | replace("a", "aaaa") | trim | replace("a", "aaaa")"#),
            ["4:42"]
        );
        assert_eq!(
            check(r#"((r.s | replace("(.)", "$1$1")) ++ "x") | replace("x", "xyz")"#),
            ["4:48"]
        );
    }

    #[test]
    fn stays_quiet_on_bounded_edits() {
        for value in [
            r#"r.s | replace("\\s+", " ")"#,
            r#"r.s | replace("^", "+")"#,
            r#"r.s | replace("^\\s*", "")"#,
            r#"r.s | replace("$", ".")"#,
            r#"r.s | replace("x*", "")"#,
            r#"r.s | replace("(\\d+)-(\\d+)", "$2/$1")"#,
            r#"r.s | replace("a", "aaaa") | truncate(10) | replace("a", "aaaa")"#,
            r#"r.s | replace("a", "aaaa") | replace("b", "")"#,
            r#"r.s | replace("[", "x")"#,
        ] {
            assert_eq!(check(value), Vec::<String>::new(), "{value}");
        }
    }
}
