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

mod scan;
#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value;

use crate::catalog::{self, Field, Kind, Lookup, Section, SlotKind, Target};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::runtime::convert::{self, DateError};
use crate::source::{SourceFile, Span};

use scan::{Member, Node, NodeValue};

/// `TaskRouter`'s cap on the attributes JSON of a task or a worker, in characters,
/// whitespace included (reference §2, S17).
pub const PAYLOAD_LIMIT: usize = 4096;

/// Insights keeps the first 128 characters of a text value (reference §2, S1).
pub const TEXT_LIMIT: usize = 128;

/// Worker attribute names that Flex and `TaskRouter` use themselves: never hinted as near-misses
/// of Insights fields (`roles` is the Flex permission array, not a typo of `role`).
const FLEX_WORKER_KEYS: &[&str] = &[
    "roles",
    "routing",
    "skills",
    "disabled_skills",
    "levels",
    "image_url",
    "contact_uri",
    "channels",
];

/// The `type` values of `conversations.media` items (reference §1d, S10).
const MEDIA_TYPES: &[&str] = &[
    "Raw",
    "Embedded",
    "Referenced",
    "VoiceRecording",
    "ChatTranscript",
];

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
/// decides per line (see the module documentation).
#[must_use]
pub fn audit(source: &SourceFile, target: Option<Target>) -> AuditReport {
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
        if line.trim().is_empty() {
            continue;
        }
        report.lines += 1;
        let mut auditor = LineAuditor {
            source,
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
                    format!("not valid JSON: {}", serde_message(&error)),
                    char_span(line, at),
                    "JSON parsing stopped here",
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
                    format!(
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
            self.malformed("could not be decoded".to_string(), whole, "");
            return None;
        };
        let value: Result<Value, _> = serde_json::from_str(&inner);
        let mapper = Mapper {
            base: self.mapper.base + lead,
            map: Some(&map),
        };
        let mut inner_auditor = LineAuditor {
            source: self.source,
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
                    format!(
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

    /// Scans text serde_json accepted; `None` (with a finding) if the scanner disagrees.
    fn scanned(&mut self, text: &str, whole: Span) -> Option<Node> {
        let node = scan::scan(text);
        if node.is_none() {
            self.malformed(
                "could not be read (nested too deeply?)".to_string(),
                whole,
                "",
            );
        }
        node
    }

    /// A FM010 finding about the whole line; `span` is relative to the scanned text.
    fn malformed(&mut self, what: String, span: Span, label: &str) {
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
                        thousands(length)
                    ),
                    self.mapper.span(node.span),
                )
                .with_label(format!("{} characters", thousands(length)))
                .with_help(
                    "TaskRouter rejects an update whose attributes exceed 4096 characters (whitespace included), so none of it reaches Insights: drop data Insights does not need, shorten long values, or send compact JSON",
                ),
            );
        }
        match target {
            Target::Task => self.task(members),
            Target::Worker => self.section(members, Section::Worker, ""),
        }
        self.placeholders(node, "");
        target
    }

    fn task(&mut self, members: &[Member]) {
        for member in members {
            let pointer = pointer("", &member.key);
            match member.key.as_str() {
                "conversations" => self.section_object(member, Section::Conversations, &pointer),
                "customers" => self.section_object(member, Section::Customers, &pointer),
                "reservation_attributes" => self.reservation_attributes(member, &pointer),
                key => {
                    if let Some(meant) = root_near_miss(key) {
                        self.push(
                            self.at(
                                Code::UnknownTarget,
                                &pointer,
                                format!("`{key}` is not an object Insights reads"),
                                member.key_span,
                            )
                            .with_label("Insights ignores everything under this key")
                            .with_help(format!(
                                "did you mean `{meant}`? Insights reads task data only from `conversations` and `customers`"
                            )),
                        );
                    }
                }
            }
        }
    }

    /// `conversations` or `customers`: must be an object, then its fields are checked.
    fn section_object(&mut self, member: &Member, section: Section, pointer: &str) {
        match &member.value.value {
            NodeValue::Object(members) => self.section(members, section, pointer),
            NodeValue::Scalar(Value::Null) => {}
            _ => {
                let found = member.value.type_name();
                self.push(
                    self.at(
                        Code::TypeMismatch,
                        pointer,
                        format!("`{}` must be a JSON object, not {}", section.name(), article(found)),
                        member.value.span,
                    )
                    .with_label(format!("{} where an object belongs", article(found)))
                    .with_help(format!(
                        "send `\"{}\": {{…}}` with the fields inside; Insights ignores anything else",
                        section.name()
                    )),
                );
            }
        }
    }

    /// `reservation_attributes`: `{ "WR…": { "media": [...] } }`; each `media` is checked.
    fn reservation_attributes(&mut self, member: &Member, pointer: &str) {
        for reservation in member.value.members().unwrap_or_default() {
            let reservation_pointer = self::pointer(pointer, &reservation.key);
            for inner in reservation.value.members().unwrap_or_default() {
                if inner.key == "media" {
                    let media_pointer = self::pointer(&reservation_pointer, "media");
                    self.value(&media_pointer, "media", &inner.value, Kind::List, &[]);
                }
            }
        }
    }

    /// The fields of one section: each key, each value, then the dependencies between them.
    fn section(&mut self, members: &[Member], section: Section, parent: &str) {
        for member in members {
            let pointer = pointer(parent, &member.key);
            match catalog::lookup(section, &member.key) {
                Lookup::Field(field) => {
                    if field.read_only {
                        if !member.value.is_null() {
                            self.read_only(member, field, &pointer, members);
                        }
                    } else {
                        self.value(
                            &pointer,
                            field.name,
                            &member.value,
                            field.kind,
                            field.values,
                        );
                    }
                }
                Lookup::Slot(slot) => {
                    self.value(&pointer, &member.key, &member.value, slot.kind(), &[]);
                }
                Lookup::SlotOutOfRange {
                    section: slot_section,
                    kind,
                    number,
                    count,
                } => self.slot_out_of_range(
                    member,
                    &pointer,
                    members,
                    section,
                    (slot_section, kind, number, count),
                ),
                Lookup::Unknown => self.unknown_key(member, section, &pointer, members),
            }
        }
        self.dependencies(members, parent, section);
        if section == Section::Conversations {
            self.callback_request(members, parent);
        }
    }

    fn read_only(&mut self, member: &Member, field: &Field, pointer: &str, members: &[Member]) {
        let help = match first_free_slot(members, Section::Conversations, SlotKind::Attribute) {
            Some(slot) => format!(
                "remove it; to tag segments, write the value to a custom attribute such as `{slot}`"
            ),
            None => "remove it; to tag segments, use a custom attribute".to_string(),
        };
        self.push(
            self.at(
                Code::ReadOnlyTarget,
                pointer,
                format!("`{}` must not be set by hand", field.name),
                member.key_span,
            )
            .with_label("Insights sets this itself; changing it can break playback")
            .with_help(help),
        );
    }

    fn slot_out_of_range(
        &mut self,
        member: &Member,
        pointer: &str,
        members: &[Member],
        own_section: Section,
        (section, kind, number, count): (Section, SlotKind, u64, u32),
    ) {
        let message = if count == 0 {
            format!("{} has no {} slots", section.name(), kind.name())
        } else {
            format!(
                "{} has {} slots 1 to {count}, not {number}",
                section.name(),
                kind.name()
            )
        };
        let own_count = catalog::slot_count(own_section, kind);
        let help = match first_free_slot(members, section, kind) {
            _ if own_section != section && own_count > 0 => format!(
                "under `{}`, use `{}_{}_N` (N from 1 to {own_count})",
                own_section.name(),
                own_section.slot_prefix(),
                kind.name()
            ),
            _ if own_section != section => {
                format!(
                    "`{}` has no {} slots either",
                    own_section.name(),
                    kind.name()
                )
            }
            Some(free) => format!(
                "use `{free}`, the first {} slot this record leaves free; Insights silently ignores `{}`",
                kind.name(),
                member.key
            ),
            None if count == 0 => format!("{} has only attribute and label slots", section.name()),
            None => format!(
                "all {count} {} slots are used in this record; Insights silently ignores `{}`",
                kind.name(),
                member.key
            ),
        };
        self.push(
            self.at(Code::SlotOverflow, pointer, message, member.key_span)
                .with_label("slot number out of range")
                .with_help(help),
        );
    }

    /// A key the section does not know: wrong section, slot of another section, typo, or
    /// (for worker attributes) a routing attribute.
    fn unknown_key(
        &mut self,
        member: &Member,
        section: Section,
        pointer: &str,
        members: &[Member],
    ) {
        let name = member.key.as_str();
        if section == Section::Worker {
            self.worker_unknown_key(member, pointer);
            return;
        }
        if let Some((slot_section, kind, number)) = catalog::parse_slot_name(name)
            && slot_section != section
            && catalog::other_sections(section, name).is_empty()
        {
            let count = catalog::slot_count(slot_section, kind);
            self.slot_out_of_range(
                member,
                pointer,
                members,
                section,
                (slot_section, kind, number, count),
            );
            return;
        }
        let suggestion = catalog::suggest(section, name);
        let elsewhere = catalog::other_sections(section, name);
        let curated = suggestion.as_ref().is_some_and(|s| s.note.is_some());
        if let Some(&other) = elsewhere.first()
            && !curated
        {
            let help = if other == Section::Worker {
                format!("`{name}` is a worker attribute: set it on the worker, not on the task")
            } else {
                format!("move it into `/{}`", other.name())
            };
            self.push(
                self.at(
                    Code::WrongSection,
                    pointer,
                    format!(
                        "`{name}` is a `{}` field, not a `{}` field",
                        other.name(),
                        section.name()
                    ),
                    member.key_span,
                )
                .with_label(format!(
                    "Insights ignores `{name}` under `{}`",
                    section.name()
                ))
                .with_help(help),
            );
            return;
        }
        let help = match suggestion {
            Some(suggestion) => {
                let full = if suggestion.section == section {
                    suggestion.name.clone()
                } else {
                    format!("{}.{}", suggestion.section.name(), suggestion.name)
                };
                match suggestion.note {
                    Some(note) => format!("did you mean `{full}`? {note}"),
                    None => format!("did you mean `{full}`?"),
                }
            }
            None => format!(
                "Insights silently ignores it: use a field of the Insights catalog or a custom slot (`{}_attribute_N`)",
                section.slot_prefix()
            ),
        };
        self.push(
            self.at(
                Code::UnknownTarget,
                pointer,
                format!("not a `{}` field Insights knows", section.name()),
                member.key_span,
            )
            .with_label("Insights silently ignores this key")
            .with_help(help),
        );
    }

    /// Worker attributes mix Insights fields with routing data: only a near-miss of an
    /// Insights worker field gets a hint, at info level.
    fn worker_unknown_key(&mut self, member: &Member, pointer: &str) {
        let name = member.key.as_str();
        if FLEX_WORKER_KEYS.contains(&name) {
            return;
        }
        let Some(suggestion) = catalog::suggest(Section::Worker, name) else {
            return;
        };
        if suggestion.section != Section::Worker {
            return;
        }
        let mut help = format!("did you mean `{}`?", suggestion.name);
        if let Some(note) = suggestion.note {
            help = format!("{help} {note}");
        }
        help.push_str(
            " If it is a routing attribute, ignore this: worker attributes may hold other data",
        );
        self.push(
            self.at(
                Code::UnknownTarget,
                pointer,
                format!(
                    "`{name}` is not an Insights worker field; `{}` is",
                    suggestion.name
                ),
                member.key_span,
            )
            .with_severity(Severity::Info)
            .with_label("Insights ignores this key")
            .with_help(help),
        );
    }

    /// Checks one value against the kind of its field.
    fn value(
        &mut self,
        pointer: &str,
        name: &str,
        node: &Node,
        kind: Kind,
        values: &'static [&'static str],
    ) {
        if node.is_null()
            || node
                .as_str()
                .is_some_and(|s| s.is_empty() || is_placeholder(s))
        {
            return;
        }
        match kind {
            Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy => self.text(pointer, node),
            Kind::Enum | Kind::YesNo => self.enumerated(pointer, name, node, kind, values),
            Kind::Measure | Kind::Duration => self.number(pointer, node, kind),
            Kind::Date => self.date(pointer, node),
            Kind::Url => self.url(pointer, node),
            Kind::List => self.media(pointer, node),
        }
    }

    fn text(&mut self, pointer: &str, node: &Node) {
        match &node.value {
            NodeValue::Object(_) | NodeValue::Array(_) => self.shape(pointer, node, "text"),
            NodeValue::Scalar(Value::String(text)) => {
                let length = convert::char_len(text);
                if length > TEXT_LIMIT {
                    self.push(
                        self.at(
                            Code::ValueTooLong,
                            pointer,
                            format!("the value is {length} characters; Insights keeps the first {TEXT_LIMIT}"),
                            node.span,
                        )
                        .with_label(format!("{length} characters"))
                        .with_help("shorten it before sending (in a flexmap rule: `| truncate(128)`); long free text also eats into the workspace's 2-billion distinct-value budget"),
                    );
                }
            }
            NodeValue::Scalar(_) => {}
        }
    }

    fn enumerated(
        &mut self,
        pointer: &str,
        name: &str,
        node: &Node,
        kind: Kind,
        values: &'static [&'static str],
    ) {
        let documented = values.join(", ");
        match &node.value {
            NodeValue::Object(_) | NodeValue::Array(_) => {
                self.shape(pointer, node, "one of its documented values");
            }
            NodeValue::Scalar(Value::String(text)) => {
                if values.contains(&text.as_str()) {
                    return;
                }
                let canonical = canonical_value(text, kind, values);
                let shown = quoted(text);
                let help = match canonical {
                    Some(canonical) => format!(
                        "write `{canonical}`: Insights values are case-sensitive, so {shown} becomes a bucket of its own in reports"
                    ),
                    None if name == "abandoned_phase"
                        && text.trim().eq_ignore_ascii_case("ivr") =>
                    {
                        format!(
                            "Insights leaves IVR hang-ups out of abandonment (reference S5); use one of {documented}, and record IVR hang-ups in a custom attribute"
                        )
                    }
                    None => format!(
                        "use one of {documented}; an undocumented value becomes a bucket of its own in reports"
                    ),
                };
                self.push(
                    self.at(
                        Code::InvalidEnumValue,
                        pointer,
                        format!("{shown} is not a documented value of `{name}` ({documented})"),
                        node.span,
                    )
                    .with_label("not a documented value")
                    .with_help(help),
                );
            }
            NodeValue::Scalar(scalar) => {
                let canonical = if kind == Kind::YesNo {
                    yes_no(scalar)
                } else {
                    None
                };
                let help = match canonical {
                    Some(canonical) => format!("send the string `\"{canonical}\"`"),
                    None => format!("send one of {documented} as a string"),
                };
                self.push(
                    self.at(
                        Code::InvalidEnumValue,
                        pointer,
                        format!(
                            "{} `{scalar}` is not a documented value of `{name}` ({documented})",
                            article(scan::type_name(scalar))
                        ),
                        node.span,
                    )
                    .with_label("not a documented value")
                    .with_help(help),
                );
            }
        }
    }

    fn number(&mut self, pointer: &str, node: &Node, kind: Kind) {
        let what = if kind == Kind::Duration {
            "a number of seconds"
        } else {
            "a number"
        };
        match &node.value {
            NodeValue::Scalar(Value::Number(_)) => {}
            NodeValue::Scalar(Value::String(text)) => match convert::parse_number(text) {
                Some(number) => self.push(
                    self.at(
                        Code::TypeMismatch,
                        pointer,
                        format!("{} is a number sent as a string", quoted(text)),
                        node.span,
                    )
                    .with_severity(Severity::Warning)
                    .with_label("a string")
                    .with_help(format!(
                        "send the number itself (`{}`): Insights reads {what} here",
                        render_number(number)
                    )),
                ),
                None => self.push(
                    self.at(
                        Code::TypeMismatch,
                        pointer,
                        format!("{} is not a number", quoted(text)),
                        node.span,
                    )
                    .with_label(format!("{what} belongs here"))
                    .with_help(
                        "send a number, or leave the key out when there is no value: Insights cannot read this one",
                    ),
                ),
            },
            _ => self.shape(pointer, node, what),
        }
    }

    fn date(&mut self, pointer: &str, node: &Node) {
        if matches!(node.value, NodeValue::Object(_) | NodeValue::Array(_)) {
            self.shape(pointer, node, "a date");
            return;
        }
        match convert::parse_date(&node.to_value(), None) {
            Ok(_) => {}
            Err(DateError::OutOfRange) => self.push(
                self.at(
                    Code::DateOutOfRange,
                    pointer,
                    "the date is outside 1901–2049, the range Insights accepts",
                    node.span,
                )
                .with_label("out of range")
                .with_help("check the unit (epoch seconds vs milliseconds) and the year; Insights rejects dates outside 1901–2049"),
            ),
            Err(DateError::Unparsable) => self.push(
                self.at(
                    Code::DateOutOfRange,
                    pointer,
                    format!("{} is not a date flexmap can read", describe(node)),
                    node.span,
                )
                .with_severity(Severity::Warning)
                .with_label("not a recognised date")
                .with_help("Insights does not document its date format: send epoch milliseconds or ISO 8601 (`2024-03-05T14:30:00Z`), as the community does"),
            ),
        }
    }

    fn url(&mut self, pointer: &str, node: &Node) {
        match &node.value {
            NodeValue::Scalar(Value::String(text)) => {
                if !convert::is_http_url(text) {
                    self.push(
                        self.at(
                            Code::InvalidUrl,
                            pointer,
                            "not an absolute http(s) URL",
                            node.span,
                        )
                        .with_label("not a link Insights can open")
                        .with_help("send a full `https://…` URL that is public or carries its authorization in the path or query"),
                    );
                }
            }
            _ => self.shape(pointer, node, "a URL string"),
        }
    }

    /// `conversations.media`: an array of objects; a `type` must be a documented media type.
    fn media(&mut self, pointer: &str, node: &Node) {
        let NodeValue::Array(items) = &node.value else {
            self.shape(pointer, node, "an array of media objects");
            return;
        };
        for (index, item) in items.iter().enumerate() {
            let item_pointer = self::pointer(pointer, &index.to_string());
            let Some(fields) = item.members() else {
                self.shape(&item_pointer, item, "a media object");
                continue;
            };
            for field in fields {
                let field_pointer = self::pointer(&item_pointer, &field.key);
                match field.key.as_str() {
                    "type" => self.value(
                        &field_pointer,
                        "media type",
                        &field.value,
                        Kind::Enum,
                        MEDIA_TYPES,
                    ),
                    "url" => self.value(&field_pointer, "url", &field.value, Kind::Url, &[]),
                    _ => {}
                }
            }
        }
    }

    /// FM303 for a value of the wrong JSON type.
    fn shape(&mut self, pointer: &str, node: &Node, expected: &str) {
        let found = article(node.type_name());
        self.push(
            self.at(
                Code::TypeMismatch,
                pointer,
                format!("{found} where {expected} belongs"),
                node.span,
            )
            .with_label(format!("{found}"))
            .with_help(format!(
                "send {expected}; Insights cannot read {found} here and drops it"
            )),
        );
    }

    /// FM103: a name field whose id field is not set.
    fn dependencies(&mut self, members: &[Member], parent: &str, section: Section) {
        for member in members {
            let Some(field) = catalog::field(section, &member.key) else {
                continue;
            };
            let Some(required) = field.requires else {
                continue;
            };
            if !is_set(&member.value)
                || members
                    .iter()
                    .any(|m| m.key == required && is_set(&m.value))
            {
                continue;
            }
            self.push(
                self.at(
                    Code::MissingDependency,
                    &pointer(parent, &member.key),
                    format!("`{}` is set without `{required}`", member.key),
                    member.key_span,
                )
                .with_label(format!("needs `{required}`"))
                .with_help(format!(
                    "add `{required}` next to it: Insights does not show `{}` without its id (teams without ids send the name as the id too)",
                    member.key
                )),
            );
        }
    }

    /// FM106: `abandoned_phase: "Callback Request"` needs `abandoned: "Follow-Up"`.
    fn callback_request(&mut self, members: &[Member], parent: &str) {
        let last = |key: &str| members.iter().rev().find(|m| m.key == key);
        let Some(phase) = last("abandoned_phase") else {
            return;
        };
        if !phase
            .value
            .as_str()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("Callback Request"))
        {
            return;
        }
        let abandoned = last("abandoned").filter(|m| is_set(&m.value));
        if abandoned
            .and_then(|m| m.value.as_str())
            .is_some_and(|s| s.trim().eq_ignore_ascii_case("Follow-Up"))
        {
            return;
        }
        let state = match abandoned {
            Some(member) => format!("`abandoned` is {}", describe(&member.value)),
            None => "`abandoned` is not set".to_string(),
        };
        let mut diagnostic = self
            .at(
                Code::InconsistentValues,
                &pointer(parent, "abandoned_phase"),
                format!("`Callback Request` needs `abandoned: \"Follow-Up\"`, but {state}"),
                phase.value.span,
            )
            .with_label("a callback request")
            .with_help("set `abandoned` to `Follow-Up`: a callback request is not an abandoned call, and Insights counts it as one otherwise");
        if let Some(member) = abandoned {
            diagnostic =
                diagnostic.with_secondary(self.mapper.span(member.value.span), "not `Follow-Up`");
        }
        self.push(diagnostic);
    }

    /// FM309 anywhere in the record.
    fn placeholders(&mut self, node: &Node, pointer: &str) {
        match &node.value {
            NodeValue::Object(members) => {
                for member in members {
                    self.placeholders(&member.value, &self::pointer(pointer, &member.key));
                }
            }
            NodeValue::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    self.placeholders(item, &self::pointer(pointer, &index.to_string()));
                }
            }
            NodeValue::Scalar(Value::String(text)) => {
                let Some(token) = placeholder(text) else {
                    return;
                };
                let exact = text.trim() == token;
                let message = if exact {
                    format!("the value is the placeholder `{token}`")
                } else {
                    format!("the value contains the placeholder `{token}`")
                };
                let help = match token {
                    "null" => {
                        "the string \"null\" is a value of its own in reports: send JSON null or leave the key out"
                    }
                    "[object Object]" => {
                        "an object was turned into a string: pick the field you meant (`obj.name`), or leave the key out"
                    }
                    "NaN" => {
                        "a number conversion failed in JavaScript: leave the key out when there is no number"
                    }
                    _ => {
                        "JavaScript wrote `undefined` for missing data: leave the key out when there is no value"
                    }
                };
                self.push(
                    self.at(Code::PlaceholderValue, pointer, message, node.span)
                        .with_label("leaked placeholder")
                        .with_help(help),
                );
            }
            NodeValue::Scalar(_) => {}
        }
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

