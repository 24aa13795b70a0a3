//! The JSON Schemas of rule files and rule test files, for editors through
//! yaml-language-server: completion, hover text and early red squiggles.
//!
//! The schema is generated with schemars from schema-only types that mirror what
//! `rules_file` reads, then enriched from the catalog: every Insights field and in-range
//! slot is a property of its section (unknown targets are flagged), and `allow` lists the
//! lint names and codes. The loader stays the authority; the schema is a convenience and
//! accepts a superset in places (expressions are not parsed, `when` is not checked).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde_json::{Map, Value, json};

use crate::catalog::{self, Section};
use crate::diagnostic::Code;
use crate::rules_file::FORMAT_VERSION;

/// The JSON Schema dialect of [`rule_file_schema`]: draft-07, the newest one that
/// yaml-language-server (the VS Code YAML extension) fully supports.
pub const SCHEMA_DIALECT: &str = "http://json-schema.org/draft-07/schema#";

/// The JSON Schema (draft-07) of a rule file.
#[must_use]
pub fn rule_file_schema() -> Value {
    let root = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<RuleFileSchema>();
    let mut schema = root.to_value();
    forbid_null(&mut schema);
    unwrap_descriptions(&mut schema);
    enrich(&mut schema);
    schema
}

/// The JSON Schema (draft-07) of a rule test file (`*.test.yaml`, run by `flexmap test`):
/// the rule file it tests and its cases, with the runtime warning names `warnings` accepts.
#[must_use]
pub fn test_file_schema() -> Value {
    let warnings: Vec<&str> = crate::runtime::WarningKind::ALL
        .iter()
        .map(|kind| kind.name())
        .collect();
    json!({
        "$schema": SCHEMA_DIALECT,
        "title": "flexmap rule test file",
        "description": "Cases for `flexmap test`: each runs one input record through the rule file and compares the exact output.",
        "type": "object",
        "additionalProperties": false,
        "required": ["rules", "cases"],
        "properties": {
            "rules": {
                "description": "The rule file under test, relative to this file (e.g. `inbound-voice.yaml`).",
                "type": "string",
                "minLength": 1
            },
            "cases": {
                "description": "The cases, run in order.",
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["name", "input", "expect"],
                    "properties": {
                        "name": {
                            "description": "What the case shows; printed with PASS or FAIL.",
                            "type": "string"
                        },
                        "input": {
                            "description": "The input record, as the rules read it."
                        },
                        "expect": {
                            "description": "The exact output attributes (`{}` when nothing is written).",
                            "type": "object"
                        },
                        "warnings": {
                            "description": "The runtime warnings the case must produce, by name (default: none).",
                            "type": "array",
                            "items": { "enum": warnings }
                        }
                    }
                }
            }
        }
    })
}

/// A flexmap rule file: mapping rules that fill Twilio Flex Insights attributes.
#[derive(JsonSchema)]
#[schemars(title = "flexmap rule file", deny_unknown_fields)]
#[allow(dead_code)]
struct RuleFileSchema {
    /// Format version of the rule file; must be `1`.
    flexmap: u8,
    /// What the ruleset produces: `task` (the `conversations` and `customers` objects of
    /// task attributes) or `worker` (the flat worker attributes of the Agents data set).
    target: TargetSchema,
    /// What this ruleset is for; shown in generated docs.
    description: Option<String>,
    /// What the input records look like: input path (`crm.account.id`) to a type name or
    /// a declaration. Declared facts feed lints (PII, cardinality, length).
    inputs: Option<BTreeMap<String, InputSchema>>,
    /// Lookup tables for `lookup(name)`: table name to a mapping of keys to strings,
    /// numbers or booleans.
    tables: Option<BTreeMap<String, BTreeMap<String, TableValueSchema>>>,
    /// Named custom fields; the compiler assigns each a numbered slot of its kind
    /// (recorded in `flexmap.lock`).
    custom: Option<BTreeMap<String, CustomSchema>>,
    /// Rules for the `conversations` object of task attributes (target `task` only).
    conversations: Option<BTreeMap<String, RuleSchema>>,
    /// Rules for the `customers` object of task attributes (target `task` only).
    customers: Option<BTreeMap<String, RuleSchema>>,
    /// Rules for the flat worker attributes Insights reads (target `worker` only).
    worker: Option<BTreeMap<String, RuleSchema>>,
    /// Attributes outside Insights (routing skills, Flex UI data), written at the root of
    /// the attributes object; typed but not checked against the catalog.
    extra: Option<BTreeMap<String, RuleSchema>>,
}

/// What a ruleset produces.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
#[allow(dead_code)]
enum TargetSchema {
    /// Task attributes: `conversations` and `customers`.
    Task,
    /// Worker attributes (Agents data set).
    Worker,
}

