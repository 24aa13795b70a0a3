//! Projects: a folder of rule files, with an optional `flexmap.toml`.
//!
//! Directory scans pick up `*.yaml`/`*.yml` files whose first key is `flexmap:` (other
//! YAML files are ignored), skip `*.test.yaml`, hidden folders and `target/`, and skip
//! paths listed under `exclude` in the nearest `flexmap.toml`.

use std::path::{Path, PathBuf};

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
    /// Problems with the configuration or with reading files.
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
    /// Every finding of the project: configuration problems, then each ruleset's, linted
    /// with the project's settings.
    #[must_use]
    pub fn all_diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        for ruleset in &self.rulesets {
            out.extend(ruleset.diagnostics_with(&self.config));
        }
        out
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
        let root = config.root.clone().unwrap_or_else(|| dir.to_path_buf());
        Ok(Project {
            root,
            config,
            rulesets,
            diagnostics,
        })
    }
}

/// Reads one file found by a directory scan: `None` when it is not a rule file.
fn read_rule_file(path: &Path) -> Result<Option<Ruleset>, Box<Diagnostic>> {
    let bytes = std::fs::read(path).map_err(|e| Box::new(io_diagnostic(path, &e.to_string())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let source = SourceFile::new(path.display().to_string(), "");
        Box::new(
            Diagnostic::new(
                Code::Io,
                format!(
                    "not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
                Span::at(0),
            )
            .with_help("save the file as UTF-8")
            .in_source(&source),
        )
    })?;
    if !crate::rules_file::looks_like_rule_file(&text) {
        return Ok(None);
    }
    Ok(Some(Ruleset::from_str(&text, &path.display().to_string())))
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
        } else if is_rule_file_name(&path) {
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
