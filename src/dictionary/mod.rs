//! The data dictionary behind `flexmap docs`: every field and slot a project writes, for the
//! people who build Insights reports.
//!
//! [`build`] turns analysed rulesets into a [`Dictionary`], plain serializable data: per
//! section (`conversations`, `customers`, `worker`, `extra`) each target written, its kind,
//! description, source expression and condition, the rulesets that write it, and the slots
//! still free. Rendering it (Markdown, HTML, with tera templates) is `render`'s job, which
//! needs the `cli` feature; nothing here formats text for a reader.

#[cfg(feature = "cli")]
pub mod render;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::Ruleset;
use crate::catalog::{self, Section, SlotKind, Target};
use crate::check::{Analysis, AnalyzedRule};
use crate::rules_file::{RuleFile, RuleValue};
use crate::runtime::OutSection;

/// The whole data dictionary of a project.
#[derive(Clone, Debug, Serialize)]
pub struct Dictionary {
    /// The project's name (its folder's name).
    pub project: String,
    /// The program that wrote it, with its version: `flexmap 0.1.0`.
    pub generator: String,
    /// Every ruleset, in file order.
    pub rulesets: Vec<RulesetDoc>,
    /// The sections the project writes, in output order (`extra` last).
    pub sections: Vec<SectionDoc>,
}

/// One rule file of the project.
#[derive(Clone, Debug, Serialize)]
pub struct RulesetDoc {
    /// The file name, relative to the project folder.
    pub file: String,
    /// `task` or `worker`.
    pub target: &'static str,
    /// The file's top-level `description:`.
    pub description: Option<String>,
    /// How many targets the ruleset writes.
    pub rules: usize,
}

/// One section of the output and what is written there.
#[derive(Clone, Debug, Serialize)]
pub struct SectionDoc {
    /// `conversations`, `customers`, `worker` or `extra`.
    pub name: &'static str,
    /// What the section is, for a report builder (one or two sentences, `code` in backticks).
    pub about: &'static str,
    /// Every target written, named fields first (by name), then slots (attributes,
    /// labels, measures, each by number), then `extra` keys by name.
    pub fields: Vec<FieldDoc>,
    /// Free slots per slot kind (empty for `extra`).
    pub free_slots: Vec<FreeSlots>,
    /// How many slots are free in all, over every kind.
    pub free_count: usize,
}

/// One target written by the project.
#[derive(Clone, Debug, Serialize)]
pub struct FieldDoc {
    /// The key written: `ivr_path`, `conversation_attribute_3`, an `extra` key.
    pub name: String,
    /// The Insights kind (`text`, `label`, `measure`, `yes_no`, …); `None` for `extra`.
    pub kind: Option<&'static str>,
    /// The documented values of an enum or Yes/No field.
    pub values: Vec<&'static str>,
    /// The catalog's one-line summary of the field (or of the slot kind).
    pub summary: Option<String>,
    /// For `extra`: which attributes object it lands in (`task` or `worker`).
    pub target: &'static str,
    /// Each rule that writes it, in file order (more than one when rulesets share a target).
    pub sources: Vec<SourceDoc>,
}

/// One rule writing a target.
#[derive(Clone, Debug, Serialize)]
pub struct SourceDoc {
    /// The ruleset's file name, relative to the project folder.
    pub ruleset: String,
    /// The line of the rule's key.
    pub line: usize,
    /// The custom field's name, when the target is a slot assigned to one.
    pub custom: Option<String>,
    /// What to show as the description: the rule's (or custom field's) `description:`, else
    /// the catalog summary.
    pub description: Option<String>,
    /// True when `description` is the rule's own, false when it is the catalog's.
    pub described: bool,
    /// The expression as written (decoded from YAML quoting), or the constant as JSON.
    pub value: String,
    /// True for `const:` values and YAML scalars.
    pub constant: bool,
    /// The `when:` condition, as written.
    pub when: Option<String>,
}

/// The free slots of one kind in one section.
#[derive(Clone, Debug, Serialize)]
pub struct FreeSlots {
    /// `attribute`, `label` or `measure`.
    pub kind: &'static str,
    /// How many slots of this kind the section has.
    pub total: u32,
    /// How many are written by the project.
    pub used: u32,
    /// The numbers the slot allocator would hand out (not written, not held or retired in
    /// `flexmap.lock`, and the partner slot of the same number unused too).
    pub free: Vec<u32>,
    /// The free numbers as ranges: `3, 5–10`; empty when none is free.
    pub free_ranges: String,
    /// The slot names' common prefix: `conversation_attribute_`.
    pub prefix: String,
}

