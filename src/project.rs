//! The project: every input flexmap reads, loaded once. Discover the rule files (the `rules`
//! globs of `flexmap.toml`, or a folder scan) → read them (bounded, regular files only,
//! `fsio`) → settings (`Config`) → `flexmap.lock` → one slot plan (`ledger::SlotPlan`).
//! Checks, lints and every entry point (`lint` of paths, folders and projects, the
//! pre-commit hook mode, `serve` reloads, `apply`, `lock`, `slots`, `docs`, `--fix`,
//! `test`) take a `Project` and never touch the disk again; an editor's unsaved buffer is a
//! change applied in memory (`Project::set_file_text`).
//!
//! Discovery is never silent. A scan reads `*.yaml`/`*.yml`, skipping `*.test.yaml`, hidden
//! folders, `target/`, `node_modules/` and `exclude`d paths. With `rules` globs, every file
//! they match is a rule file (one that is not says FM005). Without globs, a YAML file is a
//! rule file when it looks like one (its first key is `flexmap:`, or it has a top-level
//! `flexmap` key or rule-file keys such as `conversations:`); other YAML is skipped, and
//! `Project::files` says why for each file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::Analysis;
use crate::config::{Config, Level};
use crate::diagnostic::{Code, Diagnostic};
use crate::fsio::{MAX_PROJECT_FILE_BYTES, ReadError};
use crate::ledger::plan::{FileSlots, PlanInput};
use crate::ledger::{LOCK_FILE, Ledger, SlotPlan};
use crate::runtime::Program;
use crate::source::{SourceFile, Span};
use crate::{CompileError, Ruleset};

pub use crate::config::CONFIG_FILE;
pub use crate::fsio::io_diagnostic;

/// What discovery made of one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// A rule file of the project.
    RuleFile,
    /// Skipped, with the reason ("first key is not `flexmap:`", "excluded in flexmap.toml",
    /// "a rule test", "not matched by the `rules` globs").
    Skipped(String),
    /// Could not be read (FM902 in `Project::diagnostics`).
    Unreadable,
}

/// One file discovery looked at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredFile {
    /// The path, as shown to the user.
    pub path: PathBuf,
    /// What became of it.
    pub discovery: Discovery,
}

/// Where one rule file sits in the project, for planning its slots again in memory.
#[derive(Clone, Debug)]
struct Member {
    /// The path relative to the root, as `flexmap.lock` records it.
    key: String,
    /// The canonical path, when the file exists on disk.
    path: Option<PathBuf>,
}

/// A folder of rule files, loaded once.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder (where `flexmap.toml` or `flexmap.lock` is, if there is one).
    pub root: PathBuf,
    /// Settings from `flexmap.toml` (defaults when there is none).
    pub config: Config,
    /// Rule files, sorted by path.
    pub rulesets: Vec<Ruleset>,
    /// Problems with the configuration, the lock file, or with reading files, and the slot
    /// plan's findings about lock entries no rule file declares (FM205 in `flexmap.lock`).
    /// Levels are not applied yet: see `Project::project_diagnostics`.
    pub diagnostics: Vec<Diagnostic>,
    /// The project-wide slot plan, when the folder is a project (it has `flexmap.toml` or
    /// `flexmap.lock`); outside one, files stand alone.
    pub plan: Option<Arc<SlotPlan>>,
    /// Every file discovery looked at, with what became of it (`lint --show-files`).
    pub files: Vec<DiscoveredFile>,
    /// `rulesets[i]`'s place in the project.
    members: Vec<Member>,
    /// The project's rule files outside the folder that was loaded: planned with it, not
    /// checked.
    others: Vec<(Ruleset, Member)>,
    /// The lock as read (`None` outside a project).
    ledger: Option<Ledger>,
    /// Diagnostics of loading (configuration, reads, discovery, the lock's own), without
    /// the plan's: `diagnostics` is these plus the plan's findings.
    loaded: Vec<Diagnostic>,
}

/// Every finding of a project, per file, from one pass: what `flexmap lint` prints, and
/// what the hook, `serve` and `apply` decide from.
#[derive(Clone, Debug)]
pub struct ProjectCheck {
    /// Findings about the project as a whole (settings, the lock, unreadable files), with
    /// the configured levels applied.
    pub project: Vec<Diagnostic>,
    /// `(program, findings)` of each ruleset, in `Project::rulesets` order.
    pub files: Vec<(Option<Program>, Vec<Diagnostic>)>,
}

impl ProjectCheck {
    /// Every finding: the project's, then each file's.
    pub fn all(&self) -> impl Iterator<Item = &Diagnostic> {
        self.project
            .iter()
            .chain(self.files.iter().flat_map(|(_, found)| found))
    }

