//! What is under the cursor, and which YAML context it is in, read from the text (the rule
//! model may be incomplete while the user types).

use crate::source::{SourceFile, Span};

/// The path-like word around `offset` (`crm.contact.id`, `wrap_up_time`, `lookup`), with its
/// span; empty at a space.
#[must_use]
pub fn word_at(source: &SourceFile, offset: usize) -> (String, Span) {
    let text = source.text();
    let offset = source.clamp(offset);
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '.' || c == '-';
    let start = text[..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(offset, |(i, _)| i);
    let end = text[offset..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| offset + i);
    (text[start..end].to_string(), Span::new(start, end))
}

/// The word that ends at `offset` (what the user is typing), with its span.
#[must_use]
pub fn prefix_at(source: &SourceFile, offset: usize) -> (String, Span) {
    let (word, span) = word_at(source, offset);
    let offset = source.clamp(offset).clamp(span.start, span.end);
    (
        word[..offset - span.start].to_string(),
        Span::new(span.start, offset),
    )
}

/// Where the cursor is in the YAML layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Context {
    /// The top-level key the line belongs to (`conversations`, `tables`, …); `None` on a
    /// top-level line.
    pub section: Option<String>,
    /// Indentation of the cursor's line.
    pub indent: usize,
    /// Indentation of the section's first entry (its rules, tables, …).
    pub entry_indent: Option<usize>,
    /// The key of the cursor's line when the cursor is in its value (after `key:`), or of
    /// the enclosing block list (`allow:` above `- name`).
    pub value_of: Option<String>,
    /// The text of the line before the cursor.
    pub before: String,
}

impl Context {
    /// True when the cursor is where a key is typed (not after `key:`).
    #[must_use]
    pub fn in_key(&self) -> bool {
        self.value_of.is_none() && !self.before.trim_start().starts_with('-')
    }
}

/// The layout context of `offset`.
#[must_use]
pub fn context(source: &SourceFile, offset: usize) -> Context {
    let offset = source.clamp(offset);
    let (line, _) = source.line_col(offset);
    let line = line - 1;
    let text = source.text();
    let before = text[source.line_start(line)..offset].to_string();
    let indent = indentation(&before);
    let lines: Vec<&str> = (0..line)
        .map(|l| &text[source.line_start(l)..source.line_end(l)])
        .collect();
    let mut section = None;
    let mut entry_indent = None;
    if indent > 0 || before.trim().is_empty() {
        for (i, above) in lines.iter().enumerate().rev() {
            if is_blank_or_comment(above) {
                continue;
            }
            if indentation(above) == 0 {
                section = above.split(':').next().map(|k| k.trim().to_string());
                entry_indent = lines[i + 1..]
                    .iter()
                    .find(|l| !is_blank_or_comment(l))
                    .map(|l| indentation(l))
                    .or(Some(indent));
                break;
            }
        }
        if indent == 0 && !before.trim().is_empty() {
            section = None;
        }
    }
    let trimmed = before.trim_start();
    let mut value_of = key_of(trimmed).filter(|_| trimmed.contains(':'));
    if value_of.is_none() && trimmed.starts_with('-') {
        // A block list item: the key above with less indentation.
        value_of = lines
            .iter()
            .rev()
            .filter(|l| !is_blank_or_comment(l))
            .find(|l| indentation(l) < indent || !l.trim_start().starts_with('-'))
            .and_then(|l| key_of(l.trim_start()));
    }
    Context {
        section,
        indent,
        entry_indent,
        value_of,
        before,
    }
}

/// The key of a `key: value` line (quotes removed).
fn key_of(line: &str) -> Option<String> {
    let (key, _) = line.split_once(':')?;
    let key = key.trim().trim_matches(['"', '\'']);
    (!key.is_empty() && !key.contains(' ')).then(|| key.to_string())
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// In an expression, the non-space character before `start` (`|` before a filter name).
#[must_use]
pub fn char_before(source: &SourceFile, start: usize) -> Option<char> {
    source.text()[..source.clamp(start)]
        .chars()
        .rev()
        .find(|c| *c != ' ')
}

/// True when the cursor is inside an unclosed `lookup(` (where a table name goes).
#[must_use]
pub fn in_lookup(before: &str) -> bool {
    before
        .rfind("lookup(")
        .is_some_and(|i| !before[i..].contains([')', ',']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts() {
        let text = "flexmap: 1\nconversations:\n  ivr_path: ivr.digits | hier\n  wr\n  x:\n    allow:\n      - dup\n";
        let source = SourceFile::new("t", text);
        let at = |needle: &str| text.find(needle).expect("needle") + needle.len();
        let key = context(&source, at("\n  wr"));
        assert_eq!(key.section.as_deref(), Some("conversations"));
        assert!(key.in_key());
        assert_eq!(key.entry_indent, Some(2));
        let value = context(&source, at("| hier"));
        assert_eq!(value.value_of.as_deref(), Some("ivr_path"));
        assert_eq!(char_before(&source, at("| ")), Some('|'));
        let item = context(&source, at("- dup"));
        assert_eq!(item.value_of.as_deref(), Some("allow"));
        assert_eq!(prefix_at(&source, at("| hi")).0, "hi");
        assert_eq!(word_at(&source, at("ivr.di")).0, "ivr.digits");
        assert!(in_lookup("x: a | lookup(lan"));
        assert!(!in_lookup("x: a | lookup(lan, 1"));
    }
}
