//! The linter: every check of SPEC §5 beyond the front end, with its explanation.
//!
//! One file per code holds the explanation (What it does / Why it matters / Example / Fix)
//! and, for lints, one `check` function; registering it is one line in `LINTS`. Codes the
//! front end or the checker report (FM001–FM007, FM101, FM102, FM201, FM303, FM306, `FM9xx`)
//! have files too, with the explanation only, so `flexmap explain` and `docs/lints.md`
//! cover every code.
//!
//! `lint` runs the checks, applies `allow:` and `# flexmap: allow(…)` suppressions (an
//! allow that suppresses nothing is FM503), then the levels from `flexmap.toml`.

mod amplification;
mod constant_condition;
mod constant_label;
mod date_out_of_range;
mod duplicate_target;
pub mod fix;
mod front_end;
pub(crate) mod hierarchy_separator;
mod id_in_attribute;
mod inconsistent_values;
mod inexact_number;
mod invalid_enum_value;
mod invalid_url;
mod missing_dependency;
mod overrides_default;
mod payload_too_large;
mod pii_dropped;
mod pii_leak;
mod placeholder_value;
mod portability;
mod read_only_target;
pub mod sample;
mod slot_ledger;
mod sso_overwrites;
mod unused_allow;
mod unused_table;
mod value_too_long;

use crate::catalog::{Section, SlotKind};
use crate::check::{Analysis, AnalyzedRule};
use crate::config::{Config, Level};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::rules_file::{ExprSource, RuleFile, RuleValue};
use crate::runtime::OutSection;
use crate::source::Span;
use crate::syntax::{BinaryOp, Expr, ExprKind, LocalSpan};

/// A code's explanation and, for lints, its check.
#[derive(Debug)]
pub struct Lint {
    /// The code.
    pub code: Code,
    /// Markdown with the sections What it does / Why it matters / Example / Fix.
    pub explanation: &'static str,
    /// The check, for codes reported by the linter (`None` for front-end codes).
    pub check: Option<fn(&LintContext<'_>, &mut Vec<Finding>)>,
}

/// Every code, in code order.
pub static LINTS: &[&Lint] = &[
    &front_end::YAML_SYNTAX,
    &front_end::EXPRESSION_SYNTAX,
    &front_end::UNKNOWN_KEY,
    &front_end::DUPLICATE_KEY,
    &front_end::BAD_VERSION,
    &front_end::INVALID_VALUE,
    &front_end::CONFIG_SYNTAX,
    &front_end::MALFORMED_RECORD,
    &front_end::UNKNOWN_TARGET,
    &front_end::WRONG_SECTION,
    &missing_dependency::LINT,
    &overrides_default::LINT,
    &read_only_target::LINT,
    &inconsistent_values::LINT,
    &sso_overwrites::LINT,
    &front_end::SLOT_OVERFLOW,
    &duplicate_target::LINT,
    &slot_ledger::SLOT_REASSIGNED,
    &id_in_attribute::LINT,
    &slot_ledger::UNLOCKED_SLOT,
    &constant_label::LINT,
    &slot_ledger::SLOT_PAIR_CONFLICT,
    &value_too_long::LINT,
    &date_out_of_range::LINT,
    &front_end::TYPE_MISMATCH,
    &invalid_enum_value::LINT,
    &invalid_url::LINT,
    &front_end::UNKNOWN_FUNCTION,
    &hierarchy_separator::LINT,
    &payload_too_large::LINT,
    &placeholder_value::LINT,
    &sample::LINT,
    &amplification::LINT,
    &inexact_number::LINT,
    &pii_leak::LINT,
    &pii_dropped::LINT,
    &unused_table::LINT,
    &constant_condition::LINT,
    &unused_allow::LINT,
    &portability::NOT_PORTABLE_REGEX,
    &portability::NOT_PORTABLE_DATE_FORMAT,
    &front_end::LIMIT_EXCEEDED,
    &front_end::IO_ERROR,
];

/// The registry entry of a code.
#[must_use]
pub fn find(code: Code) -> Option<&'static Lint> {
    LINTS.iter().copied().find(|l| l.code == code)
}

