//! The record policy: what happens to one record, the same in `flexmap apply`, `flexmap
//! serve` and the library.
//!
//! A record is mapped, optionally deep-merged into the attributes it already has
//! (`--merge PATH`), and then refused when it cannot be sent as it is: not a JSON object,
//! a runtime warning under `strict`, or attributes JSON over `TaskRouter`'s 4096-character cap
//! (measured on the object that would be sent, merged or not). Every refusal is a
//! `RecordError` with a stable code; its message never quotes a record value.
//!
//! Two entry points share these decisions: `RecordPolicy::map_record` for a parsed record
//! (serve, the library) and `RecordPolicy::map_line` for one line of NDJSON text (apply's
//! streaming fast path, which writes the JSON straight into its output buffer).

use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::{
    Attributes, FastPath, MAX_PAYLOAD_CHARS, Program, RuntimeWarning, WarningKind, json_chars,
    number,
};

/// A record that cannot be sent: a stable code (`not-an-object`, `strict`,
/// `payload-too-large`, `value-too-large`, `merge-missing`, …) and a message without any record value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordError {
    /// Stable, kebab-case: what `serve` answers in `error.code`.
    pub code: &'static str,
    /// One sentence, never quoting a value of the record.
    pub message: String,
}

impl RecordError {
    fn new(code: &'static str, message: impl Into<String>) -> RecordError {
        RecordError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A validated `--merge` path: dot-separated keys, none empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergePath {
    text: String,
    keys: Vec<String>,
}

impl MergePath {
    /// Parses `task.attributes`-style paths.
    ///
    /// # Errors
    ///
    /// A sentence for an empty path, `.`, or a path with an empty key (`a..b`, `a.`): those
    /// would name no attributes, and merging into nothing drops what the record has.
    pub fn parse(path: &str) -> Result<MergePath, String> {
        if path.trim().is_empty() {
            return Err(
                "--merge needs the dotted path of the attributes in each record, e.g. `task.attributes`; the path is empty".into(),
            );
        }
        let keys: Vec<String> = path.split('.').map(str::to_owned).collect();
        if keys.iter().any(String::is_empty) {
            return Err(format!(
                "--merge path `{path}` has an empty key; write dot-separated keys, e.g. `task.attributes`"
            ));
        }
        Ok(MergePath {
            text: path.to_owned(),
            keys,
        })
    }

    /// The path as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The attributes object at the path in `record` (an object, or a string holding one).
    fn base(&self, record: &Value) -> Result<Value, RecordError> {
        let path = &self.text;
        let mut at = record;
        for key in &self.keys {
            at = match at.get(key.as_str()) {
                Some(value) => value,
                None => {
                    return Err(RecordError::new(
                        "merge-missing",
                        format!(
                            "--merge: the record has no `{path}`, so its attributes are unknown and merging would drop them"
                        ),
                    ));
                }
            };
        }
        match at {
            Value::Object(_) if number::is_object(at) => Ok(at.clone()),
            Value::String(text) => match number::parse_record(text) {
                Ok(value) if number::is_object(&value) => Ok(value),
                _ => Err(RecordError::new(
                    "merge-not-an-object",
                    format!(
                        "--merge: the string at `{path}` is not a JSON object (the value, {} characters, is not shown)",
                        text.chars().count()
                    ),
                )),
            },
            other => Err(RecordError::new(
                "merge-not-an-object",
                format!(
                    "--merge: the value at `{path}` is {}, not an object",
                    kind_of(other)
                ),
            )),
        }
    }
}

/// What `map_record` produced: the attributes, or the merged object under `--merge`.
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// The program's attributes, in rule order.
    Attributes(Attributes),
    /// The record's attributes at the merge path with the program's deep-merged in.
    Merged(Value),
}

impl Serialize for Output {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Output::Attributes(attributes) => attributes.serialize(serializer),
            Output::Merged(value) => number::Exact(value).serialize(serializer),
        }
    }
}

