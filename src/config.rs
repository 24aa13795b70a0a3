//! `flexmap.toml`: project settings, found by walking up from a rule file or folder (the
//! walk also stops at a folder holding only `flexmap.lock`: that folder is the project).
//!
//! ```toml
//! hipaa = true                 # HIPAA account: FM401 pii-leak is an error, FM402 pii-dropped is reported
//! sso = true                   # SSO account: FM107 sso-overwrites on worker rulesets
//! exclude = ["broken"]         # paths directory scans skip
//! rules = ["rules/**/*.yaml"]  # the project's rule files (globs from this folder); default: every rule file below it
//!
//! [lints]
//! id-in-attribute = "error"    # by name or code: "error", "warning", "info" or "allow"
//! FM104 = "allow"
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::source::{SourceFile, Span};
use crate::suggest::did_you_mean;

/// Name of the configuration file.
pub const CONFIG_FILE: &str = "flexmap.toml";
/// Top-level keys this version reads.
pub const KEYS: &[&str] = &["hipaa", "sso", "exclude", "rules", "lints"];

/// A lint's level as configured: a severity, or off.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Reported at this severity.
    Report(Severity),
    /// Not reported.
    Allow,
}

/// Project settings.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Folder of the configuration file, if one was found.
    pub root: Option<PathBuf>,
    /// The account is HIPAA-enabled.
    pub hipaa: bool,
    /// Agents log in through SSO (worker attributes come from the identity provider).
    pub sso: bool,
    /// Paths (absolute, from `exclude`) that directory scans skip.
    pub exclude: Vec<PathBuf>,
    /// `rules`: globs (relative to `root`) naming the project's rule files; empty means
    /// every rule file below `root`.
    pub rules: Vec<String>,
    /// `rules`, compiled.
    pub rule_globs: Option<globset::GlobSet>,
    /// Levels set under `[lints]`.
    pub levels: HashMap<Code, Level>,
    /// Problems in the configuration file itself.
    pub diagnostics: Vec<Diagnostic>,
    /// `--locked`: the lock must not change, so FM205 is an error.
    pub locked: bool,
}

impl Config {
    /// Finds the nearest project around `start` (a file or folder): the nearest folder, going
    /// up, that holds `flexmap.toml` or `flexmap.lock`. Defaults when there is none.
    #[must_use]
    pub fn find(start: &Path) -> Config {
        let absolute = std::fs::canonicalize(start).unwrap_or_else(|_| start.to_path_buf());
        let folder = if absolute.is_file() {
            absolute.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            absolute
        };
        for candidate_folder in folder.ancestors() {
            let candidate = candidate_folder.join(CONFIG_FILE);
            if candidate.is_file() {
                return Config::read(&candidate);
            }
            if candidate_folder.join(crate::ledger::LOCK_FILE).is_file() {
                return Config {
                    root: Some(candidate_folder.to_path_buf()),
                    ..Config::default()
                };
            }
        }
        Config::default()
    }

    /// True when `path` belongs to the project's rule files under the `rules` globs (always
    /// true without globs).
    #[must_use]
    pub fn includes(&self, path: &Path) -> bool {
        let Some(globs) = &self.rule_globs else {
            return true;
        };
        let Some(root) = &self.root else {
            return true;
        };
        // The folder is resolved, not the file: a rule file that is a link (even to
        // /dev/zero, or to nothing) is still named by the globs, and then refused when read.
        let path = canonical_folder(path);
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        path.strip_prefix(&root)
            .is_ok_and(|relative| globs.is_match(relative))
    }

    /// Reads a configuration file.
    #[must_use]
    pub fn read(path: &Path) -> Config {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let read = crate::fsio::read_regular_bounded(path, crate::fsio::MAX_PROJECT_FILE_BYTES)
            .map_err(|e| Box::new(e.diagnostic(path, "check the permissions of flexmap.toml")))
            .and_then(|bytes| {
                String::from_utf8(bytes).map_err(|_| {
                    Box::new(crate::fsio::io_diagnostic(
                        path,
                        "not UTF-8; save flexmap.toml as UTF-8",
                    ))
                })
            });
        match read {
            Ok(text) => Config::parse(&text, &path.display().to_string(), &folder),
            Err(diagnostic) => Config {
                root: Some(folder),
                diagnostics: vec![*diagnostic],
                ..Config::default()
            },
        }
    }