/// One ruleset to document, with the name it is shown under.
pub struct Input<'a> {
    /// The file name shown (relative to the project folder).
    pub name: String,
    /// The loaded ruleset.
    pub ruleset: &'a Ruleset,
    /// The project it belongs to: the project's slot plan (`flexmap.lock`) decides the
    /// custom slots (`None`: the file's own slots).
    pub project: Option<&'a crate::Project>,
}

/// Builds the dictionary of `inputs`. Rulesets whose YAML did not parse, and rules whose
/// target did not resolve, write nothing and are left out (callers refuse projects with
/// errors before documenting them).
#[must_use]
pub fn build(project: &str, inputs: &[Input<'_>]) -> Dictionary {
    let mut rulesets = Vec::new();
    let mut targets = Targets::default();
    for input in inputs {
        let Some(file) = input.ruleset.model() else {
            continue;
        };
        let Some(analysis) = analysis_of(input) else {
            continue;
        };
        let target = file.target.unwrap_or(Target::Task);
        targets.allocator.merge(&analysis.allocator);
        let mut written = 0;
        for rule in analysis.rules.iter().filter(|r| r.resolved) {
            targets.add(&input.name, file, target, rule);
            written += 1;
        }
        rulesets.push(RulesetDoc {
            file: input.name.clone(),
            target: crate::rules_file::target_name(target),
            description: file
                .description
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_string),
            rules: written,
        });
    }
    let has = |target: Target| {
        rulesets
            .iter()
            .any(|r| r.target == crate::rules_file::target_name(target))
    };
    let mut sections = Vec::new();
    for section in Section::ALL {
        if has(section.target()) {
            sections.push(targets.section(section));
        }
    }
    if !targets.extra.is_empty() {
        sections.push(SectionDoc {
            name: "extra",
            about: about(None),
            fields: targets.extra.into_values().collect(),
            free_slots: Vec::new(),
            free_count: 0,
        });
    }
    Dictionary {
        project: project.to_string(),
        generator: format!("flexmap {}", env!("CARGO_PKG_VERSION")),
        rulesets,
        sections,
    }
}

/// The analysis whose slot assignments the dictionary reports. The one place that decides
/// how slots are assigned, so it follows the checker (and `flexmap.lock`) exactly.
fn analysis_of(input: &Input<'_>) -> Option<Analysis> {
    match input.project {
        Some(project) => project.analyze(input.ruleset),
        None => input
            .ruleset
            .analyze_with(&crate::config::Config::default()),
    }
}

/// Targets collected so far, keyed so that each section comes out in a stable order.
#[derive(Default)]
struct Targets {
    /// Named fields: (section, name) → field.
    named: BTreeMap<(Section, &'static str), FieldDoc>,
    /// Slots, in slot order.
    slots: BTreeMap<catalog::Slot, FieldDoc>,
    /// `extra` keys: (target, name) → field.
    extra: BTreeMap<(Target, String), FieldDoc>,
    /// The slot space of the documented files (one project's, or the union of files
    /// checked on their own): the one source of "free".
    allocator: crate::ledger::SlotAllocator,
}

impl Targets {
    fn add(&mut self, ruleset: &str, file: &RuleFile, target: Target, rule: &AnalyzedRule) {
        let source = source_doc(ruleset, file, rule);
        let entry = match (rule.section, rule.field, rule.slot) {
            (OutSection::Insights(section), Some(field), _) => self
                .named
                .entry((section, field.name))
                .or_insert_with(|| FieldDoc {
                    name: field.name.to_string(),
                    kind: Some(field.kind.name()),
                    values: field.values.to_vec(),
                    summary: Some(field.summary.to_string()),
                    target: crate::rules_file::target_name(target),
                    sources: Vec::new(),
                }),
            (OutSection::Insights(_), None, Some(slot)) => {
                self.slots.entry(slot).or_insert_with(|| FieldDoc {
                    name: slot.name(),
                    kind: Some(slot.kind().name()),
                    values: Vec::new(),
                    summary: Some(slot_summary(slot)),
                    target: crate::rules_file::target_name(target),
                    sources: Vec::new(),
                })
            }
            (OutSection::Insights(_), None, None) => return,
            (OutSection::Extra, _, _) => self
                .extra
                .entry((target, rule.target.clone()))
                .or_insert_with(|| FieldDoc {
                    name: rule.target.clone(),
                    kind: None,
                    values: Vec::new(),
                    summary: None,
                    target: crate::rules_file::target_name(target),
                    sources: Vec::new(),
                }),
        };
        let mut source = source;
        if source.description.is_none() {
            source.description.clone_from(&entry.summary);
        }
        entry.sources.push(source);
    }

