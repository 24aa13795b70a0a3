//! FM305 invalid-url: a literal link, or the fixed start of a built link, that is not an absolute http(s) URL.

use serde_json::Value;

use super::{Finding, Lint, LintContext, concat_operands, outcomes};
use crate::catalog::Kind;
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::RuleValue;
use crate::runtime::convert::is_http_url;
use crate::source::Span;
use crate::syntax::{Expr, ExprKind};

/// FM305.
pub static LINT: Lint = Lint {
    code: Code::InvalidUrl,
    check: Some(check),
    explanation: r#"## What it does
Checks the link fields `conversations.segment_link` and `customers.customer_link`:

- every literal the rule can write must be an absolute `http://` or `https://` URL;
- a link built with `++` must start in a way an absolute URL can: its leading literal
  (`"https://crm.example.com/customer/" ++ crm.id`) is checked as the start of a URL.

Links taken from the record are not judged: only literals are evidence.

## Why it matters
Insights opens these links as written, from its own servers and from the analyst's browser:
a relative path or a bare host name leads nowhere, and flexmap's runtime drops a value
that is not an absolute http(s) URL. A recording link must also be public or carry its
authorization in the path or query string (docs/insights.md#dependencies-between-fields), and `customer_link` is meant to open the customer's CRM record
(docs/insights.md#customers-fields).

## Example
```yaml
conversations:
  segment_link: '"recordings/" ++ task.recording_sid'
customers:
  customer_link: { const: crm.example.com/customers }
```

## Fix
Write the full address with its scheme: `"https://crm.example.com/customers/" ++ crm.id`
(`flexmap lint --fix` adds `https://` to a literal that starts with a host name). For
recordings, use a URL that carries its own authorization (a signed or tokenised link), or
let Flex's "Call Recording" setting fill `segment_link`.
"#,
};

const HELP: &str = "write the full address starting with `https://`; Insights opens the link as written, so it must be public or carry its authorization in the path or query string";

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    for (index, rule) in context.resolved() {
        if rule.kind != Some(Kind::Url) {
            continue;
        }
        let Some(facts) = &rule.facts else { continue };
        for (value, span) in &facts.literals {
            let Value::String(text) = value else { continue };
            if text.trim().is_empty() || is_http_url(text) {
                continue;
            }
            let diagnostic = Diagnostic::new(
                Code::InvalidUrl,
                format!("`{text}` is not an absolute http(s) URL"),
                *span,
            )
            .with_label("dropped at run time: Insights needs an absolute link")
            .with_help(HELP);
            out.push(Finding::on(
                index,
                with_scheme_fix(context, index, *span, text, diagnostic),
            ));
        }
        let (Some(ast), RuleValue::Expr(source)) = (&rule.ast, &rule.rule.value) else {
            continue;
        };
        for outcome in outcomes(ast, &["trim", "truncate"]) {
            let Some((prefix, first, last)) = constant_prefix(outcome) else {
                continue;
            };
            if prefix_may_start_url(&prefix) {
                continue;
            }
            let span = source
                .file_span(first.span.0, first.span.1)
                .to(source.file_span(last.span.0, last.span.1));
            let diagnostic = Diagnostic::new(
                Code::InvalidUrl,
                format!(
                    "this link starts with `{prefix}`, so it cannot be an absolute http(s) URL"
                ),
                span,
            )
            .with_label("not the start of an absolute http(s) URL")
            .with_help(HELP);
            let diagnostic = if std::ptr::eq(first, last) {
                with_scheme_fix(context, index, span, &prefix, diagnostic)
            } else {
                diagnostic
            };
            out.push(Finding::on(index, diagnostic));
        }
    }
}

/// Adds a fix that puts `https://` in front of a literal starting with a host name
/// (`crm.example.com/…`), when that makes it a valid start.
fn with_scheme_fix(
    context: &LintContext<'_>,
    index: usize,
    span: Span,
    text: &str,
    diagnostic: Diagnostic,
) -> Diagnostic {
    let host = text.split(['/', '?', '#']).next().unwrap_or("");
    let with_scheme = format!("https://{text}");
    let looks_like_host = text.starts_with(|c: char| c.is_ascii_alphanumeric())
        && host.contains('.')
        && !text.contains("://")
        && (is_http_url(&with_scheme) || prefix_may_start_url(&with_scheme));
    if !looks_like_host {
        return diagnostic;
    }
    match context.literal_edit(index, span, &with_scheme) {
        Some(edit) => diagnostic.with_fix("add `https://`", vec![edit]),
        None => diagnostic,
    }
}

/// For a `++` chain that starts with string literals and goes on with something else: the
/// text of those leading literals and the first and last of them.
fn constant_prefix(expr: &Expr) -> Option<(String, &Expr, &Expr)> {
    let operands = concat_operands(expr);
    if operands.len() < 2 {
        return None;
    }
    let leading: Vec<&Expr> = operands
        .iter()
        .copied()
        .take_while(|e| matches!(e.kind, ExprKind::String(_)))
        .collect();
    // All literals: the whole value is a constant, judged as a literal.
    if leading.is_empty() || leading.len() == operands.len() {
        return None;
    }
    let text = leading
        .iter()
        .filter_map(|e| match &e.kind {
            ExprKind::String(s) => Some(s.as_str()),
            _ => None,
        })
        .collect();
    Some((text, leading[0], leading[leading.len() - 1]))
}

/// True when some absolute http(s) URL starts with `prefix`: a prefix of the scheme
/// (`"http"`), or a scheme and a host that may go on (`"https://crm."`), or a complete host
/// followed by a path that is itself a valid URL.
fn prefix_may_start_url(prefix: &str) -> bool {
    let lower = prefix.to_ascii_lowercase();
    if "https://".starts_with(&lower) || "http://".starts_with(&lower) {
        return true;
    }
    if prefix.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some(rest) = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
    else {
        return false;
    };
    if rest.contains(['/', '?', '#']) {
        is_http_url(prefix)
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::super::{findings, fixed};
    use super::prefix_may_start_url;
    use crate::diagnostic::Code;

    fn task(body: &str) -> String {
        format!("flexmap: 1\ntarget: task\n{body}")
    }

    fn check(body: &str) -> Vec<String> {
        findings(&task(body), Code::InvalidUrl)
    }

    #[test]
    fn fires_on_literals_that_are_not_absolute_urls() {
        assert_eq!(
            check("conversations:\n  segment_link: { const: recordings/RE123.mp3 }\n"),
            ["4:26"]
        );
        assert_eq!(
            check("customers:\n  customer_link: { const: \"crm.example.com/c/1\" }\n"),
            ["4:27 fix"]
        );
        assert_eq!(
            check("customers:\n  customer_link: crm.link ?? \"https://crm.example.com/a b\"\n"),
            ["4:30"]
        );
        assert_eq!(
            check("conversations:\n  segment_link: '\"ftp://files.example.com/r.mp3\"'\n"),
            ["4:18"]
        );
    }

    #[test]
    fn fires_on_the_fixed_start_of_a_built_link() {
        assert_eq!(
            check("customers:\n  customer_link: '\"crm.example.com/customer/\" ++ crm.id'\n"),
            ["4:19 fix"]
        );
        assert_eq!(
            check("conversations:\n  segment_link: '\"/recordings/\" ++ task.sid ++ \".mp3\"'\n"),
            ["4:18"]
        );
        // Several leading literals are one start.
        assert_eq!(
            check(
                "conversations:\n  segment_link: '\"ftp:\" ++ \"//x.example.com/\" ++ task.sid'\n"
            ),
            ["4:18"]
        );
    }

    #[test]
    fn silent_on_absolute_urls_and_unknown_parts() {
        for body in [
            "customers:\n  customer_link: '\"https://crm.example.com/customer/\" ++ crm.id'\n",
            "customers:\n  customer_link: '\"https://\" ++ crm.host ++ \"/c/\" ++ crm.id'\n",
            "customers:\n  customer_link: '\"https://crm.\" ++ crm.region ++ \".example.com/\" ++ crm.id'\n",
            "customers:\n  customer_link: '\"http\" ++ crm.tls ++ \"://crm.example.com/\" ++ crm.id'\n",
            "customers:\n  customer_link: crm.account.url\n",
            "customers:\n  customer_link: crm.host ++ \"/customer/\" ++ crm.id\n",
            "conversations:\n  segment_link: if task.recorded then \"https://rec.example.com/x\" else null\n",
            "conversations:\n  segment_link: '\"http://intranet.example.com:8080/r?token=\" ++ task.token'\n",
            "conversations:\n  segment_link: { const: \"https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1\" }\n",
            // Not a link field.
            "conversations:\n  campaign: '\"crm.example.com/customer/\" ++ crm.id'\n",
        ] {
            assert!(check(body).is_empty(), "{body}");
        }
    }

    #[test]
    fn fix_adds_the_scheme_inside_the_quotes() {
        let before =
            task("customers:\n  customer_link: '\"crm.example.com/customer/\" ++ crm.id'\n");
        let after = fixed(&before, Code::InvalidUrl);
        assert_eq!(
            after,
            task(
                "customers:\n  customer_link: '\"https://crm.example.com/customer/\" ++ crm.id'\n"
            )
        );
        assert!(findings(&after, Code::InvalidUrl).is_empty());
        let before = task("customers:\n  customer_link: { const: www.example.com/c/1 }\n");
        assert_eq!(
            fixed(&before, Code::InvalidUrl),
            task("customers:\n  customer_link: { const: \"https://www.example.com/c/1\" }\n")
        );
    }

    #[test]
    fn prefixes() {
        for ok in [
            "",
            "h",
            "http",
            "https:/",
            "https://",
            "https://crm.",
            "HTTPS://x.example.com/a/",
        ] {
            assert!(prefix_may_start_url(ok), "{ok}");
        }
        for bad in [
            "crm.",
            "/x",
            "ftp://",
            "https://x y",
            "https://x.example.com:/",
        ] {
            assert!(!prefix_may_start_url(bad), "{bad}");
        }
    }
}
