//! The project-wide slot assignment: rule files + `flexmap.lock` → the slot of every
//! custom field, the findings about the ledger (FM201, FM202 across files, FM203, FM205),
//! and the lock `flexmap lock` would write.
//!
//! All rulesets of a project share one slot space per section (task rulesets share the
//! `conversation_*` and `customer_*` slots of one workspace; worker rulesets the `agent_*`
//! slots of its Agents data set). A custom field keeps the slot the lock gives its name. A
//! new field gets the first free slot of its kind, preferring a number whose partner
//! (label for an attribute, attribute for a label) is free too. Free means: not written by
//! hand in any ruleset of the project, not in the lock (neither held nor retired), and not
//! given to another field in this run. Only a field's explicit `slot:` can take a retired
//! slot.

use std::collections::HashMap;
use std::path::PathBuf;

use super::alloc::{Hold, SlotAllocator, SlotState};
use super::{Ledger, LockEntry};
use crate::catalog::{self, Lookup, Section, Slot, SlotKind, Target};
use crate::diagnostic::{Code, Diagnostic, Edit};
use crate::rules_file::{CustomField, RuleFile, RuleSection};
use crate::source::{SourceFile, Span};

/// One rule file of the project, as the plan sees it.
#[derive(Clone, Debug)]
pub struct PlanInput<'a> {
    /// The file's display name (as in its diagnostics).
    pub name: String,
    /// The path relative to the project root, `/`-separated (as the lock records it).
    pub key: String,
    /// The canonical path, when the file is on disk.
    pub path: Option<PathBuf>,
    /// The loaded rule file.
    pub file: &'a RuleFile,
}

/// What the plan decided for one rule file.
#[derive(Clone, Debug, Default)]
pub struct FileSlots {
    /// The slot of each custom field, in `RuleFile::custom` order (`None`: no slot).
    pub slots: Vec<Option<Slot>>,
    /// FM201 for custom fields that get no slot (the checker reports them).
    pub overflow: Vec<Diagnostic>,
    /// Ledger findings for the linter (FM202 across files, FM203, FM205, FM207), each with
    /// the name span of the rule or custom field it is about (for `allow:`).
    pub findings: Vec<(Span, Diagnostic)>,
    /// The slot space after the plan (project-wide): what every help and fix that names a
    /// slot asks (`SlotAllocator::first_free`).
    pub allocator: SlotAllocator,
}

/// A planned rule file.
#[derive(Clone, Debug)]
pub struct FilePlan {
    /// The file's display name.
    pub name: String,
    /// The path relative to the project root.
    pub key: String,
    /// The canonical path, when known.
    pub path: Option<PathBuf>,
    /// Custom field names, in file order, with their slots.
    pub names: Vec<(String, SlotKind, Section)>,
    /// The text the plan was made from.
    pub source: SourceFile,
    /// What the file gets.
    pub slots: FileSlots,
}

/// What one slot holds, for `flexmap slots`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SlotUse {
    /// The slot.
    pub slot: Slot,
    /// Its state.
    pub status: SlotStatus,
    /// The custom field holding (or, retired, that held) it.
    pub field: Option<String>,
    /// Files that write it (relative to the project root).
    pub files: Vec<String>,
    /// Fields that held it before an explicit re-use.
    pub previous: Vec<String>,
    /// For a `Paired` slot: its held partner (same number, attribute ↔ label).
    pub paired_with: Option<Slot>,
}

/// The state of a slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlotStatus {
    /// The allocator would hand it out: nothing writes it, the lock does not hold it, and
    /// its partner (same number, attribute ↔ label) is not used either.
    Free,
    /// Nothing writes it, but its partner is used: a label is the display text of the
    /// same-numbered attribute, so the allocator never gives it to another meaning.
    Paired,
    /// A custom field holds it, pinned in the lock.
    Locked,
    /// A custom field gets it, but the lock does not record that yet.
    Unlocked,
    /// A rule writes the slot by its number.
    Hand,
    /// Its custom field was removed; only an explicit `slot:` can re-use it.
    Retired,
}

impl SlotStatus {
    /// The word shown in `flexmap slots`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            SlotStatus::Free => "free",
            SlotStatus::Paired => "paired",
            SlotStatus::Locked => "locked",
            SlotStatus::Unlocked => "unlocked",
            SlotStatus::Hand => "by hand",
            SlotStatus::Retired => "retired",
        }
    }
}

/// The project-wide assignment.
#[derive(Clone, Debug)]
pub struct SlotPlan {
    /// Each rule file, in the order given.
    pub files: Vec<FilePlan>,
    /// The lock in use (`None`: the project has no ledger; nothing is reported about it).
    pub ledger: Option<Ledger>,
    /// The entries `flexmap lock` would write.
    pub proposed: Vec<LockEntry>,
    /// Findings about the lock itself (fields it holds that no file declares), primary in
    /// the lock file.
    pub findings: Vec<Diagnostic>,
    /// Findings that need a decision `flexmap lock` cannot take (FM203 other than a
    /// rename asked for with `slot:`, FM201): the lock is not written while there are any.
    pub blocking: Vec<Diagnostic>,
    /// Every slot of every section with what holds it.
    pub uses: Vec<SlotUse>,
}