    /// True when any finding is an error (`flexmap lint` exits 1).
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.all().any(Diagnostic::is_error)
    }

    /// The errors that involve the file shown as `name`: reported on it, or pointing into
    /// it (the other side of a cross-file FM202).
    pub fn errors_involving<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Diagnostic> {
        self.all()
            .filter(move |d| d.is_error() && involves(d, name))
    }

    /// Hook mode's verdict for the staged files shown as `staged`: every finding that
    /// involves one of them (`flexmap lint --only-rule-files` prints these, and fails when
    /// one is an error).
    pub fn involving_any<'a>(
        &'a self,
        staged: &'a [String],
    ) -> impl Iterator<Item = &'a Diagnostic> {
        self.all()
            .filter(move |d| staged.iter().any(|s| involves(d, s)))
    }

    /// Errors that belong to no rule file of the project (a broken `flexmap.lock`, a file
    /// that cannot be read): nothing of the project may run while they stand.
    pub fn project_errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.project.iter().filter(|d| d.is_error())
    }

    /// Whether the ruleset shown as `name` may run: `Err` with the errors that involve it,
    /// or the project's own errors. `serve` and `apply` both decide with this.
    ///
    /// # Errors
    /// The errors that refuse it.
    pub fn decision(&self, name: &str) -> Result<(), Vec<Diagnostic>> {
        let mut errors: Vec<Diagnostic> = self.errors_involving(name).cloned().collect();
        for d in self.project_errors() {
            if !errors.iter().any(|e| same(e, d)) {
                errors.push(d.clone());
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            crate::diagnostic::sort(&mut errors);
            Err(errors)
        }
    }
}

/// True when `diagnostic` is reported on the file `name` or one of its labels points into it.
#[must_use]
pub fn involves(diagnostic: &Diagnostic, name: &str) -> bool {
    let name = name.strip_prefix("./").unwrap_or(name);
    let is = |other: &str| other.strip_prefix("./").unwrap_or(other) == name;
    is(diagnostic.file_name())
        || diagnostic
            .labels
            .iter()
            .any(|l| l.source.as_ref().is_some_and(|s| is(s.name())))
}

fn same(a: &Diagnostic, b: &Diagnostic) -> bool {
    a.code == b.code
        && a.message == b.message
        && a.file_name() == b.file_name()
        && a.primary_span() == b.primary_span()
}

impl Project {
    /// Loads the project around `start` (a folder or a file): the nearest folder above it
    /// with `flexmap.toml` or `flexmap.lock`. Without one, a folder is loaded on its own
    /// (each file checked alone; `flexmap lock` and `flexmap slots` still plan it as a
    /// project-to-be), and a file's folder likewise.
    ///
    /// # Errors
    /// The folder cannot be read.
    pub fn find(start: &Path) -> std::io::Result<Project> {
        let config = Config::find(start);
        match &config.root {
            Some(root) => Project::load(&display_path(root)),
            None if start.is_dir() => Project::load(start),
            None => {
                let parent = match start.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                Project::load(&parent)
            }
        }
    }

    /// Loads every rule file under `dir`, with the settings and the lock of the project
    /// around it (planned as one project when `dir` is the project's root).
    ///
    /// # Errors
    /// `dir` itself cannot be read (a sub-folder that cannot be read is an FM902 finding).
    pub fn load(dir: &Path) -> std::io::Result<Project> {
        let config = Config::find(dir);
        let mut diagnostics = config.diagnostics.clone();
        std::fs::read_dir(dir)?;
        let (rulesets, files) = discover(dir, &config, &mut diagnostics);
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        let root = config.root.clone().unwrap_or_else(|| dir.to_path_buf());
        let canonical_root = canonical(&root);
        let members = members_of(&canonical_root, &rulesets);
        // A folder inside a project: the project's other rule files are planned with it,
        // so slots and cross-file findings are the project's.
        let mut others = Vec::new();
        if config.root.is_some() && canonical_root != canonical(dir) {
            let mut ignored = Vec::new();
            let (all, _) = discover(&display_path(&root), &config, &mut ignored);
            let inside: Vec<PathBuf> = members.iter().filter_map(|m| m.path.clone()).collect();
            let all_members = members_of(&canonical_root, &all);
            for (ruleset, member) in all.into_iter().zip(all_members) {
                if member.path.as_ref().is_none_or(|p| !inside.contains(p)) {
                    others.push((ruleset, member));
                }
            }
        }
        // Without flexmap.toml or flexmap.lock the folder is no project: each file is checked
        // on its own, as `flexmap apply` runs it (`flexmap lock` makes it a project).
        let ledger = config
            .root
            .is_some()
            .then(|| read_ledger(&display_path(&root).join(LOCK_FILE), &mut diagnostics));
        let mut project = Project {
            root,
            config,
            rulesets,
            diagnostics: Vec::new(),
            plan: None,
            files,
            members,
            others,
            ledger,
            loaded: diagnostics,
        };
        project.replan();
        Ok(project)
    }

