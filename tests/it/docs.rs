//! Generated parts of the docs stay in step with the code (`UPDATE_EXPECT=1` rewrites them).

use std::fmt::Write as _;

use flexmap::runtime::filters::FILTERS;

use crate::{root, updating};

/// The filter reference table in docs/language.md, built from the filter registry.
fn filter_reference() -> String {
    let mut out = String::from(
        "| filter | input | result | what it does | example |\n|---|---|---|---|---|\n",
    );
    for filter in FILTERS {
        let call = filter.call();
        let input: Vec<&str> = filter.input.iter().map(|t| t.name()).collect();
        let (example, result) = filter.examples[0];
        let _ = writeln!(
            out,
            "| `{call}` | {} | {} | {} | `{}` → `{}` |",
            input.join(", "),
            filter.output.name(),
            filter.doc.replace('|', "\\|"),
            example.replace('|', "\\|"),
            result.replace('|', "\\|")
        );
    }
    out
}

#[test]
fn language_reference_lists_every_filter() {
    let path = root().join("docs/language.md");
    let text = std::fs::read_to_string(&path).expect("docs/language.md exists");
    let (start, end) = ("<!-- filters:start -->\n", "<!-- filters:end -->");
    let a = text.find(start).expect("start marker") + start.len();
    let b = text.find(end).expect("end marker");
    let fresh = filter_reference();
    if updating() {
        std::fs::write(&path, format!("{}{fresh}{}", &text[..a], &text[b..])).expect("write docs");
        return;
    }
    assert_eq!(
        &text[a..b],
        fresh,
        "docs/language.md is stale: run `UPDATE_EXPECT=1 cargo test --test it docs`"
    );
}

/// docs/lints.md, built from the lint registry.
fn lints_reference() -> String {
    let mut out = String::from(
        "# Lints\n\nEvery diagnostic flexmap reports, generated from the lint registry (`src/lint/`): the same\ntext `flexmap explain CODE` prints. Levels are the defaults; `[lints]` in `flexmap.toml`\nchanges them, and `allow: [name]` on a rule (or `# flexmap: allow(name)` on the line above\nit) suppresses a finding of that rule.\n\n| code | name | level | fires when |\n|---|---|---|---|\n",
    );
    for lint in flexmap::lint::LINTS {
        let info = lint.code.info();
        let _ = writeln!(
            out,
            "| [{}](#{}) | `{}` | {} | {} |",
            info.code,
            info.code.to_ascii_lowercase(),
            info.name,
            info.level.name(),
            info.summary.replace('|', "\\|")
        );
    }
    for lint in flexmap::lint::LINTS {
        let info = lint.code.info();
        let body = lint.explanation.trim_end().replace("\n## ", "\n### ");
        let body = body
            .strip_prefix("## ")
            .map_or(body.clone(), |rest| format!("### {rest}"));
        let _ = write!(
            out,
            "\n## {}\n\n`{}`, {} by default.\n\n{body}\n",
            info.code,
            info.name,
            info.level.name()
        );
    }
    out
}

#[test]
fn lints_reference_is_current() {
    let path = root().join("docs/lints.md");
    let fresh = lints_reference();
    if updating() {
        std::fs::write(&path, &fresh).expect("write docs/lints.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == fresh,
        "docs/lints.md is stale: run `UPDATE_EXPECT=1 cargo test --test it docs`"
    );
}
