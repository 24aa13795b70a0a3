//! FM203 slot-reassigned and FM205 unlocked-slot: checks against the slot ledger
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