/// The outcome of one record: output or error, and the runtime warnings either way (a
/// record-level error such as `payload-too-large` is the error, not also a warning).
#[derive(Clone, Debug)]
pub struct RecordOutcome {
    /// What to send, or why not.
    pub result: Result<Output, RecordError>,
    /// What was changed or dropped on the way.
    pub warnings: Vec<RuntimeWarning>,
}

/// How records are treated: the one policy of `apply`, `serve` and the library.
#[derive(Clone, Debug, Default)]
pub struct RecordPolicy {
    merge: Option<MergePath>,
    strict: bool,
}

impl RecordPolicy {
    /// Map only; warnings are reported, not errors.
    #[must_use]
    pub fn new() -> RecordPolicy {
        RecordPolicy::default()
    }

    /// Runtime warnings make the record an error (`--strict`, `?strict=true`).
    #[must_use]
    pub fn strict(mut self, strict: bool) -> RecordPolicy {
        self.strict = strict;
        self
    }

    /// Deep-merge the result into the attributes at `path` (`--merge`).
    #[must_use]
    pub fn merge(mut self, path: MergePath) -> RecordPolicy {
        self.merge = Some(path);
        self
    }

    /// True under `strict`.
    #[must_use]
    pub fn is_strict(&self) -> bool {
        self.strict
    }

    /// Maps one parsed record.
    #[must_use]
    pub fn map_record(&self, program: &Program, record: &Value) -> RecordOutcome {
        if !number::is_object(record) {
            return RecordOutcome {
                result: Err(not_an_object(record)),
                warnings: Vec::new(),
            };
        }
        let applied = program.apply(record);
        let over_cap = applied
            .warnings
            .iter()
            .any(|w| w.kind == WarningKind::PayloadTooLarge);
        let too_large = too_large(program, &applied.warnings);
        let warnings: Vec<RuntimeWarning> = applied
            .warnings
            .into_iter()
            .filter(|w| !w.kind.is_record_error())
            .collect();
        if let Some(error) = too_large {
            return RecordOutcome {
                result: Err(error),
                warnings,
            };
        }
        if let Err(error) = self.check_strict(program, &warnings) {
            return RecordOutcome {
                result: Err(error),
                warnings,
            };
        }
        let result = match &self.merge {
            None if over_cap => {
                let mut json = Vec::new();
                applied.attributes.write_json(&mut json);
                Err(payload_too_large(json_chars(&json)))
            }
            None => Ok(Output::Attributes(applied.attributes)),
            Some(path) => merged(path, record, &applied.attributes).and_then(|value| {
                let json = number::to_json(&value);
                check_cap(json.as_bytes()).map(|()| Output::Merged(value))
            }),
        };
        RecordOutcome { result, warnings }
    }

