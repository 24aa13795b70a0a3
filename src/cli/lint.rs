//! `flexmap lint`: check rule files and folders, print findings, set the exit status; with
//! `--fix` apply the mechanical fixes (or show them with `--diff`), with `--sample` measure
//! real records.

use std::path::{Path, PathBuf};

use flexmap::diagnostic::render::Summary;
use flexmap::lint::fix;
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
    /// Hook mode (pre-commit passes every staged YAML file, and flexmap.toml and
    /// flexmap.lock): check the project around the files as `flexmap lint` does, and fail
    /// exactly when an error involves one of them (a cross-file FM202 counts on both
    /// sides). Files the project's discovery skips (rule tests, `exclude`d paths, YAML that
    /// is not a rule file) are skipped, and counted on stderr.
    #[arg(long)]
    pub only_rule_files: bool,
    /// List every file discovery looked at, with "rule file" or why it was skipped (stderr).
    #[arg(long)]
    pub show_files: bool,
    /// Fail when flexmap.lock would change (FM205 becomes an error), as `cargo --locked`.
    #[arg(long)]
    pub locked: bool,
    /// Report only these codes or lint names (comma-separated, e.g. `FM101,pii-leak`).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub select: Vec<String>,
    /// Do not report these codes or lint names (comma-separated).
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Print the number of findings per code instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Read the rule file from standard input (the path `-`, or no path) and check it as if
    /// it were the file at PATH, in PATH's project: the other rule files, flexmap.toml and
    /// flexmap.lock as on disk, with the buffer in place of PATH. With `--fix` the fixed
    /// buffer goes to stdout (findings to stderr); PATH is never written.
    #[arg(
        long,
        value_name = "PATH",
        conflicts_with_all = ["sample", "only_rule_files", "show_files"]
    )]
    pub stdin_filename: Option<PathBuf>,
}

/// One rule file to lint, in the project it belongs to.
struct Unit {
    /// Index into `Collected::projects`.
    project: usize,
    /// The path as named (or found).
    path: PathBuf,
    /// The file, loaded.
    ruleset: Ruleset,
}

/// The projects around the named paths, each loaded once, and the files to report on.
struct Collected {
    projects: Vec<Project>,
    units: Vec<Unit>,
}

