//! Value conversions shared by filters and target coercion: pure, total, never panic.
//!
//! Every function here takes borrowed input and returns a plain value, an `Option` or a
//! small error enum; none of them reads the clock, the environment or any global state,
//! and none panics, whatever the input (huge strings, multibyte text, `u64::MAX`, `1e308`, …).
//! The expression filters (`truncate`, `title`, `yes_no`, `number`, `seconds`, `phone`,
//! `email`, `sha256`, `date`, `hierarchy`) and the per-target-kind coercion both call into
//! this module, so a value converts the same way wherever it is written.
//!
//! The generated JavaScript runtime must reproduce these rules exactly, so they are kept
//! explicit and small; each choice the specification left open is written down on the
//! function that makes it.

use std::borrow::Cow;

use chrono::format::{Parsed, StrftimeItems};
use chrono::{DateTime, FixedOffset};
use serde_json::{Number, Value};
use sha2::{Digest, Sha256};

/// First `max` Unicode scalar values of `s` (borrowed when no cut is needed). Returns `(text, was_cut)`.
///
/// Counts `char`s, not bytes or grapheme clusters, so a cut never splits a UTF-8 sequence
/// but may separate a base letter from a following combining mark. For example
/// `truncate_chars("héllo", 2)` gives `("hé", true)` and `truncate_chars("hi", 5)` gives
/// `("hi", false)`.
#[must_use]
pub fn truncate_chars(s: &str, max: usize) -> (&str, bool) {
    // A character is at least one byte: a string of at most `max` bytes is never cut.
    if s.len() <= max {
        return (s, false);
    }
    match s.char_indices().nth(max) {
        Some((cut_at, _)) => match s.get(..cut_at) {
            Some(kept) => (kept, true),
            // Unreachable: `char_indices` only yields character boundaries.
            None => (s, false),
        },
        None => (s, false),
    }
}

/// Number of Unicode scalar values.
///
/// For example `char_len("héllo")` is 5 (six bytes) and `char_len("👍🏽")` is 2 (a base
/// emoji plus a skin-tone modifier).
#[must_use]
pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// Title case: the first letter of each word upper case, the rest of the word lower case.
///
/// For example `title_case("hello wORLD-foo")` is `"Hello World-Foo"` and
/// `title_case("o'brien")` is `"O'Brien"`.
///
/// Rules (Unicode aware, no locale):
/// - A word is a maximal run of alphanumeric characters (`char::is_alphanumeric`) and
///   combining diacritical marks (U+0300–U+036F, U+1AB0–U+1AFF, U+1DC0–U+1DFF,
///   U+20D0–U+20FF, U+FE20–U+FE2F), so a decomposed "e\u{301}cole" stays one word.
/// - Every other character (whitespace, `-`, `/`, `.`, `_`, brackets, emoji, …) separates
///   words and is copied unchanged.
/// - Apostrophes (`'` and `’`) separate words too, with one exception: an apostrophe that
///   directly follows a word of two or more characters does not start a capitalised word,
///   so "don't" is "Don't" and "it's" is "It's", while "o'neil" is "O'Neil" and
///   "d'arcy" is "D'Arcy".
/// - Digits count as word characters, so "3rd street" is "3rd Street".
/// - The first character is mapped with `char::to_uppercase` (which may expand, e.g. `ß`
///   to `SS`), the rest with `str::to_lowercase` (so a word-final Greek sigma becomes `ς`).
///   There is no special casing for names such as `McDonald`.
#[must_use]
pub fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut previous = PreviousToken::Separator;
    let mut rest = s;
    while let Some(first) = rest.chars().next() {
        if is_word_char(first) {
            let word_end = rest
                .char_indices()
                .find(|&(_, c)| !is_word_char(c))
                .map_or(rest.len(), |(index, _)| index);
            let Some((word, tail)) = rest.split_at_checked(word_end) else {
                // Unreachable: `word_end` is a character boundary.
                out.push_str(rest);
                break;
            };
            let capitalise = !matches!(previous, PreviousToken::ApostropheAfterLongWord);
            if capitalise {
                out.extend(first.to_uppercase());
                let mut after_first = word.chars();
                after_first.next();
                out.push_str(&after_first.as_str().to_lowercase());
            } else {
                out.push_str(&word.to_lowercase());
            }
            previous = PreviousToken::Word {
                single_letter: first.is_alphabetic() && word.chars().nth(1).is_none(),
            };
            rest = tail;
        } else {
            out.push(first);
            previous = if is_apostrophe(first)
                && matches!(
                    previous,
                    PreviousToken::Word {
                        single_letter: false
                    }
                ) {
                PreviousToken::ApostropheAfterLongWord
            } else {
                PreviousToken::Separator
            };
            rest = rest.get(first.len_utf8()..).unwrap_or("");
        }
    }
    out
}

/// Yes/No flag parsing: JSON bool; strings (trimmed, any case) "yes","y","true","1","on" -> true and "no","n","false","0","off" -> false; numbers 1 and 0. Anything else None.
///
/// For example `parse_yes_no(&json!(" YES "))` is `Some(true)`, `parse_yes_no(&json!(0))`
/// is `Some(false)` and `parse_yes_no(&json!("maybe"))` is `None`. Strings are trimmed of
/// Unicode whitespace and compared ASCII-case-insensitively; the numbers `1.0` and `0.0`
/// count like `1` and `0`; `null`, arrays and objects give `None`.
#[must_use]
pub fn parse_yes_no(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(flag) => Some(*flag),
        Value::Number(number) => match number.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(text) => {
            let text = text.trim();
            let is_any = |words: &[&str]| words.iter().any(|w| text.eq_ignore_ascii_case(w));
            if is_any(crate::catalog::limits::YES_WORDS) {
                Some(true)
            } else if is_any(crate::catalog::limits::NO_WORDS) {
                Some(false)
            } else {
                None
            }
        }
        Value::Null | Value::Array(_) | Value::Object(_) => None,
    }
}

/// Strict numeric string: trims ASCII whitespace; accepts optional sign, digits, optional fraction, optional exponent. Result must be finite.
///
/// For example `parse_number(" -3.5 ")` is `Some(-3.5)` and `parse_number("1e3")` is
/// `Some(1000.0)`, while `""`, `"NaN"`, `"inf"`, `"0x10"`, `"1,000"`, `"1_000"`,
/// `"12abc"` and `"1e400"` (overflows) are `None`.
///
/// Grammar: `[+-]? (digits ("." digits?)? | "." digits) ([eE] [+-]? digits)?` with ASCII
/// digits only, so `".5"`, `"5."` and `"+5"` are accepted (as in JavaScript's `Number`),
/// and leading zeros (`"007"`) are allowed. `"-0"` gives `-0.0`.
#[must_use]
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim_matches(|c: char| c.is_ascii_whitespace());
    if !is_strict_decimal(s) {
        return None;
    }
    s.parse::<f64>().ok().filter(|x| x.is_finite())
}

/// JSON number from an f64: integral values within ±2^53 become integers (5.0 -> 5), others floats; None for non-finite.
///
/// For example `number_value(5.0)` is `Some(json!(5))`, `number_value(2.5)` is
/// `Some(json!(2.5))`, `number_value(-0.0)` is `Some(json!(0))` and `number_value(f64::NAN)`
/// is `None`. Integral values beyond ±2^53 (e.g. `1e20`) stay floats, because they are no
/// longer exact integers.
#[must_use]
pub fn number_value(x: f64) -> Option<Value> {
    if !x.is_finite() {
        return None;
    }
    if let Some(integer) = exact_integer(x) {
        return Some(Value::from(integer));
    }
    Number::from_f64(x).map(Value::Number)
}

