//! What the server knows about open documents: their text, the project each belongs to, and
//! the findings of the last check, computed as `flexmap lint` computes them.
//!
//! A rule file inside a project (a folder with `flexmap.toml` or `flexmap.lock`) is checked
//! with the whole project: the server keeps one `Project` per project folder
//! (`ProjectCache`), read from disk once, with the unsaved text of every open buffer of that
//! project applied in memory (`Project::set_file_text`): cross-file FM202, FM203 and FM205
//! against the lock, the project's levels and suppressions. The project is read from disk
//! again only when something on disk changed: a file saved (`didSave`), a change the client
//! reports (`workspace/didChangeWatchedFiles`, registered when the client can), a buffer of
//! a project file closed (its file is again as on disk), or, for a client that does not
//! watch files, a changed stamp (modification time and length) of `flexmap.toml`,
//! `flexmap.lock`, a rule file or a folder of the project: a few `stat` calls per check. A
//! file outside any project is checked on its own, as `flexmap lint FILE` checks it.
//! `*.test.yaml` files get the findings of `flexmap test` that point into them.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use lsp_types::Url;

use crate::Ruleset;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::source::SourceFile;

/// One open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// As the client names it.
    pub uri: Url,
    /// The file path (canonical when the file exists on disk).
    pub path: PathBuf,
    /// The client's version of the text.
    pub version: i32,
    /// The unsaved text, with the line index.
    pub source: SourceFile,
    /// The last check: the ruleset and the settings it was checked with (`None` for a test
    /// file), and its findings.
    pub checked: Option<Checked>,
}

/// The result of checking one document.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The rule file (absent for `*.test.yaml`).
    pub ruleset: Option<Ruleset>,
    /// The project it was checked in, with the unsaved buffers applied (a project of its
    /// own for a file outside any).
    pub project: Arc<Project>,
    /// Every finding in this document, as `flexmap lint` reports it.
    pub diagnostics: Vec<Diagnostic>,
    /// Cross-file findings reported in another file of the project whose second label points
    /// here (the first of two rules writing one target), from `Project::mirrored`: shown here
    /// too, so both files show the conflict, as hook mode and `lint --stdin-filename` do.
    /// `flexmap lint` reports each once, in the file it lists.
    pub mirrored: Vec<Diagnostic>,
}

impl Checked {
    /// The checker's analysis of the document with the project's slots.
    #[must_use]
    pub fn analysis(&self) -> Option<crate::check::Analysis> {
        self.project.analyze(self.ruleset.as_ref()?)
    }
}

impl Document {
    /// A document from the client's `didOpen`.
    #[must_use]
    pub fn new(uri: Url, version: i32, text: String) -> Document {
        let path = uri
            .to_file_path()
            .unwrap_or_else(|()| PathBuf::from(uri.path()));
        let path = std::fs::canonicalize(&path).unwrap_or(path);
        let source = SourceFile::new(path.display().to_string(), text);
        Document {
            uri,
            path,
            version,
            source,
            checked: None,
        }
    }

    /// Replaces the text (the check is stale until the next `check_all`).
    pub fn set_text(&mut self, version: i32, text: String) {
        self.version = version;
        self.source = SourceFile::new(self.source.name().to_string(), text);
        self.checked = None;
    }

    /// True for a rule test (`*.test.yaml`).
    #[must_use]
    pub fn is_test(&self) -> bool {
        crate::ruletest::is_test_file_name(&self.path)
    }

    /// The folder of the project the document belongs to (`None` outside a project): the
    /// nearest folder above it with `flexmap.toml` or `flexmap.lock`, found with `stat`
    /// calls only (nothing is read).
    #[must_use]
    pub fn project_root(&self) -> Option<PathBuf> {
        self.path.ancestors().skip(1).find_map(|folder| {
            (folder.join(crate::project::CONFIG_FILE).is_file()
                || folder.join(crate::ledger::LOCK_FILE).is_file())
            .then(|| folder.to_path_buf())
        })
    }
}

/// What a file or folder looked like on disk: modification time and length.
type Stamp = Option<(SystemTime, u64)>;

