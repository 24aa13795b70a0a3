//! Diagnostics as plain data: code, severity, message, labelled spans and help.
//!
//! The library only produces these values; the command line (and later the HTTP service)
//! decides how to render them and what is fatal. `Diagnostic` implements
//! `miette::Diagnostic`, so any miette handler can render it with its source snippet.

pub mod codes;
#[cfg(feature = "cli")]
pub mod render;
pub mod wording;

use std::fmt;

use crate::source::{SourceFile, Span};

pub use codes::{Code, CodeInfo};
pub use wording::{article, count, plural, with_article};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational: nothing is wrong, but something is worth knowing.
    Info,
    /// Probably a mistake; does not block `apply`.
    Warning,
    /// Blocks `apply`, `serve` and the library from running the ruleset.
    Error,
}

impl Severity {
    /// Lower-case name used in the short and JSON formats.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// A labelled span; the primary label is where the finding is.
///
/// A secondary label may point into another file (the other ruleset of a cross-file
/// duplicate, the entry in `flexmap.lock`): then `source` holds that file. Renderers show
/// such a label as a related report with its own snippet (human), with its own file name
/// (short, JSON) or as a related location with its own URI (SARIF).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Label {
    /// Byte range in the label's file (the diagnostic's, unless `source` is set).
    pub span: Span,
    /// Text shown beside the span.
    pub message: Option<String>,
    /// True for the one primary label.
    pub primary: bool,
    /// The file the span points into, when it is not the diagnostic's own.
    #[serde(skip)]
    pub source: Option<SourceFile>,
}

impl PartialEq for Label {
    fn eq(&self, other: &Label) -> bool {
        self.span == other.span
            && self.message == other.message
            && self.primary == other.primary
            && self.source.as_ref().map(SourceFile::name)
                == other.source.as_ref().map(SourceFile::name)
    }
}

impl Eq for Label {}

impl Label {
    /// True when the label points into a file other than `diagnostic`'s.
    #[must_use]
    pub fn is_foreign(&self, diagnostic: &Diagnostic) -> bool {
        self.source.as_ref().is_some_and(|s| {
            diagnostic
                .source
                .as_ref()
                .is_none_or(|d| d.name() != s.name())
        })
    }

    /// 1-based line and column of `offset` in the label's file (`diagnostic`'s by default).
    #[must_use]
    pub fn line_col_in(&self, diagnostic: &Diagnostic, offset: usize) -> (usize, usize) {
        self.source
            .as_ref()
            .or(diagnostic.source.as_ref())
            .map_or((1, 1), |s| s.line_col(offset))
    }

    /// The label's file name (`diagnostic`'s by default).
    #[must_use]
    pub fn file_name<'a>(&'a self, diagnostic: &'a Diagnostic) -> &'a str {
        self.source
            .as_ref()
            .map_or_else(|| diagnostic.file_name(), SourceFile::name)
    }
}

/// A mechanical fix: edits to the file, applied together or not at all.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Fix {
    /// What the fix does ("rename to `wrap_up_time`").
    pub message: String,
    /// Non-overlapping replacements.
    pub edits: Vec<Edit>,
}

/// Replace the bytes of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Edit {
    /// Bytes to replace (empty to insert).
    pub span: Span,
    /// New text.
    pub replacement: String,
}

impl Edit {
    /// A replacement.
    #[must_use]
    pub fn replace(span: Span, replacement: impl Into<String>) -> Edit {
        Edit {
            span,
            replacement: replacement.into(),
        }
    }

    /// An insertion at `offset`.
    #[must_use]
    pub fn insert(offset: usize, text: impl Into<String>) -> Edit {
        Edit {
            span: Span::at(offset),
            replacement: text.into(),
        }
    }
}

