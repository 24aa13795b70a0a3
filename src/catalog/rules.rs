//! Cross-field rules of Insights (FM106): values of two `conversations` fields that contradict
//! each other (docs/insights.md#dependencies-between-fields). One definition, read by `lint`
//! (the constants rules write) and by `audit` (the values records hold), so both report the
//! same finding with the same words.

/// What is known of the value one field gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known<'a> {
    /// Nothing writes the field (or the record does not set it: missing, `null`, `""`).
    Unset,
    /// Always this value, as text (a string trimmed; a number or boolean as JSON writes it).
    Value(&'a str),
    /// Written, but not a known constant (a rule computes it from the record).
    Computed,
}

/// One contradiction between two fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The field whose value is at fault.
    pub field: &'static str,
    /// The other field, when it is written (`None`: it should be and is not).
    pub other: Option<&'static str>,
    /// The finding's message.
    pub message: String,
    /// Label on `field` when `other` is not written.
    pub label: &'static str,
    /// The help line.
    pub help: &'static str,
}

/// The FM106 contradictions among `abandoned`, `abandoned_phase` and `direction`, given what
/// `known` says of each (values compare case-insensitively, as enum values are written):
///
/// - `abandoned_phase` is `Callback Request` while `abandoned` is not `Follow-Up`;
/// - `abandoned` is `Follow-Up` while `direction` is `Outbound`.
pub fn conversation_conflicts<'a>(known: impl Fn(&str) -> Known<'a>) -> Vec<Conflict> {
    let is = |known: Known<'_>, value: &str| matches!(known, Known::Value(v) if v.trim().eq_ignore_ascii_case(value));
    let mut out = Vec::new();
    let abandoned = known("abandoned");
    if is(known("abandoned_phase"), "Callback Request") {
        match abandoned {
            Known::Unset => out.push(Conflict {
                field: "abandoned_phase",
                other: None,
                message: "`abandoned_phase` is `Callback Request`, but nothing sets `abandoned` to `Follow-Up`".to_string(),
                label: "a callback request is always a follow-up",
                help: "add `abandoned: { const: Follow-Up }`",
            }),
            Known::Value(written) if !is(abandoned, "Follow-Up") => out.push(Conflict {
                field: "abandoned_phase",
                other: Some("abandoned"),
                message: format!(
                    "`abandoned_phase` is `Callback Request`, which needs `abandoned` to be `Follow-Up`, not `{}`",
                    written.trim()
                ),
                label: "",
                help: "set `abandoned` to `Follow-Up`, or use another `abandoned_phase`",
            }),
            Known::Value(_) | Known::Computed => {}
        }
    }
    if is(abandoned, "Follow-Up") && is(known("direction"), "Outbound") {
        out.push(Conflict {
            field: "abandoned",
            other: Some("direction"),
            message: "`abandoned` is `Follow-Up`, which only inbound conversations can be, but `direction` is `Outbound`".to_string(),
            label: "",
            help: "use `Yes` or `No` for outbound conversations (`Follow-Up` means a callback or voicemail was left)",
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conflicts(values: &[(&str, &'static str)]) -> Vec<String> {
        conversation_conflicts(|name| {
            values
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(Known::Unset, |(_, v)| Known::Value(v))
        })
        .into_iter()
        .map(|c| c.message)
        .collect()
    }

    #[test]
    fn both_rules() {
        assert_eq!(
            conflicts(&[("abandoned_phase", "callback request")]).len(),
            1
        );
        assert_eq!(
            conflicts(&[
                ("abandoned_phase", "Callback Request"),
                ("abandoned", "Yes")
            ])
            .len(),
            1
        );
        assert!(
            conflicts(&[
                ("abandoned_phase", "Callback Request"),
                ("abandoned", "follow-up")
            ])
            .is_empty()
        );
        assert_eq!(
            conflicts(&[("abandoned", "Follow-Up"), ("direction", "Outbound")]),
            [
                "`abandoned` is `Follow-Up`, which only inbound conversations can be, but `direction` is `Outbound`"
            ]
        );
        assert!(conflicts(&[("abandoned", "Follow-Up"), ("direction", "Inbound")]).is_empty());
    }
}

/// What a key the section does not know (`catalog::lookup` gave `Lookup::Unknown`) most
/// likely is. One classification, read by `check` (rule names) and `audit` (record keys), so
/// both give the same finding (FM201, FM102 or FM101) for the same key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnknownKey {
    /// A slot name of another section (`customer_attribute_9` under `conversations`) that does
    /// not exist there either: FM201, with that section's slot range.
    ForeignSlot {
        /// The section whose slot prefix the name has.
        section: super::Section,
        /// Attribute, label or measure.
        kind: super::SlotKind,
        /// The slot number written.
        number: u64,
        /// How many slots of `kind` that section has.
        count: u32,
    },
    /// A field of another section (the first, in catalog order): FM102.
    WrongSection(super::Section),
    /// Neither: FM101, with the closest known name (or a curated alias) when there is one.
    Unknown(Option<super::Suggestion>),
}

/// Classifies a key unknown to `section`. A curated alias (a suggestion with a note) wins over
/// "field of another section", since its note explains the mix-up better.
#[must_use]
pub fn classify_unknown(section: super::Section, name: &str) -> UnknownKey {
    let elsewhere = super::other_sections(section, name);
    if let Some((slot_section, kind, number)) = super::parse_slot_name(name)
        && slot_section != section
        && elsewhere.is_empty()
    {
        let count = super::slot_count(slot_section, kind);
        return UnknownKey::ForeignSlot {
            section: slot_section,
            kind,
            number,
            count,
        };
    }
    let suggestion = super::suggest(section, name);
    let curated = suggestion.as_ref().is_some_and(|s| s.note.is_some());
    match elsewhere.first() {
        Some(&other) if !curated => UnknownKey::WrongSection(other),
        _ => UnknownKey::Unknown(suggestion),
    }
}

#[cfg(test)]
mod classify_tests {
    use super::{UnknownKey, classify_unknown};
    use crate::catalog::{Section, SlotKind};

    #[test]
    fn unknown_keys_are_classified_once_for_lint_and_audit() {
        assert_eq!(
            classify_unknown(Section::Conversations, "customer_attribute_9"),
            UnknownKey::ForeignSlot {
                section: Section::Customers,
                kind: SlotKind::Attribute,
                number: 9,
                count: 3
            }
        );
        assert!(matches!(
            classify_unknown(Section::Conversations, "wrapup_time"),
            UnknownKey::Unknown(Some(s)) if s.name == "wrap_up_time"
        ));
        assert!(matches!(
            classify_unknown(Section::Conversations, "zzzzzzzz"),
            UnknownKey::Unknown(None)
        ));
    }
}
