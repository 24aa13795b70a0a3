//! flexmap: a compiler, linter and runtime for declarative rules that map CRM and IVR
//! data into Twilio Flex Insights attributes.
//!
//! Load a rule file, compile it into a [`Program`], and apply the program to records:
//!
//! ```
//! use flexmap::Ruleset;
//! use serde_json::json;
//!
//! let rules = r#"
//! flexmap: 1
//! target: task
//! tables:
//!   languages: { en-US: English, es-MX: Spanish }
//! conversations:
//!   ivr_path: ivr.digits | hierarchy
//!   language: ivr.language | lookup(languages, "Other")
//!   conversation_measure_1: survey.csat | number
//! customers:
//!   external_id: crm.contact.id ?? crm.contact.phone
//! "#;
//! let program = Ruleset::from_str(rules, "voice.yaml").compile().expect("no errors");
//! let applied = program.apply(&json!({
//!     "ivr": {"digits": "12", "language": "es-MX"},
//!     "survey": {"csat": "4"},
//!     "crm": {"contact": {"phone": "+14155550100"}}
//! }));
//! assert_eq!(applied.attributes.to_value(), json!({
//!     "conversations": {"ivr_path": "1 ▸ 2", "language": "Spanish", "conversation_measure_1": 4},
//!     "customers": {"external_id": "+14155550100"}
//! }));
//! assert!(applied.warnings.is_empty());
//!
//! // Errors are diagnostics with exact spans, never panics:
//! let error = Ruleset::from_str("flexmap: 1\ntarget: task\nconversations:\n  wrapup_time: x\n", "bad.yaml")
//!     .compile()
//!     .unwrap_err();
//! assert_eq!(error.diagnostics[0].code.as_str(), "FM101");
//! assert_eq!(error.diagnostics[0].line_col(), (4, 3));
//! ```
//!
//! The pipeline is described in `docs/ARCHITECTURE.md`; the rule language in
//! `docs/language.md`.

pub mod audit;
pub mod catalog;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod dictionary;
pub mod emit;
pub mod figures;
pub mod format;
pub mod fsio;
pub mod ledger;
pub mod lint;
#[cfg(feature = "cli")]
pub mod lsp;
pub mod project;
pub mod rules_file;
pub mod ruletest;
pub mod runtime;
pub mod schema;
#[cfg(feature = "serve")]
pub mod serve;
pub mod source;
pub mod syntax;
pub mod types;

mod suggest;

/// Did-you-mean: the candidate closest to `word`, if it is a plausible typo.
pub fn suggest_name<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    suggest::did_you_mean(word, candidates)
}

use std::fmt;
use std::path::Path;

pub use config::Config;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use project::Project;
pub use runtime::{Applied, Attributes, Program, RuntimeWarning, WarningKind};
pub use source::{SourceFile, Span};

/// One rule file, loaded (YAML parsed, structure checked) but not yet compiled.
#[derive(Clone, Debug)]
pub struct Ruleset {
    source: SourceFile,
    file: Option<rules_file::RuleFile>,
    load_diagnostics: Vec<Diagnostic>,
}

impl Ruleset {
    /// Loads a rule file from text; `name` is shown in diagnostics (usually the path).
    #[allow(clippy::should_implement_trait)]
    #[must_use]
    pub fn from_str(text: &str, name: &str) -> Ruleset {
        Ruleset::from_source(SourceFile::new(name, text))
    }

    /// Loads a rule file from an already wrapped source.
    #[must_use]
    pub fn from_source(source: SourceFile) -> Ruleset {
        let (file, load_diagnostics) = rules_file::load(&source);
        Ruleset {
            source,
            file,
            load_diagnostics,
        }
    }

    /// Reads and loads a rule file.
    ///
    /// # Errors
    /// The file cannot be read or is not UTF-8.
    pub fn from_path(path: &Path) -> std::io::Result<Ruleset> {
        let bytes = fsio::read_regular_bounded(path, fsio::MAX_PROJECT_FILE_BYTES)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let text = String::from_utf8(bytes)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        Ok(Ruleset::from_str(&text, &path.display().to_string()))
    }

    /// The source text.
    #[must_use]
    pub fn source(&self) -> &SourceFile {
        &self.source
    }

    /// Findings of loading (YAML and structure), before checking.
    #[must_use]
    pub fn load_diagnostics(&self) -> &[Diagnostic] {
        &self.load_diagnostics
    }

