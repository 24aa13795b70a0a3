//! Exact big integers: JSON integers that fit neither `i64` nor `u64` (here: *big*).
//!
//! `serde_json` (without `arbitrary_precision`, which costs 5–10 % on every record) reads such
//! an integer as the nearest `f64`, so `123456789012345678901234` would be written back as
//! `1.2345678901234568e23`. The runtime keeps them exact instead, at no cost to ordinary records:
//!
//! - **Reading.** [`parse_record`] (and the slots of `FastPath::parse`) builds the `Value` with
//!   `serde_json`'s parser through a visitor that notes any float of magnitude 2^63 or more (every
//!   big integer token is read as one). Only then is the text read a second time by
//!   [`parse_exact`], which keeps each big integer's digits. Errors are `serde_json`'s, from the
//!   first pass.
//! - **Holding.** A big integer is a one-key object `{BIG_KEY: "digits"}` (the token
//!   `serde_json`'s own `arbitrary_precision` uses for the same purpose), with the digits of a
//!   JSON integer token. [`big`] recognises it; everything else in the runtime treats it as a
//!   number: rendered exactly in text (`render_scalar`), compared exactly with `==` against
//!   other integers, copied as written into measures and extra keys, and read as the nearest
//!   `f64` by arithmetic, ordering and numeric filters (exact integer arithmetic only where it
//!   fits `i64`, as for every integer).
//! - **Writing.** [`Exact`] serialises a value with each big integer as its digits (a
//!   `RawValue`), wherever the runtime writes JSON.

use std::cell::Cell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::{Map, Number, Value};

/// The key of the one-key object that holds a big integer's digits.
pub const BIG_KEY: &str = "$serde_json::private::Number";

/// 2^63: every integer token that fits neither `i64` nor `u64` is read as an `f64` at least
/// this large in magnitude.
const BIG_FLOAT: f64 = 9_223_372_036_854_775_808.0;

/// The digits of a big integer value (`None` for anything else).
#[must_use]
#[inline]
pub fn big(value: &Value) -> Option<&str> {
    match value {
        Value::Object(map) => big_in(map),
        _ => None,
    }
}

/// The digits when `map` is a big integer.
#[must_use]
#[inline]
pub fn big_in(map: &Map<String, Value>) -> Option<&str> {
    if map.len() != 1 {
        return None;
    }
    match map.get(BIG_KEY) {
        Some(Value::String(digits)) if is_big_token(digits) => Some(digits),
        _ => None,
    }
}

/// A big integer value from its token (`None` when `token` is not a JSON integer beyond
/// `i64`/`u64`).
#[must_use]
pub fn big_value(token: &str) -> Option<Value> {
    is_big_token(token).then(|| {
        let mut map = Map::new();
        map.insert(BIG_KEY.to_string(), Value::String(token.to_string()));
        Value::Object(map)
    })
}

/// True for a JSON integer token (`-?(0|[1-9][0-9]*)`) that fits neither `i64` nor `u64`.
fn is_big_token(token: &str) -> bool {
    let digits = token.strip_prefix('-').unwrap_or(token);
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits.len() == 1 || !digits.starts_with('0'));
    well_formed && token.parse::<i64>().is_err() && token.parse::<u64>().is_err()
}

/// True for a number, a big integer included.
#[must_use]
pub fn is_number(value: &Value) -> bool {
    matches!(value, Value::Number(_)) || big(value).is_some()
}

/// True for an array, or an object that is not a big integer.
#[must_use]
pub fn is_container(value: &Value) -> bool {
    match value {
        Value::Array(_) => true,
        Value::Object(map) => big_in(map).is_none(),
        _ => false,
    }
}

/// True for an object that is not a big integer.
#[must_use]
pub fn is_object(value: &Value) -> bool {
    matches!(value, Value::Object(map) if big_in(map).is_none())
}

