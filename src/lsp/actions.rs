//! Code actions: every fix `flexmap lint --fix` can apply, and "allow" for a finding.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, WorkspaceEdit};

use super::analysis::Document;
use super::convert;
use super::position::Encoding;
use crate::diagnostic::Diagnostic;
use crate::source::{SourceFile, Span};

/// The actions for the findings that touch `range`.
#[must_use]
pub fn code_actions(
    encoding: Encoding,
    document: &Document,
    range: Range,
) -> Vec<CodeActionOrCommand> {
    let source = &document.source;
    let Some(checked) = &document.checked else {
        return Vec::new();
    };
    let wanted = encoding.span(source, range);
    let mut out = Vec::new();
    for diagnostic in &checked.diagnostics {
        if diagnostic
            .source
            .as_ref()
            .is_some_and(|s| s.name() != source.name())
        {
            continue;
        }
        let span = diagnostic.primary_span();
        if span.end < wanted.start || span.start > wanted.end {
            continue;
        }
        let lsp_diagnostic = convert::diagnostic(encoding, source, diagnostic);
        if let Some(fix) = &diagnostic.fix {
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(encoding.range(source, e.span), e.replacement.clone()))
                .collect();
            out.push(action(
                document,
                format!("{} ({})", fix.message, diagnostic.code.as_str()),
                CodeActionKind::QUICKFIX,
                edits,
                &lsp_diagnostic,
                true,
            ));
        }
        if diagnostic.severity != crate::Severity::Error
            && let Some(rule_span) = rule_of(checked, span)
            && let Some(edit) = allow_edit(source, rule_span, diagnostic)
        {
            out.push(action(
                document,
                format!(
                    "allow {} here (add `allow: [{}]`)",
                    diagnostic.code.as_str(),
                    diagnostic.code.name()
                ),
                CodeActionKind::QUICKFIX,
                vec![TextEdit::new(encoding.range(source, edit.0), edit.1)],
                &lsp_diagnostic,
                false,
            ));
        }
    }
    out
}

fn action(
    document: &Document,
    title: String,
    kind: CodeActionKind,
    edits: Vec<TextEdit>,
    diagnostic: &lsp_types::Diagnostic,
    preferred: bool,
) -> CodeActionOrCommand {
    let mut changes = HashMap::new();
    changes.insert(document.uri.clone(), edits);
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics: Some(vec![diagnostic.clone()]),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        is_preferred: Some(preferred),
        ..CodeAction::default()
    })
}

/// The key span of the rule (or custom field) a finding at `span` is about: the rule whose
/// key or value holds it.
fn rule_of(checked: &super::analysis::Checked, span: Span) -> Option<Span> {
    let file = checked.ruleset.as_ref()?.model()?;
    let rules = file
        .rules
        .iter()
        .chain(file.custom.iter().map(|c| &c.rule))
        .map(|r| (r.name_span, r.name_span.to(r.value.span())));
    let customs = file
        .custom
        .iter()
        .map(|c| (c.name_span, c.name_span.to(c.rule.value.span())));
    rules
        .chain(customs)
        .filter(|(_, whole)| whole.start <= span.start && span.start <= whole.end)
        .min_by_key(|(_, whole)| whole.len())
        .map(|(key, _)| key)
}

/// The edit that allows `diagnostic` on the rule whose key is at `key`: an `allow:` entry
/// when the rule is a mapping (`value:` below the key), else a `# flexmap: allow(…)`
/// comment on the line above the key (the same suppression).
fn allow_edit(source: &SourceFile, key: Span, diagnostic: &Diagnostic) -> Option<(Span, String)> {
    let text = source.text();
    let name = diagnostic.code.name();
    let (line, _) = source.line_col(key.start);
    let line_start = source.line_start(line - 1);
    let line_end = source.line_end(line - 1);
    let indent = &text[line_start..key.start];
    if !indent.chars().all(|c| c == ' ') {
        return None;
    }
    let after_key = text[key.end..line_end].trim();
    let mapping = after_key == ":" || after_key.starts_with(":#") || after_key.starts_with(": #");
    if mapping && line < source.line_count() {
        let next_start = source.line_start(line);
        let next = &text[next_start..source.line_end(line)];
        let child_indent = &next[..next.len() - next.trim_start_matches(' ').len()];
        if child_indent.len() > indent.len() {
            return Some((
                Span::at(next_start),
                format!("{child_indent}allow: [{name}]\n"),
            ));
        }
    }
    Some((
        Span::at(line_start),
        format!("{indent}# flexmap: allow({name})\n"),
    ))
}
