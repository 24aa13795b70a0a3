//! The size of the attributes JSON, against `TaskRouter`'s 4096-character cap.
//!
//! `TaskRouter` rejects a task or worker update whose attributes JSON is longer than 4096
//! characters, so nothing of that record reaches Insights. Counting is cheap on the common
//! path: the exact size of the compact JSON is summed value by value (strings with their
//! escapes, integers by their digits), and only when a float makes the sum an estimate and it
//! lands over the cap is the JSON written out and counted.

use serde_json::Value;

use super::Attributes;

/// `TaskRouter`'s cap on the attributes JSON of a task or a worker, in characters (Unicode
/// scalar values), whitespace included.
pub const MAX_PAYLOAD_CHARS: usize = 4096;

/// True when the compact JSON of `attributes` (as `Attributes::write_json` writes it) is
/// longer than `MAX_PAYLOAD_CHARS`.
pub(super) fn over_cap(attributes: &Attributes) -> bool {
    let (size, exact) = attributes.json_size();
    if size <= MAX_PAYLOAD_CHARS {
        return false;
    }
    if exact {
        return true;
    }
    let mut json = Vec::new();
    attributes.write_json(&mut json);
    json_chars(&json) > MAX_PAYLOAD_CHARS
}

/// Characters of UTF-8 JSON text (bytes that start a character).
pub fn json_chars(json: &[u8]) -> usize {
    json.iter().filter(|b| (**b & 0xC0) != 0x80).count()
}

/// Characters of `value` as compact JSON, and whether the count is exact (it is an upper
/// bound when a float is involved).
pub(super) fn value_size(value: &Value) -> (usize, bool) {
    match value {
        Value::Null | Value::Bool(true) => (4, true),
        Value::Bool(false) => (5, true),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => (digits(u), true),
            (None, Some(i)) => (1 + digits(i.unsigned_abs()), true),
            // `-1.7976931348623157e308` is the longest float serde_json writes.
            (None, None) => (24, false),
        },
        Value::String(s) => (string_size(s), true),
        Value::Array(items) => {
            let mut size = 2 + items.len().saturating_sub(1);
            let mut exact = true;
            for item in items {
                let (n, e) = value_size(item);
                size += n;
                exact &= e;
            }
            (size, exact)
        }
        Value::Object(map) => {
            let mut size = 2 + map.len().saturating_sub(1);
            let mut exact = true;
            for (key, item) in map {
                let (n, e) = value_size(item);
                size += string_size(key) + 1 + n;
                exact &= e;
            }
            (size, exact)
        }
    }
}

/// Characters of a JSON string literal as `serde_json` writes it: quotes, `\"`, `\\`, the
/// short escapes of `\b \t \n \f \r`, and `\u00XX` for the other control characters.
pub(super) fn string_size(s: &str) -> usize {
    let mut size = 2;
    for byte in s.bytes() {
        size += match byte {
            b'"' | b'\\' | 0x08 | b'\t' | b'\n' | 0x0C | b'\r' => 2,
            0x00..=0x1F => 6,
            0x80..=0xBF => 0,
            _ => 1,
        };
    }
    size
}

fn digits(mut n: u64) -> usize {
    let mut count = 1;
    while n >= 10 {
        n /= 10;
        count += 1;
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_match_serde_json() {
        let values = [
            serde_json::json!(null),
            serde_json::json!(true),
            serde_json::json!(false),
            serde_json::json!(0),
            serde_json::json!(-9_223_372_036_854_775_808_i64),
            serde_json::json!(u64::MAX),
            serde_json::json!("a\"b\\c\n\t\u{1}\u{7f}é😀 ▸"),
            serde_json::json!({"k\"ey": [1, "x", {"y": null}], "z": []}),
            serde_json::json!([]),
            serde_json::json!({}),
        ];
        for value in values {
            let json = serde_json::to_string(&value).unwrap_or_default();
            assert_eq!(value_size(&value), (json.chars().count(), true), "{json}");
        }
        for float in [-1.797_693_134_862_315_7e308, 0.1, -5e-324, 1.5] {
            let value = serde_json::json!(float);
            let json = serde_json::to_string(&value).unwrap_or_default();
            let (size, exact) = value_size(&value);
            assert!(!exact && size >= json.chars().count(), "{json}");
        }
    }

    #[test]
    fn the_cap_is_exact_with_floats_too() {
        use crate::catalog::{Section, Target};
        use crate::runtime::OutSection;
        for target in [Target::Task, Target::Worker] {
            for length in 4040..4070 {
                let mut attributes = Attributes::new(target);
                let section = match target {
                    Target::Task => OutSection::Insights(Section::Conversations),
                    Target::Worker => OutSection::Insights(Section::Worker),
                };
                attributes.insert(section, "conversation_measure_1", serde_json::json!(0.1));
                attributes.insert(section, "x", serde_json::json!(-7));
                attributes.insert(OutSection::Extra, "notes", Value::from("é".repeat(length)));
                let mut json = Vec::new();
                attributes.write_json(&mut json);
                let chars = json_chars(&json);
                assert_eq!(over_cap(&attributes), chars > MAX_PAYLOAD_CHARS, "{chars}");
                let (size, exact) = attributes.json_size();
                assert!(!exact && size >= chars);
                // Without the float the count is exact, both sections and extras included.
                attributes.insert(section, "conversation_measure_1", serde_json::json!(3));
                attributes.insert(
                    OutSection::Insights(Section::Customers),
                    "name",
                    "\"Ann\"".into(),
                );
                let mut json = Vec::new();
                attributes.write_json(&mut json);
                assert_eq!(attributes.json_size(), (json_chars(&json), true));
            }
        }
    }
}
