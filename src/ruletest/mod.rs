//! Rule tests (`*.test.yaml`): load a test file, run its cases through the ruleset it
//! names, and report per case whether the output matched. No printing: the CLI renders.
//!
//! A test file looks like this:
//!
//! ```yaml
//! rules: inbound-voice.yaml        # relative to the test file
//! cases:
//!   - name: gold customer
//!     input: { crm: { account: { tier: Gold } } }
//!     expect: { customers: { customer_attribute_1: Gold } }
//!     warnings: [lookup-miss]       # optional; omitted means none expected
//! ```
//!
//! `expect` is the exact output object; `warnings` are runtime warning names compared as a
//! sorted multiset.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::Ruleset;
use crate::diagnostic::{Code, Diagnostic};
use crate::rules_file::yaml::{self, Node, NodeKind};
use crate::runtime::WarningKind;
use crate::source::{SourceFile, Span};

/// Keys of a test file.
const FILE_KEYS: &[&str] = &["rules", "cases"];
/// Keys of one case.
const CASE_KEYS: &[&str] = &["name", "input", "expect", "warnings"];

/// A parsed test file.
#[derive(Clone, Debug)]
pub struct TestFile {
    /// The `rules:` path as written (relative to the test file).
    pub rules: String,
    /// Where `rules:` is written.
    pub rules_span: Span,
    /// The cases, in file order.
    pub cases: Vec<Case>,
}

/// One case of a test file.
#[derive(Clone, Debug)]
pub struct Case {
    /// The case's name.
    pub name: String,
    /// The record given to the program.
    pub input: Value,
    /// The exact output expected.
    pub expect: Value,
    /// Runtime warning names expected, sorted.
    pub warnings: Vec<String>,
}

/// What became of one case.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Output and warnings matched.
    Pass,
    /// Something differed; both sides are kept for the caller to diff.
    Fail {
        /// The `expect:` object.
        expected: Value,
        /// What the program gave.
        actual: Value,
        /// Expected warning names, sorted.
        expected_warnings: Vec<String>,
        /// Warning names the program gave, sorted.
        actual_warnings: Vec<String>,
    },
}

/// The result of one case.
#[derive(Clone, Debug)]
pub struct CaseResult {
    /// The case's name.
    pub name: String,
    /// Pass or fail.
    pub outcome: Outcome,
}

impl CaseResult {
    /// True when the case passed.
    pub fn passed(&self) -> bool {
        self.outcome == Outcome::Pass
    }
}

/// The result of one test file: its cases, or the diagnostics that stopped it.
#[derive(Clone, Debug)]
pub struct FileReport {
    /// The test file.
    pub path: PathBuf,
    /// One result per case (empty when the file or its ruleset is invalid).
    pub cases: Vec<CaseResult>,
    /// Problems with the test file or its ruleset (errors only).
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    /// True when the file was valid and every case passed.
    pub fn passed(&self) -> bool {
        self.diagnostics.is_empty() && self.cases.iter().all(CaseResult::passed)
    }
}

/// Reads and runs one test file.
pub fn run_file(path: &Path) -> FileReport {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let source = SourceFile::new(path.display().to_string(), text);
            let folder = path.parent().unwrap_or_else(|| Path::new(""));
            let mut report = run_source(&source, folder);
            report.path = path.to_path_buf();
            report
        }
        Err(error) => FileReport {
            path: path.to_path_buf(),
            cases: Vec::new(),
            diagnostics: vec![crate::project::io_diagnostic(path, &error.to_string())],
        },
    }
}

/// Runs a test file's text; `rules:` is resolved against `folder`.
pub fn run_source(source: &SourceFile, folder: &Path) -> FileReport {
    let path = PathBuf::from(source.name());
    let (file, diagnostics) = parse(source);
    let Some(file) = file.filter(|_| diagnostics.is_empty()) else {
        return FileReport {
            path,
            cases: Vec::new(),
            diagnostics,
        };
    };
    let rules_path = folder.join(&file.rules);
    let ruleset = match Ruleset::from_path(&rules_path) {
        Ok(ruleset) => ruleset,
        Err(error) => {
            let diagnostic = Diagnostic::new(
                Code::Io,
                format!("cannot read {}: {error}", rules_path.display()),
                file.rules_span,
            )
            .with_label("named here")
            .with_help("`rules:` is a path relative to the test file")
            .in_source(source);
            return FileReport {
                path,
                cases: Vec::new(),
                diagnostics: vec![diagnostic],
            };
        }
    };
    let _ = &ruleset;
    let program = match crate::Project::compile_file(&rules_path) {
        Ok(program) => program,
        Err(error) => {
            return FileReport {
                path,
                cases: Vec::new(),
                diagnostics: error
                    .diagnostics
                    .into_iter()
                    .filter(Diagnostic::is_error)
                    .collect(),
            };
        }
    };
    let cases = file
        .cases
        .iter()
        .map(|case| {
            let applied = program.apply(&case.input);
            let actual = applied.attributes.to_value();
            let mut actual_warnings: Vec<String> = applied
                .warnings
                .iter()
                .map(|w| w.kind.name().to_string())
                .collect();
            actual_warnings.sort();
            let outcome = if actual == case.expect && actual_warnings == case.warnings {
                Outcome::Pass
            } else {
                Outcome::Fail {
                    expected: case.expect.clone(),
                    actual,
                    expected_warnings: case.warnings.clone(),
                    actual_warnings,
                }
            };
            CaseResult {
                name: case.name.clone(),
                outcome,
            }
        })
        .collect();
    FileReport {
        path,
        cases,
        diagnostics: Vec::new(),
    }
}

