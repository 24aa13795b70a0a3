//! FM503 unused-allow: an `allow` that suppresses nothing.

use super::{Allow, Lint};
use crate::diagnostic::{Code, Diagnostic, Severity};

/// Codes only `lint --sample` reports (no static check).
const SAMPLE_ONLY: &[Code] = &[Code::RuntimeWarnings];

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
/// Allows of codes only a sample finds are judged only when a sample was measured
/// (`sampled`): without one, nothing says whether they suppress anything.
pub(super) fn report(allows: &[Allow], sampled: bool, out: &mut Vec<Diagnostic>) {
    for allow in allows.iter().filter(|a| !a.used) {
        if !sampled && allow.code.is_some_and(|c| SAMPLE_ONLY.contains(&c)) {
            continue;
        }
        let no_check = allow
            .code
            .is_some_and(|c| super::find(c).is_some_and(|l| l.check.is_none()));
        let (message, help) = match allow.code {
            // Measured over records only (`lint --sample`): the allow may be what keeps
            // the sample quiet.
            Some(code) if SAMPLE_ONLY.contains(&code) => (
                format!(
                    "`allow: {}` suppresses nothing in this sample ({} is only found by `lint --sample`)",
                    allow.name,
                    code.as_str()
                ),
                "remove it, unless other records make this rule warn",
            ),
            Some(code) if no_check && code.info().level == Severity::Error => (
                format!(
                    "`{}` cannot be allowed: it always blocks the ruleset",
                    allow.name
                ),
                "remove it, and fix the finding instead",
            ),
            Some(code) if no_check => (
                format!(
                    "`{}` cannot be allowed in a rule: {} is reported by the loader or the checker",
                    allow.name,
                    code.as_str()
                ),
                "remove it; to silence it everywhere, set its level in `[lints]` of flexmap.toml",
            ),
            _ => (
                format!("`allow: {}` suppresses nothing", allow.name),
                "remove it",
            ),
        };
        out.push(
            Diagnostic::new(Code::UnusedAllow, message, allow.span)
                .with_label("no finding of this rule to suppress")
                .with_help(help),
        );
    }
}