/// A finding of a lint, tied to the rule it is about (for suppressions).
#[derive(Debug)]
pub struct Finding {
    /// Index into `LintContext::rules`, when the finding is about one rule.
    pub rule: Option<usize>,
    /// The diagnostic.
    pub diagnostic: Diagnostic,
}

impl Finding {
    /// A finding about rule `index`.
    #[must_use]
    pub fn on(index: usize, diagnostic: Diagnostic) -> Finding {
        Finding {
            rule: Some(index),
            diagnostic,
        }
    }

    /// A finding about the file as a whole.
    #[must_use]
    pub fn file(diagnostic: Diagnostic) -> Finding {
        Finding {
            rule: None,
            diagnostic,
        }
    }
}

/// What a lint sees.
pub struct LintContext<'a> {
    /// The rule file.
    pub file: &'a RuleFile,
    /// Every rule, as the checker analysed it.
    pub rules: &'a [AnalyzedRule],
    /// Project settings.
    pub config: &'a Config,
    /// The project slot plan's findings about this file (`Analysis::ledger`).
    pub ledger: &'a [(Span, Diagnostic)],
    /// The slot space the plan leaves (`Analysis::allocator`): the one source of "free".
    pub allocator: &'a crate::ledger::SlotAllocator,
}

impl LintContext<'_> {
    /// Rules whose target resolved, with their indexes.
    pub fn resolved(&self) -> impl Iterator<Item = (usize, &AnalyzedRule)> {
        self.rules.iter().enumerate().filter(|(_, r)| r.resolved)
    }

    /// The resolved rule writing `name` in `section`, if any.
    #[must_use]
    pub fn rule_for(&self, section: OutSection, name: &str) -> Option<(usize, &AnalyzedRule)> {
        self.resolved()
            .find(|(_, r)| r.section == section && r.target == name)
    }

    /// The first slot of `kind` in `section` the slot allocator would hand out (no rule of
    /// the project writes it or its partner, the lock does not hold it).
    #[must_use]
    pub fn first_free_slot(&self, section: Section, kind: SlotKind) -> Option<String> {
        self.allocator
            .first_free(section, kind)
            .map(|slot| slot.name())
    }

    /// The plan's findings of `code`, each tied to the rule whose name span it was made
    /// for (a file-level finding when no rule has that span).
    pub fn ledger_findings(&self, code: Code) -> impl Iterator<Item = Finding> + '_ {
        self.ledger
            .iter()
            .filter(move |(_, d)| d.code == code)
            .map(|(anchor, d)| {
                let rule = self.rules.iter().position(|r| r.rule.name_span == *anchor);
                Finding {
                    rule,
                    diagnostic: d.clone(),
                }
            })
    }

    /// Span of a rule's value.
    #[must_use]
    pub fn value_span(&self, index: usize) -> Span {
        self.rules
            .get(index)
            .map(|r| r.rule.value.span())
            .unwrap_or_default()
    }

    /// An edit that rewrites the string literal at `literal` (a span from the `literals`
    /// facts of rule `index`) to `text`. Only the characters between the literal's quotes
    /// are replaced, so the expression's quotes and the YAML scalar's style stay as they
    /// are; a plain YAML `const:` scalar is replaced whole (double-quoted when the plain form
    /// could be misread). `None` when the literal is not one string token (a joined
    /// constant) or `text` would need escaping where it goes.
    #[must_use]
    pub fn literal_edit(&self, index: usize, literal: Span, text: &str) -> Option<Edit> {
        if !is_quotable_as_is(text) {
            return None;
        }
        let rule = self.rules.get(index)?;
        match &rule.rule.value {
            RuleValue::Const { value, span } if *span == literal => {
                let raw = self.file.source.slice(*span);
                let quoted = raw.len() >= 2
                    && ((raw.starts_with('"') && raw.ends_with('"'))
                        || (raw.starts_with('\'') && raw.ends_with('\'')));
                if quoted {
                    Some(Edit::replace(Span::new(span.start + 1, span.end - 1), text))
                } else if value.as_str() != Some(raw) {
                    // A block or folded scalar: its text is not the value.
                    None
                } else if is_plain_scalar(text) {
                    Some(Edit::replace(*span, text))
                } else {
                    Some(Edit::replace(*span, format!("\"{text}\"")))
                }
            }
            RuleValue::Expr(source) => {
                let (start, end) = string_token(rule.ast.as_ref()?, source, literal)?;
                let contents = source.file_span(start + 1, end.checked_sub(1)?);
                // When the offset map could not align the scalar, every span is the whole
                // scalar: no safe edit then.
                (contents.start > literal.start && contents.end < literal.end)
                    .then(|| Edit::replace(contents, text))
            }
            RuleValue::Const { .. } => None,
        }
    }
}