    /// A project of one rule file given as text, with `config`: what a library caller or an
    /// editor without a folder gets.
    #[must_use]
    pub fn single(ruleset: Ruleset, config: Config) -> Project {
        let name = ruleset.source().name().to_string();
        Project {
            root: PathBuf::from("."),
            config,
            members: vec![Member {
                key: name.clone(),
                path: None,
            }],
            files: vec![DiscoveredFile {
                path: PathBuf::from(&name),
                discovery: Discovery::RuleFile,
            }],
            rulesets: vec![ruleset],
            diagnostics: Vec::new(),
            plan: None,
            others: Vec::new(),
            ledger: None,
            loaded: Vec::new(),
        }
    }

    /// True when the folder is a project (it has `flexmap.toml` or `flexmap.lock`): its
    /// files share one slot plan.
    #[must_use]
    pub fn is_project(&self) -> bool {
        self.plan.is_some()
    }

    /// Replaces the text of the rule file shown as `name` (or adds it as a new rule file of
    /// the project) and plans the slots again, in memory: an editor's unsaved buffer, a
    /// `--fix` round. Nothing is read from or written to disk.
    pub fn set_file_text(&mut self, name: &str, text: &str) {
        let ruleset = Ruleset::from_str(text, name);
        match self.index_of(name) {
            Some(index) => self.rulesets[index] = ruleset,
            None => {
                let root = std::fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
                let mut member = members_of(&root, std::slice::from_ref(&ruleset));
                self.rulesets.push(ruleset);
                self.members.append(&mut member);
            }
        }
        self.replan();
    }

    /// Removes the rule file shown as `name` (an editor closed a file that is not on disk),
    /// and plans again. False when there was no such file.
    pub fn remove_file(&mut self, name: &str) -> bool {
        let Some(index) = self.index_of(name) else {
            return false;
        };
        self.rulesets.remove(index);
        self.members.remove(index);
        self.replan();
        true
    }

    /// The index in `rulesets` of the file shown as `name` (matched by name, then by the
    /// canonical path).
    #[must_use]
    pub fn index_of(&self, name: &str) -> Option<usize> {
        let plain = |n: &str| n.strip_prefix("./").unwrap_or(n).to_string();
        let wanted = plain(name);
        if let Some(i) = self
            .rulesets
            .iter()
            .position(|r| plain(r.source().name()) == wanted)
        {
            return Some(i);
        }
        let canonical = std::fs::canonicalize(name).ok()?;
        self.members
            .iter()
            .position(|m| m.path.as_ref() == Some(&canonical))
    }

    /// The slots `ruleset` gets: the project's plan for one of its rule files, its own
    /// otherwise (a file outside the `rules` globs, a folder that is no project).
    #[must_use]
    pub fn slots_for(&self, ruleset: &Ruleset) -> Option<FileSlots> {
        let file = ruleset.model()?;
        let name = ruleset.source().name();
        Some(match &self.plan {
            Some(plan)
                if self.index_of(name).is_some_and(|i| {
                    self.rulesets[i].source().text() == ruleset.source().text()
                }) =>
            {
                plan.slots_for(name, file)
            }
            _ => SlotPlan::standalone(file),
        })
    }

    /// The checker's analysis of `ruleset` with the project's slots; `None` when its YAML
    /// did not parse.
    #[must_use]
    pub fn analyze(&self, ruleset: &Ruleset) -> Option<Analysis> {
        let slots = self.slots_for(ruleset)?;
        ruleset.analyze_with_slots(&slots)
    }

    /// Checks and lints `ruleset` (one of the project's, or any other file) with the
    /// project's settings and slots: its program and every finding, sorted.
    #[must_use]
    pub fn check(&self, ruleset: &Ruleset) -> (Option<Program>, Vec<Diagnostic>) {
        match self.slots_for(ruleset) {
            Some(slots) => ruleset.check_with_slots(&self.config, &slots),
            None => ruleset.check_with(&self.config),
        }
    }

