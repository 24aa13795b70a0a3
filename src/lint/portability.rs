//! Explanations of the JavaScript portability codes (`FM6xx`) that `flexmap build --emit js`
//! reports; the checks live in `emit`.

use super::Lint;
use crate::diagnostic::Code;

/// FM601.
pub static NOT_PORTABLE_REGEX: Lint = Lint {
    code: Code::NotPortableRegex,
    check: None,
    explanation: r#"## What it does
`flexmap build --emit js|esm|twilio-function` reports a `replace` or `matches` regex that the
generated JavaScript cannot match exactly as the Rust runtime does, and refuses to build.

## Why it matters
The generated module must give the same attributes as `flexmap apply`. flexmap translates each
regex from its compiled form (Unicode classes, `(?i)` case folding, `\b` and `.` become explicit
code-point ranges and lookarounds), so almost every pattern is exact; a few constructs have no
JavaScript equivalent (CRLF-mode anchors `(?R)`, byte classes beyond ASCII under `(?-u)`, the
half word boundaries `\<`, `\>`, `\b{start}`), and a silent difference would map the same record
differently in a Twilio Function than in the Rust service.

## Example
```yaml
extra:
  first_line: notes | replace("(?Rm)$.*", "")   # CRLF mode
```

## Fix
Write the pattern without the construct (`\r?\n` instead of CRLF mode, `(?:^|\W)` instead of
a half word boundary), or keep this ruleset on the Rust runtime (`apply`, `serve`).
"#,
};

/// FM602.
pub static NOT_PORTABLE_DATE_FORMAT: Lint = Lint {
    code: Code::NotPortableDateFormat,
    check: None,
    explanation: r#"## What it does
`flexmap build --emit js|esm|twilio-function` reports a `date("…")` format with a strftime
specifier that the generated JavaScript date parser does not implement, and refuses to build.

## Why it matters
The generated module parses dates with a re-implementation of the chrono rules the Rust runtime
uses. It implements `%Y %y %m %d %e %j %H %I %M %S %s %b %h %B %a %A %p %P %.f %z %:z %#z %Z
%T %F %R %D %% %n %t`; a format using anything else would parse differently (or not at all),
so the same record would get a different date.

## Example
```yaml
conversations:
  first_response_time: crm.first_reply | date("%Y week %U")   # %U: week of the year
```

## Fix
Use the listed specifiers (ISO 8601 and epoch values need no format at all), or keep this
ruleset on the Rust runtime (`apply`, `serve`).
"#,
};