/// Runs `flexmap lint`.
pub fn run(args: &LintArgs) -> u8 {
    let dash = Path::new("-");
    if args.paths.iter().any(|p| p == dash) || args.stdin_filename.is_some() {
        return match (&args.stdin_filename, args.paths.as_slice()) {
            (Some(path), []) => run_stdin(args, path),
            (Some(path), [only]) if only == dash => run_stdin(args, path),
            (None, _) => {
                eprintln!(
                    "flexmap: `-` reads a rule file from standard input: name the file it stands for with `--stdin-filename PATH` (its project, settings and slots depend on where it lives)"
                );
                EXIT_USAGE
            }
            (Some(_), _) => {
                eprintln!(
                    "flexmap: --stdin-filename checks one buffer from standard input: give `-` (or no path) and no other paths"
                );
                EXIT_USAGE
            }
        };
    }
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let Collected {
        mut projects,
        units,
    } = match collect(args, &mut diagnostics) {
        Ok(collected) => collected,
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
    if args.only_rule_files {
        return hook(args, &projects, &units, diagnostics);
    }
    let mut diff_output = String::new();
    let mut fixed_count = 0;
    // Plain linting: files are checked in parallel against their loaded project (results
    // keep the file order). Fixing and sampling write or print per file and stay sequential.
    let plain = !args.fix && sample_text.is_none();
    if plain {
        use rayon::prelude::*;
        let found: Vec<Vec<Diagnostic>> = units
            .par_iter()
            .map(|unit| projects[unit.project].check(&unit.ruleset).1)
            .collect();
        diagnostics.extend(found.into_iter().flatten());
    }
    for unit in units.iter().filter(|_| !plain) {
        let name = unit.ruleset.source().name().to_string();
        let original = unit.ruleset.source().text().to_string();
        let mut ruleset = unit.ruleset.clone();
        if args.fix {
            let member = projects[unit.project].index_of(&name).is_some();
            fixed_count += fix_rounds(&mut projects[unit.project], &mut ruleset, member, args.diff);
            let text = ruleset.source().text();
            if text != original {
                if args.diff {
                    diff_output.push_str(&unified_diff(&name, &original, text));
                } else {
                    let stamp = flexmap::fsio::Stamp::of(original.as_bytes());
                    if let Err(e) = flexmap::fsio::write_if_unchanged(
                        &unit.path,
                        text.as_bytes(),
                        Some(&stamp),
                        flexmap::fsio::MAX_PROJECT_FILE_BYTES,
                    ) {
                        eprintln!("flexmap: cannot write {name}: {e}");
                        return EXIT_USAGE;
                    }
                }
            }
        }
        let project = &projects[unit.project];
        let found = match &sample_text {
            Some(records) => {
                let spinner = super::progress::Progress::spinner(&format!(
                    "measuring {} sample lines",
                    super::progress::figure(records.lines().count())
                ));
                let sampled = project.check_sampled(&ruleset, records, args.show_values);
                if let Some(spinner) = spinner {
                    spinner.finish_and_clear();
                }
                match sampled {
                    Some((found, stats)) => {
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
                        found
                    }
                    None => project.check(&ruleset).1,
                }
            }
            None => project.check(&ruleset).1,
        };
        diagnostics.extend(found);
    }
    let files = units.len();
    let diagnostics = match selected(args, diagnostics) {
        Ok(kept) => kept,
        Err(code) => return code,
    };
    if args.diff {
        print!("{diff_output}");
    } else if args.statistics {
        print!("{}", statistics(&diagnostics));
    } else {
        super::print_diagnostics(&diagnostics, files, &args.output, false);
    }
    summarize(args, &diagnostics, files, fixed_count)
}

/// Applies the mechanical fixes to `ruleset` in rounds (a fix can make another one
/// possible: a rename, then a free slot), replanning `project` with each round's text when
/// the file is one of its rule files; lists each fix on stderr. Returns how many applied.
fn fix_rounds(project: &mut Project, ruleset: &mut Ruleset, member: bool, diff: bool) -> usize {
    let name = ruleset.source().name().to_string();
    let mut count = 0;
    for _ in 0..FIX_ROUNDS {
        let found = project.check(ruleset).1;
        let round = fix::apply(ruleset.source().text(), &found);
        if round.applied.is_empty() {
            break;
        }
        count += round.applied.len();
        // With --diff nothing is written: say what would be fixed.
        let verb = if diff { "would fix" } else { "fixed" };
        for (code, message) in &round.applied {
            eprintln!("{verb} {name}: {} {message}", code.as_str());
        }
        // The project is planned again in memory with the fixed text.
        if member {
            project.set_file_text(&name, &round.text);
        }
        *ruleset = Ruleset::from_str(&round.text, &name);
    }
    count
}

/// `flexmap lint --stdin-filename PATH -`: the buffer on standard input checked as the file
/// at `path` in its project (the saved files around it, the buffer in place of `path`:
/// cross-file FM202 and the lock see the buffer). A path the project's discovery would read
/// (one of its rule files, or a new file its `rules` globs take) is planned with the
/// project; any other path is checked with the project's settings on its own slots, as
/// `flexmap lint PATH` checks it. With `--fix` stdout is the fixed buffer (or with `--diff`
/// the diff) and the remaining findings go to stderr; nothing is written.
fn run_stdin(args: &LintArgs, path: &Path) -> u8 {
    let text = match read_stdin() {
        Ok(text) => text,
        Err(message) => {
            eprintln!("flexmap: {message}");
            return EXIT_USAGE;
        }
    };
    let name = plain_name(path);
    // The file need not exist (a new buffer): its folder, resolved, finds the project.
    let anchor = match (path.parent(), path.file_name()) {
        (Some(folder), Some(file)) => {
            let folder = if folder.as_os_str().is_empty() {
                Path::new(".")
            } else {
                folder
            };
            std::fs::canonicalize(folder).map_or_else(|_| path.to_path_buf(), |f| f.join(file))
        }
        _ => path.to_path_buf(),
    };
    let mut project = Project::find(&anchor).unwrap_or_else(|_| {
        // The folder does not exist (yet): the buffer alone, with the settings above it.
        Project::single(Ruleset::from_str("", &name), Config::find(&anchor))
    });
    project.config.locked = args.locked;
    let member = project.index_of(&name).is_some() || would_discover(&project, &anchor, &text);
    let mut ruleset = Ruleset::from_str(&text, &name);
    if member {
        project.set_file_text(&name, &text);
    }
    let mut diagnostics = if member {
        project.project_diagnostics()
    } else {
        Vec::new()
    };
    let mut fixed_count = 0;
    if args.fix {
        fixed_count = fix_rounds(&mut project, &mut ruleset, member, args.diff);
        let fixed = ruleset.source().text();
        if args.diff {
            print!("{}", unified_diff(&name, &text, fixed));
        } else {
            print!("{fixed}");
        }
    }
    diagnostics.extend(project.check(&ruleset).1);
    if member {
        // Cross-file findings reported in another file of the project that point into the
        // buffer (the other side of FM202): shown here, as the language server shows them.
        diagnostics.extend(project.mirrored(&name));
    }
    flexmap::diagnostic::sort(&mut diagnostics);
    let diagnostics = match selected(args, diagnostics) {
        Ok(kept) => kept,
        Err(code) => return code,
    };
    // Stdout carries the buffer with --fix: the findings go to stderr then.
    if args.statistics {
        let counts = statistics(&diagnostics);
        if args.fix {
            eprint!("{counts}");
        } else {
            print!("{counts}");
        }
    } else {
        super::print_diagnostics(&diagnostics, 1, &args.output, args.fix);
    }
    summarize(args, &diagnostics, 1, fixed_count)
}

/// Standard input as UTF-8, at most a rule file's limit.
fn read_stdin() -> Result<String, String> {
    use std::io::Read as _;
    let limit = flexmap::fsio::MAX_PROJECT_FILE_BYTES;
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "standard input is over {limit} bytes, the limit of a rule file"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "standard input is not UTF-8 (invalid byte at offset {}); save the buffer as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })
}

/// True when the project's discovery would read `path` (its folder resolved) as one of its rule files if it were
/// saved with `text`: a project (flexmap.toml or flexmap.lock), a `*.yaml` name under the
/// root, not excluded, taken by the `rules` globs, and (without globs) looking like a rule
/// file.
fn would_discover(project: &Project, path: &Path, text: &str) -> bool {
    let config = &project.config;
    let Some(root) = &config.root else {
        return false;
    };
    let root = if root.as_os_str().is_empty() {
        Path::new(".")
    } else {
        root
    };
    let under_root = match (
        std::fs::canonicalize(root),
        path.parent().and_then(|p| std::fs::canonicalize(p).ok()),
    ) {
        (Ok(root), Some(folder)) => folder.starts_with(root),
        _ => false,
    };
    under_root
        && flexmap::project::is_rule_file_name(path)
        && !config.excludes(path)
        && config.includes(path)
        && (config.rule_globs.is_some() || flexmap::project::classify(text).is_none())
}

/// `--select` / `--ignore`: the findings whose code (or lint name) is selected and not
/// ignored; an unknown code or name is a usage error.
fn selected(args: &LintArgs, diagnostics: Vec<Diagnostic>) -> Result<Vec<Diagnostic>, u8> {
    let parse = |names: &[String]| -> Result<Vec<flexmap::Code>, u8> {
        names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|n| {
                flexmap::Code::from_code_or_name(n.trim()).ok_or_else(|| {
                    eprintln!(
                        "flexmap: unknown code or lint name `{}` (see `flexmap explain`)",
                        n.trim()
                    );
                    EXIT_USAGE
                })
            })
            .collect()
    };
    let select = parse(&args.select)?;
    let ignore = parse(&args.ignore)?;
    Ok(diagnostics
        .into_iter()
        .filter(|d| select.is_empty() || select.contains(&d.code))
        .filter(|d| !ignore.contains(&d.code))
        .collect())
}

