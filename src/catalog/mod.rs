//! The Flex Insights target catalog: every field Insights reads, its kind and limits, slot lookups and did-you-mean.
//!
//! Facts come from `reference/insights.md`. Named fields live in one data table
//! ([`fields()`], defined in `fields.rs`); numbered custom slots (`conversation_label_4`,
//! `customer_attribute_1`, `agent_label_2`) are computed from [`slot_count`] and
//! [`parse_slot_name`] instead of being listed. Everything here is plain, immutable data:
//! lookups never allocate except to build slot names and suggestions.

mod fields;
pub mod limits;
pub mod rules;
mod sources;
pub use limits::{
    DATE_MAX_MS, DATE_MIN_MS, DATE_RANGE, PAYLOAD_CHARS, TEXT_CHARS, yes_no_spelling,
};
pub use sources::{SOURCES, Source, SourceKind, evidence_sources, source};

use std::fmt;

use fields::FIELDS;

/// What a ruleset produces: `TaskRouter` task attributes or worker attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The `conversations` and `customers` objects of task attributes.
    Task,
    /// The flat worker attributes Insights reads as the Agents data set.
    Worker,
}

/// A group of Insights fields: one object of task attributes, or the worker attributes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// The `conversations` object of task attributes (segment and conversation data).
    Conversations,
    /// The `customers` object of task attributes (customer data).
    Customers,
    /// The flat worker attributes (Agents data set).
    Worker,
}

impl Section {
    /// Every section, in rule-file order.
    pub const ALL: [Section; 3] = [Section::Conversations, Section::Customers, Section::Worker];

    /// The section's key in a rule file: `conversations`, `customers` or `worker`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Section::Conversations => "conversations",
            Section::Customers => "customers",
            Section::Worker => "worker",
        }
    }

    /// What a ruleset writing this section produces.
    #[must_use]
    pub fn target(self) -> Target {
        match self {
            Section::Conversations | Section::Customers => Target::Task,
            Section::Worker => Target::Worker,
        }
    }

    /// The section named `s` (exactly as returned by [`Section::name`]), if any.
    #[must_use]
    pub fn from_name(s: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|section| section.name() == s)
    }

    /// The first word of this section's slot names: `conversation`, `customer` or `agent`.
    #[must_use]
    pub fn slot_prefix(self) -> &'static str {
        match self {
            Section::Conversations => "conversation",
            Section::Customers => "customer",
            Section::Worker => "agent",
        }
    }
}

impl fmt::Display for Section {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// How Insights reads a field; decides runtime coercion (SPEC §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Free text attribute, cut at 128 characters.
    Text,
    /// Display label paired with an attribute; label values do not count toward the 2-billion budget.
    Label,
    /// Text that holds an identifier (`conversation_id`, `external_id`, `*_id`).
    Id,
    /// Hierarchy path whose levels are joined with `" ▸ "`.
    Hierarchy,
    /// Numeric measure.
    Measure,
    /// Time measure in seconds.
    Duration,
    /// `Yes` or `No`.
    YesNo,
    /// Text with a documented value set (see [`Field::values`]).
    Enum,
    /// Date or time within 1901–2049.
    Date,
    /// Absolute http(s) URL.
    Url,
    /// JSON array of objects (`conversations.media`).
    List,
}

impl Kind {
    /// The kind's name as used in diagnostics and docs (`yes_no`, `duration`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Label => "label",
            Kind::Id => "id",
            Kind::Hierarchy => "hierarchy",
            Kind::Measure => "measure",
            Kind::Duration => "duration",
            Kind::YesNo => "yes_no",
            Kind::Enum => "enum",
            Kind::Date => "date",
            Kind::Url => "url",
            Kind::List => "list",
        }
    }

    /// Whether Insights stores the value as text (so the [`TEXT_CHARS`] cut and cardinality apply).
    #[must_use]
    pub fn is_text(self) -> bool {
        self.can_reach_text_limit() || self == Kind::YesNo
    }

    /// Text with no value set of its own: any string, numbers and booleans rendered, cut at
    /// [`TEXT_CHARS`] (`text`, `label`, `id`, `hierarchy`).
    #[must_use]
    pub fn is_free_text(self) -> bool {
        matches!(self, Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy)
    }

    /// Text whose values can be as long as [`TEXT_CHARS`]: free text and enums (a `yes_no`
    /// value is at most `Yes`).
    #[must_use]
    pub fn can_reach_text_limit(self) -> bool {
        self.is_free_text() || self == Kind::Enum
    }

    /// What Insights does with a value of this kind, and its limits, in one line (editor hovers).
    #[must_use]
    pub fn insights_note(self) -> &'static str {
        match self {
            Kind::Text => concat!(
                "text; Insights cuts it at ",
                limits::text_chars!(),
                " characters and counts distinct values"
            ),
            Kind::Label => concat!(
                "the display label of the attribute with the same number; text cut at ",
                limits::text_chars!(),
                " characters"
            ),
            Kind::Id => concat!(
                "an identifier stored as text (",
                limits::text_chars!(),
                " characters); high cardinality expected"
            ),
            Kind::Hierarchy => concat!(
                "a path whose levels are joined with \" ▸ \" (",
                limits::text_chars!(),
                " characters in all); reports drill down level by level"
            ),
            Kind::Measure => "a number; Insights sums and averages it (text is not a measure)",
            Kind::Duration => "a number of seconds; Insights shows it as a duration",
            Kind::YesNo => "`Yes` or `No` exactly; anything else is not counted",
            Kind::Enum => {
                "text from a documented set of values; other values show as themselves but break the built-in reports"
            }
            Kind::Date => concat!(
                "a date or time within ",
                limits::date_range!(),
                " (epoch milliseconds)"
            ),
            Kind::Url => "an absolute http(s) URL, shown as a link",
            Kind::List => "a JSON array of objects",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// One named Insights field (not a numbered slot).
#[derive(Debug, PartialEq, Eq, serde::Serialize)]
pub struct Field {
    /// The section the field belongs to.
    pub section: Section,
    /// The key Insights reads, exactly as spelled.
    pub name: &'static str,
    /// How Insights reads the value.
    pub kind: Kind,
    /// Documented values in canonical spelling (enum and `yes_no` fields; empty otherwise).
    pub values: &'static [&'static str],
    /// Removed before Insights on HIPAA accounts.
    pub hipaa_dropped: bool,
    /// What Insights fills in from `TaskRouter` when the field is not set (e.g. `TaskQueueName`), if anything.
    pub taskrouter_default: Option<&'static str>,
    /// Field of the same section that must also be set for this one to display (`team_name` -> `team_id`).
    pub requires: Option<&'static str>,
    /// Must not be set by hand (`conversations.kind`).
    pub read_only: bool,
    /// The field exists to hold per-contact identifiers (`conversation_id`, `customers.external_id`,
    /// phone, email, case, `agent_id`, …), so high cardinality is expected there.
    pub identifier: bool,
    /// One-line description for docs and help text.
    pub summary: &'static str,
    /// Evidence tags from the reference, e.g. "D:S1, D:S4".
    pub evidence: &'static str,
}