    fn section(&self, section: Section) -> SectionDoc {
        let mut fields: Vec<FieldDoc> = self
            .named
            .iter()
            .filter(|((s, _), _)| *s == section)
            .map(|(_, f)| f.clone())
            .collect();
        fields.extend(
            self.slots
                .iter()
                .filter(|(slot, _)| slot.section == section)
                .map(|(_, f)| f.clone()),
        );
        let free_slots: Vec<FreeSlots> = SlotKind::ALL
            .into_iter()
            .filter(|kind| catalog::slot_count(section, *kind) > 0)
            .map(|kind| {
                let total = catalog::slot_count(section, kind);
                let free: Vec<u32> = self
                    .allocator
                    .free_numbers(section, kind)
                    .into_iter()
                    .filter(|number| {
                        !self.slots.contains_key(&catalog::Slot {
                            section,
                            kind,
                            number: *number,
                        })
                    })
                    .collect();
                let used = self
                    .slots
                    .keys()
                    .filter(|slot| slot.section == section && slot.kind == kind)
                    .count();
                FreeSlots {
                    kind: kind.name(),
                    total,
                    used: u32::try_from(used).unwrap_or(total),
                    free_ranges: ranges(&free),
                    free,
                    prefix: format!("{}_{}_", section.slot_prefix(), kind.name()),
                }
            })
            .collect();
        let free_count = free_slots.iter().map(|kind| kind.free.len()).sum();
        SectionDoc {
            name: section.name(),
            about: about(Some(section)),
            fields,
            free_slots,
            free_count,
        }
    }
}

/// What a section holds, in a report builder's terms.
fn about(section: Option<Section>) -> &'static str {
    match section {
        Some(Section::Conversations) => {
            "The `conversations` object of task attributes: what Insights reports about each conversation segment (the attributes, labels and measures of the Conversations data)."
        }
        Some(Section::Customers) => {
            "The `customers` object of task attributes: the customer of the conversation (Customers data)."
        }
        Some(Section::Worker) => {
            "Worker attributes: the agent's profile, which Insights reads as the Agents data set."
        }
        None => {
            "Attributes outside Insights (TaskRouter routing, Flex UI data), written at the root of the task or worker attributes. Insights does not read them; they are listed so the whole payload is documented."
        }
    }
}

fn source_doc(ruleset: &str, file: &RuleFile, rule: &AnalyzedRule) -> SourceDoc {
    let (value, constant) = match &rule.rule.value {
        RuleValue::Expr(source) => (one_line(&source.text), false),
        RuleValue::Const { value, .. } => (value.to_string(), true),
    };
    let description = rule
        .rule
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(str::to_string);
    SourceDoc {
        ruleset: ruleset.to_string(),
        line: file.source.line_col(rule.rule.name_span.start).0,
        custom: rule.rule.custom.clone(),
        described: description.is_some(),
        description,
        value,
        constant,
        when: rule.rule.when.as_ref().map(|w| one_line(&w.text)),
    }
}

/// What a slot is, for a slot whose rule has no description.
fn slot_summary(slot: catalog::Slot) -> String {
    match slot.kind {
        SlotKind::Attribute => {
            "Custom text attribute (the rule has no `description:`).".to_string()
        }
        SlotKind::Label => format!(
            "Display label of `{}_attribute_{}`: the text reports show for each of its values (the rule has no `description:`).",
            slot.section.slot_prefix(),
            slot.number
        ),
        SlotKind::Measure => "Custom numeric measure (the rule has no `description:`).".to_string(),
    }
}