/// Renders a scalar for string contexts: strings as is, numbers as JSON renders them (5, 2.5, big integers exactly), bools "true"/"false", null "" . Arrays/objects -> None.
///
/// For example `render_scalar(&json!("a"))` borrows `"a"`, `render_scalar(&json!(2.5))`
/// is `"2.5"`, `render_scalar(&json!(u64::MAX))` is `"18446744073709551615"` and
/// `render_scalar(&json!([1]))` is `None`.
///
/// A float with an integral value within ±2^53 renders without a fraction (`5.0` gives
/// `"5"`, `-0.0` gives `"0"`), matching `number_value` and JavaScript's `String(x)`.
/// Other floats use `serde_json`'s shortest round-trip form (`2.5`, `1e+300`, `1.5e-7`).
#[must_use]
pub fn render_scalar(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(text) => Some(Cow::Borrowed(text.as_str())),
        Value::Number(number) => Some(Cow::Owned(render_number(number))),
        Value::Bool(true) => Some(Cow::Borrowed("true")),
        Value::Bool(false) => Some(Cow::Borrowed("false")),
        Value::Null => Some(Cow::Borrowed("")),
        Value::Object(map) => super::number::big_in(map).map(Cow::Borrowed),
        Value::Array(_) => None,
    }
}

/// Unit in which a bare number given to `parse_seconds` is expressed.
///
/// For example `TimeUnit::Milliseconds` makes `133000` mean 133 seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeUnit {
    /// Thousandths of a second: `1500` is 1.5 s.
    Milliseconds,
    /// Seconds: `90` is 90 s.
    Seconds,
    /// Minutes: `1.5` is 90 s.
    Minutes,
    /// Hours: `2` is 7200 s.
    Hours,
}

impl TimeUnit {
    /// Parses a unit name: "ms", "s", "sec", "m", "min", "h", "hr" and their long forms.
    ///
    /// For example `TimeUnit::parse("min")` is `Some(TimeUnit::Minutes)` and
    /// `TimeUnit::parse("days")` is `None`. The name is trimmed and compared
    /// ASCII-case-insensitively; also accepted are "msec", "millis", "millisecond(s)",
    /// "secs", "second(s)", "mins", "minute(s)", "hrs", "hour(s)".
    #[must_use]
    pub fn parse(s: &str) -> Option<TimeUnit> {
        let name = s.trim().to_ascii_lowercase();
        match name.as_str() {
            "ms" | "msec" | "millis" | "millisecond" | "milliseconds" => {
                Some(TimeUnit::Milliseconds)
            }
            "s" | "sec" | "secs" | "second" | "seconds" => Some(TimeUnit::Seconds),
            "m" | "min" | "mins" | "minute" | "minutes" => Some(TimeUnit::Minutes),
            "h" | "hr" | "hrs" | "hour" | "hours" => Some(TimeUnit::Hours),
            _ => None,
        }
    }

    /// Seconds in one of this unit.
    fn seconds_per_unit(self) -> f64 {
        match self {
            TimeUnit::Milliseconds => 0.001,
            TimeUnit::Seconds => 1.0,
            TimeUnit::Minutes => 60.0,
            TimeUnit::Hours => 3600.0,
        }
    }
}

/// Duration in seconds from a number, a numeric string, or a clock string.
///
/// For example `parse_seconds(&json!("00:02:13"), TimeUnit::Seconds)` is `Some(133.0)`,
/// `parse_seconds(&json!("133"), TimeUnit::Seconds)` is `Some(133.0)` and
/// `parse_seconds(&json!(133000), TimeUnit::Milliseconds)` is `Some(133.0)`.
///
/// Numbers and numeric strings (see `parse_number`) are read in `unit`. A string holding
/// a `:` is a clock string, always read as clock time regardless of `unit`: `MM:SS` or
/// `HH:MM:SS`; the leading field is one or more ASCII digits with no upper bound
/// (`"75:30"` is 4530 s), each later field exactly two digits below 60, and only the last
/// field may carry a fraction (`"1:02:03.250"` is 3723.25 s). Signs are not allowed in
/// clock strings. Negative or non-finite results, bools, `null`, arrays and objects give
/// `None`. The result is never `-0.0`.
#[must_use]
pub fn parse_seconds(v: &Value, unit: TimeUnit) -> Option<f64> {
    let seconds = match v {
        Value::Number(number) => number.as_f64()? * unit.seconds_per_unit(),
        Value::String(text) => {
            let text = text.trim();
            if text.contains(':') {
                parse_clock(text)?
            } else {
                parse_number(text)? * unit.seconds_per_unit()
            }
        }
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => return None,
    };
    if seconds.is_finite() && seconds >= 0.0 {
        // Adding 0.0 turns -0.0 into 0.0.
        Some(seconds + 0.0)
    } else {
        None
    }
}

/// E.164 normalisation where it can; `None` when the input cannot be a phone number.
///
/// For example `normalize_phone("+44 20 7946 0958", None)` is `"+442079460958"`,
/// `normalize_phone("(415) 555-0100", Some("1"))` is `"+14155550100"`,
/// `normalize_phone("020 7946 0958", Some("44"))` is `"+442079460958"` and
/// `normalize_phone("555-0100", None)` is `None`.
///
/// Rules:
/// - Trim; strip a `tel:` prefix (any case); drop Unicode whitespace, `-`, the dashes
///   U+2010–U+2015, `.`, `(` and `)`. Any other character (letters, `/`, `;ext=`, non-ASCII
///   digits, a `+` that is not the first character) gives `None`.
/// - With a leading `+`, or a leading `00` (international prefix, replaced by `+`), the
///   digits are the international number; `default_country` is not used.
/// - Otherwise, with `default_country` (trimmed, an optional leading `+` ignored; it must
///   be 1–3 ASCII digits not starting with `0`, else `None`):
///   - for `"1"` (NANP) the national number must be 10 digits, or 11 digits starting with
///     `1` (the country code already present, which is then dropped); anything else is
///     `None`, so `"555-0100"` is `None` even with `Some("1")`;
///   - for other countries one leading trunk `0` is dropped and the code prefixed.
/// - Otherwise (no country) an 11–15 digit number is taken as already international; a
///   shorter one is `None`.
/// - The international number must be 8–15 digits and must not start with `0`.
#[must_use]
pub fn normalize_phone(s: &str, default_country: Option<&str>) -> Option<String> {
    let text = s.trim();
    let text = strip_prefix_ignore_ascii_case(text, "tel:").unwrap_or(text);

    let mut digits = String::with_capacity(text.len());
    let mut has_plus = false;
    for c in text.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else if c == '+' && digits.is_empty() && !has_plus {
            has_plus = true;
        } else if !is_phone_punctuation(c) {
            return None;
        }
    }

    let international = if has_plus {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if let Some(country) = default_country {
        let country = country.trim();
        let country = country.strip_prefix('+').unwrap_or(country);
        let valid_country = (1..=3).contains(&country.len())
            && country.bytes().all(|b| b.is_ascii_digit())
            && !country.starts_with('0');
        if !valid_country {
            return None;
        }
        if country == "1" {
            let national = match digits.len() {
                10 => digits.as_str(),
                11 => digits.strip_prefix('1')?,
                _ => return None,
            };
            format!("1{national}")
        } else {
            let national = digits.strip_prefix('0').unwrap_or(&digits);
            format!("{country}{national}")
        }
    } else if (11..=15).contains(&digits.len()) {
        digits
    } else {
        return None;
    };

    let valid = (8..=15).contains(&international.len()) && !international.starts_with('0');
    valid.then(|| format!("+{international}"))
}