/// Parses a test file, reporting every problem found (the file is `None` only when the
/// YAML itself is unusable).
pub fn parse(source: &SourceFile) -> (Option<TestFile>, Vec<Diagnostic>) {
    let mut parser = Parser {
        source,
        diagnostics: Vec::new(),
    };
    let file = parser.file();
    (file, parser.diagnostics)
}

/// True for a `*.test.yaml` / `*.test.yml` file name (any case).
pub fn is_test_file_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    name.ends_with(".test.yaml") || name.ends_with(".test.yml")
}

/// Test files under `path` (itself when it is a file), sorted; hidden folders, `target/`
/// and `node_modules/` are skipped.
///
/// # Errors
/// A folder that cannot be read.
pub fn discover(path: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if path.is_dir() {
        collect(path, &mut out)?;
        out.sort();
    } else {
        std::fs::metadata(path)?;
        out.push(path.to_path_buf());
    }
    Ok(out)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if entry.file_type()?.is_dir() {
            if name != "target" && name != "node_modules" {
                collect(&path, out)?;
            }
        } else if is_test_file_name(&path) {
            out.push(path);
        }
    }
    Ok(())
}

struct Parser<'a> {
    source: &'a SourceFile,
    diagnostics: Vec<Diagnostic>,
}

impl Parser<'_> {
    fn file(&mut self) -> Option<TestFile> {
        let root = match yaml::parse(self.source) {
            Ok(root) => root,
            Err(error) => {
                let code = if error.budget {
                    Code::LimitExceeded
                } else {
                    Code::YamlSyntax
                };
                let mut diagnostic =
                    Diagnostic::new(code, format!("invalid YAML: {}", error.message), error.span);
                if let Some(help) = error.help {
                    diagnostic = diagnostic.with_help(help);
                }
                self.push(diagnostic);
                return None;
            }
        };
        let entries = self.mapping(&root, "a test file")?;
        let mut rules: Option<(String, Span)> = None;
        let mut cases = Vec::new();
        let mut saw_cases = false;
        for (key, key_node, value) in entries {
            match key.as_str() {
                "rules" => match value.as_str() {
                    Some(text) if !text.trim().is_empty() => {
                        rules = Some((text.to_string(), value.span));
                    }
                    _ => self.wrong_shape(value, "`rules:` must be the path of a rule file"),
                },
                "cases" => {
                    saw_cases = true;
                    match &value.kind {
                        NodeKind::Seq(items) => {
                            cases = items.iter().filter_map(|item| self.case(item)).collect();
                        }
                        _ => self.wrong_shape(value, "`cases:` must be a list of cases"),
                    }
                }
                _ => self.unknown_key(&key, key_node, FILE_KEYS, "in a test file"),
            }
        }
        if !saw_cases {
            self.missing(&root, "cases", "a test file");
        }
        let Some((rules, rules_span)) = rules else {
            if !entries_have(&root, "rules", self.source) {
                self.missing(&root, "rules", "a test file");
            }
            return None;
        };
        Some(TestFile {
            rules,
            rules_span,
            cases,
        })
    }

    fn case(&mut self, node: &Node) -> Option<Case> {
        let entries = self.mapping(node, "a case")?;
        let mut name = None;
        let mut input = None;
        let mut expect = None;
        let mut warnings = Some(Vec::new());
        for (key, key_node, value) in entries {
            match key.as_str() {
                "name" => match value.as_str() {
                    Some(text) => name = Some(text.to_string()),
                    None => self.wrong_shape(value, "`name:` must be a string"),
                },
                "input" => input = Some(value.to_json(self.source)),
                "expect" => match &value.kind {
                    NodeKind::Map(_) => expect = Some(value.to_json(self.source)),
                    _ => self.wrong_shape(value, "`expect:` must be the output object"),
                },
                "warnings" => warnings = self.warnings(value),
                _ => self.unknown_key(&key, key_node, CASE_KEYS, "in a case"),
            }
        }
        let mut complete = true;
        for (field, present) in [
            ("name", name.is_some()),
            ("input", input.is_some()),
            ("expect", expect.is_some()),
        ] {
            if !present {
                complete = false;
                let written = entries_have(node, field, self.source);
                if !written {
                    self.missing(node, field, "a case");
                }
            }
        }
        if !complete {
            return None;
        }
        Some(Case {
            name: name?,
            input: input?,
            expect: expect?,
            warnings: warnings?,
        })
    }

    fn warnings(&mut self, node: &Node) -> Option<Vec<String>> {
        let NodeKind::Seq(items) = &node.kind else {
            self.wrong_shape(node, "`warnings:` must be a list of runtime warning names");
            return None;
        };
        let names: Vec<&str> = WarningKind::ALL.iter().map(|k| k.name()).collect();
        let mut out = Vec::new();
        let mut valid = true;
        for item in items {
            match item.as_str() {
                Some(name) if names.contains(&name) => out.push(name.to_string()),
                Some(name) => {
                    valid = false;
                    let mut diagnostic = Diagnostic::new(
                        Code::InvalidValue,
                        format!("unknown runtime warning `{name}`"),
                        item.span,
                    )
                    .with_label("not a runtime warning name");
                    diagnostic = match crate::suggest_name(name, names.iter().copied()) {
                        Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
                        None => diagnostic.with_help(format!("known: {}", names.join(", "))),
                    };
                    self.push(diagnostic);
                }
                None => {
                    valid = false;
                    self.wrong_shape(item, "a runtime warning name is a string");
                }
            }
        }
        out.sort();
        valid.then_some(out)
    }

    /// The entries of a mapping as `(key text, key node, value)`; duplicates reported.
    fn mapping<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let NodeKind::Map(entries) = &node.kind else {
            self.wrong_shape(node, &format!("{what} must be a mapping"));
            return None;
        };
        let mut out: Vec<(String, &Node, &Node)> = Vec::new();
        for (key, value) in entries {
            let Some(text) = key.key_text(self.source) else {
                self.wrong_shape(key, "a key must be a plain scalar");
                continue;
            };
            if let Some((_, first, _)) = out.iter().find(|(t, _, _)| *t == text) {
                let first_span = first.span;
                self.push(
                    Diagnostic::new(
                        Code::DuplicateKey,
                        format!("duplicate key `{text}`"),
                        key.span,
                    )
                    .with_label("repeated here")
                    .with_secondary(first_span, "first written here"),
                );
                continue;
            }
            out.push((text, key, value));
        }
        Some(out)
    }

    fn unknown_key(&mut self, key: &str, key_node: &Node, allowed: &[&str], place: &str) {
        let mut diagnostic = Diagnostic::new(
            Code::UnknownKey,
            format!("unknown key `{key}` {place}"),
            key_node.span,
        )
        .with_label("not a rule-test key");
        diagnostic = match crate::suggest_name(key, allowed.iter().copied()) {
            Some(best) => diagnostic.with_help(format!("did you mean `{best}`?")),
            None => diagnostic.with_help(format!("expected one of: {}", allowed.join(", "))),
        };
        self.push(diagnostic);
    }

    fn wrong_shape(&mut self, node: &Node, message: &str) {
        let diagnostic = Diagnostic::new(Code::InvalidValue, message, node.span)
            .with_label(format!("found {}", node.type_name()));
        self.push(diagnostic);
    }

    fn missing(&mut self, node: &Node, key: &str, what: &str) {
        let span = Span::at(node.span.start);
        self.push(
            Diagnostic::new(Code::InvalidValue, format!("{what} needs `{key}:`"), span)
                .with_label(format!("`{key}:` missing here")),
        );
    }

    fn push(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic.in_source(self.source));
    }
}

