//! The rulesets a server holds: loading a rules folder and reloading it without ever
//! swapping in a program that has findings at error level. Knows nothing of HTTP.
//!
//! A reload loads the folder as a fresh `Project` and checks it whole (`Project::check_all`),
//! so every decision is the one `flexmap lint` of the folder reaches, whatever the reload
//! history; it then builds a new `Registry` from the previous one:
//!
//! - a file that no error involves (none on it, none pointing into it, as the other side of
//!   a cross-file FM202) gets its new program (status `ok`);
//! - a file with errors keeps the previous program if there was one (status `stale`) or
//!   has none (status `refused`), and records why in `last_reload_error`;
//! - a deleted file is removed (its name answers 404 afterwards);
//! - a folder that cannot be read, a `flexmap.toml` with errors, or a folder where no rule
//!   file is left while rulesets were being served fails the whole reload: every ruleset
//!   keeps serving as before and `Registry::error` says why.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::catalog::Target;
use crate::diagnostic::Diagnostic;
use crate::{Program, Project};

/// Most error lines kept in a `ReloadError`; the rest are counted.
const MAX_ERROR_LINES: usize = 20;

/// Whether a ruleset is serving, and which version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Serving the program of the file as it is now.
    Ok,
    /// Serving the previous program: the file as it is now has errors.
    Stale,
    /// Not serving: the file has errors and no earlier version compiled.
    Refused,
}

/// Why a ruleset (or the whole folder) was refused at a reload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReloadError {
    /// When the reload happened (RFC 3339, UTC).
    pub at: String,
    /// SHA-256 of the refused file content (hex), when there was one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_hash: Option<String>,
    /// One line: what was wrong.
    pub message: String,
    /// The findings at error level, `file:line:col: error[FMxxx] message`.
    pub diagnostics: Vec<String>,
}

/// One ruleset, as the server holds it.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// The name in URLs: the file stem (`inbound-voice` for `inbound-voice.yaml`).
    pub name: String,
    /// The rule file, as found under the rules folder.
    pub file: String,
    /// `task` or `worker`, when known.
    pub target: Option<Target>,
    /// Serving state.
    pub status: Status,
    /// SHA-256 (hex) of the file content the served program was compiled from.
    pub content_hash: Option<String>,
    /// When the served program was loaded (RFC 3339, UTC).
    pub loaded_at: Option<String>,
    /// Why the latest version of the file was refused, if it was.
    pub last_reload_error: Option<ReloadError>,
    /// The served program.
    #[serde(skip)]
    pub program: Option<Arc<Program>>,
}

/// Every ruleset of the rules folder, by name.
#[derive(Clone, Debug, Default)]
pub struct Registry {
    /// Rulesets by name.
    pub rulesets: BTreeMap<String, Arc<Entry>>,
    /// Why the latest reload of the whole folder failed, if it did.
    pub error: Option<ReloadError>,
}

/// What a reload changed, for the log and the metrics.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReloadSummary {
    /// Rulesets whose program was (re)compiled and swapped in.
    pub loaded: Vec<String>,
    /// Rulesets left unchanged (same content).
    pub unchanged: Vec<String>,
    /// Rulesets whose file is back to the served version after a refused edit.
    pub recovered: Vec<String>,
    /// Rulesets refused, with the one-line reason (they keep the old program if any).
    pub refused: Vec<(String, String)>,
    /// Rulesets removed because their file is gone.
    pub removed: Vec<String>,
    /// The whole reload failed; nothing changed.
    pub failed: Option<String>,
}

impl ReloadSummary {
    /// True when something was refused or the whole reload failed.
    pub fn is_failure(&self) -> bool {
        self.failed.is_some() || !self.refused.is_empty()
    }
}

impl Registry {
    /// Looks a ruleset up by name.
    pub fn get(&self, name: &str) -> Option<&Arc<Entry>> {
        self.rulesets.get(name)
    }

    /// Number of rulesets with a program.
    pub fn serving(&self) -> usize {
        self.rulesets
            .values()
            .filter(|e| e.program.is_some())
            .count()
    }

