//! A span-recording JSON scanner: byte positions of every key and value of one JSON text.
//!
//! `serde_json` checks the text and gives the values; it keeps no positions. This scanner
//! walks text that `serde_json` has already accepted and records where each object key and
//! each value starts and ends, keeping the members of an object in the order written
//! (duplicates included). Scalars are decoded by `serde_json` from their own token, so a
//! value means exactly what `serde_json` says it means.
//!
//! It also decodes a JSON string literal with a map from each decoded byte back to the
//! literal's bytes, so positions inside attributes stored as a JSON *string* (as `TaskRouter`
//! exports them) still point at the right characters of the file.
//!
//! Nothing here panics: an unexpected byte gives `None`, and nesting deeper than
//! [`MAX_DEPTH`] gives `None` too (`serde_json` refuses more than 128 levels anyway).

use serde_json::Value;

use crate::source::Span;

/// Deepest nesting the scanner follows.
pub const MAX_DEPTH: usize = 256;

/// One JSON value with its byte span in the scanned text.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Bytes of the value: `{…}`, `[…]`, `"…"` with its quotes, or the number or literal.
    pub span: Span,
    /// The value.
    pub value: NodeValue,
}

/// The shape of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    /// An object's members, in the order written (a repeated key appears twice).
    Object(Vec<Member>),
    /// An array's elements.
    Array(Vec<Node>),
    /// A string, number, `true`, `false` or `null`.
    Scalar(Value),
}

/// One `"key": value` member of an object.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The decoded key.
    pub key: String,
    /// Bytes of the key, quotes included.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Node {
    /// The members, when the value is an object.
    pub fn members(&self) -> Option<&[Member]> {
        match &self.value {
            NodeValue::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The scalar value, when the value is not an object or an array.
    pub fn scalar(&self) -> Option<&Value> {
        match &self.value {
            NodeValue::Scalar(value) => Some(value),
            _ => None,
        }
    }

    /// The string, when the value is a JSON string.
    pub fn as_str(&self) -> Option<&str> {
        self.scalar().and_then(Value::as_str)
    }

    /// True for JSON `null`.
    pub fn is_null(&self) -> bool {
        matches!(self.value, NodeValue::Scalar(Value::Null))
    }

    /// The value as a `serde_json::Value` (objects keep the last of repeated keys, as
    /// JavaScript's `JSON.parse` does).
    pub fn to_value(&self) -> Value {
        match &self.value {
            NodeValue::Object(members) => Value::Object(
                members
                    .iter()
                    .map(|member| (member.key.clone(), member.value.to_value()))
                    .collect(),
            ),
            NodeValue::Array(elements) => {
                Value::Array(elements.iter().map(Node::to_value).collect())
            }
            NodeValue::Scalar(value) => value.clone(),
        }
    }

    /// "object", "array", "string", "number", "boolean" or "null", for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Object(_) => "object",
            NodeValue::Array(_) => "array",
            NodeValue::Scalar(value) => type_name(value),
        }
    }
}

/// The JSON type of a value, for messages.
pub fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null => "null",
    }
}

/// Scans one JSON text (one value, with optional surrounding whitespace). Spans are byte
/// offsets into `text`. `None` when the text is not a single valid JSON value.
pub fn scan(text: &str) -> Option<Node> {
    let mut scanner = Scanner {
        text,
        bytes: text.as_bytes(),
        at: 0,
    };
    scanner.skip_whitespace();
    let node = scanner.value(0)?;
    scanner.skip_whitespace();
    (scanner.at == scanner.bytes.len()).then_some(node)
}