    /// The parsed rule model, if the YAML parsed.
    #[must_use]
    pub fn model(&self) -> Option<&rules_file::RuleFile> {
        self.file.as_ref()
    }

    /// Checks and lints the ruleset with default settings: every finding, sorted by
    /// position, and the program built from the rules that checked cleanly (`None` if the
    /// YAML did not parse).
    #[must_use]
    pub fn check(&self) -> (Option<Program>, Vec<Diagnostic>) {
        self.check_with(&Config::default())
    }

    /// Like `check`, with settings (`hipaa`, `sso`, lint levels). The file is checked on
    /// its own: its custom fields get the first free slots of this file. For the slots of a
    /// project (`flexmap.lock`, FM202 across files) check it through `Project::check`.
    #[must_use]
    pub fn check_with(&self, config: &Config) -> (Option<Program>, Vec<Diagnostic>) {
        match &self.file {
            Some(file) => self.check_with_slots(config, &ledger::SlotPlan::standalone(file)),
            None => {
                let mut diagnostics = self.load_diagnostics.clone();
                diagnostic::sort(&mut diagnostics);
                (None, diagnostics)
            }
        }
    }

    /// Like `check_with`, with the slots a project's plan gives this file's custom fields
    /// (`Project::slots_for`), and the plan's findings about them.
    #[must_use]
    pub fn check_with_slots(
        &self,
        config: &Config,
        slots: &ledger::plan::FileSlots,
    ) -> (Option<Program>, Vec<Diagnostic>) {
        let mut diagnostics = self.load_diagnostics.clone();
        let program = self.analyze_with_slots(slots).map(|analysis| {
            diagnostics.extend(analysis.diagnostics.iter().cloned());
            if let Some(file) = &self.file {
                diagnostics.extend(lint::lint(file, &analysis, config));
            }
            analysis.program
        });
        diagnostic::sort(&mut diagnostics);
        (program, diagnostics)
    }

    /// The checker's analysis with the file's own slots (see `check_with`); `None` if the
    /// YAML did not parse. The settings do not change the analysis.
    #[must_use]
    pub fn analyze_with(&self, _config: &Config) -> Option<check::Analysis> {
        let file = self.file.as_ref()?;
        Some(check::analyze_with(
            file,
            &ledger::SlotPlan::standalone(file),
        ))
    }

    /// The checker's analysis with the slots a project's plan gives (`Project::analyze`).
    /// `AnalyzedRule::slot` and `target` give each custom field's slot, the same the
    /// program writes and `flexmap.lock` pins.
    #[must_use]
    pub fn analyze_with_slots(&self, slots: &ledger::plan::FileSlots) -> Option<check::Analysis> {
        let file = self.file.as_ref()?;
        Some(check::analyze_with(file, slots))
    }

    /// Every finding with default settings, sorted by position.
    #[must_use]
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        self.check().1
    }

    /// Every finding under project settings, sorted by position.
    #[must_use]
    pub fn diagnostics_with(&self, config: &Config) -> Vec<Diagnostic> {
        self.check_with(config).1
    }

    /// Compiles into a runnable program with default settings, refusing a ruleset with
    /// findings at error level.
    ///
    /// # Errors
    /// `CompileError` holding every finding (errors and the rest) when any is an error.
    pub fn compile(&self) -> Result<Program, CompileError> {
        self.compile_with(&Config::default())
    }

    /// Like `compile`, with project settings (with `hipaa = true`, FM401 is an error).
    ///
    /// # Errors
    /// `CompileError` holding every finding when any is an error.
    pub fn compile_with(&self, config: &Config) -> Result<Program, CompileError> {
        let (program, diagnostics) = self.check_with(config);
        match program {
            Some(program) if !diagnostics.iter().any(Diagnostic::is_error) => Ok(program),
            _ => Err(CompileError { diagnostics }),
        }
    }
}

/// A ruleset that cannot run: it has findings at error level.
#[derive(Clone, Debug)]
pub struct CompileError {
    /// Every finding of the ruleset, errors first in position order.
    pub diagnostics: Vec<Diagnostic>,
}

impl CompileError {
    /// Number of findings at error level.
    #[must_use]
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.error_count();
        write!(
            f,
            "the ruleset has {errors} error{}",
            crate::diagnostic::plural(errors)
        )
    }
}

impl std::error::Error for CompileError {}

impl miette::Diagnostic for CompileError {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.diagnostics
                .iter()
                .map(|d| d as &dyn miette::Diagnostic),
        ))
    }
}