    /// Maps one NDJSON line (without its terminator) and appends the JSON to send to `out`
    /// (nothing on error); pushes the runtime warnings to `warnings`. The same decisions as
    /// `map_record`, on `FastPath`'s pruned parse when there is nothing to merge.
    ///
    /// # Errors
    ///
    /// Why the line cannot be sent: invalid UTF-8, an empty line, malformed JSON, or any
    /// `map_record` error.
    pub fn map_line(
        &self,
        fast: &FastPath<'_>,
        bytes: &[u8],
        out: &mut Vec<u8>,
        warnings: &mut Vec<RuntimeWarning>,
    ) -> Result<(), RecordError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            RecordError::new(
                "invalid-utf8",
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
        })?;
        if text.trim().is_empty() {
            return Err(RecordError::new("empty-line", "empty line"));
        }
        let start = out.len();
        let result = self.map_text(fast, text, out, warnings);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    fn map_text(
        &self,
        fast: &FastPath<'_>,
        text: &str,
        out: &mut Vec<u8>,
        warnings: &mut Vec<RuntimeWarning>,
    ) -> Result<(), RecordError> {
        let program = fast.program();
        let start = out.len();
        if self.merge.is_some() {
            let record: Value = number::parse_record(text).map_err(malformed)?;
            let outcome = self.map_record(program, &record);
            warnings.extend(outcome.warnings);
            let value = outcome.result?;
            return serde_json::to_writer(&mut *out, &value).map_err(|e| {
                RecordError::new("internal", format!("the output could not be written: {e}"))
            });
        }
        let record = fast.parse(text).map_err(malformed)?;
        if !record.is_object() {
            let kind = number::parse_record(text).unwrap_or(Value::Null);
            return Err(not_an_object(&kind));
        }
        let mark = warnings.len();
        fast.apply_json(&record, out, warnings);
        if let Some(error) = too_large(program, &warnings[mark..]) {
            warnings.retain(|w| w.kind != WarningKind::ValueTooLarge);
            return Err(error);
        }
        self.check_strict(program, warnings)?;
        check_cap(&out[start..])
    }

    fn check_strict(
        &self,
        program: &Program,
        warnings: &[RuntimeWarning],
    ) -> Result<(), RecordError> {
        if !self.strict || warnings.is_empty() {
            return Ok(());
        }
        let reasons: Vec<String> = warnings.iter().map(|w| program.describe(w)).collect();
        let count = warnings.len();
        Err(RecordError::new(
            "strict",
            format!(
                "strict: {count} runtime warning{}: {}",
                crate::diagnostic::plural(count),
                reasons.join("; ")
            ),
        ))
    }
}

/// The error for a value over the runtime cost caps (`runtime::cost`), which was never built.
fn too_large(program: &Program, warnings: &[RuntimeWarning]) -> Option<RecordError> {
    let warning = warnings
        .iter()
        .find(|w| w.kind == WarningKind::ValueTooLarge)?;
    Some(RecordError::new(
        WarningKind::ValueTooLarge.name(),
        program.describe(warning),
    ))
}

/// The error for JSON over the cap, from its compact text.
fn check_cap(json: &[u8]) -> Result<(), RecordError> {
    if json.len() <= MAX_PAYLOAD_CHARS {
        return Ok(());
    }
    let chars = json_chars(json);
    if chars <= MAX_PAYLOAD_CHARS {
        return Ok(());
    }
    Err(payload_too_large(chars))
}

fn payload_too_large(chars: usize) -> RecordError {
    RecordError::new(
        "payload-too-large",
        format!(
            "the attributes JSON is {chars} characters, over TaskRouter's {MAX_PAYLOAD_CHARS}-character cap, so TaskRouter would reject the update (payload-too-large)"
        ),
    )
}

#[allow(clippy::needless_pass_by_value)] // Used as `map_err(malformed)`.
fn malformed(error: serde_json::Error) -> RecordError {
    RecordError::new("malformed-json", format!("malformed JSON: {error}"))
}

fn not_an_object(record: &Value) -> RecordError {
    RecordError::new(
        "not-an-object",
        format!("the record is {}, not a JSON object", kind_of(record)),
    )
}

/// `null`, `a string`, … for messages that must not quote the value.
fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(map) if number::big_in(map).is_some() => "a number",
        Value::Object(_) => "an object",
    }
}

/// The attributes at `path` in the record with `attributes` deep-merged into them.
fn merged(path: &MergePath, record: &Value, attributes: &Attributes) -> Result<Value, RecordError> {
    let mut base = path.base(record)?;
    deep_merge(&mut base, attributes.to_value());
    Ok(base)
}

