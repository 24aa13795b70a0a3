//! Projects: a folder of rule files, with an optional `flexmap.toml`.
//!
//! Directory scans pick up `*.yaml`/`*.yml` files whose first key is `flexmap:` (other
//! YAML files are ignored), skip `*.test.yaml`, hidden folders and `target/`, and skip
//! paths listed under `exclude` in the nearest `flexmap.toml`.

use std::path::{Path, PathBuf};

use crate::Ruleset;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{SourceFile, Span};

/// Name of the project configuration file.
pub const CONFIG_FILE: &str = "flexmap.toml";

/// A folder of rule files.
#[derive(Clone, Debug)]
pub struct Project {
    /// The folder (where `flexmap.toml` is, if there is one).
    pub root: PathBuf,
    /// Rule files, sorted by path.
    pub rulesets: Vec<Ruleset>,
    /// Problems with the configuration or with reading files.
    pub diagnostics: Vec<Diagnostic>,
}

impl Project {
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
        Ok(Project {
            root: config.root.unwrap_or_else(|| dir.to_path_buf()),
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

/// `*.yaml` / `*.yml` (any case), but not rule tests (`*.test.yaml`).
fn is_rule_file_name(path: &Path) -> bool {
    let yaml = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    let test = path
        .file_stem()
        .and_then(|s| Path::new(s).extension())
        .is_some_and(|e| e.eq_ignore_ascii_case("test"));
    yaml && !test
}

/// The parts of `flexmap.toml` this version reads.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Folder of the configuration file.
    pub root: Option<PathBuf>,
    /// Paths (relative to `root`) that directory scans skip.
    pub exclude: Vec<PathBuf>,
    /// Problems in the configuration file.
    pub diagnostics: Vec<Diagnostic>,
}

impl Config {
    /// Finds the nearest `flexmap.toml` in `dir` or a parent folder.
    #[must_use]
    pub fn find(dir: &Path) -> Config {
        let start = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
        for folder in start.ancestors() {
            let candidate = folder.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::read(&candidate, folder);
            }
        }
        Config::default()
    }

    fn read(path: &Path, folder: &Path) -> Config {
        let mut config = Config {
            root: Some(folder.to_path_buf()),
            ..Config::default()
        };
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                config.diagnostics.push(io_diagnostic(path, &e.to_string()));
                return config;
            }
        };
        let source = SourceFile::new(path.display().to_string(), text.clone());
        let table: toml::Spanned<toml::Table> = match toml::from_str(&text) {
            Ok(table) => table,
            Err(e) => {
                let span = e.span().map_or(Span::at(0), |r| Span::new(r.start, r.end));
                config.diagnostics.push(
                    Diagnostic::new(
                        Code::ConfigSyntax,
                        format!("invalid TOML: {}", e.message()),
                        span,
                    )
                    .with_help("fix the syntax of flexmap.toml")
                    .in_source(&source),
                );
                return config;
            }
        };
        let spans = key_spans(&text);
        for (key, value) in table.get_ref() {
            let span = spans
                .iter()
                .find(|(k, _)| k == key)
                .map_or(Span::at(0), |(_, s)| *s);
            if key == "exclude" {
                if let Some(items) = value
                    .as_array()
                    .filter(|items| items.iter().all(toml::Value::is_str))
                {
                    config.exclude = items
                        .iter()
                        .filter_map(toml::Value::as_str)
                        .map(|p| folder.join(p))
                        .collect();
                } else {
                    config.diagnostics.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            "`exclude` must be a list of paths",
                            span,
                        )
                        .with_help("write `exclude = [\"broken\"]`")
                        .in_source(&source),
                    );
                }
                continue;
            }
            let mut d = Diagnostic::new(
                Code::UnknownKey,
                format!("unknown key `{key}` in flexmap.toml"),
                span,
            )
            .with_label("not a flexmap setting");
            d = match crate::suggest::did_you_mean(key, ["exclude"]) {
                Some(best) => d.with_help(format!("did you mean `{best}`?")),
                None => d.with_help("this version reads `exclude`"),
            };
            config.diagnostics.push(d.in_source(&source));
        }
        config
    }

    /// True when `path` is excluded.
    #[must_use]
    pub fn excludes(&self, path: &Path) -> bool {
        let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.exclude.iter().any(|e| path.starts_with(e))
    }
}

/// Byte spans of top-level `key =` lines, for pointing at keys.
fn key_spans(text: &str) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(eq) = trimmed.find('=') {
            let key = trimmed[..eq].trim().trim_matches('"').to_string();
            let start = offset + (line.len() - trimmed.len());
            out.push((
                key.clone(),
                Span::new(start, start + trimmed[..eq].trim_end().len()),
            ));
        }
        offset += line.len();
    }
    out
}
