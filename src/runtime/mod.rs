//! The runtime: a compiled `Program` evaluates records into Insights attributes.
//!
//! It never sees YAML or source text. Each place that can warn (a rule, a filter, an
//! operator) has a `SiteId` into `Program::sites`, which holds the file position, so a
//! warning points at the exact filter without the runtime knowing about files.

pub mod convert;
pub mod filters;

pub mod cost;

mod coerce;
mod eval;
mod fast;
pub mod number;
mod output;
mod payload;
mod policy;
mod trace;

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::Value;

use crate::catalog::{DATE_RANGE, Kind, Section, TEXT_CHARS, Target};
use crate::syntax::{BinaryOp, SegmentKind};

pub use cost::{MAX_LINE_BYTES, MAX_RECORD_BYTES, MAX_VALUE_BYTES};
pub use fast::FastPath;
pub use filters::FilterOp;
pub use output::Attributes;
pub use payload::{MAX_PAYLOAD_CHARS, json_chars};
pub use policy::{MergePath, Output, RecordError, RecordOutcome, RecordPolicy};
pub use trace::{Outcome, RuleTrace, Step};

/// Index into `Program::sites`.
pub type SiteId = u32;

/// Where a rule, filter or operator is, for runtime warnings.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Site {
    /// File name as loaded.
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// The target the rule writes, e.g. `conversations.ivr_path`.
    pub target: Arc<str>,
    /// What is at the site: `rule`, a filter name, or an operator.
    pub what: Arc<str>,
}

/// A compiled expression.
#[derive(Clone, Debug)]
pub enum Ir {
    /// A constant.
    Const(Value),
    /// A path from the record root.
    Path(Box<[PathSegment]>),
    /// Accessors applied to a computed value.
    Access(Box<Ir>, Box<[PathSegment]>),
    /// `[a, b]`.
    Array(Vec<Ir>),
    /// `{k: v}`.
    Object(Vec<(String, Ir)>),
    /// `-x`.
    Neg(Box<Ir>, SiteId),
    /// `not x`.
    Not(Box<Ir>, SiteId),
    /// `a op b`.
    Binary(BinaryOp, Box<Ir>, Box<Ir>, SiteId),
    /// `if c then a else b`.
    If(Box<Ir>, Box<Ir>, Box<Ir>, SiteId),
    /// `input | filter`; `default` carries its argument expression.
    Filter(Box<Ir>, FilterOp, Option<Box<Ir>>, SiteId),
}

/// One accessor of a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSegment {
    /// Object key.
    Key(Box<str>),
    /// Array index (negative from the end).
    Index(i64),
}

impl From<&SegmentKind> for PathSegment {
    fn from(kind: &SegmentKind) -> PathSegment {
        match kind {
            SegmentKind::Key(k) => PathSegment::Key(k.as_str().into()),
            SegmentKind::Index(i) => PathSegment::Index(*i),
        }
    }
}

/// Where a compiled rule writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutSection {
    /// `conversations` or `customers` (task), or the flat worker attributes.
    Insights(Section),
    /// Root of the attributes object, outside Insights.
    Extra,
}

/// One compiled rule.
#[derive(Clone, Debug)]
pub struct CompiledRule {
    /// Where it writes.
    pub section: OutSection,
    /// Key it writes.
    pub name: Box<str>,
    /// How the value is coerced (`None` for `extra`).
    pub kind: Option<Kind>,
    /// Documented values for enum fields.
    pub values: &'static [&'static str],
    /// The value.
    pub value: Ir,
    /// Optional condition.
    pub when: Option<Ir>,
    /// The rule's own site.
    pub site: SiteId,
}

/// A compiled ruleset: `Send + Sync`, cheap to share behind an `Arc`.
#[derive(Clone, Debug)]
pub struct Program {
    pub(crate) name: Arc<str>,
    pub(crate) target: Target,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) sites: Vec<Site>,
}