/// A rule: an expression string, a number or boolean constant, or a mapping with
/// `value` or `const`.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum RuleSchema {
    /// An expression, e.g. `crm.account.tier | lower`. A string constant needs its own
    /// quotes (`'"No"'`); or use `{ const: No }`.
    Expression(String),
    /// A number constant.
    Number(f64),
    /// A boolean constant.
    Bool(bool),
    /// A rule with options.
    Mapping(RuleMappingSchema),
}

/// A rule with options: exactly one of `value` or `const`, and optionally `when`, `allow`
/// and `description`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct RuleMappingSchema {
    /// The expression that computes the value (a number or boolean is a constant).
    value: Option<ExpressionSchema>,
    /// A literal YAML value, written as is; no expression quoting needed.
    #[schemars(rename = "const")]
    constant: Option<Value>,
    /// Condition expression: the rule applies only when it is true, e.g.
    /// `task.channel == "voice"`.
    when: Option<ConditionSchema>,
    /// Lints to suppress for this rule (names or codes), with intent kept in git.
    allow: Option<AllowSchema>,
    /// What the value means; shown in generated docs.
    description: Option<String>,
}

/// A named custom field: its slot kind, section and rule.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct CustomSchema {
    /// Which kind of numbered slot to assign: `attribute` (text), `label` (display text of
    /// the attribute with the same number) or `measure` (number, conversations only).
    kind: SlotKindSchema,
    /// Section of the slot; defaults to `conversations` for task rulesets and `worker`
    /// for worker rulesets.
    scope: Option<ScopeSchema>,
    /// The slot this field asks for explicitly, e.g. `conversation_attribute_3` (to re-use a
    /// retired slot, or keep a renamed field's column); normally left out: `flexmap lock`
    /// assigns one and pins it in flexmap.lock.
    slot: Option<String>,
    /// The expression that computes the value (a number or boolean is a constant).
    value: Option<ExpressionSchema>,
    /// A literal YAML value, written as is; no expression quoting needed.
    #[schemars(rename = "const")]
    constant: Option<Value>,
    /// Condition expression: the rule applies only when it is true.
    when: Option<ConditionSchema>,
    /// Lints to suppress for this rule (names or codes).
    allow: Option<AllowSchema>,
    /// What the field means; shown in generated docs.
    description: Option<String>,
}

/// Kind of a numbered custom slot.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
#[allow(dead_code)]
enum SlotKindSchema {
    /// `*_attribute_N`: custom text.
    Attribute,
    /// `*_label_N`: display text of the attribute slot with the same number.
    Label,
    /// `conversation_measure_N`: custom number.
    Measure,
}

/// A section of Insights fields.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
#[allow(dead_code)]
enum ScopeSchema {
    /// The `conversations` object of task attributes.
    Conversations,
    /// The `customers` object of task attributes.
    Customers,
    /// The worker attributes.
    Worker,
}

/// An expression string, or a number or boolean constant.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum ExpressionSchema {
    /// An expression.
    Expression(String),
    /// A number constant.
    Number(f64),
    /// A boolean constant.
    Bool(bool),
}

/// A condition expression, or `true`/`false`.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum ConditionSchema {
    /// A condition expression.
    Expression(String),
    /// Always or never.
    Bool(bool),
}

/// One lint, or a list of lints, by name (`id-in-attribute`) or code (`FM104`).
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum AllowSchema {
    /// A list of lints.
    List(Vec<LintName>),
    /// One lint.
    One(LintName),
}

/// A lint name or code; `flexmap explain CODE` says what it catches.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct LintName(String);

/// An input declaration: a type name, or a mapping.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum InputSchema {
    /// Just the type.
    Type(crate::rules_file::DeclaredType),
    /// A declaration with facts.
    Declaration(InputDeclarationSchema),
}

/// What an input path holds.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct InputDeclarationSchema {
    /// The type of the value.
    #[schemars(rename = "type")]
    kind: Option<crate::rules_file::DeclaredType>,
    /// `high` for per-contact values (ids, emails), `low` for small value sets.
    cardinality: Option<CardinalitySchema>,
    /// The value is personal data (lints warn where it would reach Insights).
    pii: Option<bool>,
    /// Longest value in characters.
    #[schemars(range(min = 0))]
    max_length: Option<u64>,
    /// What the input is; for readers.
    description: Option<String>,
}

/// Cardinality of an input.
#[derive(JsonSchema)]
#[schemars(rename_all = "snake_case")]
#[allow(dead_code)]
enum CardinalitySchema {
    /// Many distinct values (ids, emails, free text).
    High,
    /// A small set of values.
    Low,
}

/// A value in a lookup table.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code)]
enum TableValueSchema {
    /// Text.
    String(String),
    /// A number.
    Number(f64),
    /// A boolean.
    Bool(bool),
}