/// The three kinds of numbered custom slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotKind {
    /// `*_attribute_N`: a custom text attribute.
    Attribute,
    /// `*_label_N`: the display label of the attribute slot with the same number.
    Label,
    /// `conversation_measure_N`: a custom numeric measure.
    Measure,
}

impl SlotKind {
    /// Every slot kind, in the order slots are listed.
    pub const ALL: [SlotKind; 3] = [SlotKind::Attribute, SlotKind::Label, SlotKind::Measure];

    /// The middle word of the slot name: `attribute`, `label` or `measure`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SlotKind::Attribute => "attribute",
            SlotKind::Label => "label",
            SlotKind::Measure => "measure",
        }
    }

    /// The field kind a slot of this kind has: text, label or measure.
    #[must_use]
    pub fn field_kind(self) -> Kind {
        match self {
            SlotKind::Attribute => Kind::Text,
            SlotKind::Label => Kind::Label,
            SlotKind::Measure => Kind::Measure,
        }
    }
}

impl fmt::Display for SlotKind {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.name())
    }
}

/// One in-range numbered custom slot, e.g. `conversation_label_4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Slot {
    /// The section the slot belongs to.
    pub section: Section,
    /// Attribute, label or measure.
    pub kind: SlotKind,
    /// The slot number, from 1 to [`slot_count`].
    pub number: u32,
}

impl Slot {
    /// The key Insights reads: `conversation_label_4`, `customer_attribute_1`, `agent_label_2`.
    #[must_use]
    pub fn name(&self) -> String {
        format!(
            "{}_{}_{}",
            self.section.slot_prefix(),
            self.kind.name(),
            self.number
        )
    }

    /// The field kind of the slot (text for attributes, label, measure).
    #[must_use]
    pub fn kind(&self) -> Kind {
        self.kind.field_kind()
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}_{}_{}",
            self.section.slot_prefix(),
            self.kind.name(),
            self.number
        )
    }
}

/// Number of slots of that kind in that section (conversations 10/10/10, customers 3/3/0, worker 3/3/0).
#[must_use]
pub fn slot_count(section: Section, kind: SlotKind) -> u32 {
    match (section, kind) {
        (Section::Conversations, _) => 10,
        (Section::Customers | Section::Worker, SlotKind::Attribute | SlotKind::Label) => 3,
        (Section::Customers | Section::Worker, SlotKind::Measure) => 0,
    }
}

/// Every in-range slot of `section`: attributes, then labels, then measures, each by number.
pub fn slots(section: Section) -> impl Iterator<Item = Slot> {
    SlotKind::ALL.into_iter().flat_map(move |kind| {
        (1..=slot_count(section, kind)).map(move |number| Slot {
            section,
            kind,
            number,
        })
    })
}

/// "conversations has attribute slots 1 to 10, not 11" / "customers has no measure slots".
#[must_use]
pub fn slot_range_message(section: Section, kind: SlotKind, number: u64, count: u32) -> String {
    if count == 0 {
        format!("{} has no {} slots", section.name(), kind.name())
    } else {
        format!(
            "{} has {} slots 1 to {count}, not {number}",
            section.name(),
            kind.name()
        )
    }
}

/// Parses any slot-shaped name, in range or not: `conversation_attribute_11` -> (Conversations, Attribute, 11).
///
/// Prefixes: `conversation_` -> Conversations, `customer_` -> Customers, `agent_` -> Worker.
/// The number part must be all ASCII digits (0 allowed, reported as out of range by
/// [`lookup`]); a number too large for `u64` saturates to `u64::MAX`. A number with a leading
/// zero (`_01`) is not slot-shaped, because Insights would not read it as slot 1.
#[must_use]
pub fn parse_slot_name(name: &str) -> Option<(Section, SlotKind, u64)> {
    Section::ALL.into_iter().find_map(|section| {
        let rest = name
            .strip_prefix(section.slot_prefix())?
            .strip_prefix('_')?;
        SlotKind::ALL.into_iter().find_map(|kind| {
            let digits = rest.strip_prefix(kind.name())?.strip_prefix('_')?;
            let number = parse_slot_number(digits)?;
            Some((section, kind, number))
        })
    })
}

/// What a name means in one section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A named field of the section.
    Field(&'static Field),
    /// An in-range slot of the section.
    Slot(Slot),
    /// A slot-shaped name whose number is outside `1..=slot_count` (or a kind the section has no slots of, e.g. `customer_measure_1`).
    SlotOutOfRange {
        /// The section the slot prefix names.
        section: Section,
        /// The slot kind the name asks for.
        kind: SlotKind,
        /// The number as written.
        number: u64,
        /// How many slots of that kind the section has (0 when it has none).
        count: u32,
    },
    /// Not a name Insights reads in this section.
    Unknown,
}

/// Looks `name` up in `section` only. Slot names whose prefix belongs to another section are Unknown here.
#[must_use]
pub fn lookup(section: Section, name: &str) -> Lookup {
    if let Some(field) = field(section, name) {
        return Lookup::Field(field);
    }
    let Some((slot_section, kind, number)) = parse_slot_name(name) else {
        return Lookup::Unknown;
    };
    if slot_section != section {
        return Lookup::Unknown;
    }
    let count = slot_count(section, kind);
    match u32::try_from(number) {
        Ok(number) if (1..=count).contains(&number) => Lookup::Slot(Slot {
            section,
            kind,
            number,
        }),
        _ => Lookup::SlotOutOfRange {
            section,
            kind,
            number,
            count,
        },
    }
}