/// What a runtime warning is about. Never carries the value itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// A text value longer than 128 characters was cut to 128.
    Truncated,
    /// A value of the wrong shape for the target kind was dropped.
    Dropped,
    /// A filter could not convert its input and gave null.
    FilterFailed,
    /// A date outside 1901–2049 was dropped.
    DateOutOfRange,
    /// `lookup` without a default found no entry.
    LookupMiss,
    /// An operator got operands of the wrong type and gave null.
    TypeMismatch,
    /// Arithmetic gave no finite number (division by zero).
    NotFinite,
    /// An enum field got a value outside its documented values (kept as written).
    UnknownEnumValue,
    /// The record is not a JSON object.
    NotAnObject,
    /// The attributes JSON is longer than `TaskRouter`'s 4096-character cap, so `TaskRouter`
    /// would reject the update: a record error (`WarningKind::is_record_error`).
    PayloadTooLarge,
    /// A value a rule would build is over the runtime cost caps (`cost::MAX_VALUE_BYTES` per
    /// value, `cost::MAX_RECORD_BYTES` per record): it was not built, the rules stopped, and
    /// the record is an error (`WarningKind::is_record_error`).
    ValueTooLarge,
}

impl WarningKind {
    /// Every kind, in order.
    pub const ALL: &[WarningKind] = &[
        WarningKind::Truncated,
        WarningKind::Dropped,
        WarningKind::FilterFailed,
        WarningKind::DateOutOfRange,
        WarningKind::LookupMiss,
        WarningKind::TypeMismatch,
        WarningKind::NotFinite,
        WarningKind::UnknownEnumValue,
        WarningKind::NotAnObject,
        WarningKind::PayloadTooLarge,
        WarningKind::ValueTooLarge,
    ];

    /// Kebab-case name, as used in rule tests and `--strict` errors.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::Truncated => "truncated",
            WarningKind::Dropped => "dropped",
            WarningKind::FilterFailed => "filter-failed",
            WarningKind::DateOutOfRange => "date-out-of-range",
            WarningKind::LookupMiss => "lookup-miss",
            WarningKind::TypeMismatch => "type-mismatch",
            WarningKind::NotFinite => "not-finite",
            WarningKind::UnknownEnumValue => "unknown-enum-value",
            WarningKind::NotAnObject => "not-an-object",
            WarningKind::PayloadTooLarge => "payload-too-large",
            WarningKind::ValueTooLarge => "value-too-large",
        }
    }

    /// True for the kinds that make the whole record unusable (`payload-too-large`,
    /// `value-too-large`): the attributes are still returned, but a caller must not send them
    /// (`flexmap apply` writes the line to `--errors`).
    #[must_use]
    pub fn is_record_error(self) -> bool {
        matches!(
            self,
            WarningKind::PayloadTooLarge | WarningKind::ValueTooLarge
        )
    }
}

/// A runtime warning: what happened and where, never the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
pub struct RuntimeWarning {
    /// What happened.
    pub kind: WarningKind,
    /// Where (`None` for record-level warnings).
    pub site: Option<SiteId>,
}

/// The result of applying a program to one record.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// The attributes to write.
    pub attributes: Attributes,
    /// What was changed or dropped on the way.
    pub warnings: Vec<RuntimeWarning>,
}

impl Applied {
    /// The first record-level error (`WarningKind::is_record_error`), if any: the
    /// attributes must not be sent.
    #[must_use]
    pub fn record_error(&self) -> Option<RuntimeWarning> {
        self.warnings
            .iter()
            .copied()
            .find(|w| w.kind.is_record_error())
    }
}

impl Program {
    /// The ruleset's name (its file name).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Task or worker.
    #[must_use]
    pub fn target(&self) -> Target {
        self.target
    }

    /// Number of rules.
    #[must_use]
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The site table (positions of rules, filters and operators).
    #[must_use]
    pub fn sites(&self) -> &[Site] {
        &self.sites
    }

    /// Maps one record. Never panics, whatever the JSON.
    #[must_use]
    pub fn apply(&self, record: &Value) -> Applied {
        self.apply_observed(record, &mut |_, _| {})
    }

    /// Like `apply`, and shows `observer` each rule's value before coercion (with the
    /// rule's site), for measuring sample data (`flexmap lint --sample`).
    pub fn apply_observed(
        &self,
        record: &Value,
        observer: &mut dyn FnMut(SiteId, &Value),
    ) -> Applied {
        let mut attributes = Attributes::new(self.target);
        let mut warnings = Vec::new();
        self.run_rules(record, &mut warnings, observer, &mut |index, value| {
            if let Some(rule) = self.rules.get(index) {
                attributes.insert(rule.section, &rule.name, value.into_owned());
            }
        });
        if payload::over_cap(&attributes) {
            warnings.push(RuntimeWarning {
                kind: WarningKind::PayloadTooLarge,
                site: None,
            });
        }
        Applied {
            attributes,
            warnings,
        }
    }