    /// `check`, with the evidence of `records` (NDJSON) measured by the file's program
    /// (`lint --sample`), through the same suppressions and levels as every other finding;
    /// `show_values` lets findings quote record values (`--show-values`).
    /// `None` when the YAML did not parse.
    #[must_use]
    pub fn check_sampled(
        &self,
        ruleset: &Ruleset,
        records: &str,
        show_values: bool,
    ) -> Option<(Vec<Diagnostic>, crate::lint::sample::SampleStats)> {
        let slots = self.slots_for(ruleset)?;
        let file = ruleset.model()?;
        let analysis = ruleset.analyze_with_slots(&slots)?;
        let stats = if show_values {
            crate::lint::sample::measure_showing_values(&analysis.program, records)
        } else {
            crate::lint::sample::measure(&analysis.program, records)
        };
        let mut diagnostics = ruleset.load_diagnostics().to_vec();
        diagnostics.extend(analysis.diagnostics.iter().cloned());
        diagnostics.extend(crate::lint::lint_with_evidence(
            file,
            &analysis,
            &self.config,
            Some((&analysis.program, &stats)),
        ));
        crate::diagnostic::sort(&mut diagnostics);
        Some((diagnostics, stats))
    }

    /// The findings about the project as a whole (settings, the lock, unreadable files,
    /// discovery), with the configured levels applied; under `config.locked` FM205 is an
    /// error and a lock that differs from what `flexmap lock` would write is one too.
    #[must_use]
    pub fn project_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = leveled(&self.config, &self.diagnostics);
        if self.config.locked
            && let Some(plan) = &self.plan
            && let Some(stale) = stale_lock(plan)
        {
            out.push(stale);
        }
        out
    }

    /// Every finding of the project, per file, in one pass (each file with its program).
    #[must_use]
    pub fn check_all(&self) -> ProjectCheck {
        ProjectCheck {
            project: self.project_diagnostics(),
            files: self.rulesets.iter().map(|r| self.check(r)).collect(),
        }
    }

    /// The cross-file findings another rule file of the project reports whose secondary
    /// label points into the rule file shown as `name` (the other side of a cross-file
    /// FM202), turned to face it: code, message, help and severity as `flexmap lint`
    /// reports the original (the project's levels and the reporting rule's `allow:`
    /// applied: a finding turned off there has no copy), the primary label at that
    /// secondary label's span, and the original place as a secondary label "reported here"
    /// (every front end shows a label with its file and position). No fix is copied: its
    /// edits belong to the other file. Hook mode, `lint --stdin-filename` and the language
    /// server show these; `flexmap lint` reports each finding once, in its own file. Empty
    /// outside a project and for a file that is not one of its rule files.
    #[must_use]
    pub fn mirrored(&self, name: &str) -> Vec<Diagnostic> {
        let (Some(slot_plan), Some(index)) = (&self.plan, self.index_of(name)) else {
            return Vec::new();
        };
        let here = self.rulesets[index].source();
        let plain = |n: &str| n.strip_prefix("./").unwrap_or(n).to_string();
        let here_plain = plain(here.name());
        let points_here = |label: &crate::diagnostic::Label| {
            !label.primary
                && label
                    .source
                    .as_ref()
                    .is_some_and(|s| plain(s.name()) == here_plain)
        };
        let mut out = Vec::new();
        for (other, ruleset) in self.rulesets.iter().enumerate() {
            // Only the slot plan finds across files: a file none of whose plan findings
            // points here is not checked.
            let Some(planned) = slot_plan.planned(ruleset.source().name()) else {
                continue;
            };
            if other == index
                || !planned
                    .slots
                    .findings
                    .iter()
                    .any(|(_, d)| d.labels.iter().any(points_here))
            {
                continue;
            }
            for finding in self.check(ruleset).1 {
                let Some(label) = finding.labels.iter().find(|l| points_here(l)) else {
                    continue;
                };
                let mut turned = Diagnostic::new(finding.code, finding.message.clone(), label.span)
                    .with_severity(finding.severity)
                    .with_label(label.message.clone().unwrap_or_default())
                    .with_secondary_in(
                        finding.source.as_ref().unwrap_or(ruleset.source()),
                        finding.primary_span(),
                        "reported here",
                    )
                    .in_source(here);
                turned.help.clone_from(&finding.help);
                out.push(turned);
            }
        }
        crate::diagnostic::sort(&mut out);
        out
    }

    /// Every finding of the project: configuration problems, then each ruleset's, linted
    /// with the project's settings.
    #[must_use]
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let check = self.check_all();
        check.all().cloned().collect()
    }

    /// Compiles the rule file shown as `name` when nothing refuses it: no error involves it
    /// and the project has no error of its own (`ProjectCheck::decision`). What `apply`,
    /// `test` and the library run.
    ///
    /// # Errors
    /// `CompileError` with the refusing errors and the file's other findings.
    pub fn compile(&self, name: &str) -> Result<Program, CompileError> {
        let check = self.check_all();
        let Some(index) = self.index_of(name) else {
            return Err(CompileError {
                diagnostics: check.project_errors().cloned().collect(),
            });
        };
        let (program, found) = &check.files[index];
        match (
            check.decision(self.rulesets[index].source().name()),
            program,
        ) {
            (Ok(()), Some(program)) => Ok(program.clone()),
            (Ok(()), None) => Err(CompileError {
                diagnostics: found.clone(),
            }),
            (Err(mut errors), _) => {
                for d in found {
                    if !errors.iter().any(|e| same(e, d)) {
                        errors.push(d.clone());
                    }
                }
                crate::diagnostic::sort(&mut errors);
                Err(CompileError {
                    diagnostics: errors,
                })
            }
        }
    }

    /// Loads the project around the rule file at `path` and compiles that file (one that is
    /// not among the project's rule files is added to it in memory, so it is checked with
    /// the project's settings and across files).
    ///
    /// # Errors
    /// The file cannot be read (FM902), or `Project::compile` refuses it.
    pub fn compile_file(path: &Path) -> Result<Program, CompileError> {
        let text = read_text(path).map_err(|d| CompileError {
            diagnostics: vec![*d],
        })?;
        let name = shown(path);
        let mut project = Project::find(path).map_err(|e| CompileError {
            diagnostics: vec![io_diagnostic(path, &e.to_string())],
        })?;
        match project.index_of(&name) {
            Some(index) if project.rulesets[index].source().text() == text => {
                let name = project.rulesets[index].source().name().to_string();
                project.compile(&name)
            }
            Some(index) => {
                let name = project.rulesets[index].source().name().to_string();
                project.set_file_text(&name, &text);
                project.compile(&name)
            }
            None => {
                // Not one of the project's rule files: checked on its own slots, with the
                // project's settings.
                let ruleset = Ruleset::from_str(&text, &name);
                let (program, found) = project.check(&ruleset);
                match program {
                    Some(p) if !found.iter().any(Diagnostic::is_error) => Ok(p),
                    _ => Err(CompileError { diagnostics: found }),
                }
            }
        }
    }

    /// The slot plan against the project's `flexmap.lock` read afresh (an empty ledger when
    /// there is none yet), with the lock file's own problems: what `flexmap lock` and
    /// `flexmap slots` use, also in a folder that is not a project yet. The caller holds
    /// the folder lock (`fsio::FolderLock`) around this read and its write.
    #[must_use]
    pub fn plan_with_lock(&self) -> (SlotPlan, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let ledger = read_ledger(&self.lock_path(), &mut diagnostics);
        let plan = SlotPlan::build(&self.plan_inputs(), Some(ledger));
        (plan, diagnostics)
    }

    /// The project-level findings with the configured levels applied (FM205 is an error
    /// under `locked`).
    #[must_use]
    pub fn leveled(&self, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
        leveled(&self.config, diagnostics)
    }

    /// The path of the project's lock file, as shown to the user.
    #[must_use]
    pub fn lock_path(&self) -> PathBuf {
        let root = display_path(&self.root);
        if root == Path::new(".") {
            PathBuf::from(LOCK_FILE)
        } else {
            root.join(LOCK_FILE)
        }
    }

    fn plan_inputs(&self) -> Vec<PlanInput<'_>> {
        let mut inputs: Vec<PlanInput<'_>> = self
            .rulesets
            .iter()
            .zip(&self.members)
            .chain(self.others.iter().map(|(r, m)| (r, m)))
            .filter_map(|(ruleset, member)| {
                Some(PlanInput {
                    name: ruleset.source().name().to_string(),
                    key: member.key.clone(),
                    path: member.path.clone(),
                    file: ruleset.model()?,
                })
            })
            .collect();
        inputs.sort_by(|a, b| a.key.cmp(&b.key));
        inputs
    }

    /// Plans the slots again from the rulesets in memory and the lock as read.
    fn replan(&mut self) {
        self.plan = self
            .ledger
            .as_ref()
            .map(|ledger| Arc::new(SlotPlan::build(&self.plan_inputs(), Some(ledger.clone()))));
        self.diagnostics.clone_from(&self.loaded);
        if let Some(plan) = &self.plan {
            self.diagnostics.extend(plan.findings.iter().cloned());
        }
    }
}

