//! Hover, completion, go to definition and document symbols.

use std::fmt::Write as _;

use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionTextEdit, DocumentSymbol,
    Documentation, GotoDefinitionResponse, Hover, HoverContents, Location, MarkupContent,
    MarkupKind, Position, SymbolKind, TextEdit,
};

use super::analysis::Document;
use super::cursor;
use super::position::Encoding;
use crate::catalog::{self, Field, Kind, Section};
use crate::check::AnalyzedRule;
use crate::rules_file::{RuleFile, RuleSection};
use crate::runtime::filters::{FILTERS, FilterDef};
use crate::source::Span;

/// The parsed model and analysis of a document's last check.
fn analyzed(document: &Document) -> Option<(&RuleFile, crate::check::Analysis)> {
    let checked = document.checked.as_ref()?;
    let ruleset = checked.ruleset.as_ref()?;
    Some((ruleset.model()?, checked.analysis()?))
}

fn markdown(value: String, range: Option<lsp_types::Range>) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range,
    }
}

/// Hover: a target field (kind, limits, what Insights does, the slot of a custom field), a
/// filter (signature, doc line, example), a table (entries), an input path (declaration).
#[must_use]
pub fn hover(encoding: Encoding, document: &Document, position: Position) -> Option<Hover> {
    let source = &document.source;
    let offset = encoding.offset(source, position);
    let (file, analysis) = analyzed(document)?;
    let contains = |span: Span| span.start <= offset && offset <= span.end && !span.is_empty();
    if let Some(rule) = analysis.rules.iter().find(|r| contains(r.rule.name_span)) {
        let range = encoding.range(source, rule.rule.name_span);
        return Some(markdown(describe_target(rule), Some(range)));
    }
    if let Some(table) = file.tables.iter().find(|t| contains(t.span)) {
        return Some(markdown(
            describe_table(table),
            Some(encoding.range(source, table.span)),
        ));
    }
    if let Some(input) = file.inputs.iter().find(|i| contains(i.span)) {
        return Some(markdown(
            describe_input(source, input),
            Some(encoding.range(source, input.span)),
        ));
    }
    let (word, span) = cursor::word_at(source, offset);
    if word.is_empty() {
        return None;
    }
    let range = Some(encoding.range(source, span));
    if cursor::char_before(source, span.start) == Some('|')
        && let Some(filter) = crate::runtime::filters::find(&word)
    {
        return Some(markdown(describe_filter(filter), range));
    }
    if let Some(table) = file.tables.iter().find(|t| t.name == word) {
        return Some(markdown(describe_table(table), range));
    }
    if let Some(input) = declared_input(file, &word) {
        return Some(markdown(describe_input(source, input), range));
    }
    if let Some(code) = crate::Code::from_code_or_name(&word) {
        let info = code.info();
        return Some(markdown(
            format!("**{}** `{}`\n\n{}", info.code, info.name, info.summary),
            range,
        ));
    }
    None
}

/// The declaration of the input `word` reads (the path itself, or a prefix of it).
fn declared_input<'a>(file: &'a RuleFile, word: &str) -> Option<&'a crate::rules_file::InputDecl> {
    file.inputs
        .iter()
        .filter(|i| word == i.path || word.starts_with(&format!("{}.", i.path)))
        .max_by_key(|i| i.path.len())
}

fn describe_target(rule: &AnalyzedRule) -> String {
    let mut out = String::new();
    let section = rule.rule.section.name();
    if let Some(custom) = &rule.rule.custom {
        let _ = writeln!(out, "**custom field `{custom}`** ({section})\n");
        match rule.slot {
            Some(slot) => {
                let _ = writeln!(
                    out,
                    "The slot allocator gives it **`{slot}`** (the project's slot plan, pinned by flexmap.lock once `flexmap lock` runs).\n"
                );
            }
            None => {
                let _ = writeln!(out, "No slot is free for it (see FM201).\n");
            }
        }
    } else {
        let _ = writeln!(out, "**`{section}.{}`**\n", rule.target);
    }
    if let Some(kind) = rule.kind {
        let _ = writeln!(out, "Insights kind: `{kind}` — {}\n", kind_limits(kind));
    }
    if let Some(field) = rule.field {
        out.push_str(&describe_field(field));
    } else if let Some(slot) = rule.slot {
        let _ = writeln!(
            out,
            "A numbered custom {} slot: Insights shows it under whatever name the report builder gives it.",
            slot.kind
        );
    } else if rule.rule.section == RuleSection::Extra {
        out.push_str("An `extra` attribute: written at the top of the attributes object; Insights does not read it.\n");
    }
    out
}

