//! FM501 unused-table: a table nothing looks up.

use super::{Finding, Lint, LintContext};
use crate::diagnostic::{Code, Diagnostic};

/// FM501.
pub static LINT: Lint = Lint {
    code: Code::UnusedTable,
    check: Some(check),
    explanation: r#"## What it does
Reports a table under `tables:` that no `lookup` in the file uses.

## Why it matters
An unused table is usually a sign that a rule meant to use it does not (a typo in a table
name is caught as FM306, but a rule that forgot its `| lookup(...)` is not), or leftover
configuration that readers of the file will take as live.

## Example
```yaml
tables:
  languages: { en-US: English }
conversations:
  language: ivr.language          # forgot `| lookup(languages)`
```

## Fix
Use the table in the rule that needs it, or delete the table.
"#,
};

fn check(context: &LintContext<'_>, out: &mut Vec<Finding>) {
    let used: Vec<&str> = context
        .rules
        .iter()
        .flat_map(|r| r.facts.iter().chain(r.when.iter().map(|(_, f)| f)))
        .flat_map(|f| f.tables.iter().map(String::as_str))
        .collect();
    for table in &context.file.tables {
        if used.contains(&table.name.as_str()) {
            continue;
        }
        out.push(Finding::file(
            Diagnostic::new(
                Code::UnusedTable,
                format!("table `{}` is never looked up", table.name),
                table.span,
            )
            .with_label("no `lookup` uses it")
            .with_help(format!(
                "use it with `| lookup({})`, or delete the table",
                table.name
            )),
        ));
    }
}