/// Decodes a JSON string literal (`"…"` with its quotes) into its text, with a map from
/// every byte offset of the decoded text, and one past its end, to the byte offset in the
/// literal where that byte's source starts (an escape maps all its bytes to its `\`; the
/// end maps to the closing quote). `None` when `literal` is not one valid string literal.
pub fn decode_string(literal: &str) -> Option<(String, Vec<usize>)> {
    let bytes = literal.as_bytes();
    if bytes.len() < 2 || bytes[0] != b'"' || bytes[bytes.len() - 1] != b'"' {
        return None;
    }
    let mut text = String::with_capacity(literal.len());
    let mut map = Vec::with_capacity(literal.len());
    let mut at = 1;
    let end = bytes.len() - 1;
    while at < end {
        let rest = literal.get(at..end)?;
        let ch = rest.chars().next()?;
        match ch {
            '"' => return None,
            '\\' => {
                if at + 1 >= end {
                    return None;
                }
                let escape = *bytes.get(at + 1)?;
                let (decoded, width) = match escape {
                    b'"' => ('"', 2),
                    b'\\' => ('\\', 2),
                    b'/' => ('/', 2),
                    b'b' => ('\u{8}', 2),
                    b'f' => ('\u{c}', 2),
                    b'n' => ('\n', 2),
                    b'r' => ('\r', 2),
                    b't' => ('\t', 2),
                    b'u' => decode_unicode_escape(literal.get(at..end)?)?,
                    _ => return None,
                };
                for _ in 0..decoded.len_utf8() {
                    map.push(at);
                }
                text.push(decoded);
                at += width;
            }
            ch if u32::from(ch) < 0x20 => return None,
            ch => {
                for offset in 0..ch.len_utf8() {
                    map.push(at + offset);
                }
                text.push(ch);
                at += ch.len_utf8();
            }
        }
    }
    map.push(end);
    Some((text, map))
}

