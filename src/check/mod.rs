//! Checking and lowering: rule model + catalog → typed IR, with FM002, FM101, FM102,
//! FM201, FM303 and FM306 on the way.
//!
//! Every rule is checked on its own; a rule with an error is left out of the program but
//! never stops the others from being checked.

mod expr;
pub mod facts;
mod single;

pub use single::{CheckedExpr, check_expression};

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::catalog::{self, Kind, Lookup, Section, SlotKind, Target};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::rules_file::{DeclaredType, Rule, RuleFile, RuleSection, RuleValue};
use crate::runtime::{CompiledRule, Ir, OutSection, Program, Site, SiteId};
use crate::source::Span;
use crate::types::Type;

/// Checks a loaded rule file on its own and compiles what is sound into a program.
///
/// The program holds every rule that checked without error; callers must refuse to run
/// it when the diagnostics hold an error (the library and the CLI do).
#[must_use]
pub fn check(file: &RuleFile) -> (Program, Vec<Diagnostic>) {
    let analysis = analyze(file);
    (analysis.program, analysis.diagnostics)
}

/// What the linter sees of one rule: its resolved target, its syntax tree and its facts.
#[derive(Clone, Debug)]
pub struct AnalyzedRule {
    /// The rule as written.
    pub rule: Rule,
    /// Where it writes (`Extra` when the target did not resolve).
    pub section: OutSection,
    /// The key it writes (the assigned slot for a custom field).
    pub target: String,
    /// True when the target is a known, writable place.
    pub resolved: bool,
    /// The target's kind (`None` for `extra`).
    pub kind: Option<Kind>,
    /// The catalog entry of a named field.
    pub field: Option<&'static catalog::Field>,
    /// The slot of a numbered field.
    pub slot: Option<catalog::Slot>,
    /// The value's syntax tree (`None` for constants and values that did not parse).
    pub ast: Option<crate::syntax::Expr>,
    /// Facts about the value (`None` when it did not parse).
    pub facts: Option<facts::Facts>,
    /// The condition's syntax tree and facts.
    pub when: Option<(crate::syntax::Expr, facts::Facts)>,
    /// True when the rule checked without errors and is part of the program.
    pub compiled: bool,
    /// The rule's site in the program (runtime warnings and sample evidence refer to it).
    pub site: crate::runtime::SiteId,
}

/// The result of checking a rule file: the program, the findings so far, and what the
/// linter needs to know about each rule.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// Every rule that checked cleanly.
    pub program: Program,
    /// Findings of the front end and the checker.
    pub diagnostics: Vec<Diagnostic>,
    /// Every rule, in the order it was checked (custom fields first).
    pub rules: Vec<AnalyzedRule>,
    /// Findings of the project's slot plan about this file (FM202 across files, FM203,
    /// FM205, FM207), each with the name span of its rule; the linter reports them.
    pub ledger: Vec<(Span, Diagnostic)>,
    /// The slot space the plan leaves (project-wide): every help and fix that names a free
    /// slot asks it.
    pub allocator: crate::ledger::SlotAllocator,
}

/// Checks a rule file on its own (custom fields get the first free slots of this file, as
/// if it were a project of one file without a lock) and keeps what the linter needs.
#[must_use]
pub fn analyze(file: &RuleFile) -> Analysis {
    analyze_with(file, &crate::ledger::SlotPlan::standalone(file))
}