/// Project-level findings (the lock, `flexmap.toml`) with the levels of `config` applied;
/// FM205 is an error when `config.locked`.
#[must_use]
pub fn leveled(config: &Config, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter_map(|d| match config.level(d.code) {
            Level::Allow => None,
            Level::Report(_) if d.code == Code::UnlockedSlot && config.locked => {
                Some(d.clone().with_severity(crate::Severity::Error))
            }
            Level::Report(severity) if config.levels.contains_key(&d.code) => {
                Some(d.clone().with_severity(severity))
            }
            Level::Report(_) => Some(d.clone()),
        })
        .collect()
}

/// `--locked` and flexmap.lock differs from what `flexmap lock` would write, though no
/// finding says why (it was edited by hand): FM205 on the lock file.
fn stale_lock(plan: &SlotPlan) -> Option<Diagnostic> {
    let ledger = plan.ledger.as_ref()?;
    let explained = !plan.findings.is_empty()
        || !ledger.diagnostics.is_empty()
        || plan.files.iter().any(|f| !f.slots.findings.is_empty());
    if explained || !plan.lock_changes() {
        return None;
    }
    Some(
        Diagnostic::new(
            Code::UnlockedSlot,
            "flexmap.lock is not what `flexmap lock` would write",
            Span::at(0),
        )
        .with_label("out of date")
        .with_help(
            "run `flexmap lock` (see `flexmap lock --check` for the diff) and commit flexmap.lock",
        )
        .with_severity(crate::Severity::Error)
        .in_source(&ledger.source),
    )
}

