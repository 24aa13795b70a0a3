//! The evaluator: null propagation, three-valued logic, and filters, borrowing from the
//! record wherever it can.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::convert;
use super::cost::{Budget, ELEMENT_COST, value_cost};
use super::filters::{self, Failure, FilterOp};
use super::number;
use super::{Ir, PathSegment, RuntimeWarning, SiteId, WarningKind};
use crate::syntax::BinaryOp;

pub(super) static NULL: Value = Value::Null;

/// What the evaluator reads a record through: a whole `Value`, or the pruned record of
/// `FastPath`, which answers each of the program's paths directly.
pub(super) trait Record {
    /// True for a JSON object.
    fn is_object(&self) -> bool;
    /// The value at a path of the program (null when missing).
    fn path(&self, segments: &[PathSegment]) -> &Value;
}

impl Record for Value {
    fn is_object(&self) -> bool {
        number::is_object(self)
    }

    fn path(&self, segments: &[PathSegment]) -> &Value {
        walk(self, segments)
    }
}

/// The evaluation state of one record: its warnings and what it may still build
/// (`cost::Budget`).
pub(super) struct Scope<'w> {
    /// The record's warnings so far.
    pub(super) warnings: &'w mut Vec<RuntimeWarning>,
    /// What the record's rules may still build.
    budget: Budget,
    /// Set when a value went over a cap (`value-too-large`): everything after reads null and
    /// the rule loop stops.
    pub(super) stopped: bool,
    /// The site of the rule being evaluated (where a literal's overflow is reported).
    pub(super) rule: SiteId,
}

impl<'w> Scope<'w> {
    pub(super) fn new(warnings: &'w mut Vec<RuntimeWarning>) -> Scope<'w> {
        Scope {
            warnings,
            budget: Budget::new(),
            stopped: false,
            rule: 0,
        }
    }

    /// Takes `cost` from the record's budget; on refusal, warns `value-too-large` at `site`
    /// and stops the record.
    pub(super) fn charge(&mut self, cost: usize, site: SiteId) -> bool {
        if self.budget.charge(cost) {
            return true;
        }
        self.too_large(site);
        false
    }

    fn too_large(&mut self, site: SiteId) {
        if !self.stopped {
            self.stopped = true;
            self.warnings.push(RuntimeWarning {
                kind: WarningKind::ValueTooLarge,
                site: Some(site),
            });
        }
    }

    /// Drops the `lookup-miss` warnings pushed since `mark`: a `??`, `default` took over the
    /// null they gave, so the miss is handled and not a warning.
    fn forgive_misses(&mut self, mark: usize) {
        if self.warnings.len() > mark
            && self.warnings[mark..]
                .iter()
                .any(|w| w.kind == WarningKind::LookupMiss)
        {
            let mut index = 0;
            self.warnings.retain(|w| {
                index += 1;
                index <= mark || w.kind != WarningKind::LookupMiss
            });
        }
    }
}

/// Evaluates `ir` on its own, with a fresh budget (`runtime::trace` re-evaluates steps
/// with it); the rule loop uses `eval_in` with one `Scope` per record.
pub(super) fn eval<'a, R: Record>(
    ir: &'a Ir,
    record: &'a R,
    warnings: &mut Vec<RuntimeWarning>,
) -> Cow<'a, Value> {
    eval_in(ir, record, &mut Scope::new(warnings))
}