/// Where a rule writes: the ruleset's target, the section (`None` for `extra`), the key.
type PlaceKey = (Target, Option<Section>, String);

struct Decl<'a> {
    file: usize,
    custom: &'a CustomField,
}

impl SlotPlan {
    /// Plans the slots of `inputs` (in the order given, which decides who gets the lower
    /// numbers among new fields) against `ledger`.
    #[must_use]
    pub fn build(inputs: &[PlanInput<'_>], ledger: Option<Ledger>) -> SlotPlan {
        let planner_ledger = ledger.clone();
        Planner::new(inputs, planner_ledger.as_ref()).run(inputs, ledger)
    }

    /// The slots of one file checked on its own, without a project or a lock (what
    /// `Ruleset::check` uses).
    #[must_use]
    pub fn standalone(file: &RuleFile) -> FileSlots {
        let input = PlanInput {
            name: file.source.name().to_string(),
            key: file.source.name().to_string(),
            path: None,
            file,
        };
        let mut plan = SlotPlan::build(&[input], None);
        plan.files.pop().map(|f| f.slots).unwrap_or_default()
    }

    /// What `file` (shown as `name`) gets in this plan. A file the plan does not know, or
    /// whose custom fields changed since the plan was made, is checked on its own.
    #[must_use]
    pub fn slots_for(&self, name: &str, file: &RuleFile) -> FileSlots {
        let same_fields = |planned: &FilePlan| {
            planned.names.len() == file.custom.len()
                && planned
                    .names
                    .iter()
                    .zip(&file.custom)
                    .all(|((n, k, s), c)| *n == c.name && *k == c.kind && *s == c.scope)
        };
        match self.planned(name) {
            Some(planned) if same_fields(planned) => planned.slots.clone(),
            _ => SlotPlan::standalone(file),
        }
    }

    /// The planned file `name` (matched by name, then by canonical path).
    #[must_use]
    pub fn planned(&self, name: &str) -> Option<&FilePlan> {
        self.files.iter().find(|f| f.name == name).or_else(|| {
            let canonical = std::fs::canonicalize(name).ok()?;
            self.files
                .iter()
                .find(|f| f.path.as_ref() == Some(&canonical))
        })
    }

    /// True when `name` is one of the planned files.
    #[must_use]
    pub fn contains(&self, name: &str) -> bool {
        self.files.iter().any(|f| f.name == name)
    }

    /// The text `flexmap lock` would write.
    #[must_use]
    pub fn proposed_text(&self) -> String {
        super::render(&self.proposed)
    }

    /// True when the lock would change (a missing lock counts as empty).
    #[must_use]
    pub fn lock_changes(&self) -> bool {
        let current = self.ledger.as_ref().map_or("", |l| l.source.text());
        current != self.proposed_text()
    }
}

struct Planner<'a> {
    ledger: Option<&'a Ledger>,
    /// The slot space: written by hand, in the lock (held or retired), or already given.
    alloc: SlotAllocator,
    /// Custom fields by name, in order of first declaration.
    fields: Vec<(String, Vec<Decl<'a>>)>,
    /// Slots written by hand: slot, file, rule name, name span.
    hand: Vec<(Slot, usize, String, Span)>,
    assigned: HashMap<String, Option<Slot>>,
    /// Slots whose locked field an explicit `slot:` takes over (renames and re-uses).
    taken_over: HashMap<Slot, String>,
    file_slots: Vec<FileSlots>,
    /// Name spans of hand-written rules already reported as FM203 (no FM202 for them too).
    reassigned: Vec<(usize, Span)>,
    findings: Vec<Diagnostic>,
    blocking: Vec<Diagnostic>,
    /// Each input's source, attached to the findings about it.
    sources: Vec<SourceFile>,
}

impl<'a> Planner<'a> {
    fn new(inputs: &[PlanInput<'a>], ledger: Option<&'a Ledger>) -> Planner<'a> {
        let mut fields: Vec<(String, Vec<Decl<'a>>)> = Vec::new();
        let mut hand = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            let target = input.file.target.unwrap_or(Target::Task);
            for custom in &input.file.custom {
                // A field whose scope the target cannot write is FM102 in the checker.
                if custom.scope.target() != target {
                    continue;
                }
                let decl = Decl {
                    file: index,
                    custom,
                };
                match fields.iter_mut().find(|(n, _)| *n == custom.name) {
                    Some((_, decls)) => decls.push(decl),
                    None => fields.push((custom.name.clone(), vec![decl])),
                }
            }
            for rule in &input.file.rules {
                if let RuleSection::Insights(section) = rule.section
                    && section.target() == target
                    && let Lookup::Slot(slot) = catalog::lookup(section, &rule.name)
                {
                    hand.push((slot, index, rule.name.clone(), rule.name_span));
                }
            }
        }
        // When the lock knows a field, the declaration that matches its entry is the
        // reference the others are compared with.
        if let Some(ledger) = ledger {
            for (name, decls) in &mut fields {
                if let Some(entry) = ledger.active(name)
                    && let Some(matching) = decls.iter().position(|d| {
                        d.custom.kind == entry.slot.kind && d.custom.scope == entry.slot.section
                    })
                {
                    let reference = decls.remove(matching);
                    decls.insert(0, reference);
                }
            }
        }
        let mut alloc = SlotAllocator::written(hand.iter().map(|(slot, ..)| *slot));
        if let Some(ledger) = ledger {
            for entry in &ledger.entries {
                let why = if entry.retired {
                    Hold::Retired
                } else {
                    Hold::Locked
                };
                alloc.hold(entry.slot, why);
            }
        }
        Planner {
            ledger,
            alloc,
            fields,
            hand,
            assigned: HashMap::new(),
            taken_over: HashMap::new(),
            file_slots: inputs
                .iter()
                .map(|i| FileSlots {
                    slots: vec![None; i.file.custom.len()],
                    ..FileSlots::default()
                })
                .collect(),
            reassigned: Vec::new(),
            findings: Vec::new(),
            blocking: Vec::new(),
            sources: inputs.iter().map(|i| i.file.source.clone()).collect(),
        }
    }

