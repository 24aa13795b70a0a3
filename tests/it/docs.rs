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

/// Escapes a table cell of docs/insights.md.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The generated blocks of docs/insights.md, by marker name, built from the catalog.
fn insights_blocks() -> Vec<(String, String)> {
    use flexmap::catalog::{self, Section, SlotKind, SourceKind};

    let mut blocks = Vec::new();
    let mut sources = String::from("| id | page | kind |\n|---|---|---|\n");
    for source in catalog::SOURCES {
        let kind = match source.kind {
            SourceKind::Documented => "documented (Twilio)",
            SourceKind::Community => "community practice",
        };
        let _ = writeln!(
            sources,
            "| {} | [{}]({}) | {kind} |",
            source.id,
            cell(source.title),
            source.url
        );
    }
    blocks.push(("sources".to_owned(), sources));

    for section in Section::ALL {
        let mut table = String::from(
            "| key | kind | documented values | HIPAA | needs | what it holds | evidence |\n|---|---|---|---|---|---|---|\n",
        );
        for field in catalog::section_fields(section) {
            let mut kind = format!("`{}`", field.kind.name());
            if field.read_only {
                kind.push_str(", read-only");
            }
            let values = if field.values.is_empty() {
                String::new()
            } else {
                field
                    .values
                    .iter()
                    .map(|value| format!("`{value}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let hipaa = if section == Section::Worker {
                "n/a"
            } else if field.hipaa_dropped {
                "dropped"
            } else {
                "kept"
            };
            let needs = field.requires.map(|r| format!("`{r}`")).unwrap_or_default();
            let _ = writeln!(
                table,
                "| `{}` | {kind} | {} | {hipaa} | {needs} | {} | {} |",
                field.name,
                cell(&values),
                cell(field.summary),
                cell(field.evidence)
            );
        }
        blocks.push((format!("fields:{}", section.name()), table));
    }

    let mut slots = String::from("| section | slots | count | kind |\n|---|---|---|---|\n");
    for section in Section::ALL {
        for kind in SlotKind::ALL {
            let count = catalog::slot_count(section, kind);
            if count == 0 {
                continue;
            }
            let _ = writeln!(
                slots,
                "| `{}` | `{}_{}_1` … `{}_{}_{count}` | {count} | `{}` |",
                section.name(),
                section.slot_prefix(),
                kind.name(),
                section.slot_prefix(),
                kind.name(),
                kind.field_kind().name()
            );
        }
    }
    blocks.push(("slots".to_owned(), slots));

    let mut defaults =
        String::from("| field | filled from `TaskRouter` | evidence |\n|---|---|---|\n");
    for field in catalog::fields() {
        if let Some(default) = field.taskrouter_default {
            let _ = writeln!(
                defaults,
                "| `{}.{}` | {} | {} |",
                field.section.name(),
                field.name,
                cell(default),
                cell(field.evidence)
            );
        }
    }
    blocks.push(("defaults".to_owned(), defaults));
    blocks
}

#[test]
fn insights_reference_is_current() {
    let path = root().join("docs/insights.md");
    let mut text = std::fs::read_to_string(&path).expect("docs/insights.md exists");
    let mut stale = Vec::new();
    for (name, fresh) in insights_blocks() {
        let (start, end) = (
            format!("<!-- {name}:start -->\n"),
            format!("<!-- {name}:end -->"),
        );
        let a = text
            .find(&start)
            .unwrap_or_else(|| panic!("marker {start}"))
            + start.len();
        let b = text.find(&end).unwrap_or_else(|| panic!("marker {end}"));
        if text[a..b] != fresh {
            stale.push(name);
            text.replace_range(a..b, &fresh);
        }
    }
    if updating() {
        std::fs::write(&path, text).expect("write docs/insights.md");
        return;
    }
    assert!(
        stale.is_empty(),
        "docs/insights.md is stale ({stale:?}): run `UPDATE_EXPECT=1 cargo test --test it docs`"
    );
}

/// The anchors of a Markdown page's headings, as GitHub spells them.
fn heading_anchors(markdown: &str) -> Vec<String> {
    markdown
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .map(|heading| {
            heading
                .trim_start_matches('#')
                .trim()
                .to_lowercase()
                .chars()
                .filter_map(|c| match c {
                    ' ' | '-' => Some('-'),
                    c if c.is_alphanumeric() || c == '_' => Some(c),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

/// Every citation a user can read (explanations, messages and help lines in the code, the docs)
/// is a section of docs/insights.md or an `https://` page: never "reference §2" or a bare source
/// tag that names nothing the user has.
#[test]
fn every_citation_resolves() {
    let insights = std::fs::read_to_string(root().join("docs/insights.md")).expect("insights");
    let anchors = heading_anchors(&insights);
    let section_link = regex::Regex::new(r"docs/insights\.md#([A-Za-z0-9_-]+)").expect("regex");
    let dangling = regex::Regex::new(
        r"reference §|reference S[0-9]|\(reference\b|reference/insights\.md|§ ?[0-9]|\bD:S[0-9]|\b(?:labels|enhance-integration|HIPAA|TaskRouter limits) S[0-9]+\b|SPEC\.md|\bSPEC §",
    )
    .expect("regex");

    // (where, text) pairs a user can read.
    let mut texts: Vec<(String, String)> = Vec::new();
    for lint in flexmap::lint::LINTS {
        texts.push((
            format!("explanation of {}", lint.code.info().code),
            lint.explanation.to_owned(),
        ));
    }
    let mut pages = vec![
        root().join("README.md"),
        root().join("rules-examples/README.md"),
    ];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") && !path.ends_with("insights.md") {
            pages.push(path);
        }
    }
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("page");
        texts.push((page.display().to_string(), text));
    }
    // Messages and help lines live in the code's string literals: every non-comment line of
    // src/ except the catalog's data tables (whose tags docs/insights.md resolves;
    // catalog::limits checks its own tags against SOURCES).
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("catalog/fields.rs")
                && !path.ends_with("catalog/sources.rs")
                && !path.ends_with("catalog/limits.rs")
            {
                let text = std::fs::read_to_string(&path).expect("source");
                let code: Vec<&str> = text
                    .lines()
                    .filter(|line| !line.trim_start().starts_with("//"))
                    .collect();
                texts.push((path.display().to_string(), code.join("\n")));
            }
        }
    }

    let mut problems = Vec::new();
    for (place, text) in &texts {
        for found in dangling.find_iter(text) {
            let line = text[..found.start()].lines().count().max(1);
            problems.push(format!(
                "{place}:{line}: `{}` cites nothing a user can open",
                found.as_str()
            ));
        }
        for link in section_link.captures_iter(text) {
            if !anchors.iter().any(|anchor| anchor == &link[1]) {
                problems.push(format!(
                    "{place}: docs/insights.md#{} is no section",
                    &link[1]
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "unresolved citations:\n{}",
        problems.join("\n")
    );
}