/// A number as an `f64` (a big integer: the nearest one); `None` for anything else.
#[must_use]
pub fn as_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        _ => big(value).and_then(|digits| digits.parse().ok()),
    }
}

/// A big integer as a plain `f64` number value (the nearest one), anything else unchanged.
#[must_use]
pub fn approximate(value: &Value) -> Option<Value> {
    let x: f64 = big(value)?.parse().ok()?;
    Number::from_f64(x).map(Value::Number)
}

/// Parses one JSON text as `serde_json::from_str::<Value>` does (same acceptance, same error),
/// except that big integers keep their digits (see the module doc).
///
/// # Errors
///
/// The `serde_json` error for malformed JSON.
pub fn parse_record(text: &str) -> Result<Value, serde_json::Error> {
    let seen = Cell::new(false);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let value = Watch(&seen).deserialize(&mut deserializer)?;
    deserializer.end()?;
    if seen.get() {
        // Valid JSON (`serde_json` accepted it), so the exact reader cannot fail.
        return Ok(parse_exact(text).unwrap_or(value));
    }
    Ok(value)
}

/// Reads a JSON value like `Value`'s `Deserialize`, noting in the cell any float large enough
/// to be a big integer.
#[derive(Clone, Copy)]
pub struct Watch<'c>(pub &'c Cell<bool>);

impl<'de> DeserializeSeed<'de> for Watch<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Watch<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }
    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }
    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        if value.abs() >= BIG_FLOAT {
            self.0.set(true);
        }
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }
    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut values = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(self)?;
            values.insert(key, value);
        }
        Ok(Value::Object(values))
    }
}

/// Reads JSON text that `serde_json` has accepted, keeping big integers exact; every other value
/// is read by `serde_json` itself, so it is the same. `None` only for text `serde_json` refuses.
#[must_use]
pub fn parse_exact(text: &str) -> Option<Value> {
    let mut reader = Reader {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    let value = reader.value()?;
    reader.space();
    (reader.at == text.len()).then_some(value)
}

struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn space(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        if self.bytes.get(self.at) == Some(&byte) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.space();
        match *self.bytes.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut map = Map::new();
                if self.eat(b'}') {
                    return Some(Value::Object(map));
                }
                loop {
                    self.space();
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    let value = self.value()?;
                    map.insert(key, value);
                    if self.eat(b',') {
                        continue;
                    }
                    return self.eat(b'}').then_some(Value::Object(map));
                }
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    if self.eat(b',') {
                        continue;
                    }
                    return self.eat(b']').then_some(Value::Array(items));
                }
            }
            b'"' => self.string().map(Value::String),
            _ => {
                let start = self.at;
                while matches!(
                    self.bytes.get(self.at),
                    Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'a'..=b'z')
                ) {
                    self.at += 1;
                }
                let token = self.text.get(start..self.at)?;
                if let Some(value) = big_value(token) {
                    return Some(value);
                }
                serde_json::from_str(token).ok()
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.at;
        if self.bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut escaped = false;
        let mut at = start + 1;
        loop {
            match *self.bytes.get(at)? {
                b'"' => break,
                b'\\' => {
                    escaped = true;
                    at += 2;
                }
                _ => at += 1,
            }
        }
        self.at = at + 1;
        if escaped {
            serde_json::from_str(self.text.get(start..self.at)?).ok()
        } else {
            self.text.get(start + 1..at).map(str::to_owned)
        }
    }
}

/// Serialises a value with each big integer written as its digits.
#[derive(Clone, Copy, Debug)]
pub struct Exact<'v>(pub &'v Value);

impl Serialize for Exact<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                if let Some(digits) = big_in(map) {
                    return match serde_json::value::RawValue::from_string(digits.to_owned()) {
                        Ok(raw) => raw.serialize(serializer),
                        Err(e) => Err(serde::ser::Error::custom(e)),
                    };
                }
                let mut out = serializer.serialize_map(Some(map.len()))?;
                for (key, value) in map {
                    out.serialize_entry(key, &Exact(value))?;
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    out.serialize_element(&Exact(item))?;
                }
                out.end()
            }
            other => other.serialize(serializer),
        }
    }
}