/// One finding, with everything needed to render it anywhere.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `FM101`.
    pub code: Code,
    /// Severity after configuration.
    pub severity: Severity,
    /// One sentence saying what is wrong.
    pub message: String,
    /// Primary label first, then secondary labels.
    pub labels: Vec<Label>,
    /// The concrete fix, if there is one.
    pub help: Option<String>,
    /// Edits that apply the fix mechanically (`flexmap lint --fix`).
    pub fix: Option<Fix>,
    /// The file the spans point into.
    #[serde(skip)]
    pub source: Option<SourceFile>,
}

impl Diagnostic {
    /// A diagnostic at its code's default severity, with a primary label at `span`.
    #[must_use]
    pub fn new(code: Code, message: impl Into<String>, span: Span) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.info().level,
            message: message.into(),
            labels: vec![Label {
                span,
                message: None,
                primary: true,
                source: None,
            }],
            help: None,
            fix: None,
            source: None,
        }
    }

    /// Attaches a mechanical fix.
    #[must_use]
    pub fn with_fix(mut self, message: impl Into<String>, edits: Vec<Edit>) -> Diagnostic {
        self.fix = Some(Fix {
            message: message.into(),
            edits,
        });
        self
    }

    /// Sets the primary label's text.
    #[must_use]
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        if let Some(label) = self.labels.iter_mut().find(|l| l.primary) {
            label.message = Some(message.into());
        }
        self
    }

    /// Adds a secondary label.
    #[must_use]
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: Some(message.into()),
            primary: false,
            source: None,
        });
        self
    }

    /// Adds a secondary label in another file.
    #[must_use]
    pub fn with_secondary_in(
        mut self,
        source: &SourceFile,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.labels.push(Label {
            span,
            message: Some(message.into()),
            primary: false,
            source: Some(source.clone()),
        });
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Overrides the severity.
    #[must_use]
    pub fn with_severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    /// Attaches the source the spans point into.
    #[must_use]
    ///
    /// A fix that renames a quoted YAML scalar (`'conversaton_label_1'`) to a bare name keeps
    /// the quotes: the edit's replacement is wrapped in the same quote characters, so `--fix`,
    /// the JSON edits and the language server's code actions change the name and nothing else.
    pub fn in_source(mut self, source: &SourceFile) -> Diagnostic {
        if let Some(fix) = &mut self.fix {
            for edit in &mut fix.edits {
                keep_quotes(source.text(), edit);
            }
        }
        self.source = Some(source.clone());
        self
    }

    /// The primary span.
    #[must_use]
    pub fn primary_span(&self) -> Span {
        self.labels
            .iter()
            .find(|l| l.primary)
            .map(|l| l.span)
            .unwrap_or_default()
    }

    /// File name, or `<unknown>` when no source is attached.
    #[must_use]
    pub fn file_name(&self) -> &str {
        self.source.as_ref().map_or("<unknown>", SourceFile::name)
    }

    /// 1-based line and column of the primary span's start (1:1 without a source).
    #[must_use]
    pub fn line_col(&self) -> (usize, usize) {
        self.source
            .as_ref()
            .map_or((1, 1), |s| s.line_col(self.primary_span().start))
    }

    /// True at error level.
    #[must_use]
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(format!(
            "{}({})",
            self.code.as_str(),
            self.code.info().name
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(
            self.labels
                .iter()
                .filter(|l| !l.is_foreign(self))
                .map(|label| {
                    let span = (label.span.start, label.span.len());
                    if label.primary {
                        miette::LabeledSpan::new_primary_with_span(label.message.clone(), span)
                    } else {
                        miette::LabeledSpan::new_with_span(label.message.clone(), span)
                    }
                }),
        ))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if !self.labels.iter().any(|l| l.is_foreign(self)) {
            return None;
        }
        Some(Box::new(
            self.labels
                .iter()
                .filter(|l| l.is_foreign(self))
                .map(|l| l as &dyn miette::Diagnostic),
        ))
    }
}

/// A label in another file renders as a related report of its own, with its snippet.
impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.message {
            Some(message) => f.write_str(message),
            None => f.write_str(self.source.as_ref().map_or("", SourceFile::name)),
        }
    }
}

