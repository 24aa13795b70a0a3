//! Rule files: YAML text → spanned rule model, reporting FM001, FM003–FM006 on the way.
//!
//! The walk never stops at the first problem: every section, rule and key is looked at,
//! and a bad rule is left out of the model while the others stay in.

pub mod scalar;
pub mod yaml;

use serde_json::Value;

use crate::catalog::{Section, SlotKind, Target};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::source::{SourceFile, Span};
use crate::suggest::did_you_mean;
use crate::types::Type;

pub use scalar::OffsetMap;
use yaml::{Node, NodeKind};

/// The one format version this build reads.
pub const FORMAT_VERSION: i64 = 1;

/// Keys allowed at the top of a rule file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "flexmap",
    "target",
    "description",
    "inputs",
    "tables",
    "custom",
    "conversations",
    "customers",
    "worker",
    "extra",
];
/// Keys allowed in a rule mapping.
pub const RULE_KEYS: &[&str] = &["value", "const", "when", "allow", "description"];
/// Keys allowed in a custom field.
pub const CUSTOM_KEYS: &[&str] = &[
    "kind",
    "scope",
    "slot",
    "value",
    "const",
    "when",
    "allow",
    "description",
];
/// Keys allowed in an input declaration.
pub const INPUT_KEYS: &[&str] = &["type", "cardinality", "pii", "max_length", "description"];

/// A parsed rule file. Parts with errors are left out; their diagnostics say why.
#[derive(Clone, Debug)]
pub struct RuleFile {
    /// The file.
    pub source: SourceFile,
    /// `target:`, when valid.
    pub target: Option<Target>,
    /// Span of the `target` value (or the file start).
    pub target_span: Span,
    /// `description:`.
    pub description: Option<String>,
    /// `inputs:` declarations.
    pub inputs: Vec<InputDecl>,
    /// `tables:`.
    pub tables: Vec<Table>,
    /// `custom:` fields, in file order.
    pub custom: Vec<CustomField>,
    /// Rules of `conversations`, `customers`, `worker` and `extra`, in file order.
    pub rules: Vec<Rule>,
}

impl RuleFile {
    /// A file of `source` with nothing declared yet: no target, no inputs, tables, custom
    /// fields or rules.
    #[must_use]
    pub fn empty(source: SourceFile, target: Option<Target>) -> RuleFile {
        RuleFile {
            source,
            target,
            target_span: Span::at(0),
            description: None,
            inputs: Vec::new(),
            tables: Vec::new(),
            custom: Vec::new(),
            rules: Vec::new(),
        }
    }
}

/// Which part of the output a rule writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RuleSection {
    /// An Insights section.
    Insights(Section),
    /// `extra:`: attributes outside Insights, at the root of the attributes object.
    Extra,
}

impl RuleSection {
    /// The section key as written in the file.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RuleSection::Insights(section) => section.name(),
            RuleSection::Extra => "extra",
        }
    }
}

/// One rule: a target name and how its value is computed.
#[derive(Clone, Debug)]
pub struct Rule {
    /// Where the rule writes.
    pub section: RuleSection,
    /// Target name as written (`ivr_path`, `conversation_label_2`, an extra key).
    pub name: String,
    /// Span of the key.
    pub name_span: Span,
    /// The value.
    pub value: RuleValue,
    /// `when:` condition.
    pub when: Option<ExprSource>,
    /// `allow:` entries (lint names or codes), with spans.
    pub allow: Vec<(String, Span)>,
    /// `description:`.
    pub description: Option<String>,
    /// For custom fields: the custom name (the rule's `name` is then the assigned slot).
    pub custom: Option<String>,
}

/// How a rule computes its value.
#[derive(Clone, Debug)]
pub enum RuleValue {
    /// An expression.
    Expr(ExprSource),
    /// A literal value.
    Const {
        /// The value.
        value: Value,
        /// Its span.
        span: Span,
    },
}

impl RuleValue {
    /// Span of the value.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            RuleValue::Expr(e) => e.span,
            RuleValue::Const { span, .. } => *span,
        }
    }
}

