//! Tracing: why a value came out (`flexmap apply --trace`, `flexmap eval`).
//!
//! A separate walk over a rule's IR that re-evaluates each step with `eval::eval`, so the
//! values it shows are exactly the evaluator's. Nothing here runs on the normal path:
//! `Program::apply` and `FastPath` never call into this module. Trace values are record
//! values, printed only because the user asked for them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::Value;

use super::{Ir, PathSegment, Program, RuntimeWarning, SiteId, coerce, eval};
use crate::syntax::BinaryOp;

/// What happened to one rule on one record.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct RuleTrace {
    /// The key the rule writes, e.g. `conversations.ivr_path`.
    pub rule: String,
    /// `file:line:col` of the rule.
    pub at: String,
    /// Skipped, written, changed, dropped or nothing.
    pub outcome: Outcome,
    /// Why, in words.
    pub reason: String,
    /// The `when:` condition's value (absent when the rule has none).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::number::serialize_option"
    )]
    pub when: Option<Value>,
    /// Each step of the value, innermost first.
    pub steps: Vec<Step>,
    /// The value before the target kind's coercion (absent when the rule was skipped).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::number::serialize_option"
    )]
    pub value: Option<Value>,
    /// What was written (absent when nothing was).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "super::number::serialize_option"
    )]
    pub output: Option<Value>,
    /// Runtime warnings of this rule, as `flexmap apply` words them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One step of an evaluation.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Step {
    /// What the step is: "path `crm.tier`", "filter `lower`", "`??` took the right side".
    pub step: String,
    /// `line:col` of a filter or operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// The value after the step.
    #[serde(serialize_with = "super::number::serialize")]
    pub value: Value,
}

/// The verdict on one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// `when:` was not `true`.
    Skipped,
    /// Written as computed.
    Written,
    /// Written after the target kind's coercion changed it.
    Changed,
    /// Dropped by the target kind's coercion.
    Dropped,
    /// The value was null or blank: nothing written.
    Nothing,
}

impl Program {
    /// Evaluates one expression of this program's (see `check::check_expression`) on a
    /// record: the value, before any target coercion, and its runtime warnings.
    #[must_use]
    pub fn evaluate(&self, ir: &Ir, record: &Value) -> (Value, Vec<RuntimeWarning>) {
        let mut warnings = Vec::new();
        let value = eval::eval(ir, record, &mut warnings).into_owned();
        (value, warnings)
    }

    /// The steps of evaluating `ir` on `record` (paths, filters, `??` branches, `if`s).
    #[must_use]
    pub fn steps(&self, ir: &Ir, record: &Value) -> Vec<Step> {
        let mut steps = Vec::new();
        self.walk(ir, record, &mut steps);
        steps
    }