/// Trimmed, lower-cased e-mail address if it looks valid; else `None`.
///
/// For example `normalize_email(" Mailto:Ann.Lee@Example.COM ")` is
/// `Some("ann.lee@example.com")`, while `"ann@example"`, `"ann lee@example.com"` and
/// `"a@@b.com"` are `None`.
///
/// Rules, checked after trimming, stripping a `mailto:` prefix (any case) and lower-casing
/// (Unicode `to_lowercase`):
/// - exactly one `@`; at most 254 characters in all;
/// - local part: 1–64 characters, no whitespace or control characters, none of
///   `" ( ) , : ; < > [ \ ]` (quoted local parts are not supported), no leading or
///   trailing `.` and no `..`;
/// - domain: at least two dot-separated labels, each 1–63 characters of alphanumerics
///   (Unicode letters allowed, for internationalised domains) and `-`, not starting or
///   ending with `-`; the last label has at least two characters and is not all digits
///   (so IP-address domains and a trailing dot are rejected).
#[must_use]
pub fn normalize_email(s: &str) -> Option<String> {
    let text = s.trim();
    let text = strip_prefix_ignore_ascii_case(text, "mailto:").unwrap_or(text);
    // Lower-casing never makes fewer characters, and 254 characters are at most 1016 bytes:
    // a longer text is no address, and is not copied to find out.
    if text.len() > 254 * 4 {
        return None;
    }
    let address = text.to_lowercase();
    if char_len(&address) > 254 {
        return None;
    }
    let (local, domain) = address.split_once('@')?;
    if domain.contains('@') || !is_email_local_part(local) || !is_email_domain(domain) {
        return None;
    }
    Some(address)
}

/// Lower-case hex SHA-256 of the UTF-8 bytes.
///
/// For example `sha256_hex("")` is
/// `"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"`. The input is hashed
/// as given: callers normalise (e.g. with `normalize_email`) first when they want the same
/// person to map to the same key.
#[must_use]
pub fn sha256_hex(s: &str) -> String {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(s.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        for nibble in [byte >> 4, byte & 0x0f] {
            let digit = HEX_DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.push(char::from(digit));
        }
    }
    out
}

/// Why `parse_date` gave no date.
///
/// For example `"next tuesday"` is `Unparsable` and `"2050-01-01"` is `OutOfRange`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateError {
    /// No accepted form matched, e.g. `"03/05/2024"` without a format, or `true`.
    Unparsable,
    /// A valid date outside 1901-01-01T00:00:00Z ..= 2049-12-31T23:59:59.999Z, e.g.
    /// `"1900-12-31"`.
    OutOfRange,
}

/// The instants `parse_date` accepts, from the catalog: 1901-01-01T00:00:00Z ..=
/// 2049-12-31T23:59:59.999Z as epoch milliseconds. For example
/// `parse_date(&json!("1901-01-01"), None)` is `Ok(DATE_MIN_MS)`.
pub use crate::catalog::{DATE_MAX_MS, DATE_MIN_MS};

/// Parses a date/time and returns epoch milliseconds (UTC).
///
/// For example `parse_date(&json!("2024-03-05T14:30:00Z"), None)` is
/// `Ok(1_709_649_000_000)`, `parse_date(&json!(1709649000), None)` is the same instant, and
/// `parse_date(&json!("03/05/2024"), Some("%m/%d/%Y"))` is March 5th at midnight UTC.
///
/// Accepted, without `fmt`:
/// - JSON numbers and numeric strings (see `parse_number`): epoch seconds when the
///   absolute value is below 1e11, else epoch milliseconds; fractions are rounded to the
///   nearest millisecond.
/// - A string of exactly eight ASCII digits that is a valid calendar date `YYYYMMDD`
///   (e.g. `"20240305"`) is read as that date at midnight UTC, not as epoch seconds. A JSON
///   *number* `20240305` is always epoch seconds.
/// - RFC 3339 / ISO 8601 starting with a four-digit year: `2024-03-05T14:30:00Z`, with an
///   offset (`+01:00`, `+0100`, `+01`), fractional seconds, without seconds, `t`/`T` or a
///   space between date and time, a trailing ` UTC`/` GMT` meaning `Z`; no offset means
///   UTC. `/` may replace `-` in the date (`2024/03/05 14:30`). A plain date is midnight
///   UTC. Month, day and hour may have one digit.
/// - RFC 2822: `Tue, 5 Mar 2024 14:30:00 +0000` (a wrong weekday is `Unparsable`).
/// - Day-first or month-first dates such as `03/05/2024` are ambiguous and `Unparsable`.
///
/// With `fmt` (a chrono strftime format), strings are parsed with it only. Numbers are
/// first rendered and tried with `fmt` (so `%Y%m%d` reads `20240305`), then fall back to
/// the epoch rule. A format without an offset means UTC, without a time means midnight, a
/// time without minutes means minute zero. An invalid format gives `Unparsable`.
/// Bools, `null`, arrays and objects are `Unparsable`.
///
/// # Errors
///
/// `DateError::Unparsable` when no accepted form matches; `DateError::OutOfRange` when the
/// instant lies outside `DATE_MIN_MS ..= DATE_MAX_MS`.
pub fn parse_date(v: &Value, fmt: Option<&str>) -> Result<i64, DateError> {
    match v {
        Value::Number(number) => {
            if let Some(parsed) = fmt.and_then(|f| parse_with_format(&render_number(number), f)) {
                return in_date_range(parsed.timestamp_millis());
            }
            epoch_to_millis(number.as_f64().ok_or(DateError::Unparsable)?)
        }
        Value::String(text) => {
            let text = text.trim();
            match fmt {
                Some(format) => parse_with_format(text, format)
                    .ok_or(DateError::Unparsable)
                    .and_then(|parsed| in_date_range(parsed.timestamp_millis())),
                None => parse_date_text(text),
            }
        }
        Value::Null | Value::Bool(_) | Value::Array(_) | Value::Object(_) => {
            Err(DateError::Unparsable)
        }
    }
}