/// An expression on one line: block scalars and folded lines joined with single spaces.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `[1, 2, 3, 5, 7, 8]` → `1–3, 5, 7–8`.
fn ranges(numbers: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut index = 0;
    while index < numbers.len() {
        let start = numbers[index];
        let mut end = start;
        while index + 1 < numbers.len() && numbers[index + 1] == end + 1 {
            index += 1;
            end = numbers[index];
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
        index += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_join_runs() {
        for (numbers, expected) in [
            (&[][..], ""),
            (&[4][..], "4"),
            (&[1, 2, 3, 5, 7, 8][..], "1–3, 5, 7–8"),
            (&[2, 3, 4, 5, 6, 7, 8, 9, 10][..], "2–10"),
        ] {
            assert_eq!(ranges(numbers), expected, "{numbers:?}");
        }
    }

    #[test]
    fn one_line_joins_whitespace() {
        assert_eq!(one_line("a ++\n  b  ?? c\n"), "a ++ b ?? c");
    }

    #[test]
    fn slots_written_are_not_free_and_custom_fields_keep_their_names() {
        let text = "flexmap: 1
target: task
custom:
  tier:
    kind: attribute
    value: crm.tier
    description: Account tier
conversations:
  conversation_attribute_2: crm.region
  conversation_measure_1: survey.csat | number
  ivr_path: ivr.digits | hierarchy
customers:
  customer_label_3: { const: VIP }
extra:
  skills: crm.skills
  wrong_section_key_is_fine: crm.x
";
        let ruleset = Ruleset::from_str(text, "voice.yaml");
        let dictionary = build(
            "demo",
            &[Input {
                name: "voice.yaml".into(),
                ruleset: &ruleset,
                project: None,
            }],
        );
        let names: Vec<(&str, Vec<&str>)> = dictionary
            .sections
            .iter()
            .map(|s| (s.name, s.fields.iter().map(|f| f.name.as_str()).collect()))
            .collect();
        assert_eq!(
            names,
            [
                (
                    "conversations",
                    vec![
                        "ivr_path",
                        "conversation_attribute_1",
                        "conversation_attribute_2",
                        "conversation_measure_1"
                    ]
                ),
                ("customers", vec!["customer_label_3"]),
                ("extra", vec!["skills", "wrong_section_key_is_fine"]),
            ]
        );
        let conversations = &dictionary.sections[0];
        let tier = &conversations.fields[1];
        assert_eq!(tier.sources[0].custom.as_deref(), Some("tier"));
        assert_eq!(tier.sources[0].description.as_deref(), Some("Account tier"));
        assert!(tier.sources[0].described);
        let free: Vec<(&str, &str)> = conversations
            .free_slots
            .iter()
            .map(|f| (f.kind, f.free_ranges.as_str()))
            .collect();
        assert_eq!(
            free,
            [
                ("attribute", "3–10"),
                // Labels 1 and 2 would be the display text of the attributes in use.
                ("label", "3–10"),
                ("measure", "2–10")
            ]
        );
        let customers = &dictionary.sections[1];
        assert_eq!(customers.fields[0].sources[0].value, "\"VIP\"");
        assert!(customers.fields[0].sources[0].constant);
        assert_eq!(customers.free_slots[1].free_ranges, "1–2");
        // `customer_attribute_3` would take `customer_label_3`'s constant as display text.
        assert_eq!(customers.free_slots[0].free_ranges, "1–2");
        assert_eq!(dictionary.rulesets[0].rules, 7);
    }

    #[test]
    fn extra_keys_are_kept_apart_per_target_and_sections_follow_the_targets() {
        let task = Ruleset::from_str(
            "flexmap: 1\ntarget: task\ndescription: \"  \"\nextra:\n  type: { const: voice }\n",
            "task.yaml",
        );
        let worker = Ruleset::from_str(
            "flexmap: 1\ntarget: worker\nworker:\n  team_id: hr.team\n  team_name: hr.team_name\n    \nextra:\n  type: { const: agent }\n",
            "worker.yaml",
        );
        let only_worker = build(
            "w",
            &[Input {
                name: "worker.yaml".into(),
                ruleset: &worker,
                project: None,
            }],
        );
        let sections: Vec<&str> = only_worker.sections.iter().map(|s| s.name).collect();
        assert_eq!(sections, ["worker", "extra"]);

        let both = build(
            "both",
            &[
                Input {
                    name: "task.yaml".into(),
                    ruleset: &task,
                    project: None,
                },
                Input {
                    name: "worker.yaml".into(),
                    ruleset: &worker,
                    project: None,
                },
            ],
        );
        let sections: Vec<&str> = both.sections.iter().map(|s| s.name).collect();
        assert_eq!(sections, ["conversations", "customers", "worker", "extra"]);
        let extra: Vec<(&str, &str, &str)> = both.sections[3]
            .fields
            .iter()
            .map(|f| (f.name.as_str(), f.target, f.sources[0].value.as_str()))
            .collect();
        assert_eq!(
            extra,
            [
                ("type", "task", "\"voice\""),
                ("type", "worker", "\"agent\"")
            ]
        );
        // A blank description is no description.
        assert_eq!(both.rulesets[0].description, None);
    }
}