    /// Traces every rule of the program on one record, in rule order: what `apply` computes,
    /// step by step, and why each field was written, changed, dropped or skipped.
    #[must_use]
    pub fn trace(&self, record: &Value) -> Vec<RuleTrace> {
        let mut written: HashMap<String, String> = HashMap::new();
        let mut out = Vec::with_capacity(self.rules.len());
        for rule in &self.rules {
            let at = self.site_at(rule.site);
            let name = self
                .sites
                .get(rule.site as usize)
                .map_or_else(|| rule.name.to_string(), |s| s.target.to_string());
            let mut warnings = Vec::new();
            let mut steps = Vec::new();
            let when = rule.when.as_ref().map(|condition| {
                self.walk(condition, record, &mut steps);
                eval::eval(condition, record, &mut warnings).into_owned()
            });
            if let Some(condition) = when.as_ref().filter(|w| **w != Value::Bool(true)) {
                out.push(RuleTrace {
                    rule: name,
                    at,
                    reason: format!(
                        "`when` gave {}, not true: the rule is skipped",
                        short(condition)
                    ),
                    when,
                    steps,
                    value: None,
                    output: None,
                    outcome: Outcome::Skipped,
                    warnings: self.words(&warnings),
                });
                continue;
            }
            self.walk(&rule.value, record, &mut steps);
            let raw = eval::eval(&rule.value, record, &mut warnings).into_owned();
            let (coerced, warning) = coerce::coerce(rule.kind, rule.values, Cow::Borrowed(&raw));
            if let Some(kind) = warning {
                warnings.push(RuntimeWarning {
                    kind,
                    site: Some(rule.site),
                });
            }
            let output = coerced.map(Cow::into_owned);
            let (outcome, mut reason) = match (&output, warning) {
                (None, _) if raw.is_null() => (
                    Outcome::Nothing,
                    "the value is null: nothing is written".to_string(),
                ),
                (None, None) => (
                    Outcome::Nothing,
                    "the value is a blank string: nothing is written".to_string(),
                ),
                (None, Some(kind)) => (
                    Outcome::Dropped,
                    format!("dropped by the field's kind: {}", kind.name()),
                ),
                (Some(value), _) if *value == raw => (
                    Outcome::Written,
                    match warning {
                        Some(kind) => format!("written as computed ({})", kind.name()),
                        None => "written as computed".to_string(),
                    },
                ),
                (Some(_), Some(kind)) => (
                    Outcome::Changed,
                    format!("written after the field's kind changed it: {}", kind.name()),
                ),
                (Some(_), None) => (
                    Outcome::Changed,
                    "written in the form the field's kind expects".to_string(),
                ),
            };
            if output.is_some() {
                if let Some(previous) = written.insert(name.clone(), at.clone()) {
                    let _ = write!(reason, "; replaces the value the rule at {previous} wrote");
                }
            }
            out.push(RuleTrace {
                rule: name,
                at,
                when,
                steps,
                value: Some(raw),
                output,
                outcome,
                reason,
                warnings: self.words(&warnings),
            });
        }
        out
    }

    fn words(&self, warnings: &[RuntimeWarning]) -> Vec<String> {
        warnings.iter().map(|w| self.describe(w)).collect()
    }

    fn site_at(&self, site: SiteId) -> String {
        self.sites.get(site as usize).map_or_else(String::new, |s| {
            format!("{}:{}:{}", s.file, s.line, s.column)
        })
    }

    fn step_at(&self, site: SiteId) -> Option<String> {
        self.sites
            .get(site as usize)
            .map(|s| format!("{}:{}", s.line, s.column))
    }

    fn value_of(ir: &Ir, record: &Value) -> Value {
        eval::eval(ir, record, &mut Vec::new()).into_owned()
    }

    /// Pushes the steps of `ir`, innermost first; each value is the evaluator's own.
    fn walk(&self, ir: &Ir, record: &Value, steps: &mut Vec<Step>) {
        let push = |steps: &mut Vec<Step>, step: String, at: Option<String>| {
            steps.push(Step {
                step,
                at,
                value: Self::value_of(ir, record),
            });
        };
        match ir {
            Ir::Const(_) => {}
            Ir::Path(segments) => push(steps, format!("path `{}`", path_text(segments)), None),
            Ir::Access(base, segments) => {
                self.walk(base, record, steps);
                push(steps, format!("access `{}`", path_text(segments)), None);
            }
            Ir::Array(items) => items.iter().for_each(|i| self.walk(i, record, steps)),
            Ir::Object(pairs) => pairs.iter().for_each(|(_, i)| self.walk(i, record, steps)),
            Ir::Neg(operand, site) => {
                self.walk(operand, record, steps);
                push(steps, "`-`".into(), self.step_at(*site));
            }
            Ir::Not(operand, site) => {
                self.walk(operand, record, steps);
                push(steps, "`not`".into(), self.step_at(*site));
            }
            Ir::Binary(BinaryOp::Coalesce, left, right, site) => {
                self.walk(left, record, steps);
                if Self::value_of(left, record).is_null() {
                    self.walk(right, record, steps);
                    push(
                        steps,
                        "`??` took the right side (the left was null)".into(),
                        self.step_at(*site),
                    );
                } else {
                    push(steps, "`??` took the left side".into(), self.step_at(*site));
                }
            }
            Ir::Binary(op, left, right, site) => {
                self.walk(left, record, steps);
                self.walk(right, record, steps);
                push(steps, format!("`{}`", op.symbol()), self.step_at(*site));
            }
            Ir::If(condition, then, otherwise, site) => {
                self.walk(condition, record, steps);
                let (branch, word) = match Self::value_of(condition, record) {
                    Value::Bool(true) => (Some(then), "took `then`"),
                    Value::Bool(false) => (Some(otherwise), "took `else`"),
                    _ => (None, "condition not a boolean: null"),
                };
                if let Some(branch) = branch {
                    self.walk(branch, record, steps);
                }
                push(steps, format!("`if` {word}"), self.step_at(*site));
            }
            Ir::Filter(input, _, argument, site) => {
                self.walk(input, record, steps);
                if let Some(argument) = argument {
                    let value = Self::value_of(input, record);
                    if value.is_null() || value.as_str() == Some("") {
                        self.walk(argument, record, steps);
                    }
                }
                let name = self
                    .sites
                    .get(*site as usize)
                    .map_or("filter", |s| &*s.what);
                push(steps, format!("filter `{name}`"), self.step_at(*site));
            }
        }
    }
}