/// Checks a rule file with the slots a project's plan gives its custom fields
/// (`SlotPlan::slots_for`). Every consumer that needs a custom field's slot (the program,
/// the linter, `flexmap slots`, generated docs) reads it from here.
#[must_use]
pub fn analyze_with(file: &RuleFile, slots: &crate::ledger::plan::FileSlots) -> Analysis {
    let target = file.target.unwrap_or(Target::Task);
    let mut checker = Checker::new(file, target);
    checker.proposals = slots.allocator.clone();
    let mut rules = Vec::new();
    let assigned = checker.custom_slots(slots);
    for (custom, slot_name) in file.custom.iter().zip(assigned) {
        let Some(slot_name) = slot_name else {
            // No slot: still check its expressions, so their mistakes show in the same run.
            let _ = checker.rule(
                &custom.rule,
                OutSection::Extra,
                &custom.name,
                None,
                &[],
                false,
            );
            continue;
        };
        let kind = custom.kind.field_kind();
        if let Some(rule) = checker.rule(
            &custom.rule,
            OutSection::Insights(custom.scope),
            &slot_name,
            Some(kind),
            &[],
            true,
        ) {
            rules.push(rule);
        }
    }
    for rule in &file.rules {
        let resolved = match rule.section {
            RuleSection::Extra => checker
                .extra_target(rule)
                .map(|()| (OutSection::Extra, None, &[][..])),
            RuleSection::Insights(section) => checker
                .insights_target(rule, section)
                .map(|(kind, values)| (OutSection::Insights(section), Some(kind), values)),
        };
        // Expressions are checked even when the target is wrong, so their own
        // mistakes are reported in the same run.
        let Some((section, kind, values)) = resolved else {
            let _ = checker.rule(rule, OutSection::Extra, &rule.name, None, &[], false);
            continue;
        };
        if let Some(compiled) = checker.rule(rule, section, &rule.name, kind, values, true) {
            rules.push(compiled);
        }
    }
    let Checker {
        diagnostics,
        sites,
        analyzed,
        ..
    } = checker;
    let diagnostics = diagnostics
        .into_iter()
        .map(|d| d.in_source(&file.source))
        .collect();
    let program = Program {
        name: Arc::from(file.source.name()),
        target,
        rules,
        sites,
    };
    Analysis {
        program,
        diagnostics,
        rules: analyzed,
        ledger: slots.findings.clone(),
        allocator: slots.allocator.clone(),
    }
}

pub(crate) struct Checker<'f> {
    file: &'f RuleFile,
    target: Target,
    pub(crate) diagnostics: Vec<Diagnostic>,
    sites: Vec<Site>,
    inputs: HashMap<String, (DeclaredType, Span)>,
    tables: HashMap<String, Arc<HashMap<String, Value>>>,
    current_target: Arc<str>,
    analyzed: Vec<AnalyzedRule>,
    /// The plan's slot space; each FM201 fix takes the slot it proposes from it.
    proposals: crate::ledger::SlotAllocator,
}

impl<'f> Checker<'f> {
    /// A checker of `file` for `target`, with its declared inputs and tables.
    fn new(file: &'f RuleFile, target: Target) -> Checker<'f> {
        Checker {
            file,
            target,
            diagnostics: Vec::new(),
            sites: Vec::new(),
            inputs: file
                .inputs
                .iter()
                .map(|i| {
                    (
                        i.path.clone(),
                        (i.ty.map_or(DeclaredType::Any, |t| t.0), i.span),
                    )
                })
                .collect(),
            tables: file
                .tables
                .iter()
                .map(|t| {
                    (
                        t.name.clone(),
                        Arc::new(
                            t.entries
                                .iter()
                                .cloned()
                                .collect::<HashMap<String, Value>>(),
                        ),
                    )
                })
                .collect(),
            current_target: Arc::from(""),
            analyzed: Vec::new(),
            proposals: crate::ledger::SlotAllocator::new(),
        }
    }
}

impl Checker<'_> {
    pub(crate) fn site(&mut self, span: Span, what: &str) -> SiteId {
        let (line, column) = self.file.source.line_col(span.start);
        self.sites.push(Site {
            file: Arc::from(self.file.source.name()),
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            target: self.current_target.clone(),
            what: Arc::from(what),
        });
        u32::try_from(self.sites.len() - 1).unwrap_or(u32::MAX)
    }

    /// The slot of each custom field, as the slot plan gives it; FM102 for a field whose
    /// scope this ruleset's target cannot write, and the plan's FM201 for fields left
    /// without a slot.
    fn custom_slots(&mut self, slots: &crate::ledger::plan::FileSlots) -> Vec<Option<String>> {
        let mut out = Vec::new();
        for (index, custom) in self.file.custom.iter().enumerate() {
            if custom.scope.target() != self.target {
                self.diagnostics.push(
                    Diagnostic::new(
                        Code::WrongSection,
                        format!("custom field `{}` uses `{}` slots, which a `target: {}` ruleset cannot write", custom.name, custom.scope.name(), crate::rules_file::target_name(self.target)),
                        custom.name_span,
                    )
                    .with_help("change `scope:` to a section of this ruleset's target"),
                );
                out.push(None);
                continue;
            }
            out.push(
                slots
                    .slots
                    .get(index)
                    .copied()
                    .flatten()
                    .map(|slot| slot.name()),
            );
        }
        self.diagnostics.extend(slots.overflow.iter().cloned());
        out
    }

