//! `flexmap lint`: check rule files and folders, print findings, set the exit status; with
//! `--fix` apply the mechanical fixes (or show them with `--diff`), with `--sample` measure
//! real records.

use std::path::{Path, PathBuf};

use flexmap::diagnostic::render::Summary;
use flexmap::lint::{fix, sample};
use flexmap::{Config, Diagnostic, Project, Ruleset, Severity};

use super::{EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, OutputArgs};

/// Rounds of fixing: a fix can make another one possible (a rename, then a free slot).
const FIX_ROUNDS: usize = 5;

/// Arguments of `flexmap lint`.
// Command-line switches are independent flags, not a state machine.
#[allow(clippy::struct_excessive_bools)]
#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Rule files or folders (folders are scanned for files starting with `flexmap:`).
    /// Defaults to the project around the current folder (the nearest flexmap.toml or
    /// flexmap.lock above it, and its `rules` globs), else the current folder.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Treat warnings as errors for the exit status (`--deny warnings`).
    #[arg(long, value_name = "LEVEL", value_parser = ["warnings"])]
    pub deny: Option<String>,
    /// Apply the mechanical fixes in place (the rest of the file is kept byte for byte).
    #[arg(long)]
    pub fix: bool,
    /// With `--fix`: print the changes as a unified diff instead of writing them.
    #[arg(long, requires = "fix")]
    pub diff: bool,
    /// Run the ruleset over real records and add measured evidence (one rule file only).
    #[arg(long, value_name = "FILE.ndjson")]
    pub sample: Option<PathBuf>,
    /// With `--sample`: quote record values in findings (the longest value over 128
    /// characters). Without it no record value is printed.
    #[arg(long, requires = "sample")]
    pub show_values: bool,
    /// Skip the files a folder scan would skip: YAML whose first key is not `flexmap:`,
    /// `*.test.yaml` and paths `exclude`d in flexmap.toml (for pre-commit, which passes
    /// every staged YAML file).
    #[arg(long)]
    pub only_rule_files: bool,
    /// Fail when flexmap.lock would change (FM205 becomes an error), as `cargo --locked`.
    #[arg(long)]
    pub locked: bool,
}

/// One rule file to lint, with its settings.
struct Unit {
    path: PathBuf,
    text: String,
    config: Config,
}