/// The first slot of `kind` in `section` that the record's keys leave free.
fn first_free_slot(members: &[Member], section: Section, kind: SlotKind) -> Option<String> {
    catalog::slots(section)
        .filter(|slot| slot.kind == kind)
        .map(|slot| slot.name())
        .find(|name| !members.iter().any(|m| m.key == *name))
}

/// The documented spelling a value was meant as: same text in another case, or for a
/// `yes_no` field anything `parse_yes_no` reads.
fn canonical_value(text: &str, kind: Kind, values: &[&'static str]) -> Option<&'static str> {
    let trimmed = text.trim();
    values
        .iter()
        .copied()
        .find(|value| value.eq_ignore_ascii_case(trimmed))
        .or_else(|| {
            (kind == Kind::YesNo)
                .then(|| yes_no(&Value::String(trimmed.to_string())))
                .flatten()
        })
}

fn yes_no(value: &Value) -> Option<&'static str> {
    convert::parse_yes_no(value).map(|yes| if yes { "Yes" } else { "No" })
}

/// Set: not `null` and not an empty string.
fn is_set(node: &Node) -> bool {
    !node.is_null() && node.as_str() != Some("")
}

fn is_placeholder(text: &str) -> bool {
    placeholder(text).is_some_and(|token| text.trim() == token)
}

fn contains_token(text: &str, token: &str) -> bool {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(token).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + token.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// A JSON pointer (RFC 6901) of `key` under `parent`: `~` → `~0`, `/` → `~1`.
fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

/// A short value shown in a message: quoted if under 40 characters, else its length.
fn quoted(text: &str) -> String {
    let length = convert::char_len(text);
    if length <= 40 && !text.contains(['\n', '\r']) {
        format!("`\"{text}\"`")
    } else {
        format!("a {length}-character string")
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        NodeValue::Scalar(Value::String(text)) => quoted(text),
        NodeValue::Scalar(scalar) => format!("`{scalar}`"),
        _ => article(node.type_name()),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "object" | "array" => format!("an {type_name}"),
        "null" => "null".to_string(),
        other => format!("a {other}"),
    }
}

fn render_number(number: f64) -> String {
    convert::number_value(number).map_or_else(|| number.to_string(), |value| value.to_string())
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, ch) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn is_json_whitespace(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// serde_json's message without its " at line L column C" suffix.
fn serde_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// Byte offset in `text` of a serde_json error (its line and column count bytes).
fn error_offset(text: &str, error: &serde_json::Error) -> usize {
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
