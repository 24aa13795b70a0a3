//! `flexmap audit` over the bundled exports: `rules-examples/audit/*.ndjson` → findings in
//! the short form plus the line counts, snapshotted.

use std::fmt::Write as _;

use flexmap::SourceFile;
use flexmap::audit::audit;
use flexmap::diagnostic::render;

use crate::{display, files};

fn rendered(path: &std::path::Path) -> String {
    let text = std::fs::read_to_string(path).expect("export readable");
    let report = audit(&SourceFile::new(display(path), text), None);
    let mut out = String::new();
    for d in &report.diagnostics {
        out.push_str(&render::short(d));
        out.push('\n');
    }
    let _ = write!(
        out,
        "\n{} lines: {} task, {} worker, {} malformed\n",
        report.lines,
        report.task_lines,
        report.worker_lines,
        report.malformed_lines()
    );
    out
}

#[test]
fn audit_examples() {
    crate::snapshot_each(
        &files("rules-examples/audit", ".ndjson"),
        "../cases/audit-snapshots",
        rendered,
    );
}

/// The sample holds every kind of finding the audit reports, so a check that stops firing
/// shows up here even before anyone reads the snapshot.
#[test]
fn the_sample_covers_every_audit_check() {
    let path = crate::root().join("rules-examples/audit/exported-task-attributes.ndjson");
    let text = std::fs::read_to_string(&path).expect("sample readable");
    let report = audit(&SourceFile::new("sample", text), None);
    let mut codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(
        codes,
        [
            "FM010", "FM101", "FM103", "FM105", "FM106", "FM201", "FM301", "FM302", "FM303",
            "FM304", "FM305", "FM308", "FM309"
        ]
    );
    assert_eq!(
        (report.lines, report.task_lines, report.worker_lines),
        (27, 24, 2)
    );
}
