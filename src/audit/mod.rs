//! `flexmap audit`: checks attributes JSON that existing code already produced.
//!
//! The input is NDJSON: one task or worker attributes object per line, as exported from
//! `TaskRouter` or logged by a Twilio Function. A line may also be a JSON *string* that holds
//! the attributes JSON, as `TaskRouter` stores it; positions then still point at the
//! characters of the file, escapes included. Blank lines are skipped and not counted; a
//! leading byte-order mark on the first line is ignored.
//!
//! Each finding uses the linter's code for the same mistake (SPEC §5), points at the exact
//! bytes of the offending key (key problems) or value (value problems), and its message
//! starts with the line and the JSON pointer (RFC 6901): `line 3, /conversations/wrapup_time: …`.
//! Findings about the record as a whole (FM308, FM010) start with `line 3: …`.
//!
//! Which attributes a line holds: `--target` decides when given. Otherwise a line whose
//! object has a `conversations` or `customers` key, or a near-miss of one (`conversation`,
//! `Customers`), is task attributes, and any other object is worker attributes.
//!
//! Values of the wrong kind are reported the way Insights would read them: an empty string
//! or `null` counts as not set; a value that is exactly a leaked placeholder (`"undefined"`,
//! `"null"`, …) gets FM309 only, not a second finding for its kind. This module never prints
//! and never panics, whatever the input.

mod checks;
mod scan;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value;

use crate::catalog::{Section, Target};
use crate::diagnostic::{Code, Diagnostic};
use crate::figures::group;
use crate::runtime::convert;
use crate::source::{SourceFile, Span};

use scan::{Member, Node};

/// `TaskRouter`'s cap on the attributes JSON of a task or a worker, in characters,
/// whitespace included (docs/insights.md#limits, <https://www.twilio.com/docs/taskrouter/limits>).
pub const PAYLOAD_LIMIT: usize = crate::catalog::PAYLOAD_CHARS;

/// Insights keeps the first 128 characters of a text value (docs/insights.md#limits, <https://www.twilio.com/docs/flex/developer/insights/enhance-integration>).
pub const TEXT_LIMIT: usize = crate::catalog::TEXT_CHARS;

/// What an audit found, with the counts of what it read.
#[derive(Clone, Debug, Default)]
pub struct AuditReport {
    /// Every finding, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Non-blank lines read.
    pub lines: usize,
    /// Lines audited as task attributes.
    pub task_lines: usize,
    /// Lines audited as worker attributes.
    pub worker_lines: usize,
}

impl AuditReport {
    /// Lines that held no attributes object (FM010): `lines - task_lines - worker_lines`.
    #[must_use]
    pub fn malformed_lines(&self) -> usize {
        self.lines
            .saturating_sub(self.task_lines)
            .saturating_sub(self.worker_lines)
    }
}

/// Audits an NDJSON file of task or worker attributes. `target` is `--target`; `None`
/// decides per line (see the module documentation). Messages may quote record values (as
/// `flexmap audit --show-values` does); [`audit_with`] can keep them out.
#[must_use]
pub fn audit(source: &SourceFile, target: Option<Target>) -> AuditReport {
    audit_with(
        source,
        &AuditOptions {
            target,
            show_values: true,
        },
    )
}

/// How to audit.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditOptions {
    /// `--target`; `None` decides per line.
    pub target: Option<Target>,
    /// Messages may quote record values (`--show-values`). Off, no message, label or help
    /// holds a value of the record: it says "the value (N characters)" instead.
    pub show_values: bool,
}

