//! The filter library: every filter's signature, doc line and examples, and its code.
//!
//! A filter is one entry in `FILTERS` (what the checker and the docs see) and one arm in
//! `build` and `apply` (what runs). The examples are run as tests, with the table
//! `languages: {en-US: English, es-MX: Spanish}` in scope, so the docs cannot drift.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use regex::Regex;
use serde_json::Value;

use super::convert::{self, TimeUnit};
use super::cost::{Bounded, ELEMENT_COST, OverCap, value_cost};
use super::number;
use crate::types::Type;

/// Largest compiled size of a regex in a rule (bytes of the compiled program).
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;

/// A parameter of a filter.
#[derive(Debug)]
pub struct Param {
    /// Name, usable as `name=value`.
    pub name: &'static str,
    /// Accepted types of the argument.
    pub types: &'static [Type],
    /// False when the parameter may be left out.
    pub required: bool,
    /// Shown in docs for optional parameters.
    pub default: Option<&'static str>,
}

/// A filter's signature and documentation.
#[derive(Debug)]
pub struct FilterDef {
    /// Name after `|`.
    pub name: &'static str,
    /// Input types accepted (besides null, which passes through unless noted).
    pub input: &'static [Type],
    /// Parameters, in positional order.
    pub params: &'static [Param],
    /// Result type (`Any` when it depends on the input).
    pub output: Type,
    /// One line: what it does.
    pub doc: &'static str,
    /// `(expression, expected JSON result)` pairs, run as tests.
    pub examples: &'static [(&'static str, &'static str)],
}

const S: &[Type] = &[Type::String];
const N: &[Type] = &[Type::Number];
const SCALAR: &[Type] = &[Type::String, Type::Number, Type::Bool];
const ANY: &[Type] = &[Type::Any];

macro_rules! param {
    ($name:literal, $types:expr) => {
        Param {
            name: $name,
            types: $types,
            required: true,
            default: None,
        }
    };
    ($name:literal, $types:expr, $default:literal) => {
        Param {
            name: $name,
            types: $types,
            required: false,
            default: Some($default),
        }
    };
}

