//! Static facts about a rule's value, computed once and shared by the lints (SPEC §3):
//! type, maximum length in characters, cardinality, PII-ness, and the literal values the
//! expression can produce.

use std::collections::HashMap;

use serde_json::Value;

use crate::catalog::TEXT_CHARS;
use crate::rules_file::{ExprSource, InputDecl};
use crate::source::Span;
use crate::syntax::{BinaryOp, Expr, ExprKind, SegmentKind};
use crate::types::Type;

/// How many distinct values a rule can produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cardinality {
    /// Few distinct values (constants, lookups, flags, comparisons).
    Low,
    /// About one value per contact (IDs, e-mail addresses, phone numbers, hashes).
    High,
    /// Nothing known.
    Unknown,
}

/// Why a value may exceed 128 characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LengthEvidence {
    /// A literal of this many characters.
    Literal(usize),
    /// A known bound over 128 (declared `max_length`, `++` of bounded parts, a lookup table
    /// with long values, a `truncate` over 128).
    Bound {
        /// The bound in characters.
        chars: usize,
        /// Where it comes from, as a clause for messages: "`crm.case.subject` is declared
        /// `max_length: 255`".
        reason: String,
    },
    /// A `join` of a list of unknown size.
    Join,
    /// A free-text source such as `subject` or `notes`.
    FreeText(String),
}

/// Facts about one expression (or constant).
#[derive(Clone, Debug)]
pub struct Facts {
    /// Static type.
    pub ty: Type,
    /// Longest possible value in characters, when known.
    pub max_chars: Option<usize>,
    /// Evidence that the value can exceed 128 characters, when there is any.
    pub long: Option<LengthEvidence>,
    /// Distinct-value estimate.
    pub cardinality: Cardinality,
    /// Why the cardinality is high (the path or filter responsible).
    pub cardinality_reason: Option<String>,
    /// Personal data, and where it comes from.
    pub pii: Option<String>,
    /// The value when the whole expression is a constant.
    pub constant: Option<Value>,
    /// Literal values the expression may produce, with their spans (branches of `if`,
    /// operands of `??`, `default` arguments, lookup defaults).
    pub literals: Vec<(Value, Span)>,
    /// Names of tables looked up.
    pub tables: Vec<String>,
    /// Spans of `if` conditions (for constant-condition checks).
    pub conditions: Vec<(Span, Option<Value>)>,
}

/// Last words of a name that mark an identifier (SPEC §3): `id`, `account_no`,
/// `accountNumber`, `acct_num`, `CaseNumber`, `order_ref`, `ticket`, …
const ID_WORDS: &[&str] = &[
    "id",
    "sid",
    "uuid",
    "guid",
    "number",
    "num",
    "no",
    "nr",
    "nbr",
    "ref",
    "reference",
    "ticket",
    "email",
    "phone",
    "from",
    "to",
];
/// Words that make a name a count or a measure, never an identifier (`number_of_calls`,
/// `ticket_count`, `total_number`).
const COUNT_WORDS: &[&str] = &[
    "of", "count", "counts", "total", "amount", "qty", "quantity", "sum", "avg",
];
/// Compact abbreviations of an account identifier (`acct`, `acctno`, `acctnum`).
const ACCOUNT_IDS: &[&str] = &["acct", "acctno", "acctnum", "acctnbr", "acctid"];
/// Path segment names that mark personal data (SPEC §3).
const PII_NAMES: &[&str] = &[
    "email",
    "phone",
    "name",
    "first_name",
    "last_name",
    "full_name",
    "address",
    "street",
    "zip",
    "postcode",
    "postal_code",
    "birth",
    "birthday",
    "birth_date",
    "date_of_birth",
    "dob",
    "ssn",
    "mrn",
    "mobile",
];
/// Path segment names that hold free text (SPEC §5, FM301).
const FREE_TEXT_NAMES: &[&str] = &[
    "subject",
    "description",
    "notes",
    "note",
    "comment",
    "comments",
    "body",
    "message",
    "summary",
    "transcript",
];

/// What facts need beyond the expression.
pub struct FactContext<'a> {
    /// Declared inputs.
    pub inputs: &'a [InputDecl],
    /// Tables: name → longest value in characters.
    pub tables: HashMap<String, usize>,
}

