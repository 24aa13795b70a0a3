//! The size of the attributes JSON, against `TaskRouter`'s 4096-character cap.
//!
//! `TaskRouter` rejects a task or worker update whose attributes JSON is longer than 4096
//! characters, so nothing of that record reaches Insights. Counting is cheap on the common
//! path: first an upper bound that reads only lengths (every string byte as a six-character
//! escape), which clears typical records at once; over it, the exact size of the compact JSON
//! summed value by value (strings scanned for their escapes, integers by their digits); and
//! only when a float makes that sum an estimate over the cap is the JSON written out.

use serde_json::Value;

use super::Attributes;

/// `TaskRouter`'s cap on the attributes JSON of a task or a worker, in characters (Unicode
/// scalar values), whitespace included: the catalog's fact under the runtime's name.
pub use crate::catalog::PAYLOAD_CHARS as MAX_PAYLOAD_CHARS;

/// True when the compact JSON of `attributes` (as `Attributes::write_json` writes it) is
/// longer than `MAX_PAYLOAD_CHARS`.
pub(super) fn over_cap(attributes: &Attributes) -> bool {
    if attributes.json_size(Count::Bound).0 <= MAX_PAYLOAD_CHARS {
        return false;
    }
    let (size, exact) = attributes.json_size(Count::Exact);
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

/// How `value_size` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Count {
    /// An upper bound from lengths alone: no string is scanned, numbers count 24.
    Bound,
    /// Exact, except that a float counts 24 (the count then says it is not exact).
    Exact,
}

/// The longest number `serde_json` writes: `-1.7976931348623157e308`, with room to spare.
const LONGEST_NUMBER: usize = 24;

/// Characters of `value` as compact JSON, and whether the count is exact (it is an upper
/// bound when a float is involved, or with `Count::Bound`).
pub(super) fn value_size(value: &Value, count: Count) -> (usize, bool) {
    match value {
        Value::Null | Value::Bool(true) => (4, true),
        Value::Bool(false) => (5, true),
        Value::Number(_) if count == Count::Bound => (LONGEST_NUMBER, false),
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(u), _) => (digits(u), true),
            (None, Some(i)) => (1 + digits(i.unsigned_abs()), true),
            (None, None) => (LONGEST_NUMBER, false),
        },
        Value::String(s) => string_size(s, count),
        Value::Array(items) => {
            let mut size = 2 + items.len().saturating_sub(1);
            let mut exact = true;
            for item in items {
                let (n, e) = value_size(item, count);
                size += n;
                exact &= e;
            }
            (size, exact)
        }
        Value::Object(map) if super::number::big_in(map).is_some() => {
            (super::number::big_in(map).map_or(0, str::len), true)
        }
        Value::Object(map) => {
            let mut size = 2 + map.len().saturating_sub(1);
            let mut exact = true;
            for (key, item) in map {
                let (n, e) = value_size(item, count);
                let (k, ke) = string_size(key, count);
                size += k + 1 + n;
                exact &= e && ke;
            }
            (size, exact)
        }
    }
}

/// Characters of a JSON string literal as `serde_json` writes it: quotes, `\"`, `\\`, the
/// short escapes of `\b \t \n \f \r`, and `\u00XX` for the other control characters.
/// With `Count::Bound`, every byte counts as a six-character escape.
pub(super) fn string_size(s: &str, count: Count) -> (usize, bool) {
    if count == Count::Bound {
        return (2 + 6 * s.len(), false);
    }
    let mut size = 2;
    for byte in s.bytes() {
        size += match byte {
            b'"' | b'\\' | 0x08 | b'\t' | b'\n' | 0x0C | b'\r' => 2,
            0x00..=0x1F => 6,
            0x80..=0xBF => 0,
            _ => 1,
        };
    }
    (size, true)
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
            assert_eq!(
                value_size(&value, Count::Exact),
                (json.chars().count(), true),
                "{json}"
            );
            assert!(value_size(&value, Count::Bound).0 >= json.chars().count());
        }
        for float in [-1.797_693_134_862_315_7e308, 0.1, -5e-324, 1.5] {
            let value = serde_json::json!(float);
            let json = serde_json::to_string(&value).unwrap_or_default();
            for count in [Count::Bound, Count::Exact] {
                let (size, exact) = value_size(&value, count);
                assert!(!exact && size >= json.chars().count(), "{json}");
            }
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
                let (size, exact) = attributes.json_size(Count::Exact);
                assert!(!exact && size >= chars);
                assert!(attributes.json_size(Count::Bound).0 >= size);
                // Without the float the count is exact, both sections and extras included.
                attributes.insert(section, "conversation_measure_1", serde_json::json!(3));
                attributes.insert(
                    OutSection::Insights(Section::Customers),
                    "name",
                    "\"Ann\"".into(),
                );
                let mut json = Vec::new();
                attributes.write_json(&mut json);
                assert_eq!(
                    attributes.json_size(Count::Exact),
                    (json_chars(&json), true)
                );
                assert!(attributes.json_size(Count::Bound).0 >= json_chars(&json));
            }
        }
    }
}