/// Audits with [`AuditOptions`].
#[must_use]
pub fn audit_with(source: &SourceFile, options: &AuditOptions) -> AuditReport {
    let target = options.target;
    let mut report = AuditReport::default();
    let text = source.text();
    let mut line_start = 0;
    for (index, raw_line) in text.split('\n').enumerate() {
        let start = line_start;
        line_start += raw_line.len() + 1;
        let mut line = raw_line.strip_suffix('\r').unwrap_or(raw_line);
        let mut offset = start;
        if index == 0
            && let Some(rest) = line.strip_prefix('\u{feff}')
        {
            line = rest;
            offset += '\u{feff}'.len_utf8();
        }
        if line.trim_matches(is_json_whitespace).is_empty() {
            continue;
        }
        report.lines += 1;
        let mut auditor = LineAuditor {
            source,
            show_values: options.show_values,
            line: index + 1,
            mapper: Mapper {
                base: offset,
                map: None,
            },
            out: &mut report.diagnostics,
        };
        match auditor.audit_line(line, target) {
            Some(Target::Task) => report.task_lines += 1,
            Some(Target::Worker) => report.worker_lines += 1,
            None => {}
        }
    }
    crate::diagnostic::sort(&mut report.diagnostics);
    report
}

/// The placeholder a string value leaks, if any: exactly `"null"`, or `undefined`, `NaN` or
/// `[object Object]` as their own token (`"Sales undefined"` yes, `"undefinedness"` no).
#[must_use]
pub fn placeholder(value: &str) -> Option<&'static str> {
    if value.trim() == "null" {
        return Some("null");
    }
    if value.contains("[object Object]") {
        return Some("[object Object]");
    }
    ["undefined", "NaN"]
        .into_iter()
        .find(|token| contains_token(value, token))
}

/// Turns byte spans of the scanned JSON text into byte spans of the file.
#[derive(Clone, Copy)]
struct Mapper<'m> {
    /// File offset of the scanned text's first byte (or of the string literal's quote).
    base: usize,
    /// For a record stored as a JSON string: decoded byte → byte of the literal.
    map: Option<&'m [usize]>,
}

impl Mapper<'_> {
    fn span(&self, span: Span) -> Span {
        Span::new(self.offset(span.start), self.offset(span.end))
    }

    fn offset(&self, local: usize) -> usize {
        match self.map {
            None => self.base + local,
            Some(map) => self.base + map.get(local).or(map.last()).copied().unwrap_or(0),
        }
    }
}

/// Audits one line; pushes its findings.
struct LineAuditor<'a, 'm> {
    source: &'a SourceFile,
    /// Messages may quote record values.
    show_values: bool,
    line: usize,
    mapper: Mapper<'m>,
    out: &'a mut Vec<Diagnostic>,
}

impl LineAuditor<'_, '_> {
    /// Reads the line and audits the record; the target it was audited as, or `None` when
    /// the line holds no attributes object.
    fn audit_line(&mut self, line: &str, target: Option<Target>) -> Option<Target> {
        let json_text = line.trim_matches(is_json_whitespace);
        let lead = line.len() - line.trim_start_matches(is_json_whitespace).len();
        let whole = Span::new(lead, lead + json_text.len());
        let value: Value = match serde_json::from_str(line) {
            Ok(value) => value,
            Err(error) => {
                let at = error_offset(line, &error);
                self.malformed(
                    &format!("not valid JSON: {}", serde_message(&error)),
                    char_span(line, at),
                    if error.is_eof() {
                        "the line ends here"
                    } else {
                        "JSON parsing stopped here"
                    },
                );
                return None;
            }
        };
        match value {
            Value::Object(_) => {
                let node = self.scanned(line, whole)?;
                Some(self.record(&node, json_text, target))
            }
            Value::String(_) => self.stored_as_string(json_text, lead, target),
            other => {
                self.malformed(
                    &format!(
                        "not a JSON object (found {})",
                        article(scan::type_name(&other))
                    ),
                    whole,
                    "expected `{…}`",
                );
                None
            }
        }
    }