/// Why a YAML text is not a rule file, or `None` when it looks like one: its first key is
/// `flexmap:`, or it has a top-level `flexmap` key (`flexmap : 1`, or not first), or it has
/// rule-file keys (`conversations:`, `customers:`, `worker:`, `custom:`) beside `target:`.
#[must_use]
pub fn classify(text: &str) -> Option<String> {
    if crate::rules_file::looks_like_rule_file(text) {
        return None;
    }
    let keys: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-']) && !l.is_empty())
        .filter_map(|l| {
            let key = l.split(':').next()?.trim().trim_matches(['"', '\'']);
            (l.contains(':') && !key.is_empty()).then_some(key)
        })
        .collect();
    let rule_keys = ["conversations", "customers", "worker", "custom"];
    if keys.contains(&"flexmap")
        || (keys.contains(&"target") && keys.iter().any(|k| rule_keys.contains(k)))
    {
        return None;
    }
    Some("its first key is not `flexmap:`".to_string())
}

/// Reads `flexmap.lock` (an empty ledger when there is none); problems go to `diagnostics`.
fn read_ledger(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Ledger {
    let name = shown(path);
    match crate::fsio::read_regular_bounded(path, MAX_PROJECT_FILE_BYTES) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) if text.trim().is_empty() => {
                // An empty lock is a lost lock (a failed write, a bad merge): planning from
                // nothing would move every field to other slots without a word.
                let source = SourceFile::new(name.clone(), text);
                diagnostics.push(
                    Diagnostic::new(Code::InvalidValue, "flexmap.lock is empty", Span::at(0))
                        .with_label("an empty lock would give every custom field a new slot")
                        .with_help(
                            "restore flexmap.lock from git (`git checkout -- flexmap.lock`); delete it only when no data was ever loaded with these slots",
                        )
                        .in_source(&source),
                );
                Ledger::empty(&name)
            }
            Ok(text) => {
                let ledger = Ledger::parse(&text, &name);
                diagnostics.extend(ledger.diagnostics.iter().cloned());
                ledger
            }
            Err(e) => {
                diagnostics.push(not_utf8(
                    &name,
                    &e,
                    "restore flexmap.lock from git, or delete it and run `flexmap lock`",
                ));
                Ledger::empty(&name)
            }
        },
        Err(e) if e.is_not_found() => Ledger::empty(&name),
        Err(e) => {
            diagnostics.push(e.diagnostic(
                path,
                "check the permissions of flexmap.lock, or restore it from git",
            ));
            Ledger::empty(&name)
        }
    }
}

/// Where each ruleset sits under `canonical_root` (its key in `flexmap.lock`).
fn members_of(canonical_root: &Path, rulesets: &[Ruleset]) -> Vec<Member> {
    rulesets
        .iter()
        .map(|ruleset| {
            let name = ruleset.source().name().to_string();
            let path = std::fs::canonicalize(&name).ok();
            let key = path
                .as_ref()
                .and_then(|p| p.strip_prefix(canonical_root).ok())
                .map_or_else(|| name.clone(), |p| p.to_string_lossy().replace('\\', "/"));
            Member { key, path }
        })
        .collect()
}

/// A path as shown to the user: relative to the current folder (`../..` when above it),
/// absolute when they share nothing but the root.
fn display_path(path: &Path) -> PathBuf {
    let Some(cwd) = std::env::current_dir().ok() else {
        return path.to_path_buf();
    };
    let cwd = std::fs::canonicalize(&cwd).unwrap_or(cwd);
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    if !absolute.is_absolute() {
        return path.to_path_buf();
    }
    let common = cwd
        .components()
        .zip(absolute.components())
        .take_while(|(a, b)| a == b)
        .count();
    if common <= 1 {
        return absolute;
    }
    let mut relative = PathBuf::new();
    for _ in cwd.components().skip(common) {
        relative.push("..");
    }
    for part in absolute.components().skip(common) {
        relative.push(part);
    }
    if relative.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        relative
    }
}

