//! Command-line interface: argument parsing, output formats and exit codes. The only
//! place that prints.

// The command line is the one place allowed to print (STYLE.md).
#![allow(clippy::print_stdout)]

mod apply;
mod audit;
mod build;
mod docs;
mod eval;
mod explain;
mod fmt;
mod init;
mod lint;
mod lock;
mod lsp;
mod progress;
mod schema;
mod serve;
mod slots;
mod test;
mod trace;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit status: nothing at error level.
pub const EXIT_OK: u8 = 0;
/// Exit status: findings at error level (or warnings with `--deny warnings`), or records
/// that could not be mapped.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit status: usage, I/O or internal error.
pub const EXIT_USAGE: u8 = 2;

/// Compile, lint and run mapping rules for Twilio Flex Insights.
#[derive(Parser, Debug)]
#[command(name = "flexmap", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check rule files and report findings with exact positions.
    Lint(lint::LintArgs),
    /// Map NDJSON records with a ruleset: one output line per input line, in order.
    Apply(apply::ApplyArgs),
    /// Explain a diagnostic code: what it catches, why it matters, how to fix it.
    Explain(explain::ExplainArgs),
    /// Check task or worker attributes JSON that existing code produced (NDJSON).
    Audit(audit::AuditArgs),
    /// Print the JSON Schema of rule files, or of test files with --test-files (for editors
    /// through yaml-language-server).
    Schema(schema::SchemaArgs),
    /// Create a project: flexmap.toml, an example rule file and its test, and the two JSON
    /// Schemas editors use.
    Init(init::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(schema::CompletionsArgs),
    /// Run rule tests (`*.test.yaml`); show a diff for each failing case.
    Test(test::TestArgs),
    /// Write the data dictionary (every field and slot the rules write) as Markdown or HTML.
    Docs(docs::DocsArgs),
    /// Assign slots to the project's custom fields and write flexmap.lock (the slot ledger).
    Lock(lock::LockArgs),
    /// Print the project's slot map: every slot, free or which field holds it, in which file.
    Slots(slots::SlotsArgs),
    /// Generate JavaScript from a ruleset: a `CommonJS` or ES module, or a Twilio Function project.
    Build(build::BuildArgs),
    /// Serve the rulesets of a folder over HTTP; reload on change, refuse broken rules.
    Serve(serve::ServeArgs),
    /// Give rule files one canonical layout, keeping comments and key order (`--check` for CI).
    Fmt(fmt::FmtArgs),
    /// Language server over stdio for editors: findings as you type (docs/editors.md).
    Lsp(lsp::LspArgs),
    /// Evaluate one expression on one record: its value, static type and runtime warnings.
    Eval(eval::EvalArgs),
}

/// Output format for findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source snippets with labels and help (miette).
    Human,
    /// `file:line:col: level[CODE] message`, one per line.
    Short,
    /// A versioned JSON document (docs/output-formats.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow annotations.
    Github,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Color {
    /// On a terminal only.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

impl Color {
    fn enabled(self, terminal: bool) -> bool {
        match self {
            Color::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
            Color::Always => true,
            Color::Never => false,
        }
    }
}

/// Options shared by commands that print findings.
#[derive(clap::Args, Debug, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Colour in human output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
}

/// Runs the CLI.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                EXIT_USAGE
            } else {
                EXIT_OK
            });
        }
    };
    let code = match cli.command {
        Command::Lint(args) => lint::run(&args),
        Command::Apply(args) => apply::run(&args),
        Command::Explain(args) => explain::run(&args),
        Command::Audit(args) => audit::run(&args),
        Command::Schema(args) => schema::run_schema(&args),
        Command::Init(args) => init::run(&args),
        Command::Completions(args) => schema::run_completions(&args),
        Command::Test(args) => test::run(&args),
        Command::Docs(args) => docs::run(&args),
        Command::Build(args) => build::run(&args),
        Command::Lock(args) => lock::run(&args),
        Command::Slots(args) => slots::run(&args),
        Command::Serve(args) => serve::run(&args),
        Command::Lsp(args) => lsp::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Fmt(args) => fmt::run(&args),
    };
    ExitCode::from(code)
}

/// Compiles the rule file at `path` in the project around it (its lock and settings), as
/// `flexmap lint` and `serve` decide. On errors prints them to stderr with
/// "flexmap: PATH has N errors; nothing was DONE" and gives the exit code.
pub fn compile_or_report(
    path: &std::path::Path,
    output: &OutputArgs,
    done: &str,
) -> Result<flexmap::Program, u8> {
    flexmap::Project::compile_file(path).map_err(|error| {
        let errors: Vec<_> = error
            .diagnostics
            .into_iter()
            .filter(|d| d.severity == flexmap::Severity::Error)
            .collect();
        print_diagnostics(&errors, 1, output, true);
        eprintln!(
            "flexmap: {} has {}; nothing was {done}",
            path.display(),
            flexmap::diagnostic::count(errors.len(), "error")
        );
        EXIT_FINDINGS
    })
}

/// Prints findings to stdout in the chosen format; returns nothing, errors go to stderr.
pub fn print_diagnostics(
    diagnostics: &[flexmap::Diagnostic],
    files: usize,
    output: &OutputArgs,
    to_stderr: bool,
) {
    use std::io::Write;
    let terminal = if to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let color = output.color.enabled(terminal);
    let text = match output.format {
        Format::Human => {
            let width = terminal_width();
            diagnostics
                .iter()
                .map(|d| flexmap::diagnostic::render::human(d, color, width))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Format::Short => {
            let mut lines: Vec<String> = diagnostics
                .iter()
                .map(flexmap::diagnostic::render::short)
                .collect();
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.join("\n")
        }
        Format::Json => format!(
            "{}\n",
            flexmap::diagnostic::render::json(diagnostics, files)
        ),
        Format::Sarif => format!("{}\n", flexmap::diagnostic::render::sarif(diagnostics)),
        Format::Github => flexmap::diagnostic::render::github(diagnostics),
    };
    let result = if to_stderr {
        std::io::stderr().lock().write_all(text.as_bytes())
    } else {
        std::io::stdout().lock().write_all(text.as_bytes())
    };
    let _ = result;
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// Paths given on the command line, or the current folder.
pub fn paths_or_cwd(paths: &[PathBuf]) -> Vec<PathBuf> {
    if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    }
}

/// The project around `path` (default: the current folder), for `lock` and `slots`; on a
/// folder that cannot be read, the message is printed and the usage exit code returned.
fn find_project(path: Option<&std::path::Path>) -> Result<flexmap::project::Project, u8> {
    let start = path.unwrap_or_else(|| std::path::Path::new("."));
    flexmap::project::Project::find(start).map_err(|e| {
        eprintln!("flexmap: cannot read {}: {e}", start.display());
        EXIT_USAGE
    })
}