/// The direct sub-expressions of `expr`.
fn children(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Path { .. } => Vec::new(),
        ExprKind::Access { base, .. } => vec![base],
        ExprKind::Array(items) => items.iter().collect(),
        ExprKind::Object(pairs) => pairs.iter().map(|(_, value)| value).collect(),
        ExprKind::Unary { operand, .. } => vec![operand],
        ExprKind::Binary { left, right, .. } => vec![left, right],
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => vec![condition, then, otherwise],
        ExprKind::Filter { input, args, .. } => std::iter::once(&**input)
            .chain(args.iter().map(|a| &a.value))
            .collect(),
    }
}

/// The sub-expressions whose value can become the value of `expr`: the branches of `if`,
/// the operands of `??`, the input and argument of `default`, and the input of any filter
/// named in `pass_through` (filters that keep what a lint looks at, e.g. `truncate`).
pub(crate) fn outcomes<'e>(expr: &'e Expr, pass_through: &[&str]) -> Vec<&'e Expr> {
    match &expr.kind {
        ExprKind::If {
            then, otherwise, ..
        } => {
            let mut out = outcomes(then, pass_through);
            out.extend(outcomes(otherwise, pass_through));
            out
        }
        ExprKind::Binary {
            op: BinaryOp::Coalesce,
            left,
            right,
            ..
        } => {
            let mut out = outcomes(left, pass_through);
            out.extend(outcomes(right, pass_through));
            out
        }
        ExprKind::Filter {
            input, name, args, ..
        } if name == "default" => {
            let mut out = outcomes(input, pass_through);
            for arg in args {
                out.extend(outcomes(&arg.value, pass_through));
            }
            out
        }
        ExprKind::Filter { input, name, .. } if pass_through.contains(&name.as_str()) => {
            outcomes(input, pass_through)
        }
        _ => vec![expr],
    }
}

/// The operands of a `++` chain, left to right (just `expr` when it is not one).
pub(crate) fn concat_operands(expr: &Expr) -> Vec<&Expr> {
    match &expr.kind {
        ExprKind::Binary {
            op: BinaryOp::Concat,
            left,
            right,
            ..
        } => {
            let mut out = concat_operands(left);
            out.extend(concat_operands(right));
            out
        }
        _ => vec![expr],
    }
}

/// The expression-local span of the string literal token whose file span is `span`.
fn string_token(expr: &Expr, source: &ExprSource, span: Span) -> Option<LocalSpan> {
    let (start, end) = expr.span;
    if matches!(expr.kind, ExprKind::String(_))
        && source.file_span(start, end) == span
        && source
            .text
            .get(start..)
            .is_some_and(|t| t.starts_with(['"', '\'']))
    {
        return Some(expr.span);
    }
    children(expr)
        .into_iter()
        .find_map(|child| string_token(child, source, span))
}

/// True when `text` can sit between quotes in an expression, inside any YAML scalar style,
/// without escaping.
fn is_quotable_as_is(text: &str) -> bool {
    !text
        .chars()
        .any(|c| matches!(c, '"' | '\'' | '\\') || c.is_control())
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.ends_with(':')
}

/// True when `text` reads back as the same string as a plain YAML scalar, in flexmap and in
/// YAML 1.1 tools (which read `No`, `on` or `y` as booleans).
fn is_plain_scalar(text: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
    ];
    text.starts_with(char::is_alphanumeric)
        && !text.ends_with(char::is_whitespace)
        && !text.contains([',', '[', ']', '{', '}', ':', '#'])
        && !SPECIAL.iter().any(|s| s.eq_ignore_ascii_case(text))
        && text.parse::<f64>().is_err()
}