    fn declared(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }

    fn lock_source(&self) -> Option<&'a SourceFile> {
        self.ledger.map(|l| &l.source)
    }

    /// Adds the secondary label on a lock entry.
    fn at_entry(&self, d: Diagnostic, entry: &LockEntry, message: String) -> Diagnostic {
        match self.lock_source() {
            Some(source) => d.with_secondary_in(source, entry.span, message),
            None => d,
        }
    }

    fn finding(&mut self, file: usize, anchor: Span, d: Diagnostic) {
        let d = d.in_source(&self.sources[file]);
        self.file_slots[file].findings.push((anchor, d));
    }

    /// A finding `flexmap lock` cannot resolve: reported on the file and kept in `blocking`.
    fn blocking_finding(&mut self, file: usize, anchor: Span, d: Diagnostic) {
        self.blocking.push(d.clone().in_source(&self.sources[file]));
        self.finding(file, anchor, d);
    }

    fn run(mut self, inputs: &[PlanInput<'_>], ledger: Option<Ledger>) -> SlotPlan {
        self.redeclarations(inputs);
        self.locked_and_pinned();
        self.new_fields(inputs);
        self.hand_written();
        self.cross_file(inputs);
        self.pairing(inputs);
        self.removed();
        let proposed = self.proposed(inputs);
        let uses = self.uses(inputs);
        // Copy each field's slot into every file that declares it.
        for (name, decls) in &self.fields {
            let slot = self.assigned.get(name).copied().flatten();
            for decl in decls {
                if decl.custom.kind != decls[0].custom.kind
                    || decl.custom.scope != decls[0].custom.scope
                {
                    continue;
                }
                if let Some(index) = inputs[decl.file]
                    .file
                    .custom
                    .iter()
                    .position(|c| std::ptr::eq(c, decl.custom))
                {
                    self.file_slots[decl.file].slots[index] = slot;
                }
            }
        }
        let files = inputs
            .iter()
            .zip(self.file_slots)
            .map(|(input, mut slots)| {
                slots.allocator = self.alloc.clone();
                (input, slots)
            })
            .map(|(input, slots)| FilePlan {
                name: input.name.clone(),
                key: input.key.clone(),
                path: input.path.clone(),
                source: input.file.source.clone(),
                names: input
                    .file
                    .custom
                    .iter()
                    .map(|c| (c.name.clone(), c.kind, c.scope))
                    .collect(),
                slots,
            })
            .collect();
        SlotPlan {
            files,
            ledger,
            proposed,
            findings: self.findings,
            blocking: self.blocking,
            uses,
        }
    }

    /// The same custom field declared with another kind or scope in a later file: FM202.
    fn redeclarations(&mut self, inputs: &[PlanInput<'_>]) {
        let mut found = Vec::new();
        for (name, decls) in &self.fields {
            let first = &decls[0];
            for decl in &decls[1..] {
                if decl.custom.kind == first.custom.kind && decl.custom.scope == first.custom.scope
                {
                    continue;
                }
                let d = Diagnostic::new(
                    Code::DuplicateTarget,
                    format!(
                        "custom field `{name}` is declared as a {} {} here, but as a {} {} in {}",
                        decl.custom.scope.name(),
                        decl.custom.kind.name(),
                        first.custom.scope.name(),
                        first.custom.kind.name(),
                        inputs[first.file].key
                    ),
                    decl.custom.kind_span,
                )
                .with_label("declared differently here")
                .with_secondary_in(
                    &inputs[first.file].file.source,
                    first.custom.name_span,
                    format!("declared as a {} {} here", first.custom.scope.name(), first.custom.kind.name()),
                )
                .with_help(format!(
                    "a custom field is one column of the workspace: declare `{name}` alike in every file, or give one of them another name"
                ));
                found.push((decl.file, decl.custom.name_span, d));
            }
        }
        for (file, anchor, d) in found {
            self.finding(file, anchor, d);
        }
    }

    /// Fields the lock knows keep their slot; fields with `slot:` get the one they ask for.
    fn locked_and_pinned(&mut self) {
        let Some(ledger) = self.ledger else {
            // Without a lock, only explicit `slot:` keys are decided here.
            for index in 0..self.fields.len() {
                let (name, decls) = &self.fields[index];
                if let Some((pin, _)) = decls[0].custom.slot {
                    let name = name.clone();
                    self.assigned.insert(name, Some(pin));
                    self.alloc.hold(pin, Hold::Given);
                }
            }
            return;
        };
        for index in 0..self.fields.len() {
            let name = self.fields[index].0.clone();
            let decl_file = self.fields[index].1[0].file;
            let custom = self.fields[index].1[0].custom;
            let pin = custom.slot;
            if let Some(entry) = ledger.active(&name) {
                if entry.slot.section != custom.scope || entry.slot.kind != custom.kind {
                    let what = if entry.slot.kind == custom.kind {
                        format!("`scope: {}`", custom.scope.name())
                    } else {
                        format!("`kind: {}`", custom.kind.name())
                    };
                    let d = Diagnostic::new(
                        Code::SlotReassigned,
                        format!(
                            "custom field `{name}` is locked to {} slot `{}`, but is now declared with {what}",
                            entry.slot.kind.name(),
                            entry.slot
                        ),
                        custom.kind_span,
                    )
                    .with_label("changed here");
                    let d = self.at_entry(d, entry, format!("locked here as `{}`", entry.slot))
                        .with_help(format!(
                            "a slot keeps its kind and section: change it back, or give the field a new name (e.g. `{name}_{}`) so it gets a new slot and `{name}` retires with `{}`",
                            custom.kind.name(),
                            entry.slot
                        ));
                    self.blocking_finding(decl_file, custom.name_span, d);
                    self.assigned.insert(name, None);
                    continue;
                }
                if let Some((asked, span)) = pin
                    && asked != entry.slot
                {
                    let d = Diagnostic::new(
                        Code::SlotReassigned,
                        format!(
                            "custom field `{name}` is locked to `{}`, but its `slot:` asks for `{asked}`",
                            entry.slot
                        ),
                        span,
                    )
                    .with_label("a locked field cannot move");
                    let d = self
                        .at_entry(d, entry, format!("locked here to `{name}`"))
                        .with_help(format!(
                            "write `slot: {}` or remove `slot:`; to start a new column, give the field a new name so `{name}` retires with `{}`",
                            entry.slot, entry.slot
                        ));
                    self.blocking_finding(decl_file, custom.name_span, d);
                }
                self.assigned.insert(name, Some(entry.slot));
                continue;
            }
            let Some((asked, span)) = pin else {
                // A field that comes back under its old name gets its retired slot back: the
                // slot's last meaning was this field.
                if let Some(entry) = ledger.entries.iter().find(|e| {
                    e.retired
                        && e.field == name
                        && e.slot.section == custom.scope
                        && e.slot.kind == custom.kind
                        && !self.taken_over.contains_key(&e.slot)
                }) {
                    let d = Diagnostic::new(
                        Code::UnlockedSlot,
                        format!(
                            "custom field `{name}` is back: it gets its retired `{}` again, and flexmap.lock does not record that yet",
                            entry.slot
                        ),
                        custom.name_span,
                    )
                    .with_label(format!("gets `{}` back", entry.slot));
                    let d = self
                        .at_entry(d, entry, format!("retired here (held `{name}`)"))
                        .with_help(format!(
                            "run `flexmap lock` and commit flexmap.lock; if `{name}` now means something else, give it another name so it gets a new slot"
                        ));
                    self.finding(decl_file, custom.name_span, d);
                    self.taken_over.insert(entry.slot, name.clone());
                    self.assigned.insert(name, Some(entry.slot));
                }
                continue;
            };
            match ledger.entry(asked) {
                Some(entry) if !entry.retired => {
                    let holder = entry.field.clone();
                    if self.declared(&holder) {
                        let d = Diagnostic::new(
                            Code::SlotReassigned,
                            format!("`{asked}` is locked to custom field `{holder}`, which still uses it"),
                            span,
                        )
                        .with_label(format!("`{name}` asks for it here"));
                        let d = self
                            .at_entry(d, entry, format!("locked here to `{holder}`"))
                            .with_help(format!(
                                "remove `slot:` so `{name}` gets a free slot; one slot holds one field"
                            ));
                        self.blocking_finding(decl_file, custom.name_span, d);
                        self.assigned.insert(name, None);
                    } else {
                        let d = Diagnostic::new(
                            Code::SlotReassigned,
                            format!("`{asked}` is locked to custom field `{holder}`, and `{name}` asks for it: a rename?"),
                            span,
                        )
                        .with_label(format!("would rename `{holder}` to `{name}`"));
                        let d = self
                            .at_entry(d, entry, format!("locked here to `{holder}`"))
                            .with_help(format!(
                                "if `{name}` is `{holder}` renamed (the same data), run `flexmap lock` to record the rename; otherwise remove `slot:`, so `{name}` gets a free slot and `{holder}` retires"
                            ));
                        self.finding(decl_file, custom.name_span, d);
                        self.taken_over.insert(asked, name.clone());
                        self.assigned.insert(name, Some(asked));
                    }
                }
                Some(entry) => {
                    // Explicit re-use of a retired slot: allowed, recorded by `flexmap lock`.
                    let d = Diagnostic::new(
                        Code::UnlockedSlot,
                        format!(
                            "custom field `{name}` re-uses retired `{asked}` (it held `{}`), and flexmap.lock does not record that yet",
                            entry.field
                        ),
                        custom.name_span,
                    )
                    .with_label(format!("re-uses `{asked}`"));
                    let d = self
                        .at_entry(d, entry, format!("retired here (held `{}`)", entry.field))
                        .with_help(format!(
                            "run `flexmap lock` to record the re-use and commit flexmap.lock; reports over data loaded before show `{}` under `{asked}`",
                            entry.field
                        ));
                    self.finding(decl_file, custom.name_span, d);
                    self.taken_over.insert(asked, name.clone());
                    self.assigned.insert(name, Some(asked));
                }
                None => {
                    self.alloc.hold(asked, Hold::Given);
                    self.assigned.insert(name, Some(asked));
                }
            }
        }
    }

    /// New fields get the first free slot of their kind.
    fn new_fields(&mut self, inputs: &[PlanInput<'_>]) {
        for index in 0..self.fields.len() {
            let name = self.fields[index].0.clone();
            let custom = self.fields[index].1[0].custom;
            let decl_file = self.fields[index].1[0].file;
            let slot = match self.assigned.get(&name) {
                Some(slot) => {
                    // Decided above; only a free pinned slot still needs its FM205.
                    if let (Some(slot), Some(ledger)) = (slot, self.ledger)
                        && ledger.active(&name).is_none()
                        && ledger.entry(*slot).is_none()
                    {
                        let slot = *slot;
                        self.unlocked(decl_file, custom, slot, inputs);
                    }
                    continue;
                }
                None => self.alloc.take(custom.scope, custom.kind),
            };
            match slot {
                Some(slot) => {
                    self.assigned.insert(name, Some(slot));
                    if self.ledger.is_some() {
                        self.unlocked(decl_file, custom, slot, inputs);
                    }
                }
                None => {
                    self.assigned.insert(name.clone(), None);
                    let decls: Vec<(usize, Span, SlotKind, Section)> = self.fields[index]
                        .1
                        .iter()
                        .map(|d| (d.file, d.custom.name_span, d.custom.kind, d.custom.scope))
                        .collect();
                    let project = inputs.len() > 1 || self.ledger.is_some();
                    for (file, span, kind, scope) in decls {
                        let d = self
                            .overflow(&name, span, kind, scope, project)
                            .in_source(&self.sources[file]);
                        self.blocking.push(d.clone());
                        self.file_slots[file].overflow.push(d);
                    }
                }
            }
        }
    }

    /// FM205 for a field the lock does not record yet.
    fn unlocked(
        &mut self,
        file: usize,
        custom: &CustomField,
        slot: Slot,
        inputs: &[PlanInput<'_>],
    ) {
        let name = &custom.name;
        // A field of the same kind that the lock holds and no file declares any more, last
        // seen in this file: probably a rename.
        let renamed = self.ledger.and_then(|ledger| {
            ledger.entries.iter().find(|e| {
                !e.retired
                    && e.slot.section == custom.scope
                    && e.slot.kind == custom.kind
                    && !self.declared(&e.field)
                    && !self.taken_over.contains_key(&e.slot)
                    && e.files.iter().any(|f| *f == inputs[file].key)
            })
        });
        let help = match renamed {
            Some(entry) => format!(
                "run `flexmap lock` and commit flexmap.lock: `{name}` gets `{slot}` and `{}` retires with `{}`; if `{name}` is `{}` renamed and should keep its column, add `slot: {}` to `{name}` first",
                entry.field, entry.slot, entry.field, entry.slot
            ),
            None => format!(
                "run `flexmap lock` and commit flexmap.lock, so `{name}` keeps `{slot}` when other fields come and go"
            ),
        };
        let d = Diagnostic::new(
            Code::UnlockedSlot,
            format!("custom field `{name}` is not in flexmap.lock yet"),
            custom.name_span,
        )
        .with_label(format!("gets `{slot}`"))
        .with_help(help);
        self.finding(file, custom.name_span, d);
    }

    fn overflow(
        &self,
        name: &str,
        span: Span,
        kind: SlotKind,
        scope: Section,
        project: bool,
    ) -> Diagnostic {
        let count = catalog::slot_count(scope, kind);
        let paired = (1..=count)
            .filter(|number| {
                matches!(
                    self.alloc.state(Slot {
                        section: scope,
                        kind,
                        number: *number,
                    }),
                    SlotState::Paired { .. }
                )
            })
            .count();
        let partner = match kind {
            SlotKind::Label => "attribute",
            _ => "label",
        };
        let why_paired = if paired == 0 {
            String::new()
        } else {
            format!(
                " ({paired} of them because the {partner} slot of the same number is used: a label is the display text of the same-numbered attribute)"
            )
        };
        let what = if count == 0 {
            format!("`{}` has no {} slots", scope.name(), kind.name())
        } else if project {
            format!(
                "all {count} {} {} slots are taken in the project{why_paired}",
                scope.name(),
                kind.name()
            )
        } else {
            format!(
                "all {count} {} {} slots are taken{why_paired}",
                scope.name(),
                kind.name()
            )
        };
        let retired: Vec<String> = self
            .ledger
            .map(|l| {
                l.entries
                    .iter()
                    .filter(|e| e.retired && e.slot.section == scope && e.slot.kind == kind)
                    .map(|e| format!("`{}`", e.slot))
                    .collect()
            })
            .unwrap_or_default();
        let help = if count == 0 {
            "use `kind: attribute` or `kind: label`, or a built-in measure field".to_string()
        } else if !retired.is_empty() {
            format!(
                "remove {} rule or custom field, or re-use a retired slot on purpose with `slot:` ({})",
                super::article_kind(kind),
                retired.join(", ")
            )
        } else {
            format!(
                "remove {} rule or custom field, or merge two of them",
                super::article_kind(kind)
            )
        };
        Diagnostic::new(
            Code::SlotOverflow,
            format!("no free slot for custom field `{name}`: {what}"),
            span,
        )
        .with_label("cannot be assigned a slot")
        .with_help(help)
    }

    /// A slot written by hand that the lock holds or retired: FM203.
    fn hand_written(&mut self) {
        let Some(ledger) = self.ledger else {
            return;
        };
        // Each fix proposes its own slot, so applying them all never writes one slot twice.
        let mut proposals = self.alloc.clone();
        for (slot, file, _, span) in self.hand.clone() {
            let Some(entry) = ledger.entry(slot) else {
                continue;
            };
            let free = proposals.take(slot.section, slot.kind);
            let (message, entry_label) = if entry.retired {
                (
                    format!(
                        "`{slot}` is retired in flexmap.lock: it held custom field `{}`",
                        entry.field
                    ),
                    format!("retired here (held `{}`)", entry.field),
                )
            } else {
                (
                    format!(
                        "`{slot}` is locked to custom field `{}` in flexmap.lock",
                        entry.field
                    ),
                    format!("locked here to `{}`", entry.field),
                )
            };
            let mut d = Diagnostic::new(Code::SlotReassigned, message, span)
                .with_label("written by hand here");
            d = self.at_entry(d, entry, entry_label);
            let keep = format!("`{slot}` keeps `{}`'s data in Insights", entry.field);
            d = match free {
                Some(free) => d
                    .with_help(format!(
                        "use `{free}`, the first free {} slot ({keep}); to re-use `{slot}` on purpose, make this a custom field with `slot: {slot}`",
                        slot.kind.name()
                    ))
                    .with_fix(format!("use `{free}`"), vec![Edit::replace(span, free.name())]),
                None => d.with_help(format!(
                    "no {} slot is free: remove a rule ({keep}); to re-use `{slot}` on purpose, make this a custom field with `slot: {slot}`",
                    slot.kind.name()
                )),
            };
            self.reassigned.push((file, span));
            self.blocking_finding(file, span, d);
        }
    }

    /// Two rulesets of the same target writing one place: FM202 on the later one.
    fn cross_file(&mut self, inputs: &[PlanInput<'_>]) {
        // (target, section or extra, name) → (file, span, what).
        let mut writers: HashMap<PlaceKey, (usize, Span, String)> = HashMap::new();
        let mut found = Vec::new();
        for (index, input) in inputs.iter().enumerate() {
            let target = input.file.target.unwrap_or(Target::Task);
            let mut places: Vec<(Option<Section>, String, Span, String)> = Vec::new();
            for custom in &input.file.custom {
                if let Some(Some(slot)) = self.assigned.get(&custom.name)
                    && custom.scope.target() == target
                    && custom.scope == slot.section
                    && custom.kind == slot.kind
                {
                    places.push((
                        Some(slot.section),
                        slot.name(),
                        custom.name_span,
                        format!("custom field `{}`", custom.name),
                    ));
                }
            }
            for rule in &input.file.rules {
                match rule.section {
                    RuleSection::Insights(section) if section.target() == target => {
                        if matches!(
                            catalog::lookup(section, &rule.name),
                            Lookup::Field(_) | Lookup::Slot(_)
                        ) {
                            places.push((
                                Some(section),
                                rule.name.clone(),
                                rule.name_span,
                                format!("rule `{}`", rule.name),
                            ));
                        }
                    }
                    RuleSection::Extra => {
                        places.push((
                            None,
                            rule.name.clone(),
                            rule.name_span,
                            format!("rule `{}`", rule.name),
                        ));
                    }
                    RuleSection::Insights(_) => {}
                }
            }
            for (section, name, span, what) in places {
                if self.reassigned.contains(&(index, span)) {
                    continue;
                }
                let key = (target, section, name.clone());
                match writers.get(&key) {
                    Some((first_file, first_span, first_what)) if *first_file != index => {
                        let place = match section {
                            Some(Section::Worker) => format!("`{name}`"),
                            Some(s) => format!("`{}.{name}`", s.name()),
                            None => format!("`extra.{name}`"),
                        };
                        let why = match target {
                            Target::Task => {
                                "the project's task rulesets share one Insights workspace"
                            }
                            Target::Worker => {
                                "the project's worker rulesets write the same worker attributes"
                            }
                        };
                        let d = Diagnostic::new(
                            Code::DuplicateTarget,
                            format!(
                                // Both files named, so the copy a staged or open file gets
                                // (hook mode, --stdin-filename, the language server) reads right.
                                "{place} is written by {what} in {} and by {first_what} in {}",
                                inputs[index].key,
                                inputs[*first_file].key
                            ),
                            span,
                        )
                        .with_label("written again here")
                        .with_secondary_in(&inputs[*first_file].file.source, *first_span, "first written here")
                        .with_help(format!(
                            "{why}: keep one rule for {place} (merge the values with `??` or `if … then … else`), move one to another target, or give the files separate projects (a flexmap.toml each)"
                        ));
                        found.push((index, span, d));
                    }
                    Some(_) => {}
                    None => {
                        writers.insert(key, (index, span, what));
                    }
                }
            }
        }
        for (file, anchor, d) in found {
            self.finding(file, anchor, d);
        }
    }

    /// An attribute and the label of the same number holding different meanings: FM207 on
    /// the hand-written side (or on the later custom field). A label is the display text of
    /// the same-numbered attribute's values, so a custom field the allocator (or the lock)
    /// placed must not share its number with anything else. A ruleset that writes both
    /// halves by hand, or custom fields that chose their slots with `slot:`, pair them on
    /// purpose.
    fn pairing(&mut self, inputs: &[PlanInput<'_>]) {
        // (file, span, what, custom field name when it is one, chosen with `slot:`)
        type Owner = (usize, Span, String, Option<String>, bool);
        let mut owners: HashMap<Slot, Owner> = HashMap::new();
        for (slot, file, rule, span) in &self.hand {
            if self.reassigned.contains(&(*file, *span)) {
                continue;
            }
            owners
                .entry(*slot)
                .or_insert((*file, *span, format!("rule `{rule}`"), None, true));
        }
        for (name, decls) in &self.fields {
            let Some(Some(slot)) = self.assigned.get(name) else {
                continue;
            };
            let decl = &decls[0];
            owners.entry(*slot).or_insert((
                decl.file,
                decl.custom.name_span,
                format!("custom field `{name}`"),
                Some(name.clone()),
                decl.custom.slot.is_some(),
            ));
        }
        let mut proposals = self.alloc.clone();
        let mut found = Vec::new();
        for section in Section::ALL {
            for number in 1..=catalog::slot_count(section, SlotKind::Attribute) {
                let attribute = Slot {
                    section,
                    kind: SlotKind::Attribute,
                    number,
                };
                let label = Slot {
                    kind: SlotKind::Label,
                    ..attribute
                };
                let (Some(a), Some(l)) = (owners.get(&attribute), owners.get(&label)) else {
                    continue;
                };
                let implicit = |o: &Owner| o.3.is_some() && !o.4;
                if !(implicit(a) || implicit(l)) {
                    continue;
                }
                // The side to move: a hand-written rule, else the later custom field.
                let (here, here_slot, other, other_slot) = if a.3.is_none() {
                    (a, attribute, l, label)
                } else if l.3.is_none() || (l.0, l.1.start) >= (a.0, a.1.start) {
                    (l, label, a, attribute)
                } else {
                    (a, attribute, l, label)
                };
                let free = proposals.take(section, here_slot.kind);
                let subject = match &here.3 {
                    None => format!("`{here_slot}` is written by hand"),
                    Some(name) => format!("custom field `{name}` holds `{here_slot}`"),
                };
                let holder = if other.3.is_none() {
                    format!("is written by {}", other.2)
                } else {
                    format!("holds {}", other.2)
                };
                let mut d = Diagnostic::new(
                    Code::SlotPairConflict,
                    format!(
                        "{subject}, but `{other_slot}` {holder}: Insights shows a label as the display text of the same-numbered attribute's values"
                    ),
                    here.1,
                )
                .with_label(format!("pairs with `{other_slot}`"))
                .with_secondary_in(
                    &inputs[other.0].file.source,
                    other.1,
                    format!("`{other_slot}` holds {} here", other.2),
                );
                d = match (&here.3, free) {
                    (None, Some(free)) => d
                        .with_help(format!(
                            "write this rule to `{free}`, the first free {} slot, so each value keeps its own display text; if it is meant as the display text of {}, make both rules custom fields with `slot:`",
                            here_slot.kind.name(),
                            other.2
                        ))
                        .with_fix(format!("use `{free}`"), vec![Edit::replace(here.1, free.name())]),
                    (None, None) => d.with_help(format!(
                        "no {} slot is free: remove a rule so this one can move, or drop it",
                        here_slot.kind.name()
                    )),
                    (Some(name), Some(free)) => d.with_help(format!(
                        "give custom field `{name}` a new name so it gets `{free}`, the first free {} slot (its old slot retires), or choose its slot on purpose with `slot:`",
                        here_slot.kind.name()
                    )),
                    (Some(name), None) => d.with_help(format!(
                        "no {} slot is free for custom field `{name}`: remove a rule or a custom field so it can move",
                        here_slot.kind.name()
                    )),
                };
                found.push((here.0, here.1, d));
            }
        }
        for (file, anchor, d) in found {
            self.finding(file, anchor, d);
        }
    }

    /// Fields the lock holds that no file declares: FM205 on the lock entry.
    fn removed(&mut self) {
        let Some(ledger) = self.ledger else {
            return;
        };
        for entry in &ledger.entries {
            if entry.retired
                || self.declared(&entry.field)
                || self.taken_over.contains_key(&entry.slot)
            {
                continue;
            }
            let d = Diagnostic::new(
                Code::UnlockedSlot,
                format!(
                    "custom field `{}` holds `{}` in flexmap.lock, but no rule file declares it any more",
                    entry.field, entry.slot
                ),
                entry.field_span,
            )
            .with_label("removed from the rule files")
            .with_help(format!(
                "run `flexmap lock` to retire `{}` (it is never given to another field), or restore `{}`",
                entry.slot, entry.field
            ))
            .in_source(&ledger.source);
            self.findings.push(d);
        }
    }

    /// The entries `flexmap lock` would write.
    fn proposed(&self, inputs: &[PlanInput<'_>]) -> Vec<LockEntry> {
        let files_of = |name: &str| -> Vec<String> {
            let mut files: Vec<String> = self
                .fields
                .iter()
                .filter(|(n, _)| n == name)
                .flat_map(|(_, decls)| decls.iter().map(|d| inputs[d.file].key.clone()))
                .collect();
            files.sort();
            files.dedup();
            files
        };
        let mut out: Vec<LockEntry> = Vec::new();
        let entries = self.ledger.map_or(&[][..], |l| &l.entries[..]);
        for entry in entries {
            if let Some(new_field) = self.taken_over.get(&entry.slot) {
                let mut previous = entry.previous.clone();
                if entry.field != *new_field {
                    previous.push(entry.field.clone());
                }
                out.push(LockEntry {
                    slot: entry.slot,
                    field: new_field.clone(),
                    retired: false,
                    files: files_of(new_field),
                    previous,
                    span: Span::default(),
                    field_span: Span::default(),
                });
                continue;
            }
            if entry.retired {
                out.push(entry.clone());
                continue;
            }
            if self.assigned.get(&entry.field) == Some(&Some(entry.slot)) {
                out.push(LockEntry {
                    files: files_of(&entry.field),
                    ..entry.clone()
                });
            } else if self.declared(&entry.field) {
                // Changed kind or scope: kept until the user decides.
                out.push(entry.clone());
            } else {
                out.push(LockEntry {
                    retired: true,
                    files: Vec::new(),
                    ..entry.clone()
                });
            }
        }
        for (name, _) in &self.fields {
            let Some(Some(slot)) = self.assigned.get(name) else {
                continue;
            };
            if out.iter().any(|e| e.slot == *slot) {
                continue;
            }
            out.push(LockEntry {
                slot: *slot,
                field: name.clone(),
                retired: false,
                files: files_of(name),
                previous: Vec::new(),
                span: Span::default(),
                field_span: Span::default(),
            });
        }
        out.sort_by_key(|e| e.slot);
        for entry in &mut out {
            entry.span = Span::default();
            entry.field_span = Span::default();
        }
        out
    }

    /// Every slot of every section and what holds it.
    fn uses(&self, inputs: &[PlanInput<'_>]) -> Vec<SlotUse> {
        let mut out = Vec::new();
        for section in Section::ALL {
            for slot in catalog::slots(section) {
                let mut files: Vec<String> = self
                    .hand
                    .iter()
                    .filter(|(s, ..)| *s == slot)
                    .map(|(_, file, ..)| inputs[*file].key.clone())
                    .collect();
                let holder = self
                    .fields
                    .iter()
                    .find(|(name, _)| self.assigned.get(name) == Some(&Some(slot)));
                let entry = self.ledger.and_then(|l| l.entry(slot));
                let (status, field, previous) = if let Some((name, decls)) = holder {
                    files.extend(decls.iter().map(|d| inputs[d.file].key.clone()));
                    let locked = entry.is_some_and(|e| !e.retired && e.field == *name);
                    let mut previous = entry.map(|e| e.previous.clone()).unwrap_or_default();
                    if let Some(e) = entry.filter(|e| e.field != *name) {
                        previous.push(e.field.clone());
                    }
                    (
                        if locked {
                            SlotStatus::Locked
                        } else {
                            SlotStatus::Unlocked
                        },
                        Some(name.clone()),
                        previous,
                    )
                } else if !files.is_empty() {
                    (SlotStatus::Hand, None, Vec::new())
                } else if let Some(e) = entry {
                    let status = if e.retired {
                        SlotStatus::Retired
                    } else {
                        SlotStatus::Locked
                    };
                    (status, Some(e.field.clone()), e.previous.clone())
                } else {
                    (SlotStatus::Free, None, Vec::new())
                };
                let paired_with = match self.alloc.state(slot) {
                    SlotState::Paired { partner, .. } if status == SlotStatus::Free => {
                        Some(partner)
                    }
                    _ => None,
                };
                let status = if paired_with.is_some() {
                    SlotStatus::Paired
                } else {
                    status
                };
                files.sort();
                files.dedup();
                out.push(SlotUse {
                    slot,
                    status,
                    field,
                    files,
                    previous,
                    paired_with,
                });
            }
        }
        out
    }
}