/// A path as diagnostics name it (without a leading `./`).
fn shown(path: &Path) -> String {
    let shown = path.display().to_string();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

/// Reads a rule file: bounded, regular files only, UTF-8.
///
/// # Errors
/// FM902 (FM901 when too large) naming the file.
pub fn read_text(path: &Path) -> Result<String, Box<Diagnostic>> {
    let bytes = crate::fsio::read_regular_bounded(path, MAX_PROJECT_FILE_BYTES).map_err(
        |e: ReadError| Box::new(e.diagnostic(path, "check the path and its permissions")),
    )?;
    String::from_utf8(bytes)
        .map_err(|e| Box::new(not_utf8(&shown(path), &e, "save the file as UTF-8")))
}

/// The rule files under `dir` (read and loaded) and every file discovery looked at.
fn discover(
    dir: &Path,
    config: &Config,
    diagnostics: &mut Vec<Diagnostic>,
) -> (Vec<Ruleset>, Vec<DiscoveredFile>) {
    let mut found = Vec::new();
    collect(dir, config, &mut found, diagnostics);
    found.sort_by(|a, b| a.0.cmp(&b.0));
    let globs = config.rule_globs.is_some() && config.root.is_some();
    let mut rulesets = Vec::new();
    let mut files = Vec::new();
    for (path, discovery) in found {
        if discovery != Discovery::RuleFile {
            files.push(DiscoveredFile { path, discovery });
            continue;
        }
        match read_text(&path) {
            Ok(text) => {
                // With `rules` globs every matched file is a rule file (FM005 when it is
                // not); a scan without globs skips YAML that is clearly something else.
                if !globs && let Some(reason) = classify(&text) {
                    files.push(DiscoveredFile {
                        path,
                        discovery: Discovery::Skipped(reason),
                    });
                    continue;
                }
                rulesets.push(Ruleset::from_str(&text, &shown(&path)));
                files.push(DiscoveredFile {
                    path,
                    discovery: Discovery::RuleFile,
                });
            }
            Err(d) => {
                diagnostics.push(*d);
                files.push(DiscoveredFile {
                    path,
                    discovery: Discovery::Unreadable,
                });
            }
        }
    }
    (rulesets, files)
}

/// Walks `dir`: every YAML file name with what discovery makes of it so far (`RuleFile`
/// means "read it"). A sub-folder that cannot be read is one FM902; the walk goes on.
fn collect(
    dir: &Path,
    config: &Config,
    out: &mut Vec<(PathBuf, Discovery)>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            diagnostics.push(io_diagnostic(dir, &e.to_string()));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                diagnostics.push(io_diagnostic(dir, &e.to_string()));
                continue;
            }
        };
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        // Links are followed (a linked rules folder); a dangling link is a file to report.
        let is_dir = std::fs::metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            if name != "target" && name != "node_modules" && !config.excludes(&path) {
                collect(&path, config, out, diagnostics);
            }
            continue;
        }
        if !is_yaml_name(&path) {
            continue;
        }
        let discovery = if is_rule_test_name(&path) {
            Discovery::Skipped("a rule test (`*.test.yaml`, run by `flexmap test`)".into())
        } else if config.excludes(&path) {
            Discovery::Skipped("excluded in flexmap.toml".into())
        } else if !config.includes(&path) {
            Discovery::Skipped("not matched by the `rules` globs of flexmap.toml".into())
        } else {
            Discovery::RuleFile
        };
        out.push((path, discovery));
    }
}

fn is_yaml_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

fn is_rule_test_name(path: &Path) -> bool {
    path.file_stem()
        .and_then(|s| Path::new(s).extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("test"))
}

/// `*.yaml` / `*.yml` (any case), but not rule tests (`*.test.yaml`): the names a directory
/// scan reads.
#[must_use]
pub fn is_rule_file_name(path: &Path) -> bool {
    is_yaml_name(path) && !is_rule_test_name(path)
}