/// Runs every lint over an analysed file and returns the findings that survive
/// suppressions and levels, plus FM503 for allows that suppressed nothing.
#[must_use]
pub fn lint(file: &RuleFile, analysis: &Analysis, config: &Config) -> Vec<Diagnostic> {
    lint_with_evidence(file, analysis, config, None)
}

/// `lint`, with the evidence of a sample (`lint --sample`: the program measured over real
/// records) added to the findings *before* suppression and levels, so `allow:`, `# flexmap:
/// allow(…)` and `[lints]` treat sample findings exactly as static ones.
#[must_use]
pub fn lint_with_evidence(
    file: &RuleFile,
    analysis: &Analysis,
    config: &Config,
    evidence: Option<(&crate::runtime::Program, &sample::SampleStats)>,
) -> Vec<Diagnostic> {
    let context = LintContext {
        file,
        rules: &analysis.rules,
        config,
        ledger: &analysis.ledger,
        allocator: &analysis.allocator,
    };
    let mut findings = Vec::new();
    for lint in LINTS {
        if let Some(check) = lint.check
            && lint.code != Code::UnusedAllow
        {
            check(&context, &mut findings);
        }
    }
    if let Some((_, stats)) = evidence {
        let mut diagnostics: Vec<Diagnostic> =
            findings.iter().map(|f| f.diagnostic.clone()).collect();
        let before = diagnostics.len();
        // The sample measured `analysis.program`; its FM204 help asks the plan's allocator.
        sample::attach(analysis, stats, &file.source, &mut diagnostics);
        let added = diagnostics.split_off(before);
        for (finding, diagnostic) in findings.iter_mut().zip(diagnostics) {
            finding.diagnostic = diagnostic;
        }
        for diagnostic in added {
            findings.push(Finding {
                rule: sample::rule_at(&analysis.rules, diagnostic.primary_span()),
                diagnostic,
            });
        }
    }
    let mut allows = collect_allows(&context);
    let mut kept = Vec::new();
    for finding in findings {
        let suppressed = finding.rule.and_then(|index| {
            allows
                .iter_mut()
                .find(|a| a.rule == index && (a.code == Some(finding.diagnostic.code)))
        });
        match suppressed {
            Some(allow) => allow.used = true,
            None => kept.push(finding.diagnostic),
        }
    }
    unused_allow::report(&allows, evidence.is_some(), &mut kept);
    // A level set in `flexmap.toml` wins; otherwise a finding keeps the severity its lint
    // gave it (FM301 is an error for literals and a warning otherwise).
    kept.into_iter()
        .filter_map(|d| match config.level(d.code) {
            Level::Allow => None,
            Level::Report(severity) if config.levels.contains_key(&d.code) => {
                Some(d.with_severity(severity).in_source(&file.source))
            }
            Level::Report(_) => Some(d.in_source(&file.source)),
        })
        .collect()
}

/// One `allow` entry: in a rule's `allow:` list or a `# flexmap: allow(…)` comment.
#[derive(Debug)]
pub struct Allow {
    /// Index of the rule it belongs to.
    pub rule: usize,
    /// The code it names (`None` if it names nothing known).
    pub code: Option<Code>,
    /// The name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// True once it suppressed a finding.
    pub used: bool,
}

/// Every allow of every rule: `allow:` entries and `# flexmap: allow(a, b)` comments on the
/// line right above the rule's key.
fn collect_allows(context: &LintContext<'_>) -> Vec<Allow> {
    let source = &context.file.source;
    let text = source.text();
    let mut out = Vec::new();
    for (index, analyzed) in context.rules.iter().enumerate() {
        for (name, span) in &analyzed.rule.allow {
            out.push(Allow {
                rule: index,
                code: Code::from_code_or_name(name),
                name: name.clone(),
                span: *span,
                used: false,
            });
        }
        let (line, _) = source.line_col(analyzed.rule.name_span.start);
        if line < 2 {
            continue;
        }
        let above_start = source.offset_of(line - 1, 1);
        let above = text[above_start..].lines().next().unwrap_or("");
        let trimmed = above.trim_start();
        let Some(rest) = trimmed
            .strip_prefix('#')
            .map(str::trim_start)
            .and_then(|r| r.strip_prefix("flexmap:"))
        else {
            continue;
        };
        let Some(list) = rest
            .trim_start()
            .strip_prefix("allow(")
            .and_then(|r| r.split(')').next())
        else {
            continue;
        };
        let list_offset = above_start
            + (above.len() - trimmed.len())
            + (trimmed.len() - rest.len())
            + (rest.len() - rest.trim_start().len())
            + "allow(".len();
        let mut cursor = 0;
        for part in list.split(',') {
            let name = part.trim();
            let start = list_offset + cursor + (part.len() - part.trim_start().len());
            cursor += part.len() + 1;
            if name.is_empty() {
                continue;
            }
            out.push(Allow {
                rule: index,
                code: Code::from_code_or_name(name),
                name: name.to_string(),
                span: Span::new(start, start + name.len()),
                used: false,
            });
        }
    }
    out
}

