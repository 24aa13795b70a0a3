//! Renderers for diagnostics: human (miette), short (one line each) and JSON.

use std::fmt::Write as _;

use miette::{GraphicalReportHandler, GraphicalTheme};
use serde::Serialize;

use super::{Diagnostic, Severity};

/// Renders one diagnostic with miette's graphical handler.
#[must_use]
pub fn human(diagnostic: &Diagnostic, color: bool, width: usize) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = short(diagnostic);
    }
    out
}

/// `file:line:col: level[CODE] message`.
#[must_use]
pub fn short(diagnostic: &Diagnostic) -> String {
    let (line, column) = diagnostic.line_col();
    let mut out = format!(
        "{}:{line}:{column}: {}[{}] {}",
        diagnostic.file_name(),
        diagnostic.severity.name(),
        diagnostic.code.as_str(),
        diagnostic.message
    );
    if let Some(help) = &diagnostic.help {
        let _ = write!(out, " (help: {help})");
    }
    out
}

/// Version of the JSON output schema (see docs/output-formats.md).
pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
    code: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    help: Option<&'a str>,
    labels: Vec<JsonLabel<'a>>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
    message: Option<&'a str>,
    primary: bool,
}

/// Counts by level.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    /// Errors.
    pub errors: usize,
    /// Warnings.
    pub warnings: usize,
    /// Infos.
    pub infos: usize,
    /// Files checked.
    pub files: usize,
}

impl Summary {
    /// Counts `diagnostics` over `files` files.
    #[must_use]
    pub fn of(diagnostics: &[Diagnostic], files: usize) -> Summary {
        let count = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files,
        }
    }
}

/// The whole report as JSON.
#[must_use]
pub fn json(diagnostics: &[Diagnostic], files: usize) -> String {
    let position =
        |d: &Diagnostic, offset: usize| d.source.as_ref().map_or((1, 1), |s| s.line_col(offset));
    let report = JsonReport {
        version: JSON_VERSION,
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let span = d.primary_span();
                let (line, column) = position(d, span.start);
                let (end_line, end_column) = position(d, span.end);
                JsonDiagnostic {
                    file: d.file_name(),
                    line,
                    column,
                    end_line,
                    end_column,
                    start: span.start,
                    end: span.end,
                    code: d.code.as_str(),
                    name: d.code.name(),
                    severity: d.severity,
                    message: &d.message,
                    help: d.help.as_deref(),
                    labels: d
                        .labels
                        .iter()
                        .map(|l| {
                            let (line, column) = position(d, l.span.start);
                            let (end_line, end_column) = position(d, l.span.end);
                            JsonLabel {
                                line,
                                column,
                                end_line,
                                end_column,
                                start: l.span.start,
                                end: l.span.end,
                                message: l.message.as_deref(),
                                primary: l.primary,
                            }
                        })
                        .collect(),
                }
            })
            .collect(),
        summary: Summary::of(diagnostics, files),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into())
}