/// FM902 for a file that is not UTF-8, at the first invalid byte (its line and column), with
/// `help`.
fn not_utf8(name: &str, error: &std::string::FromUtf8Error, help: &str) -> Diagnostic {
    let (source, span) = crate::source::not_utf8_source(name, error.as_bytes());
    Diagnostic::new(
        Code::Io,
        format!(
            "not UTF-8 (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ),
        span,
    )
    .with_label("not UTF-8")
    .with_help(help)
    .in_source(&source)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_recognises_rule_files_that_do_not_start_with_flexmap() {
        assert_eq!(classify("flexmap: 1\ntarget: task\n"), None);
        assert_eq!(classify("# c\nflexmap: 1\n"), None);
        assert_eq!(classify("flexmap : 1\ntarget: task\n"), None);
        assert_eq!(
            classify("target: task\nflexmap: 1\nconversations:\n  x: y\n"),
            None
        );
        assert_eq!(classify("target: task\nconversations:\n  x: y\n"), None);
        assert!(classify("name: CI\non: push\njobs:\n  test: {}\n").is_some());
        assert!(classify("target: production\nreplicas: 3\n").is_some());
    }

    #[test]
    fn set_file_text_replans_in_memory() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(CONFIG_FILE), "").expect("toml");
        let a = dir.path().join("a.yaml");
        std::fs::write(
            &a,
            "flexmap: 1\ntarget: task\ncustom:\n  tier: { kind: attribute, value: crm.tier }\nconversations:\n  language: crm.lang\n",
        )
        .expect("a");
        let mut project = Project::load(dir.path()).expect("loads");
        assert!(project.is_project());
        let name = project.rulesets[0].source().name().to_string();
        assert!(!project.check_all().has_errors());
        // A second file in memory writes the same field: FM202 across files, without
        // anything on disk.
        let b = dir.path().join("b.yaml").display().to_string();
        project.set_file_text(
            &b,
            "flexmap: 1\ntarget: task\nconversations:\n  language: crm.x\n",
        );
        let check = project.check_all();
        assert!(check.has_errors());
        assert!(check.decision(&b).is_err());
        assert!(check.decision(&name).is_err(), "both sides are refused");
        assert!(project.remove_file(&b));
        assert!(!project.check_all().has_errors());
        assert!(!dir.path().join("b.yaml").exists());
    }

    #[test]
    fn mirrored_copies_what_lint_reports_onto_the_other_file() {
        let project_with = |toml: &str, voice_allow: &str| {
            let dir = tempfile::tempdir().expect("tempdir");
            std::fs::write(dir.path().join(CONFIG_FILE), toml).expect("toml");
            // `flexmap lint` reports FM202 on voice.yaml, the later file of the two.
            std::fs::write(
                dir.path().join("chat.yaml"),
                "flexmap: 1\ntarget: task\nconversations:\n  language: chat.locale\n",
            )
            .expect("chat");
            std::fs::write(
                dir.path().join("voice.yaml"),
                format!(
                    "flexmap: 1\ntarget: task\nconversations:\n  language:\n    value: ivr.lang\n{voice_allow}"
                ),
            )
            .expect("voice");
            let project = Project::load(dir.path()).expect("loads");
            (dir, project)
        };
        let name_of = |project: &Project, file: &str| {
            project
                .rulesets
                .iter()
                .map(|r| r.source().name().to_string())
                .find(|n| n.ends_with(file))
                .expect("loaded")
        };

        let (_dir, project) = project_with("", "");
        let chat = name_of(&project, "chat.yaml");
        let voice = name_of(&project, "voice.yaml");
        let original = project
            .check(&project.rulesets[project.index_of(&voice).expect("voice")])
            .1
            .into_iter()
            .find(|d| d.code == Code::DuplicateTarget)
            .expect("FM202 on voice.yaml");
        let copies = project.mirrored(&chat);
        assert_eq!(copies.len(), 1, "{copies:?}");
        let copy = &copies[0];
        assert_eq!(copy.file_name(), chat);
        assert_eq!(
            (copy.code, copy.severity, &copy.message, &copy.help),
            (
                original.code,
                original.severity,
                &original.message,
                &original.help
            )
        );
        assert_eq!(copy.line_col(), (4, 3), "at chat.yaml's `language`");
        assert!(copy.fix.is_none());
        let back = &copy.labels[1];
        assert_eq!(
            (back.file_name(copy), back.message.as_deref()),
            (voice.as_str(), Some("reported here"))
        );
        assert_eq!(back.span, original.primary_span());
        assert!(project.mirrored(&voice).is_empty(), "the reporting file");

        // The project's level sets the copy's severity; `allow` drops it, as does an
        // `allow:` on the reporting rule.
        let (_dir, project) = project_with("[lints]\nduplicate-target = \"warning\"\n", "");
        let copies = project.mirrored(&name_of(&project, "chat.yaml"));
        assert_eq!(copies.len(), 1);
        assert_eq!(copies[0].severity, crate::Severity::Warning);
        let (_dir, project) = project_with("[lints]\nFM202 = \"allow\"\n", "");
        assert!(project.mirrored(&name_of(&project, "chat.yaml")).is_empty());
        let (_dir, project) = project_with("", "    allow: [duplicate-target]\n");
        assert!(!project.check_all().has_errors(), "the allow holds");
        assert!(project.mirrored(&name_of(&project, "chat.yaml")).is_empty());
    }
}