fn stamp(path: &Path) -> Stamp {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// The projects of the open documents, each read from disk once and kept with the open
/// buffers applied.
#[derive(Debug, Default)]
pub struct ProjectCache {
    entries: HashMap<PathBuf, Cached>,
    /// The client reports changes on disk (`workspace/didChangeWatchedFiles`): no stamps are
    /// compared before a check.
    pub watching: bool,
    /// How many times a project was read from disk (tests and the latency benchmark).
    pub loads: usize,
}

#[derive(Debug)]
struct Cached {
    /// The project as on disk, with the open buffers' text in place of their files.
    project: Arc<Project>,
    /// `flexmap.toml`, `flexmap.lock`, every file discovery looked at and their folders,
    /// as they were when the project was read.
    stamps: Vec<(PathBuf, Stamp)>,
    /// The names of the files whose text came from a buffer.
    buffers: HashSet<String>,
    /// Something on disk changed: read the project again before the next check.
    stale: bool,
}

impl Cached {
    fn load(root: &Path) -> std::io::Result<Cached> {
        let project = Project::load(root)?;
        let mut paths: Vec<PathBuf> = vec![
            root.to_path_buf(),
            root.join(crate::project::CONFIG_FILE),
            root.join(crate::ledger::LOCK_FILE),
        ];
        for file in &project.files {
            let path = if file.path.is_absolute() {
                file.path.clone()
            } else {
                root.join(&file.path)
            };
            if let Some(folder) = path.parent()
                && !paths.iter().any(|p| p == folder)
            {
                paths.push(folder.to_path_buf());
            }
            paths.push(file.path.clone());
        }
        let stamps = paths.into_iter().map(|p| (p.clone(), stamp(&p))).collect();
        Ok(Cached {
            project: Arc::new(project),
            stamps,
            buffers: HashSet::new(),
            stale: false,
        })
    }

    /// True when every stamp is as it was when the project was read.
    fn unchanged_on_disk(&self) -> bool {
        self.stamps.iter().all(|(path, was)| stamp(path) == *was)
    }
}

impl ProjectCache {
    /// An empty cache; `watching` when the client reports changes on disk.
    #[must_use]
    pub fn new(watching: bool) -> ProjectCache {
        ProjectCache {
            watching,
            ..ProjectCache::default()
        }
    }

    /// Something changed on disk at `path` (saved, created, deleted, or reported by the
    /// client): every cached project holding it is read again before its next check.
    pub fn invalidate(&mut self, path: &Path) {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        for (root, cached) in &mut self.entries {
            if path.starts_with(root) {
                cached.stale = true;
            }
        }
    }

    /// The cached project at `root`, read from disk when it is not cached, stale, or (for a
    /// client that does not watch files) changed on disk. `None` when the folder cannot be
    /// read.
    fn get(&mut self, root: &Path) -> Option<&mut Cached> {
        let fresh = self
            .entries
            .get(root)
            .is_some_and(|c| !c.stale && (self.watching || c.unchanged_on_disk()));
        if !fresh {
            self.entries.remove(root);
            let cached = Cached::load(root).ok()?;
            self.loads += 1;
            self.entries.insert(root.to_path_buf(), cached);
        }
        self.entries.get_mut(root)
    }
}

/// Checks the documents named by `dirty` and every other open document of their projects
/// (a change in one file can add or clear FM202 in another); returns the URIs whose
/// findings were recomputed.
pub fn check(
    documents: &mut HashMap<Url, Document>,
    cache: &mut ProjectCache,
    dirty: &[Url],
) -> Vec<Url> {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut alone: Vec<Url> = Vec::new();
    for uri in dirty {
        let Some(document) = documents.get(uri) else {
            continue;
        };
        match document.project_root() {
            Some(root) if !document.is_test() => {
                if !roots.contains(&root) {
                    roots.push(root);
                }
            }
            _ => alone.push(uri.clone()),
        }
    }
    let mut done = Vec::new();
    for root in roots {
        done.extend(check_project(documents, cache, &root));
    }
    for uri in alone {
        if let Some(document) = documents.get_mut(&uri) {
            document.checked = Some(check_alone(document));
            done.push(uri);
        }
    }
    done
}

/// Checks every open rule file of the project at `root` with the cached project, the unsaved
/// text of each open buffer applied in memory (`Project::set_file_text`), so the verdict is
/// `flexmap lint`'s on the saved files.
fn check_project(
    documents: &mut HashMap<Url, Document>,
    cache: &mut ProjectCache,
    root: &Path,
) -> Vec<Url> {
    let members: Vec<Url> = documents
        .values()
        .filter(|d| !d.is_test() && d.path.starts_with(root))
        .map(|d| d.uri.clone())
        .collect();
    // The previous findings share the cached project: dropped first, so it is changed in
    // place rather than copied.
    for uri in &members {
        if let Some(document) = documents.get_mut(uri) {
            document.checked = None;
        }
    }
    let open_names = |project: &Project| -> HashMap<Url, String> {
        members
            .iter()
            .filter_map(|uri| {
                let document = documents.get(uri)?;
                let index = project.index_of(document.source.name())?;
                Some((
                    uri.clone(),
                    project.rulesets[index].source().name().to_string(),
                ))
            })
            .collect()
    };
    let mut names: HashMap<Url, String> = HashMap::new();
    let mut cached = cache.get(root);
    if let Some(entry) = cached.as_deref_mut() {
        names = open_names(&entry.project);
        let open: HashSet<String> = names.values().cloned().collect();
        // A buffer of a project file was closed: that file is again as on disk.
        if !entry.buffers.is_subset(&open) {
            entry.stale = true;
        }
    }
    if cached.as_ref().is_some_and(|c| c.stale) {
        cached = cache.get(root);
        if let Some(entry) = cached.as_deref() {
            names = open_names(&entry.project);
        }
    }
    let Some(entry) = cached else {
        // The folder cannot be read: each file on its own.
        for uri in &members {
            if let Some(document) = documents.get_mut(uri) {
                document.checked = Some(check_alone(document));
            }
        }
        return members;
    };
    let project = Arc::make_mut(&mut entry.project);
    for (uri, name) in &names {
        let Some(document) = documents.get(uri) else {
            continue;
        };
        let index = project.index_of(name);
        if index.is_none_or(|i| project.rulesets[i].source().text() != document.source.text()) {
            project.set_file_text(name, document.source.text());
        }
    }
    entry.buffers = names.values().cloned().collect();
    let project = entry.project.clone();
    let project_findings = project.project_diagnostics();
    for uri in &members {
        let Some(document) = documents.get_mut(uri) else {
            continue;
        };
        let ruleset = names
            .get(uri)
            .and_then(|name| project.index_of(name))
            .map(|i| project.rulesets[i].clone());
        let checked = match ruleset {
            Some(ruleset) => {
                let mut diagnostics: Vec<Diagnostic> = project_findings
                    .iter()
                    .filter(|d| same_file(d.file_name(), &document.path))
                    .cloned()
                    .collect();
                diagnostics.extend(project.check(&ruleset).1);
                crate::diagnostic::sort(&mut diagnostics);
                Checked {
                    mirrored: project.mirrored(ruleset.source().name()),
                    ruleset: Some(ruleset),
                    project: project.clone(),
                    diagnostics,
                }
            }
            // Open, but not one of the project's rule files (excluded, outside the `rules`
            // globs, not a rule file yet): checked with the project's settings, as `flexmap
            // lint FILE` does.
            None => {
                let ruleset = Ruleset::from_source(document.source.clone());
                let diagnostics = project.check(&ruleset).1;
                Checked {
                    ruleset: Some(ruleset),
                    project: project.clone(),
                    diagnostics,
                    mirrored: Vec::new(),
                }
            }
        };
        document.checked = Some(checked);
    }
    members
}

/// Checks one document without a project folder.
fn check_alone(document: &Document) -> Checked {
    let config = Config::find(&document.path);
    if document.is_test() {
        let folder = document.path.parent().unwrap_or_else(|| Path::new(""));
        let report = crate::ruletest::run_source(&document.source, folder);
        let diagnostics = report
            .diagnostics
            .into_iter()
            .filter(|d| d.file_name() == document.source.name())
            .collect();
        let ruleset = Ruleset::from_str("", document.source.name());
        return Checked {
            ruleset: None,
            project: Arc::new(Project::single(ruleset, config)),
            diagnostics,
            mirrored: Vec::new(),
        };
    }
    let ruleset = Ruleset::from_source(document.source.clone());
    let project = Project::single(ruleset.clone(), config);
    let diagnostics = project.check(&ruleset).1;
    Checked {
        ruleset: Some(ruleset),
        project: Arc::new(project),
        diagnostics,
        mirrored: Vec::new(),
    }
}

/// True when the file a diagnostic or ruleset names is `path`.
#[must_use]
pub fn same_file(name: &str, path: &Path) -> bool {
    Path::new(name) == path || std::fs::canonicalize(name).is_ok_and(|p| p == path)
}
