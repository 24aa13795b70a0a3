//! FM202 duplicate-target: two rules write the same place, in one file or across the
//! project's rulesets of the same target (the slot plan finds those).

use super::{Finding, Lint, LintContext};
use crate::check::AnalyzedRule;
use crate::diagnostic::{Code, Diagnostic};
use crate::runtime::OutSection;

/// FM202.
pub static LINT: Lint = Lint {
    code: Code::DuplicateTarget,
    check: Some(check),
    explanation: r#"## What it does
Reports two rules that write the same place: the same field or slot of the same section
(a custom field counts as the slot it is assigned), or the same `extra` key.

Within one file the YAML front end already rejects a repeated key (FM004) and gives custom
fields only free slots, so this fires when a custom field's `slot:` names a slot the file
writes by hand, or across files: all task rulesets of a project share one Insights
workspace, and all worker rulesets write the same worker attributes, so two of them writing
one target is a conflict too (the second is reported, with a label on the first in the other
file). A custom field declared in several files is one field with one slot; declaring it
with another kind or scope in a second file is reported here as well.

## Why it matters
Only one value can reach Insights: whichever rule runs last wins, silently, and the other
rule's data is lost for every record. For a custom slot it is worse: Insights reports read
slots by number (docs/insights.md#custom-slots), so two meanings in one slot mix
two kinds of data in the same column of every report, and data already loaded cannot be
fixed without a support case (docs/insights.md#limits).

## Example
```yaml
custom:
  account_tier:            # pinned to conversation_attribute_1 in flexmap.lock
    kind: attribute
    value: crm.account.tier
conversations:
  conversation_attribute_1: crm.case.origin
```

## Fix
Keep one rule per target: merge the two values into one rule (`a ?? b`, or
`if … then a else b`), or move one of them to a free slot.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    out.extend(context.ledger_findings(Code::DuplicateTarget));
    let mut seen: Vec<(usize, &AnalyzedRule)> = Vec::new();
    for (index, rule) in context.resolved() {
        let first = seen
            .iter()
            .find(|(_, r)| r.section == rule.section && r.target == rule.target);
        let Some((_, first)) = first else {
            seen.push((index, rule));
            continue;
        };
        let place = place(rule);
        out.push(Finding::on(
            index,
            Diagnostic::new(
                Code::DuplicateTarget,
                format!(
                    "{place} is written by {} and {}",
                    describe(first),
                    describe(rule)
                ),
                rule.rule.name_span,
            )
            .with_label("written again here")
            .with_secondary(first.rule.name_span, "first written here")
            .with_help(format!(
                "keep one rule for {place}: merge the two values (`a ?? b`, or `if … then a else b`), or move one of them to another target"
            )),
        ));
    }
}

/// `conversations.ivr_path`, `team_name` (worker), `extra.type`.
fn place(rule: &AnalyzedRule) -> String {
    match rule.section {
        OutSection::Insights(crate::catalog::Section::Worker) => format!("`{}`", rule.target),
        OutSection::Insights(section) => format!("`{}.{}`", section.name(), rule.target),
        OutSection::Extra => format!("`extra.{}`", rule.target),
    }
}

/// "custom field `account_tier`" or "rule `conversation_attribute_1`".
fn describe(rule: &AnalyzedRule) -> String {
    match &rule.rule.custom {
        Some(custom) => format!("custom field `{custom}`"),
        None => format!("rule `{}`", rule.rule.name),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Finding, LintContext, findings};
    use crate::config::Config;
    use crate::diagnostic::Code;

    /// Runs the check on a file whose analysis `edit` changed, as a pinned slot or another
    /// ruleset would, since the front end never lets one file repeat a target.
    fn check_edited(
        text: &str,
        edit: impl FnOnce(&mut Vec<crate::check::AnalyzedRule>),
    ) -> Vec<String> {
        let ruleset = crate::Ruleset::from_str(text, "t.yaml");
        let file = ruleset.model().expect("parses");
        let mut rules = crate::check::analyze(file).rules;
        edit(&mut rules);
        let config = Config::default();
        let context = LintContext {
            file,
            rules: &rules,
            config: &config,
            ledger: &[],
            allocator: &crate::ledger::SlotAllocator::new(),
        };
        let mut out: Vec<Finding> = Vec::new();
        super::check(&context, &mut out);
        out.iter()
            .map(|f| {
                let (line, column) = file.source.line_col(f.diagnostic.primary_span().start);
                format!("{line}:{column} {}", f.diagnostic.message)
            })
            .collect()
    }

    const CUSTOM_AND_SLOT: &str = "flexmap: 1\ntarget: task\ncustom:\n  account_tier:\n    kind: attribute\n    value: crm.account.tier\nconversations:\n  conversation_attribute_1: crm.case.origin\n";

    #[test]
    fn fires_when_a_custom_field_lands_on_a_written_slot() {
        // As if flexmap.lock pinned `account_tier` to slot 1.
        let found = check_edited(CUSTOM_AND_SLOT, |rules| {
            for rule in rules.iter_mut() {
                if rule.rule.custom.is_some() {
                    rule.target = "conversation_attribute_1".into();
                }
            }
        });
        assert_eq!(
            found,
            [
                "8:3 `conversations.conversation_attribute_1` is written by custom field `account_tier` and rule `conversation_attribute_1`"
            ]
        );
    }

    #[test]
    fn fires_on_a_repeated_extra_key() {
        let text = "flexmap: 1\ntarget: task\nextra:\n  type: '\"voice\"'\n  kind: '\"voice\"'\n";
        let found = check_edited(text, |rules| rules[1].target = "type".into());
        assert_eq!(
            found,
            ["5:3 `extra.type` is written by rule `type` and rule `kind`"]
        );
    }

    #[test]
    fn silent_when_every_target_is_written_once() {
        // The custom field gets the next free slot; the same name in two sections is two places.
        assert!(check_edited(CUSTOM_AND_SLOT, |_| {}).is_empty());
        let text = "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.language\ncustomers:\n  name: crm.name\nextra:\n  language: ivr.language\n";
        assert!(findings(text, Code::DuplicateTarget).is_empty());
    }

    #[test]
    fn a_repeated_yaml_key_is_left_to_fm004() {
        let text = "flexmap: 1\ntarget: task\nconversations:\n  campaign: a\n  campaign: b\n";
        assert!(findings(text, Code::DuplicateTarget).is_empty());
        assert_eq!(findings(text, Code::DuplicateKey), ["5:3"]);
    }
}
