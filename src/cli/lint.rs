//! `flexmap lint`: check rule files and folders, print findings, set the exit status.

use std::path::PathBuf;

use flexmap::diagnostic::render::Summary;
use flexmap::{Config, Diagnostic, Project, Ruleset, Severity};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Arguments of `flexmap lint`.
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Rule files or folders (folders are scanned for files starting with `flexmap:`).
    /// Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Treat warnings as errors for the exit status (`--deny warnings`).
    #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
    pub deny: Option<String>,
}

/// Runs `flexmap lint`.
pub fn run(args: &LintArgs) -> u8 {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut files = 0;
    for path in super::paths_or_cwd(&args.paths) {
        if path.is_dir() {
            match Project::load(&path) {
                Ok(project) => {
                    files += project.rulesets.len();
                    diagnostics.extend(project.all_diagnostics());
                }
                Err(e) => {
                    eprintln!("flexmap: cannot read {}: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
        } else {
            match std::fs::read(&path) {
                Ok(bytes) => {
                    files += 1;
                    match String::from_utf8(bytes) {
                        Ok(text) => {
                            let config = Config::find(&path);
                            diagnostics.extend(config.diagnostics.iter().cloned());
                            diagnostics.extend(
                                Ruleset::from_str(&text, &path.display().to_string())
                                    .diagnostics_with(&config),
                            );
                        }
                        Err(e) => diagnostics.push(flexmap::project::io_diagnostic(
                            &path,
                            &format!(
                                "not UTF-8 (invalid byte at offset {})",
                                e.utf8_error().valid_up_to()
                            ),
                        )),
                    }
                }
                Err(e) => {
                    eprintln!("flexmap: cannot read {}: {e}", path.display());
                    return EXIT_USAGE;
                }
            }
        }
    }
    super::print_diagnostics(&diagnostics, files, &args.output, false);
    let summary = Summary::of(&diagnostics, files);
    if args.output.format == super::Format::Human {
        eprintln!(
            "flexmap: {} error{}, {} warning{}, {} info in {} file{}",
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings),
            summary.infos,
            files,
            plural(files)
        );
    }
    let deny_warnings = args.deny.is_some();
    let failing = diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    });
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