/// Removes the `null` schemars allows for `Option` fields: an optional key of a rule file
/// may be left out, but not written empty (the loader rejects `description:` with nothing).
fn forbid_null(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            if let Some(Value::Array(types)) = object.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    object.insert("type".to_string(), only);
                }
            }
            if let Some(Value::Array(alternatives)) = object.get_mut("anyOf") {
                alternatives.retain(|a| a.get("type").is_none_or(|t| t != "null"));
                if alternatives.len() == 1 {
                    let only = alternatives.remove(0);
                    object.remove("anyOf");
                    if let Value::Object(only) = only {
                        for (key, value) in only {
                            object.entry(key).or_insert(value);
                        }
                    }
                }
            }
            for value in object.values_mut() {
                forbid_null(value);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_null),
        _ => {}
    }
}

/// Joins the lines of descriptions taken from wrapped doc comments: editors show a
/// description's line breaks as they are.
fn unwrap_descriptions(schema: &mut Value) {
    match schema {
        Value::Object(object) => {
            for (key, value) in object.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => {
                        *text = text.replace('\n', " ");
                    }
                    _ => unwrap_descriptions(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// Replaces the generic parts of the generated schema with facts from the catalog.
fn enrich(schema: &mut Value) {
    let Some(root) = schema.as_object_mut() else {
        return;
    };
    if let Some(properties) = root.get_mut("properties").and_then(Value::as_object_mut) {
        properties.insert(
            "flexmap".to_string(),
            json!({
                "description": "Format version of the rule file; must be `1`.",
                "const": FORMAT_VERSION,
            }),
        );
        for section in Section::ALL {
            if let Some(property) = properties
                .get_mut(section.name())
                .and_then(Value::as_object_mut)
            {
                property.remove("additionalProperties");
                property.insert(
                    "properties".to_string(),
                    Value::Object(section_properties(section)),
                );
                property.insert("additionalProperties".to_string(), Value::Bool(false));
            }
        }
    }
    // Sections that do not belong to the target are errors in the loader.
    root.insert(
        "allOf".to_string(),
        json!([
            {
                "if": { "properties": { "target": { "const": "worker" } }, "required": ["target"] },
                "then": { "properties": { "conversations": false, "customers": false } }
            },
            {
                "if": { "properties": { "target": { "const": "task" } }, "required": ["target"] },
                "then": { "properties": { "worker": false } }
            }
        ]),
    );
    if let Some(definitions) = root.get_mut("definitions").and_then(Value::as_object_mut) {
        if let Some(lint) = definitions
            .get_mut("LintName")
            .and_then(Value::as_object_mut)
        {
            let names: Vec<Value> = Code::ALL
                .iter()
                .flat_map(|code| [code.name(), code.as_str()])
                .map(|text| Value::String(text.to_string()))
                .collect();
            lint.insert("enum".to_string(), Value::Array(names));
        }
        let one_value = json!([
            { "required": ["value"], "not": { "required": ["const"] } },
            { "required": ["const"], "not": { "required": ["value"] } }
        ]);
        for name in ["RuleMappingSchema", "CustomSchema"] {
            if let Some(definition) = definitions.get_mut(name).and_then(Value::as_object_mut) {
                definition.insert("oneOf".to_string(), one_value.clone());
            }
        }
    }
}

/// Every named field and in-range slot of `section`, each pointing at the rule schema.
fn section_properties(section: Section) -> Map<String, Value> {
    // Draft-07 ignores keywords beside `$ref`, so the reference goes under `allOf`.
    let rule = json!([{ "$ref": "#/definitions/RuleSchema" }]);
    let mut properties = Map::new();
    for field in catalog::section_fields(section) {
        let mut description = format!("{} ({}): {}", field.name, field.kind.name(), field.summary);
        if !field.values.is_empty() {
            description.push_str(" Values: ");
            description.push_str(&field.values.join(", "));
            description.push('.');
        }
        if field.read_only {
            description.push_str(" Read-only: do not set by hand.");
        }
        properties.insert(
            field.name.to_string(),
            json!({ "description": description, "allOf": rule }),
        );
    }
    for slot in catalog::slots(section) {
        let summary = match slot.kind {
            catalog::SlotKind::Attribute => "custom text attribute".to_string(),
            catalog::SlotKind::Label => format!(
                "display label of `{}_attribute_{}`",
                section.slot_prefix(),
                slot.number
            ),
            catalog::SlotKind::Measure => "custom numeric measure".to_string(),
        };
        let name = slot.name();
        let description = format!("{name} ({}): {summary}.", slot.kind().name());
        properties.insert(name, json!({ "description": description, "allOf": rule }));
    }
    properties
}