/// `#[serde(serialize_with)]` for a `Value` field: big integers exact.
///
/// # Errors
///
/// The serializer's.
pub fn serialize<S: Serializer>(value: &Value, serializer: S) -> Result<S::Ok, S::Error> {
    Exact(value).serialize(serializer)
}

/// `#[serde(serialize_with)]` for an `Option<Value>` field: big integers exact.
///
/// # Errors
///
/// The serializer's.
pub fn serialize_option<S: Serializer>(
    value: &Option<Value>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.as_ref().map(Exact).serialize(serializer)
}

/// Compact JSON of `value` with big integers exact, appended to `out`.
pub fn write_json(out: &mut Vec<u8>, value: &Value) {
    // Serialising a JSON value into a Vec cannot fail. Only a container can hold a big
    // integer, so a scalar (most output values) takes serde_json's own path.
    let _ = match value {
        Value::Object(_) | Value::Array(_) => serde_json::to_writer(out, &Exact(value)),
        _ => serde_json::to_writer(out, value),
    };
}

/// Compact JSON text of `value` with big integers exact.
#[must_use]
pub fn to_json(value: &Value) -> String {
    let mut out = Vec::new();
    write_json(&mut out, value);
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_big_integers_and_nothing_else_changes() {
        for (input, output) in [
            (
                r#"{"id":123456789012345678901234}"#,
                r#"{"id":123456789012345678901234}"#,
            ),
            (
                r#"[-123456789012345678901234567890123456789, 18446744073709551616, -9223372036854775809]"#,
                "[-123456789012345678901234567890123456789,18446744073709551616,-9223372036854775809]",
            ),
            (
                r#"{"a":{"b":[1e20, 1.0e19, 5.0, 1e2, -0, 18446744073709551615, -9223372036854775808]}}"#,
                r#"{"a":{"b":[1e+20,1e+19,5.0,100.0,-0.0,18446744073709551615,-9223372036854775808]}}"#,
            ),
            (
                r#" {"k\"\\":"\u00e9\"", "k\"\\": 99999999999999999999 } "#,
                r#"{"k\"\\":99999999999999999999}"#,
            ),
            (
                r#"{"$serde_json::private::Number":"12"}"#,
                r#"{"$serde_json::private::Number":"12"}"#,
            ),
            ("7", "7"),
        ] {
            let value = parse_record(input).expect(input);
            assert_eq!(to_json(&value), output, "{input}");
            let plain = serde_json::from_str::<Value>(input).expect(input);
            assert_eq!(
                parse_exact(input).map(|v| to_json(&v)),
                Some(output.to_string()),
                "{input}"
            );
            if !output.contains("999999") && !output.contains("12345678901") {
                assert_eq!(value, plain, "{input}");
            }
        }
    }

    #[test]
    fn fails_as_serde_json_fails() {
        for input in [
            "",
            "[1,]",
            "{\"a\":123456789012345678901234",
            "1e400",
            "-",
            "01",
        ] {
            let expected = serde_json::from_str::<Value>(input).map_err(|e| e.to_string());
            assert_eq!(
                parse_record(input).map_err(|e| e.to_string()).err(),
                expected.err(),
                "{input}"
            );
        }
    }

    #[test]
    fn big_integers_are_numbers() {
        let value = parse_record("123456789012345678901234").expect("big");
        assert_eq!(big(&value), Some("123456789012345678901234"));
        assert!(is_number(&value) && !is_object(&value) && !is_container(&value));
        assert_eq!(as_f64(&value), Some(1.234_567_890_123_456_8e23));
        assert_eq!(big(&serde_json::json!({ BIG_KEY: "12" })), None);
        assert_eq!(
            big(&serde_json::json!({ BIG_KEY: "0123456789012345678901" })),
            None
        );
    }
}
