//! FM503 unused-allow: an `allow` that suppresses nothing.

use super::{Allow, Lint};
use crate::diagnostic::{Code, Diagnostic};

/// FM503.
pub static LINT: Lint = Lint {
    code: Code::UnusedAllow,
    check: None,
    explanation: r#"## What it does
Reports an `allow:` entry, or a `# flexmap: allow(...)` comment, that suppressed no finding
of its rule, and one that names a code which cannot be allowed (syntax errors, unknown
targets and type errors always block the ruleset).

## Why it matters
An allow records an intent in git ("this ID in an attribute slot is deliberate"). Once the
rule changes and the finding is gone, a stale allow would silently swallow the next, real
finding of the same kind.

## Example
```yaml
conversations:
  conversation_label_1:
    value: crm.account.id
    allow: [id-in-attribute]     # a label slot is the right place for an ID: nothing to allow
```

## Fix
Remove the entry.
"#,
};

/// Reports the allows that suppressed nothing (called by `lint` after suppression).
pub(super) fn report(allows: &[Allow], out: &mut Vec<Diagnostic>) {
    for allow in allows.iter().filter(|a| !a.used) {
        let blocking = allow
            .code
            .is_some_and(|c| super::find(c).is_some_and(|l| l.check.is_none()));
        let message = if blocking {
            format!(
                "`{}` cannot be allowed: it always blocks the ruleset",
                allow.name
            )
        } else {
            format!("`allow: {}` suppresses nothing", allow.name)
        };
        out.push(
            Diagnostic::new(Code::UnusedAllow, message, allow.span)
                .with_label("no finding of this rule to suppress")
                .with_help("remove it"),
        );
    }
}