/// Test helper for lint files: the findings of `code` in a rule file, as `line:col`
/// strings (plus ` fix` when the finding carries a fix), linted with `config`.
#[cfg(test)]
pub(crate) fn findings_with(text: &str, code: Code, config: &Config) -> Vec<String> {
    crate::Ruleset::from_str(text, "test.yaml")
        .diagnostics_with(config)
        .iter()
        .filter(|d| d.code == code)
        .map(|d| {
            let (line, column) = d.line_col();
            format!(
                "{line}:{column}{}",
                if d.fix.is_some() { " fix" } else { "" }
            )
        })
        .collect()
}

/// `findings_with` under default settings.
#[cfg(test)]
pub(crate) fn findings(text: &str, code: Code) -> Vec<String> {
    findings_with(text, code, &Config::default())
}

/// Applies every fix of `code` in `text` and returns the new text (for fix tests).
#[cfg(test)]
#[allow(dead_code)] // Used by the lint files whose findings carry fixes.
pub(crate) fn fixed(text: &str, code: Code) -> String {
    let mut edits: Vec<crate::diagnostic::Edit> = crate::Ruleset::from_str(text, "test.yaml")
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == code)
        .filter_map(|d| d.fix)
        .flat_map(|f| f.edits)
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.range(), &edit.replacement);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allows_suppress_and_unused_allows_are_reported() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  channel:\n    value: x\n    allow: [overrides-default, FM105]\n  # flexmap: allow(overrides-default)\n  workflow: y\n  # flexmap: allow(unknown-target)\n  campaign: z\n";
        assert_eq!(findings(text, Code::OverridesDefault), Vec::<String>::new());
        let unused: Vec<String> = crate::Ruleset::from_str(text, "t.yaml")
            .diagnostics()
            .iter()
            .filter(|d| d.code == Code::UnusedAllow)
            .map(|d| format!("{:?} {}", d.line_col(), d.message))
            .collect();
        assert_eq!(
            unused,
            [
                "(6, 32) `allow: FM105` suppresses nothing",
                "(9, 20) `unknown-target` cannot be allowed: it always blocks the ruleset"
            ]
        );
    }

    #[test]
    fn levels_from_configuration() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  channel: x\n";
        let mut config = Config::default();
        assert_eq!(
            findings_with(text, Code::OverridesDefault, &config),
            ["4:3"]
        );
        config.levels.insert(Code::OverridesDefault, Level::Allow);
        assert!(findings_with(text, Code::OverridesDefault, &config).is_empty());
    }

    #[test]
    fn every_code_is_registered_once_with_a_full_explanation() {
        for code in Code::ALL {
            let entries: Vec<_> = LINTS.iter().filter(|l| l.code == *code).collect();
            assert_eq!(
                entries.len(),
                1,
                "{} registered {} times",
                code.as_str(),
                entries.len()
            );
            let text = entries[0].explanation;
            for heading in [
                "## What it does",
                "## Why it matters",
                "## Example",
                "## Fix",
            ] {
                assert!(text.contains(heading), "{} lacks {heading}", code.as_str());
            }
        }
        let codes: Vec<Code> = LINTS.iter().map(|l| l.code).collect();
        let mut sorted = codes.clone();
        sorted.sort();
        assert_eq!(codes, sorted, "LINTS is in code order");
    }
}
