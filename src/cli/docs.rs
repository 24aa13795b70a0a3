//! `flexmap docs`: the data dictionary of a project (every field and slot its rules write),
//! as Markdown or as a self-contained HTML page, for the people who build Insights reports.

use std::path::{Path, PathBuf};

use flexmap::dictionary::{self, Input, render};
use flexmap::{Config, Diagnostic, Project, Ruleset};

use super::{Color, EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, Format, OutputArgs};

/// Arguments of `flexmap docs`.
#[derive(clap::Args, Debug)]
pub struct DocsArgs {
    /// Rule files or folders (folders are scanned for files starting with `flexmap:`).
    /// Defaults to the current folder.
    pub paths: Vec<PathBuf>,
    /// Write the dictionary to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Output format; by default `html` when FILE ends in `.html` or `.htm`, else `markdown`.
    #[arg(long, value_enum)]
    pub format: Option<DocsFormat>,
}

/// Formats of `flexmap docs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DocsFormat {
    /// GitHub-flavoured Markdown.
    Markdown,
    /// One HTML page (inline CSS, no scripts, nothing fetched), printable.
    Html,
}

/// One rule file to document, with the project it is checked in.
struct Unit {
    ruleset: Ruleset,
    project: usize,
}

/// Runs `flexmap docs`.
pub fn run(args: &DocsArgs) -> u8 {
    let paths = super::paths_or_cwd(&args.paths);
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let (projects, units) = match collect(&paths, &mut diagnostics) {
        Ok(found) => found,
        Err(code) => return code,
    };
    if units.is_empty() {
        eprintln!(
            "flexmap docs: no rule files in {} (a rule file is a *.yaml or *.yml file whose first key is `flexmap:`)",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return EXIT_USAGE;
    }
    for unit in &units {
        diagnostics.extend(projects[unit.project].check(&unit.ruleset).1);
    }
    let errors: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    if !errors.is_empty() {
        let output = OutputArgs {
            format: Format::Human,
            color: Color::Auto,
        };
        super::print_diagnostics(&errors, units.len(), &output, true);
        eprintln!(
            "flexmap docs: {} error{} in the rules; fix them (see `flexmap lint`) before documenting the project",
            errors.len(),
            flexmap::diagnostic::plural(errors.len())
        );
        return EXIT_FINDINGS;
    }

    let root = project_root(&paths[0]);
    let project = root.file_name().map_or_else(
        || "flexmap project".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let inputs: Vec<Input<'_>> = units
        .iter()
        .map(|unit| Input {
            name: relative_name(&root, unit.ruleset.source().name()),
            ruleset: &unit.ruleset,
            project: Some(&projects[unit.project]),
        })
        .collect();
    let dictionary = dictionary::build(&project, &inputs);
    let html = match args.format {
        Some(format) => format == DocsFormat::Html,
        None => args.output.as_deref().is_some_and(is_html),
    };
    let format = if html {
        render::Format::Html
    } else {
        render::Format::Markdown
    };
    let text = match render::render(&dictionary, format) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("flexmap docs: {e}");
            return EXIT_USAGE;
        }
    };
    match &args.output {
        Some(path) => {
            if let Err(e) = flexmap::fsio::write_atomic(path, text.as_bytes()) {
                eprintln!("flexmap docs: cannot write {}: {e}", path.display());
                return EXIT_USAGE;
            }
            let fields: usize = dictionary.sections.iter().map(|s| s.fields.len()).sum();
            eprintln!(
                "flexmap docs: wrote {} ({fields} fields from {} rule file{})",
                path.display(),
                inputs.len(),
                flexmap::diagnostic::plural(inputs.len())
            );
        }
        None => print!("{text}"),
    }
    EXIT_OK
}

/// The rule files named on the command line (folders scanned), each once, with the projects
/// they are checked in (each project loaded once).
fn collect(
    paths: &[PathBuf],
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(Vec<Project>, Vec<Unit>), u8> {
    let mut projects: Vec<Project> = Vec::new();
    let mut units: Vec<Unit> = Vec::new();
    let mut seen: Vec<PathBuf> = Vec::new();
    let mut push = |unit: Unit, units: &mut Vec<Unit>| {
        let path = Path::new(unit.ruleset.source().name());
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if !seen.contains(&key) {
            seen.push(key);
            units.push(unit);
        }
    };
    for path in paths {
        if path.is_dir() {
            let project = Project::load(path).map_err(|e| {
                eprintln!("flexmap docs: cannot read {}: {e}", path.display());
                EXIT_USAGE
            })?;
            diagnostics.extend(project.project_diagnostics());
            let index = projects.len();
            for ruleset in &project.rulesets {
                let unit = Unit {
                    ruleset: ruleset.clone(),
                    project: index,
                };
                push(unit, &mut units);
            }
            projects.push(project);
            continue;
        }
        let ruleset = Ruleset::from_path(path).map_err(|e| {
            eprintln!("flexmap docs: cannot read {}: {e}", path.display());
            EXIT_USAGE
        })?;
        let project = Project::find(path).map_err(|e| {
            eprintln!("flexmap docs: cannot read {}: {e}", path.display());
            EXIT_USAGE
        })?;
        diagnostics.extend(project.project_diagnostics());
        let index = projects.len();
        projects.push(project);
        push(
            Unit {
                ruleset,
                project: index,
            },
            &mut units,
        );
    }
    Ok((projects, units))
}

/// The project folder: where the nearest `flexmap.toml` is, else the folder given (or the
/// folder of the file given).
fn project_root(path: &Path) -> PathBuf {
    let config = Config::find(path);
    let folder = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    let root = config.root.unwrap_or(folder);
    std::fs::canonicalize(&root).unwrap_or(root)
}

/// A rule file's name relative to the project folder (as given when it lies elsewhere),
/// with `/` separators.
fn relative_name(root: &Path, name: &str) -> String {
    let path = Path::new(name);
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .strip_prefix(root)
        .map_or_else(|_| name.to_string(), |p| p.to_string_lossy().into_owned())
        .replace('\\', "/")
}

fn is_html(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"))
}