    /// A line that is a JSON string holding the attributes JSON.
    fn stored_as_string(
        &mut self,
        literal: &str,
        lead: usize,
        target: Option<Target>,
    ) -> Option<Target> {
        let whole = Span::new(lead, lead + literal.len());
        let Some((inner, map)) = scan::decode_string(literal) else {
            self.malformed("could not be decoded", whole, "");
            return None;
        };
        let value: Result<Value, _> = serde_json::from_str(&inner);
        let mapper = Mapper {
            base: self.mapper.base + lead,
            map: Some(&map),
        };
        let mut inner_auditor = LineAuditor {
            source: self.source,
            show_values: self.show_values,
            line: self.line,
            mapper,
            out: &mut *self.out,
        };
        match value {
            Ok(Value::Object(_)) => {
                let trimmed = inner.trim_matches(is_json_whitespace);
                let node = inner_auditor.scanned(&inner, Span::new(0, inner.len()))?;
                Some(inner_auditor.record(&node, trimmed, target))
            }
            Ok(other) => {
                self.malformed(
                    &format!(
                        "a JSON string that holds {}, not an attributes object",
                        article(scan::type_name(&other))
                    ),
                    whole,
                    "expected a string holding `{…}`",
                );
                None
            }
            Err(error) => {
                let at = error_offset(&inner, &error);
                let span = mapper.span(char_span(&inner, at));
                self.out.push(
                    Diagnostic::new(
                        Code::MalformedRecord,
                        format!(
                            "line {}: a JSON string whose text is not valid JSON: {}",
                            self.line,
                            serde_message(&error)
                        ),
                        span,
                    )
                    .with_label("JSON parsing of the string's text stopped here")
                    .with_help(MALFORMED_HELP)
                    .in_source(self.source),
                );
                None
            }
        }
    }

    /// Scans text `serde_json` accepted; `None` (with a finding) if the scanner disagrees.
    fn scanned(&mut self, text: &str, whole: Span) -> Option<Node> {
        let node = scan::scan(text);
        if node.is_none() {
            self.malformed("could not be read (nested too deeply?)", whole, "");
        }
        node
    }

    /// A FM010 finding about the whole line; `span` is relative to the scanned text.
    fn malformed(&mut self, what: &str, span: Span, label: &str) {
        let mut diagnostic = Diagnostic::new(
            Code::MalformedRecord,
            format!("line {}: {what}", self.line),
            self.mapper.span(span),
        )
        .with_help(MALFORMED_HELP)
        .in_source(self.source);
        if !label.is_empty() {
            diagnostic = diagnostic.with_label(label);
        }
        self.out.push(diagnostic);
    }

    /// Audits one attributes object; `json_text` is its text (for the payload size).
    fn record(&mut self, node: &Node, json_text: &str, target: Option<Target>) -> Target {
        let members = node.members().unwrap_or_default();
        let target = target.unwrap_or_else(|| detect_target(members));
        let length = convert::char_len(json_text);
        if length > PAYLOAD_LIMIT {
            self.push(
                Diagnostic::new(
                    Code::PayloadTooLarge,
                    format!(
                        "line {}: the attributes JSON is {} characters, over TaskRouter's {PAYLOAD_LIMIT}-character cap",
                        self.line,
                        group(length)
                    ),
                    self.mapper.span(node.span),
                )
                .with_label(format!("{} characters", group(length)))
                .with_help(format!(
                    "TaskRouter rejects an update whose attributes exceed {PAYLOAD_LIMIT} characters (whitespace included), so none of it reaches Insights: drop data Insights does not need, shorten long values, or send compact JSON",
                )),
            );
        }
        match target {
            Target::Task => self.task(members),
            Target::Worker => self.section(members, Section::Worker, ""),
        }
        self.placeholders(node, "");
        target
    }

    /// A diagnostic at a span of the scanned text, with the line and pointer in front.
    fn at(&self, code: Code, pointer: &str, message: impl fmt::Display, span: Span) -> Diagnostic {
        Diagnostic::new(
            code,
            format!("line {}, {pointer}: {message}", self.line),
            self.mapper.span(span),
        )
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.out.push(diagnostic.in_source(self.source));
    }
}

