//! `flexmap audit`: check attributes JSON that existing code produced, print findings, set the exit status.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flexmap::audit::{AuditOptions, AuditReport, audit_with};
use flexmap::catalog::Target;
use flexmap::config::{Config, Level};
use flexmap::diagnostic::render::Summary;
use flexmap::{Diagnostic, Severity, SourceFile};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, OutputArgs};

/// Arguments of `flexmap audit`.
#[derive(clap::Args, Debug)]
pub struct AuditArgs {
    /// NDJSON file of task or worker attributes, one object per line (or one JSON string
    /// holding it, as `TaskRouter` stores it); `-` reads standard input.
    pub file: PathBuf,
    /// What the lines hold. Without it, a line with `conversations` or `customers` is task
    /// attributes and any other line worker attributes.
    #[arg(long, value_enum)]
    pub target: Option<TargetArg>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Treat warnings as errors for the exit status (`--deny warnings`).
    #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
    pub deny: Option<String>,
    /// Let findings quote record values and snippets show the record's text. Without it, no
    /// record value is printed: messages say "the value (N characters)" and the human
    /// snippets mask values (`"*****"`, digits as `#`), keeping keys and positions.
    #[arg(long)]
    pub show_values: bool,
}

/// `--target`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetArg {
    /// Task attributes: `conversations`, `customers` and routing attributes.
    Task,
    /// Worker attributes: flat Insights agent fields and routing attributes.
    Worker,
}

/// Runs `flexmap audit`.
pub fn run(args: &AuditArgs) -> u8 {
    let (name, bytes) = match read(&args.file) {
        Ok(read) => read,
        Err(error) => {
            eprintln!("flexmap: cannot read {}: {error}", args.file.display());
            return EXIT_USAGE;
        }
    };
    let (text, not_utf8) = match String::from_utf8(bytes) {
        Ok(text) => (text, None),
        Err(error) => {
            let at = error.utf8_error().valid_up_to();
            (
                String::from_utf8_lossy(error.as_bytes()).into_owned(),
                Some(at),
            )
        }
    };
    let source = SourceFile::new(name, text);
    let target = args.target.map(|target| match target {
        TargetArg::Task => Target::Task,
        TargetArg::Worker => Target::Worker,
    });
    // A spinner on a terminal while a large file is checked (figures as `apply` shows them).
    let spinner = super::progress::Progress::spinner(&format!(
        "auditing {} lines",
        super::progress::figure(source.text().lines().count())
    ));
    let mut report = audit_with(
        &source,
        &AuditOptions {
            target,
            show_values: args.show_values,
        },
    );
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    if let Some(at) = not_utf8 {
        let (line, _) = source.line_col(at);
        report.diagnostics.push(
            Diagnostic::new(
                flexmap::Code::Io,
                format!("line {line}: not UTF-8 (invalid byte at offset {at}); invalid bytes were read as U+FFFD"),
                {
                    let start = source.clamp(at);
                    let width = source.text()[start..].chars().next().map_or(0, char::len_utf8);
                    flexmap::Span::new(start, start + width)
                },
            )
            .with_help("export the attributes as UTF-8")
            .in_source(&source),
        );
        flexmap::diagnostic::sort(&mut report.diagnostics);
    }
    apply_config(&mut report, &args.file);
    print(&report, args);
    let deny_warnings = args.deny.is_some();
    let failing = report.diagnostics.iter().any(|d| {
        d.severity == Severity::Error || (deny_warnings && d.severity == Severity::Warning)
    });
    if failing { EXIT_FINDINGS } else { EXIT_OK }
}

/// Levels from the nearest `flexmap.toml` (`[lints] placeholder-value = "error"`), for the
/// codes it names; the problems of the configuration file itself are reported too.
fn apply_config(report: &mut AuditReport, file: &Path) {
    let start = if file.as_os_str() == "-" {
        Path::new(".")
    } else {
        file
    };
    let config = Config::find(start);
    let diagnostics = std::mem::take(&mut report.diagnostics);
    report.diagnostics = diagnostics
        .into_iter()
        .filter_map(|d| match config.levels.get(&d.code) {
            Some(Level::Allow) => None,
            Some(Level::Report(severity)) => Some(d.with_severity(*severity)),
            None => Some(d),
        })
        .chain(config.diagnostics.iter().cloned())
        .collect();
    flexmap::diagnostic::sort(&mut report.diagnostics);
}

