//! Renderers for diagnostics: human (miette), short (one line each) and JSON.

use std::fmt::Write as _;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity};

/// miette's graphical handler as flexmap uses it: Unicode, colour only when asked, no links.
#[must_use]
pub fn handler(color: bool, width: usize) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false)
}

/// Renders one diagnostic with miette's graphical handler.
#[must_use]
pub fn human(diagnostic: &Diagnostic, color: bool, width: usize) -> String {
    let handler = handler(color, width);
    let mut out = String::new();
    // miette lays out whole lines (and cannot draw past column 65,535): a label on a very
    // long line (minified YAML, a generated flow mapping) is drawn over a window of it.
    let drawn = match Windowed::new(diagnostic, width).filter(|_| has_long_line(diagnostic)) {
        Some(windowed) => handler.render_report(&mut out, &windowed),
        None => handler.render_report(&mut out, diagnostic),
    };
    if drawn.is_err() {
        out = short(diagnostic);
    }
    out
}

/// Lines longer than this are drawn as a window around the primary span.
pub const LONG_LINE_BYTES: usize = 1000;

/// Whether a label of `diagnostic` in its own file lies on a line over `LONG_LINE_BYTES`.
fn has_long_line(diagnostic: &Diagnostic) -> bool {
    let Some(source) = &diagnostic.source else {
        return false;
    };
    diagnostic
        .labels
        .iter()
        .filter(|label| !label.is_foreign(diagnostic))
        .any(|label| {
            // The line index, not a search of the text: O(log lines) on a megabyte-long line.
            let line = source.line_of(label.span.start);
            source.line_end(line) - source.line_start(line) > LONG_LINE_BYTES
        })
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
    for label in diagnostic
        .labels
        .iter()
        .filter(|l| l.is_foreign(diagnostic))
    {
        let (line, column) = label.line_col_in(diagnostic, label.span.start);
        let _ = write!(out, " (see {}:{line}:{column}", label.file_name(diagnostic));
        if let Some(message) = &label.message {
            let _ = write!(out, ": {message}");
        }
        out.push(')');
    }
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
    /// The mechanical fix `--fix` applies (ruff's `fix` field), `null` when there is none.
    fix: Option<JsonFix<'a>>,
}

/// A fix as edits of the diagnostic's file, applied together or not at all.
#[derive(Serialize)]
struct JsonFix<'a> {
    message: &'a str,
    /// Always `safe`: `flexmap lint --fix` applies every fix it offers (there are no
    /// unsafe fixes); the field is there for tools that read ruff's format.
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

/// Replace the bytes `start..end` (positions as a diagnostic's) with `content`; an
/// insertion has `start == end`.
#[derive(Serialize)]
struct JsonEdit<'a> {
    content: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: &'a str,
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
                            let (line, column) = l.line_col_in(d, l.span.start);
                            let (end_line, end_column) = l.line_col_in(d, l.span.end);
                            JsonLabel {
                                file: l.file_name(d),
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
                    fix: d.fix.as_ref().map(|fix| JsonFix {
                        message: &fix.message,
                        applicability: "safe",
                        edits: fix
                            .edits
                            .iter()
                            .map(|e| {
                                let (line, column) = position(d, e.span.start);
                                let (end_line, end_column) = position(d, e.span.end);
                                JsonEdit {
                                    content: &e.replacement,
                                    line,
                                    column,
                                    end_line,
                                    end_column,
                                    start: e.span.start,
                                    end: e.span.end,
                                }
                            })
                            .collect(),
                    }),
                }
            })
            .collect(),
        summary: Summary::of(diagnostics, files),
    };
    serde_json::to_string_pretty(&report).unwrap_or_else(|_| "{}".into())
}

/// Where rule documentation lives, for SARIF `helpUri`: `FLEXMAP_DOCS_URL` at run time, or
/// the crate's `repository` metadata plus `/blob/main/docs/lints.md`; none when neither is set.
#[must_use]
pub fn docs_url() -> Option<String> {
    if let Ok(url) = std::env::var("FLEXMAP_DOCS_URL")
        && !url.is_empty()
    {
        return Some(url);
    }
    let repository = env!("CARGO_PKG_REPOSITORY");
    (!repository.is_empty()).then(|| format!("{repository}/blob/main/docs/lints.md"))
}

