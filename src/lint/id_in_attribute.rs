//! FM204 id-in-attribute: a high-cardinality value goes to an attribute instead of a label.

use super::{Finding, Lint, LintContext};
use crate::catalog::{Kind, Section, SlotKind};
use crate::check::AnalyzedRule;
use crate::check::facts::Cardinality;
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::runtime::OutSection;

/// FM204.
pub static LINT: Lint = Lint {
    code: Code::IdInAttribute,
    check: Some(check),
    explanation: r#"## What it does
Reports a value with about one distinct value per contact (an ID, a SID, a case or order
number, an e-mail address, a phone number, a hash) written to a custom attribute slot
(`conversation_attribute_N`, `customer_attribute_N`, `agent_attribute_N`, or a custom field
with `kind: attribute`) or to a named text field that is not meant for identifiers
(`content`, `campaign`, `queue`, …).

The value is high-cardinality when its input is declared `cardinality: high`, when the last
name of its path ends in an identifier word (`id`, `*_id`, `*Id`, `sid`, `uuid`, `*_no`,
`*No`, `*_num`, `*Num`, `*Number`, `CaseNumber`, `*_ref`, `reference`, `ticket`, `email`,
`phone`, `from`, `to`) or is an account abbreviation (`acct`, `acctno`), unless a word makes
it a count (`number_of_calls`, `ticket_count`, `total_*`), or when it is a `sha256` hash.
`flexmap audit` also reports values shaped like identifiers in attribute slots (Salesforce
IDs, Twilio SIDs, UUIDs, e-mail addresses, phone numbers). Label slots, ID fields (`conversation_id`,
`customers.external_id`, `agent_id`, `*_id`) and the fields that exist to hold identifiers
(`case`, `destination`, `external_contact`, `customers.phone`, `email`, `name`, …) are never
reported.

## Why it matters
A Flex Insights workspace holds at most 2 billion distinct attribute values, counted across
all data sets; label values do not count. Near the limit loads fail and Twilio may delete
older data before normal retention, and per-conversation-unique values slow every load and
can rule out 15-minute loads (docs/insights.md#limits, https://www.twilio.com/docs/flex/developer/insights/labels). Twilio's
advice is to put IDs in labels: a label-only slot makes its value the display text of the
segment ID, which is exactly what an ID needs.

## Example
```yaml
conversations:
  conversation_attribute_2: crm.account.id     # one value per account: eats the budget
```

## Fix
Write the value to a free label slot instead (`conversation_label_4`); for a custom field,
change `kind: attribute` to `kind: label`. `flexmap lint --fix` does both. If the value
really has few distinct values (a code with a handful of values that happens to be called
`*_id`), declare it under `inputs:` with `cardinality: low`, or add
`allow: [id-in-attribute]` to the rule.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let mut flagged: Vec<(usize, &AnalyzedRule, Section, bool)> = Vec::new();
    for (index, rule) in context.resolved() {
        let Some(facts) = &rule.facts else { continue };
        if facts.cardinality != Cardinality::High {
            continue;
        }
        let OutSection::Insights(section) = rule.section else {
            continue;
        };
        let attribute_slot = rule.slot.is_some_and(|s| s.kind == SlotKind::Attribute);
        let text_field = rule.field.is_some_and(|f| {
            matches!(f.kind, Kind::Text | Kind::Hierarchy | Kind::Enum) && !f.identifier
        });
        if attribute_slot || text_field {
            flagged.push((index, rule, section, attribute_slot));
        }
    }
    // Each finding proposes its own label, so that applying every fix never writes one label
    // twice. Rules that name their slot come first: the compiler assigns custom fields'
    // slots after them.
    flagged.sort_by_key(|(index, rule, _, _)| (rule.rule.custom.is_some(), *index));
    // Each fix takes the label it proposes from the plan's slot space, so applying every fix
    // never writes one label twice.
    let mut proposals = context.allocator.clone();
    let mut proposed_any = false;
    for (index, rule, section, attribute_slot) in flagged {
        let Some(facts) = &rule.facts else { continue };
        let why = facts
            .cardinality_reason
            .clone()
            .unwrap_or_else(|| "it has about one value per contact".to_string());
        let what = describe(rule);
        // A rule moved to a label no longer holds its attribute slot (a hand-written rule is
        // renamed, a custom field changes kind), so that attribute does not block its label.
        let mut moved = proposals.clone();
        if attribute_slot && let Some(slot) = rule.slot {
            moved.release(slot);
        }
        let label_slot = moved.first_free(section, SlotKind::Label);
        let label = label_slot.map(|slot| slot.name());
        let which = if proposed_any { "next" } else { "first" };
        if attribute_slot && let Some(slot) = label_slot {
            proposed_any = true;
            moved.hold(slot, crate::ledger::Hold::Given);
            proposals = moved;
        }
        let mut diagnostic = Diagnostic::new(
            Code::IdInAttribute,
            format!("{what} gets a high-cardinality value: {why}"),
            rule.rule.name_span,
        )
        .with_label("every distinct value counts toward the 2-billion value budget")
        .with_secondary(rule.rule.value.span(), "about one value per contact");
        let custom = context
            .file
            .custom
            .iter()
            .find(|c| rule.rule.custom.as_deref() == Some(c.name.as_str()));
        diagnostic = match (custom, &label) {
            (Some(custom), Some(label)) => diagnostic
                .with_help(format!(
                    "change `kind:` to `label` (it would take {label}, the {which} free label slot): label values do not count toward the budget"
                ))
                .with_fix(
                    format!("change `{}` to `kind: label`", custom.name),
                    vec![Edit::replace(custom.kind_span, "label")],
                ),
            (Some(_), None) => diagnostic.with_help(format!(
                "change `kind:` to `label` once a {} label slot is free: label values do not count toward the budget",
                section.name()
            )),
            (None, Some(label)) if attribute_slot => diagnostic
                .with_help(format!(
                    "use {label}, the {which} free label slot: label values do not count toward the budget"
                ))
                .with_fix(
                    format!("write it to `{label}`"),
                    vec![Edit::replace(rule.rule.name_span, label.clone())],
                ),
            (None, Some(label)) => diagnostic.with_help(format!(
                "write it to {label}, the {which} free label slot, and keep `{}` for a value with few distinct values: label values do not count toward the budget",
                rule.target
            )),
            (None, None) => diagnostic.with_help(format!(
                "every {} label slot is taken: free one for this value, or drop the rule",
                section.name()
            )),
        };
        out.push(Finding::on(index, diagnostic));
    }
}

/// "custom attribute `account_ref` (`conversation_attribute_1`)", "`content`".
fn describe(rule: &AnalyzedRule) -> String {
    match &rule.rule.custom {
        Some(name) => format!("custom attribute `{name}` (`{}`)", rule.target),
        None => format!("`{}`", rule.target),
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::Code;

    fn findings(body: &str) -> Vec<String> {
        super::super::findings(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::IdInAttribute,
        )
    }

    fn fixed(body: &str) -> String {
        super::super::fixed(
            &format!("flexmap: 1\ntarget: task\n{body}"),
            Code::IdInAttribute,
        )
    }

    #[test]
    fn fires_on_an_id_in_an_attribute_slot_with_a_rename_fix() {
        let body = "conversations:\n  conversation_attribute_2: crm.account.id\n";
        assert_eq!(findings(body), ["4:3 fix"]);
        assert_eq!(
            fixed(body),
            "flexmap: 1\ntarget: task\nconversations:\n  conversation_label_1: crm.account.id\n"
        );
    }

    #[test]
    fn common_spellings_of_identifiers_fire_and_counts_do_not() {
        for path in [
            "ivr.account_no",
            "ivr.accountNumber",
            "ivr.acct_num",
            "crm.CaseNumber",
            "crm.ticket",
            "crm.order_ref",
        ] {
            let body = format!("conversations:\n  conversation_attribute_2: {path}\n");
            assert_eq!(findings(&body), ["4:3 fix"], "{path}");
        }
        for path in [
            "crm.account_tier",
            "ivr.number_of_calls",
            "crm.ticket_count",
        ] {
            let body = format!("conversations:\n  conversation_attribute_2: {path}\n");
            assert!(findings(&body).is_empty(), "{path}");
        }
    }

    #[test]
    fn stays_silent_on_the_label_twin() {
        assert!(findings("conversations:\n  conversation_label_2: crm.account.id\n").is_empty());
    }

    #[test]
    fn names_why_and_the_first_free_label_slot() {
        let text = "flexmap: 1\ntarget: task\ninputs:\n  crm.ref: { cardinality: high }\nconversations:\n  conversation_label_1: a.b\n  conversation_attribute_3: crm.ref\n";
        let diagnostics = crate::Ruleset::from_str(text, "t.yaml").diagnostics();
        let d = diagnostics
            .iter()
            .find(|d| d.code == Code::IdInAttribute)
            .expect("fires");
        assert_eq!(
            d.message,
            "`conversation_attribute_3` gets a high-cardinality value: `crm.ref` is declared `cardinality: high`"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "use conversation_label_2, the first free label slot: label values do not count toward the budget"
            )
        );
    }

    #[test]
    fn text_fields_that_are_not_for_identifiers() {
        assert_eq!(
            findings("conversations:\n  content: crm.case.id\n  campaign: x.email | sha256\n"),
            ["4:3", "5:3"]
        );
        assert_eq!(
            findings("customers:\n  customer_attribute_1: crm.contact.phone\n"),
            ["4:3 fix"]
        );
    }

    #[test]
    fn identifier_fields_labels_and_low_cardinality_are_not_flagged() {
        let body = "inputs:\n  crm.code_id: { cardinality: low }\nconversations:\n  conversation_id: task.sid\n  case: crm.case.number\n  destination: transfer.to\n  external_contact: task.to\n  handling_team_id: crm.team_id\n  conversation_label_1: crm.account.id\n  conversation_attribute_1: crm.code_id\n  conversation_attribute_2: crm.account.tier\n  conversation_attribute_3: crm.account.id | lookup(tiers)\n  conversation_measure_1: crm.case.number | number\ncustomers:\n  external_id: crm.contact.phone ?? crm.contact.email\n  phone: task.from\n  email: crm.contact.email\ntables:\n  tiers: { a: b }\n";
        assert!(findings(body).is_empty(), "{:?}", findings(body));
        let worker = "flexmap: 1\ntarget: worker\nworker:\n  agent_id: hr.employee_id\n  team_id: hr.team.name\n  team_name: hr.team.name\n  email: hr.email\n";
        assert!(super::super::findings(worker, Code::IdInAttribute).is_empty());
    }

    #[test]
    fn custom_attribute_fix_changes_its_kind() {
        let body = "custom:\n  account_ref:\n    kind: attribute\n    value: crm.account.id\n";
        assert_eq!(findings(body), ["4:3 fix"]);
        assert_eq!(
            fixed(body),
            "flexmap: 1\ntarget: task\ncustom:\n  account_ref:\n    kind: label\n    value: crm.account.id\n"
        );
        assert!(
            findings("custom:\n  account_ref: { kind: label, value: crm.account.id }\n").is_empty()
        );
    }

    #[test]
    fn no_free_label_means_help_without_fix() {
        let body = "customers:\n  customer_label_1: a\n  customer_label_2: b\n  customer_label_3: c\n  customer_attribute_1: crm.contact.id\n";
        assert_eq!(findings(body), ["7:3"]);
    }

    #[test]
    fn fixes_of_several_rules_propose_different_labels() {
        let body = "custom:\n  account_ref: { kind: attribute, value: crm.account.id }\nconversations:\n  conversation_attribute_2: crm.case.number\n  conversation_attribute_3: task.sid\n  content: crm.contact.id\n";
        let text = format!("flexmap: 1\ntarget: task\n{body}");
        let helps: Vec<String> = crate::Ruleset::from_str(&text, "t.yaml")
            .diagnostics()
            .into_iter()
            .filter(|d| d.code == Code::IdInAttribute)
            .filter_map(|d| d.help)
            .collect();
        assert_eq!(
            helps,
            [
                "change `kind:` to `label` (it would take conversation_label_1, the next free label slot): label values do not count toward the budget",
                "use conversation_label_2, the first free label slot: label values do not count toward the budget",
                "use conversation_label_3, the next free label slot: label values do not count toward the budget",
                "write it to conversation_label_4, the next free label slot, and keep `content` for a value with few distinct values: label values do not count toward the budget",
            ]
        );
        let fixed = fixed(body);
        assert!(
            fixed.contains("conversation_label_2: crm.case.number"),
            "{fixed}"
        );
        assert!(fixed.contains("conversation_label_3: task.sid"), "{fixed}");
        assert!(fixed.contains("kind: label"), "{fixed}");
        let diagnostics = crate::Ruleset::from_str(&fixed, "t.yaml").diagnostics();
        assert!(
            diagnostics
                .iter()
                .all(|d| d.code != Code::IdInAttribute || d.line_col().0 == 8),
            "{diagnostics:?}"
        );
        assert!(diagnostics.iter().all(|d| !d.is_error()), "{diagnostics:?}");
    }

    #[test]
    fn allow_suppresses() {
        let body = "conversations:\n  conversation_attribute_2:\n    value: crm.case.number ++ \" \" ++ crm.case.priority\n    allow: [id-in-attribute]\n";
        assert!(findings(body).is_empty());
    }
}