impl std::error::Error for Label {}

impl miette::Diagnostic for Label {
    /// The other file's name, so the related report reads `Advice: other.yaml`.
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.source
            .as_ref()
            .map(|s| Box::new(s.name()) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(
                self.message.clone(),
                (self.span.start, self.span.len()),
            ),
        )))
    }
}

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // miette's `str` reader counts lines from the start of the text for every span, so
        // many findings in one large file (a 20,000-entry lock) took quadratic time. Cut the
        // text to the lines the snippet can show (one more each side), found through the
        // line index, and shift the answer back: the same contents, in time of the window.
        let start = self.clamp(span.offset());
        let end = self
            .clamp(span.offset().saturating_add(span.len()))
            .max(start);
        let line_of = |offset: usize| self.line_col(offset).0 - 1;
        let first = line_of(start).saturating_sub(context_lines_before + 1);
        let last = line_of(end).saturating_add(context_lines_after + 1);
        let window_start = self.line_start(first);
        let window_end = self.line_start(last.saturating_add(1)).max(window_start);
        let window = &self.text()[window_start..window_end];
        let relative = miette::SourceSpan::from((start - window_start, end - start));
        let inner = window.read_span(&relative, context_lines_before, context_lines_after)?;
        let shifted =
            miette::SourceSpan::from((inner.span().offset() + window_start, inner.span().len()));
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name().to_string(),
            inner.data(),
            shifted,
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
        )))
    }
}

/// Sorts diagnostics by file, position and code, the order every renderer uses.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.file_name(), a.primary_span().start, a.code.as_str()).cmp(&(
            b.file_name(),
            b.primary_span().start,
            b.code.as_str(),
        ))
    });
}

/// Wraps a bare-name replacement in the quotes of the scalar it replaces (see `in_source`).
fn keep_quotes(text: &str, edit: &mut Edit) {
    let Some(old) = text.get(edit.span.range()) else {
        return;
    };
    let bare = !edit.replacement.is_empty()
        && edit
            .replacement
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    for quote in ['\'', '"'] {
        if bare && old.len() >= 2 && old.starts_with(quote) && old.ends_with(quote) {
            edit.replacement = format!("{quote}{}{quote}", edit.replacement);
            return;
        }
    }
}
#[cfg(test)]
mod read_span_tests {
    use miette::SourceCode;

    /// The windowed reader gives what miette's reader of the whole text gives.
    #[test]
    fn windowed_read_span_is_miettes() {
        let mut text = String::new();
        for i in 0..40 {
            text.push_str(match i % 4 {
                0 => "key: value\n",
                1 => "  nested: é ▸ x\r\n",
                2 => "cr only\r",
                _ => "\n",
            });
        }
        let file = crate::source::SourceFile::new("x", text.clone());
        let mut offsets: Vec<usize> = (0..text.len()).step_by(7).collect();
        offsets.push(text.len());
        for off in offsets.into_iter().filter(|o| text.is_char_boundary(*o)) {
            for len in [0, 1, 5, 60] {
                let len = (text.len() - off).min(len);
                if !text.is_char_boundary(off + len) {
                    continue;
                }
                for (before, after) in [(0, 0), (2, 2), (1, 3), (0, 5)] {
                    let span = miette::SourceSpan::from((off, len));
                    let whole = text
                        .as_str()
                        .read_span(&span, before, after)
                        .expect("reads");
                    let ours = file.read_span(&span, before, after).expect("reads");
                    let at = format!("{off}+{len} {before}/{after}");
                    assert_eq!(whole.data(), ours.data(), "{at}");
                    assert_eq!(whole.span(), ours.span(), "{at}");
                    assert_eq!(whole.line(), ours.line(), "{at}");
                    assert_eq!(whole.column(), ours.column(), "{at}");
                    assert_eq!(whole.line_count(), ours.line_count(), "{at}");
                }
            }
        }
    }
}
