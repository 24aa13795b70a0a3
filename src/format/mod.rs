//! `flexmap fmt` as a library: one canonical layout of a rule file (or any YAML file
//! flexmap reads), printed from the spanned YAML tree (`rules_file::yaml::Node`) and the
//! expression syntax (`syntax::format`), keeping every comment and the order of keys.
//!
//! The layout: block mappings and sequences indented by two spaces (a sequence under a key
//! is indented too), `key: value` with one space, flow collections on one line as
//! `{ a: b, c: d }` and `[a, b]`, one blank line between top-level sections, runs of blank
//! lines collapsed to one and none right after a `key:` that opens a block, trailing comments
//! two spaces after the value, no trailing whitespace, `\n` line endings, one final newline.
//! Expressions (`value:`, `when:` and the plain rule values of a rule file) get the
//! expression layout of `syntax::format` and are written plain when YAML reads them back as
//! the same string, else single-quoted. Other scalars stay as written. Comments are kept
//! byte for byte; an own-line comment is re-indented to the line it precedes.
//!
//! Safety: the formatted text is parsed again and must hold the same tree (expressions
//! compared in canonical layout), and formatting it again must change nothing; otherwise
//! the file is refused and left as it is. YAML with anchors, aliases, tags, directives,
//! several documents or complex keys is refused too.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Diagnostic;
use crate::rules_file::yaml::{self, Node, NodeKind};
use crate::source::SourceFile;

/// Sections of a rule file whose entries are rules.
const RULE_SECTIONS: &[&str] = &["conversations", "customers", "worker", "extra", "custom"];

/// Why a file was not formatted.
#[derive(Clone, Debug)]
pub enum FormatError {
    /// The YAML does not parse: the diagnostics `flexmap lint` gives (FM001, FM901).
    Invalid(Vec<Diagnostic>),
    /// The file uses YAML that `fmt` does not lay out (it is left as it is).
    Unsupported(String),
}

/// The canonical layout of `source`.
///
/// # Errors
/// `Invalid` when the YAML does not parse; `Unsupported` for YAML the formatter does not
/// lay out, or when the result would not read back as the same tree.
pub fn format_source(source: &SourceFile) -> Result<String, FormatError> {
    let first = format_once(source)?;
    let again = format_once(&SourceFile::new(source.name(), first.as_str()))?;
    if again != first {
        return Err(FormatError::Unsupported(
            "the layout is not stable on this file (a formatter bug); the file is left as it is"
                .into(),
        ));
    }
    Ok(first)
}

fn format_once(source: &SourceFile) -> Result<String, FormatError> {
    let root = parse(source)?;
    let text = source.text();
    let mut formatter = Formatter::new(text, &root)?;
    formatter.document(&root)?;
    let out = formatter.finish();
    let reread = yaml::parse(&SourceFile::new(source.name(), out.as_str())).map_err(|e| {
        FormatError::Unsupported(format!(
            "the formatted text would not parse ({}); the file is left as it is",
            e.message
        ))
    })?;
    let before = canonical(&root, &expression_starts(&root));
    let after = canonical(&reread, &expression_starts(&reread));
    if before != after {
        return Err(FormatError::Unsupported(
            "the formatted text would not read back as the same YAML; the file is left as it is"
                .into(),
        ));
    }
    Ok(out)
}

fn parse(source: &SourceFile) -> Result<Node, FormatError> {
    yaml::parse(source).map_err(|_| {
        let (_, diagnostics) = crate::rules_file::load(source);
        FormatError::Invalid(diagnostics)
    })
}