fn path_text(segments: &[PathSegment]) -> String {
    let mut text = String::new();
    for segment in segments {
        match segment {
            PathSegment::Key(key) => {
                if is_identifier(key) {
                    if !text.is_empty() {
                        text.push('.');
                    }
                    text.push_str(key);
                } else {
                    let _ = write!(text, "[{}]", Value::from(key.as_ref()));
                }
            }
            PathSegment::Index(index) => {
                let _ = write!(text, "[{index}]");
            }
        }
    }
    text
}

fn short(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        other => format!("a {}", crate::types::Type::of(other).name()),
    }
}

fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::Outcome;
    use crate::Ruleset;

    const RULES: &str = r#"flexmap: 1
target: task
conversations:
  language: ivr.language | lower ?? "Other"
  service_level:
    value: '"OK"'
    when: task.channel == "voice"
  ivr_path: ivr.path
  in_business_hours: ivr.open | yes_no
extra:
  note: ivr.note
  skipped: ivr.none
"#;

    #[test]
    fn trace_says_why_each_field_came_out() {
        let program = Ruleset::from_str(RULES, "t.yaml")
            .compile()
            .expect("compiles");
        let record = json!({
            "task": {"channel": "chat"},
            "ivr": {"path": "x".repeat(200), "open": "1", "note": "  "}
        });
        let traces = program.trace(&record);
        let by = |rule: &str| {
            traces
                .iter()
                .find(|t| t.rule == rule)
                .unwrap_or_else(|| panic!("no trace for {rule}"))
        };
        let language = by("conversations.language");
        assert_eq!(language.outcome, Outcome::Written);
        assert_eq!(language.output, Some(json!("Other")));
        let steps: Vec<&str> = language.steps.iter().map(|s| s.step.as_str()).collect();
        assert_eq!(
            steps,
            [
                "path `ivr.language`",
                "filter `lower`",
                "`??` took the right side (the left was null)"
            ]
        );
        let service = by("conversations.service_level");
        assert_eq!(service.outcome, Outcome::Skipped);
        assert_eq!(service.when, Some(json!(false)));
        assert_eq!(service.value, None);
        let path = by("conversations.ivr_path");
        assert_eq!(path.outcome, Outcome::Changed);
        assert_eq!(
            path.output.as_ref().and_then(|v| v.as_str()).map(str::len),
            Some(128)
        );
        assert!(path.reason.contains("truncated"), "{}", path.reason);
        let hours = by("conversations.in_business_hours");
        assert_eq!(hours.output, Some(json!("Yes")));
        assert_eq!(by("note").outcome, Outcome::Nothing);
        assert_eq!(by("skipped").outcome, Outcome::Nothing);
        // The trace agrees with apply: every written output is in the attributes.
        let applied = program.apply(&record);
        let mut attributes = Vec::new();
        applied.attributes.write_json(&mut attributes);
        let attributes: serde_json::Value =
            serde_json::from_slice(&attributes).expect("valid JSON");
        assert_eq!(
            attributes["conversations"]["ivr_path"],
            path.output.clone().unwrap_or_default()
        );
        assert_eq!(attributes["conversations"]["language"], json!("Other"));
        assert!(attributes.get("note").is_none());
    }
}
