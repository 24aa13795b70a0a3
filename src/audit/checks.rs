//! The checks of one attributes object: keys against the catalog, values against their kind,
//! dependencies between fields, and leaked placeholders anywhere.

use serde_json::Value;

use super::scan::{self, Member, Node, NodeValue};
use super::{LineAuditor, TEXT_LIMIT, article, placeholder, root_near_miss};
use crate::catalog::{self, Field, Kind, Lookup, Section, Slot, SlotKind};
use crate::diagnostic::{Code, Severity};
use crate::ledger::SlotAllocator;
use crate::runtime::convert::{self, DateError};

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

/// The `type` values of `conversations.media` items (<https://www.twilio.com/docs/flex/developer/insights/custom-media-attached-conversations>).
const MEDIA_TYPES: &[&str] = &[
    "Raw",
    "Embedded",
    "Referenced",
    "VoiceRecording",
    "ChatTranscript",
];

impl LineAuditor<'_, '_> {
    pub(super) fn task(&mut self, members: &[Member]) {
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
    pub(super) fn section(&mut self, members: &[Member], section: Section, parent: &str) {
        // The record's slot space, built once: the slots its keys write.
        let slots = SlotAllocator::written(members.iter().filter_map(|m| {
            let (section, kind, number) = catalog::parse_slot_name(&m.key)?;
            let number = u32::try_from(number).ok()?;
            (number >= 1 && number <= catalog::slot_count(section, kind)).then_some(Slot {
                section,
                kind,
                number,
            })
        }));
        for member in members {
            let pointer = pointer(parent, &member.key);
            match catalog::lookup(section, &member.key) {
                Lookup::Field(field) => {
                    if field.read_only {
                        if !member.value.is_null() {
                            self.read_only(member, field, &pointer, &slots);
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
                    if slot.kind == SlotKind::Attribute {
                        self.identifier_shape(&pointer, &member.key, &member.value);
                    }
                }
                Lookup::SlotOutOfRange {
                    section: slot_section,
                    kind,
                    number,
                    count,
                } => self.slot_out_of_range(
                    member,
                    &pointer,
                    &slots,
                    section,
                    (slot_section, kind, number, count),
                ),
                Lookup::Unknown => self.unknown_key(member, section, &pointer, &slots),
            }
        }
        self.dependencies(members, parent, section);
        if section == Section::Conversations {
            self.cross_field(members, parent);
        }
    }

    fn read_only(&mut self, member: &Member, field: &Field, pointer: &str, slots: &SlotAllocator) {
        let help = match slots.first_free(Section::Conversations, SlotKind::Attribute) {
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
        slots: &SlotAllocator,
        own_section: Section,
        (section, kind, number, count): (Section, SlotKind, u64, u32),
    ) {
        let message = catalog::slot_range_message(section, kind, number, count);
        let own_count = catalog::slot_count(own_section, kind);
        let help = match slots.first_free(section, kind) {
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
        slots: &SlotAllocator,
    ) {
        let name = member.key.as_str();
        if section == Section::Worker {
            self.worker_unknown_key(member, pointer);
            return;
        }
        let suggestion = match catalog::rules::classify_unknown(section, name) {
            catalog::rules::UnknownKey::ForeignSlot {
                section: slot_section,
                kind,
                number,
                count,
            } => {
                self.slot_out_of_range(
                    member,
                    pointer,
                    slots,
                    section,
                    (slot_section, kind, number, count),
                );
                return;
            }
            catalog::rules::UnknownKey::Unknown(suggestion) => suggestion,
            catalog::rules::UnknownKey::WrongSection(other) => {
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
        };
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
            Kind::Hierarchy => {
                self.text(pointer, node);
                self.hierarchy(pointer, name, node);
            }
            Kind::Text | Kind::Label | Kind::Id => self.text(pointer, node),
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
                        .with_help(format!("shorten it before sending (in a flexmap rule: `| truncate({TEXT_LIMIT})`); long free text also eats into the workspace's 2-billion distinct-value budget")),
                    );
                }
            }
            NodeValue::Scalar(_) => {}
        }
    }

    /// FM307: a hierarchy value whose levels are joined with `/`, `>` or `,` instead of " ▸ ".
    fn hierarchy(&mut self, pointer: &str, name: &str, node: &Node) {
        let Some(text) = node.as_str() else {
            return;
        };
        let Some((separator, levels)) = crate::lint::hierarchy_separator::flat_levels(text) else {
            return;
        };
        self.push(
            self.at(
                Code::HierarchySeparator,
                pointer,
                format!(
                    "`{name}` joins its {} levels with `{separator}` instead of `\" ▸ \"`",
                    levels.len()
                ),
                node.span,
            )
            .with_label(format!("levels joined with `{separator}`"))
            .with_help(format!(
                "join the levels with \" ▸ \" (space, U+25B8, space): Insights splits `{name}` into levels only at \" ▸ \", so this value is one level of its own in reports"
            )),
        );
    }

    /// FM204 from the value's shape: an identifier (Salesforce ID, Twilio SID, UUID, e-mail
    /// address, E.164 phone number) in an attribute slot. Never quotes the value.
    fn identifier_shape(&mut self, pointer: &str, name: &str, node: &Node) {
        let Some(kind) = node.as_str().and_then(identifier_kind) else {
            return;
        };
        let label = name.replace("_attribute_", "_label_");
        self.push(
            self.at(
                Code::IdInAttribute,
                pointer,
                format!("`{name}` holds what looks like {kind}"),
                node.span,
            )
            .with_label(format!("looks like {kind}"))
            .with_help(format!(
                "an identifier makes the attribute high-cardinality (a workspace holds at most 2 billion distinct attribute values, and a report grouped by it shows one row per record): send it to a label slot (`{label}`) or a dedicated field (`conversations.case`, `customers.external_id`, `customers.email`, `customers.phone`), and keep attributes for categories"
            )),
        );
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
                let shown = self.quoted(text);
                let help = match canonical {
                    Some(canonical) if canonical.eq_ignore_ascii_case(text.trim()) => format!(
                        "write `{canonical}`: Insights values are case-sensitive, so {shown} becomes a bucket of its own in reports"
                    ),
                    Some(canonical) => format!(
                        "write `{canonical}`: Insights keeps the text as sent, so {shown} becomes a bucket of its own in reports"
                    ),
                    None if name == "abandoned_phase"
                        && text.trim().eq_ignore_ascii_case("ivr") =>
                    {
                        format!(
                            "Insights leaves IVR hang-ups out of abandonment (docs/insights.md#dependencies-between-fields); use one of {documented}, and record IVR hang-ups in a custom attribute"
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
                            "{} is not a documented value of `{name}` ({documented})",
                            self.scalar(scalar)
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
                        format!("{} is a number sent as a string", self.quoted(text)),
                        node.span,
                    )
                    .with_severity(Severity::Warning)
                    .with_label("a string")
                    .with_help(if self.show_values {
                        format!(
                            "send the number itself (`{}`): Insights reads {what} here",
                            render_number(number)
                        )
                    } else {
                        format!("send the number itself, without quotes: Insights reads {what} here")
                    }),
                ),
                None => self.push(
                    self.at(
                        Code::TypeMismatch,
                        pointer,
                        format!("{} is not a number", self.quoted(text)),
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
        // A JSON number is epoch milliseconds, as Insights reads it and flexmap writes it: the
        // seconds-or-milliseconds guess of `parse_date` is for reading records, and would take
        // a millisecond instant of 1966–1973 (|x| < 1e11) for seconds.
        let parsed = match &node.value {
            NodeValue::Scalar(Value::Number(n)) => match n.as_f64() {
                Some(ms)
                    if (convert::DATE_MIN_MS as f64..=convert::DATE_MAX_MS as f64)
                        .contains(&ms) =>
                {
                    Ok(())
                }
                _ => Err(DateError::OutOfRange),
            },
            _ => convert::parse_date(&node.to_value(), None).map(|_| ()),
        };
        match parsed {
            Ok(()) => {}
            Err(DateError::OutOfRange) => self.push(
                self.at(
                    Code::DateOutOfRange,
                    pointer,
                    format!("the date is outside {}, the range Insights accepts", crate::catalog::DATE_RANGE),
                    node.span,
                )
                .with_label("out of range")
                .with_help(format!("check the unit (epoch seconds vs milliseconds) and the year; Insights rejects dates outside {}", crate::catalog::DATE_RANGE)),
            ),
            Err(DateError::Unparsable) => self.push(
                self.at(
                    Code::DateOutOfRange,
                    pointer,
                    format!("{} is not a date flexmap can read", self.describe(node)),
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
            .with_label(found.clone())
            .with_help(format!(
                "send {expected}; Insights cannot read {found} here and drops it"
            )),
        );
    }

    /// FM103: a name field whose id field is not set.
    fn dependencies(&mut self, members: &[Member], parent: &str, section: Section) {
        // Keys set in the record, gathered once: a record repeating a name field 200,000
        // times must not search its members 200,000 times.
        let set: std::collections::HashSet<&str> = members
            .iter()
            .filter(|m| is_set(&m.value))
            .map(|m| m.key.as_str())
            .collect();
        for member in members {
            let Some(field) = catalog::field(section, &member.key) else {
                continue;
            };
            let Some(required) = field.requires else {
                continue;
            };
            if !is_set(&member.value) || set.contains(required) {
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

    /// FM106: the cross-field rules of the catalog (`catalog::rules`, as `lint` applies them
    /// to constants) on the record's values. The finding is on whichever of the two members
    /// comes later, pointing back at the other, as `lint` does with rules.
    fn cross_field(&mut self, members: &[Member], parent: &str) {
        let last = |key: &str| {
            members
                .iter()
                .rev()
                .find(|m| m.key == key)
                .filter(|m| is_set(&m.value))
        };
        // The values as text; without `--show-values`, an undocumented value is not quoted.
        let texts: Vec<(&str, Option<&Member>, Option<String>)> =
            ["abandoned", "abandoned_phase", "direction"]
                .into_iter()
                .map(|name| {
                    let member = last(name);
                    let text = member.and_then(|m| match &m.value.value {
                        NodeValue::Scalar(Value::String(text)) => Some(text.trim().to_string()),
                        NodeValue::Scalar(scalar) => Some(scalar.to_string()),
                        _ => None,
                    });
                    let documented = catalog::field(Section::Conversations, name)
                        .map_or(&[][..], |field| field.values);
                    let text = text.map(|text| {
                        if self.show_values
                            || documented.iter().any(|v| v.eq_ignore_ascii_case(&text))
                        {
                            text
                        } else {
                            super::checks::hidden(convert::char_len(&text))
                        }
                    });
                    (name, member, text)
                })
                .collect();
        let find = |name: &str| texts.iter().find(|(n, _, _)| *n == name);
        let conflicts = catalog::rules::conversation_conflicts(|name| match find(name) {
            Some((_, None, _)) | None => catalog::rules::Known::Unset,
            Some((_, Some(_), Some(text))) => catalog::rules::Known::Value(text),
            Some((_, Some(_), None)) => catalog::rules::Known::Computed,
        });
        for conflict in conflicts {
            let Some((_, Some(member), _)) = find(conflict.field) else {
                continue;
            };
            let other = conflict.other.and_then(&find).and_then(|(_, m, _)| *m);
            let diagnostic = match other {
                Some(other) => {
                    let member: &Member = member;
                    let (first, later) = if member.key_span.start <= other.key_span.start {
                        (member, other)
                    } else {
                        (other, member)
                    };
                    self.at(
                        Code::InconsistentValues,
                        &pointer(parent, &later.key),
                        &conflict.message,
                        later.value.span,
                    )
                    .with_label(format!("`conversations.{}` set here", later.key))
                    .with_secondary(
                        self.mapper.span(first.value.span),
                        format!("contradicts this `conversations.{}`", first.key),
                    )
                    .with_help(conflict.help)
                }
                None => self
                    .at(
                        Code::InconsistentValues,
                        &pointer(parent, &member.key),
                        &conflict.message,
                        member.value.span,
                    )
                    .with_label(conflict.label)
                    .with_help(conflict.help),
            };
            self.push(diagnostic);
        }
    }

    /// FM309 anywhere in the record.
    pub(super) fn placeholders(&mut self, node: &Node, pointer: &str) {
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
    convert::parse_yes_no(value).map(crate::catalog::yes_no_spelling)
}

/// Set: not `null` and not an empty string.
fn is_set(node: &Node) -> bool {
    !node.is_null() && node.as_str() != Some("")
}

fn is_placeholder(text: &str) -> bool {
    placeholder(text).is_some_and(|token| text.trim() == token)
}

/// A JSON pointer (RFC 6901) of `key` under `parent`: `~` → `~0`, `/` → `~1`.
pub(super) fn pointer(parent: &str, key: &str) -> String {
    format!("{parent}/{}", key.replace('~', "~0").replace('/', "~1"))
}

impl LineAuditor<'_, '_> {
    /// A string value in a message: quoted if under 40 characters (else its length) with
    /// `--show-values`; without it, never the value: "the value (N characters)".
    fn quoted(&self, text: &str) -> String {
        let length = convert::char_len(text);
        if !self.show_values {
            return hidden(length);
        }
        if length <= 40 && !text.contains(['\n', '\r']) {
            format!("`\"{text}\"`")
        } else {
            format!("a {length}-character string")
        }
    }

    /// A non-string scalar in a message: `true`, `false` and `null` as written; a number
    /// only with `--show-values`.
    fn scalar(&self, scalar: &Value) -> String {
        match scalar {
            Value::String(text) => self.quoted(text),
            Value::Number(number) if !self.show_values => {
                format!("a number ({} characters)", number.to_string().len())
            }
            other => format!("{} `{other}`", article(scan::type_name(other))),
        }
    }

    fn describe(&self, node: &Node) -> String {
        match &node.value {
            NodeValue::Scalar(Value::String(text)) => self.quoted(text),
            NodeValue::Scalar(Value::Number(number)) if !self.show_values => {
                format!("a number ({} characters)", number.to_string().len())
            }
            NodeValue::Scalar(scalar) => format!("`{scalar}`"),
            _ => article(node.type_name()),
        }
    }
}

/// What a message says instead of a record value (as `apply` and `lint --sample` do).
fn hidden(length: usize) -> String {
    format!(
        "the value ({length} character{})",
        if length == 1 { "" } else { "s" }
    )
}

fn render_number(number: f64) -> String {
    convert::number_value(number).map_or_else(|| number.to_string(), |value| value.to_string())
}

/// What kind of identifier a text value looks like, judged by its shape alone: cheap (one
/// pass over at most 64 characters), and silent on words, short numbers and dates.
pub(super) fn identifier_kind(text: &str) -> Option<&'static str> {
    let text = text.trim();
    if text.len() < 10 || text.len() > 64 || text.contains(char::is_whitespace) {
        return None;
    }
    let bytes = text.as_bytes();
    let hex = |b: &u8| b.is_ascii_hexdigit();
    // Twilio SID: two capital letters and 32 lowercase hex digits (`CA…`, `WT…`).
    if bytes.len() == 34
        && bytes[..2].iter().all(u8::is_ascii_uppercase)
        && bytes[2..]
            .iter()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
    {
        return Some("a Twilio SID");
    }
    // UUID: 8-4-4-4-12 hex digits.
    if bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *b == b'-'
            } else {
                hex(b)
            }
        })
    {
        return Some("a UUID");
    }
    // E.164 phone number: `+`, then 8 to 15 digits, the first not 0.
    if let Some(digits) = text.strip_prefix('+')
        && (8..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
    {
        return Some("a phone number");
    }
    // E-mail address: one `@` with a dotted domain after it.
    if let Some((local, domain)) = text.split_once('@')
        && !local.is_empty()
        && !domain.contains('@')
        && domain.rsplit_once('.').is_some_and(|(host, tld)| {
            !host.is_empty() && tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic())
        })
    {
        return Some("an e-mail address");
    }
    // Salesforce ID: 15 or 18 letters and digits, mixed case digits and letters, with the
    // run of zeros of its reserved characters (`5003000000D8cuI`, `0015g00000XyZabAAB`).
    if matches!(bytes.len(), 15 | 18)
        && bytes.iter().all(u8::is_ascii_alphanumeric)
        && bytes.iter().filter(|b| b.is_ascii_digit()).count() >= 5
        && bytes.iter().any(u8::is_ascii_alphabetic)
        && text.contains("000")
    {
        return Some("a Salesforce ID");
    }
    None
}