fn describe_field(field: &Field) -> String {
    let mut out = format!("{}\n", field.summary);
    if !field.values.is_empty() {
        let _ = write!(out, "\nValues: {}\n", quoted(field.values));
    }
    if let Some(default) = field.taskrouter_default {
        let _ = write!(out, "\nWhen not set, Insights fills it from {default}.\n");
    }
    if let Some(requires) = field.requires {
        let _ = write!(out, "\nShown only together with `{requires}`.\n");
    }
    if field.hipaa_dropped {
        out.push_str("\nDropped before Insights on HIPAA accounts.\n");
    }
    if field.read_only {
        out.push_str("\nRead-only: Flex sets it; do not write it.\n");
    }
    if field.identifier {
        out.push_str("\nHolds identifiers: high cardinality is expected.\n");
    }
    let _ = write!(out, "\nEvidence: {}", field.evidence);
    out
}

fn quoted(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What Insights does with a value of `kind`, and its limits (the catalog's note).
fn kind_limits(kind: Kind) -> &'static str {
    kind.insights_note()
}

fn describe_table(table: &crate::rules_file::Table) -> String {
    let mut out = format!(
        "**table `{}`** ({} entries)\n\n",
        table.name,
        table.entries.len()
    );
    out.push_str("| key | value |\n|---|---|\n");
    for (key, value) in table.entries.iter().take(50) {
        let _ = writeln!(out, "| `{key}` | `{value}` |");
    }
    if table.entries.len() > 50 {
        let _ = writeln!(out, "\n… and {} more", table.entries.len() - 50);
    }
    out
}

fn describe_input(source: &crate::SourceFile, input: &crate::rules_file::InputDecl) -> String {
    let (line, _) = source.line_col(input.span.start);
    let declaration = &source.text()[source.line_start(line - 1)..source.line_end(line - 1)];
    let mut out = format!(
        "**input `{}`**\n\n```yaml\n{}\n```\n",
        input.path,
        declaration.trim_end()
    );
    if let Some((ty, _)) = input.ty {
        let _ = write!(out, "\ntype: `{}`", format!("{ty:?}").to_lowercase());
    }
    if let Some(high) = input.high_cardinality {
        let _ = write!(out, "\ncardinality: {}", if high { "high" } else { "low" });
    }
    if input.pii {
        out.push_str("\npii: true (FM401/FM402 follow where it goes)");
    }
    if let Some(max) = input.max_length {
        let _ = write!(out, "\nmax_length: {max}");
    }
    out
}

fn describe_filter(filter: &FilterDef) -> String {
    let mut out = format!("```\n{}\n```\n\n{}\n", filter.call(), filter.doc);
    if let Some((example, result)) = filter.examples.first() {
        let _ = write!(out, "\nExample: `{example}` → `{result}`");
    }
    out
}

/// Completion: target fields of the section (did-you-mean ranked), filters with their
/// signatures, table names, declared inputs, lint names in `allow:`.
#[must_use]
pub fn completion(encoding: Encoding, document: &Document, position: Position) -> CompletionList {
    let source = &document.source;
    let offset = encoding.offset(source, position);
    let context = cursor::context(source, offset);
    let (prefix, span) = cursor::prefix_at(source, offset);
    let replace = encoding.range(source, span);
    let file = document
        .checked
        .as_ref()
        .and_then(|c| c.ruleset.as_ref())
        .and_then(crate::Ruleset::model);
    let mut items: Vec<CompletionItem> = Vec::new();
    let mut push =
        |label: String, kind: CompletionItemKind, detail: String, docs: Option<String>| {
            let (rank, filter) = rank(&prefix, &label);
            items.push(CompletionItem {
                sort_text: Some(format!("{rank:03}{:04}", items.len())),
                filter_text: filter.then(|| prefix.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                    replace,
                    label.clone(),
                ))),
                label,
                kind: Some(kind),
                detail: Some(detail),
                documentation: docs.map(|value| {
                    Documentation::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value,
                    })
                }),
                ..CompletionItem::default()
            });
        };
    let section = context.section.as_deref();
    if context.value_of.as_deref() == Some("allow") {
        for info in crate::diagnostic::codes::CODES {
            push(
                info.name.to_string(),
                CompletionItemKind::ENUM_MEMBER,
                format!("{} {}", info.code, info.summary),
                None,
            );
        }
    } else if context.in_key() {
        let rule_level = context.entry_indent.is_some_and(|e| context.indent > e);
        match section.and_then(Section::from_name) {
            Some(section) if !rule_level => {
                for field in catalog::section_fields(section) {
                    push(
                        field.name.to_string(),
                        CompletionItemKind::FIELD,
                        format!("{}: {}", field.kind, field.summary),
                        Some(describe_field(field)),
                    );
                }
                for slot in catalog::slots(section) {
                    push(
                        slot.name(),
                        CompletionItemKind::FIELD,
                        format!("custom {} slot", slot.kind),
                        None,
                    );
                }
            }
            Some(_) => {
                for key in crate::rules_file::RULE_KEYS {
                    push(
                        (*key).to_string(),
                        CompletionItemKind::PROPERTY,
                        "rule key".into(),
                        None,
                    );
                }
            }
            None if section.is_none() && context.indent == 0 => {
                for key in crate::rules_file::TOP_LEVEL_KEYS {
                    push(
                        (*key).to_string(),
                        CompletionItemKind::MODULE,
                        "section".into(),
                        None,
                    );
                }
            }
            None => {}
        }
    } else if context.value_of.as_deref() == Some("target") {
        for target in ["task", "worker"] {
            push(
                target.into(),
                CompletionItemKind::ENUM_MEMBER,
                "target".into(),
                None,
            );
        }
    } else if let Some(file) = file {
        if cursor::in_lookup(&context.before) {
            for table in &file.tables {
                push(
                    table.name.clone(),
                    CompletionItemKind::STRUCT,
                    format!("table, {} entries", table.entries.len()),
                    Some(describe_table(table)),
                );
            }
        } else if cursor::char_before(source, span.start) == Some('|') {
            for filter in FILTERS {
                push(
                    filter.name.to_string(),
                    CompletionItemKind::FUNCTION,
                    filter.call(),
                    Some(describe_filter(filter)),
                );
            }
        } else {
            for input in &file.inputs {
                push(
                    input.path.clone(),
                    CompletionItemKind::VARIABLE,
                    "declared input".into(),
                    Some(describe_input(source, input)),
                );
            }
        }
    } else if cursor::char_before(source, span.start) == Some('|') {
        for filter in FILTERS {
            push(
                filter.name.to_string(),
                CompletionItemKind::FUNCTION,
                filter.call(),
                Some(describe_filter(filter)),
            );
        }
    }
    CompletionList {
        is_incomplete: false,
        items,
    }
}