/// Decodes `\uXXXX`, or a surrogate pair `\uD83D\uDC4D`, at the start of `rest`:
/// the character and how many bytes of `rest` it used. A lone surrogate is refused (`serde_json`
/// refuses it too).
fn decode_unicode_escape(rest: &str) -> Option<(char, usize)> {
    let high = hex4(rest.get(2..6)?)?;
    if (0xD800..0xDC00).contains(&high) {
        let low_part = rest.get(6..12)?;
        if !low_part.starts_with("\\u") {
            return None;
        }
        let low = hex4(low_part.get(2..6)?)?;
        if !(0xDC00..0xE000).contains(&low) {
            return None;
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        return char::from_u32(code).map(|ch| (ch, 12));
    }
    char::from_u32(high).map(|ch| (ch, 6))
}

fn hex4(digits: &str) -> Option<u32> {
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn skip_whitespace(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH {
            return None;
        }
        let start = self.at;
        let value =
            match self.bytes.get(self.at)? {
                b'{' => self.object(depth)?,
                b'[' => self.array(depth)?,
                b'"' => {
                    let span = self.string_token()?;
                    let token = self.text.get(span.range())?;
                    NodeValue::Scalar(Value::String(serde_json::from_str(token).ok()?))
                }
                _ => {
                    while self.bytes.get(self.at).is_some_and(|b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
                    }) {
                        self.at += 1;
                    }
                    let token = self.text.get(start..self.at)?;
                    if token.is_empty() {
                        return None;
                    }
                    NodeValue::Scalar(serde_json::from_str(token).ok()?)
                }
            };
        Some(Node {
            span: Span::new(start, self.at),
            value,
        })
    }

    fn object(&mut self, depth: usize) -> Option<NodeValue> {
        self.at += 1; // `{`
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b'}') {
            self.at += 1;
            return Some(NodeValue::Object(members));
        }
        loop {
            self.skip_whitespace();
            let key_span = self.string_token()?;
            let key: String = serde_json::from_str(self.text.get(key_span.range())?).ok()?;
            self.skip_whitespace();
            self.expect(b':')?;
            self.skip_whitespace();
            let value = self.value(depth + 1)?;
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(NodeValue::Object(members));
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<NodeValue> {
        self.at += 1; // `[`
        let mut elements = Vec::new();
        self.skip_whitespace();
        if self.bytes.get(self.at) == Some(&b']') {
            self.at += 1;
            return Some(NodeValue::Array(elements));
        }
        loop {
            self.skip_whitespace();
            elements.push(self.value(depth + 1)?);
            self.skip_whitespace();
            match self.bytes.get(self.at)? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(NodeValue::Array(elements));
                }
                _ => return None,
            }
        }
    }

    /// The span of a string token starting at the cursor (quotes included); moves past it.
    fn string_token(&mut self) -> Option<Span> {
        let start = self.at;
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        loop {
            match self.bytes.get(self.at)? {
                b'"' => {
                    self.at += 1;
                    return Some(Span::new(start, self.at));
                }
                b'\\' => self.at += 2,
                _ => self.at += 1,
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Option<()> {
        (self.bytes.get(self.at) == Some(&byte)).then(|| self.at += 1)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text_of(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn records_key_and_value_spans() {
        let text = r#" {"a": 1, "b" : {"c": [true, null, "x\"y"]}, "é": -2.5e3} "#;
        let node = scan(text).expect("valid");
        assert_eq!(text_of(text, node.span), &text[1..text.len() - 1]);
        let members = node.members().expect("object");
        let keys: Vec<(&str, &str, &str)> = members
            .iter()
            .map(|m| {
                (
                    m.key.as_str(),
                    text_of(text, m.key_span),
                    text_of(text, m.value.span),
                )
            })
            .collect();
        assert_eq!(
            keys,
            [
                ("a", "\"a\"", "1"),
                ("b", "\"b\"", r#"{"c": [true, null, "x\"y"]}"#),
                ("é", "\"é\"", "-2.5e3"),
            ]
        );
        let inner = members[1].value.members().expect("object");
        let NodeValue::Array(elements) = &inner[0].value.value else {
            panic!("array expected");
        };
        let spans: Vec<&str> = elements.iter().map(|e| text_of(text, e.span)).collect();
        assert_eq!(spans, ["true", "null", r#""x\"y""#]);
        assert_eq!(elements[2].as_str(), Some("x\"y"));
        assert!(elements[1].is_null());
        assert_eq!(
            node.to_value(),
            json!({"a": 1, "b": {"c": [true, null, "x\"y"]}, "é": -2500.0})
        );
    }

    #[test]
    fn keeps_repeated_keys_in_order() {
        let node = scan(r#"{"a":1,"a":2}"#).expect("valid");
        let keys: Vec<&str> = node
            .members()
            .expect("object")
            .iter()
            .map(|m| m.key.as_str())
            .collect();
        assert_eq!(keys, ["a", "a"]);
        assert_eq!(node.to_value(), json!({"a": 2}));
    }

    #[test]
    fn scans_empty_containers_and_scalars() {
        for text in ["{}", "[]", "[ ]", "{ }", "0", "\"\"", "null", "[[],{}]"] {
            let node = scan(text).expect(text);
            assert_eq!(node.span, Span::new(0, text.len()), "{text}");
        }
    }

    #[test]
    fn refuses_what_is_not_one_json_value() {
        for text in [
            "",
            " ",
            "{",
            "}",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "[1,]",
            "[1 2]",
            "{} {}",
            "\"abc",
            "nul",
            "{a:1}",
            "'x'",
            "1 2",
        ] {
            assert_eq!(scan(text), None, "{text:?}");
        }
    }

    #[test]
    fn refuses_nesting_past_the_limit() {
        let deep = format!("{}{}", "[".repeat(MAX_DEPTH + 2), "]".repeat(MAX_DEPTH + 2));
        assert_eq!(scan(&deep), None);
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(scan(&fine).is_some());
    }

    #[test]
    fn decodes_string_literals_with_an_offset_map() {
        let literal = r#""{\"a\":\"é\u00e9\ud83d\udc4d\"}""#;
        let (text, map) = decode_string(literal).expect("valid literal");
        assert_eq!(text, "{\"a\":\"éé👍\"}");
        assert_eq!(map.len(), text.len() + 1);
        // `{` is at byte 1 of the literal; `"` of `"a"` comes from `\"` at byte 2.
        assert_eq!(map[0], 1);
        assert_eq!(map[1], 2);
        // The decoded `é` from `\u00e9`: both its bytes map to the `\` of the escape.
        let escaped_e = text.find("éé").map(|i| i + 'é'.len_utf8()).expect("é");
        assert_eq!(map[escaped_e], map[escaped_e + 1]);
        assert_eq!(&literal[map[escaped_e]..map[escaped_e] + 6], r"\u00e9");
        // The emoji from a surrogate pair maps to the first `\u`.
        let emoji = text.find('👍').expect("emoji");
        assert_eq!(&literal[map[emoji]..map[emoji] + 12], r"\ud83d\udc4d");
        assert_eq!(map[text.len()], literal.len() - 1);
        assert_eq!(
            serde_json::from_str::<String>(literal).ok().as_deref(),
            Some(text.as_str())
        );
    }

    #[test]
    fn refuses_bad_string_literals() {
        for literal in [
            "",
            "\"",
            "x",
            "\"a",
            "a\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\ud83d""#,
            r#""\ud83dx""#,
            r#""\udc4d""#,
            "\"a\"b\"",
            "\"\u{1}\"",
            r#""\"#,
            r#""\""#,
        ] {
            assert_eq!(decode_string(literal), None, "{literal:?}");
        }
    }
}