    /// Number of rulesets whose latest file version was refused.
    pub fn refused(&self) -> usize {
        self.rulesets
            .values()
            .filter(|e| e.status != Status::Ok)
            .count()
    }
}

/// Loads `dir` again, starting from `previous` (empty at startup).
pub fn reload(dir: &Path, previous: &Registry) -> (Registry, ReloadSummary) {
    let now = now();
    let mut summary = ReloadSummary::default();
    let fail = |message: String, diagnostics: Vec<String>, summary: &mut ReloadSummary| {
        summary.failed = Some(message.clone());
        let mut registry = previous.clone();
        registry.error = Some(ReloadError {
            at: now.clone(),
            content_hash: None,
            message,
            diagnostics,
        });
        registry
    };
    let project = match Project::load(dir) {
        Ok(project) => project,
        Err(e) => {
            let message = format!("cannot read the rules folder {}: {e}", dir.display());
            return (fail(message, Vec::new(), &mut summary), summary);
        }
    };
    // Problems of the project: configuration errors fail the reload; a file that cannot be
    // read or is not UTF-8 is that ruleset's error.
    let mut file_errors: BTreeMap<String, (String, Vec<Diagnostic>)> = BTreeMap::new();
    let mut config_errors = Vec::new();
    for diagnostic in project.diagnostics.iter().filter(|d| d.is_error()) {
        let file = diagnostic.file_name().to_owned();
        if file.ends_with(crate::config::CONFIG_FILE) {
            config_errors.push(short(diagnostic));
        } else if let Some(name) = ruleset_name(Path::new(&file)) {
            file_errors
                .entry(name)
                .or_insert_with(|| (file.clone(), Vec::new()))
                .1
                .push(diagnostic.clone());
        }
    }
    if !config_errors.is_empty() {
        let message = format!(
            "{} has errors; nothing was reloaded",
            crate::config::CONFIG_FILE
        );
        return (fail(message, config_errors, &mut summary), summary);
    }
    if project.rulesets.is_empty() && file_errors.is_empty() && previous.serving() > 0 {
        let message = format!(
            "no rule file left in {}; refusing to unload every ruleset at once",
            dir.display()
        );
        return (fail(message, Vec::new(), &mut summary), summary);
    }

    // One check of the whole project decides every ruleset, as `flexmap lint` of the
    // folder would: nothing is carried over from earlier reloads but the served program
    // of a refused file (status `stale`).
    let check = project.check_all();
    let project_errors: Vec<Diagnostic> = check
        .project_errors()
        .filter(|d| {
            let file = d.file_name();
            !file.ends_with(crate::config::CONFIG_FILE)
                && (file.ends_with(crate::ledger::LOCK_FILE)
                    || !file_errors.values().any(|(f, _)| f == file))
        })
        .cloned()
        .collect();
    if !project_errors.is_empty() {
        let message = format!(
            "the project has {} error{} outside its rule files; nothing was reloaded",
            project_errors.len(),
            crate::diagnostic::plural(project_errors.len())
        );
        return (
            fail(message, short_lines(project_errors.iter()), &mut summary),
            summary,
        );
    }
    let mut rulesets: BTreeMap<String, Arc<Entry>> = BTreeMap::new();
    let mut seen_files: BTreeMap<String, String> = BTreeMap::new();
    for (ruleset, (program, _)) in project.rulesets.iter().zip(&check.files) {
        let file = ruleset.source().name().to_owned();
        let Some(name) = ruleset_name(Path::new(&file)) else {
            continue;
        };
        if let Some(first) = seen_files.get(&name) {
            let message = format!(
                "another rule file already has the name `{name}` ({first}); rename one of them"
            );
            summary.refused.push((name.clone(), message.clone()));
            // Keep the first file's entry; the duplicate is reported in the log only.
            continue;
        }
        seen_files.insert(name.clone(), file.clone());
        let hash = content_hash(ruleset.source().text());
        let old = previous.get(&name);
        match (check.decision(&file), program) {
            (Ok(()), Some(program)) => {
                let same = old.is_some_and(|o| {
                    o.content_hash.as_deref() == Some(hash.as_str()) && o.file == file
                });
                if same {
                    summary.unchanged.push(name.clone());
                    if old.is_some_and(|o| o.status != Status::Ok) {
                        summary.recovered.push(name.clone());
                    }
                } else {
                    summary.loaded.push(name.clone());
                }
                let entry = Entry {
                    name: name.clone(),
                    file,
                    target: Some(program.target()),
                    status: Status::Ok,
                    content_hash: Some(hash),
                    loaded_at: match old {
                        Some(o) if same => o.loaded_at.clone(),
                        _ => Some(now.clone()),
                    },
                    last_reload_error: None,
                    program: Some(Arc::new(program.clone())),
                };
                rulesets.insert(name, Arc::new(entry));
            }
            (decision, _) => {
                let errors = decision.err().unwrap_or_default();
                let message = format!(
                    "{file} has {} error{}; {}",
                    errors.len(),
                    crate::diagnostic::plural(errors.len()),
                    if old.is_some_and(|o| o.program.is_some()) {
                        "the previous version keeps serving"
                    } else {
                        "not serving"
                    }
                );
                let refused_before = old
                    .and_then(|o| o.last_reload_error.as_ref())
                    .and_then(|e| e.content_hash.as_deref())
                    == Some(hash.as_str());
                if refused_before {
                    // The same refused content as last time, refused again.
                    summary.unchanged.push(name.clone());
                } else {
                    summary.refused.push((name.clone(), message.clone()));
                }
                let target = ruleset.model().and_then(|m| m.target);
                let entry = refused_entry(
                    &name,
                    &file,
                    target,
                    old,
                    ReloadError {
                        at: now.clone(),
                        content_hash: Some(hash),
                        message,
                        diagnostics: short_lines(errors.iter()),
                    },
                );
                rulesets.insert(name, Arc::new(entry));
            }
        }
    }
    for (name, (file, diagnostics)) in file_errors {
        if rulesets.contains_key(&name) {
            continue;
        }
        let old = previous.get(&name);
        let message = format!(
            "{file} cannot be loaded; {}",
            if old.is_some_and(|o| o.program.is_some()) {
                "the previous version keeps serving"
            } else {
                "not serving"
            }
        );
        summary.refused.push((name.clone(), message.clone()));
        let entry = refused_entry(
            &name,
            &file,
            old.and_then(|o| o.target),
            old,
            ReloadError {
                at: now.clone(),
                content_hash: None,
                message,
                diagnostics: short_lines(diagnostics.iter()),
            },
        );
        rulesets.insert(name, Arc::new(entry));
    }
    for name in previous.rulesets.keys() {
        if !rulesets.contains_key(name) {
            summary.removed.push(name.clone());
        }
    }
    (
        Registry {
            rulesets,
            error: None,
        },
        summary,
    )
}

