//! Explanations of the codes the front end, the checker and the audit report themselves
//! (their checks live in `rules_file`, `syntax`, `check`, `config` and `audit`).

use super::Lint;
use crate::diagnostic::Code;

/// FM001.
pub static YAML_SYNTAX: Lint = Lint {
    code: Code::YamlSyntax,
    check: None,
    explanation: r#"## What it does
Reports a rule file that is not valid YAML, at the position where the YAML parser stopped.

## Why it matters
Nothing else in the file can be checked until it parses, so every other mistake stays hidden,
and a file that never compiles never maps anything.

## Example
```yaml
conversations:
  ivr_path: ivr.digits | hierarchy
 in_business_hours: ivr.open | yes_no   # indented one space: not part of `conversations`
```

## Fix
Correct the YAML at the reported line and column (indentation, an unclosed `[` or quote, a
stray `:`), then lint again.
"#,
};

/// FM002.
pub static EXPRESSION_SYNTAX: Lint = Lint {
    code: Code::ExpressionSyntax,
    check: None,
    explanation: r#"## What it does
Reports an expression that does not parse, at the exact character, saying what was expected
there (a filter name after `|`, a `)`, `else`, an operator).

## Why it matters
A rule whose expression does not parse cannot run; flexmap refuses to apply the ruleset rather
than silently skipping the rule.

## Example
```yaml
conversations:
  campaign: crm.account.campaign |        # a `|` with no filter after it
  initiative: (crm.region ++ crm.segment  # `(` never closed
```

## Fix
Follow the help line: add the missing filter or bracket, use `==` to compare, `and`/`or`
instead of `&&`/`||`, and `x | f` instead of `f(x)`. See docs/language.md.
"#,
};

/// FM003.
pub static UNKNOWN_KEY: Lint = Lint {
    code: Code::UnknownKey,
    check: None,
    explanation: r#"## What it does
Reports a key the rule-file format does not have (at the top level, in a rule, an input
declaration, a custom field, `flexmap.toml`, or a lint name in `allow`), with the closest
known key.

## Why it matters
A misspelt key is not ignored quietly: `valeu:` instead of `value:` would leave a rule with no
value, `tabels:` a file with no tables. Tools that ignore unknown keys hide exactly these.

## Example
```yaml
conversations:
  service_level:
    valeu: if ivr.wait <= 30 then "OK" else "Missed"
```

## Fix
Use the suggested key (`value`), or remove the key.
"#,
};

/// FM004.
pub static DUPLICATE_KEY: Lint = Lint {
    code: Code::DuplicateKey,
    check: None,
    explanation: r#"## What it does
Reports a YAML mapping that repeats a key, pointing at the second occurrence with the first as
a secondary label.

## Why it matters
Most YAML readers keep the last value and drop the first without a word, so one of the two
rules silently never runs. flexmap reads duplicates itself so it can report them.

## Example
```yaml
conversations:
  in_business_hours: ivr.business_hours | yes_no
  in_business_hours: ivr.open_now | yes_no
```

## Fix
Keep one of the two entries (or merge them, e.g. with `??`).
"#,
};

/// FM005.
pub static BAD_VERSION: Lint = Lint {
    code: Code::BadVersion,
    check: None,
    explanation: r#"## What it does
Reports a rule file without `flexmap: 1` (missing, not a number, or a version this build does
not read), and an empty file.

## Why it matters
The version key says which format the file is written in; a file meant for another version
may mean something else in this one. Directory scans also use it to recognise rule files.

## Example
```yaml
flexmap: 2
target: task
```

## Fix
Start the file with `flexmap: 1`, or upgrade flexmap to read the newer format.
"#,
};

/// FM006.
pub static INVALID_VALUE: Lint = Lint {
    code: Code::InvalidValue,
    check: None,
    explanation: r#"## What it does
Reports a setting of the rule file with a value of the wrong shape: a missing or unknown
`target`, a rule with no value, a YAML list where an expression belongs, both `value` and
`const`, an unknown input `type`, a custom field without `kind`, a bad table.

## Why it matters
The file says something flexmap cannot run as written; guessing what was meant would put
wrong data into reports that cannot be corrected later.

## Example
```yaml
target: tsak
conversations:
  language: [a, b]
```

## Fix
Follow the help line: `target: task`, an expression such as `[a, b] | first`, or
`{ const: [...] }` for a literal list.
"#,
};

/// FM007.
pub static CONFIG_SYNTAX: Lint = Lint {
    code: Code::ConfigSyntax,
    check: None,
    explanation: r#"## What it does
Reports a `flexmap.toml` that is not valid TOML, at the parser's position.

## Why it matters
Project settings (`hipaa`, `sso`, lint levels, `exclude`) change what is checked; with a
broken file none of them apply.

## Example
```toml
exclude = ["broken"
```

## Fix
Correct the TOML at the reported position.
"#,
};

/// FM010.
pub static MALFORMED_RECORD: Lint = Lint {
    code: Code::MalformedRecord,
    check: None,
    explanation: r#"## What it does
Reported by `flexmap audit` for a line of the NDJSON file that holds no attributes object: it
is not valid JSON (at the position where parsing stopped), it is JSON but not an object (an
array, a number), or it is a JSON string whose text is not a JSON object.

## Why it matters
`TaskRouter` keeps task and worker attributes as one JSON object; a line that is not one was
cut, double-encoded or logged with something else around it, and none of its values can be
checked. If the producing code really sent that text, `TaskRouter` rejected the update.

## Example
```text
{"conversations": {"abandoned": "No"}, "customers": {"name": "Ann"
[{"conversations": {"abandoned": "No"}}]
```

## Fix
Export one attributes object per line: `{…}`, or the attributes string exactly as `TaskRouter`
stores it (`"{\"conversations\": …}"`). Check the export or logging code for truncated
lines and for extra text around the JSON.
"#,
};

/// FM101.
pub static UNKNOWN_TARGET: Lint = Lint {
    code: Code::UnknownTarget,
    check: None,
    explanation: r#"## What it does
Reports a target under `conversations`, `customers` or `worker` that Flex Insights does not
know, with the closest known field. Curated hints cover real-world misspellings:
`wrapup_time` → `wrap_up_time`, `cross_talk_time` → `crosstalk_time`, and worker names used
under `conversations` (`team_name` → `handling_team_name`).

## Why it matters
Insights ignores attribute names it does not recognise, with no error (Twilio, "Add additional TaskRouter data", https://www.twilio.com/docs/flex/developer/insights/enhance-integration). The mapping runs, the data is sent, and it never
shows in a report; data loaded without it cannot be back-filled without a support case.

## Example
```yaml
conversations:
  wrapup_time: task.wrap_seconds | number
```

## Fix
Use the suggested name (`wrap_up_time`). For data that is not meant for Insights (routing
skills, Flex UI data), move the rule under `extra:`; for a custom value, use `custom:`.
"#,
};

/// FM102.
pub static WRONG_SECTION: Lint = Lint {
    code: Code::WrongSection,
    check: None,
    explanation: r#"## What it does
Reports a field Insights knows, written where Insights does not read it: a `customers` field
under `conversations`, a worker field in a task ruleset, a section for the other target, a
custom field scoped to another target, an `extra` key that would overwrite Insights data.

## Why it matters
Insights reads each field only in its own object (docs/insights.md#conversations-fields); anywhere else it is
ignored silently, exactly like an unknown name.

## Example
```yaml
target: task
conversations:
  external_id: crm.contact.id     # a customers field
```

## Fix
Move the rule to the section named in the help (`customers:`), or to a ruleset with the
other `target`.
"#,
};

/// FM201.
pub static SLOT_OVERFLOW: Lint = Lint {
    code: Code::SlotOverflow,
    check: None,
    explanation: r#"## What it does
Reports a numbered slot outside the catalog's range (`conversation_attribute_11`,
`customer_attribute_4`, `agent_label_0`, `customer_measure_1`), and a custom field for which
no slot of its kind is free. In a project the count is project-wide: the task rulesets share
one workspace's slots, so slots written by hand in any of them, slots other files' custom
fields hold, and slots `flexmap.lock` holds or retired are all taken.

## Why it matters
Insights has 10 conversation attribute, label and measure slots, 3 customer attribute and
label slots, and 3 agent attribute and label slots (docs/insights.md#custom-slots). A slot outside
the range is ignored silently.

## Example
```yaml
conversations:
  conversation_attribute_11: crm.account.segment
```

## Fix
Use the free slot named in the help, or free one by removing or merging rules. A retired slot
can be re-used only on purpose, with `slot:` on the custom field (`flexmap slots` lists them).
"#,
};

/// FM303.
pub static TYPE_MISMATCH: Lint = Lint {
    code: Code::TypeMismatch,
    check: None,
    explanation: r#"## What it does
Reports a definite type mismatch, naming the inferred type and where it came from: a filter
given the wrong input (`5 | lower`, `"x" | join(",")`), an operator given the wrong operands
(`"a" + 1`, `not 5`), a value of the wrong type for its target (a string into a measure, a
list where text belongs), or a `when` that is not a condition. Paths without a declared
`type` are `any` and only checked at run time.

## Why it matters
A measure must be numeric and text must be a scalar (docs/insights.md#conversations-fields); a value of the wrong
type is dropped by Insights or by flexmap's coercion, so the field stays empty in reports.

## Example
```yaml
inputs:
  ivr.attempts: { type: string }
conversations:
  conversation_measure_2: ivr.attempts + 1
```

## Fix
Convert explicitly (`| number`, `| string`, `| seconds`, `| join(", ")`), or correct the
declaration in `inputs`.
"#,
};

/// FM306.
pub static UNKNOWN_FUNCTION: Lint = Lint {
    code: Code::UnknownFunction,
    check: None,
    explanation: r#"## What it does
Reports an unknown filter, a wrong number of arguments, an unknown argument name, an argument
that must be a literal, an invalid argument value (a bad regex, a negative length, an unknown
unit), and an unknown table in `lookup`, each with did-you-mean where one is close.

## Why it matters
A rule that calls something that does not exist cannot run; flexmap refuses the ruleset
instead of guessing.

## Example
```yaml
conversations:
  language: ivr.language | lookup(langs) | lowr
```

## Fix
Use the suggested filter or table (`lookup(languages)`, `lower`); the filters are listed in
docs/language.md.
"#,
};

/// FM901.
pub static LIMIT_EXCEEDED: Lint = Lint {
    code: Code::LimitExceeded,
    check: None,
    explanation: r#"## What it does
Reports a rule file that exceeds a safety limit: more than 4 MiB, more than 50,000 YAML nodes
after alias expansion, YAML nested over 32 levels, an expression over 16 KiB, brackets nested
over 32 deep, an expression tree over 100 levels deep (long operator or filter chains), more
than 64 `if`s in one expression, over 16 prefix operators in a row, or a regex that compiles
to more than 256 KiB.

## Why it matters
The limits keep linting and mapping fast and memory-bounded whatever a file contains (a
"billion laughs" alias bomb, a pathological regex); no real mapping needs to come near them.

## Example
```yaml
a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
# … six levels deep
```

## Fix
Simplify: write values out instead of nesting aliases, use a table instead of a long `if`
chain, split a long expression over several rules.
"#,
};

/// FM902.
pub static IO_ERROR: Lint = Lint {
    code: Code::Io,
    check: None,
    explanation: r#"## What it does
Reports a file that cannot be read, or that is not UTF-8.

## Why it matters
An unreadable rule file would otherwise be skipped, and its rules silently missing from the
project.

## Example
A rule file saved as UTF-16 by an editor.

## Fix
Check the path and permissions; save the file as UTF-8.
"#,
};
