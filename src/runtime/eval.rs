//! The evaluator: null propagation, three-valued logic, and filters, borrowing from the
//! record wherever it can.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::convert;
use super::filters::{self, Failure, FilterOp};
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
        Value::is_object(self)
    }

    fn path(&self, segments: &[PathSegment]) -> &Value {
        walk(self, segments)
    }
}

/// Evaluates `ir` against `record`, pushing warnings.
pub(super) fn eval<'a, R: Record>(
    ir: &'a Ir,
    record: &'a R,
    warnings: &mut Vec<RuntimeWarning>,
) -> Cow<'a, Value> {
    match ir {
        Ir::Const(value) => Cow::Borrowed(value),
        Ir::Path(segments) => Cow::Borrowed(record.path(segments)),
        Ir::Access(base, segments) => match eval(base, record, warnings) {
            Cow::Borrowed(value) => Cow::Borrowed(walk(value, segments)),
            Cow::Owned(value) => Cow::Owned(walk(&value, segments).clone()),
        },
        Ir::Array(items) => Cow::Owned(Value::Array(
            items
                .iter()
                .map(|i| eval(i, record, warnings).into_owned())
                .collect(),
        )),
        Ir::Object(pairs) => {
            let mut map = serde_json::Map::new();
            for (key, item) in pairs {
                let value = eval(item, record, warnings);
                if !value.is_null() {
                    map.insert(key.clone(), value.into_owned());
                }
            }
            Cow::Owned(Value::Object(map))
        }
        Ir::Neg(operand, site) => match eval(operand, record, warnings).as_ref() {
            Value::Null => Cow::Borrowed(&NULL),
            Value::Number(n) => {
                let negated = n.as_i64().and_then(i64::checked_neg).map(Value::from);
                match negated.or_else(|| n.as_f64().and_then(|f| convert::number_value(-f))) {
                    Some(v) => Cow::Owned(v),
                    None => warn(warnings, WarningKind::NotFinite, *site),
                }
            }
            _ => warn(warnings, WarningKind::TypeMismatch, *site),
        },
        Ir::Not(operand, site) => match eval(operand, record, warnings).as_ref() {
            Value::Null => Cow::Borrowed(&NULL),
            Value::Bool(b) => Cow::Owned(Value::Bool(!b)),
            _ => warn(warnings, WarningKind::TypeMismatch, *site),
        },
        Ir::If(condition, then, otherwise, site) => {
            match eval(condition, record, warnings).as_ref() {
                Value::Bool(true) => eval(then, record, warnings),
                Value::Bool(false) => eval(otherwise, record, warnings),
                Value::Null => Cow::Borrowed(&NULL),
                _ => warn(warnings, WarningKind::TypeMismatch, *site),
            }
        }
        Ir::Binary(op, left, right, site) => binary(*op, left, right, *site, record, warnings),
        Ir::Filter(input, op, argument, site) => {
            let value = eval(input, record, warnings);
            if let FilterOp::Default = op {
                let empty = match value.as_ref() {
                    Value::Null => true,
                    Value::String(s) => s.is_empty(),
                    _ => false,
                };
                return match (empty, argument) {
                    (true, Some(argument)) => eval(argument, record, warnings),
                    _ => value,
                };
            }
            if value.is_null() && !matches!(op, FilterOp::Len) {
                return value;
            }
            let (out, failure) = filters::apply(op, value);
            if let Some(failure) = failure {
                let kind = match failure {
                    Failure::WrongType | Failure::Unconvertible => WarningKind::FilterFailed,
                    Failure::OutOfRange => WarningKind::DateOutOfRange,
                    Failure::LookupMiss => WarningKind::LookupMiss,
                };
                warnings.push(RuntimeWarning {
                    kind,
                    site: Some(*site),
                });
            }
            out
        }
    }
}

fn warn<'a>(warnings: &mut Vec<RuntimeWarning>, kind: WarningKind, site: SiteId) -> Cow<'a, Value> {
    warnings.push(RuntimeWarning {
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
    warnings: &mut Vec<RuntimeWarning>,
) -> Cow<'a, Value> {
    match op {
        BinaryOp::Coalesce => {
            let l = eval(left, record, warnings);
            if l.is_null() {
                eval(right, record, warnings)
            } else {
                l
            }
        }
        BinaryOp::And | BinaryOp::Or => {
            let is_and = op == BinaryOp::And;
            let l = truth(&eval(left, record, warnings), site, warnings);
            // `false and _` is false, `true or _` is true, whatever the right side is.
            if l == Some(!is_and) {
                return Cow::Owned(Value::Bool(!is_and));
            }
            let r = truth(&eval(right, record, warnings), site, warnings);
            if r == Some(!is_and) {
                return Cow::Owned(Value::Bool(!is_and));
            }
            match (l, r) {
                (Some(_), Some(_)) => Cow::Owned(Value::Bool(is_and)),
                _ => Cow::Borrowed(&NULL),
            }
        }
        BinaryOp::Eq | BinaryOp::Ne => {
            let l = eval(left, record, warnings);
            let r = eval(right, record, warnings);
            let equal = filters::values_equal(&l, &r);
            Cow::Owned(Value::Bool(if op == BinaryOp::Eq { equal } else { !equal }))
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
            let l = eval(left, record, warnings);
            let r = eval(right, record, warnings);
            let ordering = match (l.as_ref(), r.as_ref()) {
                (Value::Null, _) | (_, Value::Null) => return Cow::Borrowed(&NULL),
                (Value::Number(a), Value::Number(b)) => a.as_f64().partial_cmp(&b.as_f64()),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            let Some(ordering) = ordering else {
                return warn(warnings, WarningKind::TypeMismatch, site);
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
            let l = eval(left, record, warnings);
            let r = eval(right, record, warnings);
            match (convert::render_scalar(&l), convert::render_scalar(&r)) {
                (Some(a), Some(b)) => {
                    let mut out = String::with_capacity(a.len() + b.len());
                    out.push_str(&a);
                    out.push_str(&b);
                    Cow::Owned(Value::String(out))
                }
                _ => warn(warnings, WarningKind::TypeMismatch, site),
            }
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            let l = eval(left, record, warnings);
            let r = eval(right, record, warnings);
            let (left_number, right_number) = match (l.as_ref(), r.as_ref()) {
                (Value::Null, _) | (_, Value::Null) => return Cow::Borrowed(&NULL),
                (Value::Number(a), Value::Number(b)) => (a, b),
                _ => return warn(warnings, WarningKind::TypeMismatch, site),
            };
            // Exact integer arithmetic where it fits; floats otherwise.
            if let (Some(lhs), Some(rhs)) = (left_number.as_i64(), right_number.as_i64()) {
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
            let lhs = left_number.as_f64().unwrap_or(f64::NAN);
            let rhs = right_number.as_f64().unwrap_or(f64::NAN);
            let result = match op {
                BinaryOp::Add => lhs + rhs,
                BinaryOp::Sub => lhs - rhs,
                BinaryOp::Mul => lhs * rhs,
                BinaryOp::Div => lhs / rhs,
                _ => lhs % rhs,
            };
            match convert::number_value(result) {
                Some(v) => Cow::Owned(v),
                None => warn(warnings, WarningKind::NotFinite, site),
            }
        }
    }
}

/// A value as a truth value: booleans, null as unknown; anything else warns and is unknown.
fn truth(value: &Value, site: SiteId, warnings: &mut Vec<RuntimeWarning>) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::Null => None,
        _ => {
            warnings.push(RuntimeWarning {
                kind: WarningKind::TypeMismatch,
                site: Some(site),
            });
            None
        }
    }
}
