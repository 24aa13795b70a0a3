//! Data-driven lint cases: `tests/cases/lint/*.yaml` → rendered diagnostics, snapshotted.
//!
//! Each snapshot holds the short form (one line per finding) and the human form (miette,
//! no colour, 100 columns), so a change in position, wording or help shows up in review.

use flexmap::diagnostic::render;
use flexmap::{Config, Ruleset};

use crate::{display, files};

fn rendered(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("case readable");
    let diagnostics = Ruleset::from_str(&text, &display(path)).diagnostics();
    let mut out = String::new();
    for d in &diagnostics {
        out.push_str(&render::short(d));
        out.push('\n');
    }
    out.push('\n');
    for d in &diagnostics {
        out.push_str(&render::human(d, false, 100));
        out.push('\n');
    }
    out
}

#[test]
fn lint_cases() {
    crate::snapshot_each(
        &files("tests/cases/lint", ".yaml"),
        "../cases/lint/snapshots",
        rendered,
    );
}

/// The precision corpus (`precision-*.yaml`): realistic rule files, full of values a
/// careless lint would flag, that must produce no finding at all; the HIPAA one also on a
/// HIPAA account, where FM401 and FM402 are on.
#[test]
fn precision_corpus_is_silent() {
    let cases: Vec<_> = files("tests/cases/lint", ".yaml")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("precision-"))
        })
        .collect();
    assert!(cases.len() >= 4, "at least four precision files");
    let hipaa = Config {
        hipaa: true,
        ..Config::default()
    };
    for case in cases {
        let text = std::fs::read_to_string(&case).expect("case readable");
        let ruleset = Ruleset::from_str(&text, &display(&case));
        let mut diagnostics = ruleset.diagnostics();
        if display(&case).contains("hipaa") {
            diagnostics.extend(ruleset.diagnostics_with(&hipaa));
        }
        let shown: Vec<String> = diagnostics.iter().map(render::short).collect();
        assert!(
            shown.is_empty(),
            "{}:\n{}",
            display(&case),
            shown.join("\n")
        );
    }
}

#[test]
fn broken_examples_render() {
    crate::snapshot_each(
        &files("rules-examples/broken", ".yaml"),
        "../cases/broken-snapshots",
        rendered,
    );
}

/// Every snapshot belongs to a case that still exists (no stale, unreferenced snapshots).
#[test]
fn no_unreferenced_snapshots() {
    for (snapshots, cases, extension) in [
        ("tests/cases/lint/snapshots", "tests/cases/lint", "yaml"),
        (
            "tests/cases/broken-snapshots",
            "rules-examples/broken",
            "yaml",
        ),
        (
            "tests/cases/audit-snapshots",
            "rules-examples/audit",
            "ndjson",
        ),
    ] {
        for snapshot in files(snapshots, "") {
            let name = snapshot
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            assert!(
                std::path::Path::new(&name)
                    .extension()
                    .is_some_and(|e| e == "snap"),
                "stray file {} (review pending snapshots)",
                display(&snapshot)
            );
            let stem = name.trim_end_matches(".snap");
            assert!(
                crate::root()
                    .join(cases)
                    .join(format!("{stem}.{extension}"))
                    .is_file(),
                "{} has no case file; delete it",
                display(&snapshot)
            );
        }
    }
}

/// FM101 makes invisible characters visible (issue 10 item 10): a key with a zero-width or
/// other format character (Unicode Cf) shows it escaped, and the help names its column.
#[test]
fn unknown_key_shows_invisible_characters() {
    for (invisible, escaped) in [
        ('\u{200B}', "\\u{200B}"),
        ('\u{200C}', "\\u{200C}"),
        ('\u{200D}', "\\u{200D}"),
        ('\u{2060}', "\\u{2060}"),
        ('\u{FEFF}', "\\u{FEFF}"),
        ('\u{00AD}', "\\u{AD}"),
    ] {
        let text = format!(
            "flexmap: 1\ntarget: task\nconversations:\n  conversation{invisible}_label_1: crm.case\n"
        );
        let diagnostics = Ruleset::from_str(&text, "rules/t.yaml").diagnostics();
        let found = diagnostics
            .iter()
            .find(|d| d.code == flexmap::Code::UnknownTarget)
            .unwrap_or_else(|| panic!("no FM101 for {escaped}: {diagnostics:#?}"));
        assert!(
            found
                .message
                .contains(&format!("`conversation{escaped}_label_1`")),
            "{escaped}: {}",
            found.message
        );
        assert!(
            !found.message.contains(invisible),
            "{escaped}: the message still hides it: {}",
            found.message
        );
        let help = found.help.as_deref().unwrap_or_default();
        assert!(
            help.contains(&format!(
                "the key contains an invisible character `{escaped}` at column 15"
            )),
            "{escaped}: {help}"
        );
    }
}