/// Where each scalar in an expression position starts (rule values, `value:`, `when:`).
fn expression_starts(root: &Node) -> HashSet<usize> {
    let mut starts = HashSet::new();
    let NodeKind::Map(entries) = &root.kind else {
        return starts;
    };
    let is_rule_file = entries
        .first()
        .is_some_and(|(k, _)| k.as_str() == Some("flexmap"));
    if !is_rule_file {
        return starts;
    }
    for (key, section) in entries {
        let Some(name) = key.as_str() else { continue };
        if !RULE_SECTIONS.contains(&name) {
            continue;
        }
        let NodeKind::Map(rules) = &section.kind else {
            continue;
        };
        for (_, rule) in rules {
            match &rule.kind {
                NodeKind::Str(_) if name != "custom" => {
                    starts.insert(rule.span.start);
                }
                NodeKind::Map(fields) => {
                    for (field, value) in fields {
                        if matches!(field.as_str(), Some("value" | "when"))
                            && matches!(value.kind, NodeKind::Str(_))
                        {
                            starts.insert(value.span.start);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    starts
}

/// The tree without positions, expressions in canonical layout: what must not change.
fn canonical(node: &Node, expressions: &HashSet<usize>) -> String {
    let mut out = String::new();
    canonical_into(node, expressions, &mut out);
    out
}

fn canonical_into(node: &Node, expressions: &HashSet<usize>, out: &mut String) {
    use std::fmt::Write as _;
    match &node.kind {
        NodeKind::Str(s) if expressions.contains(&node.span.start) => {
            let _ = write!(
                out,
                "E{:?}",
                crate::syntax::format(s).unwrap_or_else(|_| s.clone())
            );
        }
        NodeKind::Seq(items) => {
            out.push('[');
            for item in items {
                canonical_into(item, expressions, out);
                out.push(',');
            }
            out.push(']');
        }
        NodeKind::Map(entries) => {
            out.push('{');
            for (k, v) in entries {
                canonical_into(k, expressions, out);
                out.push(':');
                canonical_into(v, expressions, out);
                out.push(',');
            }
            out.push('}');
        }
        other => {
            let _ = write!(out, "{other:?}");
        }
    }
}

/// A comment: where its `#` is, its text, and whether it is alone on its line.
struct Comment {
    start: usize,
    text: String,
    own_line: bool,
    column: usize,
}

struct Formatter<'a> {
    text: &'a str,
    comments: Vec<Comment>,
    /// Token start → own-line comments printed before its line.
    leading: HashMap<usize, Vec<usize>>,
    /// Token start → comments printed at the end of its line.
    trailing: HashMap<usize, Vec<usize>>,
    /// Token start → own-line comments printed after its line (indented deeper than what follows).
    after: HashMap<usize, Vec<usize>>,
    /// Comments after the last token, at the left margin.
    trailer: Vec<usize>,
    /// Block scalar headers (`|`, `>-`) by content start.
    headers: HashMap<usize, String>,
    expressions: HashSet<usize>,
    lines: Vec<String>,
    /// True right after a line that opens a block: no blank line may follow.
    opened: bool,
}

/// The scalar nodes of the tree (the tokens between which only syntax and comments lie).
fn tokens(node: &Node, out: &mut Vec<(usize, usize)>) {
    match &node.kind {
        NodeKind::Seq(items) => items.iter().for_each(|i| tokens(i, out)),
        NodeKind::Map(entries) => {
            for (k, v) in entries {
                tokens(k, out);
                tokens(v, out);
            }
        }
        _ if node.span.end > node.span.start => out.push((node.span.start, node.span.end)),
        _ => {}
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

fn unsupported(what: &str) -> FormatError {
    FormatError::Unsupported(format!(
        "the file uses {what}, which `flexmap fmt` does not lay out; the file is left as it is"
    ))
}

impl<'a> Formatter<'a> {
    fn new(text: &'a str, root: &Node) -> Result<Formatter<'a>, FormatError> {
        let mut spans = Vec::new();
        tokens(root, &mut spans);
        spans.sort_unstable();
        let mut formatter = Formatter {
            text,
            comments: Vec::new(),
            leading: HashMap::new(),
            trailing: HashMap::new(),
            after: HashMap::new(),
            trailer: Vec::new(),
            headers: HashMap::new(),
            expressions: expression_starts(root),
            lines: Vec::new(),
            opened: false,
        };
        let mut previous_end = 0;
        for index in 0..=spans.len() {
            let gap_end = spans.get(index).map_or(text.len(), |s| s.0);
            if gap_end < previous_end {
                return Err(unsupported("overlapping nodes (aliases)"));
            }
            formatter.gap(previous_end, gap_end, &spans, index)?;
            if let Some(span) = spans.get(index) {
                previous_end = previous_end.max(span.1);
            }
        }
        Ok(formatter)
    }

    /// Reads the syntax between two tokens: comments, block scalar headers, and nothing
    /// the formatter cannot reproduce.
    fn gap(
        &mut self,
        start: usize,
        end: usize,
        spans: &[(usize, usize)],
        next: usize,
    ) -> Result<(), FormatError> {
        let gap = &self.text[start..end];
        let mut syntax = String::new();
        let mut offset = start;
        for line in gap.split_inclusive('\n') {
            let (code, comment) = match line.find('#') {
                Some(i) => (&line[..i], Some(i)),
                None => (line, None),
            };
            if matches!(code.trim(), "---" | "...") || code.trim_start().starts_with('%') {
                return Err(unsupported("document markers or directives"));
            }
            if let Some(bad) = code
                .chars()
                .find(|c| !(c.is_whitespace() || ":-,[]{}|>+".contains(*c)))
            {
                let what = match bad {
                    '&' | '*' => "anchors or aliases",
                    '!' => "tags",
                    '?' => "complex keys",
                    _ => "YAML syntax",
                };
                return Err(unsupported(what));
            }
            syntax.push_str(code);
            syntax.push(' ');
            if let Some(i) = comment {
                let comment_start = offset + i;
                let text = line[i..].trim_end().to_string();
                let column = comment_start - line_start(self.text, comment_start);
                let own_line = self.text[line_start(self.text, comment_start)..comment_start]
                    .trim()
                    .is_empty();
                let id = self.comments.len();
                self.comments.push(Comment {
                    start: comment_start,
                    text,
                    own_line,
                    column,
                });
                self.attach(id, spans, next);
            }
            offset += line.len();
        }
        // A block scalar's header is the last word of the gap before its content.
        if let Some(&(content, _)) = spans.get(next) {
            let word = syntax.split_whitespace().last().unwrap_or("");
            if word.starts_with('|') || word.starts_with('>') {
                if word.contains('+') {
                    return Err(unsupported("block scalars that keep trailing lines (`|+`)"));
                }
                let header = word.trim_start_matches(|c| c != '|' && c != '>');
                self.headers.insert(content, header.to_string());
            }
        }
        Ok(())
    }

    fn attach(&mut self, id: usize, spans: &[(usize, usize)], next: usize) {
        let comment = &self.comments[id];
        let previous = next.checked_sub(1).and_then(|i| spans.get(i));
        let same_line = previous
            .is_some_and(|p| line_start(self.text, p.1) == line_start(self.text, comment.start));
        if !comment.own_line
            && same_line
            && let Some(previous) = previous
        {
            self.trailing.entry(previous.0).or_default().push(id);
            return;
        }
        match (spans.get(next), previous) {
            (Some(following), Some(previous))
                if comment.column > following.0 - line_start(self.text, following.0) =>
            {
                self.after.entry(previous.0).or_default().push(id);
            }
            (Some(following), _) => self.leading.entry(following.0).or_default().push(id),
            (None, Some(previous)) if comment.column > 0 => {
                self.after.entry(previous.0).or_default().push(id);
            }
            (None, _) => self.trailer.push(id),
        }
    }

    fn finish(mut self) -> String {
        let trailer = std::mem::take(&mut self.trailer);
        for id in trailer {
            self.blank_if_before(self.comments[id].start);
            let line = self.comments[id].text.clone();
            self.lines.push(line);
        }
        while self.lines.last().is_some_and(String::is_empty) {
            self.lines.pop();
        }
        // An empty (or blank) file stays empty: no lone line break is added.
        if self.lines.is_empty() {
            return String::new();
        }
        let mut out = self.lines.join("\n");
        out.push('\n');
        out
    }

    /// A blank line when the source has one right before `offset`'s line.
    fn blank_if_before(&mut self, offset: usize) {
        let start = line_start(self.text, offset);
        if start == 0 || self.opened {
            return;
        }
        let before = line_start(self.text, start - 1);
        if self.text[before..start].trim().is_empty() {
            self.blank();
        }
    }

    fn blank(&mut self) {
        if !self.opened && self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
    }

    /// Pushes a line, with the trailing comments of `tokens`, then their `after` comments.
    fn push_line(&mut self, indent: usize, content: &str, tokens: &[usize]) {
        let mut line = format!("{}{content}", " ".repeat(indent));
        for token in tokens {
            for id in self.trailing.remove(token).unwrap_or_default() {
                line.push_str("  ");
                line.push_str(&self.comments[id].text);
            }
        }
        self.lines.push(line.trim_end().to_string());
        self.opened = false;
        for token in tokens {
            for id in self.after.remove(token).unwrap_or_default() {
                self.blank_if_before(self.comments[id].start);
                let text = self.comments[id].text.clone();
                self.lines.push(format!("{}{text}", " ".repeat(indent)));
            }
        }
    }

    /// Own-line comments before the token at `start`, at `indent`.
    fn leading(&mut self, start: usize, indent: usize) {
        for id in self.leading.remove(&start).unwrap_or_default() {
            self.blank_if_before(self.comments[id].start);
            let text = self.comments[id].text.clone();
            self.lines.push(format!("{}{text}", " ".repeat(indent)));
            self.opened = false;
        }
        self.blank_if_before(start);
    }

    fn document(&mut self, root: &Node) -> Result<(), FormatError> {
        match &root.kind {
            NodeKind::Map(entries) if !is_flow(root, self.text) => {
                self.block_map(entries, 0, true, false)
            }
            NodeKind::Seq(items) if !is_flow(root, self.text) => self.block_seq(items, 0),
            NodeKind::Null if root.span.is_empty() => Ok(()),
            _ => {
                let start = first_token(root);
                self.leading(start, 0);
                let lines = self.value_lines(root, 0)?;
                self.push_block(0, "", &lines, &[start]);
                Ok(())
            }
        }
    }

    fn block_map(
        &mut self,
        entries: &[(Node, Node)],
        indent: usize,
        top: bool,
        dash: bool,
    ) -> Result<(), FormatError> {
        let mut previous_block = false;
        for (index, (key, value)) in entries.iter().enumerate() {
            if matches!(key.kind, NodeKind::Seq(_) | NodeKind::Map(_))
                || self.text[key.span.start..key.span.end].contains('\n')
            {
                return Err(unsupported("complex keys"));
            }
            let block = is_block_collection(value, self.text);
            if top && index > 0 && (block || previous_block) {
                self.blank();
            }
            previous_block = block;
            let (line_indent, prefix) = if dash && index == 0 {
                (indent - 2, "- ")
            } else {
                (indent, "")
            };
            self.leading(key.span.start, line_indent);
            if !matches!(value.kind, NodeKind::Seq(_) | NodeKind::Map(_)) {
                // Comments between a key and its value go before the key.
                let value_start = value.span.start;
                self.leading(value_start, line_indent);
            }
            let head = format!("{prefix}{}:", &self.text[key.span.start..key.span.end]);
            self.entry(line_indent, indent, &head, key.span.start, value)?;
        }
        Ok(())
    }

    /// `head` (`key:` or `-`) and its value; children of a block go at `indent + 2`.
    fn entry(
        &mut self,
        line_indent: usize,
        indent: usize,
        head: &str,
        head_token: usize,
        value: &Node,
    ) -> Result<(), FormatError> {
        match &value.kind {
            NodeKind::Map(entries) if !is_flow(value, self.text) && !entries.is_empty() => {
                self.push_line(line_indent, head, &[head_token]);
                self.opened = true;
                self.block_map(entries, indent + 2, false, false)
            }
            NodeKind::Seq(items) if !is_flow(value, self.text) && !items.is_empty() => {
                self.push_line(line_indent, head, &[head_token]);
                self.opened = true;
                self.block_seq(items, indent + 2)
            }
            NodeKind::Null if value.span.is_empty() => {
                self.push_line(line_indent, head, &[head_token]);
                Ok(())
            }
            _ => {
                let lines = self.value_lines(value, indent)?;
                let mut tokens = vec![head_token];
                tokens.extend(flow_tokens(value));
                self.push_block(line_indent, head, &lines, &tokens);
                Ok(())
            }
        }
    }

    /// `head value` on the first line, the value's further lines as they are, then the
    /// trailing comments on the last line.
    fn push_block(&mut self, indent: usize, head: &str, lines: &[String], tokens: &[usize]) {
        let first = match (head.is_empty(), lines.first()) {
            (true, Some(line)) => line.clone(),
            (false, Some(line)) => format!("{head} {line}"),
            (_, None) => head.to_string(),
        };
        if lines.len() <= 1 {
            self.push_line(indent, &first, tokens);
            return;
        }
        self.lines.push(format!("{}{first}", " ".repeat(indent)));
        for line in &lines[1..lines.len() - 1] {
            self.lines.push(line.clone());
        }
        let last = lines[lines.len() - 1].clone();
        self.push_line(0, &last, tokens);
    }

    fn block_seq(&mut self, items: &[Node], indent: usize) -> Result<(), FormatError> {
        for item in items {
            match &item.kind {
                NodeKind::Map(entries) if !is_flow(item, self.text) && !entries.is_empty() => {
                    self.block_map(entries, indent + 2, false, true)?;
                }
                _ => {
                    let start = first_token(item);
                    self.leading(start, indent);
                    if let NodeKind::Seq(inner) = &item.kind
                        && !is_flow(item, self.text)
                        && !inner.is_empty()
                    {
                        self.push_line(indent, "-", &[]);
                        self.opened = true;
                        self.block_seq(inner, indent + 2)?;
                    } else {
                        let lines = self.value_lines(item, indent)?;
                        self.push_block(indent, "-", &lines, &flow_tokens(item));
                    }
                }
            }
        }
        Ok(())
    }

    /// A scalar or flow collection: its first line (without indentation) and any further
    /// lines (with indentation), for a value whose key or dash sits at `indent`.
    fn value_lines(&mut self, node: &Node, indent: usize) -> Result<Vec<String>, FormatError> {
        match &node.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) => Ok(vec![self.flow(node)?]),
            _ => self.scalar(node, indent, false),
        }
    }

    fn flow(&mut self, node: &Node) -> Result<String, FormatError> {
        match &node.kind {
            NodeKind::Map(entries) => {
                if entries.is_empty() {
                    return Ok("{}".into());
                }
                let mut parts = Vec::new();
                for (k, v) in entries {
                    let key = self.flow_item(k)?;
                    if matches!(v.kind, NodeKind::Null) && v.span.is_empty() {
                        parts.push(format!("{key}:"));
                    } else {
                        parts.push(format!("{key}: {}", self.flow_item(v)?));
                    }
                }
                Ok(format!("{{ {} }}", parts.join(", ")))
            }
            NodeKind::Seq(items) => {
                let mut parts = Vec::new();
                for item in items {
                    parts.push(self.flow_item(item)?);
                }
                Ok(format!("[{}]", parts.join(", ")))
            }
            _ => self.flow_item(node),
        }
    }

    fn flow_item(&mut self, node: &Node) -> Result<String, FormatError> {
        if self.leading.contains_key(&first_token(node)) {
            return Err(unsupported("comments inside a `[…]` or `{…}` collection"));
        }
        match &node.kind {
            NodeKind::Map(_) | NodeKind::Seq(_) => self.flow(node),
            _ => {
                let lines = self.scalar(node, 0, true)?;
                match lines.as_slice() {
                    [line] => Ok(line.clone()),
                    _ => Err(unsupported(
                        "a multi-line value inside a `[…]` or `{…}` collection",
                    )),
                }
            }
        }
    }

    fn scalar(
        &mut self,
        node: &Node,
        indent: usize,
        flow: bool,
    ) -> Result<Vec<String>, FormatError> {
        let raw = &self.text[node.span.start..node.span.end];
        if let Some(header) = self.headers.get(&node.span.start).cloned() {
            if flow {
                return Err(unsupported(
                    "a block scalar inside a `[…]` or `{…}` collection",
                ));
            }
            if header.chars().any(|c| c.is_ascii_digit()) {
                return Err(unsupported("block scalars with an indentation indicator"));
            }
            let content = &self.text[line_start(self.text, node.span.start)..node.span.end];
            let lines: Vec<&str> = content.trim_end().lines().collect();
            let margin = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start_matches(' ').len())
                .min()
                .unwrap_or(0);
            let mut out = vec![header];
            for line in lines {
                if line.trim().is_empty() {
                    out.push(String::new());
                } else {
                    out.push(format!("{}{}", " ".repeat(indent + 2), &line[margin..]));
                }
            }
            return Ok(out);
        }
        if self.expressions.contains(&node.span.start)
            && let NodeKind::Str(decoded) = &node.kind
            && let Ok(expression) = crate::syntax::format(decoded)
            && let Some(written) = yaml_string(&expression, flow)
        {
            return Ok(vec![written]);
        }
        let mut lines = raw.lines();
        let mut out = vec![lines.next().unwrap_or("").trim_end().to_string()];
        for line in lines {
            let line = line.trim();
            if line.is_empty() {
                out.push(String::new());
            } else {
                out.push(format!("{}{line}", " ".repeat(indent + 2)));
            }
        }
        Ok(out)
    }
}

/// `text` as a YAML scalar that reads back as exactly this string: plain when possible,
/// else single-quoted. `None` when it holds characters a single-quoted scalar cannot.
fn yaml_string(text: &str, flow: bool) -> Option<String> {
    if text.chars().any(|c| c.is_control() && c != '\t') {
        return None;
    }
    let plain_candidate = !text.is_empty()
        && !text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c) || c.is_whitespace())
        && !text.ends_with(|c: char| c == ':' || c.is_whitespace())
        && !text.contains(": ")
        && !text.contains(" #")
        && !text.contains('\t')
        && !(flow && text.contains(|c| ",[]{}".contains(c)));
    if plain_candidate && reads_back(text, flow) {
        return Some(text.to_string());
    }
    Some(format!("'{}'", text.replace('\'', "''")))
}

/// True when `text` written plain reads back as this very string.
fn reads_back(text: &str, flow: bool) -> bool {
    let document = if flow {
        format!("k: [{text}]\n")
    } else {
        format!("k: {text}\n")
    };
    let Ok(node) = yaml::parse(&SourceFile::new("", document)) else {
        return false;
    };
    let NodeKind::Map(entries) = node.kind else {
        return false;
    };
    let value = match entries.first().map(|e| &e.1.kind) {
        Some(NodeKind::Seq(items)) if flow && items.len() == 1 => items[0].as_str(),
        Some(NodeKind::Str(s)) if !flow => Some(s.as_str()),
        _ => None,
    };
    entries.len() == 1 && value == Some(text)
}

fn is_flow(node: &Node, text: &str) -> bool {
    matches!(text.as_bytes().get(node.span.start), Some(b'[' | b'{')) && node.span.len() == 1
}

fn is_block_collection(node: &Node, text: &str) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => !entries.is_empty() && !is_flow(node, text),
        NodeKind::Seq(items) => !items.is_empty() && !is_flow(node, text),
        _ => false,
    }
}

/// Where the first scalar of a node starts.
fn first_token(node: &Node) -> usize {
    let mut spans = Vec::new();
    tokens(node, &mut spans);
    spans.first().map_or(node.span.start, |s| s.0)
}

/// Every scalar of a node (a flow collection's comments end up on its line).
fn flow_tokens(node: &Node) -> Vec<usize> {
    let mut spans = Vec::new();
    tokens(node, &mut spans);
    spans.into_iter().map(|s| s.0).collect()
}

#[cfg(test)]
mod tests;