/// Did-you-mean rank of `label` for the typed `prefix` (0 best), and whether to make the
/// client show it although its letters do not match (a plausible typo).
fn rank(prefix: &str, label: &str) -> (usize, bool) {
    if prefix.is_empty() || label.starts_with(prefix) {
        return (0, false);
    }
    let head: String = label.chars().take(prefix.chars().count()).collect();
    let distance = strsim::osa_distance(prefix, &head).min(strsim::osa_distance(prefix, label));
    let plausible = distance <= (prefix.chars().count() / 3).max(1);
    (1 + distance.min(99), plausible)
}

/// Go to definition: a table name goes to its declaration, an input path to its
/// declaration, a numbered slot to the custom field the allocator gave it.
#[must_use]
pub fn definition(
    encoding: Encoding,
    document: &Document,
    position: Position,
) -> Option<GotoDefinitionResponse> {
    let source = &document.source;
    let offset = encoding.offset(source, position);
    let (file, analysis) = analyzed(document)?;
    let (word, _) = cursor::word_at(source, offset);
    let location = |span: Span| Location::new(document.uri.clone(), encoding.range(source, span));
    if let Some(table) = file.tables.iter().find(|t| t.name == word) {
        return Some(GotoDefinitionResponse::Scalar(location(table.span)));
    }
    if let Some(input) = declared_input(file, &word) {
        return Some(GotoDefinitionResponse::Scalar(location(input.span)));
    }
    // A slot written by hand, or named in `slot:`: the custom field that holds it.
    let slot = analysis
        .rules
        .iter()
        .find(|r| r.rule.custom.is_none() && r.slot.is_some() && r.target == word)
        .and_then(|r| r.slot);
    let custom = analysis.rules.iter().find(|r| {
        r.rule.custom.is_some()
            && (r.rule.custom.as_deref() == Some(word.as_str())
                || (slot.is_some() && r.slot == slot)
                || r.slot.is_some_and(|s| s.name() == word))
    })?;
    let field = file
        .custom
        .iter()
        .find(|c| Some(&c.name) == custom.rule.custom.as_ref())?;
    Some(GotoDefinitionResponse::Scalar(location(field.name_span)))
}

