//! Coercion of an evaluated value to its target kind (SPEC §4): what Insights accepts,
//! converted where it safely can be, dropped with a warning where it cannot.

use std::borrow::Cow;

use serde_json::Value;

use super::WarningKind;
use super::convert;
use crate::catalog::Kind;

/// Insights keeps the first 128 characters of a text value.
pub const MAX_TEXT_CHARS: usize = 128;

/// Coerces `value` for a target of `kind` (`None`: an `extra` attribute, written as is).
/// Returns the value to write (nothing for null and blank strings) and at most one warning.
pub(super) fn coerce(
    kind: Option<Kind>,
    values: &'static [&'static str],
    value: Cow<'_, Value>,
) -> (Option<Value>, Option<WarningKind>) {
    if value.is_null() || value.as_str().is_some_and(|s| s.trim().is_empty()) {
        return (None, None);
    }
    let Some(kind) = kind else {
        return (Some(value.into_owned()), None);
    };
    match kind {
        Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy => text(value),
        Kind::Enum => {
            let (written, warning) = text(value);
            let Some(Value::String(s)) = written else {
                return (written, warning);
            };
            match values.iter().find(|v| v.eq_ignore_ascii_case(s.trim())) {
                Some(canonical) => (Some(Value::String((*canonical).to_string())), warning),
                None if values.is_empty() => (Some(Value::String(s)), warning),
                None => (
                    Some(Value::String(s)),
                    Some(warning.unwrap_or(WarningKind::UnknownEnumValue)),
                ),
            }
        }
        Kind::YesNo => match convert::parse_yes_no(&value) {
            Some(flag) => (
                Some(Value::String(if flag { "Yes" } else { "No" }.into())),
                None,
            ),
            None => (None, Some(WarningKind::Dropped)),
        },
        Kind::Measure | Kind::Duration => match value.as_ref() {
            Value::Number(_) => (Some(value.into_owned()), None),
            Value::String(s) => match convert::parse_number(s).and_then(convert::number_value) {
                Some(n) => (Some(n), None),
                None => (None, Some(WarningKind::Dropped)),
            },
            _ => (None, Some(WarningKind::Dropped)),
        },
        Kind::Date => match convert::parse_date(&value, None) {
            Ok(ms) => (Some(Value::from(ms)), None),
            Err(convert::DateError::OutOfRange) => (None, Some(WarningKind::DateOutOfRange)),
            Err(convert::DateError::Unparsable) => (None, Some(WarningKind::Dropped)),
        },
        Kind::Url => match value.as_str() {
            Some(s) if convert::is_http_url(s) => (Some(value.into_owned()), None),
            _ => (None, Some(WarningKind::Dropped)),
        },
        Kind::List => match value.as_ref() {
            Value::Array(items) if items.iter().all(Value::is_object) => {
                (Some(value.into_owned()), None)
            }
            _ => (None, Some(WarningKind::Dropped)),
        },
    }
}

/// Text kinds: strings (cut to 128 characters), numbers and booleans rendered.
fn text(value: Cow<'_, Value>) -> (Option<Value>, Option<WarningKind>) {
    // An owned string that needs no cut is written as it is, without a copy.
    if let Cow::Owned(Value::String(s)) = value {
        let (cut, was_cut) = convert::truncate_chars(&s, MAX_TEXT_CHARS);
        if cut.trim().is_empty() {
            return (None, None);
        }
        if !was_cut {
            return (Some(Value::String(s)), None);
        }
        return (
            Some(Value::String(cut.to_string())),
            Some(WarningKind::Truncated),
        );
    }
    let rendered = match value.as_ref() {
        Value::Array(_) | Value::Object(_) => return (None, Some(WarningKind::Dropped)),
        other => convert::render_scalar(other),
    };
    let Some(rendered) = rendered else {
        return (None, Some(WarningKind::Dropped));
    };
    let (cut, was_cut) = convert::truncate_chars(&rendered, MAX_TEXT_CHARS);
    if cut.trim().is_empty() {
        return (None, None);
    }
    (
        Some(Value::String(cut.to_string())),
        was_cut.then_some(WarningKind::Truncated),
    )
}