    /// Parses configuration text; `folder` anchors relative `exclude` paths.
    #[must_use]
    pub fn parse(text: &str, name: &str, folder: &Path) -> Config {
        let source = SourceFile::new(name, text);
        let mut config = Config {
            root: Some(folder.to_path_buf()),
            ..Config::default()
        };
        let document: toml::Spanned<toml::Table> = match toml::from_str(text) {
            Ok(table) => table,
            Err(e) => {
                let span = e.span().map_or(Span::at(0), |r| Span::new(r.start, r.end));
                config.push(
                    &source,
                    Diagnostic::new(
                        Code::ConfigSyntax,
                        format!("invalid TOML: {}", e.message().trim()),
                        span,
                    )
                    .with_help("fix the syntax of flexmap.toml"),
                );
                return config;
            }
        };
        let spans = key_spans(text);
        let span_of = |key: &str, section: Option<&str>| {
            spans
                .iter()
                .find(|(s, k, _)| s.as_deref() == section && k == key)
                .map_or(Span::at(0), |(_, _, span)| *span)
        };
        for (key, value) in document.get_ref() {
            let span = span_of(key, None);
            match key.as_str() {
                "hipaa" | "sso" => match value.as_bool() {
                    Some(flag) if key == "hipaa" => config.hipaa = flag,
                    Some(flag) => config.sso = flag,
                    None => config.push(
                        &source,
                        Diagnostic::new(
                            Code::InvalidValue,
                            format!("`{key}` must be `true` or `false`"),
                            span,
                        )
                        .with_help(format!("write `{key} = true`")),
                    ),
                },
                "exclude" => match value
                    .as_array()
                    .filter(|items| items.iter().all(toml::Value::is_str))
                {
                    Some(items) => {
                        config.exclude = items
                            .iter()
                            .filter_map(toml::Value::as_str)
                            .map(|p| folder.join(p))
                            .collect();
                    }
                    None => config.push(
                        &source,
                        Diagnostic::new(
                            Code::InvalidValue,
                            "`exclude` must be a list of paths",
                            span,
                        )
                        .with_help("write `exclude = [\"broken\"]`"),
                    ),
                },
                "rules" => match value
                    .as_array()
                    .filter(|items| items.iter().all(toml::Value::is_str))
                {
                    Some(items) => {
                        let mut builder = globset::GlobSetBuilder::new();
                        let mut valid = true;
                        for pattern in items.iter().filter_map(toml::Value::as_str) {
                            match globset::GlobBuilder::new(pattern)
                                .literal_separator(true)
                                .build()
                            {
                                Ok(glob) => {
                                    builder.add(glob);
                                    config.rules.push(pattern.to_string());
                                }
                                Err(e) => {
                                    valid = false;
                                    config.push(
                                        &source,
                                        Diagnostic::new(
                                            Code::InvalidValue,
                                            format!(
                                                "invalid glob `{pattern}` in `rules`: {}",
                                                e.kind()
                                            ),
                                            span,
                                        )
                                        .with_help("write globs such as `rules/**/*.yaml`"),
                                    );
                                }
                            }
                        }
                        if valid {
                            config.rule_globs = builder.build().ok();
                        }
                    }
                    None => config.push(
                        &source,
                        Diagnostic::new(
                            Code::InvalidValue,
                            "`rules` must be a list of globs",
                            span,
                        )
                        .with_help("write `rules = [\"rules/**/*.yaml\"]`"),
                    ),
                },
                "lints" => match value.as_table() {
                    Some(table) => {
                        for (lint, level) in table {
                            let lint_span = span_of(lint, Some("lints"));
                            config.lint_level(&source, lint, level, lint_span);
                        }
                    }
                    None => config.push(
                        &source,
                        Diagnostic::new(Code::InvalidValue, "`lints` must be a table", span)
                            .with_help(
                                "write `[lints]` on its own line, then `name = \"level\"` lines",
                            ),
                    ),
                },
                _ => {
                    let mut d = Diagnostic::new(
                        Code::UnknownKey,
                        format!("unknown key `{key}` in flexmap.toml"),
                        span,
                    )
                    .with_label("not a flexmap setting");
                    d = match did_you_mean(key, KEYS.iter().copied()) {
                        Some(best) => d.with_help(format!("did you mean `{best}`?")),
                        None => d.with_help(format!("settings are {}", KEYS.join(", "))),
                    };
                    config.push(&source, d);
                }
            }
        }
        crate::diagnostic::sort(&mut config.diagnostics);
        config
    }

    fn lint_level(&mut self, source: &SourceFile, lint: &str, level: &toml::Value, span: Span) {
        let Some(code) = Code::from_code_or_name(lint) else {
            let d = Diagnostic::new(
                Code::UnknownKey,
                format!("unknown lint `{lint}` in `[lints]`"),
                span,
            )
            .with_label("no lint has this name or code")
            .with_help(Code::suggestion_help(lint));
            self.push(source, d);
            return;
        };
        let parsed = match level.as_str() {
            Some("error") => Some(Level::Report(Severity::Error)),
            Some("warning" | "warn") => Some(Level::Report(Severity::Warning)),
            Some("info") => Some(Level::Report(Severity::Info)),
            Some("allow" | "off") => Some(Level::Allow),
            _ => None,
        };
        match parsed {
            Some(level) => {
                self.levels.insert(code, level);
            }
            None => self.push(
                source,
                Diagnostic::new(
                    Code::InvalidValue,
                    format!("invalid level for `{lint}`"),
                    span,
                )
                .with_label("expected \"error\", \"warning\", \"info\" or \"allow\"")
                .with_help(format!("write `{lint} = \"warning\"`")),
            ),
        }
    }

