//! A generic YAML node tree with a byte span on every key and value.
//!
//! serde-saphyr stops at the first error it meets, so instead of deserializing straight
//! into the rule model we read a generic tree (duplicates passed through to us, booleans
//! strict, alias expansion under a node budget) and walk it ourselves, reporting every
//! problem we find.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use serde_saphyr::options::{DuplicateKeyPolicy, Options};

use crate::source::{SourceFile, Span};

/// Largest number of YAML nodes one rule file may expand to (aliases included).
pub const MAX_NODES: usize = 50_000;
/// Largest rule file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;
/// Deepest nesting of YAML collections (block or flow) a rule file may use. Reading the
/// tree recurses per level; at this depth the release build needs about 128 KiB of stack.
pub const MAX_DEPTH: usize = 32;

/// One YAML node.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Bytes of the node in the file (for quoted scalars, quotes included).
    pub span: Span,
    /// What the node holds.
    pub kind: NodeKind,
}

/// The value of a node.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// An unsigned integer above `i64::MAX`.
    UInt(u64),
    /// A float.
    Float(f64),
    /// A string scalar.
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in source order, duplicates kept.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The string of a string scalar.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the node's type, for messages.
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Int(_) | NodeKind::UInt(_) | NodeKind::Float(_) => "a number",
            NodeKind::Str(_) => "a string",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// The key text of a scalar used as a mapping key (numbers and booleans as written).
    #[must_use]
    pub fn key_text(&self, source: &SourceFile) -> Option<String> {
        match &self.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Null
            | NodeKind::Bool(_)
            | NodeKind::Int(_)
            | NodeKind::UInt(_)
            | NodeKind::Float(_) => Some(source.slice(self.span).to_string()),
            NodeKind::Seq(_) | NodeKind::Map(_) => None,
        }
    }

    /// Converts to JSON (for `const:` values); non-finite floats become null.
    #[must_use]
    pub fn to_json(&self, source: &SourceFile) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Int(i) => Value::from(*i),
            NodeKind::UInt(u) => Value::from(*u),
            NodeKind::Float(f) => {
                serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
            }
            NodeKind::Str(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(|n| n.to_json(source)).collect()),
            NodeKind::Map(entries) => Value::Object(
                entries
                    .iter()
                    .filter_map(|(k, v)| Some((k.key_text(source)?, v.to_json(source))))
                    .collect(),
            ),
        }
    }
}

/// A YAML error with its position.
#[derive(Clone, Debug)]
pub struct YamlError {
    /// The parser's message, without the trailing position.
    pub message: String,
    /// Where the parser stopped.
    pub span: Span,
    /// True when a safety budget (nodes, aliases, depth) was exceeded.
    pub budget: bool,
    /// The concrete fix, for an exceeded budget.
    pub help: Option<String>,
}

/// Parses one YAML document into a spanned tree.
///
/// # Errors
/// Any YAML syntax error, a second document, or an exceeded budget, with its position.
pub fn parse(source: &SourceFile) -> Result<Node, YamlError> {
    let text = source.text();
    if text.len() > MAX_FILE_BYTES {
        return Err(YamlError {
            message: format!(
                "the file is {} bytes; rule files are limited to {MAX_FILE_BYTES} bytes",
                text.len()
            ),
            span: Span::at(0),
            budget: true,
            help: Some(
                "split the rules into several files; a rule file is usually a few kilobytes".into(),
            ),
        });
    }
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    options.strict_booleans = true;
    options.with_snippet = false;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_NODES;
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    match serde_saphyr::from_str_with_options::<Spanned<RawNode>>(text, options) {
        Ok(root) => Ok(convert(source, root)),
        Err(error) => {
            let rendered = error.to_string();
            let (message, help) = match innermost(&error) {
                serde_saphyr::Error::Budget { breach, .. } => {
                    let (message, help) = budget_message(breach);
                    (message, Some(help.to_string()))
                }
                _ if rendered.starts_with("recursion limit exceeded") => (
                    "the YAML nests `[…]` or `{…}` too deeply for the parser".to_string(),
                    Some(DEPTH_HELP.to_string()),
                ),
                _ => (strip_position(&rendered), None),
            };
            let budget = help.is_some();
            let span = error.location().map_or(Span::at(text.len()), |loc| {
                let offset = loc.span().byte_offset().map_or_else(
                    || source.offset_of(loc.line() as usize, loc.column() as usize),
                    |b| b as usize,
                );
                Span::at(source.clamp(offset))
            });
            Err(YamlError {
                message,
                span,
                budget,
                help,
            })
        }
    }
}

const DEPTH_HELP: &str =
    "a rule file needs only a few levels (section, rule, `value:`): flatten the structure";