/// Absolute http(s) URL with a non-empty host, no spaces: `https://crm.example.com/x?y=1`.
///
/// For example `is_http_url("https://crm.example.com/x?y=1")` is true, while
/// `is_http_url("ftp://example.com")`, `is_http_url("https://")` and
/// `is_http_url(" https://example.com")` are false.
///
/// Rules: the scheme is `http://` or `https://` (any case); no whitespace or control
/// character anywhere (the input is not trimmed); the authority (up to the first `/`, `?`
/// or `#`) may hold `user:pass@`; the host is either a bracketed IPv6 literal of hex
/// digits, `:` and `.`, or a name of alphanumerics (Unicode allowed), `-`, `_` and `.`
/// that does not start or end with `.` and has no `..`; a dotless host such as
/// `localhost` is accepted; a port, when present, is 1–5 digits.
#[must_use]
pub fn is_http_url(s: &str) -> bool {
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some(rest) = strip_prefix_ignore_ascii_case(s, "https://")
        .or_else(|| strip_prefix_ignore_ascii_case(s, "http://"))
    else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host_and_port = authority
        .rsplit_once('@')
        .map_or(authority, |(_, after)| after);
    let (host, port) = split_host_port(host_and_port);
    let port_ok =
        port.is_none_or(|p| (1..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    port_ok && is_url_host(host)
}

/// Hierarchy levels, trimmed and without empty ones, from an array, a string or a number.
///
/// For example `hierarchy_levels(&json!(["London", " Sales ", null]))` is
/// `["London", "Sales"]`, `hierarchy_levels(&json!("London ▸ Sales"))` and
/// `hierarchy_levels(&json!("London,Sales"))` are the same, and
/// `hierarchy_levels(&json!("12"))` and `hierarchy_levels(&json!(12))` are `["1", "2"]`.
///
/// Rules:
/// - Arrays: each element rendered with `render_scalar` and trimmed; `null`, empty and
///   whitespace-only elements skipped; an array holding an array or object gives `None`.
///   Elements are not split further.
/// - A string containing `▸` (U+25B8) is split on `▸`; otherwise one containing `,`, `>` or
///   `/` is split on any of those; parts are trimmed and empty parts skipped.
/// - A string made only of IVR keypad characters (ASCII digits, `*`, `#`) and whitespace
///   is split into its keys: `"1 2#"` is `["1", "2", "#"]`.
/// - Any other string is a single level: `"Sales"` is `["Sales"]`, not its letters.
/// - Numbers and bools are rendered and then follow the string rules (`12` is
///   `["1", "2"]`, `-12` is `["-12"]`, `true` is `["true"]`).
/// - `null` and empty or blank strings give `Some(vec![])`; objects give `None`.
#[must_use]
pub fn hierarchy_levels(v: &Value) -> Option<Vec<String>> {
    let mut levels = Vec::new();
    for_each_hierarchy_level(v, &mut |level| {
        levels.push(level.to_owned());
        true
    })?;
    Some(levels)
}

/// The levels of `hierarchy_levels`, one call of `visit` each, without collecting them;
/// `visit` returns false to stop. `None` (before any call) for input that has no levels
/// (an object, or a list holding a list or an object).
pub fn for_each_hierarchy_level(v: &Value, visit: &mut dyn FnMut(&str) -> bool) -> Option<()> {
    match v {
        Value::Array(items) => {
            if items.iter().any(super::number::is_container) {
                return None;
            }
            for item in items {
                let rendered = render_scalar(item)?;
                let level = rendered.trim();
                if !level.is_empty() && !visit(level) {
                    break;
                }
            }
            Some(())
        }
        // A big integer is rendered, like any number.
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Object(_) => {
            split_hierarchy_text(&render_scalar(v)?, visit);
            Some(())
        }
    }
}

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

/// What came just before the current position in `title_case`.
#[derive(Clone, Copy)]
enum PreviousToken {
    /// Start of text or a separator.
    Separator,
    /// A word; `single_letter` when it was one alphabetic character ("o" in "o'neil").
    Word { single_letter: bool },
    /// An apostrophe right after a word of two or more characters ("don'").
    ApostropheAfterLongWord,
}

/// 2^53: beyond it not every integer is representable as an f64.
const MAX_EXACT_INTEGER: f64 = 9_007_199_254_740_992.0;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_combining_mark(c)
}

fn is_combining_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0300}'..='\u{036F}'
            | '\u{1AB0}'..='\u{1AFF}'
            | '\u{1DC0}'..='\u{1DFF}'
            | '\u{20D0}'..='\u{20FF}'
            | '\u{FE20}'..='\u{FE2F}'
    )
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Checks the `parse_number` grammar on an already trimmed string.
fn is_strict_decimal(s: &str) -> bool {
    let bytes = s.as_bytes();
    let digits_from = |start: usize| {
        bytes.get(start..).map_or(0, |tail| {
            tail.iter().take_while(|b| b.is_ascii_digit()).count()
        })
    };
    let mut position = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let integer_digits = digits_from(position);
    position += integer_digits;
    let mut fraction_digits = 0;
    if bytes.get(position) == Some(&b'.') {
        position += 1;
        fraction_digits = digits_from(position);
        position += fraction_digits;
    }
    if integer_digits + fraction_digits == 0 {
        return false;
    }
    if matches!(bytes.get(position), Some(b'e' | b'E')) {
        position += 1;
        if matches!(bytes.get(position), Some(b'+' | b'-')) {
            position += 1;
        }
        let exponent_digits = digits_from(position);
        if exponent_digits == 0 {
            return false;
        }
        position += exponent_digits;
    }
    position == bytes.len()
}

/// `x` as an i64 when it is integral and within ±2^53 (so the conversion is exact).
fn exact_integer(x: f64) -> Option<i64> {
    if x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_EXACT_INTEGER {
        // The range check above makes this cast exact.
        #[allow(clippy::cast_possible_truncation)]
        Some(x as i64)
    } else {
        None
    }
}

fn render_number(number: &Number) -> String {
    if let Some(integer) = number.as_i64() {
        integer.to_string()
    } else if let Some(integer) = number.as_u64() {
        integer.to_string()
    } else if let Some(integer) = number.as_f64().and_then(exact_integer) {
        integer.to_string()
    } else {
        number.to_string()
    }
}

/// `MM:SS` or `HH:MM:SS` (leading field unbounded, fraction on the last field only).
fn parse_clock(text: &str) -> Option<f64> {
    let fields: Vec<&str> = text.split(':').collect();
    if !(2..=3).contains(&fields.len()) {
        return None;
    }
    let last_index = fields.len() - 1;
    let mut total = 0.0_f64;
    for (index, field) in fields.iter().enumerate() {
        let (whole, fraction) = match field.split_once('.') {
            Some((whole, fraction)) if index == last_index => (whole, Some(fraction)),
            Some(_) => return None,
            None => (*field, None),
        };
        let whole_ok = if index == 0 {
            !whole.is_empty()
        } else {
            whole.len() == 2
        };
        if !whole_ok || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let fraction_ok =
            fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
        if !fraction_ok {
            return None;
        }
        let value: f64 = match fraction {
            Some(fraction) => format!("{whole}.{fraction}").parse().ok()?,
            None => whole.parse().ok()?,
        };
        if index > 0 && value >= 60.0 {
            return None;
        }
        total = total * 60.0 + value;
    }
    Some(total)
}

fn is_phone_punctuation(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '.' | '(' | ')' | '\u{2010}'..='\u{2015}')
}

fn strip_prefix_ignore_ascii_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    if head.eq_ignore_ascii_case(prefix) {
        s.get(prefix.len()..)
    } else {
        None
    }
}

fn strip_suffix_ignore_ascii_case<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let stem_len = s.len().checked_sub(suffix.len())?;
    let tail = s.get(stem_len..)?;
    if tail.eq_ignore_ascii_case(suffix) {
        s.get(..stem_len)
    } else {
        None
    }
}

fn is_email_local_part(local: &str) -> bool {
    let length = char_len(local);
    (1..=64).contains(&length)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !local.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(
                    c,
                    '"' | '(' | ')' | ',' | ':' | ';' | '<' | '>' | '[' | '\\' | ']'
                )
        })
}

fn is_email_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return false;
    }
    let labels_ok = labels.iter().all(|label| {
        (1..=63).contains(&char_len(label))
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    let top_level_ok = labels
        .last()
        .is_some_and(|tld| char_len(tld) >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    labels_ok && top_level_ok
}

/// Splits `host[:port]` or `[v6]:port`; the port is `None` when absent.
fn split_host_port(host_and_port: &str) -> (&str, Option<&str>) {
    if host_and_port.starts_with('[') {
        return match host_and_port.find(']') {
            Some(close) => {
                let host = host_and_port.get(..=close).unwrap_or(host_and_port);
                let after = host_and_port.get(close + 1..).unwrap_or("");
                match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    // Anything else after `]` makes the host invalid.
                    None if after.is_empty() => (host, None),
                    None => ("", None),
                }
            }
            None => ("", None),
        };
    }
    match host_and_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_and_port, None),
    }
}

fn is_url_host(host: &str) -> bool {
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return inner.contains(':')
            && inner
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
    }
    !host.is_empty()
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !host.contains("..")
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn split_hierarchy_text(text: &str, visit: &mut dyn FnMut(&str) -> bool) {
    let parts: &mut dyn Iterator<Item = &str> = if text.contains('▸') {
        &mut text.split('▸')
    } else if text.contains([',', '>', '/']) {
        &mut text.split([',', '>', '/'])
    } else if text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#') || c.is_whitespace())
    {
        // Keypad characters are ASCII: one level per non-blank byte.
        for (at, c) in text.char_indices() {
            if !c.is_whitespace() && !visit(text.get(at..at + c.len_utf8()).unwrap_or_default()) {
                return;
            }
        }
        return;
    } else {
        &mut std::iter::once(text)
    };
    for part in parts {
        let part = part.trim();
        if !part.is_empty() && !visit(part) {
            return;
        }
    }
}