fn deep_merge(base: &mut Value, update: Value) {
    match (base, update) {
        (Value::Object(base), Value::Object(update))
            if number::big_in(base).is_none() && number::big_in(&update).is_none() =>
        {
            for (key, value) in update {
                match base.get_mut(&key) {
                    Some(existing) if number::is_object(existing) && number::is_object(&value) => {
                        deep_merge(existing, value);
                    }
                    _ => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, update) => *base = update,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn program() -> Program {
        crate::Ruleset::from_str(
            "flexmap: 1\ntarget: task\nconversations:\n  ivr_path: ivr.digits\n  conversation_measure_1: survey.csat | number\nextra:\n  notes: notes\n",
            "rules.yaml",
        )
        .compile()
        .expect("compiles")
    }

    #[test]
    fn merge_paths_that_name_nothing_are_refused() {
        for path in ["", ".", "task.", ".attributes", "task..attributes", " "] {
            assert!(MergePath::parse(path).is_err(), "{path:?}");
        }
        assert_eq!(
            MergePath::parse("task.attributes").map(|p| p.keys),
            Ok(vec!["task".to_owned(), "attributes".to_owned()])
        );
    }

    #[test]
    fn a_missing_or_non_object_merge_base_is_a_record_error() {
        let program = program();
        let policy = RecordPolicy::new().merge(MergePath::parse("task.attributes").expect("path"));
        for (record, code) in [
            (json!({"ivr": {"digits": "1"}}), "merge-missing"),
            (json!({"task": 5}), "merge-missing"),
            (json!({"task": {"attributes": null}}), "merge-not-an-object"),
            (
                json!({"task": {"attributes": "[1]"}}),
                "merge-not-an-object",
            ),
        ] {
            let outcome = policy.map_record(&program, &record);
            assert_eq!(outcome.result.map_err(|e| e.code), Err(code), "{record}");
        }
        let outcome = policy.map_record(
            &program,
            &json!({"ivr": {"digits": "1"}, "task": {"attributes": "{\"type\": \"x\"}"}}),
        );
        assert_eq!(
            outcome
                .result
                .map(|o| serde_json::to_value(o).unwrap_or_default()),
            Ok(json!({"type": "x", "conversations": {"ivr_path": "1"}}))
        );
    }

    #[test]
    fn over_cap_and_strict_are_errors_on_both_paths() {
        let program = program();
        let fast = FastPath::new(&program);
        let long = "é".repeat(4100);
        let cases = [
            (
                json!({"notes": long}),
                RecordPolicy::new(),
                "payload-too-large",
            ),
            (
                json!({"survey": {"csat": "abc"}}),
                RecordPolicy::new().strict(true),
                "strict",
            ),
            (json!([1]), RecordPolicy::new(), "not-an-object"),
        ];
        for (record, policy, code) in cases {
            let by_value = policy.map_record(&program, &record);
            assert_eq!(by_value.result.map_err(|e| e.code), Err(code));
            let mut out = b"before".to_vec();
            let mut warnings = Vec::new();
            let line = serde_json::to_vec(&record).expect("json");
            let by_line = policy.map_line(&fast, &line, &mut out, &mut warnings);
            assert_eq!(by_line.map_err(|e| e.code), Err(code));
            assert_eq!(out, b"before", "nothing written on error");
        }
        // Without strict the warning is kept and the record is mapped.
        let outcome = RecordPolicy::new().map_record(&program, &json!({"survey": {"csat": "x"}}));
        assert!(outcome.result.is_ok());
        assert_eq!(outcome.warnings.len(), 1);
    }

    #[test]
    fn messages_never_quote_the_record() {
        let program = program();
        let fast = FastPath::new(&program);
        let secret = "ann@example.com";
        let policy = RecordPolicy::new().merge(MergePath::parse("a").expect("path"));
        for line in [
            format!("{{\"a\": \"{secret}\"}}"),
            format!("\"{secret}\""),
            format!("{{\"a\": {{}}, \"notes\": \"{secret}\", \"x\": tru}}"),
        ] {
            let error = policy
                .map_line(&fast, line.as_bytes(), &mut Vec::new(), &mut Vec::new())
                .expect_err("refused");
            assert!(!error.message.contains(secret), "{error}");
        }
    }
}