/// True when the mapping `node` writes `key` (whatever its value).
fn entries_have(node: &Node, key: &str, source: &SourceFile) -> bool {
    match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .any(|(k, _)| k.key_text(source).as_deref() == Some(key)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(String, (usize, usize), String)> {
        let source = SourceFile::new("t.test.yaml", text);
        parse(&source)
            .1
            .iter()
            .map(|d| (d.code.as_str().to_string(), d.line_col(), d.message.clone()))
            .collect()
    }

    fn run(rules: &str, test: &str) -> FileReport {
        let folder = tempfile::tempdir().expect("temp dir");
        std::fs::write(folder.path().join("r.yaml"), rules).expect("write rules");
        run_source(&SourceFile::new("t.test.yaml", test), folder.path())
    }

    const RULES: &str =
        "flexmap: 1\ntarget: task\nconversations:\n  conversation_attribute_1: tier\n";

    #[test]
    fn a_valid_file_parses() {
        let source = SourceFile::new(
            "t.test.yaml",
            "rules: r.yaml\ncases:\n  - name: a\n    input: {x: 1}\n    expect: {}\n    warnings: [truncated, dropped]\n",
        );
        let (file, diagnostics) = parse(&source);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        let file = file.expect("parsed");
        assert_eq!(file.rules, "r.yaml");
        assert_eq!(file.cases.len(), 1);
        assert_eq!(file.cases[0].input, serde_json::json!({"x": 1}));
        assert_eq!(file.cases[0].warnings, ["dropped", "truncated"]);
    }

    #[test]
    fn unknown_keys_suggest_a_name() {
        let found = codes("rules: r.yaml\ncases:\n  - name: a\n    inptu: {}\n    expect: {}\n");
        assert_eq!(found[0].0, "FM003");
        assert_eq!(found[0].1, (4, 5));
        let source = SourceFile::new(
            "t.test.yaml",
            "rules: r.yaml\ncases:\n  - name: a\n    inptu: {}\n    expect: {}\n",
        );
        let (_, diagnostics) = parse(&source);
        assert_eq!(
            diagnostics[0].help.as_deref(),
            Some("did you mean `input`?")
        );
    }

    #[test]
    fn wrong_shapes_are_fm006() {
        let found = codes("rules: [a]\ncases: {}\n");
        assert_eq!(
            found
                .iter()
                .map(|f| (f.0.as_str(), f.1))
                .collect::<Vec<_>>(),
            [("FM006", (1, 8)), ("FM006", (2, 8))]
        );
        let found = codes(
            "rules: r.yaml\ncases:\n  - name: a\n    input: 1\n    expect: 3\n    warnings: [nope]\n",
        );
        assert_eq!(found[0].0, "FM006");
        assert_eq!(found[0].1, (5, 13));
        assert_eq!(found[1].2, "unknown runtime warning `nope`");
    }

    #[test]
    fn missing_keys_and_bad_yaml_are_reported() {
        let found = codes("cases:\n  - input: {}\n");
        let messages: Vec<&str> = found.iter().map(|f| f.2.as_str()).collect();
        assert!(messages.contains(&"a case needs `name:`"), "{messages:?}");
        assert!(
            messages.contains(&"a test file needs `rules:`"),
            "{messages:?}"
        );
        assert_eq!(codes("rules: [\n")[0].0, "FM001");
    }

    #[test]
    fn cases_pass_and_fail() {
        let report = run(
            RULES,
            "rules: r.yaml\ncases:\n  - name: ok\n    input: {tier: Gold}\n    expect: {conversations: {conversation_attribute_1: Gold}}\n  - name: wrong\n    input: {tier: Gold}\n    expect: {}\n",
        );
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        assert!(report.cases[0].passed());
        match &report.cases[1].outcome {
            Outcome::Fail {
                expected, actual, ..
            } => {
                assert_eq!(expected, &serde_json::json!({}));
                assert_eq!(
                    actual,
                    &serde_json::json!({"conversations": {"conversation_attribute_1": "Gold"}})
                );
            }
            Outcome::Pass => panic!("should fail"),
        }
        assert!(!report.passed());
    }

    #[test]
    fn warnings_are_compared_as_a_multiset() {
        let report = run(
            RULES,
            "rules: r.yaml\ncases:\n  - name: not an object\n    input: [1]\n    expect: {}\n    warnings: [not-an-object]\n  - name: unexpected\n    input: [1]\n    expect: {}\n",
        );
        assert!(report.cases[0].passed(), "{:?}", report.cases[0]);
        assert!(!report.cases[1].passed());
    }

    #[test]
    fn a_missing_rules_file_is_fm902_and_a_broken_ruleset_gives_its_errors() {
        let report = run(RULES, "rules: nowhere.yaml\ncases: []\n");
        assert_eq!(report.diagnostics[0].code, Code::Io);
        assert_eq!(report.diagnostics[0].line_col(), (1, 8));
        let report = run(
            "flexmap: 1\ntarget: task\nconversations:\n  nope: tier\n",
            "rules: r.yaml\ncases: []\n",
        );
        assert!(!report.diagnostics.is_empty());
        assert!(report.diagnostics.iter().all(Diagnostic::is_error));
    }

    #[test]
    fn test_file_names() {
        assert!(is_test_file_name(Path::new("a/b.test.yaml")));
        assert!(is_test_file_name(Path::new("B.TEST.YML")));
        assert!(!is_test_file_name(Path::new("b.yaml")));
    }
}