/// Document symbols: each top-level section, with its rules, tables, inputs and custom
/// fields.
#[must_use]
pub fn symbols(encoding: Encoding, document: &Document) -> Vec<DocumentSymbol> {
    let source = &document.source;
    let text = source.text();
    let file = document
        .checked
        .as_ref()
        .and_then(|c| c.ruleset.as_ref())
        .and_then(crate::Ruleset::model);
    // Top-level keys: lines without indentation.
    let mut tops: Vec<(String, usize, usize)> = Vec::new();
    for line in 0..source.line_count() {
        let (start, end) = (source.line_start(line), source.line_end(line));
        let content = &text[start..end];
        if content.starts_with([' ', '\t', '#', '-']) || content.trim().is_empty() {
            continue;
        }
        if let Some((key, _)) = content.split_once(':') {
            if let Some(last) = tops.last_mut() {
                last.2 = start;
            }
            tops.push((key.trim().to_string(), start, text.len()));
        }
    }
    let mut out = Vec::new();
    for (name, start, end) in tops {
        let section_span = Span::new(start, trim_end(text, start, end));
        let mut children = Vec::new();
        if let Some(file) = file {
            let inside = |span: Span| span.start >= start && span.start < end;
            let mut child =
                |name: String, detail: Option<String>, kind: SymbolKind, span: Span, full: Span| {
                    #[allow(deprecated)]
                    children.push(DocumentSymbol {
                        name,
                        detail,
                        kind,
                        tags: None,
                        deprecated: None,
                        range: encoding.range(source, full),
                        selection_range: encoding.range(source, span),
                        children: None,
                    });
                };
            for rule in file.rules.iter().filter(|r| inside(r.name_span)) {
                let full = rule.name_span.to(rule.value.span());
                child(
                    rule.name.clone(),
                    None,
                    SymbolKind::FIELD,
                    rule.name_span,
                    full,
                );
            }
            for custom in file.custom.iter().filter(|c| inside(c.name_span)) {
                let full = custom.name_span.to(custom.rule.value.span());
                child(
                    custom.name.clone(),
                    Some(format!("custom {} ({})", custom.kind, custom.scope.name())),
                    SymbolKind::FIELD,
                    custom.name_span,
                    full,
                );
            }
            for table in file.tables.iter().filter(|t| inside(t.span)) {
                child(
                    table.name.clone(),
                    Some(format!("{} entries", table.entries.len())),
                    SymbolKind::STRUCT,
                    table.span,
                    table.span,
                );
            }
            for input in file.inputs.iter().filter(|i| inside(i.span)) {
                child(
                    input.path.clone(),
                    None,
                    SymbolKind::VARIABLE,
                    input.span,
                    input.span,
                );
            }
        }
        let selection = Span::new(start, start + name.len());
        #[allow(deprecated)]
        out.push(DocumentSymbol {
            name,
            detail: None,
            kind: SymbolKind::MODULE,
            tags: None,
            deprecated: None,
            range: encoding.range(source, section_span),
            selection_range: encoding.range(source, selection),
            children: Some(children),
        });
    }
    out
}

/// `end` moved back over trailing blank space.
fn trim_end(text: &str, start: usize, end: usize) -> usize {
    start + text[start..end].trim_end().len()
}