const EXPANSION_HELP: &str =
    "a rule file needs no deep alias expansion: write the values out, or split the file";

/// The error inside serde-saphyr's wrappers (source snippets, alias locations).
fn innermost(error: &serde_saphyr::Error) -> &serde_saphyr::Error {
    match error {
        serde_saphyr::Error::WithSnippet { error, .. }
        | serde_saphyr::Error::AliasError { error, .. } => innermost(error),
        other => other,
    }
}

/// The message and help of an exceeded serde-saphyr budget.
fn budget_message(breach: &serde_saphyr::budget::BudgetBreach) -> (String, &'static str) {
    use serde_saphyr::budget::BudgetBreach;
    match breach {
        BudgetBreach::Nodes { .. } => (
            format!(
                "the file expands to more than {MAX_NODES} YAML nodes (alias expansion is bounded)"
            ),
            EXPANSION_HELP,
        ),
        BudgetBreach::Depth { .. } => (
            format!("the YAML nests deeper than {MAX_DEPTH} levels"),
            DEPTH_HELP,
        ),
        BudgetBreach::Aliases { aliases } => (
            format!(
                "the file uses more than {} aliases",
                aliases.saturating_sub(1)
            ),
            EXPANSION_HELP,
        ),
        BudgetBreach::Anchors { anchors } => (
            format!(
                "the file defines more than {} anchors",
                anchors.saturating_sub(1)
            ),
            EXPANSION_HELP,
        ),
        BudgetBreach::Documents { .. } => (
            "the file holds too many YAML documents".to_string(),
            "a rule file is one YAML document: remove the `---` separators",
        ),
        other => (
            format!("the file exceeds a safety budget of the YAML parser ({other:?})"),
            EXPANSION_HELP,
        ),
    }
}

/// Removes serde-saphyr's " at line N, column M (...)" suffix; we show our own position.
fn strip_position(message: &str) -> String {
    let first_line = message.lines().next().unwrap_or(message);
    let cut = first_line.find(" at line ").unwrap_or(first_line.len());
    first_line[..cut].trim().to_string()
}

fn span_of<T>(source: &SourceFile, spanned: &Spanned<T>) -> Span {
    let location = spanned.referenced;
    let span = location.span();
    let start = span.byte_offset().map_or_else(
        || source.offset_of(location.line() as usize, location.column() as usize),
        |b| b as usize,
    );
    let len = span.byte_len().unwrap_or(0) as usize;
    let start = source.clamp(start);
    Span::new(start, source.clamp(start + len))
}

fn convert(source: &SourceFile, node: Spanned<RawNode>) -> Node {
    let span = span_of(source, &node);
    let kind = match node.value {
        RawNode::Null => NodeKind::Null,
        RawNode::Bool(b) => NodeKind::Bool(b),
        RawNode::Int(i) => NodeKind::Int(i),
        RawNode::UInt(u) => NodeKind::UInt(u),
        RawNode::Float(f) => NodeKind::Float(f),
        RawNode::Str(s) => NodeKind::Str(s),
        RawNode::Seq(items) => {
            NodeKind::Seq(items.into_iter().map(|n| convert(source, n)).collect())
        }
        RawNode::Map(entries) => NodeKind::Map(
            entries
                .into_iter()
                .map(|(k, v)| (convert(source, k), convert(source, v)))
                .collect(),
        ),
    };
    Node { span, kind }
}

/// The tree as serde sees it; `Spanned` captures positions.
enum RawNode {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawNode>>),
    Map(Vec<(Spanned<RawNode>, Spanned<RawNode>)>),
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawNode;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_none<E>(self) -> Result<RawNode, E> {
        Ok(RawNode::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawNode, D::Error> {
        RawNode::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<RawNode, E> {
        Ok(RawNode::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<RawNode, E> {
        Ok(RawNode::Int(v))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::Int))
    }

    fn visit_u64<E>(self, v: u64) -> Result<RawNode, E> {
        Ok(i64::try_from(v).map_or(RawNode::UInt(v), RawNode::Int))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<RawNode, E> {
        Ok(u64::try_from(v).map_or(RawNode::Float(v as f64), RawNode::UInt))
    }

    fn visit_f64<E>(self, v: f64) -> Result<RawNode, E> {
        Ok(RawNode::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<RawNode, E> {
        Ok(RawNode::Str(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<RawNode, E> {
        Ok(RawNode::Str(v))
    }

    fn visit_bytes<E>(self, v: &[u8]) -> Result<RawNode, E> {
        Ok(RawNode::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawNode, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(RawNode::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawNode, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key()? {
            let value = map.next_value()?;
            entries.push((key, value));
        }
        Ok(RawNode::Map(entries))
    }
}