/// Runs `flexmap lint`.
pub fn run(args: &LintArgs) -> u8 {
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let units = match collect(args, &mut diagnostics) {
        Ok(units) => units,
        Err(code) => return code,
    };
    let sample_text = match &args.sample {
        None => None,
        Some(_) if units.len() != 1 => {
            eprintln!(
                "flexmap: --sample needs exactly one rule file, got {}",
                units.len()
            );
            return EXIT_USAGE;
        }
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some(text),
            Err(e) => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return EXIT_USAGE;
            }
        },
    };
    let mut diff_output = String::new();
    let mut fixed_count = 0;
    // Plain linting: files are independent, so they are checked in parallel (results keep
    // the file order). Fixing and sampling write or print per file and stay sequential.
    let plain = !args.fix && sample_text.is_none();
    if plain {
        use rayon::prelude::*;
        let found: Vec<Vec<Diagnostic>> = units
            .par_iter()
            .map(|unit| {
                Ruleset::from_str(&unit.text, &unit.path.display().to_string())
                    .diagnostics_with(&unit.config)
            })
            .collect();
        diagnostics.extend(found.into_iter().flatten());
    }
    for unit in units.iter().filter(|_| !plain) {
        let name = unit.path.display().to_string();
        let mut text = unit.text.clone();
        if args.fix {
            for _ in 0..FIX_ROUNDS {
                let found = Ruleset::from_str(&text, &name).diagnostics_with(&unit.config);
                let round = fix::apply(&text, &found);
                if round.applied.is_empty() {
                    break;
                }
                fixed_count += round.applied.len();
                // With --diff nothing is written: say what would be fixed.
                let verb = if args.diff { "would fix" } else { "fixed" };
                for (code, message) in &round.applied {
                    eprintln!("{verb} {name}: {} {message}", code.as_str());
                }
                text = round.text;
            }
            if text != unit.text {
                if args.diff {
                    diff_output.push_str(&unified_diff(&name, &unit.text, &text));
                } else if let Err(e) = flexmap::fsio::write_atomic(&unit.path, text.as_bytes()) {
                    eprintln!("flexmap: cannot write {name}: {e}");
                    return EXIT_USAGE;
                }
            }
        }
        let ruleset = Ruleset::from_str(&text, &name);
        let mut found = ruleset.diagnostics_with(&unit.config);
        if let (Some(sample_text), Some(analysis)) =
            (&sample_text, ruleset.analyze_with(&unit.config))
        {
            let spinner = super::progress::Progress::spinner(&format!(
                "measuring {} sample lines",
                super::progress::figure(sample_text.lines().count())
            ));
            let stats = if args.show_values {
                sample::measure_showing_values(&analysis.program, sample_text)
            } else {
                sample::measure(&analysis.program, sample_text)
            };
            if let Some(spinner) = spinner {
                spinner.finish_and_clear();
            }
            sample::attach(&analysis, &stats, ruleset.source(), &mut found);
            flexmap::diagnostic::sort(&mut found);
            eprintln!(
                "flexmap: sample {}: {} records measured{}",
                args.sample
                    .as_deref()
                    .map(Path::display)
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                super::progress::figure(stats.records),
                if stats.skipped > 0 {
                    format!(
                        ", {} lines skipped (not JSON objects)",
                        super::progress::figure(stats.skipped)
                    )
                } else {
                    String::new()
                }
            );
        }
        diagnostics.extend(found);
    }
    let files = units.len();
    if args.diff {
        print!("{diff_output}");
    } else {
        super::print_diagnostics(&diagnostics, files, &args.output, false);
    }
    let summary = Summary::of(&diagnostics, files);
    if args.output.format == super::Format::Human || args.fix {
        let fixed = if args.fix {
            format!(
                ", {fixed_count} fix{} {}",
                if fixed_count == 1 { "" } else { "es" },
                if args.diff { "shown" } else { "applied" }
            )
        } else {
            String::new()
        };
        eprintln!(
            "flexmap: {} error{}, {} warning{}, {} info in {} file{}{fixed}",
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

/// The rule files named on the command line (folders scanned), each with its settings;
/// without paths, the project around the current folder. Findings about a project as a
/// whole (its flexmap.toml and flexmap.lock) go to `diagnostics`.
fn collect(args: &LintArgs, diagnostics: &mut Vec<Diagnostic>) -> Result<Vec<Unit>, u8> {
    let mut units = Vec::new();
    // One configuration per project, so its slot plan is computed once.
    let mut configs: Vec<Config> = Vec::new();
    let add_project =
        |project: &Project, units: &mut Vec<Unit>, diagnostics: &mut Vec<Diagnostic>| {
            let mut config = project.config.clone();
            config.locked = args.locked;
            diagnostics.extend(flexmap::project::leveled(&config, &project.diagnostics));
            if args.locked
                && let Some(plan) = &project.plan
                && let Some(stale) = stale_lock(plan)
            {
                diagnostics.push(stale);
            }
            for ruleset in &project.rulesets {
                units.push(Unit {
                    path: PathBuf::from(ruleset.source().name()),
                    text: ruleset.source().text().to_string(),
                    config: config.clone(),
                });
            }
        };
    if args.paths.is_empty() {
        let project = Project::find(Path::new(".")).map_err(|e| {
            eprintln!("flexmap: cannot read the current folder: {e}");
            EXIT_USAGE
        })?;
        add_project(&project, &mut units, diagnostics);
        return Ok(units);
    }
    for path in &args.paths {
        if path.is_dir() {
            let project = Project::load(path).map_err(|e| {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                EXIT_USAGE
            })?;
            add_project(&project, &mut units, diagnostics);
            continue;
        }
        let bytes = match flexmap::fsio::read_regular_bounded(
            path,
            flexmap::fsio::MAX_PROJECT_FILE_BYTES,
        ) {
            Ok(bytes) => bytes,
            Err(e) if e.is_not_found() => {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                return Err(EXIT_USAGE);
            }
            // A FIFO, a device or an unreadable file is one finding; the rest is checked.
            Err(e) => {
                diagnostics.push(e.diagnostic(path, "check the path and its permissions"));
                continue;
            }
        };
        match String::from_utf8(bytes) {
            Ok(text) => {
                let found = Config::find(path);
                if args.only_rule_files && !is_scanned_rule_file(path, &text, &found) {
                    continue;
                }
                let config = match configs
                    .iter()
                    .find(|c| c.root == found.root && found.root.is_some())
                {
                    Some(config) => config.clone(),
                    None => {
                        diagnostics.extend(found.diagnostics.iter().cloned());
                        let mut found = found;
                        found.locked = args.locked;
                        configs.push(found.clone());
                        found
                    }
                };
                units.push(Unit {
                    path: path.clone(),
                    text,
                    config,
                });
            }
            Err(e) => diagnostics.push(flexmap::project::io_diagnostic(
                path,
                &format!(
                    "not UTF-8 (invalid byte at offset {})",
                    e.utf8_error().valid_up_to()
                ),
            )),
        }
    }
    // Files named one by one: the findings about their project's lock, once per project.
    for config in &configs {
        let Some(plan) = config.slot_plan() else {
            continue;
        };
        let member = units.iter().any(|u| {
            u.config.root == config.root && plan.planned(&u.path.display().to_string()).is_some()
        });
        if !member {
            continue;
        }
        let mut about_lock: Vec<Diagnostic> = plan.findings.clone();
        if let Some(ledger) = &plan.ledger {
            about_lock.extend(ledger.diagnostics.iter().cloned());
        }
        diagnostics.extend(flexmap::project::leveled(config, &about_lock));
        if args.locked
            && let Some(stale) = stale_lock(&plan)
        {
            diagnostics.push(stale);
        }
    }
    Ok(units)
}

/// What a folder scan reads (`Project::load`): a rule file name, not excluded, starting with
/// `flexmap:`.
fn is_scanned_rule_file(path: &Path, text: &str, config: &Config) -> bool {
    flexmap::project::is_rule_file_name(path)
        && !config.excludes(path)
        && flexmap::rules_file::looks_like_rule_file(text)
}

/// `--locked` and flexmap.lock differs from what `flexmap lock` would write, though no
/// finding says why (it was edited by hand): FM205 on the lock file.
fn stale_lock(plan: &flexmap::ledger::SlotPlan) -> Option<Diagnostic> {
    let ledger = plan.ledger.as_ref()?;
    let explained = !plan.findings.is_empty()
        || !ledger.diagnostics.is_empty()
        || plan.files.iter().any(|f| !f.slots.findings.is_empty());
    if explained || !plan.lock_changes() {
        return None;
    }
    Some(
        Diagnostic::new(
            flexmap::Code::UnlockedSlot,
            "flexmap.lock is not what `flexmap lock` would write",
            flexmap::Span::at(0),
        )
        .with_label("out of date")
        .with_help(
            "run `flexmap lock` (see `flexmap lock --check` for the diff) and commit flexmap.lock",
        )
        .with_severity(Severity::Error)
        .in_source(&ledger.source),
    )
}

fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