/// Every filter, alphabetically within groups.
pub static FILTERS: &[FilterDef] = &[
    FilterDef {
        name: "lower",
        input: S,
        params: &[],
        output: Type::String,
        doc: "Lower-cases text.",
        examples: &[(r#""Gold TIER" | lower"#, r#""gold tier""#)],
    },
    FilterDef {
        name: "upper",
        input: S,
        params: &[],
        output: Type::String,
        doc: "Upper-cases text.",
        examples: &[(r#""gb" | upper"#, r#""GB""#)],
    },
    FilterDef {
        name: "trim",
        input: S,
        params: &[],
        output: Type::String,
        doc: "Removes leading and trailing white space.",
        examples: &[(r#""  Gold \n" | trim"#, r#""Gold""#)],
    },
    FilterDef {
        name: "title",
        input: S,
        params: &[],
        output: Type::String,
        doc: "Capitalises the first letter of each word and lower-cases the rest.",
        examples: &[(r#""mARY o'neil-smith" | title"#, r#""Mary O'Neil-Smith""#)],
    },
    FilterDef {
        name: "string",
        input: SCALAR,
        params: &[],
        output: Type::String,
        doc: "Renders a number or boolean as text (strings pass unchanged).",
        examples: &[("42 | string", r#""42""#), ("true | string", r#""true""#)],
    },
    FilterDef {
        name: "truncate",
        input: S,
        params: &[param!("n", N)],
        output: Type::String,
        doc: "Keeps the first `n` characters (Unicode scalar values, not bytes).",
        examples: &[(r#""Ünïcödé" | truncate(3)"#, r#""Ünï""#)],
    },
    FilterDef {
        name: "replace",
        input: S,
        params: &[param!("regex", S), param!("with", S)],
        output: Type::String,
        doc: "Replaces every match of a regex (linear-time `regex` syntax; `$1` refers to groups).",
        examples: &[
            (
                r#""Sales   Team" | replace("\\s+", " ")"#,
                r#""Sales Team""#,
            ),
            (
                r#""2024-03-05" | replace("(\\d+)-(\\d+)-(\\d+)", "$3/$2/$1")"#,
                r#""05/03/2024""#,
            ),
        ],
    },
    FilterDef {
        name: "matches",
        input: S,
        params: &[param!("regex", S)],
        output: Type::Bool,
        doc: "True when the regex matches anywhere in the text.",
        examples: &[(r#""VIP-123" | matches("^VIP-")"#, "true")],
    },
    FilterDef {
        name: "split",
        input: S,
        params: &[param!("sep", S)],
        output: Type::Array,
        doc: "Splits text on a separator (an empty separator splits into characters).",
        examples: &[(r#""a,b,,c" | split(",")"#, r#"["a","b","","c"]"#)],
    },
    FilterDef {
        name: "join",
        input: &[Type::Array],
        params: &[param!("sep", S)],
        output: Type::String,
        doc: "Joins list elements with a separator, skipping null and empty elements; numbers and booleans are rendered.",
        examples: &[(r#"["a", null, "", 2] | join(", ")"#, r#""a, 2""#)],
    },
    FilterDef {
        name: "slice",
        input: &[Type::String, Type::Array],
        params: &[param!("start", N), param!("end", N, "the end")],
        output: Type::Any,
        doc: "Characters or elements from `start` up to (not including) `end`; negative positions count from the end.",
        examples: &[
            (r#""+442079460958" | slice(0, 3)"#, r#""+44""#),
            ("[1, 2, 3, 4] | slice(-2)", "[3,4]"),
        ],
    },
    FilterDef {
        name: "len",
        input: &[Type::String, Type::Array, Type::Object],
        params: &[],
        output: Type::Number,
        doc: "Length in characters, elements or keys; `null` has length 0.",
        examples: &[(r#""Ñandú" | len"#, "5"), ("null | len", "0")],
    },
    FilterDef {
        name: "first",
        input: &[Type::Array, Type::String],
        params: &[],
        output: Type::Any,
        doc: "The first element of a list (or first character of text); null when empty.",
        examples: &[(r#"["es", "en"] | first"#, r#""es""#)],
    },
    FilterDef {
        name: "last",
        input: &[Type::Array, Type::String],
        params: &[],
        output: Type::Any,
        doc: "The last element of a list (or last character of text); null when empty.",
        examples: &[(r#"["es", "en"] | last"#, r#""en""#)],
    },
    FilterDef {
        name: "number",
        input: &[Type::Number, Type::String],
        params: &[],
        output: Type::Number,
        doc: "Converts a numeric string to a number (`\" 12.5 \"` → 12.5); anything else gives null and a warning.",
        examples: &[
            (r#"" 12.5 " | number"#, "12.5"),
            (r#""abc" | number"#, "null"),
        ],
    },
    FilterDef {
        name: "int",
        input: &[Type::Number, Type::String],
        params: &[],
        output: Type::Number,
        doc: "Like `number`, then drops the fraction (towards zero).",
        examples: &[(r#""-7.9" | int"#, "-7")],
    },
    FilterDef {
        name: "round",
        input: N,
        params: &[param!("digits", N, "0")],
        output: Type::Number,
        doc: "Rounds half away from zero to `digits` decimal places (0 to 10).",
        examples: &[("2.345 | round(2)", "2.35"), ("2.5 | round", "3")],
    },
    FilterDef {
        name: "clamp",
        input: N,
        params: &[param!("lo", N), param!("hi", N)],
        output: Type::Number,
        doc: "Limits a number to the range `lo`..=`hi`.",
        examples: &[("7 | clamp(1, 5)", "5")],
    },
    FilterDef {
        name: "seconds",
        input: &[Type::Number, Type::String],
        params: &[param!("unit", S, "\"s\"")],
        output: Type::Number,
        doc: "Duration in seconds from `\"00:02:13\"`, `\"02:13\"`, `\"133\"` or a number in `unit` (ms, s, min, h).",
        examples: &[
            (r#""00:02:13" | seconds"#, "133"),
            (r#"133000 | seconds(unit="ms")"#, "133"),
        ],
    },
    FilterDef {
        name: "yes_no",
        input: &[Type::Bool, Type::String, Type::Number],
        params: &[],
        output: Type::String,
        doc: "`\"Yes\"`/`\"No\"` from a boolean, yes/no/y/n/true/false/on/off/1/0 in any case, or 1/0.",
        examples: &[
            ("true | yes_no", r#""Yes""#),
            (r#""N" | yes_no"#, r#""No""#),
        ],
    },
    FilterDef {
        name: "default",
        input: ANY,
        params: &[param!("value", ANY)],
        output: Type::Any,
        doc: "The input, or `value` when the input is null or an empty string.",
        examples: &[
            (r#"null | default("Unknown")"#, r#""Unknown""#),
            (r#""" | default("Unknown")"#, r#""Unknown""#),
        ],
    },
    FilterDef {
        name: "lookup",
        input: SCALAR,
        params: &[
            param!("table", ANY),
            param!("default", SCALAR, "null, with a lookup-miss warning"),
        ],
        output: Type::Any,
        doc: "The value for the input in a table from `tables:`; `default` for a key the table lacks; null for a missing input.",
        examples: &[
            (r#""es-MX" | lookup(languages)"#, r#""Spanish""#),
            (r#""fr-FR" | lookup(languages, "Other")"#, r#""Other""#),
        ],
    },
    FilterDef {
        name: "in",
        input: ANY,
        params: &[param!("values", &[Type::Array])],
        output: Type::Bool,
        doc: "True when the input equals one of the listed values.",
        examples: &[(r#""voice" | in(["voice", "video"])"#, "true")],
    },
    FilterDef {
        name: "hierarchy",
        input: &[Type::String, Type::Array, Type::Number],
        params: &[param!("sep", S, "\" ▸ \"")],
        output: Type::String,
        doc: "Joins levels with Insights' ` ▸ ` separator: list elements; text split on `▸`, `,`, `>` or `/`; other text or numbers digit by digit (IVR digits).",
        examples: &[
            (r#""12" | hierarchy"#, r#""1 ▸ 2""#),
            (
                r#"["London", null, "Sales"] | hierarchy"#,
                r#""London ▸ Sales""#,
            ),
            (r#""London, Sales" | hierarchy"#, r#""London ▸ Sales""#),
        ],
    },
    FilterDef {
        name: "phone",
        input: &[Type::String, Type::Number],
        params: &[param!("country_code", S, "none")],
        output: Type::String,
        doc: "E.164 phone number (`+4420…`); national numbers need `country_code` (e.g. \"1\", \"44\"); unusable input gives null and a warning.",
        examples: &[
            (r#""(415) 555-0100" | phone("1")"#, r#""+14155550100""#),
            (r#""0044 20 7946 0958" | phone"#, r#""+442079460958""#),
        ],
    },
    FilterDef {
        name: "email",
        input: S,
        params: &[],
        output: Type::String,
        doc: "A trimmed, lower-cased e-mail address; anything that is not one gives null and a warning.",
        examples: &[(
            r#"" Mary.Smith@Example.COM " | email"#,
            r#""mary.smith@example.com""#,
        )],
    },
    FilterDef {
        name: "sha256",
        input: SCALAR,
        params: &[],
        output: Type::String,
        doc: "Hex SHA-256 digest of the rendered value: a pseudonymous linking key.",
        examples: &[(
            r#""abc" | sha256"#,
            r#""ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad""#,
        )],
    },
    FilterDef {
        name: "date",
        input: &[Type::String, Type::Number],
        params: &[param!("format", S, "common formats")],
        output: Type::Number,
        doc: concat!(
            "Epoch milliseconds (UTC) from ISO 8601, RFC 2822, `YYYY-MM-DD`, epoch seconds or milliseconds, or a strftime `format`; outside ",
            crate::catalog::limits::date_range!(),
            " gives null and a warning."
        ),
        examples: &[
            (r#""2024-03-05T14:30:00Z" | date"#, "1709649000000"),
            (r#""05/03/2024" | date("%d/%m/%Y")"#, "1709596800000"),
        ],
    },
];

impl FilterDef {
    /// The call as documented: `truncate(n)`, `seconds(unit="s")`, `lower`.
    #[must_use]
    pub fn call(&self) -> String {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| match p.default {
                Some(default) => format!("{}={default}", p.name),
                None => p.name.to_string(),
            })
            .collect();
        if params.is_empty() {
            self.name.to_string()
        } else {
            format!("{}({})", self.name, params.join(", "))
        }
    }
}

/// Looks a filter up by name.
#[must_use]
pub fn find(name: &str) -> Option<&'static FilterDef> {
    FILTERS.iter().find(|f| f.name == name)
}

/// A filter with its arguments prepared at compile time.
#[derive(Clone, Debug)]
pub enum FilterOp {
    /// `lower`.
    Lower,
    /// `upper`.
    Upper,
    /// `trim`.
    Trim,
    /// `title`.
    Title,
    /// `string`.
    String,
    /// `truncate(n)`.
    Truncate(usize),
    /// `replace(regex, with)`.
    Replace(Box<Regex>, Box<str>),
    /// `matches(regex)`.
    Matches(Box<Regex>),
    /// `split(sep)`.
    Split(Box<str>),
    /// `join(sep)`.
    Join(Box<str>),
    /// `slice(start, end)`.
    Slice(i64, Option<i64>),
    /// `len`.
    Len,
    /// `first`.
    First,
    /// `last`.
    Last,
    /// `number`.
    Number,
    /// `int`.
    Int,
    /// `round(digits)`.
    Round(i32),
    /// `clamp(lo, hi)`.
    Clamp(f64, f64),
    /// `seconds(unit)`.
    Seconds(TimeUnit),
    /// `yes_no`.
    YesNo,
    /// `default(value)`: the value is an expression, evaluated by the caller.
    Default,
    /// `lookup(table, default)`.
    Lookup(Arc<HashMap<String, Value>>, Option<Value>),
    /// `in(values)`.
    In(Vec<Value>),
    /// `hierarchy(sep)`.
    Hierarchy(Box<str>),
    /// `phone(country_code)`.
    Phone(Option<Box<str>>),
    /// `email`.
    Email,
    /// `sha256`.
    Sha256,
    /// `date(format)`.
    Date(Option<Box<str>>),
}

/// Why an argument was refused at compile time.
#[derive(Debug)]
pub struct ArgError {
    /// Index of the argument (after named arguments were put in place).
    pub index: usize,
    /// What is wrong.
    pub message: String,
    /// True when a safety limit was exceeded (a regex too large).
    pub limit: bool,
}

/// Builds a `FilterOp` from constant arguments (in parameter order; `None` for omitted
/// optional ones). `tables` resolves `lookup`'s first argument.
///
/// # Errors
/// An argument of the wrong value (negative length, bad regex, unknown unit).
#[allow(clippy::implicit_hasher)]
pub fn build(
    def: &FilterDef,
    args: &[Option<Value>],
    table: Option<Arc<HashMap<String, Value>>>,
) -> Result<FilterOp, ArgError> {
    let arg = |i: usize| args.get(i).and_then(Option::as_ref);
    let string_arg = |i: usize| arg(i).and_then(Value::as_str).map(Box::<str>::from);
    let number_arg = |i: usize| arg(i).and_then(Value::as_f64);
    let whole = |i: usize, min: i64, max: i64| -> Result<i64, ArgError> {
        let n = number_arg(i).unwrap_or(0.0);
        if n.fract() != 0.0 || n < min as f64 || n > max as f64 {
            return Err(ArgError {
                index: i,
                message: format!("expected a whole number from {min} to {max}"),
                limit: false,
            });
        }
        Ok(n as i64)
    };
    let regex = |i: usize| -> Result<Box<Regex>, ArgError> {
        let pattern = string_arg(i).unwrap_or_default();
        regex::RegexBuilder::new(&pattern)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map(Box::new)
            .map_err(|e| ArgError {
                index: i,
                limit: matches!(e, regex::Error::CompiledTooBig(_)),
                message: match e {
                    regex::Error::CompiledTooBig(_) => {
                        format!("the regex compiles to more than {REGEX_SIZE_LIMIT} bytes")
                    }
                    other => format!("invalid regex: {}", first_line(&other.to_string())),
                },
            })
    };
    Ok(match def.name {
        "lower" => FilterOp::Lower,
        "upper" => FilterOp::Upper,
        "trim" => FilterOp::Trim,
        "title" => FilterOp::Title,
        "string" => FilterOp::String,
        "truncate" => FilterOp::Truncate(whole(0, 0, 1_000_000)? as usize),
        "replace" => FilterOp::Replace(regex(0)?, string_arg(1).unwrap_or_default()),
        "matches" => FilterOp::Matches(regex(0)?),
        "split" => FilterOp::Split(string_arg(0).unwrap_or_default()),
        "join" => FilterOp::Join(string_arg(0).unwrap_or_default()),
        "slice" => {
            let start = whole(0, -1_000_000_000, 1_000_000_000)?;
            let end = if arg(1).is_some() {
                Some(whole(1, -1_000_000_000, 1_000_000_000)?)
            } else {
                None
            };
            FilterOp::Slice(start, end)
        }
        "len" => FilterOp::Len,
        "first" => FilterOp::First,
        "last" => FilterOp::Last,
        "number" => FilterOp::Number,
        "int" => FilterOp::Int,
        "round" => FilterOp::Round(if arg(0).is_some() {
            whole(0, 0, 10)? as i32
        } else {
            0
        }),
        "clamp" => {
            let (lo, hi) = (number_arg(0).unwrap_or(0.0), number_arg(1).unwrap_or(0.0));
            if lo > hi {
                return Err(ArgError {
                    index: 1,
                    message: format!("`hi` ({hi}) is below `lo` ({lo})"),
                    limit: false,
                });
            }
            FilterOp::Clamp(lo, hi)
        }
        "seconds" => match string_arg(0) {
            None => FilterOp::Seconds(TimeUnit::Seconds),
            Some(unit) => FilterOp::Seconds(TimeUnit::parse(&unit).ok_or_else(|| ArgError {
                index: 0,
                message: format!("unknown unit `{unit}`; use \"ms\", \"s\", \"min\" or \"h\""),
                limit: false,
            })?),
        },
        "yes_no" => FilterOp::YesNo,
        "default" => FilterOp::Default,
        "lookup" => FilterOp::Lookup(table.unwrap_or_default(), arg(1).cloned()),
        "in" => FilterOp::In(
            arg(0)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        ),
        "hierarchy" => FilterOp::Hierarchy(string_arg(0).unwrap_or_else(|| " ▸ ".into())),
        "phone" => {
            let cc = string_arg(0);
            if let Some(code) = &cc
                && (code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_digit()))
            {
                return Err(ArgError {
                    index: 0,
                    message: format!(
                        "`{code}` is not a country calling code; write digits such as \"1\" or \"44\""
                    ),
                    limit: false,
                });
            }
            FilterOp::Phone(cc)
        }
        "email" => FilterOp::Email,
        "sha256" => FilterOp::Sha256,
        "date" => FilterOp::Date(string_arg(0)),
        other => {
            return Err(ArgError {
                index: 0,
                message: format!("filter `{other}` has no implementation"),
                limit: false,
            });
        }
    })
}

fn first_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
        .to_string()
}

/// Why a filter gave null for a non-null input (a runtime warning, never the value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The input had a type the filter does not take.
    WrongType,
    /// The input could not be converted (`"abc" | number`).
    Unconvertible,
    /// A date outside 1901–2049.
    OutOfRange,
    /// `lookup` without a default found no entry.
    LookupMiss,
    /// The result would cost more than `limit` (`runtime::cost`); it was not built.
    TooLarge,
}

impl From<OverCap> for Failure {
    fn from(_: OverCap) -> Failure {
        Failure::TooLarge
    }
}

/// Applies a filter to a non-null input (`Default` is handled by the evaluator).
/// Returns null with a `Failure` when the input cannot be converted, or when the result
/// would cost more than `limit` bytes (`runtime::cost`; checked before it is built).
#[must_use]
pub fn apply<'a>(
    op: &FilterOp,
    input: Cow<'a, Value>,
    limit: usize,
) -> (Cow<'a, Value>, Option<Failure>) {
    match apply_inner(op, &input, limit) {
        Ok(Some(value)) => (Cow::Owned(value), None),
        Ok(None) => (input, None),
        Err(failure) => (Cow::Owned(Value::Null), Some(failure)),
    }
}

/// `Ok(None)` means "the input unchanged".
#[allow(clippy::too_many_lines)]
fn apply_inner(op: &FilterOp, input: &Value, limit: usize) -> Result<Option<Value>, Failure> {
    use Failure::{LookupMiss, OutOfRange, TooLarge, Unconvertible, WrongType};
    let text = || input.as_str().ok_or(WrongType);
    let number = || input.as_f64().ok_or(WrongType);
    // A case mapping at most triples the bytes of a character (`ΐ` → `Ϊ́`): beyond a third
    // of the limit, the exact (or, for `title`, the largest possible) size is counted first.
    let case_mapped = |s: &str, bytes: fn(char) -> usize| {
        if s.len().saturating_mul(3) <= limit
            || s.chars().map(bytes).fold(0usize, usize::saturating_add) <= limit
        {
            Ok(())
        } else {
            Err(TooLarge)
        }
    };
    if let Some(digits) = number::big(input) {
        return big_filter(op, digits, input, limit);
    }
    let out = match op {
        FilterOp::Lower => {
            let s = text()?;
            case_mapped(s, |c| c.to_lowercase().map(char::len_utf8).sum())?;
            Value::String(s.to_lowercase())
        }
        FilterOp::Upper => {
            let s = text()?;
            case_mapped(s, |c| c.to_uppercase().map(char::len_utf8).sum())?;
            Value::String(s.to_uppercase())
        }
        FilterOp::Trim => {
            let s = text()?;
            let trimmed = s.trim();
            if trimmed.len() == s.len() {
                return Ok(None);
            }
            Value::String(trimmed.to_string())
        }
        FilterOp::Title => {
            let s = text()?;
            case_mapped(s, |c| {
                let upper: usize = c.to_uppercase().map(char::len_utf8).sum();
                let lower: usize = c.to_lowercase().map(char::len_utf8).sum();
                upper.max(lower)
            })?;
            Value::String(convert::title_case(s))
        }
        FilterOp::String => match input {
            Value::String(_) => return Ok(None),
            _ => Value::String(convert::render_scalar(input).ok_or(WrongType)?.into_owned()),
        },
        FilterOp::Truncate(n) => {
            let (cut, was_cut) = convert::truncate_chars(text()?, *n);
            if !was_cut {
                return Ok(None);
            }
            Value::String(cut.to_string())
        }
        FilterOp::Replace(re, with) => match replace_bounded(re, text()?, with, limit)? {
            Some(replaced) => Value::String(replaced),
            None => return Ok(None),
        },
        FilterOp::Matches(re) => Value::Bool(re.is_match(text()?)),
        FilterOp::Split(sep) => {
            let s = text()?;
            // Counted before anything is built: one element per part, plus the text.
            let count = if sep.is_empty() {
                s.chars().count()
            } else {
                s.matches(sep.as_ref()).count() + 1
            };
            let cost = count.saturating_mul(ELEMENT_COST).saturating_add(s.len());
            if cost > limit {
                return Err(TooLarge);
            }
            let parts: Vec<Value> = if sep.is_empty() {
                s.chars().map(|c| Value::String(c.to_string())).collect()
            } else {
                s.split(sep.as_ref())
                    .map(|p| Value::String(p.to_string()))
                    .collect()
            };
            Value::Array(parts)
        }
        FilterOp::Join(sep) => {
            let items = input.as_array().ok_or(WrongType)?;
            let mut out = Bounded::new(limit);
            let mut too_large = false;
            for item in items {
                let rendered = match item {
                    Value::Null => continue,
                    other => convert::render_scalar(other).ok_or(WrongType)?,
                };
                if rendered.is_empty() || too_large {
                    continue;
                }
                if out.len() > 0 {
                    too_large = out.push(sep).is_err();
                }
                too_large = too_large || out.push(&rendered).is_err();
            }
            // A wrong element anywhere is `filter-failed`, whatever the size.
            if too_large {
                return Err(TooLarge);
            }
            Value::String(out.into_string())
        }
        FilterOp::Slice(start, end) => match input {
            Value::String(s) => {
                // Byte offsets of the character positions, without a `Vec<char>` (4 bytes
                // per character) of the whole text.
                let (a, b) = slice_bounds(s.chars().count(), *start, *end);
                let mut offsets = s
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain(std::iter::once(s.len()));
                let from = offsets.nth(a).unwrap_or(s.len());
                let to = if b > a {
                    offsets.nth(b - a - 1).unwrap_or(s.len())
                } else {
                    from
                };
                Value::String(s.get(from..to).unwrap_or_default().to_string())
            }
            Value::Array(items) => {
                let (a, b) = slice_bounds(items.len(), *start, *end);
                let part = &items[a..b];
                let cost = part.iter().fold(0usize, |sum, item| {
                    sum.saturating_add(ELEMENT_COST + value_cost(item))
                });
                if cost > limit {
                    return Err(TooLarge);
                }
                Value::Array(part.to_vec())
            }
            _ => return Err(WrongType),
        },
        FilterOp::Len => match input {
            Value::Null => Value::from(0),
            Value::String(s) => Value::from(convert::char_len(s)),
            Value::Array(a) => Value::from(a.len()),
            Value::Object(o) => Value::from(o.len()),
            _ => return Err(WrongType),
        },
        FilterOp::First | FilterOp::Last => {
            let first = matches!(op, FilterOp::First);
            match input {
                Value::Array(items) => {
                    let item = if first { items.first() } else { items.last() };
                    if item.is_some_and(|item| value_cost(item) > limit) {
                        return Err(TooLarge);
                    }
                    item.cloned().unwrap_or(Value::Null)
                }
                Value::String(s) => {
                    let c = if first {
                        s.chars().next()
                    } else {
                        s.chars().next_back()
                    };
                    c.map_or(Value::Null, |c| Value::String(c.to_string()))
                }
                _ => return Err(WrongType),
            }
        }
        FilterOp::Number => match input {
            Value::Number(_) => return Ok(None),
            Value::String(s) => {
                convert::number_value(convert::parse_number(s).ok_or(Unconvertible)?)
                    .ok_or(Unconvertible)?
            }
            _ => return Err(WrongType),
        },
        FilterOp::Int => {
            let n = match input {
                Value::Number(n) => n.as_f64().ok_or(Unconvertible)?,
                Value::String(s) => convert::parse_number(s).ok_or(Unconvertible)?,
                _ => return Err(WrongType),
            };
            if let Value::Number(n) = input
                && (n.is_i64() || n.is_u64())
            {
                return Ok(None);
            }
            convert::number_value(n.trunc()).ok_or(Unconvertible)?
        }
        FilterOp::Round(digits) => {
            let n = number()?;
            let factor = 10f64.powi(*digits);
            let rounded = (n * factor).round() / factor;
            convert::number_value(if rounded.is_finite() { rounded } else { n })
                .ok_or(Unconvertible)?
        }
        FilterOp::Clamp(lo, hi) => {
            convert::number_value(number()?.clamp(*lo, *hi)).ok_or(Unconvertible)?
        }
        FilterOp::Seconds(unit) => {
            if !matches!(input, Value::Number(_) | Value::String(_)) {
                return Err(WrongType);
            }
            convert::number_value(convert::parse_seconds(input, *unit).ok_or(Unconvertible)?)
                .ok_or(Unconvertible)?
        }
        FilterOp::YesNo => {
            let flag = convert::parse_yes_no(input).ok_or(
                if matches!(input, Value::Array(_) | Value::Object(_)) {
                    WrongType
                } else {
                    Unconvertible
                },
            )?;
            Value::String(crate::catalog::yes_no_spelling(flag).to_string())
        }
        FilterOp::Default => return Ok(None),
        FilterOp::Lookup(table, default) => {
            let key = match input {
                Value::Array(_) | Value::Object(_) => return Err(WrongType),
                other => convert::render_scalar(other).ok_or(WrongType)?,
            };
            match table.get(key.as_ref()) {
                Some(value) => value.clone(),
                None => match default {
                    Some(value) => value.clone(),
                    None => return Err(LookupMiss),
                },
            }
        }
        FilterOp::In(values) => Value::Bool(values.iter().any(|v| values_equal(v, input))),
        FilterOp::Hierarchy(sep) => {
            let mut out = Bounded::new(limit);
            let mut too_large = false;
            convert::for_each_hierarchy_level(input, &mut |level| {
                too_large = (out.len() > 0 && out.push(sep).is_err()) || out.push(level).is_err();
                !too_large
            })
            .ok_or(WrongType)?;
            if too_large {
                return Err(TooLarge);
            }
            Value::String(out.into_string())
        }
        FilterOp::Phone(cc) => {
            let rendered = match input {
                Value::String(s) => Cow::Borrowed(s.as_str()),
                Value::Number(_) => convert::render_scalar(input).ok_or(WrongType)?,
                _ => return Err(WrongType),
            };
            Value::String(convert::normalize_phone(&rendered, cc.as_deref()).ok_or(Unconvertible)?)
        }
        FilterOp::Email => Value::String(convert::normalize_email(text()?).ok_or(Unconvertible)?),
        FilterOp::Sha256 => {
            let rendered = match input {
                Value::Array(_) | Value::Object(_) => return Err(WrongType),
                other => convert::render_scalar(other).ok_or(WrongType)?,
            };
            Value::String(convert::sha256_hex(&rendered))
        }
        FilterOp::Date(format) => {
            if !matches!(input, Value::Number(_) | Value::String(_)) {
                return Err(WrongType);
            }
            match convert::parse_date(input, format.as_deref()) {
                Ok(ms) => Value::from(ms),
                Err(convert::DateError::OutOfRange) => return Err(OutOfRange),
                Err(convert::DateError::Unparsable) => return Err(Unconvertible),
            }
        }
    };
    Ok(Some(out))
}

/// A filter on a big integer (`runtime::number`): text filters see its digits, `number`
/// and `int` keep it, `==` and `in` compare it exactly, and the numeric filters read the
/// nearest float.
fn big_filter(
    op: &FilterOp,
    digits: &str,
    input: &Value,
    limit: usize,
) -> Result<Option<Value>, Failure> {
    match op {
        FilterOp::Number | FilterOp::Int => Ok(None),
        FilterOp::String => Ok(Some(Value::String(digits.to_string()))),
        FilterOp::Sha256 | FilterOp::Lookup(..) | FilterOp::Phone(_) | FilterOp::Hierarchy(_) => {
            apply_inner(op, &Value::String(digits.to_string()), limit)
        }
        FilterOp::In(values) => Ok(Some(Value::Bool(
            values.iter().any(|v| values_equal(v, input)),
        ))),
        _ => apply_inner(
            op,
            &number::approximate(input).ok_or(Failure::Unconvertible)?,
            limit,
        ),
    }
}

fn slice_bounds(len: usize, start: i64, end: Option<i64>) -> (usize, usize) {
    let resolve = |i: i64| -> usize {
        if i < 0 {
            len.saturating_sub(usize::try_from(i.unsigned_abs()).unwrap_or(usize::MAX))
        } else {
            usize::try_from(i).unwrap_or(usize::MAX).min(len)
        }
    };
    let a = resolve(start);
    let b = end.map_or(len, resolve);
    (a, b.max(a))
}

/// `==` on values: numbers compare by value (1 == 1.0), everything else structurally.
#[must_use]
pub fn values_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            if let (Some(x), Some(y)) = (x.as_i64(), y.as_i64()) {
                x == y
            } else if let (Some(x), Some(y)) = (x.as_u64(), y.as_u64()) {
                x == y
            } else {
                x.as_f64() == y.as_f64()
            }
        }
        (Value::Object(_), _) | (_, Value::Object(_)) => match (number::big(a), number::big(b)) {
            (Some(x), Some(y)) => x == y,
            // A big integer never equals an i64 or u64; a float is compared by value.
            (Some(_), None) | (None, Some(_)) => match (a, b) {
                (Value::Number(n), _) | (_, Value::Number(n)) if n.is_f64() => {
                    number::as_f64(a) == number::as_f64(b)
                }
                _ => false,
            },
            (None, None) => a == b,
        },
        _ => a == b,
    }
}

/// `re.replace_all(text, with)`, built within `limit` bytes: `None` when nothing matched
/// (the input is unchanged). A replacement with group references (`$1`) is checked against
/// its largest possible size (every reference as long as the whole match) before it is
/// expanded.
fn replace_bounded(
    re: &Regex,
    text: &str,
    with: &str,
    limit: usize,
) -> Result<Option<String>, OverCap> {
    let mut out = Bounded::new(limit);
    let mut last = 0;
    let mut matched = false;
    if with.contains('$') {
        let references = with.matches('$').count();
        let mut expanded = String::new();
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            matched = true;
            out.push(&text[last..m.start()])?;
            let largest = with
                .len()
                .saturating_add(references.saturating_mul(m.len()));
            if out.len().saturating_add(largest) > limit {
                return Err(OverCap);
            }
            expanded.clear();
            caps.expand(with, &mut expanded);
            out.push(&expanded)?;
            last = m.end();
        }
    } else {
        for m in re.find_iter(text) {
            matched = true;
            out.push(&text[last..m.start()])?;
            out.push(with)?;
            last = m.end();
        }
    }
    if !matched {
        return Ok(None);
    }
    out.push(&text[last..])?;
    Ok(Some(out.into_string()))
}
