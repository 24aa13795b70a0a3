//! Coercion of an evaluated value to its target kind (SPEC §4): what Insights accepts,
//! converted where it safely can be, dropped with a warning where it cannot.

use std::borrow::Cow;

use serde_json::Value;

use super::WarningKind;
use super::{convert, number};
use crate::catalog::{Kind, TEXT_CHARS};

/// Coerces `value` for a target of `kind` (`None`: an `extra` attribute, written as is).
/// Returns the value to write (nothing for null and blank strings; still borrowed when it is
/// written unchanged) and at most one warning.
pub(super) fn coerce<'a>(
    kind: Option<Kind>,
    values: &'static [&'static str],
    value: Cow<'a, Value>,
) -> (Option<Cow<'a, Value>>, Option<WarningKind>) {
    if value.is_null() || value.as_str().is_some_and(is_blank) {
        return (None, None);
    }
    let Some(kind) = kind else {
        return (Some(value), None);
    };
    let owned = |v: Value| Some(Cow::Owned(v));
    match kind {
        Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy => text(value),
        Kind::Enum => {
            let (written, warning) = text(value);
            let Some(written) = written else {
                return (None, warning);
            };
            let Value::String(s) = written.as_ref() else {
                return (Some(written), warning);
            };
            let canonical = values
                .iter()
                .find(|v| v.eq_ignore_ascii_case(s.trim()))
                .copied();
            match canonical {
                Some(canonical) => (owned(Value::String(canonical.to_string())), warning),
                None if values.is_empty() => (Some(written), warning),
                None => (
                    Some(written),
                    Some(warning.unwrap_or(WarningKind::UnknownEnumValue)),
                ),
            }
        }
        Kind::YesNo => match convert::parse_yes_no(&value) {
            Some(flag) => (
                owned(Value::String(crate::catalog::yes_no_spelling(flag).into())),
                None,
            ),
            None => (None, Some(WarningKind::Dropped)),
        },
        // A big integer is copied as written (SPEC: never rounded through a float).
        Kind::Measure | Kind::Duration => match value.as_ref() {
            Value::Number(_) => (Some(value), None),
            other if number::big(other).is_some() => (Some(value), None),
            Value::String(s) => match convert::parse_number(s).and_then(convert::number_value) {
                Some(n) => (owned(n), None),
                None => (None, Some(WarningKind::Dropped)),
            },
            _ => (None, Some(WarningKind::Dropped)),
        },
        Kind::Date => {
            match convert::parse_date(number::approximate(&value).as_ref().unwrap_or(&value), None)
            {
                Ok(ms) => (owned(Value::from(ms)), None),
                Err(convert::DateError::OutOfRange) => (None, Some(WarningKind::DateOutOfRange)),
                Err(convert::DateError::Unparsable) => (None, Some(WarningKind::Dropped)),
            }
        }
        Kind::Url => match value.as_str() {
            Some(s) if convert::is_http_url(s) => (Some(value), None),
            _ => (None, Some(WarningKind::Dropped)),
        },
        Kind::List => match value.as_ref() {
            Value::Array(items) if items.iter().all(number::is_object) => (Some(value), None),
            _ => (None, Some(WarningKind::Dropped)),
        },
    }
}

/// `s.trim().is_empty()`, answered from the first byte when it is a visible ASCII character.
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => s.trim().is_empty(),
    }
}

/// Text kinds: strings (cut to `TEXT_CHARS` characters), numbers and booleans rendered.
fn text(value: Cow<'_, Value>) -> (Option<Cow<'_, Value>>, Option<WarningKind>) {
    // A string that needs no cut is written as it is, without a copy.
    if let Value::String(s) = value.as_ref() {
        let (cut, was_cut) = convert::truncate_chars(s, TEXT_CHARS);
        if is_blank(cut) {
            return (None, None);
        }
        if !was_cut {
            return (Some(value), None);
        }
        return (
            Some(Cow::Owned(Value::String(cut.to_string()))),
            Some(WarningKind::Truncated),
        );
    }
    // Arrays and objects give `None`; a big integer gives its digits.
    let rendered = convert::render_scalar(value.as_ref());
    let Some(rendered) = rendered else {
        return (None, Some(WarningKind::Dropped));
    };
    let (cut, was_cut) = convert::truncate_chars(&rendered, TEXT_CHARS);
    if is_blank(cut) {
        return (None, None);
    }
    (
        Some(Cow::Owned(Value::String(cut.to_string()))),
        was_cut.then_some(WarningKind::Truncated),
    )
}

#[cfg(test)]
mod tests {
    use super::is_blank;

    #[test]
    fn blank_is_trim_empty() {
        for s in [
            "",
            " ",
            "\t\n",
            "\u{3000}",
            "\u{85}",
            "\u{b}",
            "a",
            " a",
            "\u{3000}x",
            "é",
            "-",
        ] {
            assert_eq!(is_blank(s), s.trim().is_empty(), "{s:?}");
        }
    }
}