/// The named field `name` of `section`, if there is one (slots are not fields; see [`lookup`]).
#[must_use]
pub fn field(section: Section, name: &str) -> Option<&'static Field> {
    FIELDS
        .iter()
        .find(|field| field.section == section && field.name == name)
}

/// Every named field, grouped by section (conversations, customers, worker) in the reference's order.
#[must_use]
pub fn fields() -> &'static [Field] {
    FIELDS
}

/// The named fields of one section, in the reference's order.
pub fn section_fields(section: Section) -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(move |field| field.section == section)
}

/// Sections other than `section` in which `name` is a known field or an in-range slot (for "wrong section" findings).
#[must_use]
pub fn other_sections(section: Section, name: &str) -> Vec<Section> {
    Section::ALL
        .into_iter()
        .filter(|&other| other != section)
        .filter(|&other| matches!(lookup(other, name), Lookup::Field(_) | Lookup::Slot(_)))
        .collect()
}

/// The target kind of a known field or in-range slot.
#[must_use]
pub fn kind_of(section: Section, name: &str) -> Option<Kind> {
    match lookup(section, name) {
        Lookup::Field(field) => Some(field.kind),
        Lookup::Slot(slot) => Some(slot.kind()),
        Lookup::SlotOutOfRange { .. } | Lookup::Unknown => None,
    }
}

/// A did-you-mean for an unknown name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suggestion {
    /// The name to use instead.
    pub name: String,
    /// The section `name` belongs to: usually the one looked in, but a curated alias may point
    /// elsewhere (`customer_email` under conversations -> `customers.email`).
    pub section: Section,
    /// Why, when there is more to say than the name (e.g. the key belongs to another section).
    pub note: Option<&'static str>,
    /// Whether renaming is safe to do mechanically (`--fix`): a typo or a curated alias is; a
    /// field the name merely contains (`phone_number` → `phone`) is advice only.
    pub mechanical: bool,
}

/// Did-you-mean for an unknown name in `section`: curated aliases first, then edit distance.
///
/// Gives nothing for an empty (or blank) name or for a name that [`lookup`] does not report as unknown
/// (known fields, in-range and out-of-range slots). A name that is known in another section
/// gets only a curated alias, never an edit-distance guess, because "wrong section" is the
/// better finding there (`state` under conversations is a customers field, not a typo of `date`).
/// Names are compared lowercased with `-` and spaces read as `_`, and also with underscores
/// removed (`wrapuptime`); up to 2 edits are accepted for names of 5 characters or more, 1 for
/// shorter ones, and ties go to the earlier field in the table.
#[must_use]
pub fn suggest(section: Section, name: &str) -> Option<Suggestion> {
    let normalized = normalize_name(name);
    if name.trim().is_empty() || !matches!(lookup(section, name), Lookup::Unknown) {
        return None;
    }
    if let Some(alias) = ALIASES
        .iter()
        .find(|alias| alias.section == section && alias.from == normalized)
    {
        return Some(Suggestion {
            name: alias.to.to_owned(),
            section: alias.to_section,
            note: Some(alias.note),
            mechanical: true,
        });
    }
    if !other_sections(section, &normalized).is_empty() {
        return None;
    }
    if let Some(name) = closest_name(section, &normalized) {
        return Some(Suggestion {
            name,
            section,
            note: None,
            mechanical: true,
        });
    }
    affixed_name(section, &normalized).map(|name| Suggestion {
        name,
        section,
        note: Some(
            "It is the Insights field this name is built on: check that it holds the same data.",
        ),
        mechanical: false,
    })
}

/// The section's longest field name that `name` is made of plus a word before or after it
/// (`customer_email` → `email`, `wrap_up_time_seconds` → `wrap_up_time`), when edit distance
/// finds nothing close.
fn affixed_name(section: Section, name: &str) -> Option<String> {
    section_fields(section)
        .filter(|field| field.name.len() >= 3 && !field.read_only)
        .filter(|field| {
            name.strip_suffix(field.name)
                .is_some_and(|rest| rest.ends_with('_'))
                || name
                    .strip_prefix(field.name)
                    .is_some_and(|rest| rest.starts_with('_'))
        })
        .max_by_key(|field| field.name.len())
        .map(|field| field.name.to_owned())
}

/// A curated did-you-mean: a name seen in real code that Insights does not read.
struct Alias {
    /// The section the wrong name was written in.
    section: Section,
    /// The wrong name, normalised (lowercase, `_` separators).
    from: &'static str,
    /// The section of the right name.
    to_section: Section,
    /// The right name.
    to: &'static str,
    /// Why the wrong name is wrong.
    note: &'static str,
}