    fn push(&mut self, source: &SourceFile, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic.in_source(source));
    }

    /// True when `path` is excluded from directory scans.
    #[must_use]
    pub fn excludes(&self, path: &Path) -> bool {
        let path = canonical_folder(path);
        self.exclude.iter().any(|e| path.starts_with(e))
    }

    /// The level a code is reported at under this configuration (`Allow` for off).
    #[must_use]
    pub fn level(&self, code: Code) -> Level {
        if let Some(level) = self.levels.get(&code) {
            return *level;
        }
        match code {
            // Only meaningful on HIPAA or SSO accounts (SPEC §5).
            Code::PiiLeak | Code::PiiDropped if !self.hipaa => Level::Allow,
            Code::SsoOverwrites if !self.sso => Level::Allow,
            _ => Level::Report(code.info().level),
        }
    }
}

/// `path` with its folder resolved (links and `..`), its last component kept as written.
fn canonical_folder(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            std::fs::canonicalize(parent)
                .map_or_else(|_| path.to_path_buf(), |folder| folder.join(name))
        }
        _ => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
    }
}

/// `(table, key, span)` of every `key =` line (with the `[table]` it is under).
fn key_spans(text: &str) -> Vec<(Option<String>, String, Span)> {
    let mut out = Vec::new();
    let mut offset = 0;
    let mut table: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let start = offset + (line.len() - trimmed.len());
        if let Some(rest) = trimmed.strip_prefix('[') {
            table = rest.split(']').next().map(|t| t.trim().to_string());
        } else if let Some(eq) = trimmed.find('=')
            && !trimmed.starts_with('#')
        {
            let raw = trimmed[..eq].trim_end();
            let key = raw.trim_matches('"').to_string();
            out.push((table.clone(), key, Span::new(start, start + raw.len())));
        }
        offset += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(text: &str) -> Vec<String> {
        Config::parse(text, "flexmap.toml", Path::new("/p"))
            .diagnostics
            .iter()
            .map(|d| {
                let (line, column) = d.line_col();
                format!(
                    "{line}:{column} {} {}",
                    d.code.as_str(),
                    d.help.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    #[test]
    fn settings_are_read() {
        let config = Config::parse(
            "hipaa = true\nsso = false\nexclude = [\"broken\"]\n[lints]\nid-in-attribute = \"error\"\nFM104 = \"allow\"\n",
            "flexmap.toml",
            Path::new("/p"),
        );
        assert!(config.diagnostics.is_empty(), "{:?}", config.diagnostics);
        assert!(config.hipaa && !config.sso);
        assert_eq!(config.exclude, [PathBuf::from("/p/broken")]);
        assert_eq!(
            config.level(Code::IdInAttribute),
            Level::Report(Severity::Error)
        );
        assert_eq!(config.level(Code::OverridesDefault), Level::Allow);
        assert_eq!(config.level(Code::PiiLeak), Level::Report(Severity::Error));
        assert_eq!(config.level(Code::SsoOverwrites), Level::Allow);
    }

    #[test]
    fn defaults_turn_account_specific_lints_off() {
        let config = Config::default();
        assert_eq!(config.level(Code::PiiLeak), Level::Allow);
        assert_eq!(config.level(Code::PiiDropped), Level::Allow);
        assert_eq!(config.level(Code::SsoOverwrites), Level::Allow);
        assert_eq!(
            config.level(Code::UnknownTarget),
            Level::Report(Severity::Error)
        );
    }

    #[test]
    fn mistakes_are_reported_with_did_you_mean() {
        assert_eq!(
            findings("hipa = true\n[lints]\nid-in-atribute = \"error\"\nFM301 = \"loud\"\n"),
            [
                "1:1 FM003 did you mean `hipaa`?",
                "3:1 FM003 did you mean `id-in-attribute`?",
                "4:1 FM006 write `FM301 = \"warning\"`",
            ]
        );
        assert_eq!(
            findings("sso = \"yes\"\n"),
            ["1:1 FM006 write `sso = true`"]
        );
        assert_eq!(
            findings("exclude = [\n")[0].split(' ').nth(1),
            Some("FM007")
        );
    }
}