/// Evaluates `ir` against `record`, pushing warnings and charging what it builds.
pub(super) fn eval_in<'a, R: Record>(
    ir: &'a Ir,
    record: &'a R,
    scope: &mut Scope,
) -> Cow<'a, Value> {
    if scope.stopped {
        return Cow::Borrowed(&NULL);
    }
    match ir {
        Ir::Const(value) => Cow::Borrowed(value),
        Ir::Path(segments) => Cow::Borrowed(record.path(segments)),
        // A part of a value already built was charged with it.
        Ir::Access(base, segments) => match eval_in(base, record, scope) {
            Cow::Borrowed(value) => Cow::Borrowed(walk(value, segments)),
            Cow::Owned(value) => Cow::Owned(walk(&value, segments).clone()),
        },
        Ir::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut total = 0usize;
            for item in items {
                let value = eval_in(item, record, scope);
                let Some(value) = literal_part(value, 0, &mut total, scope) else {
                    return Cow::Borrowed(&NULL);
                };
                out.push(value);
            }
            Cow::Owned(Value::Array(out))
        }
        Ir::Object(pairs) => {
            let mut map = serde_json::Map::new();
            let mut total = 0usize;
            for (key, item) in pairs {
                let value = eval_in(item, record, scope);
                if value.is_null() {
                    continue;
                }
                let Some(value) = literal_part(value, key.len(), &mut total, scope) else {
                    return Cow::Borrowed(&NULL);
                };
                map.insert(key.clone(), value);
            }
            Cow::Owned(Value::Object(map))
        }
        Ir::Neg(operand, site) => match eval_in(operand, record, scope).as_ref() {
            Value::Null => Cow::Borrowed(&NULL),
            Value::Number(n) => {
                let negated = n.as_i64().and_then(i64::checked_neg).map(Value::from);
                match negated.or_else(|| n.as_f64().and_then(|f| convert::number_value(-f))) {
                    Some(v) => Cow::Owned(v),
                    None => warn(scope, WarningKind::NotFinite, *site),
                }
            }
            // A big integer is negated as the nearest float, as arithmetic reads it.
            other => match number::as_f64(other).and_then(|f| convert::number_value(-f)) {
                Some(v) => Cow::Owned(v),
                None => warn(scope, WarningKind::TypeMismatch, *site),
            },
        },
        Ir::Not(operand, site) => match eval_in(operand, record, scope).as_ref() {
            Value::Null => Cow::Borrowed(&NULL),
            Value::Bool(b) => Cow::Owned(Value::Bool(!b)),
            _ => warn(scope, WarningKind::TypeMismatch, *site),
        },
        Ir::If(condition, then, otherwise, site) => {
            match eval_in(condition, record, scope).as_ref() {
                Value::Bool(true) => eval_in(then, record, scope),
                Value::Bool(false) => eval_in(otherwise, record, scope),
                Value::Null => Cow::Borrowed(&NULL),
                _ => warn(scope, WarningKind::TypeMismatch, *site),
            }
        }
        Ir::Binary(op, left, right, site) => binary(*op, left, right, *site, record, scope),
        Ir::Filter(input, op, argument, site) => {
            let mark = scope.warnings.len();
            let value = eval_in(input, record, scope);
            if let FilterOp::Default = op {
                let empty = match value.as_ref() {
                    Value::Null => true,
                    Value::String(s) => s.is_empty(),
                    _ => false,
                };
                return match (empty, argument) {
                    (true, Some(argument)) => {
                        scope.forgive_misses(mark);
                        eval_in(argument, record, scope)
                    }
                    _ => value,
                };
            }
            if value.is_null() && !matches!(op, FilterOp::Len) {
                return value;
            }
            let (out, failure) = filters::apply(op, value, scope.budget.limit());
            if let Some(failure) = failure {
                let kind = match failure {
                    Failure::WrongType | Failure::Unconvertible => WarningKind::FilterFailed,
                    Failure::OutOfRange => WarningKind::DateOutOfRange,
                    Failure::LookupMiss => WarningKind::LookupMiss,
                    Failure::TooLarge => {
                        scope.too_large(*site);
                        return Cow::Borrowed(&NULL);
                    }
                };
                scope.warnings.push(RuntimeWarning {
                    kind,
                    site: Some(*site),
                });
            }
            if let Cow::Owned(built) = &out
                && !scope.charge(value_cost(built), *site)
            {
                return Cow::Borrowed(&NULL);
            }
            out
        }
    }
}

/// One element of an array or object literal, owned: charges the copy of a borrowed value and
/// the element itself, and checks the literal's running `total` against the value cap. A
/// literal has no site of its own: an overflow is reported at the rule's.
fn literal_part(
    value: Cow<'_, Value>,
    key: usize,
    total: &mut usize,
    scope: &mut Scope,
) -> Option<Value> {
    let site = scope.rule;
    let cost = value_cost(&value);
    *total = total
        .saturating_add(ELEMENT_COST + key)
        .saturating_add(cost);
    let copied = match &value {
        Cow::Borrowed(_) => cost,
        Cow::Owned(_) => 0,
    };
    if *total > super::cost::MAX_VALUE_BYTES || !scope.charge(ELEMENT_COST + key + copied, site) {
        scope.too_large(site);
        return None;
    }
    Some(value.into_owned())
}

fn warn<'a>(scope: &mut Scope, kind: WarningKind, site: SiteId) -> Cow<'a, Value> {
    scope.warnings.push(RuntimeWarning {
        kind,
        site: Some(site),
    });
    Cow::Borrowed(&NULL)
}

/// Follows accessors; anything missing is null.
pub(super) fn walk<'a>(mut value: &'a Value, segments: &[PathSegment]) -> &'a Value {
    for segment in segments {
        value = match (segment, value) {
            (PathSegment::Key(key), Value::Object(map)) => map.get(key.as_ref()).unwrap_or(&NULL),
            (PathSegment::Index(index), Value::Array(items)) => {
                let resolved = if *index < 0 {
                    usize::try_from(index.unsigned_abs())
                        .ok()
                        .and_then(|back| items.len().checked_sub(back))
                } else {
                    usize::try_from(*index).ok()
                };
                resolved.and_then(|i| items.get(i)).unwrap_or(&NULL)
            }
            _ => &NULL,
        };
    }
    value
}