const MALFORMED_HELP: &str = "each line must hold one attributes object (`{…}`), or a JSON string of one as TaskRouter stores it";

/// Task when the object has `conversations` or `customers`, or a near-miss of them.
fn detect_target(members: &[Member]) -> Target {
    let task = members.iter().any(|m| {
        matches!(m.key.as_str(), "conversations" | "customers") || root_near_miss(&m.key).is_some()
    });
    if task { Target::Task } else { Target::Worker }
}

/// `conversation`, `Customers`, `conversatons` → the object Insights reads.
fn root_near_miss(key: &str) -> Option<&'static str> {
    let normalized = key.trim().to_lowercase().replace(['-', ' '], "_");
    ["conversations", "customers"]
        .into_iter()
        .find(|object| *object != key && strsim::osa_distance(&normalized, object) <= 1)
}

fn contains_token(text: &str, token: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

fn article(type_name: &str) -> String {
    match type_name {
        "null" => "null".to_string(),
        other => crate::diagnostic::with_article(other),
    }
}

fn is_json_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `serde_json`'s message without its " at line L column C" suffix.
fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Byte offset in `text` of a `serde_json` error (its line and column count bytes); the
/// last character for an unexpected end.
fn error_offset(text: &str, error: &serde_json::Error) -> usize {
    if error.is_eof() {
        return text
            .trim_end_matches(is_json_whitespace)
            .len()
            .saturating_sub(1);
    }
    let line_start = text
        .split('\n')
        .take(error.line().saturating_sub(1))
        .map(|line| line.len() + 1)
        .sum::<usize>();
    (line_start + error.column().saturating_sub(1)).min(text.len())
}

/// One character of `text` at `offset` (moved back onto a boundary), or an empty span at the end.
fn char_span(text: &str, offset: usize) -> Span {
    let mut start = offset.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let end = text[start..]
        .chars()
        .next()
        .map_or(start, |c| start + c.len_utf8());
    Span::new(start, end)
}

/// The text with every record value masked, for snippets drawn without `--show-values`:
/// the characters of each JSON string that is not an object key become `*` (or a masking
/// character of the same UTF-8 width, so byte offsets and columns still match the file),
/// and the digits of numbers outside strings become `#`. Keys, quotes, punctuation, `true`,
/// `false` and `null` stay. A line that is one JSON string (attributes stored as a string)
/// is masked whole. Works on any text, valid JSON or not.
#[must_use]
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < text.len() {
        let c = text[at..].chars().next().unwrap_or(' ');
        if c == '"' {
            // Find the end of the string token (or of the line).
            let mut end = at + 1;
            while end < bytes.len() && !matches!(bytes[end], b'"' | b'\n') {
                end += if bytes[end] == b'\\' { 2 } else { 1 };
            }
            let end = end.min(bytes.len());
            let body_end = end;
            let closed = bytes.get(end) == Some(&b'"');
            let after = if closed { end + 1 } else { end };
            let is_key = text[after.min(text.len())..]
                .trim_start_matches([' ', '\t', '\r'])
                .starts_with(':');
            out.push('"');
            let mut body_start = at + 1;
            while !text.is_char_boundary(body_start) {
                body_start += 1;
            }
            let mut body_end_b = body_end.min(text.len());
            while !text.is_char_boundary(body_end_b) {
                body_end_b += 1;
            }
            let body = &text[body_start.min(body_end_b)..body_end_b];
            if is_key {
                out.push_str(body);
            } else {
                out.extend(body.chars().map(|c| match c.len_utf8() {
                    1 => '*',
                    2 => '·',
                    3 => '•',
                    _ => '\u{1D306}',
                }));
            }
            if closed && body_end_b < text.len() {
                out.push('"');
                at = body_end_b + 1;
            } else {
                at = body_end_b;
            }
            continue;
        }
        if c.is_ascii_digit() {
            out.push('#');
        } else {
            out.push(c);
        }
        at += c.len_utf8();
    }
    out
}