/// The words of a name, lower-cased: `accountNumber` → `account number`,
/// `SFDCCaseId` → `sfdc case id`, `acct_num` → `acct num`.
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (index, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = index.checked_sub(1).map(|i| chars[i]);
        let next = chars.get(index + 1);
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()))
            });
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// True when a path's last name looks like an identifier: its last word is an ID word
/// (`id`, `accountId`, `sid`, `account_no`, `accountNumber`, `acct_num`, `CaseNumber`,
/// `order_ref`, `reference`, `ticket`, …) or it is an account abbreviation (`acct`,
/// `acctno`), and no word makes it a count (`number_of_calls`, `ticket_count`).
#[must_use]
pub fn is_id_like(name: &str) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if words.iter().any(|w| COUNT_WORDS.contains(&w.as_str())) {
        return false;
    }
    ID_WORDS.contains(&last.as_str()) || (words.len() == 1 && ACCOUNT_IDS.contains(&last.as_str()))
}

fn is_pii_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    PII_NAMES.contains(&lower.as_str())
        || PII_NAMES.iter().any(|n| lower.ends_with(&format!("_{n}")))
}

fn is_free_text(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    FREE_TEXT_NAMES.contains(&lower.as_str())
        || FREE_TEXT_NAMES
            .iter()
            .any(|n| lower.ends_with(&format!("_{n}")))
}

