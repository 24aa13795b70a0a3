//! FM203 slot-reassigned and FM205 unlocked-slot: checks against the slot ledger
//! (`flexmap.lock`). The ledger arrives with `flexmap lock`; until then these codes are
//! reserved and never reported, and their explanations say so.

use super::Lint;
use crate::diagnostic::Code;

/// FM203.
pub static SLOT_REASSIGNED: Lint = Lint {
    code: Code::SlotReassigned,
    check: None,
    explanation: r#"## What it does
Reports a custom field whose slot differs from the one pinned in `flexmap.lock`: a renamed
field, a slot re-used for another field, or a kind changed. (Reserved: reported once the
slot ledger, `flexmap lock`, exists; this version never reports it.)

## Why it matters
Insights reports read custom slots by number and keep what was loaded forever (reference §2,
D:S1, D:S2). A slot that silently changes meaning between commits mixes two kinds of data
under one column in every historical report.

## Example
```yaml
custom:
  account_segment: { kind: attribute, value: crm.account.segment }   # slot 1 in the lock belongs to account_tier
```

## Fix
Keep the pinned assignment, or retire the old slot explicitly in `flexmap.lock`.
"#,
};

/// FM205.
pub static UNLOCKED_SLOT: Lint = Lint {
    code: Code::UnlockedSlot,
    check: None,
    explanation: r#"## What it does
Reports a custom field that has no entry in `flexmap.lock` yet (an error with
`lint --locked`). (Reserved: reported once the slot ledger, `flexmap lock`, exists; this
version never reports it.)

## Why it matters
Until a field's slot is pinned, adding or removing another custom field can move it to a
different number, and Insights would file its values under another column (reference §2).

## Example
```yaml
custom:
  account_tier: { kind: attribute, value: crm.account.tier }   # not in flexmap.lock
```

## Fix
Run `flexmap lock` and commit `flexmap.lock`.
"#,
};
