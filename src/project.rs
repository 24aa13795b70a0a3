//! Projects: a folder of rule files, with an optional `flexmap.toml` and `flexmap.lock`.
//!
//! Directory scans pick up `*.yaml`/`*.yml` files whose first key is `flexmap:` (other
//! YAML files are ignored), skip `*.test.yaml`, hidden folders and `target/`, skip
//! paths listed under `exclude` in the nearest `flexmap.toml`, and keep only the files its
//! `rules` globs match when it has any. The rule files of a project share one slot space:
//! their custom fields are assigned together, against `flexmap.lock` (`ledger::plan`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::ledger::plan::PlanInput;
use crate::ledger::{LOCK_FILE, Ledger, SlotPlan};

use crate::Ruleset;
pub use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};

pub use crate::config::CONFIG_FILE;

/// A folder of rule files.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder (where `flexmap.toml` is, if there is one).
    pub root: PathBuf,
    /// Settings from `flexmap.toml` (defaults when there is none).
    pub config: Config,
    /// Rule files, sorted by path.
    pub rulesets: Vec<Ruleset>,
    /// Problems with the configuration, the lock file, or with reading files, and the
    /// findings about lock entries no rule file declares (FM205 in `flexmap.lock`).
    pub diagnostics: Vec<Diagnostic>,
    /// The project-wide slot plan, when `dir` was the project root. Inside a project,
    /// `config` plans the whole project on first use; outside one, files stand alone.
    pub plan: Option<Arc<SlotPlan>>,
}

impl Project {
    /// Every finding of the project: configuration problems, then each ruleset's, linted
    /// with the project's settings.
    #[must_use]
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = self.leveled(&self.diagnostics);
        for ruleset in &self.rulesets {
            out.extend(ruleset.diagnostics_with(&self.config));
        }
        out
    }

    /// Loads the project around `start`: the nearest folder above it with `flexmap.toml` or
    /// `flexmap.lock`, or the files of `start` itself when there is none (each checked on its
    /// own; `flexmap lock` and `flexmap slots` still plan them as a project-to-be).
    ///
    /// # Errors
    /// The folder cannot be read.
    pub fn find(start: &Path) -> std::io::Result<Project> {
        let config = Config::find(start);
        match &config.root {
            Some(root) => Project::load(&display_path(root)),
            None => Project::load(start),
        }
    }

    /// Loads every rule file under `dir`.
    ///
    /// # Errors
    /// `dir` cannot be read.
    pub fn load(dir: &Path) -> std::io::Result<Project> {
        let config = Config::find(dir);
        let mut paths = Vec::new();
        collect(dir, &config, &mut paths)?;
        paths.sort();
        let mut diagnostics = config.diagnostics.clone();
        let mut rulesets = Vec::new();
        for path in paths {
            match read_rule_file(&path) {
                Ok(Some(ruleset)) => rulesets.push(ruleset),
                Ok(None) => {}
                Err(d) => diagnostics.push(*d),
            }
        }
        let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        // Without flexmap.toml or flexmap.lock the folder is no project: each file is checked
        // on its own, as `flexmap apply` runs it (`flexmap lock` makes it a project).
        let is_root = config
            .root
            .as_ref()
            .is_some_and(|root| canonical(root) == canonical(dir));
        let mut plan = None;
        if is_root {
            let ledger = Some(read_ledger(&dir.join(LOCK_FILE), &mut diagnostics));
            let built = Arc::new(plan_rulesets(dir, &rulesets, ledger));
            diagnostics.extend(built.findings.iter().cloned());
            config.set_slot_plan(built.clone());
            plan = Some(built);
        }
        let root = config.root.clone().unwrap_or_else(|| dir.to_path_buf());
        Ok(Project {
            root,
            config,
            rulesets,
            diagnostics,
            plan,
        })
    }

    /// The slot plan against the project's `flexmap.lock` (an empty ledger when there is
    /// none yet), with the lock file's own problems: what `flexmap lock` and `flexmap
    /// slots` use, also in a folder that is not a project yet.
    #[must_use]
    pub fn plan_with_lock(&self) -> (SlotPlan, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let ledger = read_ledger(&self.lock_path(), &mut diagnostics);
        let plan = plan_rulesets(&display_path(&self.root), &self.rulesets, Some(ledger));
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
}

/// Project-level findings (the lock, `flexmap.toml`) with the levels of `config` applied;
/// FM205 is an error when `config.locked`.
#[must_use]
pub fn leveled(config: &Config, diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter_map(|d| match config.level(d.code) {
            crate::config::Level::Allow => None,
            crate::config::Level::Report(_) if d.code == Code::UnlockedSlot && config.locked => {
                Some(d.clone().with_severity(crate::Severity::Error))
            }
            crate::config::Level::Report(severity) if config.levels.contains_key(&d.code) => {
                Some(d.clone().with_severity(severity))
            }
            crate::config::Level::Report(_) => Some(d.clone()),
        })
        .collect()
}

/// Plans the slots of the project at `root` from its files on disk (`Config::slot_plan`);
/// `None` when the folder cannot be read.
pub(crate) fn plan_project(root: &Path, config: &Config) -> Option<SlotPlan> {
    let root = display_path(root);
    let mut paths = Vec::new();
    collect(&root, config, &mut paths).ok()?;
    paths.sort();
    let rulesets: Vec<Ruleset> = paths
        .iter()
        .filter_map(|p| read_rule_file(p).ok().flatten())
        .collect();
    let mut ignored = Vec::new();
    let ledger = read_ledger(&root.join(LOCK_FILE), &mut ignored);
    Some(plan_rulesets(&root, &rulesets, Some(ledger)))
}