/// Curated aliases, from the reference's lists of keys seen in real code (§1a, §1c, §4).
#[rustfmt::skip]
static ALIASES: &[Alias] = &[
    // Under `conversations` (reference §1a, "Keys that are not valid under conversations").
    Alias { section: Section::Conversations, from: "wrapup_time", to_section: Section::Conversations, to: "wrap_up_time", note: "Insights spells it `wrap_up_time`; `wrapup_time` is silently ignored" },
    Alias { section: Section::Conversations, from: "cross_talk_time", to_section: Section::Conversations, to: "crosstalk_time", note: "Insights spells it `crosstalk_time`; `cross_talk_time` is silently ignored" },
    Alias { section: Section::Conversations, from: "team_id", to_section: Section::Conversations, to: "handling_team_id", note: "`team_id` is a worker attribute; conversations use `handling_team_id`" },
    Alias { section: Section::Conversations, from: "team_name", to_section: Section::Conversations, to: "handling_team_name", note: "`team_name` is a worker attribute; conversations use `handling_team_name`" },
    Alias { section: Section::Conversations, from: "team_name_in_hierarchy", to_section: Section::Conversations, to: "handling_team_name_in_hierarchy", note: "`team_name_in_hierarchy` is a worker attribute; conversations use `handling_team_name_in_hierarchy`" },
    Alias { section: Section::Conversations, from: "department_id", to_section: Section::Conversations, to: "handling_department_id", note: "`department_id` is a worker attribute; conversations use `handling_department_id`" },
    Alias { section: Section::Conversations, from: "department_name", to_section: Section::Conversations, to: "handling_department_name", note: "`department_name` is a worker attribute; conversations use `handling_department_name`" },
    Alias { section: Section::Conversations, from: "department_name_in_hierarchy", to_section: Section::Conversations, to: "handling_department_name_in_hierarchy", note: "`department_name_in_hierarchy` is a worker attribute; conversations use `handling_department_name_in_hierarchy`" },
    Alias { section: Section::Conversations, from: "customer_email", to_section: Section::Customers, to: "email", note: "the customer's e-mail belongs in `customers.email`; `conversations` has no e-mail field" },
    Alias { section: Section::Conversations, from: "customer_phone", to_section: Section::Customers, to: "phone", note: "the customer's phone number belongs in `customers.phone`; `conversations` has no phone field" },
    Alias { section: Section::Conversations, from: "customer_name", to_section: Section::Customers, to: "name", note: "the customer's name belongs in `customers.name`; `conversations` has no name field" },
    // Worker attributes (reference §1c: the SSO page's `department`; §3: WorkerName is Full Name).
    Alias { section: Section::Worker, from: "department", to_section: Section::Worker, to: "department_name", note: "the SSO setup page lists `department`, but Insights reads `department_name` (with `department_id`)" },
    Alias { section: Section::Worker, from: "name", to_section: Section::Worker, to: "full_name", note: "Insights reads the agent's name from `full_name` (default: the TaskRouter worker name)" },
    Alias { section: Section::Worker, from: "handling_team_id", to_section: Section::Worker, to: "team_id", note: "`handling_team_id` is a conversations field; worker attributes use `team_id`" },
    Alias { section: Section::Worker, from: "handling_team_name", to_section: Section::Worker, to: "team_name", note: "`handling_team_name` is a conversations field; worker attributes use `team_name`" },
    Alias { section: Section::Worker, from: "handling_team_name_in_hierarchy", to_section: Section::Worker, to: "team_name_in_hierarchy", note: "`handling_team_name_in_hierarchy` is a conversations field; worker attributes use `team_name_in_hierarchy`" },
    Alias { section: Section::Worker, from: "handling_department_id", to_section: Section::Worker, to: "department_id", note: "`handling_department_id` is a conversations field; worker attributes use `department_id`" },
    Alias { section: Section::Worker, from: "handling_department_name", to_section: Section::Worker, to: "department_name", note: "`handling_department_name` is a conversations field; worker attributes use `department_name`" },
    Alias { section: Section::Worker, from: "handling_department_name_in_hierarchy", to_section: Section::Worker, to: "department_name_in_hierarchy", note: "`handling_department_name_in_hierarchy` is a conversations field; worker attributes use `department_name_in_hierarchy`" },
];

/// Parses the number part of a slot name: ASCII digits, no leading zero unless it is `0` itself.
fn parse_slot_number(digits: &str) -> Option<u64> {
    let all_digits = !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit());
    let leading_zero = digits.len() > 1 && digits.starts_with('0');
    if !all_digits || leading_zero {
        return None;
    }
    // All digits, so the only possible parse failure is overflow.
    Some(digits.parse().unwrap_or(u64::MAX))
}

/// Lowercases `name` and reads `-` and spaces as `_`, as `suggest` compares names.
fn normalize_name(name: &str) -> String {
    name.to_lowercase().replace(['-', ' '], "_")
}

/// The field or in-range slot of `section` closest to the normalised `name`, within the edit budget.
fn closest_name(section: Section, name: &str) -> Option<String> {
    let budget = if name.chars().count() >= 5 { 2 } else { 1 };
    let mut best: Option<(usize, &str)> = None;
    let bag = CharBag::of(name);
    for candidate in candidates(section) {
        if !bag.may_be_within(candidate, budget) {
            continue;
        }
        let distance = name_distance(name, &candidate.name);
        if distance <= budget
            && best
                .as_ref()
                .is_none_or(|(best_distance, _)| distance < *best_distance)
        {
            best = Some((distance, &candidate.name));
        }
    }
    best.map(|(_, candidate)| candidate.to_owned())
}

/// A name `closest_name` may suggest, with its lengths (in characters, with and without
/// underscores) for the cheap bounds.
struct Candidate {
    name: String,
    length: usize,
    bare_length: usize,
}

/// The section's field names, then its slot names, built once.
fn candidates(section: Section) -> &'static [Candidate] {
    static CANDIDATES: std::sync::OnceLock<Vec<Vec<Candidate>>> = std::sync::OnceLock::new();
    let all = CANDIDATES.get_or_init(|| {
        Section::ALL
            .into_iter()
            .map(|section| {
                section_fields(section)
                    .map(|field| field.name.to_owned())
                    .chain(slots(section).map(|slot| slot.name()))
                    .map(|name| {
                        let length = name.chars().count();
                        let bare_length = length - name.chars().filter(|&c| c == '_').count();
                        Candidate {
                            name,
                            length,
                            bare_length,
                        }
                    })
                    .collect()
            })
            .collect()
    });
    let index = Section::ALL
        .iter()
        .position(|&s| s == section)
        .unwrap_or_default();
    &all[index]
}

/// The characters of a name as a multiset (ASCII by value, anything else in one bucket): a
/// cheap lower bound of the edit distance, so that `closest_name` computes the distance only
/// for candidates that can be close. An audit of 200,000 unknown keys asks for 200,000
/// suggestions; without the bound each cost a hundred edit distances.
struct CharBag {
    counts: [u32; 129],
    length: usize,
    underscores: usize,
}

impl CharBag {
    fn bucket(c: char) -> usize {
        if c.is_ascii() { c as usize } else { 128 }
    }

    fn of(name: &str) -> CharBag {
        let mut counts = [0u32; 129];
        let mut length = 0;
        for c in name.chars() {
            counts[Self::bucket(c)] += 1;
            length += 1;
        }
        CharBag {
            counts,
            length,
            underscores: counts[usize::from(b'_')] as usize,
        }
    }