/// Epoch seconds (|x| < 1e11) or milliseconds, rounded to the millisecond, range-checked.
fn epoch_to_millis(x: f64) -> Result<i64, DateError> {
    if !x.is_finite() {
        return Err(DateError::Unparsable);
    }
    let millis = if x.abs() < 1e11 { x * 1000.0 } else { x }.round();
    // Both bounds are exactly representable as f64, so the comparison is exact.
    #[allow(clippy::cast_precision_loss)]
    let in_range = millis >= DATE_MIN_MS as f64 && millis <= DATE_MAX_MS as f64;
    if in_range {
        // In range, so the cast is exact.
        #[allow(clippy::cast_possible_truncation)]
        Ok(millis as i64)
    } else {
        Err(DateError::OutOfRange)
    }
}

fn in_date_range(millis: i64) -> Result<i64, DateError> {
    if (DATE_MIN_MS..=DATE_MAX_MS).contains(&millis) {
        Ok(millis)
    } else {
        Err(DateError::OutOfRange)
    }
}

/// Parses `text` with a strftime `format`, defaulting a missing offset to UTC, a missing
/// time to midnight and missing minutes to zero.
fn parse_with_format(text: &str, format: &str) -> Option<DateTime<FixedOffset>> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, StrftimeItems::new(format)).ok()?;
    if parsed.timestamp().is_none() {
        if parsed.hour_div_12().is_none() && parsed.hour_mod_12().is_none() {
            parsed.set_hour(0).ok()?;
        }
        if parsed.minute().is_none() {
            parsed.set_minute(0).ok()?;
        }
    }
    if parsed.offset().is_none() {
        parsed.set_offset(0).ok()?;
    }
    parsed.to_datetime().ok()
}

/// The built-in string forms of `parse_date`, in order.
fn parse_date_text(text: &str) -> Result<i64, DateError> {
    if text.is_empty() {
        return Err(DateError::Unparsable);
    }
    let eight_digit_date = Some(text)
        .filter(|t| t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|t| parse_with_format(t, "%Y%m%d"));
    if let Some(parsed) = eight_digit_date {
        return in_date_range(parsed.timestamp_millis());
    }
    if let Some(x) = parse_number(text) {
        return epoch_to_millis(x);
    }
    if let Some(parsed) = parse_iso_like(text) {
        return in_date_range(parsed.timestamp_millis());
    }
    if let Ok(parsed) = DateTime::parse_from_rfc2822(text) {
        return in_date_range(parsed.timestamp_millis());
    }
    Err(DateError::Unparsable)
}

/// Formats tried by `parse_iso_like` after RFC 3339, in order.
const ISO_LIKE_FORMATS: [&str; 10] = [
    "%Y-%m-%dT%H:%M:%S%.f%#z",
    "%Y-%m-%dT%H:%M%#z",
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%dT%H:%M:%S%.f%#z",
    "%Y/%m/%dT%H:%M%#z",
    "%Y/%m/%dT%H:%M:%S%.f",
    "%Y/%m/%dT%H:%M",
    "%Y/%m/%d",
];

