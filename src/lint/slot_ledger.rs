//! FM203 slot-reassigned, FM205 unlocked-slot and FM207 slot-pair-conflict: checks against
//! the slot ledger
//! (`flexmap.lock`). The project's slot plan (`ledger::plan`) finds them while it assigns
//! slots; these checks report them on the rule they are about, so `allow:` and the levels
//! of `flexmap.toml` apply as to any lint.

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Severity};

/// FM203.
pub static SLOT_REASSIGNED: Lint = Lint {
    code: Code::SlotReassigned,
    check: Some(check_reassigned),
    explanation: r#"## What it does
Reports a slot whose meaning in the rule files differs from the one pinned in
`flexmap.lock`:
- a rule writes by hand (`conversation_attribute_1: …`) a slot the lock gives to a custom
  field, or one the lock retired (re-use);
- a custom field's `kind:` or `scope:` changed, so it can no longer live in its locked slot;
- a custom field's `slot:` asks for a slot locked to another field (a rename when that field
  is gone, a conflict when it is still declared), or moves a locked field to another slot.

The finding points at the rule file, with a second label on the entry in `flexmap.lock`.

## Why it matters
Insights reports read custom slots by number and keep what was loaded forever (docs/insights.md#custom-slots). A slot that silently changes meaning between commits mixes two kinds of data
under one column in every historical report, and data already loaded cannot be fixed
without a support case.

## Example
```yaml
# flexmap.lock pins conversation_attribute_1 to the custom field `account_tier`
conversations:
  conversation_attribute_1: crm.case.origin     # re-uses account_tier's column
```

## Fix
Use the free slot the help names (`flexmap lint --fix` renames a hand-written slot), change
`kind:` back, or give a changed field a new name: it gets a new slot and the old one stays
retired. To record a rename that keeps the column, add `slot: conversation_attribute_1` to
the renamed field and run `flexmap lock`; to re-use a retired slot on purpose, declare a
custom field with `slot:` naming it.
"#,
};

/// FM205.
pub static UNLOCKED_SLOT: Lint = Lint {
    code: Code::UnlockedSlot,
    check: Some(check_unlocked),
    explanation: r#"## What it does
Reports that `flexmap.lock` is out of date, in a way `flexmap lock` resolves safely: a custom
field with no entry in the lock yet (the help names the slot it will get), a field declared
in other files than the lock records, an explicit re-use of a retired slot not recorded yet,
and, on the lock entry itself, a field no rule file declares any more (the lock will retire
its slot). A warning; an error with `flexmap lint --locked`, which fails whenever the lock
would change (as `cargo --locked` does).

## Why it matters
Until a field's slot is pinned, adding or removing another custom field can move it to a
different number, and Insights would file its values under another column (docs/insights.md#custom-slots).
A lock that is not committed cannot protect the next change.

## Example
```yaml
custom:
  account_tier: { kind: attribute, value: crm.account.tier }   # not in flexmap.lock
```

## Fix
Run `flexmap lock` and commit `flexmap.lock`. In CI, run `flexmap lint --locked` (or
`flexmap lock --check`) so a pull request cannot change slots without changing the lock.
"#,
};

fn check_reassigned(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    out.extend(context.ledger_findings(Code::SlotReassigned));
}

fn check_unlocked(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let locked = context.config.locked;
    out.extend(context.ledger_findings(Code::UnlockedSlot).map(|mut f| {
        if locked {
            f.diagnostic = f.diagnostic.with_severity(Severity::Error);
        }
        f
    }));
}

/// FM207.
pub static SLOT_PAIR_CONFLICT: Lint = Lint {
    code: Code::SlotPairConflict,
    check: Some(check_pair_conflict),
    explanation: r#"## What it does
Reports an attribute slot and the label slot of the same number
(`conversation_attribute_2` and `conversation_label_2`) that hold different meanings, when
one of them is a custom field whose slot flexmap chose (the slot allocator or
`flexmap.lock`): for example a rule that writes `conversation_attribute_2` by hand while the
lock gives `conversation_label_2` to the custom field `survey_done`. The finding is on the
hand-written rule (or on the later custom field), with a second label on the other half.

A ruleset that writes both halves of a number by hand, or custom fields that chose both
slots with `slot:`, pair them on purpose and are not reported (FM206 checks that such a
label is not a constant).

## Why it matters
Insights shows a label as the display text of the same-numbered attribute's values
(docs/insights.md#labels-and-attributes, https://www.twilio.com/docs/flex/developer/insights/labels): with both set, reports list the attribute's values under the
label's text. Two unrelated fields on one number make every report of that attribute show
the other field's values as its names, and the data already loaded keeps that pairing. The
slot allocator therefore never gives a new field a number whose other half is in use;
`flexmap slots` shows such slots as `paired`.

## Example
```yaml
# flexmap.lock gives conversation_label_2 to the custom field `survey_done`
conversations:
  conversation_attribute_2: crm.case.origin    # shown under survey_done's values
```

## Fix
Write the rule to the free slot the help names (`flexmap lint --fix` does it for a
hand-written rule). For a custom field, give it a new name so `flexmap lock` gives it a
free slot (its old slot retires), or choose both halves on purpose with `slot:`.
"#,
};

fn check_pair_conflict(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    out.extend(context.ledger_findings(Code::SlotPairConflict));
}