/// SARIF 2.1.0 for GitHub code scanning: one run, every code as a rule with its
/// explanation, one result per diagnostic with its region and fix.
#[must_use]
pub fn sarif(diagnostics: &[Diagnostic]) -> String {
    use serde_sarif::sarif as s;
    let docs = docs_url();
    let rules: Vec<s::ReportingDescriptor> = crate::lint::LINTS
        .iter()
        .map(|lint| {
            let info = lint.code.info();
            let anchor = info.code.to_ascii_lowercase();
            let mut rule = s::ReportingDescriptor::builder()
                .id(info.code)
                .name(info.name)
                .short_description(
                    s::MultiformatMessageString::builder()
                        .text(info.summary)
                        .build(),
                )
                .full_description(
                    s::MultiformatMessageString::builder()
                        .text(info.summary)
                        .build(),
                )
                .help(
                    s::MultiformatMessageString::builder()
                        .text(lint.explanation)
                        .markdown(lint.explanation)
                        .build(),
                )
                .default_configuration(
                    s::ReportingConfiguration::builder()
                        .level(serde_json::Value::from(sarif_level_name(info.level)))
                        .build(),
                )
                .build();
            rule.help_uri = docs.as_ref().map(|base| format!("{base}#{anchor}"));
            rule
        })
        .collect();
    let index_of =
        |code: crate::diagnostic::Code| crate::lint::LINTS.iter().position(|l| l.code == code);
    let results: Vec<s::Result> = diagnostics
        .iter()
        .map(|d| {
            let uri = d.file_name().replace('\\', "/");
            let location = |label: Option<&super::Label>,
                            span: crate::source::Span,
                            message: Option<&str>| {
                let region = match label {
                    Some(label) => label_region(d, label),
                    None => region(d, span),
                };
                let uri = label.map_or_else(|| uri.clone(), |l| l.file_name(d).replace('\\', "/"));
                let mut location = s::Location::builder()
                    .physical_location(
                        s::PhysicalLocation::builder()
                            .artifact_location(s::ArtifactLocation::builder().uri(uri).build())
                            .region(region)
                            .build(),
                    )
                    .build();
                location.message = message.map(|m| s::Message::builder().text(m).build());
                location
            };
            let related: Vec<s::Location> = d
                .labels
                .iter()
                .filter(|l| !l.primary)
                .map(|l| location(Some(l), l.span, l.message.as_deref()))
                .collect();
            let mut text = d.message.clone();
            if let Some(help) = &d.help {
                text.push_str("\nhelp: ");
                text.push_str(help);
            }
            let fixes = d.fix.as_ref().map(|fix| {
                vec![
                    s::Fix::builder()
                        .description(s::Message::builder().text(fix.message.clone()).build())
                        .artifact_changes(vec![
                            s::ArtifactChange::builder()
                                .artifact_location(
                                    s::ArtifactLocation::builder().uri(uri.clone()).build(),
                                )
                                .replacements(
                                    fix.edits
                                        .iter()
                                        .map(|e| {
                                            s::Replacement::builder()
                                                .deleted_region(region(d, e.span))
                                                .inserted_content(
                                                    s::ArtifactContent::builder()
                                                        .text(e.replacement.clone())
                                                        .build(),
                                                )
                                                .build()
                                        })
                                        .collect::<Vec<_>>(),
                                )
                                .build(),
                        ])
                        .build(),
                ]
            });
            let mut result = s::Result::builder()
                .rule_id(d.code.as_str())
                .level(match d.severity {
                    Severity::Error => s::ResultLevel::Error,
                    Severity::Warning => s::ResultLevel::Warning,
                    Severity::Info => s::ResultLevel::Note,
                })
                .message(s::Message::builder().text(text).build())
                .locations(vec![location(None, d.primary_span(), None)])
                .build();
            result.rule_index = index_of(d.code).map(|i| i as i64);
            result.related_locations = if related.is_empty() {
                None
            } else {
                Some(related)
            };
            result.fixes = fixes;
            result
        })
        .collect();
    let mut driver = s::ToolComponent::builder()
        .name("flexmap")
        .semantic_version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    driver.information_uri.clone_from(&docs);
    let tool = s::Tool::builder().driver(driver).build();
    let run = s::Run::builder()
        .tool(tool)
        .results(results)
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .build();
    let log = s::Sarif::builder()
        .schema("https://json.schemastore.org/sarif-2.1.0.json")
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".into())
}