    /// The rule loop shared by `apply_observed` and `FastPath::apply_json`: evaluates each
    /// rule in order, pushes its warnings, and hands `sink` each value to write (by rule index).
    fn run_rules<'a, R: eval::Record>(
        &'a self,
        record: &'a R,
        warnings: &mut Vec<RuntimeWarning>,
        observer: &mut dyn FnMut(SiteId, &Value),
        sink: &mut dyn FnMut(usize, Cow<'a, Value>),
    ) {
        if !record.is_object() {
            warnings.push(RuntimeWarning {
                kind: WarningKind::NotAnObject,
                site: None,
            });
        }
        let mut scope = eval::Scope::new(warnings);
        for (index, rule) in self.rules.iter().enumerate() {
            scope.rule = rule.site;
            if let Some(condition) = &rule.when {
                let value = eval::eval_in(condition, record, &mut scope);
                if scope.stopped {
                    break;
                }
                if value.as_ref() != &Value::Bool(true) {
                    continue;
                }
            }
            let value = eval::eval_in(&rule.value, record, &mut scope);
            if scope.stopped {
                break;
            }
            observer(rule.site, &value);
            let (coerced, warning) = coerce::coerce(rule.kind, rule.values, value);
            if let Some(kind) = warning {
                scope.warnings.push(RuntimeWarning {
                    kind,
                    site: Some(rule.site),
                });
            }
            if let Some(value) = coerced {
                // A value written as read from the record is copied into the attributes.
                if let Cow::Borrowed(read) = &value
                    && !scope.charge(cost::value_cost(read), rule.site)
                {
                    break;
                }
                sink(index, value);
            }
        }
    }

    /// `file:line:col: target: what happened`, without the value.
    #[must_use]
    pub fn describe(&self, warning: &RuntimeWarning) -> String {
        let Some(site) = warning.site.and_then(|s| self.sites.get(s as usize)) else {
            return format!("{}: {}", self.name, describe_kind(warning.kind, ""));
        };
        format!(
            "{}:{}:{}: {}: {}",
            site.file,
            site.line,
            site.column,
            site.target,
            describe_kind(warning.kind, &site.what)
        )
    }
}

fn describe_kind(kind: WarningKind, what: &str) -> String {
    match kind {
        WarningKind::Truncated => {
            format!("value longer than {TEXT_CHARS} characters, cut to {TEXT_CHARS} (truncated)")
        }
        WarningKind::Dropped => "value of the wrong shape for this field, dropped (dropped)".into(),
        WarningKind::FilterFailed => {
            format!("`{what}` could not convert its input, gave null (filter-failed)")
        }
        WarningKind::DateOutOfRange => {
            format!("`{what}`: date outside {DATE_RANGE}, gave null (date-out-of-range)")
        }
        WarningKind::LookupMiss => {
            "`lookup` found no entry and has no default, gave null (lookup-miss)".into()
        }
        WarningKind::TypeMismatch => {
            format!("`{what}` got operands of the wrong type, gave null (type-mismatch)")
        }
        WarningKind::NotFinite => format!("`{what}` gave no finite number, gave null (not-finite)"),
        WarningKind::UnknownEnumValue => {
            "value outside the documented values, kept as written (unknown-enum-value)".into()
        }
        WarningKind::NotAnObject => "the record is not a JSON object (not-an-object)".into(),
        WarningKind::PayloadTooLarge => format!(
            "the attributes JSON is over {MAX_PAYLOAD_CHARS} characters, which TaskRouter rejects (payload-too-large)"
        ),
        WarningKind::ValueTooLarge => format!(
            "`{what}` would build a value over the runtime caps ({} MiB per value, {} MiB per record), so the record was not mapped (value-too-large)",
            MAX_VALUE_BYTES >> 20,
            MAX_RECORD_BYTES >> 20
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn program_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Program>();
    }
}