fn binary<'a, R: Record>(
    op: BinaryOp,
    left: &'a Ir,
    right: &'a Ir,
    site: SiteId,
    record: &'a R,
    scope: &mut Scope,
) -> Cow<'a, Value> {
    match op {
        BinaryOp::Coalesce => {
            let mark = scope.warnings.len();
            let l = eval_in(left, record, scope);
            if l.is_null() {
                scope.forgive_misses(mark);
                eval_in(right, record, scope)
            } else {
                l
            }
        }
        BinaryOp::And | BinaryOp::Or => {
            let is_and = op == BinaryOp::And;
            let l = truth(&eval_in(left, record, scope), site, scope);
            // `false and _` is false, `true or _` is true, whatever the right side is.
            if l == Some(!is_and) {
                return Cow::Owned(Value::Bool(!is_and));
            }
            let r = truth(&eval_in(right, record, scope), site, scope);
            if r == Some(!is_and) {
                return Cow::Owned(Value::Bool(!is_and));
            }
            match (l, r) {
                (Some(_), Some(_)) => Cow::Owned(Value::Bool(is_and)),
                _ => Cow::Borrowed(&NULL),
            }
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            let l = eval_in(left, record, scope);
            let r = eval_in(right, record, scope);
            let equal = filters::values_equal(&l, &r);
            Cow::Owned(Value::Bool(if op == BinaryOp::Eq { equal } else { !equal }))
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let l = eval_in(left, record, scope);
            let r = eval_in(right, record, scope);
            let ordering = match (l.as_ref(), r.as_ref()) {
                (Value::Null, _) | (_, Value::Null) => return Cow::Borrowed(&NULL),
                (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                (a, b) if number::is_number(a) && number::is_number(b) => {
                    number::as_f64(a).partial_cmp(&number::as_f64(b))
                }
                _ => None,
            };
            let Some(ordering) = ordering else {
                return warn(scope, WarningKind::TypeMismatch, site);
            };
            let result = match op {
                BinaryOp::Lt => ordering == Ordering::Less,
                BinaryOp::Le => ordering != Ordering::Greater,
                BinaryOp::Gt => ordering == Ordering::Greater,
                _ => ordering != Ordering::Less,
            };
            Cow::Owned(Value::Bool(result))
        }
        BinaryOp::Concat => {
            let l = eval_in(left, record, scope);
            let r = eval_in(right, record, scope);
            match (convert::render_scalar(&l), convert::render_scalar(&r)) {
                (Some(a), Some(b)) => {
                    if !scope.charge(a.len().saturating_add(b.len()), site) {
                        return Cow::Borrowed(&NULL);
                    }
                    let mut out = String::with_capacity(a.len() + b.len());
                    out.push_str(&a);
                    out.push_str(&b);
                    Cow::Owned(Value::String(out))
                }
                _ => warn(scope, WarningKind::TypeMismatch, site),
            }
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            let l = eval_in(left, record, scope);
            let r = eval_in(right, record, scope);
            let (left_int, right_int, lhs, rhs) = match (l.as_ref(), r.as_ref()) {
                (Value::Null, _) | (_, Value::Null) => return Cow::Borrowed(&NULL),
                (Value::Number(a), Value::Number(b)) => {
                    (a.as_i64(), b.as_i64(), a.as_f64(), b.as_f64())
                }
                // A big integer takes part as the nearest float.
                (a, b) if number::is_number(a) && number::is_number(b) => {
                    (a.as_i64(), b.as_i64(), number::as_f64(a), number::as_f64(b))
                }
                _ => return warn(scope, WarningKind::TypeMismatch, site),
            };
            // Exact integer arithmetic where it fits; floats otherwise.
            if let (Some(lhs), Some(rhs)) = (left_int, right_int) {
                let exact = match op {
                    BinaryOp::Add => lhs.checked_add(rhs),
                    BinaryOp::Sub => lhs.checked_sub(rhs),
                    BinaryOp::Mul => lhs.checked_mul(rhs),
                    BinaryOp::Rem => lhs.checked_rem(rhs),
                    _ => None,
                };
                if let Some(n) = exact {
                    return Cow::Owned(Value::from(n));
                }
            }
            let lhs = lhs.unwrap_or(f64::NAN);
            let rhs = rhs.unwrap_or(f64::NAN);
            let result = match op {
                BinaryOp::Add => lhs + rhs,
                BinaryOp::Sub => lhs - rhs,
                BinaryOp::Mul => lhs * rhs,
                BinaryOp::Div => lhs / rhs,
                _ => lhs % rhs,
            };
            match convert::number_value(result) {
                Some(v) => Cow::Owned(v),
                None => warn(scope, WarningKind::NotFinite, site),
            }
        }
    }
}

/// A value as a truth value: booleans, null as unknown; anything else warns and is unknown.
fn truth(value: &Value, site: SiteId, scope: &mut Scope) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Null => None,
        _ => {
            scope.warnings.push(RuntimeWarning {
                kind: WarningKind::TypeMismatch,
                site: Some(site),
            });
            None
        }
    }
}