/// An expression's text and where each of its characters sits in the file.
#[derive(Clone, Debug)]
pub struct ExprSource {
    /// The decoded expression text.
    pub text: String,
    /// Span of the whole scalar in the file.
    pub span: Span,
    /// Decoded offset → file offset.
    pub map: OffsetMap,
}

impl ExprSource {
    /// File span of an expression-local byte range.
    #[must_use]
    pub fn file_span(&self, start: usize, end: usize) -> Span {
        self.map.span(start, end)
    }
}

/// Type of an input value (`inputs:` declarations); the rule-file schema uses this enum too.
#[derive(Clone, Copy, Debug, PartialEq, Eq, schemars::JsonSchema)]
#[schemars(rename_all = "snake_case")]
pub enum DeclaredType {
    /// Text.
    String,
    /// A number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A list.
    Array,
    /// A mapping.
    Object,
    /// Anything.
    Any,
}

impl DeclaredType {
    /// Every declared type, in the order messages list them.
    pub const ALL: [DeclaredType; 6] = [
        DeclaredType::String,
        DeclaredType::Number,
        DeclaredType::Bool,
        DeclaredType::Array,
        DeclaredType::Object,
        DeclaredType::Any,
    ];

    /// The static type checks give a value of this declared type.
    #[must_use]
    pub fn ty(self) -> Type {
        match self {
            DeclaredType::String => Type::String,
            DeclaredType::Number => Type::Number,
            DeclaredType::Bool => Type::Bool,
            DeclaredType::Array => Type::Array,
            DeclaredType::Object => Type::Object,
            DeclaredType::Any => Type::Any,
        }
    }

    /// The name as written in `inputs:` (`string`, `bool`, …).
    #[must_use]
    pub fn name(self) -> &'static str {
        self.ty().name()
    }

    /// The declared type written `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<DeclaredType> {
        DeclaredType::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// An `inputs:` entry.
#[derive(Clone, Debug)]
pub struct InputDecl {
    /// The path, e.g. `crm.account.id`.
    pub path: String,
    /// Span of the key.
    pub span: Span,
    /// Declared type.
    pub ty: Option<(DeclaredType, Span)>,
    /// `cardinality: high` (true) or `low` (false).
    pub high_cardinality: Option<bool>,
    /// `pii: true`.
    pub pii: bool,
    /// `max_length`.
    pub max_length: Option<u64>,
}

/// A lookup table.
#[derive(Clone, Debug)]
pub struct Table {
    /// Its name.
    pub name: String,
    /// Span of the name.
    pub span: Span,
    /// Entries in order: key, value (a scalar).
    pub entries: Vec<(String, Value)>,
}

/// A `custom:` field: a named value the compiler assigns to a numbered slot.
#[derive(Clone, Debug)]
pub struct CustomField {
    /// The name (`account_tier`).
    pub name: String,
    /// Span of the name.
    pub name_span: Span,
    /// Attribute, label or measure.
    pub kind: SlotKind,
    /// Span of the `kind:` value (for fixes that change it).
    pub kind_span: Span,
    /// Which Insights section's slots it uses.
    pub scope: Section,
    /// `slot:`: the slot the field explicitly asks for (the one way to re-use a retired
    /// slot), with the span of the value. Always a slot of `scope` and `kind`.
    pub slot: Option<(crate::catalog::Slot, Span)>,
    /// The rule (its `name` is the custom name until a slot is assigned).
    pub rule: Rule,
}

/// Parses a rule file. Always returns what could be read, plus diagnostics.
#[must_use]
pub fn load(source: &SourceFile) -> (Option<RuleFile>, Vec<Diagnostic>) {
    let mut walker = Walker {
        source,
        diagnostics: Vec::new(),
    };
    let file = walker.file();
    let Walker { diagnostics, .. } = walker;
    let diagnostics = diagnostics
        .into_iter()
        .map(|d| d.in_source(source))
        .collect();
    (file, diagnostics)
}