    /// False when `candidate` is surely further than `budget` from the name, with and
    /// without underscores. Each edit changes the multiset by at most two characters (a
    /// substitution), so the distance is at least half the size of their difference.
    fn may_be_within(&self, candidate: &Candidate, budget: usize) -> bool {
        let bare = self.length - self.underscores;
        if self.length.abs_diff(candidate.length) > budget
            && bare.abs_diff(candidate.bare_length) > budget
        {
            return false;
        }
        let mut used = [0u32; 129];
        let mut common = 0;
        for c in candidate.name.chars() {
            let bucket = Self::bucket(c);
            if used[bucket] < self.counts[bucket] {
                common += 1;
            }
            used[bucket] += 1;
        }
        let (length, underscores) = (candidate.length, candidate.length - candidate.bare_length);
        let difference = self.length + length - 2 * common;
        let common_underscores = self.underscores.min(underscores);
        let bare_difference = bare + (length - underscores) - 2 * (common - common_underscores);
        difference <= 2 * budget || bare_difference <= 2 * budget
    }
}

/// Edit distance between two normalised names, with and without underscores, whichever is smaller.
fn name_distance(left: &str, right: &str) -> usize {
    let with_underscores = strsim::osa_distance(left, right);
    let without_underscores = strsim::osa_distance(&left.replace('_', ""), &right.replace('_', ""));
    with_underscores.min(without_underscores)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The named `conversations` keys of reference §1a, in its order.
    #[rustfmt::skip]
    const CONVERSATION_KEYS: [&str; 62] = [
        "abandoned", "abandoned_phase", "abandon_time", "activity", "activity_time",
        "agent_talk_time", "average_response_time", "campaign", "case", "channel",
        "communication_channel", "content", "conversation_id", "crosstalk_time",
        "customer_talk_time", "date", "destination", "direction", "external_contact",
        "external_id_label", "first_response_time", "focus_time", "followed_by",
        "handling_department_id", "handling_department_name",
        "handling_department_name_in_hierarchy", "handling_team_id", "handling_team_name",
        "handling_team_name_in_hierarchy", "hang_up_by", "hold_time", "in_business_hours",
        "initiated_by", "initiative", "ivr_path", "ivr_time", "kind", "language",
        "longest_silence_before_agent", "longest_silence_before_customer", "longest_talk_by_agent",
        "longest_talk_by_customer", "media", "order", "outcome", "preceded_by", "priority",
        "productive", "queue", "queue_time", "recording_status", "ring_time", "segment_link",
        "segment_name", "segment_recording_offset", "service_level", "silence_time", "source",
        "talk_time", "virtual", "workflow", "wrap_up_time",
    ];

    /// The named `customers` keys of reference §1b: 20 documented, then the inferred `city` and `area`.
    #[rustfmt::skip]
    const CUSTOMER_KEYS: [&str; 22] = [
        "external_id", "phone", "email", "name", "customer_link", "acquisition_date",
        "acquisition_cost", "business_value", "category", "customer_manager", "gender",
        "geo_location", "market_segment", "organization", "year_of_birth", "zip", "country",
        "region", "state", "type", "city", "area",
    ];

    /// The named worker keys of reference §1c.
    #[rustfmt::skip]
    const WORKER_KEYS: [&str; 14] = [
        "agent_id", "full_name", "email", "phone", "location", "manager", "role", "state",
        "department_id", "department_name", "department_name_in_hierarchy", "team_id", "team_name",
        "team_name_in_hierarchy",
    ];

    fn reference_keys(section: Section) -> &'static [&'static str] {
        match section {
            Section::Conversations => &CONVERSATION_KEYS,
            Section::Customers => &CUSTOMER_KEYS,
            Section::Worker => &WORKER_KEYS,
        }
    }

    fn slot_total(section: Section) -> u32 {
        SlotKind::ALL
            .into_iter()
            .map(|kind| slot_count(section, kind))
            .sum()
    }

    fn suggested(section: Section, name: &str) -> Option<String> {
        suggest(section, name).map(|suggestion| suggestion.name)
    }

    fn dropped_under_hipaa() -> Vec<(Section, &'static str)> {
        fields()
            .iter()
            .filter(|field| field.hipaa_dropped)
            .map(|field| (field.section, field.name))
            .collect()
    }

    #[test]
    fn section_counts_match_the_reference() {
        let named = |section| section_fields(section).count();
        assert_eq!(named(Section::Conversations), 62);
        assert_eq!(slot_total(Section::Conversations), 30);
        assert_eq!(
            named(Section::Conversations) + slots(Section::Conversations).count(),
            92
        );
        // 20 documented named keys plus the inferred `city` and `area`; 26 documented keys in all.
        assert_eq!(named(Section::Customers), 22);
        assert_eq!(slot_total(Section::Customers), 6);
        assert_eq!(
            named(Section::Customers) - 2 + slots(Section::Customers).count(),
            26
        );
        assert_eq!(named(Section::Worker), 14);
        assert_eq!(slot_total(Section::Worker), 6);
        assert_eq!(named(Section::Worker) + slots(Section::Worker).count(), 20);
        assert_eq!(fields().len(), 62 + 22 + 14);
    }

    #[test]
    fn every_reference_key_is_in_the_table_in_order() {
        for section in Section::ALL {
            let table: Vec<&str> = section_fields(section).map(|field| field.name).collect();
            assert_eq!(table, reference_keys(section), "{section}");
        }
    }

    #[test]
    fn table_is_grouped_by_section_without_duplicates() {
        let sections: Vec<Section> = fields().iter().map(|field| field.section).collect();
        let mut sorted = sections.clone();
        sorted.sort();
        assert_eq!(sections, sorted);
        let mut seen = HashSet::new();
        for field in fields() {
            assert!(
                seen.insert((field.section, field.name)),
                "duplicate {}",
                field.name
            );
        }
    }

    #[test]
    fn every_field_is_documented() {
        for field in fields() {
            assert!(
                !field.summary.is_empty() && !field.summary.contains('\n'),
                "{}",
                field.name
            );
            assert!(
                field.evidence.starts_with("D:"),
                "{}: {}",
                field.name,
                field.evidence
            );
            assert!(
                parse_slot_name(field.name).is_none(),
                "{} looks like a slot",
                field.name
            );
        }
    }

    #[test]
    fn kinds_follow_the_reference() {
        let kind = |section, name| field(section, name).map(|field| field.kind);
        let conversations = Section::Conversations;
        assert_eq!(kind(conversations, "abandoned"), Some(Kind::Enum));
        assert_eq!(kind(conversations, "abandoned_phase"), Some(Kind::Enum));
        assert_eq!(kind(conversations, "direction"), Some(Kind::Enum));
        assert_eq!(kind(conversations, "kind"), Some(Kind::Enum));
        for text in [
            "channel",
            "hang_up_by",
            "initiated_by",
            "followed_by",
            "preceded_by",
        ] {
            assert_eq!(kind(conversations, text), Some(Kind::Text), "{text}");
        }
        assert_eq!(kind(Section::Customers, "type"), Some(Kind::Text));
        for flag in ["in_business_hours", "virtual", "productive"] {
            assert_eq!(kind(conversations, flag), Some(Kind::YesNo), "{flag}");
            assert_eq!(
                field(conversations, flag).map(|field| field.values),
                Some(&["Yes", "No"][..])
            );
        }
        for measure in ["order", "priority", "segment_recording_offset"] {
            assert_eq!(
                kind(conversations, measure),
                Some(Kind::Measure),
                "{measure}"
            );
        }
        for id in [
            "conversation_id",
            "handling_team_id",
            "handling_department_id",
        ] {
            assert_eq!(kind(conversations, id), Some(Kind::Id), "{id}");
        }
        assert_eq!(kind(Section::Customers, "external_id"), Some(Kind::Id));
        for id in ["agent_id", "team_id", "department_id"] {
            assert_eq!(kind(Section::Worker, id), Some(Kind::Id), "{id}");
        }
        assert_eq!(kind(conversations, "ivr_path"), Some(Kind::Hierarchy));
        assert_eq!(kind(conversations, "media"), Some(Kind::List));
        assert_eq!(kind(conversations, "segment_link"), Some(Kind::Url));
        assert_eq!(kind(conversations, "date"), Some(Kind::Date));
        assert_eq!(kind(conversations, "wrap_up_time"), Some(Kind::Duration));
        assert_eq!(kind(conversations, "external_id_label"), Some(Kind::Label));
        assert_eq!(kind(Section::Customers, "year_of_birth"), Some(Kind::Text));
        assert_eq!(kind(Section::Customers, "geo_location"), Some(Kind::Text));
        assert_eq!(
            kind(Section::Customers, "acquisition_cost"),
            Some(Kind::Measure)
        );
    }

    #[test]
    fn values_exist_only_for_enums_and_flags() {
        for field in fields() {
            let has_values = !field.values.is_empty();
            assert_eq!(
                has_values,
                matches!(field.kind, Kind::Enum | Kind::YesNo),
                "{}",
                field.name
            );
        }
        let abandoned = field(Section::Conversations, "abandoned").map(|field| field.values);
        assert_eq!(abandoned, Some(&["Yes", "No", "Follow-Up"][..]));
        let phase =
            field(Section::Conversations, "abandoned_phase").map(|field| field.values.len());
        assert_eq!(phase, Some(5));
        let kind = field(Section::Conversations, "kind").map(|field| field.values.len());
        assert_eq!(kind, Some(8));
    }

    #[test]
    fn flags_follow_the_reference() {
        let read_only: Vec<&str> = fields()
            .iter()
            .filter(|field| field.read_only)
            .map(|field| field.name)
            .collect();
        assert_eq!(read_only, ["kind"]);
        let expected: Vec<(Section, &str)> = [
            "external_id",
            "phone",
            "email",
            "name",
            "geo_location",
            "zip",
            "city",
            "area",
        ]
        .into_iter()
        .map(|name| (Section::Customers, name))
        .collect();
        let mut dropped = dropped_under_hipaa();
        dropped.sort_unstable();
        let mut expected_sorted = expected;
        expected_sorted.sort_unstable();
        assert_eq!(dropped, expected_sorted);
        for (section, name) in [
            (Section::Conversations, "conversation_id"),
            (Section::Customers, "external_id"),
            (Section::Customers, "phone"),
            (Section::Customers, "email"),
            (Section::Conversations, "case"),
            (Section::Worker, "agent_id"),
        ] {
            assert!(
                field(section, name).is_some_and(|field| field.identifier),
                "{name}"
            );
        }
        assert!(field(Section::Conversations, "language").is_some_and(|field| !field.identifier));
    }

    #[test]
    fn dependencies_point_at_id_fields_of_the_same_section() {
        let mut pairs = Vec::new();
        for field in fields() {
            if let Some(required) = field.requires {
                let target = super::field(field.section, required);
                assert_eq!(
                    target.map(|target| target.kind),
                    Some(Kind::Id),
                    "{}",
                    field.name
                );
                pairs.push((field.section, field.name, required));
            }
        }
        assert_eq!(
            pairs,
            [
                (
                    Section::Conversations,
                    "handling_department_name",
                    "handling_department_id"
                ),
                (
                    Section::Conversations,
                    "handling_team_name",
                    "handling_team_id"
                ),
                (Section::Worker, "department_name", "department_id"),
                (Section::Worker, "team_name", "team_id"),
            ]
        );
    }

    #[test]
    fn taskrouter_defaults_follow_the_reference() {
        let default =
            |section, name| field(section, name).and_then(|field| field.taskrouter_default);
        let conversations = Section::Conversations;
        assert_eq!(default(conversations, "workflow"), Some("WorkflowName"));
        assert_eq!(
            default(conversations, "handling_team_id"),
            Some("TaskQueueSid")
        );
        assert_eq!(
            default(conversations, "handling_team_name"),
            Some("TaskQueueName")
        );
        assert_eq!(
            default(conversations, "channel"),
            Some("TaskChannelUniqueName")
        );
        assert_eq!(
            default(conversations, "activity"),
            Some("WorkerActivityName")
        );
        assert_eq!(default(Section::Worker, "full_name"), Some("WorkerName"));
        for name in [
            "queue",
            "outcome",
            "direction",
            "external_contact",
            "segment_link",
            "communication_channel",
        ] {
            assert!(default(conversations, name).is_some(), "{name}");
        }
        for name in ["phone", "country", "state", "city", "zip"] {
            assert!(default(Section::Customers, name).is_some(), "{name}");
        }
        assert_eq!(default(conversations, "ivr_path"), None);
        assert_eq!(default(Section::Customers, "external_id"), None);
    }

    #[test]
    fn sections_round_trip_by_name() {
        for section in Section::ALL {
            assert_eq!(Section::from_name(section.name()), Some(section));
        }
        assert_eq!(Section::from_name("agents"), None);
        assert_eq!(Section::Conversations.target(), Target::Task);
        assert_eq!(Section::Customers.target(), Target::Task);
        assert_eq!(Section::Worker.target(), Target::Worker);
    }

    #[test]
    fn text_kinds() {
        let text: Vec<Kind> = [
            Kind::Text,
            Kind::Label,
            Kind::Id,
            Kind::Hierarchy,
            Kind::Measure,
            Kind::Duration,
            Kind::YesNo,
            Kind::Enum,
            Kind::Date,
            Kind::Url,
            Kind::List,
        ]
        .into_iter()
        .filter(|kind| kind.is_text())
        .collect();
        assert_eq!(
            text,
            [
                Kind::Text,
                Kind::Label,
                Kind::Id,
                Kind::Hierarchy,
                Kind::YesNo,
                Kind::Enum
            ]
        );
        assert_eq!(Kind::YesNo.name(), "yes_no");
    }

    #[test]
    fn slot_names_and_kinds() {
        let slot = Slot {
            section: Section::Conversations,
            kind: SlotKind::Label,
            number: 4,
        };
        assert_eq!(slot.name(), "conversation_label_4");
        assert_eq!(slot.to_string(), "conversation_label_4");
        assert_eq!(slot.kind(), Kind::Label);
        let slot = Slot {
            section: Section::Customers,
            kind: SlotKind::Attribute,
            number: 1,
        };
        assert_eq!(slot.name(), "customer_attribute_1");
        assert_eq!(slot.kind(), Kind::Text);
        let slot = Slot {
            section: Section::Worker,
            kind: SlotKind::Label,
            number: 2,
        };
        assert_eq!(slot.name(), "agent_label_2");
        assert_eq!(SlotKind::Measure.field_kind(), Kind::Measure);
        for section in Section::ALL {
            for slot in slots(section) {
                assert_eq!(lookup(section, &slot.name()), Lookup::Slot(slot));
            }
        }
    }

    #[test]
    fn parses_slot_shaped_names() {
        assert_eq!(
            parse_slot_name("conversation_attribute_11"),
            Some((Section::Conversations, SlotKind::Attribute, 11))
        );
        assert_eq!(
            parse_slot_name("customer_measure_1"),
            Some((Section::Customers, SlotKind::Measure, 1))
        );
        assert_eq!(
            parse_slot_name("agent_label_0"),
            Some((Section::Worker, SlotKind::Label, 0))
        );
        assert_eq!(
            parse_slot_name("conversation_measure_99999999999999999999999"),
            Some((Section::Conversations, SlotKind::Measure, u64::MAX))
        );
        for not_a_slot in [
            "conversation_id",
            "customer_talk_time",
            "agent_talk_time",
            "conversation_attribute_",
            "conversation_attribute_+1",
            "conversation_attribute_1a",
            "conversation_attribute_01",
            "conversation_attribute1",
            "worker_attribute_1",
            "Conversation_Attribute_1",
        ] {
            assert_eq!(parse_slot_name(not_a_slot), None, "{not_a_slot}");
        }
    }

    #[test]
    fn looks_up_fields_and_slots() {
        assert!(
            matches!(lookup(Section::Conversations, "ivr_path"), Lookup::Field(field) if field.name == "ivr_path")
        );
        assert!(
            matches!(lookup(Section::Customers, "external_id"), Lookup::Field(field) if field.hipaa_dropped)
        );
        assert_eq!(
            lookup(Section::Conversations, "conversation_measure_10"),
            Lookup::Slot(Slot {
                section: Section::Conversations,
                kind: SlotKind::Measure,
                number: 10
            })
        );
        assert_eq!(
            lookup(Section::Worker, "agent_attribute_3"),
            Lookup::Slot(Slot {
                section: Section::Worker,
                kind: SlotKind::Attribute,
                number: 3
            })
        );
        assert_eq!(lookup(Section::Conversations, "team_name"), Lookup::Unknown);
        assert_eq!(
            lookup(Section::Conversations, "customer_label_1"),
            Lookup::Unknown
        );
        assert_eq!(lookup(Section::Customers, "agent_label_1"), Lookup::Unknown);
        assert_eq!(lookup(Section::Conversations, ""), Lookup::Unknown);
        assert_eq!(lookup(Section::Conversations, "IVR_PATH"), Lookup::Unknown);
    }

    #[test]
    fn looks_up_out_of_range_slots() {
        let out_of_range = |section, kind, number, count| Lookup::SlotOutOfRange {
            section,
            kind,
            number,
            count,
        };
        let conversations = Section::Conversations;
        assert_eq!(
            lookup(conversations, "conversation_attribute_11"),
            out_of_range(conversations, SlotKind::Attribute, 11, 10)
        );
        assert_eq!(
            lookup(conversations, "conversation_attribute_0"),
            out_of_range(conversations, SlotKind::Attribute, 0, 10)
        );
        assert_eq!(
            lookup(Section::Customers, "customer_measure_1"),
            out_of_range(Section::Customers, SlotKind::Measure, 1, 0)
        );
        assert_eq!(
            lookup(Section::Customers, "customer_attribute_4"),
            out_of_range(Section::Customers, SlotKind::Attribute, 4, 3)
        );
        assert_eq!(
            lookup(Section::Worker, "agent_label_4"),
            out_of_range(Section::Worker, SlotKind::Label, 4, 3)
        );
        assert_eq!(
            lookup(conversations, "conversation_label_99999999999999999999"),
            out_of_range(conversations, SlotKind::Label, u64::MAX, 10)
        );
    }

    #[test]
    fn finds_other_sections() {
        assert_eq!(
            other_sections(Section::Conversations, "customer_label_1"),
            [Section::Customers]
        );
        assert_eq!(
            other_sections(Section::Conversations, "team_name"),
            [Section::Worker]
        );
        assert_eq!(
            other_sections(Section::Conversations, "email"),
            [Section::Customers, Section::Worker]
        );
        assert_eq!(
            other_sections(Section::Worker, "handling_team_name"),
            [Section::Conversations]
        );
        assert_eq!(
            other_sections(Section::Conversations, "customer_label_4"),
            Vec::<Section>::new()
        );
        assert_eq!(
            other_sections(Section::Conversations, "ivr_path"),
            Vec::<Section>::new()
        );
        assert_eq!(
            other_sections(Section::Conversations, "zzzzzz"),
            Vec::<Section>::new()
        );
    }

    #[test]
    fn kind_of_known_names() {
        assert_eq!(
            kind_of(Section::Conversations, "ivr_time"),
            Some(Kind::Duration)
        );
        assert_eq!(
            kind_of(Section::Conversations, "conversation_label_1"),
            Some(Kind::Label)
        );
        assert_eq!(
            kind_of(Section::Customers, "customer_attribute_3"),
            Some(Kind::Text)
        );
        assert_eq!(
            kind_of(Section::Conversations, "conversation_measure_11"),
            None
        );
        assert_eq!(kind_of(Section::Conversations, "team_name"), None);
    }

    #[test]
    fn suggests_curated_aliases() {
        let conversations = Section::Conversations;
        for (wrong, right) in [
            ("wrapup_time", "wrap_up_time"),
            ("cross_talk_time", "crosstalk_time"),
            ("team_name", "handling_team_name"),
            ("team_id", "handling_team_id"),
            ("team_name_in_hierarchy", "handling_team_name_in_hierarchy"),
            ("department_id", "handling_department_id"),
            ("department_name", "handling_department_name"),
            (
                "department_name_in_hierarchy",
                "handling_department_name_in_hierarchy",
            ),
        ] {
            let suggestion = suggest(conversations, wrong);
            assert_eq!(
                suggestion
                    .as_ref()
                    .map(|suggestion| suggestion.name.as_str()),
                Some(right),
                "{wrong}"
            );
            assert!(suggestion.is_some_and(
                |suggestion| suggestion.note.is_some() && suggestion.section == conversations
            ));
        }
        let team = suggest(conversations, "team_name").and_then(|suggestion| suggestion.note);
        assert!(team.is_some_and(|note| note.contains("worker attribute")));
        assert_eq!(
            suggest(conversations, "customer_email"),
            Some(Suggestion {
                name: "email".to_owned(),
                section: Section::Customers,
                note: Some(
                    "the customer's e-mail belongs in `customers.email`; `conversations` has no e-mail field"
                ),
                mechanical: true,
            })
        );
        assert_eq!(
            suggested(Section::Worker, "department"),
            Some("department_name".to_owned())
        );
        assert_eq!(
            suggested(Section::Worker, "name"),
            Some("full_name".to_owned())
        );
        assert_eq!(
            suggested(Section::Worker, "handling_team_name"),
            Some("team_name".to_owned())
        );
        assert_eq!(
            suggested(conversations, "Wrapup-Time"),
            Some("wrap_up_time".to_owned())
        );
    }

    #[test]
    fn curated_aliases_are_consistent() {
        for alias in ALIASES {
            assert_eq!(
                lookup(alias.section, alias.from),
                Lookup::Unknown,
                "{}",
                alias.from
            );
            assert_eq!(normalize_name(alias.from), alias.from);
            assert!(field(alias.to_section, alias.to).is_some(), "{}", alias.to);
        }
    }

    #[test]
    fn suggests_the_field_a_name_is_built_on() {
        let suggested = |section, name| suggest(section, name).map(|s| s.name);
        assert_eq!(
            suggested(Section::Customers, "customer_email").as_deref(),
            Some("email")
        );
        assert_eq!(
            suggested(Section::Customers, "email_address").as_deref(),
            Some("email")
        );
        assert_eq!(
            suggested(Section::Conversations, "ivr_path_text").as_deref(),
            Some("ivr_path")
        );
        // No field inside: nothing to suggest.
        assert_eq!(suggested(Section::Customers, "favourite_colour"), None);
    }

    #[test]
    fn suggests_by_edit_distance() {
        let conversations = Section::Conversations;
        assert_eq!(
            suggested(conversations, "ivr_pth"),
            Some("ivr_path".to_owned())
        );
        assert_eq!(
            suggested(conversations, "langauge"),
            Some("language".to_owned())
        );
        assert_eq!(
            suggested(conversations, "wrapuptime"),
            Some("wrap_up_time".to_owned())
        );
        assert_eq!(
            suggested(conversations, "Hang-Up-By"),
            Some("hang_up_by".to_owned())
        );
        assert_eq!(
            suggested(conversations, "in business hours"),
            Some("in_business_hours".to_owned())
        );
        assert_eq!(
            suggested(conversations, "IVR_PATH"),
            Some("ivr_path".to_owned())
        );
        assert_eq!(suggested(conversations, "cse"), Some("case".to_owned()));
        assert_eq!(
            suggested(conversations, "conversation_atribute_3"),
            Some("conversation_attribute_3".to_owned())
        );
        assert_eq!(
            suggested(conversations, "conversation_attribute_01"),
            Some("conversation_attribute_1".to_owned())
        );
        assert_eq!(
            suggested(Section::Customers, "extrnal_id"),
            Some("external_id".to_owned())
        );
        assert_eq!(
            suggested(Section::Worker, "team_nam"),
            Some("team_name".to_owned())
        );
        let suggestion = suggest(conversations, "ivr_pth");
        assert!(suggestion.is_some_and(
            |suggestion| suggestion.note.is_none() && suggestion.section == conversations
        ));
    }

    #[test]
    fn does_not_suggest_without_a_close_match() {
        let conversations = Section::Conversations;
        assert_eq!(suggest(conversations, "zzzzzz"), None);
        assert_eq!(suggest(conversations, ""), None);
        assert_eq!(suggest(conversations, "   "), None);
        assert_eq!(suggest(conversations, "sentiment"), None);
        assert_eq!(suggest(conversations, "time_in_seconds"), None);
        assert_eq!(suggest(conversations, "abcd"), None);
        // Known names, in-range and out-of-range slots are not unknown.
        assert_eq!(suggest(conversations, "ivr_path"), None);
        assert_eq!(suggest(conversations, "conversation_label_2"), None);
        assert_eq!(suggest(conversations, "conversation_attribute_11"), None);
        // Known in another section: a wrong-section finding, not a typo of `date`.
        assert_eq!(suggest(conversations, "state"), None);
        assert_eq!(suggest(conversations, "customer_label_1"), None);
    }
}