/// The file's display name and bytes (`-` is standard input).
fn read(path: &Path) -> std::io::Result<(String, Vec<u8>)> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes)?;
        return Ok(("<stdin>".to_string(), bytes));
    }
    Ok((path.display().to_string(), std::fs::read(path)?))
}

fn print(report: &AuditReport, args: &AuditArgs) {
    let diagnostics = &report.diagnostics;
    if args.output.format == Format::Json {
        let text = json(report);
        let _ = std::io::stdout()
            .lock()
            .write_all(format!("{text}\n").as_bytes());
        return;
    }
    if args.output.format == Format::Human {
        print_human(diagnostics, &args.output, args.show_values);
    } else {
        super::print_diagnostics(diagnostics, 1, &args.output, false);
    }
    if args.output.format == Format::Human {
        let summary = Summary::of(diagnostics, 1);
        let malformed = report.malformed_lines();
        let mut counts = format!("{} task, {} worker", report.task_lines, report.worker_lines);
        if malformed > 0 {
            let _ = write!(counts, ", {malformed} malformed");
        }
        let mut levels = format!(
            "{} error{}, {} warning{}",
            summary.errors,
            plural(summary.errors),
            summary.warnings,
            plural(summary.warnings)
        );
        if summary.infos > 0 {
            let _ = write!(levels, ", {} info", summary.infos);
        }
        eprintln!(
            "flexmap audit: {} line{} ({counts}): {levels}",
            report.lines,
            plural(report.lines)
        );
    }
}

/// The lint document (schema version 1) with the line counts added last, under `audit`
/// (fields are only ever added within a version).
fn json(report: &AuditReport) -> String {
    let text = flexmap::diagnostic::render::json(&report.diagnostics, 1);
    let counts = serde_json::json!({
        "lines": report.lines,
        "task_lines": report.task_lines,
        "worker_lines": report.worker_lines,
        "malformed_lines": report.malformed_lines(),
    });
    let Ok(counts) = serde_json::to_string_pretty(&counts) else {
        return text;
    };
    match text.trim_end().strip_suffix('}') {
        Some(body) => format!(
            "{},\n  \"audit\": {}\n}}",
            body.trim_end(),
            counts.replace('\n', "\n  ")
        ),
        None => text,
    }
}

use flexmap::diagnostic::plural;

/// Human output: miette's report, drawn over a window of the offending line only (NDJSON
/// lines run to thousands of characters, and their neighbours say nothing about the finding).
/// Without `--show-values` the snippets are drawn over the file with its values masked
/// (`flexmap::audit::redact`: same offsets, keys kept), so no record value reaches the terminal.
fn print_human(diagnostics: &[Diagnostic], output: &OutputArgs, show_values: bool) {
    use std::io::IsTerminal;
    let color = output.color.enabled(std::io::stdout().is_terminal());
    let width = super::terminal_width();
    let handler = flexmap::diagnostic::render::handler(color, width);
    let masked: Vec<Diagnostic> = if show_values {
        Vec::new()
    } else {
        let mut sources: Vec<(SourceFile, SourceFile)> = Vec::new();
        diagnostics
            .iter()
            .map(|diagnostic| {
                let Some(source) = &diagnostic.source else {
                    return diagnostic.clone();
                };
                let redacted = match sources.iter().find(|(s, _)| s.name() == source.name()) {
                    Some((_, redacted)) => redacted.clone(),
                    None => {
                        let redacted =
                            SourceFile::new(source.name(), flexmap::audit::redact(source.text()));
                        sources.push((source.clone(), redacted.clone()));
                        redacted
                    }
                };
                diagnostic.clone().in_source(&redacted)
            })
            .collect()
    };
    let diagnostics = if show_values {
        diagnostics
    } else {
        &masked[..]
    };
    let rendered: Vec<String> = diagnostics
        .iter()
        .map(|diagnostic| {
            let mut out = String::new();
            let drawn = match flexmap::diagnostic::render::Windowed::new(diagnostic, width) {
                Some(windowed) => handler.render_report(&mut out, &windowed),
                None => handler.render_report(&mut out, diagnostic),
            };
            if drawn.is_err() {
                out = flexmap::diagnostic::render::short(diagnostic);
            }
            out
        })
        .collect();
    let _ = std::io::stdout()
        .lock()
        .write_all(rendered.join("\n").as_bytes());
}