/// True when the text's first key is `flexmap:` (how directory scans recognise rule files).
#[must_use]
pub fn looks_like_rule_file(text: &str) -> bool {
    text.lines()
        .map(str::trim_start)
        .find(|l| !l.is_empty() && !l.starts_with('#') && *l != "---")
        .is_some_and(|l| {
            l.starts_with("flexmap:")
                || l.starts_with("\"flexmap\":")
                || l.starts_with("'flexmap':")
        })
}

struct Walker<'a> {
    source: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Walker<'_> {
    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The whole lines of a repeated block-mapping entry (`key: value`, with any comment after
    /// it), when its value is written exactly as the first entry's value: then removing it is
    /// unambiguous. `None` for flow mappings, differing values, or anything else on the lines.
    fn duplicate_entry_lines(&self, first_value: Span, key: Span, value: Span) -> Option<Span> {
        let text = self.source.text();
        let same = text.get(first_value.range())?.trim() == text.get(value.range())?.trim();
        let line_start = text[..key.start].rfind('\n').map_or(0, |at| at + 1);
        let only_indent = text[line_start..key.start].chars().all(|c| c == ' ');
        let rest_end = text[value.end..]
            .find('\n')
            .map_or(text.len(), |at| value.end + at + 1);
        let rest = text[value.end..rest_end].trim();
        let only_comment = rest.is_empty() || rest.starts_with('#');
        (same && only_indent && only_comment && value.end > key.end)
            .then(|| Span::new(line_start, rest_end))
    }

    fn file(&mut self) -> Option<RuleFile> {
        let root = match yaml::parse(self.source) {
            Ok(root) => root,
            Err(error) => {
                let diagnostic = if error.budget {
                    Diagnostic::new(Code::LimitExceeded, error.message.clone(), error.span)
                        .with_label("limit reached here")
                        .with_help(error.help.clone().unwrap_or_default())
                } else {
                    Diagnostic::new(Code::YamlSyntax, format!("invalid YAML: {}", error.message), error.span)
                        .with_label(error.message.clone())
                        .with_help("fix the YAML syntax at this position; nothing else in the file can be checked until it parses")
                };
                self.push(diagnostic);
                return None;
            }
        };
        let mut file = RuleFile::empty(self.source.clone(), None);
        if matches!(root.kind, NodeKind::Null) {
            self.push(
                Diagnostic::new(
                    Code::BadVersion,
                    "the file is empty; a rule file starts with `flexmap: 1`",
                    Span::at(0),
                )
                .with_help("start the file with `flexmap: 1` and `target: task` (or `worker`)"),
            );
            return Some(file);
        }
        let Some(entries) = self.mapping(&root, "the rule file") else {
            return Some(file);
        };
        let mut version_seen = false;
        let mut target_seen = false;
        for (key, key_node, value) in &entries {
            match key.as_str() {
                "flexmap" => {
                    version_seen = true;
                    self.version(value);
                }
                "target" => {
                    target_seen = true;
                    file.target_span = value.span;
                    file.target = self.target(value);
                }
                "description" => file.description = self.string(value, "description"),
                "inputs" => file.inputs = self.inputs(value),
                "tables" => file.tables = self.tables(value),
                "custom" | "conversations" | "customers" | "worker" | "extra" => {}
                _ => self.unknown_key(key, key_node, TOP_LEVEL_KEYS, "at the top of a rule file"),
            }
        }
        if !version_seen {
            self.push(
                Diagnostic::new(
                    Code::BadVersion,
                    "missing `flexmap:` version key",
                    Span::at(0),
                )
                .with_label("a rule file starts with the format version")
                .with_help("add `flexmap: 1` as the first line"),
            );
        }
        if !target_seen {
            self.push(
                Diagnostic::new(Code::InvalidValue, "missing `target:`", Span::at(0))
                    .with_label("every rule file says what it produces")
                    .with_help(
                        "add `target: task` (conversations and customers) or `target: worker`",
                    ),
            );
        }
        // Sections after the target is known, so misplaced sections can be named.
        for (key, key_node, value) in &entries {
            let section = match key.as_str() {
                "conversations" => RuleSection::Insights(Section::Conversations),
                "customers" => RuleSection::Insights(Section::Customers),
                "worker" => RuleSection::Insights(Section::Worker),
                "extra" => RuleSection::Extra,
                "custom" => {
                    file.custom = self.custom(value, file.target);
                    continue;
                }
                _ => continue,
            };
            if let (RuleSection::Insights(section), Some(target)) = (section, file.target)
                && section.target() != target
            {
                let wanted = match target {
                    Target::Task => "`conversations` and `customers`",
                    Target::Worker => "`worker`",
                };
                self.push(
                    Diagnostic::new(
                        Code::WrongSection,
                        format!(
                            "`{}` belongs in a ruleset with `target: {}`, but this one has `target: {}`",
                            key,
                            target_name(section.target()),
                            target_name(target)
                        ),
                        key_node.span,
                    )
                    .with_label("section for another target")
                    .with_help(format!(
                        "move these rules to a separate file with `target: {}`; this file can hold {wanted}",
                        target_name(section.target())
                    )),
                );
                continue;
            }
            file.rules.extend(self.rules(value, section));
        }
        Some(file)
    }

    /// Entries of a mapping node, reporting duplicates (FM004) and non-scalar keys.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let NodeKind::Map(pairs) = &node.kind else {
            if matches!(node.kind, NodeKind::Null) {
                return Some(Vec::new());
            }
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("{what} must be a mapping, not {}", node.type_name()),
                    node.span,
                )
                .with_label(format!(
                    "expected a mapping of `key: value` entries here, found {}",
                    node.type_name()
                ))
                .with_help("write one `key: value` per line, indented under the parent key"),
            );
            return None;
        };
        let mut seen: Vec<(String, Span, Span)> = Vec::new();
        let mut out = Vec::with_capacity(pairs.len());
        for (key, value) in pairs {
            let Some(text) = key.key_text(self.source) else {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("a key in {what} is {}, not a name", key.type_name()),
                        key.span,
                    )
                    .with_help("keys are plain names such as `ivr_path`"),
                );
                continue;
            };
            if let Some((_, first, first_value)) = seen.iter().find(|(k, _, _)| *k == text) {
                let (first, first_value) = (*first, *first_value);
                let mut d = Diagnostic::new(
                    Code::DuplicateKey,
                    format!("duplicate key `{text}` in {what}"),
                    key.span,
                )
                .with_label("repeated here")
                .with_secondary(first, "first defined here");
                match self.duplicate_entry_lines(first_value, key.span, value.span) {
                    Some(lines) => {
                        d = d
                            .with_help(format!(
                                "remove the second `{text}` entry: it repeats the first one exactly"
                            ))
                            .with_fix(
                                format!("remove the repeated `{text}` entry"),
                                vec![Edit::replace(lines, "")],
                            );
                    }
                    None => {
                        d = d.with_help(format!(
                            "remove one of the two `{text}` entries; YAML readers that keep only the last one would silently drop the first"
                        ));
                    }
                }
                self.push(d);
                continue;
            }
            seen.push((text.clone(), key.span, value.span));
            out.push((text, key, value));
        }
        Some(out)
    }

    fn unknown_key(&mut self, key: &str, key_node: &Node, allowed: &[&str], place: &str) {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownKey,
            format!("unknown key `{key}` {place}"),
            key_node.span,
        )
        .with_label("not a flexmap key");
        diagnostic = match did_you_mean(key, allowed.iter().copied()) {
            Some(best) => diagnostic
                .with_help(format!("did you mean `{best}`?"))
                .with_fix(
                    format!("rename `{key}` to `{best}`"),
                    vec![Edit::replace(key_node.span, best)],
                ),
            None => diagnostic.with_help(format!("allowed here: {}", allowed.join(", "))),
        };
        self.push(diagnostic);
    }

    fn version(&mut self, value: &Node) {
        match value.kind {
            NodeKind::Int(FORMAT_VERSION) => {}
            NodeKind::Int(other) => self.push(
                Diagnostic::new(
                    Code::BadVersion,
                    format!("unsupported format version {other}"),
                    value.span,
                )
                .with_label(format!(
                    "this flexmap reads format version {FORMAT_VERSION}"
                ))
                .with_help(format!(
                    "write `flexmap: {FORMAT_VERSION}`, or upgrade flexmap"
                )),
            ),
            _ => self.push(
                Diagnostic::new(
                    Code::BadVersion,
                    format!(
                        "`flexmap:` must be the number {FORMAT_VERSION}, not {}",
                        value.type_name()
                    ),
                    value.span,
                )
                .with_help(format!("write `flexmap: {FORMAT_VERSION}`")),
            ),
        }
    }

    fn target(&mut self, value: &Node) -> Option<Target> {
        match value.as_str() {
            Some("task") => Some(Target::Task),
            Some("worker") => Some(Target::Worker),
            other => {
                let shown =
                    other.map_or_else(|| value.type_name().to_string(), |s| format!("`{s}`"));
                let mut d = Diagnostic::new(
                    Code::InvalidValue,
                    format!("unknown target {shown}"),
                    value.span,
                )
                .with_label("expected `task` or `worker`");
                d = match other.and_then(|s| did_you_mean(s, ["task", "worker"])) {
                    Some(best) => d.with_help(format!("did you mean `{best}`?")),
                    None => d.with_help("use `target: task` for conversations/customers, `target: worker` for agent attributes"),
                };
                self.push(d);
                None
            }
        }
    }

    fn string(&mut self, value: &Node, what: &str) -> Option<String> {
        match &value.kind {
            NodeKind::Str(s) => Some(s.clone()),
            NodeKind::Null => None,
            _ => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{what}` must be a string, not {}", value.type_name()),
                        value.span,
                    )
                    .with_help("quote the text"),
                );
                None
            }
        }
    }

    fn inputs(&mut self, node: &Node) -> Vec<InputDecl> {
        let Some(entries) = self.mapping(node, "`inputs`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (path, key, value) in entries {
            if !is_path(&path) {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{path}` is not an input path"),
                        key.span,
                    )
                    .with_label("expected names joined by dots")
                    .with_help("write input paths like `crm.account.id`"),
                );
                continue;
            }
            let mut decl = InputDecl {
                path,
                span: key.span,
                ty: None,
                high_cardinality: None,
                pii: false,
                max_length: None,
            };
            if let Some(name) = value.as_str() {
                decl.ty = self.declared_type(name, value.span);
                out.push(decl);
                continue;
            }
            let Some(fields) = self.mapping(value, "an input declaration") else {
                continue;
            };
            for (k, knode, v) in fields {
                match k.as_str() {
                    "type" => match v.as_str() {
                        Some(name) => decl.ty = self.declared_type(name, v.span),
                        None => self.bad_value(
                            v,
                            "`type`",
                            "one of string, number, bool, array, object, any",
                        ),
                    },
                    "cardinality" => match v.as_str() {
                        Some("high") => decl.high_cardinality = Some(true),
                        Some("low") => decl.high_cardinality = Some(false),
                        _ => self.bad_value(v, "`cardinality`", "`high` or `low`"),
                    },
                    "pii" => match v.kind {
                        NodeKind::Bool(b) => decl.pii = b,
                        _ => self.bad_value(v, "`pii`", "`true` or `false`"),
                    },
                    "max_length" => match v.kind {
                        NodeKind::Int(n) if n >= 0 => decl.max_length = Some(n.unsigned_abs()),
                        _ => self.bad_value(v, "`max_length`", "a whole number of characters"),
                    },
                    "description" => {
                        self.string(v, "description");
                    }
                    _ => self.unknown_key(&k, knode, INPUT_KEYS, "in an input declaration"),
                }
            }
            out.push(decl);
        }
        out
    }

    fn declared_type(&mut self, name: &str, span: Span) -> Option<(DeclaredType, Span)> {
        let Some(ty) = DeclaredType::from_name(name) else {
            let mut d = Diagnostic::new(Code::InvalidValue, format!("unknown type `{name}`"), span)
                .with_label("not a flexmap type");
            let names = DeclaredType::ALL.map(DeclaredType::name);
            d = match did_you_mean(name, names) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help(format!("types are {}", names.join(", "))),
            };
            self.push(d);
            return None;
        };
        Some((ty, span))
    }

    fn bad_value(&mut self, value: &Node, what: &str, expected: &str) {
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                format!("invalid value for {what}"),
                value.span,
            )
            .with_label(format!("expected {expected}"))
            .with_help(format!("use {expected}")),
        );
    }

    fn tables(&mut self, node: &Node) -> Vec<Table> {
        let Some(entries) = self.mapping(node, "`tables`") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, key, value) in entries {
            if !is_identifier(&name) {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("`{name}` is not a valid table name"), key.span)
                        .with_help("table names are identifiers: letters, digits and `_`, not starting with a digit"),
                );
                continue;
            }
            let what = format!("table `{name}`");
            let Some(rows) = self.mapping(value, &what) else {
                continue;
            };
            let mut table = Table {
                name,
                span: key.span,
                entries: Vec::new(),
            };
            for (k, _, v) in rows {
                match &v.kind {
                    NodeKind::Seq(_) | NodeKind::Map(_) => self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("the value of `{k}` in {what} is {}", v.type_name()),
                            v.span,
                        )
                        .with_help("table values are strings, numbers or booleans"),
                    ),
                    _ => table.entries.push((k, v.to_json(self.source))),
                }
            }
            out.push(table);
        }
        out
    }

    fn custom(&mut self, node: &Node, target: Option<Target>) -> Vec<CustomField> {
        let Some(entries) = self.mapping(node, "`custom`") else {
            return Vec::new();
        };
        let default_scope = match target {
            Some(Target::Worker) => Section::Worker,
            _ => Section::Conversations,
        };
        let mut out = Vec::new();
        for (name, key, value) in entries {
            if !is_identifier(&name) {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("`{name}` is not a valid custom field name"),
                        key.span,
                    )
                    .with_help("custom field names are identifiers such as `account_tier`"),
                );
                continue;
            }
            let Some(fields) = self.mapping(value, &format!("custom field `{name}`")) else {
                continue;
            };
            let mut kind = None;
            let mut kind_span = key.span;
            let mut kind_given = false;
            let mut scope = default_scope;
            let mut slot_node = None;
            let mut rule_fields = Vec::new();
            for (k, knode, v) in fields {
                match k.as_str() {
                    "kind" => match v.as_str() {
                        _ if {
                            kind_given = true;
                            kind_span = v.span;
                            false
                        } => {}
                        Some("attribute") => kind = Some(SlotKind::Attribute),
                        Some("label") => kind = Some(SlotKind::Label),
                        Some("measure") => kind = Some(SlotKind::Measure),
                        _ => self.bad_value(v, "`kind`", "`attribute`, `label` or `measure`"),
                    },
                    "scope" => match v.as_str().and_then(Section::from_name) {
                        Some(section) => scope = section,
                        None => {
                            self.bad_value(
                                v,
                                "`scope`",
                                "`conversations`, `customers` or `worker`",
                            );
                        }
                    },
                    "slot" => slot_node = Some(v),
                    _ if RULE_KEYS.contains(&k.as_str()) => rule_fields.push((k, knode, v)),
                    _ => self.unknown_key(
                        &k,
                        knode,
                        CUSTOM_KEYS,
                        &format!("in custom field `{name}`"),
                    ),
                }
            }
            let Some(kind) = kind else {
                if kind_given {
                    continue;
                }
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("custom field `{name}` has no `kind`"),
                        key.span,
                    )
                    .with_help("add `kind: attribute`, `kind: label` or `kind: measure`"),
                );
                continue;
            };
            let slot = match slot_node {
                Some(node) => match self.custom_slot(node, &name, scope, kind) {
                    Some(slot) => Some((slot, node.span)),
                    None => continue,
                },
                None => None,
            };
            let section = RuleSection::Insights(scope);
            if let Some(mut rule) =
                self.rule_from_fields(&name, key, value.span, section, rule_fields)
            {
                rule.custom = Some(name.clone());
                out.push(CustomField {
                    name,
                    name_span: key.span,
                    kind,
                    kind_span,
                    scope,
                    slot,
                    rule,
                });
            }
        }
        out
    }

    /// A custom field's `slot:` value: a slot name of the field's scope and kind, in range.
    fn custom_slot(
        &mut self,
        node: &Node,
        name: &str,
        scope: Section,
        kind: SlotKind,
    ) -> Option<crate::catalog::Slot> {
        let count = crate::catalog::slot_count(scope, kind);
        let example = crate::catalog::Slot {
            section: scope,
            kind,
            number: 1,
        };
        let expected = if count == 0 {
            format!("no slot: `{}` has no {} slots", scope.name(), kind.name())
        } else {
            format!(
                "`{}_{}_N` with N from 1 to {count}",
                scope.slot_prefix(),
                kind.name()
            )
        };
        let slot = node
            .as_str()
            .and_then(|text| match crate::catalog::lookup(scope, text) {
                crate::catalog::Lookup::Slot(slot) if slot.kind == kind => Some(slot),
                _ => None,
            });
        if slot.is_none() {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!(
                        "invalid `slot` for custom field `{name}`: a {} {} field needs a {} slot",
                        scope.name(),
                        kind.name(),
                        kind.name()
                    ),
                    node.span,
                )
                .with_label(format!("expected {expected}"))
                .with_help(if count == 0 {
                    format!("remove `slot:`, or change `kind:`; {} has no {} slots", scope.name(), kind.name())
                } else {
                    format!(
                        "write e.g. `slot: {example}`, or remove `slot:` and let `flexmap lock` pick a free one"
                    )
                }),
            );
        }
        slot
    }

    fn rules(&mut self, node: &Node, section: RuleSection) -> Vec<Rule> {
        let what = format!("`{}`", section.name());
        let Some(entries) = self.mapping(node, &what) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, key, value) in entries {
            if let Some(rule) = self.rule(&name, key, value, section) {
                out.push(rule);
            }
        }
        out
    }

    fn rule(&mut self, name: &str, key: &Node, value: &Node, section: RuleSection) -> Option<Rule> {
        let value = match &value.kind {
            NodeKind::Str(text) => RuleValue::Expr(self.expr_source(text, value)),
            NodeKind::Int(_) | NodeKind::UInt(_) | NodeKind::Float(_) | NodeKind::Bool(_) => {
                RuleValue::Const {
                    value: value.to_json(self.source),
                    span: value.span,
                }
            }
            NodeKind::Map(_) => {
                let fields = self.mapping(value, &format!("rule `{name}`"))?;
                let mut rule_fields = Vec::new();
                let mut unknown = false;
                for (k, knode, v) in fields {
                    if RULE_KEYS.contains(&k.as_str()) {
                        rule_fields.push((k, knode, v));
                    } else {
                        unknown = true;
                        self.unknown_key(&k, knode, RULE_KEYS, &format!("in rule `{name}`"));
                    }
                }
                // A misspelt `valeu:` already explains the missing value.
                let has_value = rule_fields
                    .iter()
                    .any(|(k, _, _)| k == "value" || k == "const");
                if unknown && !has_value {
                    return None;
                }
                return self.rule_from_fields(name, key, value.span, section, rule_fields);
            }
            NodeKind::Null => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        format!("rule `{name}` has no value"),
                        key.span,
                    )
                    .with_label("nothing after the colon")
                    .with_help(
                        "give an expression such as `crm.account.tier | lower`, or remove the rule",
                    ),
                );
                return None;
            }
            NodeKind::Seq(_) => {
                self.push(
                    Diagnostic::new(Code::InvalidValue, format!("rule `{name}` is a YAML sequence"), value.span)
                        .with_label("a rule value is an expression, a constant, or a mapping")
                        .with_help("for a literal list write `{ const: [...] }`; for a computed list write an expression `[a, b]`"),
                );
                return None;
            }
        };
        Some(Rule {
            section,
            name: name.to_string(),
            name_span: key.span,
            value,
            when: None,
            allow: Vec::new(),
            description: None,
            custom: None,
        })
    }

    fn rule_from_fields(
        &mut self,
        name: &str,
        key: &Node,
        body_span: Span,
        section: RuleSection,
        fields: Vec<(String, &Node, &Node)>,
    ) -> Option<Rule> {
        let mut value = None;
        let mut when = None;
        let mut allow = Vec::new();
        let mut description = None;
        let mut value_key: Option<Span> = None;
        for (k, knode, v) in fields {
            match k.as_str() {
                "value" | "const" => {
                    if let Some(first) = value_key {
                        self.push(
                            Diagnostic::new(
                                Code::InvalidValue,
                                format!("rule `{name}` has both `value` and `const`"),
                                knode.span,
                            )
                            .with_secondary(first, "first value here")
                            .with_help("keep one: `value` takes an expression, `const` a literal"),
                        );
                        continue;
                    }
                    value_key = Some(knode.span);
                    if k == "const" {
                        value = Some(RuleValue::Const {
                            value: v.to_json(self.source),
                            span: v.span,
                        });
                    } else {
                        match &v.kind {
                            NodeKind::Str(text) => {
                                value = Some(RuleValue::Expr(self.expr_source(text, v)));
                            }
                            NodeKind::Int(_)
                            | NodeKind::UInt(_)
                            | NodeKind::Float(_)
                            | NodeKind::Bool(_) => {
                                value = Some(RuleValue::Const {
                                    value: v.to_json(self.source),
                                    span: v.span,
                                });
                            }
                            _ => self.bad_value(
                                v,
                                "`value`",
                                "an expression string (use `const:` for a literal)",
                            ),
                        }
                    }
                }
                "when" => match &v.kind {
                    NodeKind::Str(text) => when = Some(self.expr_source(text, v)),
                    NodeKind::Bool(_) => {
                        let text = self.source.slice(v.span).to_string();
                        when = Some(ExprSource {
                            map: OffsetMap::identity(&text, v.span.start),
                            text,
                            span: v.span,
                        });
                    }
                    _ => self.bad_value(
                        v,
                        "`when`",
                        "a condition expression such as `task.channel == \"voice\"`",
                    ),
                },
                "allow" => allow = self.allow_list(v),
                "description" => description = self.string(v, "description"),
                _ => {}
            }
        }
        let Some(value) = value else {
            self.push(
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("rule `{name}` has no `value` or `const`"),
                    key.span,
                )
                .with_secondary(body_span, "this mapping")
                .with_help("add `value: <expression>` or `const: <literal>`"),
            );
            return None;
        };
        Some(Rule {
            section,
            name: name.to_string(),
            name_span: key.span,
            value,
            when,
            allow,
            description,
            custom: None,
        })
    }

    fn allow_list(&mut self, node: &Node) -> Vec<(String, Span)> {
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            NodeKind::Str(_) => vec![node],
            _ => {
                self.bad_value(
                    node,
                    "`allow`",
                    "a list of lint names, e.g. `[id-in-attribute]`",
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            let Some(text) = item.as_str() else {
                self.bad_value(item, "an `allow` entry", "a lint name or code");
                continue;
            };
            if Code::from_code_or_name(text).is_none() {
                let d = Diagnostic::new(
                    Code::UnknownKey,
                    format!("unknown lint `{text}` in `allow`"),
                    item.span,
                )
                .with_label("no lint has this name or code")
                .with_help(Code::suggestion_help(text));
                self.push(d);
                continue;
            }
            out.push((text.to_string(), item.span));
        }
        out
    }

    fn expr_source(&self, text: &str, node: &Node) -> ExprSource {
        let raw = self.source.slice(node.span);
        ExprSource {
            text: text.to_string(),
            span: node.span,
            map: OffsetMap::new(text, raw, node.span.start),
        }
    }
}

/// `task` or `worker`.
#[must_use]
pub fn target_name(target: Target) -> &'static str {
    match target {
        Target::Task => "task",
        Target::Worker => "worker",
    }
}

/// True for `name` or `name.name…` made of identifiers.
#[must_use]
pub fn is_path(text: &str) -> bool {
    !text.is_empty() && text.split('.').all(is_identifier)
}

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
#[must_use]
pub fn is_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}