fn sarif_level_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn label_region(d: &Diagnostic, label: &super::Label) -> serde_sarif::sarif::Region {
    let (start_line, start_column) = label.line_col_in(d, label.span.start);
    let (end_line, end_column) = label.line_col_in(d, label.span.end);
    serde_sarif::sarif::Region::builder()
        .start_line(start_line as i64)
        .start_column(start_column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .byte_offset(label.span.start as i64)
        .byte_length(label.span.len() as i64)
        .build()
}

fn region(d: &Diagnostic, span: crate::source::Span) -> serde_sarif::sarif::Region {
    let (start_line, start_column) = d.source.as_ref().map_or((1, 1), |s| s.line_col(span.start));
    let (end_line, end_column) = d.source.as_ref().map_or((1, 1), |s| s.line_col(span.end));
    serde_sarif::sarif::Region::builder()
        .start_line(start_line as i64)
        .start_column(start_column as i64)
        .end_line(end_line as i64)
        .end_column(end_column as i64)
        .byte_offset(span.start as i64)
        .byte_length(span.len() as i64)
        .build()
}

/// GitHub Actions workflow commands: `::error file=…,line=…,col=…::message`.
#[must_use]
pub fn github(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let span = d.primary_span();
        let (line, column) = d.source.as_ref().map_or((1, 1), |s| s.line_col(span.start));
        let (end_line, end_column) = d.source.as_ref().map_or((1, 1), |s| s.line_col(span.end));
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{command} file={},line={line},col={column},endLine={end_line},endColumn={end_column},title={}::{}",
            escape_property(d.file_name()),
            escape_property(&format!("{} {}", d.code.as_str(), d.code.name())),
            escape_data(&message)
        );
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A diagnostic whose source is one window of its primary line.
pub struct Windowed<'a> {
    inner: &'a Diagnostic,
    window: Window,
    labels: Vec<LabeledSpan>,
}

/// Part of one line of the file, with `…` standing for what was cut on either side.
struct Window {
    source: crate::source::SourceFile,
    /// The text shown: the window, with `…` in place of the three bytes before and after it
    /// when the line goes on (so byte offsets still match the file).
    data: String,
    /// File offset of `data`'s first byte.
    offset: usize,
    /// 0-based line number.
    line: usize,
}

/// Characters kept before the primary span.
const LEAD: usize = 24;