/// The URL name of a rule file: its stem (`inbound-voice` for `inbound-voice.yaml`).
pub fn ruleset_name(path: &Path) -> Option<String> {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .filter(|stem| !stem.is_empty())
}

/// SHA-256 of a text, in lowercase hex.
pub fn content_hash(text: &str) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(64);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// `file:line:col: error[FMxxx] message`.
pub fn short(diagnostic: &Diagnostic) -> String {
    let (line, column) = diagnostic.line_col();
    format!(
        "{}:{line}:{column}: {}[{}] {}",
        diagnostic.file_name(),
        diagnostic.severity.name(),
        diagnostic.code.as_str(),
        diagnostic.message
    )
}

fn short_lines<'a>(diagnostics: impl Iterator<Item = &'a Diagnostic>) -> Vec<String> {
    let all: Vec<&Diagnostic> = diagnostics.collect();
    let mut lines: Vec<String> = all.iter().take(MAX_ERROR_LINES).map(|d| short(d)).collect();
    if all.len() > MAX_ERROR_LINES {
        lines.push(format!("… and {} more", all.len() - MAX_ERROR_LINES));
    }
    lines
}

/// The entry of a ruleset refused at this reload: the previous program (if any) keeps
/// serving.
fn refused_entry(
    name: &str,
    file: &str,
    target: Option<Target>,
    old: Option<&Arc<Entry>>,
    error: ReloadError,
) -> Entry {
    match old.filter(|o| o.program.is_some()) {
        Some(old) => Entry {
            status: Status::Stale,
            last_reload_error: Some(error),
            ..Entry::clone(old)
        },
        None => Entry {
            name: name.to_owned(),
            file: file.to_owned(),
            target,
            status: Status::Refused,
            content_hash: None,
            loaded_at: None,
            last_reload_error: Some(error),
            program: None,
        },
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).expect("write test file");
    }

    const GOOD: &str = "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.language\n";
    const GOOD_2: &str = "flexmap: 1\ntarget: task\nconversations:\n  language: ivr.lang\n";
    const BAD: &str = "flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: x\n";

    fn status(registry: &Registry, name: &str) -> Status {
        registry.get(name).expect("ruleset present").status
    }

    #[test]
    fn a_broken_edit_keeps_the_previous_program_and_a_fix_swaps_in() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "voice.yaml", GOOD);
        let (first, summary) = reload(dir.path(), &Registry::default());
        assert_eq!(summary.loaded, vec!["voice".to_owned()]);
        let hash = first.get("voice").and_then(|e| e.content_hash.clone());

        write(dir.path(), "voice.yaml", BAD);
        let (second, summary) = reload(dir.path(), &first);
        assert!(summary.is_failure());
        assert_eq!(status(&second, "voice"), Status::Stale);
        let entry = second.get("voice").expect("voice");
        assert_eq!(entry.content_hash, hash, "the old program keeps serving");
        let error = entry.last_reload_error.as_ref().expect("error recorded");
        assert!(error.diagnostics[0].contains("error[FM101]"), "{error:?}");
        assert!(
            error.diagnostics[0].contains("voice.yaml:4:3:"),
            "{error:?}"
        );

        // The same broken content again is not compiled again, and stays stale.
        let (third, summary) = reload(dir.path(), &second);
        assert_eq!(summary.unchanged, vec!["voice".to_owned()]);
        assert_eq!(status(&third, "voice"), Status::Stale);

        write(dir.path(), "voice.yaml", GOOD_2);
        let (fourth, summary) = reload(dir.path(), &third);
        assert!(!summary.is_failure());
        assert_eq!(status(&fourth, "voice"), Status::Ok);
        assert_ne!(
            fourth.get("voice").and_then(|e| e.content_hash.clone()),
            hash
        );
        assert!(
            fourth
                .get("voice")
                .is_some_and(|e| e.last_reload_error.is_none())
        );
    }

    /// Issue 9, case 2: every reload decides as `flexmap lint` of the folder would, whatever
    /// came before: a file that makes FM202 across files refuses both sides; removing it
    /// serves again; the same folder reloaded (SIGHUP) keeps the verdict.
    #[test]
    fn cross_file_conflicts_follow_the_folder_not_the_reload_history() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), crate::config::CONFIG_FILE, "");
        write(dir.path(), "voice.yaml", GOOD);
        let (first, summary) = reload(dir.path(), &Registry::default());
        assert!(!summary.is_failure(), "{summary:?}");
        assert_eq!(status(&first, "voice"), Status::Ok);

        write(dir.path(), "chat.yaml", GOOD_2);
        let (second, summary) = reload(dir.path(), &first);
        assert!(summary.is_failure(), "{summary:?}");
        assert_eq!(
            status(&second, "voice"),
            Status::Stale,
            "unchanged, but FM202 now"
        );
        assert_eq!(status(&second, "chat"), Status::Refused);
        let error = second
            .get("voice")
            .and_then(|e| e.last_reload_error.clone())
            .expect("why voice is refused");
        assert!(
            error.diagnostics.iter().any(|d| d.contains("FM202")),
            "{error:?}"
        );
        let (again, _) = reload(dir.path(), &second);
        assert_eq!(
            status(&again, "voice"),
            Status::Stale,
            "a SIGHUP keeps the verdict"
        );
        // A fresh start reaches the same verdict.
        let (fresh, _) = reload(dir.path(), &Registry::default());
        assert_eq!(status(&fresh, "voice"), Status::Refused);
        assert_eq!(status(&fresh, "chat"), Status::Refused);

        std::fs::remove_file(dir.path().join("chat.yaml")).expect("remove");
        let (third, summary) = reload(dir.path(), &again);
        assert!(!summary.is_failure(), "{summary:?}");
        assert_eq!(status(&third, "voice"), Status::Ok);
        assert!(third.get("chat").is_none());
        let (fourth, _) = reload(dir.path(), &third);
        assert_eq!(status(&fourth, "voice"), Status::Ok);
    }

    #[test]
    fn undoing_a_broken_edit_recovers_without_compiling() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "voice.yaml", GOOD);
        let (first, _) = reload(dir.path(), &Registry::default());
        write(dir.path(), "voice.yaml", BAD);
        let (second, _) = reload(dir.path(), &first);
        write(dir.path(), "voice.yaml", GOOD);
        let (third, summary) = reload(dir.path(), &second);
        assert_eq!(summary.recovered, vec!["voice".to_owned()]);
        assert!(summary.loaded.is_empty(), "same content: nothing compiled");
        let entry = third.get("voice").expect("voice");
        assert_eq!(entry.status, Status::Ok);
        assert!(entry.last_reload_error.is_none());
        assert_eq!(
            entry.loaded_at,
            first.get("voice").and_then(|e| e.loaded_at.clone())
        );
    }

    #[test]
    fn a_ruleset_broken_from_the_start_is_refused_with_its_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "voice.yaml", GOOD);
        write(dir.path(), "bad.yaml", BAD);
        let (registry, summary) = reload(dir.path(), &Registry::default());
        assert_eq!(summary.refused.len(), 1);
        assert_eq!(status(&registry, "bad"), Status::Refused);
        assert!(registry.get("bad").is_some_and(|e| e.program.is_none()));
        assert_eq!(
            registry.get("bad").and_then(|e| e.target),
            Some(Target::Task)
        );
        assert_eq!(status(&registry, "voice"), Status::Ok);
        assert_eq!(registry.serving(), 1);
    }

    #[test]
    fn a_deleted_file_is_removed_but_an_emptied_folder_keeps_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "a.yaml", GOOD);
        write(dir.path(), "b.yaml", GOOD_2);
        let (first, _) = reload(dir.path(), &Registry::default());
        std::fs::remove_file(dir.path().join("b.yaml")).expect("remove");
        let (second, summary) = reload(dir.path(), &first);
        assert_eq!(summary.removed, vec!["b".to_owned()]);
        assert!(second.get("b").is_none());
        std::fs::remove_file(dir.path().join("a.yaml")).expect("remove");
        let (third, summary) = reload(dir.path(), &second);
        assert!(summary.failed.is_some());
        assert!(third.get("a").is_some(), "nothing unloaded");
        assert!(third.error.is_some());
    }

    #[test]
    fn a_config_with_errors_fails_the_whole_reload() {
        let dir = tempfile::tempdir().expect("tempdir");
        write(dir.path(), "a.yaml", GOOD);
        let (first, _) = reload(dir.path(), &Registry::default());
        write(dir.path(), "flexmap.toml", "hipaa = \"maybe\"\n");
        let (second, summary) = reload(dir.path(), &first);
        assert!(summary.failed.is_some(), "{summary:?}");
        assert_eq!(status(&second, "a"), Status::Ok);
        let error = second.error.as_ref().expect("folder error");
        assert!(error.message.contains("flexmap.toml"), "{error:?}");
    }

    #[test]
    fn test_files_and_excluded_folders_are_not_rulesets() {
        let root = crate::project::CONFIG_FILE;
        let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules-examples");
        assert!(examples.join(root).is_file());
        let (registry, summary) = reload(&examples, &Registry::default());
        assert!(!summary.is_failure(), "{summary:?}");
        let names: Vec<&str> = registry.rulesets.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "chat-survey",
                "hipaa-healthcare",
                "inbound-voice",
                "worker-hr"
            ]
        );
    }
}