/// RFC 3339 and the ISO 8601 variants listed on `parse_date`.
fn parse_iso_like(text: &str) -> Option<DateTime<FixedOffset>> {
    let bytes = text.as_bytes();
    let starts_with_year = bytes
        .get(..4)
        .is_some_and(|y| y.iter().all(u8::is_ascii_digit))
        && matches!(bytes.get(4), Some(b'-' | b'/'));
    if !starts_with_year {
        return None;
    }
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed);
    }
    let mut normalised = text.to_owned();
    for suffix in [" utc", " gmt"] {
        if let Some(stem) = strip_suffix_ignore_ascii_case(text, suffix) {
            normalised = format!("{stem}Z");
        }
    }
    // One separator between date and time: `T`, `t` or a space.
    if let Some((date, time)) = normalised.split_once([' ', 't']) {
        normalised = format!("{date}T{time}");
    }
    ISO_LIKE_FORMATS
        .iter()
        .find_map(|format| parse_with_format(&normalised, format))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::DateError::{OutOfRange, Unparsable};
    use super::*;

    const MARCH_5_1430_UTC: i64 = 1_709_649_000_000;
    const MARCH_5_MIDNIGHT: i64 = 1_709_596_800_000;

    #[test]
    fn truncation_counts_scalar_values() {
        fn check(input: &str, max: usize, expected: &str, expected_cut: bool) {
            assert_eq!(
                truncate_chars(input, max),
                (expected, expected_cut),
                "{input:?} / {max}"
            );
            assert_eq!(char_len(expected), char_len(input).min(max), "{input:?}");
        }
        check("hello", 10, "hello", false);
        check("hello", 5, "hello", false);
        check("hello", 4, "hell", true);
        check("hello", 0, "", true);
        check("", 0, "", false);
        check("", 3, "", false);
        check("héllo", 2, "hé", true);
        check("日本語テキスト", 3, "日本語", true);
        check("👍🏽👍", 1, "👍", true); // Skin-tone modifier is its own scalar value.
        check("👍🏽👍", 2, "👍🏽", true);
        check("e\u{301}te\u{301}", 1, "e", true); // Combining mark counts separately.
        check("e\u{301}te\u{301}", 2, "e\u{301}", true);
        check(&"x".repeat(200), 128, &"x".repeat(128), true);
        check(&"é".repeat(128), 128, &"é".repeat(128), false);
        check("abc", usize::MAX, "abc", false);
        assert_eq!(char_len("👍🏽"), 2);
        assert_eq!(char_len("héllo"), 5);
        assert!(matches!(truncate_chars("abc", 9).0, s if std::ptr::eq(s, "abc")));
    }

    #[test]
    fn title_case_rules() {
        fn check(input: &str, expected: &str) {
            assert_eq!(title_case(input), expected, "{input:?}");
        }
        check("hello wORLD-foo", "Hello World-Foo");
        check("", "");
        check("   ", "   ");
        check("JOHN SMITH", "John Smith");
        check("o'brien", "O'Brien");
        check("d’arcy", "D’Arcy");
        check("don't stop", "Don't Stop");
        check("'quoted' words", "'Quoted' Words");
        check("rock 'n' roll", "Rock 'N' Roll");
        check("3rd street", "3rd Street");
        check("jean-luc  picard\tjr.", "Jean-Luc  Picard\tJr.");
        check("élodie ÉCOLE", "Élodie École");
        check("e\u{301}cole", "E\u{301}cole");
        check("ΟΔΟΣ ΑΘΗΝΑΣ", "Οδος Αθηνας");
        check("straße", "Straße");
        check("john_smith/london", "John_Smith/London");
        check("👍great day", "👍Great Day");
        check("北京 city", "北京 City");
    }

    #[test]
    fn yes_no_parsing() {
        fn check(input: &Value, expected: Option<bool>) {
            assert_eq!(parse_yes_no(input), expected, "{input}");
        }
        check(&json!(true), Some(true));
        check(&json!(false), Some(false));
        for yes in ["yes", "Y", " TRUE ", "1", "On", "yEs\n"] {
            check(&json!(yes), Some(true));
        }
        for no in ["no", "N", "False", "0", "OFF", " no "] {
            check(&json!(no), Some(false));
        }
        check(&json!(1), Some(true));
        check(&json!(0), Some(false));
        check(&json!(1.0), Some(true));
        check(&json!(-0.0), Some(false));
        check(&json!(2), None);
        check(&json!(0.5), None);
        check(&json!("maybe"), None);
        check(&json!(""), None);
        check(&json!("yes please"), None);
        check(&json!("１"), None);
        check(&Value::Null, None);
        check(&json!(["yes"]), None);
        check(&json!({"yes": true}), None);
    }

    #[test]
    fn strict_number_parsing() {
        fn check(input: &str, expected: Option<f64>) {
            let actual = parse_number(input);
            assert_eq!(actual, expected, "{input:?}");
            assert!(actual.is_none_or(f64::is_finite));
        }
        check("12", Some(12.0));
        check("-3.5", Some(-3.5));
        check("+4", Some(4.0));
        check("1e3", Some(1000.0));
        check("1E-2", Some(0.01));
        check("2.5e+2", Some(250.0));
        check(".5", Some(0.5));
        check("5.", Some(5.0));
        check("007", Some(7.0));
        check(" \t42\n", Some(42.0));
        check("1e308", Some(1e308));
        check("", None);
        check("   ", None);
        check("NaN", None);
        check("nan", None);
        check("inf", None);
        check("-Infinity", None);
        check("0x10", None);
        check("1,000", None);
        check("1_000", None);
        check("12abc", None);
        check("1e", None);
        check("1e+", None);
        check(".", None);
        check("-", None);
        check("+-1", None);
        check("1.2.3", None);
        check("1e400", None);
        check("\u{a0}5", None); // Only ASCII whitespace is trimmed.
        check("٣", None);
        check(&"9".repeat(400), None);
    }

    #[test]
    fn number_values() {
        fn check(input: f64, expected: Option<&Value>) {
            assert_eq!(number_value(input).as_ref(), expected, "{input}");
        }
        check(5.0, Some(&json!(5)));
        check(-5.0, Some(&json!(-5)));
        check(-0.0, Some(&json!(0)));
        check(2.5, Some(&json!(2.5)));
        check(
            9_007_199_254_740_992.0,
            Some(&json!(9_007_199_254_740_992_i64)),
        );
        check(
            -9_007_199_254_740_992.0,
            Some(&json!(-9_007_199_254_740_992_i64)),
        );
        check(1e20, Some(&json!(1e20)));
        check(1e308, Some(&json!(1e308)));
        check(f64::NAN, None);
        check(f64::INFINITY, None);
        check(f64::NEG_INFINITY, None);
        assert!(number_value(1e20).is_some_and(|v| v.is_f64()));
        assert!(number_value(5.0).is_some_and(|v| v.is_i64()));
    }

    #[test]
    fn scalar_rendering() {
        fn check(input: &Value, expected: Option<&str>) {
            assert_eq!(render_scalar(input).as_deref(), expected, "{input}");
        }
        check(&json!("text"), Some("text"));
        check(&json!(""), Some(""));
        check(&json!(5), Some("5"));
        check(&json!(5.0), Some("5"));
        check(&json!(-0.0), Some("0"));
        check(&json!(2.5), Some("2.5"));
        check(&json!(-2.5), Some("-2.5"));
        check(&json!(u64::MAX), Some("18446744073709551615"));
        check(&json!(i64::MIN), Some("-9223372036854775808"));
        check(&json!(1e300), Some("1e+300"));
        check(&json!(1.5e-7), Some("1.5e-7"));
        check(&json!(1e20), Some("1e+20"));
        check(&json!(true), Some("true"));
        check(&json!(false), Some("false"));
        check(&Value::Null, Some(""));
        check(&json!([1, 2]), None);
        check(&json!({"a": 1}), None);
        assert!(matches!(
            render_scalar(&json!("x")),
            Some(Cow::Borrowed("x"))
        ));
    }

    #[test]
    fn time_unit_names() {
        fn check_unit(input: &str, expected: Option<TimeUnit>) {
            assert_eq!(TimeUnit::parse(input), expected, "{input:?}");
        }
        check_unit("ms", Some(TimeUnit::Milliseconds));
        check_unit("s", Some(TimeUnit::Seconds));
        check_unit("sec", Some(TimeUnit::Seconds));
        check_unit("m", Some(TimeUnit::Minutes));
        check_unit("min", Some(TimeUnit::Minutes));
        check_unit("h", Some(TimeUnit::Hours));
        check_unit(" HR ", Some(TimeUnit::Hours));
        check_unit("seconds", Some(TimeUnit::Seconds));
        check_unit("d", None);
        check_unit("", None);
    }

    #[test]
    fn durations() {
        use TimeUnit::{Hours, Milliseconds, Minutes, Seconds};
        fn check(input: &Value, unit: TimeUnit, expected: Option<f64>) {
            assert_eq!(parse_seconds(input, unit), expected, "{input} in {unit:?}");
        }
        check(&json!(133), Seconds, Some(133.0));
        check(&json!(133_000), Milliseconds, Some(133.0));
        check(&json!(1.5), Minutes, Some(90.0));
        check(&json!(2), Hours, Some(7200.0));
        check(&json!("133"), Seconds, Some(133.0));
        check(&json!(" 1500 "), Milliseconds, Some(1.5));
        check(&json!("00:02:13"), Seconds, Some(133.0));
        check(&json!("00:02:13"), Milliseconds, Some(133.0));
        check(&json!("02:13"), Hours, Some(133.0));
        check(&json!("1:02:03.250"), Seconds, Some(3723.25));
        check(&json!("75:30"), Seconds, Some(4530.0));
        check(&json!("100:00:00"), Seconds, Some(360_000.0));
        check(&json!("0:00"), Seconds, Some(0.0));
        check(&json!(0), Seconds, Some(0.0));
        check(&json!(-0.0), Seconds, Some(0.0));
        check(
            &json!(u64::MAX),
            Seconds,
            Some(18_446_744_073_709_551_615.0),
        );
        check(&json!(-1), Seconds, None);
        check(&json!(i64::MIN), Seconds, None);
        check(&json!("-5"), Seconds, None);
        check(&json!("-00:01"), Seconds, None);
        check(&json!(1e308), Hours, None);
        check(&json!("00:60"), Seconds, None);
        check(&json!("00:61:00"), Seconds, None);
        check(&json!("1:2:3"), Seconds, None);
        check(&json!("1.5:00"), Seconds, None);
        check(&json!("1:00:00:00"), Seconds, None);
        check(&json!("12:"), Seconds, None);
        check(&json!(":30"), Seconds, None);
        check(&json!("00:02:13."), Seconds, None);
        check(&json!("abc"), Seconds, None);
        check(&json!(""), Seconds, None);
        check(&json!(true), Seconds, None);
        check(&Value::Null, Seconds, None);
        check(&json!([1]), Seconds, None);
    }

    #[test]
    fn phone_normalisation() {
        fn check(input: &str, country: Option<&str>, expected: Option<&str>) {
            assert_eq!(
                normalize_phone(input, country).as_deref(),
                expected,
                "{input:?} with {country:?}"
            );
        }
        check("+44 20 7946 0958", None, Some("+442079460958"));
        check("(415) 555-0100", Some("1"), Some("+14155550100"));
        check("1 (415) 555-0100", Some("1"), Some("+14155550100"));
        check("415.555.0100", Some("+1"), Some("+14155550100"));
        check("0044 20 7946 0958", None, Some("+442079460958"));
        check("0044 20 7946 0958", Some("1"), Some("+442079460958"));
        check("020 7946 0958", Some("44"), Some("+442079460958"));
        check("+1 415 555 0100", Some("44"), Some("+14155550100"));
        check("tel:+1-415-555-0100", None, Some("+14155550100"));
        check("TEL:+14155550100", None, Some("+14155550100"));
        check("14155550100", None, Some("+14155550100"));
        check("+49 (0)30 1234567", None, Some("+490301234567"));
        check(
            "+33\u{a0}1\u{2013}23\u{2013}45\u{2013}67\u{2013}89",
            None,
            Some("+33123456789"),
        );
        check("555-0100", None, None);
        check("555-0100", Some("1"), None);
        check("4155550100", None, None);
        check("abc", None, None);
        check("", None, None);
        check("+", None, None);
        check("+1234567", None, None);
        check("+1234567890123456", None, None);
        check("+0123456789", None, None);
        check("02079460958", None, None);
        check("415 555 0100 x12", Some("1"), None);
        check("+1 415 555+0100", None, None);
        check("++14155550100", None, None);
        check("+1/415/555/0100", None, None);
        check("٤١٥٥٥٥٠١٠٠", Some("1"), None);
        check("020 7946 0958", Some("0"), None);
        check("020 7946 0958", Some("uk"), None);
        check("020 7946 0958", Some("4444"), None);
    }

    #[test]
    fn email_normalisation() {
        fn check(input: &str, expected: Option<&str>) {
            assert_eq!(normalize_email(input).as_deref(), expected, "{input:?}");
        }
        check("ann@example.com", Some("ann@example.com"));
        check(" Ann.Lee@Example.COM ", Some("ann.lee@example.com"));
        check(
            "MAILTO:ann+crm@mail.example.co.uk",
            Some("ann+crm@mail.example.co.uk"),
        );
        check("o'brien@example.ie", Some("o'brien@example.ie"));
        check("josé@exämple.de", Some("josé@exämple.de"));
        check("ann@example", None);
        check("ann@@example.com", None);
        check("ann@b@example.com", None);
        check("@example.com", None);
        check("ann lee@example.com", None);
        check("ann@exa mple.com", None);
        check("ann@.example.com", None);
        check("ann@example.com.", None);
        check("ann@-example.com", None);
        check("ann@example.c", None);
        check("ann@1.2.3.4", None);
        check(".ann@example.com", None);
        check("ann..lee@example.com", None);
        check("\"ann\"@example.com", None);
        check("Ann <ann@example.com>", None);
        check("", None);
        check("not an email", None);
        check(&format!("{}@example.com", "a".repeat(65)), None);
        check(&format!("ann@{}.com", "a".repeat(64)), None);
    }

    #[test]
    fn sha256_digests() {
        fn check(input: &str, expected: &str) {
            assert_eq!(sha256_hex(input), expected, "{input:?}");
        }
        check(
            "",
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        );
        check(
            "abc",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        );
        check("ann@example.com", &sha256_hex("ann@example.com"));
        assert_eq!(sha256_hex("é").len(), 64);
        assert_ne!(sha256_hex("a"), sha256_hex("A"));
    }

    #[test]
    fn date_bounds_are_the_documented_instants() {
        let min =
            DateTime::parse_from_rfc3339("1901-01-01T00:00:00Z").map(|d| d.timestamp_millis());
        let max =
            DateTime::parse_from_rfc3339("2049-12-31T23:59:59.999Z").map(|d| d.timestamp_millis());
        assert_eq!(min, Ok(DATE_MIN_MS));
        assert_eq!(max, Ok(DATE_MAX_MS));
    }

    fn check_date(input: &Value, fmt: Option<&str>, expected: Result<i64, DateError>) {
        assert_eq!(parse_date(input, fmt), expected, "{input} with {fmt:?}");
    }

    fn s(text: &str) -> Value {
        json!(text)
    }

    #[test]
    fn date_epochs() {
        let check = check_date;
        // Epoch numbers and numeric strings.
        check(&json!(1_709_649_000), None, Ok(MARCH_5_1430_UTC));
        check(&json!(1_709_649_000_000_i64), None, Ok(MARCH_5_1430_UTC));
        check(&json!(1_709_649_000.5), None, Ok(MARCH_5_1430_UTC + 500));
        check(&json!(0), None, Ok(0));
        check(&json!(-86_400), None, Ok(-86_400_000));
        check(&s("1709649000"), None, Ok(MARCH_5_1430_UTC));
        check(&s("1709649000000"), None, Ok(MARCH_5_1430_UTC));
        check(&s(" 1.709649e9 "), None, Ok(MARCH_5_1430_UTC));
        check(&json!(99_999_999_999_i64), None, Err(OutOfRange)); // 5138 AD, in seconds.
        check(&json!(100_000_000_000_i64), None, Ok(100_000_000_000)); // 1973, in ms.
        check(&json!(i64::MIN), None, Err(OutOfRange));
        check(&json!(i64::MAX), None, Err(OutOfRange));
        check(&json!(u64::MAX), None, Err(OutOfRange));
        check(&json!(1e308), None, Err(OutOfRange));
        check(&json!(-1e308), None, Err(OutOfRange));
        check(&json!(DATE_MIN_MS), None, Ok(DATE_MIN_MS));
        check(&json!(DATE_MIN_MS - 1), None, Err(OutOfRange));
        check(&json!(DATE_MAX_MS), None, Ok(DATE_MAX_MS));
        check(&json!(DATE_MAX_MS + 1), None, Err(OutOfRange));
    }

    #[test]
    fn date_eight_digit_strings() {
        let check = check_date;
        // Eight-digit strings that are calendar dates.
        check(&s("20240305"), None, Ok(MARCH_5_MIDNIGHT));
        check(&s("20241399"), None, Ok(20_241_399_000)); // Not a date: epoch seconds.
        check(&s("19001231"), None, Err(OutOfRange));
        check(&json!(20_240_305), None, Ok(20_240_305_000)); // Numbers are always epoch.
    }

    #[test]
    fn date_iso_8601() {
        let check = check_date;
        // RFC 3339 / ISO 8601.
        check(&s("2024-03-05T14:30:00Z"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05t14:30:00z"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T15:30:00+01:00"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T09:30:00-0500"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T15:30:00+01"), None, Ok(MARCH_5_1430_UTC));
        check(
            &s("2024-03-05T14:30:00.250Z"),
            None,
            Ok(MARCH_5_1430_UTC + 250),
        );
        check(
            &s("2024-03-05T14:30:00.123456789Z"),
            None,
            Ok(MARCH_5_1430_UTC + 123),
        );
        check(&s("2024-03-05T14:30Z"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T15:30+01:00"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T14:30"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05T14:30:00"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05 14:30:00"), None, Ok(MARCH_5_1430_UTC));
        check(
            &s("2024-03-05 14:30:00.5"),
            None,
            Ok(MARCH_5_1430_UTC + 500),
        );
        check(&s("2024-03-05 14:30:00 UTC"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05 14:30 gmt"), None, Ok(MARCH_5_1430_UTC));
        check(&s(" 2024-03-05 "), None, Ok(MARCH_5_MIDNIGHT));
        check(&s("2024/03/05"), None, Ok(MARCH_5_MIDNIGHT));
        check(&s("2024/03/05 14:30"), None, Ok(MARCH_5_1430_UTC));
        check(&s("2024-3-5"), None, Ok(MARCH_5_MIDNIGHT));
        check(&s("2024-02-29"), None, Ok(1_709_164_800_000));
        check(&s("2023-02-29"), None, Err(Unparsable));
        check(&s("2024-13-01"), None, Err(Unparsable));
        check(&s("2024-03-05T25:00:00Z"), None, Err(Unparsable));
        check(&s("1969-12-31"), None, Ok(-86_400_000));
        check(&s("1901-01-01"), None, Ok(DATE_MIN_MS));
        check(&s("1901-01-01T00:00:00+00:01"), None, Err(OutOfRange));
        check(&s("1900-12-31"), None, Err(OutOfRange));
        check(&s("1900-12-31T23:59:59.999Z"), None, Err(OutOfRange));
        check(&s("2049-12-31T23:59:59.999Z"), None, Ok(DATE_MAX_MS));
        check(&s("2049-12-31T23:59:59.9999Z"), None, Ok(DATE_MAX_MS));
        check(&s("2050-01-01"), None, Err(OutOfRange));
        check(&s("2050-01-01T00:59:59.999+01:00"), None, Ok(DATE_MAX_MS));
        check(&s("9999-12-31"), None, Err(OutOfRange));
        check(&s("+12024-01-01"), None, Err(Unparsable));
    }

    #[test]
    fn date_rfc_2822_and_junk() {
        let check = check_date;
        // RFC 2822.
        check(
            &s("Tue, 5 Mar 2024 14:30:00 +0000"),
            None,
            Ok(MARCH_5_1430_UTC),
        );
        check(&s("5 Mar 2024 15:30:00 +0100"), None, Ok(MARCH_5_1430_UTC));
        check(
            &s("Tue, 5 Mar 2024 14:30:00 GMT"),
            None,
            Ok(MARCH_5_1430_UTC),
        );
        check(&s("Wed, 5 Mar 2024 14:30:00 +0000"), None, Err(Unparsable));
        // Ambiguous or junk.
        check(&s("03/05/2024"), None, Err(Unparsable));
        check(&s("03/05/24"), None, Err(Unparsable));
        check(&s("05-03-2024"), None, Err(Unparsable));
        check(&s("next tuesday"), None, Err(Unparsable));
        check(&s(""), None, Err(Unparsable));
        check(&s("NaN"), None, Err(Unparsable));
        check(&s("2024-03-05T14:30:00Z trailing"), None, Err(Unparsable));
        check(&s(&"9".repeat(10_000)), None, Err(Unparsable));
        check(&s(&"2024-".repeat(10_000)), None, Err(Unparsable));
        check(&json!(true), None, Err(Unparsable));
        check(&Value::Null, None, Err(Unparsable));
        check(&json!([2024]), None, Err(Unparsable));
        check(&json!({"d": 1}), None, Err(Unparsable));
    }

    #[test]
    fn date_explicit_formats() {
        let check = check_date;
        // Explicit formats.
        check(&s("03/05/2024"), Some("%m/%d/%Y"), Ok(MARCH_5_MIDNIGHT));
        check(&s("05/03/2024"), Some("%d/%m/%Y"), Ok(MARCH_5_MIDNIGHT));
        check(
            &s("05/03/2024 14:30"),
            Some("%d/%m/%Y %H:%M"),
            Ok(MARCH_5_1430_UTC),
        );
        check(
            &s("05/03/2024 14h"),
            Some("%d/%m/%Y %Hh"),
            Ok(MARCH_5_1430_UTC - 1_800_000),
        );
        check(
            &s("05/03/2024 15:30 +0100"),
            Some("%d/%m/%Y %H:%M %z"),
            Ok(MARCH_5_1430_UTC),
        );
        check(
            &s("02:30 PM 2024-03-05"),
            Some("%I:%M %p %Y-%m-%d"),
            Ok(MARCH_5_1430_UTC),
        );
        check(&s("1709649000"), Some("%s"), Ok(MARCH_5_1430_UTC));
        check(&s("2024-03-05"), Some("%d/%m/%Y"), Err(Unparsable)); // Only the format.
        check(&s("03/05/1899"), Some("%m/%d/%Y"), Err(OutOfRange));
        check(&s("03/05/2024"), Some("%"), Err(Unparsable));
        check(&s("03/05/2024"), Some("%Q%.3%:"), Err(Unparsable));
        check(&s("03/05/2024"), Some(""), Err(Unparsable));
        check(&s("14:30"), Some("%H:%M"), Err(Unparsable));
        check(&json!(20_240_305), Some("%Y%m%d"), Ok(MARCH_5_MIDNIGHT));
        check(&json!(1_709_649_000), Some("%Y%m%d"), Ok(MARCH_5_1430_UTC)); // Epoch fallback.
    }

    #[test]
    fn http_urls() {
        fn check(input: &str, expected: bool) {
            assert_eq!(is_http_url(input), expected, "{input:?}");
        }
        check("https://crm.example.com/x?y=1", true);
        check("http://example.com", true);
        check("HTTPS://Example.com/", true);
        check(
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            true,
        );
        check("https://user:pa55@host.example.com:8443/path#frag", true);
        check("http://localhost:8080", true);
        check("http://[::1]:8080/x", true);
        check("https://bücher.example/ß", true);
        check("https://example.com?q", true);
        check("ftp://example.com", false);
        check("https://", false);
        check("https:///path", false);
        check("https://?q=1", false);
        check("example.com", false);
        check("//example.com", false);
        check("https://exa mple.com", false);
        check(" https://example.com", false);
        check("https://example.com/a b", false);
        check("https://example.com:", false);
        check("https://example.com:123456", false);
        check("https://example.com:port", false);
        check("https://.example.com", false);
        check("https://example..com", false);
        check("https://[::1", false);
        check("https://[::1]x", false);
        check("https://user@", false);
        check("javascript:alert(1)", false);
        check("", false);
        check("h", false);
        check("https://é", true);
    }

    #[test]
    fn hierarchy_splitting() {
        fn check(input: &Value, expected: Option<&[&str]>) {
            let actual = hierarchy_levels(input);
            let actual: Option<Vec<&str>> = actual
                .as_ref()
                .map(|levels| levels.iter().map(String::as_str).collect());
            assert_eq!(actual.as_deref(), expected, "{input}");
        }
        check(
            &json!(["London", " Sales ", null, "", "  ", "Sales 2"]),
            Some(&["London", "Sales", "Sales 2"]),
        );
        check(&json!([1, 2.5, true]), Some(&["1", "2.5", "true"]));
        check(&json!(["a ▸ b"]), Some(&["a ▸ b"]));
        check(&json!([]), Some(&[]));
        check(&json!(["a", ["b"]]), None);
        check(&json!(["a", {"b": 1}]), None);
        check(
            &json!("London ▸ Sales ▸ Sales 2"),
            Some(&["London", "Sales", "Sales 2"]),
        );
        check(&json!("London▸Sales"), Some(&["London", "Sales"]));
        check(&json!("a, b/c > d"), Some(&["a", "b", "c", "d"]));
        check(
            &json!("London,Sales,VIP"),
            Some(&["London", "Sales", "VIP"]),
        );
        check(&json!("a ▸ b/c"), Some(&["a", "b/c"])); // ▸ wins over the other separators.
        check(&json!(",,a,,"), Some(&["a"]));
        check(&json!("12"), Some(&["1", "2"]));
        check(&json!("1 2 #"), Some(&["1", "2", "#"]));
        check(&json!("*9"), Some(&["*", "9"]));
        check(&json!("Sales"), Some(&["Sales"]));
        check(&json!(" Sales Team "), Some(&["Sales Team"]));
        check(&json!("é"), Some(&["é"]));
        check(&json!(""), Some(&[]));
        check(&json!("   "), Some(&[]));
        check(&json!(12), Some(&["1", "2"]));
        check(&json!(-12), Some(&["-12"]));
        check(&json!(1.5), Some(&["1.5"]));
        check(&json!(true), Some(&["true"]));
        check(&Value::Null, Some(&[]));
        check(&json!({"a": 1}), None);
    }

    #[test]
    fn nasty_inputs_never_panic() {
        let huge = "9".repeat(1 << 20);
        let huge_text = "é👍 ".repeat(1 << 16);
        let texts = [
            "",
            " ",
            "\0",
            "\u{feff}",
            "NaN",
            "-inf",
            "1e308",
            "-1e308",
            "1e-400",
            "-0",
            "%",
            "%%",
            "::",
            "00:00:00:00",
            "tel:",
            "mailto:",
            "@",
            "http://",
            "▸",
            " ▸ ",
            "e\u{301}",
            huge.as_str(),
            huge_text.as_str(),
        ];
        let mut values: Vec<Value> = texts.iter().map(|t| json!(t)).collect();
        values.extend([
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(1e308),
            json!(-1e308),
            json!(f64::MIN_POSITIVE),
            Value::Null,
            json!([]),
            json!([[]]),
            json!({}),
        ]);
        for value in &values {
            let text = render_scalar(value).unwrap_or_default();
            let _ = truncate_chars(&text, 128);
            let _ = title_case(&text);
            let _ = parse_yes_no(value);
            let _ = parse_number(&text).and_then(number_value);
            let _ = TimeUnit::parse(&text);
            let _ = parse_seconds(value, TimeUnit::Hours);
            let _ = normalize_phone(&text, Some(&text));
            let _ = normalize_email(&text);
            let _ = sha256_hex(&text);
            let _ = parse_date(value, None);
            let _ = parse_date(value, Some(&text));
            let _ = is_http_url(&text);
            let _ = hierarchy_levels(value);
        }
    }
}