/// The slots of `file` (shown as `name`, one of the project's files, with text that changed
/// since the project was planned), planned again with the project's other files from disk.
pub(crate) fn replan(
    config: &Config,
    name: &str,
    file: &crate::rules_file::RuleFile,
) -> Option<crate::ledger::plan::FileSlots> {
    let root = display_path(config.root.as_ref()?);
    let mut paths = Vec::new();
    collect(&root, config, &mut paths).ok()?;
    paths.sort();
    let target = std::fs::canonicalize(name).ok()?;
    let others: Vec<(PathBuf, Ruleset)> = paths
        .iter()
        .filter(|p| std::fs::canonicalize(p).ok().as_ref() != Some(&target))
        .filter_map(|p| Some((p.clone(), read_rule_file(p).ok().flatten()?)))
        .collect();
    let canonical_root = std::fs::canonicalize(&root).unwrap_or_else(|_| root.clone());
    let key_of = |path: &Path| {
        std::fs::canonicalize(path)
            .ok()
            .and_then(|p| {
                p.strip_prefix(&canonical_root)
                    .ok()
                    .map(|p| p.to_string_lossy().replace('\\', "/"))
            })
            .unwrap_or_else(|| path.display().to_string())
    };
    let mut inputs: Vec<(PathBuf, PlanInput<'_>)> = others
        .iter()
        .filter_map(|(path, ruleset)| {
            Some((
                path.clone(),
                PlanInput {
                    name: ruleset.source().name().to_string(),
                    key: key_of(path),
                    path: std::fs::canonicalize(path).ok(),
                    file: ruleset.model()?,
                },
            ))
        })
        .collect();
    inputs.push((
        PathBuf::from(name),
        PlanInput {
            name: name.to_string(),
            key: key_of(Path::new(name)),
            path: Some(target),
            file,
        },
    ));
    inputs.sort_by(|a, b| a.1.key.cmp(&b.1.key));
    let inputs: Vec<PlanInput<'_>> = inputs.into_iter().map(|(_, input)| input).collect();
    let mut ignored = Vec::new();
    let ledger = read_ledger(&root.join(LOCK_FILE), &mut ignored);
    let plan = SlotPlan::build(&inputs, Some(ledger));
    plan.files
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| f.slots)
}

/// Reads `flexmap.lock` (an empty ledger when there is none); problems go to `diagnostics`.
fn read_ledger(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Ledger {
    let shown = path.display().to_string();
    let name = shown.strip_prefix("./").unwrap_or(&shown).to_string();
    match crate::fsio::read_regular_bounded(path, crate::fsio::MAX_PROJECT_FILE_BYTES) {
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

/// Plans the slots of loaded rulesets; `root` anchors the paths the lock records.
fn plan_rulesets(root: &Path, rulesets: &[Ruleset], ledger: Option<Ledger>) -> SlotPlan {
    let canonical_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    let inputs: Vec<PlanInput<'_>> = rulesets
        .iter()
        .filter_map(|ruleset| {
            let file = ruleset.model()?;
            let name = ruleset.source().name().to_string();
            let path = std::fs::canonicalize(&name).ok();
            let key = path
                .as_ref()
                .and_then(|p| p.strip_prefix(&canonical_root).ok())
                .map_or_else(|| name.clone(), |p| p.to_string_lossy().replace('\\', "/"));
            Some(PlanInput {
                name,
                key,
                path,
                file,
            })
        })
        .collect();
    SlotPlan::build(&inputs, ledger)
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

/// Reads one file found by a directory scan: `None` when it is not a rule file.
fn read_rule_file(path: &Path) -> Result<Option<Ruleset>, Box<Diagnostic>> {
    let bytes = crate::fsio::read_regular_bounded(path, crate::fsio::MAX_PROJECT_FILE_BYTES)
        .map_err(|e| Box::new(e.diagnostic(path, "check the path and its permissions")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        Box::new(not_utf8(
            &path.display().to_string(),
            &e,
            "save the file as UTF-8",
        ))
    })?;
    if !crate::rules_file::looks_like_rule_file(&text) {
        return Ok(None);
    }
    let shown = path.display().to_string();
    let name = shown.strip_prefix("./").unwrap_or(&shown);
    Ok(Some(Ruleset::from_str(&text, name)))
}

/// A diagnostic for a file that cannot be read.
#[must_use]
pub fn io_diagnostic(path: &Path, message: &str) -> Diagnostic {
    let source = SourceFile::new(path.display().to_string(), "");
    Diagnostic::new(
        Code::Io,
        format!("cannot read {}: {message}", path.display()),
        Span::at(0),
    )
    .with_help("check the path and its permissions")
    .in_source(&source)
}

fn collect(dir: &Path, config: &Config, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || config.excludes(&path) {
            continue;
        }
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            if name != "target" && name != "node_modules" {
                collect(&path, config, out)?;
            }
        } else if is_rule_file_name(&path) && config.includes(&path) {
            out.push(path);
        }
    }
    Ok(())
}

/// `*.yaml` / `*.yml` (any case), but not rule tests (`*.test.yaml`): the names a directory
/// scan reads.
#[must_use]
pub fn is_rule_file_name(path: &Path) -> bool {
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let test = path
        .file_stem()
        .and_then(|s| Path::new(s).extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("test"));
    yaml && !test
}

/// FM902 for a file that is not UTF-8, at its start, with `help`.
fn not_utf8(name: &str, error: &std::string::FromUtf8Error, help: &str) -> Diagnostic {
    let source = SourceFile::new(name.to_string(), "");
    Diagnostic::new(
        Code::Io,
        format!(
            "not UTF-8 (invalid byte at offset {})",
            error.utf8_error().valid_up_to()
        ),
        Span::at(0),
    )
    .with_help(help)
    .in_source(&source)
}