impl<'a> Windowed<'a> {
    /// The diagnostic drawn over a window of its primary line, `width` columns wide; `None`
    /// when it has no source.
    #[must_use]
    pub fn new(inner: &'a Diagnostic, width: usize) -> Option<Windowed<'a>> {
        let source = inner.source.clone()?;
        let text = source.text();
        let primary = inner.primary_span();
        let start = source.clamp(primary.start);
        // From the line index: searching the text would cost the line's length per finding.
        let line = source.line_of(start);
        let line_start = source.line_start(line);
        let line_end = source.line_end(line);
        let budget = width.saturating_sub(16).max(40);
        // Start a little before the span, then take `budget` characters.
        let mut window_start = text[line_start..start]
            .char_indices()
            .rev()
            .nth(LEAD.saturating_sub(1))
            .map_or(line_start, |(i, _)| line_start + i);
        if window_start < line_start + 3 {
            window_start = line_start;
        }
        let mut window_end = text[window_start..line_end]
            .char_indices()
            .nth(budget)
            .map_or(line_end, |(i, _)| window_start + i);
        if window_end + 3 > line_end {
            window_end = line_end;
        }
        let mut data = String::new();
        let mut offset = window_start;
        if window_start > line_start {
            data.push('…');
            offset = window_start - '…'.len_utf8();
        }
        data.push_str(&text[window_start..window_end]);
        if window_end < line_end {
            data.push('…');
        }
        let labels = inner
            .labels
            .iter()
            .filter(|label| {
                label.span.start < window_end.max(window_start + 1)
                    && label.span.end >= window_start
            })
            .filter(|label| label.primary || label.span.start >= window_start)
            .map(|label| {
                let mut from = label.span.start.max(window_start);
                let to = label.span.end.min(window_end).max(from);
                if from == to && from >= window_end && from > window_start {
                    // miette draws nothing for an empty span at the very end: use the last character.
                    from = text[..from]
                        .char_indices()
                        .next_back()
                        .map_or(from, |(i, _)| i);
                }
                let span = (from, to - from);
                if label.primary {
                    LabeledSpan::new_primary_with_span(label.message.clone(), span)
                } else {
                    LabeledSpan::new_with_span(label.message.clone(), span)
                }
            })
            .collect();
        let (line, _) = source.line_col(start);
        Some(Windowed {
            inner,
            window: Window {
                source,
                data,
                offset,
                line: line - 1,
            },
            labels,
        })
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let name = self.source.name().to_string();
        if context_lines_before == 0 && context_lines_after == 0 {
            // Where the report's header points: the span's own line and column.
            let (line, column) = self.source.line_col(span.offset());
            let from = span
                .offset()
                .saturating_sub(self.offset)
                .min(self.data.len());
            let data = self.data.as_bytes().get(from..).unwrap_or_default();
            return Ok(Box::new(MietteSpanContents::new_named(
                name,
                data,
                (span.offset(), data.len()).into(),
                line - 1,
                column - 1,
                1,
            )));
        }
        Ok(Box::new(MietteSpanContents::new_named(
            name,
            self.data.as_bytes(),
            (self.offset, self.data.len()).into(),
            self.line,
            0,
            1,
        )))
    }
}

impl std::fmt::Debug for Windowed<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.inner, formatter)
    }
}

impl std::fmt::Display for Windowed<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self.inner, formatter)
    }
}

impl std::error::Error for Windowed<'_> {}

impl miette::Diagnostic for Windowed<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        miette::Diagnostic::code(self.inner)
    }

    fn severity(&self) -> Option<miette::Severity> {
        miette::Diagnostic::severity(self.inner)
    }

    fn help<'b>(&'b self) -> Option<Box<dyn std::fmt::Display + 'b>> {
        miette::Diagnostic::help(self.inner)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.window)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        miette::Diagnostic::related(self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::human;
    use crate::Ruleset;

    /// A finding far along one very long line: miette alone panics past column 65,535.
    #[test]
    fn a_label_on_a_very_long_line_is_drawn_over_a_window() {
        let text = format!(
            "flexmap: 1\ntarget: task\nconversations:\n  language: [{}1]\n",
            "1,".repeat(70_000)
        );
        let ruleset = Ruleset::from_str(&text, "long.yaml");
        let diagnostics = ruleset.diagnostics();
        let finding = diagnostics.first().expect("the node budget is exceeded");
        let drawn = human(finding, false, 100);
        assert!(drawn.contains("long.yaml:4:"), "{drawn}");
        assert!(drawn.contains("…1,1,1"), "{drawn}");
        assert!(
            drawn.lines().all(|line| line.chars().count() <= 120),
            "{drawn}"
        );
    }

    /// A short line keeps miette's whole-line drawing, neighbours included.
    #[test]
    fn short_lines_are_drawn_whole() {
        let ruleset = Ruleset::from_str(
            "flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: task.wrap\n",
            "short.yaml",
        );
        let diagnostics = ruleset.diagnostics();
        let drawn = human(&diagnostics[0], false, 100);
        assert!(drawn.contains("  wrapup_time: task.wrap"), "{drawn}");
        assert!(!drawn.contains('…'), "{drawn}");
    }
}