impl Facts {
    fn unknown(ty: Type) -> Facts {
        Facts {
            ty,
            max_chars: None,
            long: None,
            cardinality: Cardinality::Unknown,
            cardinality_reason: None,
            pii: None,
            constant: None,
            literals: Vec::new(),
            tables: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// Facts of a constant value written at `span`.
    #[must_use]
    pub fn of_constant(value: &Value, span: Span) -> Facts {
        let chars = rendered_len(value);
        Facts {
            ty: Type::of(value),
            max_chars: chars,
            long: chars
                .filter(|n| *n > TEXT_CHARS)
                .map(LengthEvidence::Literal),
            cardinality: Cardinality::Low,
            constant: Some(value.clone()),
            literals: vec![(value.clone(), span)],
            ..Facts::unknown(Type::of(value))
        }
    }

    fn absorb(&mut self, other: Facts) {
        self.tables.extend(other.tables);
        self.conditions.extend(other.conditions);
        if self.pii.is_none() {
            self.pii = other.pii;
        }
    }
}

/// Characters of a scalar as it would be written; `None` for lists and objects.
fn rendered_len(value: &Value) -> Option<usize> {
    match value {
        Value::Null => Some(0),
        Value::String(s) => Some(s.chars().count()),
        Value::Number(n) => Some(n.to_string().chars().count()),
        Value::Bool(b) => Some(if *b { 4 } else { 5 }),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// Computes facts for an expression. `ty` is the type the checker inferred.
#[must_use]
pub fn facts(expr: &Expr, source: &ExprSource, ty: Type, context: &FactContext<'_>) -> Facts {
    let mut f = walk(expr, source, context);
    f.ty = ty;
    f
}

fn walk(expr: &Expr, source: &ExprSource, context: &FactContext<'_>) -> Facts {
    let span = source.file_span(expr.span.0, expr.span.1);
    match &expr.kind {
        ExprKind::Null => Facts::of_constant(&Value::Null, span),
        ExprKind::Bool(b) => Facts::of_constant(&Value::Bool(*b), span),
        ExprKind::Number(n) => Facts::of_constant(&Value::Number(n.clone()), span),
        ExprKind::String(s) => Facts::of_constant(&Value::String(s.clone()), span),
        ExprKind::Path { root, segments } => {
            let mut path = root.clone();
            let mut last = root.clone();
            for segment in segments {
                if let SegmentKind::Key(k) = &segment.kind {
                    path.push('.');
                    path.push_str(k);
                    last.clone_from(k);
                }
            }
            let declared = context.inputs.iter().find(|i| i.path == path);
            let mut f = Facts::unknown(Type::Any);
            f.max_chars = declared
                .and_then(|d| d.max_length)
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            if let Some(n) = f.max_chars.filter(|n| *n > TEXT_CHARS) {
                f.long = Some(LengthEvidence::Bound {
                    chars: n,
                    reason: format!("`{path}` is declared `max_length: {n}`"),
                });
            } else if f.max_chars.is_none() && is_free_text(&last) {
                f.long = Some(LengthEvidence::FreeText(path.clone()));
            }
            match declared.and_then(|d| d.high_cardinality) {
                Some(true) => {
                    f.cardinality = Cardinality::High;
                    f.cardinality_reason =
                        Some(format!("`{path}` is declared `cardinality: high`"));
                }
                Some(false) => f.cardinality = Cardinality::Low,
                None if is_id_like(&last) => {
                    f.cardinality = Cardinality::High;
                    f.cardinality_reason = Some(format!("`{path}` looks like an identifier"));
                }
                None => {}
            }
            if declared.is_some_and(|d| d.pii) {
                f.pii = Some(format!("`{path}` is declared `pii: true`"));
            } else if is_pii_name(&last) {
                f.pii = Some(format!("`{path}` looks like personal data"));
            }
            f
        }
        ExprKind::Access { base, .. } => {
            let inner = walk(base, source, context);
            let mut f = Facts::unknown(Type::Any);
            f.absorb(inner);
            f
        }
        ExprKind::Array(items) => {
            let mut f = Facts::unknown(Type::Array);
            let mut all_constant = true;
            let mut values = Vec::new();
            for item in items {
                let inner = walk(item, source, context);
                match &inner.constant {
                    Some(v) => values.push(v.clone()),
                    None => all_constant = false,
                }
                f.absorb(inner);
            }
            if all_constant {
                f.constant = Some(Value::Array(values));
                f.cardinality = Cardinality::Low;
            }
            f
        }
        ExprKind::Object(pairs) => {
            let mut f = Facts::unknown(Type::Object);
            for (_, value) in pairs {
                let inner = walk(value, source, context);
                f.absorb(inner);
            }
            f
        }
        ExprKind::Unary { operand, .. } => {
            let inner = walk(operand, source, context);
            let mut f = Facts::unknown(Type::Any);
            f.max_chars = inner.max_chars.map(|n| n + 1);
            f.absorb(Facts { pii: None, ..inner });
            f
        }
        ExprKind::Binary {
            op, left, right, ..
        } => binary(*op, left, right, span, source, context),
        ExprKind::If {
            condition,
            then,
            otherwise,
        } => {
            let c = walk(condition, source, context);
            let a = walk(then, source, context);
            let b = walk(otherwise, source, context);
            let mut f = Facts::unknown(Type::Any);
            f.conditions.push((
                source.file_span(condition.span.0, condition.span.1),
                c.constant.clone(),
            ));
            f.max_chars = a.max_chars.zip(b.max_chars).map(|(x, y)| x.max(y));
            f.long = a.long.clone().or_else(|| b.long.clone());
            f.cardinality = if a.constant.is_some() && b.constant.is_some() {
                Cardinality::Low
            } else {
                worst(a.cardinality, b.cardinality)
            };
            f.cardinality_reason = a
                .cardinality_reason
                .clone()
                .or_else(|| b.cardinality_reason.clone());
            f.literals.extend(a.literals.iter().cloned());
            f.literals.extend(b.literals.iter().cloned());
            f.absorb(Facts { pii: None, ..c });
            f.absorb(a);
            f.absorb(b);
            f
        }
        ExprKind::Filter {
            input, name, args, ..
        } => filter(input, name, args, span, source, context),
    }
}

fn worst(a: Cardinality, b: Cardinality) -> Cardinality {
    match (a, b) {
        (Cardinality::High, _) | (_, Cardinality::High) => Cardinality::High,
        (Cardinality::Low, Cardinality::Low) => Cardinality::Low,
        _ => Cardinality::Unknown,
    }
}

fn binary(
    op: BinaryOp,
    left: &Expr,
    right: &Expr,
    span: Span,
    source: &ExprSource,
    context: &FactContext<'_>,
) -> Facts {
    let l = walk(left, source, context);
    let r = walk(right, source, context);
    let mut f = Facts::unknown(Type::Any);
    match op {
        BinaryOp::Coalesce => {
            f.max_chars = l.max_chars.zip(r.max_chars).map(|(x, y)| x.max(y));
            f.long = l.long.clone().or_else(|| r.long.clone());
            f.cardinality = worst(l.cardinality, r.cardinality);
            f.cardinality_reason = l
                .cardinality_reason
                .clone()
                .or_else(|| r.cardinality_reason.clone());
            f.literals.extend(l.literals.iter().cloned());
            f.literals.extend(r.literals.iter().cloned());
            f.absorb(l);
            f.absorb(r);
        }
        BinaryOp::Concat => {
            f.max_chars = l.max_chars.zip(r.max_chars).map(|(x, y)| x + y);
            // A part's own evidence names its source; otherwise the sum is the evidence.
            f.long = l.long.clone().or_else(|| r.long.clone()).or_else(|| {
                f.max_chars
                    .filter(|n| *n > TEXT_CHARS)
                    .map(|n| LengthEvidence::Bound {
                        chars: n,
                        reason: format!("the parts joined by `++` add up to {n} characters"),
                    })
            });
            f.cardinality =
                if l.cardinality == Cardinality::High || r.cardinality == Cardinality::High {
                    Cardinality::High
                } else if l.cardinality == Cardinality::Low && r.cardinality == Cardinality::Low {
                    Cardinality::Low
                } else {
                    Cardinality::Unknown
                };
            f.cardinality_reason = l
                .cardinality_reason
                .clone()
                .or_else(|| r.cardinality_reason.clone());
            if let (Some(a), Some(b)) = (&l.constant, &r.constant) {
                let text = format!(
                    "{}{}",
                    crate::runtime::convert::render_scalar(a).unwrap_or_default(),
                    crate::runtime::convert::render_scalar(b).unwrap_or_default()
                );
                let chars = text.chars().count();
                if chars > TEXT_CHARS {
                    f.long = Some(LengthEvidence::Literal(chars));
                }
                f.constant = Some(Value::String(text.clone()));
                f.literals.push((Value::String(text), span));
            }
            f.absorb(l);
            f.absorb(r);
        }
        BinaryOp::Eq
        | BinaryOp::Ne
        | BinaryOp::Lt
        | BinaryOp::Le
        | BinaryOp::Gt
        | BinaryOp::Ge
        | BinaryOp::And
        | BinaryOp::Or => {
            f.max_chars = Some(5);
            f.cardinality = Cardinality::Low;
            if let (Some(a), Some(b)) = (&l.constant, &r.constant) {
                let equal = crate::runtime::filters::values_equal(a, b);
                f.constant = match op {
                    BinaryOp::Eq => Some(Value::Bool(equal)),
                    BinaryOp::Ne => Some(Value::Bool(!equal)),
                    _ => None,
                };
            }
            f.absorb(Facts { pii: None, ..l });
            f.absorb(Facts { pii: None, ..r });
        }
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
            f.max_chars = Some(24);
            f.cardinality = worst(l.cardinality, r.cardinality);
            f.absorb(Facts { pii: None, ..l });
            f.absorb(Facts { pii: None, ..r });
        }
    }
    f
}

fn filter(
    input: &Expr,
    name: &str,
    args: &[crate::syntax::Arg],
    span: Span,
    source: &ExprSource,
    context: &FactContext<'_>,
) -> Facts {
    let inner = walk(input, source, context);
    let arg_values: Vec<Option<Value>> = args.iter().map(|a| literal(&a.value)).collect();
    let mut f = Facts::unknown(Type::Any);
    // Defaults: what passes through keeps the input's facts.
    f.max_chars = inner.max_chars;
    f.long.clone_from(&inner.long);
    f.cardinality = inner.cardinality;
    f.cardinality_reason.clone_from(&inner.cardinality_reason);
    match name {
        "truncate" => {
            let n = arg_values
                .first()
                .and_then(|v| v.as_ref()?.as_u64())
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
            f.max_chars = match (inner.max_chars, n) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            f.long = match (f.max_chars, n) {
                (Some(m), Some(n)) if m > TEXT_CHARS && n == m => Some(LengthEvidence::Bound {
                    chars: m,
                    reason: format!("`truncate({n})` keeps up to {n} characters"),
                }),
                (Some(m), _) if m > TEXT_CHARS => inner.long.clone(),
                _ => None,
            };
        }
        "lookup" => {
            let table = args.first().and_then(|a| match &a.value.kind {
                ExprKind::Path { root, segments } if segments.is_empty() => Some(root.clone()),
                _ => None,
            });
            let longest = table.as_ref().and_then(|t| context.tables.get(t)).copied();
            let default_len = arg_values
                .get(1)
                .and_then(|v| v.as_ref().and_then(rendered_len));
            f.max_chars = longest.map(|l| l.max(default_len.unwrap_or(0)));
            f.long = f.max_chars.filter(|n| *n > TEXT_CHARS).map(|n| {
                let reason = match (longest, &table) {
                    (Some(l), Some(t)) if l == n => {
                        format!("table `{t}` has a value of {n} characters")
                    }
                    _ => format!("the lookup's default is {n} characters long"),
                };
                LengthEvidence::Bound { chars: n, reason }
            });
            f.cardinality = Cardinality::Low;
            f.cardinality_reason = None;
            if let (Some(value), Some(arg)) = (arg_values.get(1).cloned().flatten(), args.get(1)) {
                f.literals
                    .push((value, source.file_span(arg.value.span.0, arg.value.span.1)));
            }
            if let Some(t) = table {
                f.tables.push(t);
            }
            // A table keyed by personal data still reveals it (a category per person).
            f.absorb(inner);
            return f;
        }
        "yes_no" => {
            f.max_chars = Some(3);
            f.long = None;
            f.cardinality = Cardinality::Low;
            f.cardinality_reason = None;
            f.absorb(Facts { pii: None, ..inner });
            return f;
        }
        "in" | "matches" => {
            f.max_chars = Some(5);
            f.long = None;
            f.cardinality = Cardinality::Low;
            f.cardinality_reason = None;
            f.absorb(Facts { pii: None, ..inner });
            return f;
        }
        "len" | "number" | "int" | "round" | "clamp" | "seconds" | "date" => {
            f.max_chars = Some(24);
            f.long = None;
            if name == "len" {
                f.cardinality = Cardinality::Low;
                f.cardinality_reason = None;
            }
        }
        "sha256" => {
            f.max_chars = Some(64);
            f.long = None;
            f.cardinality = Cardinality::High;
            f.cardinality_reason = Some("`sha256` gives one hash per distinct input".into());
            // A pseudonymous key: not the personal data itself.
            f.absorb(Facts { pii: None, ..inner });
            return f;
        }
        "join" => {
            // A list written out in the expression has a known number of parts; only a list
            // from the record can be of any length.
            if let ExprKind::Array(items) = &input.kind {
                let separator = arg_values
                    .first()
                    .and_then(|v| v.as_ref().and_then(rendered_len))
                    .unwrap_or(0);
                let parts: Vec<Facts> = items.iter().map(|i| walk(i, source, context)).collect();
                f.max_chars = parts
                    .iter()
                    .map(|p| p.max_chars)
                    .sum::<Option<usize>>()
                    .map(|n| n + separator * items.len().saturating_sub(1));
                f.long = parts.iter().find_map(|p| p.long.clone()).or_else(|| {
                    f.max_chars
                        .filter(|n| *n > TEXT_CHARS)
                        .map(|n| LengthEvidence::Bound {
                            chars: n,
                            reason: format!("the joined parts add up to {n} characters"),
                        })
                });
            } else {
                f.max_chars = None;
                f.long = Some(LengthEvidence::Join);
            }
        }
        "hierarchy" => {
            f.max_chars = None;
            f.long.clone_from(&inner.long);
        }
        "replace" | "split" | "first" | "last" | "slice" | "string" | "phone" | "email" => {
            if name == "replace" {
                f.max_chars = None;
            }
            if name == "slice" {
                let bounds = (
                    arg_values.first().cloned().flatten(),
                    arg_values.get(1).cloned().flatten(),
                );
                if let (Some(a), Some(b)) = (
                    bounds.0.and_then(|v| v.as_i64()),
                    bounds.1.and_then(|v| v.as_i64()),
                ) && a >= 0
                    && b >= a
                {
                    f.max_chars = usize::try_from(b - a).ok();
                    f.long = None;
                }
            }
            if name == "string" {
                f.max_chars =
                    inner
                        .max_chars
                        .or(if matches!(inner.ty, Type::Number | Type::Bool) {
                            Some(24)
                        } else {
                            None
                        });
            }
        }
        "default" => {
            let arg = args.first().map(|a| walk(&a.value, source, context));
            if let Some(arg) = arg {
                f.max_chars = inner.max_chars.zip(arg.max_chars).map(|(a, b)| a.max(b));
                f.long = inner.long.clone().or_else(|| arg.long.clone());
                f.cardinality = worst(inner.cardinality, arg.cardinality);
                f.literals.extend(inner.literals.iter().cloned());
                f.literals.extend(arg.literals.iter().cloned());
                f.absorb(arg);
            }
        }
        _ => {}
    }
    if let Some(constant) = &inner.constant
        && name != "default"
    {
        // A filter of a constant is constant, but its value is only known at run time.
        let _ = constant;
        f.cardinality = Cardinality::Low;
    }
    let _ = span;
    f.absorb(inner);
    f
}

fn literal(expr: &Expr) -> Option<Value> {
    match &expr.kind {
        ExprKind::Null => Some(Value::Null),
        ExprKind::Bool(b) => Some(Value::Bool(*b)),
        ExprKind::Number(n) => Some(Value::Number(n.clone())),
        ExprKind::String(s) => Some(Value::String(s.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules_file::OffsetMap;

    fn facts_of(text: &str) -> Facts {
        let expr = crate::syntax::parse(text).expect("parses");
        let source = ExprSource {
            text: text.into(),
            span: Span::new(0, text.len()),
            map: OffsetMap::identity(text, 0),
        };
        let inputs = vec![InputDecl {
            path: "crm.case.subject".into(),
            span: Span::at(0),
            ty: None,
            high_cardinality: None,
            pii: false,
            max_length: Some(255),
        }];
        let context = FactContext {
            inputs: &inputs,
            tables: HashMap::from([("languages".to_string(), 7), ("notes".to_string(), 200)]),
        };
        facts(&expr, &source, Type::Any, &context)
    }

    #[test]
    fn lengths() {
        assert_eq!(facts_of(r#""abc""#).max_chars, Some(3));
        assert_eq!(facts_of("x | truncate(10)").max_chars, Some(10));
        assert_eq!(facts_of("x | lookup(languages)").max_chars, Some(7));
        assert_eq!(
            facts_of(r#"x | lookup(languages, "Unknown language")"#).max_chars,
            Some(16)
        );
        assert_eq!(facts_of(r#""ab" ++ "cde""#).max_chars, Some(5));
        assert_eq!(facts_of("x | yes_no").max_chars, Some(3));
        assert_eq!(facts_of("crm.case.subject").max_chars, Some(255));
        assert_eq!(
            facts_of("crm.case.subject").long,
            Some(LengthEvidence::Bound {
                chars: 255,
                reason: "`crm.case.subject` is declared `max_length: 255`".into()
            })
        );
        assert_eq!(facts_of("crm.case.subject | truncate(128)").long, None);
        assert_eq!(
            facts_of("crm.other.notes").long,
            Some(LengthEvidence::FreeText("crm.other.notes".into()))
        );
        assert_eq!(
            facts_of("crm.tags | join(\", \")").long,
            Some(LengthEvidence::Join)
        );
        assert_eq!(facts_of("crm.plain").long, None);
    }

    /// Each kind of length evidence says where it comes from, for FM301's message.
    #[test]
    fn length_evidence_names_its_source() {
        let bound = |text: &str| match facts_of(text).long {
            Some(LengthEvidence::Bound { chars, reason }) => format!("{chars}: {reason}"),
            other => format!("{other:?}"),
        };
        // A part's own evidence wins over the sum.
        assert_eq!(
            bound(r#""Case: " ++ crm.case.subject"#),
            "255: `crm.case.subject` is declared `max_length: 255`"
        );
        assert_eq!(
            bound("(x | truncate(100)) ++ (y | truncate(100))"),
            "200: the parts joined by `++` add up to 200 characters"
        );
        assert_eq!(
            bound("x | truncate(200)"),
            "200: `truncate(200)` keeps up to 200 characters"
        );
        assert_eq!(
            bound("crm.case.subject | truncate(300)"),
            "255: `crm.case.subject` is declared `max_length: 255`"
        );
        assert_eq!(
            bound("x | lookup(notes)"),
            "200: table `notes` has a value of 200 characters"
        );
        assert_eq!(
            bound(r#"[x | truncate(100), y | truncate(100)] | join(", ")"#),
            "202: the joined parts add up to 202 characters"
        );
        // Literals, also when two short literals are joined into a long one.
        let long = "a".repeat(100);
        assert_eq!(
            facts_of(&format!(r#""{long}" ++ "{long}""#)).long,
            Some(LengthEvidence::Literal(200))
        );
        assert_eq!(
            facts_of(&format!(r#"if x then "{long}{long}" else "b""#)).long,
            Some(LengthEvidence::Literal(200))
        );
        // A list written out has a known number of parts: no evidence without long parts.
        assert_eq!(facts_of(r#"[a.b, c.d] | join(" ")"#).long, None);
        assert_eq!(facts_of(r#"[a.b, c.d] | join(" ")"#).max_chars, None);
        assert_eq!(facts_of(r#"["ab", "cde"] | join(", ")"#).max_chars, Some(7));
        assert_eq!(
            facts_of(r#"[a, crm.case.notes] | join(" ")"#).long,
            Some(LengthEvidence::FreeText("crm.case.notes".into()))
        );
    }

    #[test]
    fn cardinality() {
        assert_eq!(facts_of("crm.account.id").cardinality, Cardinality::High);
        assert_eq!(
            facts_of("crm.account.accountId").cardinality,
            Cardinality::High
        );
        assert_eq!(
            facts_of("crm.case.case_number").cardinality,
            Cardinality::High
        );
        assert_eq!(facts_of("task.sid").cardinality, Cardinality::High);
        assert_eq!(
            facts_of("crm.account.tier").cardinality,
            Cardinality::Unknown
        );
        assert_eq!(
            facts_of("crm.account.id | lookup(languages)").cardinality,
            Cardinality::Low
        );
        assert_eq!(
            facts_of(r#"if x then "a" else "b""#).cardinality,
            Cardinality::Low
        );
        assert_eq!(facts_of("x.email | sha256").cardinality, Cardinality::High);
        assert_eq!(facts_of("crm.identity").cardinality, Cardinality::Unknown);
        assert_eq!(facts_of("crm.video").cardinality, Cardinality::Unknown);
    }

    #[test]
    fn pii() {
        assert!(facts_of("crm.contact.email").pii.is_some());
        assert!(
            facts_of("crm.contact.first_name ++ \" \" ++ crm.contact.last_name")
                .pii
                .is_some()
        );
        assert!(facts_of("crm.contact.email | sha256").pii.is_none());
        // A table keyed by personal data still reveals it.
        assert!(
            facts_of("crm.contact.email | lookup(languages)")
                .pii
                .is_some()
        );
        assert!(facts_of("crm.contact.email == null").pii.is_none());
        assert!(facts_of("crm.account.tier").pii.is_none());
    }

    #[test]
    fn literals_and_conditions() {
        let f = facts_of(r#"if true then "Yes" else "Maybe""#);
        let values: Vec<&Value> = f.literals.iter().map(|(v, _)| v).collect();
        assert_eq!(values, [&Value::from("Yes"), &Value::from("Maybe")]);
        assert_eq!(f.conditions.len(), 1);
        assert_eq!(f.conditions[0].1, Some(Value::Bool(true)));
        assert_eq!(facts_of(r#""a" == "a""#).constant, Some(Value::Bool(true)));
    }
}

#[cfg(test)]
mod id_name_tests {
    use super::is_id_like;

    #[test]
    fn common_identifier_spellings_are_ids() {
        for name in [
            "id",
            "account_id",
            "accountId",
            "accountID",
            "sid",
            "CallSid",
            "uuid",
            "account_no",
            "accountNo",
            "accountNumber",
            "acct_num",
            "acctNum",
            "acct",
            "acctno",
            "CaseNumber",
            "case_number",
            "ticket",
            "ticket_nr",
            "order_ref",
            "reference",
            "customerReference",
            "email",
            "phone",
            "SFDCCaseId",
        ] {
            assert!(is_id_like(name), "{name} should look like an identifier");
        }
    }

    #[test]
    fn counts_measures_and_categories_are_not() {
        for name in [
            "account_tier",
            "acct_tier",
            "number_of_calls",
            "numberOfCalls",
            "ticket_count",
            "total_number",
            "tier",
            "language",
            "notes",
            "identity",
            "phone_type",
            "tone",
            "video",
            "paid",
            "none",
            "",
        ] {
            assert!(
                !is_id_like(name),
                "{name} should not look like an identifier"
            );
        }
    }
}