/// `--statistics`: one line per code, most frequent first: count, code, name, and how many
/// have a mechanical fix.
fn statistics(diagnostics: &[Diagnostic]) -> String {
    use std::fmt::Write as _;
    let mut counts: Vec<(flexmap::Code, usize, usize)> = Vec::new();
    for d in diagnostics {
        match counts.iter_mut().find(|(c, _, _)| *c == d.code) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 += usize::from(d.fix.is_some());
            }
            None => counts.push((d.code, 1, usize::from(d.fix.is_some()))),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for (code, count, fixable) in counts {
        let fixable = if fixable > 0 {
            format!(" ({fixable} fixable)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "{count:>5}  {}  {}{fixable}",
            code.as_str(),
            code.name()
        );
    }
    out
}

/// Prints the summary line and returns the exit code.
fn summarize(args: &LintArgs, diagnostics: &[Diagnostic], files: usize, fixed_count: usize) -> u8 {
    let summary = Summary::of(diagnostics, files);
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

/// Hook mode (`--only-rule-files FILES`, what pre-commit runs with the staged files): each
/// project around the files is checked whole, as `flexmap lint` checks it, and the findings
/// that involve a staged file are reported: on it, or pointing into it (the staged side of
/// a cross-file FM202 gets its own copy). The exit status is 1 exactly when one of them is
/// an error.
fn hook(
    args: &LintArgs,
    projects: &[Project],
    units: &[Unit],
    mut diagnostics: Vec<Diagnostic>,
) -> u8 {
    let staged: Vec<String> = units
        .iter()
        .map(|u| u.ruleset.source().name().to_string())
        .chain(
            args.paths
                .iter()
                .filter(|p| is_project_file(p))
                .map(|p| plain_name(p)),
        )
        .collect();
    for (index, project) in projects.iter().enumerate() {
        let check = project.check_all();
        let mut found: Vec<Diagnostic> = check.involving_any(&staged).cloned().collect();
        // Staged files outside the project's rule files are checked on their own slots.
        for unit in units.iter().filter(|u| u.project == index) {
            if project.index_of(unit.ruleset.source().name()).is_none() {
                found.extend(project.check(&unit.ruleset).1);
            }
        }
        // The staged side of a cross-file finding gets its copy (`Project::mirrored`, as
        // the language server shows it), unless the file that reports it is staged too:
        // then the finding is already listed on a staged file.
        for unit in units.iter().filter(|u| u.project == index) {
            found.extend(
                project
                    .mirrored(unit.ruleset.source().name())
                    .into_iter()
                    .filter(|copy| !copy.labels.iter().any(|l| reported_on(l, &staged))),
            );
        }
        diagnostics.extend(found);
    }
    flexmap::diagnostic::sort(&mut diagnostics);
    diagnostics.dedup_by(|a, b| {
        flexmap::diagnostic::render::short(a) == flexmap::diagnostic::render::short(b)
    });
    let files = units.len();
    // --select / --ignore / --statistics as in a plain run (the hook passes them through
    // `args:` in .pre-commit-config.yaml).
    let diagnostics = match selected(args, diagnostics) {
        Ok(kept) => kept,
        Err(code) => return code,
    };
    if args.statistics {
        print!("{}", statistics(&diagnostics));
    } else {
        super::print_diagnostics(&diagnostics, files, &args.output, false);
    }
    summarize(args, &diagnostics, files, 0)
}

/// True when `label` is a mirrored copy's "reported here" label and its file is staged.
fn reported_on(label: &flexmap::diagnostic::Label, staged: &[String]) -> bool {
    !label.primary
        && label
            .source
            .as_ref()
            .is_some_and(|s| staged.iter().any(|n| n == s.name()))
}

/// `flexmap.toml` or `flexmap.lock` (the hook passes them when they are staged).
fn is_project_file(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n == flexmap::project::CONFIG_FILE || n == flexmap::ledger::LOCK_FILE)
}

fn plain_name(path: &Path) -> String {
    let shown = path.display().to_string();
    shown.strip_prefix("./").unwrap_or(&shown).to_string()
}

/// Loads the project around `path` once (projects are shared by root).
fn project_index(projects: &mut Vec<Project>, path: &Path, locked: bool) -> Result<usize, u8> {
    let root = Config::find(path)
        .root
        .map(|r| std::fs::canonicalize(&r).unwrap_or(r));
    if let Some(root) = &root
        && let Some(index) = projects.iter().position(|p| {
            std::fs::canonicalize(&p.root).ok().as_ref() == Some(root) && p.is_project()
        })
    {
        return Ok(index);
    }
    let mut project = Project::find(path).map_err(|e| {
        eprintln!("flexmap: cannot read {}: {e}", path.display());
        EXIT_USAGE
    })?;
    project.config.locked = locked;
    projects.push(project);
    Ok(projects.len() - 1)
}

/// The rule files named on the command line (folders scanned), each with the project it is
/// checked in; without paths, the project around the current folder. Findings about a
/// project as a whole (its flexmap.toml and flexmap.lock, files that cannot be read) go to
/// `diagnostics`, once per project.
fn collect(args: &LintArgs, diagnostics: &mut Vec<Diagnostic>) -> Result<Collected, u8> {
    let mut projects: Vec<Project> = Vec::new();
    let mut units = Vec::new();
    let mut reported: Vec<usize> = Vec::new();
    let mut skipped = 0;
    let add_project = |project: Project,
                       projects: &mut Vec<Project>,
                       units: &mut Vec<Unit>,
                       skipped: &mut usize| {
        let index = projects.len();
        for ruleset in &project.rulesets {
            units.push(Unit {
                project: index,
                path: PathBuf::from(ruleset.source().name()),
                ruleset: ruleset.clone(),
            });
        }
        show_files(args, &project, skipped);
        projects.push(project);
        index
    };
    if args.paths.is_empty() {
        let mut project = Project::find(Path::new(".")).map_err(|e| {
            eprintln!("flexmap: cannot read the current folder: {e}");
            EXIT_USAGE
        })?;
        project.config.locked = args.locked;
        let index = add_project(project, &mut projects, &mut units, &mut skipped);
        reported.push(index);
    }
    for path in &args.paths {
        if path.is_dir() {
            let mut project = Project::load(path).map_err(|e| {
                eprintln!("flexmap: cannot read {}: {e}", path.display());
                EXIT_USAGE
            })?;
            project.config.locked = args.locked;
            let index = add_project(project, &mut projects, &mut units, &mut skipped);
            reported.push(index);
            continue;
        }
        if args.only_rule_files && is_project_file(path) {
            // A staged flexmap.toml or flexmap.lock: its project is checked.
            let index = project_index(&mut projects, path, args.locked)?;
            reported.push(index);
            continue;
        }
        let text = match flexmap::project::read_text(path) {
            Ok(text) => text,
            Err(d) if d.message.ends_with("no such file") => {
                eprintln!("flexmap: cannot read {}: no such file", path.display());
                return Err(EXIT_USAGE);
            }
            // A FIFO, a device or an unreadable file is one finding; the rest is checked.
            Err(d) => {
                diagnostics.push(*d);
                continue;
            }
        };
        let index = project_index(&mut projects, path, args.locked)?;
        let project = &projects[index];
        let name = plain_name(path);
        let member = project.index_of(&name);
        if args.only_rule_files && member.is_none() {
            // The hook passes every staged YAML file: one the project's discovery skips (a
            // rule test, an excluded path, YAML that is not a rule file) is skipped here
            // too, and said so.
            let excluded = project
                .config
                .excludes(path)
                .then(|| "excluded in flexmap.toml".to_string());
            let why = excluded
                .or_else(|| {
                    project
                        .files
                        .iter()
                        .find(|f| plain_name(&f.path) == name)
                        .and_then(|f| match &f.discovery {
                            flexmap::project::Discovery::Skipped(why) => Some(why.clone()),
                            _ => None,
                        })
                })
                .or_else(|| {
                    if flexmap::project::is_rule_file_name(path) {
                        flexmap::project::classify(&text)
                    } else {
                        Some("not a `*.yaml` rule file name".to_string())
                    }
                });
            if let Some(why) = why {
                if !why.starts_with("a rule test") && !why.starts_with("excluded") {
                    skipped += 1;
                }
                if args.show_files {
                    eprintln!("{name}: skipped: {why}");
                }
                continue;
            }
        }
        let ruleset = match member {
            Some(i) if project.rulesets[i].source().text() == text => project.rulesets[i].clone(),
            _ => Ruleset::from_str(&text, &name),
        };
        if member.is_some() {
            reported.push(index);
        }
        units.push(Unit {
            project: index,
            path: path.clone(),
            ruleset,
        });
    }
    reported.sort_unstable();
    reported.dedup();
    if !args.only_rule_files {
        for index in reported {
            diagnostics.extend(projects[index].project_diagnostics());
        }
    }
    if skipped > 0 {
        eprintln!(
            "flexmap: {skipped} YAML file{} skipped: not rule files of the project (`--show-files` says why)",
            plural(skipped)
        );
    }
    Ok(Collected { projects, units })
}

/// With `--show-files`, every file discovery looked at and what became of it; counts the
/// skipped ones.
fn show_files(args: &LintArgs, project: &Project, skipped: &mut usize) {
    use flexmap::project::Discovery;
    for file in &project.files {
        let what = match &file.discovery {
            Discovery::RuleFile => "rule file".to_string(),
            Discovery::Skipped(why) => {
                // Rule tests and `exclude`d paths are skipped by name and by the user's
                // own setting; the rest (content, globs) is counted on stderr.
                if !why.starts_with("a rule test") && !why.starts_with("excluded") {
                    *skipped += 1;
                }
                format!("skipped: {why}")
            }
            Discovery::Unreadable => "cannot be read (FM902)".to_string(),
        };
        if args.show_files {
            eprintln!("{}: {what}", plain_name(&file.path));
        }
    }
}

fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

use flexmap::diagnostic::plural;