    /// Resolves an Insights target name: FM101, FM102 or FM201 when it is not writable.
    fn insights_target(
        &mut self,
        rule: &Rule,
        section: Section,
    ) -> Option<(Kind, &'static [&'static str])> {
        let name = rule.name.as_str();
        match catalog::lookup(section, name) {
            Lookup::Field(field) => Some((field.kind, field.values)),
            Lookup::Slot(slot) => Some((slot.kind(), &[])),
            Lookup::SlotOutOfRange {
                section: slot_section,
                kind,
                number,
                count,
            } => {
                let message = format!(
                    "`{name}`: {}",
                    catalog::slot_range_message(slot_section, kind, number, count)
                );
                let free_slot = self.first_free_slot(slot_section, kind);
                let help = match &free_slot {
                    Some(free) => format!(
                        "use {free}, the first free {} slot; Insights silently ignores `{name}`",
                        kind.name()
                    ),
                    None if count == 0 => {
                        format!("{} has only attribute and label slots", slot_section.name())
                    }
                    None => format!(
                        "all {count} {} slots are used; remove one, or use a label slot",
                        kind.name()
                    ),
                };
                let mut d = Diagnostic::new(Code::SlotOverflow, message, rule.name_span)
                    .with_label("slot number out of range")
                    .with_help(help);
                if let Some(free) = free_slot {
                    d = d.with_fix(
                        format!("use `{free}`"),
                        vec![Edit::replace(rule.name_span, free)],
                    );
                }
                self.diagnostics.push(d);
                None
            }
            Lookup::Unknown => {
                let suggestion = match catalog::rules::classify_unknown(section, name) {
                    // A slot name of another section that does not exist there either.
                    catalog::rules::UnknownKey::ForeignSlot {
                        section: slot_section,
                        kind,
                        number,
                        count,
                    } => {
                        let message = format!(
                            "`{name}`: {}",
                            catalog::slot_range_message(slot_section, kind, number, count)
                        );
                        let own = catalog::slot_count(section, kind);
                        let help = if own > 0 {
                            format!(
                                "under `{}`, use `{}_{}_N` (N from 1 to {own})",
                                section.name(),
                                section.slot_prefix(),
                                kind.name()
                            )
                        } else {
                            format!("`{}` has no {} slots either", section.name(), kind.name())
                        };
                        self.diagnostics.push(
                            Diagnostic::new(Code::SlotOverflow, message, rule.name_span)
                                .with_label("no such slot")
                                .with_help(help),
                        );
                        return None;
                    }
                    catalog::rules::UnknownKey::Unknown(suggestion) => suggestion,
                    catalog::rules::UnknownKey::WrongSection(other) => {
                        let help = if other.target() == self.target {
                            format!("move it under `{}:`", other.name())
                        } else {
                            format!(
                                "`{}` fields belong in a ruleset with `target: {}`; move it to such a file",
                                other.name(),
                                crate::rules_file::target_name(other.target())
                            )
                        };
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::WrongSection,
                                format!(
                                    "`{name}` is a `{}` field, not a `{}` field",
                                    other.name(),
                                    section.name()
                                ),
                                rule.name_span,
                            )
                            .with_label(format!(
                                "Insights ignores `{name}` under `{}`",
                                section.name()
                            ))
                            .with_help(help),
                        );
                        return None;
                    }
                };
                let mut d = Diagnostic::new(
                    Code::UnknownTarget,
                    format!(
                        "`{}` is not a `{}` field Insights knows",
                        crate::diagnostic::wording::escape_invisible(name),
                        section.name()
                    ),
                    rule.name_span,
                )
                .with_label("Insights would silently ignore this key");
                // An invisible character (zero-width space, joiner, BOM) is named first: the
                // key looks right in every editor.
                let invisible = self.invisible_in_key(rule);
                d = match suggestion {
                    Some(s) => {
                        let same_section = s.section == section;
                        let full = if same_section { s.name.clone() } else { format!("{}.{}", s.section.name(), s.name) };
                        let d = match s.note {
                            Some(note) => d.with_help(format!("{invisible}did you mean `{full}`? {note}")),
                            None => d.with_help(format!("{invisible}did you mean `{full}`?")),
                        };
                        if same_section && s.mechanical {
                            d.with_fix(format!("rename `{name}` to `{}`", s.name), vec![Edit::replace(rule.name_span, s.name.clone())])
                        } else {
                            d
                        }
                    }
                    None => d.with_help(format!(
                        "{invisible}use a field from the Insights catalog, a custom field under `custom:`, or move it under `extra:` if it is not meant for Insights",
                    )),
                };
                self.diagnostics.push(d);
                None
            }
        }
    }

    /// "the key contains an invisible character `\u{200B}` at column 15: delete it; " when the
    /// rule's key holds one (the column is the file's when the key is written plain), else "".
    fn invisible_in_key(&self, rule: &Rule) -> String {
        use crate::diagnostic::wording::{escape_char, first_invisible};
        let name = rule.name.as_str();
        let Some((index, c)) = first_invisible(name) else {
            return String::new();
        };
        let source = &self.file.source;
        let written = source.text().get(rule.name_span.range());
        let place = if written == Some(name) {
            let (_, column) = source.line_col(rule.name_span.start);
            format!("at column {}", column + index)
        } else {
            format!("as character {} of the key", index + 1)
        };
        format!(
            "the key contains an invisible character `{}` {place}: delete it; ",
            escape_char(c)
        )
    }

    fn first_free_slot(&mut self, section: Section, kind: SlotKind) -> Option<String> {
        self.proposals.take(section, kind).map(|slot| slot.name())
    }

    /// `extra:` keys must not collide with Insights objects or worker fields.
    fn extra_target(&mut self, rule: &Rule) -> Option<()> {
        let name = rule.name.as_str();
        let clash = match self.target {
            Target::Task => matches!(name, "conversations" | "customers"),
            Target::Worker => !matches!(catalog::lookup(Section::Worker, name), Lookup::Unknown),
        };
        if clash {
            let help = match self.target {
                Target::Task => format!("write these rules under `{name}:` instead of `extra:`"),
                Target::Worker => format!(
                    "`{name}` is an Insights worker field: move the rule under `worker:` so it is checked"
                ),
            };
            self.diagnostics.push(
                Diagnostic::new(
                    Code::WrongSection,
                    format!("`extra` key `{name}` would overwrite Insights data"),
                    rule.name_span,
                )
                .with_label("collides with an Insights key")
                .with_help(help),
            );
            return None;
        }
        Some(())
    }

    /// Checks and lowers one rule. `kind` is `None` for `extra`.
    /// Checks and lowers one rule, and records what the linter needs to know about it.
    /// `kind` is `None` for `extra`; `resolved` is false when the target is not writable.
    fn rule(
        &mut self,
        rule: &Rule,
        section: OutSection,
        name: &str,
        kind: Option<Kind>,
        values: &'static [&'static str],
        resolved: bool,
    ) -> Option<CompiledRule> {
        let errors_before = self.error_count();
        self.current_target = Arc::from(match section {
            OutSection::Insights(Section::Worker) | OutSection::Extra => name.to_string(),
            OutSection::Insights(s) => format!("{}.{name}", s.name()),
        });
        let site = self.site(rule.name_span, "rule");
        let mut ast = None;
        let mut value_facts = None;
        let value = match &rule.value {
            RuleValue::Expr(source) => self.expression(source).map(|(typed, tree)| {
                value_facts = Some(facts::facts(&tree, source, typed.1, &self.fact_context()));
                ast = Some(tree);
                typed
            }),
            RuleValue::Const { value, span } => {
                value_facts = Some(facts::Facts::of_constant(value, *span));
                Some((
                    Ir::Const(value.clone()),
                    Type::of(value),
                    expr::Origin::new(format!("the constant `{value}`"), Some(*span)),
                ))
            }
        };
        if let (Some(kind), Some((_, ty, origin))) = (kind, &value) {
            self.check_kind(rule, kind, *ty, origin);
        }
        // The condition is checked even when the value did not parse.
        let mut when_analysis = None;
        let when = match &rule.when {
            Some(source) => match self.expression(source) {
                Some(((ir, ty, origin), tree)) => {
                    if !ty.may_be(&[Type::Bool]) {
                        self.diagnostics.push(
                            Diagnostic::new(
                                Code::TypeMismatch,
                                format!(
                                    "`when` must be a condition, but this is {}",
                                    ty.with_article()
                                ),
                                origin.span.unwrap_or(source.span),
                            )
                            .with_label(format!("{ty}, from {}", origin.text))
                            .with_help("compare it, e.g. `task.channel == \"voice\"`"),
                        );
                    }
                    let when_facts = facts::facts(&tree, source, ty, &self.fact_context());
                    when_analysis = Some((tree, when_facts));
                    Some(ir)
                }
                None => None,
            },
            None => None,
        };
        let when_failed = rule.when.is_some() && when.is_none();
        let compiled = value.is_some() && !when_failed && self.error_count() == errors_before;
        let (field, slot) = match section {
            OutSection::Insights(s) if resolved => match catalog::lookup(s, name) {
                catalog::Lookup::Field(f) => (Some(f), None),
                catalog::Lookup::Slot(slot) => (None, Some(slot)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        self.analyzed.push(AnalyzedRule {
            rule: rule.clone(),
            section,
            target: name.to_string(),
            resolved,
            kind,
            field,
            slot,
            ast,
            facts: value_facts,
            when: when_analysis,
            compiled: compiled && resolved,
            site,
        });
        if !compiled {
            return None;
        }
        let (value, _, _) = value?;
        Some(CompiledRule {
            section,
            name: name.into(),
            kind,
            values,
            value,
            when,
            site,
        })
    }

    fn fact_context(&self) -> facts::FactContext<'_> {
        facts::FactContext {
            inputs: &self.file.inputs,
            tables: self
                .tables
                .iter()
                .map(|(name, table)| {
                    let longest = table
                        .values()
                        .filter_map(|v| {
                            crate::runtime::convert::render_scalar(v).map(|s| s.chars().count())
                        })
                        .max()
                        .unwrap_or(0);
                    (name.clone(), longest)
                })
                .collect(),
        }
    }

    fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// FM303 against the target kind: only definite mismatches.
    fn check_kind(&mut self, rule: &Rule, kind: Kind, ty: Type, origin: &expr::Origin) {
        let (bad, help): (&[Type], &str) = match kind {
            Kind::Text | Kind::Label | Kind::Id | Kind::Hierarchy | Kind::Enum => (
                &[Type::Array, Type::Object],
                "pick one element with `| first`, or join them with `| join(\", \")` (`| hierarchy` for levels)",
            ),
            Kind::YesNo => (&[Type::Array, Type::Object], "convert with `| yes_no`"),
            Kind::Measure => (
                &[Type::String, Type::Bool, Type::Array, Type::Object],
                "convert with `| number`",
            ),
            Kind::Duration => (
                &[Type::String, Type::Bool, Type::Array, Type::Object],
                "convert with `| seconds` (or `| number`)",
            ),
            Kind::Date => (
                &[Type::Bool, Type::Array, Type::Object],
                "give a date string or epoch milliseconds, e.g. `| date`",
            ),
            Kind::Url => (
                &[Type::Number, Type::Bool, Type::Array, Type::Object],
                "build an absolute https:// URL with `++`",
            ),
            Kind::List => (
                &[Type::String, Type::Number, Type::Bool, Type::Object],
                "give a list of objects, e.g. `[{type: \"Referenced\", url: ..., title: ...}]`",
            ),
        };
        if !bad.contains(&ty) {
            return;
        }
        let span = origin.span.unwrap_or_else(|| rule.value.span());
        let mut d = Diagnostic::new(
            Code::TypeMismatch,
            format!(
                "`{}` is {} {} field, but its value is {}",
                rule.name,
                article(kind.name()),
                kind.name(),
                ty.with_article()
            ),
            span,
        )
        .with_label(format!("{ty}, from {}", origin.text))
        .with_secondary(
            rule.name_span,
            format!("{} field", kind.name().replace('_', "/")),
        )
        .with_help(help);
        if let Some(declared) = origin.declared {
            d = d.with_secondary(declared, "declared here");
        }
        self.diagnostics.push(d);
    }
}

pub(crate) use crate::diagnostic::article;

#[cfg(test)]
mod tests;
